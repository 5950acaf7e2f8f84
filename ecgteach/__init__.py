"""ecgteach: learn ECG delineation with LSTMs on real, cardiologist-annotated ECGs.

``import ecgteach`` is light (NumPy, SciPy): TensorFlow is imported only when
a model is built, trained or run, and the widgets only with ``ecgteach.ui``.
This module is the public face; the areas behind it are subpackages, from the
bottom up: :mod:`ecgteach.ecg`, :mod:`ecgteach.datasets`,
:mod:`ecgteach.evaluation`, :mod:`ecgteach.nn`, :mod:`ecgteach.delineation`,
:mod:`ecgteach.beats`, :mod:`ecgteach.ui`, :mod:`ecgteach.classroom`.

>>> import ecgteach
>>> record = ecgteach.load_ludb_record(1, leads=["II"])
>>> record.fs, record.leads
(500.0, ('ii',))
>>> beats = ecgteach.make_seed_dataset([record], lead="II", n_beats=None)
>>> beats.x.shape[1:]
(200, 2)
"""

from __future__ import annotations

import os as _os

# Quiet TensorFlow's C++ start-up chatter and pick Keras' TensorFlow backend for
# when a model is built later (neither is imported here). Users can override both.
_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
_os.environ.setdefault("KERAS_BACKEND", "tensorflow")

from ecgteach._config import available_cpus as _available_cpus  # noqa: E402

# TensorFlow sizes its thread pools from the host's cores; in a container held to a CPU
# quota (Binder, JupyterHub) that oversubscribes and thrashes. Size them from what this
# process may use, when TensorFlow starts later (set the variables yourself to override).
_cpus = str(_available_cpus())
for _variable in ("TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS"):
    _os.environ.setdefault(_variable, _cpus)
del _cpus, _variable

from ecgteach._quiet import install as _install_quiet_tensorflow

_install_quiet_tensorflow()  # TensorFlow's C++ start-up lines would look like errors

from ecgteach._config import cache_dir, fast
from ecgteach._version import __version__
from ecgteach.beats import (
    LESSON_SETTINGS,
    SCALINGS,
    SHIPPED_SETTINGS,
    BeatSplits,
    ExperimentResult,
    InputScaling,
    SeedDataset,
    beat_splits,
    boundary_targets,
    make_seed_dataset,
    positions_from_distribution,
    regression_report,
    run_lesson_setting,
    train_boundary_classifier,
    train_regression,
)
from ecgteach.classroom import check, check_memory
from ecgteach.classroom.claims import claim
from ecgteach.datasets import (
    LUDB_FS,
    LUDB_LEADS,
    LUDB_RECORDS,
    TEST_RECORDS,
    bundled_ludb_path,
    bundled_qtdb_records,
    download_database,
    load_ludb,
    load_ludb_record,
    load_qtdb,
    ludb_metadata,
    patient_folds,
    qrs_durations,
    quirk_counts,
    split_overlap,
    split_patients,
    unlabelled_p_waves,
)
from ecgteach.delineation import (
    MODEL_FS,
    SEGMENT_CLASSES,
    Delineator,
    DelineatorScores,
    SegmenterInfo,
    WindowSet,
    delineate,
    labels_to_waves,
    load_segmenter,
    make_windows,
    probabilities_to_waves,
    score_delineator,
    score_neurokit,
    segmentation_labels,
    segmenter_info,
    train_default_segmenter,
)
from ecgteach.ecg import (
    STANDARD_LEADS,
    WAVE_KINDS,
    Quirk,
    Record,
    lead_names,
    load_recording,
    load_wfdb_record,
    parse_waves,
    resample_record,
    resample_signal,
    standardise,
    write_annotations,
)
from ecgteach.evaluation import (
    COLLAPSED_BELOW,
    CSE_TOLERANCES_MS,
    DelineationScorer,
    add_baseline_wander,
    add_noise,
    add_powerline,
    collapse_ratio,
    label_agreement,
    mse_against_mean_baseline,
    score_delineation,
)
from ecgteach.nn import CacheMode, count_params, set_seed

__all__ = [
    "COLLAPSED_BELOW",
    "CSE_TOLERANCES_MS",
    "LESSON_SETTINGS",
    "LUDB_FS",
    "LUDB_LEADS",
    "LUDB_RECORDS",
    "MODEL_FS",
    "SCALINGS",
    "SEGMENT_CLASSES",
    "SHIPPED_SETTINGS",
    "STANDARD_LEADS",
    "TEST_RECORDS",
    "WAVE_KINDS",
    "BeatSplits",
    "CacheMode",
    "DelineationScorer",
    "Delineator",
    "DelineatorScores",
    "ExperimentResult",
    "InputScaling",
    "Quirk",
    "Record",
    "SeedDataset",
    "SegmenterInfo",
    "WindowSet",
    "__version__",
    "add_baseline_wander",
    "add_noise",
    "add_powerline",
    "beat_splits",
    "boundary_targets",
    "bundled_ludb_path",
    "bundled_qtdb_records",
    "cache_dir",
    "check",
    "check_memory",
    "claim",
    "collapse_ratio",
    "count_params",
    "delineate",
    "download_database",
    "fast",
    "label_agreement",
    "labels_to_waves",
    "lead_names",
    "load_ludb",
    "load_ludb_record",
    "load_qtdb",
    "load_segmenter",
    "load_recording",
    "load_wfdb_record",
    "ludb_metadata",
    "make_seed_dataset",
    "make_windows",
    "mse_against_mean_baseline",
    "parse_waves",
    "patient_folds",
    "positions_from_distribution",
    "probabilities_to_waves",
    "qrs_durations",
    "quirk_counts",
    "regression_report",
    "resample_record",
    "resample_signal",
    "run_lesson_setting",
    "score_delineation",
    "score_delineator",
    "score_neurokit",
    "segmentation_labels",
    "segmenter_info",
    "set_seed",
    "split_overlap",
    "split_patients",
    "standardise",
    "train_boundary_classifier",
    "train_default_segmenter",
    "train_regression",
    "unlabelled_p_waves",
    "write_annotations",
]
