"""Experiment recipes: the runs that lessons 02-03, the widgets and the benchmark share.

Every number the lessons state about the beat models comes from these functions,
so it is computed by tested package code, the same way everywhere:

* :func:`beat_splits` builds the learner's ``[time_ms, voltage]`` beats for the
  training and validation patients of ``split_patients(seed)`` and for the fixed
  test patients 161-200.
* :class:`InputScaling` says how inputs and targets are scaled (the learner's
  raw data, or one fix at a time); its statistics are fitted on the training
  beats only (:class:`FittedScaling`). Named presets: :data:`SCALINGS`.
* :func:`train_regression` trains a regressor of ``[qrs_onset, qrs_offset]``;
  :func:`train_boundary_classifier` trains a classifier over time steps (one
  joint network or two separate ones). Both return an :class:`ExperimentResult`
  with predictions, errors in ms, hit rates, collapse ratios and the MSE of
  always predicting the training mean.
* :func:`score_segmenter` and :func:`score_neurokit` score a whole-record
  delineator on LUDB records with :class:`ecgteach.metrics.DelineationScorer`.

TensorFlow is imported only inside the functions that train or predict.

Usage::

    splits = beat_splits(fast=True)
    result = train_regression(splits, "learner_lstm", scaling="raw", epochs=2)
    result.summary_row()["onset_mae_ms"], result.metrics["test"]["collapse_ratio"]
    clf = train_boundary_classifier(splits, variant="all_states", heads="separate")
    seg = score_segmenter(records=[161, 162], leads="all"); print(seg.pooled.table())
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import models
from .ludb import LUDB_LEADS, TEST_RECORDS, load_ludb, load_ludb_record
from .metrics import DEFAULT_TOLERANCE_MS, DelineationScorer, collapse_ratio
from .metrics import mse_against_mean_baseline as _mse_vs_mean
from .prepare import split_patients
from .seedset import SeedDataset, make_seed_dataset
from .targets import boundary_targets
from .training import FitResult, cached_fit, fit, set_seed
from .waves import MISSING, WAVE_KINDS

BOUNDARY_NAMES: tuple[str, str] = ("onset", "offset")
#: Records per part in ``fast`` mode (tests, ``ECGTEACH_FAST``).
FAST_RECORDS: dict[str, int] = {"train": 12, "val": 4, "test": 4}

# ----------------------------------------------------------------------------- data


@dataclass(frozen=True, eq=False)
class BeatSplits:
    """Learner-format beats of the training, validation and (fixed) test patients.

    ``records`` maps each part to its LUDB record numbers; ``config`` holds the
    arguments of :func:`beat_splits`. Usage: ``splits.train.x.shape``.
    """

    train: SeedDataset
    val: SeedDataset
    test: SeedDataset
    records: dict[str, list[int]]
    config: dict[str, Any]

    @property
    def fs(self) -> float:
        """Sampling rate of the beats (Hz)."""
        return self.train.fs

    def __repr__(self) -> str:
        sizes = ", ".join(f"{k} {len(getattr(self, k))}" for k in ("train", "val", "test"))
        return f"BeatSplits({sizes} beats; {self.config})"


def beat_splits(
    lead: str = "ii",
    fs: float = 250.0,
    length: int = 200,
    n_train: int | None = None,
    shift_fraction: float = 0.0,
    seed: int = 0,
    fast: bool = False,
) -> BeatSplits:
    """Beats of the train/val patients of ``split_patients(seed)`` and the test patients 161-200.

    ``n_train`` draws that many training beats at random (``None``: all); the
    validation and test parts keep every beat. ``shift_fraction`` applies the
    learner's window shift to all three parts (seeds ``seed``, ``seed + 1``,
    ``seed + 2``). ``fast=True`` keeps only the first 12/4/4 records of each part
    (tests and ``ECGTEACH_FAST``). Usage: ``splits = beat_splits(n_train=300)``.
    """
    split = split_patients(seed)
    records = {"train": split["train"], "val": split["val"], "test": sorted(TEST_RECORDS)}
    if fast:
        records = {part: ids[: FAST_RECORDS[part]] for part, ids in records.items()}
    parts = {}
    for offset, part in enumerate(("train", "val", "test")):
        parts[part] = make_seed_dataset(
            load_ludb(records[part], leads=[lead]), lead=lead,
            n_beats=n_train if part == "train" else None, length=length, fs=fs,
            shift_fraction=shift_fraction, seed=seed + offset,
        )
    config = {"lead": lead, "fs": fs, "length": length, "n_train": n_train,
              "shift_fraction": shift_fraction, "seed": seed, "fast": fast}
    return BeatSplits(**parts, records=records, config=config)


# -------------------------------------------------------------------------- scaling

VOLTAGE_OPTIONS = ("raw", "standardised")
TIME_OPTIONS = ("raw_ms", "scaled", "dropped")
TARGET_OPTIONS = ("raw", "zscore", "length")


@dataclass(frozen=True)
class InputScaling:
    """How inputs and targets are scaled before training (one fix at a time).

    * ``voltage``: ``"raw"`` (mV) or ``"standardised"`` (minus the training mean,
      divided by the training SD, over beat samples; the padding stays 0);
    * ``time``: ``"raw_ms"`` (0-800 ms, the learner's channel), ``"scaled"``
      (divided by the row duration: 0-1) or ``"dropped"`` (voltage only);
    * ``targets``: ``"raw"`` (indices), ``"zscore"`` (training mean and SD per
      boundary) or ``"length"`` (divided by the row length).

    Usage: ``InputScaling(voltage="standardised", time="scaled", targets="zscore")``.
    """

    voltage: str = "raw"
    time: str = "raw_ms"
    targets: str = "raw"

    def __post_init__(self) -> None:
        for name, options in (("voltage", VOLTAGE_OPTIONS), ("time", TIME_OPTIONS),
                              ("targets", TARGET_OPTIONS)):
            if getattr(self, name) not in options:
                raise ValueError(f"{name} must be one of {options}, got {getattr(self, name)!r}")

    @property
    def channels(self) -> int:
        """Number of input channels (1 when the time channel is dropped)."""
        return 1 if self.time == "dropped" else 2

    def describe(self) -> str:
        """A short phrase for tables, e.g. ``"std. voltage, time/800 ms, z-scored targets"``."""
        voltage = {"raw": "raw mV", "standardised": "std. voltage"}[self.voltage]
        time_ = {"raw_ms": "time in ms", "scaled": "scaled time", "dropped": "no time"}[self.time]
        targets = {"raw": "raw targets", "zscore": "z-scored targets",
                   "length": "targets/length"}[self.targets]
        return f"{voltage}, {time_}, {targets}"

    def fit(self, train: SeedDataset) -> FittedScaling:
        """Fit the statistics on the training beats only.

        Usage: ``scaler = scaling.fit(splits.train)``.
        """
        if "voltage" not in train.channels:
            raise ValueError("the beats have no voltage channel")
        beat = _beat_mask(train)
        volts = train.voltage[beat].astype(np.float64)
        labels = train.y.astype(np.float64)
        return FittedScaling(
            options=self, voltage_mean=float(volts.mean()),
            voltage_std=float(volts.std()) or 1.0,
            row_ms=train.length * 1000.0 / train.fs, length=train.length,
            target_mean=labels.mean(axis=0), target_std=np.where(labels.std(axis=0) > 0,
                                                                 labels.std(axis=0), 1.0),
        )


#: Named presets used by the lessons and the benchmark.
SCALINGS: dict[str, InputScaling] = {
    "raw": InputScaling(),
    "zscore_targets": InputScaling(targets="zscore"),
    "standardise_voltage": InputScaling(voltage="standardised"),
    "scaled": InputScaling(voltage="standardised", time="scaled", targets="zscore"),
    "voltage_channel": InputScaling(voltage="standardised", time="dropped", targets="zscore"),
}


def _beat_mask(beats: SeedDataset) -> np.ndarray:
    """``(n, length)`` True on beat samples, False on the leading zero padding."""
    return np.arange(beats.length)[None, :] >= beats.n_padding[:, None]


@dataclass(frozen=True, eq=False)
class FittedScaling:
    """:class:`InputScaling` with statistics from the training beats.

    Usage: ``x = scaler.x(splits.val); pred = scaler.inverse_y(model.predict(x))``.
    """

    options: InputScaling
    voltage_mean: float
    voltage_std: float
    row_ms: float
    length: int
    target_mean: np.ndarray
    target_std: np.ndarray

    def x(self, beats: SeedDataset) -> np.ndarray:
        """Model inputs ``(n, length, channels)`` float32."""
        volts = beats.voltage.astype(np.float32)
        if self.options.voltage == "standardised":
            scaled = (volts - self.voltage_mean) / self.voltage_std
            volts = np.where(_beat_mask(beats), scaled, 0.0).astype(np.float32)
        if self.options.time == "dropped":
            return volts[..., None]
        if "time_ms" not in beats.channels:
            raise ValueError("this scaling needs the time_ms channel (voltage_only=False beats)")
        times = beats.x[:, :, beats.channels.index("time_ms")].astype(np.float32)
        if self.options.time == "scaled":
            times = times / np.float32(self.row_ms)
        return np.stack([times, volts], axis=-1)

    def y(self, labels: np.ndarray) -> np.ndarray:
        """Regression targets from ``(n, 2)`` indices."""
        labels = np.asarray(labels, dtype=np.float64)
        if self.options.targets == "zscore":
            labels = (labels - self.target_mean) / self.target_std
        elif self.options.targets == "length":
            labels = labels / self.length
        return labels.astype(np.float32)

    def inverse_y(self, predictions: np.ndarray) -> np.ndarray:
        """Model outputs back to indices (float64 samples)."""
        out = np.asarray(predictions, dtype=np.float64)
        if self.options.targets == "zscore":
            return out * self.target_std + self.target_mean
        if self.options.targets == "length":
            return out * self.length
        return out


def _as_scaling(scaling: str | InputScaling) -> InputScaling:
    if isinstance(scaling, InputScaling):
        return scaling
    if scaling not in SCALINGS:
        raise ValueError(f"unknown scaling {scaling!r}; use an InputScaling or one of "
                         f"{list(SCALINGS)}")
    return SCALINGS[scaling]


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
    Usage: ``beat_scores(pred, splits.test.y, splits.train.y, fs=250)``.
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
    Usage: ``result.summary_row()``, ``result.predict(other_beats)``, ``result.history``.
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
            "weights": self.source, "part": part, "n": m["n"],
        }
        for i, b in enumerate(BOUNDARY_NAMES):
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
        predict_positions=predict_positions, models=built,
    )


#: ``cache`` values of the recipes: ``False`` trains, ``True`` uses the user cache
#: then the shipped lesson models, ``"user"`` the user cache only (train here once),
#: ``"ship"`` trains (or reuses the user cache) and writes into the shipped folder.
CACHE_MODES = (False, True, "user", "ship")


def _train_one(builder: Callable[..., Any], build_kwargs: dict[str, Any], x: np.ndarray, y: Any,
               validation: tuple[Any, Any], data_key: dict[str, Any], epochs: int,
               batch_size: int, seed: int, callbacks: Sequence[Any], stop_event: Any,
               progress: str | None, early_stopping_patience: int | None,
               cache: bool | str) -> FitResult:
    fit_kwargs = {"epochs": epochs, "batch_size": batch_size,
                  "early_stopping_patience": early_stopping_patience}
    if cache not in CACHE_MODES:
        raise ValueError(f"cache must be one of {CACHE_MODES}, got {cache!r}")
    if cache:
        return cached_fit(builder, x, y, data_key=data_key, build_kwargs=build_kwargs,
                          fit_kwargs=fit_kwargs, seed=seed, validation_data=validation,
                          callbacks=callbacks, progress=progress, stop_event=stop_event,
                          shipped=cache is True, ship=cache == "ship")
    set_seed(seed)
    model = builder(**build_kwargs)
    return fit(model, x, y, validation_data=validation, seed=seed, callbacks=callbacks,
               progress=progress, stop_event=stop_event, **fit_kwargs)


REGRESSORS: dict[str, Callable[..., Any]] = {
    "learner_lstm": models.learner_lstm,
    "learner_conv_lstm": models.learner_conv_lstm,
    "flattened_states": models.flattened_states,
}


def train_regression(
    splits: BeatSplits,
    model: str = "learner_lstm",
    build_kwargs: Mapping[str, Any] | None = None,
    scaling: str | InputScaling = "raw",
    epochs: int = 4,
    batch_size: int = 32,
    seed: int = 0,
    callbacks: Sequence[Any] = (),
    stop_event: Any = None,
    progress: str | None = "auto",
    early_stopping_patience: int | None = None,
    name: str | None = None,
    cache: bool | str = False,
) -> ExperimentResult:
    """Train a ``[qrs_onset, qrs_offset]`` regressor (MSE) and score it on val and test beats.

    ``model``: ``"learner_lstm"`` (defaults: the learner's exact model),
    ``"learner_conv_lstm"`` or ``"flattened_states"`` (regression head);
    ``build_kwargs`` go to the builder (``length``/``channels`` come from the
    data). ``scaling``: an :class:`InputScaling` or a :data:`SCALINGS` name,
    fitted on the training beats; predictions are mapped back to indices.
    ``callbacks``/``stop_event``/``progress``/``early_stopping_patience`` go to
    :func:`ecgteach.training.fit`; ``cache=True`` trains through ``cached_fit``
    (user cache, then the models shipped with ecgteach; ``"user"``: user cache
    only; see :data:`CACHE_MODES`).
    Usage: ``train_regression(splits, "learner_lstm", scaling="scaled", epochs=4)``.
    """
    if model not in REGRESSORS:
        raise ValueError(f"model must be one of {list(REGRESSORS)}, got {model!r}")
    options = _as_scaling(scaling)
    scaler = options.fit(splits.train)
    kwargs = {"length": splits.train.length, "channels": options.channels,
              **({"target": "regression"} if model == "flattened_states" else {}),
              **dict(build_kwargs or {})}
    config = {"model": model, "build_kwargs": kwargs, "scaling": vars(options),
              "epochs": epochs, "batch_size": batch_size, "seed": seed,
              "early_stopping_patience": early_stopping_patience, "splits": splits.config}
    x = scaler.x(splits.train)
    result = _train_one(
        REGRESSORS[model], kwargs, x, scaler.y(splits.train.y),
        (scaler.x(splits.val), scaler.y(splits.val.y)), {"splits": splits.config,
                                                         "scaling": vars(options)},
        epochs, batch_size, seed, callbacks, stop_event, progress, early_stopping_patience,
        cache,
    )
    trained = result.model
    predict = models.predict_fn(trained, jit_compile=False)

    def predict_positions(x_scaled: np.ndarray) -> np.ndarray:
        return scaler.inverse_y(predict(x_scaled))

    return _finish(name or model, "regression", config, [result], scaler, splits,
                   {"model": trained}, predict_positions)


CLASSIFIERS: dict[str, Callable[..., Any]] = {
    "all_states": models.boundary_classifier,
    "last_state": models.boundary_classifier_last_state,
    "flattened": models.flattened_states,
}


def train_boundary_classifier(
    splits: BeatSplits,
    variant: str = "all_states",
    heads: str = "joint",
    sigma: float = 2.0,
    build_kwargs: Mapping[str, Any] | None = None,
    scaling: str | InputScaling = "voltage_channel",
    epochs: int = 10,
    batch_size: int = 32,
    seed: int = 0,
    position: str = "argmax",
    callbacks: Sequence[Any] = (),
    stop_event: Any = None,
    progress: str | None = "auto",
    early_stopping_patience: int | None = None,
    name: str | None = None,
    cache: bool | str = False,
) -> ExperimentResult:
    """Train a boundary classifier (softmax over time steps) and score it on val and test beats.

    ``variant``: ``"all_states"`` (:func:`~ecgteach.models.boundary_classifier`),
    ``"last_state"`` or ``"flattened"`` (flattened states, classification head).
    ``heads="joint"``: one network with an onset and an offset head;
    ``"separate"``: two networks, one per boundary (training times summed).
    Targets: :func:`~ecgteach.targets.boundary_targets` with ``sigma`` samples;
    positions: ``position`` (``"argmax"`` or ``"mean"``) of each distribution.
    Other arguments as in :func:`train_regression` (the targets option of
    ``scaling`` is ignored). Usage: ``train_boundary_classifier(splits, heads="separate")``.
    """
    if variant not in CLASSIFIERS:
        raise ValueError(f"variant must be one of {list(CLASSIFIERS)}, got {variant!r}")
    if heads not in ("joint", "separate"):
        raise ValueError(f"heads must be 'joint' or 'separate', got {heads!r}")
    options = _as_scaling(scaling)
    scaler = options.fit(splits.train)
    length = splits.train.length
    base = {"length": length, "channels": options.channels,
            **({"target": "classification"} if variant == "flattened" else {}),
            **dict(build_kwargs or {})}
    config = {"variant": variant, "heads": heads, "sigma": sigma, "build_kwargs": base,
              "scaling": vars(options), "epochs": epochs, "batch_size": batch_size,
              "seed": seed, "position": position,
              "early_stopping_patience": early_stopping_patience, "splits": splits.config}

    def targets(beats: SeedDataset, names: Sequence[str]) -> dict[str, np.ndarray]:
        return {h: boundary_targets(beats.y[:, BOUNDARY_NAMES.index(h)], length, sigma)
                for h in names}

    groups = [BOUNDARY_NAMES] if heads == "joint" else [(h,) for h in BOUNDARY_NAMES]
    x, x_val = scaler.x(splits.train), scaler.x(splits.val)
    fits, built = [], {}
    for group in groups:
        result = _train_one(
            CLASSIFIERS[variant], {**base, "heads": group}, x, targets(splits.train, group),
            (x_val, targets(splits.val, group)),
            {"splits": splits.config, "scaling": vars(options), "sigma": sigma},
            epochs, batch_size, seed, callbacks, stop_event, progress,
            early_stopping_patience, cache,
        )
        fits.append(result)
        built["+".join(group)] = result.model

    predictors = [models.predict_fn(m, jit_compile=False) for m in built.values()]

    def predict_positions(x_scaled: np.ndarray) -> np.ndarray:
        out = np.zeros((x_scaled.shape[0], 2))
        for predict in predictors:
            for head, p in predict(x_scaled).items():
                out[:, BOUNDARY_NAMES.index(head)] = models.positions_from_distribution(
                    p, position)
        return out

    return _finish(name or f"{variant} ({heads})", "classification", config, fits, scaler,
                   splits, built, predict_positions)


# ------------------------------------------------------------------ lesson settings

#: The settings lessons 02-03 use by default, by name (the benchmark trains each of them).
#: ``recipe`` is ``"regression"`` (:func:`train_regression`) or ``"classifier"``
#: (:func:`train_boundary_classifier`); ``kwargs`` are its arguments. Epochs are chosen so
#: each trains in about 2 min or less on 2 CPU cores with all ~900 training beats;
#: ``early_stopping_patience`` keeps the weights of the best validation epoch.
LESSON_SETTINGS: dict[str, dict[str, Any]] = {
    "learner_raw": {
        "label": "learner's LSTM, raw data", "recipe": "regression",
        "kwargs": {"model": "learner_lstm", "scaling": "raw", "epochs": 3,
                   "early_stopping_patience": 2}},
    "learner_zscore_targets": {
        "label": "learner's LSTM, z-scored targets only", "recipe": "regression",
        "kwargs": {"model": "learner_lstm", "scaling": "zscore_targets", "epochs": 3,
                   "early_stopping_patience": 2}},
    "learner_standardise_voltage": {
        "label": "learner's LSTM, standardised voltage only", "recipe": "regression",
        "kwargs": {"model": "learner_lstm", "scaling": "standardise_voltage", "epochs": 3,
                   "early_stopping_patience": 2}},
    "learner_scaled": {
        "label": "learner's LSTM, scaled inputs and targets", "recipe": "regression",
        "kwargs": {"model": "learner_lstm", "scaling": "scaled", "epochs": 3,
                   "early_stopping_patience": 2}},
    "small_lstm_adam": {
        "label": "LSTM(32) + Adam, scaled", "recipe": "regression",
        "kwargs": {"model": "learner_lstm", "scaling": "scaled", "epochs": 30,
                   "early_stopping_patience": 5,
                   "build_kwargs": {"units": (32,), "dropout": 0.0, "optimizer": "adam",
                                    "learning_rate": 3e-3}}},
    "conv_lstm_raw": {
        "label": "Conv1D + LSTM, raw data", "recipe": "regression",
        "kwargs": {"model": "learner_conv_lstm", "scaling": "raw", "epochs": 10,
                   "early_stopping_patience": 4}},
    "conv_lstm_scaled": {
        "label": "Conv1D + LSTM, scaled", "recipe": "regression",
        "kwargs": {"model": "learner_conv_lstm", "scaling": "scaled", "epochs": 15,
                   "early_stopping_patience": 5}},
    "flattened_regression": {
        "label": "flattened states, regression", "recipe": "regression",
        "kwargs": {"model": "flattened_states", "scaling": "voltage_channel", "epochs": 30,
                   "early_stopping_patience": 5}},
    "classifier_joint": {
        "label": "boundary classifier, all states, joint heads", "recipe": "classifier",
        "kwargs": {"variant": "all_states", "heads": "joint", "epochs": 12,
                   "early_stopping_patience": 4}},
    "classifier_separate": {
        "label": "boundary classifier, all states, two networks", "recipe": "classifier",
        "kwargs": {"variant": "all_states", "heads": "separate", "epochs": 12,
                   "early_stopping_patience": 4}},
    "classifier_last_state": {
        "label": "boundary classifier, last state only", "recipe": "classifier",
        "kwargs": {"variant": "last_state", "heads": "joint", "epochs": 12,
                   "early_stopping_patience": 4}},
    "flattened_classifier": {
        "label": "flattened states, classification", "recipe": "classifier",
        "kwargs": {"variant": "flattened", "heads": "joint", "epochs": 12,
                   "early_stopping_patience": 4}},
}


#: Lesson settings whose trained weights ship with ecgteach (``ecgteach/weights/lessons``,
#: built by ``scripts/build_lesson_models.py``): the ones that take minutes to train on
#: two cores. With ``cache=True`` a lesson loads them instead of training (the result's
#: ``source`` says ``"shipped"``); the training panels retrain any of them in one click.
SHIPPED_SETTINGS: tuple[str, ...] = (
    "learner_raw", "learner_zscore_targets", "learner_standardise_voltage", "learner_scaled",
    "small_lstm_adam", "classifier_separate", "classifier_last_state",
)


def run_lesson_setting(name: str, splits: BeatSplits, **overrides: Any) -> ExperimentResult:
    """Train one of :data:`LESSON_SETTINGS` (``overrides`` replace its arguments).

    Usage: ``run_lesson_setting("learner_raw", splits, epochs=1, progress=None)``.
    """
    if name not in LESSON_SETTINGS:
        raise ValueError(f"unknown lesson setting {name!r}; choose from {list(LESSON_SETTINGS)}")
    setting = LESSON_SETTINGS[name]
    kwargs = {**setting["kwargs"], "name": setting["label"], **overrides}
    recipe = train_regression if setting["recipe"] == "regression" else train_boundary_classifier
    return recipe(splits, **kwargs)


# ---------------------------------------------------------- whole-record delineators


@dataclass(eq=False)
class DelineatorScores:
    """A delineator scored on LUDB records: pooled over leads, per lead, and its timing.

    ``seconds_per_record`` is the time to delineate all scored leads of one
    record (after a warm-up call); ``failures`` lists ``(record, lead, error)``
    where the delineator raised (scored as finding nothing).
    Usage: ``scores.pooled.table()``, ``scores.by_lead["ii"].scores()["QRS onset"].sd_ms``.
    """

    name: str
    records: list[int]
    leads: tuple[str, ...]
    pooled: DelineationScorer
    by_lead: dict[str, DelineationScorer]
    seconds_per_record: list[float]
    failures: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def median_seconds_per_record(self) -> float:
        """Median time per record (all scored leads)."""
        return float(np.median(self.seconds_per_record))

    def rows(self, lead: str | None = None) -> list[dict[str, Any]]:
        """``BoundaryScore.as_row()`` per boundary, pooled (``lead=None``) or for one lead."""
        scorer = self.pooled if lead is None else self.by_lead[lead]
        return [{"method": self.name, "leads": lead or f"{len(self.leads)} leads",
                 **s.as_row()} for s in scorer.scores().values()]


def _leads(leads: str | Sequence[str]) -> tuple[str, ...]:
    if leads == "all":
        return LUDB_LEADS
    return (leads,) if isinstance(leads, str) else tuple(leads)


def _score_delineator(name: str, delineate_fn: Callable[[np.ndarray, float], dict],
                      records: Sequence[int] | None, leads: str | Sequence[str]
                      ) -> DelineatorScores:
    numbers = sorted(TEST_RECORDS) if records is None else [int(r) for r in records]
    chosen = _leads(leads)
    pooled, by_lead = DelineationScorer(), {lead: DelineationScorer() for lead in chosen}
    seconds, failures = [], []
    first = load_ludb_record(numbers[0], leads=chosen)
    delineate_fn(first.lead(chosen[0]), first.fs)  # warm-up: compile / import caches
    for number in numbers:
        record = load_ludb_record(number, leads=chosen)
        found = {}
        started = time.perf_counter()
        for lead in chosen:
            try:
                found[lead] = delineate_fn(record.lead(lead), record.fs)
            except Exception as error:  # a failure finds nothing; scored as misses
                failures.append((number, lead, f"{type(error).__name__}: {error}"))
                found[lead] = {k: np.zeros((0, 3), dtype=np.int64) for k in WAVE_KINDS}
        seconds.append(time.perf_counter() - started)
        for lead in chosen:
            args = (record.waves[lead], found[lead], record.fs, record.span(lead))
            pooled.add(*args, group=number)  # one patient = one group for mean_ci
            by_lead[lead].add(*args, group=number)
    return DelineatorScores(name, numbers, chosen, pooled, by_lead, seconds, failures)


def score_segmenter(
    model: Any = None,
    records: Sequence[int] | None = None,
    leads: str | Sequence[str] = ("ii",),
    name: str = "segmenter",
) -> DelineatorScores:
    """Score :func:`ecgteach.delineate` with a segmenter on LUDB records (default: test 161-200).

    ``model``: ``None`` (the shipped default), a Keras model or a ``.keras`` path;
    ``leads``: a lead, a list, or ``"all"`` (12 leads). Usage:
    ``score_segmenter(leads="all").by_lead["ii"].table()``.
    """
    from pathlib import Path

    from .delineation import Delineator, load_segmenter

    if model is None or isinstance(model, (str, Path)):
        model = load_segmenter(model)
    delineator = Delineator(model)
    return _score_delineator(name, delineator, records, leads)


def _import_neurokit() -> Any:
    try:
        import neurokit2
    except ImportError as error:
        raise ImportError(
            "NeuroKit2 is needed to compare with it; install the benchmark extra: "
            "pip install neurokit2 (a dependency of ecgteach: reinstall ecgteach)"
        ) from error
    return neurokit2


def neurokit_to_waves(info: Mapping[str, Any], r_peaks: Sequence[int],
                      n_samples: int | None = None) -> dict[str, np.ndarray]:
    """NeuroKit2 delineation output -> an ecgteach wave set (NaN -> ``-1``).

    QRS: ``ECG_R_Onsets``, the R peak, ``ECG_R_Offsets``; P and T: their
    ``Onsets``/``Peaks``/``Offsets``. A P or T row is kept when any of its three
    marks exists; positions outside ``[0, n_samples)`` count as missing.
    Usage: ``neurokit_to_waves(info, r_peaks, n_samples=signal.size)``.
    """
    def column(key: str, n: int) -> np.ndarray:
        values = np.asarray(info.get(key, [np.nan] * n), dtype=np.float64).reshape(-1)
        if values.size != n:
            raise ValueError(f"NeuroKit2 gave {values.size} {key} for {n} R peaks")
        bad = ~np.isfinite(values)
        if n_samples is not None:
            bad |= (values < 0) | (values >= n_samples)
        return np.where(bad, MISSING, np.nan_to_num(values)).astype(np.int64)

    peaks = np.asarray(r_peaks, dtype=np.int64).reshape(-1)
    n = peaks.size
    waves = {"QRS": np.stack([column("ECG_R_Onsets", n), peaks, column("ECG_R_Offsets", n)],
                             axis=1)}
    for kind in ("P", "T"):
        rows = np.stack([column(f"ECG_{kind}_{part}", n)
                         for part in ("Onsets", "Peaks", "Offsets")], axis=1)
        waves[kind] = rows[(rows != MISSING).any(axis=1)]
    return {kind: waves[kind].reshape(-1, 3) for kind in WAVE_KINDS}


def neurokit_waves(signal: np.ndarray, fs: float, method: str = "dwt") -> dict[str, np.ndarray]:
    """Delineate one lead with NeuroKit2, as ``nk.ecg_process`` does, into a wave set.

    ``nk.ecg_clean`` -> its own R peaks (``nk.ecg_peaks``) -> ``nk.ecg_delineate(...,
    method=method)`` on the cleaned signal. Needs ``neurokit2`` (extra ``bench``).
    Usage: ``neurokit_waves(record.lead("ii"), 500)["QRS"]``.
    """
    nk = _import_neurokit()
    x = np.asarray(signal, dtype=np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cleaned = nk.ecg_clean(x, sampling_rate=fs)
        _, peaks = nk.ecg_peaks(cleaned, sampling_rate=fs)
        r_peaks = np.asarray(peaks["ECG_R_Peaks"], dtype=np.int64)
        if r_peaks.size < 2:
            return neurokit_to_waves({}, r_peaks, x.size)
        _, info = nk.ecg_delineate(cleaned, r_peaks, sampling_rate=fs, method=method)
    return neurokit_to_waves(info, r_peaks, x.size)


def score_neurokit(
    records: Sequence[int] | None = None,
    leads: str | Sequence[str] = ("ii",),
    method: str = "dwt",
) -> DelineatorScores:
    """Score NeuroKit2 (:func:`neurokit_waves`) exactly as :func:`score_segmenter` scores.

    Usage: ``score_neurokit(leads="all").pooled.table()``.
    """
    _import_neurokit()
    return _score_delineator(f"NeuroKit2 {method}",
                             lambda x, fs: neurokit_waves(x, fs, method), records, leads)


__all__ = [
    "BOUNDARY_NAMES",
    "SCALINGS",
    "BeatSplits",
    "DelineatorScores",
    "ExperimentResult",
    "FittedScaling",
    "InputScaling",
    "LESSON_SETTINGS",
    "SHIPPED_SETTINGS",
    "beat_scores",
    "beat_splits",
    "neurokit_to_waves",
    "neurokit_waves",
    "run_lesson_setting",
    "score_neurokit",
    "score_segmenter",
    "train_boundary_classifier",
    "train_regression",
]
