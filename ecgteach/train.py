"""Train the segmenter that ecgteach ships, from the bundled LUDB, in about three minutes.

``python -m ecgteach.train`` rebuilds ``ecgteach/weights/segmenter.keras`` (and a
``segmenter.json`` beside it that records how it was made and how it scores) on
a 2-core CPU. The recipe (see :data:`DEFAULT_RECIPE` and :data:`DEFAULT_BUILD_KWARGS`):

* data: the training patients of ``split_patients(seed=0)`` (128 records), every
  annotated lead as a separate example, resampled to 250 Hz, z-scored per lead,
  cut into 2 s windows inside the labelled spans; the validation patients (32
  records) watch the loss every epoch; the test patients 161-200 are never read;
* model: :func:`ecgteach.models.segmenter` (Conv1D front end, MaxPooling, BiLSTM,
  upsampling, skip connection, softmax per sample);
* training: Adam (gradient norm clipped at 1), batches of 64, 6 epochs, the
  learning rate warmed up linearly to 1e-2 over 0.3 epoch then cosine-decayed
  to 1e-5 over all remaining steps, no dropout, op determinism on (same
  seed -> same weights), the weights of the best validation loss restored at the
  end, and a wall-clock budget (:func:`ecgteach.training.time_budget`) that stops
  early on a slow machine (the run is then no longer reproducible, and the JSON
  says so).

:func:`evaluate_segmenter` is the scoring protocol of the lessons: whole 10 s
leads at 250 Hz through the model in batches, class probabilities per sample,
:func:`ecgteach.delineation.probabilities_to_waves` (argmax runs, expected
boundaries), back to 500 Hz, then
:class:`ecgteach.metrics.DelineationScorer` against the cardiologists' waves
inside the labelled span.

TensorFlow is imported inside the functions only.

Usage::

    python -m ecgteach.train                       # 3 min, writes ecgteach/weights/
    python -m ecgteach.train --fast --out /tmp/s.keras
    model, info = train_default_segmenter(seconds=180, seed=0)
    print(evaluate_segmenter(model, load_ludb(range(161, 201)), ["ii"]).table())
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
import sys
import time
import warnings
import weakref
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .delineation import probabilities_to_waves
from .ludb import LUDB_LEADS, check_leads, load_ludb
from .metrics import DelineationScorer
from .prepare import check_split, resample_record, split_patients, standardise
from .records import Record
from .training import _atomic_write
from .waves import scale_waves

#: Where the shipped default segmenter lives (``--out`` default).
DEFAULT_OUT = Path(__file__).resolve().parent / "weights" / "segmenter.keras"
#: Sampling rate the segmenter works at (Hz).
MODEL_FS = 250.0
#: Builder arguments of the shipped segmenter (:func:`ecgteach.models.segmenter`).
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
    "epochs": 6,
    "peak_learning_rate": 1e-2,
    "start_learning_rate": 1e-3,
    "final_learning_rate": 1e-5,
    "warmup_epochs": 0.3,
    "clipnorm": 1.0,
    "split_seed": 0,
    "threads": 2,
}
#: Settings of ``--fast`` (a smoke run: a few records, lead ii, one epoch).
FAST_RECIPE: dict[str, Any] = {"epochs": 1, "train_records": 4, "val_records": 2}
#: Seconds kept free at the end of the budget for validation scoring and saving.
RESERVE_S = 15.0


# ------------------------------------------------------------------------- helpers


def configure_threads(threads: int = 2) -> None:
    """Set TensorFlow's intra- and inter-op thread pools (before TF runs any op).

    Silently does nothing once TensorFlow is initialised. Usage: ``configure_threads(2)``.
    """
    import tensorflow as tf

    with contextlib.suppress(RuntimeError):
        tf.config.threading.set_intra_op_parallelism_threads(int(threads))
        tf.config.threading.set_inter_op_parallelism_threads(int(threads))


def resolve_leads(leads: str | Sequence[str] | None) -> tuple[str, ...]:
    """``"all"``/``None`` -> the 12 LUDB leads; a name or list -> those leads.

    Usage: ``resolve_leads("ii")``.
    """
    if leads is None or (isinstance(leads, str) and leads.lower() == "all"):
        return LUDB_LEADS
    return check_leads(leads)


def _jsonable(value: Any) -> Any:
    """Plain JSON values (nan/inf -> None, numpy -> python, tuples -> lists)."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_jsonable(v) for v in (value.tolist() if isinstance(value, np.ndarray) else value)]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    return value


def scores_summary(scorer: DelineationScorer) -> dict[str, Any]:
    """A scorer's pooled scores as JSON-able rows plus its Markdown table.

    Usage: ``json.dumps(scores_summary(evaluate_segmenter(model, records, ["ii"])))``.
    """
    return {
        "n_leads_scored": scorer.n_added,
        "table": scorer.table(),
        "rows": [_jsonable(score.as_row()) for score in scorer.scores().values()],
    }


