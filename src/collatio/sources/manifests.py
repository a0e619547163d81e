"""Manifests: an editor's TOML decisions on which documents to take, and how."""

from __future__ import annotations

import datetime
import difflib
import os
import re
import tomllib
from collections.abc import Sequence
from typing import Any, Final

import attrs

from collatio.diagnostics import Diagnostic, Severity
from collatio.errors import ManifestError
from collatio.markup.conventions import PRESETS
from collatio.sources.dates import _is_iso_date
from collatio.sources.detection import _Detected
from collatio.sources.files import _read_bytes, _stem
from collatio.sources.model import (
    MARK_KINDS,
    Document,
    MarkOverride,
    Metadata,
    _opt_str,
    _optional_positive,
    _str,
)
from collatio.sources.regions import _overlay, _Span, _trim
from collatio.sources.rules import _LINE_BREAK
from collatio.textpos import LineIndex


def _iso_date_validator(
    _: object, attribute: attrs.Attribute[str | None], value: str | None
) -> None:
    if value is not None and not _is_iso_date(value):
        raise ValueError(f"{attribute.name} must be ISO 8601 (YYYY, YYYY-MM or YYYY-MM-DD)")


def _line_range(
    _: object, attribute: attrs.Attribute[tuple[int, int] | None], value: tuple[int, int] | None
) -> None:
    if value is None:
        return
    if (
        not isinstance(value, tuple)
        or len(value) != 2
        or not all(isinstance(n, int) and not isinstance(n, bool) for n in value)
        or not 1 <= value[0] <= value[1]
    ):
        raise ValueError(f"{attribute.name} must be (first, last) with 1 <= first <= last")


@attrs.frozen(slots=True)
class WitnessSpec:
    """One ``[[witness]]`` table of a manifest.

    ``source`` is the path as written; ``path`` the same path resolved against the manifest's
    directory. ``document`` (1-based) picks an auto-detected document to refine; ``lines``
    (1-based, inclusive) or ``start``/``end`` markers set the body directly.
    """

    source: str = attrs.field(validator=_str)
    path: str = attrs.field(validator=_str)
    siglum: str | None = attrs.field(default=None, validator=_opt_str)
    label: str | None = attrs.field(default=None, validator=_opt_str)
    date: str | None = attrs.field(default=None, validator=[_opt_str, _iso_date_validator])
    document: int | None = attrs.field(default=None, validator=_optional_positive)
    lines: tuple[int, int] | None = attrs.field(default=None, validator=_line_range)
    start: str | None = attrs.field(default=None, validator=_opt_str)
    end: str | None = attrs.field(default=None, validator=_opt_str)
    convention: str | None = attrs.field(default=None, validator=_opt_str)
    marks: tuple[MarkOverride, ...] = attrs.field(
        default=(),
        validator=attrs.validators.deep_iterable(
            attrs.validators.instance_of(MarkOverride), attrs.validators.instance_of(tuple)
        ),
    )
    title: str | None = attrs.field(default=None, validator=_opt_str)
    sender: str | None = attrs.field(default=None, validator=_opt_str)
    recipient: str | None = attrs.field(default=None, validator=_opt_str)
    citation: str | None = attrs.field(default=None, validator=_opt_str)

    def __attrs_post_init__(self) -> None:
        if self.lines is not None and (self.start is not None or self.end is not None):
            raise ValueError("lines cannot be combined with start/end markers")

    def __repr__(self) -> str:
        from collatio._display import clip, count

        where = []
        if self.document is not None:
            where.append(f"document {self.document}")
        if self.lines is not None:
            where.append(f"lines {self.lines[0]}-{self.lines[1]}")
        if self.start is not None or self.end is not None:
            where.append("between markers")
        if self.marks:
            where.append(count(len(self.marks), "mark"))
        shown = f": {', '.join(where)}" if where else ": the whole file"
        siglum = self.siglum or "(siglum from the source)"
        return f"<WitnessSpec {siglum} of {clip(self.source, 50)}{shown}>"


