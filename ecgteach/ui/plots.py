"""Plotly figures for the lessons: records with waves shaded, histograms, seed beats.

Every function returns a ``plotly.graph_objects.Figure`` (or a ``FigureWidget``
with ``widget=True``) built from data passed in: nothing is drawn by hand.
In a notebook a figure as the last line of a cell (or ``fig.show()``) draws
it; no browser is needed to build one and look at what it holds:

>>> from ecgteach import load_ludb, load_ludb_record, qrs_durations
>>> fig = record_figure(load_ludb_record(1, leads=["ii"]), "ii", start_s=0, stop_s=4)
>>> fig.layout.title.text
"LUDB record 1, lead ii — cardiologists' waves: 5 P, 6 QRS, 5 T"
>>> qrs_duration_figure(qrs_durations(load_ludb(leads=["ii"]))).layout.title.text
'QRS duration of 1817 annotated complexes'
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from ecgteach.beats.seedset import SeedDataset
from ecgteach.ecg.records import Record
from ecgteach.ecg.waves import MISSING, WAVE_KINDS
from ecgteach.ui import summaries
from ecgteach.ui.styles import (
    BOUNDARY_STYLES,
    LAYOUT,
    LOSS_STYLES,
    OFFSET_COLOUR,
    OFFSET_DASH,
    OFFSET_SYMBOL,
    ONSET_COLOUR,
    ONSET_DASH,
    ONSET_SYMBOL,
    PALETTE,
    WAVE_COLOURS,
    wave_label,
)
from ecgteach.ui.summaries import set_summary


def keep_widget_state(figure: Any) -> None:
    """Store a FigureWidget's current data and layout as its widget state.

    Plotly sends updates made after display as messages, which a browser that
    reloads the page (or a second view) never sees: it would draw the figure as
    first displayed. Every widget in ecgteach calls this after each update, so
    a reloaded lesson shows the current curves. A plain ``Figure`` is left alone.
    :func:`updating` calls it at the end of a batch update.

    >>> import plotly.graph_objects as go
    >>> fig = go.FigureWidget()
    >>> _ = fig.add_scatter(y=[1, 2, 3])
    >>> fig._widget_data              # what a reloaded page would draw: the empty figure
    []
    >>> keep_widget_state(fig)
    >>> fig._widget_data[0]["y"]
    [1, 2, 3]
    """
    if hasattr(figure, "_widget_data"):
        figure._widget_layout = copy.deepcopy(figure._layout_obj._props)
        figure._widget_data = copy.deepcopy(figure._data)


@contextlib.contextmanager
def updating(figure: Any) -> Iterator[Any]:
    """``figure.batch_update()`` followed by :func:`keep_widget_state`.

    Every widget redraws its figure this way:

    >>> from ecgteach import load_ludb_record
    >>> fig = record_figure(load_ludb_record(1, leads=["ii"]), "ii", widget=True)
    >>> with updating(fig):
    ...     fig.data[0].y = fig.data[0].y * 2
    ...     fig.layout.title.text = "lead ii, twice as large"
    >>> fig._widget_layout["title"]["text"]        # kept for a reloaded page
    'lead ii, twice as large'
    """
    with figure.batch_update():
        yield figure
    keep_widget_state(figure)


def _finished(fig: Any, summary: str) -> Any:
    """A built figure with its summary, and (a FigureWidget) its widget state kept."""
    set_summary(fig, summary)
    keep_widget_state(fig)
    return fig


def _figure(widget: bool):
    import plotly.graph_objects as go

    return go.FigureWidget() if widget else go.Figure()


def wave_shapes(
    waves: dict[str, np.ndarray], fs: float, start_s: float, stop_s: float
) -> list[dict]:
    """Plotly shape dicts shading each wave between its onset and offset.

    A wave with a missing boundary is shaded only up to its peak on that side,
    with a dotted outline, so students see that the boundary was not annotated.
    The shapes go into a figure with ``fig.update_layout(shapes=...)``.

    >>> from ecgteach import load_ludb_record
    >>> record = load_ludb_record(1, leads=["ii"])
    >>> shapes = wave_shapes(record.waves["ii"], record.fs, 0, 4)
    >>> len(shapes), shapes[0]["fillcolor"]           # 7 waves in 0-4 s, the first a P wave
    (7, '#0072B2')
    >>> qrs_without_offset = {"QRS": np.array([[100, 110, MISSING]])}
    >>> shape, = wave_shapes(qrs_without_offset, 500, 0, 1)
    >>> print(shape["x0"], shape["x1"], shape["line"])   # onset to peak, dotted
    0.2 0.22 {'width': 1, 'dash': 'dot', 'color': '#D55E00'}
    """
    shapes = []
    for kind in WAVE_KINDS:
        for onset, peak, offset in waves.get(kind, np.zeros((0, 3), int)):
            left = (onset if onset != MISSING else peak) / fs
            right = (offset if offset != MISSING else peak) / fs
            if right < start_s or left > stop_s:
                continue
            incomplete = onset == MISSING or offset == MISSING
            shapes.append(
                dict(
                    type="rect", xref="x", yref="paper", x0=left, x1=max(right, left + 1 / fs),
                    y0=0, y1=1, fillcolor=WAVE_COLOURS[kind], opacity=0.18, layer="below",
                    line=dict(width=1 if incomplete else 0, dash="dot", color=WAVE_COLOURS[kind]),
                    label=wave_label(kind),
                )
            )
    return shapes


def _with_room(signal: np.ndarray) -> list[float]:
    """A y range with room above and below the trace for the wave names on the bands."""
    low, high = (float(np.min(signal)), float(np.max(signal))) if np.size(signal) else (0, 1)
    return [low - 0.15 * (high - low or 1.0), high + 0.15 * (high - low or 1.0)]


def _unlabelled_shapes(record: Record, lead: str, start_s: float, stop_s: float) -> list[dict]:
    spans = record.spans.get(lead, [])
    edges = [0.0] + [v / record.fs for span in spans for v in span] + [record.duration_s]
    shapes = []
    for left, right in zip(edges[::2], edges[1::2], strict=True):
        left, right = max(left, start_s), min(right, stop_s)
        if right > left:
            shapes.append(
                dict(
                    type="rect", xref="x", yref="paper", x0=left, x1=right, y0=0, y1=1,
                    fillcolor="#888", opacity=0.12, layer="below", line=dict(width=0),
                )
            )
    return shapes


def record_traces(
    record: Record, lead: str, start_s: float = 0.0, stop_s: float | None = None
) -> tuple[dict, dict]:
    """The data of a record view: (trace dict, layout dict), for building or updating figures.

    >>> from ecgteach import load_ludb_record
    >>> trace, layout = record_traces(load_ludb_record(1, leads=["ii"]), "ii", 0, 4)
    >>> trace["name"], trace["x"].size, layout["xaxis"]["range"]    # 4 s at 500 Hz
    ('lead ii', 2001, [0, 4])
    """
    stop_s = record.duration_s if stop_s is None else stop_s
    if not 0 <= start_s < stop_s:
        raise ValueError(f"the time window must satisfy 0 <= start < stop, got {start_s}..{stop_s}")
    first = int(start_s * record.fs)
    last = min(record.n_samples, int(np.ceil(stop_s * record.fs)) + 1)
    signal = record.lead(lead)[first:last]
    time_s = np.arange(first, first + signal.size) / record.fs
    trace = dict(x=time_s, y=signal, name=f"lead {lead}", line=dict(color="black", width=1.2))
    shapes = _unlabelled_shapes(record, lead, start_s, stop_s)
    waves = record.waves.get(record.lead_key(lead), {})
    shapes += wave_shapes(waves, record.fs, start_s, stop_s)
    counts = {k: len(v) for k, v in waves.items()}
    title = (
        f"{record.database.upper()} record {record.name}, lead {lead} — cardiologists' waves: "
        + ", ".join(f"{counts.get(k, 0)} {k}" for k in WAVE_KINDS)
    )
    layout = dict(
        shapes=shapes,
        title=dict(text=title, font=dict(size=14), y=0.96, x=0.01),
        xaxis=dict(title="time (s)", range=[start_s, stop_s]),
        yaxis=dict(title="voltage (mV)", range=_with_room(signal)),
    )
    return trace, layout


def record_figure(
    record: Record,
    lead: str,
    start_s: float = 0.0,
    stop_s: float | None = None,
    widget: bool = False,
):
    """An ECG lead with the cardiologists' P (blue), QRS (vermillion) and T (green) waves shaded.

    Grey bands are the unlabelled parts (first and last beats of LUDB records).
    The extra traces are the legend entries of the bands.

    >>> from ecgteach import load_ludb_record
    >>> fig = record_figure(load_ludb_record(1, leads=["ii"]), "ii")
    >>> [trace.name for trace in fig.data]
    ['lead ii', 'P', 'QRS', 'T', 'not labelled']
    """
    import plotly.graph_objects as go

    fig = _figure(widget)
    trace, layout = record_traces(record, lead, start_s, stop_s)
    fig.add_trace(go.Scatter(mode="lines", **trace))
    for kind in WAVE_KINDS:  # legend entries for the shaded bands
        fig.add_trace(
            go.Scatter(
                x=[None], y=[None], mode="markers", name=kind,
                marker=dict(symbol="square", size=12, color=WAVE_COLOURS[kind], opacity=0.4),
            )
        )
    fig.add_trace(
        go.Scatter(
            x=[None], y=[None], mode="markers", name="not labelled",
            marker=dict(symbol="square", size=12, color="#888", opacity=0.3),
        )
    )
    fig.update_layout(**LAYOUT)
    fig.update_layout(**layout)
    return _finished(fig, summaries.record_summary(record, lead, start_s, stop_s))


def qrs_duration_figure(durations_ms: np.ndarray, bin_ms: float = 4.0, widget: bool = False):
    """Histogram of QRS durations with the median and the 120 ms wide-QRS threshold.

    >>> from ecgteach import load_ludb, qrs_durations
    >>> fig = qrs_duration_figure(qrs_durations(load_ludb(range(1, 11), leads=["ii"])))
    >>> fig.layout.title.text, [note.text for note in fig.layout.annotations]
    ('QRS duration of 82 annotated complexes', ['median 89 ms', '120 ms'])
    """
    import plotly.graph_objects as go

    durations_ms = np.asarray(durations_ms, dtype=float)
    if durations_ms.size == 0:
        raise ValueError("no QRS durations to plot")
    fig = _figure(widget)
    fig.add_trace(
        go.Histogram(
            x=durations_ms, xbins=dict(size=bin_ms), marker_color=WAVE_COLOURS["QRS"],
            name="QRS complexes",
        )
    )
    median = float(np.median(durations_ms))
    fig.add_vline(x=median, line_dash="dash", annotation_text=f"median {median:.0f} ms")
    fig.add_vline(x=120, line_dash="dot", line_color="grey", annotation_text="120 ms",
                  annotation_position="bottom right")
    fig.update_layout(**LAYOUT)
    fig.update_layout(
        title=f"QRS duration of {durations_ms.size} annotated complexes",
        xaxis_title="QRS duration (ms)", yaxis_title="count", showlegend=False,
    )
    return _finished(fig, summaries.qrs_duration_summary(durations_ms))


def seed_beats_figure(beats: SeedDataset, rows: Sequence[int] = (0, 1, 2), widget: bool = False):
    """Some rows of the learner's dataset: voltage, time channel and the labelled QRS.

    Each panel is one row as the network sees it (sample index on x), with the
    zero padding shaded and the onset (vermillion, solid, ▶) and offset (blue,
    dashed, ◀) labels as lines and markers.

    >>> from ecgteach import load_ludb_record, make_seed_dataset
    >>> beats = make_seed_dataset([load_ludb_record(1, leads=["ii"])], lead="ii", n_beats=None)
    >>> fig = seed_beats_figure(beats, rows=[0, 2])
    >>> [title.text for title in fig.layout.annotations]
    ['row 0: record 1, 0 padded', 'row 2: record 1, 0 padded']
    """
    from plotly.subplots import make_subplots

    rows = [int(r) for r in rows]
    if not rows or min(rows) < 0 or max(rows) >= len(beats):
        raise ValueError(f"rows must be indices in [0, {len(beats)}), got {rows}")
    fig = make_subplots(
        rows=1, cols=len(rows), shared_yaxes=True, horizontal_spacing=0.03,
        subplot_titles=[
            f"row {r}: record {beats.record[r]}, {beats.n_padding[r]} padded" for r in rows
        ],
    )
    if widget:
        import plotly.graph_objects as go

        fig = go.FigureWidget(fig)
    for col, r in enumerate(rows, start=1):
        voltage = beats.voltage[r]
        fig.add_scatter(
            y=voltage, mode="lines", line=dict(color="black", width=1.2),
            name="voltage", showlegend=col == 1, row=1, col=col,
        )
        onset, offset = beats.y[r]
        for position, colour, dash, symbol, name in (
                (onset, ONSET_COLOUR, ONSET_DASH, ONSET_SYMBOL, "onset"),
                (offset, OFFSET_COLOUR, OFFSET_DASH, OFFSET_SYMBOL, "offset")):
            fig.add_vline(x=int(position), line_color=colour, line_width=2, line_dash=dash,
                          row=1, col=col)
            fig.add_scatter(
                x=[int(position)], y=[float(voltage[position])], mode="markers",
                marker=dict(color=colour, size=10, symbol=symbol), name=f"QRS {name} label",
                showlegend=col == 1, row=1, col=col,
            )
        if beats.n_padding[r] > 0:
            fig.add_vrect(x0=0, x1=int(beats.n_padding[r]) - 0.5, fillcolor="#888",
                          opacity=0.15, line_width=0, row=1, col=col)
        fig.update_xaxes(title_text="sample in row", row=1, col=col)
    fig.update_yaxes(title_text="voltage (mV)", row=1, col=1)
    fig.update_layout(**LAYOUT)
    fig.update_layout(
        title=f"The learner's rows: {len(beats)} beats x {beats.length} samples x "
        f"{list(beats.channels)} at {beats.fs:g} Hz (grey: zero padding)",
        height=400, margin=dict(t=90, b=90),
        legend=dict(orientation="h", yanchor="top", y=-0.22, x=0),
    )
    return _finished(fig, summaries.seed_beats_summary(beats, rows))


def _strip_shapes(waves: dict[str, np.ndarray], fs: float, start_s: float, stop_s: float,
                  y0: float, y1: float, yref: str = "paper") -> list[dict]:
    shapes = wave_shapes(waves, fs, start_s, stop_s)
    for shape in shapes:
        shape.update(y0=y0, y1=y1, yref=yref, opacity=0.55, line=dict(width=0),
                     label={**shape["label"], "font": dict(size=8, color="#222")})
    return shapes


def prediction_figure(
    record: Record, lead: str, delineator, start_s: float = 0.0, stop_s: float | None = None
):
    """A lead with the cardiologists' waves (top strip) and the model's (bottom strip).

    ``delineator(signal, fs) -> waves``: usually ``ecgteach.Delineator()``; here
    a stand-in that returns the cardiologists' own waves, so both strips agree:

    >>> from ecgteach import load_ludb_record
    >>> record = load_ludb_record(1, leads=["ii"])
    >>> fig = prediction_figure(record, "ii", lambda signal, fs: record.waves["ii"], 0, 4)
    >>> len(fig.layout.shapes)                        # 7 waves in 0-4 s, in each strip
    14
    >>> fig.layout.title.text
    'LUDB 1, lead ii — top strip: cardiologists, bottom strip: model'
    """
    import plotly.graph_objects as go

    stop_s = record.duration_s if stop_s is None else stop_s
    first = max(0, int(start_s * record.fs))
    last = min(record.n_samples, int(np.ceil(stop_s * record.fs)) + 1)
    signal = record.lead(lead)
    predicted = delineator(signal, record.fs)
    fig = go.Figure()
    fig.add_scatter(x=np.arange(first, last) / record.fs, y=signal[first:last], mode="lines",
                    name=f"lead {lead}", line=dict(color="black", width=1.1))
    for kind in WAVE_KINDS:
        fig.add_scatter(x=[None], y=[None], mode="markers", name=kind,
                        marker=dict(symbol="square", size=12, color=WAVE_COLOURS[kind]))
    truth = record.waves.get(record.lead_key(lead), {})
    shapes = _strip_shapes(truth, record.fs, start_s, stop_s, 0.9, 1.0)
    shapes += _strip_shapes(predicted, record.fs, start_s, stop_s, 0.0, 0.1)
    fig.update_layout(**LAYOUT)
    fig.update_layout(
        shapes=shapes, xaxis=dict(title="time (s)", range=[start_s, stop_s]),
        yaxis=dict(title="voltage (mV)"),
        title=f"{record.database.upper()} {record.name}, lead {lead} — top strip: "
        "cardiologists, bottom strip: model",
    )
    return _finished(fig, summaries.prediction_summary(record, lead, predicted, start_s, stop_s))


def robustness_figure(curve: dict, x_title: str = "corruption"):
    """Se (%) and error SD (ms) per boundary as the corruption grows.

    ``curve`` maps a corruption level to ``DelineationScorer.scores()`` at that
    level, e.g. a model scored at several SNRs (``x_title="SNR (dB)"``). Here
    the stand-in model is the cardiologists' labels moved by random jitter:

    >>> from ecgteach import DelineationScorer, load_ludb_record
    >>> record = load_ludb_record(1, leads=["ii"])
    >>> rng = np.random.default_rng(0)
    >>> curve = {}
    >>> for jitter in (0, 2, 5):
    ...     moved = {kind: np.where(rows >= 0, rows + rng.integers(-jitter, jitter + 1,
    ...                                                            rows.shape), -1)
    ...              for kind, rows in record.waves["ii"].items()}
    ...     scorer = DelineationScorer()
    ...     _ = scorer.add_lead(record, "ii", moved)
    ...     curve[jitter] = scorer.scores()
    >>> fig = robustness_figure(curve, "jitter (samples)")
    >>> fig.data[0].name, fig.data[0].y               # QRS onset: Se (%), all found
    ('QRS onset', (100.0, 100.0, 100.0))
    >>> [round(sd, 1) for sd in fig.data[1].y]        # QRS onset: error SD (ms) grows
    [0.0, 3.0, 3.4]
    """
    from plotly.subplots import make_subplots

    levels = list(curve)
    fig = make_subplots(rows=1, cols=2, subplot_titles=["sensitivity (%)", "error SD (ms)"])
    for name, (colour, dash, symbol) in BOUNDARY_STYLES.items():
        style = dict(name=name, mode="lines+markers", line=dict(color=PALETTE[colour], dash=dash),
                     marker=dict(symbol=symbol, size=8))
        se = [curve[level][name].sensitivity for level in levels]
        sd = [curve[level][name].sd_ms for level in levels]
        fig.add_scatter(x=levels, y=se, **style, row=1, col=1)
        fig.add_scatter(x=levels, y=sd, **style, showlegend=False, row=1, col=2)
    fig.update_xaxes(title_text=x_title)
    fig.update_layout(**LAYOUT)
    fig.update_layout(height=400, title="How the delineation degrades", margin=dict(b=90),
                      legend=dict(orientation="h", yanchor="top", y=-0.22, x=0))
    return _finished(fig, summaries.robustness_summary(curve, x_title, list(BOUNDARY_STYLES)))


def label_agreement_figure(rows: Sequence, departs_ms: float = 10.0):
    """Per record: a lead's labels against the other leads' (x), the model's error (y).

    ``rows`` are :class:`ecgteach.evaluation.LabelAgreement`, usually
    ``label_agreement(test_records, ecgteach.Delineator())``. Points on the dashed
    line y = −x are records where the model sides with the other leads; on y = 0,
    with this lead's label. A stand-in model that returns lead ii's labels puts
    every record on y = 0:

    >>> from ecgteach import label_agreement, load_ludb
    >>> rows = [row for record in load_ludb(range(1, 11))
    ...         for row in label_agreement([record], lambda signal, fs, r=record: r.waves["ii"])]
    >>> fig = label_agreement_figure(rows)
    >>> [(trace.name, len(trace.x)) for trace in fig.data[2:]]     # the records
    [('label agrees with the other leads', 7), ('label departs by > 10 ms', 3)]
    >>> fig.data[3].text, fig.data[3].y.tolist()      # departing labels, model on y = 0
    (('record 1, 6 beats', 'record 8, 10 beats', 'record 10, 8 beats'), [0.0, 0.0, 0.0])
    """
    import plotly.graph_objects as go

    rows = [r for r in rows if r.n_beats]
    if not rows:
        raise ValueError("no record with matched beats to show")
    x = np.array([r.label_vs_other_leads_ms for r in rows])
    y = np.array([r.model_vs_label_ms for r in rows])
    departs = np.abs(x) > departs_ms
    fig = go.Figure()
    reach = float(max(np.abs(x).max(), np.abs(y).max(), departs_ms)) + 3
    fig.add_scatter(x=[-reach, reach], y=[reach, -reach], mode="lines", name="model = other leads",
                    line=dict(color="grey", dash="dash", width=1))
    fig.add_scatter(x=[-reach, reach], y=[0, 0], mode="lines", name="model = this lead's label",
                    line=dict(color="grey", dash="dot", width=1))
    for chosen, name, colour, symbol in (
            (~departs, "label agrees with the other leads", PALETTE["blue"], "circle"),
            (departs, f"label departs by > {departs_ms:g} ms", PALETTE["vermillion"], "diamond")):
        fig.add_scatter(
            x=x[chosen], y=y[chosen], mode="markers", name=name,
            marker=dict(color=colour, size=9, symbol=symbol),
            text=[f"record {r.record}, {r.n_beats} beats" for r, c in zip(rows, chosen, strict=True)
                  if c],
            hovertemplate="%{text}<br>label − other leads %{x:.1f} ms<br>"
                          "model − label %{y:.1f} ms<extra></extra>",
        )
    lead, boundary = rows[0].lead, rows[0].boundary
    fig.update_xaxes(title_text=f"lead {lead} label − median of the other leads (ms)",
                     range=[-reach, reach])
    fig.update_yaxes(title_text="model − lead label (ms)", range=[-reach, reach])
    fig.update_layout(**LAYOUT)
    fig.update_layout(height=440, title=f"{boundary}, lead {lead}: one point per record "
                      "(means over its beats)")
    return _finished(fig, summaries.label_agreement_summary(rows, departs_ms))


def beat_gallery_figure(records: Sequence[Record], beats: Sequence, delineator,
                        half_width_s: float = 0.4):
    """Small multiples of beats (e.g. the worst ones): ECG, true QRS (top), model's (bottom).

    ``beats`` are :class:`ecgteach.delineation.BadBeat` (record, lead, peak,
    errors), e.g. from ``worst_beats(test_records, delineator)``; ``delineator``
    is usually ``ecgteach.Delineator()``. Here a stand-in that misses the first
    QRS and puts the other onsets 3 samples (6 ms) early:

    >>> from ecgteach import load_ludb_record
    >>> from ecgteach.delineation import worst_beats
    >>> record = load_ludb_record(1, leads=["ii"])
    >>> waves = {kind: rows.copy() for kind, rows in record.waves["ii"].items()}
    >>> waves["QRS"] = waves["QRS"][1:] - [3, 0, 0]
    >>> def stand_in(signal, fs):
    ...     return waves
    >>> fig = beat_gallery_figure([record], worst_beats([record], stand_in, n=3), stand_in)
    >>> [title.text for title in fig.layout.annotations]
    ['rec 1: on +nan, off +nan ms', 'rec 1: on -6, off +0 ms', 'rec 1: on -6, off +0 ms']
    """
    from plotly.subplots import make_subplots

    if not beats:
        raise ValueError("no beats to show")
    by_name = {r.name: r for r in records}
    cols = min(3, len(beats))
    rows = int(np.ceil(len(beats) / cols))
    titles = [
        f"rec {b.record}: on {b.onset_error_ms:+.0f}, off {b.offset_error_ms:+.0f} ms"
        for b in beats
    ]
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=titles, vertical_spacing=0.12)
    predictions = {}
    for i, beat in enumerate(beats):
        record = by_name[beat.record]
        key = (beat.record, beat.lead)
        if key not in predictions:
            predictions[key] = delineator(record.lead(beat.lead), record.fs)
        row, col = i // cols + 1, i % cols + 1
        centre = beat.peak / record.fs
        start_s, stop_s = max(0.0, centre - half_width_s), centre + half_width_s
        a, b = int(start_s * record.fs), min(record.n_samples, int(stop_s * record.fs))
        fig.add_scatter(x=np.arange(a, b) / record.fs, y=record.lead(beat.lead)[a:b],
                        mode="lines", line=dict(color="black", width=1), showlegend=False,
                        row=row, col=col)
        axis = "" if i == 0 else str(i + 1)
        for waves, y0, y1, who in ((record.lead_waves(beat.lead), 0.85, 1.0, "true"),
                                   (predictions[key], 0.0, 0.15, "model")):
            for onset, _, offset in waves["QRS"]:
                if onset < 0 or offset < 0 or offset / record.fs < start_s or \
                        onset / record.fs > stop_s:
                    continue
                fig.add_shape(type="rect", x0=onset / record.fs, x1=offset / record.fs,
                              y0=y0, y1=y1, xref=f"x{axis}", yref=f"y{axis} domain",
                              fillcolor=WAVE_COLOURS["QRS"], opacity=0.5, line_width=0,
                              label=wave_label(who, "middle center", "#222"))
    fig.update_layout(**LAYOUT)
    fig.update_layout(height=260 * rows, title="Worst QRS complexes — top: cardiologists, "
                      "bottom: model (errors in ms; nan = missed)")
    return _finished(fig, summaries.beat_gallery_summary(beats))


def gradient_figure(curves: dict, fs: float, title: str = "how much each sample moves the answer"):
    """``|∂y/∂x_t|`` per time step (log scale), one line per model: the vanishing gradient.

    ``curves`` maps a name to :func:`ecgteach.beats.gradient_by_time_step` output.

    >>> import numpy as np
    >>> fig = gradient_figure({"a": np.logspace(-6, -1, 200)}, fs=250)
    >>> fig.layout.yaxis.type, float(fig.data[0].x[-1])
    ('log', 796.0)
    """
    import plotly.graph_objects as go

    fig = go.Figure()
    for (name, values), dash in zip(curves.items(), ("solid", "dash", "dot", "dashdot"),
                                    strict=False):
        values = np.asarray(values, dtype=float)
        fig.add_scatter(x=np.arange(values.size) * 1000.0 / fs, y=values, mode="lines",
                        name=name, line=dict(dash=dash))
    fig.update_layout(**LAYOUT)
    fig.update_layout(title=title, xaxis_title="time step in the row (ms)",
                      yaxis_title="mean |∂ onset / ∂ x_t|", yaxis_type="log", height=340,
                      yaxis_exponentformat="e")
    return _finished(fig, summaries.gradient_summary(curves))


def loss_figure(history: dict, title: str = "loss per epoch", log_y: bool = True):
    """Training and validation loss curves from a Keras-style history dict.

    E.g. ``loss_figure(result.history)`` for an
    :class:`~ecgteach.beats.ExperimentResult`:

    >>> fig = loss_figure({"loss": [1.0, 0.5, 0.3], "val_loss": [1.1, 0.7, 0.6]})
    >>> [trace.name for trace in fig.data], fig.data[1].x, fig.layout.yaxis.type
    (['training', 'validation'], (1, 2, 3), 'log')
    """
    import plotly.graph_objects as go

    fig = go.Figure()
    for key, name in (("loss", "training"), ("val_loss", "validation")):
        values = history.get(key)
        if values:
            fig.add_scatter(x=list(range(1, len(values) + 1)), y=values, mode="lines+markers",
                            name=name, **LOSS_STYLES[name])
    if not fig.data:
        raise ValueError(f"no 'loss' in the history (keys: {sorted(history)})")
    fig.update_layout(**LAYOUT)
    fig.update_layout(title=title, xaxis_title="epoch", yaxis_title="loss",
                      yaxis_type="log" if log_y else "linear", height=320)
    fig.update_xaxes(tick0=1, dtick=1 if len(fig.data[0].x) <= 12 else None)  # whole epochs
    return _finished(fig, summaries.loss_summary(history))


def prediction_scatter(result, part: str = "val", title: str | None = None):
    """Predicted vs true QRS onset and offset (ms into the row), one dot per beat.

    A model that collapsed draws a horizontal line: the same answer for every beat.
    ``result`` is an :class:`~ecgteach.beats.ExperimentResult` (``labels``,
    ``predictions``, ``fs``, ``name``); here a stand-in that always answers the mean:

    >>> from types import SimpleNamespace
    >>> from ecgteach import load_ludb_record, make_seed_dataset
    >>> beats = make_seed_dataset([load_ludb_record(1, leads=["ii"])], lead="ii", n_beats=None)
    >>> mean = np.tile(beats.y.mean(axis=0), (len(beats), 1))
    >>> collapsed = SimpleNamespace(name="collapsed", fs=beats.fs, labels={"val": beats.y},
    ...                             predictions={"val": mean})
    >>> fig = prediction_scatter(collapsed)
    >>> fig.layout.title.text
    'collapsed: predicted vs true (val)'
    >>> fig.data[0].x, fig.data[0].y                   # QRS onset (ms): one answer
    (array([264., 260., 264., 244.]), array([258., 258., 258., 258.]))
    """
    from plotly.subplots import make_subplots

    true_ms = np.asarray(result.labels[part]) * 1000.0 / result.fs
    pred_ms = np.asarray(result.predictions[part]) * 1000.0 / result.fs
    fig = make_subplots(rows=1, cols=2, subplot_titles=["QRS onset", "QRS offset"])
    for col, colour, symbol in ((0, ONSET_COLOUR, ONSET_SYMBOL), (1, OFFSET_COLOUR,
                                                                 OFFSET_SYMBOL)):
        low = float(min(true_ms[:, col].min(), np.nanmin(pred_ms[:, col])))
        high = float(max(true_ms[:, col].max(), np.nanmax(pred_ms[:, col])))
        fig.add_scatter(x=true_ms[:, col], y=pred_ms[:, col], mode="markers",
                        marker=dict(color=colour, size=6, opacity=0.6, symbol=symbol),
                        showlegend=False,
                        row=1, col=col + 1)
        fig.add_scatter(x=[low, high], y=[low, high], mode="lines", showlegend=col == 0,
                        name="perfect", line=dict(color="grey", dash="dash"), row=1, col=col + 1)
    fig.update_xaxes(title_text="cardiologist (ms into the row)")
    fig.update_yaxes(title_text="model (ms into the row)", row=1, col=1)
    fig.update_layout(**LAYOUT)
    fig.update_layout(height=360, title=title or f"{result.name}: predicted vs true ({part})")
    return _finished(fig, summaries.scatter_summary(result.name, part, true_ms, pred_ms))


def window_figure(windows, index: int = 0):
    """One segmentation window: the signal with its per-sample labels as bands.

    >>> from ecgteach import load_ludb_record, make_windows
    >>> fig = window_figure(make_windows([load_ludb_record(1, leads=["ii"])], ["ii"]), 0)
    >>> fig.layout.title.text
    'window 0: record 1, lead ii — every sample labelled (grey: unlabelled)'
    """
    import plotly.graph_objects as go

    if not 0 <= index < len(windows):
        raise ValueError(f"index must be in [0, {len(windows)}), got {index}")
    x = windows.x[index, :, 0]
    labels = windows.labels[index]
    t = np.arange(x.size) / windows.fs
    fig = go.Figure()
    fig.add_scatter(x=t, y=x, mode="lines", name="signal (z-scored)",
                    line=dict(color="black", width=1.2))
    shapes = []
    colours = {1: WAVE_COLOURS["P"], 2: WAVE_COLOURS["QRS"], 3: WAVE_COLOURS["T"], -1: "#888"}
    edges = np.flatnonzero(np.diff(labels)) + 1
    for start, stop in zip(np.r_[0, edges], np.r_[edges, labels.size], strict=True):
        label = int(labels[start])
        if label in colours:
            shapes.append(dict(type="rect", xref="x", yref="paper", x0=t[start],
                               x1=t[stop - 1] + 1 / windows.fs, y0=0, y1=1, layer="below",
                               fillcolor=colours[label], opacity=0.2, line=dict(width=0),
                               **({"label": wave_label(WAVE_KINDS[label - 1])} if label > 0
                                  else {})))
    for kind in WAVE_KINDS:
        fig.add_scatter(x=[None], y=[None], mode="markers", name=kind,
                        marker=dict(symbol="square", size=12, color=WAVE_COLOURS[kind]))
    fig.update_layout(**LAYOUT)
    fig.update_layout(shapes=shapes, xaxis_title="time in window (s)", yaxis_title="z-score",
                      yaxis_range=_with_room(x),
                      title=f"window {index}: record {windows.record[index]}, lead "
                      f"{windows.lead[index]} — every sample labelled (grey: unlabelled)")
    return _finished(fig, summaries.window_summary(windows, index))
