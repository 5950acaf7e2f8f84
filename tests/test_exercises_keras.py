"""The exercises that build or run a Keras model: 02.4, 03.1, 04.3, 05.2, 05.3.

Right answers pass and each usual mistake gets its hint, as in
``test_exercises.py``; the models are tiny (or the shipped segmenter), so each
test takes seconds.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from test_exercises import hint, passes

import ecgteach
from ecgteach.nn import segmenter

# --------------------------------------------------------------------------- 02.4


def stacked_lstm(length, channels, units):
    layers = [keras.layers.LSTM(size, return_sequences=i < len(units) - 1)
              for i, size in enumerate(units)]
    model = keras.Sequential([keras.Input((length, channels)), *layers, keras.layers.Dense(2)])
    model.compile(optimizer="rmsprop", loss="mse")
    return model


def stacked_lstm_functional(length, channels, units):
    inputs = keras.Input((length, channels))
    h = inputs
    for i, size in enumerate(units):
        h = keras.layers.LSTM(size, return_sequences=i < len(units) - 1)(h)
        h = keras.layers.Dropout(0.1)(h)
    model = keras.Model(inputs, keras.layers.Dense(2)(h))
    model.compile(optimizer="adam", loss="mse")
    return model


def test_02_4_the_learners_stacked_lstm():
    assert passes("02.4", stacked_lstm)
    assert passes("02.4", stacked_lstm_functional)

    def all_sequences(length, channels, units):
        layers = [keras.layers.LSTM(size, return_sequences=True) for size in units]
        model = keras.Sequential([keras.Input((length, channels)), *layers,
                                  keras.layers.Dense(2)])
        model.compile(optimizer="rmsprop", loss="mse")
        return model

    message = hint("02.4", all_sequences)
    assert "output shape is (None, 10, 2)" in message and "return_sequences=False" in message

    def no_sequences(length, channels, units):
        layers = [keras.layers.LSTM(size) for size in units]
        return keras.Sequential([keras.Input((length, channels)), *layers,
                                 keras.layers.Dense(2)])

    message = hint("02.4", no_sequences)
    assert message.startswith("your function raised") and "needs return_sequences=True" in message

    def flattened(length, channels, units):
        layers = [keras.layers.LSTM(size, return_sequences=True) for size in units]
        model = keras.Sequential([keras.Input((length, channels)), *layers,
                                  keras.layers.Flatten(), keras.layers.Dense(2)])
        model.compile(optimizer="rmsprop", loss="mse")
        return model

    assert "reads every hidden state" in hint("02.4", flattened)

    def not_compiled(length, channels, units):
        layers = [keras.layers.LSTM(size, return_sequences=i < len(units) - 1)
                  for i, size in enumerate(units)]
        return keras.Sequential([keras.Input((length, channels)), *layers, keras.layers.Dense(2)])

    assert "not compiled" in hint("02.4", not_compiled)

    def no_input(length, channels, units):
        layers = [keras.layers.LSTM(size, return_sequences=i < len(units) - 1)
                  for i, size in enumerate(units)]
        return _compiled(keras.Sequential([*layers, keras.layers.Dense(2)]))

    assert "no input yet" in hint("02.4", no_input)
    assert "should follow units=(6, 4, 3)" in hint(
        "02.4", lambda length, channels, units: stacked_lstm(length, channels, (64, 256, 100)))
    assert "time steps first" in hint(
        "02.4", lambda length, channels, units: stacked_lstm(channels, length, units))

    def relu_output(length, channels, units):
        model = stacked_lstm(length, channels, units)
        head = keras.Sequential([keras.Input((length, channels)), *model.layers[:-1],
                                 keras.layers.Dense(2, activation="relu")])
        head.compile(optimizer="rmsprop", loss="mse")
        return head

    assert "leave it linear" in hint("02.4", relu_output)
    assert "return the Keras model" in hint("02.4", lambda *a: "model")
    assert "end with keras.layers.Dense(2)" in hint(
        "02.4", lambda length, channels, units: _compiled(keras.Sequential(
            [keras.Input((length, channels)), *stacked_lstm(length, channels, units).layers[:-1],
             keras.layers.Dense(3)])))


def _compiled(model):
    model.compile(optimizer="rmsprop", loss="mse")
    return model


# --------------------------------------------------------------------------- 03.1


def softmax_over_time(scores):
    flat = keras.layers.Reshape((scores.shape[1],))(scores)
    return keras.layers.Softmax(axis=-1)(flat)


def test_03_1_softmax_over_time():
    assert passes("03.1", softmax_over_time)
    assert passes("03.1", lambda s: keras.ops.softmax(keras.ops.squeeze(s, axis=-1), axis=1))
    assert "all ones" in hint("03.1", lambda s: keras.layers.Softmax(axis=-1)(s))
    assert "squeeze the last axis" in hint("03.1", lambda s: keras.layers.Softmax(axis=1)(s))
    assert "no softmax" in hint("03.1", lambda s: keras.layers.Reshape((s.shape[1],))(s))
    assert "over the batch" in hint(
        "03.1", lambda s: keras.ops.softmax(keras.ops.squeeze(s, axis=-1), axis=0))
    assert "sigmoid" in hint("03.1", lambda s: keras.activations.sigmoid(
        keras.layers.Reshape((s.shape[1],))(s)))
    assert "could not build keras.Model" in hint("03.1", lambda s: np.ones((3, 9)))
    message = hint("03.1", lambda s: keras.layers.Softmax()(keras.layers.Reshape((200,))(s)))
    assert "scores.shape[1] (9 here)" in message and "\x1b" not in message


# --------------------------------------------------------------------------- 04.3


@pytest.fixture(scope="module")
def lead_ii_project():
    """The shipped segmenter standing in for a student's lead ii model, 2 validation patients."""
    records = list(ecgteach.split_patients(seed=0)["val"][:2])
    info = SimpleNamespace(config=SimpleNamespace(val_records=records, training_leads=["ii"]))
    model = ecgteach.load_segmenter()
    scored = ecgteach.score_delineator(model, records, ["v1", "ii"])
    onsets = {lead: scored.by_lead[lead].scores()["QRS onset"] for lead in ("v1", "ii")}
    return model, info, onsets, scored.pooled.scores()["QRS onset"]


