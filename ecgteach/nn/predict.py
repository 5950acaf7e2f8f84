"""Fast inference for the lessons: one compiled function per model, probabilities per signal.

``model(x)`` runs an LSTM eagerly, op by op (seconds per record), and
``model.predict`` pays ~125 ms of set-up per call; a ``tf.function`` compiled
with XLA takes a few ms on a 10 s record. :func:`predict_fn` wraps a model that
way (a :class:`FastPredictor`, numpy in and out), so interactive plots respond
at once; :func:`predict_probabilities` runs a segmenter over whole signals of
any length, batched.

>>> import numpy as np
>>> from ecgteach.nn.models import segmenter
>>> model = segmenter(conv_filters=(4, 4), lstm_units=4)
>>> predict = predict_fn(model)
>>> probabilities = predict(np.zeros((2, 500, 1)))      # (n, length, classes), numpy
>>> probabilities.shape, bool(np.allclose(probabilities.sum(axis=-1), 1.0, atol=1e-5))
((2, 500, 4), True)
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

# ------------------------------------------------------------------------- inference


class FastPredictor:
    """A model wrapped in ``tf.function`` (XLA when it compiles), returning numpy.

    Built by :func:`predict_fn`. ``jit_compiled`` tells whether XLA is in use
    (``None`` before the first call). Each new input shape is traced (and, with
    XLA, compiled) once, which takes a second or more; later calls with that
    shape are fast, so batch inputs of one shape. A dict model gives a dict.

    >>> import numpy as np
    >>> from ecgteach.nn.models import boundary_classifier
    >>> predict = FastPredictor(boundary_classifier(length=50, units=4), jit_compile=False)
    >>> out = predict(np.zeros((3, 50, 1)))
    >>> {head: p.shape for head, p in sorted(out.items())}
    {'offset': (3, 50), 'onset': (3, 50)}
    >>> predict
    FastPredictor(boundary_classifier, jit_compiled=False)
    """

    def __init__(self, model: Any, jit_compile: bool = True) -> None:
        self.model = model
        self.jit_compiled: bool | None = None if jit_compile else False
        self._fn: Callable[[Any], Any] | None = None
        self._by_shape: dict[tuple[int, ...], Callable[[Any], Any]] = {}

    def _make(self, jit: bool) -> Callable[[Any], Any]:
        import tensorflow as tf

        model = self.model
        # one tf.function per model: a lesson that loads many models would otherwise get
        # TensorFlow's "excessive retracing" note, meant for library authors, not students
        tf.get_logger().setLevel("ERROR")

        def call(x: Any) -> Any:
            return model(x, training=False)

        return tf.function(call, jit_compile=jit, reduce_retracing=True)

    def __call__(self, x: Any) -> Any:
        """Predict on a batch ``x`` (numpy or tensor); numpy out (a dict for dict models)."""
        import tensorflow as tf

        tensor = tf.convert_to_tensor(np.asarray(x, dtype=np.float32))
        if self._fn is not None:
            shape = tuple(tensor.shape)
            concrete = self._by_shape.get(shape)
            if concrete is None:  # the traced graph for this shape, called directly from now
                # on: it skips tf.function's argument matching (~0.4 ms a call)
                concrete = self._by_shape[shape] = self._fn.get_concrete_function(tensor)
            return _to_numpy(concrete(tensor))
        from ecgteach._quiet import quiet_stderr

        with quiet_stderr():  # XLA's first compilation prints INFO lines to fd 2
            return self._first_call(tensor)

    def _first_call(self, tensor: Any) -> Any:
        if self.jit_compiled is None:
            try:
                fn = self._make(True)
                out = fn(tensor)
            except Exception:  # XLA could not compile it: try without, below
                pass
            else:
                self._fn, self.jit_compiled = fn, True
                return _to_numpy(out)
        fn = self._make(False)
        out = fn(tensor)  # an error here is the input's fault: raise it, decide next time
        self._fn, self.jit_compiled = fn, False
        return _to_numpy(out)

    def __repr__(self) -> str:
        return f"FastPredictor({self.model.name}, jit_compiled={self.jit_compiled})"


def _to_numpy(out: Any) -> Any:
    if isinstance(out, Mapping):
        return {key: np.asarray(value) for key, value in out.items()}
    if isinstance(out, (list, tuple)):
        return [np.asarray(value) for value in out]
    return np.asarray(out)


def predict_fn(model: Any, jit_compile: bool = True) -> FastPredictor:
    """A fast callable ``x -> numpy predictions`` for ``model`` (XLA, else ``tf.function``).

    ``model(x)`` eagerly runs an LSTM op by op (seconds per record) and
    ``model.predict`` pays a set-up cost per call (~125 ms); a ``tf.function``
    with ``jit_compile=True`` takes a few ms on a 10 s record (measured on a
    2-core CPU). When XLA cannot compile the model the first call falls back to
    a plain ``tf.function``. Every lesson's interactive plots call models
    through this, so sliders respond at once.

    >>> import numpy as np
    >>> from ecgteach.nn.models import segmenter
    >>> predict = predict_fn(segmenter(conv_filters=(4, 4), lstm_units=4))
    >>> predict                                    # not compiled yet
    FastPredictor(segmenter, jit_compiled=None)
    >>> predict(np.zeros((1, 500, 1))).shape, isinstance(predict.jit_compiled, bool)
    ((1, 500, 4), True)
    """
    return FastPredictor(model, jit_compile=jit_compile)


# ---------------------------------------------------------------------- evaluation


def predict_probabilities(model: Any, signals: Sequence[np.ndarray], batch_size: int = 64,
                          pool: int | None = None) -> list[np.ndarray]:
    """Class probabilities ``(n, 4)`` per sample of each 1-D (standardised, 250 Hz) signal.

    Signals of the same length run together in batches of ``batch_size`` (the
    last batch padded with empty rows to 1, 2, 4 or a multiple of 4, so the
    compiled function is traced for few shapes); a length that is not a
    multiple of ``pool`` (default: the model's pooling factor) is zero-padded at
    the end. Runs through :func:`predict_fn` (XLA when it compiles).

    >>> import numpy as np
    >>> from ecgteach import load_ludb_record
    >>> from ecgteach.ecg.signal import resample_signal, standardise
    >>> from ecgteach.nn.models import segmenter
    >>> record = load_ludb_record(1, leads=["ii", "v1"])
    >>> signals = [standardise(resample_signal(record.lead(lead), 500, 250))
    ...            for lead in ("ii", "v1")]
    >>> model = segmenter(conv_filters=(4, 4), lstm_units=4)    # untrained: shapes only
    >>> [p.shape for p in predict_probabilities(model, signals)]
    [(2500, 4), (2500, 4)]
    """
    if pool is None:
        pool = _model_pool(model)
    predict = _predictor(model)
    lengths = [int(np.shape(s)[0]) for s in signals]
    out: list[np.ndarray | None] = [None] * len(signals)
    for width in sorted({int(math.ceil(n / pool) * pool) for n in lengths}):
        members = [i for i, n in enumerate(lengths) if int(math.ceil(n / pool) * pool) == width]
        rows = min(int(batch_size), _batch_rows(len(members)))  # few distinct shapes
        for start in range(0, len(members), rows):
            chosen = members[start : start + rows]
            batch = np.zeros((rows, width, 1), dtype=np.float32)
            for row, i in enumerate(chosen):
                batch[row, : lengths[i], 0] = signals[i]
            probabilities = np.asarray(predict(batch), dtype=np.float32)
            for row, i in enumerate(chosen):
                out[i] = probabilities[row, : lengths[i]]
    return [probabilities for probabilities in out if probabilities is not None]


def _batch_rows(n: int) -> int:
    """Rows of a batch for ``n`` signals: 1, 2, 4, then multiples of 4 (12 leads: 12, not 16).

    >>> [_batch_rows(n) for n in (1, 2, 3, 5, 12, 13)]
    [1, 2, 4, 8, 12, 16]
    """
    return 1 << (n - 1).bit_length() if n <= 4 else int(math.ceil(n / 4) * 4)


_PREDICTORS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _predictor(model: Any) -> Any:
    """One :func:`predict_fn` per model, so repeated calls reuse its compiled traces."""
    try:
        return _PREDICTORS.setdefault(model, predict_fn(model))
    except TypeError:  # not weak-referenceable
        return predict_fn(model)


def _model_pool(model: Any) -> int:
    pool = 1
    for layer in getattr(model, "layers", ()):
        size = getattr(layer, "pool_size", None)
        if size is not None:
            pool *= int(np.prod(size))
    return pool
