"""ecgteach.evaluation.metrics: hand-made cases, real LUDB annotations, wfdb cross-check."""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path

import numpy as np
import pytest
import wfdb.processing

import ecgteach
from ecgteach.ecg import WAVE_KINDS, parse_waves, read_annotation
from ecgteach.evaluation import (
    BOUNDARIES,
    CSE_TOLERANCES_MS,
    DelineationScorer,
    collapse_ratio,
    match_boundaries,
    mse_against_mean_baseline,
    score_boundaries,
    score_delineation,
)

LUDB = Path(ecgteach.__file__).parent / "data" / "ludb" / "data"
FS = 500


@cache
def ludb_waves(record: int, lead: str) -> dict[str, np.ndarray]:
    symbols, samples = read_annotation(LUDB / str(record), lead)
    waves, _ = parse_waves(symbols, samples)
    return waves


def shifted(waves: dict[str, np.ndarray], k: int) -> dict[str, np.ndarray]:
    return {kind: np.where(rows == -1, -1, rows + k) for kind, rows in waves.items()}


def beats(onsets: list[int], kind: str = "QRS") -> dict[str, np.ndarray]:
    """A wave set with one wave of ``kind`` per onset (peak +20, offset +40 samples)."""
    waves = {k: np.zeros((0, 3), dtype=np.int64) for k in WAVE_KINDS}
    waves[kind] = np.array([[o, o + 20, o + 40] for o in onsets], dtype=np.int64).reshape(-1, 3)
    return waves


TRUE = [500, 900, 1300, 1700, 2100]


# ----------------------------------------------------------------- hand-made cases


def test_perfect_prediction() -> None:
    scores = score_delineation(beats(TRUE), beats(TRUE), FS)
    onset = scores["QRS onset"]
    assert (onset.tp, onset.fn, onset.fp) == (5, 0, 0)
    assert onset.sensitivity == onset.ppv == onset.f1 == 100.0
    assert np.array_equal(onset.errors_ms, np.zeros(5))
    assert onset.mean_ms == 0.0 and onset.sd_ms == 0.0
    assert onset.within_cse
    # No P or T waves at all: nothing to score, nothing predicted.
    p_onset = scores["P onset"]
    assert (p_onset.n_true, p_onset.n_pred) == (0, 0)
    assert math.isnan(p_onset.sensitivity) and math.isnan(p_onset.mean_ms)
    assert not p_onset.within_cse


def test_shift_by_two_samples_is_plus_four_ms() -> None:
    scores = score_delineation(beats(TRUE), shifted(beats(TRUE), 2), FS)
    for name in ("QRS onset", "QRS offset"):
        assert scores[name].sensitivity == 100.0
        np.testing.assert_allclose(scores[name].errors_ms, 4.0)
        assert scores[name].mean_ms == pytest.approx(4.0)
        assert scores[name].sd_ms == pytest.approx(0.0)


def test_missed_beat_lowers_sensitivity_only() -> None:
    score = score_delineation(beats(TRUE), beats(TRUE[:2] + TRUE[3:]), FS)["QRS onset"]
    assert (score.tp, score.fn, score.fp) == (4, 1, 0)
    assert score.sensitivity == pytest.approx(80.0)
    assert score.ppv == 100.0
    assert score.f1 == pytest.approx(100 * 8 / 9)


def test_extra_prediction_lowers_ppv_only() -> None:
    score = score_delineation(beats(TRUE), beats([*TRUE, 2500]), FS)["QRS onset"]
    assert (score.tp, score.fn, score.fp) == (5, 0, 1)
    assert score.sensitivity == 100.0
    assert score.ppv == pytest.approx(100 * 5 / 6)


def test_one_prediction_near_two_true_boundaries_is_matched_once() -> None:
    ti, pi = match_boundaries([100, 110], [104], FS)
    assert ti.tolist() == [0] and pi.tolist() == [0]  # the nearer true boundary wins
    score = score_boundaries([100, 110], [104], FS)
    assert (score.tp, score.fn, score.fp) == (1, 1, 0)


