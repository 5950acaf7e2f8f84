"""Run a lesson in a real JupyterLab in headless Chromium and save screenshots.

Usage::

    python scripts/screenshot_lesson.py lessons/01_meet_the_ecg.ipynb --out artifacts/

Starts JupyterLab on a free localhost port with a token and throw-away settings,
opens the notebook in Debian's Chromium (``/usr/bin/chromium``) through
Playwright, runs all cells, waits for the kernel to be idle, then scrolls each
plotly figure and widget into view and saves one PNG per output. Needs
``apt-get install chromium`` and ``pip install playwright`` (no browser download).
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LabServer:
    """A JupyterLab server on localhost serving ``root``, stopped with its kernels."""

    def __init__(self, root: Path, env: dict[str, str] | None = None,
                 overrides: Path | None = None) -> None:
        """``overrides``: a JupyterLab ``overrides.json`` (e.g. ``binder/overrides.json``)."""
        self.root, self.port, self.token = root, free_port(), secrets.token_hex(16)
        self.tmp = Path(tempfile.mkdtemp(prefix="ecgteach-lab-"))
        self.env = {**os.environ, **(env or {})}
        self.overrides = overrides
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> LabServer:
        cmd = [
            sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={self.port}",
            "--ip=127.0.0.1", f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root}",
            f"--LabApp.user_settings_dir={self.tmp / 'settings'}",
            f"--LabApp.workspaces_dir={self.tmp / 'workspaces'}",
        ]
        if os.geteuid() == 0:
            cmd.append("--allow-root")
        if self.overrides is not None:  # as binder/postBuild installs them
            app_settings = self.tmp / "app-settings"
            app_settings.mkdir(parents=True)
            shutil.copy(self.overrides, app_settings / "overrides.json")
            cmd.append(f"--LabApp.app_settings_dir={app_settings}")
        # no "get notified about Jupyter news?" pop-up over the widgets
        news = self.tmp / "settings" / "@jupyterlab" / "apputils-extension"
        news.mkdir(parents=True, exist_ok=True)
        (news / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
        self.log = open(self.tmp / "server.log", "w")
        self.process = subprocess.Popen(
            cmd, stdout=self.log, stderr=subprocess.STDOUT, env=self.env, start_new_session=True
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                urllib.request.urlopen(f"{self.url}/api/status?token={self.token}", timeout=2)
                return self
            except OSError:
                time.sleep(0.5)
        self.__exit__(None, None, None)
        raise RuntimeError(f"JupyterLab did not start; log: {self.tmp / 'server.log'}")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)  # the server and its kernels
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        self.log.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


def open_and_run(server: LabServer, page, name: str, timeout_s: float = 600) -> None:
    """Open notebook ``name`` in JupyterLab, Run All Cells, wait until no cell is running.

    Raises ``AssertionError`` if it does not finish in time or a cell shows an error.
    """
    # "?reset" starts from an empty workspace: only this notebook is open, so no
    # notebook of an earlier run is restored in a hidden tab
    page.goto(f"{server.url}/lab/tree/{name}?reset&token={server.token}")
    notebook = page.locator(".jp-Notebook:visible")
    notebook.wait_for()
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']")
    time.sleep(1)
    if page.locator(".jp-Dialog").count():  # e.g. "Select Kernel" for an unknown kernel
        page.locator(".jp-Dialog .jp-mod-accept").first.click()
    notebook.click()
    page.click("li.lm-MenuBar-item:has-text('Run')")
    page.click("li.lm-Menu-item:has-text('Run All Cells')")
    time.sleep(3)  # the kernel turns busy; then wait for idle with no "[*]" prompt left
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        busy = page.locator(".jp-Notebook-ExecutionIndicator[data-status='busy']").count()
        pending = page.locator(".jp-InputPrompt:has-text('[*]')").count()
        if not busy and not pending:
            break
        time.sleep(1)
    else:
        raise AssertionError(f"{name} did not finish in {timeout_s} s")
    errors = page.locator(".jp-OutputArea-output[data-mime-type*='error']").count()
    assert errors == 0, f"{errors} cell(s) of {name} raised an error in the browser"


def run_and_capture(notebook: Path, out: Path, timeout_s: float = 600,
                    text: bool = False) -> list[Path]:
    """Open ``notebook`` in JupyterLab, run all cells, screenshot every rich output.

    ``text=True`` also captures printed (plain-text) outputs, e.g. score tables.
    """
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="ecgteach-shot-"))
    shutil.copy(notebook, work / notebook.name)
    shots = []
    with LabServer(work) as server, sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(work / ".profile"), executable_path=CHROMIUM, args=CHROMIUM_ARGS,
            headless=True, viewport={"width": 1400, "height": 1000},
        )
        page = context.new_page()
        page.set_default_timeout(120_000)
        open_and_run(server, page, notebook.name, timeout_s)
        time.sleep(8)  # plotly.js loads on first render
        # JupyterLab does not paint off-screen cells: walk down the notebook once
        cells = page.locator(".jp-Notebook:visible .jp-Cell")
        for i in range(cells.count()):
            cells.nth(i).scroll_into_view_if_needed()
            time.sleep(0.3)
        outputs = page.locator(".jp-OutputArea-output" if text
                               else ".jp-OutputArea-output:not([data-mime-type])")
        for i in range(outputs.count()):
            item = outputs.nth(i)
            item.scroll_into_view_if_needed()
            time.sleep(1.5)
            path = out / f"{notebook.stem}-{i:02d}.png"
            item.screenshot(path=str(path))
            shots.append(path)
        context.close()
    shutil.rmtree(work, ignore_errors=True)
    return shots


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", type=Path)
    parser.add_argument("--out", type=Path, default=Path("artifacts"))
    parser.add_argument("--text", action="store_true",
                        help="also capture printed outputs (score tables, summaries)")
    args = parser.parse_args()
    for path in run_and_capture(args.notebook.resolve(), args.out, text=args.text):
        print(path)


if __name__ == "__main__":
    main()
