"""ecgteach.check: right answers pass, each usual mistake gets its own hint, nothing raises.

For every exercise the right answer (or function) passes and the wrong ones the
hints are written for fail with that hint. These need no TensorFlow; the Keras
exercises (02.4, 03.1, 04.3) and the shipped segmenter's (05.2, 05.3 on real
noise) are in ``test_exercises_keras.py``.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

import ecgteach
from ecgteach.beats.results import beat_scores
from ecgteach.classroom import Feedback, function_exercises, list_exercises

REPO = Path(__file__).resolve().parents[1]


class Hint(str):
    """A feedback message; ``"fragment" in hint`` ignores case (hints start sentences)."""

    def __contains__(self, fragment: object) -> bool:
        return str(fragment).lower() in self.lower()


def hint(exercise_id, answer, **context) -> Hint:
    """The message of a check that must fail."""
    feedback = ecgteach.check(exercise_id, answer, **context)
    assert isinstance(feedback, Feedback)
    assert not feedback, f"{exercise_id} passed a wrong answer: {feedback.message}"
    return Hint(feedback.message)


def passes(exercise_id, answer, **context) -> bool:
    feedback = ecgteach.check(exercise_id, answer, **context)
    assert feedback, feedback.message
    return True


# ----------------------------------------------------------------------- the framework


def test_sixteen_exercises_in_five_lessons_nine_of_them_functions():
    exercises = list_exercises()
    assert len(exercises) >= 16
    assert {key[:2] for key in exercises} == {"01", "02", "03", "04", "05"}
    assert all(question.strip() for question in exercises.values())
    functions = function_exercises()
    assert len(functions) >= 8
    assert {"01.3", "02.1", "02.4", "03.1", "03.2", "03.3", "04.1", "04.2", "05.1"} <= set(
        functions)


def test_every_exercise_is_asked_in_its_lesson_with_a_solution():
    """Each id is checked once in its lesson's source, in a check cell of its own (nbgrader's
    test cell) right after the code cell(s) with the solution region; a function
    exercise's solution defines the function it passes."""
    sources = {path.name[:2]: path.read_text() for path in (REPO / "instructor").glob("0*.py")}
    for exercise_id in list_exercises():
        text = sources[exercise_id[:2]]
        assert text.count(f'ecgteach.check("{exercise_id}"') == 1, exercise_id
        before, after = text.split(f'ecgteach.check("{exercise_id}"')
        *cells, check_cell = before.split("# %%")
        assert check_cell.strip() == "", f"{exercise_id}: the check must open its own cell"
        assert "### BEGIN SOLUTION" not in after.split("# %%")[0], exercise_id
        solution = ""
        for cell in reversed(cells):  # the code cells between the question and the check
            if cell.startswith(" [markdown]"):
                break
            solution = cell + solution
        assert "### BEGIN SOLUTION" in solution and "### END SOLUTION" in solution, exercise_id
        writes = function_exercises().get(exercise_id)
        if writes:
            assert f"def {writes.split('(')[0]}(" in solution, exercise_id


def test_no_answer_bad_answer_and_unknown_exercise_are_feedback_not_errors():
    none = ecgteach.check("01.4", None)
    assert isinstance(none, Feedback) and not none and "no answer yet" in none.message
    assert "expected a number" in hint("01.4", "sixty-three")
    unknown = ecgteach.check("99.9", 1)
    assert not unknown and "01.2" in unknown.message
    assert "more context" in hint("02.3", 12.0)  # splits= is missing


def test_a_value_where_a_function_is_asked_says_to_pass_the_function():
    message = hint("02.1", np.array([0.1, 0.2]))
    assert 'ecgteach.check("02.1", collapse_ratio)' in message and "without parentheses" in message


@pytest.mark.parametrize("exercise_id", ["01.3", "02.1", "03.2", "03.3", "04.1", "04.2", "05.1"])
def test_a_function_that_raises_gets_its_error_not_a_traceback(exercise_id):
    def broken(*args, **kwargs):
        raise ZeroDivisionError("my bug")

    message = hint(exercise_id, broken)
    assert message.startswith("your function raised ZeroDivisionError: my bug, on ")
    assert "Traceback" not in message


@pytest.mark.parametrize("exercise_id", ["01.3", "02.1", "03.2", "03.3", "04.1", "04.2", "05.1"])
def test_a_function_still_a_stub_returns_none_and_is_told_so(exercise_id):
    def stub(*args, **kwargs):
        """Only the docstring: the student's version of the lesson's cell."""

    assert "returned None" in hint(exercise_id, stub)


