"""Training panels wired to the lessons' recipes: regression (02), classifier (03), segmenter (04).

Each factory returns a :class:`~ecgteach.ui.panels.TrainingPanel` whose knobs
map onto the recipes of :mod:`ecgteach.beats` (or
:mod:`ecgteach.delineation.training` for the segmenter), and adds every
finished run to a :class:`~ecgteach.ui.panels.ComparisonBoard`. ``fast()``
tells whether ``ECGTEACH_FAST=1`` asks for the test suite's small settings.
Building a panel trains nothing; pressing Train (``panel.start()``) does.

>>> board = ComparisonBoard()
>>> panel = regression_panel(beat_splits(fast=True), board)   # lesson 02: the learner's LSTM
>>> panel.preset.value, panel.config()["units"]
("learner's LSTM, raw data, output started at the mean", '64, 256, 100')
"""

from __future__ import annotations

import inspect
from html import escape
from typing import Any

import numpy as np

from ecgteach._config import fast
from ecgteach.beats.recipes import (
    CLASSIFIERS,
    REGRESSORS,
    train_boundary_classifier,
    train_regression,
)
from ecgteach.beats.scaling import SCALINGS, InputScaling
from ecgteach.beats.settings import LESSON_SETTINGS, LessonSetting
from ecgteach.beats.splits import beat_splits
from ecgteach.delineation.training import CLASS_RECIPE, train_default_segmenter
from ecgteach.evaluation.collapse import COLLAPSED_BELOW
from ecgteach.nn.models import boundary_classifier
from ecgteach.ui.panels import ComparisonBoard, TrainingPanel
from ecgteach.ui.tables import table_html


def parse_units(text: str) -> tuple[int, ...]:
    """``"64, 256, 100"`` -> ``(64, 256, 100)``: one LSTM layer per number.

    >>> parse_units("64, 256, 100"), parse_units("32")
    ((64, 256, 100), (32,))
    >>> parse_units("64, many")
    Traceback (most recent call last):
    ...
    ValueError: units must be whole numbers separated by commas, got '64, many'
    """
    try:
        units = tuple(int(part) for part in str(text).replace(";", ",").split(",") if part.strip())
    except ValueError:
        raise ValueError(f"units must be whole numbers separated by commas, got {text!r}") from None
    if not units or min(units) < 1 or max(units) > 1024:
        raise ValueError(f"give 1 to 4 layer sizes between 1 and 1024, got {text!r}")
    if len(units) > 4:
        raise ValueError(f"at most 4 LSTM layers here (training time), got {len(units)}")
    return units


#: Learning rates offered by the panels (exact values, so a preset's rate is one of them).
LEARNING_RATES = (1e-4, 2e-4, 3e-4, 5e-4, 1e-3, 2e-3, 3e-3, 5e-3, 1e-2, 2e-2, 3e-2)


def _learning_rate_slider(value: float) -> Any:
    """A slider over :data:`LEARNING_RATES` (a log slider would snap 3e-3 to 3.16e-3)."""
    import ipywidgets as widgets

    if value not in LEARNING_RATES:
        raise ValueError(f"learning rate {value} is not one of {LEARNING_RATES}")
    return widgets.SelectionSlider(options=[(f"{lr:.0e}", lr) for lr in LEARNING_RATES],
                                   value=value, description="learning rate")


def _epochs_slider(setting: str) -> Any:
    """Epochs slider whose default is the lesson setting's (1 in fast mode)."""
    import ipywidgets as widgets


    default = LESSON_SETTINGS[setting].epochs
    return widgets.IntSlider(value=1 if fast() else default, min=1,
                             max=max(40, *(s.epochs for s in LESSON_SETTINGS.values())),
                             description="epochs")


def _patience_slider() -> Any:
    """Early-stopping patience (0 = off): keep the best validation epoch's weights."""
    import ipywidgets as widgets

    return widgets.IntSlider(value=0, min=0, max=10, description="patience",
                             tooltip="early stopping: end after this many epochs without a "
                             "lower validation loss, keep the best epoch (0 = off)")


def _patience(config: dict[str, Any]) -> int | None:
    return int(config["patience"]) or None


def _plateau_slider() -> Any:
    """Lesson 02's stopping rule: end once the validation loss has plateaued (0 = off)."""
    import ipywidgets as widgets

    return widgets.IntSlider(value=0, min=0, max=10, description="plateau stop",
                             tooltip="end once the validation loss is under 1 % better over "
                             "this many epochs; keep the last weights (0 = off: run every "
                             "epoch)")


