"""Train the lesson models that ship with ecgteach (``ecgteach/weights/lessons/``).

Lessons 02 and 03 claim things about models that take minutes each to train on a
2-core laptop (the learner's 489k-parameter stacked LSTM costs ~14 s per epoch, and
lesson 02 trains it from zero until its validation loss plateaus: 13-61 epochs a run).
So that a lesson opened on an empty cache still runs top to bottom in well under
five minutes, the settings in :data:`ecgteach.SHIPPED_SETTINGS` are
trained here, from the bundled LUDB, with exactly the code and settings the
lessons use, and their weights plus the recorded training history are committed.
``cached_fit`` finds them by the same cache key, so any change to a setting, the
data or the ecgteach version makes them stale (``tests/test_shipped_models.py``
fails until this script is rerun). Every one of them retrains with one click in
the lessons' training panels.

Each model is trained from scratch (a temporary model cache), single-threaded in
this process; the previous folder is kept until every model is written, so a
failed run leaves the old models in place.

Usage::

    python scripts/build_lesson_models.py            # ~1 h 45 min on 2 cores (lesson 02's
                                                     # 13 plateau runs are ~1 h 40 of it)
    python scripts/build_lesson_models.py --jobs 2    # two single-threaded processes: ~1 h
    python scripts/build_lesson_models.py --only learner_raw
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time


def train(names: list[str], threads: int) -> None:
    """Train ``names`` (every shipped seed) into the shipped folder, from an empty cache."""
    from ecgteach.beats import LESSON_SETTINGS, beat_splits, run_lesson_setting
    from ecgteach.nn import configure_threads

    configure_threads(threads)
    with tempfile.TemporaryDirectory(prefix="ecgteach-build-") as cache:
        os.environ["ECGTEACH_CACHE"] = cache  # train from scratch, never reuse
        splits = beat_splits()
        for name, seed in ((n, s) for n in names for s in LESSON_SETTINGS[n].shipped_seeds):
            t0 = time.perf_counter()
            result = run_lesson_setting(name, splits, seed=seed, cache="ship", progress=None)
            row = result.summary_row("val")
            print(f"{name:40s} seed {seed} {row['epochs']:3d} epochs {row['train_s']:7.1f} s "
                  f"train ({time.perf_counter() - t0:5.1f} s wall)  val MAE "
                  f"{row['onset_mae_ms']:6.1f} / {row['offset_mae_ms']:6.1f} ms  collapse "
                  f"{row['onset_collapse_ratio']:.3g} / {row['offset_collapse_ratio']:.3g}",
                  flush=True)


def lanes(names: list[str], jobs: int) -> list[list[str]]:
    """Share ``names`` out over ``jobs`` workers, the slow learner-size runs first.

    >>> lanes(["readout_a", "learner_raw", "learner_adam", "classifier_joint"], 2)
    [['learner_raw', 'readout_a'], ['learner_adam', 'classifier_joint']]
    """
    ordered = sorted(names, key=lambda n: not n.startswith(("learner_", "conv_lstm")))
    return [ordered[i::jobs] for i in range(jobs) if ordered[i::jobs]]


def main(argv: list[str] | None = None) -> int:
    """Train and write the shipped lesson models; prints one line per model."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from ecgteach.beats import SHIPPED_SETTINGS
    from ecgteach.nn import shipped_models_dir

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=SHIPPED_SETTINGS,
                        help="retrain only these settings (the others are kept)")
    parser.add_argument("--jobs", type=int, default=1,
                        help="train in this many single-threaded processes at once (2 on a "
                        "2-core machine: about 1 h instead of 1 h 45 min)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    names = list(args.only or SHIPPED_SETTINGS)
    if args.worker:  # one lane of a --jobs build: the parent keeps the backup
        train(names, threads=1)
        return 0

    target = shipped_models_dir()
    backup = target.with_name(target.name + ".previous")
    if backup.exists():
        shutil.rmtree(backup)
    if target.exists():
        shutil.copytree(target, backup)
    if not args.only and target.exists():
        shutil.rmtree(target)  # a full rebuild drops stale entries
    target.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    try:
        if args.jobs <= 1:
            train(names, threads=2)
        else:
            workers = [subprocess.Popen([sys.executable, __file__, "--worker", "--only", *lane])
                       for lane in lanes(names, args.jobs)]
            if any(worker.wait() != 0 for worker in workers):
                raise RuntimeError("a worker failed (its error is above)")
    except BaseException:
        if target.exists():
            shutil.rmtree(target)
        if backup.exists():
            backup.rename(target)
        print("failed: the previous shipped models were restored", file=sys.stderr)
        raise
    if backup.exists():
        shutil.rmtree(backup)
    total = sum(p.stat().st_size for p in target.iterdir())
    print(f"wrote {len(list(target.glob('*.weights.npz')))} models, {total / 1e6:.1f} MB, to "
          f"{target} in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
