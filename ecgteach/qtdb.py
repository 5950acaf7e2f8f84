"""The QT Database (QTDB): 15-min two-lead records at 250 Hz with manual ``q1c`` labels.

Only 30 to 85 beats of each record are annotated, in its last 5 minutes; the
labelled spans cover those beats only. The QRS peak label is the beat type
(``N``, ``A``, ``B``, ``V``, ``Q`` ...); every one is read as a QRS. The q1c
labels were made looking at both leads, so both leads share one wave set.
ecgteach bundles five records (``sel100``, ``sel102``, ``sel232``, ``sel30``,
``sele0104``); any other is downloaded by name with ``download=True``.

Usage::

    record = load_qtdb("sel100")
    record.waves["MLII"]["QRS"], record.spans["MLII"]
"""

from __future__ import annotations

from pathlib import Path

from .download import download_database
from .records import Record, load_wfdb_record

_BUNDLED = Path(__file__).resolve().parent / "data" / "qtdb-sample"
QTDB_FS = 250.0


def bundled_qtdb_records() -> tuple[str, ...]:
    """Names of the QTDB records shipped with ecgteach."""
    return tuple((_BUNDLED / "RECORDS").read_text().split())


def load_qtdb(
    name: str,
    path: str | Path | None = None,
    download: bool = False,
    annotator: str = "q1c",
) -> Record:
    """Load a QTDB record with its manual (``q1c``) waves.

    ``path`` is a folder holding ``<name>.hea``, ``.dat`` and ``.q1c``; without
    it the bundled sample is used, or the record is downloaded when
    ``download=True``. Usage: ``load_qtdb("sel100")``.
    """
    name = str(name).strip()
    if path is not None:
        folder = Path(path).expanduser()
    elif (_BUNDLED / f"{name}.hea").is_file():
        folder = _BUNDLED
    elif download:
        folder = download_database("qtdb", records=[name])
    else:
        raise ValueError(
            f"QTDB record {name!r} is not bundled (bundled: {', '.join(bundled_qtdb_records())}); "
            "pass download=True to fetch it from PhysioNet, or path= to a local copy"
        )
    if not (folder / f"{name}.hea").is_file():
        raise FileNotFoundError(f"QTDB record {name!r} not found in {folder} (no {name}.hea)")
    if not (folder / f"{name}.{annotator}").is_file():
        raise FileNotFoundError(
            f"QTDB record {name!r} has no {annotator!r} annotation file in {folder}; "
            "some QTDB records lack q1c labels (try annotator='q2c' or 'pu0')"
        )
    return load_wfdb_record(folder / name, annotator=annotator, database="qtdb", max_gap_s=2.0)
