"""ecgteach: learn ECG delineation with LSTMs on real, cardiologist-annotated ECGs.

``import ecgteach`` is light (numpy, scipy): TensorFlow is imported only when a
model is built, trained or loaded (``ecgteach.models``, ``ecgteach.training``,
``delineate``).

Usage::

    import ecgteach
    record = ecgteach.load_ludb_record(1)
    beats = ecgteach.make_seed_dataset(ecgteach.load_ludb(range(1, 161), leads=["ii"]))
    waves = ecgteach.delineate(record.lead("ii"), fs=record.fs)
"""

from __future__ import annotations

import os as _os

# Quiet TensorFlow's C++ start-up chatter and pick Keras' TensorFlow backend for
# when a model is built later (neither is imported here). Users can override both.
_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
_os.environ.setdefault("KERAS_BACKEND", "tensorflow")

from ._quiet import install as _install_quiet_tensorflow

_install_quiet_tensorflow()  # TensorFlow's C++ start-up lines would look like errors

from .delineation import (
    Delineator,
    delineate,
    labels_to_waves,
    load_segmenter,
    probabilities_to_waves,
    segmenter_info,
)
from .download import cache_dir, download_database
from .exercises import check
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
from .metrics import (
    CSE_TOLERANCES_MS,
    DelineationScorer,
    collapse_ratio,
    mse_against_mean_baseline,
    score_delineation,
)
from .prepare import (
    patient_folds,
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
from .trainers import fast
from .waves import WAVE_KINDS, Quirk, parse_waves

__version__ = "0.1.0"

__all__ = [
    "CSE_TOLERANCES_MS",
    "LUDB_FS",
    "LUDB_LEADS",
    "LUDB_RECORDS",
    "SEGMENT_CLASSES",
    "TEST_RECORDS",
    "WAVE_KINDS",
    "DelineationScorer",
    "Delineator",
    "Quirk",
    "Record",
    "SeedDataset",
    "WindowSet",
    "boundary_targets",
    "bundled_ludb_path",
    "bundled_qtdb_records",
    "cache_dir",
    "check",
    "collapse_ratio",
    "delineate",
    "download_database",
    "fast",
    "labels_to_waves",
    "load_ludb",
    "load_ludb_record",
    "load_qtdb",
    "load_segmenter",
    "load_wfdb_record",
    "ludb_metadata",
    "make_seed_dataset",
    "make_windows",
    "mse_against_mean_baseline",
    "parse_waves",
    "patient_folds",
    "probabilities_to_waves",
    "qrs_durations",
    "quirk_counts",
    "resample_record",
    "resample_signal",
    "score_delineation",
    "segmenter_info",
    "segmentation_labels",
    "split_overlap",
    "split_patients",
    "standardise",
]