def _shift_slider() -> Any:
    """The learner's shift augmentation: each beat window moved by up to this fraction."""
    import ipywidgets as widgets

    return widgets.FloatSlider(value=0.0, min=0.0, max=0.45, step=0.05,
                               description="window shift",
                               tooltip="the learner's augmentation: move each beat window by "
                               "up to this fraction of a cardiac cycle")


class _ShiftedSplits:
    """``splits`` rebuilt with another ``shift_fraction`` (same patients, lead, rate), memoised."""

    def __init__(self, splits: Any) -> None:
        self.splits = splits
        self._made: dict[float, Any] = {}

    def __call__(self, shift: float) -> Any:
        shift = round(float(shift), 3)
        config = getattr(self.splits, "config", None)
        if config is None or shift == float(config.get("shift_fraction", 0.0)):
            return self.splits
        if shift not in self._made:

            self._made[shift] = beat_splits(
                lead=config["lead"], fs=config["fs"], length=config["length"],
                n_train=config["n_train"], shift_fraction=shift, seed=config["seed"],
                fast=config["fast"])
        return self._made[shift]


def _result_html(result: Any) -> str:
    """A small HTML summary of an :class:`~ecgteach.beats.ExperimentResult`."""
    row = result.summary_row("val")
    parts = []
    for boundary in ("onset", "offset"):
        parts.append(
            f"<tr><td>QRS {boundary}</td><td>{row[f'{boundary}_mae_ms']:.1f}</td>"
            f"<td>{row[f'{boundary}_mean_ms']:+.1f} ± {row[f'{boundary}_sd_ms']:.1f}</td>"
            f"<td>{row[f'{boundary}_collapse_ratio']:.3g}</td>"
            f"<td>{row[f'{boundary}_mae_mean_baseline_ms']:.1f}</td></tr>"
        )
    verdict = (
        "<b style='color:#b00'>collapsed</b>: nearly the same answer for every beat"
        if max(row["onset_collapse_ratio"], row["offset_collapse_ratio"]) < COLLAPSED_BELOW
        else "predictions vary with the beat"
    )
    return (
        f"<p><b>{escape(result.name)}</b> — {row['epochs']} epochs in {row['train_s']:.0f} s, "
        f"{row['params']:,} parameters; on the {row['n']} validation beats: {verdict}.</p>"
        "<table><thead><tr><th></th><th>MAE (ms)</th><th>error mean ± SD (ms)</th>"
        "<th>collapse ratio</th><th>MAE of always predicting the mean (ms)</th></tr></thead>"
        f"<tbody>{''.join(parts)}</tbody></table>"
    )


def _board_row(config: dict[str, Any], result: Any) -> dict[str, Any]:
    row = result.summary_row("val")
    return {
        **{k: v for k, v in config.items() if k != "epochs"},
        "epochs": row["epochs"],
        "QRS onset MAE (ms)": row["onset_mae_ms"],
        "QRS offset MAE (ms)": row["offset_mae_ms"],
        "collapse ratio": min(row["onset_collapse_ratio"], row["offset_collapse_ratio"]),
    }


def scaling_knobs(scaling: InputScaling) -> dict[str, str]:
    """The regression panel's scaling knobs for an :class:`~ecgteach.beats.InputScaling`.

    >>> scaling_knobs(SCALINGS["raw"])
    {'inputs': 'time_voltage', 'voltage': 'raw', 'time': 'raw_ms', 'targets': 'raw'}
    """
    dropped = scaling.time == "dropped"
    return {"inputs": "voltage" if dropped else "time_voltage", "voltage": scaling.voltage,
            "time": "raw_ms" if dropped else scaling.time, "targets": scaling.targets}


def builder_defaults(builder: Any) -> dict[str, Any]:
    """A model builder's default arguments (the panels start from them, never restate them)."""
    return {name: p.default for name, p in inspect.signature(builder).parameters.items()
            if p.default is not inspect.Parameter.empty}


#: The classifier panel's "states used" menu: label -> variant of the recipe.
CLASSIFIER_VARIANTS = {"all hidden states": "all_states", "last hidden state": "last_state",
                       "all states, flattened": "flattened"}

#: The recipes' own defaults (batch size, patience, sigma ...), read once from their signatures.
_RECIPE_DEFAULTS = {"regression": builder_defaults(train_regression),
                    "classifier": builder_defaults(train_boundary_classifier)}


def _preset_epochs(setting: LessonSetting) -> int:
    return 1 if fast() else setting.epochs


def _common_knobs(setting: LessonSetting) -> dict[str, Any]:
    """Knobs every panel has: epochs, batch size, early-stopping patience, window shift."""
    arguments = {**_RECIPE_DEFAULTS[setting.recipe], **setting.arguments}
    return {"epochs": _preset_epochs(setting), "batch_size": int(arguments["batch_size"]),
            "patience": int(arguments["early_stopping_patience"] or 0), "shift": 0.0}


