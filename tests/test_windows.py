"""Boundary distributions, per-sample P/QRS/T labels and windows, checked on real annotations."""

from __future__ import annotations

import numpy as np
import pytest

import ecgteach
from ecgteach.beats import boundary_targets
from ecgteach.datasets import LUDB_LEADS
from ecgteach.delineation import SEGMENT_CLASSES, make_windows, segmentation_labels
from ecgteach.delineation.windows import UNLABELLED
from ecgteach.ecg import MISSING, WAVE_KINDS, resample_record, standardise

CLASS = {kind: SEGMENT_CLASSES.index(kind) for kind in WAVE_KINDS}  # P 1, QRS 2, T 3


# --- boundary targets -----------------------------------------------------------------------


def test_one_hot_rows_sum_to_one_and_sit_on_the_position():
    positions = np.array([0, 17, 199, 42])
    out = boundary_targets(positions, 200)
    assert out.shape == (4, 200) and out.dtype == np.float32
    np.testing.assert_array_equal(out.sum(axis=1), 1)
    np.testing.assert_array_equal(out.argmax(axis=1), positions)
    assert set(np.unique(out)) == {0.0, 1.0}


@pytest.mark.parametrize("sigma", [0.5, 2.0, 5.0])
def test_gaussian_rows_sum_to_one_and_peak_at_the_position(sigma):
    positions = np.array([3, 50, 100, 196])
    out = boundary_targets(positions, 200, sigma=sigma)
    np.testing.assert_allclose(out.sum(axis=1), 1, rtol=1e-5)
    np.testing.assert_array_equal(out.argmax(axis=1), positions)
    row = out[2]
    np.testing.assert_allclose(row[100 - 3 : 100], row[101 : 104][::-1], rtol=1e-5)  # symmetric
    assert (out > 0).sum(axis=1).min() > 1  # spread over neighbours


def test_targets_of_the_seed_labels():
    beats = ecgteach.make_seed_dataset(ecgteach.load_ludb(range(1, 41), leads=["ii"]), n_beats=50)
    for column in (0, 1):
        out = boundary_targets(beats.y[:, column], beats.length, sigma=2.0)
        np.testing.assert_array_equal(out.argmax(axis=1), beats.y[:, column])


@pytest.mark.parametrize(
    ("positions", "length", "sigma", "message"),
    [
        (np.array([200]), 200, 0.0, r"indices in \[0, 200\)"),
        (np.array([-1]), 200, 0.0, "indices"),
        (np.zeros((2, 2)), 200, 0.0, "1-D"),
        (np.array([1]), 0, 0.0, "length must be positive"),
        (np.array([1]), 200, -1.0, "sigma"),
    ],
)
def test_boundary_targets_reject_bad_input(positions, length, sigma, message):
    with pytest.raises(ValueError, match=message):
        boundary_targets(positions, length, sigma=sigma)


# --- segmentation labels --------------------------------------------------------------------


def test_annotated_samples_carry_their_class(all_records):
    for record in all_records:
        for lead in LUDB_LEADS:
            labels, valid = segmentation_labels(record, lead)
            assert labels.dtype == np.int8 and labels.shape == (record.n_samples,)
            for kind, rows in record.waves[lead].items():
                for column in range(3):  # onset, peak and offset samples
                    samples = rows[:, column][rows[:, column] != MISSING]
                    assert (labels[samples] == CLASS[kind]).all(), (record.name, lead, kind)
                    assert valid[samples].all()


def test_waves_are_labelled_from_onset_to_offset_and_background_between():
    record = ecgteach.load_ludb_record(1, leads=["ii"])
    labels, valid = segmentation_labels(record, "ii")
    qrs = record.waves["ii"]["QRS"]
    onset, _, offset = qrs[2]
    assert (labels[onset : offset + 1] == CLASS["QRS"]).all()
    t_offset = record.waves["ii"]["T"][record.waves["ii"]["T"][:, 1] > qrs[2, 1]][0, 2]
    next_p = record.waves["ii"]["P"][record.waves["ii"]["P"][:, 1] > t_offset][0, 0]
    assert (labels[t_offset + 1 : next_p] == 0).all() and next_p - t_offset > 10
    assert set(np.unique(labels[valid])) == {0, 1, 2, 3}


def test_outside_the_span_is_unlabelled(all_records):
    for record in all_records[:40]:
        for lead in ("ii", "v1"):
            labels, valid = segmentation_labels(record, lead)
            start, stop = record.span(lead)
            assert not valid[:start].any() and not valid[stop:].any()
            assert (labels[:start] == UNLABELLED).all() and (labels[stop:] == UNLABELLED).all()
            assert valid[start] and valid[stop - 1]
            np.testing.assert_array_equal(labels == UNLABELLED, ~valid)


def test_missing_boundaries_leave_a_gap_unlabelled():
    # record 104, lead ii: no QRS onsets, so nobody said where those QRS start
    record = ecgteach.load_ludb_record(104, leads=["ii"])
    labels, valid = segmentation_labels(record, "ii")
    waves = record.waves["ii"]
    marks = np.sort(np.concatenate([w[w != MISSING] for w in waves.values()]))
    for _, peak, _ in waves["QRS"]:
        before = marks[marks < peak]
        if before.size == 0:
            continue
        gap = slice(int(before[-1]) + 1, int(peak))
        assert not valid[gap].any() and (labels[gap] == UNLABELLED).all()
        assert labels[peak] == CLASS["QRS"]
    assert valid.sum() > 0.5 * (record.span("ii")[1] - record.span("ii")[0])


