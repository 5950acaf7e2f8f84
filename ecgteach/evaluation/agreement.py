"""Does a lead's label agree with the other leads', and whom does a model follow?

LUDB's cardiologists marked every wave on all 12 leads. For a boundary of one
lead (say the QRS offsets of lead ii), the median of the same boundary in the
other leads is a second reference: where a lead's labels depart from it, part
of a model's "error" against those labels may be the labels' own.

>>> from ecgteach import load_ludb_record
>>> record = load_ludb_record(1)                          # all 12 leads
>>> other = other_leads_boundary(record, "ii", "QRS offset")
>>> other - record.waves["ii"]["QRS"][:, 2]               # samples: lead ii ends QRS later
array([ -1., -14.,  -7.,  -5., -15.,  -6.])
>>> experts = lambda signal, fs: record.waves["ii"]        # a "model" giving lead ii's labels
>>> [row] = label_agreement([record], experts, "ii", "QRS offset")
>>> row.label_vs_other_leads_ms, row.model_vs_label_ms, row.model_vs_other_leads_ms
(16.0, 0.0, 16.0)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ecgteach.ecg.records import Record
from ecgteach.ecg.waves import MISSING
from ecgteach.evaluation.metrics import BOUNDARIES, match_boundaries


def _parse_boundary(boundary: str) -> tuple[str, int]:
    """``"QRS offset"`` -> ``("QRS", 2)``: the wave kind and column of a scored boundary."""
    for name, kind, column in BOUNDARIES:
        if name == boundary:
            return kind, column
    raise ValueError(f"boundary must be one of {', '.join(repr(b[0]) for b in BOUNDARIES)}, "
                     f"got {boundary!r}")


def other_leads_boundary(record: Record, lead: str = "ii", boundary: str = "QRS offset",
                         max_distance_ms: float = 60.0) -> np.ndarray:
    """For each wave annotated in ``lead``: the median of the same boundary in the other leads.

    A wave of another lead is the same beat when its peak lies within
    ``max_distance_ms`` of this lead's peak. Returns samples at the record's rate
    (float, NaN where no other lead marks that boundary), one per row of
    ``record.waves[lead][kind]``.

    >>> from ecgteach import load_ludb_record
    >>> record = load_ludb_record(1)
    >>> other_leads_boundary(record, "II", "P onset") - record.waves["ii"]["P"][:, 0]
    array([ 2., -1.,  6., -1.,  1.])
    >>> other_leads_boundary(load_ludb_record(1, leads=["ii"]), "ii")    # no other lead
    array([nan, nan, nan, nan, nan, nan])
    """
    kind, column = _parse_boundary(boundary)
    mine = record.lead_waves(lead)[kind]
    lead = record.lead_key(lead)
    reach = max_distance_ms * record.fs / 1000.0
    others = []
    for other, waves in record.waves.items():
        theirs = waves[kind]
        if other == lead or len(theirs) == 0:
            continue
        nearest = np.abs(theirs[None, :, 1] - mine[:, None, 1]).argmin(axis=1)
        same_beat = np.abs(theirs[nearest, 1] - mine[:, 1]) <= reach
        value = theirs[nearest, column].astype(float)
        value[~same_beat | (value == MISSING)] = np.nan
        others.append(value)
    if not others or len(mine) == 0:
        return np.full(len(mine), np.nan)
    stacked = np.vstack(others)
    out = np.full(len(mine), np.nan)
    marked = ~np.isnan(stacked).all(axis=0)
    out[marked] = np.nanmedian(stacked[:, marked], axis=0)
    return out


def label_spread_ms(records: Sequence[Record], lead: str = "ii",
                    boundary: str = "T offset") -> np.ndarray:
    """Every labelled beat's ``lead`` boundary minus the other leads' median for it, in ms.

    The same cardiologists marked the same beat on 12 leads; how far one lead's
    mark sits from the others' says how precisely the boundary is defined in the
    reference itself (leads also differ for real: it is not a floor for a model).
    Beats no other lead marks are left out.

    >>> from ecgteach import load_ludb
    >>> spread = label_spread_ms(load_ludb(range(1, 11)), "ii", "QRS offset")
    >>> spread.size, round(float(spread.mean()), 1), round(float(spread.std()), 1)
    (82, -4.1, 13.3)
    """
    kind, column = _parse_boundary(boundary)
    out = []
    for record in records:
        labels = record.lead_waves(lead)[kind][:, column].astype(float)
        reference = other_leads_boundary(record, lead, boundary)
        keep = (labels != MISSING) & ~np.isnan(reference)
        out.append((labels[keep] - reference[keep]) * 1000.0 / record.fs)
    return np.concatenate(out) if out else np.zeros(0)


@dataclass(frozen=True)
class LabelAgreement:
    """One record: does a lead's label agree with the other leads, and whom does the model follow?

    All in ms, means over the record's beats: ``label_vs_other_leads_ms`` is
    (this lead's label − median of the other leads' labels); ``model_vs_label_ms``
    the model's error as scored (prediction − this lead's label, matched within
    150 ms); ``model_vs_other_leads_ms`` (prediction − other leads' median) on
    the same matched beats.

    >>> from ecgteach import load_ludb_record
    >>> record = load_ludb_record(10)
    >>> label_agreement([record], lambda signal, fs: record.waves["ii"])
    [LabelAgreement(record='10', lead='ii', boundary='QRS offset', n_beats=8,
                    label_vs_other_leads_ms=-25.75, model_vs_label_ms=0.0,
                    model_vs_other_leads_ms=-25.75)]
    """

    record: str
    lead: str
    boundary: str
    n_beats: int
    label_vs_other_leads_ms: float
    model_vs_label_ms: float
    model_vs_other_leads_ms: float


def label_agreement(records: Sequence[Record], delineator: Any, lead: str = "ii",
                    boundary: str = "QRS offset") -> list[LabelAgreement]:
    """Per record: a lead's labels against the other leads', and the model against both.

    ``delineator(signal, fs) -> waves`` runs on ``lead``. Beats the model missed
    or that no other lead marks are left out of the means. Usually the
    delineator is a trained one, ``label_agreement(test_records, ecgteach.Delineator())``;
    here a stand-in that returns lead ii's labels 2 samples (4 ms) early:

    >>> from ecgteach import load_ludb
    >>> def early_labels(record):
    ...     waves = {kind: np.where(rows >= 0, rows - 2, -1)
    ...              for kind, rows in record.waves["ii"].items()}
    ...     return lambda signal, fs: waves
    >>> rows = [row for record in load_ludb([1, 2])
    ...         for row in label_agreement([record], early_labels(record), "ii", "QRS offset")]
    >>> [(row.record, row.n_beats, row.model_vs_label_ms) for row in rows]
    [('1', 6, -4.0), ('2', 9, -4.0)]
    """
    kind, column = _parse_boundary(boundary)
    rows = []
    for record in records:
        reference = other_leads_boundary(record, lead, boundary)  # checks lead and boundary
        truth = record.lead_waves(lead)[kind]
        predicted = delineator(record.lead(lead), record.fs)[kind][:, column]
        matched_true, matched_pred = match_boundaries(truth[:, column], predicted, record.fs)
        keep = ~np.isnan(reference[matched_true])
        t, p = matched_true[keep], matched_pred[keep]
        to_ms = 1000.0 / record.fs
        label = truth[t, column].astype(float)
        rows.append(LabelAgreement(
            record=record.name, lead=record.lead_key(lead), boundary=boundary, n_beats=int(t.size),
            label_vs_other_leads_ms=_mean((label - reference[t]) * to_ms),
            model_vs_label_ms=_mean((predicted[p] - label) * to_ms),
            model_vs_other_leads_ms=_mean((predicted[p] - reference[t]) * to_ms),
        ))
    return rows


def _mean(values: np.ndarray) -> float:
    return float(values.mean()) if values.size else float("nan")


def agreement_summary(rows: Sequence[LabelAgreement], departs_ms: float = 10.0) -> dict[str, Any]:
    """Beat-weighted means over records, with and without the records whose label departs.

    A record "departs" when its lead's labels sit on average more than
    ``departs_ms`` from the other leads' median. Returns the model's mean error
    against the lead's labels and against the other leads' median (all records),
    the departing records, and the mean error against the lead's labels without them.

    A stand-in model that puts each QRS offset at the other leads' median is
    "wrong" against lead ii's labels exactly where those labels depart:

    >>> from ecgteach import load_ludb
    >>> def follows_other_leads(record):
    ...     waves = {kind: rows.copy() for kind, rows in record.waves["ii"].items()}
    ...     waves["QRS"][:, 2] = np.rint(other_leads_boundary(record, "ii", "QRS offset"))
    ...     return lambda signal, fs: waves
    >>> rows = [row for record in load_ludb(range(1, 11))
    ...         for row in label_agreement([record], follows_other_leads(record))]
    >>> summary = agreement_summary(rows, departs_ms=10.0)
    >>> summary["n_records"], summary["n_beats"], summary["departing"]
    (10, 82, ['1', '8', '10'])
    >>> round(summary["model_vs_label_ms"], 1), abs(summary["model_vs_other_leads_ms"]) < 0.1
    (4.1, True)
    >>> round(summary["model_vs_label_without_departing_ms"], 1), round(summary["correlation"], 2)
    (1.3, -1.0)
    """
    def weighted(chosen: Sequence[LabelAgreement], attribute: str) -> float:
        pairs = [(getattr(r, attribute), r.n_beats) for r in chosen if r.n_beats]
        total = sum(n for _, n in pairs)
        return float(sum(v * n for v, n in pairs) / total) if total else float("nan")

    departing = [r for r in rows if abs(r.label_vs_other_leads_ms) > departs_ms]
    agreeing = [r for r in rows if abs(r.label_vs_other_leads_ms) <= departs_ms]
    scored = [r for r in rows if r.n_beats]
    x = np.array([r.label_vs_other_leads_ms for r in scored])
    y = np.array([r.model_vs_label_ms for r in scored])
    correlation = float(np.corrcoef(x, y)[0, 1]) if x.size > 2 and x.std() and y.std() \
        else float("nan")
    return {
        "correlation": correlation,
        "n_records": len(rows),
        "n_beats": sum(r.n_beats for r in rows),
        "model_vs_label_ms": weighted(rows, "model_vs_label_ms"),
        "model_vs_other_leads_ms": weighted(rows, "model_vs_other_leads_ms"),
        "departing": [r.record for r in departing],
        "model_vs_label_without_departing_ms": weighted(agreeing, "model_vs_label_ms"),
    }
