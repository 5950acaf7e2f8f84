"""Delineate ECG leads with a segmenter: any rate in, P/QRS/T waves out, batched.

:class:`Delineator` is the one inference pipeline of ecgteach: ``delineate``,
the command line, the segmentation viewer and every scorer
(:func:`ecgteach.delineation.score_delineator`) run through it. For each lead:
check it, resample to the model's 250 Hz, z-score, pad to whole seconds, label
every sample (the leads of a call run together in batches through one compiled
function), cut the waves (:func:`ecgteach.delineation.probabilities_to_waves`)
and scale them back to the input rate, clipped to the signal.

>>> import ecgteach
>>> record = ecgteach.load_ludb_record(1, leads=["ii"])
>>> waves = delineate(record.lead("ii"), fs=record.fs)
>>> sorted(waves), waves["QRS"].shape[1]
(['P', 'QRS', 'T'], 3)
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ecgteach.delineation.decode import probabilities_to_waves
from ecgteach.delineation.segmenter import MODEL_FS, load_segmenter
from ecgteach.ecg.signal import check_fs, check_signal, resample_signal, standardise
from ecgteach.ecg.waves import scale_waves
from ecgteach.nn.predict import predict_probabilities

Waves = dict[str, np.ndarray]


class Delineator:
    """A segmenter wrapped for fast delineation of single-lead ECGs at any rate.

    ``model``: a Keras segmenter, a ``.keras`` path, or ``None`` for the shipped
    default. Signals up to ``chunk_s`` long run as one sequence (z-scored as a
    whole, as in training); longer ones are cut into ``chunk_s`` chunks with
    ``context_s`` of signal on each side, z-scored per chunk. Lengths are padded
    to whole seconds so the compiled function is reused across records.
    ``expected=False`` keeps the argmax edges instead of the expected boundaries.

    >>> from ecgteach import load_ludb_record
    >>> delineator = Delineator()
    >>> record = load_ludb_record(2, leads=["ii", "v1"])
    >>> [len(w["QRS"]) for w in delineator.delineate_many([record.lead("ii"),
    ...                                                     record.lead("v1")], record.fs)]
    [11, 11]
    """

    def __init__(
        self,
        model: Any = None,
        chunk_s: float = 10.0,
        context_s: float = 1.0,
        batch_size: int = 32,
        expected: bool = True,
    ) -> None:
        self.expected = bool(expected)
        self.model = load_segmenter(model) if model is None or isinstance(model, (str, Path)) \
            else model
        self.chunk = int(round(chunk_s * MODEL_FS))
        self.context = int(round(context_s * MODEL_FS))
        self.batch_size = int(batch_size)
        self.multiple = int(MODEL_FS)  # pad to whole seconds (a multiple of any pooling)

    # ----------------------------------------------------------------- probabilities

    def probabilities_many(self, signals: Sequence[np.ndarray], fs: float) -> list[np.ndarray]:
        """Per-sample class probabilities ``(n, 4)`` at 250 Hz (bg, P, QRS, T), one per signal."""
        return self._probabilities(_at_model_rate(signals, fs))

    def probabilities(self, signal: np.ndarray, fs: float) -> np.ndarray:
        """Per-sample class probabilities ``(n, 4)`` of one lead at 250 Hz (bg, P, QRS, T).

        >>> from ecgteach import load_ludb_record
        >>> record = load_ludb_record(1, leads=["ii"])
        >>> probs = as_delineator().probabilities(record.lead("ii"), record.fs)
        >>> probs.shape, bool(abs(probs.sum(axis=1) - 1).max() < 1e-4)
        ((2500, 4), True)
        """
        return self.probabilities_many([signal], fs)[0]

    def _probabilities(self, leads: Sequence[np.ndarray]) -> list[np.ndarray]:
        """Probabilities of 250 Hz leads: short ones whole, long ones in chunks, all batched."""
        rows: list[np.ndarray] = []
        pieces: list[tuple[int, int]] = []  # per lead: first row, number of rows (chunks)
        for x in leads:
            first = len(rows)
            if x.size <= self.chunk:
                rows.append(_pad_to(standardise(x), self.multiple))
            else:
                edge = np.pad(x, (self.context, self.context + self.chunk), mode="reflect")
                for start in range(0, x.size, self.chunk):
                    rows.append(standardise(edge[start : start + self.chunk + 2 * self.context]))
            pieces.append((first, len(rows) - first))
        out = predict_probabilities(self.model, rows, batch_size=self.batch_size)
        result = []
        for x, (first, count) in zip(leads, pieces, strict=True):
            if x.size <= self.chunk:
                result.append(out[first][: x.size])
            else:
                centre = [p[self.context : self.context + self.chunk] for p in
                          out[first : first + count]]
                result.append(np.concatenate(centre)[: x.size])
        return result

    # ------------------------------------------------------------------------- waves

    def waves_and_probabilities_many(
        self, signals: Sequence[np.ndarray], fs: float
    ) -> list[tuple[Waves, np.ndarray]]:
        """For each lead: its waves at the input rate and the 250 Hz probabilities behind them."""
        fs = check_fs(fs)
        leads = _at_model_rate(signals, fs)
        out = []
        for signal, x, probabilities in zip(signals, leads, self._probabilities(leads),
                                            strict=True):
            waves = probabilities_to_waves(probabilities, x, MODEL_FS, expected=self.expected)
            n_in = np.asarray(signal).shape[0]
            scaled = scale_waves(waves, fs / MODEL_FS)  # rounds the expected boundaries
            out.append(({kind: np.minimum(rows, n_in - 1) for kind, rows in scaled.items()},
                        probabilities))
        return out

    def waves_and_probabilities(self, signal: np.ndarray, fs: float) -> tuple[Waves, np.ndarray]:
        """The waves of one lead at the input rate, and the ``(n, 4)`` probabilities (250 Hz).

        The segmentation viewer shows both; ``probs[:, 2]`` is P(QRS) per 250 Hz sample.
        """
        return self.waves_and_probabilities_many([signal], fs)[0]

    def delineate_many(self, signals: Sequence[np.ndarray], fs: float) -> list[Waves]:
        """Delineate several leads of one rate in one batched pass; one wave set per lead."""
        return [waves for waves, _ in self.waves_and_probabilities_many(signals, fs)]

    def __call__(self, signal: np.ndarray, fs: float) -> Waves:
        """Delineate one lead: ``{"P","QRS","T"} -> (n, 3)`` at the input rate."""
        return self.delineate_many([signal], fs)[0]

    def __repr__(self) -> str:
        return f"Delineator({getattr(self.model, 'name', 'model')}, expected={self.expected})"


def _at_model_rate(signals: Sequence[np.ndarray], fs: float) -> list[np.ndarray]:
    """Each lead checked and resampled from ``fs`` to the model's 250 Hz."""
    fs = check_fs(fs)
    return [resample_signal(_check_lead(signal, fs), fs, MODEL_FS) for signal in signals]


