"""Data-layer timings: how long loading and preparing the bundled data takes.

Usage::

    python benchmarks/bench_data.py

Prints a table; targets from the foundation issue: all bundled LUDB records load
in under 2 s (cold, in a fresh process), lesson 01 in under 30 s.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def timed_subprocess(code: str) -> float:
    """Wall time of ``python -c code`` in a fresh process (cold caches in Python)."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)
    return time.perf_counter() - started


def main() -> None:
    rows = []
    base = timed_subprocess("import ecgteach")
    rows.append(("import ecgteach (fresh process)", base, "—"))
    full = timed_subprocess("import ecgteach; ecgteach.load_ludb()")
    rows.append(("load all 200 LUDB records x 12 leads (cold)", full - base, "< 2 s"))
    lead_ii = timed_subprocess("import ecgteach; ecgteach.load_ludb(leads=['ii'])")
    rows.append(("load all 200 LUDB records, lead ii (cold)", lead_ii - base, "—"))
    qtdb = timed_subprocess("import ecgteach; ecgteach.load_qtdb('sel100')")
    rows.append(("load QTDB sel100 (15 min, 2 leads)", qtdb - base, "—"))
    seed = timed_subprocess(
        "import ecgteach; s = ecgteach.split_patients();"
        "ecgteach.make_seed_dataset(ecgteach.load_ludb(s['train'], leads=['ii']))"
    )
    rows.append(("seed dataset 300 x 200 x 2 (incl. loading)", seed - base, "—"))
    windows = timed_subprocess(
        "import ecgteach; s = ecgteach.split_patients();"
        "ecgteach.make_windows(ecgteach.load_ludb(s['train']), fs=250, window_s=2.0)"
    )
    rows.append(("segmentation windows, 128 patients x 12 leads", windows - base, "—"))
    lesson = REPO / "lessons" / "01_meet_the_ecg.ipynb"
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
         "--ExecutePreprocessor.store_widget_state=False", "--output", "/tmp/bench_01.ipynb",
         str(lesson)],
        check=True, capture_output=True,
    )
    rows.append(("lesson 01 end to end (nbconvert --execute)", time.perf_counter() - started,
                 "< 30 s"))
    width = max(len(r[0]) for r in rows)
    print(f"| {'step'.ljust(width)} | seconds | target |")
    print(f"| {'-' * width} | ------: | ------ |")
    for name, seconds, target in rows:
        print(f"| {name.ljust(width)} | {seconds:7.2f} | {target} |")


if __name__ == "__main__":
    main()
