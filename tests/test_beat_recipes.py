"""ecgteach.beats: recipes, settings and results on real LUDB beats (fast splits, 1 epoch)."""

from __future__ import annotations

import inspect
import os
import sys

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

keras = pytest.importorskip("keras")

import ecgteach
from ecgteach.beats import (
    LESSON_SETTINGS,
    SCALINGS,
    BeatSplits,
    ExperimentResult,
    InputScaling,
    beat_scores,
    beat_splits,
    run_lesson_setting,
    train_boundary_classifier,
    train_regression,
)
from ecgteach.delineation import neurokit_to_waves, neurokit_waves, score_delineator, score_neurokit
from ecgteach.nn import segmenter

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

TINY_LSTM = {"units": (8,), "dropout": 0.0}
TINY_CLASSIFIER = {"units": 4, "bidirectional": False}


@pytest.fixture(scope="module")
def splits() -> BeatSplits:
    return beat_splits(fast=True)


@pytest.fixture(scope="module")
def regression(splits) -> ExperimentResult:
    return train_regression(splits, "learner_lstm", build_kwargs=TINY_LSTM,
                               scaling="scaled", epochs=1, progress=None)


# ------------------------------------------------------------------------------ data


def test_beat_splits_shapes_and_patients(splits):
    for part in ("train", "val", "test"):
        beats = getattr(splits, part)
        assert beats.x.shape == (len(beats), 200, 2) and beats.y.shape == (len(beats), 2)
        assert len(beats) > 10
        assert set(beats.record) <= set(splits.records[part])
    assert set(splits.records["test"]) <= set(ecgteach.TEST_RECORDS)
    assert not set(splits.records["train"]) & set(splits.records["val"])
    assert not set(splits.records["train"]) & set(ecgteach.TEST_RECORDS)
    assert [len(splits.records[p]) for p in ("train", "val", "test")] == [12, 4, 4]
    few = beat_splits(fast=True, n_train=20)
    assert len(few.train) == 20 and len(few.test) == len(splits.test)


def test_scaling_statistics_come_from_the_training_beats_only(splits):
    options = InputScaling(voltage="standardised", time="scaled", targets="zscore")
    scaler = options.fit(splits.train)
    beat = np.arange(200)[None, :] >= splits.train.n_padding[:, None]
    volts = splits.train.voltage[beat].astype(np.float64)
    assert scaler.voltage_mean == pytest.approx(volts.mean())
    assert scaler.voltage_std == pytest.approx(volts.std())
    np.testing.assert_allclose(scaler.target_mean, splits.train.y.mean(axis=0))
    np.testing.assert_allclose(scaler.target_std, splits.train.y.std(axis=0))
    # fitting on train + other beats would give other numbers: val is not used
    assert options.fit(splits.val).voltage_mean != pytest.approx(scaler.voltage_mean)
    x = scaler.x(splits.val)
    assert x.shape == splits.val.x.shape and x.dtype == np.float32
    pad = ~(np.arange(200)[None, :] >= splits.val.n_padding[:, None])
    assert np.all(x[pad] == 0)  # padding stays zero
    expected = (splits.val.voltage[~pad] - scaler.voltage_mean) / scaler.voltage_std
    np.testing.assert_allclose(x[..., 1][~pad], expected, rtol=1e-5, atol=1e-5)
    assert 0 < x[..., 0].max() <= 1.0  # time / 800 ms
    np.testing.assert_allclose(scaler.inverse_y(scaler.y(splits.val.y)), splits.val.y,
                               atol=1e-4)
    assert SCALINGS["raw"].fit(splits.train).x(splits.val) is not None
    np.testing.assert_array_equal(SCALINGS["raw"].fit(splits.train).x(splits.val),
                                  splits.val.x)
    voltage = SCALINGS["voltage_channel"].fit(splits.train)
    assert voltage.x(splits.val).shape == (len(splits.val), 200, 1)
    length = InputScaling(targets="length").fit(splits.train)
    np.testing.assert_allclose(length.y(splits.val.y), splits.val.y / 200, rtol=1e-6)
    with pytest.raises(ValueError, match="time must be one of"):
        InputScaling(time="seconds")


