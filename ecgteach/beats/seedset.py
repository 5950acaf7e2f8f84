"""The learner's dataset: one beat per row, ``[time_ms, voltage]``, zero-padded at the start.

The learner who started ecgteach fed a stacked LSTM ``300 x 200 x 2`` arrays and
regressed ``[qrs_onset, qrs_offset]``. This module builds that format from real
LUDB beats so the lessons can reproduce what happened, and change one thing at
a time.

A *beat* is one cardiac cycle around an annotated QRS: from halfway to the
previous R peak to halfway to the next one, capped at ``max_before_ms`` before
and ``max_after_ms`` after the R peak (300 + 500 ms = 200 samples at 250 Hz).
Only beats whose QRS has both boundaries annotated and whose neighbouring R
peaks are annotated are used. Labels are indices into the *padded* row.

>>> from ecgteach import load_ludb
>>> beats = make_seed_dataset(load_ludb(range(1, 5), leads=["ii"]), n_beats=20)
>>> beats
SeedDataset(20 beats x 200 samples x ['time_ms', 'voltage'] at 250 Hz,
            labels [qrs_onset, qrs_offset])
>>> beats.x.shape, beats.y.shape
((20, 200, 2), (20, 2))

The lessons use :func:`ecgteach.beats.splits.beat_splits` (the same beats, for
the training, validation and test patients).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ecgteach.ecg.records import Record
from ecgteach.ecg.signal import check_fs, resample_record
from ecgteach.ecg.waves import MISSING


@dataclass(frozen=True, eq=False)
class SeedDataset:
    """Beats in the learner's format with their labels and where each came from.

    ``x``: ``(n, length, channels)`` float32, channels ``("time_ms", "voltage")`` or
    ``("voltage",)``; ``y``: ``(n, 2)`` int, ``[qrs_onset, qrs_offset]`` as indices into
    the padded row. ``n_padding[i]`` leading zeros precede the beat in row ``i``.

    >>> from ecgteach import load_ludb_record
    >>> beats = make_seed_dataset([load_ludb_record(2, leads=["ii"])], n_beats=None)
    >>> len(beats), beats.length, beats.channels
    (7, 200, ('time_ms', 'voltage'))
    >>> beats.y[0].tolist(), beats.y_ms[0].tolist()       # indices, and ms into the row
    ([79, 99], [316.0, 396.0])
    >>> pad = int(beats.n_padding[0])                      # a short cycle: zeros first
    >>> pad, bool((beats.x[0, :pad] == 0).all()), beats.x[0, pad:pad + 3, 0].tolist()
    (14, True, [0.0, 4.0, 8.0])
    >>> beats.voltage.shape, int(beats.record[0]), str(beats.lead[0])
    ((7, 200), 2, 'ii')
    """

    x: np.ndarray
    y: np.ndarray
    fs: float
    channels: tuple[str, ...]
    record: np.ndarray  # LUDB record number of each beat
    lead: np.ndarray  # lead name of each beat
    r_peak: np.ndarray  # R peak, index into the padded row
    n_padding: np.ndarray  # number of leading zeros in each row
    beat_start: np.ndarray  # first sample of the beat in the (resampled) record
    shift_ms: np.ndarray  # applied augmentation shift (0 without augmentation)

    def __len__(self) -> int:
        return int(self.x.shape[0])

    @property
    def length(self) -> int:
        """Samples per row."""
        return int(self.x.shape[1])

    @property
    def y_ms(self) -> np.ndarray:
        """Labels in ms from the start of the row."""
        return self.y * 1000.0 / self.fs

    @property
    def voltage(self) -> np.ndarray:
        """The voltage channel, ``(n, length)``."""
        return self.x[:, :, self.channels.index("voltage")]

    def subset(self, index: np.ndarray | Sequence[int] | slice) -> SeedDataset:
        """A selection of rows (an index array or a slice), with their metadata.

        >>> from ecgteach import load_ludb_record
        >>> beats = make_seed_dataset([load_ludb_record(2, leads=["ii"])], n_beats=None)
        >>> len(beats.subset(np.arange(3))), len(beats.subset(slice(0, 7, 2)))
        (3, 4)
        >>> beats.subset([0]).y.tolist() == beats.y[:1].tolist()
        True
        """
        rows = index if isinstance(index, slice) else np.asarray(index)

        def pick(array: np.ndarray) -> np.ndarray:
            return array[rows]

        return SeedDataset(
            pick(self.x), pick(self.y), self.fs, self.channels, pick(self.record),
            pick(self.lead), pick(self.r_peak), pick(self.n_padding), pick(self.beat_start),
            pick(self.shift_ms),
        )

    def __repr__(self) -> str:
        return (
            f"SeedDataset({len(self)} beats x {self.length} samples x {list(self.channels)} "
            f"at {self.fs:g} Hz, labels [qrs_onset, qrs_offset])"
        )


def max_beat_samples(fs: float, max_before_ms: float, max_after_ms: float) -> int:
    """Longest beat, in samples, that the caps allow at ``fs``.

    >>> max_beat_samples(250, 300, 500), max_beat_samples(500, 300, 500)
    (200, 400)
    """
    return int(np.floor(max_before_ms * fs / 1000)) + int(np.floor(max_after_ms * fs / 1000))


def make_seed_dataset(
    records: Sequence[Record],
    lead: str | Sequence[str] = "ii",
    n_beats: int | None = 300,
    length: int = 200,
    fs: float = 250.0,
    voltage_only: bool = False,
    shift_fraction: float = 0.0,
    seed: int = 0,
    max_before_ms: float = 300.0,
    max_after_ms: float = 500.0,
) -> SeedDataset:
    """Build the learner's ``n x length x 2`` beats with ``[qrs_onset, qrs_offset]`` labels.

    ``shift_fraction`` moves each beat window forward or backward by up to that
    fraction of its cycle length (the learner's augmentation, e.g. 0.1), so the
    QRS is not always at the same place. ``n_beats=None`` keeps every beat; an
    integer draws that many beats at random (seeded) from all candidates.

    >>> from ecgteach import load_ludb_record
    >>> record = load_ludb_record(1, leads=["ii"])
    >>> make_seed_dataset([record], n_beats=None).y.tolist()   # 6 QRS, 4 with neighbours
    [[66, 91], [65, 89], [66, 88], [61, 92]]
    >>> shifted = make_seed_dataset([record], n_beats=None, shift_fraction=0.1, seed=0)
    >>> shifted.shift_ms.tolist(), shifted.y.tolist()          # the QRS moves in the row
    ([36.0, -60.0, -120.0, -128.0], [[57, 82], [80, 104], [96, 118], [93, 124]])
    >>> make_seed_dataset([record], n_beats=None, voltage_only=True).x.shape
    (4, 200, 1)
    >>> make_seed_dataset([record], n_beats=10)
    Traceback (most recent call last):
    ...
    ValueError: asked for 10 beats but these records hold only 4 complete ones; ...
    """
    fs = check_fs(fs)
    leads = [lead] if isinstance(lead, str) else list(lead)
    longest = max_beat_samples(fs, max_before_ms, max_after_ms)
    if length < longest:
        raise ValueError(
            f"a row of {length} samples at {fs:g} Hz ({length * 1000 / fs:.0f} ms) is shorter "
            f"than a beat (up to {max_before_ms:.0f} + {max_after_ms:.0f} ms = {longest} samples); "
            f"use length >= {longest}, a lower fs, or smaller max_before_ms/max_after_ms"
        )
    if not 0 <= shift_fraction < 0.5:
        raise ValueError(f"shift_fraction must be in [0, 0.5), got {shift_fraction}")
    if n_beats is not None and n_beats <= 0:
        raise ValueError(f"n_beats must be positive or None, got {n_beats}")
    if len(records) == 0:
        raise ValueError("no records given: pass e.g. load_ludb(range(1, 161), leads=['ii'])")
    rng = np.random.default_rng(seed)
    rows = []  # (record, lead, start, stop, onset, offset, r_peak, shift)
    signals = {}
    for record in records:
        at_fs = resample_record(record, fs)
        for given in leads:
            try:
                name = at_fs.lead_key(given)
                at_fs.lead_waves(name)
            except ValueError:
                raise ValueError(
                    f"record {record.name} has no annotations for lead {given!r}; "
                    f"load it with leads including {given!r}"
                ) from None
            signals[(record.name, name)] = at_fs.lead(name)
            rows.extend(
                _beats_of(at_fs, name, max_before_ms, max_after_ms, shift_fraction, rng)
            )
    if not rows:
        raise ValueError("no complete beats found in these records (is the lead annotated?)")
    if n_beats is not None:
        if n_beats > len(rows):
            raise ValueError(
                f"asked for {n_beats} beats but these records hold only {len(rows)} complete ones; "
                "pass more records or a smaller n_beats"
            )
        rows = [rows[i] for i in np.sort(rng.choice(len(rows), n_beats, replace=False))]
    n_channels = 1 if voltage_only else 2
    x = np.zeros((len(rows), length, n_channels), dtype=np.float32)
    y = np.zeros((len(rows), 2), dtype=np.int64)
    meta = {k: np.zeros(len(rows), dtype=np.int64) for k in ("record", "r", "pad", "start")}
    shifts = np.zeros(len(rows), dtype=np.float32)
    lead_names = np.empty(len(rows), dtype=object)
    for i, (name, lead_name, start, stop, onset, offset, r_peak, shift) in enumerate(rows):
        beat = signals[(name, lead_name)][start:stop]
        pad = length - beat.size
        x[i, pad:, -1] = beat
        if not voltage_only:
            x[i, pad:, 0] = np.arange(beat.size) * 1000.0 / fs
        y[i] = (pad + onset - start, pad + offset - start)
        meta["record"][i] = int(name) if name.isdigit() else -1
        meta["r"][i], meta["pad"][i], meta["start"][i] = pad + r_peak - start, pad, start
        shifts[i] = shift * 1000.0 / fs
        lead_names[i] = lead_name
    return SeedDataset(
        x=x, y=y, fs=fs,
        channels=("voltage",) if voltage_only else ("time_ms", "voltage"),
        record=meta["record"], lead=lead_names.astype(str), r_peak=meta["r"],
        n_padding=meta["pad"], beat_start=meta["start"], shift_ms=shifts,
    )


def _beats_of(record, lead, max_before_ms, max_after_ms, shift_fraction, rng):
    """Candidate beats of one lead: (name, lead, start, stop, onset, offset, r, shift)."""
    fs = record.fs
    qrs = record.waves[lead]["QRS"]
    qrs = qrs[np.argsort(qrs[:, 1])]
    before_cap = int(np.floor(max_before_ms * fs / 1000))
    after_cap = int(np.floor(max_after_ms * fs / 1000))
    out = []
    for k in range(1, len(qrs) - 1):
        onset, r_peak, offset = (int(v) for v in qrs[k])
        if onset == MISSING or offset == MISSING or not onset <= r_peak <= offset:
            continue
        rr_prev = r_peak - int(qrs[k - 1, 1])
        rr_next = int(qrs[k + 1, 1]) - r_peak
        start = r_peak - min(rr_prev // 2, before_cap)
        stop = r_peak + min(rr_next // 2, after_cap)
        shift = 0
        if shift_fraction > 0:
            cycle = (rr_prev + rr_next) / 2
            shift = int(round(rng.uniform(-shift_fraction, shift_fraction) * cycle))
            start, stop = start + shift, stop + shift
        start, stop = max(start, 0), min(stop, record.n_samples)
        if not (start <= onset and offset < stop):
            continue  # the shift pushed the QRS out of the window
        out.append((record.name, lead, start, stop, onset, offset, r_peak, shift))
    return out
