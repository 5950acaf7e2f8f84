"""Train the segmenter that ecgteach ships, from the bundled LUDB, within three minutes.

The command ``ecgteach train`` rebuilds ``ecgteach/weights/segmenter.keras``
(and a ``segmenter.json`` beside it that records how it was made and how it
scores) on a 2-core CPU. The recipe (see :data:`DEFAULT_RECIPE` and :data:`DEFAULT_BUILD_KWARGS`):

* data: the training patients of ``split_patients(seed=0)`` (128 records), every
  annotated lead as a separate example, resampled to 250 Hz, z-scored per lead,
  cut into 2 s windows inside the labelled spans; the validation patients (32
  records) watch the loss every epoch; the test patients 161-200 are never read;
* model: :func:`ecgteach.nn.models.segmenter` (Conv1D front end, MaxPooling, BiLSTM,
  upsampling, skip connection, softmax per sample);
* training: Adam (gradient norm clipped at 1), batches of 64, 10 epochs, the
  learning rate warmed up linearly to 1e-2 over 0.3 epoch then cosine-decayed
  to 1e-5 over all remaining steps, no dropout, op determinism on (same
  seed -> same weights), the weights of the best validation loss restored at the
  end, and a wall-clock budget (:func:`ecgteach.nn.fitting.time_budget`) that stops
  early on a slow machine, with the cosine decay shortened to the epochs that fit
  so the run still ends at the final learning rate (the run is then no longer
  reproducible, and the JSON says so).

The validation patients are scored with the one protocol of the lessons,
:func:`ecgteach.delineation.scoring.score_delineator`: whole 10 s leads at
250 Hz through the model in batches, class probabilities per sample,
:func:`ecgteach.delineation.decode.probabilities_to_waves` (argmax runs,
expected boundaries), back to 500 Hz, then
:class:`ecgteach.evaluation.metrics.DelineationScorer` against the
cardiologists' waves inside the labelled span.

TensorFlow is imported inside the functions only. From a shell::

    ecgteach train                                 # 3 min, writes ecgteach/weights/
    ecgteach train --fast --out /tmp/s.keras       # a smoke run

>>> from ecgteach.nn.models import count_params, segmenter
>>> DEFAULT_RECIPE["epochs"], DEFAULT_RECIPE["batch_size"], DEFAULT_RECIPE["fs"]
(10, 64, 250.0)
>>> count_params(segmenter(**DEFAULT_BUILD_KWARGS))
49252
>>> model, info = train_default_segmenter(seconds=180, seed=0)   # doctest: +SKIP
>>> print(score_delineator(model, range(161, 201), "ii").pooled.table())   # doctest: +SKIP
"""

from __future__ import annotations

import math
import os
import platform
import time
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ecgteach._config import processor_name
from ecgteach._files import to_json
from ecgteach._version import __version__
from ecgteach.datasets.ludb import load_ludb, unlabelled_p_waves
from ecgteach.datasets.splits import check_split, split_patients
from ecgteach.delineation.augment import augment_windows, check_augmentations
from ecgteach.delineation.scoring import score_delineator
from ecgteach.delineation.segmenter import MODEL_FS, ScoresSummary, SegmenterInfo, TrainingConfig
from ecgteach.delineation.windows import make_windows
from ecgteach.ecg.leads import lead_names
from ecgteach.evaluation.metrics import DelineationScorer
from ecgteach.nn.fitting import configure_threads, fit, set_seed, time_budget
from ecgteach.nn.models import count_params, segmenter

#: Builder arguments of the shipped segmenter (:func:`ecgteach.nn.models.segmenter`).
DEFAULT_BUILD_KWARGS: dict[str, Any] = {
    "conv_filters": (16, 32),
    "kernel_size": 9,
    "pool_size": 5,
    "lstm_units": 32,
    "lstm_layers": 1,
    "bidirectional": True,
    "decoder_filters": 32,
    "dropout": 0.0,
}
#: Data and optimisation settings of the shipped segmenter.
DEFAULT_RECIPE: dict[str, Any] = {
    "fs": MODEL_FS,
    "window_s": 2.0,
    "stride_s": None,  # no overlap
    "batch_size": 64,
    "epochs": 10,
    "peak_learning_rate": 1e-2,
    "start_learning_rate": 1e-3,
    "final_learning_rate": 1e-5,
    "warmup_epochs": 0.3,
    "clipnorm": 1.0,
    "split_seed": 0,
    "threads": 2,
}
#: The class recipe: the default's model and schedule in a shorter run, for a lesson's
#: retrain button (``ecgteach train --recipe class``). Its cross-validated scores sit
#: beside the default's in ``benchmarks/README.md``.
CLASS_RECIPE: dict[str, Any] = {
    "description": "the default recipe with 3 epochs instead of 10, all 12 leads",
    "leads": "all",
    "recipe": {"epochs": 3},
    "seconds": 60.0,
}
#: Settings of ``--fast`` (a smoke run: a few records, lead ii, one epoch).
FAST_RECIPE: dict[str, Any] = {"epochs": 1, "train_records": 4, "val_records": 2}
#: Seconds kept free at the end of the budget for validation scoring and saving.
RESERVE_S = 15.0


