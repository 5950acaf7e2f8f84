"""Model benchmark: every beat model of lessons 02-03, the default segmenter and NeuroKit2.

One run, held-out LUDB test patients 161-200 (never trained on), fixed seeds:

1. beat models at their lesson settings (``ecgteach.LESSON_SETTINGS``),
   lead ii: training time, QRS onset/offset hit rate within 150 ms (Se), MAE,
   mean ± SD error, collapse ratio, MSE vs always predicting the training mean;
2. the default segmenter (``ecgteach/weights/segmenter.keras``) through
   ``delineate``, lead ii and all 12 leads, scored like the literature (Se,
   PPV, mean ± SD beside the CSE tolerances);
3. NeuroKit2 ``ecg_delineate(method="dwt")`` with its own R peaks, same records,
   leads and scoring;
4. inference time per 10 s record and for a 15-min QTDB record.

Usage::

    python benchmarks/bench_models.py --fast                 # smoke run, a minute or two
    python benchmarks/bench_models.py --out benchmarks/results.md --readme   # ~20-30 min

``--readme`` replaces the part of benchmarks/README.md between ``<!-- results:start -->``
and ``<!-- results:end -->`` (added before "## Data and attribution" if absent).
"""

from __future__ import annotations

import argparse
import datetime
import math
import os
import platform
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import ecgteach  # noqa: E402
from ecgteach._config import processor_name  # noqa: E402
from ecgteach.beats import (  # noqa: E402
    LESSON_SETTINGS,
    SHIPPED_SETTINGS,
    ExperimentResult,
    beat_scores,
    beat_splits,
    run_lesson_setting,
)
from ecgteach.delineation import (  # noqa: E402
    DEFAULT_SEGMENTER,
    DelineatorScores,
    neurokit_waves,
    score_delineator,
    score_neurokit,
)
from ecgteach.evaluation import CSE_TOLERANCES_MS  # noqa: E402

START, END = "<!-- results:start -->", "<!-- results:end -->"
FAST_OVERRIDES = {"epochs": 1}


