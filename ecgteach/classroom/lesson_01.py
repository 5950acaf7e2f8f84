"""Lesson 01's exercises: QRS durations per lead, from a wave table, and the padding of a row.

>>> import numpy as np
>>> import ecgteach
>>> def qrs_durations_ms(waves, fs):
...     qrs = np.asarray(waves["QRS"])
...     complete = (qrs[:, 0] != -1) & (qrs[:, 2] != -1)
...     return (qrs[complete, 2] - qrs[complete, 0]) * 1000 / fs
>>> ecgteach.check("01.3", qrs_durations_ms)
[01.3] ✓ correct: ...
>>> ecgteach.check("01.3", lambda waves, fs: np.diff(waves["QRS"][:, ::2]).ravel() * 1000 / fs)
[01.3] ✗ not yet: ...(-1)...
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from ecgteach.beats.seedset import make_seed_dataset
from ecgteach.classroom.feedback import Feedback, array, call, exercise, number, same, wrong
from ecgteach.datasets.ludb import LUDB_LEADS, load_ludb, qrs_durations
from ecgteach.datasets.splits import split_patients
from ecgteach.ecg.waves import MISSING, qrs_durations_ms


@lru_cache(maxsize=1)
def _lesson01_beats():
    train = load_ludb(split_patients(seed=0)["train"], leads=["ii"])
    return make_seed_dataset(train, lead="ii", n_beats=300, length=200, fs=250)


@exercise("01.2", "Which lead has the longest median QRS duration over all 200 patients?")
def _check_01_2(answer: Any) -> Feedback:
    records = load_ludb()
    medians = {lead: float(np.median(qrs_durations(records, lead))) for lead in LUDB_LEADS}
    best = max(medians, key=medians.get)
    given = str(answer).strip().lower()
    if given == best:
        return Feedback("01.2", True, f"lead {best}: median {medians[best]:.0f} ms. Leads see "
                        "the heart from different angles: a boundary is where *this* lead sees "
                        "the wave start, so durations differ by lead.")
    if given not in medians:
        return Feedback("01.2", False, f"{answer!r} is not a LUDB lead name; use one of "
                        f"{', '.join(LUDB_LEADS)}")
    return Feedback("01.2", False, f"lead {given} has a median of {medians[given]:.0f} ms; "
                    "another is longer. Compute np.median(ecgteach.qrs_durations(records, lead)) "
                    "for every lead in ecgteach.LUDB_LEADS.")


def _waves(qrs: list[list[int]]) -> dict[str, np.ndarray]:
    """A wave table as ``record.waves[lead]`` holds it (P and T beside the QRS)."""
    rows = np.array(qrs, dtype=np.int64).reshape(-1, 3)
    return {"P": np.where(rows == MISSING, MISSING, rows - 60), "QRS": rows,
            "T": np.where(rows == MISSING, MISSING, rows + 120)}


#: Hand-made wave tables: complete QRS, a missing onset, a missing offset, none at all.
_QRS_CASES = (
    (_waves([[644, 662, 682], [1324, 1342, -1], [-1, 2000, 2050], [2600, 2621, 2651]]), 500.0),
    (_waves([[30, 41, 55], [-1, 120, 131], [300, 310, 318], [700, 712, -1]]), 250.0),
    (_waves([[90, 101, -1]]), 500.0),
)


@exercise("01.3", "Write qrs_durations_ms(waves, fs): the duration (ms) of every QRS that has "
          "both boundaries.", writes="qrs_durations_ms(waves, fs)")
def _check_01_3(function: Any) -> Feedback:
    for waves, fs in _QRS_CASES:
        qrs = waves["QRS"]
        case = f"qrs_durations_ms(waves, fs={fs:g}) with waves['QRS'] = {qrs.tolist()}"
        got = array("01.3", call("01.3", function, {k: v.copy() for k, v in waves.items()},
                                 fs, case=case)).ravel()
        expected = qrs_durations_ms(waves, fs)
        if same(got, expected):
            continue
        every = (qrs[:, 2] - qrs[:, 0]) * 1000.0 / fs
        onset_ok = (qrs[:, 0] != MISSING)
        offset_ok = (qrs[:, 2] != MISSING)
        hint = "look at each row: [onset, peak, offset] in samples, -1 where a boundary is missing"
        if same(got, every) or same(got, every[onset_ok]) or same(got, every[offset_ok]):
            hint = ("a QRS with a missing boundary (-1) has no duration: skip every row whose "
                    "onset *or* offset is -1")
        elif same(got, expected * fs / 1000):
            hint = "those are samples: multiply by 1000 / fs for milliseconds"
        elif same(got, expected / 1000):
            hint = "those are seconds: the question asks for milliseconds"
        elif same(got, expected + 1000.0 / fs):
            hint = ("one sample too long: ecgteach measures offset − onset (the offset is the "
                    "QRS's last sample), without adding one")
        elif same(got, expected * fs / 500) or same(got, expected * fs / 250):
            hint = f"use the fs argument: this case is at {fs:g} Hz"
        elif same(-got, expected):
            hint = "upside down: offset − onset, not onset − offset"
        return wrong("01.3", f"{case} gave {np.round(got, 2).tolist()}; expected "
                     f"{expected.size} duration(s)", hint)
    return Feedback("01.3", True, "durations in ms of the complete QRS complexes, as "
                    "ecgteach.qrs_durations computes them: a missing boundary is never "
                    "guessed.")


@exercise("01.4", "Row 2: where does its QRS start, in samples of the unpadded beat?")
def _check_01_4(answer: Any) -> Feedback:
    beats = _lesson01_beats()
    value = number("01.4", answer)
    padded, padding = int(beats.y[2, 0]), int(beats.n_padding[2])
    expected = padded - padding
    if value == expected:
        return Feedback("01.4", True, f"{expected}: the label {padded} indexes the padded row, "
                        f"and {padding} zeros come first.")
    if value == padded and padding:
        return Feedback("01.4", False, "that is the index into the padded row — the model sees "
                        "the padded row, but the question asks about the unpadded beat: "
                        "subtract beats.n_padding[2].")
    if value in (expected * 1000 / beats.fs, padded * 1000 / beats.fs):
        return Feedback("01.4", False, "that is in milliseconds; the question asks for samples.")
    if value == padded + padding:
        return Feedback("01.4", False, "the padding comes first in the row: subtract it, "
                        "don't add it.")
    return Feedback("01.4", False, "look at beats.y[2, 0] (onset in the padded row) and "
                    "beats.n_padding[2] (zeros before the beat).")
