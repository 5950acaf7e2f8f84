"""Optional downloads from PhysioNet through ``wfdb``, into a cache, never half-written.

Lessons never need this: the bundled copies are used by default. A download is
staged in a temporary folder beside its target and renamed into place only when
every expected file arrived, so an interrupted download leaves nothing that a
later load mistakes for data.

>>> database_dir("ludb") == cache_dir() / "physionet" / "ludb"   # ~/.cache/ecgteach/...
True
>>> folder = download_database("qtdb", records=["sel100"])  # doctest: +SKIP
>>> is_complete(folder, ["sel100"])  # doctest: +SKIP
True
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from ecgteach._config import cache_dir
from ecgteach._files import replace_folder

COMPLETE_MARKER = ".ecgteach-complete"

#: What ecgteach downloads for each database it knows: annotators and extra files.
DATABASES = {
    "ludb": {
        "annotators": ["i", "ii", "iii", "avr", "avl", "avf", "v1", "v2", "v3", "v4", "v5", "v6"],
        "extra_files": ["RECORDS", "ludb.csv", "LICENSE.txt"],
    },
    "qtdb": {"annotators": ["q1c", "pu0"], "extra_files": ["RECORDS"]},
}


def database_dir(database: str, cache: str | Path | None = None) -> Path:
    """Where a downloaded database lives (whether or not it is there yet).

    >>> database_dir("qtdb", cache="/data/cache").as_posix()
    '/data/cache/physionet/qtdb'
    """
    root = Path(cache).expanduser() if cache is not None else cache_dir()
    return root / "physionet" / database


def is_complete(folder: Path, records: Sequence[str] | None = None) -> bool:
    """True when ``folder`` holds a finished download of ``records`` (``None``: all).

    The marker file lists what was downloaded (``all`` or record names), so a
    download of a few records is never mistaken for the whole database.

    >>> staging = tempfile.TemporaryDirectory()
    >>> folder = Path(staging.name)
    >>> is_complete(folder)                              # no marker: never complete
    False
    >>> _ = (folder / COMPLETE_MARKER).write_text("sel100 sel102")
    >>> is_complete(folder, ["sel100"]), is_complete(folder, ["sel30"]), is_complete(folder)
    (True, False, False)
    >>> staging.cleanup()
    """
    marker = folder / COMPLETE_MARKER
    if not marker.is_file():
        return False
    done = set(marker.read_text().split())
    if "all" in done:
        return True
    return records is not None and set(records) <= done


def download_database(
    database: str,
    records: Sequence[str] | None = None,
    cache: str | Path | None = None,
) -> Path:
    """Download a PhysioNet database (or some of its records) with ``wfdb``.

    A finished download is reused. With ``records`` given, each record is its
    own folder entry and missing ones are fetched into the same folder, each
    staged and moved in atomically. Raises ``ConnectionError`` with advice
    when PhysioNet cannot be reached.

    >>> folder = download_database("qtdb", records=["sel100"])  # doctest: +SKIP
    >>> sorted(path.name for path in folder.glob("sel100.*"))  # doctest: +SKIP
    ['sel100.atr', 'sel100.dat', 'sel100.hea', 'sel100.pu0', 'sel100.q1c']

    A finished download is not fetched again (here a fake one, in a temporary cache):

    >>> cache = tempfile.TemporaryDirectory()
    >>> done = database_dir("qtdb", cache=cache.name)
    >>> done.mkdir(parents=True)
    >>> _ = (done / COMPLETE_MARKER).write_text("sel100")
    >>> download_database("qtdb", records=["sel100"], cache=cache.name) == done
    True
    >>> cache.cleanup()
    >>> download_database("mitdb")
    Traceback (most recent call last):
    ...
    ValueError: unknown database 'mitdb'; ecgteach downloads ['ludb', 'qtdb']
    """
    if database not in DATABASES:
        raise ValueError(f"unknown database {database!r}; ecgteach downloads {sorted(DATABASES)}")
    import wfdb

    spec = DATABASES[database]
    target = database_dir(database, cache)
    if is_complete(target, records):
        return target
    previous = set()
    if (target / COMPLETE_MARKER).is_file():
        previous = set((target / COMPLETE_MARKER).read_text().split())
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{database}-partial-", dir=target.parent))
    try:
        if target.exists():  # start from what is already complete there
            shutil.copytree(target, staging, dirs_exist_ok=True)
        try:
            wfdb.dl_files(database, str(staging), spec["extra_files"])
            wfdb.dl_database(
                database,
                str(staging),
                records="all" if records is None else list(records),
                annotators=spec["annotators"],
            )
        except Exception as error:  # network errors come in many types from requests/wfdb
            raise ConnectionError(
                f"could not download {database!r} from PhysioNet ({error}). Check the internet "
                "connection, or use the bundled data (the default) or a local copy (path=...)."
            ) from error
        done = {"all"} if records is None else previous | set(records)
        (staging / COMPLETE_MARKER).write_text("\n".join(sorted(done)) + "\n")
        replace_folder(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target
