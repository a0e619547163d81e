"""What a wheel ships: the code, the JSON Schemas (one copy, in docs/schemas/), the licence
and the project's metadata; building it leaves no ``build/`` beside the user's outputs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from email.parser import HeaderParser
from pathlib import Path

import pytest

import collatio
from collatio.errors import CollatioError
from collatio.render.json import load_apparatus
from collatio.schema import schema, schema_names, validate

ROOT = Path(__file__).resolve().parent.parent
DOC_SCHEMAS = ROOT / "docs" / "schemas"
SEED_002 = ROOT / "seeds" / "002_82ee7afc6dc33c74.txt"


def test_the_package_schemas_are_the_docs_schemas() -> None:
    link = ROOT / "src" / "collatio" / "schemas"
    assert link.is_symlink() and link.resolve() == DOC_SCHEMAS.resolve()
    assert schema_names() == sorted(p.name.removesuffix(".schema.json")
                                    for p in DOC_SCHEMAS.glob("*.schema.json"))
    for name in schema_names():
        assert schema(name) == json.loads(
            (DOC_SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))
    with pytest.raises(KeyError, match="schemas: apparatus"):
        schema("nosuch")


def test_the_json_loader_validates_against_the_shipped_schema() -> None:
    text = collatio.render(collatio.collate([SEED_002]), "json")
    assert load_apparatus(text, validate=True) == load_apparatus(text)
    data = json.loads(text)
    data["apparatus"][3]["type"] = "rewrite"
    with pytest.raises(CollatioError, match=r"x\.json: does not match the apparatus schema at "
                                            r"apparatus/3/type: 'rewrite' is not one of"):
        load_apparatus(json.dumps(data), "x.json", validate=True)
    with pytest.raises(CollatioError, match="at witnesses"):
        validate({**data, "witnesses": 3}, "apparatus")


def tracked_copy(target: Path) -> Path:
    """The checkout's files (tracked, and new ones not ignored) copied into *target*."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others",
                             "--exclude-standard"], cwd=ROOT, capture_output=True, check=True)
    for name in filter(None, listed.stdout.decode().split("\0")):
        source, copy = ROOT / name, target / name
        if not source.exists() and not source.is_symlink():
            continue  # deleted in the working tree
        copy.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            os.symlink(os.readlink(source), copy)
        else:
            shutil.copy2(source, copy)
    return target


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A wheel built from a copy of the checkout, and that copy, as `pip wheel .` would."""
    if shutil.which("git") is None:
        pytest.skip("git is needed to list the checkout's files")
    tree = tracked_copy(tmp_path_factory.mktemp("checkout"))
    out = tmp_path_factory.mktemp("dist")
    # without build isolation: the test extra brings setuptools, and no network is needed
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "--no-build-isolation",
         "--disable-pip-version-check", "-q", "-w", str(out)],
        cwd=tree, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (built,) = out.glob("collatio-*.whl")
    return built, tree


def test_pip_wheel_leaves_no_build_directory(wheel: tuple[Path, Path]) -> None:
    _, tree = wheel
    assert not (tree / "build").exists()  # `--out build/` is the README's example


def test_the_wheel_ships_the_schemas_licence_and_metadata(wheel: tuple[Path, Path]) -> None:
    built, _ = wheel
    with zipfile.ZipFile(built) as archive:
        names = set(archive.namelist())
        for doc in DOC_SCHEMAS.glob("*.schema.json"):
            assert archive.read(f"collatio/schemas/{doc.name}") == doc.read_bytes()
        info = next(n.split("/")[0] for n in names if n.endswith(".dist-info/METADATA"))
        assert archive.read(f"{info}/licenses/LICENSE") == (ROOT / "LICENSE").read_bytes()
        metadata = HeaderParser().parsestr(archive.read(f"{info}/METADATA").decode())
        assert "collatio/py.typed" in names
        assert any(n.startswith("collatio/render/templates/") for n in names)
    assert metadata["License-Expression"] == "MIT"
    assert metadata["Summary"] and "TEI" in (metadata.get_all("Keywords") or [""])[0]
    # no invented addresses: when collatio has a public repository, name it in project.urls
    # (Homepage, Source, Issues, Documentation) and check them here
    assert metadata.get_all("Project-URL") is None
    assert "Permission is hereby granted" in (ROOT / "LICENSE").read_text(encoding="utf-8")
