"""Training for the lessons: seeds, a small ``fit`` with live hooks and a stop button, a cache.

* :func:`set_seed` makes runs repeatable (same seed -> same weights, same losses).
* :func:`fit` wraps ``model.fit`` for classrooms: early stopping on validation loss
  with the best weights restored, a plain ``on_epoch(epoch, logs)`` hook for live
  loss curves, one compact text line per epoch instead of Keras's progress bars,
  and a :class:`Stopper` (or any ``threading.Event``) that ends training cleanly.
* :func:`time_budget` ends training before a wall-clock budget runs out.
* :func:`ecgteach.nn.cache.cached_fit` trains once per configuration and reloads
  afterwards from ``cache_dir() / "models"`` (``$ECGTEACH_CACHE`` overrides the
  folder), with the loss history stored beside the model so a lesson can draw
  the curve at once.

TensorFlow/Keras are imported inside the functions.

A tiny segmenter trained for two epochs on four 2 s windows of LUDB record 1,
unlabelled samples masked with ``sample_weight``:

>>> from ecgteach import load_ludb_record
>>> from ecgteach.delineation.windows import make_windows
>>> from ecgteach.nn.models import segmenter
>>> windows = make_windows([load_ludb_record(1, leads=["ii"])], leads="ii")
>>> set_seed(0)
>>> model = segmenter(conv_filters=(4, 4), lstm_units=4)
>>> curve = []
>>> result = fit(model, windows.x, windows.labels, sample_weight=windows.valid,
...              validation_data=(windows.x, windows.labels, windows.valid), epochs=2,
...              early_stopping_patience=3, callbacks=[lambda epoch, logs: curve.append(epoch)])
>>> curve, result.epochs_run, result.stopped, result.best_epoch in (0, 1)
([0, 1], 2, 'completed', True)
>>> sorted(result.history)
['accuracy', 'loss', 'val_accuracy', 'val_loss']
"""

from __future__ import annotations

import contextlib
import math
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

STOP_REASONS: tuple[str, ...] = ("completed", "early_stopping", "plateau", "stop_requested")


# ------------------------------------------------------------------------------ seeds


def set_seed(seed: int = 0, deterministic: bool = True) -> None:
    """Seed Python, NumPy and TensorFlow, and make TensorFlow ops deterministic.

    Call it before building a model (the initial weights are drawn at build time);
    :func:`fit` calls it again so shuffling and dropout repeat too. Op determinism
    is process-wide and cannot be switched off again; on CPU it costs ~10-20% of
    training speed and stops ``fit`` from using XLA. Every lesson calls it so
    learners see the same curves as the text.

    >>> from ecgteach.nn.models import learner_lstm
    >>> set_seed(0)
    >>> first = learner_lstm(length=20, units=(4,)).get_weights()
    >>> set_seed(0)
    >>> again = learner_lstm(length=20, units=(4,)).get_weights()
    >>> all(bool((a == b).all()) for a, b in zip(first, again))   # same seed, same weights
    True
    """
    import keras

    keras.utils.set_random_seed(int(seed))
    if deterministic:
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()


# ------------------------------------------------------------------------ stop button


class Stopper:
    """A stop button for :func:`fit`: ``.stop()`` ends training at the end of the batch.

    Works like ``threading.Event`` (``set``/``is_set``/``clear``), so either can be
    passed as ``stop_event``; safe to call from another thread or a widget callback.
    Lessons wire it to a "Stop" button.

    >>> stopper = Stopper()
    >>> stopper.stop()
    >>> stopper, stopper.is_set()
    (Stopper(stopped=True), True)
    >>> stopper.clear()
    >>> stopper
    Stopper(stopped=False)
    """

    def __init__(self) -> None:
        self._event = threading.Event()

    def stop(self) -> None:
        """Ask training to stop at the end of the current batch."""
        self._event.set()

    set = stop

    def is_set(self) -> bool:
        """True once :meth:`stop` was called (until :meth:`clear`)."""
        return self._event.is_set()

    def clear(self) -> None:
        """Re-arm for the next training run."""
        self._event.clear()

    def __repr__(self) -> str:
        return f"Stopper(stopped={self.is_set()})"


# ----------------------------------------------------------------------------- result


