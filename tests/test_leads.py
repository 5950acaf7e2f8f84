"""Lead names are normalised once, at every entry: "II", "ii" and " aVR " all work."""

from __future__ import annotations

import numpy as np
import pytest

import ecgteach
from ecgteach.ecg import lead_name, lead_names


def test_a_new_users_first_steps_accept_upper_case():
    """The issue as found: load with "II", then build beats with "II"."""
    records = ecgteach.load_ludb([1, 2], leads=["II"])
    beats = ecgteach.make_seed_dataset(records, lead="II", n_beats=None)
    assert records[0].leads == ("ii",) and len(beats) > 0
    assert set(beats.lead) == {"ii"}


def test_every_entry_point_takes_any_case():
    record = ecgteach.load_ludb_record(3, leads=["II", "aVR"])
    assert record.leads == ("ii", "avr")
    np.testing.assert_array_equal(record.lead("II"), record.lead("ii"))
    assert record.lead_waves("AVR") is record.waves["avr"]
    assert record.span("II") == record.span("ii")
    labels, valid = ecgteach.segmentation_labels(record, "II")
    assert labels.shape == valid.shape == (record.n_samples,)
    windows = ecgteach.make_windows([record], leads="II", fs=250, window_s=2.0)
    assert len(windows) > 0
    assert ecgteach.qrs_durations([record], lead="II").size > 0
    wfdb_record = ecgteach.load_wfdb_record(ecgteach.bundled_ludb_path() / "data" / "3",
                                            lead_annotators={"II": "ii"}, leads=["II"],
                                            max_gap_s=None)
    assert wfdb_record.leads == ("ii",) and "ii" in wfdb_record.waves


def test_unknown_or_unannotated_leads_say_what_exists():
    with pytest.raises(ValueError, match=r"unknown lead\(s\) \['v7'\]"):
        lead_names(["ii", "V7"])
    record = ecgteach.load_ludb_record(1, leads=["ii"])
    with pytest.raises(ValueError, match="no annotations for lead 'v1'.*annotated leads: ii"):
        record.lead_waves("v1")
    with pytest.raises(ValueError, match="load it with leads including 'v1'"):
        ecgteach.make_seed_dataset([record], lead="v1")
    with pytest.raises(ValueError, match="a lead name must be a string"):
        lead_name(2)


def test_qtdb_spellings_are_kept():
    record = ecgteach.load_qtdb(ecgteach.bundled_qtdb_records()[0])
    first = record.leads[0]
    assert record.lead_key(first.lower()) == first
    assert ecgteach.qrs_durations([record], lead=first.lower()).size > 0
