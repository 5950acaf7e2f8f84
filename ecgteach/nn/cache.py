"""Train once, reload afterwards: the model cache behind every lesson that shows a trained model.

:func:`cached_fit` builds and trains a model through :func:`ecgteach.nn.fitting.fit`
and saves it, with its loss history, under :func:`model_cache_dir`
(``$ECGTEACH_CACHE/models``); the same configuration later loads in a second.
The key (:func:`cache_key`) is the sha256 of the builder, its arguments, a
description of the data, the array shapes, the fit settings, the seed and the
ecgteach version. A :class:`CacheMode` says where a model may come from: the
user cache, the lesson models shipped inside the package
(:func:`shipped_models_dir`), or nowhere (always train).

>>> import os, shutil, tempfile
>>> import numpy as np
>>> from ecgteach.nn.models import learner_lstm
>>> old, os.environ["ECGTEACH_CACHE"] = os.environ.get("ECGTEACH_CACHE"), tempfile.mkdtemp()
>>> x, y = np.zeros((8, 20, 2), dtype="float32"), np.zeros((8, 2), dtype="float32")
>>> def train():
...     return cached_fit(learner_lstm, x, y, data_key={"rows": "zeros"},
...                       build_kwargs={"length": 20, "units": (4,)},
...                       fit_kwargs={"epochs": 1}, progress=None, mode="user")
>>> first = train()                      # trains, then saves the model and its history
>>> again = train()                      # loads it: no training
>>> first.from_cache, again.from_cache, again.history == first.history
(False, True, True)
>>> sorted(path.suffix for path in model_cache_dir().iterdir())
['.json', '.keras']
>>> clear_model_cache()
2
>>> shutil.rmtree(os.environ["ECGTEACH_CACHE"])
>>> if old is None:
...     del os.environ["ECGTEACH_CACHE"]
... else:
...     os.environ["ECGTEACH_CACHE"] = old
"""

from __future__ import annotations

import contextlib
import enum
import hashlib
import json
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ecgteach._config import WEIGHTS_DIR, cache_dir
from ecgteach._files import atomic_write, sha256_file, to_json, write_text_atomic
from ecgteach._version import __version__
from ecgteach.nn.fitting import FitResult, fit, set_seed
from ecgteach.nn.models import CUSTOM_OBJECTS

#: Keys ``cached_fit`` accepts in ``fit_kwargs`` (they are part of the cache key).
FIT_KWARGS: tuple[str, ...] = (
    "epochs", "batch_size", "early_stopping_patience", "min_delta", "shuffle",
    "plateau_patience", "plateau_tolerance",
)


# ------------------------------------------------------------------------- model cache


class CacheMode(str, enum.Enum):
    """Where a trained lesson model may come from (the ``cache=`` of every recipe).

    >>> CacheMode.of("user")
    <CacheMode.USER: 'user'>
    >>> CacheMode.of(True)
    Traceback (most recent call last):
    ...
    ValueError: cache must be one of 'train', 'shipped', 'user', 'ship'; got True
    """

    #: always train here; nothing is read from or written to a cache
    TRAIN = "train"
    #: the user cache, then the models shipped with ecgteach, else train (and cache)
    SHIPPED = "shipped"
    #: the user cache only (shipped models ignored), else train (and cache)
    USER = "user"
    #: the user cache, else train; then also write into the shipped folder
    SHIP = "ship"

    @classmethod
    def of(cls, value: CacheMode | str) -> CacheMode:
        """The mode named by ``value`` (a :class:`CacheMode` or its string), else ValueError."""
        if isinstance(value, cls):
            return value
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                return cls(value)
        names = ", ".join(repr(m.value) for m in cls)
        raise ValueError(f"cache must be one of {names}; got {value!r}")


def model_cache_dir() -> Path:
    """Folder of cached models: ``cache_dir() / "models"`` (``$ECGTEACH_CACHE`` overrides).

    Lessons print it so learners know where trained models go (and what to delete).

    >>> from ecgteach._config import cache_dir
    >>> model_cache_dir() == cache_dir() / "models"
    True
    """
    return cache_dir() / "models"


def shipped_models_dir() -> Path:
    """Folder of the lesson models shipped inside the package (read-only).

    Filled by ``python scripts/build_lesson_models.py``: the lesson settings that
    take minutes to train (the learner's 489k-parameter LSTM, ...), as weights
    plus the :class:`FitResult` recorded when they were trained. :func:`cached_fit`
    looks here after the user cache, so a lesson opened on an empty cache runs
    in seconds; every one of them retrains with one click.

    >>> shipped_models_dir().relative_to(shipped_models_dir().parents[1]).as_posix()
    'weights/lessons'
    >>> any(path.name.startswith("learner_lstm-") for path in shipped_models_dir().glob("*.json"))
    True
    """
    return WEIGHTS_DIR / "lessons"


