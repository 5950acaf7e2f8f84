"""The beat recipes of lessons 02-03: train a model on the learner's beats, score it.

* :func:`train_regression` trains a regressor of ``[qrs_onset, qrs_offset]``
  (MSE), the learner's question;
* :func:`train_boundary_classifier` trains a classifier over time steps (one
  joint network with two heads, or two separate networks).

Both scale the inputs as an :class:`~ecgteach.beats.InputScaling` says (fitted
on the training beats only), train through :func:`ecgteach.nn.cached_fit`
(``cache=`` a :class:`~ecgteach.nn.CacheMode`) and return an
:class:`~ecgteach.beats.ExperimentResult` with predictions, errors in ms,
collapse ratios and the MSE of always predicting the training mean. Every
number the lessons state about the beat models comes from here.

>>> from ecgteach.beats import beat_splits
>>> splits = beat_splits(fast=True)
>>> result = train_regression(splits, scaling="scaled", epochs=1, progress=None,
...                           build_kwargs={"units": (8,)})
>>> result.kind, result.epochs_run, sorted(result.metrics)
('regression', 1, ['test', 'val'])
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ecgteach.beats.results import ExperimentResult, _finish
from ecgteach.beats.scaling import InputScaling, _as_scaling
from ecgteach.beats.seedset import SeedDataset
from ecgteach.beats.splits import BeatSplits
from ecgteach.beats.targets import boundary_targets, positions_from_distribution
from ecgteach.nn import models
from ecgteach.nn.cache import CacheMode, cached_fit
from ecgteach.nn.fitting import FitResult
from ecgteach.nn.models import BOUNDARY_HEADS
from ecgteach.nn.predict import predict_fn


@dataclass(frozen=True)
class TrainingOptions:
    """How a beat model is trained, and where a trained one may come from.

    ``early_stopping_patience``: stop after that many epochs without a lower
    validation loss and keep the best epoch's weights (``None``: off).
    ``plateau_patience``: stop once the validation loss has plateaued (under 1 %
    better over that many epochs, :func:`ecgteach.nn.plateau_reached`), keeping the
    last weights; ``epochs`` is then the most it may run (``None``: off).
    ``cache``: a :class:`~ecgteach.nn.CacheMode` (``"train"``, ``"shipped"``,
    ``"user"`` or ``"ship"``).

    >>> TrainingOptions(epochs=3, cache="user").cache
    <CacheMode.USER: 'user'>
    """

    epochs: int = 4
    batch_size: int = 32
    seed: int = 0
    early_stopping_patience: int | None = None
    cache: CacheMode = CacheMode.TRAIN
    plateau_patience: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "cache", CacheMode.of(self.cache))

    @property
    def fit_kwargs(self) -> dict[str, Any]:
        """The arguments of :func:`ecgteach.nn.fit` that are part of the cache key."""
        kwargs: dict[str, Any] = {"epochs": self.epochs, "batch_size": self.batch_size,
                                  "early_stopping_patience": self.early_stopping_patience}
        if self.plateau_patience is not None:  # absent otherwise: older cache keys stay valid
            kwargs["plateau_patience"] = self.plateau_patience
        return kwargs


@dataclass(frozen=True)
class LiveHooks:
    """What watches a run live: epoch callbacks (loss curves), a stop button, text progress."""

    callbacks: Sequence[Any] = ()
    stop_event: Any = None
    progress: str | None = "auto"


@dataclass(frozen=True, eq=False)
class TrainingData:
    """Scaled inputs and targets of one network, its validation pair and the cache's data key."""

    x: np.ndarray
    y: Any
    validation: tuple[Any, Any]
    data_key: dict[str, Any]


def _train_one(builder: Callable[..., Any], build_kwargs: dict[str, Any], data: TrainingData,
               options: TrainingOptions, hooks: LiveHooks) -> FitResult:
    """Build and train one network (or load it, as ``options.cache`` allows)."""
    return cached_fit(builder, data.x, data.y, data_key=data.data_key,
                      build_kwargs=build_kwargs, fit_kwargs=options.fit_kwargs,
                      seed=options.seed, validation_data=data.validation,
                      callbacks=hooks.callbacks, progress=hooks.progress,
                      stop_event=hooks.stop_event, mode=options.cache)