def _check_lead(signal: np.ndarray, fs: float) -> np.ndarray:
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


def _pad_to(x: np.ndarray, multiple: int) -> np.ndarray:
    extra = -x.size % multiple
    return np.pad(x, (0, extra), mode="edge") if extra else x


_DEFAULT: Delineator | None = None
_BY_MODEL: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def as_delineator(model: Any = None) -> Delineator:
    """The :class:`Delineator` for ``model``, built once per model and reused.

    ``None``: the shipped default segmenter (loaded and compiled once per
    session); a :class:`Delineator`: itself; a Keras model or a ``.keras`` path:
    one wrapped for it.
    """
    global _DEFAULT
    if isinstance(model, Delineator):
        return model
    if model is None:
        if _DEFAULT is None:
            _DEFAULT = Delineator()
        return _DEFAULT
    if isinstance(model, (str, Path)):
        return Delineator(model)
    if model not in _BY_MODEL:  # compile once per model, not once per call
        _BY_MODEL[model] = Delineator(model)
    return _BY_MODEL[model]


def delineate(signal: np.ndarray, fs: float, model: Any = None) -> Waves:
    """Find the P, QRS and T waves of a single-lead ECG at any sampling rate.

    Returns ``{"P", "QRS", "T"}`` -> integer arrays ``(n, 3)`` of onset, peak and
    offset sample indices at the input rate, ``-1`` where a boundary is not
    found (a wave cut by the start or end of the signal). ``model=None`` uses
    the shipped default segmenter (loaded and compiled once per session); pass
    a trained segmenter, a ``.keras`` path or a :class:`Delineator` to use another.

    >>> from ecgteach import load_ludb_record
    >>> record = load_ludb_record(1, leads=["ii"])
    >>> qrs = delineate(record.lead("ii"), fs=500)["QRS"]
    >>> bool((qrs[:, 0] < qrs[:, 1]).all())       # onsets before peaks (none missing here)
    True
    """
    return as_delineator(model)(signal, fs)