@attrs.frozen(slots=True)
class Manifest:
    """A parsed manifest file: the witnesses to take from which sources, in order."""

    path: str = attrs.field(validator=_str)
    witnesses: tuple[WitnessSpec, ...] = attrs.field(
        validator=attrs.validators.deep_iterable(
            attrs.validators.instance_of(WitnessSpec), attrs.validators.instance_of(tuple)
        )
    )

    def __repr__(self) -> str:
        from collatio._display import clip, count, listed

        sources = len({spec.path for spec in self.witnesses})
        sigla = listed([spec.siglum or "?" for spec in self.witnesses])
        witnesses = count(len(self.witnesses), "witness", "witnesses")
        return (f"<Manifest {clip(self.path, 50)}: {witnesses} ({sigla}) from "
                f"{count(sources, 'source')}>")


_WITNESS_KEYS: Final = (
    "source",
    "siglum",
    "label",
    "date",
    "document",
    "lines",
    "start",
    "end",
    "convention",
    "mark",
    "title",
    "sender",
    "recipient",
    "citation",
)
_MARK_KEYS: Final = ("line", "column", "kind", "label", "reason")
_TOML_POSITION: Final = re.compile(r"\s*\(at line (?P<line>\d+), column (?P<column>\d+)\)")


#: A manifest larger than this is refused (bytes, counted as read).
MAX_MANIFEST_BYTES = 16 << 20


def load_manifest(path: str | os.PathLike[str]) -> Manifest:
    """Read a TOML manifest of ``[[witness]]`` tables (format in ``docs/sources.md``).

    Every problem is a :class:`~collatio.errors.ManifestError` naming the manifest and the
    ``witness[N].key`` at fault (N counts from 1); unknown keys are errors.
    """
    name = os.fspath(path)
    try:
        data = _read_bytes(name, MAX_MANIFEST_BYTES)
    except FileNotFoundError:
        raise ManifestError("manifest not found", path=name) from None
    except OSError as error:
        raise ManifestError(f"cannot read manifest: {error.strerror or error}", path=name) from None
    if len(data) > MAX_MANIFEST_BYTES:
        raise ManifestError(
            f"a manifest of over {MAX_MANIFEST_BYTES:,} bytes; is this the right file?",
            path=name,
        )
    try:
        document = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise ManifestError(f"not UTF-8 at byte offset {error.start}", path=name,
                            line=data.count(b"\n", 0, error.start) + 1) from None
    except RecursionError:  # tomllib reads nested arrays and tables by recursion
        raise ManifestError("invalid TOML: arrays or tables nested too deeply",
                            path=name) from None
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        position = _TOML_POSITION.search(message)
        line = int(position["line"]) if position else None
        column = int(position["column"]) if position else None
        message = _TOML_POSITION.sub("", message)
        raise ManifestError(
            f"invalid TOML: {message}", path=name, line=line, column=column
        ) from None
    for key in document:
        if key != "witness":
            raise ManifestError(
                f"unknown top-level key {key!r}{_did_you_mean(key, ('witness',))}; "
                "a manifest holds [[witness]] tables",
                path=name,
            )
    tables = document.get("witness")
    if not isinstance(tables, list) or not tables:
        raise ManifestError("no [[witness]] tables", path=name)
    base = os.path.dirname(name)
    return Manifest(
        name, tuple(_witness(table, k, name, base) for k, table in enumerate(tables, 1))
    )


def _did_you_mean(key: str, valid: Sequence[str]) -> str:
    close = difflib.get_close_matches(key, valid, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


class _Table:
    """Typed access to one TOML table, raising ManifestError with its location."""

    def __init__(self, data: object, where: str, manifest: str, keys: Sequence[str]) -> None:
        if not isinstance(data, dict):
            raise ManifestError(f"{where}: must be a table", path=manifest)
        self.data: dict[str, Any] = data
        self.where = where
        self.manifest = manifest
        for key in data:
            if key not in keys:
                raise ManifestError(
                    f"{where}: unknown key {key!r}{_did_you_mean(key, keys)}; "
                    f"valid keys: {', '.join(keys)}",
                    path=manifest,
                )

    def fail(self, key: str, message: str) -> ManifestError:
        return ManifestError(f"{self.where}.{key}: {message}", path=self.manifest)

    def string(self, key: str, *, required: bool = False) -> str | None:
        value = self.data.get(key)
        if value is None:
            if required:
                raise self.fail(key, "is required")
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, f"must be a non-empty string, not {value!r}")
        return value

    def integer(self, key: str, *, required: bool = False) -> int | None:
        value = self.data.get(key)
        if value is None:
            if required:
                raise self.fail(key, "is required")
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise self.fail(key, f"must be an integer >= 1, not {value!r}")
        return value