# ---------------------------------------------------------------------- evaluation


def predict_probabilities(model: Any, signals: Sequence[np.ndarray], batch_size: int = 64,
                          pool: int | None = None) -> list[np.ndarray]:
    """Class probabilities ``(n, 4)`` per sample of each 1-D (standardised, 250 Hz) signal.

    Signals of the same length run together in batches of ``batch_size`` (the
    last batch padded with empty rows, so the compiled function is traced once
    per length); a length that is not a multiple of ``pool`` (default: the
    model's pooling factor) is zero-padded at the end. Runs through
    :func:`ecgteach.models.predict_fn` (XLA when it compiles). Usage:
    ``probs = predict_probabilities(model, [z_ii, z_v1])``.
    """
    if pool is None:
        pool = _model_pool(model)
    predict = _predictor(model)
    lengths = [int(np.shape(s)[0]) for s in signals]
    out: list[np.ndarray | None] = [None] * len(signals)
    for width in sorted({int(math.ceil(n / pool) * pool) for n in lengths}):
        members = [i for i, n in enumerate(lengths) if int(math.ceil(n / pool) * pool) == width]
        rows = min(int(batch_size), 1 << (len(members) - 1).bit_length())  # few distinct shapes
        for start in range(0, len(members), rows):
            chosen = members[start : start + rows]
            batch = np.zeros((rows, width, 1), dtype=np.float32)
            for row, i in enumerate(chosen):
                batch[row, : lengths[i], 0] = signals[i]
            probabilities = np.asarray(predict(batch), dtype=np.float32)
            for row, i in enumerate(chosen):
                out[i] = probabilities[row, : lengths[i]]
    return [probabilities for probabilities in out if probabilities is not None]


_PREDICTORS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _predictor(model: Any) -> Any:
    """One :func:`ecgteach.models.predict_fn` per model, so repeated calls reuse its traces."""
    from .models import predict_fn

    try:
        return _PREDICTORS.setdefault(model, predict_fn(model))
    except TypeError:  # not weak-referenceable
        return predict_fn(model)


def _model_pool(model: Any) -> int:
    pool = 1
    for layer in getattr(model, "layers", ()):
        size = getattr(layer, "pool_size", None)
        if size is not None:
            pool *= int(np.prod(size))
    return pool


def evaluate_segmenter(
    model: Any,
    records: Sequence[Record],
    leads: str | Sequence[str] | None = ("ii",),
    batch_size: int = 64,
    scorer: DelineationScorer | None = None,
    expected: bool = True,
) -> DelineationScorer:
    """Score a segmenter on whole records: the protocol behind every reported number.

    For each record and lead: resample to 250 Hz, z-score the whole lead, label
    every sample (all leads of all records stacked and run in batches),
    :func:`ecgteach.delineation.probabilities_to_waves` (argmax runs, boundaries
    at their expected position unless ``expected=False``), scale back to the
    record's rate and round (-1 kept), and add to a :class:`ecgteach.metrics.DelineationScorer`
    against ``record.waves[lead]`` inside ``record.span(lead)``. ``leads``: a
    name, a list, or ``"all"``/``None`` for every annotated lead. Leads without
    annotations are skipped. Usage:
    ``print(evaluate_segmenter(model, load_ludb(range(161, 201)), "ii").table())``.
    """
    chosen = None if leads is None or (isinstance(leads, str) and leads.lower() == "all") \
        else check_leads(leads)
    scorer = DelineationScorer() if scorer is None else scorer
    jobs: list[tuple[Record, str, np.ndarray]] = []
    for record in records:
        at_fs = resample_record(record, MODEL_FS)
        for lead in chosen if chosen is not None else tuple(record.waves):
            if lead not in record.waves:
                continue
            jobs.append((record, lead, standardise(at_fs.lead(lead))))
    probabilities = predict_probabilities(model, [signal for _, _, signal in jobs],
                                          batch_size=batch_size)
    for (record, lead, signal), probs in zip(jobs, probabilities, strict=True):
        waves = probabilities_to_waves(probs, signal, MODEL_FS, expected=expected)
        waves = scale_waves(waves, record.fs / MODEL_FS)  # rounds the expected boundaries
        scorer.add(record.waves[lead], waves, fs=record.fs, span=record.span(lead),
                   group=record.name)
    return scorer


# ------------------------------------------------------------------------ training