def test_04_3_the_lead_ii_mini_project(lead_ii_project):
    model, info, onsets, pooled = lead_ii_project
    sd = {lead: onsets[lead].sd_ms for lead in onsets}
    assert sd["v1"] != sd["ii"]
    assert passes("04.3", sd, model=model, info=info)
    assert passes("04.3", {"V1": np.float32(sd["v1"]), "II": sd["ii"] + 0.04}, model=model,
                  info=info)
    assert passes("04.3", (sd["v1"], sd["ii"]), model=model, info=info)
    assert "swapped" in hint("04.3", (sd["ii"], sd["v1"]), model=model, info=info)
    assert "mean errors" in hint("04.3", {lead: onsets[lead].mean_ms for lead in onsets},
                                 model=model, info=info)
    assert "pools both leads" in hint("04.3", {"v1": pooled.sd_ms, "ii": pooled.sd_ms},
                                      model=model, info=info)
    assert "train the model first" in hint("04.3", sd)
    all_leads = SimpleNamespace(config=SimpleNamespace(val_records=info.config.val_records,
                                                       training_leads=ecgteach.LUDB_LEADS))
    assert "lead ii only" in hint("04.3", sd, model=model, info=all_leads)
    assert "{'v1': sd_v1, 'ii': sd_ii}" in hint("04.3", 3.0, model=model, info=info)


def test_04_3_scoring_another_model_or_the_test_patients(lead_ii_project):
    shipped, info, onsets, _ = lead_ii_project
    tiny = segmenter(conv_filters=(4,), lstm_units=4, decoder_filters=4)  # untrained
    shipped_sd = {lead: onsets[lead].sd_ms for lead in onsets}
    assert "not the shipped one" in hint("04.3", shipped_sd, model=tiny, info=info)
    test = ecgteach.score_delineator(shipped, ecgteach.TEST_RECORDS, ["v1", "ii"], warm_up=False)
    test_sd = {lead: test.by_lead[lead].scores()["QRS onset"].sd_ms for lead in ("v1", "ii")}
    assert "the test patients" in hint("04.3", test_sd, model=shipped, info=info)


# ----------------------------------------------------------------------- 05.2, 05.3


def test_05_2_second_lead_of_a_qtdb_record():
    record = ecgteach.load_qtdb(ecgteach.bundled_qtdb_records()[0])
    scored = ecgteach.score_delineator(None, [record], list(record.leads[:2]))
    first, second = (scored.by_lead[lead].scores()["QRS onset"].sd_ms for lead in record.leads)
    assert passes("05.2", second)
    assert "the first" in hint("05.2", first)
    assert "score the second lead" in hint("05.2", second + 5)


def test_05_3_with_the_shipped_delineator():
    records = ecgteach.load_ludb(ecgteach.TEST_RECORDS[:4], leads=["ii"])
    delineator = ecgteach.Delineator()
    snrs = [20, -20]
    se = {snr: ecgteach.score_delineator(
        delineator, records, "ii", corrupt=lambda x, fs, snr=snr: ecgteach.add_noise(x, snr)
    ).pooled.scores()["QRS onset"].sensitivity for snr in snrs}
    below = [snr for snr in snrs if se[snr] < 99]
    assert below, se  # -20 dB: the noise is a hundred times the signal's power
    assert passes("05.3", max(below), records=records, delineator=delineator, snrs=snrs)


@pytest.mark.parametrize("exercise_id", ["02.4", "03.1"])
def test_a_keras_function_that_raises_or_is_a_stub_gets_feedback(exercise_id):
    def broken(*args):
        raise ValueError("my bug")

    def stub(*args):
        """Only the docstring: the student's version of the lesson's cell."""

    assert hint(exercise_id, broken).startswith("your function raised ValueError: my bug, on ")
    assert "returned None" in hint(exercise_id, stub)
