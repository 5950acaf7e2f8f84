"""Keep TensorFlow's C++ start-up chatter out of the lessons.

TensorFlow prints INFO lines (oneDNN, CPU features, XLA service) straight to
file descriptor 2 when it loads and when XLA first compiles, before its own
log-level settings apply; in a notebook they show as red text that looks like
an error. :func:`install` makes the first ``import tensorflow`` (by anyone)
run with fd 2 silenced; :func:`quiet_stderr` does the same for a block.
Python exceptions are unaffected: only text written to fd 2 is dropped, and
only inside the block (``ECGTEACH_VERBOSE_TF=1`` keeps it). A child process
shows it, writing to fd 2 as TensorFlow's C++ code does:

>>> import os, subprocess, sys
>>> code = '''
... import os
... from ecgteach._quiet import quiet_stderr
... with quiet_stderr():                  # e.g. around the first XLA compilation
...     os.write(2, b"oneDNN custom operations are on. ")
... os.write(2, b"a real error")
... '''
>>> env = {k: v for k, v in os.environ.items() if k != "ECGTEACH_VERBOSE_TF"}
>>> subprocess.run([sys.executable, "-c", code], capture_output=True, env=env).stderr
b'a real error'
"""

from __future__ import annotations

import contextlib
import importlib.abc
import importlib.util
import os
import sys
from collections.abc import Iterator


@contextlib.contextmanager
def quiet_stderr() -> Iterator[None]:
    """Silence file descriptor 2 (C-level stderr) inside the block."""
    if os.environ.get("ECGTEACH_VERBOSE_TF"):
        yield
        return
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no real fd 2 (some embedded interpreters)
        yield
        return
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


class _QuietLoader(importlib.abc.Loader):
    def __init__(self, loader: importlib.abc.Loader) -> None:
        self.loader = loader

    def create_module(self, spec):  # type: ignore[no-untyped-def]
        return self.loader.create_module(spec)

    def exec_module(self, module) -> None:  # type: ignore[no-untyped-def]
        with quiet_stderr():
            self.loader.exec_module(module)


class _QuietTensorFlow(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):  # type: ignore[no-untyped-def]
        if name != "tensorflow":
            return None
        with contextlib.suppress(ValueError):
            sys.meta_path.remove(self)  # once is enough; find the real spec without us
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.loader is not None:
            spec.loader = _QuietLoader(spec.loader)
        return spec


def install() -> None:
    """Quiet the first ``import tensorflow`` of this process (no-op if already imported)."""
    if "tensorflow" in sys.modules or any(isinstance(f, _QuietTensorFlow) for f in sys.meta_path):
        return
    sys.meta_path.insert(0, _QuietTensorFlow())
