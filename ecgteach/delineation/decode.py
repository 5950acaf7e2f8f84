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

A P wave the model is only 60 % sure *is* a P wave would, summed that way, come
out 40 % too short: doubt about what a wave is would move where it ends. So a P
wave's probabilities are read relative to its own highest one
(:data:`RELATIVE_KINDS`): a flat 0.6 counts as inside the wave, a fall from 0.6
to 0.3 as half way out. Chosen under patient-wise cross-validation (lead ii P
onset and offset SDs went down on both cuts of folds; the same for T made its
offsets worse, so T and QRS keep the plain sum).

A QRS the model is sure of on samples 10-19 and half sure of on samples 9 and
20: the argmax run keeps 10-19, the expected boundaries move half a sample out.

>>> import numpy as np
>>> probabilities = np.zeros((30, 4))            # background, P, QRS, T per sample
>>> probabilities[:, 0] = 1.0
>>> probabilities[10:20] = [0, 0, 1, 0]
>>> probabilities[[9, 20]] = [0.5, 0, 0.5, 0]
>>> labels_to_waves(probabilities.argmax(axis=-1), fs=250)["QRS"]   # onset, peak, offset
array([[10, 14, 19]])
>>> probabilities_to_waves(probabilities, fs=250)["QRS"]
array([[ 9.5, 14. , 19.5]])

``delineate(record.lead("ii"), fs=500)`` (:mod:`ecgteach.delineation.delineator`)
does all of this with the shipped segmenter, at the record's rate.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ecgteach.ecg.signal import check_fs
from ecgteach.ecg.waves import MISSING, WAVE_KINDS

#: Shortest run kept, per wave kind (ms). Shorter runs are flickers of the argmax.
MIN_DURATION_MS = {"P": 20.0, "QRS": 20.0, "T": 40.0}
#: Runs of the same kind separated by at most this gap (ms) are merged.
MERGE_GAP_MS = 12.0
#: How far beyond an argmax edge (ms) the expected boundary sums the wave's probability.
BOUNDARY_REACH_MS = 80.0
#: Wave kinds whose expected extent is read relative to the wave's own peak probability.
RELATIVE_KINDS: tuple[str, ...] = ("P",)
#: A P wave is kept where at least this share of the nearby RR intervals hold one ...
P_RHYTHM_SHARE = 0.5
#: ... counting this many RR intervals before and after the P wave's own.
P_RHYTHM_REACH = 4