def test_a_constant_prediction_has_collapse_ratio_zero(splits):
    constant = np.tile(splits.train.y.mean(axis=0), (len(splits.test), 1))
    scores = beat_scores(constant, splits.test.y, splits.train.y, splits.fs)
    np.testing.assert_allclose(scores["collapse_ratio"], 0.0, atol=1e-12)
    assert scores["mse"] == pytest.approx(scores["mse_mean_baseline"])
    assert scores["skill"] == pytest.approx(0.0, abs=1e-12)
    np.testing.assert_allclose(scores["mae_ms"], scores["mae_mean_baseline_ms"])
    perfect = beat_scores(splits.test.y, splits.test.y, splits.train.y, splits.fs)
    np.testing.assert_allclose(perfect["collapse_ratio"], 1.0)
    assert perfect["hit_rate"].tolist() == [100.0, 100.0] and perfect["mae_ms"].max() == 0
    far = beat_scores(splits.test.y + 40, splits.test.y, splits.train.y, 250.0)  # 160 ms
    assert far["hit_rate"].tolist() == [0.0, 0.0]
    np.testing.assert_allclose(far["mean_ms"], 160.0)


# --------------------------------------------------------------------------- training


def test_regression_result(regression, splits):
    for part in ("val", "test"):
        n = len(getattr(splits, part))
        assert regression.predictions[part].shape == (n, 2)
        np.testing.assert_allclose(regression.predictions_ms[part],
                                   regression.predictions[part] * 4.0)
        assert regression.metrics[part]["mae_ms"].shape == (2,)
    row = regression.summary_row()
    for key in ("train_s", "onset_hit_rate", "offset_mae_ms", "onset_collapse_ratio",
                "mse", "mse_mean_baseline", "epochs", "params"):
        assert np.isfinite(row[key]), key
    assert row["epochs"] == 1 and regression.train_seconds > 0
    assert regression.config["build_kwargs"]["units"] == (8,)
    np.testing.assert_allclose(regression.predict(splits.test), regression.predictions["test"],
                               rtol=1e-5)
    assert "val_loss" in regression.history


def test_same_seed_same_result(regression, splits):
    again = train_regression(splits, "learner_lstm", build_kwargs=TINY_LSTM,
                                scaling="scaled", epochs=1, progress=None)
    np.testing.assert_array_equal(again.predictions["test"], regression.predictions["test"])
    assert again.history["loss"] == regression.history["loss"]


def test_joint_and_separate_heads_both_give_two_boundaries(splits):
    hooks = []
    joint = train_boundary_classifier(splits, heads="joint", build_kwargs=TINY_CLASSIFIER,
                                         epochs=1, callbacks=[lambda e, logs: hooks.append(e)])
    separate = train_boundary_classifier(splits, heads="separate",
                                            build_kwargs=TINY_CLASSIFIER, epochs=1,
                                            progress=None)
    assert len(joint.fits) == 1 and len(separate.fits) == 2 and hooks == [0]
    assert list(separate.models) == ["onset", "offset"]
    assert separate.train_seconds == pytest.approx(sum(f.seconds for f in separate.fits))
    assert {"onset/loss", "offset/val_loss", "loss"} <= set(separate.history)
    for result in (joint, separate):
        pred = result.predictions["test"]
        assert pred.shape == (len(splits.test), 2)
        assert np.all((pred >= 0) & (pred < 200)) and np.all(pred == np.round(pred))
        assert result.kind == "classification"
        assert result.summary_row()["offset_hit_rate"] >= 0


def test_lesson_settings_are_valid_calls(splits):
    signatures = {"regression": inspect.signature(train_regression),
                  "classifier": inspect.signature(train_boundary_classifier)}
    for name, setting in LESSON_SETTINGS.items():
        params = signatures[setting.recipe].parameters
        assert set(setting.arguments) <= set(params), name
    with pytest.raises(ValueError, match="unknown lesson setting"):
        run_lesson_setting("nope", splits)
    result = run_lesson_setting("flattened_classifier", splits, epochs=1, progress=None,
                                   build_kwargs={"units": 2, "dense_units": 4})
    assert result.name == LESSON_SETTINGS["flattened_classifier"].label
    assert result.predictions["val"].shape == (len(splits.val), 2)


