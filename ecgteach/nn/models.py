"""Keras models for the lessons: the learner's regressor, its fixes, and a segmenter.

Every builder returns a *compiled* Keras 3 functional model, and every size knob
(units, layers, dropout, learning rate, optimizer name) is an argument, so a
widget's sliders can drive it. TensorFlow/Keras are imported inside the
functions: ``import ecgteach.nn.models`` stays light until a model is built.

* Lesson 02 (why the learner's model collapsed): :func:`learner_lstm` (the exact
  stacked LSTM that regressed ``[onset, offset]``) and :func:`learner_conv_lstm`.
* Lesson 03 (fix the *question*, not the network): :func:`boundary_classifier`
  (a distribution over time steps from *all* hidden states),
  :func:`boundary_classifier_last_state` (the same question from the last state
  only) and :func:`flattened_states` (the forum answer: flatten the states).
* Lesson 04 (label every sample): :func:`segmenter`, a Conv1D + BiLSTM that says
  background / P / QRS / T for each sample; unlabelled samples are masked with
  ``sample_weight``.
* All lessons: :func:`count_params`; fast inference is
  :func:`ecgteach.nn.predict.predict_fn` (a ``tf.function`` with XLA takes a few
  ms on a 10 s record, where ``model.predict`` pays ~125 ms of set-up per call),
  and :func:`ecgteach.beats.targets.positions_from_distribution` turns a boundary
  model's distributions into positions.

Output conventions:

* regressors output one ``(n, 2)`` array ``[qrs_onset, qrs_offset]`` (samples);
* boundary models output a **dict** ``{head: (n, length)}``, one softmax over time
  per head (``"onset"``, ``"offset"``), trained against
  :func:`ecgteach.beats.targets.boundary_targets` rows; fit them with
  ``y={"onset": ..., "offset": ...}``;
* the segmenter outputs ``(n, length, n_classes)`` class probabilities per sample.

A tiny boundary classifier, fitted for one epoch on three hand-made rows:

>>> import numpy as np
>>> from ecgteach.beats.targets import boundary_targets
>>> model = boundary_classifier(length=50, channels=1, units=4)
>>> x = np.random.default_rng(0).normal(size=(3, 50, 1)).astype("float32")
>>> y = {"onset": boundary_targets(np.array([10, 12, 20]), 50, sigma=2.0),
...      "offset": boundary_targets(np.array([30, 31, 40]), 50, sigma=2.0)}
>>> sorted(model.fit(x, y, epochs=1, verbose=0).history)
['loss', 'offset_loss', 'onset_loss']
>>> out = model(x)
>>> sorted(out), tuple(out["onset"].shape)
(['offset', 'onset'], (3, 50))
>>> bool(np.allclose(np.asarray(out["onset"]).sum(axis=1), 1.0, atol=1e-5))
True
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

#: Optimizer names the builders accept (case-insensitive).
OPTIMIZERS: tuple[str, ...] = ("adam", "adamw", "rmsprop", "sgd", "nadam", "adagrad")
#: Heads of the boundary models.
BOUNDARY_HEADS: tuple[str, ...] = ("onset", "offset")


# ---------------------------------------------------------------------------- helpers


def make_optimizer(name: str = "adam", learning_rate: float = 1e-3) -> Any:
    """A Keras optimizer from its name and learning rate.

    Used by every builder so a lesson's dropdown can swap optimizers (lesson 02
    compares RMSprop, the learner's choice, with Adam).

    >>> optimizer = make_optimizer("RMSprop", 1e-3)
    >>> type(optimizer).__name__, round(float(optimizer.learning_rate), 4)
    ('RMSprop', 0.001)
    >>> make_optimizer("lion")
    Traceback (most recent call last):
    ...
    ValueError: unknown optimizer 'lion'; choose one of ['adam', 'adamw', 'rmsprop', ...]
    """
    import keras

    key = str(name).lower()
    if key not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; choose one of {list(OPTIMIZERS)}")
    if not learning_rate > 0:
        raise ValueError(f"learning_rate must be positive, got {learning_rate}")
    classes = {
        "adam": keras.optimizers.Adam,
        "adamw": keras.optimizers.AdamW,
        "rmsprop": keras.optimizers.RMSprop,
        "sgd": keras.optimizers.SGD,
        "nadam": keras.optimizers.Nadam,
        "adagrad": keras.optimizers.Adagrad,
    }
    return classes[key](learning_rate=float(learning_rate))


def _units_tuple(units: int | Sequence[int], what: str = "units") -> tuple[int, ...]:
    values = (units,) if isinstance(units, (int, np.integer)) else tuple(units)
    if not values or any(int(u) != u or u <= 0 for u in values):
        raise ValueError(f"{what} must be a positive int or a non-empty tuple of them, got {units}")
    return tuple(int(u) for u in values)


def _check_dropout(dropout: float) -> float:
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {dropout}")
    return float(dropout)


def _check_heads(heads: Sequence[str]) -> tuple[str, ...]:
    heads = (heads,) if isinstance(heads, str) else tuple(heads)
    if not heads or len(set(heads)) != len(heads):
        raise ValueError(f"heads must be distinct names, e.g. ('onset', 'offset'); got {heads}")
    for head in heads:
        if not str(head).isidentifier():
            raise ValueError(f"head names must be identifiers (used as layer names), got {head!r}")
    return heads


def _check_length(length: int | None, allow_none: bool = False) -> int | None:
    if length is None and allow_none:
        return None
    if length is None or int(length) != length or length <= 0:
        raise ValueError(f"length must be a positive number of time steps, got {length}")
    return int(length)


def _recurrent(units: int, bidirectional: bool, return_sequences: bool, dropout: float,
               name: str) -> Any:
    import keras

    lstm = keras.layers.LSTM(units, return_sequences=return_sequences, dropout=dropout,
                             name=name if not bidirectional else f"{name}_lstm")
    if bidirectional:
        return keras.layers.Bidirectional(lstm, name=name)
    return lstm


def _softmax_over_time(scores: Any, length: int, name: str) -> Any:
    """``(n, length, 1)`` scores -> ``(n, length)`` distribution over time steps."""
    import keras

    flat = keras.layers.Reshape((length,), name=f"{name}_scores")(scores)
    return keras.layers.Softmax(axis=-1, name=name)(flat)


def _compile_boundary(model: Any, heads: tuple[str, ...], optimizer: str,
                      learning_rate: float) -> Any:
    import keras

    model.compile(
        optimizer=make_optimizer(optimizer, learning_rate),
        loss={head: keras.losses.CategoricalCrossentropy(name=f"{head}_loss") for head in heads},
    )
    return model


# ---------------------------------------------------------------- lesson 02: regression


def learner_lstm(
    length: int = 200,
    channels: int = 2,
    units: int | Sequence[int] = (64, 256, 100),
    dropout: float = 0.1,
    optimizer: str = "rmsprop",
    learning_rate: float = 1e-3,
    output_bias: Sequence[float] | None = None,
) -> Any:
    """The learner's stacked LSTM: last hidden state -> ``Dense(2)`` ``[onset, offset]``, MSE.

    With the defaults this is exactly the model from the story: LSTM(64) ->
    LSTM(256) -> LSTM(100) (each ``dropout=0.1``, all but the last returning
    sequences) -> Dense(2), linear, MSE loss, RMSprop. ``units`` sets the number
    of layers. Lesson 02 trains it on ``[time_ms, voltage]`` beats to reproduce
    the collapse to one constant prediction, then changes one thing at a time.
    ``output_bias``: the starting bias of the ``Dense(2)`` (``None``: zeros, as
    Keras starts it); lesson 02 starts some runs at the training mean of the
    targets to skip the long walk there (a *fast-forward*, said where used). The
    model also logs the mean of each output (``onset_mean_prediction``,
    ``offset_mean_prediction``), so a history shows how far the answers move per
    epoch.

    >>> count_params(learner_lstm())                  # the story's model
    488858
    >>> small = learner_lstm(units=(4,))
    >>> [layer.name for layer in small.layers], small.output_shape
    (['beats', 'lstm_1', 'onset_offset'], (None, 2))
    >>> import numpy as np
    >>> at_mean = learner_lstm(length=10, units=(4,), output_bias=(82.5, 107.0))
    >>> at_mean.predict(np.zeros((1, 10, 2)), verbose=0).round(1)    # zero input: the bias
    array([[ 82.5, 107. ]], dtype=float32)
    """
    import keras

    length = _check_length(length)
    sizes = _units_tuple(units)
    dropout = _check_dropout(dropout)
    inputs = keras.Input((length, channels), name="beats")
    h = inputs
    return _last_state_regression(inputs, h, sizes, dropout, optimizer, learning_rate,
                                  "learner_lstm", output_bias)


def learner_conv_lstm(
    length: int = 200,
    channels: int = 2,
    conv_filters: int | Sequence[int] = 64,
    kernel_size: int = 5,
    pool_size: int = 2,
    units: int | Sequence[int] = 100,
    dropout: float = 0.1,
    optimizer: str = "rmsprop",
    learning_rate: float = 1e-3,
    output_bias: Sequence[float] | None = None,
) -> Any:
    """Conv1D + MaxPooling front end, LSTM(s), last state -> ``Dense(2)`` regression, MSE.

    The other variant the learner tried in lesson 02: a convolution in front does
    not help while the question (regress one number from the last state, on raw
    scales) stays the same. ``output_bias`` as in :func:`learner_lstm`.

    >>> model = learner_conv_lstm(conv_filters=4, units=4)
    >>> [layer.name for layer in model.layers], count_params(model)
    (['beats', 'conv_1', 'pool', 'lstm_1', 'onset_offset'], 198)
    """
    import keras

    length = _check_length(length)
    filters = _units_tuple(conv_filters, "conv_filters")
    sizes = _units_tuple(units)
    dropout = _check_dropout(dropout)
    inputs = keras.Input((length, channels), name="beats")
    h = inputs
    for i, f in enumerate(filters):
        h = keras.layers.Conv1D(f, kernel_size, padding="same", activation="relu",
                                name=f"conv_{i + 1}")(h)
    if pool_size > 1:
        h = keras.layers.MaxPooling1D(pool_size, name="pool")(h)
    return _last_state_regression(inputs, h, sizes, dropout, optimizer, learning_rate,
                                  "learner_conv_lstm", output_bias)


def onset_mean_prediction(y_true: Any, y_pred: Any) -> Any:
    """Keras metric: the mean onset answer of a ``[onset, offset]`` regression (its walk)."""
    from keras import ops

    return ops.mean(y_pred[:, 0])


def offset_mean_prediction(y_true: Any, y_pred: Any) -> Any:
    """Keras metric: the mean offset answer of a ``[onset, offset]`` regression."""
    from keras import ops

    return ops.mean(y_pred[:, 1])


#: Functions a saved ``.keras`` model of this module refers to by name (for loading it).
CUSTOM_OBJECTS: dict[str, Callable[[Any, Any], Any]] = {
    "onset_mean_prediction": onset_mean_prediction,
    "offset_mean_prediction": offset_mean_prediction,
}


def _last_state_regression(inputs: Any, h: Any, sizes: tuple[int, ...], dropout: float,
                           optimizer: str, learning_rate: float, name: str,
                           output_bias: Sequence[float] | None = None) -> Any:
    """Stacked LSTMs (only the last returns its last state) -> ``Dense(2)``, MSE: the learner's."""
    import keras

    for i, size in enumerate(sizes):
        last = i == len(sizes) - 1
        h = keras.layers.LSTM(size, dropout=dropout, return_sequences=not last,
                              name=f"lstm_{i + 1}")(h)
    bias = "zeros"
    if output_bias is not None:
        values = [float(v) for v in output_bias]
        if len(values) != 2 or not all(math.isfinite(v) for v in values):
            raise ValueError(f"output_bias must be two finite numbers [onset, offset], "
                             f"got {output_bias!r}")
        bias = keras.initializers.Constant(values)
    outputs = keras.layers.Dense(2, bias_initializer=bias, name="onset_offset")(h)
    model = keras.Model(inputs, outputs, name=name)
    metrics = ["mae", onset_mean_prediction, offset_mean_prediction]
    model.compile(optimizer=make_optimizer(optimizer, learning_rate), loss="mse",
                  metrics=metrics)
    return model


