"""Resampling keeps waves on the signal, standardising refuses bad input, the split is fixed."""

from __future__ import annotations

import numpy as np
import pytest

import ecgteach
from ecgteach.datasets import LUDB_LEADS, check_split, patient_folds, split_patients
from ecgteach.ecg import (
    MISSING,
    check_fs,
    check_signal,
    resample_record,
    resample_signal,
    standardise,
)

QUIRKY = (7, 8, 34, 95, 104, 111, 116)


@pytest.mark.parametrize("bad", [0, -1, -250.0, float("nan"), float("inf"), "x", None, "", [250]])
def test_check_fs_rejects_non_rates(bad):
    with pytest.raises(ValueError, match="sampling rate"):
        check_fs(bad)


def test_check_fs_accepts_rates():
    assert check_fs(250) == 250.0 and check_fs("500") == 500.0 and check_fs(np.float32(360)) == 360


@pytest.mark.parametrize("bad", [[], np.zeros((0, 3)), [1.0, np.nan, 2.0], [np.inf, 1.0]])
def test_standardise_and_check_signal_reject_empty_and_nan(bad):
    with pytest.raises(ValueError, match="empty|NaN"):
        standardise(np.asarray(bad, dtype=float))
    with pytest.raises(ValueError, match="empty|NaN"):
        check_signal(bad, "lead ii")
    with pytest.raises(ValueError, match="empty|NaN"):
        resample_signal(np.asarray(bad, dtype=float), 500, 250)


def test_standardise_makes_zero_mean_unit_std_per_lead():
    record = ecgteach.load_ludb_record(1)
    z = standardise(record.signal)
    assert z.dtype == np.float32 and z.shape == record.signal.shape
    np.testing.assert_allclose(z.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(z.std(axis=0), 1, atol=1e-4)
    np.testing.assert_array_equal(standardise(np.full(100, 3.0)), np.zeros(100))  # not NaN
    rows = standardise(np.arange(12.0).reshape(3, 4), axis=1)
    np.testing.assert_allclose(rows.mean(axis=1), 0, atol=1e-6)


def test_resample_signal_keeps_a_sine():
    t500 = np.arange(5000) / 500
    t250 = np.arange(2500) / 250
    out = resample_signal(np.sin(2 * np.pi * 3 * t500), 500, 250)
    assert out.shape == (2500,) and out.dtype == np.float32
    np.testing.assert_allclose(out[50:-50], np.sin(2 * np.pi * 3 * t250)[50:-50], atol=1e-3)
    assert resample_signal(np.ones((10, 2)), 500, 360).shape == (8, 2)  # 10 * 360 / 500 = 7.2
    same = resample_signal(np.arange(5), 500, 500)
    assert same.dtype == np.float32 and same.tolist() == [0, 1, 2, 3, 4]


@pytest.mark.parametrize("number", QUIRKY + (1, 50, 160, 200))
def test_resample_500_to_250_keeps_waves_within_one_sample(number):
    record = ecgteach.load_ludb_record(number)
    half = resample_record(record, 250)
    assert half.fs == 250 and half.signal.shape == (2500, 12)
    assert not half.signal.flags.writeable
    assert record.fs == 500 and record.signal.shape == (5000, 12)  # the original is untouched
    for lead in LUDB_LEADS:
        for kind in ("P", "QRS", "T"):
            old, new = record.waves[lead][kind], half.waves[lead][kind]
            assert new.shape == old.shape
            np.testing.assert_array_equal(new == MISSING, old == MISSING)
            known = old != MISSING
            assert np.abs(2 * new[known] - old[known]).max(initial=0) <= 1, (number, lead, kind)


def test_resampled_signal_stays_aligned_with_the_r_peaks():
    # no filter delay: the largest deflection near each annotated QRS peak sits
    # at the same time (within one 250 Hz sample) before and after resampling
    for number in (1, 2, 3, 50, 120):
        record = ecgteach.load_ludb_record(number, leads=["ii"])
        half = resample_record(record, 250)
        x500, x250 = np.abs(record.lead("ii")), np.abs(half.lead("ii"))
        for peak in record.waves["ii"]["QRS"][:, 1]:
            i500 = peak - 25 + int(np.argmax(x500[peak - 25 : peak + 25]))
            c = int(round(peak / 2))
            i250 = c - 12 + int(np.argmax(x250[c - 12 : c + 13]))
            assert abs(2 * i250 - i500) <= 2, (number, peak)


def test_resampled_span_still_runs_from_first_to_last_label(all_records):
    for record in all_records:
        half = resample_record(record, 250)
        for lead in LUDB_LEADS:
            marks = np.concatenate([w[w != MISSING] for w in half.waves[lead].values()])
            assert half.spans[lead] == [(int(marks.min()), int(marks.max()) + 1)], (
                record.name, lead,
            )


def test_resample_record_to_the_same_rate_is_a_no_op():
    record = ecgteach.load_ludb_record(1, leads=["ii"])
    assert resample_record(record, 500) is record
    with pytest.raises(ValueError, match="positive"):
        resample_record(record, 0)


def test_split_is_patient_wise_with_fixed_test_patients():
    split = split_patients(seed=0)
    train, val, test = (set(split[k]) for k in ("train", "val", "test"))
    assert split["test"] == list(range(161, 201))
    assert not (train & val) and not (train & test) and not (val & test)  # no patient leaks
    assert train | val | test == set(range(1, 201))
    assert len(val) == 32 and len(train) == 128
    assert split["train"] == sorted(split["train"]) and split["val"] == sorted(split["val"])
    assert all(isinstance(r, int) for part in split.values() for r in part)


def test_split_is_reproducible_by_seed():
    assert split_patients(seed=0) == split_patients(seed=0)
    assert split_patients(seed=3) == split_patients(seed=3)
    assert split_patients(seed=0)["val"] != split_patients(seed=1)["val"]
    assert split_patients(seed=0)["test"] == split_patients(seed=1)["test"]
    assert len(split_patients(val_fraction=0.5)["val"]) == 80
    for bad in (0, 1, -0.1, 1.5):
        with pytest.raises(ValueError, match="val_fraction"):
            split_patients(val_fraction=bad)


def test_patient_folds_cover_the_non_test_patients_once():
    folds = patient_folds()
    assert len(folds) == 5
    assert folds[0] == split_patients(seed=0)  # fold 0 is the shipped model's split
    seen = [r for fold in folds for r in fold["val"]]
    assert sorted(seen) == list(range(1, 161))  # each non-test patient validated once
    for fold in folds:
        assert len(fold["val"]) == 32 and not set(fold["train"]) & set(fold["val"])
        assert set(fold["train"]) | set(fold["val"]) == set(range(1, 161))
        assert fold["test"] == list(range(161, 201))
    assert [len(f["val"]) for f in patient_folds(3)] == [53, 54, 53]
    assert patient_folds(seed=1) != folds
    for bad in (1, 0, 161):
        with pytest.raises(ValueError, match="n_folds"):
            patient_folds(bad)


def test_check_split_accepts_a_fold_and_names_what_is_wrong():
    fold = patient_folds()[1]
    assert check_split(fold) == {"train": fold["train"], "val": fold["val"]}
    assert check_split({"train": (3, 1), "val": [np.int64(2)]}) == {"train": [1, 3], "val": [2]}
    with pytest.raises(ValueError, match=r"both 'train' and 'val'.*one part only"):
        check_split({"train": [1, 2, 3], "val": [3, 4]})
    with pytest.raises(ValueError, match="test patients"):
        check_split({"train": [1], "val": [200]})
