"""Settings read from the environment: the cache folder and the fast (test) mode.

>>> import os
>>> os.environ["ECGTEACH_CACHE"] = "/tmp/ecgteach-doctest"
>>> cache_dir().as_posix()
'/tmp/ecgteach-doctest'
>>> del os.environ["ECGTEACH_CACHE"]
"""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """ecgteach's cache folder: ``$ECGTEACH_CACHE``, else ``$XDG_CACHE_HOME/ecgteach``.

    Without either: ``~/.cache/ecgteach``. Trained models and downloads go there.

    >>> cache_dir().name
    'ecgteach'
    """
    env = os.environ.get("ECGTEACH_CACHE")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "ecgteach"


def fast() -> bool:
    """True when ``ECGTEACH_FAST=1``: lessons use smaller data and fewer epochs.

    The test suite sets it so every lesson runs in seconds.

    >>> import os
    >>> old = os.environ.pop("ECGTEACH_FAST", None)
    >>> fast()
    False
    >>> os.environ["ECGTEACH_FAST"] = "1"
    >>> fast()
    True
    >>> _ = os.environ.pop("ECGTEACH_FAST") if old is None else os.environ.update(ECGTEACH_FAST=old)
    """
    return os.environ.get("ECGTEACH_FAST", "").strip().lower() in {"1", "true", "yes"}


#: The installed package folder: the bundled data (``data/``) and weights (``weights/``) live here.
PACKAGE_DIR = Path(__file__).resolve().parent
#: The bundled, cardiologist-annotated ECGs (LUDB, a QTDB sample; ODC-By 1.0).
DATA_DIR = PACKAGE_DIR / "data"
#: Trained models shipped with ecgteach (the default segmenter, lesson models).
WEIGHTS_DIR = PACKAGE_DIR / "weights"
