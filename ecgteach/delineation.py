"""Delineation: a trained segmenter turns any single-lead ECG into P, QRS and T waves.

``delineate(signal, fs)`` resamples to the model's 250 Hz, runs the shipped
segmenter (or yours) through a compiled function — in 10 s chunks with 1 s of
context on each side, batched, for long records — and turns the per-sample
labels back into waves at the input rate.

A segmenter labels every sample background / P / QRS / T. Each run of the
most probable class becomes a wave: onset = first sample, offset = last sample,
peak = the sample farthest from the straight line joining the run's ends. Runs
shorter than a physiological minimum are dropped and runs split by a gap of a
few samples are merged. A run that touches the edge of the signal has no known
onset (or offset): it is reported as missing (-1), never invented.

With the probabilities at hand (:func:`probabilities_to_waves`, what
``delineate`` does), each boundary is then moved to its *expected* position:
the onset is the peak minus the expected number of wave samples before it
(the sum of the wave's probability there), the offset the peak plus the
expected number after it. The argmax edge is where the probability crosses
one half — the median of the model's belief; the expected position is its
mean, which is what a mean ± SD error rewards. Chosen on the validation
patients (every QRS and T boundary's SD went down, lead ii and all leads);
it also gives sub-sample boundaries before they are rounded at the input rate.

Usage::

    waves = delineate(record.lead("ii"), fs=500)      # shipped default segmenter
    waves["QRS"]          # (n, 3) onset, peak, offset at 500 Hz, -1 = not found
    waves = labels_to_waves(labels, signal, fs=250)   # argmax runs only
    waves = probabilities_to_waves(probs, signal, fs=250)  # + expected boundaries
"""

from __future__ import annotations

import weakref
from pathlib import Path
from typing import Any

import numpy as np

from .prepare import check_fs, check_signal, resample_signal
from .waves import MISSING, WAVE_KINDS, scale_waves

#: Sampling rate the segmenters work at.
MODEL_FS = 250.0
#: The shipped default segmenter (``python -m ecgteach.train`` rebuilds it).
DEFAULT_SEGMENTER = Path(__file__).resolve().parent / "weights" / "segmenter.keras"

#: Shortest run kept, per wave kind (ms). Shorter runs are flickers of the argmax.
MIN_DURATION_MS = {"P": 20.0, "QRS": 20.0, "T": 40.0}
#: Runs of the same kind separated by at most this gap (ms) are merged.
MERGE_GAP_MS = 12.0
#: How far beyond an argmax edge (ms) the expected boundary sums the wave's probability.
BOUNDARY_REACH_MS = 80.0


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


