"""ecgteach.nn models and inference: structure, shapes, softmax over time, masking."""

from __future__ import annotations

import os
import subprocess
import sys
from functools import cache
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

keras = pytest.importorskip("keras")

import ecgteach
from ecgteach.beats import (
    boundary_targets,
    positions_from_distribution,
)
from ecgteach.nn import (
    FastPredictor,
    boundary_classifier,
    boundary_classifier_last_state,
    count_params,
    fit,
    flattened_states,
    learner_conv_lstm,
    learner_lstm,
    pooled_rate_decoder,
    predict_fn,
    segmenter,
    set_seed,
)

ROOT = Path(__file__).resolve().parents[1]


@cache
def beats() -> ecgteach.SeedDataset:
    """64 real LUDB lead-ii beats, [time_ms, voltage], 200 samples at 250 Hz."""
    return ecgteach.make_seed_dataset(ecgteach.load_ludb(range(1, 21), leads=["ii"]), n_beats=64)


@cache
def windows() -> ecgteach.WindowSet:
    """Real 2 s windows (lead ii, records 1-4) at 250 Hz: 500 samples each."""
    return ecgteach.make_windows(ecgteach.load_ludb(range(1, 5), leads=["ii"]), fs=250)


def lstm_params(inputs: int, units: int) -> int:
    return 4 * (units * (inputs + units) + units)


# ----------------------------------------------------------------------- lesson 02


def test_learner_lstm_matches_the_learners_model() -> None:
    model = learner_lstm()
    lstms = [layer for layer in model.layers if isinstance(layer, keras.layers.LSTM)]
    assert [layer.units for layer in lstms] == [64, 256, 100]
    assert [layer.return_sequences for layer in lstms] == [True, True, False]
    assert all(layer.dropout == pytest.approx(0.1) for layer in lstms)
    dense = model.layers[-1]
    assert isinstance(dense, keras.layers.Dense) and dense.units == 2
    assert dense.activation is keras.activations.linear
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == ["InputLayer", "LSTM", "LSTM", "LSTM", "Dense"]
    assert model.input_shape == (None, 200, 2) and model.output_shape == (None, 2)
    assert model.loss == "mse"
    assert isinstance(model.optimizer, keras.optimizers.RMSprop)
    assert float(model.optimizer.learning_rate) == pytest.approx(1e-3)
    expected = (lstm_params(2, 64) + lstm_params(64, 256) + lstm_params(256, 100)
                + 100 * 2 + 2)
    assert count_params(model) == expected == model.count_params()
    out = model.predict(beats().x[:4], verbose=0)
    assert out.shape == (4, 2) and np.isfinite(out).all()


@pytest.mark.parametrize("units", [(8,), (8, 4), 6])
def test_learner_lstm_units_set_the_layers(units) -> None:
    model = learner_lstm(units=units, dropout=0.0, optimizer="adam", learning_rate=0.01)
    lstms = [layer for layer in model.layers if isinstance(layer, keras.layers.LSTM)]
    sizes = (units,) if isinstance(units, int) else units
    assert [layer.units for layer in lstms] == list(sizes)
    assert lstms[-1].return_sequences is False
    assert isinstance(model.optimizer, keras.optimizers.Adam)


def test_learner_conv_lstm_is_a_regressor() -> None:
    model = learner_conv_lstm(conv_filters=(8, 8), units=(8,), pool_size=2)
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == ["InputLayer", "Conv1D", "Conv1D", "MaxPooling1D", "LSTM", "Dense"]
    assert model.loss == "mse" and model.output_shape == (None, 2)
    assert model.predict(beats().x[:3], verbose=0).shape == (3, 2)


def test_bad_arguments_are_explained() -> None:
    with pytest.raises(ValueError, match="optimizer"):
        learner_lstm(optimizer="adamax-ish")
    with pytest.raises(ValueError, match="dropout"):
        learner_lstm(dropout=1.5)
    with pytest.raises(ValueError, match="units"):
        learner_lstm(units=())
    with pytest.raises(ValueError, match="multiple of pool_size"):
        segmenter(length=250, pool_size=4)
    with pytest.raises(ValueError, match="target"):
        flattened_states(target="ordinal")


