"""ecgteach.nn: fitting (determinism, early stopping, hooks, stop) and the model cache."""

from __future__ import annotations

import json
import os
import shutil
import threading
from functools import cache

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

keras = pytest.importorskip("keras")

import ecgteach
from ecgteach.beats import boundary_targets
from ecgteach.nn import (
    FitResult,
    Stopper,
    boundary_classifier,
    cache_key,
    cached_fit,
    clear_model_cache,
    fit,
    model_cache_dir,
    set_seed,
)


@cache
def data() -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """32 real LUDB lead-ii beats (voltage only) and Gaussian QRS-onset targets."""
    beats = ecgteach.make_seed_dataset(
        ecgteach.load_ludb(range(1, 21), leads=["ii"]), n_beats=32, voltage_only=True
    )
    return beats.x, {"onset": boundary_targets(beats.y[:, 0], beats.length, 2.0)}


def tiny_dense(seed: int = 0) -> keras.Model:
    """A fast model for the tests that exercise fit's machinery rather than an LSTM."""
    set_seed(seed)
    inputs = keras.Input((4,))
    model = keras.Model(inputs, keras.layers.Dense(1)(inputs))
    model.compile(keras.optimizers.SGD(0.05), loss="mse")
    return model


def linear_data(n: int = 64) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(n, 4)).astype(np.float32)
    return x, (x @ np.array([1.0, -2.0, 0.5, 3.0], np.float32))[:, None]


def lstm(**kwargs) -> keras.Model:
    """A one-head boundary classifier (one of the "two separate networks"), tiny."""
    return boundary_classifier(units=4, bidirectional=False, dropout=0.2,
                                      heads=("onset",), **kwargs)


# --------------------------------------------------------------------- determinism


