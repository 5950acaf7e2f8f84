"""Judging a delineation: boundary matching and scores, corruptions, the reference against itself.

Pure NumPy: it scores waves from any source.
"""

from ecgteach.evaluation.agreement import (
    LabelAgreement,
    agreement_summary,
    label_agreement,
    other_leads_boundary,
)
from ecgteach.evaluation.collapse import COLLAPSED_BELOW, collapse_ratio, mse_against_mean_baseline
from ecgteach.evaluation.metrics import (
    BOUNDARIES,
    CSE_TOLERANCES_MS,
    DEFAULT_TOLERANCE_MS,
    BoundaryScore,
    DelineationScorer,
    match_boundaries,
    score_boundaries,
    score_delineation,
)
from ecgteach.evaluation.robustness import add_baseline_wander, add_noise, add_powerline

__all__ = [
    "BOUNDARIES",
    "COLLAPSED_BELOW",
    "CSE_TOLERANCES_MS",
    "DEFAULT_TOLERANCE_MS",
    "add_baseline_wander",
    "add_noise",
    "add_powerline",
    "agreement_summary",
    "BoundaryScore",
    "collapse_ratio",
    "DelineationScorer",
    "label_agreement",
    "LabelAgreement",
    "match_boundaries",
    "mse_against_mean_baseline",
    "other_leads_boundary",
    "score_boundaries",
    "score_delineation",
]
