"""Score a delineator on annotated records: the one protocol behind every reported number.

:func:`score_delineator` runs any delineator over records and scores each lead
against the cardiologists' waves inside its labelled spans
(:meth:`ecgteach.evaluation.DelineationScorer.add_lead`): the test table, the
cross-validation, the QT Database comparison, the robustness explorer and the
exercises all call it. A segmenter runs through :class:`Delineator` (all leads
of a record in one batch); any other callable ``(signal, fs) -> waves`` (e.g.
NeuroKit2) is called lead by lead, and a lead where it raises is scored as
finding nothing (listed in ``failures``).

>>> import ecgteach
>>> scores = score_delineator(records=[161, 162], leads="ii")
>>> scores.pooled.scores()["QRS onset"].sensitivity
100.0
>>> scores.by_lead["ii"].n_added, len(scores.seconds_per_record)
(2, 2)
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ecgteach.datasets.ludb import TEST_RECORDS, load_ludb_record
from ecgteach.delineation.delineator import Delineator, as_delineator
from ecgteach.ecg.leads import lead_name
from ecgteach.ecg.records import Record
from ecgteach.ecg.waves import empty_waves
from ecgteach.evaluation.metrics import DelineationScorer, match_boundaries

#: A corruption applied to each lead before it is delineated: ``(signal, fs) -> signal``.
Corruption = Callable[[np.ndarray, float], np.ndarray]


@dataclass(eq=False)
class DelineatorScores:
    """A delineator scored on records: pooled over leads, per lead, and its timing.

    ``seconds_per_record`` is the time to delineate all scored leads of one
    record (after a warm-up call); ``failures`` lists ``(record, lead, error)``
    where the delineator raised (scored as finding nothing).
    ``by_lead`` is keyed by the records' own lead names; :meth:`lead` finds one in any case.
    """

    name: str
    records: list[str]
    leads: tuple[str, ...]
    pooled: DelineationScorer
    by_lead: dict[str, DelineationScorer]
    seconds_per_record: list[float]
    failures: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def median_seconds_per_record(self) -> float:
        """Median time per record (all scored leads)."""
        return float(np.median(self.seconds_per_record))

    def lead(self, name: str) -> DelineationScorer:
        """The scores of one lead, its name in any case (``"II"`` finds ``"ii"``)."""
        for lead, scorer in self.by_lead.items():
            if lead_name(lead) == lead_name(name):
                return scorer
        raise ValueError(f"lead {name!r} was not scored; scored leads: {', '.join(self.leads)}")

    def rows(self, lead: str | None = None) -> list[dict[str, Any]]:
        """``BoundaryScore.as_row()`` per boundary, pooled (``lead=None``) or for one lead."""
        scorer = self.pooled if lead is None else self.lead(lead)
        return [{"method": self.name, "leads": lead or f"{len(self.leads)} leads",
                 **s.as_row()} for s in scorer.scores().values()]


Leads = str | int | Sequence[str] | None


def _all(leads: Leads) -> bool:
    return leads is None or (isinstance(leads, str) and lead_name(leads) == "all")


def _records(records: Sequence[int | str | Record] | None, leads: Leads) -> list[Record]:
    """Records as given, or LUDB records by number (default: the test patients 161-200)."""
    chosen = sorted(TEST_RECORDS) if records is None else list(records)
    wanted = None if _all(leads) or isinstance(leads, int) else leads
    return [r if isinstance(r, Record) else load_ludb_record(r, leads=wanted) for r in chosen]


def _scored_leads(record: Record, leads: Leads) -> list[str]:
    """The record's own names of the leads to score (``"all"``/``None``: every annotated lead)."""
    if _all(leads):
        return [lead for lead in record.leads if lead in record.waves]
    if isinstance(leads, int):
        if not -len(record.leads) <= leads < len(record.leads):
            raise ValueError(f"record {record.name} has {len(record.leads)} leads; lead index "
                             f"{leads} does not exist")
        return [record.leads[leads]]
    names = [leads] if isinstance(leads, str) else list(leads)
    return [record.lead_key(name) for name in names]