def log(message: str) -> None:
    """Progress on stderr (the tables go to stdout)."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def fmt(value: Any, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    value = float(value)
    tiny = digits >= 3 and value != 0 and abs(value) < 10 ** -digits  # collapse ratios
    if tiny or abs(value) >= 1e5:
        return f"{value:.1e}"
    return f"{value:.{digits}f}"


def table(header: Sequence[str], rows: Sequence[Sequence[str]], align: str = "") -> str:
    align = align or "l" + "r" * (len(header) - 1)
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join(":---" if a == "l" else "---:" for a in align) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


# ------------------------------------------------------------------------ machine


def load() -> str:
    try:
        return " / ".join(f"{v:.1f}" for v in os.getloadavg())
    except OSError:
        return "unknown"


def machine() -> str:
    import keras
    import tensorflow as tf

    cpu = processor_name()
    try:
        import neurokit2

        nk = neurokit2.__version__
    except ImportError:
        nk = "not installed"
    return (
        f"{datetime.datetime.now().strftime('%Y-%m-%d %H:%M')} · {os.cpu_count()} CPU cores "
        f"({cpu}), no GPU used, load average at start {load()} · Python "
        f"{platform.python_version()} · TensorFlow "
        f"{tf.__version__} · Keras {keras.__version__} · NumPy {np.__version__} · NeuroKit2 "
        f"{nk} · ecgteach {ecgteach.__version__}"
    )


# ---------------------------------------------------------------------- beat models


def beat_models(fast: bool, only: Sequence[str] | None) -> str:
    splits = beat_splits(fast=fast, seed=0)
    log(f"beat splits: {splits}")
    names = [n for n in LESSON_SETTINGS if not only or n in only]
    results = []
    for name in names:
        log(f"training {name} ...")
        shipped = name in SHIPPED_SETTINGS and not fast  # the very models the lessons show
        result = run_lesson_setting(name, splits, seed=0, progress=None,
                                    **({"cache": "shipped"} if shipped else {}),
                                    **(FAST_OVERRIDES if fast else {}))
        log(f"  {result.train_seconds:.1f} s, test MAE {result.metrics['test']['mae_ms']}")
        results.append(result)
    header = ["model", "input, targets", "epochs run / max (best)", "train s", "params",
              "onset Se %", "offset Se %", "onset MAE ms", "offset MAE ms", "onset mean ± SD ms",
              "offset mean ± SD ms", "collapse on / off", "MSE / mean-baseline MSE"]
    rows = []
    for result in results:
        r = result.summary_row("test")
        collapse = (f"{fmt(r['onset_collapse_ratio'], 3)} / {fmt(r['offset_collapse_ratio'], 3)}"
                    if result.kind == "regression" else
                    f"({fmt(r['onset_collapse_ratio'], 2)} / {fmt(r['offset_collapse_ratio'], 2)})")
        rows.append([
            result.name, r["scaling"] if result.kind == "regression" else
            r["scaling"].rsplit(",", 1)[0] + ", distributions over time",
            epochs_cell(result), fmt(r["train_s"]), fmt(r["params"]),
            fmt(r["onset_hit_rate"]), fmt(r["offset_hit_rate"]), fmt(r["onset_mae_ms"]),
            fmt(r["offset_mae_ms"]), f"{fmt(r['onset_mean_ms'])} ± {fmt(r['onset_sd_ms'])}",
            f"{fmt(r['offset_mean_ms'])} ± {fmt(r['offset_sd_ms'])}", collapse,
            f"{fmt(r['mse'])} / {fmt(r['mse_mean_baseline'])}",
        ])
    mean = np.tile(splits.train.y.mean(axis=0), (len(splits.test), 1))
    m = beat_scores(mean, splits.test.y, splits.train.y, splits.fs)
    rows.append([
        "*always predict the training mean*", "–", "–", "–", "2",
        fmt(m["hit_rate"][0]), fmt(m["hit_rate"][1]), fmt(m["mae_ms"][0]), fmt(m["mae_ms"][1]),
        f"{fmt(m['mean_ms'][0])} ± {fmt(m['sd_ms'][0])}",
        f"{fmt(m['mean_ms'][1])} ± {fmt(m['sd_ms'][1])}", "0 / 0",
        f"{fmt(m['mse'])} / {fmt(m['mse_mean_baseline'])}",
    ])
    intro = (
        f"Lead ii beats in the learner's format (200 samples at 250 Hz, `[time_ms, voltage]`, "
        f"zero-padded at the start): {len(splits.train)} training beats "
        f"({len(splits.records['train'])} patients), {len(splits.val)} validation beats "
        f"({len(splits.records['val'])} patients, `split_patients(seed=0)`); scored on "
        f"{len(splits.test)} test beats of {len(splits.records['test'])} test patients "
        f"(161-200). Seed 0, batch 32; each model trains up to its lesson's epochs and keeps "
        f"the weights of its best validation epoch (early stopping on validation loss, 1-based "
        f"epoch in brackets; test patients never used), except lesson 02's learner runs, which "
        f"train until the validation loss plateaus (under 1 % better over 5 epochs) and keep "
        f"their last weights. Models that ship with ecgteach are loaded, not retrained (their "
        f"train s was recorded when they were built). Se = % of test beats "
        f"whose predicted boundary is within 150 ms of the cardiologists' one (one prediction "
        f"per beat, so PPV = Se). Collapse = std(predictions) / std(labels) (for classifiers, "
        f"in brackets, only informative). MSE in samples² (4 ms per sample), the learner's "
        f"loss units. Train s = sum of epoch wall times (two networks summed)."
    )
    return "\n\n".join(["### Beat models (lessons 02-03)", intro,
                        table(header, rows, "ll" + "r" * (len(header) - 2))])


def epochs_cell(result: ExperimentResult) -> str:
    if result.stopped == "plateau":
        return f"{result.epochs_run} / {result.config['epochs']} (plateau)"
    best = ", ".join("–" if f.best_epoch is None else str(f.best_epoch + 1) for f in result.fits)
    return f"{result.epochs_run} / {result.config['epochs']} ({best})"


# ------------------------------------------------------------------- delineators


def scorer_rows(label: str, scorer: Any) -> list[list[str]]:
    """One DELINEATOR_HEADER row per boundary of a ``DelineationScorer``."""
    rows = []
    for s in scorer.scores().values():
        low, high = scorer.mean_ci(s.name)
        rows.append([label, s.name, fmt(s.sensitivity), fmt(s.ppv),
                     f"{fmt(s.mean_ms)} ± {fmt(s.sd_ms)}", f"{fmt(low)} to {fmt(high)}",
                     fmt(CSE_TOLERANCES_MS.get(s.name, math.nan)),
                     "yes" if s.within_cse else "no", fmt(s.n_true)])
    return rows


def delineator_rows(scores: DelineatorScores) -> list[list[str]]:
    rows = scorer_rows("ii", scores.by_lead["ii"]) if "ii" in scores.by_lead else []
    return rows + scorer_rows(f"all {len(scores.leads)}", scores.pooled)


DELINEATOR_HEADER = ["leads", "boundary", "Se %", "PPV %", "mean ± SD ms",
                     "mean: 95 % CI over patients, ms", "CSE 2σ ms", "SD ≤ CSE", "n true"]


def segmenter_summary() -> str:
    """Size, training time and epochs of the shipped segmenter, from its training record."""
    parts = []
    try:
        parts.append(f"{ecgteach.count_params(ecgteach.load_segmenter()):,} parameters")
    except (FileNotFoundError, ValueError) as error:  # reported, not fatal
        parts.append(f"could not load: {error}")
    try:
        info = ecgteach.segmenter_info()
    except (FileNotFoundError, ValueError) as error:
        parts.append(f"training record unavailable ({error})")
    else:
        cpu = info.machine.get("processor")
        parts += [f"trained in {fmt(info.training_seconds, 0)} s on {info.machine['cpus']} cores"
                  + (f" ({cpu})" if cpu else "") + f", budget {fmt(info.budget_s, 0)} s",
                  f"{info.epochs_run} epochs"]
    return ", ".join(parts)


def delineators(fast: bool, with_neurokit: bool) -> str:
    records = sorted(ecgteach.TEST_RECORDS)[: 4 if fast else None]
    out: list[str] = []
    intro = (f"Whole 10 s records of the {len(records)} test patients (161-200), at 500 Hz, "
             "each lead delineated on its own and scored inside the cardiologists' labelled "
             "span: each true boundary matched one-to-one to the nearest prediction within "
             "150 ms (Martínez et al. 2004); mean ± SD of (predicted − true); the 95 % "
             "interval of the mean resamples the patients (bootstrap, "
             "`DelineationScorer.mean_ci`): how far the mean could move on another set of "
             "patients like these; CSE 2σ = the CSE tolerances for the SD.")
    if DEFAULT_SEGMENTER.is_file():
        log("scoring the default segmenter ...")
        seg = score_delineator(records=records, leads="all")
        fused = score_delineator(records=records, leads="all", fuse=True)
        out += ["### Default segmenter (`ecgteach.delineate`)",
                intro + f" Segmenter: {segmenter_summary()}. Median time per record (12 leads "
                f"in one batch through `ecgteach.Delineator`, scoring excluded): "
                f"{fmt(seg.median_seconds_per_record * 1000, 0)} ms.",
                table(DELINEATOR_HEADER, delineator_rows(seg), "llrrrrrlr"),
                "#### All 12 leads delineated together",
                "`delineate(record.signal, fs)` with the 12 leads as `(n_samples, 12)`: the "
                "leads' per-sample probabilities are averaged and one set of waves is cut "
                "for each beat. That one set is scored against every lead's own labels (so "
                "against 12 references that differ among themselves, see below), beside "
                "the leads delineated one by one and scored against their own labels. "
                f"Median time per record: {fmt(fused.median_seconds_per_record * 1000, 0)} ms.",
                table(DELINEATOR_HEADER,
                      scorer_rows("12, one by one", seg.pooled)
                      + scorer_rows("12, fused", fused.pooled), "llrrrrrlr"),
                reference_agreement(records)]
    else:
        out += ["### Default segmenter (`ecgteach.delineate`)",
                f"Not measured: `{DEFAULT_SEGMENTER.relative_to(REPO)}` does not exist yet."]
    if with_neurokit:
        try:
            log("scoring NeuroKit2 dwt ...")
            nk = score_neurokit(records=records, leads="all")
        except ImportError as error:
            out += ["### NeuroKit2 (dwt)", f"Not measured: {error}"]
        else:
            note = (f" NeuroKit2 raised on {len(nk.failures)} lead(s), scored as finding "
                    "nothing." if nk.failures else "")
            if nk.pooled.scores()["QRS onset"].mean_ms < -20:
                note += (" Its QRS onsets (`ECG_R_Onsets`) come early, as reported upstream "
                         "(neuropsychology/NeuroKit issue #1042).")
            out += ["### NeuroKit2 `ecg_delineate(method=\"dwt\")`",
                    "Same records, leads and scoring. Pipeline as `nk.ecg_process`: "
                    "`ecg_clean` → its own R peaks (`ecg_peaks`) → `ecg_delineate` on the "
                    "cleaned signal; QRS = `ECG_R_Onsets`/`ECG_R_Offsets`, P and T their "
                    f"onsets/peaks/offsets, NaN = missing. Median time per record (12 leads): "
                    f"{fmt(nk.median_seconds_per_record * 1000, 0)} ms.{note}",
                    table(DELINEATOR_HEADER, delineator_rows(nk), "llrrrrrlr")]
    return "\n\n".join(out)


def unseen_database(fast: bool, with_neurokit: bool) -> str:
    """The shipped segmenter (and NeuroKit2) on the bundled QT Database records it never saw."""
    names = ecgteach.bundled_qtdb_records()[: 2 if fast else None]
    records = [ecgteach.load_qtdb(name) for name in names]
    rows, p_onset_se, t_offset_sd = [], None, None
    if DEFAULT_SEGMENTER.is_file():
        log("scoring the default segmenter on QTDB ...")
        seg = score_delineator(None, records, leads=0).pooled
        rows += scorer_rows("segmenter", seg)
        p_onset_se = seg.scores()["P onset"].sensitivity
        t_offset_sd = seg.scores()["T offset"].sd_ms
    if with_neurokit:
        try:
            log("scoring NeuroKit2 on QTDB ...")
            rows += scorer_rows("NeuroKit2 dwt", score_neurokit(records=records, leads=0).pooled)
        except ImportError:
            pass
    if not rows:
        return ""
    header = ["method", *DELINEATOR_HEADER[1:]]
    intro = (f"The {len(records)} QT Database records bundled with ecgteach "
             f"({', '.join(names)}): another hospital, Holter recordings at 250 Hz, other "
             "leads. They were never used for training or for a choice. Each record's first "
             "lead, scored inside every span the first cardiologist (`q1c`) labelled, with "
             "the same matching as above. QTDB's two cardiologists differ from each other by "
             "SDs of about 14 / 17 ms at the QRS onset / offset and 35 ms at the T offset "
             "(published with the database); most of its T waves have no labelled onset.")
    parts = ["### A database it never saw: the QT Database", intro,
             table(header, rows, "llrrrrrlr")]
    if p_onset_se is not None:
        parts.append(f"Targets: P onset Se ≥ 97 %: {'met' if p_onset_se >= 97 else 'NOT met'} "
                     f"({fmt(p_onset_se)} %); T offset SD well under the cardiologists' 35 ms: "
                     f"{fmt(t_offset_sd)} ms.")
    return "\n\n".join(parts)


def reference_agreement(records: Sequence[int]) -> str:
    """How far lead ii's QRS labels sit from the same beats' labels in the other 11 leads."""
    from ecgteach.evaluation import agreement_summary, label_agreement

    twelve = ecgteach.load_ludb(records)
    rows = []
    for boundary in ("QRS onset", "QRS offset"):
        agreement = label_agreement(twelve, ecgteach.delineate, lead="ii", boundary=boundary)
        summary = agreement_summary(agreement, departs_ms=10.0)
        spread = np.abs([r.label_vs_other_leads_ms for r in agreement if r.n_beats])
        rows.append([boundary, str(summary["n_beats"]),
                     f"{fmt(float(np.median(spread)))} ({fmt(float(spread.max()))})",
                     f"{len(summary['departing'])} of {summary['n_records']}",
                     fmt(summary["model_vs_label_ms"]), fmt(summary["model_vs_other_leads_ms"]),
                     fmt(summary["correlation"], 2)])
    header = ["lead ii boundary", "beats",
              "label − other leads, absolute, per record: median (max) ms",
              "records departing > 10 ms", "model − lead ii label, ms",
              "model − other leads' median, ms", "correlation across records"]
    intro = ("Does the reference agree with itself? LUDB's cardiologists marked each lead on "
             "its own; `ecgteach.label_agreement` sets each lead ii boundary against "
             "the median of the same beat's boundary in the other 11 leads, per test record "
             "(lesson 05 draws it). The correlation is between a record's label departure and "
             "the model's mean error on it.")
    return "\n\n".join(["#### Lead ii labels against the other leads", intro,
                         table(header, rows, "lrrrrrr")])


# ------------------------------------------------------------------ inference time


def _times(fn: Callable[[np.ndarray, float], Any], inputs: Sequence[tuple[np.ndarray, float]],
           calls: Sequence[int], warmup: int) -> list[float]:
    for i in range(warmup):
        fn(*inputs[i % len(inputs)])
    times = []
    for i in calls:
        signal, fs = inputs[i % len(inputs)]
        started = time.perf_counter()
        fn(signal, fs)
        times.append(time.perf_counter() - started)
    return times


#: Rounds in which the methods take turns (each a share of its calls, after a warm-up call).
ROUNDS = 4


def in_rounds(jobs: Sequence[tuple[Callable, Sequence[tuple[np.ndarray, float]], int, int]]
              ) -> tuple[list[float], list[list[float]]]:
    """Median ms of each ``(fn, inputs, n, warmup)``, the jobs taking turns in :data:`ROUNDS`
    rounds, so a machine whose speed drifts (a shared virtual machine) slows each alike;
    and each job's median per round."""
    times: list[list[list[float]]] = [[] for _ in jobs]
    for round_ in range(ROUNDS):
        for job, (fn, inputs, n, warmup) in enumerate(jobs):
            calls = range(n)[round_::ROUNDS]
            if calls:
                times[job].append(_times(fn, inputs, calls, warmup if round_ == 0 else 1))
    return ([float(np.median(np.concatenate(t))) * 1000 for t in times],
            [[float(np.median(r)) * 1000 for r in t] for t in times])


