"""The classroom: self-checking exercises and ``ecgteach lab``.

:mod:`~ecgteach.classroom.exercises` checks the lessons' answers
(``ecgteach.check`` is its :func:`check`); :mod:`~ecgteach.classroom.lab`
copies the lessons into a working folder and opens JupyterLab there.

>>> check("01.3", (300, 200, 2))
[01.3] ✗ not yet: that is the shape with both channels: pass voltage_only=True
to make_seed_dataset.
"""

from ecgteach.classroom.exercises import Feedback, check, list_exercises
from ecgteach.classroom.lab import prepare_lessons, shipped_lessons

__all__ = [
    "check",
    "Feedback",
    "list_exercises",
    "prepare_lessons",
    "shipped_lessons",
]