def _witness(data: object, k: int, manifest: str, base: str) -> WitnessSpec:
    table = _Table(data, f"witness[{k}]", manifest, _WITNESS_KEYS)
    source = table.string("source", required=True)
    assert source is not None
    siglum = table.string("siglum")
    if siglum is not None and any(char.isspace() for char in siglum):
        raise table.fail("siglum", f"must not contain whitespace: {siglum!r}")
    raw_date = table.data.get("date")
    date: str | None
    if isinstance(raw_date, datetime.date) and not isinstance(raw_date, datetime.datetime):
        date = raw_date.isoformat()  # an unquoted TOML date
    else:
        date = table.string("date")
        if date is not None and not _is_iso_date(date):
            raise table.fail(
                "date", f"{date!r} is not an ISO 8601 date (YYYY, YYYY-MM or YYYY-MM-DD)"
            )
    lines = table.data.get("lines")
    line_range: tuple[int, int] | None = None
    if lines is not None:
        valid = (
            isinstance(lines, list)
            and len(lines) == 2
            and all(isinstance(n, int) and not isinstance(n, bool) for n in lines)
            and 1 <= lines[0] <= lines[1]
        )
        if not valid:
            raise table.fail(
                "lines", f"must be [first, last] with 1 <= first <= last, not {lines!r}"
            )
        line_range = (lines[0], lines[1])
    start, end = table.string("start"), table.string("end")
    if line_range is not None and (start is not None or end is not None):
        raise table.fail("lines", "cannot be combined with 'start' or 'end'")
    marks = table.data.get("mark", [])
    if not isinstance(marks, list):
        raise table.fail("mark", "must be an array of tables ([[witness.mark]])")
    convention = table.string("convention")
    if convention is not None:
        if convention.endswith(".toml"):
            # a convention file is found beside the manifest, like the sources
            convention = os.path.normpath(os.path.join(base, convention))
        elif convention not in PRESETS:
            raise table.fail(
                "convention",
                f"unknown convention {convention!r}; presets: {', '.join(PRESETS)} "
                "(or a path ending in .toml)",
            )
    return WitnessSpec(
        source=source,
        path=os.path.normpath(os.path.join(base, source)),
        siglum=siglum,
        label=table.string("label"),
        date=date,
        document=table.integer("document"),
        lines=line_range,
        start=start,
        end=end,
        convention=convention,
        marks=tuple(_mark(mark, k, j, manifest) for j, mark in enumerate(marks, 1)),
        title=table.string("title"),
        sender=table.string("sender"),
        recipient=table.string("recipient"),
        citation=table.string("citation"),
    )


def _mark(data: object, k: int, j: int, manifest: str) -> MarkOverride:
    where = f"witness[{k}].mark[{j}]"
    table = _Table(data, where, manifest, _MARK_KEYS)
    line = table.integer("line", required=True)
    column = table.integer("column", required=True)
    kind = table.string("kind", required=True)
    assert line is not None and column is not None and kind is not None
    if kind not in MARK_KINDS:
        raise table.fail(
            "kind",
            f"unknown kind {kind!r}{_did_you_mean(kind, MARK_KINDS)}; "
            f"valid kinds: {', '.join(MARK_KINDS)}",
        )
    return MarkOverride(
        line=line,
        column=column,
        kind=kind,
        label=table.string("label"),
        reason=table.string("reason"),
        origin=f"{manifest}:{where}",
    )


