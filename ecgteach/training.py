"""Training for the lessons: seeds, a small ``fit`` with live hooks and a stop button, a cache.

* :func:`set_seed` makes runs repeatable (same seed -> same weights, same losses).
* :func:`fit` wraps ``model.fit`` for classrooms: early stopping on validation loss
  with the best weights restored, a plain ``on_epoch(epoch, logs)`` hook for live
  loss curves, one compact text line per epoch instead of Keras's progress bars,
  and a :class:`Stopper` (or any ``threading.Event``) that ends training cleanly.
* :func:`cached_fit` trains once per configuration and reloads afterwards from
  ``cache_dir() / "models"`` (``$ECGTEACH_CACHE`` overrides the folder), with the
  loss history stored beside the model so a lesson can draw the curve at once.

TensorFlow/Keras are imported inside the functions.

Usage::

    set_seed(0)
    model = segmenter()
    result = fit(model, windows.x, windows.labels, sample_weight=windows.valid,
                 validation_data=(val.x, val.labels, val.valid), epochs=20,
                 early_stopping_patience=3, callbacks=[lambda epoch, logs: print(logs)])
    result.history["val_loss"]

    result = cached_fit(segmenter, train.x, train.labels, sample_weight=train.valid,
                        build_kwargs={"lstm_units": 32}, data_key={"split_seed": 0},
                        fit_kwargs={"epochs": 20}, seed=0)
    result.model, result.from_cache
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import sys
import threading
import time
import uuid
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .download import cache_dir

#: Keys ``cached_fit`` accepts in ``fit_kwargs`` (they are part of the cache key).
FIT_KWARGS: tuple[str, ...] = (
    "epochs", "batch_size", "early_stopping_patience", "min_delta", "shuffle",
)
STOP_REASONS: tuple[str, ...] = ("completed", "early_stopping", "stop_requested")


# ------------------------------------------------------------------------------ seeds


def set_seed(seed: int = 0, deterministic: bool = True) -> None:
    """Seed Python, NumPy and TensorFlow, and make TensorFlow ops deterministic.

    Call it before building a model (the initial weights are drawn at build time);
    :func:`fit` calls it again so shuffling and dropout repeat too. Op determinism
    is process-wide and cannot be switched off again; on CPU it costs ~10-20% of
    training speed and stops ``fit`` from using XLA. Every lesson calls it so
    learners see the same curves as the text. Usage: ``set_seed(0)``.
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
    Lessons wire it to a "Stop" button. Usage: ``stopper = Stopper(); stopper.stop()``.
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
    ``from_cache`` is True when :func:`cached_fit` loaded it; ``shipped`` is True
    when it came from the models shipped with ecgteach (trained when the package
    was built, see :func:`shipped_models_dir`). ``model`` is the trained model
    (not stored in JSON).
    Usage: ``result.history["val_loss"][result.best_epoch]``.
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
        """A JSON-able dict (without the model). Usage: ``json.dumps(result.to_dict())``."""
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
        """Rebuild from :meth:`to_dict` output. Usage: ``FitResult.from_dict(d)``."""
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


def _control_callback(total_epochs: int, patience: int | None, min_delta: float,
                      on_epoch: Sequence[Callable[[int, dict[str, float]], Any]],
                      stop_event: Any, progress: str | None) -> Any:
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
    best weights back. ``python -m ecgteach.train`` uses it for its 3-minute budget.
    Usage: ``fit(model, x, y, callbacks=[time_budget(150)], ...)``.
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
) -> FitResult:
    """Train a compiled model with classroom conveniences; returns a :class:`FitResult`.

    * ``seed``: :func:`set_seed` is called first (shuffling and dropout repeat);
      ``None`` leaves the random state alone.
    * ``early_stopping_patience``: stop when ``val_loss`` has not improved by more
      than ``min_delta`` for that many epochs, and restore the weights of the best
      epoch (also when training ends otherwise). Needs ``validation_data``.
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
      (e.g. ``windows.valid`` for :func:`ecgteach.models.segmenter`); booleans are
      cast to float. ``validation_data`` may be ``(x, y)`` or ``(x, y, weights)``.

    Used by every lesson that trains. Usage:
    ``fit(model, x, y, validation_data=(xv, yv), epochs=30, early_stopping_patience=5)``.
    """
    if epochs < 1 or batch_size < 1:
        raise ValueError(f"epochs and batch_size must be >= 1, got {epochs}, {batch_size}")
    if progress not in ("auto", "text", None):
        raise ValueError(f"progress must be 'auto', 'text' or None, got {progress!r}")
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
    control = _control_callback(epochs, early_stopping_patience, min_delta, hooks,
                                stop_event, progress)
    import tensorflow as tf

    from ._quiet import quiet_stderr

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
                "early_stopping_patience": early_stopping_patience},
        model=model,
    )


