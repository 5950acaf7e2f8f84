"""Tests for the segmenter recipe (``ecgteach train``): the smoke run writes a loadable model
and sidecar atomically; determinism; given splits; batched inference."""

from __future__ import annotations

import json
import os
import time

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

keras = pytest.importorskip("keras")

import ecgteach
from ecgteach.cli import main as cli_main
from ecgteach.delineation import (
    DEFAULT_BUILD_KWARGS,
    SegmenterInfo,
    score_delineator,
    segmenter_info,
    train_default_segmenter,
)
from ecgteach.delineation.training import FAST_RECIPE, scores_summary
from ecgteach.evaluation import DelineationScorer
from ecgteach.nn import fit, predict_probabilities, segmenter, set_seed, time_budget


def test_help_lists_the_options(capsys) -> None:
    with pytest.raises(SystemExit) as stop:
        cli_main(["train", "--help"])
    assert stop.value.code == 0
    text = capsys.readouterr().out
    for option in ("--seconds", "--seed", "--out", "--leads", "--epochs", "--fast"):
        assert option in text


def test_fast_run_writes_model_and_sidecar_atomically(tmp_path, monkeypatch) -> None:
    replaced = []
    real_replace = os.replace

    def spy(src, dst):  # every final file arrives by os.replace from a temporary file
        replaced.append((os.path.basename(src), os.path.basename(dst)))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    # a few windows only: keep the smoke run well under the test budget
    monkeypatch.setitem(FAST_RECIPE, "train_records", 2)
    monkeypatch.setitem(FAST_RECIPE, "val_records", 2)
    out = tmp_path / "weights" / "seg.keras"
    start = time.perf_counter()
    assert cli_main(["train", "--fast", "--quiet", "--seconds", "60", "--out", str(out)]) == 0
    assert time.perf_counter() - start < 40
    assert sorted(dst for _, dst in replaced) == ["seg.json", "seg.keras"]
    assert all(src.startswith(".seg.") and ".tmp" in src for src, _ in replaced)
    assert sorted(p.name for p in out.parent.iterdir()) == ["seg.json", "seg.keras"]

    meta = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    config = meta["config"]
    assert config["fs"] == 250.0 and config["window_s"] == 2.0 and config["fast"] is True
    assert config["training_leads"] == ["ii"] and config["split_seed"] == 0
    assert set(config["train_records"]).isdisjoint(config["val_records"])
    assert not set(config["train_records"] + config["val_records"]) & set(range(161, 201))
    assert meta["seed"] == 0 and meta["epochs_run"] == 1 and meta["file"]["bytes"] > 0
    assert set(meta["versions"]) >= {"ecgteach", "keras", "tensorflow"}
    assert "val_loss" in meta["history"] and "QRS onset" in meta["validation_scores"]["ii"]["table"]

    info = segmenter_info(out)
    assert isinstance(info, SegmenterInfo) and info.command.startswith("ecgteach train --fast")
    assert info.validation_scores["ii"].rows[0]["boundary"] == "P onset"
    assert SegmenterInfo.from_dict(info.to_dict()) == info

    model = keras.saving.load_model(out, compile=False)
    x = np.zeros((1, 2500, 1), np.float32)
    assert model(x).shape == (1, 2500, 4)
    compiled = keras.saving.load_model(out)  # Keras's own schedule: loads without ecgteach's
    assert float(compiled.optimizer.learning_rate) == pytest.approx(1e-5, rel=1e-3)


def test_score_delineator_scores_two_records() -> None:
    set_seed(0)
    model = segmenter(**{**DEFAULT_BUILD_KWARGS, "lstm_units": 4})
    records = ecgteach.load_ludb([1, 2])
    scorer = score_delineator(model, records, ["ii", "v1"]).pooled
    assert isinstance(scorer, DelineationScorer) and scorer.n_added == 4
    scores = scorer.scores()
    n_qrs = sum(
        int(((r.waves[lead]["QRS"][:, 0] >= r.span(lead)[0])
             & (r.waves[lead]["QRS"][:, 0] < r.span(lead)[1])).sum())
        for r in records for lead in ("ii", "v1")
    )
    assert scores["QRS onset"].n_true == n_qrs > 0
    summary = scores_summary(scorer)
    assert summary.n_leads_scored == 4 and json.dumps(summary.rows)
    # the batched probabilities match one record at a time
    z = ecgteach.standardise(ecgteach.resample_record(records[0], 250).lead("ii"))
    batched = predict_probabilities(model, [z, z[:1003], z], batch_size=1)
    assert [b.shape for b in batched] == [(2500, 4), (1003, 4), (2500, 4)]
    np.testing.assert_array_equal(batched[0], predict_probabilities(model, [z])[0])


