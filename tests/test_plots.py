"""Figures are built from the data: shapes sit on the annotated waves."""

from __future__ import annotations

import numpy as np
import pytest

import ecgteach
from ecgteach.ui import WAVE_COLOURS, qrs_duration_figure, record_figure, seed_beats_figure
from ecgteach.ui.plots import wave_shapes


def test_record_figure_shades_every_annotated_wave():
    record = ecgteach.load_ludb_record(1, leads=["ii"])
    fig = record_figure(record, "ii")
    np.testing.assert_allclose(fig.data[0].y, record.lead("ii"), rtol=1e-6)
    qrs_shapes = [s for s in fig.layout.shapes if s.fillcolor == WAVE_COLOURS["QRS"]]
    qrs = record.waves["ii"]["QRS"]
    assert len(qrs_shapes) == len(qrs)
    np.testing.assert_allclose([s.x0 for s in qrs_shapes], qrs[:, 0] / record.fs)
    np.testing.assert_allclose([s.x1 for s in qrs_shapes], qrs[:, 2] / record.fs)
    # the unlabelled start and end of the record are shaded grey
    grey = [s for s in fig.layout.shapes if s.fillcolor == "#888"]
    assert len(grey) == 2 and grey[0].x1 == pytest.approx(record.span("ii")[0] / record.fs)


def test_record_figure_window_and_bad_window():
    record = ecgteach.load_ludb_record(2, leads=["v1"])
    fig = record_figure(record, "v1", start_s=2.0, stop_s=3.0)
    assert fig.data[0].x[0] == pytest.approx(2.0) and fig.data[0].x[-1] == pytest.approx(3.0)
    with pytest.raises(ValueError, match="time window"):
        record_figure(record, "v1", start_s=3.0, stop_s=2.0)
    with pytest.raises(ValueError, match="no lead 'ii'"):
        record_figure(record, "ii")


def test_missing_boundary_is_drawn_from_the_peak_with_an_outline():
    waves = {"QRS": np.array([[-1, 100, 120]]), "P": np.zeros((0, 3), int)}
    (shape,) = wave_shapes(waves, fs=500, start_s=0, stop_s=1)
    assert shape["x0"] == pytest.approx(0.2) and shape["line"]["width"] == 1


def test_qrs_histogram_counts_every_duration():
    durations = ecgteach.qrs_durations(ecgteach.load_ludb(range(1, 11)), lead=None)
    fig = qrs_duration_figure(durations)
    assert len(fig.data[0].x) == durations.size
    with pytest.raises(ValueError, match="no QRS durations"):
        qrs_duration_figure(np.array([]))


def test_seed_beats_figure_marks_labels():
    beats = ecgteach.make_seed_dataset(
        ecgteach.load_ludb(range(1, 11), leads=["ii"]), n_beats=5, seed=1
    )
    fig = seed_beats_figure(beats, rows=[0, 3])
    markers = [t for t in fig.data if t.mode == "markers"]
    assert [int(t.x[0]) for t in markers] == [*beats.y[0], *beats.y[3]]
    with pytest.raises(ValueError, match="rows must be indices"):
        seed_beats_figure(beats, rows=[5])


def test_label_agreement_figure_puts_each_record_where_its_numbers_are():
    from ecgteach.evaluation import LabelAgreement
    from ecgteach.ui import label_agreement_figure

    rows = [LabelAgreement("2", "ii", "QRS offset", 9, 1.5, -0.5, 1.0),
            LabelAgreement("170", "ii", "QRS offset", 7, 20.3, -20.9, -0.6),
            LabelAgreement("9", "ii", "QRS offset", 0, float("nan"), float("nan"), float("nan"))]
    fig = label_agreement_figure(rows, departs_ms=10)
    agree, depart = (t for t in fig.data if t.mode == "markers")
    assert list(agree.x) == [1.5] and list(agree.y) == [-0.5]
    assert list(depart.x) == [20.3] and list(depart.y) == [-20.9]
    assert "record 170" in depart.text[0]
    with pytest.raises(ValueError, match="no record"):
        label_agreement_figure(rows[2:])


def test_score_table_renders_the_scorer_table_in_a_notebook():
    from ecgteach.evaluation import DelineationScorer
    from ecgteach.ui import score_table

    record = ecgteach.load_ludb_record(161, leads=["ii", "i"])
    scorer = DelineationScorer()
    scorer.add(record.waves["ii"], record.waves["i"], record.fs, span=record.span("ii"),
               group=161)
    shown = score_table(scorer, "lead i against lead ii", ci=True)
    assert shown._repr_markdown_() == f"**lead i against lead ii**\n\n{scorer.table(ci=True)}"
    assert "mean 95 % CI ms" in shown.data and "| QRS onset |" in shown.data
    assert score_table(scorer).data == scorer.table()
    with pytest.raises(ValueError, match="DelineationScorer"):
        score_table({"QRS onset": 1.0})
