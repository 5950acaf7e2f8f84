"""Replay the Binder recipe here (repo2docker cannot run on this machine).

A fresh virtual environment is built from ``binder/`` files only
(``runtime.txt``'s Python, ``requirements.txt``), ``postBuild`` runs in it, and
lesson 01 is executed with that environment's kernel.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BINDER = REPO / "binder"
pytestmark = pytest.mark.slow


def test_binder_files_are_complete_and_loud():
    assert (BINDER / "runtime.txt").read_text().strip() == "python-3.11"
    requirements = (BINDER / "requirements.txt").read_text().splitlines()
    pins = [line for line in requirements if line and not line.startswith("#")]
    assert pins and all("==" in line for line in pins), "every Binder requirement is pinned"
    names = {line.split("==")[0].lower().replace("_", "-") for line in pins}
    assert {"tensorflow-cpu", "keras", "wfdb", "plotly", "anywidget", "ipywidgets",
            "jupyterlab", "neurokit2"} <= names
    post_build = (BINDER / "postBuild").read_text()
    assert post_build.startswith("#!/usr/bin/env bash") and "set -euo pipefail" in post_build
    assert os.access(BINDER / "postBuild", os.X_OK)


def test_replay_binder_recipe_and_run_lesson_01(tmp_path):
    python = shutil.which(f"python{(BINDER / 'runtime.txt').read_text().strip()[7:]}")
    venv = tmp_path / "binder-venv"
    subprocess.run([python or sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "install", "-r", str(BINDER / "requirements.txt")], check=True)
    env = {**os.environ, "PATH": f"{venv / 'bin'}:{os.environ['PATH']}",
           "ECGTEACH_SKIP_PREWARM": "1", "ECGTEACH_CACHE": str(tmp_path / "cache")}
    env.pop("PYTHONPATH", None)
    subprocess.run([str(BINDER / "postBuild")], check=True, cwd=REPO, env=env)
    out = tmp_path / "01.ipynb"
    subprocess.run(
        [str(venv / "bin" / "python"), "-m", "jupyter", "nbconvert", "--to", "notebook",
         "--execute", "--ExecutePreprocessor.store_widget_state=False",
         "--ExecutePreprocessor.kernel_name=python3", "--output", str(out),
         str(REPO / "lessons" / "01_meet_the_ecg.ipynb")],
        check=True, cwd=tmp_path, env={**env, "ECGTEACH_FAST": "1"},
    )
    assert "application/vnd.plotly.v1+json" in out.read_text()
