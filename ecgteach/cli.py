"""The ``ecgteach`` command line; from a terminal:

- ``ecgteach lab [--dir ~/ecgteach-lessons]``: copy the lessons into the folder
  (once) and open JupyterLab there;
- ``ecgteach delineate path/to/record [--lead ii] [--out ecgteach]``: write the
  waves the default segmenter finds in one lead as a WFDB annotation file;
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

from ecgteach.classroom import lab
from ecgteach.datasets.download import download_database
from ecgteach.delineation.delineator import Delineator
from ecgteach.delineation.segmenter import DEFAULT_SEGMENTER, load_segmenter, save_segmenter
from ecgteach.delineation.training import DEFAULT_RECIPE, train_default_segmenter
from ecgteach.ecg.wfdbio import read_header, read_signal, write_annotations


def _delineate(args: argparse.Namespace) -> int:
    header = read_header(args.record)
    signal = read_signal(header)
    names = list(header.sig_names)
    lead = args.lead if args.lead is not None else names[0]
    if lead not in names:
        if lead.isdigit() and int(lead) < len(names):
            lead = names[int(lead)]
        else:
            raise ValueError(f"record {header.path.name} has no lead {lead!r}; leads: {names}")
    model = load_segmenter(args.model) if args.model else None
    waves = Delineator(model)(signal[:, names.index(lead)], header.fs)
    target = write_annotations(header.path, args.out, waves, header.fs)
    counts = ", ".join(f"{len(rows)} {kind}" for kind, rows in waves.items())
    print(f"lead {lead}: {counts} -> {target}")
    return 0


def _train(args: argparse.Namespace, argv: Sequence[str]) -> int:
    started = time.perf_counter()
    leads = "ii" if args.fast else args.leads
    recipe = {} if args.epochs is None else {"epochs": args.epochs}
    model, info = train_default_segmenter(
        seconds=args.seconds, seed=args.seed, leads=leads, fast=args.fast, recipe=recipe,
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
    >>> args.command, args.fast, args.seconds
    ('train', True, 180.0)
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
        "delineate", help="find P/QRS/T waves in a WFDB record, write a WFDB annotation file",
        description="Delineate one lead of a WFDB record with the default segmenter and write "
        "the waves as <record>.<out> in the ( peak ) convention, readable by wfdb.rdann.",
    )
    p.add_argument("record", help="WFDB record path without extension, e.g. data/sel100")
    p.add_argument("--lead", help="lead name or index (default: the first lead)")
    p.add_argument("--out", default="ecgteach", help="annotation extension (default: ecgteach)")
    p.add_argument("--model", help="a .keras segmenter (default: the shipped one)")
    p.set_defaults(func=_delineate)

    p = commands.add_parser(
        "train", help="retrain the default segmenter from the bundled data (about 3 min)",
        description="Train ecgteach's default segmenter from the bundled LUDB (about 3 min on "
        "2 CPU cores) and write it as .keras with a .json sidecar (its training record).",
    )
    p.add_argument("--seconds", type=float, default=180.0,
                   help="wall-clock budget of the whole run in seconds (default: 180)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    p.add_argument("--out", type=Path, default=DEFAULT_SEGMENTER,
                   help="model file to write (default: the shipped segmenter)")
    p.add_argument("--leads", choices=["all", "ii"], default="all",
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
