"""Signal preparation: checks, resampling (signals and whole records), standardising.

The patient-wise splits that used to live beside these are in
:mod:`ecgteach.datasets.splits`.

>>> from ecgteach import load_ludb_record
>>> record = load_ludb_record(1, leads=["ii"])
>>> record_250 = resample_record(record, 250)      # waves and spans follow the signal
>>> record_250.fs, record_250.n_samples, record_250.span("ii")
(250.0, 2500, (322, 1999))
>>> z = standardise(record_250.lead("ii"))
>>> round(float(z.std()), 3), bool(abs(z.mean()) < 1e-6)
(1.0, True)
"""

from __future__ import annotations

import functools
from dataclasses import replace
from fractions import Fraction

import numpy as np

from ecgteach.ecg.records import Record
from ecgteach.ecg.waves import scale_waves


def check_fs(fs: float, what: str = "sampling rate") -> float:
    """Validate a sampling rate (a positive, finite number of Hz).

    >>> check_fs("250")
    250.0
    >>> check_fs(0)
    Traceback (most recent call last):
    ...
    ValueError: the sampling rate must be positive (Hz), got 0
    """
    try:
        value = float(fs)
    except (TypeError, ValueError):
        raise ValueError(f"the {what} must be a number of Hz, got {fs!r}") from None
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"the {what} must be positive (Hz), got {fs!r}")
    return value


def check_signal(signal: np.ndarray, what: str = "signal") -> np.ndarray:
    """Return ``signal`` as a float array; a clear error when empty or not finite.

    >>> check_signal([1, 2, 3])
    array([1., 2., 3.])
    >>> check_signal([0.1, np.nan], "lead ii of record 3")
    Traceback (most recent call last):
    ...
    ValueError: the lead ii of record 3 contains 1 NaN/inf values (first at flat index 1); ...
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

    >>> x500 = np.sin(np.linspace(0, 10, 1000)).reshape(500, 2)   # 1 s, 2 leads at 500 Hz
    >>> x250 = resample_signal(x500, 500, 250)
    >>> x250.shape, x250.dtype
    ((250, 2), dtype('float32'))
    """
    fs_in, fs_out = check_fs(fs_in, "input sampling rate"), check_fs(fs_out, "output rate")
    array = check_signal(signal)
    if fs_in == fs_out:
        return array.astype(np.float32)
    from scipy.signal import resample_poly

    ratio = Fraction(fs_out / fs_in).limit_denominator(1000)
    up, down = ratio.numerator, ratio.denominator
    out = resample_poly(array, up, down, axis=0, padtype="line", window=_lowpass(up, down))
    return out.astype(np.float32)


@functools.lru_cache(maxsize=32)
def _lowpass(up: int, down: int) -> np.ndarray:
    """The FIR filter ``resample_poly`` designs for ``up/down`` (designed once, reused).

    >>> from scipy.signal import resample_poly
    >>> x = np.sin(np.linspace(0, 30, 5000))
    >>> bool(np.array_equal(resample_poly(x, 1, 2, padtype="line"),
    ...                     resample_poly(x, 1, 2, padtype="line", window=_lowpass(1, 2))))
    True
    """
    from scipy.signal import firwin

    max_rate = max(up, down)
    taps = firwin(2 * 10 * max_rate + 1, 1.0 / max_rate, window=("kaiser", 5.0))
    taps.flags.writeable = False  # shared between calls: resample_poly copies it
    return taps


def resample_record(record: Record, fs: float) -> Record:
    """The same record at another sampling rate, waves and spans rescaled.

    >>> from ecgteach import load_ludb_record
    >>> record = resample_record(load_ludb_record(1, leads=["ii"]), 250)
    >>> record.fs, record.signal.shape, record.waves["ii"]["QRS"][0]
    (250.0, (2500, 1), array([322, 331, 341]))
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

    >>> standardise(np.array([1.0, 2.0, 3.0])).round(3)
    array([-1.225,  0.   ,  1.225], dtype=float32)
    >>> standardise(np.ones(3))
    array([0., 0., 0.], dtype=float32)
    """
    array = check_signal(signal)
    mean = array.mean(axis=axis, keepdims=True)
    std = array.std(axis=axis, keepdims=True)
    std = np.where(std > 1e-12, std, 1.0)
    return ((array - mean) / std).astype(np.float32)
