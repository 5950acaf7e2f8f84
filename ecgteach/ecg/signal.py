"""Preparation: resampling, standardising, and the fixed patient-wise split.

One LUDB record is one patient. Records 161-200 are the fixed test patients
(never trained on, never used to choose a model), so numbers compare across
runs; records 1-160 are split into training and validation with a seed.

Usage::

    split = split_patients(seed=0)           # {"train": [...], "val": [...], "test": [161..200]}
    record_250 = resample_record(record, 250)
    z = standardise(record_250.lead("ii"))
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import numpy as np

from ecgteach.ecg.records import Record
from ecgteach.ecg.waves import scale_waves


def check_fs(fs: float, what: str = "sampling rate") -> float:
    """Validate a sampling rate (a positive, finite number of Hz). Usage: ``check_fs(250)``."""
    try:
        value = float(fs)
    except (TypeError, ValueError):
        raise ValueError(f"the {what} must be a number of Hz, got {fs!r}") from None
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"the {what} must be positive (Hz), got {fs!r}")
    return value


def check_signal(signal: np.ndarray, what: str = "signal") -> np.ndarray:
    """Return ``signal`` as a float array; a clear error when empty or not finite.

    Usage: ``x = check_signal(x, "lead ii of record 3")``.
    """
    array = np.asarray(signal, dtype=np.float64)
    if array.size == 0:
        raise ValueError(f"the {what} is empty (0 samples)")
    bad = ~np.isfinite(array)
    if bad.any():
        first = int(np.flatnonzero(bad.ravel())[0])
        raise ValueError(
            f"the {what} contains {int(bad.sum())} NaN/inf values (first at flat index {first}); "
            "interpolate or cut them out first"
        )
    return array


def resample_signal(signal: np.ndarray, fs_in: float, fs_out: float) -> np.ndarray:
    """Resample along the first axis with a polyphase filter (``scipy.signal.resample_poly``).

    Usage: ``x250 = resample_signal(x500, 500, 250)``.
    """
    fs_in, fs_out = check_fs(fs_in, "input sampling rate"), check_fs(fs_out, "output rate")
    array = check_signal(signal)
    if fs_in == fs_out:
        return array.astype(np.float32)
    from scipy.signal import resample_poly

    ratio = Fraction(fs_out / fs_in).limit_denominator(1000)
    out = resample_poly(array, ratio.numerator, ratio.denominator, axis=0, padtype="line")
    return out.astype(np.float32)


def resample_record(record: Record, fs: float) -> Record:
    """The same record at another sampling rate, waves and spans rescaled.

    Usage: ``resample_record(load_ludb_record(1), 250)``.
    """
    fs = check_fs(fs)
    if fs == record.fs:
        return record
    factor = fs / record.fs
    signal = resample_signal(record.signal, record.fs, fs)
    signal.flags.writeable = False
    n = signal.shape[0]
    # a span is [first, last + 1): scale the last labelled sample as the waves are
    # scaled (np.rint), so the rescaled span still ends just after the last label
    spans = {
        lead: [(int(round(a * factor)), min(n, int(round((b - 1) * factor)) + 1)) for a, b in spans]
        for lead, spans in record.spans.items()
    }
    waves = {lead: scale_waves(w, factor) for lead, w in record.waves.items()}
    return replace(record, fs=fs, signal=signal, waves=waves, spans=spans)


def standardise(signal: np.ndarray, axis: int = 0) -> np.ndarray:
    """Z-score along ``axis`` (a constant signal becomes zeros, not NaN).

    Usage: ``standardise(record.lead("ii"))``.
    """
    array = check_signal(signal)
    mean = array.mean(axis=axis, keepdims=True)
    std = array.std(axis=axis, keepdims=True)
    std = np.where(std > 1e-12, std, 1.0)
    return ((array - mean) / std).astype(np.float32)
