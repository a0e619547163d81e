"""The code base's own standards: lint, types, and imports that point downstream only."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "collatio"

#: Pipeline order. A module may import only from its own rank or earlier ones.
#: Readers come first in the data flow (bytes -> witnesses) but after ``witness`` here: a
#: reader's product is sources and witnesses, so it builds on those stages; a reader whose
#: product is an apparatus (collatio's own TEI and JSON) sits at the interop rank.
RANKS = {
    "_version": 0, "errors": 0, "diagnostics": 0, "textpos": 0, "schema": 0, "terminal": 0,
    "progress": 0, "_display": 0, "strict_json": 0, "_indices": 0, "_workers": 0,
    "markup": 1,
    "sources": 2,
    "witness": 3,
    "readers": 4,
    "tokens": 5, "normalize": 5,
    "align": 6,
    "apparatus": 7,
    "render": 8, "interop": 8,
    "listing": 9,
    "survey": 9,  # over the whole pipeline: reads, collates, renders
    "cli": 10,
    "__init__": 11, "__main__": 11,
}


def stage_of(module: str) -> str:
    """'collatio.markup.scanner' -> 'markup'; the package itself -> '__init__'."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def imports_of(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "collatio":
                found.extend(f"collatio.{alias.name}" for alias in node.names)
            elif node.module.startswith("collatio."):
                found.append(node.module)
        elif isinstance(node, ast.Import):
            found.extend(a.name for a in node.names if a.name.startswith("collatio."))
    return found


def test_imports_point_downstream_only() -> None:
    problems = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE.parent).with_suffix("")
        module = ".".join(relative.parts)
        own = stage_of(module if module != "collatio.__init__" else "collatio")
        if own not in RANKS:
            problems.append(f"{module}: stage {own!r} has no rank in RANKS")
            continue
        for imported in imports_of(path):
            stage = stage_of(imported)
            if stage in RANKS and RANKS[stage] > RANKS[own]:
                problems.append(f"{module} imports {imported} (a later stage)")
    assert problems == []


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: install the test extra (pip install -e '.[test]')")
    return found


def test_ruff_is_clean() -> None:
    result = subprocess.run(
        [_tool("ruff"), "check", "src", "tests", "bench"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_is_clean() -> None:
    result = subprocess.run(
        [_tool("mypy"), "--no-error-summary"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