def cache_key(config: Mapping[str, Any]) -> str:
    """sha256 of the canonical JSON of ``config`` plus the ecgteach version.

    Tuples and lists, dict key order, numpy and Python numbers give the same key;
    objects that have no JSON form raise ``TypeError``. Used by :func:`cached_fit`
    (every lesson that shows a trained model).

    >>> import numpy as np
    >>> key = cache_key({"build": "segmenter", "units": (4, 8), "seed": 0})
    >>> len(key), key == cache_key({"seed": np.int64(0), "units": [4, 8], "build": "segmenter"})
    (64, True)
    >>> key == cache_key({"build": "segmenter", "units": (4, 8), "seed": 1})
    False
    >>> cache_key({"data": object()})
    Traceback (most recent call last):
    ...
    TypeError: cannot write object <object object at ...> as JSON; ...
    """

    try:
        payload = {"config": to_json(config), "ecgteach": __version__}
    except TypeError as error:
        raise TypeError(f"{error} (in a cache key)") from None
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _shape_of(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, Mapping):
        return {str(k): _shape_of(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_shape_of(v) for v in value]
    array = np.asarray(value)
    return [list(array.shape), str(array.dtype)]


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
    if sha256_file(data_path) != meta.get("sha256"):
        raise ValueError("checksum mismatch")
    return meta


def _entry_meta(key: str, data_path: Path, config: Any, result: FitResult,
                **extra: str) -> str:
    """The JSON text written beside a cached or shipped model file."""
    meta = {
        "key": key,
        "sha256": sha256_file(data_path),
        "config": to_json(config),
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

        model = keras.saving.load_model(model_path, custom_objects=CUSTOM_OBJECTS)
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

    atomic_write(weights_path, save_weights)
    text = _entry_meta(key, weights_path, config, result,
                       note="trained by scripts/build_lesson_models.py from the bundled LUDB "
                            "(ODC-By 1.0, see ecgteach/data/ATTRIBUTION.md)")
    write_text_atomic(meta_path, text)
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
    mode: CacheMode | str = "shipped",
    retrain: bool = False,
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
    ``mode`` (a :class:`CacheMode`) says where a trained model may come from:
    ``"shipped"`` also looks in :func:`shipped_models_dir` after the user cache;
    ``"user"`` only in the user cache; ``"train"`` trains and stores nothing;
    ``"ship"`` (for ``scripts/build_lesson_models.py``) writes the result into
    the shipped folder as well. ``retrain=True`` deletes the user-cache entry first.
    ``callbacks``/``progress``/``stop_event`` are passed to :func:`fit` and are not
    part of the key. ``build_fn`` is identified by its module and qualified name:
    use named functions, not lambdas. Lessons use it so a re-run shows trained
    models at once (the module docstring shows a model trained, then reloaded).

    ``mode="train"`` trains here and writes nothing:

    >>> import numpy as np
    >>> from ecgteach.nn.models import learner_lstm
    >>> x, y = np.zeros((8, 20, 2), dtype="float32"), np.zeros((8, 2), dtype="float32")
    >>> result = cached_fit(learner_lstm, x, y, data_key={"rows": "zeros"},
    ...                     build_kwargs={"length": 20, "units": (4,)},
    ...                     fit_kwargs={"epochs": 1}, progress=None, mode="train")
    >>> result.from_cache, result.epochs_run, result.model.name
    (False, 1, 'learner_lstm')

    Callbacks are arguments, not part of the key:

    >>> cached_fit(learner_lstm, x, y, data_key=None, fit_kwargs={"callbacks": []})
    Traceback (most recent call last):
    ...
    ValueError: fit_kwargs may hold ['epochs', 'batch_size', ...]; got ['callbacks'] ...
    """
    mode = CacheMode.of(mode)
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
    if mode is CacheMode.TRAIN:
        set_seed(seed)
        return fit(build_fn(**build_kwargs), x, y, validation_data=validation_data,
                   sample_weight=sample_weight, seed=seed, callbacks=callbacks,
                   progress=progress, stop_event=stop_event, **fit_kwargs)
    ship = mode is CacheMode.SHIP
    key = cache_key(config)
    folder = model_cache_dir()
    stem = f"{''.join(c if c.isalnum() or c in '-_' else '_' for c in name)}-{key[:20]}"
    model_path, meta_path = folder / f"{stem}.keras", folder / f"{stem}.json"
    if retrain:
        _remove(model_path, meta_path)
    else:
        cached = _load_entry(model_path, meta_path, key)
        if cached is None and mode is CacheMode.SHIPPED:
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
    atomic_write(model_path, lambda tmp: _save_model(model, tmp))
    text = _entry_meta(key, model_path, config, result)
    write_text_atomic(meta_path, text)
    if ship:
        _write_shipped(stem, key, config, model, result)
    return result


def clear_model_cache() -> int:
    """Delete every cached model (and its history); returns how many files were removed.

    Lessons offer it as "retrain everything" (the module docstring shows it
    removing a model and its history).

    >>> import os, tempfile
    >>> old, os.environ["ECGTEACH_CACHE"] = os.environ.get("ECGTEACH_CACHE"), tempfile.mkdtemp()
    >>> clear_model_cache()                  # an empty cache: nothing to remove
    0
    >>> os.rmdir(os.environ["ECGTEACH_CACHE"])
    >>> if old is None:
    ...     del os.environ["ECGTEACH_CACHE"]
    ... else:
    ...     os.environ["ECGTEACH_CACHE"] = old
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