# ----------------------------------------------------------------------- lesson 03


def test_boundary_classifier_softmax_over_time() -> None:
    data = beats()
    x = data.voltage[:8, :, None]
    model = boundary_classifier(length=200, channels=1, units=8)
    assert set(model.output) == {"onset", "offset"}
    out = model.predict(x, verbose=0)
    for head in ("onset", "offset"):
        assert out[head].shape == (8, 200)
        np.testing.assert_allclose(out[head].sum(axis=1), 1.0, atol=1e-5)
        assert (out[head] >= 0).all()
    # the loss is the sum over heads of categorical cross-entropy against boundary_targets
    y = {"onset": boundary_targets(data.y[:8, 0], 200, 2.0),
         "offset": boundary_targets(data.y[:8, 1], 200, 2.0)}
    loss = model.evaluate(x, y, verbose=0, return_dict=True)["loss"]
    manual = sum(-(y[h] * np.log(np.clip(out[h], 1e-7, 1.0))).sum(axis=1).mean() for h in y)
    assert loss == pytest.approx(manual, rel=1e-4)


@pytest.mark.parametrize("head", ["onset", "offset"])
def test_one_head_is_one_of_two_separate_networks(head) -> None:
    model = boundary_classifier(units=4, heads=(head,), bidirectional=False)
    assert list(model.output) == [head]
    out = model.predict(beats().voltage[:2, :, None], verbose=0)
    assert list(out) == [head] and out[head].shape == (2, 200)


def test_last_state_variant_uses_only_the_last_state() -> None:
    model = boundary_classifier_last_state(units=8, bidirectional=True)
    recurrent = [layer for layer in model.layers if isinstance(layer, keras.layers.Bidirectional)]
    assert [layer.return_sequences for layer in recurrent] == [False]
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    assert {layer.name for layer in dense} == {"onset", "offset"}
    assert all(layer.units == 200 for layer in dense)
    out = predict_fn(model)(beats().voltage[:4, :, None])
    for head in ("onset", "offset"):
        np.testing.assert_allclose(out[head].sum(axis=1), 1.0, atol=1e-5)


def test_flattened_states_both_targets() -> None:
    regression = flattened_states(units=(8, 4), dense_units=16, target="regression")
    kinds = [type(layer).__name__ for layer in regression.layers]
    assert kinds == ["InputLayer", "LSTM", "LSTM", "Flatten", "Dense", "Dense"]
    assert regression.get_layer("flatten").output.shape == (None, 200 * 4)
    assert regression.loss == "mse" and regression.output_shape == (None, 2)
    classifier = flattened_states(units=4, dense_units=16, target="classification",
                                         channels=2)
    out = classifier.predict(beats().x[:3], verbose=0)
    assert set(out) == {"onset", "offset"}
    np.testing.assert_allclose(out["offset"].sum(axis=1), 1.0, atol=1e-5)


def test_positions_from_distribution() -> None:
    probs = boundary_targets(np.array([10, 150]), 200, sigma=3.0)
    np.testing.assert_allclose(positions_from_distribution(probs), [10, 150])
    np.testing.assert_allclose(positions_from_distribution(probs, "mean"), [10, 150],
                               atol=0.01)


# ----------------------------------------------------------------------- lesson 04


def test_segmenter_shapes_and_calibration() -> None:
    model = segmenter()
    assert 40_000 <= count_params(model) <= 55_000  # the note's ~47k calibration
    assert any(isinstance(layer, keras.layers.Bidirectional) for layer in model.layers)
    predict = predict_fn(model, jit_compile=False)  # XLA is tested below
    for length in (500, 2500):
        out = predict(np.zeros((2, length, 1), np.float32))
        assert out.shape == (2, length, 4)
        np.testing.assert_allclose(out.sum(axis=-1), 1.0, atol=1e-5)
    no_front = segmenter(conv_filters=None, lstm_units=4)
    assert no_front.predict(np.zeros((1, 37, 1)), verbose=0).shape == (1, 37, 4)
    fixed = segmenter(length=500, lstm_units=8, conv_filters=(4,))
    assert fixed.input_shape == (None, 500, 1) and fixed.output_shape == (None, 500, 4)