def test_nearest_pair_first_not_first_come() -> None:
    # A left-to-right matcher would give 128 to 100 (28 samples away); the nearest
    # pair is (130, 128), 2 samples, and then 100 has nothing left.
    ti, pi = match_boundaries([100, 130], [128], FS)
    assert ti.tolist() == [1] and pi.tolist() == [0]
    # Two predictions, two true boundaries: each prediction used exactly once.
    ti, pi = match_boundaries([100, 130], [128, 99], FS)
    assert ti.tolist() == [0, 1] and pi.tolist() == [1, 0]


def test_missing_entries_ignored_and_indices_refer_to_inputs() -> None:
    ti, pi = match_boundaries([100, -1, 300], [-1, 101, 299, -1], FS)
    assert ti.tolist() == [0, 2] and pi.tolist() == [1, 2]
    score = score_boundaries([100, -1, 300], [-1, 101, 299, -1], FS)
    assert (score.n_true, score.n_pred, score.tp, score.fn, score.fp) == (2, 2, 2, 0, 0)
    np.testing.assert_allclose(score.errors_ms, [2.0, -2.0])
    # Missing waves in a wave set: -1 onsets are not false negatives.
    true = beats(TRUE)
    true["QRS"][1, 0] = -1
    assert score_delineation(true, beats(TRUE), FS)["QRS onset"].n_true == 4


def test_unsorted_input_and_empty_arrays() -> None:
    rng = np.random.default_rng(0)
    true = np.sort(rng.choice(100_000, size=300, replace=False))
    pred = true + rng.integers(-90, 91, size=true.size)
    ti, pi = match_boundaries(true, pred, FS)
    t_perm, p_perm = rng.permutation(true.size), rng.permutation(pred.size)
    ti2, pi2 = match_boundaries(true[t_perm], pred[p_perm], FS)
    got = sorted(zip(true[t_perm][ti2].tolist(), pred[p_perm][pi2].tolist(), strict=True))
    assert got == sorted(zip(true[ti].tolist(), pred[pi].tolist(), strict=True))
    assert np.all(np.abs(pred[pi] - true[ti]) <= 75)
    assert len(set(pi.tolist())) == pi.size and len(set(ti.tolist())) == ti.size
    for a, b in (([], []), ([], [5, 6]), ([5, 6], []), ([-1], [-1])):
        ti, pi = match_boundaries(a, b, FS)
        assert ti.size == pi.size == 0 and ti.dtype == np.int64
    score = score_boundaries([], [10, 20], FS)
    assert (score.tp, score.fn, score.fp) == (0, 0, 2)
    assert math.isnan(score.sensitivity) and score.ppv == 0.0 and score.f1 == 0.0


def test_tolerance_is_inclusive() -> None:
    # 150 ms at 500 Hz = 75 samples: 75 apart matches, 76 apart does not.
    assert match_boundaries([1000], [1075], FS)[0].size == 1
    assert match_boundaries([1000], [1076], FS)[0].size == 0
    assert match_boundaries([1000], [1010], FS, tolerance_ms=20.0)[0].size == 1
    assert match_boundaries([1000], [1011], FS, tolerance_ms=20.0)[0].size == 0


def test_span_rule() -> None:
    span = (1000, 2000)
    true = [900, 1100, 1500, 1990, 2100]  # 900 and 2100 lie outside: not scored
    pred = [
        905,  # matches the unscored 900: ignored
        1100,  # TP
        1700,  # unmatched, inside the span: FP
        2040,  # outside the span but matches 1990 (50 samples): TP
        960,  # unmatched, outside within tolerance: not an FP (could be an unlabelled beat)
        3000,  # far outside: ignored
    ]
    score = score_boundaries(true, pred, FS, span=span)
    assert (score.n_true, score.tp, score.fn, score.fp, score.n_pred) == (3, 2, 1, 1, 3)
    np.testing.assert_allclose(score.errors_ms, [0.0, 100.0])
    # Without a span: 2040 is nearer 1990 than 2100, so 2100 and 1500 are missed and
    # 1700, 960 and 3000 are false positives.
    everything = score_boundaries(true, pred, FS)
    assert (everything.tp, everything.fn, everything.fp) == (3, 2, 3)