# ----------------------------------------------------- lesson 03: classify over time


def boundary_classifier(
    length: int = 200,
    channels: int = 1,
    units: int = 32,
    layers: int = 1,
    bidirectional: bool = True,
    dropout: float = 0.0,
    heads: Sequence[str] = BOUNDARY_HEADS,
    optimizer: str = "adam",
    learning_rate: float = 3e-3,
) -> Any:
    """All hidden states -> one score per time step per head -> softmax over time.

    ``layers`` (Bi)LSTM layers return every hidden state; a shared-over-time
    ``Dense(1)`` per head scores each step, and a softmax over the time axis turns
    the scores into a distribution over positions. Output: a dict
    ``{head: (n, length)}`` whose rows sum to 1; loss: categorical cross-entropy
    per head against :func:`ecgteach.beats.targets.boundary_targets` rows (summed over
    heads). ``heads=("onset",)`` or ``("offset",)`` builds one of the "two separate
    networks". Lesson 03 uses it to show that asking *where* (classification over
    time) instead of *how much* (regression) removes the collapse.

    >>> onset_only = boundary_classifier(length=50, units=4, heads=("onset",))
    >>> [layer.name for layer in onset_only.layers]
    ['beats', 'recurrent_1', 'onset_step_score', 'onset_scores', 'onset']
    >>> count_params(onset_only), count_params(boundary_classifier())
    (201, 8834)
    """
    import keras

    length = _check_length(length)
    heads = _check_heads(heads)
    dropout = _check_dropout(dropout)
    if layers < 1:
        raise ValueError(f"layers must be >= 1, got {layers}")
    inputs = keras.Input((length, channels), name="beats")
    h = inputs
    for i in range(layers):
        h = _recurrent(units, bidirectional, True, dropout, f"recurrent_{i + 1}")(h)
    outputs = {
        head: _softmax_over_time(keras.layers.Dense(1, name=f"{head}_step_score")(h), length,
                                 head)
        for head in heads
    }
    model = keras.Model(inputs, outputs, name="boundary_classifier")
    return _compile_boundary(model, heads, optimizer, learning_rate)


