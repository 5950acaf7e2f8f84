"""Training-time augmentation of segmenter windows: noise, wander, polarity, amplitude, warps.

A segmenter trained on LUDB's clean 10 s records meets noisier ECGs in the
world. Each function here changes a window the way a real recording can differ
and keeps (or, for a time warp, moves) its labels with it:

* ``noise``: white noise at a signal-to-noise ratio;
* ``muscle``: noise above 20 Hz, like the "ma" (muscle artefact) record of the
  MIT-BIH Noise Stress Test Database;
* ``wander``: slow sinusoidal drift below 0.5 Hz, like its "bw" record;
* ``electrode``: a burst of 1-10 Hz noise, like its "em" (electrode motion) record;
* ``amplitude``: the window scaled (the lead was z-scored over the whole record,
  so this is a beat louder or softer than the rest);
* ``polarity``: the window inverted (a lead placed the other way round);
* ``warp``: the window stretched or squeezed in time (a faster or slower heart),
  labels moved with it; samples the stretch leaves empty are unlabelled.

:func:`augment_windows` applies them at random to a :class:`WindowSet`, seeded.

>>> import numpy as np
>>> x = np.sin(np.linspace(0, 8 * np.pi, 500))
>>> bool(np.allclose(flip_polarity(x), -x))
True
>>> noisy = add_white_noise(x, snr_db=10, rng=np.random.default_rng(0))
>>> round(float(np.var(noisy - x) / np.var(x)), 1)
0.1
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from ecgteach.delineation.windows import UNLABELLED, WindowSet

#: Every augmentation :func:`augment_windows` knows, in the order it applies them.
AUGMENTATIONS: tuple[str, ...] = (
    "warp", "amplitude", "polarity", "wander", "electrode", "muscle", "noise",
)
#: Ranges the random draws come from (SNR in dB; amplitudes in units of the lead's SD).
RANGES: dict[str, tuple[float, float]] = {
    "noise_snr_db": (6.0, 24.0),
    "muscle_snr_db": (6.0, 24.0),
    "wander_amplitude": (0.1, 1.0),
    "electrode_amplitude": (0.1, 0.6),
    "amplitude_factor": (0.6, 1.6),
    "warp_factor": (0.85, 1.15),
}


def _noise_power(x: np.ndarray, snr_db: float) -> float:
    return float(np.var(x)) / 10 ** (float(snr_db) / 10)


def add_white_noise(x: np.ndarray, snr_db: float, rng: np.random.Generator) -> np.ndarray:
    """``x`` plus white Gaussian noise whose power is the signal's over ``10**(snr_db/10)``."""
    x = np.asarray(x, dtype=np.float64)
    return x + rng.normal(0.0, np.sqrt(_noise_power(x, snr_db)), size=x.shape)


def _band_noise(n: int, fs: float, low_hz: float, high_hz: float,
                rng: np.random.Generator) -> np.ndarray:
    """Unit-variance Gaussian noise keeping only ``low_hz``-``high_hz`` (an FFT mask)."""
    spectrum = np.fft.rfft(rng.normal(size=n))
    freqs = np.fft.rfftfreq(n, 1.0 / fs)
    spectrum[(freqs < low_hz) | (freqs > high_hz)] = 0.0
    band = np.fft.irfft(spectrum, n)
    sd = float(band.std())
    return band / sd if sd > 0 else band


def add_muscle_noise(x: np.ndarray, snr_db: float, fs: float,
                     rng: np.random.Generator) -> np.ndarray:
    """``x`` plus noise above 20 Hz (muscle artefact) at ``snr_db``.

    >>> rng = np.random.default_rng(0)
    >>> added = add_muscle_noise(np.zeros(500) + np.sin(np.arange(500) / 10), 10, 250, rng)
    >>> spectrum = np.abs(np.fft.rfft(added - np.sin(np.arange(500) / 10)))
    >>> float(spectrum[:40].max()) < 1e-6                      # nothing below 20 Hz
    True
    """
    x = np.asarray(x, dtype=np.float64)
    band = _band_noise(x.size, fs, 20.0, fs / 2, rng)
    return x + band * np.sqrt(_noise_power(x, snr_db))


