"""The Lobachevsky University ECG Database (LUDB), offline by default.

200 patients, 10 s, 12 leads at 500 Hz, P/QRS/T onset-peak-offset marked by
cardiologists on every lead. ecgteach ships the whole database (ODC-By 1.0,
see ``ecgteach/data/ATTRIBUTION.md``); ``path=`` reads another local copy and
``download=True`` fetches it from PhysioNet into the cache.

>>> record = load_ludb_record(1)                    # a Record with all 12 leads
>>> len(record.leads), record.fs, record.duration_s
(12, 500.0, 10.0)
>>> record.waves["ii"]["QRS"][0]                    # onset, peak, offset (samples)
array([644, 662, 682])
>>> records = load_ludb(leads=["ii"])               # all 200 records, lead ii only
>>> len(records), records[0].leads
(200, ('ii',))
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from ecgteach._config import DATA_DIR
from ecgteach.datasets.download import download_database, is_complete
from ecgteach.ecg.leads import STANDARD_LEADS, lead_name, lead_names
from ecgteach.ecg.records import Record, load_wfdb_record
from ecgteach.ecg.waves import qrs_durations_ms

LUDB_LEADS: tuple[str, ...] = STANDARD_LEADS
LUDB_FS = 500.0
LUDB_RECORDS: tuple[int, ...] = tuple(range(1, 201))
#: Fixed test patients: never used for training or model selection.
TEST_RECORDS: tuple[int, ...] = tuple(range(161, 201))

_BUNDLED = DATA_DIR / "ludb"


def bundled_ludb_path() -> Path:
    """Folder of the LUDB copy shipped inside the package.

    >>> (bundled_ludb_path() / "data" / "1.hea").is_file()
    True
    """
    return _BUNDLED


def ludb_path(path: str | Path | None = None, download: bool = False) -> Path:
    """Resolve which LUDB copy to read: ``path``, the download cache, or the bundled one.

    ``path`` may be the folder holding ``RECORDS`` and ``data/``, or a flat
    folder of records.

    >>> ludb_path() == bundled_ludb_path()
    True
    >>> ludb_path(bundled_ludb_path() / "data") == bundled_ludb_path() / "data"   # a flat copy
    True
    """
    if path is not None:
        folder = Path(path).expanduser()
        if not (folder / "data").is_dir() and (folder / "1.hea").is_file():
            return folder  # a flat copy: records directly in the folder
        if not (folder / "data" / "1.hea").is_file():
            raise FileNotFoundError(
                f"no LUDB copy at {folder}: expected {folder / 'data' / '1.hea'}. Pass the folder "
                "that holds RECORDS and data/, or leave path=None to use the bundled copy."
            )
        return folder
    if download:
        folder = download_database("ludb")
        if not is_complete(folder):  # pragma: no cover - download_database guarantees it
            raise FileNotFoundError(f"incomplete LUDB download at {folder}")
        return folder
    if not (_BUNDLED / "data" / "1.hea").is_file():
        raise FileNotFoundError(
            f"the bundled LUDB copy is missing from {_BUNDLED}; reinstall ecgteach or rebuild it "
            "with `python scripts/build_bundled_data.py`"
        )
    return _BUNDLED


def record_number(record: int | str) -> int:
    """Validate a LUDB record id (1-200, int or str).

    >>> record_number(" 17 ")
    17
    >>> record_number(201)
    Traceback (most recent call last):
    ...
    ValueError: LUDB has records 1 to 200; got 201
    """
    try:
        number = int(str(record).strip())
    except ValueError:
        number = -1
    if number not in LUDB_RECORDS:
        raise ValueError(f"LUDB has records 1 to 200; got {record!r}")
    return number


def load_ludb_record(
    record: int | str,
    leads: Sequence[str] | str | None = None,
    path: str | Path | None = None,
    download: bool = False,
) -> Record:
    """Load one LUDB record with its per-lead waves and labelled spans.

    The first and last beats of every LUDB record are not annotated, so the
    labelled span of each lead runs from its first to its last annotation.
    Records are cached and read-only: loading one again costs nothing.

    >>> record = load_ludb_record(1, leads=["II", "v1"])
    >>> record
    Record(ludb '1', 10.0 s at 500 Hz, leads ii, v1; 6 QRS annotated on lead ii (and 1 more
    annotated leads))
    >>> record.spans["ii"]
    [(644, 3997)]
    """
    number = record_number(record)
    folder = ludb_path(path, download)
    return _load_cached(str(folder), number, lead_names(leads))


@lru_cache(maxsize=4096)
def _load_cached(folder: str, number: int, leads: tuple[str, ...]) -> Record:
    root = Path(folder)
    record_path = root / "data" / str(number)
    if not record_path.with_suffix(".hea").is_file():
        record_path = root / str(number)
    try:
        record = load_wfdb_record(
            record_path,
            lead_annotators={lead: lead for lead in leads},
            leads=list(leads),
            database="ludb",
            max_gap_s=None,
        )
    except FileNotFoundError as error:
        raise FileNotFoundError(f"LUDB record {number}: {error}") from error
    # shared by the cache: read-only, so a lesson that edits a copy cannot change later loads
    record.signal.flags.writeable = False
    for waves in record.waves.values():
        for rows in waves.values():
            rows.flags.writeable = False
    return record


def load_ludb(
    records: Iterable[int | str] | None = None,
    leads: Sequence[str] | str | None = None,
    path: str | Path | None = None,
    download: bool = False,
) -> list[Record]:
    """Load many LUDB records (default: all 200). Takes well under 2 s for all of them.

    >>> train = load_ludb(range(1, 161), leads=["ii"])
    >>> len(train), train[-1].name
    (160, '160')
    """
    numbers = LUDB_RECORDS if records is None else [record_number(r) for r in records]
    folder = str(ludb_path(path, download))
    chosen = lead_names(leads)
    return [_load_cached(folder, number, chosen) for number in numbers]


@lru_cache(maxsize=4)
def _metadata(folder: str) -> dict[int, dict[str, str]]:
    table = Path(folder) / "ludb.csv"
    if not table.is_file():
        raise FileNotFoundError(f"LUDB metadata table not found: {table}")
    with open(table, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    out = {}
    for row in rows:
        clean = {
            key.strip(): "; ".join(part.strip() for part in value.splitlines() if part.strip())
            for key, value in row.items()
            if key
        }
        out[int(clean.pop("ID"))] = clean
    return out


def ludb_metadata(record: int | str, path: str | Path | None = None) -> dict[str, str]:
    """Sex, age, rhythm and diagnoses of a LUDB patient (from ``ludb.csv``).

    >>> info = ludb_metadata(1)
    >>> info["Sex"], info["Age"], info["Rhythms"]
    ('F', '51', 'Sinus bradycardia')
    """
    return dict(_metadata(str(ludb_path(path)))[record_number(record)])


def unlabelled_p_waves(records: Iterable[Record] | None = None) -> dict[str, str]:
    """Patients in sinus rhythm (so with P waves) whose leads carry no P annotation at all.

    Their P waves are in the signal but not in the labels: a segmenter trained on
    them is told that real P waves are background (label noise). Returns record
    -> the diagnoses that explain it (``Conduction abnormalities``, ``Cardiac
    pacing``). Default: all 200 patients.

    >>> found = unlabelled_p_waves()
    >>> sorted(found, key=int)
    ['34', '45', '74', '90', '104', '111']
    >>> found["104"]
    'Iii degree av-block; Pacemaker presence, undefined; P-synchrony; Unipolar ventricular pacing'
    """
    records = load_ludb() if records is None else records
    out = {}
    for record in records:
        meta = ludb_metadata(record.name)
        if "sinus rhythm" not in meta.get("Rhythms", "").lower():
            continue
        if any(len(waves["P"]) for waves in record.waves.values()):
            continue
        out[record.name] = "; ".join(
            value for value in (meta.get("Conduction abnormalities", ""),
                                meta.get("Cardiac pacing", "")) if value)
    return out


def qrs_durations(records: Iterable[Record], lead: str | None = "ii") -> np.ndarray:
    """QRS durations in ms of every fully annotated QRS on ``lead`` (``None``: all leads).

    >>> qrs_durations([load_ludb_record(1)], lead="II")
    array([ 76., 100.,  98.,  88., 122.,  92.])
    >>> qrs_durations(load_ludb(range(1, 11)), lead=None).size
    963
    """

    parts = [
        qrs_durations_ms(waves, r.fs)
        for r in records
        for name, waves in r.waves.items()
        if lead is None or lead_name(name) == lead_name(lead)
    ]
    return np.concatenate(parts) if parts else np.zeros(0)


def quirk_counts(records: Iterable[Record]) -> Counter:
    """How often each annotation irregularity occurs, over all records and leads.

    >>> quirk_counts(load_ludb([7, 34, 111])).most_common()
    [(('QRS', 'peak with no onset'), 50), (('QRS', 'onset placed after the peak (dropped)'), 18)]
    """
    return Counter(
        (quirk.kind, quirk.message)
        for record in records
        for quirks in record.quirks.values()
        for quirk in quirks
    )
