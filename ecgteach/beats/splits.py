"""The learner's beats of the training, validation and test patients, in one call.

Lessons 02-03 train on the beats of the training patients of
:func:`ecgteach.datasets.splits.split_patients`, watch the validation
patients, and report on the fixed test patients 161-200: :func:`beat_splits`
builds all three parts (:class:`ecgteach.beats.seedset.SeedDataset`) at once.

>>> splits = beat_splits(fast=True)          # 12 + 4 + 4 records: tests and ECGTEACH_FAST
>>> splits
BeatSplits(train 77, val 25, test 29 beats; {'lead': 'ii', 'fs': 250.0, ...})
>>> splits.records["test"], splits.train.x.shape
([161, 162, 163, 164], (77, 200, 2))
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ecgteach.beats.seedset import SeedDataset, make_seed_dataset
from ecgteach.datasets.ludb import TEST_RECORDS, load_ludb
from ecgteach.datasets.splits import split_patients

#: Records per part in ``fast`` mode (tests, ``ECGTEACH_FAST``).
FAST_RECORDS: dict[str, int] = {"train": 12, "val": 4, "test": 4}

# ----------------------------------------------------------------------------- data


@dataclass(frozen=True, eq=False)
class BeatSplits:
    """Learner-format beats of the training, validation and (fixed) test patients.

    ``records`` maps each part to its LUDB record numbers; ``config`` holds the
    arguments of :func:`beat_splits`.

    >>> splits = beat_splits(fast=True)
    >>> splits.fs, len(splits.val), splits.records["val"]
    (250.0, 25, [6, 11, 17, 42])
    >>> set(splits.records["train"]) & set(splits.records["val"])    # patient-wise
    set()
    """

    train: SeedDataset
    val: SeedDataset
    test: SeedDataset
    records: dict[str, list[int]]
    config: dict[str, Any]

    @property
    def fs(self) -> float:
        """Sampling rate of the beats (Hz)."""
        return self.train.fs

    def __repr__(self) -> str:
        sizes = ", ".join(f"{k} {len(getattr(self, k))}" for k in ("train", "val", "test"))
        return f"BeatSplits({sizes} beats; {self.config})"


def beat_splits(
    lead: str = "ii",
    fs: float = 250.0,
    length: int = 200,
    n_train: int | None = None,
    shift_fraction: float = 0.0,
    seed: int = 0,
    fast: bool = False,
) -> BeatSplits:
    """Beats of the train/val patients of ``split_patients(seed)`` and the test patients 161-200.

    ``n_train`` draws that many training beats at random (``None``: all); the
    validation and test parts keep every beat. ``shift_fraction`` applies the
    learner's window shift to all three parts (seeds ``seed``, ``seed + 1``,
    ``seed + 2``). ``fast=True`` keeps only the first 12/4/4 records of each part
    (tests and ``ECGTEACH_FAST``). The lessons call ``beat_splits(n_train=300)``.

    >>> splits = beat_splits(n_train=30, shift_fraction=0.1, fast=True)
    >>> len(splits.train), len(splits.test), splits.config["shift_fraction"]
    (30, 29, 0.1)
    >>> bool((splits.train.shift_ms != 0).any())
    True
    """
    split = split_patients(seed)
    records = {"train": split["train"], "val": split["val"], "test": sorted(TEST_RECORDS)}
    if fast:
        records = {part: ids[: FAST_RECORDS[part]] for part, ids in records.items()}
    parts = {}
    for offset, part in enumerate(("train", "val", "test")):
        parts[part] = make_seed_dataset(
            load_ludb(records[part], leads=[lead]), lead=lead,
            n_beats=n_train if part == "train" else None, length=length, fs=fs,
            shift_fraction=shift_fraction, seed=seed + offset,
        )
    config = {"lead": lead, "fs": fs, "length": length, "n_train": n_train,
              "shift_fraction": shift_fraction, "seed": seed, "fast": fast}
    return BeatSplits(**parts, records=records, config=config)
