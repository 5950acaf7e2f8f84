"""Interactive widgets (ipywidgets 8 + plotly FigureWidget) for the lessons.

Logic lives here and is tested headless: set a control's ``.value`` and the
figure's data changes, with no browser needed. In a notebook, a widget as the
last line of a cell displays itself.

>>> browser = RecordBrowser()
>>> browser.record.value = 17        # what a student's slider does
>>> browser.figure.layout.title.text
"LUDB record 17, lead ii — cardiologists' waves: 9 P, 10 QRS, 9 T"
"""

from __future__ import annotations

import numpy as np

from ecgteach.datasets.ludb import LUDB_LEADS, LUDB_RECORDS, load_ludb_record, ludb_metadata
from ecgteach.delineation.scoring import score_delineator
from ecgteach.delineation.segmenter import MODEL_FS
from ecgteach.ecg.leads import lead_name
from ecgteach.evaluation.metrics import DelineationScorer
from ecgteach.evaluation.robustness import add_baseline_wander, add_noise
from ecgteach.ui.plots import _strip_shapes, record_figure, record_traces, updating
from ecgteach.ui.styles import OFFSET_COLOUR, OFFSET_DASH, ONSET_COLOUR, ONSET_DASH, WAVE_COLOURS
from ecgteach.ui.summaries import (
    caption_html,
    figure_summary,
    prediction_summary,
    probability_summary,
    record_summary,
    set_summary,
)


class RecordBrowser:
    """Browse every LUDB record and lead with the cardiologists' waves shaded.

    Controls: record (1-200), lead (12 leads), time window (s), and a summary
    line with the patient's rhythm and the number of annotated waves. Under the
    figure, its summary (``caption``), renewed with every change:

    >>> browser = RecordBrowser(record=1, lead="ii")
    >>> browser.summary.value
    '<b>patient 1</b>: F, 51 years, Sinus bradycardia. Lead ii: 6 QRS, 5 P, 5 T annotated; ...'
    >>> browser.lead.value = "v1"
    >>> browser.window.value = (2.0, 4.0)
    >>> browser.figure.data[0].name, browser.figure.layout.xaxis.range
    ('lead v1', (2.0, 4.0))
    >>> browser.record_slider.value = 2              # the slider moves the record box
    >>> browser.record.value, browser.figure.layout.title.text
    (2, "LUDB record 2, lead v1 — cardiologists' waves: 8 P, 9 QRS, 8 T")
    >>> browser.caption.value
    '<i>Figure: LUDB record 2, lead v1, 2-4 s: 2 P, 3 QRS and 3 T waves labelled; voltage -0.64 to
     0.10 mV.</i>'
    """

    def __init__(
        self, record: int = 1, lead: str = "ii", window_s: tuple[float, float] = (0.0, 10.0)
    ) -> None:
        import ipywidgets as widgets

        self.record = widgets.BoundedIntText(
            value=record, min=LUDB_RECORDS[0], max=LUDB_RECORDS[-1], description="record",
            layout=widgets.Layout(width="160px"),
        )
        self.record_slider = widgets.IntSlider(
            value=record, min=LUDB_RECORDS[0], max=LUDB_RECORDS[-1], readout=False,
            layout=widgets.Layout(width="260px"),
        )
        widgets.jslink((self.record, "value"), (self.record_slider, "value"))
        self.lead = widgets.Dropdown(
            options=list(LUDB_LEADS), value=lead_name(lead), description="lead",
            layout=widgets.Layout(width="160px"),
        )
        self.window = widgets.FloatRangeSlider(
            value=window_s, min=0.0, max=10.0, step=0.1, description="time (s)",
            readout_format=".1f", continuous_update=False, layout=widgets.Layout(width="420px"),
        )
        self.summary = widgets.HTML()
        self._record = load_ludb_record(record)
        self.figure = record_figure(self._record, lead, *window_s, widget=True)
        self.caption = widgets.HTML(caption_html(figure_summary(self.figure)))
        for control in (self.record, self.lead, self.window):
            control.observe(self._on_change, names="value")
        # the slider drives the text box in the browser (jslink); mirror it in Python too,
        # so that code setting the slider's value (tests, other widgets) also updates
        self.record_slider.observe(self._on_slider, names="value")
        self._update_summary()
        self.widget = widgets.VBox(
            [
                widgets.HBox([self.record, self.record_slider, self.lead, self.window]),
                self.summary,
                self.figure,
                self.caption,
            ]
        )

    def _on_slider(self, change: dict) -> None:
        self.record.value = change["new"]

    def _on_change(self, change: dict) -> None:
        self.update()

    def update(self) -> None:
        """Redraw for the current control values (called on every change)."""
        if self._record.name != str(self.record.value):
            self._record = load_ludb_record(self.record.value)
        start_s, stop_s = self.window.value
        if stop_s <= start_s:
            stop_s = min(start_s + 0.1, self._record.duration_s)
        trace, layout = record_traces(self._record, self.lead.value, start_s, stop_s)
        with updating(self.figure):
            self.figure.data[0].x = trace["x"]
            self.figure.data[0].y = trace["y"]
            self.figure.data[0].name = trace["name"]
            self.figure.layout.shapes = layout["shapes"]
            self.figure.layout.title.text = layout["title"]["text"]
            self.figure.layout.xaxis.range = layout["xaxis"]["range"]
            self.figure.layout.yaxis.range = layout["yaxis"]["range"]
            set_summary(self.figure, record_summary(self._record, self.lead.value, start_s,
                                                    stop_s))
        self.caption.value = caption_html(figure_summary(self.figure))
        self._update_summary()

    def _update_summary(self) -> None:
        meta = ludb_metadata(self.record.value)
        waves = self._record.waves[self.lead.value]
        qrs = waves["QRS"]
        complete = qrs[(qrs[:, 0] >= 0) & (qrs[:, 2] >= 0)]
        median = (
            f"{np.median(complete[:, 2] - complete[:, 0]) * 1000 / self._record.fs:.0f} ms"
            if len(complete)
            else "n/a"
        )
        quirks = self._record.quirks.get(self.lead.value, [])
        self.summary.value = (
            f"<b>patient {self.record.value}</b>: {meta.get('Sex', '?')}, {meta.get('Age', '?')} "
            f"years, {meta.get('Rhythms', '?')}. Lead {self.lead.value}: {len(qrs)} QRS, "
            f"{len(waves['P'])} P, {len(waves['T'])} T annotated; median QRS duration {median}"
            + (f"; <i>{len(quirks)} annotation quirk(s)</i>" if quirks else "")
        )

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)


