"""One-line text summaries of the figures, computed from the data each figure draws.

Colours and shapes reach neither a screen reader nor a text-only or printed copy,
and not every reader tells the colours apart; a sentence of numbers reaches all
of them. Every figure builder of :mod:`ecgteach.ui` stores one in its figure
(:func:`set_summary`, in ``layout.meta``, so it also travels in a saved notebook);
:func:`figure_summary` reads it back; :func:`show` displays figures, each with
its summary right under it as a separate text output. The widgets show the same
sentence under their figure (:func:`caption_html`) and renew it whenever their
figure changes. The sentences come from the pure functions below (data in, text
out), shared by the static figures and the widgets:

>>> from ecgteach import load_ludb_record
>>> record = load_ludb_record(1, leads=["ii"])
>>> record_summary(record, "ii", 0, 4)
'LUDB record 1, lead ii, 0-4 s: 2 P, 3 QRS and 2 T waves labelled; voltage -0.14 to 0.85 mV;
 1.3 s not labelled (grey).'
>>> loss_summary({"loss": [1.0, 0.5, 0.3], "val_loss": [1.1, 0.7, 0.75]})
'Over 3 epochs: validation loss fell from 1.1 to 0.75, lowest 0.7 at epoch 2;
 training loss fell from 1 to 0.3, lowest 0.3 at epoch 3.'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

import numpy as np

from ecgteach.beats.seedset import SeedDataset
from ecgteach.delineation.windows import SEGMENT_CLASSES, UNLABELLED
from ecgteach.ecg.records import Record
from ecgteach.ecg.waves import MISSING, WAVE_KINDS

#: What a summary output starts with (also what the lesson tests look for).
PREFIX = "Figure: "


# ------------------------------------------------------------ figures and display
def set_summary(figure: Any, text: str) -> Any:
    """Store ``text`` as the figure's one-line summary (``layout.meta["summary"]``); return it.

    >>> import plotly.graph_objects as go
    >>> figure_summary(set_summary(go.Figure(), "Nothing drawn yet."))
    'Nothing drawn yet.'
    """
    meta = figure.layout.meta
    figure.layout.meta = {**(meta if isinstance(meta, dict) else {}), "summary": str(text)}
    return figure


def figure_summary(figure: Any) -> str:
    """The one-line summary a figure builder of :mod:`ecgteach.ui` stored in the figure.

    >>> import plotly.graph_objects as go
    >>> figure_summary(go.Figure())
    Traceback (most recent call last):
    ...
    ValueError: this figure carries no summary: build it with an ecgteach.ui figure function, ...
    """
    meta = figure.layout.meta
    text = meta.get("summary") if isinstance(meta, dict) else None
    if not text:
        raise ValueError("this figure carries no summary: build it with an ecgteach.ui figure "
                         "function, or give it one with ecgteach.ui.summaries.set_summary(fig, "
                         "text)")
    return str(text)


class SummaryOutput:
    """A figure's summary as a notebook output: Markdown (rendered in italics) and plain text.

    >>> SummaryOutput("Rows 0 and 1 of 7 beats, x_t.")._repr_mimebundle_()
    {'text/plain': 'Figure: Rows 0 and 1 of 7 beats, x_t.',
     'text/markdown': '*Figure: Rows 0 and 1 of 7 beats, x\\\\_t.*'}
    """

    def __init__(self, text: str) -> None:
        self.text = str(text)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        markdown = "".join("\\" + c if c in "\\`*_[]<>#|~$" else c for c in self.text)
        return {"text/plain": PREFIX + self.text, "text/markdown": f"*{PREFIX}{markdown}*"}

    def __repr__(self) -> str:
        return PREFIX + self.text


def show(*figures: Any) -> None:
    """Display each figure and, right under it, its summary (a separate text output).

    In a lesson, ``show(fig)`` replaces a bare ``fig`` on the last line of a cell.
    Every summary is read first, so a figure without one shows nothing.

    >>> import plotly.graph_objects as go
    >>> show(set_summary(go.Figure(), "An empty figure."))    # outside a notebook: printed
    Figure({...})
    Figure: An empty figure.
    """
    from IPython.display import display

    texts = [figure_summary(figure) for figure in figures]
    for figure, text in zip(figures, texts, strict=True):
        display(figure)
        display(SummaryOutput(text))


def caption_html(text: str) -> str:
    """A widget's summary line under its figure (the value of an ``ipywidgets.HTML``).

    >>> caption_html("3 runs <so far>.")
    '<i>Figure: 3 runs &lt;so far&gt;.</i>'
    """
    return f"<i>{PREFIX}{escape(text)}</i>"


# ------------------------------------------------------------------ helpers
def _and(parts: Sequence[str]) -> str:
    parts = list(parts)
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _num(value: float, spec: str = ".1f", unit: str = "") -> str:
    return "n/a" if value is None or not np.isfinite(value) else f"{value:{spec}}{unit}"


def _g(value: float) -> str:
    """Three significant digits, without exponents for the numbers a loss usually takes."""
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}" if value == 0 or abs(value) >= 1e-3 else f"{value:.2e}"


def _s(seconds: float) -> str:
    return f"{round(seconds, 1):g}"


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _correlation(a: np.ndarray, b: np.ndarray) -> float:
    if a.size < 3 or np.std(a) == 0 or np.std(b) == 0:
        return float("nan")
    return float(np.corrcoef(a, b)[0, 1])


def wave_counts(waves: Mapping[str, np.ndarray], fs: float, start_s: float,
                stop_s: float) -> dict[str, int]:
    """How many waves of each kind overlap ``start_s``..``stop_s`` (those a figure shades).

    >>> wave_counts({"QRS": np.array([[100, 110, 120], [900, 910, -1]])}, 500, 0, 1)
    {'P': 0, 'QRS': 1, 'T': 0}
    """
    counts = {}
    for kind in WAVE_KINDS:
        rows = np.asarray(waves.get(kind, np.zeros((0, 3), int))).reshape(-1, 3)
        left = np.where(rows[:, 0] != MISSING, rows[:, 0], rows[:, 1]) / fs
        right = np.where(rows[:, 2] != MISSING, rows[:, 2], rows[:, 1]) / fs
        counts[kind] = int(((right >= start_s) & (left <= stop_s)).sum())
    return counts


def _waves(counts: Mapping[str, int]) -> str:
    return _and([f"{counts[kind]} {kind}" for kind in WAVE_KINDS])


# ------------------------------------------------------------ one per figure
def record_summary(record: Record, lead: str, start_s: float = 0.0,
                   stop_s: float | None = None) -> str:
    """A record view: the waves labelled in the window, the voltage range, the unlabelled time."""
    stop_s = record.duration_s if stop_s is None else stop_s
    first, last = int(start_s * record.fs), min(record.n_samples, int(np.ceil(stop_s * record.fs))
                                                + 1)
    signal = record.lead(lead)[first:last]
    counts = wave_counts(record.waves.get(record.lead_key(lead), {}), record.fs, start_s, stop_s)
    end = min(stop_s, record.duration_s)
    labelled = sum(max(0.0, min(b / record.fs, end) - max(a / record.fs, start_s))
                   for a, b in record.spans.get(lead, []))
    unlabelled = end - start_s - labelled
    return (f"{record.database.upper()} record {record.name}, lead {lead}, {_s(start_s)}-"
            f"{_s(stop_s)} s: {_waves(counts)} waves labelled; voltage {signal.min():.2f} to "
            f"{signal.max():.2f} mV" + (f"; {unlabelled:.1f} s not labelled (grey)"
                                        if unlabelled >= 0.05 else "") + ".")


def prediction_summary(record: Record, lead: str, predicted: Mapping[str, np.ndarray],
                       start_s: float = 0.0, stop_s: float | None = None) -> str:
    """Two strips, the cardiologists' waves and the model's: how many of each in the window."""
    stop_s = record.duration_s if stop_s is None else stop_s
    truth = record.waves.get(record.lead_key(lead), {})
    return (f"{record.database.upper()} {record.name}, lead {lead}, {_s(start_s)}-{_s(stop_s)} s: "
            f"cardiologists {_waves(wave_counts(truth, record.fs, start_s, stop_s))}; model "
            f"{_waves(wave_counts(predicted, record.fs, start_s, stop_s))}.")


def qrs_duration_summary(durations_ms: np.ndarray, wide_ms: float = 120.0) -> str:
    """A histogram of QRS durations: range, median, how many are wide."""
    d = np.asarray(durations_ms, dtype=float)
    wide = int((d >= wide_ms).sum())
    return (f"{d.size} annotated QRS complexes, {d.min():.0f} to {d.max():.0f} ms, median "
            f"{np.median(d):.0f} ms; {wide} ({100 * wide / d.size:.1f} %) at or above "
            f"{wide_ms:g} ms (wide QRS).")


def seed_beats_summary(beats: SeedDataset, rows: Sequence[int]) -> str:
    """Rows of the learner's dataset: where their onset and offset labels sit, the padding."""
    rows = [int(r) for r in rows]
    joined = {name: ", ".join(str(int(v)) for v in values) for name, values in
              (("on", beats.y[rows, 0]), ("off", beats.y[rows, 1]),
               ("pad", beats.n_padding[rows]))}
    return (f"Rows {_and([str(r) for r in rows])} of {len(beats)} beats ({beats.length} samples "
            f"at {beats.fs:g} Hz): QRS onset labelled at sample {joined['on']}, offset at "
            f"{joined['off']}; zero padding {joined['pad']} samples.")