def boundary_classifier_last_state(
    length: int = 200,
    channels: int = 1,
    units: int = 32,
    layers: int = 1,
    bidirectional: bool = True,
    dropout: float = 0.0,
    heads: Sequence[str] = BOUNDARY_HEADS,
    optimizer: str = "adam",
    learning_rate: float = 3e-3,
) -> Any:
    """Only the last hidden state -> ``Dense(length)`` -> softmax over positions, per head.

    Same question, inputs, outputs (dict ``{head: (n, length)}``) and loss as
    :func:`boundary_classifier`, but the position must be squeezed through one
    ``units``-sized state. Lesson 03 trains both side by side: all states vs the
    last state.

    >>> count_params(boundary_classifier_last_state())   # vs 8834 with all states
    34704
    >>> model = boundary_classifier_last_state(length=50, units=4)
    >>> [layer.name for layer in model.layers]
    ['beats', 'recurrent_1', 'offset', 'onset']
    """
    import keras

    length = _check_length(length)
    heads = _check_heads(heads)
    dropout = _check_dropout(dropout)
    if layers < 1:
        raise ValueError(f"layers must be >= 1, got {layers}")
    inputs = keras.Input((length, channels), name="beats")
    h = inputs
    for i in range(layers):
        last = i == layers - 1
        h = _recurrent(units, bidirectional, not last, dropout, f"recurrent_{i + 1}")(h)
    outputs = {
        head: keras.layers.Dense(length, activation="softmax", name=head)(h) for head in heads
    }
    model = keras.Model(inputs, outputs, name="boundary_classifier_last_state")
    return _compile_boundary(model, heads, optimizer, learning_rate)