def _apply_manifest(
    text: str,
    path: str,
    detected: _Detected,
    manifest: str,
    entries: Sequence[tuple[int, WitnessSpec]],
) -> tuple[list[_Span], tuple[Document, ...], list[Diagnostic]]:
    """Documents exactly as the manifest *entries* for this source say, and their regions."""
    index = LineIndex.of(text)
    line_count = len(index.starts)
    documents: list[Document] = []
    rules: list[str] = []
    diagnostics: list[Diagnostic] = []
    used: dict[str, int] = {}
    stem, name = _stem(path) or "A", os.path.basename(path)
    for position, (k, spec) in enumerate(entries):
        where = f"witness[{k}]"

        def fail(key: str, message: str, where: str = where) -> ManifestError:
            return ManifestError(f"{where}.{key}: {message}", path=manifest)

        base: Document | None = None
        if spec.document is not None:
            count = len(detected.documents)
            if spec.document > count:
                raise fail(
                    "document",
                    f"{spec.document} is out of range: {path} has {count} auto-detected "
                    f"document{'s' if count != 1 else ''}",
                )
            base = detected.documents[spec.document - 1]
        lo, hi = (base.start, base.end) if base is not None else (0, len(text))
        if spec.lines is not None:
            first, last = spec.lines
            if last > line_count:
                raise fail(
                    "lines", f"{list(spec.lines)} is out of range: {path} has {line_count} lines"
                )
            start, end = index.starts[first - 1], index.line_bounds(last, len(text))[1]
            rule = "manifest-lines"
        elif spec.start is not None or spec.end is not None:
            start, end = lo, hi
            scope = f"document {spec.document} of {path}" if base is not None else path
            if spec.start is not None:
                start = text.find(spec.start, lo, hi)
                if start < 0:
                    raise fail("start", f"marker {spec.start!r} not found in {scope}")
            if spec.end is not None:
                found = text.find(spec.end, start, hi)
                if found < 0:
                    raise fail("end", f"marker {spec.end!r} not found after the start in {scope}")
                end = found + len(spec.end)
            rule = "manifest-markers"
        elif base is not None:
            start, end, rule = base.body_start, base.body_end, "manifest-document"
        else:
            start, end, rule = 0, len(text), "manifest-whole-file"
        start, end = _trim(text, start, end)
        if start >= end:
            start = end = min(start, len(text))
            diagnostics.append(
                Diagnostic(
                    Severity.WARNING,
                    "empty-body",
                    f"manifest {where} selects no text of {path}",
                    path,
                    *index.position(start),
                    start,
                )
            )
        extent = (min(base.start, start), max(base.end, end)) if base else (start, end)
        for other, (j, _) in zip(documents, entries, strict=False):
            if extent[0] < other.end and other.start < extent[1]:
                raise ManifestError(
                    f"{where}: its text overlaps that of witness[{j}] in {path}", path=manifest
                )
        for j, mark in enumerate(spec.marks, 1):
            _check_mark(text, index, mark, (start, end), fail, f"{where}.mark[{j}]")
        metadata = base.metadata if base is not None else Metadata()
        changes = {
            key: value
            for key in ("title", "sender", "recipient", "citation")
            if (value := getattr(spec, key)) is not None
        }
        if spec.date is not None:
            changes.update(date=spec.date, date_text=spec.date)
        metadata = attrs.evolve(metadata, **changes)
        siglum = spec.siglum
        if siglum is None:
            default = base.siglum if base is not None else stem
            used[default] = used.get(default, 0) + 1
            siglum = default if used[default] == 1 else f"{default}{used[default]}"
        documents.append(
            Document(
                index=position,
                siglum=siglum,
                label=spec.label or spec.title or (base.label if base else None) or name,
                metadata=metadata,
                start=extent[0],
                end=extent[1],
                body_start=start,
                body_end=end,
                header=base.header if base is not None else "",
                convention=spec.convention,
                overrides=spec.marks,
            )
        )
        rules.append(rule)
    return _overlay(text, detected.spans, documents, rules), tuple(documents), diagnostics


def _check_mark(
    text: str,
    index: LineIndex,
    mark: MarkOverride,
    body: tuple[int, int],
    fail: Any,
    where: str,
) -> None:
    """Raise unless *mark* points at a non-alphanumeric character inside *body*."""
    line_count = len(index.starts)
    if mark.line > line_count:
        raise fail("line", f"{mark.line} is beyond the last line ({line_count})", where)
    line_start = index.starts[mark.line - 1]
    found = _LINE_BREAK.search(text, line_start)
    line_end = found.start() if found else len(text)
    if mark.column > line_end - line_start:
        raise fail(
            "column",
            f"{mark.column} is beyond the end of line {mark.line} "
            f"({line_end - line_start} characters)",
            where,
        )
    offset = line_start + mark.column - 1
    if not body[0] <= offset < body[1]:
        raise fail("line", f"{mark.line}:{mark.column} is outside the witness's body", where)
    char = text[offset]
    if char.isalnum() or char.isspace():
        raise fail(
            "column",
            f"no markup delimiter at {mark.line}:{mark.column} (found {char!r})",
            where,
        )
