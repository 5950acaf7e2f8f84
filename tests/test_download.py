"""Downloads land in the cache whole or not at all (PhysioNet replaced by local fakes)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import wfdb

import ecgteach
from ecgteach._config import cache_dir
from ecgteach.datasets import LUDB_LEADS, database_dir, download_database, is_complete
from ecgteach.datasets.download import COMPLETE_MARKER
from ecgteach.datasets.ludb import ludb_path

SOURCES = {
    "ludb": ecgteach.bundled_ludb_path(),
    "qtdb": Path(ecgteach.__file__).resolve().parent / "data" / "qtdb-sample",
}


class FakePhysioNet:
    """Stands in for ``wfdb.dl_files`` / ``wfdb.dl_database``, copying the bundled files.

    ``fail_after`` makes ``dl_database`` raise after copying that many records,
    as a dropped connection would.
    """

    def __init__(self, fail_after: int | None = None, error: BaseException | None = None):
        self.fail_after = fail_after
        self.error = error or OSError("connection reset by peer")
        self.calls: list[tuple] = []
        self.written_before_failing = 0

    def dl_files(self, db, dl_dir, files, keep_subdirs=True, overwrite=False):
        self.calls.append(("dl_files", db, list(files)))
        for name in files:
            (Path(dl_dir) / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(SOURCES[db] / name, Path(dl_dir) / name)

    def dl_database(self, db_dir, dl_dir, records="all", annotators="all", keep_subdirs=True,
                    overwrite=False):
        self.calls.append(("dl_database", db_dir, records, list(annotators)))
        source = SOURCES[db_dir]
        names = (source / "RECORDS").read_text().split() if records == "all" else list(records)
        for index, name in enumerate(names):
            if self.fail_after is not None and index == self.fail_after:
                self.written_before_failing = sum(p.is_file() for p in Path(dl_dir).rglob("*"))
                raise self.error
            for extension in ("hea", "dat", *annotators):
                path = source / f"{name}.{extension}"
                if path.is_file():
                    (Path(dl_dir) / name).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(path, Path(dl_dir) / f"{name}.{extension}")

    def install(self, monkeypatch: pytest.MonkeyPatch) -> FakePhysioNet:
        monkeypatch.setattr(wfdb, "dl_files", self.dl_files)
        monkeypatch.setattr(wfdb, "dl_database", self.dl_database)
        return self


def _entries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def test_cache_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("ECGTEACH_CACHE", str(tmp_path / "c"))
    assert cache_dir() == tmp_path / "c"
    assert database_dir("ludb") == tmp_path / "c" / "physionet" / "ludb"
    assert database_dir("qtdb", cache=tmp_path) == tmp_path / "physionet" / "qtdb"
    monkeypatch.delenv("ECGTEACH_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "ecgteach"


def test_successful_ludb_download_is_found_by_ludb_path(cache, monkeypatch):
    fake = FakePhysioNet().install(monkeypatch)
    folder = ludb_path(download=True)
    assert folder == cache / "physionet" / "ludb"
    assert is_complete(folder) and (folder / COMPLETE_MARKER).is_file()
    assert _entries(cache / "physionet") == ["ludb"]  # no staging folder left behind
    assert fake.calls == [
        ("dl_files", "ludb", ["RECORDS", "ludb.csv", "LICENSE.txt"]),
        ("dl_database", "ludb", "all", list(LUDB_LEADS)),
    ]
    assert len(list((folder / "data").glob("*.hea"))) == 200
    downloaded = ecgteach.load_ludb_record(17, download=True)
    bundled = ecgteach.load_ludb_record(17)
    np.testing.assert_array_equal(downloaded.signal, bundled.signal)
    np.testing.assert_array_equal(downloaded.waves["v2"]["QRS"], bundled.waves["v2"]["QRS"])
    # a finished download is reused: PhysioNet is not asked again
    FakePhysioNet(fail_after=0).install(monkeypatch)
    assert ludb_path(download=True) == folder
    assert len(ecgteach.load_ludb(range(1, 11), leads="ii", download=True)) == 10


@pytest.mark.parametrize("error", [OSError("connection reset"), RuntimeError("HTTP 503")])
def test_interrupted_download_leaves_nothing(cache, monkeypatch, error):
    fake = FakePhysioNet(fail_after=30, error=error).install(monkeypatch)
    with pytest.raises(ConnectionError, match=r"could not download 'ludb' from PhysioNet") as info:
        download_database("ludb")
    assert "bundled data" in str(info.value)
    assert info.value.__cause__ is error
    # the fake wrote the extra files and 30 of 200 records (14 files each) before failing
    assert fake.written_before_failing == 3 + 30 * 14
    target = cache / "physionet" / "ludb"
    assert not target.exists()
    assert _entries(cache / "physionet") == []  # no partial folder either
    # a later load does not mistake anything for data: it tries to download again
    with pytest.raises(ConnectionError):
        ecgteach.load_ludb_record(1, download=True)
    with pytest.raises(FileNotFoundError, match="no LUDB copy"):
        ecgteach.load_ludb_record(1, path=target)
    assert _entries(cache / "physionet") == []
    # without download=True the bundled copy is used, as always
    assert ecgteach.load_ludb_record(1).signal.shape == (5000, 12)


def test_keyboard_interrupt_also_leaves_nothing(cache, monkeypatch):
    FakePhysioNet(fail_after=3, error=KeyboardInterrupt()).install(monkeypatch)
    with pytest.raises(KeyboardInterrupt):
        download_database("ludb")
    assert _entries(cache / "physionet") == []


def test_record_downloads_add_to_the_folder_atomically(cache, monkeypatch):
    fake = FakePhysioNet().install(monkeypatch)
    target = download_database("qtdb", records=["sel100"])
    assert target == cache / "physionet" / "qtdb" and is_complete(target, ["sel100"])
    assert not is_complete(target)  # one record is not the whole database
    assert fake.calls[-1] == ("dl_database", "qtdb", ["sel100"], ["q1c", "pu0"])
    assert {"sel100.hea", "sel100.dat", "sel100.q1c", "sel100.pu0", "RECORDS"} <= set(
        _entries(target)
    )
    # a failed second download leaves the first one exactly as it was
    before = {name: (target / name).read_bytes() for name in _entries(target)}
    FakePhysioNet(fail_after=1).install(monkeypatch)
    with pytest.raises(ConnectionError):
        download_database("qtdb", records=["sel102", "sel232"])
    assert {name: (target / name).read_bytes() for name in _entries(target)} == before
    assert _entries(cache / "physionet") == ["qtdb"]
    # a successful one adds the new records; asking again for them downloads nothing
    FakePhysioNet().install(monkeypatch)
    download_database("qtdb", records=["sel102", "sel232"])
    assert {"sel100.hea", "sel102.hea", "sel232.hea"} <= set(_entries(target))
    assert is_complete(target, ["sel100", "sel102", "sel232"]) and not is_complete(target)
    assert _entries(cache / "physionet") == ["qtdb"]
    FakePhysioNet(fail_after=0).install(monkeypatch)
    assert download_database("qtdb", records=["sel100", "sel232"]) == target


def test_load_qtdb_downloads_a_record_that_is_not_bundled(cache, monkeypatch, tmp_path):
    bundled = ecgteach.load_qtdb("sel232")
    (tmp_path / "no-bundle").mkdir()
    (tmp_path / "no-bundle" / "RECORDS").write_text("")
    monkeypatch.setattr("ecgteach.datasets.qtdb._BUNDLED", tmp_path / "no-bundle")
    with pytest.raises(ValueError, match="pass download=True"):
        ecgteach.load_qtdb("sel232")
    FakePhysioNet().install(monkeypatch)
    record = ecgteach.load_qtdb("sel232", download=True)
    np.testing.assert_array_equal(record.signal, bundled.signal)
    np.testing.assert_array_equal(record.waves["MLII"]["QRS"], bundled.waves["MLII"]["QRS"])
    assert record.spans["MLII"] == bundled.spans["MLII"]


def test_unknown_database_is_a_value_error(cache):
    with pytest.raises(ValueError, match=r"unknown database 'mitdb'"):
        download_database("mitdb")
