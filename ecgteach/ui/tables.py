"""Tables for notebooks: rows of numbers as HTML, and a scorer's scores as a Markdown table."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


def table_html(rows: Sequence[dict], columns: Sequence[str] | None = None, digits: int = 1):
    """Rows of dicts as an HTML table for a notebook (numbers rounded).

    Usage: ``table_html([result.summary_row() for result in results], ["model", "onset_mae_ms"])``.
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
    """A :class:`ecgteach.metrics.DelineationScorer`'s table, rendered in a notebook.

    The Markdown of ``scorer.table(ci=ci)`` (with a bold ``title`` line above it)
    as an ``IPython.display.Markdown`` object, so JupyterLab draws a real table
    where ``print`` would show pipes. Usage:
    ``display(score_table(scores.by_lead["ii"], "lead ii of the test patients", ci=True))``.
    """
    from IPython.display import Markdown

    if not hasattr(scorer, "table"):
        raise ValueError(f"score_table needs a DelineationScorer, got {type(scorer).__name__}")
    text = scorer.table(markdown=True, ci=ci)
    return Markdown(f"**{title}**\n\n{text}" if title else text)