def _compile(model: Any, total_steps: int, recipe: Mapping[str, Any], steps_per_epoch: int) -> None:
    """Recompile ``model`` with Adam on a warm-up + cosine-decay schedule over ``total_steps``.

    No XLA: Keras refuses ``jit_compile`` under op determinism, which the recipe keeps on.
    """
    import keras

    warmup = int(round(float(recipe["warmup_epochs"]) * steps_per_epoch))
    warmup = min(max(warmup, 0), max(total_steps - 1, 0))
    peak = float(recipe["peak_learning_rate"])
    schedule = keras.optimizers.schedules.CosineDecay(
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
) -> tuple[Any, dict[str, Any]]:
    """Train the shipped segmenter from scratch; returns ``(model, info)``.

    ``seconds`` is the wall-clock budget of the whole run (from ``started``,
    default now): training stops early, with the best validation weights
    restored, when the next epoch would not finish :data:`RESERVE_S` seconds
    before it. ``leads``: ``"all"`` (every lead is a training example) or e.g.
    ``"ii"``; ``fast=True`` is a smoke run (4 + 2 records, one epoch).
    ``build_kwargs``/``recipe`` override :data:`DEFAULT_BUILD_KWARGS` and
    :data:`DEFAULT_RECIPE`. ``callbacks`` (e.g. a live loss curve's
    ``on_epoch``) and ``stop_event`` go to :func:`ecgteach.training.fit`.
    ``split`` (``{"train": [...], "val": [...]}``, e.g. one of
    :func:`ecgteach.prepare.patient_folds`) replaces ``split_patients(recipe["split_seed"])``;
    it may not touch the test patients.
    ``info`` is JSON-able: config, timings, history and
    (``score_validation``) the validation scores on lead ii and on all ``leads``.
    Usage: ``model, info = train_default_segmenter(seconds=180, seed=0)``.
    """
    started = time.perf_counter() if started is None else started
    rec = {**DEFAULT_RECIPE, **(FAST_RECIPE if fast else {}), **dict(recipe or {})}
    kwargs = {**DEFAULT_BUILD_KWARGS, **dict(build_kwargs or {})}
    chosen = resolve_leads(leads)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    configure_threads(int(rec["threads"]))
    import keras
    import tensorflow as tf

    from . import __version__
    from .models import count_params, segmenter
    from .targets import make_windows
    from .training import fit, set_seed, time_budget

    chosen_split = (split_patients(seed=int(rec["split_seed"])) if split is None
                    else check_split(split))
    train_ids, val_ids = list(chosen_split["train"]), list(chosen_split["val"])
    if fast:
        train_ids = train_ids[: int(rec["train_records"])]
        val_ids = val_ids[: int(rec["val_records"])]
    train_records = load_ludb(train_ids, leads=chosen)
    val_records = load_ludb(val_ids, leads=chosen)
    windows = {
        name: make_windows(records, chosen, fs=float(rec["fs"]), window_s=float(rec["window_s"]),
                           stride_s=rec["stride_s"] if name == "train" else None)
        for name, records in (("train", train_records), ("val", val_records))
    }
    data_s = time.perf_counter() - started

    set_seed(seed)
    model = segmenter(**kwargs)
    epochs = int(rec["epochs"])
    batch_size = int(rec["batch_size"])
    steps_per_epoch = int(math.ceil(len(windows["train"]) / batch_size))
    _compile(model, epochs * steps_per_epoch, rec, steps_per_epoch)
    budget = time_budget(max(float(seconds) - RESERVE_S, float(seconds) / 2), start=started)
    train, val = windows["train"], windows["val"]
    fit_start = time.perf_counter()
    result = fit(
        model, train.x, train.labels.astype(np.int32), sample_weight=train.valid,
        validation_data=(val.x, val.labels.astype(np.int32), val.valid),
        epochs=epochs, batch_size=batch_size, seed=seed, early_stopping_patience=epochs,
        callbacks=[budget, *callbacks], progress=progress, stop_event=stop_event,
    )
    fit_s = time.perf_counter() - fit_start
    if progress == "text" and budget.stopped:
        print(f"time budget reached after {result.epochs_run} epoch(s): the run is not "
              "reproducible bit for bit", flush=True)

    info: dict[str, Any] = {
        "model": "segmenter",
        "config": {
            "builder": "ecgteach.models.segmenter",
            "build_kwargs": _jsonable(kwargs),
            "recipe": _jsonable(rec),
            "fs": float(rec["fs"]),
            "window_s": float(rec["window_s"]),
            "training_leads": list(chosen),
            "split_seed": int(rec["split_seed"]) if split is None else None,  # None: given
            "train_records": [int(r) for r in train_ids],
            "val_records": [int(r) for r in val_ids],
            "n_train_windows": len(train),
            "n_val_windows": len(val),
            "steps_per_epoch": steps_per_epoch,
            "fast": bool(fast),
        },
        "seed": int(seed),
        "n_params": count_params(model),
        "budget_s": float(seconds),
        "stopped_by_time_budget": bool(budget.stopped),
        "reproducible": not budget.stopped,
        "epochs_run": result.epochs_run,
        "best_epoch": result.best_epoch,
        "restored_best": result.restored_best,
        "seconds_per_epoch": _jsonable(result.seconds_per_epoch),
        "data_seconds": round(data_s, 2),
        "fit_seconds": round(fit_s, 2),
        "history": _jsonable(result.history),
        "versions": {
            "ecgteach": __version__,
            "keras": keras.__version__,
            "tensorflow": tf.__version__,
            "numpy": np.__version__,
            "python": platform.python_version(),
        },
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
    }
    if score_validation:
        eval_start = time.perf_counter()
        scores = {"ii": evaluate_segmenter(model, val_records, ("ii",))}
        if chosen != ("ii",):
            scores["all"] = evaluate_segmenter(model, val_records, chosen)
        info["validation_scores"] = {k: scores_summary(v) for k, v in scores.items()}
        info["validation_seconds"] = round(time.perf_counter() - eval_start, 2)
    info["training_seconds"] = round(time.perf_counter() - started, 2)
    return model, info


