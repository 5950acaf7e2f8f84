"""The rendered reference of the lessons (scripts/build_reference.py): offline HTML pages."""

from __future__ import annotations

import base64
import re
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest

pytest.importorskip("nbconvert", reason="nbconvert renders the pages (pip install nbconvert)")
pytest.importorskip("nbclient", reason="nbclient runs the lessons (the test extras)")

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))
import build_reference as ref

CDNS = ("cdn.plot.ly", "unpkg", "jsdelivr", "cdnjs", "require.min.js")


def _outside_plotlyjs(page: str) -> str:
    """The page without the inline plotly.js (whose own sources name CDNs it never loads here)."""
    from plotly.offline import get_plotlyjs

    plotlyjs = get_plotlyjs()
    assert page.count(plotlyjs) == 1, "plotly.js must be in the page exactly once"
    return page.replace(plotlyjs, "")


def _assert_offline(page: str) -> None:
    rest = _outside_plotlyjs(page)
    for cdn in CDNS:
        assert cdn not in rest, cdn
    assert not re.search(r"""<(script|link)[^>]+(src|href)=["']?https?:""", rest)


def _model(name: str, **state) -> dict:
    return {"model_name": name, "model_module": "@jupyter-widgets/controls",
            "model_module_version": "2.0.0", "state": {"_model_name": name, **state}}


def _panel_notebook() -> nbformat.NotebookNode:
    """A notebook with a widget panel (as nbclient saves it) and a plain plotly figure."""
    x = np.array([0.0, 0.5, 1.0])
    state = {
        "box": _model("VBoxModel", children=["IPY_MODEL_row", "IPY_MODEL_text", "IPY_MODEL_fig"]),
        "row": _model("HBoxModel", children=["IPY_MODEL_record", "IPY_MODEL_twin",
                                             "IPY_MODEL_lead", "IPY_MODEL_go"]),
        "record": _model("IntSliderModel", description="record", value=34),
        "twin": _model("IntSliderModel", description="", value=34),  # an echo: left out
        "lead": _model("DropdownModel", description="lead", index=1,
                       _options_labels=["i", "ii", "iii"]),
        "go": _model("ButtonModel", description="Train"),
        "text": _model("HTMLModel", value="<b>patient 34</b>: sinus rhythm"),
        "fig": {
            "model_name": "AnyModel", "model_module": "anywidget",
            "state": {
                "_model_name": "AnyModel",
                # x as plotly sends a NumPy array: the buffer apart, by path
                "_widget_data": [{"type": "scatter", "name": "lead ii", "y": [1, 2, 3],
                                  "x": {"dtype": "float64", "shape": [3]},
                                  "uid": "_undefined_"}],
                "_widget_layout": {"title": {"text": "LUDB record 34, lead ii"}},
                "_py2js_addTraces": [],  # a later value where an old buffer pointed
            },
            "buffers": [
                {"path": ["_widget_data", 0, "x", "buffer"], "encoding": "base64",
                 "data": base64.b64encode(x.tobytes()).decode()},
                {"path": ["_py2js_addTraces", "trace_data", 0, "y", "buffer"],
                 "encoding": "base64", "data": base64.b64encode(b"\0" * 8).decode()},
            ],
        },
    }
    notebook = nbformat.v4.new_notebook()
    notebook.metadata.widgets = {ref.WIDGET_STATE: {"state": state, "version_major": 2,
                                                    "version_minor": 0}}
    view = nbformat.v4.new_output("display_data", data={
        ref.WIDGET_VIEW: {"model_id": "box", "version_major": 2, "version_minor": 0},
        "text/plain": "VBox(...)"})
    figure = nbformat.v4.new_output("display_data", data={
        ref.PLOTLY: {"data": [{"type": "bar", "y": [3, 1]}], "layout": {"height": 300}},
        "text/plain": "Figure(...)"})
    notebook.cells = [
        nbformat.v4.new_markdown_cell("# Lesson 99 — A panel\n\nSome text."),
        nbformat.v4.new_code_cell("RecordBrowser()", outputs=[view]),
        nbformat.v4.new_code_cell("fig", outputs=[figure]),
    ]
    return notebook


