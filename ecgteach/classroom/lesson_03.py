"""Lesson 03's exercises: a softmax over time, positions from a distribution, the targets.

>>> import numpy as np
>>> import ecgteach
>>> def positions(probabilities):
...     p = np.asarray(probabilities, dtype=float)
...     steps = np.arange(p.shape[1])
...     return p.argmax(axis=1), (p * steps).sum(axis=1) / p.sum(axis=1)
>>> ecgteach.check("03.2", positions)
[03.2] ✓ correct: ...
>>> ecgteach.check("03.2", lambda p: (p.argmax(axis=1) + 1, (p * np.arange(1, 10)).sum(1)))
[03.2] ✗ not yet: ...0-based...
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from ecgteach.beats.targets import boundary_targets, positions_from_distribution
from ecgteach.classroom.feedback import (
    Answered,
    Feedback,
    array,
    call,
    error_text,
    exercise,
    same,
    wrong,
)

#: The hidden scores of 03.1: 3 rows of 9 time steps (one score per step).
_SCORES = np.array([[0.5, -1.0, 2.0, 0.0, 1.5, -0.5, 3.0, 0.2, -2.0],
                    [1.0, 1.0, 1.0, 4.0, 1.0, 0.0, -1.0, 2.0, 0.5],
                    [-3.0, 0.0, 0.7, 0.7, 2.2, 1.1, 0.0, -0.3, 0.4]], dtype=np.float32)[..., None]


def _softmax(scores: np.ndarray, axis: int) -> np.ndarray:
    shifted = np.exp(scores - scores.max(axis=axis, keepdims=True))
    return shifted / shifted.sum(axis=axis, keepdims=True)


def _softmax_problem(got: np.ndarray) -> str:
    """The usual mistake behind a wrong output of 03.1 (shape and values)."""
    scores, n, steps = _SCORES, _SCORES.shape[0], _SCORES.shape[1]
    expected = _softmax(scores[..., 0], axis=1)
    if got.shape == (n, steps, 1):
        if np.allclose(got, 1.0):
            return ("all ones: a softmax over the last axis, of size 1, has only one step to "
                    "share the probability with. Squeeze that axis away first, then the "
                    "softmax runs over time")
        if same(got[..., 0], expected):
            return ("the right numbers, but shape (batch, time, 1): squeeze the last axis "
                    "(keras.layers.Reshape((time,)) or keras.ops.squeeze(scores, -1))")
        return "shape (batch, time, 1): squeeze the last axis, then a softmax over time"
    if got.shape != (n, steps):
        return f"shape {got.shape}; expected (batch, time) = ({n}, {steps})"
    if same(got, scores[..., 0]):
        return "those are the scores themselves: no softmax was applied"
    if same(got, _softmax(scores[..., 0], axis=0)):
        return ("each time step sums to 1 over the batch (axis 0): the softmax must run over "
                "time, within each row")
    if same(got, 1 / (1 + np.exp(-scores[..., 0]))):
        return "a sigmoid scores each step on its own; only a softmax over time makes a " \
               "distribution"
    return "each row must be exp(score) / sum over the row of exp(score)"


@exercise("03.1", "Write softmax_over_time(scores): Keras (batch, time, 1) scores -> (batch, "
          "time) probabilities that sum to 1 over time.", writes="softmax_over_time(scores)")
def _check_03_1(function: Any) -> Feedback:
    import keras

    steps = _SCORES.shape[1]
    case = f"softmax_over_time(keras.Input(({steps}, 1)))"
    inputs = keras.Input((steps, 1))
    try:
        outputs = call("03.1", function, inputs, case=case)
    except Answered as answered:
        if "total size" in answered.feedback.message:  # Reshape((200,)): a fixed length
            return wrong("03.1", answered.feedback.message, f"The number of time steps is "
                         f"scores.shape[1] ({steps} here): never write the length in")
        raise
    try:
        with warnings.catch_warnings():  # Keras warns of a softmax over an axis of size 1
            warnings.simplefilter("ignore")
            model = keras.Model(inputs, outputs)
            got = np.asarray(keras.ops.convert_to_numpy(model(_SCORES)), dtype=float)
    except Exception as error:
        return Feedback("03.1", False, f"could not build keras.Model(scores, your output) "
                        f"({error_text(error)[:200]}): return a Keras tensor made from scores "
                        "with Keras layers or keras.ops")
    expected = _softmax(_SCORES[..., 0], axis=1)
    if same(got, expected):
        return Feedback("03.1", True, f"shape (batch, {steps}) and every row sums to 1 over "
                        "time: the steps compete for one boundary, as the classifier needs.")
    return wrong("03.1", f"on 3 rows of {steps} scores: {_softmax_problem(got)}")


#: Hidden rows of 03.2: a clear peak, a hesitation between two places, unnormalised weights.
_DISTRIBUTIONS = np.array([
    [0.0, 0.02, 0.08, 0.2, 0.4, 0.2, 0.08, 0.02, 0.0],
    [0.05, 0.4, 0.05, 0.0, 0.0, 0.0, 0.05, 0.35, 0.1],
    [0.0, 0.0, 0.1, 0.3, 0.6, 0.9, 0.4, 0.2, 0.0],
])


@exercise("03.2", "Write positions(probabilities): per row of an (n, T) distribution over "
          "time, the most probable step and the expected position.",
          writes="positions(probabilities)")
def _check_03_2(function: Any) -> Feedback:
    p = _DISTRIBUTIONS
    case = f"positions(probabilities of shape {p.shape})"
    answer = call("03.2", function, p.copy(), case=case)
    if not isinstance(answer, (tuple, list)) and np.ndim(answer) != 2 or len(answer) != 2:
        return Feedback("03.2", False, "return two arrays, (argmax positions, expected "
                        "positions), e.g. return peak, mean")
    peak, mean = (array("03.2", part, "each returned array").ravel() for part in answer)
    expected_peak = positions_from_distribution(p, "argmax")
    expected_mean = positions_from_distribution(p, "mean")
    if same(peak, expected_peak) and same(mean, expected_mean):
        return Feedback("03.2", True, f"argmax {expected_peak.astype(int).tolist()}, expected "
                        f"{np.round(expected_mean, 2).tolist()}: the second row hesitates "
                        "between steps 1 and 7 and its mean lands between them, where the "
                        "model does not believe the boundary is.")
    steps = np.arange(p.shape[1])
    if peak.size != p.shape[0] or mean.size != p.shape[0]:
        hint = (f"one position per row ({p.shape[0]} rows), not per time step: take the "
                "argmax and the sum over axis=1, the time axis")
    elif same(mean, expected_peak) and same(peak, expected_mean):
        hint = "the two are swapped: return (argmax positions, expected positions)"
    elif same(peak, expected_peak + 1) or same(mean, expected_mean + 1):
        hint = "positions are 0-based sample indices: np.arange(T) starts at 0"
    elif not same(peak, expected_peak):
        hint = "the most probable step of each row: probabilities.argmax(axis=1)"
    elif same(mean, (p * steps).sum(axis=1)):
        hint = ("the third row's weights sum to 2.5, not 1: divide sum(p × step) by sum(p) "
                "(the expected position of a normalised distribution)")
    else:
        hint = "the expected position: sum over the row of p × step, divided by sum(p)"
    return wrong("03.2", f"{case} gave argmax {np.round(peak, 2).tolist()} and expected "
                 f"{np.round(mean, 2).tolist()}", hint)


#: (position, length, sigma) of 03.3: inside the row, off the grid, cut by the row's start,
#: and the one-hot case (sigma 0), once rounding up.
_TARGET_CASES = ((5, 12, 1.5), (2.3, 10, 0.8), (0, 8, 2.0), (6, 10, 0.0), (3.6, 8, 0.0))


def _gaussian(position: float, length: int, exponent: Any) -> np.ndarray:
    return np.exp(exponent(np.arange(length) - position))


def _target_problem(got: np.ndarray, position: float, length: int, sigma: float) -> str:
    expected = boundary_targets(np.array([position], float), length, sigma)[0]
    if got.shape != (length,):
        return f"shape {got.shape}; expected ({length},), one probability per time step"
    if not np.all(np.isfinite(got)):
        return ("not a number: σ = 0 means one-hot (all the mass on the nearest step, "
                "np.rint(position)); handle it before dividing by σ")
    if sigma == 0:
        if same(got, boundary_targets(np.array([math.floor(position)]), length)[0]):
            return "round to the nearest step (np.rint), not down"
        return "σ = 0 asks for one-hot: 1 at round(position), 0 elsewhere"
    one_hot = boundary_targets(np.array([position], float), length)[0]
    if same(got, one_hot):
        return f"that is one-hot; σ = {sigma:g} asks for a Gaussian σ samples wide"
    total = got.sum()
    if total > 0 and same(got / total, expected):
        return (f"the right shape, but it sums to {total:.6g}: divide by its sum over the row "
                "(the row holds whole steps and is cut at its ends, so 1 / (σ√(2π)) is not "
                "enough)")
    for exponent in (lambda d: -d**2 / (2 * sigma), lambda d: -0.5 * (d * sigma) ** 2,
                     lambda d: -d**2 / sigma**2, lambda d: -np.abs(d) / sigma):
        curve = _gaussian(position, length, exponent)
        if same(got, curve / curve.sum()) or same(got, curve):
            return "σ is in the wrong place: the exponent is −(step − position)² / (2σ²)"
    return "a Gaussian exp(−(step − position)² / (2σ²)) over the steps, divided by its sum"


@exercise("03.3", "Write boundary_target(position, length, sigma): a distribution over "
          "length time steps, one-hot for sigma 0, else a Gaussian, summing to 1.",
          writes="boundary_target(position, length, sigma)")
def _check_03_3(function: Any) -> Feedback:
    for position, length, sigma in _TARGET_CASES:
        case = f"boundary_target({position}, {length}, {sigma})"
        hint = "σ = 0 means one-hot: no division by σ" if sigma == 0 else ""
        got = np.squeeze(array("03.3", call("03.3", function, position, length, sigma,
                                            case=case, hint=hint)))
        expected = boundary_targets(np.array([position], float), length, sigma)[0]
        if not same(got, expected):
            return wrong("03.3", f"{case} gave {np.round(got, 3).tolist()}",
                         _target_problem(got, position, length, sigma))
    return Feedback("03.3", True, "rows that sum to 1, as ecgteach.boundary_targets makes "
                    "them: with σ > 0 a step next to the label is nearly right, which the "
                    "cross-entropy then rewards.")