def regression_presets() -> dict[str, dict[str, Any]]:
    """The regression panel's knob values for each regression lesson setting, by label.

    Choosing one in the panel's "start from" menu and pressing Train retrains
    exactly that lesson model (one click).

    >>> presets = regression_presets()
    >>> presets["learner's LSTM, raw data"]["units"]
    '64, 256, 100'
    """
    presets = {}
    for setting in LESSON_SETTINGS.values():
        arguments = setting.arguments
        if setting.recipe != "regression" or arguments["model"] not in ("learner_lstm",
                                                                        "learner_conv_lstm"):
            continue
        build = {**builder_defaults(REGRESSORS[arguments["model"]]),
                 **arguments.get("build_kwargs", {})}
        units = build["units"] if isinstance(build["units"], (tuple, list)) else (build["units"],)
        presets[setting.label] = {
            "model": arguments["model"], "units": ", ".join(str(u) for u in units),
            "dropout": float(build["dropout"]), "optimizer": build["optimizer"],
            "learning_rate": float(build["learning_rate"]), **_common_knobs(setting),
            **scaling_knobs(SCALINGS[arguments["scaling"]]),
            "plateau": int(arguments.get("plateau_patience") or 0),
            "start_at_mean": bool(arguments.get("start_at_mean", False)),
        }
    return presets


def classifier_presets() -> dict[str, dict[str, Any]]:
    """The classifier panel's knob values for each classifier lesson setting, by label.

    >>> classifier_presets()["boundary classifier, last state only"]["variant"]
    'last_state'
    """
    presets = {}
    for setting in LESSON_SETTINGS.values():
        if setting.recipe != "classifier" or \
                setting.arguments["variant"] not in CLASSIFIER_VARIANTS.values():
            continue  # lesson 03's readout comparison retrains by re-running its cell
        arguments = {**_RECIPE_DEFAULTS["classifier"], **setting.arguments}
        build = {**builder_defaults(boundary_classifier),  # layers, bidirectional
                 **builder_defaults(CLASSIFIERS[arguments["variant"]]),
                 **(arguments.get("build_kwargs") or {})}
        units = build["units"] if not isinstance(build["units"], (tuple, list)) \
            else build["units"][-1]
        presets[setting.label] = {
            "variant": arguments["variant"], "heads": arguments["heads"],
            "units": int(units), "layers": int(build["layers"]),
            "bidirectional": bool(build["bidirectional"]), "sigma": float(arguments["sigma"]),
            "learning_rate": float(build["learning_rate"]), **_common_knobs(setting),
        }
    return presets


