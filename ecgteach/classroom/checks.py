"""``ecgteach.check("02.1", my_collapse_ratio)``: instant feedback on every lesson's exercises.

Each lesson's checkers live in their own module (:mod:`~ecgteach.classroom.lesson_01`
to :mod:`~ecgteach.classroom.lesson_05`), registered with
:func:`~ecgteach.classroom.feedback.exercise`; importing them here puts every
checker in reach of :func:`check`. In a lesson the feedback shows as a coloured box:

>>> import ecgteach
>>> ecgteach.check("01.4", 63)
[01.4] ✓ correct: 63: the label 76 indexes the padded row, and 13 zeros come first.
>>> sorted(list_exercises())[:3]
['01.2', '01.3', '01.4']

Under nbgrader (``ECGTEACH_GRADING=1``, set by the course's ``nbgrader_config.py``)
a check that is not correct shows its feedback and then raises ``AssertionError``
with the hint, so the autograder scores that check cell 0; see :func:`grading`.
"""

from __future__ import annotations

import os
from typing import Any

from ecgteach.classroom import lesson_01, lesson_02, lesson_03, lesson_04, lesson_05
from ecgteach.classroom.feedback import REGISTRY, Answered, Feedback, error_text

#: The lesson modules whose checkers :func:`check` sees (they register on import).
LESSONS = (lesson_01, lesson_02, lesson_03, lesson_04, lesson_05)


def list_exercises() -> dict[str, str]:
    """Exercise id -> task, for every checkable exercise.

    >>> list_exercises()["01.4"]
    'Row 2: where does its QRS start, in samples of the unpadded beat?'
    """
    return {key: REGISTRY[key].task for key in sorted(REGISTRY)}


def function_exercises() -> dict[str, str]:
    """Exercise id -> signature, for the exercises where the student writes a function.

    >>> function_exercises()["02.1"]
    'collapse_ratio(predictions, labels)'
    """
    return {key: REGISTRY[key].writes for key in sorted(REGISTRY) if REGISTRY[key].writes}


#: The environment variable that turns grading on (see :func:`grading`).
GRADING_VARIABLE = "ECGTEACH_GRADING"


def grading() -> bool:
    """True when ``ECGTEACH_GRADING=1``: :func:`check` raises on an answer that is not correct.

    The course's ``nbgrader_config.py`` sets it, so the kernels nbgrader starts
    (``nbgrader autograde``, ``nbgrader validate``) inherit it; in class it is unset
    and a check only shows ✓ or a hint.

    >>> old = os.environ.pop(GRADING_VARIABLE, None)
    >>> grading()
    False
    >>> os.environ[GRADING_VARIABLE] = "1"
    >>> grading()
    True
    >>> check("01.4", None)
    Traceback (most recent call last):
    ...
    AssertionError: [01.4] ✗ not yet: no answer yet: replace None with your answer and run ...
    >>> check("01.4", 63)
    [01.4] ✓ correct: 63: the label 76 indexes the padded row, and 13 zeros come first.
    >>> _ = os.environ.pop(GRADING_VARIABLE) if old is None else os.environ.update(
    ...     {GRADING_VARIABLE: old})
    """
    return os.environ.get(GRADING_VARIABLE, "").strip().lower() in {"1", "true", "yes"}


def check(exercise_id: str, answer: Any, **context: Any) -> Feedback:
    """Check an answer and return feedback (shown in the notebook).

    Some exercises are about the student's own run: pass it as context, e.g.
    ``check("02.2", ratio, result=learner)``. Where the student writes a
    function, the answer is the function itself. A wrong answer gets a hint
    aimed at the likely mistake; nothing raises (except under :func:`grading`,
    where an answer that is not correct shows its feedback and then raises
    ``AssertionError`` carrying the hint, for nbgrader to score the cell 0):

    >>> right = check("01.4", 63)
    >>> right.correct, right.message
    (True, '63: the label 76 indexes the padded row, and 13 zeros come first.')
    >>> wrong = check("01.4", 76)         # the index into the padded row
    >>> wrong.correct, wrong.message
    (False, 'that is the index into the padded row — ...')
    >>> check("01.4", None).message
    'no answer yet: replace None with your answer and run the cell again'
    >>> check("02.1", 0.5).message
    'pass your function itself, ecgteach.check("02.1", collapse_ratio) — the name, without ...'
    """
    feedback = _feedback(exercise_id, answer, **context)
    if not feedback.correct and grading():
        _show(feedback)  # the student's feedback shows the hint above the traceback
        raise AssertionError(repr(feedback)) from None
    return feedback


def _show(feedback: Feedback) -> None:
    """Display ``feedback`` now (in a notebook: the coloured box; elsewhere: printed)."""
    try:
        from IPython.display import display
    except ImportError:  # plain Python without IPython
        print(repr(feedback))
    else:
        display(feedback)


def _feedback(exercise_id: str, answer: Any, **context: Any) -> Feedback:
    """The :class:`Feedback` for an answer (never raises): what :func:`check` returns."""
    exercise_id = str(exercise_id).strip()
    if exercise_id not in REGISTRY:
        known = ", ".join(sorted(REGISTRY))
        return Feedback(exercise_id, False, f"there is no exercise {exercise_id!r}; "
                        f"checkable exercises are {known}")
    entry = REGISTRY[exercise_id]
    if answer is None or answer is Ellipsis:
        return Feedback(exercise_id, False, "no answer yet: replace None with your answer "
                        "and run the cell again")
    if entry.writes and not callable(answer):
        name = entry.writes.split("(")[0]
        return Feedback(exercise_id, False, f'pass your function itself, ecgteach.check('
                        f'"{exercise_id}", {name}) — the name, without parentheses: the check '
                        f"calls {entry.writes} on cases of its own")
    try:
        return entry.checker(answer, **context)
    except Answered as answered:
        return answered.feedback
    except TypeError as error:
        if "argument" in str(error) and "checker" in _where(error):
            return Feedback(exercise_id, False, f"this check needs more context ({error}); see "
                            "the exercise's cell for what to pass")
        return Feedback(exercise_id, False, f"could not read this answer ({error_text(error)})")
    except Exception as error:  # a malformed answer is a hint, not a traceback
        return Feedback(exercise_id, False, f"could not read this answer ({error_text(error)});"
                        " check its type against the question")


def _where(error: BaseException) -> str:
    """``"checker"`` when a TypeError came from calling the checker itself (missing context)."""
    trace = error.__traceback__
    return "checker" if trace is not None and trace.tb_next is None else ""
