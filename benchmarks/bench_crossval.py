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
``--models DIR`` keeps every fold's model there (``.keras`` + its ``.json``
training record) and reuses one whose record says it was trained on the same
split with the same recipe, so a rerun that only changes the scoring trains
nothing. ``--seconds`` is each training's wall-clock budget (default 180, as
``ecgteach train``): on a slow machine a run stopped by it is marked in the table.
The test patients are not read.

Usage::

    python benchmarks/bench_crossval.py --fast        # smoke run: tiny folds, 1 epoch
    python benchmarks/bench_crossval.py --repeats 2 --out benchmarks/crossval.md --readme
    # ~20 min: 9 trainings (fold 0 of the first cut is the shipped model)
    python benchmarks/bench_crossval.py --repeats 2 --models ~/.cache/ecgteach/folds
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
    CLASS_RECIPE,
    DEFAULT_BUILD_KWARGS,
    DEFAULT_RECIPE,
    DEFAULT_SEGMENTER,
    P_RHYTHM_REACH,
    P_RHYTHM_SHARE,
    Delineator,
    save_segmenter,
    score_delineator,
    train_default_segmenter,
)
from ecgteach.evaluation import DelineationScorer, label_spread_ms  # noqa: E402

START, END = "<!-- crossval:start -->", "<!-- crossval:end -->"
#: Records in sinus rhythm whose P waves are in the signal but not in the labels.
UNLABELLED_P = frozenset(ecgteach.unlabelled_p_waves())
#: The issue's cross-validated targets: (boundary, what, bound) checked on lead ii.
TARGETS = (
    ("P onset", "sensitivity", ">=", 98.0), ("P onset", "ppv", ">=", 97.0),
    ("P onset", "sd_ms", "<=", 10.0),
    ("P offset", "sensitivity", ">=", 98.0), ("P offset", "ppv", ">=", 97.0),
    ("P offset", "sd_ms", "<=", 10.0),
    ("QRS onset", "sd_ms", "<=", 7.0), ("QRS offset", "sd_ms", "<=", 8.5),
    ("T offset", "sd_ms", "<=", 15.5),
)
#: Published results on LUDB, each with its own protocol (mean ± SD ms; quoted, not rerun).
PUBLISHED = (
    ("Kalyakulina et al. 2020 (the LUDB authors): wavelets", "no training (rules); all 12 "
     "leads together", "-2.7 ± 10.2", "0.4 ± 11.4", "-8.1 ± 7.7", "3.8 ± 8.8", "5.7 ± 15.5"),
    ("Moskalenko et al. 2019: U-Net", "trained on LUDB, the paper's own split", "0.9 ± 14.1",
     "-3.5 ± 15.7", "2.1 ± 9.8", "1.6 ± 9.8", "-0.3 ± 22.9"),
    ("a 900k-parameter U-Net", "trained on QTDB + 60 % of LUDB, tested on the rest", "–",
     "–", "0.1 ± 9.2", "-1.5 ± 11.2", "-1.3 ± 24.2"),
)
SHOWN = ("QRS onset", "QRS offset", "T offset")


def trained_as(path: Path, split: dict[str, list[int]], recipe: str = "default",
               budget_s: float = 180.0) -> Any:
    """The training record of the segmenter at ``path`` when it was trained on ``split``
    with the current ``recipe`` (default or class) and a budget of at least ``budget_s``
    (or was not stopped by its budget); else ``None``."""
    if not path.is_file():
        return None
    try:
        info = ecgteach.segmenter_info(path)
    except (FileNotFoundError, ValueError):
        return None
    config = info.config
    options = CLASS_RECIPE if recipe == "class" else {}
    wanted = to_json({**DEFAULT_RECIPE, **options.get("recipe", {})})
    leads = options.get("leads", "all")
    same = (config.train_records == split["train"]
            and config.val_records == split["val"]
            and config.build_kwargs == to_json(DEFAULT_BUILD_KWARGS)
            and config.recipe == wanted
            and (leads != "all" or len(config.training_leads) == 12)
            and config.fast is False)
    enough = not info.stopped_by_time_budget or info.budget_s >= budget_s
    return info if same and enough else None