def test_feedback_renders():
    good = Feedback("01.3", True, "one channel")
    assert "✓ correct" in repr(good) and "✓ correct" in good._repr_html_()
    assert "✗ not yet" in Feedback("01.3", False, "hint")._repr_html_()


# --------------------------------------------------------------------------- lesson 01


@pytest.fixture(scope="module")
def beats():
    train = ecgteach.load_ludb(ecgteach.split_patients(seed=0)["train"], leads=["ii"])
    return ecgteach.make_seed_dataset(train, n_beats=300)


def test_01_2_longest_median_qrs_lead():
    records = ecgteach.load_ludb()
    medians = {
        lead: np.median(ecgteach.qrs_durations(records, lead)) for lead in ecgteach.LUDB_LEADS
    }
    best = max(medians, key=medians.get)
    assert passes("01.2", best)
    assert passes("01.2", best.upper())  # case does not matter
    other = min(medians, key=medians.get)
    assert "another is longer" in hint("01.2", other)
    assert "not a LUDB lead" in hint("01.2", "lead 2")


def qrs_durations_ms(waves, fs):
    qrs = np.asarray(waves["QRS"])
    complete = (qrs[:, 0] != -1) & (qrs[:, 2] != -1)
    return (qrs[complete, 2] - qrs[complete, 0]) * 1000 / fs


def test_01_3_qrs_durations_function():
    assert passes("01.3", qrs_durations_ms)
    assert passes("01.3", lambda waves, fs: list(qrs_durations_ms(waves, fs)))  # a list is fine
    assert passes("01.3", lambda waves, fs: ecgteach.qrs_durations(
        [SimpleNamespace(waves={"ii": waves}, fs=fs)], "ii"))

    def no_skip(waves, fs):
        return (waves["QRS"][:, 2] - waves["QRS"][:, 0]) * 1000 / fs

    def onset_only(waves, fs):
        qrs = waves["QRS"][waves["QRS"][:, 0] != -1]
        return (qrs[:, 2] - qrs[:, 0]) * 1000 / fs

    for wrong in (no_skip, onset_only):
        assert "onset *or* offset is -1" in hint("01.3", wrong)
    assert "multiply by 1000 / fs" in hint("01.3", lambda w, fs: qrs_durations_ms(w, fs) * fs
                                           / 1000)
    assert "without adding one" in hint("01.3", lambda w, fs: qrs_durations_ms(w, fs)
                                        + 1000 / fs)
    assert "use the fs argument: this case is at 250 Hz" in hint(
        "01.3", lambda w, fs: qrs_durations_ms(w, 500))
    assert "seconds" in hint("01.3", lambda w, fs: qrs_durations_ms(w, fs) / 1000)
    assert "offset − onset" in hint("01.3", lambda w, fs: -qrs_durations_ms(w, fs))


def test_01_4_padding_misconceptions(beats):
    padded, padding = int(beats.y[2, 0]), int(beats.n_padding[2])
    assert padding > 0, "row 2 must have padding for the exercise to make sense"
    assert passes("01.4", padded - padding)
    assert passes("01.4", np.int64(padded - padding))
    message = hint("01.4", padded)
    assert "padded row" in message and "subtract" in message
    assert "milliseconds" in hint("01.4", (padded - padding) * 4.0)
    assert "don't add" in hint("01.4", padded + padding)


# --------------------------------------------------------------------------- lesson 02


def collapse_ratio(predictions, labels):
    return np.std(predictions, axis=0) / np.std(labels, axis=0)


def test_02_1_collapse_ratio_function():
    assert passes("02.1", collapse_ratio)
    assert passes("02.1", ecgteach.collapse_ratio)
    assert passes("02.1", lambda p, y: tuple(np.std(p, axis=0, ddof=1) / np.std(y, axis=0, ddof=1)))
    assert "ratio of the variances" in hint("02.1", lambda p, y: collapse_ratio(p, y) ** 2)
    assert "upside down" in hint("02.1", lambda p, y: 1 / collapse_ratio(p, y))
    assert "one ratio for everything" in hint("02.1", lambda p, y: np.std(p) / np.std(y))
    assert "one ratio per beat" in hint("02.1", lambda p, y: np.std(p, axis=1)
                                        / np.std(y, axis=1))
    assert "spread of the errors" in hint("02.1", lambda p, y: np.std(p - y, axis=0)
                                          / np.std(y, axis=0))
    assert "ratio of means" in hint("02.1", lambda p, y: np.mean(p, axis=0) / np.mean(y, axis=0))
    assert "same ddof" in hint("02.1", lambda p, y: np.std(p, axis=0, ddof=1) / np.std(y, axis=0))


