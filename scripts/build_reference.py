"""Build a rendered reference of each lesson: the instructor notebooks run, as offline HTML.

Usage::

    python scripts/build_reference.py                  # all lessons -> build/reference/
    python scripts/build_reference.py --fast           # the fast setting (ECGTEACH_FAST=1)
    python scripts/build_reference.py --only 01 04 --out /tmp/reference

Each ``instructor/NN_name.ipynb`` is executed with nbclient in a temporary
folder, with a temporary model cache (``ECGTEACH_CACHE``), and written as one
self-contained page ``NN_name.html`` (nbconvert's lab template: the lesson's
text, code, printed outputs, tables and figures) beside an ``index.html`` that
lists the lessons, when and with which ecgteach version and setting they ran.

The pages need no network (a teacher on a train): plotly.js is included once
per page from the installed ``plotly`` package, and no script comes from a CDN.
Widgets need a kernel, so each widget output is drawn as it stood at the end of
the run: its figures (a ``FigureWidget``'s ``_widget_data``/``_widget_layout`` in
the saved widget state) as static plotly figures, its text, the values of its
controls, and a note that it is interactive in the lesson. ``--only`` rebuilds
some pages and keeps the others. A failing lesson raises an error naming the cell
and writes nothing: the output folder is swapped in whole
(``ecgteach._files.replace_folder``).
"""

from __future__ import annotations

import argparse
import base64
import datetime
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nbformat

REPO = Path(__file__).resolve().parents[1]
INSTRUCTOR = REPO / "instructor"
DEFAULT_OUT = REPO / "build" / "reference"
MANIFEST = "lessons.json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
PLOTLY = "application/vnd.plotly.v1+json"
WIDGET_NOTE = "(interactive in the lesson: run it to use the controls)"
# Run after the lesson, in its kernel: a FigureWidget shown inside a panel keeps
# its first (often empty) state unless told to store its current figure.
SNAPSHOT = """\
import ipywidgets as _ipywidgets
from ecgteach.ui.plots import keep_widget_state as _keep_widget_state
for _widget in list(getattr(_ipywidgets.widgets.widget, "_instances", {}).values()):
    _keep_widget_state(_widget)
"""
# nbconvert's lab page without what it would fetch from CDNs (require.js, MathJax,
# Mermaid, the widget manager), with plotly.js inline and a banner on top.
TEMPLATE = """\
{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}
<script type="text/javascript">{{ resources.plotlyjs }}</script>
{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block extra_css -%}
<style type="text/css">
.ecgteach-banner { background: #f3f3f3; border-left: 4px solid #0072B2; padding: 6px 12px;
  margin: 8px 0 16px; font-family: sans-serif; font-size: 13px; }
.ecgteach-widget-note { color: #666; font-style: italic; font-size: 12px; }
.ecgteach-controls { font-family: monospace; font-size: 12px; color: #333; }
</style>
{%- endblock extra_css -%}
{%- block body_header -%}
{{ super() }}
<div class="ecgteach-banner">{{ resources.banner }}</div>
{%- endblock body_header -%}
"""


class LessonError(RuntimeError):
    """A lesson failed to run; the message names the lesson and the cell."""


def lesson_paths(only: list[str] | None = None) -> list[Path]:
    """The instructor notebooks ``instructor/0[1-5]_*.ipynb``, or those numbered ``only``."""
    paths = sorted(INSTRUCTOR.glob("0[1-5]_*.ipynb"))
    if only:
        wanted = {number.zfill(2) for number in only}
        unknown = wanted - {path.name[:2] for path in paths}
        if unknown:
            raise SystemExit(f"no lesson numbered {', '.join(sorted(unknown))} in {INSTRUCTOR}")
        paths = [path for path in paths if path.name[:2] in wanted]
    return paths


def lesson_title(notebook: nbformat.NotebookNode, default: str) -> str:
    """The first Markdown heading of the notebook (``# Lesson 01 — Meet the ECG``)."""
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            match = re.search(r"^#\s+(.+?)\s*$", cell.source, re.MULTILINE)
            if match:
                return match.group(1)
    return default