@dataclass
class FitResult:
    """What a training run produced: a ``keras.callbacks.History``-like record.

    ``history`` maps each logged quantity (``loss``, ``val_loss``, metrics) to one
    value per epoch; ``epoch`` lists the 0-based epochs run; ``stopped`` is
    ``"completed"``, ``"early_stopping"`` or ``"stop_requested"``; ``best_epoch``
    is the epoch with the lowest ``val_loss`` (``None`` without validation);
    ``restored_best`` says whether the model holds that epoch's weights;
    ``from_cache`` is True when :func:`~ecgteach.nn.cache.cached_fit` loaded it; ``shipped`` is True
    when it came from the models shipped with ecgteach (trained when the package
    was built, see :func:`~ecgteach.nn.cache.shipped_models_dir`). ``model`` is the trained model
    (not stored in JSON).

    >>> result = FitResult(history={"loss": [2.0, 1.0], "val_loss": [2.5, 1.5]},
    ...                    epoch=[0, 1], seconds_per_epoch=[0.5, 0.25], best_epoch=1)
    >>> result.history["val_loss"][result.best_epoch], result.epochs_run, result.seconds
    (1.5, 2, 0.75)
    """

    history: dict[str, list[float]]
    epoch: list[int]
    seconds_per_epoch: list[float]
    stopped: str = "completed"
    best_epoch: int | None = None
    restored_best: bool = False
    params: dict[str, Any] = field(default_factory=dict)
    from_cache: bool = False
    shipped: bool = False
    model: Any = field(default=None, repr=False, compare=False)

    @property
    def epochs_run(self) -> int:
        """Number of epochs run (a stopped epoch counts)."""
        return len(self.epoch)

    @property
    def seconds(self) -> float:
        """Total training time in seconds (epochs only, as measured when trained)."""
        return float(sum(self.seconds_per_epoch))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict (without the model).

        >>> import json
        >>> result = FitResult(history={"loss": [1.0]}, epoch=[0], seconds_per_epoch=[0.5])
        >>> json.dumps(result.to_dict())[:40]
        '{"history": {"loss": [1.0]}, "epoch": [0'
        >>> sorted(result.to_dict())
        ['best_epoch', 'epoch', 'history', 'params', 'restored_best', 'seconds_per_epoch',
         'stopped']
        """
        return {
            "history": {k: [float(v) for v in vs] for k, vs in self.history.items()},
            "epoch": [int(e) for e in self.epoch],
            "seconds_per_epoch": [float(s) for s in self.seconds_per_epoch],
            "stopped": self.stopped,
            "best_epoch": self.best_epoch,
            "restored_best": self.restored_best,
            "params": self.params,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], model: Any = None,
                  from_cache: bool = False, shipped: bool = False) -> FitResult:
        """Rebuild from :meth:`to_dict` output.

        >>> result = FitResult(history={"loss": [1.0]}, epoch=[0], seconds_per_epoch=[0.5])
        >>> FitResult.from_dict(result.to_dict()) == result
        True
        >>> FitResult.from_dict(result.to_dict(), from_cache=True).from_cache
        True
        """
        return cls(
            history={k: [float(v) for v in vs] for k, vs in data["history"].items()},
            epoch=[int(e) for e in data["epoch"]],
            seconds_per_epoch=[float(s) for s in data["seconds_per_epoch"]],
            stopped=str(data["stopped"]),
            best_epoch=None if data.get("best_epoch") is None else int(data["best_epoch"]),
            restored_best=bool(data.get("restored_best", False)),
            params=dict(data.get("params", {})),
            from_cache=from_cache,
            shipped=shipped,
            model=model,
        )


# ------------------------------------------------------------------------------- fit


def _interactive() -> bool:
    """True in a terminal or a Jupyter kernel, where ``\\r`` can rewrite one line."""
    if "ipykernel" in sys.modules:
        return True
    with contextlib.suppress(AttributeError, ValueError):
        return bool(sys.stdout.isatty())
    return False


def _format_logs(logs: Mapping[str, float]) -> str:
    parts = []
    for key in sorted(logs, key=lambda k: (k.startswith("val_"), k != "loss", k)):
        value = logs[key]
        parts.append(f"{key} {value:.4g}" if isinstance(value, (int, float)) else f"{key} ?")
    return "  ".join(parts)


def plateau_reached(val_losses: Sequence[float], patience: int, tolerance: float = 0.01) -> bool:
    """True when the last ``patience`` epochs beat the best loss before them by under ``tolerance``.

    The criterion of "trained until the validation loss plateaued": the lowest
    validation loss of the last ``patience`` epochs is not ``tolerance`` (a
    fraction: 0.01 = 1 %) below the lowest one before them.

    >>> plateau_reached([100, 50, 25, 20, 19.9, 19.95, 19.9], patience=3)   # < 1 % in 3 epochs
    True
    >>> plateau_reached([100, 50, 25, 20, 19, 18, 17], patience=3)          # still 15 % better
    False
    >>> plateau_reached([100, 50, 25], patience=3)                          # too early to say
    False
    """
    if patience < 1 or not 0 <= tolerance < 1:
        raise ValueError(f"need patience >= 1 and 0 <= tolerance < 1, got {patience}, {tolerance}")
    if len(val_losses) <= patience:
        return False
    before = min(val_losses[:-patience])
    recent = min(val_losses[-patience:])
    return bool(recent > before - tolerance * abs(before))


def _control_callback(total_epochs: int, patience: int | None, min_delta: float,
                      on_epoch: Sequence[Callable[[int, dict[str, float]], Any]],
                      stop_event: Any, progress: str | None,
                      plateau: tuple[int, float] | None = None) -> Any:
    """The one Keras callback behind :func:`fit` (built here so Keras loads lazily)."""
    import keras

    class Control(keras.callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self.stopped = "completed"
            self.best = math.inf
            self.best_epoch: int | None = None
            self.best_weights: list[np.ndarray] | None = None
            self.last_epoch = -1
            self.wait = 0
            self.val_losses: list[float] = []
            self.seconds: list[float] = []
            self.restored = False
            self._start = 0.0
            self._rewrite = progress == "text" and _interactive()

        def _check_stop(self) -> None:
            if stop_event is not None and stop_event.is_set() and self.stopped == "completed":
                self.stopped = "stop_requested"
            if self.stopped == "stop_requested":
                self.model.stop_training = True

        def on_epoch_begin(self, epoch: int, logs: Mapping[str, float] | None = None) -> None:
            self._start = time.perf_counter()
            self._check_stop()

        def on_train_batch_end(self, batch: int, logs: Mapping[str, float] | None = None) -> None:
            self._check_stop()

        def on_epoch_end(self, epoch: int, logs: Mapping[str, float] | None = None) -> None:
            self.seconds.append(time.perf_counter() - self._start)
            self.last_epoch = epoch
            logs = {k: float(v) for k, v in (logs or {}).items()}
            current = logs.get("val_loss")
            if current is not None:
                self.val_losses.append(current)
            if (plateau is not None and self.stopped == "completed"
                    and plateau_reached(self.val_losses, *plateau)):
                self.stopped = "plateau"
                self.model.stop_training = True
            if current is not None and math.isfinite(current):
                if current < self.best - min_delta:
                    self.best, self.best_epoch, self.wait = current, epoch, 0
                    if patience is not None:
                        self.best_weights = self.model.get_weights()
                else:
                    self.wait += 1
                    if patience is not None and self.wait >= patience:
                        if self.stopped == "completed":
                            self.stopped = "early_stopping"
                        self.model.stop_training = True
            for hook in on_epoch:
                hook(epoch, dict(logs))
            if progress == "text":
                line = (f"epoch {epoch + 1}/{total_epochs}  {_format_logs(logs)}  "
                        f"{self.seconds[-1]:.1f} s")
                print(f"\r{line}" if self._rewrite else line, end="" if self._rewrite else "\n",
                      flush=True)
            self._check_stop()

        def on_train_end(self, logs: Mapping[str, float] | None = None) -> None:
            if self.best_weights is not None and self.best_epoch != self.last_epoch:
                self.model.set_weights(self.best_weights)
                self.restored = True
            self.best_weights = None
            if progress == "text":
                note = {"completed": "done", "early_stopping": "stopped early",
                        "plateau": "stopped: the validation loss has plateaued",
                        "stop_requested": "stopped on request"}[self.stopped]
                if self.restored:
                    note += f"; restored the weights of epoch {self.best_epoch + 1} (best val_loss)"
                print(("\n" if self._rewrite else "") + note, flush=True)

    return Control()


def time_budget(seconds: float, start: float | None = None) -> Any:
    """A Keras callback that ends training before a wall-clock budget runs out.

    The deadline is ``start + seconds`` (``start`` from ``time.perf_counter()``;
    default: when training begins). After each epoch, training stops if the
    next epoch (estimated as the slowest so far) would end past the deadline;
    after each batch, it stops once the deadline has passed (that partial epoch
    is still validated and logged). ``.stopped`` tells whether the budget
    ended the run; ``.elapsed`` is the time from ``start`` to the end of
    training. Pass it to :func:`fit` with ``early_stopping_patience`` to get the
    best weights back. ``ecgteach train`` uses it for its 3-minute budget.

    >>> time_budget(150)
    TimeBudget(150 s, stopped=False)

    A budget already spent when training starts (``start`` 10 s ago) stops it
    after the first batch:

    >>> import time
    >>> import numpy as np
    >>> from ecgteach.nn.models import learner_lstm
    >>> budget = time_budget(1, start=time.perf_counter() - 10)
    >>> x, y = np.zeros((8, 20, 2)), np.zeros((8, 2))
    >>> result = fit(learner_lstm(length=20, units=(4,)), x, y, epochs=5, batch_size=4,
    ...              callbacks=[budget], progress=None)
    >>> budget.stopped, result.epochs_run
    (True, 1)
    """
    if not seconds > 0:
        raise ValueError(f"seconds must be positive, got {seconds}")
    import keras

    class TimeBudget(keras.callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self.seconds = float(seconds)
            self.start = start
            self.stopped = False
            self.elapsed = 0.0
            self._epoch_start = 0.0
            self._longest = 0.0

        @property
        def deadline(self) -> float:
            return (self.start if self.start is not None else time.perf_counter()) + self.seconds

        def on_train_begin(self, logs: Mapping[str, float] | None = None) -> None:
            if self.start is None:
                self.start = time.perf_counter()
            self.stopped = False
            if time.perf_counter() >= self.deadline:
                self.stopped = True
                self.model.stop_training = True

        def on_epoch_begin(self, epoch: int, logs: Mapping[str, float] | None = None) -> None:
            self._epoch_start = time.perf_counter()

        def on_train_batch_end(self, batch: int, logs: Mapping[str, float] | None = None) -> None:
            if time.perf_counter() >= self.deadline:
                self.stopped = True
                self.model.stop_training = True

        def on_epoch_end(self, epoch: int, logs: Mapping[str, float] | None = None) -> None:
            now = time.perf_counter()
            self._longest = max(self._longest, now - self._epoch_start)
            last = epoch + 1 >= int((self.params or {}).get("epochs") or 0)
            if not last and not self.model.stop_training and now + self._longest > self.deadline:
                self.stopped = True
                self.model.stop_training = True

        def on_train_end(self, logs: Mapping[str, float] | None = None) -> None:
            self.elapsed = time.perf_counter() - (self.start or time.perf_counter())

        def epochs_left(self) -> int | None:
            """Whole epochs that still fit before the deadline (slowest so far); None before one."""
            if self._longest <= 0:
                return None
            return max(int((self.deadline - time.perf_counter()) // self._longest), 0)

        def __repr__(self) -> str:
            return f"TimeBudget({self.seconds:g} s, stopped={self.stopped})"

    return TimeBudget()


def _as_weights(sample_weight: Any) -> Any:
    if sample_weight is None:
        return None
    array = np.asarray(sample_weight)
    return array.astype(np.float32) if array.dtype == bool else array


def fit(
    model: Any,
    x: Any,
    y: Any,
    validation_data: tuple[Any, ...] | None = None,
    epochs: int = 20,
    batch_size: int = 32,
    seed: int | None = 0,
    early_stopping_patience: int | None = None,
    callbacks: Sequence[Any] = (),
    progress: str | None = "auto",
    stop_event: Any = None,
    sample_weight: Any = None,
    shuffle: bool = True,
    min_delta: float = 0.0,
    plateau_patience: int | None = None,
    plateau_tolerance: float = 0.01,
) -> FitResult:
    """Train a compiled model with classroom conveniences; returns a :class:`FitResult`.

    * ``seed``: :func:`set_seed` is called first (shuffling and dropout repeat);
      ``None`` leaves the random state alone.
    * ``early_stopping_patience``: stop when ``val_loss`` has not improved by more
      than ``min_delta`` for that many epochs, and restore the weights of the best
      epoch (also when training ends otherwise). Needs ``validation_data``.
    * ``plateau_patience``: stop once the validation loss has plateaued — the best
      of the last ``plateau_patience`` epochs is less than ``plateau_tolerance``
      (0.01 = 1 %) below the best before them (:func:`plateau_reached`); the
      weights stay those of the last epoch, as a learner who trained "until it
      stopped improving" has them. ``epochs`` is then the most it may run.
    * ``callbacks``: Keras callbacks and/or plain callables ``on_epoch(epoch, logs)``
      (``epoch`` 0-based, ``logs`` a dict of floats), called after every epoch;
      widgets use them for live loss curves.
    * ``progress``: ``"text"`` prints one compact line per epoch (rewritten in place
      in Jupyter or a terminal), ``None`` prints nothing, ``"auto"`` is ``"text"``
      unless a plain callable was given (a widget is showing progress).
    * ``stop_event``: a :class:`Stopper` or ``threading.Event``; once set, training
      ends at the end of the current batch (that partial epoch is validated and
      logged). Set it from another thread, a button, or an ``on_epoch`` hook.
    * ``sample_weight``: per example ``(n,)`` or per time step ``(n, length)``
      (e.g. ``windows.valid`` for :func:`ecgteach.nn.models.segmenter`); booleans are
      cast to float. ``validation_data`` may be ``(x, y)`` or ``(x, y, weights)``.

    Used by every lesson that trains.

    >>> import numpy as np
    >>> from ecgteach.nn.models import learner_lstm
    >>> x = np.random.default_rng(0).normal(size=(8, 20, 2)).astype("float32")
    >>> y = np.ones((8, 2), dtype="float32")
    >>> model = learner_lstm(length=20, units=(4,))

    A stop button pressed at the end of the first epoch (here by an ``on_epoch`` hook):

    >>> stopper = Stopper()
    >>> result = fit(model, x, y, validation_data=(x, y), epochs=5, batch_size=4,
    ...              stop_event=stopper, callbacks=[lambda epoch, logs: stopper.stop()])
    >>> result.epochs_run, result.stopped, result.params["batch_size"]
    (1, 'stop_requested', 4)
    """
    if epochs < 1 or batch_size < 1:
        raise ValueError(f"epochs and batch_size must be >= 1, got {epochs}, {batch_size}")
    if progress not in ("auto", "text", None):
        raise ValueError(f"progress must be 'auto', 'text' or None, got {progress!r}")
    if plateau_patience is not None:
        plateau_reached([], plateau_patience, plateau_tolerance)  # checks the two numbers
        if validation_data is None:
            raise ValueError("the plateau criterion watches the validation loss: pass "
                             "validation_data")
    if early_stopping_patience is not None:
        if early_stopping_patience < 1:
            raise ValueError(f"early_stopping_patience must be >= 1, got "
                             f"{early_stopping_patience}")
        if validation_data is None:
            raise ValueError("early stopping watches the validation loss: pass validation_data")
    if stop_event is not None and not callable(getattr(stop_event, "is_set", None)):
        raise TypeError("stop_event must have an is_set() method (a Stopper or threading.Event)")
    import keras

    hooks = [cb for cb in callbacks if not isinstance(cb, keras.callbacks.Callback)]
    for hook in hooks:
        if not callable(hook):
            raise TypeError(f"callbacks must be Keras callbacks or callables, got {hook!r}")
    keras_callbacks = [cb for cb in callbacks if isinstance(cb, keras.callbacks.Callback)]
    if progress == "auto":
        progress = None if hooks else "text"
    if seed is not None:
        set_seed(seed)
    if validation_data is not None:
        validation_data = tuple(validation_data)
        if len(validation_data) == 3:
            validation_data = (*validation_data[:2], _as_weights(validation_data[2]))
        elif len(validation_data) != 2:
            raise ValueError("validation_data must be (x, y) or (x, y, sample_weight)")
    control = _control_callback(
        epochs, early_stopping_patience, min_delta, hooks, stop_event, progress,
        None if plateau_patience is None else (int(plateau_patience), float(plateau_tolerance)))
    import tensorflow as tf

    from ecgteach._quiet import quiet_stderr

    tf.get_logger().setLevel("ERROR")  # retracing notes are for library authors, not students
    with quiet_stderr():  # tf.data's C++ graph warnings would look like errors in a notebook
        history = model.fit(
            x, y, validation_data=validation_data, epochs=int(epochs),
            batch_size=int(batch_size), sample_weight=_as_weights(sample_weight),
            shuffle=shuffle, verbose=0, callbacks=[control, *keras_callbacks],
        )
    logs = {k: [float(v) for v in vs] for k, vs in history.history.items()}
    return FitResult(
        history=logs,
        epoch=list(history.epoch),
        seconds_per_epoch=control.seconds,
        stopped=control.stopped,
        best_epoch=control.best_epoch,
        restored_best=control.restored,
        params={"epochs": int(epochs), "batch_size": int(batch_size), "seed": seed,
                "early_stopping_patience": early_stopping_patience,
                **({} if plateau_patience is None else
                   {"plateau_patience": int(plateau_patience),
                    "plateau_tolerance": float(plateau_tolerance)})},
        model=model,
    )


# ------------------------------------------------------------------------- helpers


def configure_threads(threads: int = 2) -> None:
    """Set TensorFlow's intra- and inter-op thread pools (before TF runs any op).

    Silently does nothing once TensorFlow is initialised (the thread pools are
    fixed then).

    >>> configure_threads(2)
    """
    import tensorflow as tf

    with contextlib.suppress(RuntimeError):
        tf.config.threading.set_intra_op_parallelism_threads(int(threads))
        tf.config.threading.set_inter_op_parallelism_threads(int(threads))
