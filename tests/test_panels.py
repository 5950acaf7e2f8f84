"""The training panel and comparison board, driven headless: click, wait, check."""

from __future__ import annotations

import time

import ipywidgets as widgets
import numpy as np
import pytest

from ecgteach.ui import ComparisonBoard, TrainingPanel


def fake_train(config, on_epoch, stop):
    """Pretend training: a loss that falls each epoch, 50 ms per epoch, stoppable."""
    history = []
    for epoch in range(config["epochs"]):
        if stop.is_set():
            break
        time.sleep(0.05)
        loss = 1.0 / (epoch + 1) * config["scale"]
        history.append(loss)
        on_epoch(epoch, {"loss": loss, "val_loss": loss * 1.1})
    if config.get("explode"):
        raise RuntimeError("the learning rate is far too high")
    return {"final_loss": history[-1] if history else None, "epochs": len(history)}


def make_panel(board=None, epochs=5):
    return TrainingPanel(
        controls={
            "epochs": widgets.IntSlider(value=epochs, min=1, max=400, description="epochs"),
            "scale": widgets.FloatSlider(value=1.0, min=0.1, max=2.0, description="scale"),
            "explode": widgets.Checkbox(value=False, description="explode"),
        },
        train=fake_train,
        describe=lambda result: f"final loss {result['final_loss']:.3f}",
        summarise=lambda config, result: {"scale": config["scale"],
                                          "final loss": result["final_loss"]},
        board=board,
    )


def test_train_draws_the_loss_curve_and_reports():
    board = ComparisonBoard(metric="final loss")
    panel = make_panel(board)
    assert panel.start()
    assert panel.train_button.disabled and not panel.stop_button.disabled
    assert panel.wait(timeout=30)
    train, val = panel.figure.data
    assert list(train.x) == [1, 2, 3, 4, 5]
    np.testing.assert_allclose(train.y, [1, 1 / 2, 1 / 3, 1 / 4, 1 / 5])
    np.testing.assert_allclose(val.y, np.array(train.y) * 1.1)
    assert "final loss 0.200" in panel.output.value
    assert "done" in panel.progress.value
    assert not panel.train_button.disabled and panel.stop_button.disabled
    assert board.rows[-1][1]["final loss"] == pytest.approx(0.2)
    assert list(board.figure.data[0].y) == [pytest.approx(0.2)]


def test_moving_a_slider_changes_the_next_run():
    board = ComparisonBoard(metric="final loss")
    panel = make_panel(board)
    panel.start()
    panel.wait(30)
    panel.controls["scale"].value = 2.0
    panel.train_button.click()
    panel.wait(30)
    assert panel.figure.data[0].y[0] == pytest.approx(2.0)
    assert [row["scale"] for _, row in board.rows] == [1.0, 2.0]
    assert ">run 2</td>" in board.table.value


def test_stop_ends_training_within_one_epoch():
    panel = make_panel(epochs=400)  # would take 20 s
    panel.start()
    time.sleep(0.3)
    panel.stop_button.click()
    started = time.perf_counter()
    assert panel.wait(timeout=5)
    assert time.perf_counter() - started < 0.5  # one 50 ms epoch, plus slack
    assert panel.result["epochs"] < 400
    assert "stopped" in panel.progress.value


def test_second_click_while_training_does_not_start_a_second_run():
    panel = make_panel(epochs=20)
    assert panel.start()
    assert not panel.start()
    assert "Already training" in panel.progress.value
    panel.wait(30)
    assert panel.runs == 1 and len(panel.figure.data[0].x) == 20


def test_an_error_is_shown_in_the_panel():
    panel = make_panel()
    panel.controls["explode"].value = True
    panel.start()
    panel.wait(30)
    assert isinstance(panel.error, RuntimeError)
    assert "Training failed" in panel.output.value
    assert "learning rate is far too high" in panel.output.value
    assert not panel.train_button.disabled  # ready for another try


def test_reset_restores_defaults_and_clears():
    panel = make_panel()
    panel.controls["scale"].value = 0.5
    panel.start()
    panel.wait(30)
    panel.reset_button.click()
    assert panel.controls["scale"].value == 1.0
    assert list(panel.figure.data[0].x) == [] and panel.output.value == ""


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_stop_works_with_a_real_keras_fit():
    """A real Keras model: Stop lands within one epoch of the click."""
    import keras

    from ecgteach.nn import fit, set_seed

    x = np.random.default_rng(0).normal(size=(2048, 20, 1)).astype("float32")
    y = x.sum(axis=(1, 2))

    def train(config, on_epoch, stop):
        set_seed(0)
        inputs = keras.Input((20, 1))
        model = keras.Model(inputs, keras.layers.Dense(1)(keras.layers.LSTM(8)(inputs)))
        model.compile("adam", "mse")
        return fit(model, x, y, epochs=config["epochs"], batch_size=32, callbacks=[on_epoch],
                   stop_event=stop, progress=None)

    panel = TrainingPanel({"epochs": widgets.IntSlider(value=200, min=1, max=200)}, train)
    panel.start()
    deadline = time.time() + 60
    while len(panel.figure.data[0].x) < 2 and time.time() < deadline:
        time.sleep(0.05)
    panel.stop()
    assert panel.wait(timeout=30)
    assert panel.error is None
    epochs_run = len(panel.result.history["loss"])
    assert 2 <= epochs_run <= len(panel.figure.data[0].x) + 1 < 200


def test_the_loss_curve_and_board_survive_a_page_reload():
    """The updated figures are stored as widget state (what a reloaded page draws)."""
    board = ComparisonBoard(metric="final loss")
    panel = make_panel(board, epochs=3)
    panel.start()
    assert panel.wait(timeout=30)
    train_state = panel.figure._widget_data[0]
    assert list(train_state["x"]) == [1, 2, 3]
    np.testing.assert_allclose(train_state["y"], [1, 1 / 2, 1 / 3])
    assert list(board.figure._widget_data[0]["y"]) == [pytest.approx(1 / 3)]
