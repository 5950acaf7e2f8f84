"""Annotated ECG records: one :class:`Record` per WFDB record, waves per lead.

:func:`load_wfdb_record` reads any WFDB record; ``ecgteach.load_ludb_record``
and ``ecgteach.load_qtdb`` use it for the bundled databases.

>>> from ecgteach import bundled_ludb_path
>>> path = bundled_ludb_path() / "data" / "1"
>>> record = load_wfdb_record(path, lead_annotators={"ii": "ii"}, leads=["ii"])
>>> record.lead("ii").shape              # 1-D float32 signal in mV
(5000,)
>>> record.waves["ii"]["QRS"][:2]        # (n, 3) onset / peak / offset, -1 = missing
array([[ 644,  662,  682],
       [1324, 1342, 1374]])
>>> record.spans["ii"]                   # [(start, stop), ...] labelled sample intervals
[(644, 3997)]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ecgteach.ecg.leads import lead_name
from ecgteach.ecg.waves import Quirk, parse_waves
from ecgteach.ecg.wfdbio import read_annotation, read_header, read_signal

Span = tuple[int, int]


@dataclass(frozen=True, eq=False)
class Record:
    """One ECG record with its leads and the experts' waves for each lead.

    ``signal`` is ``(n_samples, n_leads)`` float32 in mV. ``waves[lead]`` is a wave
    set (``{"P","QRS","T"} -> (n, 3)`` int arrays, -1 = boundary not annotated).
    ``spans[lead]`` lists the ``[start, stop)`` sample intervals that were labelled:
    outside them, real waves exist but carry no labels, so never train or score
    there. ``quirks[lead]`` lists what was irregular in the annotation file.

    >>> from ecgteach import load_ludb_record
    >>> record = load_ludb_record(1, leads=["ii"])
    >>> record
    Record(ludb '1', 10.0 s at 500 Hz, leads ii; 6 QRS annotated on lead ii)
    >>> record.signal.shape, record.waves["ii"]["QRS"].shape, record.quirks["ii"]
    ((5000, 1), (6, 3), [])
    >>> record.info["age"], record.info["sex"]
    ('51', 'F')
    """

    name: str
    database: str
    fs: float
    signal: np.ndarray
    leads: tuple[str, ...]
    waves: dict[str, dict[str, np.ndarray]]
    spans: dict[str, list[Span]]
    quirks: dict[str, list[Quirk]] = field(default_factory=dict)
    info: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.signal.ndim != 2 or self.signal.shape[1] != len(self.leads):
            raise ValueError(
                f"record {self.name}: signal shape {self.signal.shape} does not match "
                f"{len(self.leads)} leads"
            )

    @property
    def n_samples(self) -> int:
        """Number of samples per lead."""
        return int(self.signal.shape[0])

    @property
    def duration_s(self) -> float:
        """Length of the record in seconds."""
        return self.n_samples / self.fs

    def lead(self, name: str) -> np.ndarray:
        """The 1-D signal of one lead (mV), named in any case.

        >>> from ecgteach import load_ludb_record
        >>> load_ludb_record(1, leads=["ii"]).lead("II").shape
        (5000,)
        """
        return self.signal[:, self.lead_index(name)]

    def lead_index(self, name: str) -> int:
        """Column of a lead in ``signal`` (any case); a clear error for an unknown lead.

        >>> from ecgteach import load_ludb_record
        >>> load_ludb_record(1, leads=["v1", "ii"]).lead_index("II")
        1
        """
        wanted = lead_name(name)
        for index, lead in enumerate(self.leads):
            if lead_name(lead) == wanted:
                return index
        raise ValueError(
            f"record {self.name} has no lead {name!r}; its leads are {', '.join(self.leads)}"
        )

    def lead_key(self, name: str) -> str:
        """The record's own spelling of a lead given in any case.

        >>> from ecgteach import load_qtdb
        >>> load_qtdb("sel100").lead_key("mlii")
        'MLII'
        """
        return self.leads[self.lead_index(name)]

    def lead_waves(self, lead: str) -> dict[str, np.ndarray]:
        """The experts' wave set of one lead; a clear error when that lead is not annotated.

        >>> from ecgteach import load_ludb_record
        >>> sorted(load_ludb_record(1, leads=["ii"]).lead_waves("II"))
        ['P', 'QRS', 'T']
        """
        wanted = lead_name(lead)
        for key, waves in self.waves.items():
            if lead_name(key) == wanted:
                return waves
        raise ValueError(f"record {self.name} has no annotations for lead {lead!r}; annotated "
                         f"leads: {', '.join(self.waves) or 'none'} (load it with the leads "
                         "you need)")

    def span(self, lead: str) -> Span:
        """The outer labelled interval ``[start, stop)`` of a lead (first to last label).

        >>> from ecgteach import load_ludb_record
        >>> load_ludb_record(1, leads=["ii"]).span("ii")
        (644, 3997)
        """
        spans = self.spans[self.lead_key(lead)]
        if not spans:
            return (0, 0)
        return (spans[0][0], spans[-1][1])

    def labelled_mask(self, lead: str) -> np.ndarray:
        """Boolean mask over samples: True inside the labelled spans of ``lead``.

        >>> from ecgteach import load_ludb_record
        >>> mask = load_ludb_record(1, leads=["ii"]).labelled_mask("ii")
        >>> mask.shape, int(mask.sum()), int(mask.argmax())
        ((5000,), 3353, 644)
        """
        mask = np.zeros(self.n_samples, dtype=bool)
        for start, stop in self.spans[self.lead_key(lead)]:
            mask[start:stop] = True
        return mask

    def __repr__(self) -> str:
        annotated = [lead for lead in self.leads if lead in self.waves]
        if annotated:
            n_qrs = len(self.waves[annotated[0]]["QRS"])
            labels = f"{n_qrs} QRS annotated on lead {annotated[0]}"
            if len(annotated) > 1:
                labels += f" (and {len(annotated) - 1} more annotated leads)"
        else:
            labels = "no annotations"
        return (
            f"Record({self.database} {self.name!r}, {self.duration_s:.1f} s at {self.fs:g} Hz, "
            f"leads {', '.join(self.leads)}; {labels})"
        )


def spans_from_samples(samples: np.ndarray, fs: float, max_gap_s: float | None) -> list[Span]:
    """Group annotation samples into labelled intervals ``[first, last + 1)``.

    With ``max_gap_s=None`` the whole stretch from the first to the last
    annotation is one span (LUDB); otherwise a silence longer than
    ``max_gap_s`` starts a new span (QTDB labels only some beats).

    >>> samples = np.array([100, 200, 1500, 1600])
    >>> spans_from_samples(samples, 250, max_gap_s=2.0)     # 1300 samples = 5.2 s: a gap
    [(100, 201), (1500, 1601)]
    >>> spans_from_samples(samples, 250, max_gap_s=None)
    [(100, 1601)]
    """
    samples = np.sort(np.asarray(samples, dtype=np.int64))
    if samples.size == 0:
        return []
    if max_gap_s is None:
        return [(int(samples[0]), int(samples[-1]) + 1)]
    breaks = np.flatnonzero(np.diff(samples) > max_gap_s * fs)
    starts = np.concatenate([[0], breaks + 1])
    stops = np.concatenate([breaks, [samples.size - 1]])
    return [(int(samples[a]), int(samples[b]) + 1) for a, b in zip(starts, stops, strict=True)]


def load_wfdb_record(
    path: str | Path,
    annotator: str | None = None,
    *,
    lead_annotators: dict[str, str] | None = None,
    leads: Sequence[str] | None = None,
    database: str = "wfdb",
    max_gap_s: float | None = 2.0,
) -> Record:
    """Read any WFDB record and its delineation annotations.

    ``annotator`` names one annotation file shared by all leads (QTDB's ``q1c``);
    ``lead_annotators`` maps lead -> extension when each lead has its own file
    (LUDB: ``{"ii": "ii", ...}``). ``leads`` keeps only those leads.

    >>> from ecgteach import bundled_ludb_path
    >>> path = bundled_ludb_path() / "data" / "1"
    >>> record = load_wfdb_record(path, annotator="ii", leads=["i", "ii"], max_gap_s=None)
    >>> record.leads, record.fs, record.database
    (('i', 'ii'), 500.0, 'wfdb')
    >>> record.waves["i"] is record.waves["ii"]      # one shared annotation file
    True
    """
    header = read_header(path)
    signal = read_signal(header)
    names = tuple(header.sig_names)
    if leads is not None:
        spelled = {lead_name(name): name for name in names}  # any case: "II" is "ii"
        leads = [spelled.get(lead_name(lead), lead) for lead in leads]
        unknown = [lead for lead in leads if lead not in names]
        if unknown:
            raise ValueError(
                f"record {header.path.name} has no lead(s) {unknown}; its leads are {list(names)}"
            )
        signal = signal[:, [names.index(lead) for lead in leads]]
        names = tuple(leads)
    _check_signal(signal, f"record {header.path}")  # only the leads asked for
    waves: dict[str, dict[str, np.ndarray]] = {}
    spans: dict[str, list[Span]] = {}
    quirks: dict[str, list[Quirk]] = {}
    if lead_annotators:
        by_name = {lead_name(lead): ext for lead, ext in lead_annotators.items()}
        for lead in names:
            ext = by_name.get(lead_name(lead))
            if ext is None:
                continue
            symbols, samples = read_annotation(header.path, ext)
            waves[lead], quirks[lead] = parse_waves(symbols, samples)
            spans[lead] = spans_from_samples(samples, header.fs, max_gap_s)
    elif annotator:
        symbols, samples = read_annotation(header.path, annotator)
        shared_waves, shared_quirks = parse_waves(symbols, samples)
        shared_spans = spans_from_samples(samples, header.fs, max_gap_s)
        for lead in names:
            waves[lead], quirks[lead], spans[lead] = shared_waves, shared_quirks, shared_spans
    return Record(
        name=header.path.name,
        database=database,
        fs=header.fs,
        signal=signal,
        leads=names,
        waves=waves,
        spans=spans,
        quirks=quirks,
        info=_parse_comments(header.comments),
    )


def _check_signal(signal: np.ndarray, what: str) -> None:
    if signal.size == 0:
        raise ValueError(f"{what} has no samples")
    if not np.isfinite(signal).all():
        bad = int((~np.isfinite(signal)).sum())
        raise ValueError(
            f"{what} contains {bad} NaN/inf samples (invalid samples in the WFDB file); "
            "clean or interpolate them before delineation"
        )


def _parse_comments(comments: Iterable[str]) -> dict[str, str]:
    info: dict[str, str] = {}
    diagnoses = []
    for line in comments:
        if line.startswith("<") and ">:" in line:
            key, value = line[1:].split(">:", 1)
            if value.strip():
                info[key.strip()] = value.strip()
        elif line:
            diagnoses.append(line.rstrip(". "))
    if diagnoses:
        info["diagnoses"] = "; ".join(diagnoses)
    return info
