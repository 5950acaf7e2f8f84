"""The lesson models shipped in ecgteach/weights/lessons: current, loadable, and as claimed.

They are what lessons 02 and 03 show on an empty cache, so they must match the
current lesson settings exactly (same cache key: settings, data, ecgteach version)
and reproduce the lessons' claims on the real validation beats. When a setting
changes, rebuild them: ``python scripts/build_lesson_models.py``.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

from ecgteach.beats import (
    LEARNER_CHANGES,
    LESSON_SETTINGS,
    SHIPPED_SETTINGS,
    beat_splits,
    last_state_spread,
    output_pace,
    run_lesson_setting,
    run_verdict,
)
from ecgteach.nn import shipped_models_dir

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
pytest.importorskip("keras")


REBUILD = "stale shipped lesson model: run `python scripts/build_lesson_models.py`"


@pytest.fixture(scope="module")
def shipped_results(tmp_path_factory):
    """Every shipped setting loaded on a cold user cache, with training forbidden."""
    mp = pytest.MonkeyPatch()
    mp.setenv("ECGTEACH_CACHE", str(tmp_path_factory.mktemp("cold-cache")))

    def no_training(*args, **kwargs):
        raise AssertionError(REBUILD)

    mp.setattr("ecgteach.nn.cache.fit", no_training)
    splits = beat_splits()
    try:
        yield {(name, seed): run_lesson_setting(name, splits, seed=seed, cache="shipped",
                                                progress=None)
               for name in SHIPPED_SETTINGS for seed in LESSON_SETTINGS[name].shipped_seeds}
    finally:
        mp.undo()


def test_every_shipped_file_belongs_to_a_shipped_setting(shipped_results):
    folder = shipped_models_dir()
    stems = {p.name.split(".")[0] for p in folder.iterdir() if p.suffix in (".json", ".npz")}
    expected = sum(len(r.fits) for r in shipped_results.values())
    assert len(stems) == expected, f"{sorted(stems)}: stray or missing files; {REBUILD}"


def test_shipped_models_load_without_training(shipped_results):
    for (name, _), result in shipped_results.items():
        assert result.source == "shipped", name
        setting = LESSON_SETTINGS[name]
        assert 1 <= result.epochs_run <= setting.epochs, name
        assert result.train_seconds > 0, name


def test_the_lessons_claims_hold_for_the_shipped_models(shipped_results):
    """Lesson 02/03's story, measured on the real validation beats."""
    def val(name, key, seed=0):
        return np.asarray(shipped_results[name, seed].metrics["val"][key])

    # the learner's exact model, trained from zero until its validation loss plateaued,
    # answers the training mean for every beat (lesson 02, sections 2-3)
    learner = shipped_results["learner_raw", 0]
    assert learner.stopped == "plateau"
    assert val("learner_raw", "collapse_ratio").max() < 0.05
    assert abs(float(val("learner_raw", "mse")) / float(val("learner_raw", "mse_mean_baseline"))
               - 1) < 0.1
    # started at the training mean, the same network on the same data learns (section 6)
    assert run_verdict(shipped_results["learner_raw_at_mean", 0]) == "learns"
    # one change at a time, from zero (section 7): no input change avoids the collapse,
    # z-scored targets do; the 2 x 2 of targets x voltage (section 8)
    verdict = {name: run_verdict(shipped_results[name, 0]) for name in LEARNER_CHANGES}
    for name in ("learner_time_scaled", "learner_time_dropped", "learner_standardise_voltage"):
        assert verdict[name] == "collapsed", name
    assert verdict["learner_zscore_targets"] == "learns"
    assert run_verdict(shipped_results["learner_zscore_standardise_voltage", 0]) == "learns"
    assert run_verdict(shipped_results["learner_inputs_scaled", 0]) == "collapsed"
    for name in (*LEARNER_CHANGES, "learner_raw", "learner_zscore_standardise_voltage",
                 "learner_inputs_scaled", "learner_scaled"):
        assert shipped_results[name, 0].stopped == "plateau", name
    # scaling both inputs and targets makes the same network vary with the beat and beat
    # the predict-the-mean baseline; the small LSTM does better still
    assert val("learner_scaled", "collapse_ratio").min() > 0.3
    assert (val("learner_scaled", "mae_ms") < val("learner_scaled", "mae_mean_baseline_ms")).all()
    assert (val("small_lstm_adam", "mae_ms") < val("learner_scaled", "mae_ms")).all()
    # classification over time steps: all states beat the last state alone
    assert val("classifier_separate", "mae_ms").mean() < val("classifier_last_state",
                                                             "mae_ms").mean()
    # lesson 03's matched readouts: every hidden state beats the last one, for both
    # questions; reading both ways beats one direction
    for task in ("regression", "classification"):
        assert val(f"readout_all_states_{task}", "mae_ms").mean() < \
            val(f"readout_last_state_{task}", "mae_ms").mean(), task
    assert val("readout_all_states_classification_bidirectional", "mae_ms").mean() < \
        val("readout_all_states_classification", "mae_ms").mean()


def test_the_walk_to_the_mean_is_measured_and_saturates_the_last_layer(shipped_results):
    """Lesson 02 sections 3 and 5: the pace of the walk, and the saturated state it leaves."""
    learner = shipped_results["learner_raw", 0]
    pace = output_pace(learner)
    assert pace.steps_per_epoch == -(-learner.n_train // 32)
    # the walk's pace predicts when the mean answer arrived: within a quarter
    arrived = [int(np.argmax(np.asarray(learner.history[f"val_{b}_mean_prediction"])
                             >= 0.9 * pace.target_mean[i])) + 1
               for i, b in enumerate(("onset", "offset"))]
    assert (np.abs(0.9 * pace.epochs_to_mean() - arrived) < 0.25 * np.array(arrived)).all()
    assert (pace.epochs_to_mean(n_beats=300) > 2.5 * pace.epochs_to_mean()).all()
    splits = beat_splits()
    state = last_state_spread(learner.models["model"], learner.scaler.x(splits.val))
    assert state["saturated"] > 0.9 and state["spread"] < 1e-3
    at_mean = shipped_results["learner_raw_at_mean", 0]
    assert last_state_spread(at_mean.models["model"], at_mean.scaler.x(splits.val))["spread"] > 0.1
