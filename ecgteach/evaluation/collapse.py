"""Has a regression collapsed? Two diagnostics for a model that gives one answer for every input.

:func:`collapse_ratio` is the spread of the predictions over the spread of the
labels (about 1 for a model that follows the labels, near 0 when it answers the
same for every beat); :func:`mse_against_mean_baseline` sets the model's MSE
beside that of always predicting the training mean.

>>> labels = np.array([[10.0, 50.0], [20.0, 60.0], [30.0, 70.0]])
>>> collapse_ratio(np.full((3, 2), 20.0), labels)
array([0., 0.])
>>> float(mse_against_mean_baseline(labels, labels, labels)["skill"])
1.0
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: A collapse ratio below this means "nearly the same prediction for every beat".
COLLAPSED_BELOW = 0.1


def _as_columns(array: Any, what: str) -> np.ndarray:
    """Float array of shape (n, k): 1-D -> one column, N-D -> last axis as the columns."""
    values = np.asarray(array, dtype=np.float64)
    if values.ndim == 0 or values.size == 0:
        raise ValueError(f"{what} must be a non-empty 1-D or 2-D array, got shape {values.shape}")
    if not np.all(np.isfinite(values)):
        raise ValueError(f"{what} contain NaN or infinite values")
    return values.reshape(-1, 1) if values.ndim == 1 else values.reshape(-1, values.shape[-1])


def _paired(predictions: Any, labels: Any) -> tuple[np.ndarray, np.ndarray, bool]:
    if np.shape(predictions) != np.shape(labels):
        raise ValueError(
            f"predictions and labels differ in shape: {np.shape(predictions)} vs {np.shape(labels)}"
        )
    one_d = np.ndim(predictions) == 1
    return _as_columns(predictions, "predictions"), _as_columns(labels, "labels"), one_d


def collapse_ratio(predictions: Any, labels: Any) -> float | np.ndarray:
    """Spread of the predictions relative to the labels: std(predictions) / std(labels).

    Near 0: the model has collapsed to (almost) a constant; near 1: it varies as much
    as the truth. Per column (last axis) for 2-D input, a float for 1-D input; nan
    where the labels are constant. Typically ``collapse_ratio(model.predict(x), y)``.

    >>> y = np.array([10.0, 20.0, 30.0, 40.0])
    >>> collapse_ratio(0.5 * y + 12, y), collapse_ratio(np.full(4, 25.0), y)
    (0.5, 0.0)
    >>> collapse_ratio(y, np.full(4, 3.0))          # constant labels: undefined
    nan
    """
    pred, true, one_d = _paired(predictions, labels)
    pred_sd, true_sd = pred.std(axis=0), true.std(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(true_sd > 0, pred_sd / np.where(true_sd > 0, true_sd, 1.0), np.nan)
    return float(ratio[0]) if one_d else ratio


def mse_against_mean_baseline(predictions: Any, labels: Any, train_labels: Any) -> dict[str, Any]:
    """Compare the model's MSE with always predicting the training-label mean.

    Returns ``{"mse_model", "mse_mean_baseline", "skill", "per_column"}``: the first
    three over all columns (floats), ``"per_column"`` the same keys as arrays (one
    value per column, the last axis). ``skill = 1 - mse_model / mse_mean_baseline``:
    1 is perfect, 0 or below means no better than the constant mean (nan when the
    baseline is exact). Typically
    ``mse_against_mean_baseline(model.predict(x_test), y_test, y_train)["skill"]``.

    >>> y_test, y_train = np.array([10.0, 20.0, 30.0, 40.0]), np.array([20.0, 30.0])
    >>> result = mse_against_mean_baseline(np.array([12.0, 18.0, 33.0, 37.0]), y_test, y_train)
    >>> result["mse_model"], result["mse_mean_baseline"], round(result["skill"], 3)
    (6.5, 125.0, 0.948)
    >>> result["per_column"]["skill"].shape
    (1,)
    """
    pred, true, _ = _paired(predictions, labels)
    train = _as_columns(train_labels, "training labels")
    if train.shape[1] != true.shape[1]:
        raise ValueError(
            f"training labels have {train.shape[1]} columns but labels have {true.shape[1]}"
        )
    squared_model = (pred - true) ** 2
    squared_base = (train.mean(axis=0) - true) ** 2

    def skill(model: np.ndarray | float, base: np.ndarray | float) -> np.ndarray:
        model, base = np.asarray(model, dtype=np.float64), np.asarray(base, dtype=np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(base > 0, 1.0 - model / np.where(base > 0, base, 1.0), np.nan)

    col_model, col_base = squared_model.mean(axis=0), squared_base.mean(axis=0)
    all_model, all_base = float(squared_model.mean()), float(squared_base.mean())
    return {
        "mse_model": all_model,
        "mse_mean_baseline": all_base,
        "skill": float(skill(all_model, all_base)),
        "per_column": {
            "mse_model": col_model,
            "mse_mean_baseline": col_base,
            "skill": skill(col_model, col_base),
        },
    }