def test_widget_state_becomes_a_static_figure():
    notebook = _panel_notebook()
    models = ref.widget_models(notebook)
    figure = ref.widget_figure(models["fig"]["state"])
    np.testing.assert_array_equal(figure["data"][0]["x"], [0.0, 0.5, 1.0])  # buffer put back
    assert "uid" not in figure["data"][0]  # plotly's "_undefined_" dropped
    assert models["fig"]["state"]["_py2js_addTraces"] == []  # a stale buffer is not applied
    static = ref.static_outputs(notebook)
    assert "widgets" not in static.metadata and "widgets" in notebook.metadata  # a copy
    panel = static.cells[1].outputs[0].data
    assert list(panel) == ["text/html"]
    html = panel["text/html"]
    assert "Plotly.newPlot" in html and "LUDB record 34, lead ii" in html
    assert '"name":"lead ii"' in html
    assert "record = 34 · lead = ii · [Train]" in html  # controls, the unnamed echo left out
    assert "<b>patient 34</b>" in html and ref.WIDGET_NOTE in html
    # order as in the panel: controls, text, figure, note
    assert html.index("record = 34") < html.index("patient 34") < html.index("Plotly.newPlot")
    assert html.index("Plotly.newPlot") < html.index(ref.WIDGET_NOTE)
    plain = static.cells[2].outputs[0].data
    assert list(plain) == ["text/html"] and "Plotly.newPlot" in plain["text/html"]
    assert "height:300px" in plain["text/html"]


def test_page_is_self_contained_and_offline():
    page = ref.render_page(_panel_notebook(), "Lesson 99 — A panel", "banner text")
    _assert_offline(page)
    assert "<title>Lesson 99 — A panel</title>" in page and "banner text" in page
    assert page.count("Plotly.newPlot") == 2 and ref.WIDGET_VIEW not in page


def test_control_text():
    assert ref._control_text({"description": "time (s)", "value": [0.0, 10.0]}) == (
        "time (s) = 0.0–10.0")
    assert ref._control_text({"description": "SNR", "value": "<b>"}) == "SNR = &lt;b&gt;"


def _tiny(path: Path, *sources: str) -> Path:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell(f"# {path.stem} title")] + [
        nbformat.v4.new_code_cell(source) for source in sources
    ]
    nbformat.write(notebook, path)
    return path


@pytest.mark.slow
def test_build_runs_in_a_temporary_folder_and_a_failure_writes_nothing(tmp_path):
    out = tmp_path / "site" / "reference"
    good = _tiny(tmp_path / "91_good.ipynb",
                 "import os\nprint('fast', os.environ.get('ECGTEACH_FAST'))\n"
                 "print('cache', os.environ['ECGTEACH_CACHE'])\nprint('cwd', os.getcwd())")
    pages = ref.build(out, [good], fast=True, log=lambda _: None)
    page = pages[0].read_text()
    assert "fast 1" in page
    cache = re.search(r"cache (\S+)", page).group(1)
    assert Path(cache).name.startswith("ecgteach-reference-cache-") and not Path(cache).exists()
    cwd = re.search(r"cwd (\S+)", page).group(1)
    assert Path(cwd) != REPO and not Path(cwd).exists()  # a temporary folder, removed
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    bad = _tiny(tmp_path / "92_bad.ipynb", "x = 1", "def f():\n    return 1 / 0\nf()")
    with pytest.raises(ref.LessonError, match=r"92_bad.ipynb: cell 3 \(code cell 2, starting "
                                              r"'def f\(\):'\) failed: ZeroDivisionError"):
        ref.build(out, [bad], fast=True, log=lambda _: None)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # untouched
    assert [p.name for p in out.parent.iterdir()] == ["reference"]  # no staging left behind


@pytest.mark.slow
def test_lesson_01_reference(tmp_path):
    lesson = REPO / "instructor" / "01_meet_the_ecg.ipynb"
    title = ref.lesson_title(nbformat.read(lesson, as_version=4), "")
    assert title.startswith("Lesson 01")
    out = tmp_path / "reference"
    page_path, = ref.build(out, [lesson], fast=True, log=lambda _: None)
    page = page_path.read_text()
    _assert_offline(page)
    assert f"<title>{title}</title>" in page and "fast (ECGTEACH_FAST=1)" in page
    assert "QRS waves on lead ii (samples):" in page  # a printed output
    assert page.count("Plotly.newPlot") >= 4
    assert ref.WIDGET_VIEW not in page
    # the RecordBrowser: its figure drawn statically, with its curve, before the note
    assert page.count(ref.WIDGET_NOTE) == 1
    panel = page[: page.index(ref.WIDGET_NOTE)].rsplit("jp-OutputArea-output", 1)[1]
    assert "Plotly.newPlot" in panel and '"name":"lead ii"' in panel
    assert "record = " in panel and "lead = ii" in panel
    index = (out / "index.html").read_text()
    assert f'href="{page_path.name}"' in index and title in index
    from ecgteach._version import __version__

    assert f"<td>{__version__} (" in index
