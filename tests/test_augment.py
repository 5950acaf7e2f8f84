"""Training-time augmentation: each kind on hand-made signals with known answers; a recipe."""

from __future__ import annotations

import numpy as np
import pytest

from ecgteach import load_ludb_record
from ecgteach.delineation.augment import (
    AUGMENTATIONS,
    add_electrode_motion,
    add_muscle_noise,
    add_wander,
    add_white_noise,
    augment_window,
    augment_windows,
    flip_polarity,
    scale_amplitude,
    time_warp,
)
from ecgteach.delineation.training import FAST_RECIPE, train_default_segmenter
from ecgteach.delineation.windows import UNLABELLED, make_windows

FS = 250.0


def rng(seed=0):
    return np.random.default_rng(seed)


def beat_like(n=500):
    t = np.arange(n) / FS
    return np.sin(2 * np.pi * 1.2 * t) + 0.5 * np.sin(2 * np.pi * 6 * t)


@pytest.mark.parametrize("snr_db", [0.0, 10.0, 20.0])
def test_white_noise_has_the_asked_signal_to_noise_ratio(snr_db):
    x = beat_like(20000)
    added = add_white_noise(x, snr_db, rng()) - x
    assert 10 * np.log10(np.var(x) / np.var(added)) == pytest.approx(snr_db, abs=0.2)


def test_muscle_noise_lives_above_20_hz_at_the_asked_ratio():
    x = beat_like(5000)
    added = add_muscle_noise(x, 12.0, FS, rng()) - x
    power = np.abs(np.fft.rfft(added)) ** 2
    freqs = np.fft.rfftfreq(added.size, 1 / FS)
    assert power[freqs < 19.9].sum() < 1e-9 * power.sum()
    assert 10 * np.log10(np.var(x) / np.var(added)) == pytest.approx(12.0, abs=0.1)


def test_wander_is_slow_and_bounded():
    added = add_wander(np.zeros(2500), 0.8, FS, rng(3))
    assert np.abs(added).max() <= 0.8 + 1e-12 and np.abs(added).max() > 0.05
    power = np.abs(np.fft.rfft(added)) ** 2
    freqs = np.fft.rfftfreq(added.size, 1 / FS)
    assert power[freqs > 1.0].sum() < 0.05 * power.sum()   # below 1 Hz (leakage aside)


def test_electrode_motion_is_a_burst_of_1_to_10_hz():
    added = add_electrode_motion(np.zeros(2500), 0.5, FS, rng(4))
    touched = np.flatnonzero(np.abs(added) > 1e-12)
    assert 0.2 * FS - 2 <= touched.size <= 1.0 * FS           # one burst of 0.2-1 s
    assert np.all(np.diff(touched) == 1)                        # in one piece


def test_amplitude_and_polarity():
    x = beat_like()
    np.testing.assert_allclose(scale_amplitude(x, 1.5), 1.5 * x)
    np.testing.assert_allclose(flip_polarity(x), -x)


def test_time_warp_moves_the_labels_with_the_signal():
    n = 500
    x = np.zeros(n)
    labels = np.zeros(n, dtype=np.int8)
    x[100:110], labels[100:110] = 1.0, 2                        # a QRS 100-109
    valid = np.ones(n, bool)
    warped, new_labels, new_valid = time_warp(x, labels, valid, 1.1)
    qrs = np.flatnonzero(new_labels == 2)
    assert qrs[0] == 110 and qrs.size == 11                    # later and 10 % longer
    assert np.all(warped[new_labels == 2] > 0)                 # the signal moved with them
    assert new_valid.all()                                     # the stretch covers the window
    _, squeezed, squeezed_valid = time_warp(x, labels, valid, 0.8)
    assert np.flatnonzero(squeezed == 2)[0] == 80
    assert not squeezed_valid[-90:].any() and (squeezed[-90:] == UNLABELLED).all()
    same = time_warp(x, labels, valid, 1.0)
    np.testing.assert_array_equal(same[0], x)
    np.testing.assert_array_equal(same[1], labels)


@pytest.fixture(scope="module")
def windows():
    return make_windows([load_ludb_record(1, leads=["ii"]), load_ludb_record(2, leads=["ii"])],
                        leads="ii")


def test_augment_windows_is_seeded_and_keeps_the_shape(windows):
    first = augment_windows(windows, seed=5)
    again = augment_windows(windows, seed=5)
    other = augment_windows(windows, seed=6)
    assert first.x.shape == windows.x.shape and first.x.dtype == np.float32
    np.testing.assert_array_equal(first.x, again.x)
    np.testing.assert_array_equal(first.labels, again.labels)
    assert not np.array_equal(first.x, other.x)
    untouched = augment_windows(windows, probability=0.0)
    np.testing.assert_array_equal(untouched.x, windows.x)


def test_only_the_warp_changes_labels(windows):
    no_warp = [kind for kind in AUGMENTATIONS if kind != "warp"]
    augmented = augment_windows(windows, no_warp, probability=1.0, seed=1)
    np.testing.assert_array_equal(augmented.labels, windows.labels)
    assert (np.abs(augmented.x - windows.x).max(axis=(1, 2)) > 0).all()   # every one changed
    warped = augment_windows(windows, ["warp"], probability=1.0, seed=1)
    assert not np.array_equal(warped.labels, windows.labels)


def test_augment_window_applies_each_kind_asked():
    x = beat_like()
    labels = np.zeros(x.size, np.int8)
    out, _, _ = augment_window(x, labels, np.ones(x.size, bool), FS, ["polarity"], rng())
    np.testing.assert_allclose(out, -x)


def test_bad_arguments():
    with pytest.raises(ValueError, match="unknown augmentation 'jitter'"):
        augment_windows(make_windows([load_ludb_record(1, leads=["ii"])], leads="ii"), ["jitter"])
    with pytest.raises(ValueError, match="probability must be between 0 and 1"):
        augment_windows(make_windows([load_ludb_record(1, leads=["ii"])], leads="ii"),
                        probability=2)


def test_an_augmented_recipe_trains_deterministically(monkeypatch):
    monkeypatch.setitem(FAST_RECIPE, "train_records", 2)
    monkeypatch.setitem(FAST_RECIPE, "val_records", 1)
    recipe = {"augment": ["noise", "wander", "warp"], "augment_probability": 0.5}

    def weights(extra):
        model, info = train_default_segmenter(seconds=120, seed=0, leads="ii", fast=True,
                                              progress=None, score_validation=False,
                                              recipe=extra)
        assert info.config.recipe["augment"] == extra.get("augment")
        return model.get_weights()

    first, again, plain = weights(recipe), weights(recipe), weights({"augment": None})
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    assert not all(np.array_equal(a, b) for a, b in zip(first, plain, strict=True))
    with pytest.raises(ValueError, match="unknown augmentation"):
        weights({"augment": ["shake"]})
