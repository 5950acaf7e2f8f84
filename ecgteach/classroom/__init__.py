"""The classroom: self-checking exercises and ``ecgteach lab``.
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