def regression_panel(splits: Any, board: ComparisonBoard | None = None,
                     preset: str | None = None) -> TrainingPanel:
    """Lesson 02: retrain the learner's regression LSTM with the forum's knobs.

    Knobs: model (stacked LSTM or Conv1D + LSTM), LSTM units per layer
    ("64, 256, 100" is the learner's), dropout, optimizer, learning rate,
    epochs, batch size, input channels, voltage/time/target scaling. The "start
    from" menu sets every knob of one of the lesson's models
    (:func:`regression_presets`); ``preset`` chooses one up front (default:
    the learner's model on raw data, started at the training mean so that a
    student's run reaches its plateau in minutes). The lesson builds it with
    ``regression_panel(beat_splits(n_train=300), ComparisonBoard())``.

    >>> panel = regression_panel(beat_splits(fast=True),
    ...                          preset="learner's LSTM, scaled inputs and targets")
    >>> {knob: panel.config()[knob] for knob in ("voltage", "time", "targets", "start_at_mean")}
    {'voltage': 'standardised', 'time': 'scaled', 'targets': 'zscore', 'start_at_mean': False}
    """
    import ipywidgets as widgets


    shifted = _ShiftedSplits(splits)

    controls = {
        "model": widgets.Dropdown(options=[("stacked LSTM", "learner_lstm"),
                                           ("Conv1D + LSTM", "learner_conv_lstm")],
                                  value="learner_lstm", description="model"),
        "units": widgets.Text(value="64, 256, 100", description="LSTM units",
                              continuous_update=False),
        "dropout": widgets.FloatSlider(value=0.1, min=0.0, max=0.5, step=0.05,
                                       description="dropout"),
        "optimizer": widgets.Dropdown(options=["rmsprop", "adam"], value="rmsprop",
                                      description="optimizer"),
        "learning_rate": _learning_rate_slider(1e-3),
        "epochs": _epochs_slider("learner_raw"),
        "batch_size": widgets.Dropdown(options=[8, 16, 32, 64, 128], value=32,
                                       description="batch size"),
        "patience": _patience_slider(),
        "plateau": _plateau_slider(),
        "start_at_mean": widgets.Checkbox(
            value=False, description="start at the training mean",
            tooltip="fast-forward: the output bias starts at the training mean of the "
            "targets instead of 0"),
        "shift": _shift_slider(),
        "inputs": widgets.Dropdown(options=[("[time, voltage]", "time_voltage"),
                                            ("voltage only", "voltage")],
                                   value="time_voltage", description="inputs"),
        "voltage": widgets.Dropdown(options=[("raw mV", "raw"), ("standardised",
                                                                 "standardised")],
                                    value="raw", description="voltage"),
        "time": widgets.Dropdown(options=[("raw ms (0-800)", "raw_ms"), ("scaled 0-1",
                                                                         "scaled")],
                                 value="raw_ms", description="time channel"),
        "targets": widgets.Dropdown(options=[("raw indices", "raw"), ("z-scored", "zscore")],
                                    value="raw", description="targets"),
    }

    def train(config: dict[str, Any], on_epoch: Any, stop: Any) -> Any:
        units = parse_units(config["units"])
        scaling = InputScaling(
            voltage=config["voltage"],
            time="dropped" if config["inputs"] == "voltage" else config["time"],
            targets=config["targets"],
        )
        kwargs: dict[str, Any] = {"dropout": config["dropout"], "optimizer": config["optimizer"],
                                  "learning_rate": config["learning_rate"]}
        if config["model"] == "learner_lstm":
            kwargs["units"] = units
        else:
            kwargs["units"] = units[-1]
        return train_regression(
            shifted(config["shift"]), config["model"], build_kwargs=kwargs, scaling=scaling,
            epochs=config["epochs"], batch_size=config["batch_size"], callbacks=[on_epoch],
            stop_event=stop, progress=None, name=f"{config['model']} {config['units']}",
            early_stopping_patience=_patience(config),
            plateau_patience=int(config["plateau"]) or None,
            start_at_mean=bool(config["start_at_mean"]),
        )

    presets = regression_presets()
    panel = TrainingPanel(controls, train, describe=_result_html, summarise=_board_row,
                          board=board, title="Retrain the learner's regression LSTM",
                          presets=presets,
                          preset=preset or LESSON_SETTINGS["learner_raw_at_mean"].label)
    return panel


def classifier_panel(splits: Any, board: ComparisonBoard | None = None,
                     preset: str | None = None) -> TrainingPanel:
    """Lesson 03: boundaries as classification over time steps.

    Knobs: which hidden states feed the output (all, last, flattened), one
    network with two heads or two networks, LSTM units and layers, bidirectional,
    target width sigma, learning rate, epochs, batch size. The "start from" menu
    sets every knob of one of the lesson's models (:func:`classifier_presets`).

    >>> panel = classifier_panel(beat_splits(fast=True), ComparisonBoard())
    >>> panel.preset.value
    'boundary classifier, all states, joint heads'
    >>> panel.preset.value = "boundary classifier, last state only"    # the menu
    >>> panel.config()["variant"]
    'last_state'
    """
    import ipywidgets as widgets


    shifted = _ShiftedSplits(splits)

    controls = {
        "variant": widgets.Dropdown(options=list(CLASSIFIER_VARIANTS.items()),
                                    value="all_states", description="states used"),
        "heads": widgets.Dropdown(options=[("one network, two heads", "joint"),
                                           ("two networks", "separate")],
                                  value="joint", description="networks"),
        "units": widgets.IntSlider(value=32, min=4, max=128, step=4, description="LSTM units"),
        "layers": widgets.IntSlider(value=1, min=1, max=3, description="LSTM layers"),
        "bidirectional": widgets.Checkbox(value=True, description="bidirectional"),
        "sigma": widgets.FloatSlider(value=2.0, min=0.0, max=8.0, step=0.5,
                                     description="target width (samples)"),
        "learning_rate": _learning_rate_slider(3e-3),
        "epochs": _epochs_slider("classifier_joint"),
        "batch_size": widgets.Dropdown(options=[16, 32, 64, 128], value=32,
                                       description="batch size"),
        "patience": _patience_slider(),
        "shift": _shift_slider(),
    }

    def train(config: dict[str, Any], on_epoch: Any, stop: Any) -> Any:
        if config["variant"] == "flattened":
            kwargs = {"units": config["units"], "learning_rate": config["learning_rate"]}
        else:
            kwargs = {"units": config["units"], "layers": config["layers"],
                      "bidirectional": config["bidirectional"],
                      "learning_rate": config["learning_rate"]}
        return train_boundary_classifier(
            shifted(config["shift"]), variant=config["variant"], heads=config["heads"],
            sigma=config["sigma"],
            build_kwargs=kwargs, epochs=config["epochs"], batch_size=config["batch_size"],
            callbacks=[on_epoch], stop_event=stop, progress=None,
            early_stopping_patience=_patience(config),
        )

    presets = classifier_presets()
    return TrainingPanel(controls, train, describe=_result_html, summarise=_board_row,
                         board=board, title="Train a boundary classifier", presets=presets,
                         preset=preset or next(iter(presets)))


