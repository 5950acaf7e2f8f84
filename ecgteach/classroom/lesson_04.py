"""Lesson 04's exercises: masks to runs, the ±150 ms matching, and a lead ii mini-project.

>>> import numpy as np
>>> import ecgteach
>>> def mask_to_runs(labels, class_id):
...     inside = np.concatenate([[0], (np.asarray(labels) == class_id).astype(int), [0]])
...     starts = np.flatnonzero(np.diff(inside) == 1)
...     stops = np.flatnonzero(np.diff(inside) == -1)          # exclusive
...     onsets = np.where(starts > 0, starts, -1)
...     offsets = np.where(stops < len(labels), stops - 1, -1)
...     return np.column_stack([onsets, offsets])
>>> ecgteach.check("04.1", mask_to_runs)
[04.1] ✓ correct: ...
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ecgteach.classroom.feedback import Feedback, array, call, exercise, number, same, wrong
from ecgteach.datasets.splits import TEST_RECORDS
from ecgteach.delineation.decode import labels_to_waves
from ecgteach.delineation.scoring import score_delineator
from ecgteach.ecg.waves import MISSING, WAVE_KINDS
from ecgteach.evaluation.metrics import score_boundaries

#: Hidden label sequences of 04.1 (0 background, 1 P, 2 QRS, 3 T) and the class asked for.
_LABELS = np.array([2, 2, 0, 0, 2, 2, 2, 0, 2, 0, 1, 1, 2, 2, 2])
_RUN_CASES = ((_LABELS, 2), (_LABELS, 1), (_LABELS, 3), (np.array([0, 3, 3, 3, 0]), 3),
              (np.array([1, 1, 1, 1]), 1))


def _runs(labels: np.ndarray, class_id: int) -> np.ndarray:
    """The reference: labels_to_waves without merging or dropping, [onset, offset] columns."""
    keep_all = {kind: 0.0 for kind in WAVE_KINDS}
    waves = labels_to_waves(labels, fs=250.0, min_duration_ms=keep_all, merge_gap_ms=0.0)
    return waves[WAVE_KINDS[class_id - 1]][:, [0, 2]]


def _plain_runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    padded = np.concatenate([[0], mask.astype(np.int8), [0]])
    return np.flatnonzero(np.diff(padded) == 1), np.flatnonzero(np.diff(padded) == -1)


def _run_problem(got: np.ndarray, labels: np.ndarray, class_id: int) -> str:
    expected, n = _runs(labels, class_id), labels.size
    if got.ndim == 2 and got.shape[1] == 3:
        return "three columns: this function gives two, [onset, offset] (no peak)"
    if got.ndim != 2 or got.shape[1] != 2:
        return f"shape {got.shape}; expected ({len(expected)}, 2), one [onset, offset] per run"
    starts, stops = _plain_runs(labels == class_id)
    with_edges = np.column_stack([starts, stops - 1]).reshape(-1, 2)
    if same(got, np.where(expected == MISSING, with_edges, expected)):
        return ("a run that touches the start or the end of the signal may have begun "
                "(or go on) outside it: its onset (offset) is unknown, -1")
    exclusive = expected + np.where(expected == MISSING, 0, [0, 1])
    if same(got, exclusive) or same(got, np.column_stack([starts, stops]).reshape(-1, 2)):
        return "the offset is the run's last sample (inclusive), one less than where it stops"
    inside = np.flatnonzero(labels == class_id)
    if inside.size and len(got) == 1 and len(expected) > 1:
        return ("all the samples of the class became one run: another label in between ends "
                "a run, and the next sample of the class starts a new one")
    any_starts, any_stops = _plain_runs(labels != 0)
    any_wave = np.column_stack([np.where(any_starts > 0, any_starts, MISSING),
                                np.where(any_stops < n, any_stops - 1, MISSING)])
    if same(got, any_wave.reshape(-1, 2)):
        return f"only samples equal to class_id ({class_id}) belong to a run, not every wave"
    return "one row per run of class_id: [first sample, last sample], -1 at the signal's ends"


@exercise("04.1", "Write mask_to_runs(labels, class_id): one [onset, offset] row (inclusive) "
          "per run of class_id, -1 where a run touches an end of the signal.",
          writes="mask_to_runs(labels, class_id)")
def _check_04_1(function: Any) -> Feedback:
    for labels, class_id in _RUN_CASES:
        case = f"mask_to_runs({labels.tolist()}, class_id={class_id})"
        got = array("04.1", call("04.1", function, labels.copy(), class_id, case=case))
        if got.size == 0:
            got = got.reshape(0, 2)
        expected = _runs(labels, class_id)
        if not same(got, expected):
            return wrong("04.1", f"{case} gave {got.astype(int).tolist()}, expected "
                         f"{len(expected)} run(s)", _run_problem(got, labels, class_id))
    return Feedback("04.1", True, "runs to waves, as ecgteach.labels_to_waves does before it "
                    "merges short gaps and drops flickers: a boundary the signal does not show "
                    "is -1, never invented.")


#: Hidden cases of 04.2 (true, predicted, fs): a prediction nearest to two true onsets, one
#: pair 180 ms apart (outside ±150 ms), one exactly 150 ms apart, -1 entries, a false
#: positive; then an unsorted case at 250 Hz.
_MATCH_CASES = (
    (np.array([1000, 1040, 2000, -1, 3000, 4000, 6000]),
     np.array([1030, 2090, -1, 3300, 4060, 5000, 6075]), 500.0),
    (np.array([250, 500, 750]), np.array([760, 240, 505]), 250.0),
)


def _greedy(true: np.ndarray, pred: np.ndarray, fs: float, tolerance_ms: float,
            unique: bool) -> tuple[float, float, float]:
    """Each true boundary in turn takes its nearest prediction (``unique``: if still free)."""
    true, pred = true[true != MISSING], pred[pred != MISSING]
    free, errors, used = list(pred), [], set()
    for t in true:
        pool = [p for p in (free if unique else pred) if abs(p - t) * 1000 / fs <= tolerance_ms]
        if pool:
            nearest = min(pool, key=lambda p: abs(p - t))
            errors.append((nearest - t) * 1000 / fs)
            used.add(nearest)
            if unique:
                free.remove(nearest)
    tp = len(errors)
    return 100 * tp / len(true), 100 * len(used) / len(pred), float(np.mean(errors))


def _match_problem(got: np.ndarray, true: np.ndarray, pred: np.ndarray, fs: float) -> str:
    def scores(tolerance_ms: float = 150.0) -> np.ndarray:
        s = score_boundaries(true, pred, fs, tolerance_ms=tolerance_ms)
        return np.array([s.sensitivity, s.ppv, s.mean_ms])

    expected = scores()
    twice = _greedy(true, pred, fs, 150.0, unique=False)
    if same(got[[0, 2]], [twice[0], twice[2]]) and not same(got[[0, 2]], expected[[0, 2]]):
        return ("a prediction was used twice: it is nearest to two true onsets, but matches "
                "only one (the closer pair is matched first, one-to-one)")
    if same(got, scores(150.0 * 1000 / fs)):
        return (f"the tolerance is 150 ms, which is {150 * fs / 1000:g} samples at {fs:g} Hz, "
                "not 150 samples: convert with fs")
    if same(got, expected * [1, 1, -1]):
        return "the error is predicted − true (negative: the prediction is early)"
    if same(got, expected * [0.01, 0.01, 1]):
        return "give Se and PPV in percent (0-100)"
    tp = round(expected[0] * (true != MISSING).sum() / 100)
    if same(got[:2], [100 * tp / true.size, 100 * tp / pred.size]):
        return "-1 means no boundary: leave those entries out of both counts"
    if same(got, _greedy(true, pred, fs, 150.0, unique=True)):
        return ("the first true onset took a prediction that is closer to the next one: match "
                "the closest pairs first, over all pairs")
    if same(got, scores(149.999)):
        return "±150 ms includes 150 ms exactly (<=, not <)"
    return ("Se = matched true / all true, PPV = matched predictions / all predictions, error = "
            "mean of predicted − true over the matched pairs, in ms")


@exercise("04.2", "Write match(true_samples, predicted_samples, fs, tolerance_ms=150): one-to-one "
          "nearest matching within ±tolerance; return Se %, PPV %, mean error ms.",
          writes="match(true_samples, predicted_samples, fs, tolerance_ms=150)")
def _check_04_2(function: Any) -> Feedback:
    for true, pred, fs in _MATCH_CASES:
        case = f"match({true.tolist()}, {pred.tolist()}, fs={fs:g})"
        got = array("04.2", call("04.2", function, true.copy(), pred.copy(), fs, case=case))
        got = got.ravel()
        if got.size != 3:
            return Feedback("04.2", False, f"{case} gave {got.size} number(s); return three: "
                            "Se (%), PPV (%), mean error (ms)")
        s = score_boundaries(true, pred, fs)
        expected = np.array([s.sensitivity, s.ppv, s.mean_ms])
        if not same(got, expected):
            return wrong("04.2", f"{case} gave {np.round(got, 2).tolist()}",
                         _match_problem(got, true, pred, fs))
    return Feedback("04.2", True, "one-to-one, nearest first, within ±150 ms inclusive, -1 left "
                    "out: the matching behind every Se, PPV and error in these lessons.")


def _onset_sds(model: Any, records: list[Any]) -> dict[str, Any]:
    """QRS onset scores of lead v1, lead ii and both pooled."""
    scored = score_delineator(model, records, ["v1", "ii"], warm_up=False)
    out = {lead: scored.by_lead[lead].scores()["QRS onset"] for lead in ("v1", "ii")}
    out["pooled"] = scored.pooled.scores()["QRS onset"]
    return out


def _pair(answer: Any) -> tuple[float, float]:
    """(v1, ii) from a dict with keys v1 and ii (any case) or a pair in that order."""
    if isinstance(answer, dict):
        by_name = {str(key).strip().lower(): value for key, value in answer.items()}
        if {"v1", "ii"} <= set(by_name):
            return number("04.3", by_name["v1"]), number("04.3", by_name["ii"])
    values = np.asarray(answer, dtype=float).ravel() if not isinstance(answer, dict) else []
    if len(values) != 2:
        raise ValueError("answer {'v1': sd_v1, 'ii': sd_ii}, the two SDs in ms")
    return float(values[0]), float(values[1])


def _near(value: float, expected: float) -> bool:
    return bool(abs(value - expected) <= 0.05 or (np.isnan(value) and np.isnan(expected)))


@exercise("04.3", "Mini-project: train the segmenter on lead ii only. What is its QRS onset SD "
          "(ms) on the validation patients' leads v1 and ii?")
def _check_04_3(answer: Any, model: Any = None, info: Any = None) -> Feedback:
    if model is None or info is None:
        return Feedback("04.3", False, "train the model first (the cell above) and pass it: "
                        "ecgteach.check('04.3', answer, model=model, info=info)")
    leads = [str(lead).lower() for lead in info.config.training_leads]
    if leads != ["ii"]:
        return Feedback("04.3", False, f"this model was trained on {', '.join(leads)}; the "
                        "project trains on lead ii only: leads='ii'")
    records = list(info.config.val_records)
    v1, ii = _pair(answer)
    scores = _onset_sds(model, records)
    want_v1, want_ii = scores["v1"].sd_ms, scores["ii"].sd_ms
    if _near(v1, want_v1) and _near(ii, want_ii):
        return Feedback("04.3", True, f"QRS onset SD {want_ii:.1f} ms on lead ii, {want_v1:.1f} "
                        f"ms on v1 (Se {scores['v1'].sensitivity:.0f} %), a lead this model "
                        f"never saw, over {len(records)} validation patients.")
    if _near(v1, want_ii) and _near(ii, want_v1):
        return Feedback("04.3", False, "swapped: the first is lead v1, the second lead ii")
    if _near(v1, scores["v1"].mean_ms) and _near(ii, scores["ii"].mean_ms):
        return Feedback("04.3", False, "those are the mean errors (mean_ms); the question asks "
                        "for their spread, sd_ms")
    if _near(v1, scores["pooled"].sd_ms) and _near(ii, scores["pooled"].sd_ms):
        return Feedback("04.3", False, "that pools both leads; take each from .by_lead[lead]")
    for name, other, where in (("the shipped segmenter", None, records),
                               ("the test patients", model, sorted(TEST_RECORDS))):
        elsewhere = _onset_sds(other, where)
        if _near(v1, elsewhere["v1"].sd_ms) or _near(ii, elsewhere["ii"].sd_ms):
            hint = ("score the model you trained, not the shipped one" if other is None else
                    "score the validation patients (info.config.val_records); the test "
                    "patients wait for the final test")
            return Feedback("04.3", False, f"that is {name}: {hint}")
    return Feedback("04.3", False, "ecgteach.score_delineator(model, info.config.val_records, "
                    "['v1', 'ii']).by_lead[lead].scores()['QRS onset'].sd_ms for each lead")
