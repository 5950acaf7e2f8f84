"""Diagnostics the lessons print: why a regression collapsed, and what a classifier believes.

* :func:`regression_report` states, from the numbers, whether a model collapsed
  (std of predictions / std of labels) and how it compares with always
  predicting the training mean.
* :func:`input_saturation` measures how much of the first LSTM layer's gate
  input is pushed into the flat part of the sigmoid by each input channel —
  the mechanism by which a raw ``time_ms`` channel (0-800) stalls learning.
* :func:`boundary_probabilities` returns a classifier's onset/offset
  distributions over time for beats, for the probability inspector.

Usage::

    print(regression_report(result))
    input_saturation(result.models["model"], result.scaler.x(splits.val))
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ecgteach.evaluation.collapse import COLLAPSED_BELOW
from ecgteach.nn.predict import predict_fn


def regression_report(result: Any, part: str = "val") -> str:
    """Plain-language verdict on an ExperimentResult, every number computed from it.

    Usage: ``print(regression_report(result))``.
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
    better = "better" if m["mse"] < m["mse_mean_baseline"] else "WORSE"
    lines.append(f"  MSE {m['mse']:.4g} samples² vs {m['mse_mean_baseline']:.4g} for the mean: "
                 f"{better} than predicting the mean")
    return "\n".join(lines)


def input_saturation(model: Any, x: np.ndarray, threshold: float = 4.0) -> dict[str, float]:
    """Share of first-LSTM gate pre-activations with ``|z| > threshold``, per input channel.

    Only the input part ``x_t · W`` of the pre-activation is used (what each
    channel alone contributes; the recurrent part comes on top). ``|z| > 4``
    puts a sigmoid within 2 % of 0 or 1, where its gradient is < 2 % of the
    maximum. Keys: ``"all"`` and ``"channel 0"``, ``"channel 1"``, ...
    Usage: ``input_saturation(model, scaler.x(splits.val))``.
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


def boundary_probabilities(result: Any, beats: Any) -> tuple[np.ndarray, np.ndarray]:
    """Onset and offset distributions ``(n, length)`` of a boundary classifier for ``beats``.

    Usage: ``onset, offset = boundary_probabilities(classifier, splits.val)``.
    """

    if result.kind != "classification":
        raise ValueError(f"{result.name} is a {result.kind} model: it has no probabilities "
                         "over time")
    x = result.scaler.x(beats)
    heads: dict[str, np.ndarray] = {}
    for model in result.models.values():
        heads.update(predict_fn(model, jit_compile=False)(x))
    return heads["onset"], heads["offset"]