def shipped_matches(split: dict[str, list[int]]) -> bool:
    """True when the shipped segmenter was trained on ``split`` with the current recipe."""
    return trained_as(DEFAULT_SEGMENTER, split, budget_s=0.0) is not None


def run_fold(cut: int, k: int, split: dict[str, list[int]], fast: bool, retrain: bool,
             recipe: str = "default", models: Path | None = None,
             seconds: float | None = None) -> tuple[dict[str, DelineationScorer], dict[str, Any]]:
    """Train (or reuse) fold ``k``'s segmenter and score it on the fold's own patients."""
    started = time.perf_counter()
    options = CLASS_RECIPE if recipe == "class" else {}
    budget = float(seconds if seconds is not None else options.get("seconds", 180.0))
    kept = None if models is None or fast else models / f"{recipe}-cut{cut}-fold{k}.keras"
    info = None if kept is None else trained_as(kept, split, recipe, budget)
    if recipe == "default" and not fast and not retrain and shipped_matches(split):
        model, how = ecgteach.load_segmenter(), "shipped model (same split and recipe)"
        info = ecgteach.segmenter_info()
        seconds = info.training_seconds
    elif info is not None:
        model, how = ecgteach.load_segmenter(kept), f"kept ({info.epochs_run} epochs)"
        seconds = info.training_seconds
    else:
        log(f"cut {cut} fold {k}: training the {recipe} recipe on {len(split['train'])} "
            "patients ...")
        model, info = train_default_segmenter(
            seed=0, fast=fast, progress=None, split=split, score_validation=False,
            leads="ii" if fast else options.get("leads", "all"),
            recipe=options.get("recipe"), seconds=budget)
        if kept is not None:
            kept.parent.mkdir(parents=True, exist_ok=True)
            save_segmenter(model, info, kept)
        how = f"trained, {info.epochs_run} epoch{'' if info.epochs_run == 1 else 's'}"
        seconds = info.training_seconds
    if info is not None and info.stopped_by_time_budget:
        how += " (stopped by the time budget)"
    if info is not None:
        split = {**split, "val": info.config.val_records}  # --fast keeps a few
    records = ecgteach.load_ludb(split["val"])
    annotated = [r for r in records if r.name not in UNLABELLED_P]
    scores = {"ii": score_delineator(model, records, "ii").pooled,
              "all": score_delineator(model, records, "all").pooled,
              "ii P annotated": score_delineator(model, annotated, "ii").pooled,
              "ii every P": score_delineator(Delineator(model, rhythm=False), records,
                                             "ii").pooled,
              "all P annotated": score_delineator(model, annotated, "all").pooled,
              "fused": score_delineator(model, records, "all", fuse=True).pooled}
    log(f"cut {cut} fold {k}: done in {time.perf_counter() - started:.0f} s")
    return scores, {"cut": cut, "fold": k, "patients": len(split["val"]), "how": how,
                    "seconds": seconds, "epochs": info.epochs_run,
                    "stopped": info.stopped_by_time_budget}


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


def pool(folds: Sequence[tuple[dict[str, DelineationScorer], dict[str, Any]]]
         ) -> dict[str, DelineationScorer]:
    """Each kind of score pooled over the folds."""
    pooled = {name: DelineationScorer() for name in folds[0][0]}
    for scores, _ in folds:
        for name in pooled:
            pooled[name].extend(scores[name])
    return pooled


def p_table(*labelled: tuple[str, DelineationScorer]) -> str:
    """The P onset and offset rows of several scorers, each labelled, as one table."""
    rows = [row for label, scorer in labelled for row in scorer_rows(label, scorer)
            if row[1].startswith("P ")]
    return table(DELINEATOR_HEADER, rows, "llrrrrrlr")


