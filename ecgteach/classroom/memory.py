"""Memory on a shared JupyterHub or Binder: say so before a lesson's kernel dies silently.

A lesson kernel that loads TensorFlow holds several hundred MB, and JupyterLab
keeps a kernel running after its tab is closed; on a ~2 GB Binder a student who
opens three lessons loses a kernel without a word. Each lesson's first cell calls
:func:`check_memory`: it prints one line, saying what to close, when less memory
is left than a lesson needs, and nothing otherwise.

>>> import tempfile
>>> from pathlib import Path
>>> cgroup = Path(tempfile.mkdtemp())
>>> _ = (cgroup / "memory.max").write_text(str(2 * 1024**3))          # a 2 GB container
>>> _ = (cgroup / "memory.current").write_text(str(1800 * 1024**2))   # 1.8 GB in use
>>> memory_in_use(cgroup)
(1887436800, 2147483648)
>>> check_memory(root=cgroup)
Memory is short: 1800 of 2048 MB in use, and a lesson needs about 800 MB. Close the ...
>>> _ = (cgroup / "memory.current").write_text(str(300 * 1024**2))
>>> check_memory(root=cgroup)                                         # enough: silent
"""

from __future__ import annotations

import os
from pathlib import Path

#: About what one lesson kernel needs once TensorFlow and a model are loaded (MB).
LESSON_NEEDS_MB = 800
_NO_LIMIT = 1 << 60  # cgroup v1 reports "no limit" as a huge number


def _read_int(path: Path) -> int | None:
    try:
        text = path.read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def memory_in_use(root: Path = Path("/sys/fs/cgroup")) -> tuple[int | None, int | None]:
    """``(bytes in use, limit in bytes)`` of this container; ``None`` where unknown.

    The cgroup's own figures (v2 ``memory.current``/``memory.max``, or v1
    ``memory/memory.usage_in_bytes``/``limit_in_bytes``): they count every process of
    the container, as the kernel's OOM killer does. Binder's ``MEM_LIMIT``
    stands in for a missing limit.
    """
    used = _read_int(root / "memory.current")
    limit = _read_int(root / "memory.max")
    if used is None:
        used = _read_int(root / "memory" / "memory.usage_in_bytes")
        limit = _read_int(root / "memory" / "memory.limit_in_bytes")
    if limit is not None and limit >= _NO_LIMIT:
        limit = None
    if limit is None and os.environ.get("MEM_LIMIT", "").isdigit():
        limit = int(os.environ["MEM_LIMIT"])
    return used, limit


def check_memory(needed_mb: float = LESSON_NEEDS_MB,
                 root: Path = Path("/sys/fs/cgroup")) -> None:
    """Print one line when less than ``needed_mb`` is left under the container's limit."""
    used, limit = memory_in_use(root)
    if used is None or limit is None or limit - used >= needed_mb * 1024**2:
        return
    mb = 1024**2
    print(f"Memory is short: {used / mb:.0f} of {limit / mb:.0f} MB in use, and a lesson needs "
          f"about {needed_mb:.0f} MB. Close the other lessons' kernels (Kernel → Shut Down All "
          "Kernels, or the Running panel on the left), then restart this kernel.")
