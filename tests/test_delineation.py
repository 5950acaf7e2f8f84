"""labels_to_waves on real labels, and delineate()'s contract (shapes, rates, bad input)."""

from __future__ import annotations

import numpy as np
import pytest

import ecgteach
from ecgteach.delineation import (
    MODEL_FS,
    RELATIVE_KINDS,
    Delineator,
    delineate,
    expected_boundaries,
    labels_to_waves,
    organised_p_waves,
    probabilities_to_waves,
    segmentation_labels,
)
from ecgteach.evaluation import score_delineation

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.mark.parametrize("number", [1, 3, 50, 161, 200])
def test_labels_to_waves_recovers_the_cardiologists_waves(number):
    record = ecgteach.resample_record(ecgteach.load_ludb_record(number, leads=["ii"]), MODEL_FS)
    labels, valid = segmentation_labels(record, "ii")
    waves = labels_to_waves(np.where(valid, labels, 0), record.lead("ii"), MODEL_FS)
    scores = score_delineation(record.waves["ii"], waves, MODEL_FS, span=record.span("ii"))
    for name in ("QRS onset", "QRS offset", "P onset", "T offset"):
        if scores[name].n_true:
            assert scores[name].sensitivity == 100.0 and scores[name].ppv == 100.0, name
            assert scores[name].mean_ms == 0.0 and scores[name].sd_ms == 0.0, name


def test_labels_to_waves_edges_short_runs_and_gaps():
    labels = np.zeros(200, dtype=int)
    labels[:10] = 2  # a QRS cut by the start: onset unknown
    labels[50:60] = 1  # a 40 ms P wave
    labels[100:103] = 2  # a 12 ms flicker: dropped
    labels[150:170] = 3
    labels[172:190] = 3  # split by a 8 ms gap: merged
    labels[195:] = 1  # cut by the end: offset unknown (and long enough: 20 ms)
    waves = labels_to_waves(labels, fs=250)
    np.testing.assert_array_equal(waves["QRS"], [[-1, 4, 9]])
    np.testing.assert_array_equal(waves["P"][:, [0, 2]], [[50, 59], [195, -1]])
    np.testing.assert_array_equal(waves["T"][:, [0, 2]], [[150, 189]])


def test_labels_to_waves_places_the_peak_on_the_signal():
    signal = np.zeros(100)
    signal[37] = 5.0
    labels = np.zeros(100, dtype=int)
    labels[30:45] = 2
    assert labels_to_waves(labels, signal, fs=250)["QRS"][0, 1] == 37


def _one_hot(labels: np.ndarray) -> np.ndarray:
    return np.eye(4)[labels]


def test_expected_boundaries_on_a_hand_made_case():
    labels = np.zeros(120, dtype=int)
    labels[30:45] = 2
    labels[60:75] = 2
    probs = _one_hot(labels)
    probs[29] = [0.75, 0, 0.25, 0]  # a quarter of a QRS sample before the argmax onset
    probs[45:47] = [[0.6, 0, 0.4, 0], [0.7, 0, 0.3, 0]]  # 0.7 of a sample after the offset
    signal = np.zeros(120)
    signal[37] = signal[67] = 1.0
    waves = probabilities_to_waves(probs, signal, fs=250)
    np.testing.assert_allclose(waves["QRS"], [[29.75, 37, 44.7], [60, 67, 74]])
    # argmax edges untouched when asked, and the neighbour's mass is never counted
    np.testing.assert_array_equal(probabilities_to_waves(probs, signal, 250, expected=False)["QRS"],
                                  [[30, 37, 44], [60, 67, 74]])


def test_expected_boundaries_equal_the_argmax_edges_on_certain_probabilities():
    record = ecgteach.resample_record(ecgteach.load_ludb_record(3, leads=["ii"]), MODEL_FS)
    labels, valid = segmentation_labels(record, "ii")
    labels = np.where(valid, labels, 0)
    expected = probabilities_to_waves(_one_hot(labels), record.lead("ii"), MODEL_FS)
    argmax = labels_to_waves(labels, record.lead("ii"), MODEL_FS)
    for kind in argmax:
        np.testing.assert_array_equal(expected[kind], argmax[kind])


def test_p_waves_are_read_relative_to_their_own_certainty():
    """Doubt about *what* a wave is must not move *where* it ends (RELATIVE_KINDS)."""
    probs = np.zeros((80, 4))
    probs[:, 0] = 1.0
    probs[20:40] = [0.4, 0.6, 0, 0]                 # a P wave the model is 60 % sure of
    probs[40] = [0.7, 0.3, 0, 0]                    # then half way out
    probs[50:70] = [0.4, 0, 0, 0.6]                 # a T wave as unsure: T keeps the plain sum
    waves = labels_to_waves(probs.argmax(axis=-1), fs=250)
    plain = expected_boundaries(waves, probs, fs=250, relative=())
    relative = expected_boundaries(waves, probs, fs=250)
    assert RELATIVE_KINDS == ("P",)
    np.testing.assert_allclose(relative["P"], [[20, 29, 39.5]])       # the argmax extent + 1/2
    np.testing.assert_allclose(plain["P"], [[23.6, 29, 35.3]])        # 40 % shorter
    np.testing.assert_allclose(relative["T"], plain["T"])
    # a certain wave is read the same either way
    certain = _one_hot(probs.argmax(axis=-1))
    for kind in ("P", "QRS", "T"):
        np.testing.assert_allclose(expected_boundaries(waves, certain, 250)[kind],
                                   expected_boundaries(waves, certain, 250, relative=())[kind])


