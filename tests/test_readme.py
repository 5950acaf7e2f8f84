"""The README's "Using the package" example runs as written (the storefront stays true)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest.importorskip("keras")

README = Path(__file__).resolve().parents[1] / "README.md"


def test_the_using_the_package_example_runs():
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Using the package"):]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    # a placeholder path ("path/to/rec") stands for the reader's own files
    runnable = "\n".join(line for line in code.splitlines() if "path/to/" not in line)
    assert "score_delineator" in runnable and "delineate(" in runnable
    namespace: dict = {}
    exec(compile(runnable, str(README), "exec"), namespace)  # noqa: S102
    assert namespace["waves"]["QRS"].shape[1] == 3
    assert namespace["scores"].pooled.n_added == 24  # 2 records x 12 leads
