"""Judging a delineation: boundary matching and scores, corruptions, the reference against itself.

Pure NumPy: it scores waves from any source.

>>> import numpy as np
>>> true = {"P": np.zeros((0, 3), int), "QRS": np.array([[100, 110, 130]]),
...         "T": np.array([[-1, 200, 250]])}
>>> pred = {"P": np.zeros((0, 3), int), "QRS": np.array([[102, 111, 128]]),
...         "T": np.array([[180, 205, 260]])}
>>> scores = score_delineation(true, pred, fs=500)
>>> {name: score.mean_ms for name, score in scores.items() if score.tp}
{'QRS onset': 4.0, 'QRS offset': -4.0, 'T offset': 20.0}
>>> scores["P onset"].n_true, scores["P onset"].sensitivity    # no P wave: undefined
(0, nan)
"""

from ecgteach.evaluation.agreement import (
    LabelAgreement,
    agreement_summary,
    label_agreement,
    label_spread_ms,
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
    "label_spread_ms",
    "LabelAgreement",
    "match_boundaries",
    "mse_against_mean_baseline",
    "other_leads_boundary",
    "score_boundaries",
    "score_delineation",
]
