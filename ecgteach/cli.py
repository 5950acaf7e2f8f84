"""The ``ecgteach`` command line.

Usage::

    ecgteach lab [--dir ~/ecgteach-lessons]
    ecgteach delineate path/to/record [--lead ii] [--out ecgteach]
    ecgteach train [--seconds 180]
    ecgteach download ludb | qtdb [--records sel100 ...]
    ecgteach --help
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

#: WFDB peak symbols written for each wave kind.
PEAK_SYMBOLS = {"P": "p", "QRS": "N", "T": "t"}


def waves_to_annotations(waves: dict[str, np.ndarray]) -> tuple[np.ndarray, list[str]]:
    """Wave set -> sorted WFDB ``(`` peak ``)`` annotations (missing boundaries omitted).

    Usage: ``samples, symbols = waves_to_annotations(delineate(x, fs))``.
    """
    items = []
    for kind, rows in waves.items():
        for onset, peak, offset in rows:
            if onset >= 0:
                items.append((int(onset), 0, "("))
            items.append((int(peak), 1, PEAK_SYMBOLS[kind]))
            if offset >= 0:
                items.append((int(offset), 2, ")"))
    items.sort()
    return np.array([i[0] for i in items], dtype=np.int64), [i[2] for i in items]


def write_annotations(
    record_path: str | Path, extension: str, waves: dict[str, np.ndarray], fs: float
) -> Path:
    """Write waves as a WFDB annotation file ``<record>.<extension>``, atomically.

    Usage: ``write_annotations("data/sel100", "ecgteach", waves, 250)``.
    """
    import wfdb

    record_path = Path(record_path)
    if not extension.isalnum():
        raise ValueError(f"the annotation extension must be letters/digits, got {extension!r}")
    samples, symbols = waves_to_annotations(waves)
    if samples.size == 0:
        raise ValueError("no waves were found: nothing to write")
    target = record_path.parent / f"{record_path.name}.{extension}"
    staging = Path(tempfile.mkdtemp(prefix=".ecgteach-", dir=record_path.parent))
    try:
        wfdb.wrann(
            record_path.name, extension, samples, symbol=symbols, fs=fs,
            write_dir=str(staging),
        )
        os.replace(staging / target.name, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _delineate(args: argparse.Namespace) -> int:
    from .delineation import Delineator, load_segmenter
    from .wfdbio import read_header, read_signal

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


def _train(args: argparse.Namespace) -> int:
    from . import train

    return int(train.main(args.extra) or 0)


def _lab(args: argparse.Namespace) -> int:
    from . import lab

    return lab.main(args.dir, args.extra)


def _download(args: argparse.Namespace) -> int:
    from .download import download_database

    folder = download_database(args.database, records=args.records or None)
    print(folder)
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (subcommands lab, delineate, train, download)."""
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
        "train", help="retrain the default segmenter from the bundled data",
        description="Run `python -m ecgteach.train` with the given arguments.",
        add_help=False,
    )
    p.set_defaults(func=_train, forwards_extra=True)

    p = commands.add_parser(
        "download", help="download LUDB or QTDB from PhysioNet into the cache (optional)",
    )
    p.add_argument("database", choices=["ludb", "qtdb"])
    p.add_argument("--records", nargs="*", help="only these records (default: all)")
    p.set_defaults(func=_download)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``ecgteach`` command. Usage: ``main(["delineate", "rec"])``."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra and not getattr(args, "forwards_extra", False):
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.extra = extra
    try:
        return int(args.func(args) or 0)
    except (ValueError, FileNotFoundError, ConnectionError) as error:
        print(f"ecgteach {args.command}: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
