"""Corruptions have the asked-for size; scoring and the worst-beat gallery on real records."""

from __future__ import annotations

import numpy as np
import pytest

import ecgteach
from ecgteach.delineation import score_delineator, worst_beats
from ecgteach.evaluation import add_baseline_wander, add_noise, add_powerline


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


def test_score_delineator_and_worst_beats():
    records = ecgteach.load_ludb([1, 2, 3], leads=["ii"])
    delineator = truth_delineator(records)
    scores = score_delineator(delineator, records).pooled.scores()
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

    score_delineator(spy, records, corrupt=lambda x, fs: add_baseline_wander(x, fs, 2.0),
                     warm_up=False)
    assert seen and seen[0] > 1.5


def test_other_leads_boundary_follows_a_shifted_lead():
    """Move lead ii's QRS offsets 5 samples later: they now sit 10 ms after the other leads."""
    from dataclasses import replace

    from ecgteach.evaluation import other_leads_boundary

    record = ecgteach.load_ludb_record(1)
    reference = other_leads_boundary(record, "ii", "QRS offset")
    qrs = record.waves["ii"]["QRS"]
    assert reference.shape == (len(qrs),) and np.isfinite(reference).all()
    assert np.nanmedian(np.abs(reference - qrs[:, 2])) < 10  # samples: the same beats
    shifted = {**record.waves, "ii": {**record.waves["ii"],
                                      "QRS": np.where(qrs >= 0, qrs + [0, 0, 5], -1)}}
    moved = replace(record, waves=shifted)
    np.testing.assert_array_equal(other_leads_boundary(moved, "ii", "QRS offset"), reference)
    with pytest.raises(ValueError, match="'QRS offset'"):
        other_leads_boundary(record, "ii", "QRS end")
    with pytest.raises(ValueError, match="no annotations for lead"):
        other_leads_boundary(ecgteach.load_ludb_record(1, leads=["ii"]), "v1")


def test_label_agreement_on_real_records():
    from ecgteach.evaluation import agreement_summary, label_agreement

    records = ecgteach.load_ludb([2, 170], leads=None)
    exact = truth_delineator(records)  # the lead ii labels shifted 2 samples (4 ms) later
    rows = label_agreement(records, exact, "ii", "QRS offset")
    assert [r.record for r in rows] == ["2", "170"]
    for row in rows:
        assert row.model_vs_label_ms == pytest.approx(4.0)
        assert row.model_vs_other_leads_ms == pytest.approx(row.label_vs_other_leads_ms + 4.0)
    # record 170: the lead ii QRS offsets sit well after the same beats' offsets in the other leads
    assert rows[1].label_vs_other_leads_ms > 10
    summary = agreement_summary(rows, departs_ms=10)
    assert summary["departing"] == ["170"]
    assert summary["model_vs_label_without_departing_ms"] == pytest.approx(4.0)
    assert summary["n_beats"] == sum(r.n_beats for r in rows)


def test_label_spread_moves_with_a_shifted_lead_and_agrees_with_label_agreement():
    from dataclasses import replace

    from ecgteach.evaluation import label_agreement, label_spread_ms

    record = ecgteach.load_ludb_record(170)
    spread = label_spread_ms([record], "ii", "QRS offset")
    [row] = label_agreement([record], lambda signal, fs: record.waves["ii"], "ii", "QRS offset")
    assert spread.size == row.n_beats
    assert spread.mean() == pytest.approx(row.label_vs_other_leads_ms)
    qrs = record.waves["ii"]["QRS"]
    shifted = replace(record, waves={**record.waves, "ii": {
        **record.waves["ii"], "QRS": np.where(qrs >= 0, qrs + [0, 0, 5], -1)}})
    np.testing.assert_allclose(label_spread_ms([shifted], "ii", "QRS offset"), spread + 10.0)
    assert label_spread_ms([ecgteach.load_ludb_record(170, leads=["ii"])], "ii").size == 0
