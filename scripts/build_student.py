"""Build the lesson notebooks: instructor sources -> instructor notebooks -> student lessons.

Usage::

    python scripts/build_student.py            # instructor/*.py -> instructor/*.ipynb -> lessons/
    python scripts/build_student.py --check    # exit 1 if anything is out of date

The source of each lesson is ``instructor/NN_name.py`` (jupytext "percent"
format: reviewable diffs). From it come ``instructor/NN_name.ipynb`` (with
solutions and nbgrader metadata, for instructors) and ``lessons/NN_name.ipynb``
(solutions replaced by placeholders, for students), both without outputs.

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


KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def instructor_version(source: Path) -> nbformat.NotebookNode:
    """The instructor notebook from its percent-format source, with nbgrader metadata."""
    import jupytext

    notebook = jupytext.read(source)
    notebook.metadata = {"kernelspec": KERNELSPEC, "language_info": {"name": "python"}}
    for number, cell in enumerate(notebook.cells):
        cell.metadata = {}
        cell.id = f"c{source.stem[:2]}-{number:03d}"  # stable ids: clean diffs
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        if "### BEGIN SOLUTION" in cell.source:
            found = re.search(r'check\("(\d\d\.\d+)"', cell.source)
            grade_id = f"ex-{found.group(1)}" if found else f"{source.stem[:2]}-q{number}"
            cell.metadata["nbgrader"] = {
                "grade": False, "grade_id": grade_id.replace(".", "-"), "locked": False,
                "schema_version": 3, "solution": True, "task": False,
            }
    return notebook


def _write_or_compare(target: Path, notebook: nbformat.NotebookNode, check: bool,
                      stale: list[str]) -> None:
    text = nbformat.writes(notebook) + "\n"
    if check:
        if not target.exists() or target.read_text() != text:
            stale.append(str(target.relative_to(REPO)))
    else:
        target.write_text(text)


def build(check: bool = False) -> int:
    stale: list[str] = []
    sources = sorted(INSTRUCTOR.glob("[0-9][0-9]_*.py"))
    if not sources:
        print(f"no lesson sources in {INSTRUCTOR}")
        return 1
    for source in sources:
        instructor = instructor_version(source)
        _write_or_compare(source.with_suffix(".ipynb"), instructor, check, stale)
        _write_or_compare(STUDENT / f"{source.stem}.ipynb", student_version(instructor), check,
                          stale)
        if not check:
            print(f"{source.relative_to(REPO)} -> instructor/ and lessons/ {source.stem}.ipynb")
    if stale:
        print("out of date (run `python scripts/build_student.py`):", *stale, sep="\n  ")
    return 1 if stale else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check lessons/ is current")
    sys.exit(build(check=parser.parse_args().check))


if __name__ == "__main__":
    main()
