"""Honest delineation metrics: boundary matching, Se/PPV/F1, errors in ms, CSE tolerances.

True and predicted waves are *wave sets* (see :mod:`ecgteach.ecg.waves`): dicts mapping
``"P"``, ``"QRS"`` and ``"T"`` to ``(n, 3)`` integer arrays of onset, peak and offset
sample indices, ``-1`` where a boundary is missing. Each scored boundary (for
example the QRS onsets) is matched one-to-one, true to nearest prediction within
±150 ms, as in Martínez et al. 2004 and Moskalenko et al. 2019; matched pairs are
true positives and give the timing errors, unmatched true boundaries are false
negatives, unmatched predictions false positives.

Here the "prediction" is the experts' own labels, 2 samples (4 ms) late:

>>> from ecgteach import load_ludb, load_ludb_record
>>> record = load_ludb_record(1, leads=["ii"])
>>> true_waves = record.waves["ii"]
>>> pred_waves = {kind: np.where(rows >= 0, rows + 2, -1) for kind, rows in true_waves.items()}
>>> scores = score_delineation(true_waves, pred_waves, fs=500, span=record.span("ii"))
>>> score = scores["QRS onset"]
>>> score.sensitivity, score.ppv, score.mean_ms, score.sd_ms
(100.0, 100.0, 4.0, 0.0)

A :class:`DelineationScorer` pools many records (record ``k`` is ``k`` samples
late here); ``ci=True`` adds a 95 % interval of each mean, resampling patients:

>>> scorer = DelineationScorer()
>>> for record in load_ludb([1, 2, 3], leads=["ii"]):
...     late = int(record.name)
...     pred = {kind: np.where(rows >= 0, rows + late, -1)
...             for kind, rows in record.waves["ii"].items()}
...     _ = scorer.add_lead(record, "ii", pred)
>>> print(scorer.table(markdown=False, ci=True))
boundary     Se %  PPV %   F1 %  mean ± SD ms  mean 95 % CI ms  CSE tolerance (2σ) ms   n
P onset     100.0  100.0  100.0     4.3 ± 1.5       2.0 to 6.0                   10.2  21
P offset    100.0  100.0  100.0     4.3 ± 1.5       2.0 to 6.0                   12.7  21
QRS onset   100.0  100.0  100.0     4.2 ± 1.6       2.0 to 6.0                    6.5  24
QRS offset  100.0  100.0  100.0     4.2 ± 1.6       2.0 to 6.0                   11.6  24
T offset    100.0  100.0  100.0     4.3 ± 1.5       2.0 to 6.0                   30.6  21
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ecgteach.ecg.records import Record
from ecgteach.ecg.signal import check_fs
from ecgteach.ecg.waves import MISSING

DEFAULT_TOLERANCE_MS = 150.0

# Tolerances for the standard deviation of boundary errors, 2·σ_CSE, from the CSE
# Working Party: "Recommendations for measurement standards in quantitative
# electrocardiography", European Heart Journal 6:815-825 (1985). Used in
# Martínez et al. 2004 (IEEE TBME 51:570-581) and most delineators since.
CSE_TOLERANCES_MS: dict[str, float] = {
    "P onset": 10.2,
    "P offset": 12.7,
    "QRS onset": 6.5,
    "QRS offset": 11.6,
    "T offset": 30.6,
}

#: The scored boundaries: (name, wave kind, column of the wave set: 0 onset, 1 peak, 2 offset).
BOUNDARIES: tuple[tuple[str, str, int], ...] = (
    ("P onset", "P", 0),
    ("P offset", "P", 2),
    ("QRS onset", "QRS", 0),
    ("QRS offset", "QRS", 2),
    ("T offset", "T", 2),
)

Boundary = tuple[str, str, int]


# --------------------------------------------------------------------------- checks


def _check_tolerance(tolerance_ms: float) -> float:
    try:
        tolerance_ms = float(tolerance_ms)
    except (TypeError, ValueError):
        raise ValueError(f"tolerance_ms must be a positive number, got {tolerance_ms!r}") from None
    if not (math.isfinite(tolerance_ms) and tolerance_ms > 0):
        raise ValueError(f"tolerance_ms must be a positive number, got {tolerance_ms}")
    return tolerance_ms


def _check_positions(samples: Any, what: str) -> np.ndarray:
    """1-D float array of boundary positions (``-1`` kept); rejects NaN/inf and bad shapes."""
    array = np.asarray(samples)
    if array.dtype == object or not np.issubdtype(array.dtype, np.number):
        raise ValueError(f"{what} must be numeric sample indices, got dtype {array.dtype}")
    array = array.astype(np.float64).reshape(-1) if array.ndim == 0 else array.astype(np.float64)
    if array.ndim != 1:
        raise ValueError(f"{what} must be a 1-D array of sample indices, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{what} contain NaN or infinite values")
    return array


def _check_span(span: Sequence[float] | None) -> tuple[float, float] | None:
    if span is None:
        return None
    if len(span) != 2:
        raise ValueError(f"span must be (start, stop), got {span!r}")
    start, stop = float(span[0]), float(span[1])
    if not (math.isfinite(start) and math.isfinite(stop)):
        raise ValueError(f"span must be finite, got {span!r}")
    if start > stop:
        raise ValueError(f"span start {start:g} is after its stop {stop:g}")
    return start, stop


def _check_waves(waves: Mapping[str, Any], kinds: set[str], what: str) -> None:
    if not isinstance(waves, Mapping):
        raise ValueError(f"{what} must be a dict of wave kind -> (n, 3) array")
    missing = sorted(kinds - set(waves))
    if missing:
        raise ValueError(f"{what} have no {', '.join(repr(k) for k in missing)} entry")
    for kind in sorted(kinds):
        shape = np.shape(waves[kind])
        if len(shape) != 2 or shape[1] != 3:
            raise ValueError(
                f"{what}[{kind!r}] must have shape (n, 3) = [onset, peak, offset], got {shape}"
            )


# ------------------------------------------------------------------------- matching


def match_boundaries(
    true_samples: Sequence[float] | np.ndarray,
    pred_samples: Sequence[float] | np.ndarray,
    fs: float,
    tolerance_ms: float = DEFAULT_TOLERANCE_MS,
) -> tuple[np.ndarray, np.ndarray]:
    """Match true to predicted boundaries one-to-one, nearest first, within ±tolerance.

    All (true, predicted) pairs at most ``tolerance_ms`` apart (inclusive) are taken
    in order of increasing distance (ties: earlier true, then earlier prediction);
    a pair is kept when neither side is already matched, so no prediction is used
    twice. Entries equal to ``-1`` (missing) are ignored on both sides; inputs need
    not be sorted. Returns the matched indices into the *given* arrays, sorted by
    true index.

    >>> true_onsets, pred_onsets = [100, 200, 300, -1], [203, 98, 500]
    >>> match_boundaries(true_onsets, pred_onsets, fs=500)   # 300 and 500: 400 ms apart
    (array([0, 1]), array([1, 0]))
    >>> match_boundaries([100], [98, 101], fs=500)              # the nearest wins
    (array([0]), array([1]))
    """
    fs = check_fs(fs)
    tolerance = _check_tolerance(tolerance_ms) * fs / 1000.0  # in samples
    true = _check_positions(true_samples, "true boundaries")
    pred = _check_positions(pred_samples, "predicted boundaries")
    true_idx = np.flatnonzero(true != MISSING)
    pred_idx = np.flatnonzero(pred != MISSING)
    empty = np.zeros(0, dtype=np.int64)
    if true_idx.size == 0 or pred_idx.size == 0:
        return empty, empty.copy()
    order = pred_idx[np.argsort(pred[pred_idx], kind="stable")]
    sorted_pred = pred[order]
    slack = tolerance + 1e-9 * max(1.0, tolerance)  # absorb float rounding at the edge
    lo = np.searchsorted(sorted_pred, true[true_idx] - slack, side="left")
    hi = np.searchsorted(sorted_pred, true[true_idx] + slack, side="right")
    counts = hi - lo
    if counts.sum() == 0:
        return empty, empty.copy()
    # Every candidate pair within the window, as (true index, predicted index, distance).
    cand_true = np.repeat(true_idx, counts)
    starts = np.repeat(lo - np.cumsum(counts) + counts, counts)
    cand_pred = order[starts + np.arange(counts.sum())]
    distance = np.abs(pred[cand_pred] - true[cand_true])
    ranking = np.lexsort((cand_pred, cand_true, distance))
    used_true: set[int] = set()
    used_pred: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for k in ranking:
        t, p = int(cand_true[k]), int(cand_pred[k])
        if t not in used_true and p not in used_pred:
            used_true.add(t)
            used_pred.add(p)
            pairs.append((t, p))
    pairs.sort()
    matched = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    return matched[:, 0].copy(), matched[:, 1].copy()


# -------------------------------------------------------------------------- scores


@dataclass(frozen=True, eq=False)
class BoundaryScore:
    """Detection and timing scores of one boundary (e.g. ``"QRS onset"``).

    Sensitivity, PPV and F1 are in percent (nan when undefined: no true boundary,
    no counted prediction). ``errors_ms`` are predicted − true, in ms, one per
    matched pair; ``mean_ms``/``sd_ms`` (population SD) are nan without matches.

    >>> score = score_boundaries([100, 200, 300], [203, 98, 500], fs=500, name="QRS onset")
    >>> score.tp, score.fn, score.fp, round(score.sensitivity, 1), score.errors_ms
    (2, 1, 1, 66.7, array([-4.,  6.]))
    >>> score.mean_ms, score.sd_ms, score.cse_tolerance_ms, score.within_cse
    (1.0, 5.0, 6.5, True)
    """

    name: str
    n_true: int  # scored true boundaries (tp + fn)
    n_pred: int  # counted predictions (tp + fp)
    tp: int
    fn: int
    fp: int
    sensitivity: float  # %, tp / (tp + fn)
    ppv: float  # %, tp / (tp + fp)
    f1: float  # %, 2 tp / (2 tp + fp + fn)
    errors_ms: np.ndarray
    mean_ms: float
    sd_ms: float

    @property
    def cse_tolerance_ms(self) -> float:
        """The CSE 2σ tolerance for this boundary (nan if it has none)."""
        return CSE_TOLERANCES_MS.get(self.name, math.nan)

    @property
    def within_cse(self) -> bool:
        """True when the error SD is at most the CSE tolerance (2σ_CSE), the usual test."""
        return bool(self.sd_ms <= self.cse_tolerance_ms)  # False for nan on either side

    def as_row(self) -> dict[str, Any]:
        """The scores as a flat dict (one table row, e.g. for ``pd.DataFrame([s.as_row()])``).

        >>> row = score_boundaries([100, 200], [101, 500], fs=500, name="P onset").as_row()
        >>> row["boundary"], row["tp"], row["fn"], row["fp"], row["f1"], row["within_cse"]
        ('P onset', 1, 1, 1, 50.0, True)
        """
        return {
            "boundary": self.name,
            "n_true": self.n_true,
            "n_pred": self.n_pred,
            "tp": self.tp,
            "fn": self.fn,
            "fp": self.fp,
            "sensitivity": self.sensitivity,
            "ppv": self.ppv,
            "f1": self.f1,
            "mean_ms": self.mean_ms,
            "sd_ms": self.sd_ms,
            "cse_tolerance_ms": self.cse_tolerance_ms,
            "within_cse": self.within_cse,
        }


def _percent(numerator: int, denominator: int) -> float:
    return 100.0 * numerator / denominator if denominator else math.nan


def _make_score(name: str, tp: int, fn: int, fp: int, errors_ms: np.ndarray) -> BoundaryScore:
    errors = np.array(errors_ms, dtype=np.float64).reshape(-1)
    errors.setflags(write=False)
    return BoundaryScore(
        name=name,
        n_true=tp + fn,
        n_pred=tp + fp,
        tp=tp,
        fn=fn,
        fp=fp,
        sensitivity=_percent(tp, tp + fn),
        ppv=_percent(tp, tp + fp),
        f1=_percent(2 * tp, 2 * tp + fp + fn),
        errors_ms=errors,
        mean_ms=float(errors.mean()) if errors.size else math.nan,
        sd_ms=float(errors.std()) if errors.size else math.nan,
    )


def score_boundaries(
    true_samples: Sequence[float] | np.ndarray,
    pred_samples: Sequence[float] | np.ndarray,
    fs: float,
    name: str = "boundary",
    span: Sequence[float] | None = None,
    tolerance_ms: float = DEFAULT_TOLERANCE_MS,
) -> BoundaryScore:
    """Score one kind of boundary (1-D arrays of sample indices, ``-1`` = missing).

    Span rule, for ``span=(start, stop)`` (a half-open sample interval, the labelled
    part of the record): every true and predicted boundary is matched (see
    :func:`match_boundaries`), then only true boundaries in ``[start, stop)`` are
    scored (TP when matched, else FN). Predictions in ``[start, stop)`` count (TP
    or FP); a prediction outside the span counts only when matched to a scored true
    boundary (TP), so unmatched predictions there - possibly of unlabelled beats -
    are never false positives; predictions beyond ``[start - tolerance, stop +
    tolerance]`` therefore never count. ``span=None`` scores everything.

    >>> true, pred = [100, 200, 300], [98, 203, 310, 900]
    >>> score = score_boundaries(true, pred, 500, "QRS onset", span=(150, 1000))
    >>> score.tp, score.fn, score.fp          # 100 is not scored; 900 is a false positive
    (2, 0, 1)
    >>> score_boundaries(true, pred, 500, "QRS onset", span=(150, 600)).fp   # 900: outside
    0
    """
    fs = check_fs(fs)
    tolerance_ms = _check_tolerance(tolerance_ms)
    true = _check_positions(true_samples, "true boundaries")
    pred = _check_positions(pred_samples, "predicted boundaries")
    window = _check_span(span)
    true_ok = true != MISSING
    pred_ok = pred != MISSING
    if window is not None:
        start, stop = window
        true_ok &= (true >= start) & (true < stop)
        pred_in_span = pred_ok & (pred >= start) & (pred < stop)
    else:
        pred_in_span = pred_ok
    ti, pi = match_boundaries(true, pred, fs, tolerance_ms)
    scored = true_ok[ti]  # pairs whose true boundary is scored
    ti, pi = ti[scored], pi[scored]
    tp = int(ti.size)
    fn = int(true_ok.sum()) - tp
    matched_pred = np.zeros(pred.size, dtype=bool)
    matched_pred[pi] = True
    fp = int((pred_in_span & ~matched_pred).sum())
    # Matched pairs whose true boundary lies outside the span are neither TP nor FP.
    errors_ms = (pred[pi] - true[ti]) * 1000.0 / fs
    return _make_score(name, tp, fn, fp, errors_ms)


def score_delineation(
    true_waves: Mapping[str, np.ndarray],
    pred_waves: Mapping[str, np.ndarray],
    fs: float,
    span: Sequence[float] | None = None,
    tolerance_ms: float = DEFAULT_TOLERANCE_MS,
    boundaries: Sequence[Boundary] = BOUNDARIES,
) -> dict[str, BoundaryScore]:
    """Score every boundary of ``boundaries`` (default :data:`BOUNDARIES`) of two wave sets.

    See :func:`score_boundaries` for the matching and the ``span`` rule.

    >>> true = {"QRS": np.array([[100, 110, 130], [600, 610, 630]])}
    >>> pred = {"QRS": np.array([[102, 111, 129]])}
    >>> both = [("QRS onset", "QRS", 0), ("QRS offset", "QRS", 2)]
    >>> scores = score_delineation(true, pred, fs=500, boundaries=both)
    >>> {name: (score.tp, score.fn, score.mean_ms) for name, score in scores.items()}
    {'QRS onset': (1, 1, 4.0), 'QRS offset': (1, 1, -2.0)}
    """
    fs = check_fs(fs)
    tolerance_ms = _check_tolerance(tolerance_ms)
    _check_span(span)
    boundaries = _check_boundaries(boundaries)
    kinds = {kind for _, kind, _ in boundaries}
    _check_waves(true_waves, kinds, "true waves")
    _check_waves(pred_waves, kinds, "predicted waves")
    return {
        name: score_boundaries(
            np.asarray(true_waves[kind])[:, column],
            np.asarray(pred_waves[kind])[:, column],
            fs,
            name=name,
            span=span,
            tolerance_ms=tolerance_ms,
        )
        for name, kind, column in boundaries
    }


def _check_boundaries(boundaries: Sequence[Boundary]) -> tuple[Boundary, ...]:
    checked = []
    for entry in boundaries:
        if len(entry) != 3 or entry[2] not in (0, 1, 2):
            raise ValueError(f"a boundary must be (name, wave kind, column 0/1/2), got {entry!r}")
        checked.append((str(entry[0]), str(entry[1]), int(entry[2])))
    names = [name for name, _, _ in checked]
    if not checked or len(set(names)) != len(names):
        raise ValueError(f"boundaries must be a non-empty list with unique names, got {names}")
    return tuple(checked)


class DelineationScorer:
    """Pool scores over many records and leads: TPs, FNs and FPs summed, errors concatenated.

    >>> true = {"QRS": np.array([[100, 110, 130], [600, 610, 630]])}
    >>> scorer = DelineationScorer(boundaries=[("QRS onset", "QRS", 0)])
    >>> _ = scorer.add(true, {"QRS": np.array([[102, 111, 129]])}, fs=500)   # one miss
    >>> _ = scorer.add(true, true, fs=500)                                      # perfect
    >>> scorer.n_added, scorer.scores()["QRS onset"].sensitivity
    (2, 75.0)
    >>> print(scorer.table())
    | boundary | Se % | PPV % | F1 % | mean ± SD ms | CSE tolerance (2σ) ms | n |
    |:---|---:|---:|---:|---:|---:|---:|
    | QRS onset | 75.0 | 100.0 | 85.7 | 1.3 ± 1.9 | 6.5 | 4 |
    """

    def __init__(
        self,
        tolerance_ms: float = DEFAULT_TOLERANCE_MS,
        boundaries: Sequence[Boundary] = BOUNDARIES,
    ) -> None:
        self.tolerance_ms = _check_tolerance(tolerance_ms)
        self.boundaries = _check_boundaries(boundaries)
        self.n_added = 0
        self._counts = {name: [0, 0, 0] for name, _, _ in self.boundaries}  # tp, fn, fp
        self._errors: dict[str, list[np.ndarray]] = {name: [] for name, _, _ in self.boundaries}
        self._groups: list[Hashable] = []  # one per add(): whom its errors belong to

    def add(
        self,
        true_waves: Mapping[str, np.ndarray],
        pred_waves: Mapping[str, np.ndarray],
        fs: float,
        span: Sequence[float] | None = None,
        group: Hashable | None = None,
    ) -> dict[str, BoundaryScore]:
        """Score one record (or lead) and add it to the pool; returns its own scores.

        ``group`` says whose errors these are (e.g. the patient, so the 12 leads of
        one record resample together in :meth:`mean_ci`); default: this call alone.

        >>> true = {"QRS": np.array([[100, 110, 130], [600, 610, 630]])}
        >>> pred = {"QRS": np.array([[102, 111, 129], [598, 610, 640]])}
        >>> scorer = DelineationScorer(boundaries=[("QRS onset", "QRS", 0)])
        >>> scorer.add(true, pred, fs=500, span=(0, 500), group=161)["QRS onset"].tp   # 600: out
        1
        """
        scores = score_delineation(
            true_waves, pred_waves, fs, span, self.tolerance_ms, self.boundaries
        )
        for name, score in scores.items():
            counts = self._counts[name]
            counts[0] += score.tp
            counts[1] += score.fn
            counts[2] += score.fp
            self._errors[name].append(score.errors_ms)
        self._groups.append(object() if group is None else group)  # None: a group of its own
        self.n_added += 1
        return scores

    def add_lead(self, record: Record, lead: str,
                 pred_waves: Mapping[str, np.ndarray]) -> dict[str, BoundaryScore]:
        """Score one lead of a record inside each of its labelled spans; returns the pooled scores.

        The one protocol of ecgteach: a LUDB lead has one labelled span (first to
        last annotated beat), a QTDB record several; predictions outside them are
        not counted. ``group`` is the record (one patient), for :meth:`mean_ci`.
        The waves usually come from a delineator, ``delineate(record.lead("ii"), record.fs)``;
        here the experts' own labels score perfectly:

        >>> from ecgteach import load_qtdb
        >>> record = load_qtdb("sel102")
        >>> scorer = DelineationScorer()
        >>> scores = scorer.add_lead(record, "V5", record.waves["V5"])
        >>> scorer.n_added, scores["QRS onset"].tp, scores["QRS onset"].f1   # one per span
        (34, 85, 100.0)
        """
        true_waves = record.lead_waves(lead)
        part = DelineationScorer(self.tolerance_ms, self.boundaries)
        for span in record.spans[record.lead_key(lead)]:
            part.add(true_waves, pred_waves, record.fs, span=span, group=record.name)
        self.extend(part)
        return part.scores()

    def extend(self, other: DelineationScorer) -> DelineationScorer:
        """Pool another scorer's records into this one (e.g. the folds of a cross-validation).

        Both must score the same boundaries. Returns ``self``.

        >>> true = {"QRS": np.array([[100, 110, 130]])}
        >>> onsets = [("QRS onset", "QRS", 0)]
        >>> fold_1 = DelineationScorer(boundaries=onsets)
        >>> fold_2 = DelineationScorer(boundaries=onsets)
        >>> _ = fold_1.add(true, true, fs=500)                            # found
        >>> _ = fold_2.add(true, {"QRS": np.zeros((0, 3))}, fs=500)      # missed
        >>> pooled = DelineationScorer(boundaries=onsets).extend(fold_1).extend(fold_2)
        >>> pooled.n_added, pooled.scores()["QRS onset"].sensitivity
        (2, 50.0)
        """
        mine, theirs = [b[0] for b in self.boundaries], [b[0] for b in other.boundaries]
        if mine != theirs:
            raise ValueError(f"cannot pool scorers of different boundaries: {mine} vs {theirs}")
        if other.tolerance_ms != self.tolerance_ms:
            raise ValueError(f"cannot pool scorers with different tolerances "
                             f"({self.tolerance_ms} vs {other.tolerance_ms} ms)")
        for name, _, _ in self.boundaries:
            for i in range(3):
                self._counts[name][i] += other._counts[name][i]
            self._errors[name] += other._errors[name]
        self._groups += other._groups
        self.n_added += other.n_added
        return self

    def mean_ci(self, boundary: str, level: float = 0.95, n_boot: int = 2000,
                seed: int = 0) -> tuple[float, float]:
        """A bootstrap interval of the mean error (ms), resampling groups (patients) whole.

        Errors of one patient are not independent (the same morphology, the same
        annotator's habit), so the interval resamples the groups given to
        :meth:`add` with replacement and pools their errors: it says how much the
        mean would move on another set of patients like these. ``(nan, nan)``
        without matches.

        >>> true = {"QRS": np.array([[100, 110, 130], [600, 610, 630]])}
        >>> scorer = DelineationScorer(boundaries=[("QRS offset", "QRS", 2)])
        >>> for patient, late in enumerate([1, 2, 3, 4]):     # 2, 4, 6, 8 ms late
        ...     _ = scorer.add(true, {"QRS": true["QRS"] + late}, fs=500, group=patient)
        >>> low, high = scorer.mean_ci("QRS offset")
        >>> low < scorer.scores()["QRS offset"].mean_ms < high
        True
        """
        if boundary not in self._errors:
            raise ValueError(f"unknown boundary {boundary!r}; choose from {list(self._errors)}")
        if not 0 < level < 1:
            raise ValueError(f"level must be between 0 and 1 (e.g. 0.95), got {level}")
        by_group: dict[Hashable, list[np.ndarray]] = {}
        for group, errors in zip(self._groups, self._errors[boundary], strict=True):
            by_group.setdefault(group, []).append(np.asarray(errors, dtype=np.float64))
        sums = np.array([sum(float(e.sum()) for e in v) for v in by_group.values()])
        counts = np.array([sum(e.size for e in v) for v in by_group.values()])
        if counts.sum() == 0:
            return (math.nan, math.nan)
        rng = np.random.default_rng(seed)
        picks = rng.integers(0, len(sums), size=(int(n_boot), len(sums)))
        total = counts[picks].sum(axis=1)
        means = sums[picks].sum(axis=1)[total > 0] / total[total > 0]
        tail = 100 * (1 - level) / 2
        low, high = np.percentile(means, [tail, 100 - tail])
        return (float(low), float(high))

    def scores(self) -> dict[str, BoundaryScore]:
        """Pooled scores per boundary.

        >>> true = {"T": np.array([[-1, 300, 350]])}
        >>> scorer = DelineationScorer(boundaries=[("T offset", "T", 2)])
        >>> _ = scorer.add(true, {"T": np.array([[-1, 300, 345]])}, fs=500)
        >>> _ = scorer.add(true, {"T": np.array([[-1, 300, 355]])}, fs=500)
        >>> scorer.scores()["T offset"].sd_ms
        10.0
        """
        out = {}
        for name, _, _ in self.boundaries:
            tp, fn, fp = self._counts[name]
            errors = self._errors[name]
            out[name] = _make_score(name, tp, fn, fp, np.concatenate(errors) if errors else [])
        return out

    def table(self, markdown: bool = True, ci: bool = False) -> str:
        """The pooled scores as a table (Markdown, or aligned plain text).

        Columns: boundary, Se %, PPV %, F1 %, mean ± SD ms, CSE tolerance (2σ) ms, n
        (the number of scored true boundaries); ``ci=True`` adds the 95 % interval
        of the mean from :meth:`mean_ci`.

        >>> true = {"QRS": np.array([[100, 110, 130]])}
        >>> scorer = DelineationScorer(boundaries=[("QRS onset", "QRS", 0)])
        >>> _ = scorer.add(true, {"QRS": true["QRS"] + 1}, fs=500)
        >>> print(scorer.table(markdown=False, ci=True))
        boundary   Se %  PPV %   F1 %  mean ± SD ms  mean 95 % CI ms  CSE tolerance (2σ) ms  n
        QRS onset 100.0  100.0  100.0     2.0 ± 0.0       2.0 to 2.0                    6.5  1
        """
        header = ["boundary", "Se %", "PPV %", "F1 %", "mean ± SD ms", "CSE tolerance (2σ) ms", "n"]
        if ci:
            header.insert(5, "mean 95 % CI ms")
        rows = []
        for s in self.scores().values():
            row = [
                s.name,
                _fmt(s.sensitivity, 1),
                _fmt(s.ppv, 1),
                _fmt(s.f1, 1),
                f"{_fmt(s.mean_ms, 1)} ± {_fmt(s.sd_ms, 1)}",
                _fmt(s.cse_tolerance_ms, 1),
                str(s.n_true),
            ]
            if ci:
                low, high = self.mean_ci(s.name)
                row.insert(5, f"{_fmt(low, 1)} to {_fmt(high, 1)}")
            rows.append(row)
        if markdown:
            lines = ["| " + " | ".join(header) + " |"]
            lines.append("|" + "|".join([":---"] + ["---:"] * (len(header) - 1)) + "|")
            lines += ["| " + " | ".join(row) + " |" for row in rows]
            return "\n".join(lines)
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
        lines = []
        for row in [header, *rows]:
            cells = [row[0].ljust(widths[0])]
            cells += [cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)]
            lines.append("  ".join(cells))
        return "\n".join(lines)


def _fmt(value: float, digits: int) -> str:
    return "–" if math.isnan(value) else f"{value:.{digits}f}"
