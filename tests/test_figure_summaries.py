"""Accessible figures: every figure carries a text summary computed from what it draws,
``show`` puts it right under the figure, widgets keep theirs up to date, and every pair
the lessons contrast differs by more than its colour."""

from __future__ import annotations

import re
import time
from types import SimpleNamespace

import ipywidgets as widgets
import numpy as np
import plotly.graph_objects as go
import pytest

import ecgteach
from ecgteach.beats.pace import MEAN_PREDICTION_KEYS
from ecgteach.delineation import worst_beats
from ecgteach.delineation.segmenter import MODEL_FS
from ecgteach.evaluation import DelineationScorer, LabelAgreement
from ecgteach.ui import (
    WAVE_COLOURS,
    ComparisonBoard,
    ProbabilityInspector,
    RecordBrowser,
    SegmentationViewer,
    TrainingPanel,
    beat_gallery_figure,
    figure_summary,
    gradient_figure,
    label_agreement_figure,
    loss_figure,
    lstm_cell_figure,
    mean_prediction_figure,
    prediction_figure,
    prediction_grid,
    prediction_scatter,
    qrs_duration_figure,
    readout_figure,
    record_figure,
    robustness_figure,
    seed_beats_figure,
    show,
    summaries,
    window_figure,
)
from ecgteach.ui.diagrams import GATES, READOUTS
from ecgteach.ui.summaries import SummaryOutput, set_summary

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def record():
    return ecgteach.load_ludb_record(1)


@pytest.fixture(scope="module")
def beats():
    return ecgteach.make_seed_dataset(ecgteach.load_ludb(range(1, 11), leads=["ii"]), n_beats=12,
                                      seed=1)


def _numbers(text: str) -> list[float]:
    return [float(n) for n in re.findall(r"[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?", text)]


def _wave_shapes(figure, kind):
    return [s for s in figure.layout.shapes if s.fillcolor == WAVE_COLOURS[kind]]


# ------------------------------------------------------------------ static figures
def test_record_figure_summary_counts_what_is_shaded_and_the_voltage_drawn(record):
    for lead, window in (("ii", (0.0, 10.0)), ("v1", (2.0, 5.5))):
        fig = record_figure(record, lead, *window)
        text = figure_summary(fig)
        counts = {kind: len(_wave_shapes(fig, kind)) for kind in WAVE_COLOURS}
        assert f"lead {lead}, {window[0]:g}-{window[1]:g} s" in text
        assert (f"{counts['P']} P, {counts['QRS']} QRS and {counts['T']} T waves labelled"
                in text)
        drawn = np.asarray(fig.data[0].y)
        assert f"voltage {drawn.min():.2f} to {drawn.max():.2f} mV" in text
        grey = sum(s.x1 - s.x0 for s in fig.layout.shapes if s.fillcolor == "#888")
        if grey >= 0.05:
            assert f"{grey:.1f} s not labelled (grey)" in text
        else:
            assert "not labelled" not in text
    whole = figure_summary(record_figure(record, "ii"))
    assert f"{len(record.waves['ii']['QRS'])} QRS" in whole


def test_qrs_duration_summary_gives_range_median_and_wide_share():
    durations = ecgteach.qrs_durations(ecgteach.load_ludb(range(1, 31), leads=["ii"]))
    text = figure_summary(qrs_duration_figure(durations))
    wide = int((durations >= 120).sum())
    assert text.startswith(f"{durations.size} annotated QRS complexes, {durations.min():.0f} to "
                           f"{durations.max():.0f} ms, median {np.median(durations):.0f} ms")
    assert f"{wide} ({100 * wide / durations.size:.1f} %) at or above 120 ms" in text


def test_seed_beats_summary_names_the_rows_labels_and_padding(beats):
    text = figure_summary(seed_beats_figure(beats, rows=[0, 3, 5]))
    assert text.startswith(f"Rows 0, 3 and 5 of {len(beats)} beats (200 samples at 250 Hz)")
    assert "onset labelled at sample " + ", ".join(str(v) for v in beats.y[[0, 3, 5], 0]) in text
    assert "offset at " + ", ".join(str(v) for v in beats.y[[0, 3, 5], 1]) in text
    assert "zero padding " + ", ".join(str(v) for v in beats.n_padding[[0, 3, 5]]) in text