@pytest.fixture
def learner_like():
    """A stand-in for lesson 02's `learner`: nearly constant onset predictions."""
    labels = np.array([[58, 84], [63, 95], [70, 101], [66, 90], [74, 112], [61, 88]], float)
    predictions = np.array([[66.0, 93], [66.1, 96], [66.3, 98], [66.2, 95], [66.4, 99],
                            [66.05, 94]])
    return SimpleNamespace(predictions={"val": predictions}, labels={"val": labels})


def test_02_2_accepts_what_the_report_prints(learner_like):
    onset = learner_like.predictions["val"][:, 0].std() / learner_like.labels["val"][:, 0].std()
    printed = float(f"{onset:.2g}")
    assert printed != onset
    for answer in (onset, np.float32(onset), printed, round(onset, 4), [onset]):
        assert passes("02.2", answer, result=learner_like)
    assert "ratio of variances" in hint("02.2", onset**2, result=learner_like)
    assert "upside down" in hint("02.2", 1 / onset, result=learner_like)
    offset = learner_like.predictions["val"][:, 1].std() / learner_like.labels["val"][:, 1].std()
    assert "offset's ratio" in hint("02.2", offset, result=learner_like)
    assert "two significant digits" in hint("02.2", float(f"{onset:.1g}"), result=learner_like)


def test_02_2_on_the_report_of_a_real_result():
    labels = np.linspace(50, 150, 40).reshape(20, 2)
    predictions = 100 + 0.0123456 * (labels - 100)
    result = SimpleNamespace(predictions={"val": predictions}, labels={"val": labels})
    metrics = beat_scores(predictions, labels, labels, fs=250)
    printed = ecgteach.regression_report(SimpleNamespace(
        name="m", epochs_run=1, train_seconds=1.0, metrics={"val": metrics}))
    shown = float(printed.split("std(pred)/std(label) = ")[1].split()[0])
    assert passes("02.2", shown, result=result)


@pytest.fixture
def splits_like():
    """A stand-in for lesson 02's `splits` (onsets in samples at 250 Hz)."""
    train = SimpleNamespace(y=np.array([[60, 90], [64, 95], [70, 99], [66, 97]], float))
    val = SimpleNamespace(y=np.array([[58, 88], [72, 101], [63, 94]], float))
    return SimpleNamespace(fs=250.0, train=train, val=val)


def test_02_3_mean_baseline(splits_like):
    train_mean = splits_like.train.y[:, 0].mean()
    expected = np.abs(splits_like.val.y[:, 0] - train_mean).mean() * 4.0
    assert passes("02.3", expected, splits=splits_like)
    assert passes("02.3", np.float64(expected) + 0.01, splits=splits_like)
    assert "in samples" in hint("02.3", expected / 4, splits=splits_like)
    val_mean = splits_like.val.y[:, 0].mean()
    assert "*training* mean" in hint("02.3", np.abs(splits_like.val.y[:, 0] - val_mean).mean() * 4,
                                     splits=splits_like)


# --------------------------------------------------------------------------- lesson 03


def positions(probabilities):
    p = np.asarray(probabilities, dtype=float)
    steps = np.arange(p.shape[1])
    return p.argmax(axis=1), (p * steps).sum(axis=1) / p.sum(axis=1)


def test_03_2_positions_function():
    assert passes("03.2", positions)
    assert passes("03.2", lambda p: [ecgteach.positions_from_distribution(p),
                                     ecgteach.positions_from_distribution(p, "mean")])
    assert passes("03.2", lambda p: np.stack(positions(p)))

    def wrong_axis(p):
        steps = np.arange(p.shape[0])[:, None]
        return p.argmax(axis=0), (p * steps).sum(axis=0) / p.sum(axis=0)

    assert "axis=1" in hint("03.2", wrong_axis)
    assert "0-based" in hint("03.2", lambda p: (p.argmax(axis=1) + 1, positions(p)[1] + 1))
    assert "0-based" in hint("03.2", lambda p: (positions(p)[0],
                                                (p * np.arange(1, p.shape[1] + 1)).sum(1)
                                                / p.sum(1)))
    assert "divide sum(p × step) by sum(p)" in hint(
        "03.2", lambda p: (p.argmax(axis=1), (p * np.arange(p.shape[1])).sum(axis=1)))
    assert "swapped" in hint("03.2", lambda p: positions(p)[::-1])
    assert "return two arrays" in hint("03.2", lambda p: positions(p)[0])


