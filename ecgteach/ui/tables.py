"""Tables for notebooks: rows of numbers as HTML, and a scorer's scores as a Markdown table."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


def table_html(rows: Sequence[dict], columns: Sequence[str] | None = None, digits: int = 1):
    """Rows of dicts as an HTML table for a notebook (numbers rounded).

    E.g. ``table_html([r.summary_row() for r in results], ["model", "onset_mae_ms"])``;
    a float is rounded to ``digits`` decimals unless that would show 0, a
    missing cell is left empty:

    >>> rows = [{"model": "learner's LSTM", "onset_mae_ms": 9.54, "params": 120},
    ...         {"model": "LSTM(32)", "onset_mae_ms": 0.004}]
    >>> print(table_html(rows).data.replace("<tr>", "\\n<tr>"))     # one row a line
    <table><thead>
    <tr><th>model</th><th>onset_mae_ms</th><th>params</th></tr></thead><tbody>
    <tr><td>learner's LSTM</td><td>9.5</td><td>120</td></tr>
    <tr><td>LSTM(32)</td><td>0.004</td><td></td></tr></tbody></table>
    """
    from IPython.display import HTML

    if not rows:
        raise ValueError("no rows to show")
    columns = list(columns or rows[0].keys())

    def cell(value):
        if isinstance(value, float | np.floating):
            return f"{value:.3g}" if 0 < abs(value) < 10 ** -digits else f"{value:.{digits}f}"
        return str(value)

    head = "".join(f"<th>{c}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{cell(r.get(c, ''))}</td>" for c in columns) +
                   "</tr>" for r in rows)
    return HTML(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


def score_table(scorer: Any, title: str | None = None, ci: bool = False):
    """A :class:`ecgteach.evaluation.DelineationScorer`'s table, rendered in a notebook.

    The Markdown of ``scorer.table(ci=ci)`` (with a bold ``title`` line above it)
    as an ``IPython.display.Markdown`` object, so JupyterLab draws a real table
    where ``print`` would show pipes; a lesson shows e.g.
    ``score_table(scores.by_lead["ii"], "lead ii of the test patients", ci=True)``.

    >>> from ecgteach import DelineationScorer
    >>> true = {"QRS": np.array([[100, 110, 130]])}
    >>> scorer = DelineationScorer(boundaries=[("QRS onset", "QRS", 0)])
    >>> _ = scorer.add(true, {"QRS": true["QRS"] + 1}, fs=500)
    >>> print(score_table(scorer, "one beat, 2 ms late").data)
    **one beat, 2 ms late**
    <BLANKLINE>
    | boundary | Se % | PPV % | F1 % | mean ± SD ms | CSE tolerance (2σ) ms | n |
    |:---|---:|---:|---:|---:|---:|---:|
    | QRS onset | 100.0 | 100.0 | 100.0 | 2.0 ± 0.0 | 6.5 | 1 |
    """
    from IPython.display import Markdown

    if not hasattr(scorer, "table"):
        raise ValueError(f"score_table needs a DelineationScorer, got {type(scorer).__name__}")
    text = scorer.table(markdown=True, ci=ci)
    return Markdown(f"**{title}**\n\n{text}" if title else text)