def test_within_cse_uses_the_error_sd() -> None:
    true = np.arange(10) * 400 + 1000
    # A constant bias of 20 ms with no spread is within the CSE tolerance (SD 0).
    assert score_boundaries(true, true + 10, FS, name="QRS onset").within_cse
    # Alternating ±5 samples = ±10 ms: SD 10 ms > 6.5 ms for QRS onset, < 30.6 for T offset.
    jitter = true + np.where(np.arange(10) % 2, 5, -5)
    assert not score_boundaries(true, jitter, FS, name="QRS onset").within_cse
    assert score_boundaries(true, jitter, FS, name="T offset").within_cse
    row = score_boundaries(true, jitter, FS, name="T offset").as_row()
    assert row["boundary"] == "T offset" and row["sd_ms"] == pytest.approx(10.0)
    assert row["cse_tolerance_ms"] == CSE_TOLERANCES_MS["T offset"] == 30.6


def test_constants() -> None:
    assert CSE_TOLERANCES_MS == {
        "P onset": 10.2,
        "P offset": 12.7,
        "QRS onset": 6.5,
        "QRS offset": 11.6,
        "T offset": 30.6,
    }
    assert [name for name, _, _ in BOUNDARIES] == list(CSE_TOLERANCES_MS)


def test_custom_boundaries() -> None:
    custom = [("QRS peak", "QRS", 1)]
    scores = score_delineation(beats(TRUE), shifted(beats(TRUE), -3), FS, boundaries=custom)
    assert list(scores) == ["QRS peak"]
    assert scores["QRS peak"].mean_ms == pytest.approx(-6.0)
    assert math.isnan(scores["QRS peak"].cse_tolerance_ms)


def test_scorer_pools_counts_and_errors() -> None:
    scorer = DelineationScorer()
    first = scorer.add(beats(TRUE), shifted(beats(TRUE), 2), FS)  # 5 TP, +4 ms
    second = scorer.add(beats(TRUE), beats(TRUE[:1] + [TRUE[1] + 200]), FS)  # 1 TP, 4 FN, 1 FP
    pooled = scorer.scores()["QRS onset"]
    assert (pooled.tp, pooled.fn, pooled.fp) == (6, 4, 1)
    assert pooled.sensitivity == pytest.approx(60.0)  # 6/10, not the mean of 100 % and 20 %
    assert pooled.ppv == pytest.approx(100 * 6 / 7)
    np.testing.assert_allclose(
        pooled.errors_ms,
        np.concatenate([first["QRS onset"].errors_ms, second["QRS onset"].errors_ms]),
    )
    assert pooled.mean_ms == pytest.approx(20 / 6)
    assert scorer.n_added == 2
    table = scorer.table()
    lines = table.splitlines()
    assert lines[0] == (
        "| boundary | Se % | PPV % | F1 % | mean ± SD ms | CSE tolerance (2σ) ms | n |"
    )
    assert len(lines) == 2 + len(BOUNDARIES)
    qrs_line = next(line for line in lines if line.startswith("| QRS onset"))
    assert "| 60.0 |" in qrs_line and "| 6.5 |" in qrs_line and qrs_line.endswith("| 10 |")
    plain = scorer.table(markdown=False).splitlines()
    assert plain[0].startswith("boundary") and "|" not in plain[0]
    assert len(plain) == 1 + len(BOUNDARIES)


def test_mean_ci_resamples_patients_whole() -> None:
    scorer = DelineationScorer()
    for patient, k in ((1, 2), (2, 2), (3, -1)):  # +4, +4 and -2 ms on every beat
        for _lead in range(3):  # three leads of the same patient: one group
            scorer.add(beats(TRUE), shifted(beats(TRUE), k), FS, group=patient)
    low, high = scorer.mean_ci("QRS onset", n_boot=4000)
    assert scorer.scores()["QRS onset"].mean_ms == pytest.approx(2.0)
    # every resampled mean is an average of +4/+4/-2 patients: within [-2, 4], and
    # the 95 % interval reaches the all-(-2) and all-(+4) draws only at its edges
    assert -2.0 <= low < 2.0 < high <= 4.0
    assert scorer.mean_ci("QRS onset", n_boot=4000) == (low, high)  # seeded
    # had each lead been its own patient the interval would be narrower (9 groups)
    loose = DelineationScorer()
    for _patient, k in ((1, 2), (2, 2), (3, -1)):
        for _lead in range(3):
            loose.add(beats(TRUE), shifted(beats(TRUE), k), FS)
    loose_low, loose_high = loose.mean_ci("QRS onset", n_boot=4000)
    assert loose_high - loose_low < high - low
    # one patient with identical errors: no spread at all
    same = DelineationScorer()
    same.add(beats(TRUE), shifted(beats(TRUE), 1), FS, group="a")
    assert same.mean_ci("QRS offset") == pytest.approx((2.0, 2.0))
    assert all(math.isnan(v) for v in DelineationScorer().mean_ci("QRS onset"))
    with pytest.raises(ValueError, match="unknown boundary"):
        scorer.mean_ci("QRS middle")
    with pytest.raises(ValueError, match="level"):
        scorer.mean_ci("QRS onset", level=95)
    ci_table = scorer.table(ci=True).splitlines()
    assert "mean 95 % CI ms" in ci_table[0]
    assert f"{low:.1f} to {high:.1f}" in next(x for x in ci_table if x.startswith("| QRS onset"))


