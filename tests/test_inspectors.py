"""Probability inspector and segmentation viewer, driven headless on real records."""

from __future__ import annotations

import re

import numpy as np
import pytest

import ecgteach
from ecgteach.beats import boundary_targets
from ecgteach.delineation import RELATIVE_KINDS, Delineator
from ecgteach.ecg import resample_signal
from ecgteach.ui import ProbabilityInspector, SegmentationViewer

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def beats():
    return ecgteach.make_seed_dataset(
        ecgteach.load_ludb(range(1, 11), leads=["ii"]), n_beats=20, voltage_only=True
    )


def test_inspector_draws_curves_maxima_and_truth(beats):
    # "predictions": the truth shifted by +2 samples (8 ms), as Gaussian curves
    onset = boundary_targets(beats.y[:, 0] + 2, beats.length, sigma=2.0)
    offset = boundary_targets(beats.y[:, 1] - 1, beats.length, sigma=2.0)
    inspector = ProbabilityInspector(beats, onset, offset)
    np.testing.assert_allclose(inspector.errors_ms(), np.tile([8.0, -4.0], (20, 1)))
    inspector.index.value = 7
    fig = inspector.figure
    np.testing.assert_allclose(fig.data[0].y, beats.voltage[7])
    np.testing.assert_allclose(fig.data[1].y, onset[7])
    true_lines = [s.x0 for s in fig.layout.shapes if s.line.color == "grey"]
    dotted = [s.x0 for s in fig.layout.shapes if s.line.dash == "dot"]
    assert true_lines == list(beats.y[7]) and dotted == [beats.y[7, 0] + 2, beats.y[7, 1] - 1]
    assert "onset error +8 ms" in fig.layout.title.text
    assert f"true {beats.y[7, 0]}" in inspector.summary.value


def test_inspector_rejects_mismatched_probabilities(beats):
    with pytest.raises(ValueError, match="shape"):
        ProbabilityInspector(beats, np.zeros((3, 200)), np.zeros((3, 200)))


class OracleDelineator(Delineator):
    """The real delineation pipeline around a perfect model: the cardiologists' labels."""

    def __init__(self, record):
        self.expected = True
        self.rhythm = True
        self.relative = RELATIVE_KINDS
        self.record = ecgteach.resample_record(record, 250)

    def _probabilities(self, leads):
        labels, valid = ecgteach.segmentation_labels(self.record, "ii")
        return [np.eye(4)[np.where(valid, labels, 0)] for _ in leads]


def test_viewer_shows_both_strips_and_zero_error_for_a_perfect_model():
    record = ecgteach.load_ludb_record(165, leads=["ii"])
    viewer = SegmentationViewer([record], OracleDelineator(record))
    top = [s for s in viewer.figure.layout.shapes if s.y0 == pytest.approx(0.88)]
    bottom = [s for s in viewer.figure.layout.shapes if s.y0 == 0.0]
    n_waves = sum(len(v) for v in record.waves["ii"].values())
    assert len(top) == n_waves and len(bottom) == n_waves
    # a perfect model at 250 Hz is off by at most one 250 Hz sample (4 ms) at 500 Hz
    numbers = re.findall(r"QRS (?:onset|offset) ([+-][\d.]+) ± ([\d.]+) ms \(found 9/9\)",
                         viewer.summary.value)
    assert len(numbers) == 2, viewer.summary.value
    assert all(abs(float(mean)) <= 2 and float(sd) <= 2 for mean, sd in numbers)
    assert viewer.figure.data[1].visible is False
    viewer.show_probabilities.value = True
    assert all(trace.visible for trace in viewer.figure.data[1:])
    np.testing.assert_allclose(np.sum([t.y for t in viewer.figure.data[1:]], axis=0), 1.0)


class CleanOnlyDelineator(Delineator):
    """The real pipeline around a model that finds the waves only in untouched signals."""

    def __init__(self, records):
        self.expected = True
        self.rhythm = True
        self.relative = RELATIVE_KINDS
        self.by_signal = {
            resample_signal(r.lead("ii"), r.fs, 250).tobytes(): ecgteach.resample_record(r, 250)
            for r in records
        }

    def _probabilities(self, leads):
        return [self._one(x) for x in leads]

    def _one(self, x):
        record = self.by_signal.get(np.asarray(x).tobytes())
        if record is None:
            return np.eye(4)[np.zeros(x.size, dtype=int)]
        labels, valid = ecgteach.segmentation_labels(record, "ii")
        return np.eye(4)[np.where(valid, labels, 0)]


def test_robustness_explorer_corrupts_what_it_shows_and_scores():
    from ecgteach.ui import RobustnessExplorer

    records = ecgteach.load_ludb([161, 162], leads=["ii"])
    explorer = RobustnessExplorer(records, CleanOnlyDelineator(records))
    np.testing.assert_allclose(explorer.figure.data[0].y, records[0].lead("ii"))
    assert explorer.clean["QRS onset"].sensitivity == 100.0
    explorer.snr_db.value = 5.0
    shown = np.asarray(explorer.figure.data[0].y)
    noise = shown - records[0].lead("ii")
    assert 10 * np.log10(records[0].lead("ii").var() / noise.var()) == pytest.approx(5, abs=0.3)
    assert explorer.current_scores()["QRS onset"].sensitivity == 0.0
    assert "<b>0.0 /" in explorer.scores.value
    explorer.snr_db.value = 40.0
    explorer.wander_mv.value = 1.0
    drift = np.asarray(explorer.figure.data[0].y) - records[0].lead("ii")
    assert np.abs(drift).max() == pytest.approx(1.0, abs=0.05)
