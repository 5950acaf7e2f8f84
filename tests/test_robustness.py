"""Corruptions have the asked-for size; scoring and the worst-beat gallery on real records."""

from __future__ import annotations

import numpy as np
import pytest

import ecgteach
from ecgteach.robustness import (
    add_baseline_wander,
    add_noise,
    add_powerline,
    score_records,
    worst_beats,
)


@pytest.fixture(scope="module")
def record():
    return ecgteach.load_ludb_record(1, leads=["ii"])


@pytest.mark.parametrize("snr_db", [0.0, 6.0, 20.0])
def test_noise_has_the_requested_snr(record, snr_db):
    x = record.lead("ii")
    noisy = add_noise(x, snr_db, seed=3)
    measured = 10 * np.log10(np.var(x) / np.var(noisy - x))
    assert measured == pytest.approx(snr_db, abs=0.2)
    np.testing.assert_array_equal(noisy, add_noise(x, snr_db, seed=3))  # seeded


def test_wander_and_powerline_amplitudes(record):
    x = record.lead("ii")
    drift = add_baseline_wander(x, record.fs, amplitude_mv=1.0, frequency_hz=0.25) - x
    assert np.abs(drift).max() == pytest.approx(1.0, abs=0.02)
    spectrum = np.abs(np.fft.rfft(add_powerline(x, record.fs, 0.2, 60.0) - x))
    assert np.fft.rfftfreq(x.size, 1 / record.fs)[spectrum.argmax()] == pytest.approx(60.0)
    with pytest.raises(ValueError, match="positive"):
        add_baseline_wander(x, 0)
    with pytest.raises(ValueError, match="NaN"):
        add_noise(np.array([1.0, np.nan]), 10)


def truth_delineator(records):
    """A 'delineator' that returns the cardiologists' waves, shifted by 2 samples."""
    table = {r.lead("ii").tobytes(): r.waves["ii"] for r in records}

    def delineate(signal, fs):
        waves = table[np.asarray(signal, dtype=np.float32).tobytes()]
        return {k: np.where(v >= 0, v + 2, -1) for k, v in waves.items()}

    return delineate


def test_score_records_and_worst_beats():
    records = ecgteach.load_ludb([1, 2, 3], leads=["ii"])
    delineator = truth_delineator(records)
    scores = score_records(records, delineator).scores()
    assert scores["QRS onset"].mean_ms == pytest.approx(4.0)  # 2 samples at 500 Hz
    assert scores["QRS onset"].sensitivity == 100.0
    gallery = worst_beats(records, delineator, n=5)
    assert len(gallery) == 5
    assert all(beat.worst_ms == pytest.approx(4.0) for beat in gallery)


def test_corruption_is_applied_before_delineation():
    records = ecgteach.load_ludb([1], leads=["ii"])
    seen = []

    def spy(signal, fs):
        seen.append(float(np.abs(signal - records[0].lead("ii")).max()))
        return ecgteach.resample_record(records[0], fs).waves["ii"]

    score_records(records, spy, corrupt=lambda x, fs: add_baseline_wander(x, fs, 2.0))
    assert seen and seen[0] > 1.5
