"""Boundaries as distributions over time: the targets of lesson 03's classifiers, and back.

A boundary classifier (:func:`ecgteach.nn.models.boundary_classifier`) answers
*where* a QRS starts with a softmax over the row's time steps.
:func:`boundary_targets` turns each labelled position into such a distribution
(one-hot, or a Gaussian of ``sigma`` samples that rewards near misses);
:func:`positions_from_distribution` turns predicted distributions back into
positions.

>>> import numpy as np
>>> target = boundary_targets(np.array([3]), length=8, sigma=1.0)
>>> target.round(2)
array([[0.  , 0.05, 0.24, 0.4 , 0.24, 0.05, 0.  , 0.  ]], dtype=float32)
>>> positions_from_distribution(target), positions_from_distribution(target, "mean").round(2)
(array([3.]), array([3.]))
"""

from __future__ import annotations

import numpy as np


def positions_from_distribution(probs: np.ndarray, method: str = "argmax") -> np.ndarray:
    """Turn ``(n, length)`` distributions over time into ``n`` positions (samples).

    ``"argmax"`` takes the most probable step; ``"mean"`` the expected position
    (sub-sample, but pulled between two peaks when the model hesitates). Lesson 03
    uses it to compare a boundary classifier's answers with the labels in ms.

    >>> import numpy as np
    >>> probs = np.array([[0.5, 0.0, 0.0, 0.0, 0.5],       # hesitates between 0 and 4
    ...                   [0.0, 0.2, 0.6, 0.2, 0.0]])
    >>> positions_from_distribution(probs)                  # the first maximum
    array([0., 2.])
    >>> positions_from_distribution(probs, method="mean")   # pulled between the two peaks
    array([2., 2.])
    """
    probs = np.asarray(probs, dtype=np.float64)
    if probs.ndim != 2:
        raise ValueError(f"probs must be (n, length), got shape {probs.shape}")
    if method == "argmax":
        return probs.argmax(axis=1).astype(np.float64)
    if method == "mean":
        steps = np.arange(probs.shape[1])
        return (probs * steps).sum(axis=1) / np.maximum(probs.sum(axis=1), 1e-12)
    raise ValueError(f"method must be 'argmax' or 'mean', got {method!r}")


def boundary_targets(positions: np.ndarray, length: int, sigma: float = 0.0) -> np.ndarray:
    """One distribution over ``length`` time steps per position (rows sum to 1).

    ``sigma=0`` gives one-hot rows; ``sigma>0`` a Gaussian centred on the position
    (in samples), which rewards near misses. The lessons pass the onset or offset
    column of the beats' labels, e.g. ``boundary_targets(beats.y[:, 0], beats.length, 2.0)``.

    >>> import numpy as np
    >>> boundary_targets(np.array([1, 2.6]), length=4)     # one-hot, rounded to a step
    array([[0., 1., 0., 0.],
           [0., 0., 0., 1.]], dtype=float32)
    >>> boundary_targets(np.array([66, 91]), 200, sigma=2.0).sum(axis=1)
    array([1., 1.], dtype=float32)
    >>> boundary_targets(np.array([8]), length=8)
    Traceback (most recent call last):
    ...
    ValueError: positions must be indices in [0, 8); got 8..8
    """
    positions = np.asarray(positions)
    if positions.ndim != 1:
        raise ValueError(f"positions must be 1-D (one per example), got shape {positions.shape}")
    if length <= 0:
        raise ValueError(f"length must be positive, got {length}")
    if sigma < 0:
        raise ValueError(f"sigma must be >= 0 samples, got {sigma}")
    if positions.size and (positions.min() < 0 or positions.max() >= length):
        raise ValueError(
            f"positions must be indices in [0, {length}); got {positions.min()}..{positions.max()}"
        )
    steps = np.arange(length)
    if sigma == 0:
        out = (steps[None, :] == np.rint(positions)[:, None]).astype(np.float32)
    else:
        out = np.exp(-0.5 * ((steps[None, :] - positions[:, None]) / sigma) ** 2)
        out = (out / out.sum(axis=1, keepdims=True)).astype(np.float32)
    return out