def execute_lesson(
    path: Path, *, fast: bool, cache: Path, timeout_s: int = 1800
) -> tuple[nbformat.NotebookNode, float]:
    """Run notebook ``path`` in a temporary folder; return it with outputs and widget state.

    The kernel gets ``ECGTEACH_CACHE=cache`` and ``ECGTEACH_FAST=1`` when ``fast``
    (otherwise ``ECGTEACH_FAST`` is removed). Raises :class:`LessonError`
    naming the cell that failed.
    """
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(SNAPSHOT))
    env = {key: value for key, value in os.environ.items() if key != "ECGTEACH_FAST"}
    env["ECGTEACH_CACHE"] = str(cache)
    if fast:
        env["ECGTEACH_FAST"] = "1"
    running = {"index": None}
    with tempfile.TemporaryDirectory(prefix="ecgteach-reference-") as work:
        client = NotebookClient(
            notebook, timeout=timeout_s, kernel_name="python3", store_widget_state=True,
            resources={"metadata": {"path": work}},
            on_cell_execute=lambda cell, cell_index: running.update(index=cell_index),
        )
        started = time.perf_counter()
        try:
            client.execute(env=env)
        except Exception as error:  # CellExecutionError, CellTimeoutError, DeadKernelError
            raise LessonError(_failure(path, notebook, running["index"], error)) from error
        elapsed = time.perf_counter() - started
    notebook.cells.pop()  # the snapshot cell
    return notebook, elapsed


def _failure(path: Path, notebook: nbformat.NotebookNode, index: int | None,
             error: Exception) -> str:
    if index is None:
        return f"{path.name}: the kernel did not start or run: {type(error).__name__}: {error}"
    cell = notebook.cells[index]
    errors = [out for out in cell.get("outputs", []) if out.output_type == "error"]
    what = (f"{errors[0].ename}: {errors[0].evalue}" if errors
            else f"{type(error).__name__}: {(str(error).strip().splitlines() or [''])[-1]}")
    if index == len(notebook.cells) - 1:
        return f"{path.name}: storing the widgets' figures failed after the lesson: {what}"
    number = sum(1 for c in notebook.cells[: index + 1] if c.cell_type == "code")
    first_line = next((line for line in cell.source.splitlines() if line.strip()), "")
    return (f"{path.name}: cell {index + 1} (code cell {number}, starting "
            f"{first_line[:60]!r}) failed: {what}")


# --- widget state -> static HTML ---------------------------------------------------------


def widget_models(notebook: nbformat.NotebookNode) -> dict[str, dict]:
    """The saved widget models by id, each with its binary buffers put back in its state.

    Plotly sends NumPy arrays as ``{"dtype", "shape", "buffer"}``; the saved state
    keeps the buffers apart (base64, by path). A buffer whose place in the state
    is now something else (an older value) is left out.
    """
    saved = notebook.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    models = {}
    for model_id, model in saved.items():
        state = {k: v for k, v in model.get("state", {}).items() if k != "_esm"}  # plotly's JS
        state = json.loads(json.dumps(state))  # a plain, private copy
        for buffer in model.get("buffers", []):
            *parents, key = buffer["path"]
            place = state
            try:
                for step in parents:
                    place = place[step]
            except (KeyError, IndexError, TypeError):
                continue
            if isinstance(place, dict) and key not in place:
                place[key] = base64.b64decode(buffer["data"])
        models[model_id] = {"model_name": model.get("model_name"), "state": state}
    return models


def _plain(value: Any) -> Any:
    """Plotly's widget encoding back to plain values: typed arrays -> lists."""
    if isinstance(value, dict):
        if isinstance(value.get("buffer"), bytes) and "dtype" in value:
            import numpy as np

            array = np.frombuffer(value["buffer"], dtype=value["dtype"])
            return array.reshape(value.get("shape") or array.shape)
        return {k: _plain(v) for k, v in value.items() if v != "_undefined_"}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def widget_figure(state: dict) -> dict:
    """A plotly figure dict (data, layout) from a ``FigureWidget``'s saved state."""
    return {"data": _plain(state.get("_widget_data", [])),
            "layout": _plain(state.get("_widget_layout", {}))}


def figure_html(figure: dict) -> str:
    """A ``<div>`` drawing ``figure`` with the page's plotly.js (none of its own)."""
    import plotly.io as pio

    height = figure.get("layout", {}).get("height")
    return pio.to_html(
        {"data": figure.get("data", []), "layout": figure.get("layout", {})},
        config=figure.get("config") or {}, include_plotlyjs=False, full_html=False,
        validate=False, default_height=f"{height}px" if height else "450px",
    )