def robustness_summary(curve: Mapping[Any, Mapping[str, Any]], x_title: str,
                       names: Sequence[str]) -> str:
    """A robustness curve: each boundary's sensitivity and error SD at both ends."""
    levels = list(curve)
    first, last = curve[levels[0]], curve[levels[-1]]
    parts = [f"{name} Se {_num(first[name].sensitivity)} to {_num(last[name].sensitivity)} %, "
             f"error SD {_num(first[name].sd_ms)} to {_num(last[name].sd_ms)} ms" for name in names]
    return f"As {x_title} goes from {levels[0]:g} to {levels[-1]:g}: " + "; ".join(parts) + "."


def label_agreement_summary(rows: Sequence, departs_ms: float = 10.0) -> str:
    """Per record, label vs other leads (x) and model error (y): whom the model follows."""
    rows = [r for r in rows if r.n_beats]
    x = np.array([r.label_vs_other_leads_ms for r in rows])
    y = np.array([r.model_vs_label_ms for r in rows])
    departs = int((np.abs(x) > departs_ms).sum())
    others = int((np.abs(x + y) < np.abs(y)).sum())
    r = _correlation(x, y)
    return (f"{rows[0].boundary}, lead {rows[0].lead}, {_plural(len(rows), 'record', 'records')}: "
            f"{_plural(len(rows) - departs, 'label agrees', 'labels agree')} with the other leads, "
            f"{_plural(departs, 'departs', 'depart')} by > {departs_ms:g} ms; model − "
            f"label {y.min():+.1f} to {y.max():+.1f} ms; {_plural(others, 'record', 'records')} "
            "nearer the line where the model sides with the other leads than its own label's"
            + (f"; correlation {r:.2f}" if np.isfinite(r) else "") + ".")


