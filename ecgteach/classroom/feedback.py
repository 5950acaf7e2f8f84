"""What every exercise shares: :class:`Feedback`, the registry and answer-reading helpers.

A checker is registered for an exercise id with :func:`exercise`; it recomputes
the right answer (from the data, or from ecgteach's own implementation), compares
it with the student's and, when they differ, recognises the usual mistakes. An
exercise where the student writes a function names its signature (``writes=``):
the check then calls the function itself on small hand-made cases. This module
imports nothing of the lessons; :mod:`ecgteach.classroom.checks` puts them together.

>>> @exercise("99.1", "Write double(x): twice x.", writes="double(x)")
... def _check_99_1(double):
...     got = number("99.1", call("99.1", double, 21, case="double(21)"))
...     return Feedback("99.1", got == 42, "42" if got == 42 else f"double(21) gave {got:g}")
>>> _check_99_1(lambda x: 2 * x)
[99.1] ✓ correct: 42
>>> _check_99_1(lambda x: x / 0)
Traceback (most recent call last):
...
ecgteach.classroom.feedback.Answered: [99.1] ✗ not yet: your function raised
ZeroDivisionError: division by zero, on double(21)
>>> REGISTRY["99.1"].writes
'double(x)'
>>> del REGISTRY["99.1"]              # this example is no lesson's exercise
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from typing import Any

import numpy as np

Checker = Callable[..., "Feedback"]


@dataclass(frozen=True)
class Feedback:
    """The outcome of a check: ``correct`` and a message (a hint when wrong).

    Truthy when correct, so ``assert ecgteach.check(...)`` works for autograding.

    >>> feedback = Feedback("01.4", True, "63 samples")
    >>> feedback.correct, bool(feedback), bool(Feedback("01.4", False, "subtract it"))
    (True, True, False)
    >>> feedback
    [01.4] ✓ correct: 63 samples
    """

    exercise: str
    correct: bool
    message: str

    def __bool__(self) -> bool:
        return self.correct

    def __repr__(self) -> str:
        mark = "✓ correct" if self.correct else "✗ not yet"
        return f"[{self.exercise}] {mark}: {self.message}"

    def _repr_html_(self) -> str:
        colour, mark = ("#1a7f37", "✓ correct") if self.correct else ("#9a6700", "✗ not yet")
        return (
            f"<div style='border-left:4px solid {colour};padding:4px 10px'>"
            f"<b style='color:{colour}'>Exercise {escape(self.exercise)}: {mark}</b> — "
            f"{escape(self.message)}</div>"
        )

    def _ipython_display_(self) -> None:
        """Show the box as display data, not as the cell's result.

        nbgrader reads a test cell's result (``execute_result``) as partial credit
        and warns when it is no number; a displayed box is no result, so a check
        cell that does not raise gets its full points.
        """
        from IPython.display import display

        display({"text/plain": repr(self), "text/html": self._repr_html_()}, raw=True)


@dataclass(frozen=True)
class Exercise:
    """One checkable exercise: its task, its checker and, for a function, its signature."""

    id: str
    task: str
    checker: Checker
    writes: str | None = None  # e.g. "collapse_ratio(predictions, labels)"; None: a value


#: Exercise id -> :class:`Exercise`, filled by :func:`exercise` as the lesson modules load.
REGISTRY: dict[str, Exercise] = {}


def exercise(exercise_id: str, task: str, writes: str | None = None) -> Callable[[Checker],
                                                                               Checker]:
    """Register a checker for ``exercise_id`` (e.g. ``"02.1"``), as a decorator.

    ``writes`` is the signature of the function the student writes (and passes
    to the check); without it the answer is a value.
    """

    def register(checker: Checker) -> Checker:
        REGISTRY[exercise_id] = Exercise(exercise_id, task, checker, writes)
        return checker

    return register


class Answered(Exception):
    """Raised inside a checker to answer at once (e.g. the student's function raised)."""

    def __init__(self, feedback: Feedback) -> None:
        super().__init__(repr(feedback))
        self.feedback = feedback


def error_text(error: BaseException) -> str:
    """``"ValueError: message"``, on one line and at most ~300 characters (never a traceback).

    >>> error_text(ValueError("bad\\nshape"))
    'ValueError: bad shape'
    """
    message = " ".join(re.sub(r"\x1b\[[0-9;]*m", "", str(error)).split())  # no colour codes
    if len(message) > 300:
        message = message[:297] + "..."
    return f"{type(error).__name__}: {message}" if message else type(error).__name__


def call(exercise_id: str, function: Callable[..., Any], *args: Any, case: str = "",
         hint: str = "", **kwargs: Any) -> Any:
    """Call the student's function; if it raises or returns None, answer with a hint.

    ``case`` describes the call for the message (e.g. ``"collapse_ratio(6×2, 6×2)"``),
    ``hint`` is added when it raises. Arrays are copied first, so the function may
    change its inputs without changing the check's.

    >>> call("99.2", lambda x: None, 1, case="f(1)")
    Traceback (most recent call last):
    ...
    ecgteach.classroom.feedback.Answered: [99.2] ✗ not yet: your function returned None, on
    f(1): write its body, and end it with return
    """
    args = tuple(np.array(a, copy=True) if isinstance(a, np.ndarray) else a for a in args)
    where = f", on {case}" if case else ""
    try:
        result = function(*args, **kwargs)
    except Exception as error:  # the student's code: a hint, never a traceback
        raise Answered(Feedback(exercise_id, False, f"your function raised {error_text(error)}"
                                f"{where}" + (f". {hint}" if hint else ""))) from None
    if result is None:
        raise Answered(Feedback(exercise_id, False, f"your function returned None{where}: "
                                "write its body, and end it with return"))
    return result


def wrong(exercise_id: str, *sentences: str) -> Feedback:
    """A ✗ feedback from sentences: each ends with a full stop; later ones start with a capital.

    >>> wrong("99.5", "f(2) gave 5", "double it")
    [99.5] ✗ not yet: f(2) gave 5. Double it.
    """
    parts = [text.strip() for text in sentences if text and text.strip()]
    parts = [text[0].upper() + text[1:] if i and "a" <= text[0] <= "z" else text
             for i, text in enumerate(parts)]
    return Feedback(exercise_id, False, " ".join(
        text if text[-1] in ".!?" else text + "." for text in parts))


def number(exercise_id: str, answer: Any) -> float:
    """One number from an answer (int, float, NumPy scalar, 1-element array).

    >>> number("99.3", np.float32(2.5)), number("99.3", [7])
    (2.5, 7.0)
    """
    try:
        value = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        raise Answered(Feedback(exercise_id, False, f"expected a number, got "
                                f"{type(answer).__name__} {_short(answer)}")) from None
    if value.size != 1:
        raise Answered(Feedback(exercise_id, False, f"expected one number, got {value.size} "
                                f"values (shape {value.shape})"))
    return float(value.ravel()[0])


def array(exercise_id: str, answer: Any, what: str = "the result", dtype: Any = float
          ) -> np.ndarray:
    """An answer as a NumPy array (lists, tuples, arrays of any dtype), or a hint.

    >>> array("99.4", [1, 2]), array("99.4", ((1, 2), (3, 4)), dtype=int).shape
    (array([1., 2.]), (2, 2))
    """
    try:
        return np.asarray(answer, dtype=dtype)
    except (TypeError, ValueError) as error:
        raise Answered(Feedback(exercise_id, False, f"{what} should be an array of numbers, "
                                f"got {type(answer).__name__} {_short(answer)} "
                                f"({error_text(error)})")) from None


def same(got: Any, expected: Any, rtol: float = 1e-5, atol: float = 1e-6) -> bool:
    """Same shape and the same values (to float32 precision; nan equals nan).

    >>> same([1.0, np.nan], np.array([1.0000001, np.nan])), same([1, 2], [[1, 2]])
    (True, False)
    """
    got, expected = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    return got.shape == expected.shape and bool(np.allclose(got, expected, rtol=rtol,
                                                            atol=atol, equal_nan=True))


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
