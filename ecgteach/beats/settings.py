"""The settings lessons 02-03 use by default, by name: one recipe call each.

>>> LESSON_SETTINGS["learner_raw"].recipe, LESSON_SETTINGS["learner_raw"].epochs
('regression', 80)
>>> "learner_raw" in SHIPPED_SETTINGS
True
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from ecgteach.beats.recipes import train_boundary_classifier, train_regression
from ecgteach.beats.results import ExperimentResult
from ecgteach.beats.splits import BeatSplits

#: The recipe behind each kind of lesson setting.
RECIPES = {"regression": train_regression, "classifier": train_boundary_classifier}


@dataclass(frozen=True)
class LessonSetting:
    """One lesson model: a name, a label for tables, a recipe and its arguments.

    ``recipe`` is ``"regression"`` (:func:`~ecgteach.beats.train_regression`)
    or ``"classifier"`` (:func:`~ecgteach.beats.train_boundary_classifier`);
    ``arguments`` are its keyword arguments. ``shipped_seeds``: the seeds whose trained
    weights ship with ecgteach (``ecgteach/weights/lessons``, built by
    ``scripts/build_lesson_models.py``), because training them takes minutes on two
    cores or because a lesson's claims must hold for the very models it shows; with
    ``cache="shipped"`` a lesson loads them instead of training.
    """

    name: str
    label: str
    recipe: str
    arguments: Mapping[str, Any]
    shipped_seeds: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if self.recipe not in RECIPES:
            raise ValueError(f"recipe must be one of {list(RECIPES)}, got {self.recipe!r}")
        object.__setattr__(self, "arguments", MappingProxyType(dict(self.arguments)))

    @property
    def shipped(self) -> bool:
        """True when trained weights of this setting ship with ecgteach (seed 0 at least)."""
        return bool(self.shipped_seeds)

    @property
    def epochs(self) -> int:
        """Epochs of this setting (the training panels start from it)."""
        return int(self.arguments["epochs"])

    def run(self, splits: BeatSplits, **overrides: Any) -> ExperimentResult:
        """Train (or load) this setting's model; ``overrides`` replace its arguments."""
        kwargs = {**self.arguments, "name": self.label, **overrides}
        return RECIPES[self.recipe](splits, **kwargs)


def _readout_setting(readout: str, task: str, bidirectional: bool = False) -> LessonSetting:
    """A lesson-03 setting of :func:`ecgteach.nn.readout_model` (20 epochs, patience 5)."""
    state = {"last_state": "last state", "all_states": "all states"}[readout]
    question = {"regression": "regression", "classification": "softmax over time"}[task]
    body = "BiLSTM(32)" if bidirectional else "LSTM(32)"
    arguments: dict[str, Any] = (
        {"model": "readout"} if task == "regression" else {"variant": "readout", "heads": "joint"})
    arguments.update(scaling="voltage_channel", epochs=20, early_stopping_patience=5,
                     build_kwargs={"readout": readout, **({"bidirectional": True}
                                                          if bidirectional else {})})
    name = f"readout_{readout}_{task}" + ("_bidirectional" if bidirectional else "")
    recipe = "regression" if task == "regression" else "classifier"
    return LessonSetting(name, f"{body}, {state} -> {question}", recipe, arguments,
                         shipped_seeds=(0,))


#: The learner's runs of lesson 02 train until the validation loss plateaus: under 1 %
#: better over the last ``PLATEAU_PATIENCE`` epochs (:func:`ecgteach.nn.plateau_reached`), at
#: most ``PLATEAU_MAX_EPOCHS_FROM_ZERO`` epochs from zero (``PLATEAU_MAX_EPOCHS`` started at
#: the training mean).
PLATEAU_PATIENCE = 5
PLATEAU_MAX_EPOCHS = 40
PLATEAU_MAX_EPOCHS_FROM_ZERO = 80


def _learner_setting(name: str, label: str, scaling: str, start_at_mean: bool = False,
                     max_epochs: int = PLATEAU_MAX_EPOCHS_FROM_ZERO, model: str = "learner_lstm",
                     build_kwargs: Mapping[str, Any] | None = None) -> LessonSetting:
    """A lesson-02 run of the learner's network, trained to its plateau (shipped)."""
    arguments: dict[str, Any] = {"model": model, "scaling": scaling, "epochs": max_epochs,
                                 "plateau_patience": PLATEAU_PATIENCE}
    if start_at_mean:
        arguments["start_at_mean"] = True
    if build_kwargs:
        arguments["build_kwargs"] = dict(build_kwargs)
    return LessonSetting(name, label, "regression", arguments, shipped_seeds=(0,))


