"""FIXME docstring (parts of models, targets)
"""

from __future__ import annotations

import numpy as np


def positions_from_distribution(probs: np.ndarray, method: str = "argmax") -> np.ndarray:
    """Turn ``(n, length)`` distributions over time into ``n`` positions (samples).

    ``"argmax"`` takes the most probable step; ``"mean"`` the expected position
    (sub-sample, but pulled between two peaks when the model hesitates). Lesson 03
    uses it to compare a boundary classifier's answers with the labels in ms.
    Usage: ``onsets = positions_from_distribution(predict(x)["onset"])``.
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
    (in samples), which rewards near misses. Usage: ``boundary_targets(y[:, 0], 200, 2.0)``.
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