class ProbabilityInspector:
    """Pick a beat; see its ECG, the onset (vermillion, solid) and offset (blue, dashed) curves.

    Dotted lines mark each curve's maximum (the prediction), solid grey lines the
    cardiologists' onset and offset; the header gives both errors in ms, the
    summary under the figure (``summary``) both maxima against the labels. This is
    the picture the learner described when boundaries-as-classification worked.
    ``onset_probs``/``offset_probs`` are ``(n, length)`` distributions over time for
    the rows of ``beats``, e.g. a boundary classifier's outputs on the validation
    beats. Here a stand-in that is sure of one sample per beat, 2 samples (8 ms
    at 250 Hz) after the true onset and 1 sample before the true offset:

    >>> from ecgteach import load_ludb_record, make_seed_dataset
    >>> beats = make_seed_dataset([load_ludb_record(1, leads=["ii"])], lead="ii", n_beats=None)
    >>> one_hot = np.eye(beats.length)
    >>> inspector = ProbabilityInspector(beats, one_hot[beats.y[:, 0] + 2],
    ...                                  one_hot[beats.y[:, 1] - 1])
    >>> inspector.errors_ms()[0]
    array([ 8., -4.])
    >>> inspector.index.value = 2
    >>> print(inspector.summary.value)
    <i>Figure: Beat 2 (record 1): highest probability onset 1.00 at sample 68 (true 66, +8 ms) and
    offset 1.00 at sample 87 (true 88, -4 ms).</i>
    """

    def __init__(
        self, beats, onset_probs: np.ndarray, offset_probs: np.ndarray, index: int = 0
    ) -> None:
        import ipywidgets as widgets
        import plotly.graph_objects as go

        onset_probs, offset_probs = np.asarray(onset_probs), np.asarray(offset_probs)
        expected = (len(beats), beats.length)
        if onset_probs.shape != expected or offset_probs.shape != expected:
            raise ValueError(
                f"probabilities must have shape {expected} (one distribution per beat), got "
                f"{onset_probs.shape} and {offset_probs.shape}"
            )
        self.beats, self.onset_probs, self.offset_probs = beats, onset_probs, offset_probs
        self.index = widgets.IntSlider(
            value=index, min=0, max=len(beats) - 1, description="example",
            continuous_update=False, layout=widgets.Layout(width="520px"),
        )
        self.summary = widgets.HTML()
        fig = go.FigureWidget(
            layout=dict(
                template="plotly_white", height=380, margin=dict(l=60, r=60, t=80, b=45),
                xaxis=dict(title="sample in row"),
                yaxis=dict(title="voltage"),
                yaxis2=dict(title="probability", overlaying="y", side="right",
                            rangemode="tozero", showgrid=False),
                legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0),
            )
        )
        fig.add_scatter(y=[], mode="lines", name="ECG", line=dict(color="black", width=1.2))
        fig.add_scatter(y=[], mode="lines", name="P(onset)", yaxis="y2",
                        line=dict(color=ONSET_COLOUR, width=2, dash=ONSET_DASH))
        fig.add_scatter(y=[], mode="lines", name="P(offset)", yaxis="y2",
                        line=dict(color=OFFSET_COLOUR, width=2, dash=OFFSET_DASH))
        self.figure = fig
        self.caption = self.summary  # the line under the figure
        self.index.observe(lambda change: self.update(), names="value")
        self.update()
        self.widget = widgets.VBox([self.index, self.figure, self.summary])

    def errors_ms(self) -> np.ndarray:
        """(n, 2) predicted - true onset/offset in ms, predictions at each maximum."""
        predicted = np.stack([self.onset_probs.argmax(1), self.offset_probs.argmax(1)], axis=1)
        return (predicted - self.beats.y) * 1000.0 / self.beats.fs

    def update(self) -> None:
        """Redraw for the chosen example."""
        i = int(self.index.value)
        onset, offset = (int(v) for v in self.beats.y[i])
        predicted = (int(self.onset_probs[i].argmax()), int(self.offset_probs[i].argmax()))
        errors = (np.array(predicted) - (onset, offset)) * 1000.0 / self.beats.fs
        line = dict(type="line", yref="paper", y0=0, y1=1)
        named = dict(textposition="end", font=dict(size=10, color="grey"))
        shapes = [
            {**line, "x0": onset, "x1": onset, "line": dict(color="grey", width=2),
             "label": dict(text="true onset", **named)},
            {**line, "x0": offset, "x1": offset, "line": dict(color="grey", width=2),
             "label": dict(text="true offset", **named)},
            {**line, "x0": predicted[0], "x1": predicted[0],
             "line": dict(color=ONSET_COLOUR, dash="dot", width=2)},
            {**line, "x0": predicted[1], "x1": predicted[1],
             "line": dict(color=OFFSET_COLOUR, dash="dot", width=2)},
        ]
        with updating(self.figure):
            self.figure.data[0].y = self.beats.voltage[i]
            self.figure.data[1].y = self.onset_probs[i]
            self.figure.data[2].y = self.offset_probs[i]
            self.figure.layout.shapes = shapes
            self.figure.layout.title = dict(
                text=f"beat {i} (record {self.beats.record[i]}): onset error {errors[0]:+.0f} ms, "
                f"offset error {errors[1]:+.0f} ms — grey: cardiologist, dotted: maximum",
                font=dict(size=13),
            )
            set_summary(self.figure, probability_summary(
                i, self.beats.record[i], self.onset_probs[i], self.offset_probs[i],
                (onset, offset), self.beats.fs))
        self.summary.value = caption_html(figure_summary(self.figure))

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)