REGRESSORS: dict[str, Callable[..., Any]] = {
    "learner_lstm": models.learner_lstm,
    "learner_conv_lstm": models.learner_conv_lstm,
    "flattened_states": models.flattened_states,
    "readout": models.readout_model,
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
    cache: CacheMode | str = "train",
    plateau_patience: int | None = None,
    start_at_mean: bool = False,
) -> ExperimentResult:
    """Train a ``[qrs_onset, qrs_offset]`` regressor (MSE) and score it on val and test beats.

    ``model``: ``"learner_lstm"`` (defaults: the learner's exact model),
    ``"learner_conv_lstm"``, ``"flattened_states"`` (regression head) or
    ``"readout"`` (:func:`~ecgteach.nn.readout_model`, ``task="regression"``);
    ``build_kwargs`` go to the builder (``length``/``channels`` come from the
    data). ``scaling``: an :class:`InputScaling` or a :data:`SCALINGS` name,
    fitted on the training beats; predictions are mapped back to indices.
    ``callbacks``/``stop_event``/``progress``/``early_stopping_patience`` go to
    :func:`ecgteach.nn.fit`; ``cache`` is a :class:`~ecgteach.nn.CacheMode`
    (``"shipped"``: the user cache, then the models shipped with ecgteach;
    ``"user"``: the user cache only; ``"train"``: always train).
    ``plateau_patience``: train until the validation loss plateaus (see
    :class:`TrainingOptions`; ``epochs`` is the most it may run).
    ``start_at_mean``: start the output bias at the training mean of the (scaled)
    targets, a fast-forward past the long walk there from zero (``learner_lstm``
    and ``learner_conv_lstm`` only).
    The module's example trains one (see above).

    >>> from ecgteach.beats import beat_splits
    >>> at_mean = train_regression(beat_splits(fast=True), epochs=1, progress=None,
    ...                            build_kwargs={"units": (4,)}, start_at_mean=True)
    >>> at_mean.config["build_kwargs"]["output_bias"]       # the training mean, in samples
    [75.5..., 99.8...]
    """
    if model not in REGRESSORS:
        raise ValueError(f"model must be one of {list(REGRESSORS)}, got {model!r}")
    if start_at_mean and model not in ("learner_lstm", "learner_conv_lstm"):
        raise ValueError(f"start_at_mean sets the output bias of learner_lstm or "
                         f"learner_conv_lstm, not of {model!r}")
    cache = CacheMode.of(cache)  # a bad mode is an error before any data is touched
    options = _as_scaling(scaling)
    scaler = options.fit(splits.train)
    kwargs = {"length": splits.train.length, "channels": options.channels,
              **({"target": "regression"} if model == "flattened_states" else {}),
              **({"task": "regression"} if model == "readout" else {}),
              **dict(build_kwargs or {})}
    if start_at_mean:
        kwargs["output_bias"] = [float(v) for v in scaler.y(splits.train.y).mean(axis=0)]
    config = {"model": model, "build_kwargs": kwargs, "scaling": vars(options),
              "epochs": epochs, "batch_size": batch_size, "seed": seed,
              "early_stopping_patience": early_stopping_patience, "splits": splits.config,
              **({} if plateau_patience is None else {"plateau_patience": plateau_patience})}
    training = TrainingOptions(epochs, batch_size, seed, early_stopping_patience, cache,
                               plateau_patience)
    data = TrainingData(scaler.x(splits.train), scaler.y(splits.train.y),
                        (scaler.x(splits.val), scaler.y(splits.val.y)),
                        {"splits": splits.config, "scaling": vars(options)})
    result = _train_one(REGRESSORS[model], kwargs, data, training,
                        LiveHooks(callbacks, stop_event, progress))
    trained = result.model
    predict = predict_fn(trained, jit_compile=False)

    def predict_positions(x_scaled: np.ndarray) -> np.ndarray:
        return scaler.inverse_y(predict(x_scaled))

    return _finish(name or model, "regression", config, [result], scaler, splits,
                   {"model": trained}, predict_positions)


