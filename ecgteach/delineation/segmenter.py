"""The segmenter as a file: its rate, where the shipped one lives, and its training record.

A segmenter is a Keras model that labels every sample of a 250 Hz lead
background / P / QRS / T. It is saved as ``.keras`` with a JSON sidecar (the
same name, ``.json``) that records how it was trained and how it scored on
the validation patients: :class:`SegmenterInfo`. ``ecgteach train`` writes
both (:func:`save_segmenter`); :func:`load_segmenter` and
:func:`segmenter_info` read them.

>>> info = segmenter_info()            # the shipped default segmenter's record
>>> info.config.fs == MODEL_FS, info.epochs_run > 0
(True, True)
>>> info.validation_scores["ii"].rows[0]["boundary"]
'P onset'
"""

from __future__ import annotations

import dataclasses
import json
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ecgteach._config import WEIGHTS_DIR
from ecgteach._files import atomic_write, sha256_file, to_json, write_text_atomic

#: Sampling rate every segmenter works at (Hz); ``delineate`` resamples to it.
MODEL_FS = 250.0
#: The shipped default segmenter (``ecgteach train`` rebuilds it).
DEFAULT_SEGMENTER = WEIGHTS_DIR / "segmenter.keras"


@dataclass(frozen=True)
class ScoresSummary:
    """A scorer's pooled scores as stored in the sidecar: the rows and their Markdown table."""

    n_leads_scored: int
    table: str
    rows: list[dict[str, Any]]


@dataclass(frozen=True)
class TrainingConfig:
    """What a segmenter was trained on: builder, recipe, data (records, windows, leads)."""

    builder: str
    build_kwargs: dict[str, Any]
    recipe: dict[str, Any]
    fs: float
    window_s: float
    training_leads: list[str]
    split_seed: int | None  # None: the split was given (cross-validation folds)
    train_records: list[int]
    val_records: list[int]
    n_train_windows: int
    n_val_windows: int
    steps_per_epoch: int
    fast: bool


@dataclass(frozen=True)
class SegmenterInfo:
    """The training record of a segmenter (the JSON sidecar of its ``.keras`` file).

    ``training_seconds`` is the whole run (data, fit, validation scoring);
    ``validation_scores`` maps ``"ii"`` (and ``"all"`` when more leads were
    used) to the validation patients' scores. ``file`` and ``saved`` are filled
    by :func:`save_segmenter`; ``command`` and ``wall_seconds`` by ``ecgteach train``.
    """

    model: str
    config: TrainingConfig
    seed: int
    n_params: int
    budget_s: float
    stopped_by_time_budget: bool
    reproducible: bool
    epochs_run: int
    best_epoch: int | None
    restored_best: bool
    seconds_per_epoch: list[float]
    data_seconds: float
    fit_seconds: float
    history: dict[str, list[float]]
    versions: dict[str, str]
    machine: dict[str, Any]
    training_seconds: float = 0.0
    validation_scores: dict[str, ScoresSummary] = field(default_factory=dict)
    validation_seconds: float | None = None
    command: str | None = None
    wall_seconds: float | None = None
    file: dict[str, Any] | None = None
    saved: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON values, the sidecar's layout (fields left unset are omitted)."""
        data = dataclasses.asdict(self)
        return to_json({k: v for k, v in data.items() if v is not None})

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SegmenterInfo:
        """Read a sidecar's dict; unknown keys are a clear error (a file from another tool)."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise ValueError(f"not an ecgteach segmenter record: unknown keys {unknown}")
        values = dict(data)
        values["config"] = TrainingConfig(**values["config"])
        values["validation_scores"] = {name: ScoresSummary(**summary) for name, summary
                                       in values.get("validation_scores", {}).items()}
        return cls(**values)


def save_segmenter(model: Any, info: SegmenterInfo, out: str | Path) -> tuple[Path, Path]:
    """Write ``model`` as ``.keras`` and ``info`` as a ``.json`` beside it, each atomically.

    The JSON also records the model file's sha256 and size. Returns both paths.
    Used by ``ecgteach train``; see :func:`ecgteach.delineation.train_default_segmenter`.
    """
    out = Path(out)
    if out.suffix != ".keras":
        raise ValueError(f"the model file must end in .keras, got {out}")

    def write_model(tmp: Path) -> None:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=DeprecationWarning)
            model.save(tmp)

    atomic_write(out, write_model)
    info = dataclasses.replace(
        info, file={"name": out.name, "bytes": out.stat().st_size, "sha256": sha256_file(out)},
        saved=time.strftime("%Y-%m-%dT%H:%M:%S"))
    meta_path = out.with_suffix(".json")
    write_text_atomic(meta_path, json.dumps(info.to_dict(), indent=1, allow_nan=False) + "\n")
    return out, meta_path


def load_segmenter(path: str | Path | None = None) -> Any:
    """Load a segmenter saved as ``.keras`` (default: the shipped one), for inference.

    >>> load_segmenter("no/such/file.keras")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    FileNotFoundError: segmenter weights not found at no/such/file.keras; ...
    """
    path = Path(path) if path is not None else DEFAULT_SEGMENTER
    if not path.is_file():
        raise FileNotFoundError(
            f"segmenter weights not found at {path}; rebuild the default with "
            "`ecgteach train` or pass a trained model"
        )
    import keras

    try:
        return keras.saving.load_model(path, compile=False)
    except Exception as error:  # a truncated or foreign file: say which and what to do
        raise ValueError(f"cannot load a Keras model from {path} ({error}); retrain it") from error


def segmenter_info(path: str | Path | None = None) -> SegmenterInfo:
    """What a segmenter (default: the shipped one) was trained on, how long, how it scored.

    Reads the JSON written next to the ``.keras`` file by ``ecgteach train``.

    >>> info = segmenter_info()
    >>> info.training_seconds > 0 and len(info.config.train_records) > 0
    True
    """
    model_path = Path(path) if path is not None else DEFAULT_SEGMENTER
    sidecar = model_path.with_suffix(".json")
    if not sidecar.is_file():
        raise FileNotFoundError(f"no training record {sidecar}; retrain with `ecgteach train`")
    return SegmenterInfo.from_dict(json.loads(sidecar.read_text(encoding="utf-8")))