def test_extend_pools_scorers_like_one() -> None:
    one, first, second = DelineationScorer(), DelineationScorer(), DelineationScorer()
    for scorer, k in ((first, 2), (second, -3)):
        scorer.add(beats(TRUE), shifted(beats(TRUE), k), FS, group=k)
        one.add(beats(TRUE), shifted(beats(TRUE), k), FS, group=k)
    pooled = DelineationScorer().extend(first).extend(second)
    assert pooled.n_added == 2 and pooled.table(ci=True) == one.table(ci=True)
    with pytest.raises(ValueError, match="tolerances"):
        DelineationScorer(tolerance_ms=50).extend(first)
    with pytest.raises(ValueError, match="boundaries"):
        DelineationScorer(boundaries=[("QRS peak", "QRS", 1)]).extend(first)


def test_score_is_immutable() -> None:
    score = score_boundaries([100], [101], FS)
    with pytest.raises(AttributeError):
        score.tp = 3  # type: ignore[misc]
    with pytest.raises(ValueError):
        score.errors_ms[0] = 0.0


# ----------------------------------------------------------------------- real LUDB


def test_ludb_lead_ii_against_lead_i() -> None:
    """Leads of the same beat are annotated separately: close, but not identical."""
    scorer = DelineationScorer()
    for record in range(1, 201):
        scorer.add(ludb_waves(record, "ii"), ludb_waves(record, "i"), FS)
    scores = scorer.scores()
    for name, score in scores.items():
        assert score.n_true > 1000, name
        assert score.sensitivity > 97.0 and score.ppv > 97.0, name
        assert abs(score.mean_ms) < 20.0, name
        assert 2.0 < score.sd_ms < 40.0, name
        assert np.count_nonzero(score.errors_ms) > score.tp // 4, name  # really differ
        assert np.all(np.abs(score.errors_ms) <= 150.0), name
    # QRS onsets are sharper than T offsets, across leads as for algorithms.
    assert scores["QRS onset"].sd_ms < scores["T offset"].sd_ms


@pytest.mark.parametrize("k", [1, -3, 10, 75])
def test_ludb_record_against_itself_shifted(k: int) -> None:
    for record in (1, 2, 50, 100, 200):
        true = ludb_waves(record, "ii")
        scores = score_delineation(true, shifted(true, k), FS)
        for name, kind, column in BOUNDARIES:
            n = int(np.count_nonzero(true[kind][:, column] != -1))
            score = scores[name]
            assert (score.tp, score.fn, score.fp) == (n, 0, 0), (record, name)
            np.testing.assert_allclose(score.errors_ms, 2.0 * k)
    # Just beyond the tolerance nothing of record 1 (heart rate < 200 bpm) matches.
    scores = score_delineation(ludb_waves(1, "ii"), shifted(ludb_waves(1, "ii"), 76), FS)
    assert all(score.tp == 0 for score in scores.values())


def test_ludb_span_excludes_outside_boundaries() -> None:
    true = ludb_waves(1, "ii")
    onsets = true["QRS"][:, 0]
    span = (int(onsets[1]), int(onsets[-1]))  # drops the first and the last QRS onset
    score = score_delineation(true, true, FS, span=span)["QRS onset"]
    assert (score.tp, score.fn, score.fp) == (onsets.size - 2, 0, 0)
    # Predictions only in the middle: the excluded beats are not counted as misses.
    middle = {kind: rows.copy() for kind, rows in true.items()}
    middle["QRS"] = true["QRS"][1:-1]
    assert score_delineation(true, middle, FS, span=span)["QRS onset"].sensitivity == 100.0
    assert score_delineation(true, middle, FS)["QRS onset"].fn == 2