def widget_html(models: dict[str, dict], model_id: str) -> str:
    """Static HTML for the widget ``model_id`` as it was last shown, and a note.

    Boxes are walked in order: a FigureWidget becomes a static figure, an HTML or
    Label widget its text, an Output widget its outputs, and each run of controls
    one line ``description = value``.
    """
    parts: list[tuple[str, str]] = []

    def visit(key: str, depth: int = 0) -> None:
        model = models.get(key.removeprefix("IPY_MODEL_"))
        if model is None or depth > 50:
            return
        name, state = model["model_name"] or "", model["state"]
        if isinstance(state.get("children"), list):
            for child in state["children"]:
                visit(str(child), depth + 1)
        elif "_widget_data" in state:
            parts.append(("block", figure_html(widget_figure(state))))
        elif name in ("HTMLModel", "HTMLMathModel"):
            parts.append(("block", f"<div>{state.get('value') or ''}</div>"))
        elif name == "LabelModel":
            parts.append(("block", f"<p>{html.escape(str(state.get('value', '')))}</p>"))
        elif name == "OutputModel":
            parts.extend(("block", output_html(out, models)) for out in state.get("outputs", []))
        elif name == "ButtonModel":
            parts.append(("control", f"[{html.escape(state.get('description') or 'button')}]"))
        elif state.get("description") and ("value" in state or "index" in state):
            parts.append(("control", _control_text(state)))  # unnamed ones echo a named one

    visit(model_id)
    blocks, controls = [], []
    for kind, text in parts + [("block", "")]:
        if kind == "control":
            controls.append(text)
            continue
        if controls:
            blocks.append(f'<p class="ecgteach-controls">{" · ".join(controls)}</p>')
            controls = []
        if text:
            blocks.append(text)
    blocks.append(f'<p class="ecgteach-widget-note">{html.escape(WIDGET_NOTE)}</p>')
    return "\n".join(blocks)


def _control_text(state: dict) -> str:
    value = state.get("value")
    labels, index = state.get("_options_labels"), state.get("index")
    if isinstance(labels, list) and isinstance(index, int) and 0 <= index < len(labels):
        value = labels[index]
    elif isinstance(value, list) and len(value) == 2:
        value = f"{value[0]}–{value[1]}"
    return html.escape(f"{state['description']} = {value}")


def output_html(output: dict, models: dict[str, dict]) -> str:
    """HTML for one output inside an Output widget (a small subset of nbconvert's)."""
    if output.get("output_type") == "stream":
        return f"<pre>{html.escape(output.get('text', ''))}</pre>"
    if output.get("output_type") == "error":
        error = f"{output.get('ename', '')}: {output.get('evalue', '')}"
        return f"<pre>{html.escape(error)}</pre>"
    data = output.get("data", {})
    if WIDGET_VIEW in data:
        return widget_html(models, data[WIDGET_VIEW]["model_id"])
    if PLOTLY in data:
        return figure_html(data[PLOTLY])
    if "text/html" in data:
        return "".join(data["text/html"])
    if "image/png" in data:
        return f'<img src="data:image/png;base64,{data["image/png"]}">'
    return f"<pre>{html.escape(''.join(data.get('text/plain', '')))}</pre>"


