"""Each lesson, top to bottom: wall time and peak memory of its kernel.

Usage::

    python benchmarks/bench_lessons.py            # default (full) settings
    python benchmarks/bench_lessons.py --fast     # ECGTEACH_FAST=1, as the test suite runs

Targets: every lesson under 5 minutes on 2 cores with default settings, under
90 s with ECGTEACH_FAST=1; peak kernel memory under 1.5 GB (Binder gives ~2 GB).
Trained models are cached between runs (``ECGTEACH_CACHE``); ``--cold`` gives
each lesson its own empty cache, as for a student who opens it first: the models
in ``ecgteach.SHIPPED_SETTINGS`` load from the package, every other
model the lesson shows is trained.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time
from pathlib import Path

import nbformat
import psutil
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parents[1]


def run(path: Path, env: dict[str, str]) -> tuple[float, float]:
    """Execute a notebook; return (seconds, peak RSS of the kernel and its children, MB)."""
    os.environ.update(env)
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=1200, kernel_name="python3",
                            resources={"metadata": {"path": tempfile.mkdtemp()}},
                            store_widget_state=False)
    peak = 0.0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            try:
                pid = client.km.provisioner.process.pid
                proc = psutil.Process(pid)
                rss = proc.memory_info().rss + sum(
                    c.memory_info().rss for c in proc.children(recursive=True))
                peak = max(peak, rss / 2**20)
            except Exception:  # kernel not started yet / already gone
                pass
            time.sleep(0.2)

    started = time.perf_counter()
    with client.setup_kernel():
        watcher = threading.Thread(target=sample, daemon=True)
        watcher.start()
        for index, cell in enumerate(notebook.cells):
            client.execute_cell(cell, index)
    done.set()
    return time.perf_counter() - started, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="ECGTEACH_FAST=1")
    parser.add_argument("--cold", action="store_true", help="empty model cache")
    parser.add_argument("--readme", action="store_true",
                        help="write the table into README.md between the lessons markers")
    parser.add_argument("lessons", nargs="*", help="lesson files (default: all)")
    args = parser.parse_args()
    env = {"ECGTEACH_FAST": "1" if args.fast else "0"}
    lessons = [Path(p) for p in args.lessons] or sorted((REPO / "lessons").glob("[0-9]*.ipynb"))
    limit = 90 if args.fast else 300
    load = os.getloadavg()[0]
    lines = [f"| lesson | seconds | peak kernel memory (MB) | under {limit} s | under 1.5 GB |",
             "| --- | ---: | ---: | --- | --- |"]
    print(*lines, sep="\n")
    for lesson in lessons:
        if args.cold:
            env["ECGTEACH_CACHE"] = tempfile.mkdtemp(prefix="ecgteach-cold-")
        seconds, peak = run(lesson, env)
        lines.append(f"| {lesson.stem} | {seconds:.0f} | {peak:.0f} | "
                     f"{'yes' if seconds < limit else 'NO'} | {'yes' if peak < 1536 else 'NO'} |")
        print(lines[-1], flush=True)
    setting = "ECGTEACH_FAST=1" if args.fast else "default settings"
    cache = ("each lesson on an empty model cache (shipped lesson models loaded, every other "
             "model trained)") if args.cold else "model cache as found"
    lines.append(f"\n{setting}, {cache}, {os.cpu_count()} cores, load average "
                 f"{load:.1f} at the start ({time.strftime('%Y-%m-%d')}; "
                 "`python benchmarks/bench_lessons.py" + (" --cold" if args.cold else "") + "`)")
    if args.readme:
        readme = REPO / "README.md"
        text = readme.read_text()
        start, end = "<!-- lessons:start -->", "<!-- lessons:end -->"
        before, rest = text.split(start, 1)
        after = rest.split(end, 1)[1]
        readme.write_text(f"{before}{start}\n" + "\n".join(lines) + f"\n{end}{after}")


if __name__ == "__main__":
    main()