def flattened_states(
    length: int = 200,
    channels: int = 1,
    units: int | Sequence[int] = 16,
    dense_units: int | Sequence[int] = 64,
    target: str = "regression",
    heads: Sequence[str] = BOUNDARY_HEADS,
    dropout: float = 0.0,
    optimizer: str = "adam",
    learning_rate: float = 1e-3,
) -> Any:
    """The forum answer: small LSTM returning all states -> Flatten -> Dense layers.

    ``units`` (int or tuple: stacked layers, all returning sequences, the last one
    small) feed ``Flatten`` (``length * units[-1]`` features) and ``dense_units``
    ReLU layers. ``target="regression"``: ``Dense(2)`` linear ``[onset, offset]``
    with MSE; ``target="classification"``: one ``Dense(length)`` softmax per head,
    dict output as in :func:`boundary_classifier`. Lesson 03 uses it to show that
    the suggestion works because every state reaches the output.

    >>> flattened_states(length=50, units=4, dense_units=8).output_shape
    (None, 2)
    >>> import numpy as np
    >>> model = flattened_states(length=50, units=4, dense_units=8, target="classification")
    >>> {head: tuple(p.shape) for head, p in model(np.zeros((3, 50, 1))).items()}
    {'onset': (3, 50), 'offset': (3, 50)}
    """
    import keras

    length = _check_length(length)
    sizes = _units_tuple(units)
    dense_sizes = _units_tuple(dense_units, "dense_units") if dense_units else ()
    dropout = _check_dropout(dropout)
    if target not in ("regression", "classification"):
        raise ValueError(f"target must be 'regression' or 'classification', got {target!r}")
    inputs = keras.Input((length, channels), name="beats")
    h = inputs
    for i, size in enumerate(sizes):
        h = keras.layers.LSTM(size, return_sequences=True, dropout=dropout,
                              name=f"lstm_{i + 1}")(h)
    h = keras.layers.Flatten(name="flatten")(h)
    for i, size in enumerate(dense_sizes):
        h = keras.layers.Dense(size, activation="relu", name=f"dense_{i + 1}")(h)
    if target == "regression":
        outputs = keras.layers.Dense(2, name="onset_offset")(h)
        model = keras.Model(inputs, outputs, name="flattened_states")
        model.compile(optimizer=make_optimizer(optimizer, learning_rate), loss="mse",
                      metrics=["mae"])
        return model
    heads = _check_heads(heads)
    outputs = {
        head: keras.layers.Dense(length, activation="softmax", name=head)(h) for head in heads
    }
    model = keras.Model(inputs, outputs, name="flattened_states")
    return _compile_boundary(model, heads, optimizer, learning_rate)