def test_start_at_mean_begins_at_the_training_mean_and_a_walk_from_zero_is_measured(splits):
    """The fast-forward starts the answers at the training mean; from zero they walk there."""
    from ecgteach.beats import mean_prediction_ms, output_pace

    fast_forward = train_regression(splits, build_kwargs=TINY_LSTM, scaling="raw", epochs=2,
                                    start_at_mean=True, progress=None)
    mean_ms = splits.train.y.mean(axis=0) * 1000.0 / splits.fs
    walked = mean_prediction_ms(fast_forward)
    assert walked.shape == (2, 2)
    np.testing.assert_allclose(walked[0], mean_ms, atol=0.05 * mean_ms.min())
    from_zero = train_regression(splits, build_kwargs=TINY_LSTM, scaling="raw", epochs=3,
                                 progress=None)
    answers = mean_prediction_ms(from_zero)
    assert (answers < 0.5 * mean_ms).all()           # 3 epochs from 0: still far from the mean
    assert (np.diff(answers, axis=0) > 0).all()      # walking towards it
    pace = output_pace(from_zero)
    assert pace.steps_per_epoch == -(-len(splits.train) // 32)
    assert (pace.samples_per_epoch > 0).all()
    assert (pace.epochs_to_mean() > 3).all()
    with pytest.raises(ValueError, match="started at the mean"):
        output_pace(fast_forward)
    with pytest.raises(ValueError, match="start_at_mean"):
        train_regression(splits, model="flattened_states", start_at_mean=True, epochs=1)
    with pytest.raises(ValueError, match="only the learner"):
        mean_prediction_ms(train_boundary_classifier(splits, build_kwargs=TINY_CLASSIFIER,
                                                     epochs=1, progress=None))


def test_a_plateau_run_records_why_it_stopped(splits):
    result = train_regression(splits, build_kwargs=TINY_LSTM, scaling="raw", epochs=30,
                              start_at_mean=True, plateau_patience=2, progress=None)
    assert result.stopped == "plateau" and result.epochs_run < 30
    assert result.summary_row("val")["stopped"] == "plateau"
    assert result.config["plateau_patience"] == 2


# ----------------------------------------------------------------- whole records


def test_score_segmenter_pools_leads_and_times_records():
    keras.utils.set_random_seed(0)
    untrained = segmenter(conv_filters=(4,), lstm_units=4, decoder_filters=4)
    scores = score_delineator(untrained, records=[161], leads=("ii", "v1"))
    assert scores.records == ["161"] and len(scores.seconds_per_record) == 1
    assert set(scores.by_lead) == {"ii", "v1"} and scores.pooled.n_added == 2
    qrs = scores.pooled.scores()["QRS onset"]
    by_lead = [s.scores()["QRS onset"].n_true for s in scores.by_lead.values()]
    assert qrs.n_true == sum(by_lead) > 0
    assert {row["boundary"] for row in scores.rows("ii")} >= {"P onset", "T offset"}


def test_neurokit_to_waves_turns_nan_into_missing():
    info = {"ECG_R_Onsets": [10, np.nan, 300], "ECG_R_Offsets": [30, 130, 320],
            "ECG_P_Onsets": [np.nan, np.nan, 250], "ECG_P_Peaks": [np.nan, np.nan, 260],
            "ECG_P_Offsets": [np.nan, np.nan, 270], "ECG_T_Offsets": [80, 180, 999]}
    waves = neurokit_to_waves(info, [20, 120, 310], n_samples=400)
    np.testing.assert_array_equal(waves["QRS"], [[10, 20, 30], [-1, 120, 130], [300, 310, 320]])
    np.testing.assert_array_equal(waves["P"], [[250, 260, 270]])
    np.testing.assert_array_equal(waves["T"], [[-1, -1, 80], [-1, -1, 180]])  # 999 > n
    assert all(w.dtype == np.int64 for w in waves.values())


def test_neurokit_missing_gives_a_clear_import_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "neurokit2", None)
    with pytest.raises(ImportError, match=r"pip install neurokit2"):
        neurokit_waves(np.zeros(5000), 500)


def test_neurokit_on_a_real_ludb_record():
    try:
        import neurokit2  # noqa: F401
    except ImportError:
        pytest.skip("neurokit2 is not installed (optional extra 'bench')")
    record = ecgteach.load_ludb_record(161, leads=["ii"])
    waves = neurokit_waves(record.lead("ii"), record.fs)
    assert set(waves) == {"P", "QRS", "T"}
    for rows in waves.values():
        assert rows.ndim == 2 and rows.shape[1] == 3 and rows.dtype == np.int64
        assert np.all((rows == -1) | ((rows >= 0) & (rows < record.n_samples)))
    assert len(waves["QRS"]) >= len(record.waves["ii"]["QRS"])
    scores = ecgteach.score_delineation(record.waves["ii"], waves, record.fs,
                                        span=record.span("ii"))
    assert scores["QRS onset"].sensitivity > 80
    nk = score_neurokit(records=[161, 162], leads="ii")
    assert nk.pooled.n_added == 2 and len(nk.seconds_per_record) == 2 and not nk.failures


def test_cache_reloads_the_same_model(splits, cache):
    first = train_regression(splits, "learner_lstm", build_kwargs=TINY_LSTM,
                                scaling="scaled", epochs=1, progress=None, cache="shipped")
    again = train_regression(splits, "learner_lstm", build_kwargs=TINY_LSTM,
                                scaling="scaled", epochs=1, progress=None, cache="shipped")
    assert not first.fits[0].from_cache and again.fits[0].from_cache
    np.testing.assert_allclose(again.predictions["test"], first.predictions["test"], rtol=1e-6)
    assert again.train_seconds == pytest.approx(first.train_seconds)