def test_same_seed_same_weights_and_losses() -> None:
    x, y = data()
    runs = []
    for _ in range(2):
        set_seed(0)
        model = lstm()
        initial = [w.copy() for w in model.get_weights()]
        result = fit(model, x, y, epochs=2, batch_size=8, seed=0, progress=None)
        runs.append((initial, result, model.get_weights()))
    (init_a, res_a, final_a), (init_b, res_b, final_b) = runs
    for a, b in zip(init_a, init_b, strict=True):
        np.testing.assert_array_equal(a, b)
    assert res_a.history.keys() == res_b.history.keys() == {"loss"}
    for key in res_a.history:
        np.testing.assert_allclose(res_a.history[key], res_b.history[key], rtol=1e-6)
    for a, b in zip(final_a, final_b, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    assert res_a.epoch == [0, 1] and res_a.stopped == "completed" and res_a.model is not None


# ------------------------------------------------------------------ early stopping


def test_early_stopping_restores_the_best_weights() -> None:
    x, y = linear_data()
    model = tiny_dense()
    # validation targets are the opposite of the training ones: val_loss only gets worse
    result = fit(model, x, y, validation_data=(x, -y), epochs=50, batch_size=16,
                 early_stopping_patience=2, progress=None)
    assert result.stopped == "early_stopping"
    assert result.best_epoch == 0 and result.epochs_run == 3 and result.restored_best
    restored = model.evaluate(x, -y, verbose=0)
    assert restored == pytest.approx(result.history["val_loss"][0], rel=1e-5)
    with pytest.raises(ValueError, match="validation"):
        fit(tiny_dense(), x, y, early_stopping_patience=2, progress=None)


def test_plateau_stops_a_converged_run_and_keeps_its_last_weights() -> None:
    x, y = linear_data()
    model = tiny_dense()
    # SGD on an exactly linear problem: the validation loss falls fast, then sits at ~0
    result = fit(model, x, y, validation_data=(x, y), epochs=200, batch_size=16,
                 plateau_patience=3, plateau_tolerance=0.01, progress=None)
    losses = result.history["val_loss"]
    assert result.stopped == "plateau" and result.epochs_run < 200
    assert min(losses[-3:]) > 0.99 * min(losses[:-3])      # the criterion, as printed
    assert not any(min(losses[i - 3:i]) > 0.99 * min(losses[:i - 3])  # not met any earlier
                   for i in range(4, len(losses)))
    assert not result.restored_best
    assert model.evaluate(x, y, verbose=0) == pytest.approx(losses[-1], rel=1e-5)
    assert result.params["plateau_patience"] == 3


def test_plateau_needs_validation_and_sane_numbers() -> None:
    x, y = linear_data()
    with pytest.raises(ValueError, match="validation"):
        fit(tiny_dense(), x, y, plateau_patience=2, progress=None)
    with pytest.raises(ValueError, match="patience >= 1"):
        fit(tiny_dense(), x, y, validation_data=(x, y), plateau_patience=0, progress=None)
    with pytest.raises(ValueError, match="tolerance"):
        fit(tiny_dense(), x, y, validation_data=(x, y), plateau_patience=2,
            plateau_tolerance=1.5, progress=None)


# ------------------------------------------------------------- hooks and stopping


def test_on_epoch_hook_and_stop_within_one_epoch() -> None:
    x, y = linear_data()
    stopper = Stopper()
    seen = []

    def on_epoch(epoch: int, logs: dict[str, float]) -> None:
        seen.append((epoch, logs))
        if epoch == 1:
            stopper.stop()

    result = fit(tiny_dense(), x, y, validation_data=(x, y), epochs=50, batch_size=16,
                 callbacks=[on_epoch], stop_event=stopper)
    assert result.stopped == "stop_requested"
    assert result.epochs_run == 2 and [e for e, _ in seen] == [0, 1]
    assert set(seen[0][1]) == {"loss", "val_loss"} and isinstance(seen[0][1]["loss"], float)
    assert len(result.history["loss"]) == 2


def test_a_set_event_stops_at_the_end_of_the_current_batch() -> None:
    x, y = linear_data()
    event = threading.Event()  # a plain threading.Event works as well as a Stopper
    event.set()
    model = tiny_dense()
    result = fit(model, x, y, epochs=50, batch_size=8, stop_event=event, progress=None)
    assert result.stopped == "stop_requested" and result.epochs_run == 1
    assert int(model.optimizer.iterations) == 1  # one batch of 8, not the 8 of an epoch
    with pytest.raises(TypeError, match="is_set"):
        fit(tiny_dense(), x, y, epochs=1, stop_event=True, progress=None)


def test_progress_text_and_quiet(capsys) -> None:
    x, y = linear_data()
    fit(tiny_dense(), x, y, validation_data=(x, y), epochs=2, batch_size=32, progress="text")
    out = capsys.readouterr().out
    assert "epoch 1/2" in out and "epoch 2/2" in out and "val_loss" in out
    fit(tiny_dense(), x, y, epochs=2, batch_size=32, callbacks=[lambda epoch, logs: None])
    assert capsys.readouterr().out == ""  # "auto": a hook (widget) shows the progress


def test_validation_data_may_carry_weights() -> None:
    x, y = linear_data()
    weights = np.zeros(len(x), dtype=bool)
    weights[:8] = True
    model = tiny_dense()
    result = fit(model, x, y, validation_data=(x, y * 0, weights), epochs=1, progress=None)
    expected = model.evaluate(x, y * 0, sample_weight=weights.astype(np.float32), verbose=0)
    assert result.history["val_loss"][0] == pytest.approx(expected, rel=1e-5)
    with pytest.raises(ValueError, match="validation_data"):
        fit(tiny_dense(), x, y, validation_data=(x,), progress=None)


# ------------------------------------------------------------------------- cache


def test_cache_key_is_canonical() -> None:
    base = {"units": (8, 4), "lr": 0.001, "records": np.arange(3)}
    assert cache_key(base) == cache_key({"records": [0, 1, 2], "lr": 1e-3, "units": [8, 4]})
    assert cache_key(base) != cache_key({**base, "units": (8, 5)})
    assert len(cache_key(base)) == 64
    with pytest.raises(TypeError, match="cache key"):
        cache_key({"data": object()})


def test_cached_fit_trains_once_and_recovers_from_corruption(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("ECGTEACH_CACHE", str(tmp_path))
    assert model_cache_dir() == tmp_path / "models"
    x, y = data()
    calls = []

    def build(**kwargs):
        calls.append(kwargs)
        return lstm(**kwargs)

    config = {"build_kwargs": {"learning_rate": 0.01},
              "data_key": {"records": list(range(1, 21)), "lead": "ii", "n_beats": 32},
              "fit_kwargs": {"epochs": 2, "batch_size": 16}, "seed": 0}
    first = cached_fit(build, x, y, progress=None, **config)
    assert len(calls) == 1 and not first.from_cache
    files = sorted(p.name for p in (tmp_path / "models").iterdir())
    assert len(files) == 2 and files[0].endswith(".json") and files[1].endswith(".keras")
    model_path = next((tmp_path / "models").glob("*.keras"))
    meta = json.loads(model_path.with_suffix(".json").read_text())
    assert meta["result"]["history"]["loss"] == first.history["loss"]

    second = cached_fit(build, x, y, progress=None, **config)
    assert len(calls) == 1 and second.from_cache  # a hit does not build or train
    assert second.history == first.history and second.epoch == [0, 1]
    expected = first.model.predict(x[:4], verbose=0)["onset"]
    np.testing.assert_allclose(second.model.predict(x[:4], verbose=0)["onset"], expected,
                               atol=1e-6)

    # a truncated model file is detected, deleted, and retrained (never loaded half)
    model_path.write_bytes(model_path.read_bytes()[: model_path.stat().st_size // 2])
    with pytest.warns(RuntimeWarning, match="damaged"):
        third = cached_fit(build, x, y, progress=None, **config)
    assert len(calls) == 2 and not third.from_cache
    np.testing.assert_allclose(third.model.predict(x[:4], verbose=0)["onset"], expected,
                               atol=1e-5)  # same seed, same model


def test_cache_entries_per_configuration_and_damaged_history(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("ECGTEACH_CACHE", str(tmp_path))
    x, y = linear_data()
    calls = []

    def build():
        calls.append(1)
        return tiny_dense()

    config = {"data_key": "linear", "fit_kwargs": {"epochs": 2, "batch_size": 16}, "seed": 0}
    first = cached_fit(build, x, y, progress=None, **config)
    meta_path = next((tmp_path / "models").glob("*.json"))
    meta_path.write_text("{not json")  # an unreadable history file
    with pytest.warns(RuntimeWarning, match="damaged"):
        again = cached_fit(build, x, y, progress=None, **config)
    assert len(calls) == 2 and not again.from_cache and again.history == first.history
    assert cached_fit(build, x, y, progress=None, **config).from_cache and len(calls) == 2
    # another configuration (seed, epochs, data shape) is another entry
    cached_fit(build, x, y, progress=None, **{**config, "seed": 1})
    cached_fit(build, x, y, progress=None, **{**config, "fit_kwargs": {"epochs": 1}})
    cached_fit(build, x[:32], y[:32], progress=None, **config)
    assert len(calls) == 5
    folder = tmp_path / "models"
    assert len(list(folder.iterdir())) == 8
    assert not [p for p in folder.iterdir() if ".tmp" in p.name]  # no temporary files left
    assert clear_model_cache() == 8 and not list(folder.iterdir())


def test_a_stopped_run_is_not_cached(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("ECGTEACH_CACHE", str(tmp_path))
    x, y = linear_data()
    stopper = Stopper()
    stopper.stop()
    result = cached_fit(lambda: tiny_dense(), x, y, data_key="linear",
                        fit_kwargs={"epochs": 5}, stop_event=stopper, progress=None)
    assert result.stopped == "stop_requested"
    assert not (tmp_path / "models").exists() or not list((tmp_path / "models").iterdir())
    with pytest.raises(ValueError, match="fit_kwargs"):
        cached_fit(lambda: tiny_dense(), x, y, data_key="linear", fit_kwargs={"verbose": 1})


def test_fit_result_round_trips_through_json() -> None:
    result = FitResult(history={"loss": [1.0, 0.5]}, epoch=[0, 1], seconds_per_epoch=[0.1, 0.1],
                       stopped="early_stopping", best_epoch=1, restored_best=False)
    again = FitResult.from_dict(json.loads(json.dumps(result.to_dict())))
    assert again == result and again.seconds == pytest.approx(0.2)


def test_shipped_models_are_found_after_the_user_cache(tmp_path, monkeypatch) -> None:
    """mode="ship" writes weights + history; a cold user cache then loads them, no training."""
    monkeypatch.setenv("ECGTEACH_CACHE", str(tmp_path / "user"))
    monkeypatch.setattr("ecgteach.nn.cache.shipped_models_dir", lambda: tmp_path / "shipped")
    x, y = linear_data()
    kwargs = {"data_key": {"linear": 1}, "fit_kwargs": {"epochs": 3}}
    built = cached_fit(tiny_dense, x, y, mode="ship", **kwargs)
    shipped = sorted(p.name for p in (tmp_path / "shipped").iterdir())
    assert [n.split(".", 1)[1] for n in shipped] == ["json", "weights.npz"]
    shutil.rmtree(tmp_path / "user")

    def no_training(*args, **kwargs):
        raise AssertionError("a shipped model must not be retrained")

    monkeypatch.setattr("ecgteach.nn.cache.fit", no_training)
    loaded = cached_fit(tiny_dense, x, y, **kwargs)
    assert loaded.shipped and loaded.from_cache and loaded.history == built.history
    np.testing.assert_allclose(loaded.model.predict(x, verbose=0),
                               built.model.predict(x, verbose=0), rtol=1e-6)
    with pytest.raises(AssertionError, match="must not be retrained"):
        cached_fit(tiny_dense, x, y, mode="user", **kwargs)  # user cache only: trains


def test_a_damaged_shipped_model_is_reported_and_trained_here(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("ECGTEACH_CACHE", str(tmp_path / "user"))
    monkeypatch.setattr("ecgteach.nn.cache.shipped_models_dir", lambda: tmp_path / "shipped")
    x, y = linear_data()
    kwargs = {"data_key": {"linear": 2}, "fit_kwargs": {"epochs": 2}}
    cached_fit(tiny_dense, x, y, mode="ship", **kwargs)
    shutil.rmtree(tmp_path / "user")
    weights = next((tmp_path / "shipped").glob("*.weights.npz"))
    weights.write_bytes(weights.read_bytes()[:100])
    with pytest.warns(RuntimeWarning, match="ignoring shipped model .*checksum mismatch"):
        result = cached_fit(tiny_dense, x, y, **kwargs)
    assert not result.shipped and not result.from_cache and result.epochs_run == 2
    assert weights.exists()  # the package folder is not ours to delete
