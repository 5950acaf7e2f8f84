"""Figures of lesson 02's regression runs: the walk of the mean answer, and a grid of scatters.

>>> import numpy as np
>>> from types import SimpleNamespace
>>> labels = np.array([[60.0, 80.0], [70.0, 95.0], [80.0, 110.0]])
>>> def run(name, predictions):
...     return SimpleNamespace(name=name, fs=250.0, labels={"val": labels},
...                            predictions={"val": np.asarray(predictions, dtype=float)})
>>> fig = prediction_grid({("time raw", "voltage raw"): run("a", [[70, 95]] * 3),
...                        ("time raw", "voltage std"): run("b", labels)})
>>> [annotation.text for annotation in fig.layout.annotations][:2]
['time raw · voltage raw', 'time raw · voltage std']
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ecgteach.beats.pace import mean_prediction_ms
from ecgteach.ui.styles import (
    LAYOUT,
    OFFSET_COLOUR,
    OFFSET_DASH,
    OFFSET_SYMBOL,
    ONSET_COLOUR,
    ONSET_DASH,
    ONSET_SYMBOL,
)
from ecgteach.ui.summaries import grid_summary, mean_prediction_summary, set_summary


def mean_prediction_figure(result: Any, title: str | None = None):
    """The mean answer on the validation beats after each epoch (ms), and where the labels sit.

    Onset solid with ▶, offset dashed with ◀; dotted lines: the training mean of
    each boundary, the one answer that fits every beat best. A run from zero
    walks there, then stays.
    """
    import plotly.graph_objects as go

    means = mean_prediction_ms(result)
    target_ms = np.asarray(result.scaler.target_mean, dtype=float) * 1000.0 / result.fs
    epochs = list(range(1, len(means) + 1))
    fig = go.Figure()
    for column, (name, colour, dash, symbol) in enumerate((
            ("QRS onset", ONSET_COLOUR, ONSET_DASH, ONSET_SYMBOL),
            ("QRS offset", OFFSET_COLOUR, OFFSET_DASH, OFFSET_SYMBOL))):
        fig.add_scatter(x=epochs, y=means[:, column], mode="lines+markers", name=name,
                        line=dict(color=colour, dash=dash), marker=dict(symbol=symbol, size=8))
        fig.add_hline(y=float(target_ms[column]), line=dict(color=colour, dash="dot"),
                      annotation_text=f"training mean {name[4:]}: {target_ms[column]:.0f} ms",
                      annotation_position="bottom right")
    fig.update_layout(**LAYOUT)
    fig.update_layout(title=title or f"{result.name}: mean answer per epoch (validation beats)",
                      xaxis_title="epoch", yaxis_title="mean answer (ms into the row)",
                      height=340)
    return set_summary(fig, mean_prediction_summary(means, target_ms))


def prediction_grid(runs: Mapping[tuple[str, str], Any], part: str = "val",
                    boundary: int = 0, title: str | None = None):
    """Predicted vs true onset (``boundary=0``) or offset, one panel per run, in a grid.

    ``runs`` maps ``(row label, column label)`` to an ``ExperimentResult``; the
    grid's rows and columns follow the labels' first appearance (e.g. time
    channel raw/scaled × voltage raw/standardised). A row of dots at one height
    is a collapsed model.
    """
    from plotly.subplots import make_subplots

    rows = list(dict.fromkeys(key[0] for key in runs))
    cols = list(dict.fromkeys(key[1] for key in runs))
    titles = [f"{r} · {c}" for r in rows for c in cols]
    fig = make_subplots(rows=len(rows), cols=len(cols), subplot_titles=titles,
                        horizontal_spacing=0.1, vertical_spacing=0.16)
    colour, symbol = ((ONSET_COLOUR, ONSET_SYMBOL), (OFFSET_COLOUR, OFFSET_SYMBOL))[boundary]
    panels = {}
    for (row_label, col_label), result in runs.items():
        row, col = rows.index(row_label) + 1, cols.index(col_label) + 1
        true_ms = np.asarray(result.labels[part])[:, boundary] * 1000.0 / result.fs
        pred_ms = np.asarray(result.predictions[part])[:, boundary] * 1000.0 / result.fs
        panels[f"{row_label} · {col_label}"] = (true_ms, pred_ms)
        low = float(min(true_ms.min(), np.nanmin(pred_ms)))
        high = float(max(true_ms.max(), np.nanmax(pred_ms)))
        fig.add_scatter(x=true_ms, y=pred_ms, mode="markers", showlegend=False,
                        marker=dict(color=colour, size=5, opacity=0.55, symbol=symbol), row=row,
                        col=col)
        fig.add_scatter(x=[low, high], y=[low, high], mode="lines", name="perfect",
                        showlegend=(row, col) == (1, 1), line=dict(color="grey", dash="dash"),
                        row=row, col=col)
    name = ("QRS onset", "QRS offset")[boundary]
    fig.update_xaxes(title_text="cardiologist (ms)")
    fig.update_yaxes(title_text="model (ms)")
    fig.update_layout(**LAYOUT)
    fig.update_layout(height=300 * len(rows) + 60,
                      title=title or f"{name}: predicted vs true ({part}), one panel per run")
    return set_summary(fig, grid_summary(panels, name, part))
