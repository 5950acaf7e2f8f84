"""Out in the world: noise, baseline wander, and where a delineator fails.

* :func:`add_noise` adds white noise at a chosen signal-to-noise ratio (dB),
  :func:`add_baseline_wander` a slow sinusoidal drift (breathing, electrode
  movement), :func:`add_powerline` mains interference. All seeded.
* :func:`score_records` scores a delineator on records (optionally corrupted);
  :func:`worst_beats` finds the QRS complexes it gets most wrong, for a gallery.
* :func:`other_leads_boundary` and :func:`label_agreement` ask whether the
  reference agrees with itself: LUDB's cardiologists marked every lead on its
  own, so a beat's boundary in one lead can be set against the same beat's
  boundary in the other eleven, and a model's "error" against both.

Usage::

    noisy = add_noise(record.lead("ii"), snr_db=10, seed=0)
    scorer = score_records(test_records, delineator, corrupt=lambda x, fs: add_noise(x, 10))
    gallery = worst_beats(test_records, delineator, n=8)
    rows = label_agreement(test_records, delineator, lead="ii", boundary="QRS offset")
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .metrics import BOUNDARIES, DelineationScorer, match_boundaries
from .prepare import check_fs, check_signal
from .records import Record
from .waves import MISSING

Corruption = Callable[[np.ndarray, float], np.ndarray]


def add_noise(signal: np.ndarray, snr_db: float, seed: int = 0) -> np.ndarray:
    """White Gaussian noise at ``snr_db`` relative to the signal's own power.

    Usage: ``add_noise(x, snr_db=10)`` (10 dB: noise power a tenth of the signal's).
    """
    x = check_signal(signal)
    centred = x - x.mean()
    power = float(np.mean(centred**2))
    noise_power = power / 10 ** (snr_db / 10)
    noise = np.random.default_rng(seed).normal(0.0, np.sqrt(noise_power), size=x.shape)
    return (x + noise).astype(np.float32)


def add_baseline_wander(
    signal: np.ndarray, fs: float, amplitude_mv: float = 0.5, frequency_hz: float = 0.3,
    seed: int = 0,
) -> np.ndarray:
    """A slow sinusoidal baseline drift (breathing is ~0.15-0.5 Hz), random phase.

    Usage: ``add_baseline_wander(x, fs=500, amplitude_mv=1.0)``.
    """
    x = check_signal(signal)
    fs = check_fs(fs)
    if frequency_hz <= 0:
        raise ValueError(f"frequency_hz must be positive, got {frequency_hz}")
    phase = np.random.default_rng(seed).uniform(0, 2 * np.pi)
    t = np.arange(x.size) / fs
    return (x + amplitude_mv * np.sin(2 * np.pi * frequency_hz * t + phase)).astype(np.float32)


def add_powerline(
    signal: np.ndarray, fs: float, amplitude_mv: float = 0.1, mains_hz: float = 50.0
) -> np.ndarray:
    """Mains interference: a ``mains_hz`` sinusoid of ``amplitude_mv``.

    Usage: ``add_powerline(x, fs=500, mains_hz=60)``.
    """
    x = check_signal(signal)
    fs = check_fs(fs)
    t = np.arange(x.size) / fs
    return (x + amplitude_mv * np.sin(2 * np.pi * mains_hz * t)).astype(np.float32)


def score_records(
    records: Sequence[Record],
    delineator: Any,
    leads: Sequence[str] | None = ("ii",),
    corrupt: Corruption | None = None,
) -> DelineationScorer:
    """Score ``delineator(signal, fs) -> waves`` on records, optionally corrupted first.

    Usage: ``score_records(test, delineator, corrupt=lambda x, fs: add_noise(x, 6)).table()``.
    """
    scorer = DelineationScorer()
    for record in records:
        for lead in leads if leads is not None else list(record.waves):
            signal = record.lead(lead)
            if corrupt is not None:
                signal = corrupt(signal, record.fs)
            scorer.add(record.waves[lead], delineator(signal, record.fs), record.fs,
                       span=record.span(lead), group=record.name)
    return scorer


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

    Usage: ``for beat in worst_beats(test, delineator): print(beat)``.
    """
    beats: list[BadBeat] = []
    for record in records:
        truth = record.waves[lead]["QRS"]
        predicted = delineator(record.lead(lead), record.fs)["QRS"]
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
            beats.append(BadBeat(record.name, lead, int(row[1]), float(errors[0][k]),
                                 float(errors[2][k])))
    beats.sort(key=lambda beat: beat.worst_ms, reverse=True)
    return beats[:n]


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
    ``record.waves[lead][kind]``. Usage:
    ``other_leads_boundary(record, "ii", "QRS offset") - record.waves["ii"]["QRS"][:, 2]``.
    """
    kind, column = _parse_boundary(boundary)
    if lead not in record.waves:
        raise ValueError(f"record {record.name} has no annotations for lead {lead!r}; "
                         f"annotated leads: {', '.join(record.waves)}")
    mine = record.waves[lead][kind]
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


@dataclass(frozen=True)
class LabelAgreement:
    """One record: does a lead's label agree with the other leads, and whom does the model follow?

    All in ms, means over the record's beats: ``label_vs_other_leads_ms`` is
    (this lead's label − median of the other leads' labels); ``model_vs_label_ms``
    the model's error as scored (prediction − this lead's label, matched within
    150 ms); ``model_vs_other_leads_ms`` (prediction − other leads' median) on
    the same matched beats.
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
    or that no other lead marks are left out of the means. Usage:
    ``rows = label_agreement(test_records, ecgteach.Delineator(), "ii", "QRS offset")``.
    """
    kind, column = _parse_boundary(boundary)
    rows = []
    for record in records:
        reference = other_leads_boundary(record, lead, boundary)  # checks lead and boundary
        truth = record.waves[lead][kind]
        predicted = delineator(record.lead(lead), record.fs)[kind][:, column]
        matched_true, matched_pred = match_boundaries(truth[:, column], predicted, record.fs)
        keep = ~np.isnan(reference[matched_true])
        t, p = matched_true[keep], matched_pred[keep]
        to_ms = 1000.0 / record.fs
        label = truth[t, column].astype(float)
        rows.append(LabelAgreement(
            record=record.name, lead=lead, boundary=boundary, n_beats=int(t.size),
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
    Usage: ``agreement_summary(label_agreement(test, delineator))["departing"]``.
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