#: Readouts of :func:`readout_model`: what leaves the LSTM, and what question is asked of it.
READOUTS: tuple[str, ...] = ("last_state", "all_states")
TASKS: tuple[str, ...] = ("regression", "classification")


def readout_model(
    length: int = 200,
    channels: int = 1,
    units: int = 32,
    bidirectional: bool = False,
    readout: str = "all_states",
    task: str = "classification",
    heads: Sequence[str] = BOUNDARY_HEADS,
    optimizer: str = "adam",
    learning_rate: float = 3e-3,
) -> Any:
    """One recurrent body, four readouts: lesson 03's matched comparison.

    The body is one ``LSTM(units)`` over the beat (``bidirectional=True``: a
    ``Bidirectional`` one). Only the readout changes:

    * ``last_state`` + ``regression``: ``Dense(2)`` on the last hidden state, MSE
      (the learner's question);
    * ``all_states`` + ``regression``: every hidden state, flattened, ``Dense(2)``, MSE
      (the forum answer's "use all hidden states");
    * ``last_state`` + ``classification``: ``Dense(length)`` + softmax over the
      positions, per head, from the last state;
    * ``all_states`` + ``classification``: ``Dense(1)`` shared over time scores
      each step, softmax over time, per head (lessons 03-04).

    Regressions output ``(n, 2)``; classifications a dict ``{head: (n, length)}``
    (cross-entropy against :func:`ecgteach.beats.boundary_targets` rows).

    >>> shapes = {}
    >>> for readout in READOUTS:
    ...     for task in TASKS:
    ...         model = readout_model(length=50, units=4, readout=readout, task=task)
    ...         out = model.output
    ...         shapes[readout, task] = (tuple(out.shape) if task == "regression"
    ...                                  else tuple(out["onset"].shape))
    >>> shapes[("last_state", "regression")], shapes[("all_states", "classification")]
    ((None, 2), (None, 50))
    """
    import keras

    if readout not in READOUTS:
        raise ValueError(f"readout must be one of {READOUTS}, got {readout!r}")
    if task not in TASKS:
        raise ValueError(f"task must be one of {TASKS}, got {task!r}")
    length = _check_length(length)
    heads = _check_heads(heads)
    every = readout == "all_states"
    inputs = keras.Input((length, channels), name="beats")
    h = _recurrent(units, bidirectional, every, 0.0, "recurrent")(inputs)
    name = f"{readout}_{task}"
    if task == "regression":
        if every:
            h = keras.layers.Flatten(name="all_states")(h)
        model = keras.Model(inputs, keras.layers.Dense(2, name="onset_offset")(h), name=name)
        model.compile(optimizer=make_optimizer(optimizer, learning_rate), loss="mse",
                      metrics=["mae"])
        return model
    if every:
        outputs = {head: _softmax_over_time(keras.layers.Dense(1, name=f"{head}_step_score")(h),
                                            length, head) for head in heads}
    else:
        outputs = {head: keras.layers.Dense(length, activation="softmax", name=head)(h)
                   for head in heads}
    return _compile_boundary(keras.Model(inputs, outputs, name=name), heads, optimizer,
                             learning_rate)


