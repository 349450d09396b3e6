"""The layer rule (docs/architecture.md): importers -> store -> views -> measures -> products -> cli.

A module imports only modules of its own layer, of the layers to its left, and the base modules
beneath every layer (errors, vocabulary, country and region tables, the SQL quoting helper, the Dask
cluster behind ``--dask``, the lazy-import helpers ``_lazy`` and ``_lean``). Every
import statement counts: module-level, inside a function (lazy) and under ``TYPE_CHECKING``.
The embedded datasets sit just right of the importers (they are read by them); the Python API
and the package's ``__init__`` are faces beside the CLI.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[1] / "src" / "civnet"

BASE = ("errors", "vocab", "countries", "regions", "sql", "cluster", "_lazy", "_lean")
RANK = {
    "importers": 0,
    "datasets": 1,
    "store": 2,
    "views": 3,
    "measures": 4,
    "products": 5,
    "cli": 6,
    "api": 6,
    "__init__": 6,
    "__main__": 6,
}


def unit(module_path: Path) -> str:
    """The layer (or base module) a file of the package belongs to: its first path part."""
    return module_path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def _is_module(name: str) -> bool:
    return (PACKAGE / f"{name}.py").exists() or (PACKAGE / name).is_dir()


def civnet_imports(path: Path) -> list[tuple[int, str]]:
    """(line, first part after ``civnet.``) of every absolute import of civnet in ``path``."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
            if node.module == "civnet":  # from civnet import X: X is the unit when a module
                names = [f"civnet.{a.name}" for a in node.names if _is_module(a.name)]
        out += [(node.lineno, n.split(".")[1]) for n in names if n.startswith("civnet.")]
    return out


def test_no_relative_imports() -> None:
    """Relative imports would hide a layer from the rule below."""
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                assert node.level == 0, f"{path.relative_to(PACKAGE)}:{node.lineno}"


def test_every_file_belongs_to_a_layer_or_the_base() -> None:
    units = {unit(p) for p in PACKAGE.rglob("*.py")}
    assert units <= set(RANK) | set(BASE), units - set(RANK) - set(BASE)
    assert units >= {"importers", "store", "views", "measures", "products", "cli", "sql"}


@pytest.mark.parametrize("layer", sorted(set(RANK) | set(BASE), key=lambda u: (RANK.get(u, -1), u)))
def test_no_import_against_the_layers(layer: str) -> None:
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if unit(path) != layer:
            continue
        for line, target in civnet_imports(path):
            if layer in BASE:
                ok = target in BASE
            else:
                ok = target in BASE or RANK.get(target, 99) <= RANK[layer]
            if not ok:
                wrong.append(f"{path.relative_to(PACKAGE)}:{line} imports civnet.{target}")
    assert wrong == [], "\n".join(wrong)


def test_the_rule_catches_an_import_against_it(tmp_path: Path) -> None:
    """The check itself: an importer importing the store is found."""
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from civnet.store import Workspace\n    return Workspace\n")
    assert civnet_imports(bad) == [(2, "store")]
    assert RANK["store"] > RANK["importers"]