def score_delineator(
    delineator: Any = None,
    records: Sequence[int | str | Record] | None = None,
    leads: Leads = ("ii",),
    *,
    corrupt: Corruption | None = None,
    name: str = "segmenter",
    warm_up: bool = True,
    fuse: bool = False,
) -> DelineatorScores:
    """Delineate ``records`` and score every chosen lead inside its labelled spans.

    ``delineator``: ``None`` (the shipped segmenter), a Keras segmenter, a
    ``.keras`` path, a :class:`Delineator`, or any callable ``(signal, fs) ->
    waves``. ``records``: :class:`Record` objects or LUDB record numbers
    (default: the test patients 161-200). ``leads``: a name, a list, an index
    into each record's leads (``0``: the first lead of every record, whatever its
    name, as in the QT Database), or ``"all"``/``None`` for every annotated lead
    (names in any case: ``"II"`` is ``"ii"``).
    ``corrupt(signal, fs)`` is applied to each lead first (robustness).
    Each record is one patient (``group``) for the bootstrap interval of the means.
    ``warm_up`` delineates the first lead once before timing (compilation).
    ``fuse=True`` delineates the chosen leads of each record together
    (:meth:`~ecgteach.delineation.delineator.Delineator.fused`: one wave set per
    beat) and scores that one set against every lead's own labels.
    """
    function = delineator if callable(delineator) and not _is_model(delineator) else None
    batched = None if function is not None else as_delineator(delineator)
    if fuse and batched is None:
        raise ValueError("fuse=True needs a segmenter (it fuses the leads' probabilities); "
                         "a plain function delineates lead by lead")
    chosen = _records(records, leads)
    pooled, by_lead = DelineationScorer(), {}
    seconds: list[float] = []
    failures: list[tuple[str, str, str]] = []
    scored_leads: list[str] = []
    if warm_up and chosen:
        first = chosen[0]
        signal = first.lead(_scored_leads(first, leads)[0])
        (batched or function)(signal, first.fs)
    for record in chosen:
        names = _scored_leads(record, leads)
        signals = [record.lead(lead) for lead in names]
        if corrupt is not None:
            signals = [corrupt(signal, record.fs) for signal in signals]
        started = time.perf_counter()
        if fuse:
            found = [batched.fused(signals, record.fs)] * len(names)
        elif batched is not None:
            found = batched.delineate_many(signals, record.fs)
        else:
            found = []
            for lead, signal in zip(names, signals, strict=True):
                try:
                    found.append(function(signal, record.fs))
                except Exception as error:  # a failure finds nothing; scored as misses
                    failures.append((record.name, lead, f"{type(error).__name__}: {error}"))
                    found.append(empty_waves())
        seconds.append(time.perf_counter() - started)
        for lead, waves in zip(names, found, strict=True):
            key = lead  # the record's own spelling ("ii" in LUDB, "MLII" in QTDB)
            if key not in by_lead:
                by_lead[key] = DelineationScorer()
                scored_leads.append(key)
            pooled.add_lead(record, lead, waves)
            by_lead[key].add_lead(record, lead, waves)
    return DelineatorScores(name, [r.name for r in chosen], tuple(scored_leads), pooled,
                            by_lead, seconds, failures)


def _is_model(value: Any) -> bool:
    """True for a segmenter given as a model or a :class:`Delineator` (run batched)."""
    return isinstance(value, Delineator) or hasattr(value, "layers")


@dataclass(frozen=True)
class BadBeat:
    """One annotated QRS and what the delineator made of it (errors in ms, NaN = missed)."""

    record: str
    lead: str
    peak: int  # the cardiologists' QRS peak (sample at the record's rate)
    onset_error_ms: float
    offset_error_ms: float

    @property
    def worst_ms(self) -> float:
        """The larger absolute error (inf when a boundary was missed)."""
        errors = np.abs([self.onset_error_ms, self.offset_error_ms])
        return float(np.inf if np.isnan(errors).any() else errors.max())


def worst_beats(
    records: Sequence[Record], delineator: Any, lead: str = "ii", n: int = 8
) -> list[BadBeat]:
    """The ``n`` annotated QRS complexes with the largest onset/offset error.

    ``delineator`` as in :func:`score_delineator` (``None``: the shipped segmenter).

    >>> from ecgteach import load_ludb
    >>> worst = worst_beats(load_ludb([161, 162], leads=["ii"]), None, n=2)
    >>> len(worst), worst[0].worst_ms >= worst[1].worst_ms
    (2, True)
    """
    delineate_lead = delineator if callable(delineator) and not _is_model(delineator) \
        else as_delineator(delineator)
    beats: list[BadBeat] = []
    for record in records:
        truth = record.lead_waves(lead)["QRS"]
        predicted = delineate_lead(record.lead(lead), record.fs)["QRS"]
        errors = {}
        for column in (0, 2):
            matched_true, matched_pred = match_boundaries(
                truth[:, column], predicted[:, column], record.fs
            )
            error = np.full(len(truth), np.nan)
            error[matched_true] = (
                predicted[matched_pred, column] - truth[matched_true, column]
            ) * 1000.0 / record.fs
            error[truth[:, column] < 0] = 0.0  # nothing to compare against: not a failure
            errors[column] = error
        for k, row in enumerate(truth):
            beats.append(BadBeat(record.name, record.lead_key(lead), int(row[1]),
                                 float(errors[0][k]), float(errors[2][k])))
    beats.sort(key=lambda beat: beat.worst_ms, reverse=True)
    return beats[:n]