# ------------------------------------------------------------- lesson 04: segmentation


def segmenter(
    length: int | None = None,
    channels: int = 1,
    conv_filters: Sequence[int] | None = (16, 32),
    kernel_size: int = 9,
    pool_size: int = 4,
    lstm_units: int = 32,
    lstm_layers: int = 1,
    bidirectional: bool = True,
    decoder_filters: int | None = 32,
    decoder_kernel_size: int | None = None,
    upsampling: str = "repeat",
    n_classes: int = 4,
    dropout: float = 0.1,
    optimizer: str = "adam",
    learning_rate: float = 3e-3,
) -> Any:
    """Full-sequence (Bi)LSTM labelling every sample background / P / QRS / T.

    Layout: ``conv_filters`` Conv1D layers (ReLU, ``kernel_size``) -> MaxPooling1D
    (``pool_size``) -> ``lstm_layers`` (Bi)LSTM(``lstm_units``) over the pooled
    sequence -> Dropout -> UpSampling1D back to the input rate -> concatenated
    with the full-rate conv features (a skip connection, so boundaries are not
    quantised to ``pool_size`` samples) -> Conv1D(``decoder_filters``,
    ``decoder_kernel_size``, default ``kernel_size``; the costliest layer) -> Dense
    softmax over ``n_classes`` per sample. With the defaults: ~49k parameters,
    meant for z-scored single-lead windows at 250 Hz (2 s = 500 samples).

    ``upsampling="learned"`` replaces the repeat-and-convolve decoder by a learned
    upsampling: at the pooled rate a Conv1D (kernel 3) writes ``decoder_filters``
    features for each of the ``pool_size`` samples a step covers (a sub-pixel
    convolution), laid out sample by sample and added to a Conv1D of the skip
    features, then ReLU. Repeating is the special case where every sample of a
    step gets the same weights. Cross-validated on LUDB it was no more accurate than
    repeating, and :func:`pooled_rate_decoder` gives the repeating decoder the same
    speed, so the shipped segmenter repeats.

    ``conv_filters=None`` drops the front end (and pooling): the LSTM reads raw
    samples.

    Input length: ``length=None`` accepts any length at call time, but with
    pooling it **must be a multiple of** ``pool_size`` (500 and 2500 are multiples
    of 4; pad or crop otherwise); a fixed ``length`` is checked here.

    Loss: sparse categorical cross-entropy on integer labels
    (``WindowSet.labels``), ``reduction="mean_with_sample_weight"`` and
    ``ignore_class=-1``: fit with ``sample_weight=windows.valid`` (shape
    ``(n, length)``), which Keras 3 applies per time step, so unlabelled samples
    add nothing and the loss is the mean over labelled samples. The metric
    ``accuracy`` is weighted the same way. Lesson 04 trains it on LUDB windows.

    >>> count_params(segmenter())
    49252
    >>> model = segmenter(length=500, conv_filters=(4, 4), lstm_units=4)
    >>> model.output_shape, count_params(model)
    ((None, 500, 4), 4096)
    >>> [layer.name for layer in model.layers]
    ['signal', 'conv_1', 'conv_2', 'pool', 'recurrent_1', 'dropout', 'upsample', 'skip',
     'decoder', 'segments']
    >>> segmenter(length=502)
    Traceback (most recent call last):
    ...
    ValueError: length 502 is not a multiple of pool_size 4: pad or crop the windows, ...
    """
    import keras

    length = _check_length(length, allow_none=True)
    dropout = _check_dropout(dropout)
    filters = _units_tuple(conv_filters, "conv_filters") if conv_filters else ()
    pool = int(pool_size) if filters else 1
    if pool < 1:
        raise ValueError(f"pool_size must be >= 1, got {pool_size}")
    if length is not None and length % pool:
        raise ValueError(
            f"length {length} is not a multiple of pool_size {pool}: pad or crop the windows, "
            "or change pool_size"
        )
    if upsampling not in ("repeat", "learned"):
        raise ValueError(f"upsampling must be 'repeat' or 'learned', got {upsampling!r}")
    if lstm_layers < 1 or n_classes < 2:
        raise ValueError(f"need lstm_layers >= 1 and n_classes >= 2, got {lstm_layers}, "
                         f"{n_classes}")
    inputs = keras.Input((length, channels), name="signal")
    h = inputs
    for i, f in enumerate(filters):
        h = keras.layers.Conv1D(f, kernel_size, padding="same", activation="relu",
                                name=f"conv_{i + 1}")(h)
    skip = h
    if pool > 1:
        h = keras.layers.MaxPooling1D(pool, name="pool")(h)
    for i in range(lstm_layers):
        h = _recurrent(lstm_units, bidirectional, True, 0.0, f"recurrent_{i + 1}")(h)
    if dropout:
        h = keras.layers.Dropout(dropout, name="dropout")(h)
    if upsampling == "learned" and pool > 1 and filters and decoder_filters:
        h = _learned_upsampling(h, skip, decoder_filters, pool, decoder_kernel_size or kernel_size)
    else:
        if pool > 1:
            h = keras.layers.UpSampling1D(pool, name="upsample")(h)
        if filters:
            h = keras.layers.Concatenate(name="skip")([h, skip])
            if decoder_filters:
                h = keras.layers.Conv1D(decoder_filters, decoder_kernel_size or kernel_size,
                                        padding="same", activation="relu", name="decoder")(h)
    outputs = keras.layers.Dense(n_classes, activation="softmax", name="segments")(h)
    model = keras.Model(inputs, outputs, name="segmenter")
    model.compile(
        optimizer=make_optimizer(optimizer, learning_rate),
        loss=keras.losses.SparseCategoricalCrossentropy(
            ignore_class=-1, reduction="mean_with_sample_weight"
        ),
        weighted_metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")],
    )
    return model


