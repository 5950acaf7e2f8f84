"""Corruptions of a clean ECG, for robustness tests: noise, baseline wander, mains hum.

Each takes a lead and returns a corrupted float32 copy; all are seeded. Pass
one as ``corrupt=`` to :func:`ecgteach.delineation.score_delineator`.

>>> x = np.sin(np.linspace(0, 20, 5000))
>>> noisy = add_noise(x, snr_db=10, seed=0)
>>> round(float(np.var(noisy - x) / np.var(x)), 1)      # noise power a tenth of the signal's
0.1
>>> float(np.abs(add_baseline_wander(x, fs=500, amplitude_mv=1.0) - x).max()) <= 1.0
True
"""

from __future__ import annotations

import numpy as np

from ecgteach.ecg.signal import check_fs, check_signal


def add_noise(signal: np.ndarray, snr_db: float, seed: int = 0) -> np.ndarray:
    """White Gaussian noise at ``snr_db`` relative to the signal's own power.

    10 dB: noise power a tenth of the signal's; 0 dB: as strong as the signal.

    >>> x = np.sin(np.linspace(0, 20, 5000))
    >>> noisy = add_noise(x, snr_db=0, seed=1)
    >>> noisy.dtype, round(float(np.var(noisy - x) / np.var(x)), 1)
    (dtype('float32'), 1.0)
    >>> np.array_equal(noisy, add_noise(x, snr_db=0, seed=1))     # seeded: repeatable
    True
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

    >>> flat = np.zeros(5000)                                 # 10 s at 500 Hz
    >>> drift = add_baseline_wander(flat, fs=500, amplitude_mv=1.0)
    >>> round(float(np.ptp(drift)), 1)                        # swings between -1 and +1 mV
    2.0
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

    >>> hum = add_powerline(np.zeros(5000), fs=500, mains_hz=60)
    >>> round(float(hum.max()), 3), float(np.abs(np.fft.rfft(hum)).argmax() * 500 / 5000)
    (0.1, 60.0)
    """
    x = check_signal(signal)
    fs = check_fs(fs)
    t = np.arange(x.size) / fs
    return (x + amplitude_mv * np.sin(2 * np.pi * mains_hz * t)).astype(np.float32)