def test_matching_agrees_with_wfdb_compare_annotations() -> None:
    """Same TP/FP/FN and the same pairs as ``wfdb.processing.compare_annotations``.

    wfdb matches a reference and a test sample when ``|ref - test| < window_width``
    (strict, and ``window_width`` is the largest allowed distance, not a full window
    width). Our tolerance is inclusive, ``|pred - true| <= 150 ms`` = 75 samples at
    500 Hz, so the equivalent is ``window_width=76``. wfdb also needs sorted input
    without ``-1``, so both get the same cleaned, sorted arrays.
    """
    window_width = round(150.0 * FS / 1000) + 1
    assert wfdb.processing.compare_annotations(np.array([0]), np.array([75]), 76).tp == 1
    assert wfdb.processing.compare_annotations(np.array([0]), np.array([75]), 75).tp == 0
    assert match_boundaries([0], [75], FS)[0].size == 1

    n_compared = disagreements = 0
    for record in range(1, 201):
        for lead in ("v1", "i"):
            for name, kind, column in BOUNDARIES:
                ref = ludb_waves(record, "ii")[kind][:, column]
                test = ludb_waves(record, lead)[kind][:, column]
                ref, test = np.sort(ref[ref != -1]), np.sort(test[test != -1])
                if ref.size == 0 or test.size == 0:  # wfdb divides by these
                    continue
                theirs = wfdb.processing.compare_annotations(ref, test, window_width)
                ti, pi = match_boundaries(ref, test, FS)
                ours = score_boundaries(ref, test, FS, name=name)
                assert (ours.tp, ours.fp, ours.fn) == (theirs.tp, theirs.fp, theirs.fn), (
                    record,
                    lead,
                    name,
                )
                pairs = np.full(ref.size, -1)
                pairs[ti] = pi
                assert np.array_equal(pairs, theirs.matching_sample_nums), (record, lead, name)
                n_compared += 1
                disagreements += theirs.fp + theirs.fn
    assert n_compared > 1500
    assert disagreements > 0  # the comparison covered unmatched boundaries too


# --------------------------------------------------------------------- bad input


@pytest.mark.parametrize("fs", [0, -500, float("nan"), "fast"])
def test_bad_fs(fs: object) -> None:
    with pytest.raises(ValueError, match="sampling rate must be"):
        match_boundaries([1], [1], fs)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="sampling rate must be"):
        score_delineation(beats(TRUE), beats(TRUE), fs)  # type: ignore[arg-type]


@pytest.mark.parametrize("tolerance", [0, -10.0, float("inf")])
def test_bad_tolerance(tolerance: float) -> None:
    with pytest.raises(ValueError, match="tolerance_ms must be a positive"):
        match_boundaries([1], [1], FS, tolerance_ms=tolerance)
    with pytest.raises(ValueError, match="tolerance_ms must be a positive"):
        DelineationScorer(tolerance_ms=tolerance)


def test_bad_wave_shapes() -> None:
    bad = beats(TRUE)
    bad["QRS"] = bad["QRS"][:, :2]
    with pytest.raises(ValueError, match=r"predicted waves\['QRS'\] must have shape \(n, 3\)"):
        score_delineation(beats(TRUE), bad, FS)
    bad["QRS"] = np.array([1, 2, 3])
    with pytest.raises(ValueError, match=r"true waves\['QRS'\] must have shape"):
        score_delineation(bad, beats(TRUE), FS)
    with pytest.raises(ValueError, match="1-D array"):
        match_boundaries(np.zeros((2, 2)), [1], FS)


def test_nan_in_predictions() -> None:
    pred = beats(TRUE)
    pred["QRS"] = pred["QRS"].astype(float)
    pred["QRS"][2, 0] = np.nan
    with pytest.raises(ValueError, match="predicted boundaries contain NaN"):
        score_delineation(beats(TRUE), pred, FS)
    with pytest.raises(ValueError, match="predictions contain NaN"):
        collapse_ratio([1.0, np.nan], [1.0, 2.0])
    with pytest.raises(ValueError, match="predictions contain NaN"):
        mse_against_mean_baseline([1.0, np.nan], [1.0, 2.0], [1.0, 2.0])