def test_time_budget_stops_between_epochs() -> None:
    set_seed(0)
    inputs = keras.Input((4,))
    model = keras.Model(inputs, keras.layers.Dense(1)(inputs))
    model.compile(keras.optimizers.SGD(0.01), loss="mse")
    x = np.ones((8, 4), np.float32)
    y = np.ones((8, 1), np.float32)
    budget = time_budget(60)
    result = fit(model, x, y, epochs=3, batch_size=4, progress=None, callbacks=[budget])
    assert result.epochs_run == 3 and not budget.stopped  # plenty of time: all epochs
    spent = time_budget(1e-3, start=time.perf_counter() - 1.0)  # already past the deadline
    result = fit(model, x, y, epochs=50, batch_size=4, progress=None, callbacks=[spent])
    assert spent.stopped and result.epochs_run == 1
    with pytest.raises(ValueError):
        time_budget(0)


def test_the_schedule_is_kerass_cosine_decay_until_the_budget_shortens_it() -> None:
    """Unchanged, the fitted schedule gives Keras's CosineDecay bit for bit; when the
    budget says only 3 of 10 epochs fit, the rate reaches its final value at epoch 3."""
    from ecgteach.delineation.training import (
        DEFAULT_RECIPE,
        _compile,
        _fit_schedule_to_budget,
    )

    steps = 20
    schedule = _compile(segmenter(length=500, conv_filters=(4,), lstm_units=4),
                        10 * steps, DEFAULT_RECIPE, steps)
    reference = keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=DEFAULT_RECIPE["start_learning_rate"],
        decay_steps=10 * steps - 6, alpha=DEFAULT_RECIPE["final_learning_rate"]
        / DEFAULT_RECIPE["peak_learning_rate"],
        warmup_target=DEFAULT_RECIPE["peak_learning_rate"], warmup_steps=6)
    for step in (0, 3, 6, 50, 199, 200, 400):
        assert float(schedule(step)) == float(reference(step))

    class Budget:  # one epoch done, time for two more
        def epochs_left(self):
            return 2

    fitted = _fit_schedule_to_budget(schedule, Budget(), 10, steps)
    fitted.on_epoch_end(0)
    assert fitted.epochs == 3
    final = DEFAULT_RECIPE["final_learning_rate"]
    assert float(schedule(3 * steps)) == pytest.approx(final, rel=1e-3)
    assert float(schedule(2 * steps)) > 10 * final   # still decaying before
    assert float(schedule(3 * steps)) < float(reference(3 * steps)) / 100


def test_the_default_recipe_is_deterministic(monkeypatch) -> None:
    """Same seed, same weights: the shipped recipe, on a few records."""
    monkeypatch.setitem(FAST_RECIPE, "train_records", 2)
    monkeypatch.setitem(FAST_RECIPE, "val_records", 1)

    def weights(seed):
        model, info = train_default_segmenter(seconds=120, seed=seed, leads="ii", fast=True,
                                              progress=None, score_validation=False)
        assert not info.stopped_by_time_budget
        return model.get_weights()

    first, again, other = weights(0), weights(0), weights(1)
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    assert not all(np.array_equal(a, b) for a, b in zip(first, other, strict=True))


def test_a_given_split_replaces_the_seeded_one(monkeypatch) -> None:
    from ecgteach.datasets import patient_folds

    monkeypatch.setitem(FAST_RECIPE, "train_records", 2)
    monkeypatch.setitem(FAST_RECIPE, "val_records", 1)
    fold = patient_folds()[3]
    _, info = train_default_segmenter(seconds=120, leads="ii", fast=True, progress=None,
                                      score_validation=False, split=fold)
    assert info.config.split_seed is None
    assert info.config.train_records == fold["train"][:2]
    assert info.config.val_records == fold["val"][:1]
    for bad, message in (({"train": [1, 2]}, "'train' and 'val'"),
                         ({"train": [1, 161], "val": [3]}, "test patients"),
                         ({"train": [1, 2], "val": [2]}, "both"),
                         ({"train": [1], "val": []}, "empty"),
                         ({"train": [1], "val": [999]}, "not in LUDB")):
        with pytest.raises(ValueError, match=message):
            train_default_segmenter(fast=True, progress=None, split=bad)


def test_unannotated_p_records_can_be_masked_or_excluded(monkeypatch) -> None:
    monkeypatch.setitem(FAST_RECIPE, "epochs", 1)
    split = {"train": [1, 104], "val": [2]}                # 104: P waves present, not labelled

    def run(how):
        _, info = train_default_segmenter(seconds=120, leads="ii", fast=True, progress=None,
                                          score_validation=False, split=split,
                                          recipe={"unlabelled_p": how})
        return info.config.n_train_windows

    keep, mask, exclude = run("keep"), run("mask"), run("exclude")
    assert keep == mask > exclude > 0                      # masked windows stay, excluded go
    with pytest.raises(ValueError, match='"keep", "mask" or "exclude"'):
        run("drop")
