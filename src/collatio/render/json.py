"""The apparatus as JSON (schema: ``docs/schemas/apparatus.schema.json``), and back.

:func:`apparatus_to_data` and :func:`apparatus_from_data` are inverses on everything but the
alignment table and tokens, which JSON does not carry (the ``collatex`` format does).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

import orjson

from collatio._version import __version__
from collatio.apparatus.model import (
    Apparatus,
    CollatedWitness,
    DocumentText,
    Fate,
    Place,
    Reading,
    RevisionFate,
    Run,
    UnitType,
    VariationUnit,
)
from collatio.diagnostics import Diagnostic, Severity
from collatio.errors import CollatioError
from collatio.markup.tree import SpanKind
from collatio.render.base import Option, Renderer
from collatio.strict_json import load_json

FORMAT = "collatio-apparatus/1"


def _place_data(place: Place) -> dict[str, Any]:
    return {
        "paragraph": place.paragraph,
        "words": list(place.words),
        "tokens": list(place.tokens),
        "line": place.line,
        "column": place.column,
        "start": place.start,
        "end": place.end,
    }


def unit_data(unit: VariationUnit, paths: dict[str, str]) -> dict[str, Any]:
    """One variation unit as plain data."""
    return {
        "id": unit.id,
        "type": unit.type.value,
        "minor": unit.minor,
        "location": {
            "columns": list(unit.columns),
            "witnesses": {
                place.siglum: _place_data(place)
                for reading in unit.readings
                for place in reading.places
            },
        },
        "readings": [
            {
                "text": reading.text,
                "witnesses": list(reading.witnesses),
                "lemma": reading is unit.lemma,
                "source": {
                    place.siglum: {
                        "path": paths.get(place.siglum, ""),
                        "line": place.line,
                        "column": place.column,
                        "start": place.start,
                        "end": place.end,
                        "hand": place.hand,
                    }
                    for place in reading.places
                },
            }
            for reading in unit.readings
        ],
        "lacunose": list(unit.lacunose),
    }


def apparatus_to_data(apparatus: Apparatus) -> dict[str, Any]:
    """The apparatus as plain data (what the JSON format holds)."""
    return {
        key: value if isinstance(value, str | None) else list(value)
        for key, value in _sections(apparatus)
    }


def _sections(apparatus: Apparatus) -> Iterator[tuple[str, Iterable[Any] | str | None]]:
    """The top-level entries in order; lists as iterables, made item by item, so that the
    renderer can write a large apparatus without holding all of it as data at once."""
    paths = {w.siglum: w.path for w in apparatus.witnesses}
    yield "format", FORMAT
    yield "collatio", __version__
    yield "base", apparatus.base
    yield "witnesses", (
        {"id": w.siglum, "witness": w.witness, "state": w.state, "label": w.label,
         "date": w.date, "path": w.path}
        for w in apparatus.witnesses
    )
    yield "apparatus", (unit_data(unit, paths) for unit in apparatus.units)
    yield "flow", apparatus.flow
    yield "documents", (
        {"witness": d.witness, "label": d.label,
         "runs": [{"text": r.text, "kinds": list(r.kinds), "labels": list(r.labels)}
                  for r in d.runs]}
        for d in apparatus.documents
    )
    yield "revisions", (
        {"witness": f.witness, "target": f.target, "kind": f.kind.value, "text": f.text,
         "line": f.line, "column": f.column, "fate": f.fate.value, "found": f.found,
         "words": f.words, "units": list(f.units), "reached": f.reached}
        for f in apparatus.revisions
    )
    yield "diagnostics", (d.as_dict() for d in apparatus.diagnostics)


def apparatus_from_data(data: Any, path: str = "<json>") -> Apparatus:
    """Read back what :func:`apparatus_to_data` wrote; malformed data is a located error."""
    try:
        if data.get("format") != FORMAT:
            raise CollatioError(
                f"not a collatio apparatus (format {data.get('format')!r}, expected {FORMAT!r})",
                path=path,
            )
        witnesses = tuple(
            CollatedWitness(w["id"], w["witness"], w["state"], w["label"], w["date"], w["path"])
            for w in data["witnesses"]
        )
        units = []
        for u in data["apparatus"]:
            where = u["location"]["witnesses"]
            readings = []
            lemma = None
            for r in u["readings"]:
                places = tuple(
                    Place(
                        siglum=s,
                        tokens=(where[s]["tokens"][0], where[s]["tokens"][1]),
                        words=(where[s]["words"][0], where[s]["words"][1]),
                        paragraph=where[s]["paragraph"],
                        line=where[s]["line"],
                        column=where[s]["column"],
                        start=where[s]["start"],
                        end=where[s]["end"],
                        hand=r["source"][s]["hand"],
                    )
                    for s in r["witnesses"]
                )
                reading = Reading(r["text"], tuple(r["witnesses"]), places)
                readings.append(reading)
                if r["lemma"]:
                    lemma = reading
            units.append(
                VariationUnit(
                    id=u["id"],
                    type=UnitType(u["type"]),
                    minor=u["minor"],
                    lemma=lemma,
                    readings=tuple(readings),
                    lacunose=tuple(u["lacunose"]),
                    columns=(u["location"]["columns"][0], u["location"]["columns"][1]),
                )
            )
        revisions = tuple(
            RevisionFate(f["witness"], f["target"], SpanKind(f["kind"]), f["text"], f["line"],
                         f["column"], Fate(f["fate"]), f["found"], f["words"],
                         tuple(f["units"]), f["reached"])
            for f in data["revisions"]
        )
        flow = tuple(str(piece) for piece in data["flow"])
        documents = tuple(
            DocumentText(d["witness"], d["label"], tuple(
                Run(r["text"], tuple(r["kinds"]), tuple(r["labels"])) for r in d["runs"]))
            for d in data["documents"]
        )
        diagnostics = tuple(
            Diagnostic(Severity(d["severity"]), d["code"], d["message"], d["path"], d["line"],
                       d["column"])
            for d in data["diagnostics"]
        )
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
        if isinstance(exc, CollatioError):
            raise
        raise CollatioError(f"malformed apparatus JSON: {exc!r}", path=path) from None
    seen: set[str] = set()
    for number, unit in enumerate(units, 1):
        if unit.id in seen:  # the TEI written from it would hold the xml:id twice
            raise CollatioError(f"apparatus[{number}]: the unit id {unit.id!r} is given twice",
                                path=path)
        seen.add(unit.id)
    try:
        return Apparatus(witnesses=witnesses, base=data["base"], units=tuple(units), flow=flow,
                         documents=documents, revisions=revisions, diagnostics=diagnostics)
    except ValueError as exc:
        raise CollatioError(f"malformed apparatus JSON: {exc}", path=path) from None


def load_apparatus(text: str, path: str = "<json>", *, validate: bool = False) -> Apparatus:
    """Parse JSON text written by the ``json`` renderer; with *validate*, check it against
    the shipped schema first (:func:`collatio.schema.validate`, needs ``jsonschema``)."""
    data = load_json(text, path)  # strictly: duplicate keys, lone surrogates... refused
    if validate:
        from collatio.schema import validate as check

        check(data, "apparatus", path)
    return apparatus_from_data(data, path)


class JSONRenderer(Renderer):
    """The apparatus as JSON: witnesses, units with readings and places, revisions."""

    name = "json"
    filenames = ("*.json",)
    media_type = "application/json"
    extension = ".json"
    options_declared = (
        Option("indent", int, None, "indent every level by this many spaces (default: one "
               "compact line per unit)", minimum=0, maximum=16),
    )

    def render(self, apparatus: Apparatus) -> str:
        """Indented at the top, one compact line per unit, witness, revision and diagnostic:
        readable, diffable line by line, and fast on large collations. ``indent=N`` indents
        everything instead."""
        return "".join(self.chunks(apparatus))

    def chunks(self, apparatus: Apparatus) -> Iterator[str]:
        """The JSON a line at a time (a million-word collation's is hundreds of megabytes:
        written as it is made, it is never held whole)."""
        indent = self.options.get("indent")
        if indent is not None:
            data = apparatus_to_data(apparatus)
            yield json.dumps(data, ensure_ascii=False, indent=indent) + "\n"
            return
        separator = "{\n"
        for key, value in _sections(apparatus):
            yield f"{separator}  {compact(key)}: "
            separator = ",\n"
            if isinstance(value, str | None):
                yield compact(value)
                continue
            before = "[\n    "
            for item in value:
                yield before + compact(item)
                before = ",\n    "
            yield "[]" if before == "[\n    " else "\n  ]"
        yield "\n}\n"


def compact(value: Any) -> str:
    """*value* as compact JSON (UTF-8 text, no spaces), by orjson: several times faster than
    the standard library on a large apparatus.

    >>> compact({"text": "Jiang Jieshi", "witnesses": ["F", "D-pc"]})
    '{"text":"Jiang Jieshi","witnesses":["F","D-pc"]}'
    """
    try:
        return orjson.dumps(value).decode()
    except orjson.JSONEncodeError:
        # what orjson refuses (a lone surrogate: not UTF-8) the standard library writes as
        # it is, so that the error, if any, comes where the text is written, with its path
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