def scores_summary(scorer: DelineationScorer) -> ScoresSummary:
    """A scorer's pooled scores as JSON-able rows plus its Markdown table.

    ``train_default_segmenter`` stores one per scored lead set in
    ``info.validation_scores``. Here the cardiologists' own waves score themselves:

    >>> import dataclasses, json
    >>> from ecgteach import load_ludb_record
    >>> from ecgteach.evaluation.metrics import DelineationScorer
    >>> record = load_ludb_record(1, leads=["ii"])
    >>> scorer = DelineationScorer()
    >>> _ = scorer.add_lead(record, "ii", record.lead_waves("ii"))
    >>> summary = scores_summary(scorer)
    >>> summary.n_leads_scored, [row["boundary"] for row in summary.rows]
    (1, ['P onset', 'P offset', 'QRS onset', 'QRS offset', 'T offset'])
    >>> summary.rows[2]["tp"], summary.rows[2]["f1"], summary.table.splitlines()[4]
    (6, 100.0, '| QRS onset | 100.0 | 100.0 | 100.0 | 0.0 ± 0.0 | 6.5 | 6 |')
    >>> json.dumps(dataclasses.asdict(summary))[:22]
    '{"n_leads_scored": 1, '
    """
    return ScoresSummary(
        n_leads_scored=scorer.n_added,
        table=scorer.table(),
        rows=[to_json(score.as_row()) for score in scorer.scores().values()],
    )


# ------------------------------------------------------------------------ training


def _compile(model: Any, total_steps: int, recipe: Mapping[str, Any], steps_per_epoch: int) -> Any:
    """Recompile ``model`` with Adam on a warm-up + cosine-decay schedule over ``total_steps``.

    Returns the schedule: its decay length is a variable, so
    :func:`_fit_schedule_to_budget` can end the decay sooner when a slow machine
    will not run every epoch in the budget (on a machine that does, the numbers
    are exactly Keras's ``CosineDecay``). No XLA: Keras refuses ``jit_compile``
    under op determinism, which the recipe keeps on.
    """
    import keras

    warmup = int(round(float(recipe["warmup_epochs"]) * steps_per_epoch))
    warmup = min(max(warmup, 0), max(total_steps - 1, 0))
    peak = float(recipe["peak_learning_rate"])

    class FittedCosineDecay(keras.optimizers.schedules.CosineDecay):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.decay_steps = keras.Variable(float(kwargs["decay_steps"]), trainable=False,
                                              dtype="float32", name="decay_steps")

        def get_config(self) -> dict[str, Any]:
            return {**super().get_config(), "decay_steps": float(self.decay_steps.numpy())}

    schedule = FittedCosineDecay(
        initial_learning_rate=float(recipe["start_learning_rate"]) if warmup else peak,
        decay_steps=max(total_steps - warmup, 1),
        alpha=float(recipe["final_learning_rate"]) / peak,
        warmup_target=peak if warmup else None,
        warmup_steps=warmup,
    )
    clip = recipe.get("clipnorm")
    optimizer = keras.optimizers.Adam(learning_rate=schedule,
                                      clipnorm=None if clip is None else float(clip))
    model.compile(
        optimizer=optimizer,
        loss=keras.losses.SparseCategoricalCrossentropy(
            ignore_class=-1, reduction="mean_with_sample_weight"
        ),
        weighted_metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")],
    )
    return schedule