class SegmentationViewer:
    """A record's lead with the cardiologists' waves on top and the model's below.

    Coloured bands, each with its wave's name: P blue, QRS vermillion, T green; the
    top strip is the cardiologists', the bottom strip the model's (how many of each,
    under the figure: ``caption``). Tick "probabilities" to see the
    per-sample class probabilities. The header gives this lead's QRS onset and
    offset errors (ms) against the cardiologists, matched within 150 ms.
    ``delineator`` needs ``waves_and_probabilities(signal, fs)``, as
    :class:`ecgteach.Delineator` has; lesson 04 shows
    ``SegmentationViewer(test_records, ecgteach.Delineator())``. The example of
    :class:`RobustnessExplorer` runs one (its ``viewer``).
    """

    def __init__(
        self, records, delineator, lead: str = "ii", index: int = 0, transform=None
    ) -> None:
        import ipywidgets as widgets
        from plotly.subplots import make_subplots

        if not records:
            raise ValueError("no records to show")
        self.records, self.delineator = list(records), delineator
        self.transform = transform  # (signal, fs) -> signal, applied before everything
        self.record = widgets.Dropdown(
            options=[(f"{r.database} {r.name}", i) for i, r in enumerate(self.records)],
            value=index, description="record",
        )
        self.lead = widgets.Dropdown(options=list(self.records[index].leads),
                                     value=self.records[index].lead_key(lead),
                                     description="lead")
        self.show_probabilities = widgets.Checkbox(value=False, description="probabilities")
        self.summary = widgets.HTML()
        fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.7, 0.3],
                            vertical_spacing=0.06)
        import plotly.graph_objects as go

        self.figure = go.FigureWidget(fig)
        self.figure.add_scatter(x=[], y=[], mode="lines", name="ECG",
                                line=dict(color="black", width=1.1), row=1, col=1)
        for name, colour, dash in (("background", "#999", "dot"), ("P", WAVE_COLOURS["P"], "dash"),
                                   ("QRS", WAVE_COLOURS["QRS"], "solid"),
                                   ("T", WAVE_COLOURS["T"], "dashdot")):
            self.figure.add_scatter(x=[], y=[], mode="lines", name=f"P({name})",
                                    line=dict(color=colour, width=1.5, dash=dash), row=2, col=1,
                                    visible=False)
        self.figure.update_layout(
            template="plotly_white", height=460, margin=dict(l=60, r=20, t=70, b=40),
            legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0),
        )
        self.figure.update_xaxes(title_text="time (s)", row=2, col=1)
        self.figure.update_yaxes(title_text="mV", row=1, col=1)
        self.figure.update_yaxes(title_text="probability", range=[0, 1], row=2, col=1)
        self.caption = widgets.HTML()
        for control in (self.record, self.lead, self.show_probabilities):
            control.observe(lambda change: self.update(), names="value")
        self.update()
        self.widget = widgets.VBox(
            [widgets.HBox([self.record, self.lead, self.show_probabilities]), self.summary,
             self.figure, self.caption]
        )

    def update(self) -> None:
        """Recompute the model's labels for the chosen record and lead, and redraw."""

        record = self.records[self.record.value]
        if self.lead.value not in record.leads:
            self.lead.options = list(record.leads)
            return  # changing the options triggers another update
        signal = record.lead(self.lead.value)
        if self.transform is not None:
            signal = self.transform(signal, record.fs)
        predicted, probs = self.delineator.waves_and_probabilities(signal, record.fs)
        truth = record.waves.get(record.lead_key(self.lead.value), {})
        t_prob = np.arange(probs.shape[0]) / MODEL_FS
        shapes = [shape for waves, y0, y1 in ((truth, 0.88, 1.0), (predicted, 0.0, 0.12))
                  for shape in _strip_shapes(waves, record.fs, 0, record.duration_s, y0, y1,
                                             yref="y domain")]
        with updating(self.figure):
            self.figure.data[0].x = np.arange(signal.size) / record.fs
            self.figure.data[0].y = signal
            for k in range(4):
                self.figure.data[1 + k].x = t_prob
                self.figure.data[1 + k].y = probs[:, k]
                self.figure.data[1 + k].visible = bool(self.show_probabilities.value)
            self.figure.layout.shapes = shapes
        text = "no cardiologists' labels for this lead"
        if truth:
            scores = DelineationScorer().add_lead(record, self.lead.value, predicted)
            parts = [
                f"{name} {s.mean_ms:+.1f} ± {s.sd_ms:.1f} ms (found {s.tp}/{s.n_true})"
                for name, s in scores.items() if name.startswith("QRS") and s.n_true
            ]
            text = "; ".join(parts) or text
        with updating(self.figure):
            self.figure.layout.title = dict(
                text=f"{record.database.upper()} {record.name}, lead {self.lead.value} — top "
                "strip: cardiologists, bottom strip: model", font=dict(size=13))
            set_summary(self.figure, prediction_summary(record, self.lead.value, predicted))
        self.caption.value = caption_html(figure_summary(self.figure))
        self.summary.value = f"<b>Errors on this lead</b> (model − cardiologist): {text}"

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)