def beat_gallery_summary(beats: Sequence) -> str:
    """Small multiples of beats: the range of their onset and offset errors, how many missed."""
    onset = np.array([b.onset_error_ms for b in beats], dtype=float)
    offset = np.array([b.offset_error_ms for b in beats], dtype=float)
    missed = int((np.isnan(onset) | np.isnan(offset)).sum())
    records = list(dict.fromkeys(str(b.record) for b in beats))

    def span(errors: np.ndarray) -> str:
        found = errors[np.isfinite(errors)]
        return f"{found.min():+.0f} to {found.max():+.0f} ms" if found.size else "none found"

    return (f"{len(beats)} QRS complexes from record{'s' if len(records) > 1 else ''} "
            f"{', '.join(records)}: onset errors {span(onset)}, offset errors {span(offset)}; "
            f"{missed} missed.")


def gradient_summary(curves: Mapping[str, np.ndarray], steps: int = 20) -> str:
    """Gradient per time step: each curve's mean over the first and the last ``steps`` steps."""
    parts = []
    for name, values in curves.items():
        values = np.asarray(values, dtype=float)
        k = max(1, min(steps, values.size // 4))
        early, late = float(values[:k].mean()), float(values[-k:].mean())
        ratio = f" (x {late / early:.2g})" if early > 0 else ""
        parts.append(f"{name}: {early:.2g} to {late:.2g}{ratio}")
    return ("Mean |∂ onset / ∂ x_t| over the first vs the last "
            f"{k} time steps: " + "; ".join(parts) + ".")


def _loss_phrase(name: str, values: np.ndarray) -> str:
    if values.size == 1:
        return f"{name} loss {_g(values[0])}"
    change = (values[-1] - values[0]) / abs(values[0]) if values[0] else 0.0
    verb = "fell" if change < -0.01 else "rose" if change > 0.01 else "stayed about level"
    best = int(np.nanargmin(values))
    return (f"{name} loss {verb} from {_g(values[0])} to {_g(values[-1])}, lowest "
            f"{_g(values[best])} at epoch {best + 1}")


def loss_summary(history: Mapping[str, Sequence[float]]) -> str:
    """Loss curves: from where to where the validation and training losses went, and their best."""
    curves = [(name, np.asarray(history[key], dtype=float)) for key, name in
              (("val_loss", "validation"), ("loss", "training")) if len(history.get(key) or ())]
    if not curves:
        return "No epochs yet."
    n = max(values.size for _, values in curves)
    return (f"{'After' if n == 1 else 'Over'} {n} epoch{'s' if n > 1 else ''}: "
            + "; ".join(_loss_phrase(name, values) for name, values in curves) + ".")


def agreement_phrase(true_ms: np.ndarray, predicted_ms: np.ndarray, short: bool = False) -> str:
    """Predicted vs true: mean absolute error, correlation, and whether the answers spread.

    >>> agreement_phrase(np.array([60.0, 70.0, 80.0]), np.array([70.0, 70.0, 70.0]))
    'MAE 6.7 ms, the same answer (70 ms) for every beat (labels spread 8.2 ms SD)'
    """
    true_ms, predicted_ms = np.asarray(true_ms, float), np.asarray(predicted_ms, float)
    found = np.isfinite(predicted_ms)
    t, p = true_ms[found], predicted_ms[found]
    if not t.size:
        return "no predictions"
    mae = float(np.abs(p - t).mean())
    if p.std() < 0.05:
        return (f"MAE {mae:.1f} ms, one answer" if short else
                f"MAE {mae:.1f} ms, the same answer ({p.mean():.0f} ms) for every beat (labels "
                f"spread {t.std():.1f} ms SD)")
    r = _num(_correlation(t, p), ".2f")
    return (f"MAE {mae:.1f} ms, r = {r}" if short else
            f"MAE {mae:.1f} ms, correlation {r}, predictions spread {p.std():.1f} ms SD (labels "
            f"{t.std():.1f})")


def scatter_summary(name: str, part: str, true_ms: np.ndarray, predicted_ms: np.ndarray,
                    boundaries: Sequence[str] = ("QRS onset", "QRS offset")) -> str:
    """Predicted vs true for each boundary (columns of ``true_ms``/``predicted_ms``, in ms)."""
    parts = [f"{boundary}: {agreement_phrase(true_ms[:, col], predicted_ms[:, col])}"
             for col, boundary in enumerate(boundaries)]
    return f"{name}, {part} ({len(true_ms)} beats) — " + "; ".join(parts) + "."


def grid_summary(panels: Mapping[str, tuple[np.ndarray, np.ndarray]], boundary: str,
                 part: str) -> str:
    """A grid of scatters: each panel's (true, predicted) in ms, in a few words."""
    return (f"{boundary}, {part}, predicted vs true: "
            + "; ".join(f"{label}: {agreement_phrase(t, p, short=True)}"
                        for label, (t, p) in panels.items()) + ".")


def mean_prediction_summary(means_ms: np.ndarray, target_ms: np.ndarray,
                            names: Sequence[str] = ("QRS onset", "QRS offset")) -> str:
    """The mean answer per epoch: where each boundary's mean started and ended, and the target."""
    n = len(means_ms)
    parts = [f"{name} from {means_ms[0, col]:.0f} to {means_ms[-1, col]:.0f} ms (training mean "
             f"{target_ms[col]:.0f} ms)" for col, name in enumerate(names)]
    return (f"Mean answer on the validation beats over {n} epoch{'s' * (n != 1)}: "
            + _and(parts) + ".")


def window_summary(windows: Any, index: int) -> str:
    """A segmentation window: bands of each wave kind and the share of samples per class."""
    labels = np.asarray(windows.labels[index])
    starts = np.r_[0, np.flatnonzero(np.diff(labels)) + 1]
    run_labels = labels[starts]
    bands = {kind: int((run_labels == c).sum()) for c, kind in enumerate(SEGMENT_CLASSES) if c}
    names = {**dict(enumerate(SEGMENT_CLASSES)), UNLABELLED: "unlabelled (grey)"}
    shares = [f"{100 * np.mean(labels == c):.0f} % {name}" for c, name in names.items()]
    return (f"Window {index}: record {windows.record[index]}, lead {windows.lead[index]}, "
            f"{labels.size / windows.fs:g} s at {windows.fs:g} Hz: {_waves(bands)} bands; "
            f"samples {_and(shares)}.")


def probability_summary(index: int, record: Any, onset_probs: np.ndarray,
                        offset_probs: np.ndarray, truth: Sequence[int], fs: float) -> str:
    """One beat's onset and offset probability curves: where each peaks, against the labels."""
    parts = []
    for name, probs, true in (("onset", onset_probs, truth[0]), ("offset", offset_probs,
                                                                 truth[1])):
        at = int(np.argmax(probs))
        parts.append(f"{name} {float(probs[at]):.2f} at sample {at} (true {int(true)}, "
                     f"{(at - int(true)) * 1000.0 / fs:+.0f} ms)")
    return f"Beat {index} (record {record}): highest probability " + _and(parts) + "."


def board_summary(names: Sequence[str], values: Sequence[Any], metric: str) -> str:
    """A bar per run: how many runs, the lowest and highest value of the metric."""
    scored = [(float(v), name) for name, v in zip(names, values, strict=True)
              if isinstance(v, (int, float)) and np.isfinite(v)]
    if not scored:
        return f"No runs with {metric} yet."
    (low, low_name), (high, high_name) = min(scored), max(scored)
    return (f"{len(scored)} run{'s' * (len(scored) != 1)}: {metric} lowest {low:.3g} "
            f"({low_name}), highest {high:.3g} ({high_name}).")
