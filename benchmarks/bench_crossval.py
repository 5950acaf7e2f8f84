"""Cross-validation of the default segmenter's recipe on the 160 non-test LUDB patients.

The test patients (161-200) give one number per boundary; this says how much
such a number moves from one set of patients to another, and whether the recipe
itself is biased. ``ecgteach.patient_folds()`` cuts patients 1-160 into 5
folds of 32 (fold 0 = the shipped model's validation patients); for each fold the
recipe of ``ecgteach train`` trains on the other 128 patients (same
seed, same settings) and is scored on the 32 it never saw, lead ii and all 12
leads, with the protocol of every other number (``evaluate_segmenter``).
``--repeats R`` repeats this on R different cuts into folds (fold seeds 0..R-1),
so the spread of a 32-patient mean is seen on 5 R sets of patients.
Fold 0 reuses the shipped segmenter when its sidecar says it was trained on
exactly that split with the current recipe (``--retrain-all`` trains it too).
The test patients are not read.

Usage::

    python benchmarks/bench_crossval.py --fast        # smoke run: tiny folds, 1 epoch
    python benchmarks/bench_crossval.py --repeats 2 --out benchmarks/crossval.md --readme
    # ~12 min: 9 trainings (fold 0 of the first cut is the shipped model)
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_models import (  # noqa: E402
    DELINEATOR_HEADER,
    fmt,
    load,
    log,
    machine,
    scorer_rows,
    table,
    update_readme,
)

import ecgteach  # noqa: E402
from ecgteach._files import to_json  # noqa: E402
from ecgteach.datasets import patient_folds  # noqa: E402
from ecgteach.delineation import (  # noqa: E402
    DEFAULT_BUILD_KWARGS,
    DEFAULT_RECIPE,
    DEFAULT_SEGMENTER,
    score_delineator,
    train_default_segmenter,
)
from ecgteach.evaluation import DelineationScorer  # noqa: E402

START, END = "<!-- crossval:start -->", "<!-- crossval:end -->"
SHOWN = ("QRS onset", "QRS offset", "T offset")


def shipped_matches(split: dict[str, list[int]]) -> bool:
    """True when the shipped segmenter was trained on ``split`` with the current recipe."""
    if not DEFAULT_SEGMENTER.is_file():
        return False
    try:
        config = ecgteach.segmenter_info().config
    except (FileNotFoundError, ValueError):
        return False
    return (config.train_records == split["train"]
            and config.val_records == split["val"]
            and config.build_kwargs == to_json(DEFAULT_BUILD_KWARGS)
            and config.recipe == to_json(DEFAULT_RECIPE)
            and config.fast is False)


def run_fold(cut: int, k: int, split: dict[str, list[int]], fast: bool, retrain: bool
             ) -> tuple[dict[str, DelineationScorer], dict[str, Any]]:
    """Train (or reuse) fold ``k``'s segmenter and score it on the fold's own patients."""
    started = time.perf_counter()
    if not fast and not retrain and shipped_matches(split):
        model, how = ecgteach.load_segmenter(), "shipped model (same split and recipe)"
        seconds = ecgteach.segmenter_info().training_seconds
    else:
        log(f"cut {cut} fold {k}: training on {len(split['train'])} patients ...")
        model, info = train_default_segmenter(seed=0, fast=fast, progress=None,
                                              split=split, score_validation=False,
                                              leads="ii" if fast else "all")
        n = info.epochs_run
        how, seconds = f"trained, {n} epoch{'' if n == 1 else 's'}", info.training_seconds
        if info.stopped_by_time_budget:
            how += " (stopped by the time budget)"
        split = {**split, "val": info.config.val_records}  # --fast keeps a few
    records = ecgteach.load_ludb(split["val"])
    scores = {"ii": score_delineator(model, records, "ii").pooled,
              "all": score_delineator(model, records, "all").pooled}
    log(f"cut {cut} fold {k}: done in {time.perf_counter() - started:.0f} s")
    return scores, {"cut": cut, "fold": k, "patients": len(split["val"]), "how": how,
                    "seconds": seconds}


def fold_rows(folds: Sequence[tuple[dict[str, DelineationScorer], dict[str, Any]]]
              ) -> list[list[str]]:
    rows = []
    for scores, meta in folds:
        cells = [str(meta["cut"]), str(meta["fold"]), str(meta["patients"]), meta["how"],
                 fmt(meta["seconds"], 0)]
        for lead in ("ii", "all"):
            by_name = scores[lead].scores()
            cells += [f"{fmt(by_name[n].mean_ms)} ± {fmt(by_name[n].sd_ms)}"
                      for n in ("QRS onset", "QRS offset")]
        rows.append(cells)
    return rows


def spread_rows(folds: Sequence[tuple[dict[str, DelineationScorer], dict[str, Any]]]
                ) -> list[list[str]]:
    rows = []
    for name in SHOWN:
        means = np.array([scores["ii"].scores()[name].mean_ms for scores, _ in folds])
        rows.append([name, f"{fmt(means.min())} to {fmt(means.max())}",
                     fmt(float(means.std(ddof=1)) if means.size > 1 else None)])
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fast", action="store_true",
                        help="smoke run: a few records per fold, lead ii, one epoch")
    parser.add_argument("--folds", type=int, default=5, help="number of folds (default: 5)")
    parser.add_argument("--repeats", type=int, default=1,
                        help="cuts into folds, with fold seeds 0, 1, ... (default: 1)")
    parser.add_argument("--retrain-all", action="store_true",
                        help="train fold 0 too instead of reusing the shipped segmenter")
    parser.add_argument("--out", type=Path, help="also write the markdown to this file")
    parser.add_argument("--readme", action="store_true",
                        help="replace the cross-validation block of benchmarks/README.md")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    import tensorflow as tf

    tf.get_logger().setLevel("ERROR")
    started = time.perf_counter()
    if args.repeats < 1:
        parser.error(f"--repeats must be at least 1, got {args.repeats}")
    first = int(DEFAULT_RECIPE["split_seed"])
    folds = [run_fold(cut, k, split, args.fast, args.retrain_all)
             for cut in range(args.repeats)
             for k, split in enumerate(patient_folds(args.folds, seed=first + cut))]
    pooled = {lead: DelineationScorer() for lead in ("ii", "all")}
    for scores, _ in folds:
        for lead in pooled:
            pooled[lead].extend(scores[lead])

    n_patients = sum(meta["patients"] for _, meta in folds) // args.repeats
    per_fold = n_patients // args.folds
    times = "" if args.repeats == 1 else f" (once per cut: {args.repeats} times)"
    parts = [
        f"## ecgteach cross-validation{' (--fast smoke run)' if args.fast else ''}",
        f"Machine: {machine()}",
        f"Patients 1-160 in {args.folds} folds (`ecgteach.patient_folds(seed=s)`, "
        f"{args.repeats} cut{'s' if args.repeats > 1 else ''}: s = "
        f"{', '.join(str(first + c) for c in range(args.repeats))}); each "
        "fold's segmenter is the recipe of `ecgteach train` (seed 0) trained on the "
        "other folds and scored on its own patients, lead ii and all 12 leads, exactly as the "
        "test patients are scored. The test patients 161-200 are not read.",
        "#### Each fold on its unseen patients (QRS mean ± SD ms)",
        table(["cut", "fold", "patients", "model", "train s", "ii onset", "ii offset",
               "12 leads onset", "12 leads offset"], fold_rows(folds), "llrlrrrrr"),
        f"#### All {n_patients} patients, each scored by a model that did not train on it"
        + times,
        "The 95 % interval of the mean resamples patients whole (bootstrap, "
        "`DelineationScorer.mean_ci`).",
        table(DELINEATOR_HEADER, scorer_rows("ii", pooled["ii"]) +
              scorer_rows("all 12", pooled["all"]), "llrrrrrlr"),
        "#### How far a mean moves between sets of patients (lead ii)",
        f"The mean error of each fold ({per_fold} patients) on its own, {len(folds)} folds: "
        "the same recipe, different patients.",
        table(["boundary", "fold means, min to max, ms", "SD of the fold means, ms"],
              spread_rows(folds), "lrr"),
        f"Total time: {(time.perf_counter() - started) / 60:.1f} min; load average at the end "
        f"{load()} (`python benchmarks/bench_crossval.py{' --fast' if args.fast else ''}`).",
    ]
    text = "\n\n".join(parts) + "\n"
    print(text, flush=True)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
        log(f"wrote {args.out}")
    if args.readme:
        update_readme(text, REPO / "benchmarks" / "README.md", START, END,
                      section="### Cross-validation of the segmenter's recipe\n\nMeasured by "
                      "`python benchmarks/bench_crossval.py --readme` (full output: "
                      "`benchmarks/crossval.md`).")
        log("updated benchmarks/README.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
