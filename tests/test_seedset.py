"""The learner's N x 200 x 2 beats: labels point at the cardiologists' QRS boundaries."""

from __future__ import annotations

import numpy as np
import pytest

import ecgteach
from ecgteach.beats import make_seed_dataset
from ecgteach.beats.seedset import max_beat_samples
from ecgteach.datasets import split_patients
from ecgteach.ecg import parse_waves, read_annotation, resample_record


@pytest.fixture(scope="module")
def train_records():
    return ecgteach.load_ludb(split_patients(seed=0)["train"], leads=["ii"])


@pytest.fixture(scope="module")
def beats(train_records):
    return make_seed_dataset(train_records, n_beats=300, seed=0)


def _annotated_qrs(ludb_dir, record: int, lead: str) -> np.ndarray:
    """QRS rows (onset, peak, offset) at 500 Hz straight from the annotation file."""
    waves, _ = parse_waves(*read_annotation(ludb_dir / "data" / str(record), lead))
    return waves["QRS"]


def test_shapes_and_channels(beats):
    assert beats.x.shape == (300, 200, 2) and beats.x.dtype == np.float32
    assert beats.y.shape == (300, 2)
    assert beats.channels == ("time_ms", "voltage") and beats.fs == 250.0
    assert len(beats) == 300 and beats.length == 200
    assert set(beats.lead) == {"ii"}
    train = set(split_patients(seed=0)["train"])
    assert set(beats.record.tolist()) <= train
    assert len(set(beats.record.tolist())) > 50  # drawn across many patients
    assert max_beat_samples(250, 300, 500) == 200


def test_labels_point_at_the_annotated_qrs_boundaries(beats, ludb_dir):
    for i in range(len(beats)):
        record, lead = int(beats.record[i]), str(beats.lead[i])
        qrs = _annotated_qrs(ludb_dir, record, lead)
        onset_250, offset_250 = beats.beat_start[i] + beats.y[i] - beats.n_padding[i]
        r_250 = beats.beat_start[i] + beats.r_peak[i] - beats.n_padding[i]
        row = qrs[np.argmin(np.abs(qrs[:, 1] - 2 * r_250))]
        assert abs(2 * r_250 - row[1]) <= 1
        # back at 500 Hz: within one 500 Hz sample (half a 250 Hz sample)
        assert abs(2 * onset_250 - row[0]) <= 1, (record, row)
        assert abs(2 * offset_250 - row[2]) <= 1, (record, row)
        assert beats.y[i, 0] <= beats.r_peak[i] <= beats.y[i, 1]


def test_labels_are_exact_at_500_hz(train_records, ludb_dir):
    beats = make_seed_dataset(train_records[:40], n_beats=100, fs=500, length=400, seed=1)
    assert beats.x.shape == (100, 400, 2)
    for i in range(len(beats)):
        qrs = _annotated_qrs(ludb_dir, int(beats.record[i]), "ii")
        onset, offset = beats.beat_start[i] + beats.y[i] - beats.n_padding[i]
        r_peak = beats.beat_start[i] + beats.r_peak[i] - beats.n_padding[i]
        assert [onset, r_peak, offset] in qrs.tolist()
        np.testing.assert_allclose(beats.x[i, -1, 0], (400 - beats.n_padding[i] - 1) * 2.0)


def test_zero_padding_at_the_start_and_time_in_ms_from_zero(beats, train_records):
    by_name = {r.name: resample_record(r, 250) for r in train_records}
    for i in range(len(beats)):
        pad = int(beats.n_padding[i])
        assert 0 <= pad < 200
        assert (beats.x[i, :pad] == 0).all()  # time and voltage both zero before the beat
        n = 200 - pad
        np.testing.assert_allclose(beats.x[i, pad:, 0], np.arange(n) * 4.0)  # ms at 250 Hz
        start = int(beats.beat_start[i])
        signal = by_name[str(beats.record[i])].lead("ii")
        np.testing.assert_array_equal(beats.x[i, pad:, 1], signal[start : start + n])
        assert pad <= beats.y[i, 0] and beats.y[i, 1] < 200
    assert (beats.n_padding > 0).mean() > 0.5  # most beats are shorter than 800 ms
    np.testing.assert_allclose(beats.y_ms, beats.y * 4.0)
    np.testing.assert_array_equal(beats.voltage, beats.x[:, :, 1])
    assert (beats.shift_ms == 0).all()


