"""Out in the world: noise, baseline wander, and where a delineator fails.

* :func:`add_noise` adds white noise at a chosen signal-to-noise ratio (dB),
  :func:`add_baseline_wander` a slow sinusoidal drift (breathing, electrode
  movement), :func:`add_powerline` mains interference. All seeded.
* :func:`score_records` scores a delineator on records (optionally corrupted);
  :func:`worst_beats` finds the QRS complexes it gets most wrong, for a gallery.

Usage::

    noisy = add_noise(record.lead("ii"), snr_db=10, seed=0)
    scorer = score_records(test_records, delineator, corrupt=lambda x, fs: add_noise(x, 10))
    gallery = worst_beats(test_records, delineator, n=8)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .metrics import DelineationScorer, match_boundaries
from .prepare import check_fs, check_signal
from .records import Record

Corruption = Callable[[np.ndarray, float], np.ndarray]


def add_noise(signal: np.ndarray, snr_db: float, seed: int = 0) -> np.ndarray:
    """White Gaussian noise at ``snr_db`` relative to the signal's own power.

    Usage: ``add_noise(x, snr_db=10)`` (10 dB: noise power a tenth of the signal's).
    """
    x = check_signal(signal)
    centred = x - x.mean()
    power = float(np.mean(centred**2))
    noise_power = power / 10 ** (snr_db / 10)
    noise = np.random.default_rng(seed).normal(0.0, np.sqrt(noise_power), size=x.shape)
    return (x + noise).astype(np.float32)


def add_baseline_wander(
    signal: np.ndarray, fs: float, amplitude_mv: float = 0.5, frequency_hz: float = 0.3,
    seed: int = 0,
) -> np.ndarray:
    """A slow sinusoidal baseline drift (breathing is ~0.15-0.5 Hz), random phase.

    Usage: ``add_baseline_wander(x, fs=500, amplitude_mv=1.0)``.
    """
    x = check_signal(signal)
    fs = check_fs(fs)
    if frequency_hz <= 0:
        raise ValueError(f"frequency_hz must be positive, got {frequency_hz}")
    phase = np.random.default_rng(seed).uniform(0, 2 * np.pi)
    t = np.arange(x.size) / fs
    return (x + amplitude_mv * np.sin(2 * np.pi * frequency_hz * t + phase)).astype(np.float32)


def add_powerline(
    signal: np.ndarray, fs: float, amplitude_mv: float = 0.1, mains_hz: float = 50.0
) -> np.ndarray:
    """Mains interference: a ``mains_hz`` sinusoid of ``amplitude_mv``.

    Usage: ``add_powerline(x, fs=500, mains_hz=60)``.
    """
    x = check_signal(signal)
    fs = check_fs(fs)
    t = np.arange(x.size) / fs
    return (x + amplitude_mv * np.sin(2 * np.pi * mains_hz * t)).astype(np.float32)


def score_records(
    records: Sequence[Record],
    delineator: Any,
    leads: Sequence[str] | None = ("ii",),
    corrupt: Corruption | None = None,
) -> DelineationScorer:
    """Score ``delineator(signal, fs) -> waves`` on records, optionally corrupted first.

    Usage: ``score_records(test, delineator, corrupt=lambda x, fs: add_noise(x, 6)).table()``.
    """
    scorer = DelineationScorer()
    for record in records:
        for lead in leads if leads is not None else list(record.waves):
            signal = record.lead(lead)
            if corrupt is not None:
                signal = corrupt(signal, record.fs)
            scorer.add(record.waves[lead], delineator(signal, record.fs), record.fs,
                       span=record.span(lead))
    return scorer


@dataclass(frozen=True)
class BadBeat:
    """One annotated QRS and what the delineator made of it (errors in ms, NaN = missed)."""

    record: str
    lead: str
    peak: int  # the cardiologists' QRS peak (sample at the record's rate)
    onset_error_ms: float
    offset_error_ms: float

    @property
    def worst_ms(self) -> float:
        """The larger absolute error (inf when a boundary was missed)."""
        errors = np.abs([self.onset_error_ms, self.offset_error_ms])
        return float(np.inf if np.isnan(errors).any() else errors.max())


def worst_beats(
    records: Sequence[Record], delineator: Any, lead: str = "ii", n: int = 8
) -> list[BadBeat]:
    """The ``n`` annotated QRS complexes with the largest onset/offset error.

    Usage: ``for beat in worst_beats(test, delineator): print(beat)``.
    """
    beats: list[BadBeat] = []
    for record in records:
        truth = record.waves[lead]["QRS"]
        predicted = delineator(record.lead(lead), record.fs)["QRS"]
        errors = {}
        for column in (0, 2):
            matched_true, matched_pred = match_boundaries(
                truth[:, column], predicted[:, column], record.fs
            )
            error = np.full(len(truth), np.nan)
            error[matched_true] = (
                predicted[matched_pred, column] - truth[matched_true, column]
            ) * 1000.0 / record.fs
            error[truth[:, column] < 0] = 0.0  # nothing to compare against: not a failure
            errors[column] = error
        for k, row in enumerate(truth):
            beats.append(BadBeat(record.name, lead, int(row[1]), float(errors[0][k]),
                                 float(errors[2][k])))
    beats.sort(key=lambda beat: beat.worst_ms, reverse=True)
    return beats[:n]