def add_wander(x: np.ndarray, amplitude: float, fs: float,
               rng: np.random.Generator) -> np.ndarray:
    """``x`` plus two sinusoids of 0.05-0.5 Hz, random phases, peak at most ``amplitude``.

    >>> drift = add_wander(np.zeros(500), 0.5, 250, np.random.default_rng(1))
    >>> bool(np.abs(drift).max() <= 0.5 + 1e-9), bool(np.abs(np.diff(drift)).max() < 0.01)
    (True, True)
    """
    x = np.asarray(x, dtype=np.float64)
    t = np.arange(x.size) / fs
    freqs = rng.uniform(0.05, 0.5, size=2)
    phases = rng.uniform(0, 2 * np.pi, size=2)
    drift = np.sin(2 * np.pi * freqs[:, None] * t + phases[:, None]).sum(axis=0) / 2
    return x + float(amplitude) * drift


def add_electrode_motion(x: np.ndarray, amplitude: float, fs: float,
                         rng: np.random.Generator) -> np.ndarray:
    """``x`` plus a burst (0.2-1 s, smooth edges) of 1-10 Hz noise with SD ``amplitude``.

    >>> rng = np.random.default_rng(2)
    >>> burst = add_electrode_motion(np.zeros(500), 0.3, 250, rng)
    >>> quiet = int((np.abs(burst) < 1e-12).sum())      # outside the burst: untouched
    >>> 0 < quiet < 500
    True
    """
    x = np.asarray(x, dtype=np.float64)
    n = x.size
    length = int(min(n, max(4, round(rng.uniform(0.2, 1.0) * fs))))
    start = int(rng.integers(0, n - length + 1))
    envelope = np.zeros(n)
    envelope[start : start + length] = np.hanning(length)
    return x + float(amplitude) * envelope * _band_noise(n, fs, 1.0, 10.0, rng)


def scale_amplitude(x: np.ndarray, factor: float) -> np.ndarray:
    """``x`` times ``factor``."""
    return np.asarray(x, dtype=np.float64) * float(factor)


def flip_polarity(x: np.ndarray) -> np.ndarray:
    """``x`` inverted (``-x``)."""
    return -np.asarray(x, dtype=np.float64)


