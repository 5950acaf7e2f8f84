"""File helpers shared by every writer: atomic writes, folder swaps, checksums, plain JSON.

Nothing ecgteach writes is ever left half-written: a file goes through a
temporary file in the same folder and ``os.replace``; a folder is staged beside
its target and swapped in (:func:`replace_folder`).

>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> path = write_text_atomic(folder / "a.json", "{}\\n")
>>> path.read_text()
'{}\\n'
>>> sha256_file(path)[:12]
'ca3d163bab05'
>>> to_json({"fs": np.float32(250), "leads": ("ii",), "nan": float("nan")})
{'fs': 250.0, 'leads': ['ii'], 'nan': None}
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import os
import shutil
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np


def atomic_write(path: Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp)`` on a temporary path beside ``path``, then move it into place.

    The temporary file keeps ``path``'s suffix (Keras checks it); it is removed
    when ``write`` fails, so a failed write leaves the old file (or nothing).

    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "x.txt"
    >>> atomic_write(target, lambda tmp: tmp.write_text("hi")).read_text()
    'hi'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp{path.suffix}")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    return path


def write_text_atomic(path: Path, text: str) -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically (see :func:`atomic_write`)."""
    return atomic_write(Path(path), lambda tmp: tmp.write_text(text, encoding="utf-8"))


def replace_folder(staging: Path, target: Path) -> Path:
    """Swap a fully written ``staging`` folder in at ``target`` (the old one is removed).

    ``staging`` must be on the same file system (make it beside ``target``).
    The old folder is renamed aside first, so ``target`` is at no moment a
    mixture of old and new files.

    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> (root / "new").mkdir(); _ = (root / "new" / "f").write_text("2")
    >>> replace_folder(root / "new", root / "data").joinpath("f").read_text()
    '2'
    """
    staging, target = Path(staging), Path(target)
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}-old-{uuid.uuid4().hex[:8]}")
        target.rename(old)
    staging.rename(target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return target


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes (read in 1 MiB chunks)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def to_json(value: Any) -> Any:
    """``value`` as plain JSON types, deterministically: the one converter of ecgteach.

    Mappings -> dicts with string keys; tuples, ranges and arrays -> lists;
    NumPy scalars -> Python numbers; non-finite floats -> ``None``; paths ->
    strings; a function or class -> ``"module.qualname"`` (so a builder can be
    part of a cache key). Anything else raises ``TypeError`` with what to do.

    >>> to_json({"units": (32, 64), "ok": np.bool_(True), "x": np.arange(2)})
    {'units': [32, 64], 'ok': True, 'x': [0, 1]}
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if math.isfinite(value) else None
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, range, np.ndarray)):
        return [to_json(v) for v in (value.tolist() if isinstance(value, np.ndarray) else value)]
    if callable(value):
        return f"{getattr(value, '__module__', '?')}.{getattr(value, '__qualname__', value)}"
    raise TypeError(
        f"cannot write {type(value).__name__} {value!r} as JSON; use numbers, strings, "
        "lists and dicts"
    )