def inference(fast: bool, with_neurokit: bool) -> str:
    n10 = 8 if fast else 80  # four passes over the 20 records
    tens = [(r.lead("ii"), r.fs) for r in ecgteach.load_ludb(sorted(ecgteach.TEST_RECORDS)[:20],
                                                              leads=["ii"])]
    qtdb = ecgteach.load_qtdb("sel100")
    long_lead = qtdb.leads[0]
    long_input = [(qtdb.lead(long_lead), qtdb.fs)]
    twelve = [(r.signal, r.fs) for r in ecgteach.load_ludb(sorted(ecgteach.TEST_RECORDS)[:10])]
    methods: list[tuple[str, Callable, int]] = []
    if DEFAULT_SEGMENTER.is_file():
        methods.append(("`delineate` (default segmenter)", ecgteach.delineate, 4 if fast else 20))
    if with_neurokit:
        try:
            import neurokit2  # noqa: F401
            methods.append(("NeuroKit2 dwt (clean + peaks + delineate)",
                            lambda x, fs: neurokit_waves(x, fs, "dwt"), 4 if fast else 8))
        except ImportError:
            pass
    log("timing " + " and ".join(label for label, _, _ in methods) + " in turn ...")
    counts = []
    jobs: list[tuple[Callable, Sequence[tuple[np.ndarray, float]], int, int]] = []
    for _, fn, n_long in methods:
        many = fn is ecgteach.delineate
        all12 = (lambda x, fs: ecgteach.delineate(x, fs, fuse=False)) if many else (
            lambda x, fs, one=fn: [one(x[:, k], fs) for k in range(x.shape[1])])
        n12 = 20 if many else 4
        counts.append((n10, n_long, n12))
        jobs += [(fn, tens, n10, 3), (fn, long_input, n_long, 1), (all12, twelve, n12, 2)]
    fused = bool(methods) and methods[0][1] is ecgteach.delineate
    if fused:
        jobs.append((ecgteach.delineate, twelve, 20, 2))
    measured, per_round = in_rounds(jobs)
    medians = [tuple(measured[3 * k : 3 * k + 3]) for k in range(len(methods))]
    rows = [[label, f"{fmt(ms10)} (n={k10})", f"{fmt(ms_long, 0)} (n={k_long})",
             f"{fmt(ms12)} (n={k12})"]
            for (label, _, _), (ms10, ms_long, ms12), (k10, k_long, k12)
            in zip(methods, medians, counts, strict=True)]
    fused_row = None if not fused else [
        "`delineate`, 12 leads fused into one set", "–", "–", f"{fmt(measured[-1])} (n=20)"]
    if not rows:
        return "### Inference time\n\nNothing to time (no segmenter, no NeuroKit2)."
    if fused_row is not None:
        rows.insert(1, fused_row)
    header = ["method", "10 s LUDB lead ii, 500 Hz: median ms",
              f"15 min QTDB sel100 {long_lead}, {qtdb.fs:g} Hz: median ms",
              "10 s LUDB record, 12 leads: median ms"]
    intro = ("Timed first in the run, before any model trains, in the same process for both "
             f"methods, which take turns in {ROUNDS} rounds (each a share of its calls, after a "
             "warm-up call), so a machine whose speed drifts slows both alike. One call per "
             "lead or record, after warm-up calls (compilation excluded); median of n calls "
             "(10 s: test records 161-180 in turn; 12 leads: test records 161-170, "
             "`delineate(signal, fs, fuse=False)`, all leads in one batch; NeuroKit2 takes "
             "them one by one).")
    parts = ["### Inference time", intro, table(header, rows)]
    if len(medians) == 2:
        (seg10, seg_long, seg12), (nk10, nk_long, nk12) = medians
        # each round compares the two under the same conditions; the medians pooled over
        # rounds mix conditions when the machine drifts, so the ratio is taken per round
        ten_s = per_round[0], per_round[3]   # the two methods' 10 s jobs (3 jobs per method)
        rounds = [nk / seg for seg, nk in zip(*ten_s, strict=True)]
        ratio = float(np.median(rounds))
        parts.append(f"`delineate` is {ratio:.1f}× faster than NeuroKit2 on a 10 s record "
                     f"(the median of the {len(rounds)} rounds' ratios, "
                     f"{min(rounds):.1f}-{max(rounds):.1f}×; {nk10 / seg10:.1f}× from the "
                     f"medians above), {nk_long / seg_long:.1f}× on the 15 min record and "
                     f"{nk12 / seg12:.1f}× on 12 leads, in this run.")
        fifteen = sum(r >= 15 for r in rounds)
        targets = [("10 s lead ≤ 5 ms", seg10 <= 5), ("15 min record ≤ 0.4 s", seg_long <= 400),
                   (f"≥ 15× NeuroKit2 on a 10 s lead ({fifteen} of {len(rounds)} rounds)",
                    ratio >= 15),
                   ("12 leads ≤ 20 ms", seg12 <= 20)]
        parts.append("Targets: " + "; ".join(f"{name}: {'met' if met else 'NOT met'}"
                                             for name, met in targets) + ".")
    return "\n\n".join(parts)


