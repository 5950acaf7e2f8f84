"""Delineate ECG leads with a segmenter: any rate in, P/QRS/T waves out, batched.

:class:`Delineator` is the one inference pipeline of ecgteach: ``delineate``,
the command line, the segmentation viewer and every scorer
(:func:`ecgteach.delineation.score_delineator`) run through it. For each lead:
check it, resample to the model's 250 Hz, z-score, pad to whole seconds, label
every sample (the leads of a call run together in batches through one compiled
function), cut the waves (:func:`ecgteach.delineation.probabilities_to_waves`)
and scale them back to the input rate, clipped to the signal.

Several leads of one recording (``(n_samples, n_leads)``) are delineated
together: every lead's probabilities are averaged sample by sample before the
waves are cut, so each beat gets one set of waves for all its leads
(:meth:`Delineator.fused`); the peaks sit on the leads' combined magnitude.

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

from ecgteach.delineation.decode import RELATIVE_KINDS, check_relative, probabilities_to_waves
from ecgteach.delineation.segmenter import MODEL_FS, load_segmenter
from ecgteach.ecg.recordings import FS_RANGE
from ecgteach.ecg.signal import check_fs, check_signal, resample_signal, standardise
from ecgteach.ecg.waves import scale_waves
from ecgteach.nn.models import pooled_rate_decoder
from ecgteach.nn.predict import predict_probabilities

Waves = dict[str, np.ndarray]


class Delineator:
    """A segmenter wrapped for fast delineation of single-lead ECGs at any rate.

    ``model``: a Keras segmenter, a ``.keras`` path, or ``None`` for the shipped
    default. Signals up to ``chunk_s`` long run as one sequence (z-scored as a
    whole, as in training); longer ones are cut into ``chunk_s`` chunks with
    ``context_s`` of signal on each side, z-scored per chunk. Lengths are padded
    to whole seconds so the compiled function is reused across records.
    ``expected=False`` keeps the argmax edges instead of the expected boundaries;
    ``relative`` names the wave kinds whose expected boundaries are read relative to
    the wave's own certainty (default P: :data:`~ecgteach.delineation.decode.RELATIVE_KINDS`;
    ``()`` reads every kind as a plain sum of probability);
    ``rhythm=False`` keeps every P wave, also where atrial activity is not organised
    (:func:`~ecgteach.delineation.decode.organised_p_waves`).

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
        rhythm: bool = True,
        relative: Sequence[str] = RELATIVE_KINDS,
    ) -> None:
        self.expected = bool(expected)
        self.rhythm = bool(rhythm)
        self.relative = check_relative(relative)
        self.model = load_segmenter(model) if model is None or isinstance(model, (str, Path)) \
            else model
        self.chunk = int(round(chunk_s * MODEL_FS))
        self.context = int(round(context_s * MODEL_FS))
        self.batch_size = int(batch_size)
        self.multiple = int(MODEL_FS)  # pad to whole seconds (a multiple of any pooling)
        # what runs: the same function, its decoder partly at the pooled rate
        self._inference_model = pooled_rate_decoder(self.model)

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
        out = predict_probabilities(self._inference_model, rows, batch_size=self.batch_size)
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
            waves = probabilities_to_waves(probabilities, x, MODEL_FS, expected=self.expected,
                                           rhythm=self.rhythm, relative=self.relative)
            out.append((_at_input_rate(waves, fs, np.asarray(signal).shape[0]), probabilities))
        return out

    def waves_and_probabilities(self, signal: np.ndarray, fs: float) -> tuple[Waves, np.ndarray]:
        """The waves of one lead at the input rate, and the ``(n, 4)`` probabilities (250 Hz).

        The segmentation viewer shows both; ``probs[:, 2]`` is P(QRS) per 250 Hz sample.
        """
        return self.waves_and_probabilities_many([signal], fs)[0]

    def delineate_many(self, signals: Sequence[np.ndarray], fs: float) -> list[Waves]:
        """Delineate several leads of one rate in one batched pass; one wave set per lead."""
        return [waves for waves, _ in self.waves_and_probabilities_many(signals, fs)]

    def fused_waves_and_probabilities(self, signals: Any, fs: float) -> tuple[Waves, np.ndarray]:
        """One wave set for all leads of a recording, and the fused ``(n, 4)`` probabilities.

        ``signals``: ``(n_samples, n_leads)`` or a list of equally long 1-D leads.
        The leads run in one batch; their per-sample probabilities are averaged
        (a lead that sees a boundary clearly pulls the others' doubt its way) and
        the waves are cut from the average, the peaks placed on the root mean
        square of the z-scored leads.
        """
        fs = check_fs(fs)
        leads = lead_columns(signals)
        at_model = _at_model_rate(leads, fs)
        fused = np.mean(self._probabilities(at_model), axis=0)
        magnitude = np.sqrt(np.mean([standardise(x) ** 2 for x in at_model], axis=0))
        waves = probabilities_to_waves(fused, magnitude, MODEL_FS, expected=self.expected,
                                       rhythm=self.rhythm, relative=self.relative)
        return _at_input_rate(waves, fs, leads[0].shape[0]), fused

    def fused(self, signals: Any, fs: float) -> Waves:
        """Delineate all leads of a recording together: one wave set per beat.

        >>> from ecgteach import load_ludb_record
        >>> record = load_ludb_record(1)
        >>> waves = as_delineator().fused(record.signal, record.fs)   # 12 leads, 5000 samples
        >>> len(waves["QRS"]), len(record.lead_waves("ii")["QRS"])   # 8 beats, 6 labelled
        (8, 6)
        """
        return self.fused_waves_and_probabilities(signals, fs)[0]

    def __call__(self, signal: np.ndarray, fs: float) -> Waves:
        """Delineate one lead (1-D), or all leads of ``(n_samples, n_leads)`` fused into one set."""
        if np.ndim(signal) == 1:
            return self.delineate_many([signal], fs)[0]
        return self.fused(signal, fs)

    def __repr__(self) -> str:
        return (f"Delineator({getattr(self.model, 'name', 'model')}, expected={self.expected}, "
                f"rhythm={self.rhythm})")


