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
    Genesis,
    Moved,
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
#: Lines joined into one chunk: a write per unit would cost more than its line.
_LINES_A_CHUNK = 256


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


def _runs_data(runs: tuple[Run, ...]) -> list[dict[str, Any]]:
    return [{"text": r.text, "kinds": list(r.kinds), "labels": list(r.labels)} for r in runs]


def _source_data(place: Place, path: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "path": path,
        "line": place.line,
        "column": place.column,
        "start": place.start,
        "end": place.end,
        "hand": place.hand,
    }
    if place.runs:
        data["runs"] = _runs_data(place.runs)
    if place.genesis:
        data["genesis"] = [
            {"kinds": list(g.kinds), "labels": list(g.labels), "text": g.text, "at": g.at,
             "line": g.line, "column": g.column, "start": g.start, "end": g.end}
            for g in place.genesis
        ]
    if place.moved:
        data["moved"] = [{"start": m.start, "end": m.end, "unit": m.unit} for m in place.moved]
    return data


def _reading_data(unit: VariationUnit, reading: Reading, paths: dict[str, str]) -> dict[str, Any]:
    data: dict[str, Any] = {
        "text": reading.text,
        "witnesses": list(reading.witnesses),
        "lemma": reading is unit.lemma,
        "source": {place.siglum: _source_data(place, paths.get(place.siglum, ""))
                   for place in reading.places},
    }
    if reading.subunits:
        data["subunits"] = [unit_data(sub, paths) for sub in reading.subunits]
        data["flow"] = list(reading.flow)
        if reading.flow_runs:
            data["flow_runs"] = [_runs_data(runs) for runs in reading.flow_runs]
    return data


def unit_data(unit: VariationUnit, paths: dict[str, str]) -> dict[str, Any]:
    """One variation unit as plain data (its sub-units inside its readings).

    Recursive, but only as deep as units nest (a few levels: sub-units hold no deeper
    nesting than the grouping makes)."""
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
        "readings": [_reading_data(unit, reading, paths) for reading in unit.readings],
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
    yield "flow_runs", (_runs_data(runs) for runs in apparatus.flow_runs)
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
        units = [_unit_from(u) for u in data["apparatus"]]
        revisions = tuple(
            RevisionFate(f["witness"], f["target"], SpanKind(f["kind"]), f["text"], f["line"],
                         f["column"], Fate(f["fate"]), f["found"], f["words"],
                         tuple(f["units"]), f["reached"])
            for f in data["revisions"]
        )
        flow = tuple(str(piece) for piece in data["flow"])
        flow_runs = tuple(_runs_from(runs) for runs in data.get("flow_runs", ()))
        documents = tuple(
            DocumentText(d["witness"], d["label"], tuple(
                _runs_from(d["runs"])))
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
                         flow_runs=flow_runs, documents=documents, revisions=revisions,
                         diagnostics=diagnostics)
    except ValueError as exc:
        raise CollatioError(f"malformed apparatus JSON: {exc}", path=path) from None


def _runs_from(runs: Any) -> tuple[Run, ...]:
    return tuple(Run(r["text"], tuple(r["kinds"]), tuple(r["labels"])) for r in runs)


def _unit_from(u: Any) -> VariationUnit:
    """A unit (with its sub-units) from its data; iterative over the nesting."""
    where = u["location"]["witnesses"]
    readings = []
    lemma = None
    for r in u["readings"]:
        places = []
        for s in r["witnesses"]:
            source = r["source"][s]
            places.append(Place(
                siglum=s,
                tokens=(where[s]["tokens"][0], where[s]["tokens"][1]),
                words=(where[s]["words"][0], where[s]["words"][1]),
                paragraph=where[s]["paragraph"],
                line=where[s]["line"],
                column=where[s]["column"],
                start=where[s]["start"],
                end=where[s]["end"],
                hand=source["hand"],
                runs=_runs_from(source.get("runs", ())),
                genesis=tuple(
                    Genesis(tuple(g["kinds"]), tuple(g["labels"]), g["text"], g["at"],
                            g["line"], g["column"], g["start"], g["end"])
                    for g in source.get("genesis", ())),
                moved=tuple(Moved(m["start"], m["end"], m["unit"])
                            for m in source.get("moved", ())),
            ))
        reading = Reading(
            r["text"], tuple(r["witnesses"]), tuple(places),
            tuple(_unit_from(sub) for sub in r.get("subunits", ())),
            tuple(str(piece) for piece in r.get("flow", ())),
            tuple(_runs_from(runs) for runs in r.get("flow_runs", ())),
        )
        readings.append(reading)
        if r["lemma"]:
            lemma = reading
    return VariationUnit(
        id=u["id"],
        type=UnitType(u["type"]),
        minor=u["minor"],
        lemma=lemma,
        readings=tuple(readings),
        lacunose=tuple(u["lacunose"]),
        columns=(u["location"]["columns"][0], u["location"]["columns"][1]),
    )


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
        """The JSON a few hundred lines at a time (a million-word collation's is hundreds of
        megabytes: written as it is made, it is never held whole)."""
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
            lines: list[str] = []
            for item in value:
                lines.append(before + compact(item))
                before = ",\n    "
                if len(lines) == _LINES_A_CHUNK:
                    yield "".join(lines)
                    lines = []
            yield "".join(lines) + ("[]" if before == "[\n    " else "\n  ]")
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