def boundary_target(position, length, sigma):
    steps = np.arange(length)
    if sigma == 0:
        return (steps == np.rint(position)).astype(float)
    curve = np.exp(-0.5 * ((steps - position) / sigma) ** 2)
    return curve / curve.sum()


def test_03_3_boundary_target_function():
    assert passes("03.3", boundary_target)
    assert passes("03.3", lambda p, n, s: ecgteach.boundary_targets(np.array([p]), n, s))

    def unnormalised(position, length, sigma):
        if sigma == 0:
            return boundary_target(position, length, 0)
        return np.exp(-0.5 * ((np.arange(length) - position) / sigma) ** 2)

    def analytic(position, length, sigma):
        return unnormalised(position, length, sigma) / (
            1 if sigma == 0 else sigma * np.sqrt(2 * np.pi))

    for wrong in (unnormalised, analytic):
        assert "divide by its sum" in hint("03.3", wrong)

    def sigma_not_squared(position, length, sigma):
        if sigma == 0:
            return boundary_target(position, length, 0)
        curve = np.exp(-((np.arange(length) - position) ** 2) / (2 * sigma))
        return curve / curve.sum()

    assert "σ is in the wrong place" in hint("03.3", sigma_not_squared)
    assert "that is one-hot" in hint("03.3", lambda p, n, s: boundary_target(p, n, 0))

    def divides_by_zero(position, length, sigma):
        with np.errstate(divide="ignore", invalid="ignore"):
            curve = np.exp(-0.5 * ((np.arange(length) - position) / sigma) ** 2)
            return curve / curve.sum()

    assert "σ = 0 means one-hot" in hint("03.3", divides_by_zero)

    def python_division(position, length, sigma):
        return [np.exp(-0.5 * ((t - position) / sigma) ** 2) for t in range(length)]

    assert "no division by σ" in hint("03.3", lambda p, n, s: boundary_target(p, n, s)
                                      if s else 1 / s)
    assert hint("03.3", python_division)  # unnormalised: fails on the first case
    assert "round to the nearest step" in hint(
        "03.3", lambda p, n, s: boundary_target(np.floor(p) if s == 0 else p, n, s))


# --------------------------------------------------------------------------- lesson 04


def mask_to_runs(labels, class_id):
    inside = np.concatenate([[0], (np.asarray(labels) == class_id).astype(int), [0]])
    starts = np.flatnonzero(np.diff(inside) == 1)
    stops = np.flatnonzero(np.diff(inside) == -1)
    onsets = np.where(starts > 0, starts, -1)
    offsets = np.where(stops < len(labels), stops - 1, -1)
    return np.column_stack([onsets, offsets])


def test_04_1_mask_to_runs_function():
    assert passes("04.1", mask_to_runs)
    assert passes("04.1", lambda labels, c: [tuple(row) for row in mask_to_runs(labels, c)])

    def exclusive(labels, c):
        runs = mask_to_runs(labels, c)
        runs[:, 1] = np.where(runs[:, 1] == -1, -1, runs[:, 1] + 1)
        return runs

    assert "last sample (inclusive)" in hint("04.1", exclusive)

    def edges_kept(labels, c):
        inside = np.concatenate([[0], (labels == c).astype(int), [0]])
        starts, stops = np.flatnonzero(np.diff(inside) == 1), np.flatnonzero(np.diff(inside) == -1)
        return np.column_stack([starts, stops - 1])

    assert "its onset (offset) is unknown, -1" in hint("04.1", edges_kept)

    def one_run(labels, c):
        where = np.flatnonzero(labels == c)
        if where.size == 0:
            return np.zeros((0, 2), int)
        onset = where[0] if where[0] > 0 else -1
        offset = where[-1] if where[-1] < len(labels) - 1 else -1
        return np.array([[onset, offset]])

    assert "another label in between ends a run" in hint("04.1", one_run)
    assert "not every wave" in hint("04.1", lambda labels, c: mask_to_runs(labels != 0, True))

    def with_peak(labels, c):
        runs = mask_to_runs(labels, c)
        return np.column_stack([runs[:, 0], runs.mean(axis=1), runs[:, 1]])

    assert "no peak" in hint("04.1", with_peak)


