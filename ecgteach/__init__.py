"""ecgteach: learn ECG delineation with LSTMs on real, cardiologist-annotated ECGs.

``import ecgteach`` is light (numpy, scipy): TensorFlow is imported only when a
model is built or trained.

Usage::

    import ecgteach
    record = ecgteach.load_ludb_record(1)
    beats = ecgteach.make_seed_dataset(ecgteach.load_ludb(range(1, 161), leads=["ii"]))
"""

from __future__ import annotations

from .download import cache_dir, download_database
from .ludb import (
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
)
from .prepare import (
    resample_record,
    resample_signal,
    split_overlap,
    split_patients,
    standardise,
)
from .qtdb import bundled_qtdb_records, load_qtdb
from .records import Record, load_wfdb_record
from .seedset import SeedDataset, make_seed_dataset
from .targets import (
    SEGMENT_CLASSES,
    WindowSet,
    boundary_targets,
    make_windows,
    segmentation_labels,
)
from .waves import WAVE_KINDS, Quirk, parse_waves

__version__ = "0.1.0"

__all__ = [
    "LUDB_FS",
    "LUDB_LEADS",
    "LUDB_RECORDS",
    "SEGMENT_CLASSES",
    "TEST_RECORDS",
    "WAVE_KINDS",
    "Quirk",
    "Record",
    "SeedDataset",
    "WindowSet",
    "boundary_targets",
    "bundled_ludb_path",
    "bundled_qtdb_records",
    "cache_dir",
    "download_database",
    "load_ludb",
    "load_ludb_record",
    "load_qtdb",
    "load_wfdb_record",
    "ludb_metadata",
    "make_seed_dataset",
    "make_windows",
    "parse_waves",
    "qrs_durations",
    "quirk_counts",
    "resample_record",
    "resample_signal",
    "segmentation_labels",
    "split_overlap",
    "split_patients",
    "standardise",
]
