"""Training panel and comparison board: retrain a model from sliders, watch the loss fall.

The panel knows nothing about models: it is given named controls (sliders,
dropdowns, checkboxes) and a ``train(config, on_epoch, stop)`` function. Train
runs it in a background thread, so the kernel stays free to receive a click
on Stop; the loss curve grows each epoch; errors are shown in the panel. Each
finished run can be added to a :class:`ComparisonBoard`. In a notebook, a
panel as the last line of a cell displays itself; the lessons' panels are in
:mod:`ecgteach.ui.lesson_panels`. Here ``train`` is a stand-in for a Keras
fit (``callbacks=[on_epoch], stop_event=stop``) whose loss halves each epoch:

>>> import ipywidgets as widgets
>>> def train(config, on_epoch, stop):
...     loss = 1.0
...     for epoch in range(config["epochs"]):
...         if stop.is_set():
...             break
...         loss /= 2
...         on_epoch(epoch, {"loss": loss, "val_loss": 1.5 * loss})
...     return loss
>>> board = ComparisonBoard(metric="final loss")
>>> panel = TrainingPanel(
...     controls={"units": widgets.IntSlider(32, 8, 128, description="units"),
...               "epochs": widgets.IntSlider(3, 1, 30, description="epochs")},
...     train=train, summarise=lambda config, loss: {**config, "final loss": loss},
...     board=board)
>>> panel.start()                     # what the Train button does
True
>>> panel.wait(timeout=30), panel.progress.value
(True, 'Run 1: done in ... s.')
>>> panel.figure.data[0].y            # the training loss, one point per epoch
(0.5, 0.25, 0.125)
>>> panel.caption.value               # the summary under the curve, renewed every epoch
'<i>Figure: Over 3 epochs: validation loss fell from 0.75 to 0.188, lowest 0.188 at epoch 3;
training loss fell from 0.5 to 0.125, lowest 0.125 at epoch 3.</i>'
>>> board.rows
[('run 1', {'units': 32, 'epochs': 3, 'final loss': 0.125, 'seconds': ...})]
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable, Mapping
from html import escape
from typing import Any

from ecgteach.nn.fitting import Stopper
from ecgteach.ui.plots import updating
from ecgteach.ui.styles import LOSS_STYLES, PALETTE
from ecgteach.ui.summaries import (
    board_summary,
    caption_html,
    figure_summary,
    loss_summary,
    set_summary,
)

#: The preset dropdown's entry for "knobs set by hand".
CUSTOM = "(your own settings)"

TrainFn = Callable[[dict[str, Any], Callable[[int, Mapping[str, float]], None], Stopper], Any]


class ComparisonBoard:
    """The runs a student made this session, as a table and a chart.

    ``add(name, row)`` takes a flat dict (configuration and results); the table
    shows every key seen so far, the chart one bar per run for ``metric``.

    >>> board = ComparisonBoard()
    >>> board.add("run 1", {"units": 32, "QRS onset MAE (ms)": 9.5})
    >>> board.add("run 2", {"units": 64, "dropout": 0.2, "QRS onset MAE (ms)": 7.25})
    >>> board.figure.data[0].x, board.figure.data[0].y
    (('run 1', 'run 2'), (9.5, 7.25))
    >>> "dropout" in board.table.value           # a column for every key
    True
    >>> board.caption.value                       # the chart's summary, under it
    '<i>Figure: 2 runs: QRS onset MAE (ms) lowest 7.25 (run 2), highest 9.5 (run 1).</i>'
    """

    def __init__(self, metric: str = "QRS onset MAE (ms)", title: str = "Runs so far") -> None:
        import ipywidgets as widgets
        import plotly.graph_objects as go

        self.metric = metric
        self.rows: list[tuple[str, dict[str, Any]]] = []
        self.table = widgets.HTML("<i>No runs yet: press Train.</i>")
        self.figure = go.FigureWidget(
            layout=dict(
                template="plotly_white", height=260, margin=dict(l=60, r=20, t=40, b=40),
                title=dict(text=f"{title}: {metric}", font=dict(size=14)),
                yaxis_title=metric,
            )
        )
        self.figure.add_bar(x=[], y=[], marker_color=PALETTE["blue"], name=metric)
        set_summary(self.figure, board_summary([], [], metric))
        self.caption = widgets.HTML(caption_html(figure_summary(self.figure)))
        self.widget = widgets.VBox([self.table, self.figure, self.caption])

    def add(self, name: str, row: Mapping[str, Any]) -> None:
        """Append a run and redraw the table and chart."""
        self.rows.append((name, dict(row)))
        self._redraw()

    def clear(self) -> None:
        """Forget every run."""
        self.rows.clear()
        self._redraw()

    def _redraw(self) -> None:
        columns: list[str] = []
        for _, row in self.rows:
            columns += [key for key in row if key not in columns]
        if not self.rows:
            self.table.value = "<i>No runs yet: press Train.</i>"
        else:
            cell = "padding:2px 8px;white-space:nowrap;border-bottom:1px solid #ddd"
            head = "".join(
                f"<th style='{cell};text-align:left'>{escape(str(c).replace('_', ' '))}</th>"
                for c in ["run", *columns]
            )
            body = "".join(
                "<tr>" + f"<td style='{cell}'>{escape(name)}</td>"
                + "".join(f"<td style='{cell}'>{_fmt(row.get(c, ''))}</td>" for c in columns)
                + "</tr>"
                for name, row in self.rows
            )
            self.table.value = (
                "<div style='overflow-x:auto'><table class='ecgteach-board' "
                "style='border-collapse:collapse;font-size:12px'>"
                f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
            )
        names, values = [name for name, _ in self.rows], [row.get(self.metric) for _, row in
                                                          self.rows]
        with updating(self.figure):
            self.figure.data[0].x, self.figure.data[0].y = names, values
            set_summary(self.figure, board_summary(names, values, self.metric))
        self.caption.value = caption_html(figure_summary(self.figure))

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1e-2 and value != 0 else f"{value:.2f}"
    return escape(str(value))


class TrainingPanel:
    """Controls + Train / Stop / Reset, a live loss curve, a progress line, the result.

    ``train(config, on_epoch, stop)`` receives the controls' values as a dict,
    must call ``on_epoch(epoch, logs)`` after each epoch (``logs`` with ``loss``
    and optionally ``val_loss``) and end soon after ``stop.is_set()``. Its return
    value goes through ``describe(result) -> html`` into the result area and
    through ``summarise(config, result) -> dict`` onto the board. The module
    docstring runs such a ``train``; :meth:`wait` blocks until a run ends (for
    tests and scripts). An error in ``train`` is shown in the panel, not lost in
    the thread:

    >>> import ipywidgets as widgets
    >>> def broken(config, on_epoch, stop):
    ...     raise ValueError("units must be positive")
    >>> panel = TrainingPanel({"units": widgets.IntSlider(0, 0, 8)}, broken)
    >>> panel.start(), panel.wait(timeout=30)
    (True, True)
    >>> panel.error, panel.progress.value
    (ValueError('units must be positive'), 'Run 1: failed after ... s.')
    """

    def __init__(
        self,
        controls: Mapping[str, Any],
        train: TrainFn,
        describe: Callable[[Any], str] | None = None,
        summarise: Callable[[dict[str, Any], Any], dict[str, Any]] | None = None,
        board: ComparisonBoard | None = None,
        epochs_key: str = "epochs",
        title: str = "Train a model",
        presets: Mapping[str, Mapping[str, Any]] | None = None,
        preset: str | None = None,
    ) -> None:
        import ipywidgets as widgets
        import plotly.graph_objects as go

        self.controls = dict(controls)
        self.presets = {label: dict(values) for label, values in (presets or {}).items()}
        for label, values in self.presets.items():
            unknown = sorted(set(values) - set(self.controls))
            if unknown:
                raise ValueError(f"preset {label!r} sets unknown controls {unknown}")
        self._applying = False
        self.preset = widgets.Dropdown(options=[CUSTOM, *self.presets], value=CUSTOM,
                                       description="start from",
                                       layout=widgets.Layout(width="auto"))
        self.preset.observe(self._on_preset, names="value")
        for control in self.controls.values():
            control.observe(self._on_control, names="value")
        if preset is not None:
            self.use_preset(preset)
        self.defaults = {name: control.value for name, control in self.controls.items()}
        self.default_preset = self.preset.value
        self.train_fn, self.board, self.epochs_key = train, board, epochs_key
        self.describe = describe or (lambda result: escape(repr(result)))
        self.summarise = summarise
        self.stopper = Stopper()
        self.result: Any = None
        self.error: BaseException | None = None
        self.runs = 0
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._started = 0.0

        self.train_button = widgets.Button(description="Train", button_style="primary",
                                           icon="play")
        self.stop_button = widgets.Button(description="Stop", button_style="warning",
                                          icon="stop", disabled=True)
        self.reset_button = widgets.Button(description="Reset", icon="undo")
        self.train_button.on_click(lambda _: self.start())
        self.stop_button.on_click(lambda _: self.stop())
        self.reset_button.on_click(lambda _: self.reset())
        self.progress = widgets.HTML("Set the knobs, then press <b>Train</b>.")
        self.output = widgets.HTML()
        self.figure = go.FigureWidget(
            layout=dict(
                template="plotly_white", height=300, margin=dict(l=60, r=20, t=40, b=40),
                title=dict(text="loss per epoch", font=dict(size=14)),
                xaxis=dict(title="epoch", dtick=1), yaxis_title="loss",
                legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0.6),
            )
        )
        for name in ("training", "validation"):  # solid circles vs dashed squares
            self.figure.add_scatter(x=[], y=[], mode="lines+markers", name=name,
                                    **LOSS_STYLES[name])
        set_summary(self.figure, loss_summary({}))
        self.caption = widgets.HTML(caption_html(figure_summary(self.figure)))
        for control in self.controls.values():
            control.style = {"description_width": "initial"}
        self.widget = widgets.VBox(
            [
                widgets.HTML(f"<h4 style='margin:4px 0'>{escape(title)}</h4>"),
                *([self.preset] if self.presets else []),
                widgets.GridBox(
                    list(self.controls.values()),
                    layout=widgets.Layout(grid_template_columns="repeat(3, 33%)"),
                ),
                widgets.HBox([self.train_button, self.stop_button, self.reset_button]),
                self.progress,
                self.figure,
                self.caption,
                self.output,
            ]
        )

    # -------------------------------------------------------------------- actions
    @property
    def running(self) -> bool:
        """True while a training run is in progress."""
        return self._thread is not None and self._thread.is_alive()

    def config(self) -> dict[str, Any]:
        """The controls' current values."""
        return {name: control.value for name, control in self.controls.items()}

    def use_preset(self, label: str) -> None:
        """Set every knob of a preset (a lesson's setting); other knobs keep their values.

        A lesson calls e.g. ``panel.use_preset("learner's LSTM, scaled inputs and
        targets")``; moving a knob by hand afterwards leaves the preset:

        >>> import ipywidgets as widgets
        >>> panel = TrainingPanel(
        ...     {"units": widgets.IntSlider(32, 8, 128), "dropout": widgets.FloatSlider(0.1)},
        ...     train=lambda config, on_epoch, stop: None,
        ...     presets={"small": {"units": 8}, "large": {"units": 128}})
        >>> panel.use_preset("large")
        >>> panel.config(), panel.preset.value
        ({'units': 128, 'dropout': 0.1}, 'large')
        >>> panel.controls["units"].value = 100
        >>> panel.preset.value
        '(your own settings)'
        """
        if label not in self.presets:
            raise ValueError(f"unknown preset {label!r}; choose from {list(self.presets)}")
        self.preset.value = label
        self._apply(label)

    def _apply(self, label: str) -> None:
        self._applying = True
        try:
            for name, value in self.presets[label].items():
                self.controls[name].value = value
        finally:
            self._applying = False

    def _on_preset(self, change: Mapping[str, Any]) -> None:
        if change["new"] != CUSTOM and not self._applying:
            self._apply(change["new"])

    def _on_control(self, change: Mapping[str, Any]) -> None:
        """A knob moved by hand: the settings are no longer the preset's."""
        label = self.preset.value
        if self._applying or label == CUSTOM:
            return
        if any(self.controls[k].value != v for k, v in self.presets[label].items()):
            self._applying = True
            try:
                self.preset.value = CUSTOM
            finally:
                self._applying = False

    def start(self) -> bool:
        """Start a run in the background (a second start while running is ignored)."""
        with self._lock:
            if self.running:
                self.progress.value = "Already training: press <b>Stop</b> first."
                return False
            self.stopper.clear()
            self.result, self.error = None, None
            self.runs += 1
            self._clear_curve()
            self.output.value = ""
            self._set_running(True)
            config = self.config()
            self._started = time.perf_counter()
            self.progress.value = f"Run {self.runs}: starting (building the model)…"
            self._thread = threading.Thread(target=self._run, args=(config,), daemon=True)
            self._thread.start()
            return True

    def stop(self) -> None:
        """Ask the running training to end (at the end of the current batch)."""
        if self.running:
            self.stopper.stop()
            self.progress.value += " — <b>stopping…</b>"

    def reset(self) -> None:
        """Stop any run, restore the default knobs, clear the curve and the result."""
        self.stop()
        self.wait(timeout=60)
        self._applying = True
        try:
            for name, control in self.controls.items():
                control.value = self.defaults[name]
            self.preset.value = self.default_preset
        finally:
            self._applying = False
        self._clear_curve()
        self.result, self.error = None, None
        self.output.value = ""
        self.progress.value = "Reset. Set the knobs, then press <b>Train</b>."

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the current run ends; True if it has. For tests and scripts."""
        if self._thread is not None:
            self._thread.join(timeout)
        return not self.running

    # ------------------------------------------------------------------ internals
    def _set_running(self, running: bool) -> None:
        self.train_button.disabled = running
        self.stop_button.disabled = not running
        for control in self.controls.values():
            control.disabled = running
        self.preset.disabled = running

    def _clear_curve(self) -> None:
        with updating(self.figure):
            for trace in self.figure.data:
                trace.x, trace.y = [], []
        self._summarise_curve()

    def _summarise_curve(self) -> None:
        train_trace, val_trace = self.figure.data
        with updating(self.figure):
            set_summary(self.figure, loss_summary({"loss": train_trace.y or (),
                                                   "val_loss": val_trace.y or ()}))
        self.caption.value = caption_html(figure_summary(self.figure))

    def _on_epoch(self, epoch: int, logs: Mapping[str, float]) -> None:
        train_trace, val_trace = self.figure.data
        with updating(self.figure):
            if "loss" in logs:
                train_trace.x = (*train_trace.x, epoch + 1)
                train_trace.y = (*train_trace.y, float(logs["loss"]))
            if "val_loss" in logs:
                val_trace.x = (*val_trace.x, epoch + 1)
                val_trace.y = (*val_trace.y, float(logs["val_loss"]))
        self._summarise_curve()
        elapsed = time.perf_counter() - self._started
        total = self.config().get(self.epochs_key)
        left = ""
        if isinstance(total, int) and total > epoch + 1:
            left = f", about {elapsed / (epoch + 1) * (total - epoch - 1):.0f} s left"
        losses = ", ".join(f"{k} {v:.4g}" for k, v in logs.items() if "loss" in k)
        of_total = f"/{total}" if isinstance(total, int) else ""
        self.progress.value = (
            f"Run {self.runs}: epoch {epoch + 1}{of_total} — {losses} — "
            f"{elapsed:.0f} s elapsed{left}"
        )

    def _run(self, config: dict[str, Any]) -> None:
        try:
            result = self.train_fn(config, self._on_epoch, self.stopper)
        except Exception as error:  # shown in the panel, never lost in a thread
            self.error = error
            self.output.value = (
                f"<div style='color:#b00'><b>Training failed:</b> {escape(str(error))}</div>"
                f"<details><summary>details</summary><pre>"
                f"{escape(traceback.format_exc(limit=6))}</pre></details>"
            )
            self.progress.value = f"Run {self.runs}: failed after " \
                f"{time.perf_counter() - self._started:.0f} s."
        else:
            self.result = result
            seconds = time.perf_counter() - self._started
            how = "stopped" if self.stopper.is_set() else "done"
            self.progress.value = f"Run {self.runs}: {how} in {seconds:.0f} s."
            try:
                self.output.value = self.describe(result)
                if self.board is not None and self.summarise is not None:
                    row = {**self.summarise(config, result), "seconds": round(seconds, 1)}
                    self.board.add(f"run {self.runs}" + (" (stopped)" if how == "stopped"
                                                         else ""), row)
            except Exception as error:
                self.error = error
                self.output.value = (
                    f"<div style='color:#b00'><b>Could not show the result:</b> "
                    f"{escape(str(error))}</div>"
                )
        finally:
            self._set_running(False)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)
