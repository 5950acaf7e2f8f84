"""Per-sample targets of a segmenter: P/QRS/T labels, and the windows it trains on.

* :func:`segmentation_labels` labels every sample of a lead background / P / QRS / T,
  with a ``valid`` mask that is False where nobody labelled (outside the
  labelled span, and around a boundary the cardiologists did not mark).
* :func:`make_windows` cuts standardised, labelled windows for a segmenter
  (a :class:`WindowSet`).

The per-beat targets of lessons 02-03 (boundary distributions over time) are
:func:`ecgteach.beats.targets.boundary_targets`.

>>> from ecgteach import load_ludb_record
>>> record = load_ludb_record(1, leads=["ii"])
>>> labels, valid = segmentation_labels(record, "ii")
>>> labels.shape, round(float(valid.mean()), 2)      # 10 s at 500 Hz, 67 % labelled
((5000,), 0.67)
>>> windows = make_windows([record], leads="ii", fs=250, window_s=2.0)
>>> windows
WindowSet(4 windows x 500 samples at 250 Hz, 100.0% labelled)
>>> windows.x.shape, windows.labels.shape, windows.valid.shape
((4, 500, 1), (4, 500), (4, 500))
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np

from ecgteach.ecg.records import Record
from ecgteach.ecg.signal import check_fs, resample_record, standardise
from ecgteach.ecg.waves import MISSING, WAVE_KINDS

#: Segmentation classes, in label order.
SEGMENT_CLASSES: tuple[str, ...] = ("background", "P", "QRS", "T")
#: Label written where no cardiologist labelled (use ``valid`` rather than this value).
UNLABELLED = -1


def segmentation_labels(record: Record, lead: str) -> tuple[np.ndarray, np.ndarray]:
    """Per-sample classes (0 background, 1 P, 2 QRS, 3 T) and a ``valid`` mask.

    Inside the labelled span, samples between waves are background. A wave with
    a missing onset (offset) leaves the samples from the previous annotation to
    its peak (from its peak to the next annotation) unlabelled, since nobody
    said where it starts (ends).

    >>> import numpy as np
    >>> from ecgteach import load_ludb_record
    >>> labels, valid = segmentation_labels(load_ludb_record(1, leads=["ii"]), "ii")
    >>> sorted(set(labels.tolist()))                  # UNLABELLED, background, P, QRS, T
    [-1, 0, 1, 2, 3]
    >>> np.bincount(labels[valid]).tolist()           # samples per class, where labelled
    [2275, 248, 294, 536]
    >>> bool((labels[~valid] == UNLABELLED).all())
    True
    """
    waves = record.lead_waves(lead)
    lead = record.lead_key(lead)
    n = record.n_samples
    labels = np.full(n, UNLABELLED, dtype=np.int8)
    valid = record.labelled_mask(lead)
    labels[valid] = 0
    marks = np.sort(
        np.concatenate([w[w != MISSING].ravel() for w in waves.values()] + [np.zeros(0, int)])
    )
    for class_id, kind in enumerate(WAVE_KINDS, start=1):
        for onset, peak, offset in waves[kind]:
            start, stop = onset, offset + 1
            if onset == MISSING:
                before = marks[marks < peak]
                gap_start = int(before[-1]) + 1 if before.size else 0
                valid[gap_start:peak] = False
                start = peak
            if offset == MISSING:
                after = marks[marks > peak]
                gap_stop = int(after[0]) if after.size else n
                valid[peak + 1 : gap_stop] = False
                stop = peak + 1
            labels[max(start, 0) : min(stop, n)] = class_id
    labels[~valid] = UNLABELLED
    return labels, valid


@dataclass(frozen=True, eq=False)
class WindowSet:
    """Labelled windows for a segmenter.

    ``x``: ``(n, length, 1)`` standardised voltage; ``labels``: ``(n, length)`` int8
    classes (``UNLABELLED`` where ``valid`` is False); ``record``, ``lead``,
    ``start`` say where each window came from (``start`` at ``fs``).

    >>> from ecgteach import load_ludb_record
    >>> windows = make_windows([load_ludb_record(2, leads=["ii", "v1"])])
    >>> len(windows), windows.record.tolist(), windows.lead.tolist()
    (8, ['2', '2', '2', '2', '2', '2', '2', '2'], ['ii', 'ii', 'ii', 'ii', 'v1', 'v1', 'v1', 'v1'])
    >>> windows.one_hot().shape                       # for a loss that wants one-hot labels
    (8, 500, 4)
    """

    x: np.ndarray
    labels: np.ndarray
    valid: np.ndarray
    fs: float
    record: np.ndarray
    lead: np.ndarray
    start: np.ndarray

    def __len__(self) -> int:
        return int(self.x.shape[0])

    def one_hot(self) -> np.ndarray:
        """Labels as ``(n, length, 4)`` one-hot float32 (all zeros where unlabelled)."""
        out = np.zeros((*self.labels.shape, len(SEGMENT_CLASSES)), dtype=np.float32)
        rows, cols = np.nonzero(self.valid)
        out[rows, cols, self.labels[rows, cols]] = 1.0
        return out

    def __repr__(self) -> str:
        return (
            f"WindowSet({len(self)} windows x {self.x.shape[1]} samples at {self.fs:g} Hz, "
            f"{100 * self.valid.mean():.1f}% labelled)"
        )


def make_windows(
    records: Sequence[Record],
    leads: Sequence[str] | str | None = None,
    fs: float = 250.0,
    window_s: float = 2.0,
    stride_s: float | None = None,
    unlabelled_p: Collection[str] = (),
) -> WindowSet:
    """Cut every annotated lead into windows inside its labelled span.

    Each lead is z-scored over the whole record first (as ``delineate`` does at
    inference). Windows start every ``stride_s`` (default: ``window_s``, no
    overlap); the last one is aligned to the end of the span. A span shorter than
    a window is skipped. ``unlabelled_p`` names records whose P waves are in the
    signal but not in the labels (:func:`ecgteach.datasets.unlabelled_p_waves`):
    their background samples, where those P waves sit, are left unlabelled
    (``valid`` False), so only their QRS and T labels teach.

    >>> from ecgteach import load_ludb_record
    >>> record = load_ludb_record(1, leads=["ii"])
    >>> make_windows([record], leads=["ii"]).start.tolist()       # the last one overlaps
    [322, 822, 1322, 1499]
    >>> make_windows([record], leads="ii", stride_s=1.0)
    WindowSet(6 windows x 500 samples at 250 Hz, 100.0% labelled)
    >>> masked = make_windows([record], leads="ii", unlabelled_p=["1"])
    >>> bool((masked.labels[masked.valid] != 0).all()), round(float(masked.valid.mean()), 2)
    (True, 0.33)
    >>> make_windows([record], leads="ii", window_s=8.0)
    Traceback (most recent call last):
    ...
    ValueError: no window of 8 s fits inside the labelled spans of these records
    """
    fs = check_fs(fs)
    if window_s <= 0:
        raise ValueError(f"window_s must be positive, got {window_s}")
    length = int(round(window_s * fs))
    stride = length if stride_s is None else int(round(stride_s * fs))
    if stride <= 0:
        raise ValueError(f"stride_s must be positive, got {stride_s}")
    if isinstance(leads, str):
        leads = [leads]
    masked = {str(name) for name in unlabelled_p}
    xs, ys, vs, meta = [], [], [], []
    for record in records:
        at_fs = resample_record(record, fs)
        for given in leads if leads is not None else list(at_fs.waves):
            at_fs.lead_waves(given)  # a clear error when that lead is not annotated
            lead = at_fs.lead_key(given)
            signal = standardise(at_fs.lead(lead))
            labels, valid = segmentation_labels(at_fs, lead)
            if record.name in masked:
                valid = valid & (labels != 0)
                labels = np.where(valid, labels, UNLABELLED).astype(labels.dtype)
            for span_start, span_stop in at_fs.spans[lead]:
                if span_stop - span_start < length:
                    continue
                starts = list(range(span_start, span_stop - length + 1, stride))
                if starts[-1] != span_stop - length:
                    starts.append(span_stop - length)
                for start in starts:
                    xs.append(signal[start : start + length])
                    ys.append(labels[start : start + length])
                    vs.append(valid[start : start + length])
                    meta.append((record.name, lead, start))
    if not xs:
        raise ValueError(
            f"no window of {window_s:g} s fits inside the labelled spans of these records"
        )
    return WindowSet(
        x=np.stack(xs)[..., None].astype(np.float32),
        labels=np.stack(ys),
        valid=np.stack(vs),
        fs=fs,
        record=np.array([m[0] for m in meta]),
        lead=np.array([m[1] for m in meta]),
        start=np.array([m[2] for m in meta], dtype=np.int64),
    )
