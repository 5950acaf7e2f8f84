"""NeuroKit2's delineator, as ecgteach wave sets, scored by the same protocol.

NeuroKit2 (``nk.ecg_delineate``, discrete wavelet method by default) is the
classical baseline lesson 04 compares the segmenter with: :func:`neurokit_waves`
delineates one lead, :func:`neurokit_to_waves` converts NeuroKit2's output,
and :func:`score_neurokit` scores it exactly as the segmenter is scored.

>>> scores = score_neurokit(records=[1], leads="ii")
>>> scores.name, scores.records, scores.leads
('NeuroKit2 dwt', ['1'], ('ii',))
>>> sorted(scores.pooled.scores())
['P offset', 'P onset', 'QRS offset', 'QRS onset', 'T offset']
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ecgteach.delineation.scoring import DelineatorScores, score_delineator
from ecgteach.ecg.waves import MISSING, WAVE_KINDS


def _import_neurokit() -> Any:
    try:
        import neurokit2
    except ImportError as error:
        raise ImportError(
            "NeuroKit2 is needed to compare with it; it is a dependency of ecgteach: "
            "reinstall ecgteach, or pip install neurokit2"
        ) from error
    return neurokit2


def neurokit_to_waves(info: Mapping[str, Any], r_peaks: Sequence[int],
                      n_samples: int | None = None) -> dict[str, np.ndarray]:
    """NeuroKit2 delineation output -> an ecgteach wave set (NaN -> ``-1``).

    QRS: ``ECG_R_Onsets``, the R peak, ``ECG_R_Offsets``; P and T: their
    ``Onsets``/``Peaks``/``Offsets``. A P or T row is kept when any of its three
    marks exists; positions outside ``[0, n_samples)`` count as missing.

    >>> import numpy as np
    >>> info = {"ECG_R_Onsets": [95, np.nan], "ECG_R_Offsets": [130, 640],
    ...         "ECG_P_Onsets": [40, np.nan], "ECG_P_Peaks": [55, np.nan],
    ...         "ECG_P_Offsets": [70, np.nan], "ECG_T_Onsets": [180, 700],
    ...         "ECG_T_Peaks": [220, 740], "ECG_T_Offsets": [260, 5200]}
    >>> waves = neurokit_to_waves(info, r_peaks=[110, 610], n_samples=5000)
    >>> waves["QRS"]                        # NaN onset -> -1
    array([[ 95, 110, 130],
           [ -1, 610, 640]])
    >>> waves["P"]                          # the second beat has no P mark at all: dropped
    array([[40, 55, 70]])
    >>> waves["T"]                          # 5200 is past the end of the signal
    array([[180, 220, 260],
           [700, 740,  -1]])
    """
    def column(key: str, n: int) -> np.ndarray:
        values = np.asarray(info.get(key, [np.nan] * n), dtype=np.float64).reshape(-1)
        if values.size != n:
            raise ValueError(f"NeuroKit2 gave {values.size} {key} for {n} R peaks")
        bad = ~np.isfinite(values)
        if n_samples is not None:
            bad |= (values < 0) | (values >= n_samples)
        return np.where(bad, MISSING, np.nan_to_num(values)).astype(np.int64)

    peaks = np.asarray(r_peaks, dtype=np.int64).reshape(-1)
    n = peaks.size
    waves = {"QRS": np.stack([column("ECG_R_Onsets", n), peaks, column("ECG_R_Offsets", n)],
                             axis=1)}
    for kind in ("P", "T"):
        rows = np.stack([column(f"ECG_{kind}_{part}", n)
                         for part in ("Onsets", "Peaks", "Offsets")], axis=1)
        waves[kind] = rows[(rows != MISSING).any(axis=1)]
    return {kind: waves[kind].reshape(-1, 3) for kind in WAVE_KINDS}


def neurokit_waves(signal: np.ndarray, fs: float, method: str = "dwt") -> dict[str, np.ndarray]:
    """Delineate one lead with NeuroKit2, as ``nk.ecg_process`` does, into a wave set.

    ``nk.ecg_clean`` -> its own R peaks (``nk.ecg_peaks``) -> ``nk.ecg_delineate(...,
    method=method)`` on the cleaned signal. Needs ``neurokit2`` (a dependency of
    ecgteach).

    >>> from ecgteach import load_ludb_record
    >>> record = load_ludb_record(1, leads=["ii"])
    >>> waves = neurokit_waves(record.lead("ii"), record.fs)
    >>> sorted(waves), waves["QRS"].shape[1], len(waves["QRS"]) > 0
    (['P', 'QRS', 'T'], 3, True)
    """
    nk = _import_neurokit()
    x = np.asarray(signal, dtype=np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cleaned = nk.ecg_clean(x, sampling_rate=fs)
        _, peaks = nk.ecg_peaks(cleaned, sampling_rate=fs)
        r_peaks = np.asarray(peaks["ECG_R_Peaks"], dtype=np.int64)
        if r_peaks.size < 2:
            return neurokit_to_waves({}, r_peaks, x.size)
        _, info = nk.ecg_delineate(cleaned, r_peaks, sampling_rate=fs, method=method)
    return neurokit_to_waves(info, r_peaks, x.size)


def score_neurokit(
    records: Sequence[Any] | None = None,
    leads: str | Sequence[str] | None = ("ii",),
    method: str = "dwt",
) -> DelineatorScores:
    """Score NeuroKit2 (:func:`neurokit_waves`) exactly as the segmenter is scored.

    The same :func:`ecgteach.delineation.scoring.score_delineator` protocol:
    records (default: the test patients 161-200), leads, labelled spans,
    matching. ``score_neurokit(leads="all").pooled.table()`` is lesson 04's table.

    >>> scores = score_neurokit(records=[1, 2], leads=["ii", "v1"], method="dwt")
    >>> scores.pooled.n_added, sorted(scores.by_lead), len(scores.seconds_per_record)
    (4, ['ii', 'v1'], 2)
    """
    _import_neurokit()
    return score_delineator(lambda x, fs: neurokit_waves(x, fs, method), records, leads,
                            name=f"NeuroKit2 {method}")
