"""Self-checking exercises: ``ecgteach.check("01.4", answer)`` gives instant feedback.

Each checker recomputes the right answer from the data (nothing is typed in),
compares, and when the answer is wrong recognises the usual misconceptions and
says what to look at — never a bare traceback. Checkers are registered per
lesson with :func:`exercise`; :func:`list_exercises` lists them. In a lesson
the feedback shows as a coloured box:

>>> import ecgteach
>>> ecgteach.check("01.4", 63)
[01.4] ✓ correct: 63: the label 76 indexes the padded row, and 13 zeros come first.
>>> sorted(ecgteach.classroom.list_exercises())[:3]
['01.2', '01.3', '01.4']
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from typing import Any

import numpy as np

from ecgteach.beats.seedset import make_seed_dataset
from ecgteach.datasets.ludb import LUDB_LEADS, load_ludb, qrs_durations
from ecgteach.datasets.qtdb import bundled_qtdb_records, load_qtdb
from ecgteach.datasets.splits import split_patients
from ecgteach.delineation.scoring import score_delineator
from ecgteach.evaluation.collapse import COLLAPSED_BELOW

Checker = Callable[..., "Feedback"]
_CHECKS: dict[str, tuple[str, Checker]] = {}


@dataclass(frozen=True)
class Feedback:
    """The outcome of a check: ``correct`` and a message (a hint when wrong).

    Truthy when correct, so ``assert ecgteach.check(...)`` works for autograding.

    >>> feedback = check("01.3", (300, 200, 1))
    >>> feedback.correct, bool(feedback)
    (True, True)
    >>> feedback
    [01.3] ✓ correct: one channel left: ...
    >>> bool(check("01.3", (300, 200)))
    False
    """

    exercise: str
    correct: bool
    message: str

    def __bool__(self) -> bool:
        return self.correct

    def __repr__(self) -> str:
        mark = "✓ correct" if self.correct else "✗ not yet"
        return f"[{self.exercise}] {mark}: {self.message}"

    def _repr_html_(self) -> str:
        colour, mark = ("#1a7f37", "✓ correct") if self.correct else ("#9a6700", "✗ not yet")
        return (
            f"<div style='border-left:4px solid {colour};padding:4px 10px'>"
            f"<b style='color:{colour}'>Exercise {escape(self.exercise)}: {mark}</b> — "
            f"{escape(self.message)}</div>"
        )


def exercise(exercise_id: str, question: str) -> Callable[[Checker], Checker]:
    """Register a checker for ``exercise_id`` (e.g. ``"02.1"``), as a decorator.

    The checker takes the answer (and any context) and returns :class:`Feedback`;
    the lessons' checkers below are registered this way.

    >>> @exercise("99.1", "What is 6 x 7?")
    ... def _check_99_1(answer):
    ...     if answer == 42:
    ...         return Feedback("99.1", True, "6 x 7 = 42")
    ...     return Feedback("99.1", False, "multiply 6 by 7")
    >>> check("99.1", 42)
    [99.1] ✓ correct: 6 x 7 = 42
    >>> del _CHECKS["99.1"]               # this example is no lesson's exercise
    """

    def register(checker: Checker) -> Checker:
        _CHECKS[exercise_id] = (question, checker)
        return checker

    return register


def list_exercises() -> dict[str, str]:
    """Exercise id -> question, for every checkable exercise.

    >>> list_exercises()["01.4"]
    'Row 2: where does its QRS start, in samples of the unpadded beat?'
    """
    _load_all()
    return {key: question for key, (question, _) in sorted(_CHECKS.items())}


def check(exercise_id: str, answer: Any, **context: Any) -> Feedback:
    """Check an answer and return feedback (shown in the notebook).

    Some exercises are about the student's own run: pass it as context, e.g.
    ``check("02.2", ratio, result=learner)``. A wrong answer gets a hint aimed
    at the likely mistake:

    >>> right = check("01.4", 63)
    >>> right.correct, right.message
    (True, '63: the label 76 indexes the padded row, and 13 zeros come first.')
    >>> wrong = check("01.4", 76)         # the index into the padded row
    >>> wrong.correct, wrong.message
    (False, 'that is the index into the padded row — ...')
    >>> check("01.4", None).message
    'no answer yet: replace None with your answer and run the cell again'
    """
    _load_all()
    exercise_id = str(exercise_id).strip()
    if exercise_id not in _CHECKS:
        known = ", ".join(sorted(_CHECKS))
        return Feedback(exercise_id, False, f"there is no exercise {exercise_id!r}; "
                        f"checkable exercises are {known}")
    if answer is None or answer is Ellipsis:
        return Feedback(exercise_id, False, "no answer yet: replace None with your answer "
                        "and run the cell again")
    try:
        return _CHECKS[exercise_id][1](answer, **context)
    except TypeError as error:
        if "argument" in str(error):
            return Feedback(exercise_id, False, f"this check needs more context ({error}); see "
                            "the exercise's cell for what to pass")
        return Feedback(exercise_id, False, f"could not read this answer (TypeError: {error})")
    except Exception as error:  # a malformed answer is a hint, not a traceback
        return Feedback(exercise_id, False, f"could not read this answer ({type(error).__name__}: "
                        f"{error}); check its type against the question")


def _load_all() -> None:
    """Import the checkers of every lesson (they register themselves)."""
    # lesson 01's checkers live in this module; later lessons add theirs here


def _number(answer: Any) -> float:
    value = np.asarray(answer, dtype=float)
    if value.size != 1:
        raise ValueError(f"expected one number, got {value.size} values")
    return float(value.ravel()[0])


# ------------------------------------------------------------------------ lesson 01


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


@exercise("01.3", "What is beats.x.shape for the dataset built with voltage_only=True?")
def _check_01_3(answer: Any) -> Feedback:
    shape = tuple(int(v) for v in answer)
    if shape == (300, 200, 1):
        return Feedback("01.3", True, "one channel left: the time channel is gone, the voltage "
                        "stays, still zero-padded at the start.")
    if shape == (300, 200, 2):
        return Feedback("01.3", False, "that is the shape with both channels: pass "
                        "voltage_only=True to make_seed_dataset.")
    if shape == (300, 200):
        return Feedback("01.3", False, "Keras LSTMs want a channel axis: (beats, samples, "
                        "channels), even with one channel.")
    return Feedback("01.3", False, f"{shape} is not it: the array is (beats, samples per row, "
                    "channels).")


@exercise("01.4", "Row 2: where does its QRS start, in samples of the unpadded beat?")
def _check_01_4(answer: Any) -> Feedback:
    beats = _lesson01_beats()
    value = _number(answer)
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


# ------------------------------------------------------------------------ lesson 02


@exercise("02.2", "What collapse ratio does the learner's exact model reach for the onset?")
def _check_02_2(answer: Any, result: Any) -> Feedback:
    predictions = np.asarray(result.predictions["val"])[:, 0]
    labels = np.asarray(result.labels["val"])[:, 0]
    expected = float(predictions.std() / labels.std())
    value = _number(answer)
    if np.isclose(value, expected, rtol=1e-3, atol=1e-9):
        verdict = "one answer for every beat" if expected < COLLAPSED_BELOW else "the answers vary"
        return Feedback("02.2", True, f"{expected:.2g}: {verdict}.")
    if np.isclose(value, expected**2, rtol=1e-3, atol=1e-12):
        return Feedback("02.2", False, "that is the ratio of variances; the collapse ratio "
                        "uses standard deviations.")
    if expected > 0 and np.isclose(value, 1 / expected, rtol=1e-3):
        return Feedback("02.2", False, "upside down: std of the predictions divided by std "
                        "of the labels.")
    return Feedback("02.2", False, "compute std(predictions) / std(labels) of the onset, on "
                    "the validation beats: result.metrics['val']['collapse_ratio'] holds it.")


@exercise("02.3", "How far off (ms) is always predicting the training-mean QRS onset?")
def _check_02_3(answer: Any, splits: Any) -> Feedback:
    ms = 1000.0 / splits.fs
    train_mean = splits.train.y[:, 0].mean()
    expected = float(np.abs(splits.val.y[:, 0] - train_mean).mean() * ms)
    value = _number(answer)
    if abs(value - expected) <= 0.05:
        return Feedback("02.3", True, f"{expected:.1f} ms: any model worth training must beat "
                        "this, and a collapsed one does not.")
    if abs(value - expected / ms) <= 0.05 / ms:
        return Feedback("02.3", False, "that is in samples; multiply by 1000 / splits.fs.")
    val_mean = splits.val.y[:, 0].mean()
    if abs(value - np.abs(splits.val.y[:, 0] - val_mean).mean() * ms) <= 0.05:
        return Feedback("02.3", False, "use the *training* mean: a model never sees the "
                        "validation labels.")
    return Feedback("02.3", False, "mean of |validation onset - training mean onset|, in ms.")


# ------------------------------------------------------------------------ lesson 03


@exercise("03.2", "Which is more accurate for the onset: one network ('joint') or two "
          "('separate')?")
def _check_03_2(answer: Any, joint: Any, separate: Any) -> Feedback:
    joint_mae = float(joint.metrics["val"]["mae_ms"][0])
    separate_mae = float(separate.metrics["val"]["mae_ms"][0])
    expected = "joint" if joint_mae < separate_mae else "separate"
    given = str(answer).strip().lower()
    if given not in ("joint", "separate"):
        return Feedback("03.2", False, "answer 'joint' or 'separate'.")
    if given == expected:
        return Feedback("03.2", True, f"onset MAE {joint_mae:.1f} ms (joint) vs "
                        f"{separate_mae:.1f} ms (separate), on these validation beats. With "
                        "another seed or more epochs the gap may change: measure, don't assume.")
    return Feedback("03.2", False, "compare metrics['val']['mae_ms'][0] of the two results: "
                    "lower is more accurate.")


# ------------------------------------------------------------------------ lesson 04


@exercise("04.2", "What is the segmenter's QRS onset Se (%) on lead ii of the test patients?")
def _check_04_2(answer: Any, scores: Any) -> Feedback:
    score = scores.by_lead["ii"].scores()["QRS onset"]
    value = _number(answer)
    if abs(value - score.sensitivity) <= 0.05:
        return Feedback("04.2", True, f"{score.sensitivity:.1f} %: {score.tp} of {score.n_true} "
                        "annotated onsets found within 150 ms.")
    if abs(value - score.ppv) <= 0.05 and score.ppv != score.sensitivity:
        return Feedback("04.2", False, "that is the PPV (share of predictions that match); Se "
                        "is the share of true onsets that were found.")
    if abs(value - score.sensitivity / 100) <= 0.0005:
        return Feedback("04.2", False, "give it in percent (0-100).")
    return Feedback("04.2", False, "scores.by_lead['ii'].scores()['QRS onset'].sensitivity")


# ------------------------------------------------------------------------ lesson 05


@exercise("05.2", "On QTDB record 1, lead 2: what is the SD of the QRS onset error (ms)?")
def _check_05_2(answer: Any) -> Feedback:

    record = load_qtdb(bundled_qtdb_records()[0])
    first, second = record.leads[0], record.leads[1]
    scored = score_delineator(None, [record], [first, second], warm_up=False)
    scores = {lead: scored.lead(lead).scores()["QRS onset"].sd_ms for lead in (first, second)}
    value = _number(answer)
    if abs(value - scores[second]) <= 0.05:
        better = "better" if scores[second] < scores[first] else "worse"
        return Feedback("05.2", True, f"{scores[second]:.1f} ms on {second} against "
                        f"{scores[first]:.1f} ms on {first}: {better}. The cardiologists "
                        "looked at both leads; the model sees one.")
    if abs(value - scores[first]) <= 0.05:
        return Feedback("05.2", False, f"that is lead {first} (the first); use "
                        "record.leads[1] for the second.")
    return Feedback("05.2", False, "score the second lead (inside its labelled spans): "
                    "ecgteach.score_delineator(None, [record], record.leads[1])"
                    ".pooled.scores()['QRS onset'].sd_ms")