def labels_to_waves(
    labels: np.ndarray,
    signal: np.ndarray | None = None,
    fs: float = 250.0,
    min_duration_ms: dict[str, float] | None = None,
    merge_gap_ms: float = MERGE_GAP_MS,
) -> dict[str, np.ndarray]:
    """Turn per-sample class labels (0 background, 1 P, 2 QRS, 3 T) into a wave set.

    ``signal`` (same length) places each peak; without it the peak is the run's
    middle. Runs shorter than :data:`MIN_DURATION_MS` are dropped, runs split by
    at most :data:`MERGE_GAP_MS` are merged, and a run touching an end of the
    signal has that boundary missing (-1).

    >>> import numpy as np
    >>> labels = np.array([2] * 5 + [0] * 10 + [1] * 3 + [0] * 5 + [1] * 6 + [0] * 2
    ...                   + [1] * 6 + [0] * 5 + [3] * 12)
    >>> waves = labels_to_waves(labels, fs=250)
    >>> waves["QRS"], waves["T"]       # cut by the edges: onset / offset unknown
    (array([[-1,  2,  4]]), array([[42, 47, -1]]))
    >>> waves["P"]                     # 12 ms run dropped; two runs 8 ms apart merged
    array([[23, 29, 36]])
    >>> signal = np.zeros(labels.size)
    >>> signal[25] = 1.0
    >>> labels_to_waves(labels, signal, fs=250)["P"]    # the peak follows the signal
    array([[23, 25, 36]])
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
    if n == 0:
        return {kind: np.zeros((0, 3), dtype=np.int64) for kind in WAVE_KINDS}
    changes = np.flatnonzero(labels[1:] != labels[:-1]) + 1   # every run of every class
    run_starts, run_stops = np.r_[0, changes], np.r_[changes, n]
    run_class = labels[run_starts]
    runs = []
    for class_id, kind in enumerate(WAVE_KINDS, start=1):
        of_class = run_class == class_id
        starts, stops = run_starts[of_class], run_stops[of_class]
        if starts.size > 1 and gap > 0:  # merge runs split by a short gap
            keep = np.concatenate([[True], starts[1:] - stops[:-1] > gap])
            starts, stops = starts[keep], np.concatenate([stops[:-1][keep[1:]], stops[-1:]])
        long_enough = (stops - starts) * 1000.0 / fs >= minimum[kind]
        runs.append((starts[long_enough], stops[long_enough]))
    all_starts = np.concatenate([starts for starts, _ in runs])
    peaks = np.split(_peaks(signal, all_starts, np.concatenate([stops for _, stops in runs])),
                     np.cumsum([starts.size for starts, _ in runs])[:-1])
    return {kind: np.stack([np.where(starts > 0, starts, MISSING), peak,
                            np.where(stops < n, stops - 1, MISSING)], axis=1).astype(np.int64)
            for kind, (starts, stops), peak in zip(WAVE_KINDS, runs, peaks, strict=True)}


def expected_boundaries(
    waves: dict[str, np.ndarray], probabilities: np.ndarray, fs: float = 250.0,
    reach_ms: float = BOUNDARY_REACH_MS, relative: Sequence[str] = RELATIVE_KINDS,
) -> dict[str, np.ndarray]:
    """Move each onset and offset of argmax waves to its expected position (float samples).

    For a wave with peak ``k``: onset = ``k`` − the sum of the wave's probability
    from ``reach_ms`` before the argmax onset up to ``k``; offset = ``k`` + the
    sum from ``k`` to ``reach_ms`` after the argmax offset. The gap to the
    previous (next) wave of the same kind is split at its middle, so no sample's
    probability counts twice. For the kinds in ``relative`` the probabilities
    are first divided by the highest one within those sums (the wave's own
    certainty), so a wave held at 80 % keeps its argmax extent. Missing
    boundaries stay -1.

    >>> import numpy as np
    >>> p = np.zeros((30, 4))
    >>> p[:, 0] = 1.0
    >>> p[10:20] = [0, 0, 0.8, 0.2]      # a QRS at 80 %: the expected run is shorter
    >>> argmax = labels_to_waves(p.argmax(axis=-1), fs=250)
    >>> argmax["QRS"], expected_boundaries(argmax, p, fs=250)["QRS"]
    (array([[10, 14, 19]]), array([[10.8, 14. , 18. ]]))
    >>> expected_boundaries(argmax, p, fs=250, relative=("QRS",))["QRS"]   # read relative to 0.8
    array([[10., 14., 19.]])
    """
    relative = check_relative(relative)
    probabilities = np.asarray(probabilities)
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
        cumulative = np.concatenate([[0.0], np.cumsum(probabilities[:, class_id],
                                                      dtype=np.float64)])
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
        lo = np.clip(lo, 0, n)
        before = cumulative[peak] - cumulative[lo]
        after = cumulative[hi] - cumulative[peak + 1]
        if kind in relative:  # in units of the wave's own highest probability
            certainty = _window_max(probabilities[:, class_id], lo, hi)
            before, after = before / certainty, after / certainty
        out[kind] = np.stack([np.where(onset != MISSING, peak - before, MISSING), peak,
                              np.where(offset != MISSING, peak + after, MISSING)],
                             axis=1).astype(np.float64)
    return out


def organised_p_waves(
    waves: dict[str, np.ndarray], share: float = P_RHYTHM_SHARE, reach: int = P_RHYTHM_REACH,
) -> dict[str, np.ndarray]:
    """Drop the P waves of stretches without organised atrial activity.

    In sinus rhythm every beat has its P wave. Where fewer than ``share`` of the
    RR intervals around a P wave (its own and ``reach`` on each side, between
    consecutive QRS peaks) hold a P wave, the few found are taken for what they
    mostly are there: fibrillation or flutter waves, or atria beating on their own
    (the segmenter, like a cardiologist, should then say "no P wave"). Chosen under
    patient-wise cross-validation: on LUDB most false P waves come from atrial
    fibrillation and flutter records. Fewer than three QRS complexes: nothing is
    dropped (no rhythm to judge). Other waves are returned unchanged.

    >>> import numpy as np
    >>> qrs = np.array([[k - 5, k, k + 5] for k in range(100, 1100, 100)])   # 10 beats
    >>> sinus = np.array([[k - 30, k - 25, k - 20] for k in range(200, 1100, 100)])
    >>> len(organised_p_waves({"P": sinus, "QRS": qrs, "T": qrs[:0]})["P"])   # one per beat
    9
    >>> sporadic = sinus[[1, 5]]                       # 2 of 9 RR intervals: not organised
    >>> len(organised_p_waves({"P": sporadic, "QRS": qrs, "T": qrs[:0]})["P"])
    0
    """
    p_waves, qrs = np.asarray(waves["P"]), np.asarray(waves["QRS"])
    if len(p_waves) == 0 or len(qrs) < 3:
        return waves
    qrs_peaks = np.sort(qrs[:, 1])
    n_intervals = len(qrs_peaks) - 1
    slot = np.searchsorted(qrs_peaks, p_waves[:, 1]) - 1  # the RR interval of each P wave
    held = np.zeros(n_intervals, dtype=bool)
    inside = (slot >= 0) & (slot < n_intervals)
    held[slot[inside]] = True
    counted = np.concatenate([[0], np.cumsum(held)])
    own = np.clip(slot, 0, n_intervals - 1)  # before the first / after the last QRS: the nearest
    lo, hi = np.maximum(own - reach, 0), np.minimum(own + reach + 1, n_intervals)
    keep = (counted[hi] - counted[lo]) >= share * (hi - lo)
    return {**waves, "P": p_waves[keep]}


def probabilities_to_waves(
    probabilities: np.ndarray, signal: np.ndarray | None = None, fs: float = 250.0,
    expected: bool = True, rhythm: bool = True, relative: Sequence[str] = RELATIVE_KINDS,
) -> dict[str, np.ndarray]:
    """Per-sample class probabilities ``(n, 4)`` -> waves, boundaries at their expected position.

    The argmax runs of :func:`labels_to_waves`, then (``expected=True``)
    :func:`expected_boundaries` (``relative``: the kinds read relative to their own
    certainty); the result holds float sample positions (round
    them, or use :func:`ecgteach.ecg.waves.scale_waves`, to get indices).
    ``rhythm=True`` then drops the P waves of stretches where atrial activity is
    not organised (:func:`organised_p_waves`).

    >>> import numpy as np
    >>> p = np.zeros((60, 4))
    >>> p[:, 0] = 1.0
    >>> p[20:40] = [0, 0, 0, 1]                # a 20-sample T wave (80 ms at 250 Hz)
    >>> waves = probabilities_to_waves(p, fs=250)
    >>> waves["T"], waves["P"].shape
    (array([[20., 29., 39.]]), (0, 3))
    >>> probabilities_to_waves(p, fs=250, expected=False)["T"].dtype
    dtype('int64')
    """
    probabilities = np.asarray(probabilities)
    if probabilities.ndim != 2:
        raise ValueError(f"probabilities must be 2-D (n_samples, classes), got shape "
                         f"{probabilities.shape}")
    waves = labels_to_waves(probabilities.argmax(axis=-1), signal, fs)
    waves = expected_boundaries(waves, probabilities, fs, relative=relative) if expected else waves
    return organised_p_waves(waves) if rhythm else waves


def check_relative(kinds: Sequence[str]) -> tuple[str, ...]:
    """The wave kinds to read relative to their own certainty, checked (a tuple).

    >>> check_relative(["P"]), check_relative(())
    (('P',), ())
    >>> check_relative("P")
    Traceback (most recent call last):
    ...
    ValueError: relative must be a sequence of wave kinds such as ("P",), got 'P'
    """
    if isinstance(kinds, str) or any(kind not in WAVE_KINDS for kind in kinds):
        raise ValueError(f"relative must be a sequence of wave kinds such as (\"P\",), "
                         f"got {kinds!r}")
    return tuple(kinds)


def _window_max(values: np.ndarray, starts: np.ndarray, stops: np.ndarray) -> np.ndarray:
    """The largest of ``values[start:stop]`` for each window (1.0 for an empty or all-zero one).

    >>> _window_max(np.array([0.1, 0.6, 0.3, 0.0, 0.9]), np.array([0, 2, 3]), np.array([3, 4, 3]))
    array([0.6, 0.3, 1. ])
    """
    lengths = np.maximum(stops - starts, 0)
    out = np.ones(starts.size)
    filled = lengths > 0
    if filled.any():
        heads = np.cumsum(lengths[filled]) - lengths[filled]
        index = np.arange(int(lengths.sum())) - np.repeat(heads - starts[filled], lengths[filled])
        out[filled] = np.maximum.reduceat(values[index], heads)
    return np.where(out > 0, out, 1.0)


def _peaks(signal: np.ndarray | None, starts: np.ndarray, stops: np.ndarray) -> np.ndarray:
    """Each run's peak: the sample farthest from the chord joining its ends (runs of < 3
    samples, or no signal: the middle). All runs at once, first sample on a tie."""
    middle = (starts + stops - 1) // 2
    if signal is None or starts.size == 0:
        return middle
    signal = np.asarray(signal, dtype=np.float64)
    lengths = stops - starts
    run = np.repeat(np.arange(starts.size), lengths)
    heads = np.cumsum(lengths) - lengths                 # where each run begins in `run`
    offset = np.arange(run.size) - np.repeat(heads, lengths)
    first, last = signal[starts], signal[stops - 1]
    step = ((last - first) / np.maximum(lengths - 1, 1))[run]
    # the chord as np.linspace draws it (same rounding, so the same peak on a tie)
    chord = np.where(offset == (lengths - 1)[run], last[run], offset * step + first[run])
    distance = np.abs(signal[starts[run] + offset] - chord)
    at_max = np.flatnonzero(distance == np.repeat(np.maximum.reduceat(distance, heads), lengths))
    earliest = np.concatenate([[True], run[at_max][1:] != run[at_max][:-1]])   # on a tie
    farthest = np.zeros(starts.size, dtype=np.int64)
    farthest[run[at_max][earliest]] = offset[at_max][earliest]
    return np.where(lengths < 3, middle, starts + farthest)
