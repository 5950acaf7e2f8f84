"""What a beat experiment produced: one prediction per beat, scored in ms.

:func:`beat_scores` scores ``[onset, offset]`` predictions against the labels
(errors in ms, hit rate, collapse ratio, the MSE of always predicting the
training mean); :class:`ExperimentResult` holds a trained beat model with its
predictions and scores on the validation and test beats (what
:func:`ecgteach.beats.recipes.train_regression` and
:func:`~ecgteach.beats.recipes.train_boundary_classifier` return).

>>> import numpy as np
>>> labels = np.array([[60, 80], [70, 95], [80, 110]])
>>> predictions = labels + np.array([[2, -4], [0, 0], [-2, 4]])    # 8 and 16 ms off at 250 Hz
>>> scores = beat_scores(predictions, labels, train_labels=labels, fs=250)
>>> scores["n"], scores["mae_ms"].round(1), scores["mean_ms"]
(3, array([ 5.3, 10.7]), array([0., 0.]))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ecgteach.beats.scaling import FittedScaling
from ecgteach.beats.seedset import SeedDataset
from ecgteach.beats.splits import BeatSplits
from ecgteach.evaluation.collapse import collapse_ratio
from ecgteach.evaluation.collapse import mse_against_mean_baseline as _mse_vs_mean
from ecgteach.evaluation.metrics import DEFAULT_TOLERANCE_MS
from ecgteach.nn import models
from ecgteach.nn.fitting import FitResult
from ecgteach.nn.models import BOUNDARY_HEADS

# -------------------------------------------------------------------------- metrics


def beat_scores(
    predictions: np.ndarray, labels: np.ndarray, train_labels: np.ndarray, fs: float,
    tolerance_ms: float = DEFAULT_TOLERANCE_MS,
) -> dict[str, Any]:
    """Scores of ``(n, 2)`` predicted vs true ``[onset, offset]`` indices, one prediction per beat.

    Per boundary (arrays of 2): ``mae_ms``, ``mean_ms`` and ``sd_ms`` of the error
    (predicted - true), ``hit_rate`` (% within ``tolerance_ms``: the Se of a
    one-prediction-per-beat delineator), ``collapse_ratio`` (std pred / std label),
    ``mae_mean_baseline_ms`` (always predicting the training mean); overall:
    ``mse`` and ``mse_mean_baseline`` (samples^2, the learner's loss units), ``skill``.
    The lessons call ``beat_scores(pred, splits.test.y, splits.train.y, fs=250)``.

    >>> import numpy as np
    >>> labels = np.array([[60, 80], [70, 95], [80, 110]])
    >>> predictions = labels + np.array([[2, -4], [0, 0], [-2, 4]])
    >>> scores = beat_scores(predictions, labels, labels, fs=250, tolerance_ms=10)
    >>> scores["hit_rate"].round(1), scores["collapse_ratio"].round(2)
    (array([100. ,  33.3]), array([0.8 , 1.27]))
    >>> scores["mse"], round(scores["mse_mean_baseline"], 1), round(scores["skill"], 2)
    (6.666..., 108.3, 0.94)
    >>> scores = beat_scores(np.full((3, 2), np.nan), labels, labels, fs=250)  # a diverged model
    >>> scores["mse"], scores["hit_rate"]
    (nan, array([0., 0.]))
    """
    pred = np.asarray(predictions, dtype=np.float64)
    true = np.asarray(labels, dtype=np.float64)
    ms = 1000.0 / fs
    errors = (pred - true) * ms
    baseline = np.asarray(train_labels, dtype=np.float64).mean(axis=0)
    finite = np.isfinite(pred).all()
    mse = _mse_vs_mean(pred, true, train_labels) if finite else None
    return {
        "n": int(true.shape[0]),
        "mae_ms": np.abs(errors).mean(axis=0),
        "mean_ms": errors.mean(axis=0),
        "sd_ms": errors.std(axis=0),
        "hit_rate": 100.0 * (np.abs(errors) <= tolerance_ms).mean(axis=0),
        "collapse_ratio": collapse_ratio(pred, true) if finite else np.full(2, np.nan),
        "mae_mean_baseline_ms": np.abs(baseline - true).mean(axis=0) * ms,
        "mse": mse["mse_model"] if mse else np.nan,
        "mse_mean_baseline": float(((baseline - true) ** 2).mean()),
        "skill": mse["skill"] if mse else np.nan,
    }


# --------------------------------------------------------------------------- results


@dataclass(eq=False)
class ExperimentResult:
    """A trained beat model, its predictions (val/test) and their scores.

    ``predictions[part]`` and ``labels[part]`` are ``(n, 2)`` indices into the row
    (``predictions_ms`` in ms); ``metrics[part]`` is :func:`beat_scores` output;
    ``fits`` holds one :class:`FitResult` per network (two for separate heads);
    ``train_seconds`` sums their epoch times.

    >>> from ecgteach.beats import beat_splits, train_regression
    >>> splits = beat_splits(fast=True)
    >>> result = train_regression(splits, scaling="scaled", epochs=1, progress=None,
    ...                           build_kwargs={"units": (4,)})
    >>> result.kind, result.source, result.params, result.epochs_run
    ('regression', 'trained here', 122, 1)
    >>> result.predictions["test"].shape, result.predict(splits.val).shape
    ((29, 2), (25, 2))
    >>> row = result.summary_row()
    >>> row["part"], row["n"], row["scaling"]
    ('test', 29, 'std. voltage, scaled time, z-scored targets')
    >>> sorted(result.history)[:4], result.stopped, result.n_train
    (['loss', 'mae', 'offset_mean_prediction', 'onset_mean_prediction'], 'completed', 77)
    """

    name: str
    kind: str  # "regression" or "classification"
    config: dict[str, Any]
    fits: list[FitResult]
    scaler: FittedScaling
    fs: float
    predictions: dict[str, np.ndarray]
    labels: dict[str, np.ndarray]
    metrics: dict[str, dict[str, Any]]
    params: int
    predict_positions: Callable[[np.ndarray], np.ndarray] = field(repr=False)
    models: dict[str, Any] = field(default_factory=dict, repr=False)
    n_train: int = 0

    @property
    def stopped(self) -> str:
        """Why training ended (:data:`ecgteach.nn.fitting.STOP_REASONS`; the first network's)."""
        return self.fits[0].stopped

    @property
    def train_seconds(self) -> float:
        """Training time (sum of epoch wall times over all networks)."""
        return float(sum(f.seconds for f in self.fits))

    @property
    def epochs_run(self) -> int:
        """Epochs trained (per network)."""
        return max(f.epochs_run for f in self.fits)

    @property
    def history(self) -> dict[str, list[float]]:
        """Loss curves; with separate networks keys are ``"onset/loss"`` ... plus summed ones."""
        if len(self.fits) == 1:
            return self.fits[0].history
        out: dict[str, list[float]] = {}
        for head, result in zip(self.models, self.fits, strict=True):
            out.update({f"{head}/{k}": v for k, v in result.history.items()})
        for key in ("loss", "val_loss"):
            curves = [f.history.get(key) for f in self.fits]
            if all(curves) and len({len(c) for c in curves}) == 1:
                out[key] = [float(sum(v)) for v in zip(*curves, strict=True)]
        return out

    @property
    def source(self) -> str:
        """Where the weights came from: ``"trained here"``, ``"your cache"`` or ``"shipped"``.

        ``"shipped"``: trained when ecgteach was built (``scripts/build_lesson_models.py``),
        so ``train_s`` and the loss curves were recorded then, on that machine.
        """
        if any(f.shipped for f in self.fits):
            return "shipped"
        return "your cache" if any(f.from_cache for f in self.fits) else "trained here"

    @property
    def predictions_ms(self) -> dict[str, np.ndarray]:
        """Predictions in ms from the start of the row, per part."""
        return {part: p * 1000.0 / self.fs for part, p in self.predictions.items()}

    def predict(self, beats: SeedDataset) -> np.ndarray:
        """``(n, 2)`` predicted ``[onset, offset]`` indices for other beats (same format)."""
        return self.predict_positions(self.scaler.x(beats))

    def summary_row(self, part: str = "test") -> dict[str, Any]:
        """One flat row (numbers, not strings) for tables and the comparison board."""
        m = self.metrics[part]
        row: dict[str, Any] = {
            "model": self.name, "kind": self.kind, "scaling": self.scaler.options.describe(),
            "epochs": self.epochs_run, "train_s": self.train_seconds, "params": self.params,
            "weights": self.source, "part": part, "n": m["n"], "stopped": self.stopped,
        }
        for i, b in enumerate(BOUNDARY_HEADS):
            for key in ("hit_rate", "mae_ms", "mean_ms", "sd_ms", "collapse_ratio",
                        "mae_mean_baseline_ms"):
                row[f"{b}_{key}"] = float(m[key][i])
        row.update({"mse": m["mse"], "mse_mean_baseline": m["mse_mean_baseline"],
                    "skill": m["skill"]})
        return row


def _finish(name: str, kind: str, config: dict[str, Any], fits: list[FitResult],
            scaler: FittedScaling, splits: BeatSplits, built: dict[str, Any],
            predict_positions: Callable[[np.ndarray], np.ndarray]) -> ExperimentResult:
    predictions, labels, metrics = {}, {}, {}
    for part in ("val", "test"):
        beats = getattr(splits, part)
        predictions[part] = predict_positions(scaler.x(beats))
        labels[part] = beats.y.astype(np.float64)
        metrics[part] = beat_scores(predictions[part], labels[part], splits.train.y, splits.fs)
    params = sum(models.count_params(m) for m in built.values())
    return ExperimentResult(
        name=name, kind=kind, config=config, fits=fits, scaler=scaler, fs=splits.fs,
        predictions=predictions, labels=labels, metrics=metrics, params=params,
        predict_positions=predict_positions, models=built, n_train=len(splits.train),
    )