def test_prediction_summary_counts_each_strip(record):
    waves = {kind: rows.copy() for kind, rows in record.waves["ii"].items()}
    waves["QRS"], waves["P"] = waves["QRS"][1:], waves["P"][:0]  # one QRS and every P missed
    fig = prediction_figure(record, "ii", lambda signal, fs: waves, 0, 10)
    top = [s for s in fig.layout.shapes if s.y0 == 0.9]
    bottom = [s for s in fig.layout.shapes if s.y0 == 0.0]
    text = figure_summary(fig)
    n_true = {k: sum(s.fillcolor == WAVE_COLOURS[k] for s in top) for k in WAVE_COLOURS}
    n_model = {k: sum(s.fillcolor == WAVE_COLOURS[k] for s in bottom) for k in WAVE_COLOURS}
    assert n_model["P"] == 0 and n_model["QRS"] == n_true["QRS"] - 1
    assert (f"cardiologists {n_true['P']} P, {n_true['QRS']} QRS and {n_true['T']} T; model 0 P, "
            f"{n_model['QRS']} QRS and {n_model['T']} T.") in text


def _jitter_curve(record):
    rng = np.random.default_rng(0)
    curve = {}
    for jitter in (0, 3, 8):
        moved = {kind: np.where(rows >= 0, rows + rng.integers(-jitter, jitter + 1, rows.shape),
                                -1) for kind, rows in record.waves["ii"].items()}
        scorer = DelineationScorer()
        scorer.add_lead(record, "ii", moved)
        curve[jitter] = scorer.scores()
    return curve


def test_robustness_summary_gives_each_boundary_at_both_ends(record):
    curve = _jitter_curve(record)
    fig = robustness_figure(curve, "jitter (samples)")
    text = figure_summary(fig)
    assert text.startswith("As jitter (samples) goes from 0 to 8:")
    for name in ("QRS onset", "QRS offset", "P onset", "T offset"):
        se = [t for t in fig.data if t.name == name][0].y
        sd = [t for t in fig.data if t.name == name][1].y
        assert (f"{name} Se {se[0]:.1f} to {se[-1]:.1f} %, error SD {sd[0]:.1f} to {sd[-1]:.1f} ms"
                in text)
    assert curve[8]["QRS offset"].sd_ms > 0 and "error SD 0.0 to" in text


def test_label_agreement_summary_counts_departures_and_whom_the_model_follows():
    rows = [LabelAgreement("2", "ii", "QRS offset", 9, 1.5, -0.5, 1.0),
            LabelAgreement("170", "ii", "QRS offset", 7, 20.3, -20.9, -0.6),
            LabelAgreement("193", "ii", "QRS offset", 8, -14.0, 12.0, -2.0),
            LabelAgreement("9", "ii", "QRS offset", 0, float("nan"), float("nan"), float("nan"))]
    text = figure_summary(label_agreement_figure(rows, departs_ms=10))
    x, y = np.array([1.5, 20.3, -14.0]), np.array([-0.5, -20.9, 12.0])
    assert text.startswith("QRS offset, lead ii, 3 records: 1 label agrees with the other leads, "
                           "2 depart by > 10 ms; model − label -20.9 to +12.0 ms")
    assert "2 records nearer the line where the model sides with the other leads" in text
    assert f"correlation {np.corrcoef(x, y)[0, 1]:.2f}" in text


def test_beat_gallery_summary_spans_the_errors_shown(record):
    waves = {kind: rows.copy() for kind, rows in record.waves["ii"].items()}
    waves["QRS"] = waves["QRS"][1:] - [3, 0, -2]

    def stand_in(signal, fs):
        return waves

    gallery = worst_beats([record], stand_in, n=4)
    fig = beat_gallery_figure([record], gallery, stand_in)
    onset = [b.onset_error_ms for b in gallery if np.isfinite(b.onset_error_ms)]
    assert figure_summary(fig) == (
        f"4 QRS complexes from record 1: onset errors {min(onset):+.0f} to {max(onset):+.0f} ms, "
        "offset errors +4 to +4 ms; 1 missed.")  # offsets 2 samples late


def test_gradient_summary_compares_the_first_and_last_steps():
    vanishing = np.logspace(-9, -4, 200)
    flat = np.full(200, 3e-9)
    text = figure_summary(gradient_figure({"scaled": vanishing, "raw": flat}, fs=250))
    early, late = vanishing[:20].mean(), vanishing[-20:].mean()
    assert f"scaled: {early:.2g} to {late:.2g} (x {late / early:.2g})" in text
    assert "raw: 3e-09 to 3e-09 (x 1)" in text


