"""Interactive widgets (ipywidgets 8 + plotly FigureWidget) for the lessons.

Logic lives here and is tested headless: set a control's ``.value`` and the
figure's data changes, with no browser needed.

Usage::

    browser = RecordBrowser()        # in a notebook cell: displays itself
    browser.record.value = 17        # what a student's slider does
"""

from __future__ import annotations

import numpy as np

from .ludb import LUDB_LEADS, LUDB_RECORDS, load_ludb_record, ludb_metadata
from .plots import record_figure, record_traces


class RecordBrowser:
    """Browse every LUDB record and lead with the cardiologists' waves shaded.

    Controls: record (1-200), lead (12 leads), time window (s), and a summary
    line with the patient's rhythm and the number of annotated waves.
    Usage: ``RecordBrowser(record=1, lead="ii")`` as the last line of a cell.
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
            options=list(LUDB_LEADS), value=lead, description="lead",
            layout=widgets.Layout(width="160px"),
        )
        self.window = widgets.FloatRangeSlider(
            value=window_s, min=0.0, max=10.0, step=0.1, description="time (s)",
            readout_format=".1f", continuous_update=False, layout=widgets.Layout(width="420px"),
        )
        self.summary = widgets.HTML()
        self._record = load_ludb_record(record)
        self.figure = record_figure(self._record, lead, *window_s, widget=True)
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
        with self.figure.batch_update():
            self.figure.data[0].x = trace["x"]
            self.figure.data[0].y = trace["y"]
            self.figure.data[0].name = trace["name"]
            self.figure.layout.shapes = layout["shapes"]
            self.figure.layout.title.text = layout["title"]["text"]
            self.figure.layout.xaxis.range = layout["xaxis"]["range"]
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
