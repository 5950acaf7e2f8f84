"""From a segmenter to waves, and how well they match: the one delineate-and-score pipeline.

Also the recipe that trains the shipped segmenter (``ecgteach train``).

>>> from ecgteach import load_ludb_record
>>> from ecgteach.delineation import delineate
>>> record = load_ludb_record(1, leads=["ii"])
>>> waves = delineate(record.lead("ii"), fs=record.fs)         # the shipped segmenter
>>> found = waves["QRS"][:, 1]                                  # QRS peaks, at 500 Hz
>>> [int(abs(found - peak).min()) <= 5 for peak in record.lead_waves("ii")["QRS"][:, 1]]
[True, True, True, True, True, True]
"""

from ecgteach.delineation.augment import AUGMENTATIONS, augment_windows
from ecgteach.delineation.decode import (
    BOUNDARY_REACH_MS,
    MERGE_GAP_MS,
    MIN_DURATION_MS,
    P_RHYTHM_REACH,
    P_RHYTHM_SHARE,
    RELATIVE_KINDS,
    expected_boundaries,
    labels_to_waves,
    organised_p_waves,
    probabilities_to_waves,
)
from ecgteach.delineation.delineator import Delineator, as_delineator, delineate
from ecgteach.delineation.neurokit import neurokit_to_waves, neurokit_waves, score_neurokit
from ecgteach.delineation.scoring import BadBeat, DelineatorScores, score_delineator, worst_beats
from ecgteach.delineation.segmenter import (
    DEFAULT_SEGMENTER,
    MODEL_FS,
    ScoresSummary,
    SegmenterInfo,
    TrainingConfig,
    load_segmenter,
    save_segmenter,
    segmenter_info,
)
from ecgteach.delineation.training import (
    CLASS_RECIPE,
    DEFAULT_BUILD_KWARGS,
    DEFAULT_RECIPE,
    train_default_segmenter,
)
from ecgteach.delineation.windows import (
    SEGMENT_CLASSES,
    WindowSet,
    make_windows,
    segmentation_labels,
)

__all__ = [
    "AUGMENTATIONS",
    "augment_windows",
    "BOUNDARY_REACH_MS",
    "CLASS_RECIPE",
    "DEFAULT_BUILD_KWARGS",
    "DEFAULT_RECIPE",
    "DEFAULT_SEGMENTER",
    "MERGE_GAP_MS",
    "MIN_DURATION_MS",
    "P_RHYTHM_REACH",
    "P_RHYTHM_SHARE",
    "RELATIVE_KINDS",
    "MODEL_FS",
    "SEGMENT_CLASSES",
    "as_delineator",
    "BadBeat",
    "delineate",
    "Delineator",
    "DelineatorScores",
    "expected_boundaries",
    "labels_to_waves",
    "load_segmenter",
    "make_windows",
    "neurokit_to_waves",
    "neurokit_waves",
    "organised_p_waves",
    "probabilities_to_waves",
    "save_segmenter",
    "score_delineator",
    "score_neurokit",
    "ScoresSummary",
    "segmentation_labels",
    "segmenter_info",
    "SegmenterInfo",
    "train_default_segmenter",
    "TrainingConfig",
    "WindowSet",
    "worst_beats",
]
