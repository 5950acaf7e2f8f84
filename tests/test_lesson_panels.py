"""The lessons' training panels: presets retrain exactly the lesson's models (one click)."""

from __future__ import annotations

import inspect

import ipywidgets as widgets
import numpy as np
import pytest

import ecgteach
from ecgteach._config import fast
from ecgteach.beats import (
    LESSON_SETTINGS,
    SCALINGS,
    SHIPPED_SETTINGS,
    InputScaling,
    beat_splits,
    run_lesson_setting,
    settings,
)
from ecgteach.beats.recipes import CLASSIFIERS, REGRESSORS
from ecgteach.ui import (
    TrainingPanel,
    classifier_panel,
    classifier_presets,
    lesson_panels,
    regression_panel,
    regression_presets,
)
from ecgteach.ui.lesson_panels import scaling_knobs
from ecgteach.ui.panels import CUSTOM


def make_panel(**kwargs):
    controls = {"units": widgets.IntSlider(value=8, min=1, max=64),
                "epochs": widgets.IntSlider(value=3, min=1, max=40),
                "optimizer": widgets.Dropdown(options=["adam", "rmsprop"], value="adam")}
    presets = {"small": {"units": 4, "epochs": 2}, "big": {"units": 64, "optimizer": "rmsprop"}}
    return TrainingPanel(controls, lambda config, on_epoch, stop: config, presets=presets,
                         **kwargs)


def test_a_preset_sets_its_knobs_and_a_hand_change_makes_it_custom():
    panel = make_panel()
    assert panel.preset.value == CUSTOM
    panel.preset.value = "small"
    assert panel.config() == {"units": 4, "epochs": 2, "optimizer": "adam"}
    panel.controls["epochs"].value = 2  # unchanged value: still the preset
    assert panel.preset.value == "small"
    panel.controls["units"].value = 5
    assert panel.preset.value == CUSTOM
    assert panel.config()["units"] == 5  # moving away from the preset keeps the knobs


def test_reset_returns_to_the_starting_preset():
    panel = make_panel(preset="big")
    assert panel.config()["units"] == 64 and panel.preset.value == "big"
    panel.use_preset("small")
    panel.reset()
    assert panel.preset.value == "big" and panel.config()["units"] == 64


def test_bad_presets_are_refused_clearly():
    with pytest.raises(ValueError, match="unknown controls"):
        TrainingPanel({"units": widgets.IntSlider()}, lambda *a: None,
                      presets={"x": {"layers": 2}})
    with pytest.raises(ValueError, match="unknown preset 'huge'"):
        make_panel().use_preset("huge")


