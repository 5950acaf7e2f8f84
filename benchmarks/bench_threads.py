"""TensorFlow's thread pools in a container held to fewer CPUs than the host shows.

On Binder or JupyterHub a container sees the host's cores (often 16-64) while its
CPU quota allows 1-2. TensorFlow sizes its thread pools from the cores it sees,
and too many threads on too few CPUs thrash. ``import ecgteach`` sizes them from
:func:`ecgteach._config.available_cpus` (affinity mask and cgroup quota) instead.

This script trains the same small beat model in child processes restricted to
``--cpus`` CPUs (affinity), once with thread pools sized as for a ``--host-cores``
host (what TensorFlow does when it sees the host's cores), once sized as ecgteach
sizes them, and prints seconds per epoch::

    python benchmarks/bench_threads.py --cpus 1 --host-cores 16
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

CHILD = """
import json, os, sys, time
os.sched_setaffinity(0, set(sorted(os.sched_getaffinity(0))[:int(sys.argv[1])]))
import ecgteach
from ecgteach.beats import beat_splits, train_regression
splits = beat_splits()
result = train_regression(splits, scaling="scaled", epochs=3, progress=None,
                          build_kwargs={"units": (32,), "dropout": 0.0})
seconds = result.fits[0].seconds_per_epoch[1:]          # the first epoch compiles
print(json.dumps({"threads": os.environ["TF_NUM_INTRAOP_THREADS"],
                  "seconds_per_epoch": sum(seconds) / len(seconds)}))
"""


def run(cpus: int, threads: int | None) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TF_NUM_")}
    env["ECGTEACH_CACHE"] = str(Path(os.environ.get("TMPDIR", "/tmp")) / "ecgteach-threads")
    if threads is not None:
        env["TF_NUM_INTRAOP_THREADS"] = env["TF_NUM_INTEROP_THREADS"] = str(threads)
    out = subprocess.run([sys.executable, "-c", CHILD, str(cpus)], env=env, cwd=REPO,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cpus", type=int, default=1, help="CPUs the child may use")
    parser.add_argument("--host-cores", type=int, default=16,
                        help="cores a container would see on its host")
    parser.add_argument("--readme", action="store_true",
                        help="write the table into benchmarks/README.md (threads markers)")
    args = parser.parse_args()
    host = run(args.cpus, args.host_cores)
    sized = run(args.cpus, None)  # ecgteach's sizing (from the affinity mask)
    lines = [f"| thread pools | threads | s per epoch on {args.cpus} CPU(s) |",
             "| --- | ---: | ---: |",
             f"| sized for a {args.host_cores}-core host | {host['threads']} | "
             f"{host['seconds_per_epoch']:.2f} |",
             f"| sized by ecgteach (available_cpus) | {sized['threads']} | "
             f"{sized['seconds_per_epoch']:.2f} |",
             "", f"LSTM(32) on the scaled beats, mean of epochs 2-3, the child restricted to "
             f"{args.cpus} CPU(s) by its affinity mask ({time.strftime('%Y-%m-%d')}; "
             f"`python benchmarks/bench_threads.py --cpus {args.cpus} --host-cores "
             f"{args.host_cores}`)."]
    print("\n".join(lines))
    if args.readme:
        sys.path.insert(0, str(REPO / "benchmarks"))
        from bench_models import update_readme

        update_readme("\n".join(lines), REPO / "benchmarks" / "README.md",
                      "<!-- threads:start -->", "<!-- threads:end -->",
                      "## TensorFlow threads under a CPU restriction")


if __name__ == "__main__":
    main()
