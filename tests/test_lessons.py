"""Every lesson runs end to end (fast setting, ECGTEACH_FAST=1) and is committed clean."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import nbformat
import pytest

from ecgteach.classroom.claims import FAILED_MARK

REPO = Path(__file__).resolve().parents[1]
LESSONS = sorted((REPO / "lessons").glob("[0-9][0-9]_*.ipynb"))
SOLUTIONS = sorted((REPO / "instructor").glob("[0-9][0-9]_*.ipynb"))
sys.path.insert(0, str(REPO / "scripts"))
from build_student import build as build_student
from notebooks import has_outputs


def test_there_are_lessons():
    assert LESSONS, "no lessons found in lessons/"
    assert LESSONS[0].name.startswith("01_")


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_lesson_committed_without_outputs(path):
    notebook = nbformat.read(path, as_version=4)
    assert not has_outputs(notebook), f"{path.name} has outputs: run `make strip-notebooks`"


def test_student_lessons_are_built_from_the_instructor_versions():
    assert [p.name for p in SOLUTIONS] == [p.name for p in LESSONS]
    assert build_student(check=True) == 0, "run `python scripts/build_student.py`"


@pytest.mark.parametrize("path", SOLUTIONS, ids=[p.stem for p in SOLUTIONS])
def test_instructor_version_committed_without_outputs(path):
    assert not has_outputs(nbformat.read(path, as_version=4))


def run_notebook(path, tmp_path, monkeypatch):
    """Execute a notebook in the fast setting; return it with outputs and the run time."""
    from nbclient import NotebookClient

    monkeypatch.setenv("ECGTEACH_FAST", os.environ.get("ECGTEACH_FAST", "1"))
    monkeypatch.setenv("ECGTEACH_CACHE", str(tmp_path / "cache"))
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
        store_widget_state=False,
    )
    started = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - started
    errors = [
        output
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "error"
    ]
    assert not errors, errors
    return notebook, elapsed


@pytest.mark.slow
@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_lesson_runs_end_to_end(path, tmp_path, monkeypatch):
    notebook, elapsed = run_notebook(path, tmp_path, monkeypatch)
    # every code cell ran and the lesson produced pictures (plotly figures or widgets)
    code_cells = [c for c in notebook.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code_cells)
    kinds = {key for c in code_cells for o in c.outputs for key in o.get("data", {})}
    assert "application/vnd.plotly.v1+json" in kinds or (
        "application/vnd.jupyter.widget-view+json" in kinds
    )
    # accessible figures: every plotly figure is followed by its one-line summary (ui.show)
    unsummarised = [
        c.source[:60] for c in code_cells for i, o in enumerate(c.outputs)
        if "application/vnd.plotly.v1+json" in o.get("data", {})
        and not str((c.outputs[i + 1:] or [{}])[0].get("data", {}).get("text/plain", ""))
        .startswith("Figure: ")
    ]
    assert not unsummarised, f"figures without their summary (use ecgteach.ui.show): {unsummarised}"
    # principle 1: what the text states about the run, the run shows (fast mode too)
    claims = _claims(notebook)
    claimed = sum(c.source.count("ecgteach.claim(") for c in code_cells)
    assert len(claims) == claimed, "every claim must end its cell (so its result is shown)"
    failed = [text for text in claims if FAILED_MARK in text]
    assert not failed, failed
    print(f"{path.name}: {elapsed:.1f} s, {len(claims)} claims hold")


def _claims(notebook) -> list[str]:
    """The text of every claim shown by the ``ecgteach.claim(...)`` cells of a notebook."""
    texts = []
    for cell in notebook.cells:
        if cell.cell_type != "code" or "ecgteach.claim(" not in cell.source:
            continue
        for output in cell.outputs:
            text = str(output.get("data", {}).get("text/plain", ""))
            if text.startswith("✓") or text.startswith(FAILED_MARK):
                texts.append(text)
    return texts


@pytest.mark.slow
@pytest.mark.parametrize("path", SOLUTIONS, ids=[p.stem for p in SOLUTIONS])
def test_instructor_solutions_pass_every_check(path, tmp_path, monkeypatch):
    notebook, _ = run_notebook(path, tmp_path, monkeypatch)
    texts = [
        str(output.get("data", {}).get("text/plain", ""))
        for cell in notebook.cells
        if cell.cell_type == "code" and "ecgteach.check(" in cell.source
        for output in cell.outputs
    ]
    assert texts and all("✓ correct" in text for text in texts), texts
