"""Annotations as waves: parse WFDB ``(`` peak ``)`` triples into P, QRS and T waves.

A wave set is a plain ``dict`` mapping ``"P"``, ``"QRS"`` and ``"T"`` to integer
arrays of shape ``(n, 3)`` holding onset, peak and offset sample indices, with
``-1`` where a boundary was not annotated. ``ecgteach.delineate`` returns the
same shape, so true and predicted waves can be compared directly.

>>> symbols = ["(", "p", ")", "(", "N", ")", "t", ")"]
>>> waves, quirks = parse_waves(symbols, [10, 20, 30, 40, 45, 52, 80, 95])
>>> waves["QRS"]
array([[40, 45, 52]])
>>> waves["T"][:, 0]          # T onsets: -1, not annotated
array([-1])
>>> quirks
[]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

WAVE_KINDS: tuple[str, ...] = ("P", "QRS", "T")
MISSING = -1

#: Peak symbols that are not QRS complexes. Any other non-bracket symbol is a QRS
#: beat label (LUDB uses ``N``; QTDB also uses ``A``, ``B``, ``V``, ``Q`` ...).
_NON_QRS_PEAKS = {"p": "P", "t": "T", "u": "U"}
#: Symbols that are neither boundaries nor peaks of a wave (WFDB non-beat labels).
_IGNORED = {"+", "~", "|", "\"", "x", "[", "]", "!", "@", "^", "=", "*", "s", "T", "D"}


@dataclass(frozen=True)
class Quirk:
    """Something in an annotation file that is not a clean ``(`` peak ``)`` triple.

    >>> waves, quirks = parse_waves(["N", ")"], [45, 52])
    >>> quirks
    [Quirk(kind='QRS', sample=45, message='peak with no onset')]
    """

    kind: str  # the wave kind concerned ("P", "QRS", "T", "U" or "?")
    sample: int  # where it happened
    message: str


def empty_waves() -> dict[str, np.ndarray]:
    """A wave set with no waves.

    >>> {kind: rows.shape for kind, rows in empty_waves().items()}
    {'P': (0, 3), 'QRS': (0, 3), 'T': (0, 3)}
    """
    return {kind: np.zeros((0, 3), dtype=np.int64) for kind in WAVE_KINDS}


def parse_waves(
    symbols: Sequence[str], samples: Sequence[int] | np.ndarray
) -> tuple[dict[str, np.ndarray], list[Quirk]]:
    """Group ``(`` peak ``)`` annotations into P/QRS/T waves.

    Missing boundaries stay missing (``-1``), never invented. Handled explicitly:
    a peak with no onset (``N )``), an onset placed after its peak (``N ( )``,
    dropped), a peak with no offset, orphan brackets. Each is reported as a
    :class:`Quirk`. U waves are parsed (so their brackets are not misread) but
    not returned.

    >>> waves, quirks = parse_waves(["(", "N", "(", ")"], [40, 45, 46, 52])
    >>> waves["QRS"]
    array([[40, 45, 52]])
    >>> [quirk.message for quirk in quirks]
    ['onset placed after the peak (dropped)']
    """
    samples = np.asarray(samples, dtype=np.int64)
    if len(symbols) != len(samples):
        raise ValueError(
            f"symbols and samples differ in length ({len(symbols)} vs {len(samples)})"
        )
    order = np.argsort(samples, kind="stable")
    rows: dict[str, list[list[int]]] = {kind: [] for kind in (*WAVE_KINDS, "U")}
    quirks: list[Quirk] = []
    pending_onset: int | None = None  # a "(" waiting for its peak
    open_wave: list[int] | None = None  # a wave whose peak was seen, offset not yet
    open_kind = "?"
    for index in order:
        symbol, sample = symbols[index], int(samples[index])
        if symbol == "(":
            if pending_onset is not None:
                quirks.append(Quirk("?", pending_onset, "onset with no peak after it (dropped)"))
            pending_onset = sample
        elif symbol == ")":
            if open_wave is not None:
                if pending_onset is not None:
                    # LUDB records 7, 34, 111: "N ( )", the onset one sample after the peak.
                    quirks.append(
                        Quirk(open_kind, pending_onset, "onset placed after the peak (dropped)")
                    )
                    pending_onset = None
                open_wave[2] = sample
                open_wave = None
            else:
                where = pending_onset if pending_onset is not None else sample
                quirks.append(Quirk("?", where, "offset with no peak before it (dropped)"))
                pending_onset = None
        elif symbol in _IGNORED:
            continue
        else:
            kind = _NON_QRS_PEAKS.get(symbol, "QRS")
            if open_wave is not None:
                quirks.append(Quirk(open_kind, open_wave[1], "peak with no offset"))
            onset = MISSING
            if pending_onset is not None:
                onset = pending_onset
            elif kind not in ("T", "U"):  # QTDB T/U waves often have no onset: expected
                quirks.append(Quirk(kind, sample, "peak with no onset"))
            pending_onset = None
            open_wave = [onset, sample, MISSING]
            open_kind = kind
            rows[kind].append(open_wave)
    if open_wave is not None:
        quirks.append(Quirk(open_kind, open_wave[1], "peak with no offset"))
    if pending_onset is not None:
        quirks.append(Quirk("?", pending_onset, "onset with no peak after it (dropped)"))
    waves = {
        kind: np.asarray(rows[kind], dtype=np.int64).reshape(-1, 3) for kind in WAVE_KINDS
    }
    return waves, quirks


def scale_waves(waves: dict[str, np.ndarray], factor: float) -> dict[str, np.ndarray]:
    """Waves at another sampling rate (indices times ``factor``, rounded; -1 kept).

    >>> scale_waves({"QRS": np.array([[101, 110, -1]])}, 250 / 500)["QRS"]
    array([[50, 55, -1]])
    """
    if not factor > 0:
        raise ValueError(f"the scale factor must be positive, got {factor}")
    out = {}
    for kind, rows in waves.items():
        scaled = np.rint(rows * factor).astype(np.int64)
        out[kind] = np.where(rows == MISSING, MISSING, scaled)
    return out


def crop_waves(waves: dict[str, np.ndarray], start: int, stop: int) -> dict[str, np.ndarray]:
    """Waves whose peak lies in ``[start, stop)``, re-indexed from ``start``.

    A boundary that falls outside the window becomes missing (-1): the window
    does not hold it.

    >>> waves = {"QRS": np.array([[640, 662, 682], [1324, 1342, -1], [990, 1005, 1020]])}
    >>> crop_waves(waves, 1000, 2000)["QRS"]
    array([[324, 342, -1],
           [ -1,   5,  20]])
    """
    out = {}
    for kind, rows in waves.items():
        rows = np.asarray(rows)
        keep = (rows[:, 1] >= start) & (rows[:, 1] < stop)
        kept = rows[keep]
        outside = (kept == MISSING) | (kept < start) | (kept >= stop)
        out[kind] = np.where(outside, MISSING, kept - start)
    return out


def qrs_durations_ms(waves: dict[str, np.ndarray], fs: float) -> np.ndarray:
    """Durations (ms) of the QRS complexes that have both boundaries.

    >>> waves = {"QRS": np.array([[644, 662, 682], [1324, 1342, -1], [-1, 2000, 2050]])}
    >>> qrs_durations_ms(waves, fs=500)
    array([76.])
    """
    qrs = waves["QRS"]
    both = (qrs[:, 0] != MISSING) & (qrs[:, 2] != MISSING)
    return (qrs[both, 2] - qrs[both, 0]) * 1000.0 / fs