def test_missing_wave_kind() -> None:
    pred = beats(TRUE)
    del pred["T"]
    with pytest.raises(ValueError, match="predicted waves have no 'T' entry"):
        score_delineation(beats(TRUE), pred, FS)
    # Only the kinds a custom boundary list needs are required.
    assert score_delineation(beats(TRUE), pred, FS, boundaries=[("Q", "QRS", 0)])["Q"].tp == 5


def test_bad_span() -> None:
    with pytest.raises(ValueError, match="span start 2000 is after its stop 1000"):
        score_delineation(beats(TRUE), beats(TRUE), FS, span=(2000, 1000))
    with pytest.raises(ValueError, match="span must be"):
        score_boundaries([1], [1], FS, span=(1, 2, 3))
    with pytest.raises(ValueError, match="span start"):
        DelineationScorer().add(beats(TRUE), beats(TRUE), FS, span=(5, 4))


def test_bad_boundaries_and_diagnostic_shapes() -> None:
    with pytest.raises(ValueError, match="column 0/1/2"):
        score_delineation(beats(TRUE), beats(TRUE), FS, boundaries=[("x", "QRS", 3)])
    with pytest.raises(ValueError, match="differ in shape"):
        collapse_ratio(np.zeros((4, 2)), np.zeros((4, 3)))
    with pytest.raises(ValueError, match="training labels have 1 columns"):
        mse_against_mean_baseline(np.zeros((4, 2)), np.zeros((4, 2)), np.zeros((9, 1)))


# --------------------------------------------------------------------- diagnostics


def test_constant_predictor_has_collapsed() -> None:
    rng = np.random.default_rng(1)
    train = rng.normal(300.0, 40.0, size=(200, 3))
    labels = rng.normal(300.0, 40.0, size=(50, 3))
    constant = np.tile(train.mean(axis=0), (50, 1))
    np.testing.assert_allclose(collapse_ratio(constant, labels), 0.0, atol=1e-12)
    result = mse_against_mean_baseline(constant, labels, train)
    assert result["skill"] == pytest.approx(0.0, abs=1e-12)  # it *is* the baseline
    np.testing.assert_allclose(result["per_column"]["skill"], 0.0, atol=1e-12)
    off = mse_against_mean_baseline(constant + 25.0, labels, train)
    assert off["skill"] < 0 and np.all(off["per_column"]["skill"] < 0)
    assert off["mse_model"] > off["mse_mean_baseline"]
    assert collapse_ratio(np.full(50, 7.0), labels[:, 0]) == 0.0


def test_perfect_and_shrunk_predictors() -> None:
    rng = np.random.default_rng(2)
    train = rng.normal(0.0, 1.0, size=(100, 2))
    labels = rng.normal(0.0, 1.0, size=(40, 2))
    ratio = collapse_ratio(labels, labels)
    assert isinstance(ratio, np.ndarray) and ratio.shape == (2,)
    np.testing.assert_allclose(ratio, 1.0)
    result = mse_against_mean_baseline(labels, labels, train)
    assert result["mse_model"] == 0.0 and result["skill"] == 1.0
    np.testing.assert_allclose(result["per_column"]["skill"], 1.0)
    # Halfway to the mean: spread halves (collapse ratio 0.5), skill between 0 and 1.
    shrunk = labels.mean(axis=0) + 0.5 * (labels - labels.mean(axis=0))
    np.testing.assert_allclose(collapse_ratio(shrunk, labels), 0.5)
    skill = mse_against_mean_baseline(shrunk, labels, train)["skill"]
    assert 0.0 < skill < 1.0
    # 1-D input gives a plain float; MSE values are the usual ones.
    assert collapse_ratio([1.0, 3.0], [0.0, 4.0]) == pytest.approx(0.5)
    simple = mse_against_mean_baseline([1.0, 3.0], [0.0, 4.0], [2.0, 2.0])
    assert simple["mse_model"] == pytest.approx(1.0)
    assert simple["mse_mean_baseline"] == pytest.approx(4.0)
    assert simple["skill"] == pytest.approx(0.75)