def segmenter_panel(board: ComparisonBoard | None = None) -> TrainingPanel:
    """Lesson 04: retrain the BiLSTM segmenter from scratch (the default recipe's knobs).

    Knobs: LSTM units, convolution filters, training leads, time budget, epochs,
    seed. They start at the class recipe (:data:`~ecgteach.delineation.CLASS_RECIPE`:
    the default's model and schedule in fewer epochs, within a minute); 10 epochs
    and 180 s are the default recipe. The result is scored on the validation
    patients, lead ii; the board can chart its QRS onset or offset SD.

    >>> panel = segmenter_panel(ComparisonBoard(metric="QRS onset SD (ms)"))
    >>> list(panel.controls)
    ['lstm_units', 'conv_filters', 'leads', 'seconds', 'epochs', 'seed']
    >>> panel.config()["conv_filters"], panel.board.metric
    ((16, 32), 'QRS onset SD (ms)')
    """
    import ipywidgets as widgets


    recipe_epochs = int(CLASS_RECIPE["recipe"]["epochs"])
    controls = {
        "lstm_units": widgets.IntSlider(value=32, min=8, max=64, step=8,
                                        description="LSTM units"),
        "conv_filters": widgets.Dropdown(options=[("8, 16", (8, 16)), ("16, 32", (16, 32)),
                                                  ("32, 32", (32, 32))],
                                         value=(16, 32), description="conv filters"),
        "leads": widgets.Dropdown(options=[("all 12 leads", "all"), ("lead ii only", "ii")],
                                  value="all", description="training leads"),
        "seconds": widgets.IntSlider(value=20 if fast() else int(CLASS_RECIPE["seconds"]),
                                     min=10, max=600, step=10,
                                     description="time budget (s)"),
        "epochs": widgets.IntSlider(value=1 if fast() else recipe_epochs, min=1, max=30,
                                    description="epochs"),
        "seed": widgets.IntSlider(value=0, min=0, max=9, description="seed"),
    }

    def train(config: dict[str, Any], on_epoch: Any, stop: Any) -> Any:
        return train_default_segmenter(
            seconds=config["seconds"], seed=config["seed"], leads=config["leads"],
            fast=fast(), recipe={"epochs": config["epochs"]}, callbacks=[on_epoch],
            stop_event=stop, progress=None,
            build_kwargs={"lstm_units": config["lstm_units"],
                          "conv_filters": config["conv_filters"]},
        )

    def describe(result: Any) -> str:
        _, info = result
        text = (f"<p>Trained {info.epochs_run} epochs in {info.training_seconds:.0f} s "
                f"({info.n_params:,} parameters).")
        summary = info.validation_scores.get("ii")
        if summary is None:
            return text + "</p>"
        names = {"boundary": "boundary", "sensitivity": "Se %", "ppv": "PPV %",
                 "mean_ms": "mean ms", "sd_ms": "SD ms", "cse_tolerance_ms": "CSE 2σ ms",
                 "n_true": "n true"}
        rows = [{label: row.get(key, "") for key, label in names.items()}
                for row in summary.rows]
        columns = list(names.values())
        return (text + f" Validation patients, lead ii ({summary.n_leads_scored} leads):</p>"
                + table_html(rows, columns).data)

    def summarise(config: dict[str, Any], result: Any) -> dict[str, Any]:
        _, info = result
        summary = info.validation_scores.get("ii")
        rows = summary.rows if summary is not None else []
        out = {k: v for k, v in config.items() if k != "seconds"}
        out["conv_filters"] = ", ".join(str(f) for f in config["conv_filters"])
        for row in rows:
            if row.get("boundary", "").startswith("QRS"):
                out[f"{row['boundary']} SD (ms)"] = row.get("sd_ms", np.nan)
        return out

    return TrainingPanel(controls, train, describe=describe, summarise=summarise, board=board,
                         title="Retrain the segmenter")
