"""Diagrams of the mechanisms the lessons rely on, drawn by code (plotly shapes and text).

* :func:`lstm_cell_figure`: one LSTM step — the forget, input and output gates, the
  candidate, the cell state running along the top, the hidden state out.
* :func:`readout_figure`: what a network reads out of an LSTM over a beat — only the
  last hidden state (``return_sequences=False``) or every hidden state
  (``return_sequences=True``), and a bidirectional layer's two directions.

>>> fig = lstm_cell_figure()
>>> sorted({a.text for a in fig.layout.annotations if a.text in ("f", "i", "g", "o")})
['f', 'g', 'i', 'o']
>>> readout_figure("all_states").layout.title.text[:30]
'return_sequences=True: every h'
"""

from __future__ import annotations

from typing import Any

from ecgteach.ui.styles import PALETTE
from ecgteach.ui.summaries import set_summary

#: Colours of the diagram parts (Okabe-Ito, readable with red-green colour blindness).
GATE_COLOUR, STATE_COLOUR, INPUT_COLOUR, OUTPUT_COLOUR = (
    PALETTE[name] for name in ("blue", "orange", "bluish green", "reddish purple"))


#: The gates of an LSTM step: name, x position in the diagram, what it is.
GATES = (("f", 2.5, "forget: σ"), ("i", 4.0, "input: σ"), ("g", 5.5, "candidate: tanh"),
         ("o", 7.0, "output: σ"))


def _box(x0: float, y0: float, x1: float, y1: float, colour: str) -> dict[str, Any]:
    return dict(type="rect", x0=x0, y0=y0, x1=x1, y1=y1, line=dict(color=colour, width=2),
                fillcolor=colour, opacity=0.25, layer="below")


def _arrow(x0: float, y0: float, x1: float, y1: float, text: str = "",
           colour: str = "#444") -> dict[str, Any]:
    return dict(x=x1, y=y1, ax=x0, ay=y0, xref="x", yref="y", axref="x", ayref="y",
                showarrow=True, arrowhead=2, arrowwidth=1.6, arrowcolor=colour, text=text,
                font=dict(size=12))


def _label(x: float, y: float, text: str, size: int = 14, colour: str = "#222") -> dict[str, Any]:
    return dict(x=x, y=y, text=text, showarrow=False, font=dict(size=size, color=colour))


def _blank(title: str, height: int = 380) -> Any:
    import plotly.graph_objects as go

    fig = go.Figure()
    fig.update_layout(template="plotly_white", height=height, title=dict(text=title, x=0.01),
                      margin=dict(l=20, r=20, t=60, b=20), showlegend=False)
    fig.update_xaxes(visible=False, range=[0, 10])
    fig.update_yaxes(visible=False, range=[0, 6])
    return fig


def lstm_cell_figure() -> Any:
    """One LSTM time step: gates (sigmoids) decide what the cell state forgets and keeps.

    ``f`` (forget), ``i`` (input) and ``o`` (output) are sigmoids of ``[x_t, h_{t-1}]``;
    ``g`` is the tanh candidate. ``c_t = f·c_{t-1} + i·g`` runs along the top: a
    sum, not a product of many factors, is what lets a gradient survive many
    steps. ``h_t = o·tanh(c_t)`` is the hidden state handed to the next step and,
    with ``return_sequences=True``, to the layer above.
    """
    fig = _blank("One LSTM step: four gates read [x_t, h_(t-1)]; the cell state c carries on")
    shapes = [_box(1.5, 0.6, 8.5, 5.4, "#999999")]
    annotations = []
    for name, x, text in GATES:
        shapes.append(_box(x - 0.6, 1.4, x + 0.6, 2.3, GATE_COLOUR))
        annotations += [_label(x, 2.05, name, 16), _label(x, 1.65, text, 10, GATE_COLOUR),
                        _arrow(x, 0.85, x, 1.4)]
    shapes.append(dict(type="line", x0=0.3, y0=4.6, x1=9.7, y1=4.6,
                       line=dict(color=STATE_COLOUR, width=4)))
    annotations += [
        _label(0.6, 5.0, "c_(t-1)", 13, STATE_COLOUR), _label(9.4, 5.0, "c_t", 13, STATE_COLOUR),
        _label(2.5, 4.6, "×", 22), _label(4.75, 4.6, "+", 22),
        _arrow(2.5, 2.3, 2.5, 4.4, colour=GATE_COLOUR),
        _arrow(4.0, 2.3, 4.6, 4.4, colour=GATE_COLOUR),
        _arrow(5.5, 2.3, 4.9, 4.4, colour=GATE_COLOUR),
        _label(4.75, 3.5, "i·g", 11),
        _label(7.0, 3.6, "× tanh(c_t)", 12), _arrow(7.0, 2.3, 7.0, 3.3, colour=GATE_COLOUR),
        _arrow(8.0, 4.6, 8.0, 3.6, colour=STATE_COLOUR),
        _arrow(7.7, 3.6, 9.3, 3.0, colour=OUTPUT_COLOUR), _label(9.6, 3.0, "h_t", 13,
                                                                 OUTPUT_COLOUR),
        _label(5.0, 0.55, "[x_t, h_(t-1)]: this sample's voltage (and time) + the last hidden "
               "state", 12, INPUT_COLOUR),
        _label(5.0, 5.75, "c_t = f·c_(t-1) + i·g      h_t = o·tanh(c_t)", 13),
    ]
    fig.update_layout(shapes=shapes, annotations=annotations)
    gates = [f"{text.split(': ')[0]} {name} ({text.split(': ')[1]})" for name, _, text in GATES]
    return set_summary(fig, f"Diagram of one LSTM step: {len(GATES)} gates read [x_t, h_(t-1)] — "
                       f"{', '.join(gates[:-1])} and {gates[-1]}; the cell state runs along the "
                       "top, c_t = f·c_(t-1) + i·g, and h_t = o·tanh(c_t) goes out.")