def static_outputs(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of an executed notebook whose figures and widgets are plain ``text/html``.

    Plotly outputs become figure ``<div>``s (nbconvert does not draw plotly's mime
    type), widget views their static drawing (:func:`widget_html`); the widget
    state is dropped from the metadata.
    """
    models = widget_models(notebook)
    notebook = nbformat.from_dict(json.loads(json.dumps(notebook)))
    notebook.metadata.pop("widgets", None)
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if WIDGET_VIEW in data:
                output.data = {"text/html": widget_html(models, data[WIDGET_VIEW]["model_id"])}
            elif PLOTLY in data:
                output.data = {"text/html": figure_html(data[PLOTLY])}
    return notebook


# --- pages ---------------------------------------------------------------------------------


def render_page(notebook: nbformat.NotebookNode, title: str, banner: str) -> str:
    """One self-contained HTML page of an executed notebook (nbconvert, lab template)."""
    import jinja2
    from nbconvert import HTMLExporter
    from plotly.offline import get_plotlyjs

    exporter = HTMLExporter(
        template_name="lab", template_file="reference.html.j2", embed_images=True,
        extra_loaders=[jinja2.DictLoader({"reference.html.j2": TEMPLATE})],
    )
    notebook = static_outputs(notebook)
    notebook.metadata["title"] = title
    body, _ = exporter.from_notebook_node(
        notebook, resources={"plotlyjs": get_plotlyjs(), "banner": banner}
    )
    return body


def build_info(fast: bool) -> dict[str, str]:
    """When, with which ecgteach version, commit and setting the outputs are made."""
    from ecgteach._version import __version__

    try:
        commit = subprocess.run(["git", "-C", str(REPO), "describe", "--always", "--dirty"],
                                capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    return {
        "built": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %z"),
        "ecgteach": __version__,
        "commit": commit,
        "setting": "fast (ECGTEACH_FAST=1)" if fast else "full (as in class)",
    }


def banner_html(title: str, info: dict[str, str]) -> str:
    return html.escape(
        f"Rendered reference of “{title}”: run on {info['built']} with ecgteach "
        f"{info['ecgteach']} ({info['commit']}), {info['setting']} setting. Widgets show "
        "their state at the end of the run; run the lesson to use them."
    ) + ' <a href="index.html">All lessons</a>'


def index_html(entries: dict[str, dict]) -> str:
    """``index.html``: one row per lesson page with when and how it was made."""
    rows = "\n".join(
        f'<tr><td><a href="{html.escape(e["page"])}">{html.escape(e["title"])}</a></td>'
        f"<td>{html.escape(e['setting'])}</td><td>{html.escape(e['built'])}</td>"
        f"<td>{html.escape(e['ecgteach'])} ({html.escape(e['commit'])})</td>"
        f"<td>{e['seconds']:.0f} s</td></tr>"
        for _, e in sorted(entries.items())
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>ecgteach lessons: rendered reference</title>
<style>body {{ font-family: sans-serif; max-width: 60em; margin: 2em auto; }}
table {{ border-collapse: collapse; }} td, th {{ border: 1px solid #ccc; padding: 4px 8px; }}
</style></head><body>
<h1>ecgteach lessons: rendered reference</h1>
<p>Each lesson of the instructor notebooks, run top to bottom, with its outputs: read it to
prepare a class without running anything. Figures work offline; widgets show what they
showed at the end of the run (run the lesson to use their controls).</p>
<table><tr><th>lesson</th><th>setting</th><th>run on</th><th>ecgteach</th><th>run time</th></tr>
{rows}
</table></body></html>
"""


def build(out: Path = DEFAULT_OUT, paths: list[Path] | None = None, fast: bool = False,
          timeout_s: int = 1800, log: Callable[[str], None] = print) -> list[Path]:
    """Run notebooks ``paths`` (default: every lesson) and write their pages into ``out``.

    Returns the pages. ``index.html`` lists every page in ``out``: pages of lessons
    not run this time are kept. Everything is written to a staging folder beside
    ``out`` and swapped in at the end, so a failure leaves ``out`` as it was.
    """
    from ecgteach._files import replace_folder, write_text_atomic

    out = Path(out).resolve()
    paths = lesson_paths() if paths is None else [Path(path) for path in paths]
    info = build_info(fast)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-staging-", dir=out.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; the pages are to be shared
    try:
        manifest_path = out / MANIFEST
        entries = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
        if out.exists():
            shutil.copytree(out, staging, dirs_exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="ecgteach-reference-cache-") as cache:
            for path in paths:
                log(f"{path.name}: running ({info['setting']}) ...")
                notebook, seconds = execute_lesson(path, fast=fast, cache=Path(cache),
                                                   timeout_s=timeout_s)
                title = lesson_title(notebook, path.stem)
                page = render_page(notebook, title, banner_html(title, info))
                write_text_atomic(staging / f"{path.stem}.html", page)
                entries[path.stem] = {**info, "title": title, "page": f"{path.stem}.html",
                                      "seconds": round(seconds, 1)}
                log(f"{path.name}: {seconds:.0f} s, {len(page.encode()) / 1e6:.1f} MB")
        write_text_atomic(staging / MANIFEST, json.dumps(entries, indent=1) + "\n")
        write_text_atomic(staging / "index.html", index_html(entries))
        replace_folder(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [out / f"{path.stem}.html" for path in paths]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="output folder (default build/reference/)")
    parser.add_argument("--fast", action="store_true", help="the fast setting (ECGTEACH_FAST=1)")
    parser.add_argument("--only", nargs="+", metavar="NN", help="only these lessons (01 ... 05)")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds per cell (1800)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        pages = build(args.out, lesson_paths(args.only), args.fast, args.timeout)
    except LessonError as error:
        print(f"error: {error}\nnothing was written to {args.out}", file=sys.stderr)
        return 1
    print(f"{len(pages)} page(s) and index.html in {args.out} "
          f"({time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
