"""Lesson 02's exercises: the collapse ratio, the mean baseline, the learner's stacked LSTM.

>>> import numpy as np
>>> import ecgteach
>>> def collapse_ratio(predictions, labels):
...     return np.std(predictions, axis=0) / np.std(labels, axis=0)
>>> ecgteach.check("02.1", collapse_ratio)
[02.1] ✓ correct: ...
>>> ecgteach.check("02.1", lambda p, y: np.var(p, axis=0) / np.var(y, axis=0)).message
'...That is the ratio of the variances...'
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ecgteach.classroom.feedback import (
    Answered,
    Feedback,
    array,
    call,
    exercise,
    number,
    same,
    wrong,
)
from ecgteach.evaluation.collapse import COLLAPSED_BELOW, collapse_ratio

#: Hand-made (predictions, labels) of six beats, [onset, offset] in samples: predictions
#: that vary a little, then an onset column that never moves.
_COLLAPSE_CASES = (
    (np.array([[65, 93], [66, 96], [67, 98], [66, 95], [68, 99], [65.5, 94]]),
     np.array([[58, 84], [63, 95], [70, 101], [66, 90], [74, 112], [61, 88]], dtype=float)),
    (np.array([[66, 80], [66, 97], [66, 99], [66, 90], [66, 118], [66, 85]], dtype=float),
     np.array([[60, 82], [72, 96], [64, 101], [69, 92], [57, 115], [66, 87]], dtype=float)),
)


@exercise("02.1", "Write collapse_ratio(predictions, labels): std(predictions) / std(labels) "
          "for each column (onset, offset).", writes="collapse_ratio(predictions, labels)")
def _check_02_1(function: Any) -> Feedback:
    for predictions, labels in _COLLAPSE_CASES:
        case = (f"collapse_ratio(predictions, labels) with predictions[:, 0] = "
                f"{predictions[:, 0].tolist()} and labels[:, 0] = {labels[:, 0].tolist()}")
        got = array("02.1", call("02.1", function, predictions, labels, case=case))
        expected = collapse_ratio(predictions, labels)
        if same(got, expected):
            continue
        n = len(labels)
        pred_sd, label_sd = predictions.std(axis=0), labels.std(axis=0)
        hint = "std of each column of the predictions, divided by std of the same column of " \
               "the labels (np.std(..., axis=0))"
        with np.errstate(divide="ignore", invalid="ignore"):
            if same(got, expected**2):
                hint = ("that is the ratio of the variances; the collapse ratio divides standard "
                        "deviations (np.std), which keeps it in the units of a spread")
            elif same(got, label_sd / pred_sd):
                hint = "upside down: std of the predictions divided by std of the labels"
            elif got.size == 1 or same(got, np.full(2, predictions.std() / labels.std())):
                hint = ("one ratio for everything: the onset and the offset each get their own "
                        "(axis=0, one value per column)")
            elif same(got, predictions.std(axis=1) / labels.std(axis=1)):
                hint = "that is one ratio per beat (axis=1); take each column over the beats: " \
                       "axis=0"
            elif same(got, (predictions - labels).std(axis=0) / label_sd):
                hint = ("that is the spread of the errors; the collapse ratio compares the "
                        "spread of the predictions themselves with that of the labels")
            elif same(got, predictions.mean(axis=0) / labels.mean(axis=0)):
                hint = "that is a ratio of means; the collapse ratio is a ratio of spreads (std)"
            elif same(got, expected * math.sqrt(n / (n - 1))) or same(
                    got, expected * math.sqrt((n - 1) / n)):
                hint = "use the same std for both (the same ddof) so the ratio is 1 for a copy"
        return wrong("02.1", f"{case} gave {np.round(got, 4).tolist()}, expected "
                     f"{np.round(expected, 4).tolist()}", hint)
    return Feedback("02.1", True, "one ratio per column: near 1 the predictions vary as much "
                    f"as the truth, below {COLLAPSED_BELOW} the model gives nearly one answer "
                    "for every beat (the second case's onset: 0).")


def _as_printed(value: float, expected: float) -> bool:
    """``value`` is what ``{expected:.2g}`` prints, or closer to ``expected`` than that.

    >>> _as_printed(0.046, 0.04567), _as_printed(0.0457, 0.04567), _as_printed(0.05, 0.04567)
    (True, True, False)
    """
    if not (math.isfinite(value) and math.isfinite(expected)):
        return False
    if value == float(f"{expected:.2g}"):
        return True
    if expected == 0:
        return abs(value) < 1e-12
    half_digit = 0.5 * 10 ** (math.floor(math.log10(abs(expected))) - 1)
    return abs(value - expected) <= half_digit * (1 + 1e-9)


@exercise("02.2", "What collapse ratio does the run with z-scored targets reach for the onset?")
def _check_02_2(answer: Any, result: Any) -> Feedback:
    predictions = np.asarray(result.predictions["val"])[:, 0]
    labels = np.asarray(result.labels["val"])[:, 0]
    expected = float(predictions.std() / labels.std())
    value = number("02.2", answer)
    if _as_printed(value, expected):
        verdict = "one answer for every beat" if expected < COLLAPSED_BELOW else "the answers vary"
        return Feedback("02.2", True, f"{expected:.2g}: {verdict}.")
    if _as_printed(value, expected**2):
        return Feedback("02.2", False, "that is the ratio of variances; the collapse ratio "
                        "uses standard deviations.")
    if expected > 0 and _as_printed(value, 1 / expected):
        return Feedback("02.2", False, "upside down: std of the predictions divided by std "
                        "of the labels.")
    offset = np.asarray(result.predictions["val"])[:, 1].std() / \
        np.asarray(result.labels["val"])[:, 1].std()
    if _as_printed(value, float(offset)):
        return Feedback("02.2", False, "that is the offset's ratio (column 1); the question "
                        "asks for the onset (column 0).")
    if expected and float(f"{value:.1g}") == float(f"{expected:.1g}"):
        return Feedback("02.2", False, f"close: the report prints {expected:.2g}; give at least "
                        "two significant digits.")
    return Feedback("02.2", False, "compute std(predictions) / std(labels) of the onset, on "
                    "the validation beats: result.metrics['val']['collapse_ratio'] holds it.")


@exercise("02.3", "How far off (ms) is always predicting the training-mean QRS onset?")
def _check_02_3(answer: Any, splits: Any) -> Feedback:
    ms = 1000.0 / splits.fs
    train_mean = splits.train.y[:, 0].mean()
    expected = float(np.abs(splits.val.y[:, 0] - train_mean).mean() * ms)
    value = number("02.3", answer)
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


#: (length, channels, units) the check builds the student's stacked LSTM with.
_LSTM_CASES = ((10, 2, (6, 4, 3)), (8, 1, (5,)))


def _lstm_layers(model: Any) -> list[Any]:
    import keras

    found = []
    for layer in model.layers:
        inner = getattr(layer, "forward_layer", layer)  # a Bidirectional wraps its LSTM
        if isinstance(inner, keras.layers.LSTM):
            found.append(inner)
    return found


def _stacked_lstm_problem(model: Any, length: int, channels: int, units: tuple[int, ...]
                          ) -> str | None:
    """What is wrong with the student's model for one case (None: nothing)."""
    import keras

    if not isinstance(model, keras.Model):
        return (f"it returned a {type(model).__name__}; return the Keras model "
                "(keras.Sequential([...]) or keras.Model(inputs, outputs))")
    if not model.built or not model.layers:
        return ("the model has no input yet: start it with keras.Input((length, channels)) "
                "so it is built")
    lstms = _lstm_layers(model)
    if tuple(layer.units for layer in lstms) != tuple(units):
        return (f"its LSTM layers have {tuple(layer.units for layer in lstms)} units; they "
                f"should follow units={units}, one LSTM per entry, in order")
    shape = tuple(model.input_shape)
    if shape != (None, length, channels):
        return (f"its input shape is {shape}, expected (None, {length}, {channels}): "
                "keras.Input((length, channels)), time steps first")
    if len(model.output_shape) == 3:
        return (f"its output shape is {tuple(model.output_shape)}, one answer per time step: "
                "the last LSTM must keep return_sequences=False so only its last hidden state "
                "reaches Dense(2)")
    if lstms[-1].return_sequences:
        return ("it reads every hidden state (return_sequences=True on the last LSTM, then "
                "flattened or pooled); the learner's model reads only the last one: "
                "return_sequences=False on the last LSTM, straight into Dense(2)")
    last = model.layers[-1]
    if not isinstance(last, keras.layers.Dense) or last.units != 2:
        return "end with keras.layers.Dense(2): [onset, offset]"
    if getattr(last.activation, "__name__", "") != "linear":
        return ("Dense(2) has an activation; a position is any number, so leave it linear "
                "(no activation)")
    if not getattr(model, "compiled", False):
        return "it is not compiled: model.compile(optimizer='rmsprop', loss='mse')"
    out = keras.ops.convert_to_numpy(model(np.zeros((3, length, channels), np.float32)))
    if out.shape != (3, 2):
        return f"on 3 rows it answers shape {out.shape}, expected (3, 2)"
    return None


@exercise("02.4", "Write stacked_lstm(length, channels, units): a compiled Keras model, one "
          "LSTM per entry of units, that reads only the last hidden state into Dense(2).",
          writes="stacked_lstm(length, channels, units)")
def _check_02_4(function: Any) -> Feedback:
    for length, channels, units in _LSTM_CASES:
        case = f"stacked_lstm(length={length}, channels={channels}, units={units})"
        try:
            model = call("02.4", function, length, channels, units, case=case)
        except Answered as answered:  # it raised: add the hint for the usual mistake
            if "ndim" not in answered.feedback.message:  # "expected ndim=3, found ndim=2"
                raise
            return wrong("02.4", answered.feedback.message, "An LSTM that feeds another LSTM "
                         "needs return_sequences=True: the next one reads a sequence, one "
                         "hidden state per step")
        problem = _stacked_lstm_problem(model, length, channels, units)
        if problem:
            return Feedback("02.4", False, f"{case}: {problem}.")
    return Feedback("02.4", True, "the learner's shape: each LSTM but the last passes its whole "
                    "sequence on, the last passes one state, and Dense(2) regresses [onset, "
                    "offset] from it.")