#: Other epochs are chosen so each trains in about 2 min or less on 2 CPU cores with all
#: ~900 training beats; ``early_stopping_patience`` keeps the best validation epoch.
_SETTINGS: tuple[LessonSetting, ...] = (
    # lesson 02: the learner's exact network trained from zero until its validation loss
    # plateaus; the same network with one change at a time, each trained from zero to its
    # own plateau; and the one run that starts the output bias at the training mean
    _learner_setting("learner_raw", "learner's LSTM, raw data", "raw"),
    _learner_setting("learner_raw_at_mean", "learner's LSTM, raw data, output started at the "
                     "mean", "raw", start_at_mean=True, max_epochs=PLATEAU_MAX_EPOCHS),
    _learner_setting("learner_zscore_targets", "learner's LSTM, z-scored targets",
                     "zscore_targets"),
    _learner_setting("learner_time_scaled", "learner's LSTM, time channel scaled to 0-1",
                     "scale_time"),
    _learner_setting("learner_time_dropped", "learner's LSTM, time channel dropped",
                     "drop_time"),
    _learner_setting("learner_standardise_voltage", "learner's LSTM, voltage standardised",
                     "standardise_voltage"),
    _learner_setting("learner_inputs_scaled",
                     "learner's LSTM, time scaled and voltage standardised", "scale_inputs"),
    _learner_setting("learner_zscore_standardise_voltage",
                     "learner's LSTM, z-scored targets and voltage standardised",
                     "standardise_voltage_zscore_targets"),
    _learner_setting("learner_scaled", "learner's LSTM, scaled inputs and targets", "scaled"),
    _learner_setting("learner_one_layer", "learner's LSTM, one LSTM(100) layer", "raw",
                     build_kwargs={"units": (100,)}),
    _learner_setting("learner_adam", "learner's LSTM, Adam instead of RMSprop", "raw",
                     build_kwargs={"optimizer": "adam"}),
    _learner_setting("learner_more_dropout", "learner's LSTM, dropout 0.3", "raw",
                     build_kwargs={"dropout": 0.3}),
    _learner_setting("conv_lstm_raw", "Conv1D + LSTM, raw data", "raw", model="learner_conv_lstm"),
    LessonSetting(
        "small_lstm_adam", "LSTM(32) + Adam, scaled", "regression",
        {"model": "learner_lstm", "scaling": "scaled",
         "epochs": 30, "early_stopping_patience": 5,
         "build_kwargs": {"units": (32,), "dropout": 0.0, "optimizer": "adam",
                          "learning_rate": 3e-3}},
        shipped_seeds=(0,)),
    LessonSetting(
        "conv_lstm_scaled", "Conv1D + LSTM, scaled", "regression",
        {"model": "learner_conv_lstm", "scaling": "scaled",
         "epochs": 15, "early_stopping_patience": 5}),
    LessonSetting(
        "flattened_regression", "flattened states, regression", "regression",
        {"model": "flattened_states", "scaling": "voltage_channel",
         "epochs": 30, "early_stopping_patience": 5}),
    LessonSetting(
        "classifier_joint", "boundary classifier, all states, joint heads", "classifier",
        {"variant": "all_states", "heads": "joint", "epochs": 12, "early_stopping_patience": 4},
        shipped_seeds=(0, 1, 2)),
    LessonSetting(
        "classifier_separate", "boundary classifier, all states, two networks", "classifier",
        {"variant": "all_states", "heads": "separate", "epochs": 12, "early_stopping_patience": 4},
        shipped_seeds=(0, 1, 2)),
    LessonSetting(
        "classifier_last_state", "boundary classifier, last state only", "classifier",
        {"variant": "last_state", "heads": "joint", "epochs": 12, "early_stopping_patience": 4},
        shipped_seeds=(0,)),
    LessonSetting(
        "flattened_classifier", "flattened states, classification", "classifier",
        {"variant": "flattened", "heads": "joint", "epochs": 12, "early_stopping_patience": 4}),
    # lesson 03's matched comparison: one LSTM(32) body, standardised voltage, Adam 3e-3,
    # the same epochs and patience; only the readout (and the question asked) changes
    _readout_setting("last_state", "regression"),
    _readout_setting("all_states", "regression"),
    _readout_setting("last_state", "classification"),
    _readout_setting("all_states", "classification"),
    _readout_setting("all_states", "classification", bidirectional=True),
)
#: The lesson settings by name (the benchmark trains each of them).
LESSON_SETTINGS: Mapping[str, LessonSetting] = MappingProxyType({s.name: s for s in _SETTINGS})
#: Lesson 02's one-change runs: each changes one thing of ``learner_raw``.
LEARNER_CHANGES: tuple[str, ...] = (
    "learner_zscore_targets", "learner_time_scaled", "learner_time_dropped",
    "learner_standardise_voltage", "learner_one_layer", "learner_adam", "learner_more_dropout",
    "conv_lstm_raw",
)
#: Names of the settings whose trained weights ship with ecgteach.
SHIPPED_SETTINGS: tuple[str, ...] = tuple(s.name for s in _SETTINGS if s.shipped)


def run_lesson_setting(name: str, splits: BeatSplits, **overrides: Any) -> ExperimentResult:
    """Train (or load) one of :data:`LESSON_SETTINGS`; ``overrides`` replace its arguments.

    >>> from ecgteach.beats import beat_splits
    >>> result = run_lesson_setting("flattened_classifier", beat_splits(fast=True), epochs=1,
    ...                             progress=None, build_kwargs={"units": 2, "dense_units": 4})
    >>> result.name, result.kind
    ('flattened states, classification', 'classification')
    """
    if name not in LESSON_SETTINGS:
        raise ValueError(f"unknown lesson setting {name!r}; choose from {list(LESSON_SETTINGS)}")
    return LESSON_SETTINGS[name].run(splits, **overrides)
