"""ecgteach.check: right answers pass, typical mistakes get a pointed hint, nothing raises."""

from __future__ import annotations

import numpy as np
import pytest

import ecgteach
from ecgteach.classroom import Feedback, list_exercises


@pytest.fixture(scope="module")
def beats():
    train = ecgteach.load_ludb(ecgteach.split_patients(seed=0)["train"], leads=["ii"])
    return ecgteach.make_seed_dataset(train, n_beats=300)


def test_every_exercise_has_a_question():
    exercises = list_exercises()
    assert {"01.2", "01.3", "01.4"} <= set(exercises)
    assert all(question.endswith("?") for question in exercises.values())


def test_01_2_longest_median_qrs_lead():
    records = ecgteach.load_ludb()
    medians = {
        lead: np.median(ecgteach.qrs_durations(records, lead)) for lead in ecgteach.LUDB_LEADS
    }
    best = max(medians, key=medians.get)
    assert ecgteach.check("01.2", best)
    assert ecgteach.check("01.2", best.upper())  # case does not matter
    other = min(medians, key=medians.get)
    feedback = ecgteach.check("01.2", other)
    assert not feedback and "another is longer" in feedback.message
    assert "not a LUDB lead" in ecgteach.check("01.2", "lead 2").message


def test_01_3_shape_hints():
    assert ecgteach.check("01.3", (300, 200, 1))
    assert "voltage_only=True" in ecgteach.check("01.3", (300, 200, 2)).message
    assert "channel axis" in ecgteach.check("01.3", (300, 200)).message


def test_01_4_padding_misconceptions(beats):
    padded, padding = int(beats.y[2, 0]), int(beats.n_padding[2])
    assert padding > 0, "row 2 must have padding for the exercise to make sense"
    assert ecgteach.check("01.4", padded - padding)
    assert ecgteach.check("01.4", np.int64(padded - padding))
    hint = ecgteach.check("01.4", padded).message
    assert "padded row" in hint and "subtract" in hint
    assert "milliseconds" in ecgteach.check("01.4", (padded - padding) * 4.0).message
    assert "don't add" in ecgteach.check("01.4", padded + padding).message


def test_no_answer_bad_answer_and_unknown_exercise_are_feedback_not_errors():
    none = ecgteach.check("01.4", None)
    assert isinstance(none, Feedback) and not none and "no answer yet" in none.message
    weird = ecgteach.check("01.3", 5)
    assert not weird and "could not read this answer" in weird.message
    unknown = ecgteach.check("99.9", 1)
    assert not unknown and "01.2" in unknown.message


def test_feedback_renders():
    good = Feedback("01.3", True, "one channel")
    assert "✓ correct" in repr(good) and "✓ correct" in good._repr_html_()
    assert "✗ not yet" in Feedback("01.3", False, "hint")._repr_html_()