def _learned_upsampling(states: Any, skip: Any, filters: int, pool: int,
                        skip_kernel_size: int) -> Any:
    """Each pooled step writes its own ``pool`` samples (a sub-pixel convolution over the
    step and its two neighbours: ``filters`` features per sample), added to a Conv1D of
    the skip features, then ReLU."""
    import keras

    h = keras.layers.Conv1D(filters * pool, 3, padding="same", name="upsample_conv")(states)
    h = keras.layers.Reshape((-1, filters), name="upsample")(h)
    skip = keras.layers.Conv1D(filters, skip_kernel_size, padding="same", name="skip_conv")(skip)
    h = keras.layers.Add(name="skip")([h, skip])
    return keras.layers.Activation("relu", name="decoder")(h)


def pooled_rate_decoder(model: Any) -> Any:
    """The same segmenter with the LSTM half of its decoder run at the pooled rate.

    :func:`segmenter`'s decoder convolves the upsampled LSTM states, and
    upsampling repeats each state ``pool_size`` times. A convolution over repeated
    samples is a convolution over the pooled sequence with one kernel per phase
    (which of the ``pool_size`` samples of a step the output sits on): each phase's
    kernel sums the taps that land on the same step. So the same function runs
    with that part of the decoder's multiply-adds at the pooled rate, about a
    third fewer in all for the default segmenter. Exact up to float rounding. The
    phase kernels are summed from the decoder's own weights at every call, so the
    two models share every weight: training one trains the other. A model of
    another layout comes back unchanged.

    >>> import numpy as np
    >>> model = segmenter(conv_filters=(4, 4), pool_size=5, lstm_units=4, decoder_filters=3,
    ...                   dropout=0.0)
    >>> fast = pooled_rate_decoder(model)
    >>> x = np.random.default_rng(0).normal(size=(2, 500, 1)).astype("float32")
    >>> bool(np.abs(np.asarray(fast(x)) - np.asarray(model(x))).max() < 1e-5)
    True
    >>> count_params(fast) == count_params(model), pooled_rate_decoder(fast) is fast
    (True, True)
    """
    names = {layer.name for layer in getattr(model, "layers", ())}
    if not {"upsample", "skip", "decoder", "segments"} <= names:
        return model
    import keras

    upsample, joined = model.get_layer("upsample"), model.get_layer("skip")
    decoder = model.get_layer("decoder")
    if not (isinstance(upsample, keras.layers.UpSampling1D)
            and isinstance(joined, keras.layers.Concatenate)
            and joined.input[0] is upsample.output
            and isinstance(decoder, keras.layers.Conv1D)
            and decoder.padding == "same" and decoder.kernel_size[0] % 2 == 1
            and tuple(decoder.strides) == (1,) and tuple(decoder.dilation_rate) == (1,)
            and decoder.use_bias and decoder.activation is keras.activations.relu):
        return model
    states, skip = upsample.input, joined.input[1]
    out = _pooled_rate_conv_class()(decoder, int(upsample.size), int(states.shape[-1]),
                                    name="pooled_rate_decoder")([states, skip])
    return keras.Model(model.input, model.get_layer("segments")(out), name=model.name)