def time_warp(x: np.ndarray, labels: np.ndarray, valid: np.ndarray, factor: float
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stretch a window in time by ``factor`` about its start, keeping its length.

    ``factor`` 1.1: every wave lasts 10 % longer (a slower heart); the end of the
    window falls off. ``factor`` 0.9: shorter waves, and the last 10 % of the
    window, which no signal reaches, is edge-padded and unlabelled. Each label
    is the one of the source sample at or before it.

    >>> labels = np.zeros(100, dtype=np.int8)
    >>> labels[20:30] = 2                                     # a 10-sample QRS
    >>> _, warped, valid = time_warp(np.zeros(100), labels, np.ones(100, bool), 2.0)
    >>> int((warped == 2).sum()), int(np.flatnonzero(warped == 2)[0])
    (20, 40)
    >>> _, warped, valid = time_warp(np.zeros(100), labels, np.ones(100, bool), 0.5)
    >>> int((warped == 2).sum()), int(valid.sum())           # half the samples reach signal
    (5, 50)
    """
    x = np.asarray(x, dtype=np.float64)
    n = x.size
    source = np.arange(n) / float(factor)            # where each output sample comes from
    inside = source <= n - 1
    warped = np.interp(np.minimum(source, n - 1), np.arange(n), x)
    nearest = np.minimum(np.floor(source + 1e-9).astype(np.int64), n - 1)
    new_valid = np.asarray(valid, dtype=bool)[nearest] & inside
    new_labels = np.where(new_valid, np.asarray(labels)[nearest], UNLABELLED).astype(
        np.asarray(labels).dtype)
    return warped, new_labels, new_valid


def _draw(rng: np.random.Generator, key: str) -> float:
    low, high = RANGES[key]
    return float(rng.uniform(low, high))


def augment_window(x: np.ndarray, labels: np.ndarray, valid: np.ndarray, fs: float,
                   kinds: Sequence[str], rng: np.random.Generator
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Apply ``kinds`` (in :data:`AUGMENTATIONS` order) to one window; values drawn from ``rng``."""
    x = np.asarray(x, dtype=np.float64)
    for kind in AUGMENTATIONS:
        if kind not in kinds:
            continue
        if kind == "warp":
            x, labels, valid = time_warp(x, labels, valid, _draw(rng, "warp_factor"))
        elif kind == "amplitude":
            x = scale_amplitude(x, _draw(rng, "amplitude_factor"))
        elif kind == "polarity":
            x = flip_polarity(x)
        elif kind == "wander":
            x = add_wander(x, _draw(rng, "wander_amplitude"), fs, rng)
        elif kind == "electrode":
            x = add_electrode_motion(x, _draw(rng, "electrode_amplitude"), fs, rng)
        elif kind == "muscle":
            x = add_muscle_noise(x, _draw(rng, "muscle_snr_db"), fs, rng)
        else:
            x = add_white_noise(x, _draw(rng, "noise_snr_db"), rng)
    return x, labels, valid


def check_augmentations(kinds: Sequence[str]) -> tuple[str, ...]:
    """``kinds`` as a tuple; a clear error naming any unknown one.

    >>> check_augmentations(["noise", "warp"])
    ('noise', 'warp')
    >>> check_augmentations(["nosie"])
    Traceback (most recent call last):
    ...
    ValueError: unknown augmentation 'nosie'; choose from warp, amplitude, polarity, ...
    """
    kinds = (kinds,) if isinstance(kinds, str) else tuple(kinds)
    for kind in kinds:
        if kind not in AUGMENTATIONS:
            raise ValueError(f"unknown augmentation {kind!r}; choose from "
                             f"{', '.join(AUGMENTATIONS)}")
    return kinds


def augment_windows(windows: WindowSet, kinds: Sequence[str] = AUGMENTATIONS,
                    probability: float = 0.5, seed: int = 0) -> WindowSet:
    """A copy of ``windows`` in which a random share ``probability`` is augmented.

    Each chosen window gets each of ``kinds`` with probability one half (at least
    one), its values drawn from :data:`RANGES`; the rest are unchanged. The same
    seed gives the same windows. The number of windows (so the training time) stays.

    >>> from ecgteach import load_ludb_record
    >>> from ecgteach.delineation.windows import make_windows
    >>> windows = make_windows([load_ludb_record(1, leads=["ii"])], leads="ii")
    >>> augmented = augment_windows(windows, ["polarity"], probability=1.0)
    >>> bool(np.allclose(augmented.x, -windows.x)), bool((augmented.labels == windows.labels).all())
    (True, True)
    >>> same = augment_windows(windows, probability=0.5, seed=3)
    >>> bool(np.array_equal(same.x, augment_windows(windows, probability=0.5, seed=3).x))
    True
    """
    kinds = check_augmentations(kinds)
    if not 0.0 <= probability <= 1.0:
        raise ValueError(f"probability must be between 0 and 1, got {probability}")
    rng = np.random.default_rng(seed)
    x, labels, valid = windows.x.copy(), windows.labels.copy(), windows.valid.copy()
    chosen = np.flatnonzero(rng.random(len(windows)) < probability)
    for row in chosen:
        picked = [kind for kind in kinds if rng.random() < 0.5] or [kinds[rng.integers(len(kinds))]]
        new_x, labels[row], valid[row] = augment_window(
            x[row, :, 0], labels[row], valid[row], windows.fs, picked, rng)
        x[row, :, 0] = new_x.astype(np.float32)
    return replace(windows, x=x, labels=labels, valid=valid)