def match(true_samples, predicted_samples, fs, tolerance_ms=150):
    true = [t for t in true_samples if t != -1]
    pred = [p for p in predicted_samples if p != -1]
    pairs = sorted((abs(p - t), i, j) for i, t in enumerate(true) for j, p in enumerate(pred)
                   if abs(p - t) * 1000 / fs <= tolerance_ms)
    used_true, used_pred, errors = set(), set(), []
    for _, i, j in pairs:
        if i not in used_true and j not in used_pred:
            used_true.add(i)
            used_pred.add(j)
            errors.append((pred[j] - true[i]) * 1000 / fs)
    return 100 * len(errors) / len(true), 100 * len(errors) / len(pred), np.mean(errors)


def test_04_2_match_function():
    assert passes("04.2", match)

    def with_package(true, pred, fs, tolerance_ms=150):
        s = ecgteach.evaluation.score_boundaries(true, pred, fs, tolerance_ms=tolerance_ms)
        return np.array([s.sensitivity, s.ppv, s.mean_ms])

    assert passes("04.2", with_package)

    def reused(true_samples, predicted_samples, fs, tolerance_ms=150):
        true = [t for t in true_samples if t != -1]
        pred = [p for p in predicted_samples if p != -1]
        errors, used = [], set()
        for t in true:
            nearest = min(pred, key=lambda p: abs(p - t))
            if abs(nearest - t) * 1000 / fs <= tolerance_ms:
                errors.append((nearest - t) * 1000 / fs)
                used.add(nearest)
        return 100 * len(errors) / len(true), 100 * len(used) / len(pred), np.mean(errors)

    assert "used twice" in hint("04.2", reused)
    assert "not 150 samples" in hint(  # |predicted - true| <= 150, in samples
        "04.2", lambda t, p, fs, tolerance_ms=150: match(t, p, fs, tolerance_ms * 1000 / fs))

    def sign(true, pred, fs, tolerance_ms=150):
        se, ppv, mean = match(true, pred, fs, tolerance_ms)
        return se, ppv, -mean

    assert "predicted − true" in hint("04.2", sign)
    assert "in percent" in hint("04.2", lambda *a, **k: (match(*a, **k)[0] / 100,
                                                         match(*a, **k)[1] / 100,
                                                         match(*a, **k)[2]))

    def counts_missing(true, pred, fs, tolerance_ms=150):
        se, ppv, mean = match(true, pred, fs, tolerance_ms)
        n_true, n_pred = sum(t != -1 for t in true), sum(p != -1 for p in pred)
        return se * n_true / len(true), ppv * n_pred / len(pred), mean

    assert "-1 means no boundary" in hint("04.2", counts_missing)

    def in_order(true_samples, predicted_samples, fs, tolerance_ms=150):
        true = [t for t in true_samples if t != -1]
        free = [p for p in predicted_samples if p != -1]
        n_pred, errors = len(free), []
        for t in true:
            near = [p for p in free if abs(p - t) * 1000 / fs <= tolerance_ms]
            if near:
                best = min(near, key=lambda p: abs(p - t))
                free.remove(best)
                errors.append((best - t) * 1000 / fs)
        return 100 * len(errors) / len(true), 100 * len(errors) / n_pred, np.mean(errors)

    assert "closest pairs first" in hint("04.2", in_order)
    assert "includes 150 ms exactly" in hint(
        "04.2", lambda t, p, fs, tolerance_ms=150: match(t, p, fs, tolerance_ms - 1e-6))
    assert "return three" in hint("04.2", lambda *a, **k: match(*a, **k)[:2])


# --------------------------------------------------------------------------- lesson 05


def add_noise(signal, snr_db, seed):
    x = np.asarray(signal, dtype=float)
    noise_power = np.mean((x - x.mean()) ** 2) / 10 ** (snr_db / 10)
    return x + np.random.default_rng(seed).normal(0, np.sqrt(noise_power), x.shape)