CLASSIFIERS: dict[str, Callable[..., Any]] = {
    "all_states": models.boundary_classifier,
    "last_state": models.boundary_classifier_last_state,
    "flattened": models.flattened_states,
    "readout": models.readout_model,
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
    cache: CacheMode | str = "train",
) -> ExperimentResult:
    """Train a boundary classifier (softmax over time steps) and score it on val and test beats.

    ``variant``: ``"all_states"`` (:func:`~ecgteach.nn.boundary_classifier`),
    ``"last_state"``, ``"flattened"`` (flattened states, classification head) or
    ``"readout"`` (:func:`~ecgteach.nn.readout_model`, ``task="classification"``).
    ``heads="joint"``: one network with an onset and an offset head;
    ``"separate"``: two networks, one per boundary (training times summed).
    Targets: :func:`~ecgteach.beats.boundary_targets` with ``sigma`` samples;
    positions: ``position`` (``"argmax"`` or ``"mean"``) of each distribution.
    Other arguments as in :func:`train_regression` (the targets option of
    ``scaling`` is ignored).

    >>> from ecgteach.beats import beat_splits
    >>> two = train_boundary_classifier(beat_splits(fast=True), heads="separate", epochs=1,
    ...                                 progress=None, build_kwargs={"units": 4})
    >>> sorted(two.models), len(two.fits)
    (['offset', 'onset'], 2)
    """
    if variant not in CLASSIFIERS:
        raise ValueError(f"variant must be one of {list(CLASSIFIERS)}, got {variant!r}")
    if heads not in ("joint", "separate"):
        raise ValueError(f"heads must be 'joint' or 'separate', got {heads!r}")
    cache = CacheMode.of(cache)  # a bad mode is an error before any data is touched
    options = _as_scaling(scaling)
    scaler = options.fit(splits.train)
    length = splits.train.length
    base = {"length": length, "channels": options.channels,
            **({"target": "classification"} if variant == "flattened" else {}),
            **({"task": "classification"} if variant == "readout" else {}),
            **dict(build_kwargs or {})}
    config = {"variant": variant, "heads": heads, "sigma": sigma, "build_kwargs": base,
              "scaling": vars(options), "epochs": epochs, "batch_size": batch_size,
              "seed": seed, "position": position,
              "early_stopping_patience": early_stopping_patience, "splits": splits.config}

    def targets(beats: SeedDataset, names: Sequence[str]) -> dict[str, np.ndarray]:
        return {h: boundary_targets(beats.y[:, BOUNDARY_HEADS.index(h)], length, sigma)
                for h in names}

    groups = [BOUNDARY_HEADS] if heads == "joint" else [(h,) for h in BOUNDARY_HEADS]
    x, x_val = scaler.x(splits.train), scaler.x(splits.val)
    training = TrainingOptions(epochs, batch_size, seed, early_stopping_patience, cache)
    hooks = LiveHooks(callbacks, stop_event, progress)
    fits, built = [], {}
    for group in groups:
        data = TrainingData(x, targets(splits.train, group), (x_val, targets(splits.val, group)),
                            {"splits": splits.config, "scaling": vars(options), "sigma": sigma})
        result = _train_one(CLASSIFIERS[variant], {**base, "heads": group}, data, training,
                            hooks)
        fits.append(result)
        built["+".join(group)] = result.model

    predictors = [predict_fn(m, jit_compile=False) for m in built.values()]

    def predict_positions(x_scaled: np.ndarray) -> np.ndarray:
        out = np.zeros((x_scaled.shape[0], 2))
        for predict in predictors:
            for head, p in predict(x_scaled).items():
                out[:, BOUNDARY_HEADS.index(head)] = positions_from_distribution(
                    p, position)
        return out

    return _finish(name or f"{variant} ({heads})", "classification", config, fits, scaler,
                   splits, built, predict_positions)
