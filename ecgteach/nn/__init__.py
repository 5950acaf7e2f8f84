"""Neural models: Keras builders, training (fit, seeds, stop button), a model cache, inference.

TensorFlow is imported only when a model is built, trained or run.

>>> import numpy as np
>>> from ecgteach.nn import count_params, predict_fn, segmenter
>>> model = segmenter(conv_filters=(4, 4), lstm_units=4)     # a tiny, untrained segmenter
>>> count_params(model), predict_fn(model)(np.zeros((1, 500, 1))).shape
(4096, (1, 500, 4))
"""

from ecgteach.nn.cache import (
    CacheMode,
    cache_key,
    cached_fit,
    clear_model_cache,
    model_cache_dir,
    shipped_models_dir,
)
from ecgteach.nn.fitting import (
    FitResult,
    Stopper,
    configure_threads,
    fit,
    plateau_reached,
    set_seed,
    time_budget,
)
from ecgteach.nn.models import (
    BOUNDARY_HEADS,
    OPTIMIZERS,
    boundary_classifier,
    boundary_classifier_last_state,
    count_params,
    flattened_states,
    learner_conv_lstm,
    learner_lstm,
    make_optimizer,
    pooled_rate_decoder,
    readout_model,
    segmenter,
)
from ecgteach.nn.predict import FastPredictor, predict_fn, predict_probabilities

__all__ = [
    "plateau_reached",
    "BOUNDARY_HEADS",
    "OPTIMIZERS",
    "boundary_classifier",
    "boundary_classifier_last_state",
    "cache_key",
    "cached_fit",
    "CacheMode",
    "clear_model_cache",
    "configure_threads",
    "count_params",
    "FastPredictor",
    "fit",
    "FitResult",
    "flattened_states",
    "readout_model",
    "learner_conv_lstm",
    "learner_lstm",
    "make_optimizer",
    "model_cache_dir",
    "predict_fn",
    "pooled_rate_decoder",
    "predict_probabilities",
    "segmenter",
    "set_seed",
    "shipped_models_dir",
    "Stopper",
    "time_budget",
]
