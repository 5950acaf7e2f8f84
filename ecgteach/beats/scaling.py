"""How beats and labels are scaled before training: one fix at a time.

The learner fed raw millivolts next to a 0-800 ms time channel and regressed
raw sample indices. An :class:`InputScaling` names one choice per knob (voltage,
time channel, targets); :meth:`InputScaling.fit` takes the statistics from the
training beats only and gives a :class:`FittedScaling` that transforms any part
and maps predictions back to indices. :data:`SCALINGS` holds the presets the
lessons and the benchmark compare.

>>> import numpy as np
>>> from ecgteach.beats.splits import beat_splits
>>> splits = beat_splits(fast=True)
>>> scaler = SCALINGS["scaled"].fit(splits.train)
>>> x = scaler.x(splits.val)                        # time / 800 ms, z-scored voltage
>>> x.shape, round(float(x[..., 0].max()), 1)
((25, 200, 2), 1.0)
>>> y = scaler.y(splits.val.y)                      # z-scored onset and offset
>>> bool(np.allclose(scaler.inverse_y(y), splits.val.y))
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ecgteach.beats.seedset import SeedDataset

# -------------------------------------------------------------------------- scaling

VOLTAGE_OPTIONS = ("raw", "standardised")
TIME_OPTIONS = ("raw_ms", "scaled", "dropped")
TARGET_OPTIONS = ("raw", "zscore", "length")


@dataclass(frozen=True)
class InputScaling:
    """How inputs and targets are scaled before training (one fix at a time).

    * ``voltage``: ``"raw"`` (mV) or ``"standardised"`` (minus the training mean,
      divided by the training SD, over beat samples; the padding stays 0);
    * ``time``: ``"raw_ms"`` (0-800 ms, the learner's channel), ``"scaled"``
      (divided by the row duration: 0-1) or ``"dropped"`` (voltage only);
    * ``targets``: ``"raw"`` (indices), ``"zscore"`` (training mean and SD per
      boundary) or ``"length"`` (divided by the row length).

    >>> scaling = InputScaling(voltage="standardised", time="scaled", targets="zscore")
    >>> scaling == SCALINGS["scaled"], scaling.channels
    (True, 2)
    >>> InputScaling(time="dropped").channels
    1
    >>> InputScaling(time="ms")
    Traceback (most recent call last):
    ...
    ValueError: time must be one of ('raw_ms', 'scaled', 'dropped'), got 'ms'
    """

    voltage: str = "raw"
    time: str = "raw_ms"
    targets: str = "raw"

    def __post_init__(self) -> None:
        for name, options in (("voltage", VOLTAGE_OPTIONS), ("time", TIME_OPTIONS),
                              ("targets", TARGET_OPTIONS)):
            if getattr(self, name) not in options:
                raise ValueError(f"{name} must be one of {options}, got {getattr(self, name)!r}")

    @property
    def channels(self) -> int:
        """Number of input channels (1 when the time channel is dropped)."""
        return 1 if self.time == "dropped" else 2

    def describe(self) -> str:
        """A short phrase for tables.

        >>> SCALINGS["scaled"].describe()
        'std. voltage, scaled time, z-scored targets'
        >>> InputScaling().describe()
        'raw mV, time in ms, raw targets'
        """
        voltage = {"raw": "raw mV", "standardised": "std. voltage"}[self.voltage]
        time_ = {"raw_ms": "time in ms", "scaled": "scaled time", "dropped": "no time"}[self.time]
        targets = {"raw": "raw targets", "zscore": "z-scored targets",
                   "length": "targets/length"}[self.targets]
        return f"{voltage}, {time_}, {targets}"

    def fit(self, train: SeedDataset) -> FittedScaling:
        """Fit the statistics on the training beats only (the padding is not a sample).

        >>> from ecgteach.beats.splits import beat_splits
        >>> scaler = SCALINGS["scaled"].fit(beat_splits(fast=True).train)
        >>> scaler.row_ms, scaler.length, scaler.target_mean.round(1)
        (800.0, 200, array([75.5, 99.8]))
        """
        if "voltage" not in train.channels:
            raise ValueError("the beats have no voltage channel")
        beat = _beat_mask(train)
        volts = train.voltage[beat].astype(np.float64)
        labels = train.y.astype(np.float64)
        return FittedScaling(
            options=self, voltage_mean=float(volts.mean()),
            voltage_std=float(volts.std()) or 1.0,
            row_ms=train.length * 1000.0 / train.fs, length=train.length,
            target_mean=labels.mean(axis=0), target_std=np.where(labels.std(axis=0) > 0,
                                                                 labels.std(axis=0), 1.0),
        )


#: Named presets used by the lessons and the benchmark.
SCALINGS: dict[str, InputScaling] = {
    "raw": InputScaling(),
    "zscore_targets": InputScaling(targets="zscore"),
    "standardise_voltage": InputScaling(voltage="standardised"),
    "scale_time": InputScaling(time="scaled"),
    "drop_time": InputScaling(time="dropped"),
    "scale_inputs": InputScaling(voltage="standardised", time="scaled"),
    "standardise_voltage_zscore_targets": InputScaling(voltage="standardised", targets="zscore"),
    "scaled": InputScaling(voltage="standardised", time="scaled", targets="zscore"),
    "voltage_channel": InputScaling(voltage="standardised", time="dropped", targets="zscore"),
}


def _beat_mask(beats: SeedDataset) -> np.ndarray:
    """``(n, length)`` True on beat samples, False on the leading zero padding."""
    return np.arange(beats.length)[None, :] >= beats.n_padding[:, None]


@dataclass(frozen=True, eq=False)
class FittedScaling:
    """:class:`InputScaling` with statistics from the training beats.

    ``x(beats)`` gives model inputs, ``y(labels)`` regression targets, and
    ``inverse_y(predictions)`` turns a model's outputs back into indices.

    >>> from ecgteach.beats.splits import beat_splits
    >>> splits = beat_splits(fast=True)
    >>> raw = SCALINGS["raw"].fit(splits.train)             # the learner's inputs
    >>> float(raw.x(splits.val)[..., 0].max()), raw.y(splits.val.y[:1])
    (796.0, array([[65., 80.]], dtype=float32))
    >>> by_length = InputScaling(targets="length").fit(splits.train)
    >>> by_length.y(splits.val.y[:1]), by_length.inverse_y([[0.325, 0.4]])
    (array([[0.325, 0.4  ]], dtype=float32), array([[65., 80.]]))
    >>> SCALINGS["voltage_channel"].fit(splits.train).x(splits.val).shape
    (25, 200, 1)
    """

    options: InputScaling
    voltage_mean: float
    voltage_std: float
    row_ms: float
    length: int
    target_mean: np.ndarray
    target_std: np.ndarray

    def x(self, beats: SeedDataset) -> np.ndarray:
        """Model inputs ``(n, length, channels)`` float32."""
        volts = beats.voltage.astype(np.float32)
        if self.options.voltage == "standardised":
            scaled = (volts - self.voltage_mean) / self.voltage_std
            volts = np.where(_beat_mask(beats), scaled, 0.0).astype(np.float32)
        if self.options.time == "dropped":
            return volts[..., None]
        if "time_ms" not in beats.channels:
            raise ValueError("this scaling needs the time_ms channel (voltage_only=False beats)")
        times = beats.x[:, :, beats.channels.index("time_ms")].astype(np.float32)
        if self.options.time == "scaled":
            times = times / np.float32(self.row_ms)
        return np.stack([times, volts], axis=-1)

    def y(self, labels: np.ndarray) -> np.ndarray:
        """Regression targets from ``(n, 2)`` indices."""
        labels = np.asarray(labels, dtype=np.float64)
        if self.options.targets == "zscore":
            labels = (labels - self.target_mean) / self.target_std
        elif self.options.targets == "length":
            labels = labels / self.length
        return labels.astype(np.float32)

    def inverse_y(self, predictions: np.ndarray) -> np.ndarray:
        """Model outputs back to indices (float64 samples)."""
        out = np.asarray(predictions, dtype=np.float64)
        if self.options.targets == "zscore":
            return out * self.target_std + self.target_mean
        if self.options.targets == "length":
            return out * self.length
        return out


def _as_scaling(scaling: str | InputScaling) -> InputScaling:
    if isinstance(scaling, InputScaling):
        return scaling
    if scaling not in SCALINGS:
        raise ValueError(f"unknown scaling {scaling!r}; use an InputScaling or one of "
                         f"{list(SCALINGS)}")
    return SCALINGS[scaling]
