"""``ecgteach lab``: copy the lessons into a working folder once, then open JupyterLab.

A student's edited copy is never overwritten: lessons already in the folder are
kept as they are, and only missing ones are copied in. From a terminal,
``ecgteach lab`` works in ``~/ecgteach-lessons``; ``ecgteach lab --dir course/
--no-browser`` works in ``course/`` and passes ``--no-browser`` (like any
argument it does not know) on to ``jupyter lab``. :func:`prepare_lessons` is
the copying step alone.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from ecgteach._config import PACKAGE_DIR

DEFAULT_DIR = Path("~/ecgteach-lessons")


def shipped_lessons() -> list[Path]:
    """The lesson notebooks of this installation (the repo's ``lessons/`` in a checkout).

    >>> [path.name for path in shipped_lessons()]
    ['01_meet_the_ecg.ipynb', '02_why_the_regression_fails.ipynb', ...]
    """
    here = PACKAGE_DIR
    for folder in (here.parent / "lessons", here / "lessons"):
        found = sorted(folder.glob("[0-9][0-9]_*.ipynb"))
        if found:
            return found
    raise FileNotFoundError(
        "no lesson notebooks found in this ecgteach installation; reinstall it "
        "(pip install ecgteach) or run `make lab` from a clone"
    )


def prepare_lessons(target: str | Path = DEFAULT_DIR) -> tuple[list[Path], list[Path]]:
    """Copy missing lessons into ``target``; return (copied, kept) paths.

    ``target`` may start with ``~`` (e.g. ``"~/course"``); it is created if needed.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     copied, kept = prepare_lessons(Path(folder) / "course")
    ...     _ = copied[0].write_text("my notes")                 # a student edits lesson 01
    ...     copied_again, kept_again = prepare_lessons(Path(folder) / "course")
    ...     lesson_01 = kept_again[0].read_text()
    >>> copied[0].name, kept
    ('01_meet_the_ecg.ipynb', [])
    >>> copied_again, len(kept_again) == len(copied), lesson_01
    ([], True, 'my notes')
    """
    folder = Path(target).expanduser()
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"{folder} exists and is not a folder; choose another --dir")
    folder.mkdir(parents=True, exist_ok=True)
    copied, kept = [], []
    for lesson in shipped_lessons():
        destination = folder / lesson.name
        if destination.exists():
            kept.append(destination)
            continue
        partial = destination.with_name(f".{lesson.name}.partial")
        shutil.copyfile(lesson, partial)
        os.replace(partial, destination)  # never a half-copied notebook
        copied.append(destination)
    return copied, kept


def main(directory: str | Path = DEFAULT_DIR, jupyter_args: Sequence[str] = ()) -> int:
    """Prepare the lessons and run JupyterLab on them (blocks until it exits)."""
    copied, kept = prepare_lessons(directory)
    folder = Path(directory).expanduser()
    print(f"lessons in {folder}: {len(copied)} copied, {len(kept)} already there (kept as is)")
    command = [sys.executable, "-m", "jupyter", "lab", f"--notebook-dir={folder}", *jupyter_args]
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--allow-root" not in command:
        command.append("--allow-root")
    return subprocess.call(command)