def test_segmentation_after_resampling(all_records):
    for record in all_records[:20]:
        half = resample_record(record, 250)
        labels, valid = segmentation_labels(half, "ii")
        assert labels.shape == (2500,)
        for kind, rows in half.waves["ii"].items():
            peaks = rows[:, 1]
            assert (labels[peaks] == CLASS[kind]).all()


def test_segmentation_of_an_unannotated_lead_is_an_error():
    record = ecgteach.load_ludb_record(1, leads=["ii"])
    with pytest.raises(ValueError, match="no annotations for lead 'v1'"):
        segmentation_labels(record, "v1")


def test_qtdb_labels_only_the_annotated_beats():
    record = ecgteach.load_qtdb("sel100")
    labels, valid = segmentation_labels(record, "MLII")
    assert not valid[~record.labelled_mask("MLII")].any()
    # q1c T waves have no onset: from the QRS offset to the T peak nobody said where T starts
    waves = record.waves["MLII"]
    for (_, _, qrs_offset), (t_onset, t_peak, _) in zip(waves["QRS"], waves["T"], strict=True):
        assert t_onset == MISSING and qrs_offset < t_peak
        assert not valid[qrs_offset + 1 : t_peak].any()
    assert valid.sum() > 0.5 * record.labelled_mask("MLII").sum()
    assert (labels[record.waves["MLII"]["QRS"][:, 1]] == CLASS["QRS"]).all()
    assert (labels[: record.spans["MLII"][0][0]] == UNLABELLED).all()


# --- windows --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def some_records():
    return ecgteach.load_ludb(range(1, 11), leads=["ii", "v1"])


def test_windows_shapes_and_contents(some_records):
    windows = make_windows(some_records, leads=["ii"], fs=250, window_s=2.0)
    n = len(windows)
    assert windows.x.shape == (n, 500, 1) and windows.x.dtype == np.float32
    assert windows.labels.shape == (n, 500) and windows.labels.dtype == np.int8
    assert windows.valid.shape == (n, 500) and windows.valid.dtype == bool
    assert windows.fs == 250 and set(windows.lead) == {"ii"}
    by_name = {r.name: resample_record(r, 250) for r in some_records}
    for i in range(n):
        record = by_name[str(windows.record[i])]
        start = int(windows.start[i])
        span_start, span_stop = record.span("ii")
        assert span_start <= start and start + 500 <= span_stop  # inside the labelled span
        z = standardise(record.lead("ii"))  # z-scored over the whole record
        np.testing.assert_array_equal(windows.x[i, :, 0], z[start : start + 500])
        labels, valid = segmentation_labels(record, "ii")
        np.testing.assert_array_equal(windows.labels[i], labels[start : start + 500])
        np.testing.assert_array_equal(windows.valid[i], valid[start : start + 500])
    np.testing.assert_array_equal(windows.labels == UNLABELLED, ~windows.valid)
    one_hot = windows.one_hot()
    assert one_hot.shape == (n, 500, 4)
    np.testing.assert_array_equal(one_hot.sum(axis=-1), windows.valid.astype(np.float32))
    valid = windows.valid
    np.testing.assert_array_equal(one_hot.argmax(axis=-1)[valid], windows.labels[valid])


def test_windows_tile_the_span_and_end_on_it(some_records):
    windows = make_windows(some_records, leads="ii", fs=250, window_s=2.0)
    half = resample_record(some_records[0], 250)
    start, stop = half.span("ii")
    mine = windows.start[windows.record == "1"]
    expected = list(range(start, stop - 500 + 1, 500))
    if expected[-1] != stop - 500:
        expected.append(stop - 500)
    assert mine.tolist() == expected
    overlapping = make_windows(some_records[:1], leads="ii", fs=250, window_s=2.0, stride_s=0.5)
    assert len(overlapping) > len(mine)
    both = make_windows(some_records, fs=250, window_s=2.0)  # every annotated lead
    assert set(both.lead) == {"ii", "v1"} and len(both) > len(windows)


def test_window_errors(some_records):
    with pytest.raises(ValueError, match="no window of 20 s fits"):
        make_windows(some_records, leads="ii", window_s=20)
    with pytest.raises(ValueError, match="window_s must be positive"):
        make_windows(some_records, window_s=0)
    with pytest.raises(ValueError, match="stride_s must be positive"):
        make_windows(some_records, stride_s=0)
    with pytest.raises(ValueError, match="no annotations for lead 'v6'"):
        make_windows(some_records, leads=["v6"])
    with pytest.raises(ValueError, match="sampling rate"):
        make_windows(some_records, fs=-250)


def test_records_with_unannotated_p_waves_can_have_their_background_masked():
    from ecgteach import load_ludb_record
    from ecgteach.datasets import unlabelled_p_waves

    record = load_ludb_record(104, leads=["ii"])           # III degree AV block, pacing
    assert "104" in unlabelled_p_waves([record])
    plain = make_windows([record], leads="ii")
    masked = make_windows([record], leads="ii", unlabelled_p=["104"])
    assert (plain.labels[plain.valid] == 0).any()
    assert not (masked.labels[masked.valid] == 0).any()      # no background left to teach
    keep = plain.valid & (plain.labels > 0)                 # QRS and T still teach
    np.testing.assert_array_equal(masked.valid, keep)
    np.testing.assert_array_equal(masked.labels[keep], plain.labels[keep])
    other = make_windows([record], leads="ii", unlabelled_p=["1"])   # names another record
    np.testing.assert_array_equal(other.valid, plain.valid)