def test_relative_p_boundaries_beat_the_plain_sum_on_the_validation_patients():
    """Why P is read relative: a lower P onset SD on the validation patients (never the test)."""
    model = ecgteach.load_segmenter()
    validation = ecgteach.load_ludb(ecgteach.split_patients(seed=0)["val"])

    for leads in ("ii", "all"):
        scores = {name: ecgteach.score_delineator(delineator, validation, leads).pooled.scores()
                  for name, delineator in (("relative", ecgteach.Delineator(model)),
                                           ("plain", ecgteach.Delineator(model, relative=())))}
        assert scores["relative"]["P onset"].sd_ms < scores["plain"]["P onset"].sd_ms, leads
        assert scores["relative"]["P offset"].sd_ms <= scores["plain"]["P offset"].sd_ms + 0.1
        # the same waves, moved a little: as many found within 150 ms (give or take one)
        assert abs(scores["relative"]["P onset"].tp - scores["plain"]["P onset"].tp) <= 1


def test_expected_boundaries_bad_input():
    waves = labels_to_waves(np.zeros(50, dtype=int), fs=250)
    with pytest.raises(ValueError, match=r"\(n_samples, 4\)"):
        expected_boundaries(waves, np.zeros((50, 3)))
    with pytest.raises(ValueError, match="2-D"):
        probabilities_to_waves(np.zeros(50))
    with pytest.raises(ValueError, match=r"sequence of wave kinds such as \("):
        expected_boundaries(waves, np.zeros((50, 4)), relative="P")   # a string, not ("P",)
    with pytest.raises(ValueError, match="'U'"):
        Delineator(relative=("P", "U"))


def test_expected_boundaries_beat_argmax_edges_on_the_validation_patients():
    """The reason delineate uses them: lower SD on the validation patients (never the test)."""
    model = ecgteach.load_segmenter()
    validation = ecgteach.load_ludb(ecgteach.split_patients(seed=0)["val"], leads=["ii"])
    scores = {expected: ecgteach.score_delineator(
                  ecgteach.Delineator(model, expected=expected), validation, "ii"
              ).pooled.scores() for expected in (True, False)}
    for name in ("QRS onset", "QRS offset", "T offset"):
        assert scores[True][name].sd_ms < scores[False][name].sd_ms, name
        assert scores[True][name].sensitivity == scores[False][name].sensitivity, name


@pytest.mark.parametrize(
    "labels, signal, fs, message",
    [
        (np.zeros((10, 2)), None, 250, "1-D"),
        (np.zeros(10), np.zeros(11), 250, "differs"),
        (np.zeros(10), None, 0, "positive"),
    ],
)
def test_labels_to_waves_bad_input(labels, signal, fs, message):
    with pytest.raises(ValueError, match=message):
        labels_to_waves(labels, signal, fs)


@pytest.fixture(scope="module")
def tiny_delineator():
    from ecgteach.nn import segmenter, set_seed

    set_seed(0)
    return Delineator(segmenter(conv_filters=(4,), lstm_units=4, decoder_filters=4))


@pytest.mark.parametrize("fs", [500.0, 250.0, 360.0])
def test_delineate_returns_waves_at_the_input_rate(tiny_delineator, fs):
    record = ecgteach.load_ludb_record(2, leads=["ii"])
    signal = ecgteach.resample_signal(record.lead("ii"), record.fs, fs)
    waves = delineate(signal, fs, model=tiny_delineator)
    assert set(waves) == {"P", "QRS", "T"}
    for rows in waves.values():
        assert rows.dtype.kind == "i" and rows.ndim == 2 and rows.shape[1] == 3
        assert rows.min(initial=0) >= -1 and rows.max(initial=0) < signal.size
        found = rows[(rows[:, 0] >= 0) & (rows[:, 2] >= 0)]
        assert (found[:, 0] <= found[:, 1]).all() and (found[:, 1] <= found[:, 2]).all()


def test_long_records_are_chunked_like_short_ones(tiny_delineator):
    """A 15-min QTDB record runs in batched chunks; probabilities cover every sample."""
    record = ecgteach.load_qtdb("sel100")
    probs = tiny_delineator.probabilities(record.lead("MLII"), record.fs)
    assert probs.shape == (record.n_samples, 4)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-4)
    # inside a chunk, far from its edges, chunking changes little (only the z-score
    # differs: it covers the chunk and its context)
    first = tiny_delineator.probabilities(record.lead("MLII")[:2500], record.fs)
    np.testing.assert_allclose(probs[1000:1500], first[1000:1500], atol=0.15)
    assert np.abs(probs[1000:1500] - first[1000:1500]).mean() < 0.02


