"""The layout is the architecture: layers import only downwards, no circles, one public face.

The layers, bottom up (README "How the code is organised"): private helpers,
``ecg``, ``datasets``, ``evaluation``, ``nn``, ``delineation``, ``beats``,
``ui``, ``classroom``, then the command line and the package's public face.
Every ``import`` counts, also one inside a function: a lazy import may keep
TensorFlow or a widget library from loading early, never hide a circle.
"""

from __future__ import annotations

import ast
import importlib
import re
from collections import defaultdict
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "ecgteach"

#: Each module's layer, by the first part of its name inside the package.
LAYERS: dict[str, int] = {
    "_version": 0, "_config": 0, "_files": 0, "_quiet": 0,
    "ecg": 1,
    "datasets": 2,
    "evaluation": 3,
    "nn": 4,
    "delineation": 5,
    "beats": 6,
    "ui": 7,
    "classroom": 8,
    "cli": 9, "__main__": 9, "__init__": 9,
}
SUBPACKAGES = ("ecg", "datasets", "evaluation", "nn", "delineation", "beats", "ui", "classroom")


def _modules() -> dict[str, Path]:
    """Dotted module name (without ``ecgteach.``) -> file, for every module of the package."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        found[".".join(parts)] = path
    return found


def _imports(path: Path) -> set[str]:
    """Every ``ecgteach`` module a file imports (top level and inside functions)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                raise AssertionError(f"{path.name}: use absolute imports (from ecgteach...)")
            if node.module and node.module.split(".")[0] == "ecgteach":
                base = node.module.removeprefix("ecgteach").lstrip(".")
                for alias in node.names:  # `from ecgteach.nn import models` imports a module
                    candidate = f"{base}.{alias.name}".lstrip(".")
                    out.add(candidate if candidate in MODULES else base or "__init__")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "ecgteach":
                    out.add(alias.name.removeprefix("ecgteach").lstrip(".") or "__init__")
    return out


MODULES = _modules()
GRAPH = {name: _imports(path) for name, path in MODULES.items()}


def _layer(module: str) -> int:
    head = module.split(".")[0]
    if module.endswith("__init__") and head in SUBPACKAGES:
        return LAYERS[head]
    return LAYERS[head]


def test_every_module_has_a_layer():
    assert {name.split(".")[0] for name in MODULES} <= set(LAYERS)


def test_no_import_runs_up_a_layer():
    upward = [
        f"{module} (layer {_layer(module)}) imports {target} (layer {_layer(target)})"
        for module, targets in GRAPH.items() for target in targets
        if target in MODULES and _layer(target) > _layer(module)
    ]
    assert not upward, "\n".join(upward)


def test_modules_import_modules_not_their_own_or_the_top_package():
    """Inside the package, imports name the module that defines a thing (no face in between).

    The public faces (``ecgteach/__init__.py`` and each subpackage's) are for users;
    a module importing them would run in a circle through them.
    """
    faces = {"__init__"} | {f"{p}" for p in SUBPACKAGES}
    bad = [f"{module} imports ecgteach.{target}" for module, targets in GRAPH.items()
           if not module.endswith("__init__") and module not in ("cli", "__main__")
           for target in targets if target in faces or target.endswith("__init__")]
    assert not bad, "\n".join(bad)


def test_there_is_no_circle():
    """The module graph is acyclic (depth-first search for a back edge)."""
    edges = {m: {t for t in targets if t in MODULES and t != m} for m, targets in GRAPH.items()}
    state: dict[str, int] = defaultdict(int)  # 0 new, 1 on the stack, 2 done
    path: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        path.append(module)
        for target in sorted(edges[module]):
            if state[target] == 1:
                cycle = path[path.index(target):] + [target]
                raise AssertionError("import circle: " + " -> ".join(cycle))
            if state[target] == 0:
                visit(target)
        path.pop()
        state[module] = 2

    for module in sorted(edges):
        if state[module] == 0:
            visit(module)


def test_no_two_modules_a_suffix_apart():
    """Once ``train``, ``training``, ``trainers``: never a module named as another + suffix."""
    stems = sorted({name.split(".")[-1] for name in MODULES if not name.endswith("__init__")})
    close = [(a, b) for a in stems for b in stems
             if a != b and b.startswith(a) and len(b) - len(a) <= 3 and not a.startswith("_")]
    assert not close, close


@pytest.mark.parametrize("face", ["", *SUBPACKAGES])
def test_each_public_face_lists_exactly_what_it_offers(face):
    """``__all__`` names exist, are unique, and every public name the face imports is in it."""
    module = importlib.import_module("ecgteach" + (f".{face}" if face else ""))
    names = module.__all__
    assert len(names) == len(set(names)), "duplicates in __all__"
    missing = [name for name in names if not hasattr(module, name)]
    assert not missing, missing
    init = PACKAGE / (f"{face}/__init__.py" if face else "__init__.py")
    imported = {alias.asname or alias.name
                for node in ast.parse(init.read_text(encoding="utf-8")).body
                if isinstance(node, ast.ImportFrom) for alias in node.names}
    unlisted = sorted(name for name in imported if not name.startswith("_")
                      and name not in names and name != "annotations")
    assert not unlisted, f"imported by the face but not in __all__: {unlisted}"


def test_the_public_face_reaches_every_layer_but_the_widgets():
    """``import ecgteach`` offers data, evaluation, delineation and the beat recipes.

    The widgets live in ``ecgteach.ui`` (plotly and ipywidgets load only there).
    """
    import ecgteach

    homes = {getattr(ecgteach, name).__module__.split(".")[1]
             for name in ecgteach.__all__ if hasattr(getattr(ecgteach, name), "__module__")}
    assert {"ecg", "datasets", "evaluation", "delineation", "beats", "nn", "classroom"} <= homes
    assert "ui" not in homes


def _code_lines(path: Path) -> int:
    """Lines of code: without docstrings (their doctests included), comments and blanks."""
    source = path.read_text(encoding="utf-8")
    docstrings: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(getattr(first, "value", None),
                                                          ast.Constant) \
                    and isinstance(first.value.value, str):
                docstrings.update(range(first.lineno, first.end_lineno + 1))
    return sum(1 for number, line in enumerate(source.splitlines(), 1)
               if number not in docstrings and line.strip() and not line.strip().startswith("#"))


def test_modules_stay_small_enough_to_read():
    """At most ~400 lines of code per module (docstrings and their doctests not counted)."""
    too_long = {name: n for name, path in MODULES.items() if (n := _code_lines(path)) > 400}
    assert not too_long, too_long


def test_no_usage_lines_that_nothing_runs():
    """Docstring examples are doctests (``>>>``), run by the suite; no inert "Usage:" lines."""
    inert = [f"{name}:{i}" for name, path in MODULES.items()
             for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if re.match(r"\s*Usage(::|:)", line)]
    assert not inert, inert
