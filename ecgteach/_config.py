"""Settings read from the environment: the cache folder, the fast (test) mode, the CPUs we may use.

>>> import os
>>> os.environ["ECGTEACH_CACHE"] = "/tmp/ecgteach-doctest"
>>> cache_dir().as_posix()
'/tmp/ecgteach-doctest'
>>> del os.environ["ECGTEACH_CACHE"]
"""

from __future__ import annotations

import math
import os
from pathlib import Path


def _cgroup_cpu_quota(root: Path = Path("/sys/fs/cgroup")) -> float | None:
    """CPUs allowed by the container's CPU quota (cgroup v2 ``cpu.max`` or v1 CFS), or None."""
    try:
        text = (root / "cpu.max").read_text().split()
        if text and text[0] != "max":
            return int(text[0]) / int(text[1])
    except (OSError, ValueError, IndexError):
        pass
    try:
        quota = int((root / "cpu" / "cpu.cfs_quota_us").read_text())
        period = int((root / "cpu" / "cpu.cfs_period_us").read_text())
        if quota > 0 and period > 0:
            return quota / period
    except (OSError, ValueError):
        pass
    return None


def available_cpus(root: Path = Path("/sys/fs/cgroup")) -> int:
    """CPUs this process may really use: the affinity mask, capped by the container's quota.

    On Binder or JupyterHub a container sees all the host's cores (often 16-64)
    while its quota allows 1-2; thread pools sized to the host's cores then
    thrash. ``import ecgteach`` sizes TensorFlow's thread pools with this
    (``TF_NUM_INTRAOP_THREADS`` / ``TF_NUM_INTEROP_THREADS``, unless set already).

    >>> import tempfile
    >>> quota = Path(tempfile.mkdtemp())
    >>> _ = (quota / "cpu.max").write_text("150000 100000")        # 1.5 CPUs
    >>> available_cpus(quota)
    2
    >>> _ = (quota / "cpu.max").write_text("max 100000")           # no quota
    >>> available_cpus(quota) == len(os.sched_getaffinity(0))
    True
    """
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        cpus = os.cpu_count() or 1
    quota = _cgroup_cpu_quota(root)
    if quota is not None:
        cpus = min(cpus, max(1, math.ceil(quota)))
    return max(1, cpus)


def processor_name(cpuinfo: Path = Path("/proc/cpuinfo")) -> str:
    """The CPU's model name (Linux ``/proc/cpuinfo``), else what ``platform`` knows.

    >>> isinstance(processor_name(), str) and len(processor_name()) > 0
    True
    """
    import platform

    try:
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


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