READOUTS = ("last_state", "all_states", "bidirectional")


def readout_figure(readout: str = "last_state", steps: int = 6) -> Any:
    """What the layer above sees: the last hidden state, every one, or both directions.

    ``"last_state"``: ``return_sequences=False`` — one vector after the whole
    beat, from which a ``Dense`` layer must produce the answer (the learner's
    regression). ``"all_states"``: ``return_sequences=True`` — one hidden state
    per time step, so a ``Dense`` shared over time can score each step (lessons
    03-04). ``"bidirectional"``: a second LSTM reads the beat backwards; each
    step's state is both directions side by side, so a step "sees" what comes
    after it — allowed offline, where the whole recording is there.
    """
    if readout not in READOUTS:
        raise ValueError(f"readout must be one of {READOUTS}, got {readout!r}")
    titles = {
        "last_state": "return_sequences=False: only the last hidden state goes on",
        "all_states": "return_sequences=True: every hidden state goes on, one per step",
        "bidirectional": "Bidirectional: a forward and a backward LSTM, states side by side",
    }
    fig = _blank(titles[readout], height=300)
    xs = [1 + 8 * k / (steps - 1) for k in range(steps)]
    shapes, annotations = [], []
    for k, x in enumerate(xs):
        shapes.append(_box(x - 0.4, 2.2, x + 0.4, 3.2, GATE_COLOUR))
        label = "x_T" if k == steps - 1 else f"x_{k + 1}"
        annotations += [_label(x, 2.7, "LSTM", 11), _label(x, 1.0, label, 12, INPUT_COLOUR),
                        _arrow(x, 1.3, x, 2.2)]
        if k < steps - 1:
            annotations.append(_arrow(x + 0.4, 2.85, xs[k + 1] - 0.4, 2.85))
            if readout == "bidirectional":
                annotations.append(_arrow(xs[k + 1] - 0.4, 2.45, x + 0.4, 2.45,
                                          colour=STATE_COLOUR))
        if readout != "last_state" or k == steps - 1:
            annotations += [_arrow(x, 3.2, x, 4.3, colour=OUTPUT_COLOUR),
                            _label(x, 4.6, "h_T" if k == steps - 1 else f"h_{k + 1}", 12,
                                   OUTPUT_COLOUR)]
    note = {"last_state": "→ Dense(2): one [onset, offset] from h_T alone",
            "all_states": "→ Dense(1) on every h_t → softmax over time: where is the onset?",
            "bidirectional": "each h_t = [forward h_t, backward h_t]: it has seen the whole beat"}
    annotations.append(_label(5.0, 5.5, note[readout], 13))
    if readout == "bidirectional":  # the two directions named, not only coloured
        middle = (xs[steps // 2 - 1] + xs[steps // 2]) / 2
        annotations += [_label(middle, 3.55, "forward LSTM →", 11),
                        _label(middle, 1.8, "← backward LSTM", 11, STATE_COLOUR)]
    fig.update_layout(shapes=shapes, annotations=annotations)
    n_up = sum(a.get("text", "").startswith("h_") for a in annotations)
    return set_summary(fig, f"Diagram: {steps} LSTM steps read x_1 to x_T"
                       + (" forwards and a second LSTM reads them backwards"
                          if readout == "bidirectional" else "")
                       + f"; {n_up} hidden state{'s go' if n_up > 1 else ' goes'} up ("
                       + ("h_T" if n_up == 1 else "h_1 to h_T") + "); "
                       + note[readout].replace("→ ", "then ", 1).rstrip("?") + ".")
