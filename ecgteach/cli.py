"""The ``ecgteach`` command line; from a terminal:

- ``ecgteach lab [--dir ~/ecgteach-lessons]``: copy the lessons into the folder
  (once) and open JupyterLab there;
- ``ecgteach delineate FILE [--fs HZ] [--lead ii | --column NAME | --all-leads |
  --fused] [--csv]``: write the waves the default segmenter finds in one lead of a
  WFDB record, EDF, CSV/TSV or ``.npy`` file (every lead on its own channel with
  ``--all-leads``; one set for all leads together with ``--fused``) as a WFDB
  annotation file (and, with ``--csv``, a table);
- ``ecgteach train [--seconds 180]``: retrain the default segmenter (``--fast``
  for a smoke run);
- ``ecgteach download ludb`` (or ``qtdb``, ``--records sel100 ...``): fill the
  cache from PhysioNet;
- ``ecgteach --help``, ``ecgteach COMMAND --help``: the options.

:func:`main` runs a command from Python, :func:`build_parser` parses one.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from ecgteach._files import write_text_atomic
from ecgteach.classroom import lab
from ecgteach.datasets.download import download_database
from ecgteach.delineation.delineator import Delineator
from ecgteach.delineation.segmenter import DEFAULT_SEGMENTER, load_segmenter, save_segmenter
from ecgteach.delineation.training import (
    CLASS_RECIPE,
    DEFAULT_RECIPE,
    train_default_segmenter,
)
from ecgteach.ecg.recordings import load_recording
from ecgteach.ecg.waves import MISSING
from ecgteach.ecg.wfdbio import write_annotations


def waves_table(waves: dict | Sequence[dict], fs: float,
                leads: Sequence[str] | None = None) -> str:
    """The waves as CSV text: one row per wave, onset/peak/offset in seconds (blank: none).

    ``waves`` may be a list of wave sets, one per lead named in ``leads``: the
    table then starts with a ``lead`` column.

    >>> import numpy as np
    >>> print(waves_table({"QRS": np.array([[100, 110, -1]])}, fs=250), end="")
    wave,onset_s,peak_s,offset_s
    QRS,0.4,0.44,
    >>> two = [{"QRS": np.array([[100, 110, 120]])}, {"QRS": np.array([[101, 111, 121]])}]
    >>> print(waves_table(two, fs=250, leads=["I", "II"]), end="")
    lead,wave,onset_s,peak_s,offset_s
    I,QRS,0.4,0.44,0.48
    II,QRS,0.404,0.444,0.484
    """
    if isinstance(waves, dict):
        return "\n".join(["wave,onset_s,peak_s,offset_s", *_wave_rows(waves, fs)]) + "\n"
    if leads is None or len(leads) != len(waves):
        raise ValueError("name one lead per wave set")
    lines = ["lead,wave,onset_s,peak_s,offset_s"]
    for lead, one in zip(leads, waves, strict=True):
        lines += [f"{lead},{row}" for row in _wave_rows(one, fs)]
    return "\n".join(lines) + "\n"


def _wave_rows(waves: dict, fs: float) -> list[str]:
    rows = [(int(row[0]), kind, row) for kind, found in waves.items() for row in found]
    lines = []
    for _, kind, row in sorted(rows, key=lambda item: (item[0] if item[0] != MISSING
                                                        else int(item[2][1]), item[1])):
        cells = ["" if v == MISSING else f"{v / fs:.6g}" for v in (int(x) for x in row)]
        lines.append(",".join([kind, *cells]))
    return lines


def _counts(waves: dict) -> str:
    return ", ".join(f"{len(rows)} {kind}" for kind, rows in waves.items())


def _delineate(args: argparse.Namespace) -> int:
    chosen = [flag for flag, value in (("--lead", args.lead), ("--column", args.column),
                                       ("--all-leads", args.all_leads), ("--fused", args.fused))
              if value not in (None, False)]
    if len(chosen) > 1:
        raise ValueError(f"give one of {' / '.join(chosen)}, not several")
    recording = load_recording(args.record, fs=args.fs, column=args.column)
    model = load_segmenter(args.model) if args.model else None
    delineator = Delineator(model)
    path = recording.path
    stem = path if path.suffix.lower() in ("", ".hea", ".dat") else path.with_suffix("")
    if args.all_leads:
        waves: dict | list[dict] = delineator.delineate_many(
            [recording.signal[:, k] for k in range(len(recording.leads))], recording.fs)
        target = write_annotations(stem, args.out, waves, recording.fs)
        for k, (lead, one) in enumerate(zip(recording.leads, waves, strict=True)):
            print(f"lead {lead} (channel {k}): {_counts(one)}")
        print(f"-> {target}")
        table_text = waves_table(waves, recording.fs, recording.leads)
    else:
        if args.fused:
            label, waves = f"leads {', '.join(recording.leads)} fused", delineator.fused(
                recording.signal, recording.fs)
        else:
            lead, samples = recording.lead(args.lead)
            label, waves = f"lead {lead}", delineator(samples, recording.fs)
        target = write_annotations(stem, args.out, waves, recording.fs)
        print(f"{label}: {_counts(waves)} -> {target}")
        table_text = waves_table(waves, recording.fs)
    if args.csv:
        table = stem.with_name(f"{stem.name}_waves.csv")
        write_text_atomic(table, table_text)
        print(f"onset/peak/offset in seconds -> {table}")
    return 0


def _train(args: argparse.Namespace, argv: Sequence[str]) -> int:
    started = time.perf_counter()
    chosen = CLASS_RECIPE if args.recipe == "class" else {}
    leads = "ii" if args.fast else (args.leads or chosen.get("leads", "all"))
    recipe = {**chosen.get("recipe", {}), **({} if args.epochs is None
                                             else {"epochs": args.epochs})}
    seconds = args.seconds if args.seconds is not None else chosen.get("seconds", 180.0)
    model, info = train_default_segmenter(
        seconds=seconds, seed=args.seed, leads=leads, fast=args.fast, recipe=recipe,
        progress=None if args.quiet else "text", started=started,
    )
    info = dataclasses.replace(info, command="ecgteach " + " ".join(argv),
                               wall_seconds=round(time.perf_counter() - started, 2))
    model_path, meta_path = save_segmenter(model, info, args.out)
    print(f"wrote {model_path} and {meta_path.name} ({info.epochs_run} epochs, "
          f"{info.wall_seconds:.0f} s)")
    for name, summary in info.validation_scores.items():
        which = "lead ii" if name == "ii" else f"leads {', '.join(info.config.training_leads)}"
        print(f"\nvalidation patients, {which}:\n{summary.table}")
    return 0


def _lab(args: argparse.Namespace) -> int:
    return lab.main(args.dir, args.extra)


def _download(args: argparse.Namespace) -> int:
    folder = download_database(args.database, records=args.records or None)
    print(folder)
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (subcommands lab, delineate, train, download).

    >>> args = build_parser().parse_args(["train", "--fast"])
    >>> args.command, args.fast, args.recipe
    ('train', True, 'default')
    >>> args = build_parser().parse_args(["delineate", "data/sel100", "--lead", "ii"])
    >>> args.record, args.lead, args.out
    ('data/sel100', 'ii', 'ecgteach')
    """
    parser = argparse.ArgumentParser(
        prog="ecgteach",
        description="ecgteach: learn ECG delineation with LSTMs on real annotated ECGs.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = commands.add_parser(
        "lab", help="copy the lessons into a folder (once) and open them in JupyterLab",
        description="Copy the lessons into --dir the first time (an edited copy is never "
        "overwritten), then start JupyterLab there. Extra arguments go to jupyter lab.",
    )
    p.add_argument("--dir", default=str(Path("~/ecgteach-lessons")),
                   help="working folder (default: ~/ecgteach-lessons)")
    p.set_defaults(func=_lab, forwards_extra=True)

    p = commands.add_parser(
        "delineate", help="find P/QRS/T waves in an ECG file, write a WFDB annotation file",
        description="Delineate one lead of an ECG (a WFDB record, .edf, .csv/.tsv or .npy) "
        "with the default segmenter and write the waves beside it as <name>.<out> in the "
        "( peak ) convention, readable by wfdb.rdann; --csv also writes <name>_waves.csv.",
    )
    p.add_argument("record", metavar="FILE",
                   help="a WFDB record (path without extension, or its .hea), .edf, .csv, "
                   ".tsv or .npy file")
    p.add_argument("--fs", type=float, help="sampling rate in Hz (needed for .npy and for "
                   "tables without a time column)")
    p.add_argument("--lead", help="lead name or index (default: the first lead)")
    p.add_argument("--column", help="the table column (name or index) holding the ECG")
    p.add_argument("--all-leads", action="store_true",
                   help="delineate every lead on its own (lead k on annotation channel k)")
    p.add_argument("--fused", action="store_true",
                   help="delineate all leads together: one set of waves per beat")
    p.add_argument("--csv", action="store_true",
                   help="also write the waves' onset/peak/offset in seconds as a CSV table")
    p.add_argument("--out", default="ecgteach", help="annotation extension (default: ecgteach)")
    p.add_argument("--model", help="a .keras segmenter (default: the shipped one)")
    p.set_defaults(func=_delineate)

    p = commands.add_parser(
        "train", help="retrain the default segmenter from the bundled data (about 3 min)",
        description="Train ecgteach's default segmenter from the bundled LUDB (about 3 min on "
        "2 CPU cores) and write it as .keras with a .json sidecar (its training record).",
    )
    p.add_argument("--recipe", choices=["default", "class"], default="default",
                   help="default (about 3 min at most) or class (the lessons' quick recipe, "
                   f"{CLASS_RECIPE['description']}, within a minute)")
    p.add_argument("--seconds", type=float, default=None,
                   help="wall-clock budget of the whole run in seconds (default: 180; "
                   f"the class recipe: {CLASS_RECIPE['seconds']:g})")
    p.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    p.add_argument("--out", type=Path, default=DEFAULT_SEGMENTER,
                   help="model file to write (default: the shipped segmenter)")
    p.add_argument("--leads", choices=["all", "ii"], default=None,
                   help="leads used as training examples (default: all 12)")
    p.add_argument("--epochs", type=int, default=None,
                   help=f"epochs (default: {DEFAULT_RECIPE['epochs']})")
    p.add_argument("--fast", action="store_true",
                   help="a smoke run: 4 training + 2 validation records, lead ii, one epoch")
    p.add_argument("--quiet", action="store_true", help="print only the final summary")
    p.set_defaults(func=_train)

    p = commands.add_parser(
        "download", help="download LUDB or QTDB from PhysioNet into the cache (optional)",
    )
    p.add_argument("database", choices=["ludb", "qtdb"])
    p.add_argument("--records", nargs="*", help="only these records (default: all)")
    p.set_defaults(func=_download)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``ecgteach`` command; ``argv`` defaults to ``sys.argv[1:]``.

    Returns the exit status: 0, or 2 after a one-line error on stderr (a missing
    record, a failed download) instead of a traceback. ``main(["--help"])``
    prints the help and, like a malformed command line, exits (``SystemExit``).

    >>> main(["delineate", "no/such/record"])     # stderr: WFDB header not found ...
    2
    >>> main(["delineate", "my.csv"])             # stderr: no such file: my.csv
    2
    """
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra and not getattr(args, "forwards_extra", False):
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.extra = extra
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if args.func is _train:
            return _train(args, argv)
        return int(args.func(args) or 0)
    except (ValueError, FileNotFoundError, ConnectionError) as error:
        print(f"ecgteach {args.command}: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