def target_rows(ii: DelineationScorer, annotated: DelineationScorer) -> list[list[str]]:
    """The targets against lead ii (all records; P PPV also on the P-annotated ones)."""
    rows = []
    names = {"sensitivity": "Se %", "ppv": "PPV %", "sd_ms": "SD ms"}
    for boundary, what, sign, bound in TARGETS:
        for label, scorer in (("", ii), (" (P-annotated records)", annotated)):
            if label and what != "ppv":
                continue
            value = getattr(scorer.scores()[boundary], what)
            met = value >= bound if sign == ">=" else value <= bound
            symbol = "≥" if sign == ">=" else "≤"
            rows.append([boundary + label, names[what], f"{symbol} {bound:g}", fmt(value),
                         "yes" if met else "**no**"])
    for boundary in ("P onset", "P offset", "QRS onset", "QRS offset", "T offset"):
        low, high = ii.mean_ci(boundary)
        rows.append([boundary, "mean: 95 % CI", "within ±3", f"{fmt(low)} to {fmt(high)}",
                     "yes" if -3 <= low and high <= 3 else "**no**"])
    return rows


def reference_section(records: Sequence[Any], ii: DelineationScorer) -> list[str]:
    """Per boundary: lead ii's labels against the other 11 leads' median, beside our SD."""
    bounds = {boundary: bound for boundary, what, _, bound in TARGETS if what == "sd_ms"}
    rows, tighter = [], []
    for boundary in ("P onset", "P offset", "QRS onset", "QRS offset", "T offset"):
        spread = label_spread_ms(records, "ii", boundary)
        rows.append([boundary, f"{fmt(float(spread.mean()))} ± {fmt(float(spread.std()))}",
                     f"{spread.size:,}", fmt(ii.scores()[boundary].sd_ms),
                     f"≤ {bounds[boundary]:g}" if boundary in bounds else "–"])
        if boundary in bounds and bounds[boundary] < float(spread.std()):
            tighter.append(boundary)
    return [
        "#### How precisely the reference itself places each boundary",
        "The same cardiologists marked each beat on all 12 leads. Lead ii's mark minus the "
        "median of the other 11 leads' marks for the same beat (`ecgteach.evaluation."
        "label_spread_ms`), over every labelled beat of patients 1-160, beside our lead ii "
        "SD above. Leads also differ for real (the T wave ends later in some leads), so "
        "this is no floor for a model; it says how sharply \"the\" boundary is defined."
        + (f" Targets tighter than one lead's labels agree with the other leads': "
           f"{', '.join(tighter)}." if tighter else ""),
        table(["boundary", "lead ii label − other leads, mean ± SD ms", "beats",
               "ours: SD ms", "target SD ms"], rows, "lrrrr"),
    ]


