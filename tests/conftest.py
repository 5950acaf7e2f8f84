"""Shared fixtures for the data-layer tests.

Everything runs on the copies bundled inside the package (``ecgteach/data``).
Tests that compare the bundled copy with its source need ``../shared/data``
(the folder next to the repository, or ``$ECGTEACH_SHARED_DATA``); a user's
clone does not have it, so they skip with a stated reason there.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

import ecgteach
from ecgteach.datasets import LUDB_LEADS

REPO = Path(__file__).resolve().parents[1]
BUNDLED_LUDB = ecgteach.bundled_ludb_path()
BUNDLED_QTDB = Path(ecgteach.__file__).resolve().parent / "data" / "qtdb-sample"


def shared_data_dir() -> Path:
    """``$ECGTEACH_SHARED_DATA``, else ``../shared/data`` beside the repository."""
    env = os.environ.get("ECGTEACH_SHARED_DATA")
    return Path(env).expanduser() if env else REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The source of the bundled data; skips the test when it is not there."""
    folder = shared_data_dir()
    if not (folder / "ludb" / "MANIFEST.sha256").is_file():
        pytest.skip(
            f"../shared/data not found (looked in {folder}; set ECGTEACH_SHARED_DATA to "
            "override): this test compares the bundled copy with the shared source; it runs in CI"
        )
    return folder


@pytest.fixture(scope="session")
def ludb_dir() -> Path:
    """The bundled LUDB folder (holds ``RECORDS``, ``ludb.csv`` and ``data/``)."""
    return BUNDLED_LUDB


@pytest.fixture(scope="session")
def qtdb_dir() -> Path:
    """The bundled QTDB sample folder."""
    return BUNDLED_QTDB


@pytest.fixture(scope="session")
def all_records() -> list[ecgteach.Record]:
    """All 200 bundled LUDB records, 12 leads each (loaded once per session)."""
    return ecgteach.load_ludb()


@pytest.fixture
def copy_ludb_record(tmp_path: Path) -> Callable[..., Path]:
    """Copy one bundled LUDB record into ``tmp_path/ludb/data``; returns the LUDB folder.

    Usage: ``folder = copy_ludb_record(1, leads=["ii"])`` then break a file in
    ``folder / "data"`` and load with ``path=folder``.
    """

    def copy(number: int, leads: Sequence[str] = LUDB_LEADS) -> Path:
        folder = tmp_path / "ludb"
        (folder / "data").mkdir(parents=True, exist_ok=True)
        for suffix in ("hea", "dat", *leads):
            shutil.copyfile(
                BUNDLED_LUDB / "data" / f"{number}.{suffix}", folder / "data" / f"{number}.{suffix}"
            )
        return folder

    return copy


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty ecgteach cache (``$ECGTEACH_CACHE``) inside ``tmp_path``."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("ECGTEACH_CACHE", str(folder))
    return folder
