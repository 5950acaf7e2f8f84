"""Diagnostics the lessons print: why a regression collapsed, and what a classifier believes.

* :func:`regression_report` states, from the numbers, whether a model collapsed
  (std of predictions / std of labels) and how it compares with always
  predicting the training mean.
* :func:`input_saturation` measures how much of the first LSTM layer's gate
  input is pushed into the flat part of the sigmoid by each input channel —
  the mechanism by which a raw ``time_ms`` channel (0-800) stalls learning.
* :func:`boundary_probabilities` returns a classifier's onset/offset
  distributions over time for beats, for the probability inspector.

The learner's model on raw inputs, trained for one epoch (the numbers vary with
the machine; lesson 02 trains it for longer):

>>> from ecgteach.beats import beat_splits, train_regression
>>> splits = beat_splits(fast=True)
>>> result = train_regression(splits, scaling="raw", epochs=1, progress=None,
...                           build_kwargs={"units": (4,)})
>>> print(regression_report(result))
learner_lstm — 25 val beats, 1 epoch(s), ... s
  QRS onset : MAE ... ms (always predicting the training mean: ... ms); std(pred)/std(label) = ...
  QRS offset: MAE ... ms (always predicting the training mean: ... ms); std(pred)/std(label) = ...
  MSE ... samples² vs ... for the mean: ... than predicting the mean
>>> saturation = input_saturation(result.models["model"], result.scaler.x(splits.val))
>>> saturation["channel 0"] > 0.5, saturation["channel 1"] < 0.05   # time_ms, voltage
(True, True)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ecgteach.evaluation.collapse import COLLAPSED_BELOW
from ecgteach.nn.predict import predict_fn


def regression_report(result: Any, part: str = "val") -> str:
    """Plain-language verdict on an ExperimentResult, every number computed from it.

    It reads ``name``, ``epochs_run``, ``train_seconds`` and ``metrics[part]``
    (:func:`ecgteach.beats.results.beat_scores`); here a stand-in with those
    attributes holds predictions that barely move from beat to beat:

    >>> from types import SimpleNamespace
    >>> import numpy as np
    >>> from ecgteach.beats.results import beat_scores
    >>> labels = np.array([[60, 80], [70, 95], [80, 110], [70, 95]])
    >>> almost_constant = np.array([[69.5, 94.5], [70, 95], [70.5, 95.5], [70, 95]])
    >>> result = SimpleNamespace(name="almost constant", epochs_run=3, train_seconds=12.0,
    ...                          metrics={"val": beat_scores(almost_constant, labels, labels,
    ...                                                      fs=250)})
    >>> print(regression_report(result))
    almost constant — 4 val beats, 3 epoch(s), 12 s
      QRS onset : MAE   19.0 ms (always predicting the training mean:  20.0 ms);
        std(pred)/std(label) = 0.05 -> COLLAPSED (nearly one answer for every beat)
      QRS offset: MAE   29.0 ms (always predicting the training mean:  30.0 ms);
        std(pred)/std(label) = 0.033 -> COLLAPSED (nearly one answer for every beat)
      MSE 75.12 samples² vs 81.25 for the mean: better than predicting the mean
    """
    m = result.metrics[part]
    lines = [f"{result.name} — {m['n']} {part} beats, {result.epochs_run} epoch(s), "
             f"{result.train_seconds:.0f} s"]
    for i, boundary in enumerate(("onset", "offset")):
        ratio = float(m["collapse_ratio"][i])
        verdict = "COLLAPSED (nearly one answer for every beat)" if ratio < COLLAPSED_BELOW \
            else "varies with the beat"
        lines.append(
            f"  QRS {boundary:6s}: MAE {m['mae_ms'][i]:6.1f} ms (always predicting the training "
            f"mean: {m['mae_mean_baseline_ms'][i]:5.1f} ms); std(pred)/std(label) = "
            f"{ratio:.2g} -> {verdict}"
        )
    if not np.isfinite(m["mse"]):
        verdict = "not a number: the training diverged"
    elif m["mse"] < m["mse_mean_baseline"]:
        verdict = "better than predicting the mean"
    elif m["mse"] == m["mse_mean_baseline"]:
        verdict = "no better than predicting the mean"
    else:
        verdict = "WORSE than predicting the mean"
    lines.append(f"  MSE {m['mse']:.4g} samples² vs {m['mse_mean_baseline']:.4g} for the mean: "
                 f"{verdict}")
    return "\n".join(lines)


def gradient_by_time_step(model: Any, x: np.ndarray, output: int = 0,
                          batch_size: int = 8) -> np.ndarray:
    """How much each time step of the input moves a last-state model's answer: ``|∂y/∂x_t|``.

    The mean absolute gradient of output column ``output`` (0: the onset) with
    respect to every input sample, averaged over beats and channels, one value
    per time step. For a network that reads only its last hidden state, a
    gradient that fades towards the start of the row is the vanishing gradient:
    the early samples barely move the answer, so they barely get trained. Beats
    run ``batch_size`` at a time (a backward pass through 200 steps of a large
    LSTM keeps every step's activations).

    >>> from ecgteach.nn.fitting import set_seed
    >>> from ecgteach.nn.models import learner_lstm
    >>> set_seed(0)
    >>> x = np.random.default_rng(0).normal(size=(4, 60, 1)).astype("float32")
    >>> g = gradient_by_time_step(learner_lstm(length=60, channels=1, units=(8,)), x)
    >>> g.shape, bool(g[-10:].mean() > g[:10].mean())      # the last steps weigh most
    ((60,), True)
    """
    import tensorflow as tf

    if isinstance(model.output, dict):
        raise ValueError("gradient_by_time_step reads a regression's (n, 2) output, "
                         "not a classifier's dict")

    @tf.function(reduce_retracing=True)
    def gradient(inputs: Any) -> Any:  # compiled: an eager LSTM backward pass is slow
        with tf.GradientTape() as tape:
            tape.watch(inputs)
            chosen = tf.reduce_sum(model(inputs, training=False)[:, output])
        return tape.gradient(chosen, inputs)

    x = np.asarray(x, dtype=np.float32)
    total = np.zeros(x.shape[1])
    for start in range(0, len(x), int(batch_size)):
        batch = tf.convert_to_tensor(x[start : start + int(batch_size)])
        total += np.abs(gradient(batch).numpy()).sum(axis=(0, 2))
    return total / (len(x) * x.shape[2])


def input_saturation(model: Any, x: np.ndarray, threshold: float = 4.0) -> dict[str, float]:
    """Share of first-LSTM gate pre-activations with ``|z| > threshold``, per input channel.

    Only the input part ``x_t · W`` of the pre-activation is used (what each
    channel alone contributes; the recurrent part comes on top). ``|z| > 4``
    puts a sigmoid within 2 % of 0 or 1, where its gradient is < 2 % of the
    maximum. Keys: ``"all"`` and ``"channel 0"``, ``"channel 1"``, ...

    An untrained learner's LSTM already saturates on a time channel in ms: it
    is the scale of the input, not the training.

    >>> import numpy as np
    >>> from ecgteach.nn.fitting import set_seed
    >>> from ecgteach.nn.models import learner_lstm
    >>> set_seed(0)
    >>> model = learner_lstm(length=20, units=(4,))
    >>> time_ms = np.tile(np.arange(20) * 40.0, (5, 1))            # 0-760 ms
    >>> volts = np.random.default_rng(0).normal(0, 0.2, size=(5, 20))
    >>> raw = input_saturation(model, np.stack([time_ms, volts], axis=-1))
    >>> scaled = input_saturation(model, np.stack([time_ms / 800, volts], axis=-1))
    >>> sorted(raw), raw["channel 0"] > 0.5, scaled["all"]
    (['all', 'channel 0', 'channel 1'], True, 0.0)
    """
    import keras

    lstm = next((layer for layer in model.layers if isinstance(layer, keras.layers.LSTM)), None)
    if lstm is None:
        raise ValueError(f"{model.name} has no LSTM layer to inspect")
    kernel = np.asarray(lstm.cell.kernel)  # (channels, 4 * units)
    bias = np.asarray(lstm.cell.bias)
    x = np.asarray(x, dtype=np.float32)
    if x.shape[-1] != kernel.shape[0]:
        raise ValueError(f"the first LSTM reads {kernel.shape[0]} channels; x has {x.shape[-1]} "
                         "(is an earlier layer, e.g. a Conv1D, in front of it?)")
    steps = x.reshape(-1, x.shape[-1])
    steps = steps[np.abs(steps).sum(axis=1) > 0]  # skip the zero padding
    out = {"all": float(np.mean(np.abs(steps @ kernel + bias) > threshold))}
    for channel in range(kernel.shape[0]):
        alone = steps[:, channel : channel + 1] @ kernel[channel : channel + 1] + bias
        out[f"channel {channel}"] = float(np.mean(np.abs(alone) > threshold))
    return out


def last_state_spread(model: Any, x: np.ndarray) -> dict[str, float]:
    """What the ``Dense(2)`` of a last-state regression gets to read: the last LSTM's state.

    Runs ``x`` through the model up to its last LSTM layer and returns, over
    that layer's units: ``"saturated"``, the share of state values with
    ``|h| > 0.95`` (tanh stuck near ±1); ``"spread"``, the mean over units of the
    state's standard deviation across beats (0: every beat gives the same
    state, so no readout can tell beats apart); and ``"units"``.

    >>> from ecgteach.nn.fitting import set_seed
    >>> from ecgteach.nn.models import learner_lstm
    >>> set_seed(0)
    >>> x = np.random.default_rng(0).normal(size=(6, 20, 2)).astype("float32")
    >>> spread = last_state_spread(learner_lstm(length=20, units=(4, 3)), x)
    >>> spread["units"], 0 < spread["spread"] < 1, spread["saturated"]
    (3, True, 0.0)
    """
    import keras

    lstms = [layer for layer in model.layers if isinstance(layer, keras.layers.LSTM)]
    if not lstms:
        raise ValueError(f"{model.name} has no LSTM layer to inspect")
    reader = keras.Model(model.inputs, lstms[-1].output)
    states = np.asarray(predict_fn(reader, jit_compile=False)(np.asarray(x, dtype=np.float32)))
    if states.ndim != 2:
        raise ValueError(f"the last LSTM of {model.name} returns every state; this reads a "
                         "last-state model")
    return {"saturated": float(np.mean(np.abs(states) > 0.95)),
            "spread": float(states.std(axis=0).mean()), "units": int(states.shape[1])}


def boundary_probabilities(result: Any, beats: Any) -> tuple[np.ndarray, np.ndarray]:
    """Onset and offset distributions ``(n, length)`` of a boundary classifier for ``beats``.

    ``result`` is what :func:`ecgteach.beats.recipes.train_boundary_classifier`
    returns; it needs ``kind``, ``scaler`` and ``models``. Here an untrained
    stand-in (shapes only):

    >>> from types import SimpleNamespace
    >>> import numpy as np
    >>> from ecgteach.beats import SCALINGS, beat_splits
    >>> from ecgteach.nn.models import boundary_classifier
    >>> splits = beat_splits(fast=True)
    >>> classifier = SimpleNamespace(
    ...     name="untrained", kind="classification",
    ...     scaler=SCALINGS["voltage_channel"].fit(splits.train),
    ...     models={"onset+offset": boundary_classifier(length=200, channels=1, units=4)})
    >>> onset, offset = boundary_probabilities(classifier, splits.val)
    >>> onset.shape, offset.shape, bool(np.allclose(onset.sum(axis=1), 1.0, atol=1e-5))
    ((25, 200), (25, 200), True)
    >>> boundary_probabilities(SimpleNamespace(name="mse", kind="regression"), splits.val)
    Traceback (most recent call last):
    ...
    ValueError: mse is a regression model: it has no probabilities over time
    """

    if result.kind != "classification":
        raise ValueError(f"{result.name} is a {result.kind} model: it has no probabilities "
                         "over time")
    x = result.scaler.x(beats)
    heads: dict[str, np.ndarray] = {}
    for model in result.models.values():
        heads.update(predict_fn(model, jit_compile=False)(x))
    return heads["onset"], heads["offset"]
