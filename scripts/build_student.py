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
* Every exercise is a solution cell followed by its check cell, a code cell whose
  source starts with ``ecgteach.check("NN.M", ...)``.

nbgrader metadata (schema 3), so ``nbgrader generate_assignment`` / ``autograde``
take the instructor notebooks as they are (``instructor/nbgrader_config.py``):

* a code cell with a solution region is an autograded answer (``solution: true``,
  ``grade: false``), ``grade_id`` ``ex-NN-M`` from the check cell that follows it
  (``ex-NN-Ma``, ``ex-NN-Mb``, ... when several solution cells lead to one check);
* a check cell is an autograder test (``grade: true``, ``locked: true``, 1 point,
  ``grade_id`` ``check-NN-M``): under nbgrader ``ECGTEACH_GRADING=1`` makes a check
  that is not correct raise, so the cell scores 0;
* a markdown cell with model answers is split into one cell per question
  (``**Q1.**``, ``**Q2.**``, ...; the text before the first question stays a plain
  cell), each a manually graded answer (``solution: true``, ``grade: true``, 1 point,
  ``grade_id`` ``q-NN-K``); a markdown solution cell without questions is one answer.

Cell ids are stable (``cNN-XXX`` by position in the source, ``cNN-XXX-qK`` for a
split question). Outputs are stripped from both versions.
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


CHECK = re.compile(r'^ecgteach\.check\(\s*"(\d\d)\.(\d+)"')
QUESTION = re.compile(r"^\*\*Q(\d+)\.\*\*", re.MULTILINE)


def _nbgrader(grade_id: str, *, solution: bool, grade: bool, locked: bool = False,
              points: int | None = None) -> dict:
    """nbgrader's cell metadata (schema 3)."""
    metadata = {"grade": grade, "grade_id": grade_id, "locked": locked}
    if points is not None:
        metadata["points"] = points
    return {**metadata, "schema_version": 3, "solution": solution, "task": False}


def _check_id(cell: nbformat.NotebookNode) -> str | None:
    """``"02-1"`` for a check cell ``ecgteach.check("02.1", ...)``, else None."""
    found = CHECK.match(cell.source) if cell.cell_type == "code" else None
    return f"{found.group(1)}-{found.group(2)}" if found else None


def _split_questions(cell: nbformat.NotebookNode) -> list[tuple[str, str]]:
    """A markdown cell as ``(id suffix, source)`` parts: the text before the first
    ``**Qk.**`` (suffix ``""``), then one part per question (suffix ``"-qk"``)."""
    starts = list(QUESTION.finditer(cell.source))
    if not starts:
        return [("", cell.source)]
    parts = [("", cell.source[:starts[0].start()])]
    for found, after in zip(starts, [*starts[1:], None], strict=True):
        stop = after.start() if after else len(cell.source)
        parts.append((f"-q{found.group(1)}", cell.source[found.start():stop]))
    parts = [(suffix, text.strip("\n")) for suffix, text in parts]
    return [(suffix, text) for suffix, text in parts if text.strip()]


def instructor_version(source: Path) -> nbformat.NotebookNode:
    """The instructor notebook from its percent-format source, with nbgrader metadata."""
    import jupytext

    lesson = source.stem[:2]
    notebook = jupytext.read(source)
    notebook.metadata = {"kernelspec": KERNELSPEC, "language_info": {"name": "python"}}
    cells = []
    for number, cell in enumerate(notebook.cells):
        cell.metadata = {}
        cell.id = f"c{lesson}-{number:03d}"  # stable ids: clean diffs
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        if cell.cell_type != "markdown" or "### BEGIN SOLUTION" not in cell.source:
            cells.append(cell)
            continue
        parts = _split_questions(cell)
        for suffix, text in parts:
            part = nbformat.v4.new_markdown_cell(text, id=cell.id + suffix)
            if "### BEGIN SOLUTION" in text:
                question = suffix[2:] if suffix else f"c{number:03d}"
                if not suffix and len(parts) > 1:
                    raise ValueError(f"{source.name}: a model answer before the first "
                                     f"question in cell {cell.id}")
                part.metadata["nbgrader"] = _nbgrader(f"q-{lesson}-{question}", solution=True,
                                                      grade=True, points=1)
            cells.append(part)
    notebook.cells = cells
    _mark_exercises(notebook, source.name)
    return notebook


def _mark_exercises(notebook: nbformat.NotebookNode, name: str) -> None:
    """nbgrader metadata on the check cells and the solution code cells before them."""
    checks: set[str] = set()
    answers: dict[str, list[nbformat.NotebookNode]] = {}
    for index, cell in enumerate(notebook.cells):
        exercise = _check_id(cell)
        if exercise:
            if "### BEGIN SOLUTION" in cell.source:
                raise ValueError(f"{name}: check cell {cell.id} holds a solution region")
            if exercise in checks:
                raise ValueError(f"{name}: exercise {exercise} is checked twice")
            checks.add(exercise)
            cell.metadata["nbgrader"] = _nbgrader(f"check-{exercise}", solution=False,
                                                  grade=True, locked=True, points=1)
        elif cell.cell_type == "code" and "### BEGIN SOLUTION" in cell.source:
            following = None  # the check cell after it (only code cells in between)
            for later in notebook.cells[index + 1:]:
                if later.cell_type != "code":
                    break
                if _check_id(later):
                    following = _check_id(later)
                    break
            answers.setdefault(following or f"{cell.id[1:]}", []).append(cell)
    for exercise, group in answers.items():
        for letter, cell in zip("abcdefghijklmnopqrstuvwxyz", group, strict=False):
            suffix = letter if len(group) > 1 else ""
            cell.metadata["nbgrader"] = _nbgrader(f"ex-{exercise}{suffix}", solution=True,
                                                  grade=False)


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
