"""From per-sample labels to waves: the last step of segmentation-based delineation.

A segmenter labels every sample background / P / QRS / T. Each run of one
class becomes a wave: onset = first sample, offset = last sample, peak = the
sample farthest from the straight line joining the run's ends. Runs shorter
than a physiological minimum are dropped and runs split by a gap of a few
samples are merged. A run that touches the edge of the signal has no known
onset (or offset): it is reported as missing (-1), never invented.

Usage::

    waves = labels_to_waves(labels, signal, fs=250)
    waves["QRS"]          # (n, 3) onset, peak, offset
"""

from __future__ import annotations

import numpy as np

from .waves import MISSING, WAVE_KINDS

#: Shortest run kept, per wave kind (ms). Shorter runs are flickers of the argmax.
MIN_DURATION_MS = {"P": 20.0, "QRS": 20.0, "T": 40.0}
#: Runs of the same kind separated by at most this gap (ms) are merged.
MERGE_GAP_MS = 12.0


def _runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and stop (exclusive) of each run of True."""
    padded = np.concatenate([[False], mask, [False]])
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    return edges[0::2], edges[1::2]


def labels_to_waves(
    labels: np.ndarray,
    signal: np.ndarray | None = None,
    fs: float = 250.0,
    min_duration_ms: dict[str, float] | None = None,
    merge_gap_ms: float = MERGE_GAP_MS,
) -> dict[str, np.ndarray]:
    """Turn per-sample class labels (0 background, 1 P, 2 QRS, 3 T) into a wave set.

    ``signal`` (same length) places each peak; without it the peak is the run's
    middle. Usage: ``labels_to_waves(probabilities.argmax(-1), x, fs=250)``.
    """
    labels = np.asarray(labels)
    if labels.ndim != 1:
        raise ValueError(f"labels must be 1-D (one class per sample), got shape {labels.shape}")
    if signal is not None and np.shape(signal) != labels.shape:
        raise ValueError(f"signal shape {np.shape(signal)} differs from labels {labels.shape}")
    if not fs > 0:
        raise ValueError(f"fs must be positive, got {fs}")
    minimum = {**MIN_DURATION_MS, **(min_duration_ms or {})}
    gap = int(round(merge_gap_ms * fs / 1000))
    n = labels.size
    out = {}
    for class_id, kind in enumerate(WAVE_KINDS, start=1):
        starts, stops = _runs(labels == class_id)
        if starts.size > 1 and gap > 0:  # merge runs split by a short gap
            keep = np.concatenate([[True], starts[1:] - stops[:-1] > gap])
            starts, stops = starts[keep], np.concatenate([stops[:-1][keep[1:]], stops[-1:]])
        long_enough = (stops - starts) * 1000.0 / fs >= minimum[kind]
        starts, stops = starts[long_enough], stops[long_enough]
        rows = np.empty((starts.size, 3), dtype=np.int64)
        for i, (start, stop) in enumerate(zip(starts, stops, strict=True)):
            rows[i] = (
                start if start > 0 else MISSING,
                _peak(signal, start, stop),
                stop - 1 if stop < n else MISSING,
            )
        out[kind] = rows
    return out


def _peak(signal: np.ndarray | None, start: int, stop: int) -> int:
    if signal is None or stop - start < 3:
        return int((start + stop - 1) // 2)
    segment = np.asarray(signal[start:stop], dtype=np.float64)
    line = np.linspace(segment[0], segment[-1], segment.size)
    return int(start + np.argmax(np.abs(segment - line)))
