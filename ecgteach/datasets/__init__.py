"""The annotated databases: LUDB and a QT Database sample (bundled), downloads, patient splits.

Everything is read offline from the copies shipped with ecgteach unless asked otherwise.

>>> load_ludb_record(1, leads=["ii"])
Record(ludb '1', 10.0 s at 500 Hz, leads ii; 6 QRS annotated on lead ii)
>>> load_qtdb(bundled_qtdb_records()[0])
Record(qtdb 'sel100', 900.0 s at 250 Hz, leads MLII, V5; 30 QRS annotated on lead MLII (and 1
more annotated leads))
>>> {part: len(ids) for part, ids in split_patients(seed=0).items()}
{'train': 128, 'val': 32, 'test': 40}
"""

from ecgteach.datasets.download import database_dir, download_database, is_complete
from ecgteach.datasets.ludb import (
    LUDB_FS,
    LUDB_LEADS,
    LUDB_RECORDS,
    TEST_RECORDS,
    bundled_ludb_path,
    load_ludb,
    load_ludb_record,
    ludb_metadata,
    qrs_durations,
    quirk_counts,
    unlabelled_p_waves,
)
from ecgteach.datasets.qtdb import QTDB_FS, bundled_qtdb_records, load_qtdb
from ecgteach.datasets.splits import check_split, patient_folds, split_overlap, split_patients

__all__ = [
    "LUDB_FS",
    "LUDB_LEADS",
    "LUDB_RECORDS",
    "QTDB_FS",
    "TEST_RECORDS",
    "bundled_ludb_path",
    "bundled_qtdb_records",
    "check_split",
    "database_dir",
    "download_database",
    "is_complete",
    "load_ludb",
    "load_ludb_record",
    "load_qtdb",
    "ludb_metadata",
    "patient_folds",
    "qrs_durations",
    "quirk_counts",
    "split_overlap",
    "split_patients",
    "unlabelled_p_waves",
]
