"""Build the student lessons from the instructor notebooks (solutions removed).

Usage::

    python scripts/build_student.py            # instructor/*.ipynb -> lessons/*.ipynb
    python scripts/build_student.py --check    # exit 1 if lessons/ is out of date

Conventions (nbgrader's, so instructors can also grade with nbgrader):

* In code cells, lines between ``### BEGIN SOLUTION`` and ``### END SOLUTION``
  are replaced by ``# YOUR CODE HERE``. Write the cell so that it still runs
  without them (e.g. ``answer = None`` before the region, then
  ``ecgteach.check("01.4", answer)`` after it): lessons are executed end to end.
* In markdown cells, the same markers delimit a model answer to a concept
  question; it is replaced by ``YOUR ANSWER HERE``.
* Solution cells carry nbgrader metadata (``solution: true``, a ``grade_id``).
Outputs are stripped from both versions.
"""

from __future__ import annotations

import argparse
import copy
import re
import sys
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[1]
INSTRUCTOR, STUDENT = REPO / "instructor", REPO / "lessons"
REGION = re.compile(r"^([ \t]*)### BEGIN SOLUTION\n.*?^[ \t]*### END SOLUTION[ \t]*\n?",
                    re.MULTILINE | re.DOTALL)
MARKDOWN_REGION = re.compile(r"### BEGIN SOLUTION\n.*?### END SOLUTION\n?", re.DOTALL)


def student_version(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``notebook`` with every solution region replaced by a placeholder."""
    out = copy.deepcopy(notebook)
    for cell in out.cells:
        source = cell.source if cell.source.endswith("\n") else cell.source + "\n"
        if "### BEGIN SOLUTION" not in source:
            continue
        if cell.cell_type == "code":
            source = REGION.sub(lambda m: f"{m.group(1)}# YOUR CODE HERE\n", source)
        else:
            source = MARKDOWN_REGION.sub("YOUR ANSWER HERE\n", source)
        if "### BEGIN SOLUTION" in source or "### END SOLUTION" in source:
            raise ValueError(f"unbalanced solution markers in cell: {cell.source[:80]!r}")
        cell.source = source.rstrip("\n")
    for cell in out.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return out


def build(check: bool = False) -> int:
    stale = []
    sources = sorted(INSTRUCTOR.glob("[0-9][0-9]_*.ipynb"))
    if not sources:
        print(f"no instructor notebooks in {INSTRUCTOR}")
        return 1
    for source in sources:
        student = student_version(nbformat.read(source, as_version=4))
        target = STUDENT / source.name
        text = nbformat.writes(student) + "\n"
        if check:
            if not target.exists() or target.read_text() != text:
                stale.append(target.name)
        else:
            target.write_text(text)
            print(f"{source.relative_to(REPO)} -> {target.relative_to(REPO)}")
    if stale:
        print("out of date (run `python scripts/build_student.py`):", *stale, sep="\n  ")
    return 1 if stale else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check lessons/ is current")
    sys.exit(build(check=parser.parse_args().check))


if __name__ == "__main__":
    main()
