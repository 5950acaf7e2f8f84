"""The QT Database (QTDB): 15-min two-lead records at 250 Hz with manual ``q1c`` labels.

Only 30 to 85 beats of each record are annotated, in its last 5 minutes; the
labelled spans cover those beats only. The QRS peak label is the beat type
(``N``, ``A``, ``B``, ``V``, ``Q`` ...); every one is read as a QRS. The q1c
labels were made looking at both leads, so both leads share one wave set.
ecgteach bundles five records (``sel100``, ``sel102``, ``sel232``, ``sel30``,
``sele0104``); any other is downloaded by name with ``download=True``.

>>> record = load_qtdb("sel100")
>>> record.leads, record.fs, record.duration_s
(('MLII', 'V5'), 250.0, 900.0)
>>> record.waves["MLII"]["QRS"].shape, record.spans["MLII"]     # 30 beats, one labelled span
((30, 3), [(150272, 156197)])
>>> record.waves["V5"] is record.waves["MLII"]                  # both leads share the labels
True
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from ecgteach._config import DATA_DIR
from ecgteach.datasets.download import download_database
from ecgteach.ecg.records import Record, load_wfdb_record
from ecgteach.ecg.waves import parse_waves
from ecgteach.ecg.wfdbio import read_annotation

_BUNDLED = DATA_DIR / "qtdb-sample"
QTDB_FS = 250.0


def bundled_qtdb_records() -> tuple[str, ...]:
    """Names of the QTDB records shipped with ecgteach.

    >>> bundled_qtdb_records()
    ('sel100', 'sel102', 'sel232', 'sel30', 'sele0104')
    """
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
    ``download=True``.

    >>> record = load_qtdb(bundled_qtdb_records()[1])
    >>> record.name, record.leads, len(record.waves["V5"]["QRS"])
    ('sel102', ('V5', 'V2'), 85)
    >>> len(record.spans["V5"])           # the labelled beats, cut where the experts skipped one
    34
    >>> load_qtdb("sel31")
    Traceback (most recent call last):
    ...
    ValueError: QTDB record 'sel31' is not bundled (bundled: sel100, ...); pass download=True ...
    >>> load_qtdb("sel31", download=True)  # doctest: +SKIP
    Record(qtdb 'sel31', 900.0 s at 250 Hz, ...)
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
    record = load_wfdb_record(folder / name, annotator=annotator, database="qtdb", max_gap_s=2.0)
    return _cut_spans_at_skipped_beats(record, folder / name, annotator)


def _cut_spans_at_skipped_beats(record: Record, record_path: Path, annotator: str) -> Record:
    """End a labelled span wherever the experts skipped a beat.

    Labelled beats less than 2 s apart are not always neighbours: in ``sel102``
    8 unlabelled beats lie between labelled ones. The beats ``ecgpuwave``
    detected (``.pu0``) with no labelled QRS within 150 ms are cut out of the
    spans, so they are never scored or trained on as background.
    """
    if annotator == "pu0" or not record_path.with_name(f"{record_path.name}.pu0").is_file():
        return record
    detected = parse_waves(*read_annotation(record_path, "pu0"))[0]["QRS"][:, 1]
    labelled = record.waves[record.leads[0]]["QRS"][:, 1]
    if labelled.size:
        distance = np.abs(detected[:, None] - labelled[None, :]).min(axis=1)
        detected = detected[distance > 0.15 * record.fs]
    marks = np.sort(read_annotation(record_path, annotator)[1])
    if marks.size == 0:
        return record
    breaks = np.flatnonzero(np.diff(marks) > 2.0 * record.fs)
    before = np.searchsorted(marks, detected) - 1  # the mark just before a skipped beat
    breaks = np.union1d(breaks, before[(before >= 0) & (before < marks.size - 1)])
    starts = np.concatenate([[0], breaks + 1]).astype(int)
    stops = np.concatenate([breaks, [marks.size - 1]]).astype(int)
    spans = [(int(marks[a]), int(marks[b]) + 1) for a, b in zip(starts, stops, strict=True)]
    return replace(record, spans={lead: list(spans) for lead in record.leads})