@pytest.mark.parametrize(
    "signal, fs, error, message",
    [
        (np.zeros((2, 2500)), 250, ValueError, "leads-first"),
        (np.full(2500, np.nan), 250, ValueError, "NaN"),
        (np.zeros(2500), 0, ValueError, "positive"),
        (np.zeros(2500), -250, ValueError, "positive"),
        (np.zeros(2500), 0.5, ValueError, "implausible for an ECG"),   # kHz given as Hz
        (np.zeros(2500), 250_000, ValueError, "implausible for an ECG"),
        (np.zeros(100), 250, ValueError, "too short"),
        (np.zeros(0), 250, ValueError, "empty"),
    ],
)
def test_delineate_bad_input(tiny_delineator, signal, fs, error, message):
    with pytest.raises(error, match=message):
        delineate(signal, fs, model=tiny_delineator)


def test_missing_weights_file_says_how_to_rebuild(tmp_path):
    with pytest.raises(FileNotFoundError, match="ecgteach train"):
        ecgteach.load_segmenter(tmp_path / "none.keras")
    broken = tmp_path / "broken.keras"
    broken.write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="cannot load"):
        ecgteach.load_segmenter(broken)


def test_the_rhythm_rule_keeps_every_p_wave_the_cardiologists_marked():
    """Applied to the labels themselves, lead ii of all 200 LUDB patients: no P wave dropped."""
    records = ecgteach.load_ludb()
    labelled = [record.lead_waves("ii") for record in records]
    before = sum(len(waves["P"]) for waves in labelled)
    after = sum(len(organised_p_waves(waves)["P"]) for waves in labelled)
    assert before == after > 1000


def test_the_rhythm_rule_drops_scattered_p_waves_in_fibrillation_and_flutter():
    """LUDB records in atrial fibrillation or flutter (no P labels): the shipped segmenter
    finds P-like waves in some; the rule removes them, never adds, and changes nothing in
    the sinus-rhythm test patients."""
    def rhythm(record):
        return ecgteach.ludb_metadata(record.name).get("Rhythms", "").lower()

    records = ecgteach.load_ludb()
    atrial = [r for r in records if "fibrillation" in rhythm(r) or "flutter" in rhythm(r)]
    assert len(atrial) >= 10 and not any(len(r.lead_waves("ii")["P"]) for r in atrial)
    every, ruled = Delineator(rhythm=False), Delineator()
    found = [(len(every(r.lead("ii"), r.fs)["P"]), len(ruled(r.lead("ii"), r.fs)["P"]))
             for r in atrial]
    assert all(after <= before for before, after in found)
    assert sum(after for _, after in found) < sum(before for before, _ in found) / 2
    sinus = [r for r in records[160:] if rhythm(r).startswith("sinus rhythm")][:8]
    for record in sinus:
        assert np.array_equal(every(record.lead("ii"), record.fs)["P"],
                              ruled(record.lead("ii"), record.fs)["P"]), record.name


def test_the_rhythm_rule_needs_three_beats():
    qrs = np.array([[95, 100, 105], [195, 200, 205]])
    p_waves = np.array([[60, 65, 70]])
    waves = {"P": p_waves, "QRS": qrs, "T": qrs[:0]}
    assert organised_p_waves(waves)["P"] is p_waves  # two beats: no rhythm to judge
    empty = {"P": p_waves[:0], "QRS": qrs, "T": qrs[:0]}
    assert organised_p_waves(empty)["P"].shape == (0, 3)


def test_the_pooled_rate_decoder_changes_no_wave_of_the_shipped_segmenter(monkeypatch):
    """Delineators run the shipped model with its decoder partly at the pooled rate
    (faster); every wave of every lead of a few real records is the one the model as
    saved gives."""
    model = ecgteach.load_segmenter()
    fast = ecgteach.nn.pooled_rate_decoder(model)
    assert fast is not model and "pooled_rate_decoder" in [layer.name for layer in fast.layers]
    records = ecgteach.load_ludb([1, 8, 104, 173, 200])
    as_run = Delineator(model)
    assert as_run._inference_model is not model
    as_saved = Delineator(model)
    monkeypatch.setattr(as_saved, "_inference_model", model)
    for record in records:
        leads = [record.signal[:, k] for k in range(record.signal.shape[1])]
        run = as_run.waves_and_probabilities_many(leads, record.fs)
        saved = as_saved.waves_and_probabilities_many(leads, record.fs)
        for (waves, probs), (saved_waves, saved_probs) in zip(run, saved, strict=True):
            np.testing.assert_allclose(probs, saved_probs, atol=2e-5)
            for kind in waves:
                np.testing.assert_allclose(waves[kind], saved_waves[kind], atol=1e-3,
                                           err_msg=f"{record.name} {kind}")
