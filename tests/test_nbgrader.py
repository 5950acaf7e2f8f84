"""A real nbgrader round trip on every lesson, with nbgrader itself.

In a temporary course folder holding ``instructor/nbgrader_config.py``, for each
lesson: the instructor notebook goes to ``source/<lesson>/<lesson>.ipynb``,
``nbgrader generate_assignment <lesson>`` releases it (the release must be the
student lesson), then ``nbgrader autograde <lesson>`` grades two submissions:

* ``solution``: the instructor notebook, full marks on every check cell (at least one);
* ``unanswered``: the release as handed out, no crash and 0 on every check cell.

The concept questions are manually graded cells. Then ``generate_feedback`` and
``export``. These are the commands of ``instructor/GUIDE.md`` ("Grading"), run as
``python -m nbgrader`` with this interpreter; the kernels run with ``ECGTEACH_FAST=1``
and a cache in the temporary folder. The quick tests at the top need no nbgrader.
"""

from __future__ import annotations

import csv
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import time
import warnings
from pathlib import Path

import nbformat
import pytest

import ecgteach
from ecgteach.classroom import checks as check_module

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / "instructor" / "nbgrader_config.py"
LESSONS = sorted(path.stem for path in (REPO / "instructor").glob("[0-9][0-9]_*.ipynb"))
CHECK = re.compile(r'^ecgteach\.check\(\s*"(\d\d)\.(\d+)"')

needs_nbgrader = pytest.mark.skipif(
    importlib.util.find_spec("nbgrader") is None,
    reason="nbgrader is not installed (pip install 'nbgrader>=0.9.6', in the test extras)",
)


def _cells(lesson: str, folder: str = "instructor") -> list:
    return nbformat.read(REPO / folder / f"{lesson}.ipynb", as_version=4).cells