def test_loss_summary_says_where_each_curve_went_and_its_best_epoch():
    history = {"loss": [0.9, 0.5, 0.4, 0.35], "val_loss": [0.92, 0.4, 0.21, 0.3]}
    assert figure_summary(loss_figure(history)) == (
        "Over 4 epochs: validation loss fell from 0.92 to 0.3, lowest 0.21 at epoch 3; "
        "training loss fell from 0.9 to 0.35, lowest 0.35 at epoch 4.")
    assert figure_summary(loss_figure({"loss": [0.5]})) == "After 1 epoch: training loss 0.5."
    assert "rose from 1 to 2" in summaries.loss_summary({"loss": [1.0, 2.0]})
    assert "fell from 7,020 to 278" in summaries.loss_summary({"loss": [7020.0, 278.0]})


def _run(name, labels, predictions, fs=250.0):
    return SimpleNamespace(name=name, fs=fs, labels={"val": np.asarray(labels, float)},
                           predictions={"val": np.asarray(predictions, float)})


def test_scatter_summary_gives_error_correlation_and_a_collapse(beats):
    rng = np.random.default_rng(1)
    noisy = beats.y + rng.normal(0, 2, beats.y.shape)
    text = figure_summary(prediction_scatter(_run("learns", beats.y, noisy)))
    true_ms, pred_ms = beats.y * 4.0, noisy * 4.0
    for col, name in enumerate(("QRS onset", "QRS offset")):
        mae = np.abs(pred_ms[:, col] - true_ms[:, col]).mean()
        r = np.corrcoef(true_ms[:, col], pred_ms[:, col])[0, 1]
        assert f"{name}: MAE {mae:.1f} ms, correlation {r:.2f}" in text
    mean = np.tile(beats.y.mean(axis=0), (len(beats), 1))
    collapsed = figure_summary(prediction_scatter(_run("collapsed", beats.y, mean)))
    assert f"the same answer ({mean[0, 0] * 4:.0f} ms) for every beat" in collapsed


def test_grid_summary_names_each_panel(beats):
    mean = np.tile(beats.y.mean(axis=0), (len(beats), 1))
    runs = {("raw", "raw"): _run("a", beats.y, mean), ("raw", "std"): _run("b", beats.y, beats.y)}
    text = figure_summary(prediction_grid(runs))
    assert text == ("QRS onset, val, predicted vs true: raw · raw: MAE "
                    f"{np.abs(mean[:, 0] - beats.y[:, 0]).mean() * 4:.1f} ms, one answer; "
                    "raw · std: MAE 0.0 ms, r = 1.00.")


def test_mean_prediction_summary_follows_the_walk():
    walk = np.array([[1.0, 2.0], [40.0, 55.0], [80.0, 105.0]])
    result = SimpleNamespace(
        name="walk", fs=250.0, history=dict(zip(MEAN_PREDICTION_KEYS, walk.T, strict=True)),
        scaler=SimpleNamespace(inverse_y=lambda y: y, target_mean=np.array([82.0, 107.0])))
    text = figure_summary(mean_prediction_figure(result))
    assert text == ("Mean answer on the validation beats over 3 epochs: QRS onset from 4 to 320 ms "
                    "(training mean 328 ms) and QRS offset from 8 to 420 ms (training mean "
                    "428 ms).")


def test_window_summary_counts_bands_and_shares(record):
    windows = ecgteach.make_windows([record], ["ii"])
    fig = window_figure(windows, 1)
    labels = windows.labels[1]
    text = figure_summary(fig)
    counts = {kind: len(_wave_shapes(fig, kind)) for kind in WAVE_COLOURS}
    assert f"{counts['P']} P, {counts['QRS']} QRS and {counts['T']} T bands" in text
    assert f"{100 * np.mean(labels == 2):.0f} % QRS" in text
    assert sum(_numbers(text.split("samples ")[1])) == pytest.approx(100, abs=2)


def test_diagrams_summarise_their_parts():
    cell = figure_summary(lstm_cell_figure())
    assert f"{len(GATES)} gates" in cell and all(f" {name} (" in cell for name, _, _ in GATES)
    texts = {readout: figure_summary(readout_figure(readout, steps=5)) for readout in READOUTS}
    assert "5 LSTM steps" in texts["last_state"] and "1 hidden state goes up" in texts[
        "last_state"]
    assert "5 hidden states go up" in texts["all_states"]
    assert "backwards" in texts["bidirectional"]


def test_a_figure_without_a_summary_is_refused_clearly():
    with pytest.raises(ValueError, match="carries no summary"):
        figure_summary(go.Figure())
    with pytest.raises(ValueError, match="carries no summary"):
        show(go.Figure())


