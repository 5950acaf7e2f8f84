"""A real browser: JupyterLab + headless Chromium run the lessons and drive their widgets.

Starts JupyterLab on localhost, opens lessons in Debian's Chromium through
Playwright (no browser download), runs them (fast setting), and checks that the
plotly figures and widgets render and that moving a slider / clicking Train
updates the figures. Screenshots go to ``artifacts/browser/``.
"""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHOTS = REPO / "artifacts" / "browser"
sys.path.insert(0, str(REPO / "scripts"))
from screenshot_lesson import CHROMIUM, CHROMIUM_ARGS, LabServer, open_and_run

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not found: install Debian's chromium (apt-get install "
                    "chromium); .ci/run does this")
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="playwright is not installed (pip install playwright)")
    work = tmp_path_factory.mktemp("lab")
    for name in ("01_meet_the_ecg.ipynb", "02_why_the_regression_fails.ipynb"):
        shutil.copy(REPO / "lessons" / name, work / name)
    env = {"ECGTEACH_FAST": "1", "ECGTEACH_CACHE": str(work / "cache")}
    SHOTS.mkdir(parents=True, exist_ok=True)
    with LabServer(work, env=env) as server, sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(work / ".profile"), executable_path=CHROMIUM, args=CHROMIUM_ARGS,
            headless=True, viewport={"width": 1400, "height": 1000},
        )
        yield server, context
        context.close()


def scroll_to(locator) -> None:
    locator.scroll_into_view_if_needed()
    time.sleep(1.0)


def new_page(context):
    page = context.new_page()
    page.set_default_timeout(120_000)
    return page


def test_lesson_01_figures_render_and_the_browser_widget_responds(browser):
    server, context = browser
    page = new_page(context)
    open_and_run(server, page, "01_meet_the_ecg.ipynb", timeout_s=180)
    # JupyterLab does not paint off-screen cells: walk down once so every output renders
    cells = page.locator(".jp-Notebook:visible .jp-Cell")
    for i in range(cells.count()):
        cells.nth(i).scroll_into_view_if_needed()
    page.wait_for_function("document.querySelectorAll('.js-plotly-plot').length >= 3",
                           timeout=60_000)
    record_box = page.locator(".widget-inline-hbox:has(label:text-is('record')) input").first
    scroll_to(record_box)
    title = page.locator(".js-plotly-plot .gtitle", has_text="LUDB record").first
    assert "record 1," in title.text_content()
    page.locator(".widget-vbox:has(.widget-inline-hbox input)").first.screenshot(
        path=str(SHOTS / "01-record-browser-before.png"))
    record_box.fill("17")
    record_box.press("Enter")
    page.wait_for_function(
        "[...document.querySelectorAll('.js-plotly-plot .gtitle')]"
        ".some(t => t.textContent.includes('record 17,'))", timeout=30_000)
    time.sleep(1)
    page.locator(".widget-vbox:has(.widget-inline-hbox input)").first.screenshot(
        path=str(SHOTS / "01-record-browser-after.png"))
    page.close()