def test_segmenter_learned_upsampling_generalises_repeating() -> None:
    """Each pooled step writes its own samples; with every phase given the same weights
    (centre step only) it is the repeat-upsampling decoder, so it can only add."""
    pool, units, filters = 5, 4, 3
    model = segmenter(length=50, conv_filters=(4,), pool_size=pool, lstm_units=units,
                      decoder_filters=filters, upsampling="learned", dropout=0.0)
    names = [layer.name for layer in model.layers]
    assert names[names.index("recurrent_1") + 1:] == [
        "upsample_conv", "upsample", "skip_conv", "skip", "decoder", "segments"]
    conv = model.get_layer("upsample_conv")
    kernel, bias = conv.get_weights()
    assert kernel.shape == (3, 2 * units, filters * pool)
    rng = np.random.default_rng(0)
    w, b = rng.normal(size=(2 * units, filters)), rng.normal(size=filters)
    same = np.zeros_like(kernel)
    same[1] = np.tile(w, (1, pool))                 # every phase: the same centre weights
    conv.set_weights([same, np.tile(b, pool)])
    x = rng.normal(size=(2, 50, 1)).astype(np.float32)
    states = keras.Model(model.input, model.get_layer("recurrent_1").output)(x)
    upsampled = keras.Model(model.input, model.get_layer("upsample").output)(x)
    expected = np.repeat(np.asarray(states) @ w + b, pool, axis=1)
    np.testing.assert_allclose(np.asarray(upsampled), expected, rtol=1e-4, atol=1e-5)
    with pytest.raises(ValueError, match="upsampling must be 'repeat' or 'learned'"):
        segmenter(upsampling="linear")


