"""The classroom: self-checking exercises and ``ecgteach lab``.

:mod:`~ecgteach.classroom.checks` checks the lessons' answers (``ecgteach.check``
is its :func:`check`); each lesson's checkers live in
:mod:`~ecgteach.classroom.lesson_01` … :mod:`~ecgteach.classroom.lesson_05`, on
the shared :mod:`~ecgteach.classroom.feedback` (``Feedback``, ``exercise``);
:mod:`~ecgteach.classroom.claims` checks what a lesson's text states about its
own run; :mod:`~ecgteach.classroom.lab` copies the lessons into a working folder and
opens JupyterLab there; :mod:`~ecgteach.classroom.memory` warns a lesson that opens
short of memory.

>>> check("01.4", 76)
[01.4] ✗ not yet: that is the index into the padded row — the model sees the padded
row, but the question asks about the unpadded beat: subtract beats.n_padding[2].
"""

from ecgteach.classroom.checks import check, function_exercises, list_exercises
from ecgteach.classroom.claims import Claim, claim
from ecgteach.classroom.feedback import Feedback, exercise
from ecgteach.classroom.lab import prepare_lessons, shipped_lessons
from ecgteach.classroom.memory import check_memory, memory_in_use

__all__ = [
    "check",
    "check_memory",
    "Claim",
    "claim",
    "exercise",
    "Feedback",
    "function_exercises",
    "list_exercises",
    "memory_in_use",
    "prepare_lessons",
    "shipped_lessons",
]
