"""Colours and second cues of every figure: told apart without colour vision, too.

The colours are the Okabe-Ito palette, told apart with every common colour-vision
deficiency (no red-green pair anywhere in ecgteach's figures). Every pair (or set)
the lessons contrast carries a second cue besides its colour, so it reads in
greyscale, in print and to a reader who cannot tell the colours apart:

* P, QRS and T waves: the wave's name written on each shaded band (:func:`wave_label`;
  P and T at the top, QRS at the bottom);
* onset vs offset: solid vs dashed lines, ▶ vs ◀ markers;
* training vs validation loss: solid line with circles vs dashed line with squares;
* the four boundaries of a robustness curve: a dash and a marker symbol each;
* a record's label that agrees with the other leads vs one that departs: ● vs ◆;
* cardiologists vs model: top vs bottom strip (and "true"/"model" in the beat gallery);
* a probability's maximum vs the cardiologist's label: dotted vs solid (and named).

>>> LOSS_STYLES["validation"]["line"]["dash"], ONSET_SYMBOL, OFFSET_SYMBOL
('dash', 'triangle-right', 'triangle-left')
>>> wave_label("QRS")["text"]
'QRS'
"""

from __future__ import annotations

from typing import Any

#: The Okabe-Ito palette.
PALETTE = {"blue": "#0072B2", "vermillion": "#D55E00", "bluish green": "#009E73",
           "orange": "#E69F00", "sky blue": "#56B4E9", "reddish purple": "#CC79A7",
           "yellow": "#F0E442", "black": "#000000"}
#: One colour per wave kind, reused across lessons and widgets.
WAVE_COLOURS = {"P": PALETTE["blue"], "QRS": PALETTE["vermillion"], "T": PALETTE["bluish green"]}
#: Onsets and offsets: vermillion solid ▶ vs blue dashed ◀.
ONSET_COLOUR, OFFSET_COLOUR = PALETTE["vermillion"], PALETTE["blue"]
ONSET_DASH, OFFSET_DASH = "solid", "dash"
ONSET_SYMBOL, OFFSET_SYMBOL = "triangle-right", "triangle-left"
#: Training and validation curves: blue solid circles vs vermillion dashed squares.
LOSS_STYLES = {"training": dict(line=dict(color=PALETTE["blue"], dash="solid"),
                                marker=dict(symbol="circle")),
               "validation": dict(line=dict(color=PALETTE["vermillion"], dash="dash"),
                                  marker=dict(symbol="square"))}
#: The boundaries a robustness curve follows: colour, dash, marker symbol.
BOUNDARY_STYLES = {"QRS onset": ("vermillion", "solid", "circle"),
                   "QRS offset": ("orange", "dash", "square"),
                   "P onset": ("blue", "dot", "diamond"),
                   "T offset": ("bluish green", "dashdot", "x")}
#: The layout every figure starts from (default trace colours: the palette, yellow last out).
LAYOUT: dict[str, Any] = dict(
    template="plotly_white", colorway=[v for k, v in PALETTE.items() if k != "yellow"],
    margin=dict(l=60, r=20, t=80, b=45),
    height=360,
    title=dict(y=0.96, yanchor="top", x=0.01, xanchor="left"),
    legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0),
)


def wave_label(text: str, where: str | None = None, colour: str | None = None,
               size: int = 10) -> dict:
    """A shape's label: the wave's name (or "true"/"model") written on its band.

    QRS names sit at the bottom of their band, P and T names at the top, so
    neighbours do not run into each other in a 10 s view.
    """
    where = where or ("bottom center" if text == "QRS" else "top center")
    return dict(text=text, textposition=where,
                font=dict(size=size, color=colour or WAVE_COLOURS.get(text, "#222")))
