"""Claims a lesson makes about the run it shows, checked in that run.

Where a lesson's text states an outcome ("collapses", "learns", "the last samples
count most"), the cell that computes it ends with :func:`claim`: the statement is
shown with a ✓ when the run shown supports it, and with a loud ✗ when it does not
(another machine, another seed, a changed setting). The test suite executes every
lesson and fails on any ✗, in fast mode too, so no lesson can state what its own
run contradicts.

>>> claim(0.002 < 0.05, "the predictions barely vary: one answer for every beat")
✓ the predictions barely vary: one answer for every beat
>>> claim(False, "the loss went down")
✗ NOT SHOWN BY THIS RUN: the loss went down
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

#: The marker the lesson tests look for in a notebook's outputs.
FAILED_MARK = "✗ NOT SHOWN BY THIS RUN"


@dataclass(frozen=True)
class Claim:
    """A statement about the run shown and whether the run supports it (truthy when it does)."""

    statement: str
    holds: bool

    def __bool__(self) -> bool:
        return self.holds

    def __repr__(self) -> str:
        return f"✓ {self.statement}" if self.holds else f"{FAILED_MARK}: {self.statement}"

    def _repr_html_(self) -> str:
        if self.holds:
            return f"<div style='color:#1a7f37'>✓ {escape(self.statement)}</div>"
        return (f"<div style='border-left:4px solid #b00;padding:4px 10px;color:#b00'>"
                f"<b>{FAILED_MARK}:</b> {escape(self.statement)} — the text above assumes "
                "it; your run differs (another machine, seed or setting?)</div>")


def claim(holds: bool, statement: str) -> Claim:
    """State an outcome of the run shown, checked: ``claim(ratio < 0.05, "it collapsed")``."""
    return Claim(str(statement), bool(holds))