def test_voltage_only_gives_one_channel(train_records, beats):
    volts = make_seed_dataset(train_records, n_beats=300, seed=0, voltage_only=True)
    assert volts.x.shape == (300, 200, 1) and volts.channels == ("voltage",)
    np.testing.assert_array_equal(volts.y, beats.y)
    np.testing.assert_array_equal(volts.x[:, :, 0], beats.x[:, :, 1])
    np.testing.assert_array_equal(volts.voltage, beats.voltage)


def test_shift_augmentation_moves_the_labels(train_records, beats):
    shifted = make_seed_dataset(train_records, n_beats=300, seed=0, shift_fraction=0.1)
    assert shifted.y[:, 0].std() > beats.y[:, 0].std()
    assert shifted.y[:, 1].std() > beats.y[:, 1].std()
    assert (shifted.shift_ms != 0).mean() > 0.8
    assert np.abs(shifted.shift_ms).max() <= 0.1 * 2000  # 10 % of a cycle (<= 2 s)


@pytest.mark.parametrize("fraction", [0.1, 0.3, 0.45])
def test_shifted_labels_stay_inside_the_beat(train_records, ludb_dir, fraction):
    # a shift may push the QRS out of its window: such beats are dropped, never
    # given labels past the end of the row
    shifted = make_seed_dataset(train_records[:60], n_beats=None, shift_fraction=fraction)
    assert (shifted.y[:, 0] >= shifted.n_padding).all()
    assert (shifted.y[:, 1] < shifted.length).all()
    assert (shifted.y[:, 0] <= shifted.y[:, 1]).all()
    for i in range(0, len(shifted), 7):
        qrs = _annotated_qrs(ludb_dir, int(shifted.record[i]), "ii")
        onset = shifted.beat_start[i] + shifted.y[i, 0] - shifted.n_padding[i]
        assert np.abs(qrs[:, 0] - 2 * onset).min() <= 1


def test_same_seed_same_data_and_another_seed_other_beats(train_records, beats):
    again = make_seed_dataset(train_records, n_beats=300, seed=0)
    np.testing.assert_array_equal(again.x, beats.x)
    np.testing.assert_array_equal(again.y, beats.y)
    other = make_seed_dataset(train_records, n_beats=300, seed=1)
    assert not np.array_equal(other.y, beats.y)
    a = make_seed_dataset(train_records, n_beats=50, seed=4, shift_fraction=0.1)
    b = make_seed_dataset(train_records, n_beats=50, seed=4, shift_fraction=0.1)
    np.testing.assert_array_equal(a.x, b.x)


def test_all_beats_and_subset(train_records):
    every = make_seed_dataset(train_records, n_beats=None)
    # every QRS with both boundaries and an annotated neighbour on each side
    candidates = sum(
        int(((r.waves["ii"]["QRS"][1:-1] != -1).all(axis=1)).sum()) for r in train_records
    )
    assert 0.95 * candidates <= len(every) <= candidates
    part = every.subset(np.arange(10))
    assert len(part) == 10 and part.channels == every.channels
    np.testing.assert_array_equal(part.y, every.y[:10])
    np.testing.assert_array_equal(every.subset(slice(5, 8)).x, every.x[5:8])
    assert "labels [qrs_onset, qrs_offset]" in repr(part)


def test_clear_errors(train_records):
    with pytest.raises(ValueError, match="shorter than a beat"):
        make_seed_dataset(train_records, length=100)
    with pytest.raises(ValueError, match="shorter than a beat"):
        make_seed_dataset(train_records, fs=500, length=200)
    with pytest.raises(ValueError, match=r"asked for 100000 beats but these records hold only"):
        make_seed_dataset(train_records, n_beats=100_000)
    with pytest.raises(ValueError, match="n_beats must be positive"):
        make_seed_dataset(train_records, n_beats=0)
    with pytest.raises(ValueError, match="shift_fraction"):
        make_seed_dataset(train_records, shift_fraction=0.5)
    with pytest.raises(ValueError, match="no annotations for lead 'v1'"):
        make_seed_dataset(train_records, lead="v1")
    with pytest.raises(ValueError, match="no records given"):
        make_seed_dataset([])
    with pytest.raises(ValueError, match="sampling rate"):
        make_seed_dataset(train_records, fs=0)


def test_beats_with_missing_boundaries_are_not_used():
    # record 104, lead ii: no QRS onsets at all, so no beat can be labelled
    record = ecgteach.load_ludb_record(104, leads=["ii"])
    with pytest.raises(ValueError, match="no complete beats"):
        make_seed_dataset([record], n_beats=None)
    several = make_seed_dataset(ecgteach.load_ludb([104], leads=["v1"]), "v1", n_beats=None)
    assert len(several) == 7  # 9 QRS minus the first and the last