def expected_boundaries(
    waves: dict[str, np.ndarray], probabilities: np.ndarray, fs: float = 250.0,
    reach_ms: float = BOUNDARY_REACH_MS,
) -> dict[str, np.ndarray]:
    """Move each onset and offset of argmax waves to its expected position (float samples).

    For a wave with peak ``k``: onset = ``k`` − the sum of the wave's probability
    from ``reach_ms`` before the argmax onset up to ``k``; offset = ``k`` + the
    sum from ``k`` to ``reach_ms`` after the argmax offset. The gap to the
    previous (next) wave of the same kind is split at its middle, so no sample's
    probability counts twice. Missing boundaries stay -1. Usage:
    ``expected_boundaries(labels_to_waves(p.argmax(-1), x), p)["QRS"]``.
    """
    probabilities = np.asarray(probabilities, dtype=np.float64)
    if probabilities.ndim != 2 or probabilities.shape[1] != len(WAVE_KINDS) + 1:
        raise ValueError(f"probabilities must be (n_samples, {len(WAVE_KINDS) + 1}) "
                         f"(background, P, QRS, T), got shape {probabilities.shape}")
    reach = int(round(check_fs(fs) * reach_ms / 1000.0))
    n = probabilities.shape[0]
    out = {}
    for class_id, kind in enumerate(WAVE_KINDS, start=1):
        rows = np.asarray(waves[kind], dtype=np.int64).reshape(-1, 3)
        if rows.size == 0:
            out[kind] = rows.astype(np.float64)
            continue
        onset, peak, offset = rows.T
        cumulative = np.concatenate([[0.0], np.cumsum(probabilities[:, class_id])])
        # sum from reach_ms before the argmax onset (or the middle of the gap to the
        # previous wave) up to the peak, and from the peak to reach_ms after the offset
        previous_offset = np.concatenate([[MISSING], offset[:-1]])
        next_onset = np.concatenate([onset[1:], [MISSING]])
        lo = np.maximum(onset - reach, 0)
        lo = np.where(previous_offset != MISSING,
                      np.maximum(lo, (previous_offset + 1 + onset) // 2), lo)
        hi = np.minimum(offset + 1 + reach, n)
        hi = np.where(next_onset != MISSING, np.minimum(hi, (offset + 1 + next_onset) // 2), hi)
        hi = np.maximum(hi, peak + 1)
        before = cumulative[peak] - cumulative[np.clip(lo, 0, n)]
        after = cumulative[hi] - cumulative[peak + 1]
        out[kind] = np.stack([np.where(onset != MISSING, peak - before, MISSING), peak,
                              np.where(offset != MISSING, peak + after, MISSING)],
                             axis=1).astype(np.float64)
    return out


def probabilities_to_waves(
    probabilities: np.ndarray, signal: np.ndarray | None = None, fs: float = 250.0,
    expected: bool = True,
) -> dict[str, np.ndarray]:
    """Per-sample class probabilities ``(n, 4)`` -> waves, boundaries at their expected position.

    The argmax runs of :func:`labels_to_waves`, then (``expected=True``)
    :func:`expected_boundaries`; the result holds float sample positions (round
    them, or use :func:`ecgteach.waves.scale_waves`, to get indices). Usage:
    ``waves = probabilities_to_waves(delineator.probabilities(x, 500), x250)``.
    """
    probabilities = np.asarray(probabilities)
    if probabilities.ndim != 2:
        raise ValueError(f"probabilities must be 2-D (n_samples, classes), got shape "
                         f"{probabilities.shape}")
    waves = labels_to_waves(probabilities.argmax(axis=-1), signal, fs)
    return expected_boundaries(waves, probabilities, fs) if expected else waves


def _peak(signal: np.ndarray | None, start: int, stop: int) -> int:
    if signal is None or stop - start < 3:
        return int((start + stop - 1) // 2)
    segment = np.asarray(signal[start:stop], dtype=np.float64)
    line = np.linspace(segment[0], segment[-1], segment.size)
    return int(start + np.argmax(np.abs(segment - line)))


def load_segmenter(path: str | Path | None = None) -> Any:
    """Load a segmenter saved as ``.keras`` (default: the shipped one), for inference.

    Usage: ``model = load_segmenter()``.
    """
    path = Path(path) if path is not None else DEFAULT_SEGMENTER
    if not path.is_file():
        raise FileNotFoundError(
            f"segmenter weights not found at {path}; rebuild the default with "
            "`python -m ecgteach.train` or pass a trained model"
        )
    import keras

    try:
        return keras.saving.load_model(path, compile=False)
    except Exception as error:  # a truncated or foreign file: say which and what to do
        raise ValueError(f"cannot load a Keras model from {path} ({error}); retrain it") from error


def segmenter_info(path: str | Path | None = None) -> dict[str, Any]:
    """What the shipped segmenter was trained on, how long it took, its validation scores.

    Reads the JSON written next to the ``.keras`` file by ``python -m ecgteach.train``.
    Usage: ``segmenter_info()["train_seconds"]``.
    """
    import json

    model_path = Path(path) if path is not None else DEFAULT_SEGMENTER
    sidecar = model_path.with_suffix(".json")
    if not sidecar.is_file():
        raise FileNotFoundError(f"no training record {sidecar}; retrain with "
                                "`python -m ecgteach.train`")
    return json.loads(sidecar.read_text())


class Delineator:
    """A segmenter wrapped for fast delineation of single-lead ECGs at any rate.

    Signals up to ``chunk_s`` long run as one sequence (z-scored as a whole, as in
    training); longer ones are cut into ``chunk_s`` chunks with ``context_s`` of
    signal on each side, z-scored per chunk and run as one batch. Lengths are
    padded to whole seconds so the compiled function is reused across records.
    ``expected=False`` keeps the argmax edges instead of the expected boundaries.
    Usage: ``delineator = Delineator(model); waves = delineator(signal, fs=500)``.
    """

    def __init__(
        self,
        model: Any = None,
        chunk_s: float = 10.0,
        context_s: float = 1.0,
        batch_size: int = 32,
        expected: bool = True,
    ) -> None:
        from .models import predict_fn

        self.expected = bool(expected)
        self.model = load_segmenter() if model is None else model
        self.predict = predict_fn(self.model)
        self.chunk = int(round(chunk_s * MODEL_FS))
        self.context = int(round(context_s * MODEL_FS))
        self.batch_size = batch_size
        self.multiple = int(MODEL_FS)  # pad to whole seconds (a multiple of any pooling)

    def probabilities(self, signal: np.ndarray, fs: float) -> np.ndarray:
        """Per-sample class probabilities ``(n, 4)`` at ``MODEL_FS`` (bg, P, QRS, T).

        Usage: ``probs = delineator.probabilities(record.lead("ii"), 500)``.
        """
        x = resample_signal(_check_lead(signal, fs), fs, MODEL_FS)
        return self._probabilities(x)

    def _probabilities(self, x: np.ndarray) -> np.ndarray:
        n = x.size
        if n <= self.chunk:
            padded = _pad_to(_zscore(x), self.multiple)
            return self.predict(padded[None, :, None])[0, :n]
        rows = []
        edge = np.pad(x, (self.context, self.context + self.chunk), mode="reflect")
        for start in range(0, n, self.chunk):
            rows.append(_zscore(edge[start : start + self.chunk + 2 * self.context]))
        batch = np.stack(rows)[:, :, None]
        out = np.concatenate(
            [self.predict(batch[i : i + self.batch_size]) for i in range(0, len(batch),
                                                                          self.batch_size)]
        )
        centre = out[:, self.context : self.context + self.chunk]
        return centre.reshape(-1, centre.shape[-1])[:n]

    def __call__(self, signal: np.ndarray, fs: float) -> dict[str, np.ndarray]:
        """Delineate one lead: ``{"P","QRS","T"} -> (n, 3)`` at the input rate."""
        return self.waves_and_probabilities(signal, fs)[0]

    def waves_and_probabilities(
        self, signal: np.ndarray, fs: float
    ) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """The waves at the input rate, and the ``(n, 4)`` probabilities (at 250 Hz) behind them.

        Usage: ``waves, probs = delineator.waves_and_probabilities(record.lead("ii"), 500)``.
        """
        x = resample_signal(_check_lead(signal, fs), fs, MODEL_FS)
        probabilities = self._probabilities(x)
        waves = probabilities_to_waves(probabilities, x, MODEL_FS, expected=self.expected)
        n_in = np.asarray(signal).shape[0]
        scaled = scale_waves(waves, fs / MODEL_FS)  # rounds the expected boundaries
        return {kind: np.minimum(rows, n_in - 1) for kind, rows in scaled.items()}, probabilities


def _check_lead(signal: np.ndarray, fs: float) -> np.ndarray:
    fs = check_fs(fs)
    array = np.asarray(signal)
    if array.ndim != 1:
        raise ValueError(
            f"delineate takes one lead as a 1-D array, got shape {array.shape}; "
            "pass e.g. record.lead('ii') or signal[:, 0]"
        )
    array = check_signal(array, "signal")
    if array.size < fs * 1.0:
        raise ValueError(
            f"the signal is too short to delineate: {array.size} samples at {fs:g} Hz "
            f"({array.size / fs:.2f} s); give at least 1 s (a whole beat and its surroundings)"
        )
    return array


def _zscore(x: np.ndarray) -> np.ndarray:
    std = x.std()
    return ((x - x.mean()) / (std if std > 1e-12 else 1.0)).astype(np.float32)


def _pad_to(x: np.ndarray, multiple: int) -> np.ndarray:
    extra = -x.size % multiple
    return np.pad(x, (0, extra), mode="edge") if extra else x


_DEFAULT: Delineator | None = None
_BY_MODEL: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def delineate(signal: np.ndarray, fs: float, model: Any = None) -> dict[str, np.ndarray]:
    """Find the P, QRS and T waves of a single-lead ECG at any sampling rate.

    Returns ``{"P", "QRS", "T"}`` -> integer arrays ``(n, 3)`` of onset, peak and
    offset sample indices at the input rate, ``-1`` where a boundary is not
    found (a wave cut by the start or end of the signal). ``model=None`` uses
    the shipped default segmenter (loaded and compiled once per session); pass
    a trained segmenter or a :class:`Delineator` to use another.
    Usage: ``delineate(record.lead("ii"), fs=500)["QRS"]``.
    """
    global _DEFAULT
    if isinstance(model, Delineator):
        return model(signal, fs)
    if model is None:
        if _DEFAULT is None:
            _DEFAULT = Delineator()
        return _DEFAULT(signal, fs)
    if model not in _BY_MODEL:  # compile once per model, not once per call
        _BY_MODEL[model] = Delineator(model)
    return _BY_MODEL[model](signal, fs)
