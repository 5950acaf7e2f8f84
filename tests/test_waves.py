"""Parsing ``(`` peak ``)`` annotations into waves, on hand-made sequences and on all of LUDB."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from ecgteach.datasets import LUDB_LEADS
from ecgteach.ecg import (
    MISSING,
    WAVE_KINDS,
    crop_waves,
    empty_waves,
    parse_waves,
    qrs_durations_ms,
    read_annotation,
    scale_waves,
)


@pytest.fixture(scope="module")
def ludb_parsed(ludb_dir):
    """``{(record, lead): (symbols, samples, waves, quirks)}`` for all 2,400 annotation files."""
    out = {}
    for number in range(1, 201):
        for lead in LUDB_LEADS:
            symbols, samples = read_annotation(ludb_dir / "data" / str(number), lead)
            waves, quirks = parse_waves(symbols, samples)
            out[number, lead] = (symbols, samples, waves, quirks)
    return out


# --- hand-made sequences --------------------------------------------------------------------


def test_clean_triples_become_onset_peak_offset_rows():
    symbols = ["(", "p", ")", "(", "N", ")", "(", "t", ")"]
    samples = [10, 20, 30, 40, 50, 60, 100, 120, 140]
    waves, quirks = parse_waves(symbols, samples)
    assert quirks == []
    assert set(waves) == set(WAVE_KINDS)
    np.testing.assert_array_equal(waves["P"], [[10, 20, 30]])
    np.testing.assert_array_equal(waves["QRS"], [[40, 50, 60]])
    np.testing.assert_array_equal(waves["T"], [[100, 120, 140]])
    assert all(w.dtype == np.int64 and w.shape[1] == 3 for w in waves.values())


def test_annotations_are_used_in_sample_order():
    waves, quirks = parse_waves([")", "N", "("], [60, 50, 40])
    assert quirks == []
    np.testing.assert_array_equal(waves["QRS"], [[40, 50, 60]])


def test_peak_without_onset_keeps_onset_missing_and_reports_it():
    waves, quirks = parse_waves(["N", ")"], [50, 60])
    np.testing.assert_array_equal(waves["QRS"], [[MISSING, 50, 60]])
    assert [(q.kind, q.sample, q.message) for q in quirks] == [("QRS", 50, "peak with no onset")]


def test_onset_placed_after_peak_is_dropped_and_reported():
    # LUDB records 7, 34, 111: "N ( )" with "(" one sample after the peak
    waves, quirks = parse_waves(["N", "(", ")", "(", "t", ")"], [50, 51, 60, 70, 80, 90])
    np.testing.assert_array_equal(waves["QRS"], [[MISSING, 50, 60]])
    np.testing.assert_array_equal(waves["T"], [[70, 80, 90]])
    assert [(q.kind, q.sample, q.message) for q in quirks] == [
        ("QRS", 50, "peak with no onset"),
        ("QRS", 51, "onset placed after the peak (dropped)"),
    ]


def test_peak_without_offset_keeps_offset_missing_and_reports_it():
    waves, quirks = parse_waves(["(", "N", "(", "t", ")"], [40, 50, 70, 80, 90])
    np.testing.assert_array_equal(waves["QRS"], [[40, 50, MISSING]])
    np.testing.assert_array_equal(waves["T"], [[70, 80, 90]])
    assert [(q.kind, q.sample, q.message) for q in quirks] == [("QRS", 50, "peak with no offset")]
    waves, quirks = parse_waves(["(", "N"], [40, 50])  # last wave of the file
    np.testing.assert_array_equal(waves["QRS"], [[40, 50, MISSING]])
    assert quirks[-1].message == "peak with no offset"


def test_orphan_brackets_are_dropped_and_reported():
    waves, quirks = parse_waves(["(", ")", "(", "(", "N", ")", "("], [1, 2, 10, 12, 20, 30, 40])
    np.testing.assert_array_equal(waves["QRS"], [[12, 20, 30]])
    messages = Counter(q.message for q in quirks)
    assert messages == {
        "offset with no peak before it (dropped)": 1,
        "onset with no peak after it (dropped)": 2,
    }


@pytest.mark.parametrize("label", ["N", "A", "B", "V", "Q", "L", "R", "/"])
def test_every_beat_label_is_a_qrs(label):
    # QTDB labels the QRS peak with its beat type
    waves, quirks = parse_waves(["(", "p", ")", "(", label, ")"], [0, 5, 10, 20, 25, 30])
    np.testing.assert_array_equal(waves["QRS"], [[20, 25, 30]])
    np.testing.assert_array_equal(waves["P"], [[0, 5, 10]])
    assert quirks == []


def test_t_and_u_waves_without_onset_are_expected_and_u_is_not_returned():
    # QTDB q1c: most T waves (and all U waves) have only a peak and an offset
    symbols = ["(", "N", ")", "t", ")", "u", ")"]
    waves, quirks = parse_waves(symbols, [0, 5, 10, 40, 60, 70, 80])
    np.testing.assert_array_equal(waves["T"], [[MISSING, 40, 60]])
    assert quirks == []
    assert set(waves) == {"P", "QRS", "T"}
    assert len(waves["QRS"]) == 1  # the U wave's brackets did not leak into another wave


def test_non_wave_symbols_are_ignored():
    waves, quirks = parse_waves(["+", "(", "N", "~", ")", "|"], [0, 10, 20, 25, 30, 40])
    np.testing.assert_array_equal(waves["QRS"], [[10, 20, 30]])
    assert quirks == []


def test_length_mismatch_and_empty_input():
    with pytest.raises(ValueError, match="differ in length"):
        parse_waves(["(", "N"], [1])
    waves, quirks = parse_waves([], [])
    assert quirks == [] and all(w.shape == (0, 3) for w in waves.values())
    assert all(w.shape == (0, 3) for w in empty_waves().values())


def test_scale_crop_and_durations():
    waves = {"P": np.zeros((0, 3), int), "QRS": np.array([[100, 111, 150], [-1, 301, 340]]),
             "T": np.array([[400, 450, -1]])}
    half = scale_waves(waves, 0.5)
    np.testing.assert_array_equal(half["QRS"], [[50, 56, 75], [-1, 150, 170]])
    np.testing.assert_array_equal(half["T"], [[200, 225, -1]])
    with pytest.raises(ValueError, match="positive"):
        scale_waves(waves, 0)
    cropped = crop_waves(waves, 200, 500)
    np.testing.assert_array_equal(cropped["QRS"], [[-1, 101, 140]])
    np.testing.assert_array_equal(cropped["T"], [[200, 250, -1]])
    np.testing.assert_allclose(qrs_durations_ms(waves, 500), [100.0])


# --- the real annotation files --------------------------------------------------------------


def test_wave_counts_over_all_ludb_match_the_readme(ludb_parsed):
    counts = Counter()
    symbols = Counter()
    for symbol_list, _, waves, _ in ludb_parsed.values():
        counts.update({kind: len(rows) for kind, rows in waves.items()})
        symbols.update(symbol_list)
    assert counts == {"QRS": 21965, "P": 16797, "T": 19661}
    # one wave per peak symbol: nothing lost, nothing invented
    assert (symbols["N"], symbols["p"], symbols["t"]) == (21965, 16797, 19661)


def test_qrs_boundaries_missing_exactly_where_the_readme_says(ludb_parsed):
    no_onset, no_offset, onset_after_peak = Counter(), [], Counter()
    clean = 0
    for (number, lead), (_, _, waves, quirks) in ludb_parsed.items():
        qrs = waves["QRS"]
        no_onset[number] += int((qrs[:, 0] == MISSING).sum())
        no_offset += [(number, lead, int(row[1])) for row in qrs if row[2] == MISSING]
        clean += int(((qrs[:, 0] != MISSING) & (qrs[:, 2] != MISSING)).sum())
        onset_after_peak[number] += sum(
            q.kind == "QRS" and q.message == "onset placed after the peak (dropped)" for q in quirks
        )
    no_onset = +no_onset  # drop zero counts
    onset_after_peak = +onset_after_peak
    # 103 with no onset + 18 with the onset after the peak (records 7, 34, 95, 104, 111),
    # plus the last QRS of record 8, lead v5, whose "( )" comes before its peak
    assert no_onset == {7: 18, 34: 15, 95: 35, 104: 36, 111: 17, 8: 1}
    assert onset_after_peak == {7: 8, 34: 2, 111: 8}
    assert sum(onset_after_peak.values()) == 18
    assert clean == 21843
    # the single QRS with no offset: the very end of record 8
    assert no_offset == [(8, "v5", 4464)]


def test_record_104_limb_leads_have_no_qrs_onsets(ludb_parsed):
    for lead in LUDB_LEADS:
        qrs = ludb_parsed[104, lead][2]["QRS"]
        assert len(qrs) == 9
        if lead in ("ii", "iii", "avr", "avf"):
            assert (qrs[:, 0] == MISSING).all(), lead
        else:
            assert (qrs[:, 0] != MISSING).all(), lead
        assert (qrs[:, 2] != MISSING).all()


def test_record_8_last_qrs_has_no_offset_and_is_reported(ludb_parsed):
    _, _, waves, quirks = ludb_parsed[8, "v5"]
    last = waves["QRS"][-1]
    assert last[1] == 4464 and last[2] == MISSING
    assert ("QRS", 4464, "peak with no offset") in [(q.kind, q.sample, q.message) for q in quirks]


def test_every_annotation_lands_in_a_wave_or_a_quirk(ludb_parsed):
    # each "(" and ")" is either a boundary of a returned wave or reported as dropped
    for key, (symbols, _, waves, quirks) in ludb_parsed.items():
        rows = np.concatenate(list(waves.values()))
        n_onsets = int((rows[:, 0] != MISSING).sum())
        n_offsets = int((rows[:, 2] != MISSING).sum())
        dropped = Counter(q.message for q in quirks)
        n_open = symbols.count("(")
        n_close = symbols.count(")")
        assert n_onsets + dropped["onset with no peak after it (dropped)"] + dropped[
            "onset placed after the peak (dropped)"
        ] + dropped["offset with no peak before it (dropped)"] >= n_open, key
        assert n_offsets + dropped["offset with no peak before it (dropped)"] == n_close, key


def test_quirk_totals_over_all_ludb(ludb_parsed):
    totals = Counter(
        (q.kind, q.message) for (_, _, _, quirks) in ludb_parsed.values() for q in quirks
    )
    assert totals == {
        ("QRS", "peak with no onset"): 122,  # 103 + 18 onset-after-peak + record 8
        ("QRS", "onset placed after the peak (dropped)"): 18,
        ("QRS", "peak with no offset"): 1,  # record 8, v5
        ("?", "offset with no peak before it (dropped)"): 10,  # records 8 and 116
        ("?", "onset with no peak after it (dropped)"): 8,  # record 116
        ("T", "peak with no offset"): 9,  # record 116
        ("P", "peak with no onset"): 1,  # record 198, v2
        ("P", "onset placed after the peak (dropped)"): 1,  # record 198, v2
    }


def test_quirks_only_in_the_known_records(ludb_parsed):
    with_quirks = sorted({number for (number, _), value in ludb_parsed.items() if value[3]})
    # README: 7, 8, 34, 95, 104, 111 (QRS); also 116 (six stacked T-wave candidates
    # in v1/v2, an unclosed T in v4) and 198 (a P onset after its peak in v2)
    assert with_quirks == [7, 8, 34, 95, 104, 111, 116, 198]


def test_waves_are_ordered_and_boundaries_bracket_the_peak(ludb_parsed):
    for key, (_, _, waves, _) in ludb_parsed.items():
        for kind, rows in waves.items():
            assert (np.diff(rows[:, 1]) >= 0).all(), (key, kind)
            onset_ok = (rows[:, 0] == MISSING) | (rows[:, 0] <= rows[:, 1])
            offset_ok = (rows[:, 2] == MISSING) | (rows[:, 2] >= rows[:, 1])
            assert onset_ok.all() and offset_ok.all(), (key, kind)
