"""Binder pre-warm: fill ecgteach's model cache so lessons 02-03 open without training.

Run by ``binder/postBuild``. Executes the lessons that train models (default
settings) with outputs discarded; every model they train lands in the cache
(``~/.cache/ecgteach``) of the image. Fails loudly if a lesson fails.
Usage: ``python binder/prewarm.py``.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parents[1]

for name in sys.argv[1:] or ["02_why_the_regression_fails", "03_boundaries_as_classification"]:
    notebook = nbformat.read(REPO / "lessons" / f"{name}.ipynb", as_version=4)
    NotebookClient(notebook, timeout=1800, kernel_name="python3",
                   resources={"metadata": {"path": tempfile.mkdtemp()}}).execute()
    print(f"pre-warmed {name}")
