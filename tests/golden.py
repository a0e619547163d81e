"""Golden apparatus cases: ``tests/cases/<name>/case.toml`` says what to collate, and
``expected.json`` holds the apparatus an editor expects, as a structural summary (units,
readings with their witnesses, sub-units, the hand's words inside readings, revision fates)
compared as data, never as raw text.

``COLLATIO_UPDATE_GOLDEN=1 python -m pytest tests/test_apparatus.py -k golden`` rewrites the
expected files from the code's output; a rewritten file is read again, as an editor, before
it is committed (``tests/cases/README.md``).
"""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path
from typing import Any

import collatio
from collatio.apparatus import Apparatus, Reading, VariationUnit

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "cases"
CORPORA = ROOT.parent / "shared" / "corpora"


def cases() -> list[Path]:
    return sorted(path.parent for path in CASES.glob("*/case.toml"))


def config(case: Path) -> dict[str, Any]:
    with (case / "case.toml").open("rb") as handle:
        return tomllib.load(handle)


def source_path(case: Path, name: str) -> Path:
    """A source named in a case: ``corpora:...`` under ../shared/corpora, a path relative
    to the case's folder if it exists there, else relative to the repository."""
    if name.startswith("corpora:"):
        return CORPORA / name.removeprefix("corpora:")
    local = case / name
    return local if local.exists() else ROOT / name


def collate_case(case: Path) -> Apparatus:
    settings = config(case)
    sources = [source_path(case, name) for name in settings.get("sources", [])]
    options: dict[str, Any] = {"normalize": settings.get("normalize", [])}
    if "base" in settings:
        options["base"] = settings["base"]
    conversion = settings.get("convert")
    if conversion == "frankenstein-tei":
        from tests.frankenstein import collate_frankenstein

        return collate_frankenstein(sources, settings["sigla"], **options)
    if conversion is not None:
        raise ValueError(f"unknown conversion {conversion!r}")
    if "manifest" in settings:
        options["manifest"] = str(source_path(case, settings["manifest"]))
    return collatio.collate([str(s) for s in sources], **options)


def summary(apparatus: Apparatus) -> dict[str, Any]:
    """What an editor checks in an apparatus, as plain data."""
    return {
        "base": apparatus.base,
        "witnesses": list(apparatus.sigla),
        "units": [_unit(unit) for unit in apparatus.units],
        "revisions": [
            {"at": f"{f.line}:{f.column}", "kind": f.kind.value, "text": f.text,
             "fate": f.fate.value, "units": list(f.units),
             **({"reached": f.reached} if f.reached else {})}
            for f in apparatus.revisions
        ],
        "diagnostics": sorted({d.code for d in apparatus.diagnostics}),
    }


def _unit(unit: VariationUnit) -> dict[str, Any]:
    data: dict[str, Any] = {"id": unit.id, "type": unit.type.value}
    if unit.minor:
        data["minor"] = True
    if unit.lacunose:
        data["lacunose"] = list(unit.lacunose)
    data["readings"] = [_reading(reading, unit) for reading in unit.readings]
    return data


def _reading(reading: Reading, unit: VariationUnit) -> dict[str, Any]:
    data: dict[str, Any] = {"witnesses": " ".join(reading.witnesses), "text": reading.text}
    if reading is unit.lemma:
        data["lemma"] = True
    if not reading.subunits:
        hands = {p.siglum: p.hand for p in reading.places if p.hand}
        if hands:
            data["hand"] = hands
    genesis = [f"{p.siglum}: {g.text} ({'/'.join(g.kinds)})"
               for p in reading.places for g in p.genesis]
    if genesis:
        data["genesis"] = genesis
    moved = [f"{p.siglum}: {reading.text_of(p.siglum)[m.start:m.end]} -> {m.unit}"
             for p in reading.places for m in p.moved]
    if moved and unit.type.value != "transposition":
        data["moved"] = moved
    if reading.subunits:
        data["subunits"] = [_unit(sub) for sub in reading.subunits]
    return data


def check(case: Path) -> tuple[Any, Any]:
    """(expected, produced) for *case*; with ``COLLATIO_UPDATE_GOLDEN`` set, the expected
    file is first rewritten from the produced summary."""
    produced = summary(collate_case(case))
    path = case / "expected.json"
    if os.environ.get("COLLATIO_UPDATE_GOLDEN"):
        path.write_text(json.dumps(produced, ensure_ascii=False, indent=1) + "\n",
                        encoding="utf-8")
    expected = json.loads(path.read_text(encoding="utf-8"))
    return expected, produced
