"""The API reference (Sphinx, autodoc) builds from the docstrings with warnings as errors,
and every public name has a docstring."""

from __future__ import annotations

import importlib
import inspect
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: The modules whose ``__all__`` is the public API.
PUBLIC = ("collatio", "collatio.apparatus", "collatio.render", "collatio.markup",
          "collatio.align", "collatio.schema", "collatio.progress", "collatio.apparatus.table",
          "collatio.readers", "collatio.sources", "collatio.survey")


def test_the_api_reference_builds_without_warnings(tmp_path: Path) -> None:
    pytest.importorskip("sphinx")
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
         str(ROOT / "docs" / "api"), str(tmp_path / "html")],
        capture_output=True, text=True, timeout=600, cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    page = (tmp_path / "html" / "facade.html").read_text(encoding="utf-8")
    assert "collate_texts" in page and "Collate texts given as strings" in page
    model = (tmp_path / "html" / "model.html").read_text(encoding="utf-8")
    for name in ("VariationUnit", "Witness", "to_dataframe", "Revisions", "CollationOptions"):
        assert name in model, name
    for anchor in ("align.table.Alignment", "markup.conventions.Convention",
                   "markup.scanner.parse_markup"):
        assert f'id="collatio.{anchor}"' in model, anchor
    inputs = (tmp_path / "html" / "inputs.html").read_text(encoding="utf-8")
    for anchor in ("readers.base.Reader", "readers.base.choose_reader",
                   "readers.markdown.MarkdownReader", "sources.Manifest", "sources.load_source"):
        assert f'id="collatio.{anchor}"' in inputs, anchor
    survey = (tmp_path / "html" / "survey.html").read_text(encoding="utf-8")
    assert "SurveyResult" in survey and "collatio.survey.survey" in survey


def public_names() -> list[tuple[str, object]]:
    found = []
    for module_name in PUBLIC:
        module = importlib.import_module(module_name)
        names = getattr(module, "__all__", None) or [
            n for n, v in vars(module).items()
            if not n.startswith("_") and getattr(v, "__module__", None) == module_name]
        found.extend((f"{module_name}.{name}", getattr(module, name)) for name in names
                     if name != "__version__")
    return found


def test_every_public_name_is_documented() -> None:
    missing = []
    for name, value in public_names():
        if not (inspect.isclass(value) or inspect.isfunction(value)):
            continue
        if not (inspect.getdoc(value) or "").strip():
            missing.append(name)
        if inspect.isclass(value):
            for member, attribute in vars(value).items():
                if member.startswith("_") or not inspect.isfunction(attribute):
                    continue
                if not (inspect.getdoc(attribute) or "").strip():
                    missing.append(f"{name}.{member}")
    assert missing == []