def _fit_schedule_to_budget(schedule: Any, budget: Any, epochs: int, steps_per_epoch: int) -> Any:
    """A callback that ends the learning-rate decay at the last epoch the budget allows.

    After each epoch it asks the time budget how many more epochs fit; when fewer
    than planned, the cosine decay is shortened so the learning rate still comes
    down to its final value (a run stopped half way at a high learning rate gives a
    poor model). ``.epochs`` is the number of epochs the schedule ends at.
    """
    import keras

    warmup = float(schedule.warmup_steps or 0)

    class FitScheduleToBudget(keras.callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self.epochs = int(epochs)

        def on_epoch_end(self, epoch: int, logs: Mapping[str, float] | None = None) -> None:
            left = budget.epochs_left()
            if left is None or epoch + 1 + left >= self.epochs:
                return
            self.epochs = epoch + 1 + left  # left >= 0
            schedule.decay_steps.assign(max(self.epochs * steps_per_epoch - warmup, 1.0))

    return FitScheduleToBudget()


def _save_as_plain_schedule(model: Any, schedule: Any) -> None:
    """Give the optimizer Keras's own ``CosineDecay`` with the decay length it ended at, so
    a saved ``.keras`` file loads anywhere (also compiled) without ecgteach's class."""
    import keras

    model.optimizer.learning_rate = keras.optimizers.schedules.CosineDecay(
        **schedule.get_config())


def _unlabelled_p(how: str, records: Sequence[Any]) -> set[str]:
    """The records of ``records`` whose P waves are unannotated, when ``how`` acts on them."""
    if how not in ("keep", "mask", "exclude"):
        raise ValueError(f'recipe["unlabelled_p"] must be "keep", "mask" or "exclude", got {how!r}')
    return set() if how == "keep" else set(unlabelled_p_waves(records))


def train_default_segmenter(
    seconds: float = 180.0,
    seed: int = 0,
    leads: str | Sequence[str] | None = "all",
    progress: str | None = "text",
    fast: bool = False,
    build_kwargs: Mapping[str, Any] | None = None,
    recipe: Mapping[str, Any] | None = None,
    score_validation: bool = True,
    started: float | None = None,
    callbacks: Sequence[Any] = (),
    stop_event: Any = None,
    split: Mapping[str, Sequence[int]] | None = None,
) -> tuple[Any, SegmenterInfo]:
    """Train the shipped segmenter from scratch; returns ``(model, info)``.

    ``seconds`` is the wall-clock budget of the whole run (from ``started``,
    default now): training stops early, with the best validation weights
    restored, when the next epoch would not finish :data:`RESERVE_S` seconds
    before it. ``leads``: ``"all"`` (every lead is a training example) or e.g.
    ``"ii"``; ``fast=True`` is a smoke run (4 + 2 records, one epoch).
    ``build_kwargs``/``recipe`` override :data:`DEFAULT_BUILD_KWARGS` and
    :data:`DEFAULT_RECIPE`; ``recipe["unlabelled_p"]`` says what to do with the
    records whose P waves are present but not annotated
    (:func:`ecgteach.datasets.unlabelled_p_waves`): ``"keep"`` them as labelled
    (the default), ``"mask"`` their background (left unlabelled) or ``"exclude"`` them;
    ``recipe["augment"]`` (e.g. ``["noise", "wander"]``, see
    :mod:`ecgteach.delineation.augment`) augments a share
    ``recipe["augment_probability"]`` (default 0.5) of the training windows, seeded.
    ``callbacks`` (e.g. a live loss curve's
    ``on_epoch``) and ``stop_event`` go to :func:`ecgteach.nn.fitting.fit`.
    ``split`` (``{"train": [...], "val": [...]}``, e.g. one of
    :func:`ecgteach.datasets.splits.patient_folds`) replaces
    ``split_patients(recipe["split_seed"])``; it may not touch the test patients.
    ``info`` is a :class:`~ecgteach.delineation.segmenter.SegmenterInfo`
    (attributes; ``info.to_dict()`` is JSON): config, timings, history and
    (``score_validation``) the validation scores on lead ii and on all ``leads``.
    The real run takes minutes; ``fast=True`` is the smoke run (4 + 2 records,
    lead ii, one epoch):

    >>> model, info = train_default_segmenter(seconds=60, leads="ii", fast=True,
    ...                                       progress=None)
    >>> info.epochs_run, info.config.fast, len(info.config.train_records), info.n_params
    (1, True, 4, 49252)
    >>> info.validation_scores["ii"].rows[0]["boundary"]
    'P onset'
    """
    started = time.perf_counter() if started is None else started
    rec = {**DEFAULT_RECIPE, **(FAST_RECIPE if fast else {}), **dict(recipe or {})}
    kwargs = {**DEFAULT_BUILD_KWARGS, **dict(build_kwargs or {})}
    chosen = lead_names(leads)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    configure_threads(int(rec["threads"]))
    import keras
    import tensorflow as tf


    chosen_split = (split_patients(seed=int(rec["split_seed"])) if split is None
                    else check_split(split))
    train_ids, val_ids = list(chosen_split["train"]), list(chosen_split["val"])
    if fast:
        train_ids = train_ids[: int(rec["train_records"])]
        val_ids = val_ids[: int(rec["val_records"])]
    train_records = load_ludb(train_ids, leads=chosen)
    val_records = load_ludb(val_ids, leads=chosen)
    how = str(rec.get("unlabelled_p", "keep"))
    unlabelled = _unlabelled_p(how, train_records + val_records)
    windows = {
        name: make_windows([r for r in records if not (how == "exclude" and r.name in unlabelled)],
                           chosen, fs=float(rec["fs"]), window_s=float(rec["window_s"]),
                           stride_s=rec["stride_s"] if name == "train" else None,
                           unlabelled_p=unlabelled if how == "mask" else ())
        for name, records in (("train", train_records), ("val", val_records))
    }
    if rec.get("augment"):
        windows["train"] = augment_windows(
            windows["train"], check_augmentations(rec["augment"]),
            probability=float(rec.get("augment_probability", 0.5)), seed=seed)
    data_s = time.perf_counter() - started

    set_seed(seed)
    model = segmenter(**kwargs)
    epochs = int(rec["epochs"])
    batch_size = int(rec["batch_size"])
    steps_per_epoch = int(math.ceil(len(windows["train"]) / batch_size))
    schedule = _compile(model, epochs * steps_per_epoch, rec, steps_per_epoch)
    budget = time_budget(max(float(seconds) - RESERVE_S, float(seconds) / 2), start=started)
    fitted = _fit_schedule_to_budget(schedule, budget, epochs, steps_per_epoch)
    train, val = windows["train"], windows["val"]
    fit_start = time.perf_counter()
    result = fit(
        model, train.x, train.labels.astype(np.int32), sample_weight=train.valid,
        validation_data=(val.x, val.labels.astype(np.int32), val.valid),
        epochs=epochs, batch_size=batch_size, seed=seed, early_stopping_patience=epochs,
        callbacks=[budget, fitted, *callbacks], progress=progress, stop_event=stop_event,
    )
    fit_s = time.perf_counter() - fit_start
    _save_as_plain_schedule(model, schedule)
    if progress == "text" and budget.stopped:
        print(f"time budget reached after {result.epochs_run} epoch(s) (the learning rate "
              f"decayed over {fitted.epochs}): the run is not reproducible bit for bit",
              flush=True)

    config = TrainingConfig(
        builder="ecgteach.nn.models.segmenter",
        build_kwargs=to_json(kwargs),
        recipe=to_json(rec),
        fs=float(rec["fs"]),
        window_s=float(rec["window_s"]),
        training_leads=list(chosen),
        split_seed=int(rec["split_seed"]) if split is None else None,  # None: given
        train_records=[int(r) for r in train_ids],
        val_records=[int(r) for r in val_ids],
        n_train_windows=len(train),
        n_val_windows=len(val),
        steps_per_epoch=steps_per_epoch,
        fast=bool(fast),
    )
    validation_scores, validation_s = {}, None
    if score_validation:
        eval_start = time.perf_counter()
        scores = {"ii": score_delineator(model, val_records, "ii", warm_up=False).pooled}
        if chosen != ("ii",):
            scores["all"] = score_delineator(model, val_records, chosen, warm_up=False).pooled
        validation_scores = {k: scores_summary(v) for k, v in scores.items()}
        validation_s = round(time.perf_counter() - eval_start, 2)
    info = SegmenterInfo(
        model="segmenter",
        config=config,
        seed=int(seed),
        n_params=count_params(model),
        budget_s=float(seconds),
        stopped_by_time_budget=bool(budget.stopped),
        reproducible=not budget.stopped,
        epochs_run=result.epochs_run,
        best_epoch=result.best_epoch,
        restored_best=result.restored_best,
        seconds_per_epoch=to_json(result.seconds_per_epoch),
        data_seconds=round(data_s, 2),
        fit_seconds=round(fit_s, 2),
        history=to_json(result.history),
        versions={
            "ecgteach": __version__,
            "keras": keras.__version__,
            "tensorflow": tf.__version__,
            "numpy": np.__version__,
            "python": platform.python_version(),
        },
        machine={"cpus": os.cpu_count(), "platform": platform.platform(),
                 "processor": processor_name()},
        validation_scores=validation_scores,
        validation_seconds=validation_s,
        training_seconds=round(time.perf_counter() - started, 2),
    )
    return model, info
