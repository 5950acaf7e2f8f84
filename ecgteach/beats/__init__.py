"""The beat experiments of lessons 02-03: the learner's beats, scalings, recipes, lesson settings.

>>> from ecgteach.beats import beat_splits, boundary_targets
>>> splits = beat_splits(fast=True)
>>> splits.train.x.shape, splits.train.y.shape          # [time_ms, voltage]; [onset, offset]
((77, 200, 2), (77, 2))
>>> boundary_targets(splits.train.y[:, 0], splits.train.length, sigma=2.0).shape
(77, 200)
"""

from ecgteach.beats.diagnostics import (
    boundary_probabilities,
    gradient_by_time_step,
    input_saturation,
    last_state_spread,
    regression_report,
)
from ecgteach.beats.pace import (
    OutputPace,
    mean_prediction_ms,
    output_pace,
    run_rows,
    run_verdict,
)
from ecgteach.beats.recipes import (
    LiveHooks,
    TrainingData,
    TrainingOptions,
    train_boundary_classifier,
    train_regression,
)
from ecgteach.beats.results import ExperimentResult, beat_scores
from ecgteach.beats.scaling import (
    SCALINGS,
    TARGET_OPTIONS,
    TIME_OPTIONS,
    VOLTAGE_OPTIONS,
    FittedScaling,
    InputScaling,
)
from ecgteach.beats.seedset import SeedDataset, make_seed_dataset
from ecgteach.beats.settings import (
    LEARNER_CHANGES,
    LESSON_SETTINGS,
    RECIPES,
    SHIPPED_SETTINGS,
    LessonSetting,
    run_lesson_setting,
)
from ecgteach.beats.splits import BeatSplits, beat_splits
from ecgteach.beats.targets import boundary_targets, positions_from_distribution

__all__ = [
    "LEARNER_CHANGES",
    "LESSON_SETTINGS",
    "RECIPES",
    "SCALINGS",
    "SHIPPED_SETTINGS",
    "TARGET_OPTIONS",
    "TIME_OPTIONS",
    "VOLTAGE_OPTIONS",
    "beat_scores",
    "beat_splits",
    "BeatSplits",
    "boundary_probabilities",
    "boundary_targets",
    "ExperimentResult",
    "FittedScaling",
    "gradient_by_time_step",
    "input_saturation",
    "InputScaling",
    "last_state_spread",
    "LessonSetting",
    "LiveHooks",
    "make_seed_dataset",
    "mean_prediction_ms",
    "output_pace",
    "OutputPace",
    "positions_from_distribution",
    "regression_report",
    "run_lesson_setting",
    "run_rows",
    "run_verdict",
    "SeedDataset",
    "train_boundary_classifier",
    "train_regression",
    "TrainingData",
    "TrainingOptions",
]