def _at_input_rate(waves: Waves, fs: float, n_samples: int) -> Waves:
    """Waves found at 250 Hz scaled back to ``fs`` (expected boundaries rounded), clipped."""
    scaled = scale_waves(waves, fs / MODEL_FS)
    return {kind: np.minimum(rows, n_samples - 1) for kind, rows in scaled.items()}


def _at_model_rate(signals: Sequence[np.ndarray], fs: float) -> list[np.ndarray]:
    """Each lead checked and resampled from ``fs`` to 250 Hz (leads of equal length at once).

    >>> _at_model_rate([np.zeros(5000)], fs=5)
    Traceback (most recent call last):
    ...
    ValueError: a sampling rate of 5 Hz is implausible for an ECG (expected 50-10000 Hz): ...
    """
    fs = check_fs(fs)
    if not FS_RANGE[0] <= fs <= FS_RANGE[1]:
        raise ValueError(f"a sampling rate of {fs:g} Hz is implausible for an ECG (expected "
                         f"{FS_RANGE[0]:g}-{FS_RANGE[1]:g} Hz): give the rate the signal was "
                         "recorded at, in Hz (not in kHz or as a sample period)")
    leads = [_check_lead(signal, fs) for signal in signals]
    if len(leads) > 1 and len({lead.size for lead in leads}) == 1:
        together = resample_signal(np.stack(leads, axis=1), fs, MODEL_FS)
        return [np.ascontiguousarray(together[:, k]) for k in range(len(leads))]
    return [resample_signal(lead, fs, MODEL_FS) for lead in leads]


#: More leads than this in the first axis of a 2-D array, fewer samples than leads: leads-first.
MAX_LEADS = 16