# ---------------------------------------------------------------------------- main


def update_readme(text: str, readme: Path, start: str = START, end: str = END,
                  section: str = "") -> None:
    """Replace the README block between ``start`` and ``end`` markers with ``text``.

    Without the markers, ``section`` (default: a results section) holding the
    block goes before "## Data and attribution".
    """
    content = readme.read_text(encoding="utf-8")
    lines = text.strip().splitlines()
    if lines and lines[0].startswith("## "):  # the README section has its own title
        lines = lines[1:]
    block = f"{start}\n" + "\n".join(lines).strip() + f"\n{end}"
    if start in content and end in content:
        head, rest = content.split(start, 1)
        tail = rest.split(end, 1)[1]
        content = head + block + tail
    else:
        section = (section or "## Benchmark results\n\nMeasured by `python "
                   "benchmarks/bench_models.py --readme` (full output: "
                   "`benchmarks/results.md`).") + f"\n\n{block}\n\n"
        anchor = "## Data and attribution"
        content = (content.replace(anchor, section + anchor, 1) if anchor in content
                   else content.rstrip() + "\n\n" + section)
    readme.write_text(content, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fast", action="store_true",
                        help="smoke run: few records, 1 epoch per model")
    parser.add_argument("--out", type=Path, help="also write the markdown to this file")
    parser.add_argument("--readme", action="store_true",
                        help="replace the results section of benchmarks/README.md")
    parser.add_argument("--only", nargs="*", metavar="SETTING",
                        help=f"beat models to train (default all: {', '.join(LESSON_SETTINGS)})")
    parser.add_argument("--skip", nargs="*", default=[],
                        choices=["beats", "delineators", "inference", "neurokit"],
                        help="groups to leave out")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    import tensorflow as tf

    tf.get_logger().setLevel("ERROR")  # Keras retracing notes between models
    started = time.perf_counter()
    parts = [f"## ecgteach model benchmark{' (--fast smoke run)' if args.fast else ''}",
             f"Machine: {machine()}"]

    def emit(text: str) -> None:
        parts.append(text)
        print(text + "\n", flush=True)

    for part in parts:
        print(part + "\n", flush=True)
    with_nk = "neurokit" not in args.skip
    # timed first, on a fresh process: training many models first slowed later calls
    timing = inference(args.fast, with_nk) if "inference" not in args.skip else None
    if "beats" not in args.skip:
        emit(beat_models(args.fast, args.only))
    if "delineators" not in args.skip:
        emit(delineators(args.fast, with_nk))
        emit(unseen_database(args.fast, with_nk))
    if timing is not None:
        emit(timing)
    emit(f"Total benchmark time: {(time.perf_counter() - started) / 60:.1f} min; load average "
         f"at the end {load()} (1 / 5 / 15 min; above 2 means other work shared the 2 cores) "
         f"(`python benchmarks/bench_models.py{' --fast' if args.fast else ''}`).")
    text = "\n\n".join(parts) + "\n"
    if args.out:
        args.out.write_text(text, encoding="utf-8")
        log(f"wrote {args.out}")
    if args.readme:
        update_readme(text, REPO / "benchmarks" / "README.md")
        log("updated benchmarks/README.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