class RobustnessExplorer:
    """Sliders add noise and baseline wander; see the delineation and the scores change.

    The figure shows one record's lead, corrupted, with the cardiologists' waves
    (top strip) and the model's (bottom strip). The table scores the model on
    all ``records`` at the current setting, beside the clean score.

    >>> import ecgteach
    >>> from ecgteach import TEST_RECORDS, load_ludb
    >>> explorer = RobustnessExplorer(load_ludb(TEST_RECORDS[:2], leads=["ii"]),
    ...                               ecgteach.Delineator())
    >>> print(explorer.viewer.summary.value)      # record 161, no corruption yet
    <b>Errors on this lead</b> (model − cardiologist): QRS onset ... ms (found 8/8);
    QRS offset ... ms (found 8/8)
    >>> explorer.snr_db.value = 0.0               # as much noise as signal
    >>> clean, noisy = explorer.clean["P onset"], explorer.current_scores()["P onset"]
    >>> noisy.sensitivity < clean.sensitivity     # the small P waves drown first
    True
    """

    def __init__(self, records, delineator, lead: str = "ii") -> None:
        import ipywidgets as widgets


        if not records:
            raise ValueError("no records to explore")
        self.records, self.delineator, self.lead = list(records), delineator, lead
        self.snr_db = widgets.FloatSlider(
            value=40.0, min=-5.0, max=40.0, step=1.0, description="SNR (dB)",
            continuous_update=False, style={"description_width": "initial"},
        )
        self.wander_mv = widgets.FloatSlider(
            value=0.0, min=0.0, max=2.0, step=0.1, description="wander (mV)",
            continuous_update=False, style={"description_width": "initial"},
        )
        self.scores = widgets.HTML()
        self.clean = score_delineator(delineator, self.records, lead,
                                      warm_up=False).pooled.scores()
        self.viewer = SegmentationViewer(self.records, delineator, lead=lead,
                                         transform=self.corrupt)
        self.figure = self.viewer.figure
        for control in (self.snr_db, self.wander_mv):
            control.observe(lambda change: self.update(), names="value")
        self.update()
        self.widget = widgets.VBox(
            [widgets.HBox([self.snr_db, self.wander_mv]), self.viewer.widget, self.scores]
        )

    def corrupt(self, signal: np.ndarray, fs: float) -> np.ndarray:
        """The current corruption: baseline wander, then noise (40 dB = none)."""

        out = np.asarray(signal, dtype=np.float32)
        if self.wander_mv.value > 0:
            out = add_baseline_wander(out, fs, amplitude_mv=self.wander_mv.value, seed=1)
        if self.snr_db.value < 40:
            out = add_noise(out, self.snr_db.value, seed=2)
        return out

    def current_scores(self) -> dict:
        """Scores of the model on all records at the current corruption."""

        return score_delineator(self.delineator, self.records, self.lead, corrupt=self.corrupt,
                                warm_up=False).pooled.scores()

    def update(self) -> None:
        """Re-corrupt and re-delineate the shown record; re-score all records."""
        self.viewer.update()
        now = self.current_scores()
        rows = "".join(
            f"<tr><td>{name}</td><td>{self.clean[name].sensitivity:.1f} / "
            f"{self.clean[name].mean_ms:+.1f} ± {self.clean[name].sd_ms:.1f}</td>"
            f"<td><b>{now[name].sensitivity:.1f} / {now[name].mean_ms:+.1f} ± "
            f"{now[name].sd_ms:.1f}</b></td></tr>"
            for name in ("QRS onset", "QRS offset", "P onset", "T offset")
        )
        self.scores.value = (
            f"<table><thead><tr><th>{len(self.records)} records, lead {self.lead}</th>"
            "<th>clean: Se % / error ms</th><th>now: Se % / error ms</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>"
        )

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)