def lead_columns(signals: Any) -> list[np.ndarray]:
    """The leads of ``(n_samples, n_leads)`` or of a list of 1-D leads, as 1-D arrays.

    A clear error for a leads-first array, a single lead given as a row, and leads
    of different lengths:

    >>> import numpy as np
    >>> [lead.shape for lead in lead_columns(np.zeros((5000, 3)))]
    [(5000,), (5000,), (5000,)]
    >>> lead_columns(np.zeros((12, 5000)))
    Traceback (most recent call last):
    ...
    ValueError: the signal looks leads-first: shape (12, 5000) ...; pass signal.T, ...
    >>> lead_columns([np.zeros(5000), np.zeros(4990)])
    Traceback (most recent call last):
    ...
    ValueError: the leads differ in length (5000, 4990 samples): give every lead over ...
    """
    if isinstance(signals, np.ndarray) and signals.ndim == 2:
        n_samples, n_leads = signals.shape
        if n_samples == 1:
            raise ValueError(
                f"one lead was given as a row, shape {signals.shape}: pass signal[0] (1-D) "
                "or signal.T, shaped (n_samples, 1)")
        if n_leads > MAX_LEADS and n_samples < n_leads:
            raise ValueError(
                f"the signal looks leads-first: shape {signals.shape} reads as {n_samples} "
                f"samples of {n_leads} leads; pass signal.T, shaped (n_samples, n_leads) = "
                f"({n_leads}, {n_samples})")
        return [signals[:, k] for k in range(n_leads)]
    if isinstance(signals, np.ndarray) and signals.ndim != 1:
        raise ValueError(f"give one lead (1-D) or (n_samples, n_leads), got shape {signals.shape}")
    leads = [signals] if isinstance(signals, np.ndarray) else list(signals)
    if not leads:
        raise ValueError("no leads were given")
    arrays = [np.asarray(lead) for lead in leads]
    if any(array.ndim != 1 for array in arrays):
        raise ValueError("give the leads as 1-D arrays of samples, one per lead, or one "
                         "(n_samples, n_leads) array")
    lengths = sorted({array.shape[0] for array in arrays}, reverse=True)
    if len(lengths) > 1:
        raise ValueError(
            f"the leads differ in length ({', '.join(str(n) for n in lengths)} samples): give "
            "every lead over the same time, e.g. cut them to the shortest")
    return arrays


def _check_lead(signal: np.ndarray, fs: float) -> np.ndarray:
    array = np.asarray(signal)
    if array.ndim != 1:
        raise ValueError(
            f"delineate takes one lead as a 1-D array here, got shape {array.shape}; "
            "pass e.g. record.lead('ii') or signal[:, 0] (several leads: Delineator.fused)"
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


def delineate(signal: np.ndarray, fs: float, model: Any = None,
              fuse: bool = True) -> Waves | list[Waves]:
    """Find the P, QRS and T waves of an ECG at any sampling rate, one lead or several.

    Returns ``{"P", "QRS", "T"}`` -> integer arrays ``(n, 3)`` of onset, peak and
    offset sample indices at the input rate, ``-1`` where a boundary is not
    found (a wave cut by the start or end of the signal). ``signal``: one lead
    (1-D) or several, ``(n_samples, n_leads)``: their probabilities are fused
    into one wave set per beat (``fuse=False``: a list, one wave set per lead,
    in one batch). ``model=None`` uses
    the shipped default segmenter (loaded and compiled once per session); pass
    a trained segmenter, a ``.keras`` path or a :class:`Delineator` to use another.

    >>> from ecgteach import load_ludb_record
    >>> record = load_ludb_record(1, leads=["ii"])
    >>> qrs = delineate(record.lead("ii"), fs=500)["QRS"]
    >>> bool((qrs[:, 0] < qrs[:, 1]).all())       # onsets before peaks (none missing here)
    True
    >>> record = load_ludb_record(1)                # all 12 leads: (5000, 12)
    >>> len(delineate(record.signal, fs=500)["QRS"]), len(delineate(record.signal, 500, fuse=False))
    (8, 12)
    """
    delineator = as_delineator(model)
    if fuse or np.ndim(signal) == 1:
        return delineator(signal, fs)  # one lead, or all leads fused
    return delineator.delineate_many(lead_columns(signal), fs)
