"""How a regression run reached its plateau, and what it reached there.

The learner's network starts with outputs near 0 while the targets are indices
around 80-110 samples. Under RMSprop (or Adam) each step moves every weight by
about the learning rate, whatever the gradient's size, so the mean answer walks
to the training mean at a steady pace. :func:`mean_prediction_ms` reads that
walk from a run's history (the models log ``val_onset_mean_prediction`` and
``val_offset_mean_prediction`` after every epoch) and :func:`output_pace`
measures its pace and the epochs it implies; :func:`run_verdict` says in one
word what the run ended as (collapsed, learns, or in between); :func:`run_rows` puts
runs side by side for a table.

>>> import numpy as np
>>> from types import SimpleNamespace
>>> walk = SimpleNamespace(history={"val_onset_mean_prediction": [3.0, 6.0, 9.0, 12.0],
...                                 "val_offset_mean_prediction": [4.0, 8.0, 12.0, 16.0]},
...                        scaler=SimpleNamespace(inverse_y=lambda y: np.asarray(y),
...                                               target_mean=np.array([30.0, 40.0])),
...                        fs=250.0, config={"batch_size": 32}, n_train=320)
>>> pace = output_pace(walk)
>>> pace.samples_per_epoch, pace.steps_per_epoch, pace.epochs_to_mean()
(array([3., 4.]), 10, array([10., 10.]))
>>> pace.epochs_to_mean(n_beats=160)          # half the beats: half the steps per epoch
array([20., 20.])
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ecgteach.evaluation.collapse import COLLAPSED_BELOW
from ecgteach.nn.models import BOUNDARY_HEADS

#: A run "learns" when its skill (``1 - MSE / MSE of always predicting the training mean``,
#: :func:`ecgteach.evaluation.mse_against_mean_baseline`) is above this: half the mean's MSE.
LEARNS_ABOVE_SKILL = 0.5

#: The history keys the learner's models log after each epoch (validation beats).
MEAN_PREDICTION_KEYS: tuple[str, ...] = tuple(f"val_{head}_mean_prediction"
                                              for head in BOUNDARY_HEADS)


def mean_prediction_ms(result: Any) -> np.ndarray:
    """``(epochs, 2)`` mean ``[onset, offset]`` answer on the validation beats after each epoch, ms.

    Read from ``result.history`` (the model's ``*_mean_prediction`` metrics, in
    the targets' units) and mapped back to indices by ``result.scaler``, then to
    ms with ``result.fs``. An ``ExperimentResult`` of the learner's models has
    them; other models raise a ``ValueError`` saying what is missing.
    """
    missing = [key for key in MEAN_PREDICTION_KEYS if key not in result.history]
    if missing:
        raise ValueError(f"the run's history has no {missing}: only the learner's regression "
                         "models (learner_lstm, learner_conv_lstm) log their mean answer")
    scaled = np.stack([np.asarray(result.history[key], dtype=np.float64)
                       for key in MEAN_PREDICTION_KEYS], axis=1)
    return np.asarray(result.scaler.inverse_y(scaled), dtype=np.float64) * 1000.0 / result.fs


@dataclass(frozen=True)
class OutputPace:
    """The steady pace of a run's mean answer while it walks towards the training mean.

    ``samples_per_epoch``: median move per epoch, per boundary, over the epochs
    still short of 90 % of the way; ``steps_per_epoch``: optimiser steps per
    epoch (training beats / batch size, rounded up); ``target_mean``: the
    training mean in samples (where the walk ends).
    """

    samples_per_epoch: np.ndarray
    steps_per_epoch: int
    batch_size: int
    target_mean: np.ndarray

    @property
    def samples_per_step(self) -> np.ndarray:
        """Move of the mean answer per optimiser step, in samples."""
        return self.samples_per_epoch / self.steps_per_epoch

    def epochs_to_mean(self, n_beats: int | None = None) -> np.ndarray:
        """Epochs a walk from 0 needs to reach the training mean at this pace per step.

        ``n_beats``: another training-set size (e.g. the learner's 300 beats), same
        batch size; default: the run's own.
        """
        steps = self.steps_per_epoch if n_beats is None else math.ceil(n_beats / self.batch_size)
        return self.target_mean / (self.samples_per_step * steps)


def output_pace(result: Any) -> OutputPace:
    """Measure the pace of ``result``'s mean answer (see :class:`OutputPace`).

    ``result`` is an ``ExperimentResult`` of a learner's regression trained from
    zero (``start_at_mean=False``); the epochs after it is 90 % of the way there
    are left out, since the walk slows as it arrives.
    """
    means = mean_prediction_ms(result) * result.fs / 1000.0  # samples
    target = np.asarray(result.scaler.target_mean, dtype=np.float64)
    start = np.zeros((1, 2))  # outputs of a fresh network (zero bias) sit near 0
    moves = np.diff(np.vstack([start, means]), axis=0)
    pace = np.empty(2)
    for column in range(2):
        walking = means[:, column] < 0.9 * target[column]
        if not walking.any():
            raise ValueError("the run's mean answer was already near the training mean after "
                             "one epoch: nothing to measure (was it started at the mean?)")
        pace[column] = float(np.median(moves[walking, column]))
    batch_size = int(result.config["batch_size"])
    return OutputPace(samples_per_epoch=pace,
                      steps_per_epoch=math.ceil(int(result.n_train) / batch_size),
                      batch_size=batch_size, target_mean=target)


def run_verdict(result: Any, part: str = "val") -> str:
    """``"collapsed"``, ``"learns"`` or ``"in between"``, from a run's scores on ``part``.

    * ``"collapsed"``: every collapse ratio below
      :data:`~ecgteach.evaluation.collapse.COLLAPSED_BELOW` (nearly one answer for
      every beat);
    * ``"learns"``: no collapse, and a skill above :data:`LEARNS_ABOVE_SKILL` (an MSE
      under half that of always predicting the training mean);
    * ``"in between"``: anything else (the answers vary, but not usefully);
    * ``"diverged"``: the predictions are not numbers.

    >>> from types import SimpleNamespace
    >>> def run(ratios, skill):
    ...     return SimpleNamespace(metrics={"val": {"collapse_ratio": np.array(ratios),
    ...                                             "skill": skill}})
    >>> run_verdict(run([0.01, 0.02], -0.005)), run_verdict(run([0.8, 0.9], 0.8))
    ('collapsed', 'learns')
    >>> run_verdict(run([0.3, 0.5], 0.1)), run_verdict(run([np.nan, np.nan], np.nan))
    ('in between', 'diverged')
    """
    scores = result.metrics[part]
    ratios = np.asarray(scores["collapse_ratio"], dtype=np.float64)
    if not np.isfinite(ratios).all() or not np.isfinite(scores["skill"]):
        return "diverged"
    if ratios.max() < COLLAPSED_BELOW:
        return "collapsed"
    if scores["skill"] > LEARNS_ABOVE_SKILL:
        return "learns"
    return "in between"


def run_rows(runs: Any, part: str = "val", prefix: str = "learner's LSTM, ",
             baseline: Any = None) -> list[dict]:
    """One short row per run for lesson 02's tables: the change, its verdict and its numbers.

    ``prefix`` is cut from the run names (they all start with it), so the first
    column reads as the change made; the row of ``baseline`` (the run every other
    changes one thing of) reads "none (the learner's run)". Numbers: epochs to the plateau, training
    time (s), collapse ratio and MAE (ms) as ``onset / offset``, MSE as a share of
    always predicting the training mean.

    >>> from types import SimpleNamespace
    >>> scores = {"collapse_ratio": np.array([0.8, 0.69]), "skill": 0.62,
    ...           "mae_ms": np.array([33.9, 34.3])}
    >>> run = SimpleNamespace(name="learner's LSTM, z-scored targets", epochs_run=13,
    ...                       train_seconds=290.3, metrics={"val": scores})
    >>> row, = run_rows([run])
    >>> row["run"], row["verdict"], row["collapse ratio"], row["MSE / mean"], row["MAE ms"]
    ('z-scored targets', 'learns', '0.8 / 0.69', 0.38, '33.9 / 34.3')
    """
    rows = []
    for run in runs:
        scores = run.metrics[part]
        ratios, mae = scores["collapse_ratio"], scores["mae_ms"]
        rows.append({
            "run": "none (the learner's run)" if run is baseline
            else run.name.removeprefix(prefix),
            "verdict": run_verdict(run, part),
            "epochs": int(run.epochs_run), "train s": round(float(run.train_seconds)),
            "collapse ratio": f"{ratios[0]:.2g} / {ratios[1]:.2g}",
            "MSE / mean": round(1.0 - float(scores["skill"]), 2),
            "MAE ms": f"{mae[0]:.1f} / {mae[1]:.1f}",
        })
    return rows