# ---------------------------------------------------------------------------- saving


def save_segmenter(model: Any, info: Mapping[str, Any], out: str | Path) -> tuple[Path, Path]:
    """Write ``model`` as ``.keras`` and ``info`` as a ``.json`` beside it, each atomically.

    The JSON also records the model file's sha256 and size. Returns both paths.
    Usage: ``save_segmenter(model, info, "ecgteach/weights/segmenter.keras")``.
    """
    import hashlib

    out = Path(out)
    if out.suffix != ".keras":
        raise ValueError(f"the model file must end in .keras, got {out}")

    def write_model(tmp: Path) -> None:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=DeprecationWarning)
            model.save(tmp)

    _atomic_write(out, write_model)
    meta = dict(info)
    meta["file"] = {
        "name": out.name,
        "bytes": out.stat().st_size,
        "sha256": hashlib.sha256(out.read_bytes()).hexdigest(),
    }
    meta["saved"] = time.strftime("%Y-%m-%dT%H:%M:%S")
    meta_path = out.with_suffix(".json")
    text = json.dumps(_jsonable(meta), indent=1, allow_nan=False)
    _atomic_write(meta_path, lambda tmp: tmp.write_text(text + "\n", encoding="utf-8"))
    return out, meta_path


# ------------------------------------------------------------------------------- CLI


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m ecgteach.train``.

    Usage: ``build_parser().parse_args([])``.
    """
    parser = argparse.ArgumentParser(
        prog="python -m ecgteach.train",
        description="Train ecgteach's default segmenter from the bundled LUDB (about 3 min on "
        "2 CPU cores) and write it as .keras with a .json sidecar.",
    )
    parser.add_argument("--model", choices=["segmenter"], default="segmenter",
                        help="which model to train (default: segmenter)")
    parser.add_argument("--seconds", type=float, default=180.0,
                        help="wall-clock budget of the whole run in seconds (default: 180)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help=f"model file to write (default: {DEFAULT_OUT})")
    parser.add_argument("--leads", choices=["all", "ii"], default="all",
                        help="leads used as training examples (default: all 12)")
    parser.add_argument("--epochs", type=int, default=None,
                        help=f"epochs (default: {DEFAULT_RECIPE['epochs']})")
    parser.add_argument("--fast", action="store_true",
                        help="a smoke run: 4 training + 2 validation records, lead ii, one epoch")
    parser.add_argument("--quiet", action="store_true", help="print only the final summary")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m ecgteach.train``. Usage: ``main(["--fast", "--out", p])``."""
    started = time.perf_counter()
    args = build_parser().parse_args(argv)
    leads = "ii" if args.fast else args.leads
    recipe = {} if args.epochs is None else {"epochs": args.epochs}
    model, info = train_default_segmenter(
        seconds=args.seconds, seed=args.seed, leads=leads, fast=args.fast, recipe=recipe,
        progress=None if args.quiet else "text", started=started,
    )
    info["command"] = "python -m ecgteach.train " + " ".join(sys.argv[1:] if argv is None
                                                            else list(argv))
    info["wall_seconds"] = round(time.perf_counter() - started, 2)
    model_path, meta_path = save_segmenter(model, info, args.out)
    print(f"wrote {model_path} and {meta_path.name} ({info['epochs_run']} epochs, "
          f"{info['wall_seconds']:.0f} s)")
    for name, summary in info.get("validation_scores", {}).items():
        leads_used = ", ".join(info["config"]["training_leads"])
        which = "lead ii" if name == "ii" else f"leads {leads_used}"
        print(f"\nvalidation patients, {which}:\n{summary['table']}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