def class_section(class_pooled: dict[str, DelineationScorer] | None,
                  pooled: dict[str, DelineationScorer], metas: Sequence[dict[str, Any]]
                  ) -> list[str]:
    """The class recipe's cross-validated lead ii rows beside the default's."""
    if class_pooled is None:
        return []
    seconds = [meta["seconds"] for meta in metas]
    epochs = sorted({meta["epochs"] for meta in metas})
    stopped = sum(meta["stopped"] for meta in metas)
    ran = (f"{epochs[0]} epoch{'' if epochs == [1] else 's'}" if len(epochs) == 1
           else f"{epochs[0]}-{epochs[-1]} epochs") + " per fold"
    if stopped:
        ran += (f"; its {fmt(CLASS_RECIPE['seconds'], 0)} s budget stopped {stopped} of "
                f"{len(metas)} folds, each with its learning-rate decay shortened to fit")
    rows = []
    for name, default in pooled["ii"].scores().items():
        quick = class_pooled["ii"].scores()[name]
        rows.append([name, f"{fmt(default.sensitivity)} / {fmt(default.ppv)}",
                     f"{fmt(default.mean_ms)} ± {fmt(default.sd_ms)}",
                     f"{fmt(quick.sensitivity)} / {fmt(quick.ppv)}",
                     f"{fmt(quick.mean_ms)} ± {fmt(quick.sd_ms)}"])
    return ["#### The class recipe (the lessons' retrain button) beside the default",
            f"`CLASS_RECIPE` ({CLASS_RECIPE['description']}), cross-validated on the first cut "
            f"only; it trained in {fmt(min(seconds), 0)}-{fmt(max(seconds), 0)} s per fold "
            f"here ({ran}). Lead ii.",
            table(["boundary", "default Se / PPV %", "default mean ± SD ms",
                   "class Se / PPV %", "class mean ± SD ms"], rows, "lrrrr")]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fast", action="store_true",
                        help="smoke run: a few records per fold, lead ii, one epoch")
    parser.add_argument("--folds", type=int, default=5, help="number of folds (default: 5)")
    parser.add_argument("--repeats", type=int, default=1,
                        help="cuts into folds, with fold seeds 0, 1, ... (default: 1)")
    parser.add_argument("--retrain-all", action="store_true",
                        help="train fold 0 too instead of reusing the shipped segmenter")
    parser.add_argument("--with-class", action="store_true",
                        help="also cross-validate the class recipe (one cut) beside the default")
    parser.add_argument("--models", type=Path,
                        help="keep each fold's model in this folder and reuse kept ones "
                        "trained on the same split with the same recipe")
    parser.add_argument("--seconds", type=float,
                        help="wall-clock budget of each training (default: the recipe's, "
                        "180 s; the class recipe's 60 s)")
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
    models = args.models.expanduser() if args.models else None
    folds = [run_fold(cut, k, split, args.fast, args.retrain_all, models=models,
                      seconds=args.seconds)
             for cut in range(args.repeats)
             for k, split in enumerate(patient_folds(args.folds, seed=first + cut))]
    pooled = pool(folds)
    class_pooled = None
    if args.with_class:
        class_folds = [run_fold(0, k, split, args.fast, True, recipe="class", models=models)
                       for k, split in enumerate(patient_folds(args.folds, seed=first))]
        class_pooled = pool(class_folds)
        class_metas = [meta for _, meta in class_folds]

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
        "#### P waves where the cardiologists marked them",
        f"{len(UNLABELLED_P)} LUDB patients ({', '.join(sorted(UNLABELLED_P, key=int))}) are in "
        "sinus rhythm, so their P waves are in the signal, yet no lead of theirs has a P "
        "label (AV block, pacing: `ecgteach.unlabelled_p_waves()`, read from the "
        "diagnoses, not from any model). Every P wave found there counts as false above. "
        "Here the same predictions are scored without those records:",
        p_table(("ii", pooled["ii P annotated"]), ("all 12", pooled["all P annotated"])),
        "#### P waves need a rhythm",
        f"A P wave is dropped where fewer than {P_RHYTHM_SHARE:.0%} of the RR intervals "
        f"around it (its own and {P_RHYTHM_REACH} on each side) hold one "
        "(`ecgteach.delineation.organised_p_waves`: in sinus rhythm every beat has its P "
        "wave; scattered ones are mostly fibrillation or flutter waves). The same models, "
        "lead ii, with every P wave kept (`Delineator(rhythm=False)`) and with the rule "
        "(as everywhere above):",
        p_table(("ii, every P", pooled["ii every P"]), ("ii, rhythm rule", pooled["ii"])),
        "#### All 12 leads delineated together",
        "`delineate(record.signal, fs)`: the 12 leads' probabilities averaged, one set of "
        "waves per beat, scored against every lead's own labels (12 references that "
        "differ among themselves), beside the leads delineated one by one (above).",
        table(DELINEATOR_HEADER, scorer_rows("12, fused", pooled["fused"]), "llrrrrrlr"),
        "#### The targets (lead ii, all patients as scored above)",
        table(["boundary", "measure", "target", "measured", "met"],
              target_rows(pooled["ii"], pooled["ii P annotated"]), "llrrl"),
        *reference_section(ecgteach.load_ludb(range(1, 161)), pooled["ii"]),
        *class_section(class_pooled, pooled, class_metas if args.with_class else []),
        "#### Published on LUDB, for comparison",
        "Each with its own protocol and training data; quoted from the papers, not rerun. "
        "Ours above: patient-wise cross-validation on patients 1-160, LUDB only, "
        "single-lead (lead ii) and 12 leads fused.",
        table(["method", "training data / protocol", "P onset", "P offset", "QRS onset",
               "QRS offset", "T offset"], [list(row) for row in PUBLISHED], "llrrrrr"),
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