@functools.cache
def _pooled_rate_conv_class() -> type:
    """The Keras layer behind :func:`pooled_rate_decoder` (defined on first use: TF loads late)."""
    import keras
    from keras import ops

    class PooledRateConv(keras.layers.Layer):
        """``decoder``'s Conv1D + ReLU over ``[repeat(states, pool), skip]``, from its weights."""

        def __init__(self, decoder: Any, pool: int, n_states: int, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.decoder, self.pool, self.n_states = decoder, pool, n_states
            taps = decoder.kernel_size[0]
            reach = taps // 2                   # taps -reach..reach around each sample
            self.side = -(-reach // pool)       # pooled steps on each side a tap can reach
            # tap k of phase p reads the state of pooled step (p + k - reach) // pool
            lands = np.zeros((pool, taps, 2 * self.side + 1), dtype="float32")
            for phase in range(pool):
                for tap in range(taps):
                    lands[phase, tap, (phase + tap - reach) // pool + self.side] = 1.0
            self.lands = lands

        def call(self, inputs: Any) -> Any:
            states, skip = inputs
            kernel, filters = self.decoder.kernel, self.decoder.filters
            phases = ops.einsum("pks,kcf->scpf", ops.convert_to_tensor(self.lands),
                                kernel[:, : self.n_states])
            phases = ops.reshape(phases, (2 * self.side + 1, self.n_states, self.pool * filters))
            upsampled = ops.conv(states, phases, padding="same")   # (batch, steps, pool * F)
            upsampled = ops.reshape(upsampled, (ops.shape(upsampled)[0], -1, filters))
            out = upsampled + ops.conv(skip, kernel[:, self.n_states :], padding="same")
            return ops.relu(out + self.decoder.bias)

        def compute_output_shape(self, input_shapes: Any) -> tuple:
            return (*input_shapes[1][:2], self.decoder.filters)

    return PooledRateConv


def count_params(model: Any, trainable_only: bool = False) -> int:
    """Number of parameters (all, or only trainable ones) of a built model.

    Lessons print it next to each model so learners compare sizes (the learner's
    LSTM has ~490k parameters, the segmenter ~49k).

    >>> model = segmenter(conv_filters=(4, 4), lstm_units=4)
    >>> count_params(model), count_params(model, trainable_only=True)
    (4096, 4096)
    """
    weights = model.trainable_weights if trainable_only else model.weights
    return int(sum(int(np.prod(w.shape)) for w in weights))