def _meta(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


# ------------------------------------------------------------ no nbgrader needed


def test_there_are_five_lessons():
    assert len(LESSONS) == 5 and LESSONS[0].startswith("01_"), LESSONS


@pytest.mark.parametrize("lesson", LESSONS)
def test_cells_carry_the_metadata_nbgrader_needs(lesson):
    cells = _cells(lesson)
    grade_ids = [_meta(c)["grade_id"] for c in cells if _meta(c)]
    assert len(grade_ids) == len(set(grade_ids)), grade_ids
    checks = [c for c in cells if c.cell_type == "code" and CHECK.match(c.source)]
    assert checks, f"{lesson} has no check cell"
    for cell in checks:
        number = "-".join(CHECK.match(cell.source).groups())
        assert _meta(cell) == {"grade": True, "grade_id": f"check-{number}", "locked": True,
                                   "points": 1, "schema_version": 3, "solution": False,
                                   "task": False}, cell.id
    for index, cell in enumerate(cells):
        if "### BEGIN SOLUTION" not in cell.source:
            assert not _meta(cell).get("solution"), cell.id
            continue
        meta = _meta(cell)
        if cell.cell_type == "code":  # an autograded answer, named after the check that follows
            assert meta["solution"] and not meta["grade"] and not meta["locked"], cell.id
            check = next(c for c in cells[index + 1:] if CHECK.match(c.source))
            number = "-".join(CHECK.match(check.source).groups())
            assert re.fullmatch(f"ex-{number}[a-z]?", meta["grade_id"]), (cell.id, number)
        else:  # a concept question: one per cell, graded by hand
            assert meta["solution"] and meta["grade"] and meta["points"] == 1, cell.id
            assert len(re.findall(r"^\*\*Q\d+\.\*\*", cell.source, re.M)) == 1, cell.id
            assert re.fullmatch(rf"q-{lesson[:2]}-\d+", meta["grade_id"]), meta["grade_id"]
    ids = [c.id for c in cells]
    assert len(ids) == len(set(ids)) and all(i.startswith(f"c{lesson[:2]}-") for i in ids)
    # the student lesson: the same cells and metadata, the solutions replaced
    student = _cells(lesson, "lessons")
    assert [(c.id, c.metadata) for c in student] == [(c.id, c.metadata) for c in cells]
    assert not any("### BEGIN SOLUTION" in c.source for c in student)


def test_concept_questions_become_one_graded_cell_each():
    sources = "".join((REPO / "instructor" / f"{lesson}.py").read_text() for lesson in LESSONS)
    asked = len(re.findall(r"^# \*\*Q\d+\.\*\*", sources, re.M))
    graded = [c for lesson in LESSONS for c in _cells(lesson)
              if c.cell_type == "markdown" and _meta(c).get("grade")]
    assert asked >= 10 and len(graded) == asked


def test_check_raises_only_when_grading(monkeypatch):
    shown = []  # what the check displays (in a notebook: the coloured box)
    monkeypatch.setattr(check_module, "_show", shown.append)
    monkeypatch.delenv("ECGTEACH_GRADING", raising=False)
    assert not ecgteach.check("01.4", None) and not ecgteach.check("01.4", 76)  # in class
    monkeypatch.setenv("ECGTEACH_GRADING", "1")
    with pytest.raises(AssertionError, match=r"\[01\.4\] ✗ not yet: no answer yet"):
        ecgteach.check("01.4", None)
    with pytest.raises(AssertionError, match="padded row"):  # the hint of the usual mistake
        ecgteach.check("01.4", 76)
    assert [f.message[:12] for f in shown] == ["no answer ye", "that is the "]  # shown first
    with pytest.raises(AssertionError, match="no exercise"):
        ecgteach.check("99.9", 1)
    assert ecgteach.check("01.4", 63)  # a right answer passes and returns its Feedback
    monkeypatch.setenv("ECGTEACH_GRADING", "0")
    assert not ecgteach.check("01.4", 76)


def test_the_course_config_turns_grading_on(monkeypatch):
    from traitlets.config import Config

    monkeypatch.setenv("ECGTEACH_GRADING", "0")  # restored after the test
    config = Config()
    exec(compile(CONFIG.read_text(), str(CONFIG), "exec"), {"get_config": lambda: config})
    assert os.environ["ECGTEACH_GRADING"] == "1"
    assert config.CourseDirectory.course_id == "ecgteach"
    assert config.ClearSolutions.code_stub == {"python": "# YOUR CODE HERE"}
    assert config.Execute.timeout >= 300


# ------------------------------------------------------------------- with nbgrader


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A course folder with the course config; the model cache lives beside it."""
    root = tmp_path_factory.mktemp("course")
    shutil.copyfile(CONFIG, root / "nbgrader_config.py")
    return root


def run_nbgrader(course: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    """``nbgrader ARGS`` in the course folder, as GUIDE.md runs it; fails on a non-zero exit."""
    env = {key: value for key, value in os.environ.items() if key != "ECGTEACH_GRADING"}
    env.update(
        # nbgrader calls `alembic` (installed beside it) when it creates the gradebook
        PATH=os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]),
        JUPYTER_CONFIG_DIR=str(course.parent / "jupyter-config"),  # no user's nbgrader config
        ECGTEACH_FAST="1",
        ECGTEACH_CACHE=str(course.parent / "cache"),
    )  # (warnings stay on: a warning on stderr in a check cell would score it 0)
    result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                            capture_output=True, text=True, timeout=timeout)
    log = result.stdout + result.stderr
    assert result.returncode == 0 and "| ERROR]" not in log, log
    return result


def _released(course: Path, lesson: str) -> Path:
    """``source/<lesson>`` from the instructor notebook, then ``generate_assignment``."""
    release = course / "release" / lesson / f"{lesson}.ipynb"
    if not release.exists():
        (course / "source" / lesson).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(REPO / "instructor" / f"{lesson}.ipynb",
                        course / "source" / lesson / f"{lesson}.ipynb")
        run_nbgrader(course, "generate_assignment", lesson)
    return release


@needs_nbgrader
@pytest.mark.parametrize("lesson", LESSONS)
def test_generate_assignment_releases_the_student_lesson(course, lesson):
    release = nbformat.read(_released(course, lesson), as_version=4)
    student = nbformat.read(REPO / "lessons" / f"{lesson}.ipynb", as_version=4)
    assert [(c.id, c.cell_type, c.source) for c in release.cells] == [
        (c.id, c.cell_type, c.source) for c in student.cells]
    for cell in release.cells:  # check cells are read-only for the student
        if CHECK.match(cell.source):
            assert cell.metadata["editable"] is False and cell.metadata["deletable"] is False


def _grades(course: Path, lesson: str, student: str) -> dict:
    """grade_id -> (auto score, max score, needs manual grading), from the gradebook."""
    from nbgrader.api import Gradebook

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}", course_id="ecgteach") as book:
            notebook = book.find_submission_notebook(lesson, lesson, student)
            return {grade.name: (grade.auto_score, grade.max_score, grade.needs_manual_grade)
                    for grade in notebook.grades}


def _errors(notebook) -> dict[str, list[str]]:
    """cell id -> the errors its outputs hold (ename: evalue)."""
    return {cell.id: [f"{o.ename}: {o.evalue}" for o in cell.outputs if o.output_type == "error"]
            for cell in notebook.cells if cell.cell_type == "code"
            and any(o.output_type == "error" for o in cell.outputs)}


@needs_nbgrader
@pytest.mark.slow
@pytest.mark.parametrize("lesson", LESSONS)
def test_autograde_gives_the_solution_full_marks_and_the_release_zero(course, lesson):
    release = _released(course, lesson)
    submitted = {"solution": REPO / "instructor" / f"{lesson}.ipynb", "unanswered": release}
    for student, notebook in submitted.items():
        folder = course / "submitted" / student / lesson
        folder.mkdir(parents=True)
        shutil.copyfile(notebook, folder / f"{lesson}.ipynb")
    started = time.perf_counter()
    run_nbgrader(course, "autograde", lesson, timeout=1800)
    elapsed = time.perf_counter() - started

    cells = nbformat.read(release, as_version=4).cells
    checks = {_meta(c)["grade_id"] for c in cells if CHECK.match(c.source)}
    questions = {_meta(c)["grade_id"] for c in cells
                 if c.cell_type == "markdown" and _meta(c).get("grade")}
    assert checks, f"{lesson}: no auto-graded cell"
    autograded = {student: nbformat.read(course / "autograded" / student / lesson
                                         / f"{lesson}.ipynb", as_version=4)
                  for student in submitted}

    # (a) the instructor's solutions: every check passes, nothing in the lesson raised
    grades = _grades(course, lesson, "solution")
    assert set(grades) == checks | questions
    assert {g: grades[g][:2] for g in checks} == {g: (1.0, 1.0) for g in checks}
    assert all(grades[q][2] and grades[q][0] is None for q in questions)  # graded by hand
    assert not _errors(autograded["solution"]), _errors(autograded["solution"])

    # (b) the release as handed out: 0 on every check, each check said why
    grades = _grades(course, lesson, "unanswered")
    assert {g: grades[g][:2] for g in checks} == {g: (0.0, 1.0) for g in checks}
    assert all(grades[q][:2] == (0.0, 1.0) for q in questions)  # unchanged answers score 0
    errors = _errors(autograded["unanswered"])
    by_grade_id = {c.id: _meta(c).get("grade_id") for c in autograded["unanswered"].cells}
    assert {by_grade_id[cell] for cell in errors} == checks, errors  # only the checks raised
    assert all(e[0].startswith("AssertionError: [") and "✗ not yet" in e[0]
               for e in errors.values()), errors

    # the student's feedback and the grades table
    run_nbgrader(course, "generate_feedback", lesson)
    for student in submitted:
        assert (course / "feedback" / student / lesson / f"{lesson}.html").is_file()
    run_nbgrader(course, "export", "--to", "grades.csv")
    with open(course / "grades.csv", newline="") as table:
        rows = {row["student_id"]: row for row in csv.DictReader(table)
                if row["assignment"] == lesson}
    assert float(rows["solution"]["raw_score"]) == len(checks)
    assert float(rows["unanswered"]["raw_score"]) == 0
    print(f"{lesson}: autograde of 2 submissions {elapsed:.0f} s; solution {len(checks)}/"
          f"{len(checks)} checks, release 0/{len(checks)}; {len(questions)} questions by hand")