def test_05_1_add_noise_function():
    assert passes("05.1", add_noise)
    assert passes("05.1", ecgteach.add_noise)

    def legacy_seed(signal, snr_db, seed):
        np.random.seed(seed)  # noqa: NPY002 (the legacy API is right too)
        power = np.var(signal)
        noise = np.random.randn(len(signal))  # noqa: NPY002
        return signal + noise * np.sqrt(power / 10 ** (snr_db / 10))

    assert passes("05.1", legacy_seed)

    def amplitude_db(signal, snr_db, seed):  # power divided by 10**(snr/20)
        noise_power = np.var(signal) / 10 ** (snr_db / 20)
        return signal + np.random.default_rng(seed).normal(0, np.sqrt(noise_power), signal.shape)

    def sd_by_power_db(signal, snr_db, seed):  # SD divided by 10**(snr/10)
        noise_sd = np.std(signal) / 10 ** (snr_db / 10)
        return signal + np.random.default_rng(seed).normal(0, noise_sd, signal.shape)

    assert "10·log10" in hint("05.1", amplitude_db)
    assert "divides by its square root" in hint("05.1", sd_by_power_db)

    def power_as_sd(signal, snr_db, seed):
        noise_sd = np.var(signal) / 10 ** (snr_db / 10)
        return signal + np.random.default_rng(seed).normal(0, noise_sd, signal.shape)

    def fixed_noise(signal, snr_db, seed):
        return signal + np.random.default_rng(seed).normal(0, 10 ** (-snr_db / 20), signal.shape)

    for wrong in (power_as_sd, fixed_noise):
        assert "scaled to the signal's power" in hint("05.1", wrong)

    def proportional(signal, snr_db, seed):
        scale = 10 ** (-snr_db / 20)
        return signal + signal * np.random.default_rng(seed).normal(0, scale, signal.shape)

    assert "the noise follows the signal" in hint("05.1", proportional)

    def energy(signal, snr_db, seed):
        noise_power = np.sum(signal**2) / 10 ** (snr_db / 10)
        return signal + np.random.default_rng(seed).normal(0, np.sqrt(noise_power), signal.shape)

    assert "not their sum" in hint("05.1", energy)
    assert "not the noise alone" in hint("05.1", lambda x, s, seed: add_noise(x, s, seed) - x)
    assert "same seed must give the same noise" in hint(
        "05.1", lambda x, s, seed: add_noise(x, s, None))
    assert "another seed must give other noise" in hint(
        "05.1", lambda x, s, seed: add_noise(x, s, 0))
    assert "shape" in hint("05.1", lambda x, s, seed: add_noise(x, s, seed)[:-1])


class FakeDelineator:
    """A delineator whose mistakes grow with the noise it measures (no TensorFlow).

    Perfect above 25 dB; between 12 and 25 dB it adds a spurious QRS (PPV drops,
    Se stays); at 12 dB or below it also misses every third QRS (Se drops).
    """

    def __init__(self, record):
        self.record = record

    def __call__(self, signal, fs):
        clean = self.record.lead("ii")
        noise = np.var(signal - clean)
        snr = np.inf if noise == 0 else 10 * np.log10(np.var(clean) / noise)
        waves = {kind: rows.copy() for kind, rows in self.record.waves["ii"].items()}
        qrs = waves["QRS"]
        if snr <= 25:
            spurious = (qrs[1] + qrs[2]) // 2
            qrs = np.vstack([qrs, spurious])
        if snr <= 12:
            qrs = qrs[np.arange(len(qrs)) % 3 != 0]
        waves["QRS"] = qrs[np.argsort(qrs[:, 1])]
        return waves


@pytest.fixture(scope="module")
def fake_setting():
    record = ecgteach.load_ludb_record(1, leads=["ii"])
    return {"records": [record], "delineator": FakeDelineator(record)}


def test_05_3_highest_snr_where_se_drops_below_99(fake_setting):
    snrs = [30, 20, 10, 5, 0]
    assert passes("05.3", 10, snrs=snrs, **fake_setting)
    assert passes("05.3", np.int64(10), snrs=snrs, **fake_setting)
    assert passes("05.3", 10.0, snrs=np.array(snrs), **fake_setting)
    assert "also at a higher SNR" in hint("05.3", 0, snrs=snrs, **fake_setting)
    assert "PPV drops below 99 %" in hint("05.3", 20, snrs=snrs, **fake_setting)
    assert "Se is still 100.0 %" in hint("05.3", 30, snrs=snrs, **fake_setting)
    assert "not one of the SNRs tried" in hint("05.3", 15, snrs=snrs, **fake_setting)
    assert "compare .sensitivity (a percentage) with 99" in hint("05.3", "none", snrs=snrs,
                                                                 **fake_setting)
    assert passes("05.3", "none", snrs=[30, 20], **fake_setting)
    assert "answer 'none'" in hint("05.3", 30, snrs=[30, 20], **fake_setting)