def test_lesson_02_training_panel_trains_from_a_click(browser):
    server, context = browser
    page = new_page(context)
    open_and_run(server, page, "02_why_the_regression_fails.ipynb", timeout_s=420)
    panel = page.locator(".widget-vbox:has(h4:text('Retrain the learner'))").first
    scroll_to(panel)
    panel_plot = panel.locator(".js-plotly-plot").first
    assert panel_plot.locator(".scatterlayer .point").count() == 0  # no run yet
    # move the epochs slider one step right (1 -> 2), as a student would with the keyboard
    slider = panel.locator(".widget-hslider:has(label:text-is('epochs')) .noUi-handle").first
    slider.focus()
    slider.press("ArrowRight")
    readout = panel.locator(".widget-hslider:has(label:text-is('epochs')) .widget-readout")
    page.wait_for_function("el => el.textContent.trim() === '2'", arg=readout.first
                           .element_handle(), timeout=10_000)
    panel.locator("button:has-text('Train')").first.click()
    page.wait_for_function(
        "el => /Run 1: (done|stopped)/.test(el.textContent)",
        arg=panel.locator(".widget-html:has-text('Run 1')").first.element_handle(),
        timeout=300_000,
    )
    time.sleep(2)
    assert panel_plot.locator(".scatterlayer .trace").first.locator(".point").count() == 2
    panel.screenshot(path=str(SHOTS / "02-training-panel-after-train.png"))
    board = page.locator(".widget-vbox:has(table.ecgteach-board)").first
    scroll_to(board)
    assert "run 1" in board.inner_text()
    board.screenshot(path=str(SHOTS / "02-comparison-board.png"))
    # a reload (or a second tab) must show the current curves, not the figures as first
    # displayed: plotly's updates are messages, ecgteach stores them as widget state too
    page.keyboard.press("Control+s")
    time.sleep(2)
    page.reload()
    page.locator(".jp-Notebook:visible").wait_for()
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']")
    cells = page.locator(".jp-Notebook:visible .jp-Cell")
    for i in range(cells.count()):
        cells.nth(i).scroll_into_view_if_needed()
    panel = page.locator(".widget-vbox:has(h4:text('Retrain the learner'))").first
    scroll_to(panel)
    page.wait_for_function(
        "el => el.querySelectorAll('.scatterlayer .trace:first-child .point').length === 2",
        arg=panel.locator(".js-plotly-plot").first.element_handle(), timeout=60_000)
    assert "Run 1: done" in panel.inner_text()
    panel.screenshot(path=str(SHOTS / "02-training-panel-after-reload.png"))
    page.close()


def _kernels(server) -> list:
    import json
    import urllib.request

    with urllib.request.urlopen(f"{server.url}/api/kernels?token={server.token}") as reply:
        return json.loads(reply.read())


def test_binder_settings_close_a_lessons_kernel_with_its_tab_and_show_memory(browser, tmp_path):
    """binder/overrides.json in a real JupyterLab: closing a lesson's tab ends its kernel."""
    _, context = browser  # the same Chromium; a second JupyterLab, with Binder's settings
    shutil.copy(REPO / "lessons" / "01_meet_the_ecg.ipynb", tmp_path / "01_meet_the_ecg.ipynb")
    env = {"ECGTEACH_FAST": "1", "ECGTEACH_CACHE": str(tmp_path / "cache"),
           "MEM_LIMIT": str(2 * 1024**3)}  # what Binder sets: the status bar shows the limit
    with LabServer(tmp_path, env=env, overrides=REPO / "binder" / "overrides.json") as server:
        page = new_page(context)
        page.goto(f"{server.url}/lab/tree/01_meet_the_ecg.ipynb?reset&token={server.token}")
        page.locator(".jp-Notebook:visible").wait_for()
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']")
        deadline = time.time() + 60
        while not _kernels(server) and time.time() < deadline:
            time.sleep(0.5)
        assert len(_kernels(server)) == 1
        # the memory indicator in the status bar, with Binder's limit
        memory = page.locator("#jp-main-statusbar", has_text="Mem:")
        memory.wait_for(timeout=30_000)
        assert "2.00 GB" in memory.inner_text() or "2048" in memory.inner_text(), \
            memory.inner_text()
        page.locator("#jp-main-statusbar").screenshot(path=str(SHOTS / "binder-statusbar.png"))
        # close the lesson's tab, as a student does: its kernel goes away
        page.locator(".lm-TabBar-tab.lm-mod-current .lm-TabBar-tabCloseIcon").first.click()
        time.sleep(1)
        if page.locator(".jp-Dialog", has_text="Save changes").count():  # opening set metadata
            page.locator(".jp-Dialog button", has_text="Save").last.click()
            time.sleep(1)
        assert not page.locator(".jp-Dialog").count(), page.locator(".jp-Dialog").inner_text()
        deadline = time.time() + 30
        while _kernels(server) and time.time() < deadline:
            time.sleep(0.5)
        assert _kernels(server) == []
        page.close()