# ------------------------------------------------------------------ show
def test_show_puts_each_summary_right_after_its_figure(monkeypatch, record):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, **kw: shown.append(obj))
    first, second = record_figure(record, "ii"), loss_figure({"loss": [1.0, 0.5]})
    show(first, second)
    assert shown[0] is first and shown[2] is second
    assert [o.text for o in shown[1::2]] == [figure_summary(first), figure_summary(second)]
    bundle = shown[1]._repr_mimebundle_()
    assert bundle["text/plain"] == "Figure: " + figure_summary(first)
    assert bundle["text/markdown"].startswith("*Figure: LUDB record 1")
    shown.clear()
    with pytest.raises(ValueError):
        show(first, go.Figure())  # nothing is shown when one figure has no summary
    assert shown == []


def test_summary_markdown_escapes_what_markdown_would_eat():
    bundle = SummaryOutput("x_t and |∂y/∂x_t| at $5 *now*")._repr_mimebundle_()
    assert bundle["text/markdown"] == r"*Figure: x\_t and \|∂y/∂x\_t\| at \$5 \*now\**"
    assert bundle["text/plain"] == "Figure: x_t and |∂y/∂x_t| at $5 *now*"


def test_set_summary_keeps_other_meta():
    fig = go.Figure(layout=dict(meta={"source": "test"}))
    set_summary(fig, "one line")
    assert fig.layout.meta == {"source": "test", "summary": "one line"}


# ------------------------------------------------------------------ widgets
def test_record_browser_caption_follows_every_control():
    browser = RecordBrowser(record=1, lead="ii")
    assert browser.widget.children[-1] is browser.caption  # right under the figure
    for change in (dict(record=17), dict(lead="v1"), dict(window=(2.0, 4.5))):
        for name, value in change.items():
            getattr(browser, name).value = value
        record = ecgteach.load_ludb_record(browser.record.value)
        expected = summaries.record_summary(record, browser.lead.value, *browser.window.value)
        assert browser.caption.value == f"<i>Figure: {expected}</i>"
        assert figure_summary(browser.figure) == expected
        assert browser.figure._widget_layout["meta"]["summary"] == expected  # page reloads
    assert "record 17, lead v1, 2-4.5 s" in browser.caption.value


def test_inspector_summary_under_the_figure_follows_the_beat(beats):
    one_hot = np.eye(beats.length)
    inspector = ProbabilityInspector(beats, one_hot[beats.y[:, 0] + 2], one_hot[beats.y[:, 1]])
    children = list(inspector.widget.children)
    assert children.index(inspector.summary) == children.index(inspector.figure) + 1
    inspector.index.value = 4
    onset, offset = beats.y[4]
    assert (f"Beat 4 (record {beats.record[4]}): highest probability onset 1.00 at sample "
            f"{onset + 2} (true {onset}, +8 ms) and offset 1.00 at sample {offset} (true "
            f"{offset}, +0 ms)") in inspector.caption.value
    assert figure_summary(inspector.figure) in inspector.summary.value


class _StandIn:
    """A delineator that finds the cardiologists' waves minus the first QRS."""

    def __init__(self, record):
        self.record = record

    def waves_and_probabilities(self, signal, fs):
        waves = {kind: rows.copy() for kind, rows in self.record.waves["ii"].items()}
        waves["QRS"] = waves["QRS"][1:]
        n = int(signal.size * MODEL_FS / fs)
        return waves, np.eye(4)[np.zeros(n, dtype=int)]


def test_segmentation_viewer_caption_counts_both_strips():
    records = ecgteach.load_ludb([1, 2], leads=["ii"])
    viewer = SegmentationViewer(records, _StandIn(records[0]))
    children = list(viewer.widget.children)
    assert children.index(viewer.caption) == children.index(viewer.figure) + 1
    qrs = len(records[0].waves["ii"]["QRS"])
    assert f"cardiologists 5 P, {qrs} QRS and 5 T; model 5 P, {qrs - 1} QRS" in \
        viewer.caption.value
    viewer.record.value = 1  # record 2, with record 1's waves as the "model"
    assert "LUDB 2, lead ii" in viewer.caption.value
    assert figure_summary(viewer.figure) in viewer.caption.value


