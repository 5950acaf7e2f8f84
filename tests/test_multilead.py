"""Several leads at once: the fused delineation, its errors, its scoring and the command line."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

import ecgteach
from ecgteach.cli import main
from ecgteach.delineation import as_delineator, delineate, score_delineator
from ecgteach.delineation.delineator import lead_columns


@pytest.fixture(scope="module")
def record():
    return ecgteach.load_ludb_record(2)


def test_fused_gives_one_wave_set_that_matches_every_leads_labels(record):
    waves = delineate(record.signal, record.fs)
    assert sorted(waves) == ["P", "QRS", "T"]
    found = waves["QRS"][:, 1]
    onsets = waves["QRS"][:, 0][waves["QRS"][:, 0] >= 0]
    errors_ms = []
    for lead in record.waves:
        for onset, _, offset in record.lead_waves(lead)["QRS"]:
            # every labelled QRS of every lead holds one fused QRS peak
            assert ((found > onset) & (found < offset)).sum() == 1, (lead, onset)
            if onset >= 0:
                errors_ms.append(np.abs(onsets - onset).min() / record.fs * 1000)
    # the leads' own labels differ by up to ~30 ms; the fused onset sits among them
    assert np.median(errors_ms) <= 10, np.median(errors_ms)
    assert len(found) == len(delineate(record.lead("ii"), record.fs)["QRS"])


def test_fused_of_one_lead_has_that_leads_boundaries(record):
    ii = record.lead("ii")
    alone = delineate(ii, record.fs)
    fused = delineate(ii[:, None], record.fs)
    for kind in alone:
        np.testing.assert_array_equal(fused[kind][:, [0, 2]], alone[kind][:, [0, 2]])


def test_fuse_false_is_one_set_per_lead_in_order(record):
    signal = record.signal[:, :3]
    per_lead = delineate(signal, record.fs, fuse=False)
    assert len(per_lead) == 3
    for k, waves in enumerate(per_lead):
        np.testing.assert_array_equal(waves["QRS"], delineate(signal[:, k], record.fs)["QRS"])


def test_fusing_moves_boundaries_towards_what_the_leads_agree_on(record):
    # the fused probabilities are the mean of the leads' probabilities
    delineator = as_delineator()
    _, fused = delineator.fused_waves_and_probabilities(record.signal, record.fs)
    per_lead = delineator.probabilities_many(list(record.signal.T), record.fs)
    np.testing.assert_allclose(fused, np.mean(per_lead, axis=0), atol=1e-6)


@pytest.mark.parametrize(("shape", "message"), [
    ((12, 5000), "looks leads-first.*pass signal.T"),
    ((1, 5000), "one lead was given as a row.*signal\\[0\\]"),
    ((10, 500, 2), "got shape \\(10, 500, 2\\)"),
])
def test_bad_shapes_say_what_to_do(shape, message):
    with pytest.raises(ValueError, match=message):
        delineate(np.zeros(shape), 500)


def test_leads_of_different_lengths_are_refused():
    with pytest.raises(ValueError, match="differ in length \\(5000, 4000 samples\\)"):
        as_delineator().fused([np.zeros(5000), np.zeros(4000)], 500)
    assert [x.shape for x in lead_columns([np.ones(5), np.ones(5)])] == [(5,), (5,)]


def test_a_short_recording_with_many_leads_is_not_mistaken_for_leads_first():
    # 2 s at 500 Hz of 12 leads: more samples than leads, so it is samples-first
    assert len(lead_columns(np.zeros((1000, 12)))) == 12


def test_scoring_the_fused_set_against_every_lead(record):
    fused = score_delineator(None, [record], "all", fuse=True)
    per_lead = score_delineator(None, [record], "all")
    assert fused.pooled.n_added == per_lead.pooled.n_added == 12   # one span per lead
    onset = fused.pooled.scores()["QRS onset"]
    assert onset.n_true == per_lead.pooled.scores()["QRS onset"].n_true
    assert onset.sensitivity == 100.0 and abs(onset.mean_ms) < 15
    with pytest.raises(ValueError, match="fuse=True needs a segmenter"):
        score_delineator(lambda signal, fs: {}, [record], "all", fuse=True)


@pytest.fixture()
def record_copy(tmp_path):
    source = ecgteach.bundled_ludb_path() / "data"
    for path in source.glob("2.*"):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path / "2"


def test_cli_all_leads_writes_one_channel_per_lead(record_copy, capsys):
    import wfdb

    assert main(["delineate", str(record_copy), "--all-leads", "--csv"]) == 0
    annotation = wfdb.rdann(str(record_copy), "ecgteach")
    assert sorted(set(annotation.chan.tolist())) == list(range(12))
    header = wfdb.rdheader(str(record_copy))
    per_lead = delineate(wfdb.rdrecord(str(record_copy)).p_signal, 500, fuse=False)
    for k, waves in enumerate(per_lead):
        on_channel = annotation.sample[annotation.chan == k]
        peaks = [s for s, sym, c in zip(annotation.sample, annotation.symbol, annotation.chan,
                                         strict=True) if c == k and sym == "N"]
        assert peaks == waves["QRS"][:, 1].tolist(), header.sig_name[k]
        assert on_channel.size > 0
    table = (record_copy.parent / "2_waves.csv").read_text().splitlines()
    assert table[0] == "lead,wave,onset_s,peak_s,offset_s"
    assert {line.split(",")[0] for line in table[1:]} == set(header.sig_name)
    assert "channel 11" in capsys.readouterr().out


def test_cli_fused_writes_one_set(record_copy, capsys):
    import wfdb

    assert main(["delineate", str(record_copy), "--fused", "--out", "fused"]) == 0
    annotation = wfdb.rdann(str(record_copy), "fused")
    fused = delineate(ecgteach.load_ludb_record(2).signal, 500)
    assert [s for s, sym in zip(annotation.sample, annotation.symbol, strict=True)
            if sym == "N"] == fused["QRS"][:, 1].tolist()
    assert "fused" in capsys.readouterr().out


def test_cli_refuses_two_lead_choices(record_copy, capsys):
    assert main(["delineate", str(record_copy), "--fused", "--lead", "ii"]) != 0
    assert "give one of --lead / --fused" in capsys.readouterr().err