@pytest.mark.parametrize("kernel_size, pool_size", [(9, 5), (9, 4), (11, 3), (3, 5)])
def test_pooled_rate_decoder_is_the_same_function(kernel_size, pool_size) -> None:
    """Convolving repeated states = convolving the pooled states with a kernel per phase:
    the same outputs for any odd kernel and pooling (a tap may reach 1 or 2 steps)."""
    set_seed(0)
    model = segmenter(conv_filters=(4, 6), kernel_size=kernel_size, pool_size=pool_size,
                      lstm_units=5, decoder_filters=7, dropout=0.0)
    for weights in model.weights:           # non-zero biases too, so they are checked
        weights.assign(np.random.default_rng(1).normal(scale=0.3, size=weights.shape))
    fast = pooled_rate_decoder(model)
    side = fast.get_layer("pooled_rate_decoder").side     # pooled steps a tap reaches
    assert side == -(-(kernel_size // 2) // pool_size)
    x = np.random.default_rng(2).normal(size=(3, 60 * pool_size, 1)).astype(np.float32)
    np.testing.assert_allclose(np.asarray(fast(x)), np.asarray(model(x)), atol=1e-5)
    assert count_params(fast) == count_params(model)          # the same weights, shared
    # trained in place, the original still gives what the rewritten one gives
    for weights in model.weights:
        weights.assign(weights * 0.5 + 0.1)
    np.testing.assert_allclose(np.asarray(fast(x)), np.asarray(model(x)), atol=1e-5)


def test_pooled_rate_decoder_leaves_other_layouts_alone() -> None:
    for model in (segmenter(conv_filters=(4,), lstm_units=4, upsampling="learned"),
                  segmenter(conv_filters=None, lstm_units=4),
                  segmenter(conv_filters=(4,), lstm_units=4, decoder_filters=None),
                  boundary_classifier(length=50, units=4)):
        assert pooled_rate_decoder(model) is model


def test_segmenter_masks_unlabelled_samples() -> None:
    """Per-time-step sample weights: labels where valid is False change nothing."""
    data = windows()
    x, labels = data.x[:16], data.labels[:16].astype(np.int64)
    rng = np.random.default_rng(0)
    valid = data.valid[:16] & (rng.random(labels.shape) > 0.3)  # mask ~30% more samples
    clean = np.where(valid, labels, 0)
    other = (np.maximum(labels, 0) + 1 + rng.integers(0, 3, labels.shape)) % 4
    changed = np.where(valid, labels, other)
    assert (changed[~valid] != clean[~valid]).mean() > 0.5
    weights = valid.astype(np.float32)

    set_seed(0)
    model = segmenter(conv_filters=(4,), lstm_units=4, decoder_filters=4)
    loss = model.evaluate(x, clean, sample_weight=weights, verbose=0, batch_size=16,
                          return_dict=True)
    loss_changed = model.evaluate(x, changed, sample_weight=weights, verbose=0, batch_size=16,
                                  return_dict=True)
    assert loss_changed["loss"] == pytest.approx(loss["loss"], rel=1e-6)
    assert loss_changed["accuracy"] == pytest.approx(loss["accuracy"], rel=1e-6)
    # the loss is the mean cross-entropy over labelled samples only
    probs = model.predict(x, verbose=0)
    ce = -np.log(np.clip(np.take_along_axis(probs, clean[..., None], -1)[..., 0], 1e-7, 1))
    assert loss["loss"] == pytest.approx((ce * weights).sum() / weights.sum(), rel=1e-4)
    # ... and it is sensitive to labels where valid is True (the check above is not vacuous)
    flipped = np.where(valid, (clean + 1) % 4, clean)
    unmasked = model.evaluate(x, flipped, sample_weight=weights, verbose=0, batch_size=16,
                              return_dict=True)
    assert abs(unmasked["loss"] - loss["loss"]) > 1e-3
    # raw WindowSet labels (-1 where unlabelled) are accepted as they are
    raw = model.evaluate(x, np.where(valid, labels, -1), sample_weight=weights, verbose=0,
                         batch_size=16, return_dict=True)
    assert raw["loss"] == pytest.approx(loss["loss"], rel=1e-6)

    # training (through training.fit, boolean per-step weights): one step from the same seed
    # gives the same weights whatever the labels at masked samples
    trained = []
    for target in (clean, changed):
        set_seed(0)
        m = segmenter(conv_filters=(4,), lstm_units=4, decoder_filters=4, dropout=0.0,
                             bidirectional=False)
        result = fit(m, x, target, sample_weight=valid, batch_size=16, epochs=1, seed=0,
                     progress=None)
        assert np.isfinite(result.history["loss"][0]) and "accuracy" in result.history
        trained.append(m.get_weights())
    for a, b in zip(*trained, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


# ----------------------------------------------------------------------- helpers


def test_predict_fn_matches_predict_and_falls_back(monkeypatch) -> None:
    model = boundary_classifier(units=4, bidirectional=False)
    x = beats().voltage[:5, :, None]
    expected = model.predict(x, verbose=0)
    fast = predict_fn(model)
    assert fast.jit_compiled is None
    got = fast(x)
    assert fast.jit_compiled is True
    for head in expected:
        np.testing.assert_allclose(got[head], expected[head], atol=1e-5)

    original = FastPredictor._make

    def no_xla(self, jit):
        if jit:
            raise RuntimeError("XLA cannot compile this model")
        return original(self, jit)

    monkeypatch.setattr(FastPredictor, "_make", no_xla)
    slow = predict_fn(model)
    got = slow(x)
    assert slow.jit_compiled is False
    np.testing.assert_allclose(got["onset"], expected["onset"], atol=1e-5)
    assert predict_fn(model, jit_compile=False).jit_compiled is False


def test_import_ecgteach_stays_tensorflow_free() -> None:
    code = ("import sys, ecgteach, ecgteach.nn, ecgteach.delineation, ecgteach.beats; "
            "bad = [m for m in ('tensorflow', 'keras') if m in sys.modules]; "
            "assert not bad, bad")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, env=env, timeout=120)