def test_training_panel_caption_grows_with_each_epoch_and_resets():
    def train(config, on_epoch, stop):
        for epoch, loss in enumerate((0.8, 0.4, 0.2)):
            time.sleep(0.02)
            on_epoch(epoch, {"loss": loss, "val_loss": loss + 0.1})

    board = ComparisonBoard(metric="final loss")
    panel = TrainingPanel({"epochs": widgets.IntSlider(3, 1, 9)}, train,
                          summarise=lambda config, result: {"final loss": 0.2}, board=board)
    assert panel.caption.value == "<i>Figure: No epochs yet.</i>"
    assert panel.start() and panel.wait(timeout=30)
    assert panel.caption.value == (
        "<i>Figure: Over 3 epochs: validation loss fell from 0.9 to 0.3, lowest 0.3 at epoch 3; "
        "training loss fell from 0.8 to 0.2, lowest 0.2 at epoch 3.</i>")
    assert board.caption.value == "<i>Figure: 1 run: final loss lowest 0.2 (run 1), highest 0.2 " \
        "(run 1).</i>"
    panel.reset()
    assert panel.caption.value == "<i>Figure: No epochs yet.</i>"


# ------------------------------------------------------------------ second cues
def _style(trace):
    return (trace.line.dash or "solid", trace.marker.symbol or "circle")


def test_onset_and_offset_differ_by_dash_and_symbol(beats):
    fig = seed_beats_figure(beats, rows=[0])
    onset, offset = (t for t in fig.data if t.mode == "markers")
    assert onset.marker.symbol != offset.marker.symbol
    dashes = [s.line.dash for s in fig.layout.shapes if s.type == "line"]
    assert len(set(dashes)) == 2
    scatter = prediction_scatter(_run("r", beats.y, beats.y))
    assert scatter.data[0].marker.symbol != scatter.data[2].marker.symbol
    inspector = ProbabilityInspector(beats, np.eye(200)[beats.y[:, 0]], np.eye(200)[beats.y[:, 1]])
    assert inspector.figure.data[1].line.dash != inspector.figure.data[2].line.dash
    named = [s.label.text for s in inspector.figure.layout.shapes if s.line.color == "grey"]
    assert named == ["true onset", "true offset"]


def test_training_and_validation_differ_by_dash_and_symbol():
    fig = loss_figure({"loss": [1.0, 0.5], "val_loss": [1.1, 0.6]})
    assert _style(fig.data[0]) != _style(fig.data[1])
    assert fig.data[0].line.dash != fig.data[1].line.dash
    panel = TrainingPanel({"epochs": widgets.IntSlider(3, 1, 9)}, lambda *args: None)
    assert [_style(t) for t in panel.figure.data] == [_style(t) for t in fig.data]


def test_robustness_boundaries_and_agreement_groups_differ_beyond_colour(record):
    fig = robustness_figure(_jitter_curve(record))
    styles = {t.name: _style(t) for t in fig.data}
    assert len(set(styles.values())) == 4 and {s[0] for s in styles.values()} >= {"solid", "dash"}
    rows = [LabelAgreement("2", "ii", "QRS offset", 9, 1.5, -0.5, 1.0),
            LabelAgreement("170", "ii", "QRS offset", 7, 20.3, -20.9, -0.6)]
    agree, depart = (t for t in label_agreement_figure(rows).data if t.mode == "markers")
    assert agree.marker.symbol != depart.marker.symbol


def test_every_shaded_wave_is_named(record):
    for fig in (record_figure(record, "ii"),
                prediction_figure(record, "ii", lambda signal, fs: record.waves["ii"]),
                window_figure(ecgteach.make_windows([record], ["ii"]), 1)):
        for kind in WAVE_COLOURS:
            shapes = _wave_shapes(fig, kind)
            assert shapes and all(s.label.text == kind for s in shapes)
    # QRS names at the bottom, P and T at the top: neighbours do not collide
    shapes = record_figure(record, "ii").layout.shapes
    assert {s.label.textposition for s in shapes if s.label.text == "QRS"} == {"bottom center"}
    assert {s.label.textposition for s in shapes if s.label.text in ("P", "T")} == {"top center"}


def test_segmentation_viewer_probabilities_differ_by_dash():
    records = ecgteach.load_ludb([1], leads=["ii"])
    viewer = SegmentationViewer(records, _StandIn(records[0]))
    assert len({t.line.dash for t in viewer.figure.data[1:]}) == 4
    assert all(s.label.text in WAVE_COLOURS for s in viewer.figure.layout.shapes)


def test_mean_prediction_curves_differ_by_dash_and_symbol():
    walk = np.array([[1.0, 2.0], [80.0, 105.0]])
    result = SimpleNamespace(
        name="walk", fs=250.0, history=dict(zip(MEAN_PREDICTION_KEYS, walk.T, strict=True)),
        scaler=SimpleNamespace(inverse_y=lambda y: y, target_mean=np.array([82.0, 107.0])))
    onset, offset = mean_prediction_figure(result).data
    assert onset.line.dash != offset.line.dash and onset.marker.symbol != offset.marker.symbol
