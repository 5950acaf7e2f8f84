"""Patient-wise splits of LUDB: the fixed test patients, seeded train/validation splits, folds.

One LUDB record is one patient. Records 161-200 are the fixed test patients
(never trained on, never used to choose a model), so numbers compare across
runs; records 1-160 are split into training and validation with a seed, or
cut into cross-validation folds.

>>> split = split_patients(seed=0)
>>> {part: len(ids) for part, ids in split.items()}
{'train': 128, 'val': 32, 'test': 40}
>>> split["test"][0], split["test"][-1]
(161, 200)
>>> split_overlap(split)
set()
>>> patient_folds()[0] == split
True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from ecgteach.datasets.ludb import LUDB_RECORDS, TEST_RECORDS


def _shuffled_non_test(seed: int, test: tuple[int, ...]) -> np.ndarray:
    """The non-test LUDB records in the seeded order both splits cut from."""
    rest = np.array([r for r in LUDB_RECORDS if r not in set(test)])
    return np.random.default_rng(seed).permutation(rest)


def split_patients(
    seed: int = 0, val_fraction: float = 0.2, test: tuple[int, ...] = TEST_RECORDS
) -> dict[str, list[int]]:
    """Patient-wise split of LUDB: fixed test patients, seeded train/validation split.

    >>> split = split_patients(seed=1, val_fraction=0.25)
    >>> len(split["train"]), len(split["val"]), split == split_patients(seed=1, val_fraction=0.25)
    (120, 40, True)
    """
    if not 0 < val_fraction < 1:
        raise ValueError(f"val_fraction must be between 0 and 1, got {val_fraction}")
    shuffled = _shuffled_non_test(seed, test)
    n_val = int(round(len(shuffled) * val_fraction))
    return {
        "train": sorted(int(r) for r in shuffled[n_val:]),
        "val": sorted(int(r) for r in shuffled[:n_val]),
        "test": sorted(int(r) for r in test),
    }


def patient_folds(
    n_folds: int = 5, seed: int = 0, test: tuple[int, ...] = TEST_RECORDS
) -> list[dict[str, list[int]]]:
    """Patient-wise cross-validation splits of the non-test LUDB records.

    The records are shuffled exactly as :func:`split_patients` shuffles them and
    cut into ``n_folds`` folds; split ``k`` validates on fold ``k`` and trains on
    the rest, so with the defaults (5 folds of 32) split 0 *is*
    ``split_patients(seed)``. The test patients are in no fold.

    >>> folds = patient_folds(n_folds=5, seed=0)
    >>> [len(split["val"]) for split in folds], len(folds[0]["train"])
    ([32, 32, 32, 32, 32], 128)
    >>> sorted(r for split in folds for r in split["val"]) == list(range(1, 161))
    True
    """
    n_folds = int(n_folds)
    shuffled = _shuffled_non_test(seed, test)
    if not 2 <= n_folds <= len(shuffled):
        raise ValueError(f"n_folds must be between 2 and {len(shuffled)}, got {n_folds}")
    bounds = np.linspace(0, len(shuffled), n_folds + 1).round().astype(int)
    folds = [shuffled[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    return [
        {
            "train": sorted(int(r) for j, fold in enumerate(folds) if j != k for r in fold),
            "val": sorted(int(r) for r in folds[k]),
            "test": sorted(int(r) for r in test),
        }
        for k in range(n_folds)
    ]


def split_overlap(split: dict[str, list[int]]) -> set[int]:
    """Patients that appear in more than one part of a split (should be empty).

    >>> split_overlap(split_patients())
    set()
    >>> sorted(split_overlap({"train": [1, 2, 3], "val": [3, 4], "test": [4]}))
    [3, 4]
    """
    seen: dict[int, str] = {}
    shared = set()
    for part, ids in split.items():
        for patient in ids:
            if seen.setdefault(patient, part) != part:
                shared.add(patient)
    return shared


def check_split(split: Mapping[str, Sequence[int]]) -> dict[str, list[int]]:
    """A train/val split to train on: both parts present, LUDB records, disjoint, no test patient.

    Returns the parts as sorted lists of ints; raises a ValueError saying what is
    wrong otherwise.

    >>> check_split({"train": ["3", 1], "val": [2]})
    {'train': [1, 3], 'val': [2]}
    >>> len(check_split(patient_folds()[2])["val"])
    32
    >>> check_split({"train": [1, 2], "val": [2, 3]})
    Traceback (most recent call last):
    ...
    ValueError: patients [2] are in both 'train' and 'val'; a patient belongs to one part only
    """
    try:
        parts = {name: sorted(int(r) for r in split[name]) for name in ("train", "val")}
    except KeyError as error:
        raise ValueError(f"a split needs 'train' and 'val' lists of LUDB records, missing {error}; "
                         "use e.g. ecgteach.patient_folds()[k]") from None
    for name, ids in parts.items():
        if not ids:
            raise ValueError(f"the split's {name!r} part is empty")
        unknown = sorted(set(ids) - set(LUDB_RECORDS))
        if unknown:
            raise ValueError(f"the split's {name!r} part has records that are not in LUDB: "
                             f"{unknown[:5]}")
        test = sorted(set(ids) & set(TEST_RECORDS))
        if test:
            raise ValueError(f"the split's {name!r} part holds test patients {test[:5]}: records "
                             "161-200 are never trained on or used to choose a model")
    shared = sorted(split_overlap(parts))
    if shared:
        raise ValueError(f"patients {shared[:5]} are in both 'train' and 'val'; a patient "
                         "belongs to one part only")
    return parts