# ------------------------------------------------------------------------- model cache


def model_cache_dir() -> Path:
    """Folder of cached models: ``cache_dir() / "models"`` (``$ECGTEACH_CACHE`` overrides).

    Lessons print it so learners know where trained models go (and what to delete).
    Usage: ``model_cache_dir()``.
    """
    return cache_dir() / "models"


def shipped_models_dir() -> Path:
    """Folder of the lesson models shipped inside the package (read-only).

    Filled by ``python scripts/build_lesson_models.py``: the lesson settings that
    take minutes to train (the learner's 489k-parameter LSTM, ...), as weights
    plus the :class:`FitResult` recorded when they were trained. :func:`cached_fit`
    looks here after the user cache, so a lesson opened on an empty cache runs
    in seconds; every one of them retrains with one click.
    Usage: ``sorted(shipped_models_dir().glob("*.json"))``.
    """
    return Path(__file__).resolve().parent / "weights" / "lessons"


def _canonical(value: Any) -> Any:
    """``value`` as plain JSON types, deterministically (tuples -> lists, numpy -> python)."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if math.isfinite(value) else repr(value)
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, range, np.ndarray)):
        return [_canonical(v) for v in (value.tolist() if isinstance(value, np.ndarray)
                                         else value)]
    if callable(value):
        return f"{getattr(value, '__module__', '?')}.{getattr(value, '__qualname__', value)}"
    raise TypeError(
        f"cannot put {type(value).__name__} {value!r} in a cache key; use JSON-able values "
        "(numbers, strings, lists, dicts)"
    )


def cache_key(config: Mapping[str, Any]) -> str:
    """sha256 of the canonical JSON of ``config`` plus the ecgteach version.

    Tuples and lists, dict key order, numpy and Python numbers give the same key;
    objects that have no JSON form raise ``TypeError``. Used by :func:`cached_fit`
    (every lesson that shows a trained model).
    Usage: ``cache_key({"build": "segmenter", "seed": 0})``.
    """
    from . import __version__

    payload = {"config": _canonical(config), "ecgteach": __version__}
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _shape_of(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, Mapping):
        return {str(k): _shape_of(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_shape_of(v) for v in value]
    array = np.asarray(value)
    return [list(array.shape), str(array.dtype)]


def _atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Write through a temporary file in the same folder, then ``os.replace`` into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp{path.suffix}")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _save_model(model: Any, path: Path) -> None:
    with warnings.catch_warnings():
        # Keras 3.15 + NumPy 2 warn inside model.save about __array__(copy=...): not ours
        warnings.filterwarnings("ignore", message="__array__ implementation doesn't accept",
                                category=DeprecationWarning)
        model.save(path)


def _remove(*paths: Path) -> None:
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _checked_meta(meta_path: Path, data_path: Path, key: str) -> dict[str, Any]:
    """An entry's JSON, after checking its key and the data file's sha256 (else ValueError)."""
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    if meta.get("key") != key:
        raise ValueError("key mismatch")
    if _sha256_file(data_path) != meta.get("sha256"):
        raise ValueError("checksum mismatch")
    return meta


def _entry_meta(key: str, data_path: Path, config: Any, result: FitResult,
                **extra: str) -> str:
    """The JSON text written beside a cached or shipped model file."""
    meta = {
        "key": key,
        "sha256": _sha256_file(data_path),
        "config": _canonical(config),
        "result": result.to_dict(),
        "saved": time.strftime("%Y-%m-%dT%H:%M:%S"),
        **extra,
    }
    return json.dumps(meta, indent=1) + "\n"


def _load_entry(model_path: Path, meta_path: Path, key: str) -> FitResult | None:
    """The cached model and history, or None (a damaged entry is deleted with a warning)."""
    if not model_path.exists() and not meta_path.exists():
        return None
    try:
        meta = _checked_meta(meta_path, model_path, key)
        import keras

        model = keras.saving.load_model(model_path)
        return FitResult.from_dict(meta["result"], model=model, from_cache=True)
    except Exception as error:  # any damage: never use a half entry
        warnings.warn(
            f"discarding damaged cached model {model_path.name} ({type(error).__name__}: "
            f"{error}); it will be retrained",
            RuntimeWarning,
            stacklevel=3,
        )
        _remove(model_path, meta_path)
        return None


def _load_shipped(stem: str, key: str, build_fn: Callable[..., Any],
                  build_kwargs: Mapping[str, Any], seed: int) -> FitResult | None:
    """A shipped entry (weights + JSON) rebuilt with ``build_fn``, or None.

    A shipped entry that does not load is reported and ignored (the package
    folder is not ours to delete); the model is then trained here.
    """
    folder = shipped_models_dir()
    weights_path, meta_path = folder / f"{stem}.weights.npz", folder / f"{stem}.json"
    if not meta_path.exists():
        return None
    try:
        meta = _checked_meta(meta_path, weights_path, key)
        set_seed(seed)
        model = build_fn(**build_kwargs)
        _set_weights(model, weights_path)
        return FitResult.from_dict(meta["result"], model=model, from_cache=True, shipped=True)
    except Exception as error:
        warnings.warn(
            f"ignoring shipped model {weights_path.name} ({type(error).__name__}: {error}); "
            "it will be trained here instead",
            RuntimeWarning,
            stacklevel=3,
        )
        return None


def _set_weights(model: Any, path: Path) -> None:
    """Load weights saved by :func:`_write_shipped` (``np.savez``, in ``model.weights`` order)."""
    with np.load(path) as stored:
        arrays = [stored[f"arr_{i}"] for i in range(len(stored.files))]
    expected = [tuple(w.shape) for w in model.weights]
    if [a.shape for a in arrays] != expected:
        raise ValueError(f"weights do not fit the model ({len(arrays)} arrays for "
                         f"{len(expected)} weights)")
    model.set_weights(arrays)


def _write_shipped(stem: str, key: str, config: Any, model: Any, result: FitResult) -> Path:
    """Write ``model``'s weights and ``result`` into :func:`shipped_models_dir` (atomically)."""
    folder = shipped_models_dir()
    weights_path, meta_path = folder / f"{stem}.weights.npz", folder / f"{stem}.json"

    def save_weights(tmp: Path) -> None:  # weights only: no optimizer state to ship
        with open(tmp, "wb") as handle:
            np.savez_compressed(handle, *[np.asarray(w) for w in model.get_weights()])

    _atomic_write(weights_path, save_weights)
    text = _entry_meta(key, weights_path, config, result,
                       note="trained by scripts/build_lesson_models.py from the bundled LUDB "
                            "(ODC-By 1.0, see ecgteach/data/ATTRIBUTION.md)")
    _atomic_write(meta_path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    return weights_path


def cached_fit(
    build_fn: Callable[..., Any],
    x: Any,
    y: Any,
    *,
    data_key: Any,
    build_kwargs: Mapping[str, Any] | None = None,
    fit_kwargs: Mapping[str, Any] | None = None,
    seed: int = 0,
    validation_data: tuple[Any, ...] | None = None,
    sample_weight: Any = None,
    callbacks: Sequence[Any] = (),
    progress: str | None = "auto",
    stop_event: Any = None,
    retrain: bool = False,
    shipped: bool = True,
    ship: bool = False,
) -> FitResult:
    """Build and train once per configuration; later calls load the saved model.

    The key is the sha256 of the canonical JSON of: the builder's name,
    ``build_kwargs``, ``data_key`` (describe the data: records, leads, fs, window
    ...), the shapes of the arrays, ``fit_kwargs`` (``epochs``, ``batch_size``,
    ``early_stopping_patience``, ``min_delta``, ``shuffle``), ``seed`` and the
    ecgteach version. Files: ``model_cache_dir() / f"{name}-{key[:20]}.keras"``
    and a ``.json`` beside it with the :class:`FitResult` (loss curves) and the
    model file's sha256; both are written atomically. An entry whose JSON is
    unreadable, whose checksum does not match, or that Keras cannot load is
    deleted and retrained. A run stopped with ``stop_event`` is not cached.
    ``shipped=True`` also looks in :func:`shipped_models_dir` (after the user
    cache, never with ``retrain=True``); ``ship=True`` (for
    ``scripts/build_lesson_models.py``) writes the result there as well.
    ``callbacks``/``progress``/``stop_event`` are passed to :func:`fit` and are not
    part of the key. ``build_fn`` is identified by its module and qualified name:
    use named functions, not lambdas. Lessons use it so a re-run shows trained
    models at once.
    Usage: ``cached_fit(segmenter, x, y, data_key={"split": 0}, fit_kwargs={"epochs": 10})``.
    """
    build_kwargs = dict(build_kwargs or {})
    fit_kwargs = dict(fit_kwargs or {})
    unknown = sorted(set(fit_kwargs) - set(FIT_KWARGS))
    if unknown:
        raise ValueError(f"fit_kwargs may hold {list(FIT_KWARGS)}; got {unknown} (pass callbacks, "
                         "progress and stop_event as arguments)")
    name = getattr(build_fn, "__name__", "model")
    config = {
        "build": build_fn,
        "build_kwargs": build_kwargs,
        "data": data_key,
        "shapes": {"x": _shape_of(x), "y": _shape_of(y),
                   "sample_weight": _shape_of(sample_weight),
                   "validation": _shape_of(validation_data)},
        "fit": fit_kwargs,
        "seed": seed,
    }
    key = cache_key(config)
    folder = model_cache_dir()
    stem = f"{''.join(c if c.isalnum() or c in '-_' else '_' for c in name)}-{key[:20]}"
    model_path, meta_path = folder / f"{stem}.keras", folder / f"{stem}.json"
    if retrain:
        _remove(model_path, meta_path)
    else:
        cached = _load_entry(model_path, meta_path, key)
        if cached is None and shipped and not ship:
            cached = _load_shipped(stem, key, build_fn, build_kwargs, seed)
        if cached is not None:
            if ship:
                _write_shipped(stem, key, config, cached.model, cached)
            return cached
    set_seed(seed)
    model = build_fn(**build_kwargs)
    result = fit(model, x, y, validation_data=validation_data, sample_weight=sample_weight,
                 seed=seed, callbacks=callbacks, progress=progress, stop_event=stop_event,
                 **fit_kwargs)
    if result.stopped == "stop_requested":
        return result
    _atomic_write(model_path, lambda tmp: _save_model(model, tmp))
    text = _entry_meta(key, model_path, config, result)
    _atomic_write(meta_path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    if ship:
        _write_shipped(stem, key, config, model, result)
    return result


def clear_model_cache() -> int:
    """Delete every cached model (and its history); returns how many files were removed.

    Lessons offer it as "retrain everything". Usage: ``clear_model_cache()``.
    """
    folder = model_cache_dir()
    if not folder.is_dir():
        return 0
    removed = 0
    for path in folder.iterdir():
        if path.is_file() and path.suffix in (".keras", ".json"):
            path.unlink()
            removed += 1
    return removed


__all__ = [
    "FIT_KWARGS",
    "FitResult",
    "Stopper",
    "cache_key",
    "cached_fit",
    "clear_model_cache",
    "fit",
    "model_cache_dir",
    "set_seed",
    "shipped_models_dir",
    "time_budget",
]
