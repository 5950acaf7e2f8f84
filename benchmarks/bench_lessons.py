"""Each lesson, top to bottom: wall time and peak memory of its kernel.

Usage::

    python benchmarks/bench_lessons.py            # default (full) settings
    python benchmarks/bench_lessons.py --fast     # ECGTEACH_FAST=1, as the test suite runs

Targets: every lesson under 5 minutes on 2 cores with default settings, under
90 s with ECGTEACH_FAST=1; peak kernel memory under 1.5 GB (Binder gives ~2 GB).
Memory is given twice: the peak RSS while the lesson runs, and the kernel's PSS
(proportional set size: shared libraries split between the processes that share
them, the figure that adds up across kernels) once it has finished and idles, as a
student's open lesson does. ``--pair`` measures two lessons open at once.
Trained models are cached between runs (``ECGTEACH_CACHE``); ``--cold`` gives
each lesson its own empty cache, as for a student who opens it first: the models
in ``ecgteach.SHIPPED_SETTINGS`` load from the package, every other
model the lesson shows is trained.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import nbformat
import psutil
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parents[1]


def kernel_memory(pid: int) -> tuple[float, float]:
    """(RSS, PSS) of a kernel process and its children, MB. PSS shares shared pages fairly."""
    proc = psutil.Process(pid)
    procs = [proc, *proc.children(recursive=True)]
    rss = sum(p.memory_info().rss for p in procs) / 2**20
    pss = sum(getattr(p.memory_full_info(), "pss", 0) for p in procs) / 2**20
    return rss, pss


@dataclass
class Run:
    """One executed lesson: wall time, peak RSS while it ran, its kernel (alive in the block)."""

    seconds: float
    peak_rss: float
    pid: int


@contextlib.contextmanager
def executed(path: Path, env: dict[str, str]) -> Iterator[Run]:
    """Execute a notebook; inside the block its kernel stays alive (idle), as in a student's lab."""
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
            with contextlib.suppress(Exception):  # kernel not started yet / already gone
                peak = max(peak, kernel_memory(client.km.provisioner.process.pid)[0])
            time.sleep(0.2)

    started = time.perf_counter()
    with client.setup_kernel():
        watcher = threading.Thread(target=sample, daemon=True)
        watcher.start()
        for index, cell in enumerate(notebook.cells):
            client.execute_cell(cell, index)
        done.set()
        yield Run(time.perf_counter() - started, peak, client.km.provisioner.process.pid)


def pair_line(first: Path, second: Path, env: dict[str, str]) -> str:
    """Two lessons open at once: the first runs and idles, the second runs; memory of both."""
    with executed(first, env) as one, executed(second, env) as two:
        (_, pss_one), (_, pss_two) = kernel_memory(one.pid), kernel_memory(two.pid)
    total = pss_one + pss_two
    return (f"Two lessons open at once ({first.stem} run and left idle, then {second.stem} "
            f"run): kernel PSS {pss_one:.0f} + {pss_two:.0f} = {total:.0f} MB "
            f"({'fits' if total < 2048 - 400 else 'does NOT fit'} in 2 GB beside ~400 MB for "
            "JupyterLab and the browser's server side).")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="ECGTEACH_FAST=1")
    parser.add_argument("--cold", action="store_true", help="empty model cache")
    parser.add_argument("--readme", action="store_true",
                        help="write the table into benchmarks/README.md (lessons markers)")
    parser.add_argument("--pair", nargs=2, metavar=("FIRST", "SECOND"),
                        help="also measure two lessons open at once (default: 02 and 04)",
                        default=["02_why_the_regression_fails", "04_full_sequence_segmentation"])
    parser.add_argument("lessons", nargs="*", help="lesson files (default: all)")
    args = parser.parse_args()
    env = {"ECGTEACH_FAST": "1" if args.fast else "0"}
    lessons = [Path(p) for p in args.lessons] or sorted((REPO / "lessons").glob("[0-9]*.ipynb"))
    limit = 90 if args.fast else 300
    load = os.getloadavg()[0]
    lines = [f"| lesson | seconds | peak kernel RSS (MB) | kernel PSS at the end (MB) | "
             f"under {limit} s | under 1.5 GB |", "| --- | ---: | ---: | ---: | --- | --- |"]
    print(*lines, sep="\n")
    for lesson in lessons:
        if args.cold:
            env["ECGTEACH_CACHE"] = tempfile.mkdtemp(prefix="ecgteach-cold-")
        with executed(lesson, env) as result:
            pss = kernel_memory(result.pid)[1]
        lines.append(f"| {lesson.stem} | {result.seconds:.0f} | {result.peak_rss:.0f} | "
                     f"{pss:.0f} | {'yes' if result.seconds < limit else 'NO'} | "
                     f"{'yes' if result.peak_rss < 1536 else 'NO'} |")
        print(lines[-1], flush=True)
    pair = [REPO / "lessons" / f"{name.removesuffix('.ipynb')}.ipynb" for name in args.pair]
    lines.append("\n" + pair_line(*pair, env))
    print(lines[-1], flush=True)
    setting = "ECGTEACH_FAST=1" if args.fast else "default settings"
    cache = ("each lesson on an empty model cache (shipped lesson models loaded, every other "
             "model trained)") if args.cold else "model cache as found"
    lines.append(f"\n{setting}, {cache}, {os.cpu_count()} cores, load average "
                 f"{load:.1f} at the start ({time.strftime('%Y-%m-%d')}; "
                 "`python benchmarks/bench_lessons.py" + (" --cold" if args.cold else "") + "`)")
    if args.readme:
        readme = REPO / "benchmarks" / "README.md"
        text = readme.read_text()
        start, end = "<!-- lessons:start -->", "<!-- lessons:end -->"
        before, rest = text.split(start, 1)
        after = rest.split(end, 1)[1]
        readme.write_text(f"{before}{start}\n" + "\n".join(lines) + f"\n{end}{after}")


if __name__ == "__main__":
    main()