def _captured(monkeypatch, recipe_name):
    """Replace a recipe the panels call by one that records its arguments."""
    calls = []
    recipe = getattr(lesson_panels, recipe_name)
    signature = inspect.signature(recipe)

    def record(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        calls.append(dict(bound.arguments))
        return None

    monkeypatch.setattr(lesson_panels, recipe_name, record)
    kind = "regression" if recipe_name == "train_regression" else "classifier"
    monkeypatch.setitem(settings.RECIPES, kind, record)  # what run_lesson_setting calls
    return calls


def _effective_build(builder, build_kwargs):
    defaults = {name: p.default for name, p in inspect.signature(builder).parameters.items()}
    merged = {**defaults, **(build_kwargs or {})}
    units = merged.get("units")
    if isinstance(units, (list, tuple)) and len(units) == 1:
        merged["units"] = units[0]
    return {k: v for k, v in merged.items() if k not in ("length", "channels")}


def _scaling(value):
    return SCALINGS[value] if isinstance(value, str) else value


@pytest.mark.parametrize("label", list(regression_presets()))
def test_each_regression_preset_trains_the_lessons_model(monkeypatch, label):
    """Preset + Train calls train_regression with the lesson setting's arguments."""
    setting = next(s for s in LESSON_SETTINGS.values() if s.label == label)
    calls = _captured(monkeypatch, "train_regression")
    run_lesson_setting(
        next(k for k, s in LESSON_SETTINGS.items() if s.label == label), splits=None)
    panel = regression_panel(splits=None, preset=label)
    panel.train_fn(panel.config(), lambda *a: None, panel.stopper)
    lesson, clicked = calls
    builder = REGRESSORS[lesson["model"]]
    assert clicked["model"] == lesson["model"]
    assert _effective_build(builder, clicked["build_kwargs"]) == \
        _effective_build(builder, lesson["build_kwargs"])
    assert _scaling(clicked["scaling"]) == _scaling(lesson["scaling"])
    expected_epochs = 1 if fast() else setting.epochs
    assert clicked["epochs"] == expected_epochs
    assert clicked["batch_size"] == lesson["batch_size"]
    assert clicked["early_stopping_patience"] == lesson["early_stopping_patience"]


@pytest.mark.parametrize("label", list(classifier_presets()))
def test_each_classifier_preset_trains_the_lessons_model(monkeypatch, label):
    name = next(k for k, s in LESSON_SETTINGS.items() if s.label == label)
    calls = _captured(monkeypatch, "train_boundary_classifier")
    run_lesson_setting(name, splits=None)
    panel = classifier_panel(splits=None, preset=label)
    panel.train_fn(panel.config(), lambda *a: None, panel.stopper)
    lesson, clicked = calls
    builder = CLASSIFIERS[lesson["variant"]]
    for key in ("variant", "heads", "sigma", "batch_size", "early_stopping_patience"):
        assert clicked[key] == lesson[key], key
    assert _scaling(clicked["scaling"]) == _scaling(lesson["scaling"])
    assert _effective_build(builder, clicked["build_kwargs"]) == \
        _effective_build(builder, lesson["build_kwargs"])


def test_every_shipped_panel_model_has_a_one_click_preset():
    """Each shipped model a panel can build retrains in one click from its menu.

    Lesson 03's matched readouts (``readout_model``) are not a panel's knobs; their
    cells retrain them with ``cache="train"``.
    """
    labels = {**regression_presets(), **classifier_presets()}
    panel_models = [name for name in SHIPPED_SETTINGS
                    if LESSON_SETTINGS[name].arguments.get("model") != "readout"
                    and LESSON_SETTINGS[name].arguments.get("variant") != "readout"]
    assert len(panel_models) >= 7
    for name in panel_models:
        assert LESSON_SETTINGS[name].label in labels, name


def test_scaling_knobs_give_back_the_named_scalings():
    for scaling in SCALINGS.values():
        knobs = scaling_knobs(scaling)
        time = "dropped" if knobs["inputs"] == "voltage" else knobs["time"]
        assert InputScaling(voltage=knobs["voltage"], time=time,
                            targets=knobs["targets"]) == scaling


def test_the_shift_knob_trains_on_shifted_beats_of_the_same_patients(monkeypatch):
    """The learner's shift augmentation: same patients and beats, windows moved."""
    splits = beat_splits(fast=True)
    calls = _captured(monkeypatch, "train_regression")
    panel = regression_panel(splits)
    panel.controls["epochs"].value = 1
    panel.train_fn(panel.config(), lambda *a: None, panel.stopper)
    panel.controls["shift"].value = 0.2
    assert panel.preset.value == CUSTOM
    panel.train_fn(panel.config(), lambda *a: None, panel.stopper)
    plain, shifted = calls[0]["splits"], calls[1]["splits"]
    assert plain is splits and shifted.config["shift_fraction"] == 0.2
    assert shifted.records == splits.records
    assert np.abs(shifted.train.shift_ms).max() > 0 and not splits.train.shift_ms.any()


def test_every_preset_value_is_exactly_representable_by_its_control():
    """A browser snaps a slider to its grid; a preset off the grid would silently change."""
    for factory, presets in ((regression_panel, regression_presets()),
                             (classifier_panel, classifier_presets())):
        panel = factory(splits=None)
        for values in presets.values():
            for name, value in values.items():
                control = panel.controls[name]
                options = getattr(control, "options", None)
                if options is not None:
                    allowed = [o[1] if isinstance(o, tuple) else o for o in options]
                    assert value in allowed, (name, value)
                elif hasattr(control, "step") and hasattr(control, "min"):
                    steps = (value - control.min) / control.step
                    assert abs(steps - round(steps)) < 1e-9, (name, value)
                    assert control.min <= value <= control.max, (name, value)


def test_the_segmenter_panel_reports_a_table_not_markdown_pipes():
    """A finished run's summary is an HTML table (seen as raw pipes in Chromium before)."""
    from ecgteach.ui import ComparisonBoard, segmenter_panel

    panel = segmenter_panel(ComparisonBoard())
    info = ecgteach.segmenter_info()
    html = panel.describe((None, info))
    assert "<table>" in html and "Se %" in html and "|" not in html
    assert f"{info.epochs_run} epochs" in html
    row = panel.summarise(panel.config(), (None, info))
    assert set(row) >= {"QRS onset SD (ms)", "QRS offset SD (ms)"}
