"""Keep lesson notebooks committed without outputs (clean diffs).

Usage::

    python scripts/notebooks.py strip lessons/*.ipynb    # remove outputs in place
    python scripts/notebooks.py check lessons/*.ipynb    # exit 1 if any has outputs
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat


def has_outputs(notebook: nbformat.NotebookNode) -> bool:
    """True when any code cell holds outputs or an execution count."""
    return any(
        cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None)
        for cell in notebook.cells
    )


def strip(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Remove outputs, execution counts and widget state."""
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cell.metadata.pop("execution", None)
    notebook.metadata.pop("widgets", None)
    return notebook


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] not in {"strip", "check"}:
        print(__doc__)
        return 2
    dirty = []
    for name in argv[1:]:
        path = Path(name)
        notebook = nbformat.read(path, as_version=4)
        if argv[0] == "strip":
            nbformat.write(strip(notebook), path)
        elif has_outputs(notebook):
            dirty.append(name)
    if dirty:
        print("notebooks with outputs (run `make strip-notebooks`):", *dirty, sep="\n  ")
    return 1 if dirty else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
