"""What ``collatio parse`` prints: parsed witnesses as plain data (JSON) or as an outline.

The JSON shape is documented by ``docs/schemas/parse.schema.json``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from collatio._version import __version__
from collatio.markup.tree import Span, SpanKind, Text, leaves
from collatio.sources import Source
from collatio.terminal import printable
from collatio.textpos import LineIndex
from collatio.witness import ParseResult, StateName, Witness

PARSE_FORMAT = "collatio-parse/1"


#: A span's ``text`` in the JSON is cut at this many characters (``text_length`` gives the
#: full length; ``content_start``/``content_end`` locate it exactly). It keeps the output
#: linear in the input when marks nest thousands deep, each level repeating its content.
TEXT_LIMIT = 1000


def span_data(span: Span, index: LineIndex, source: str,
              position: Callable[[int], dict[str, str]] | None = None) -> dict[str, Any]:
    """A span and its nested spans as plain data (built without recursion); with
    *position* (:meth:`Witness.position_at`), each span's page, column and line as the
    source records them, where it records any."""

    def one(node: Span) -> dict[str, Any]:
        # the marked text is the content between the delimiters, nested marks included
        length = node.content_end - node.content_start
        text = source[node.content_start : node.content_start + min(length, TEXT_LIMIT)]
        data: dict[str, Any] = {
            "kind": node.kind.value,
            "label": node.label,
            "text": text + ("…" if length > TEXT_LIMIT else ""),
            "text_length": length,
            "line": node.line,
            "column": node.column,
            "end_line": index.position(max(node.start, node.end - 1))[0],
            "start": node.start,
            "end": node.end,
            "content_start": node.content_start,
            "content_end": node.content_end,
            "closed": node.close is not None,
            "rule": node.rule,
            "children": [],
        }
        if position is not None and (where := position(node.start)):
            data["position"] = where
        return data

    root = one(span)
    stack: list[tuple[Span, dict[str, Any]]] = [(span, root)]
    while stack:
        node, data = stack.pop()
        for child in node.children:
            if isinstance(child, Span):
                child_data = one(child)
                data["children"].append(child_data)
                stack.append((child, child_data))
    return root


def witness_data(witness: Witness, index: LineIndex) -> dict[str, Any]:
    """One witness as plain data."""
    start_line = index.position(witness.start)[0]
    end_line = index.position(max(witness.start, witness.end - 1))[0]
    meta = witness.metadata
    return {
        "id": witness.siglum,
        "label": witness.label,
        "title": meta.title,
        "date": meta.date,
        "convention": witness.convention,
        "convention_reason": witness.convention_reason,
        "metadata": meta.as_dict(),
        "source": {
            "path": witness.path,
            "start": witness.start,
            "end": witness.end,
            "line": start_line,
            "end_line": end_line,
        },
        "spans": [
            span_data(node, index, witness.source,
                      witness.position_at if witness.milestones else None)
            for node in witness.nodes
            if isinstance(node, Span)
        ],
        "states": {state.id: state.text for state in witness.states},
        "state_order": [
            {"id": state.id, "layer": state.layer, "suffix": state.suffix,
             "description": state.description, "hands": list(state.hands)}
            for state in witness.states
        ],
        "markers": {
            state.id: [
                {"offset": m.offset, "kind": m.span.kind.value, "label": m.span.label,
                 "text": m.span.text, "line": m.span.line, "column": m.span.column}
                for m in state.markers
            ]
            for state in witness.states
        },
    }


def source_data(source: Source, index: LineIndex) -> dict[str, Any]:
    """A source file's regions: what was set aside as chrome, header, summary, and why."""
    return {
        "path": source.path,
        "reader": source.reader,
        "documents": len(source.documents),
        "regions": [
            {
                "kind": region.kind.value,
                "line": region.line,
                "end_line": index.position(max(region.start, region.end - 1))[0],
                "start": region.start,
                "end": region.end,
                "rule": region.rule,
                "document": region.document,
                "text": source.text[region.start : region.end],
            }
            for region in source.regions
        ],
    }


class _Indexes:
    """Line indexes of witnesses' sources, each made once (witnesses of one file share it)."""

    def __init__(self) -> None:
        self.made: dict[int, LineIndex] = {}

    def of(self, witness: Witness) -> LineIndex:
        key = id(witness.lines) if witness.lines is not None else id(witness.source)
        if key not in self.made:
            self.made[key] = witness.line_index()
        return self.made[key]


def parse_data(result: ParseResult) -> dict[str, Any]:
    """The whole parse as plain data (the JSON of ``collatio parse``)."""
    indexes = _Indexes()
    return {
        "format": PARSE_FORMAT,
        "collatio": __version__,
        "sources": [source_data(s, s.line_index()) for s in result.sources],
        "witnesses": [witness_data(w, indexes.of(w)) for w in result.witnesses],
        "diagnostics": [d.as_dict() for d in result.diagnostics],
    }


def parse_json(result: ParseResult) -> str:
    """The JSON text of :func:`parse_data`, deterministic and UTF-8 friendly."""
    # top level, witnesses and their fields indented; each span tree on one line
    return dumps_deep(parse_data(result), flat_below=4) + "\n"


def dumps_deep(value: Any, indent: int = 2, flat_below: int | None = None) -> str:
    r"""JSON like ``json.dumps(value, ensure_ascii=False, indent=indent)``, written without
    recursion: a span tree nested 10,000 deep is a valid input, and Python's encoder would
    exceed the recursion limit on it. Containers deeper than *flat_below* are written on one
    line (a span tree per line rather than indentation growing with its depth).

    >>> print(dumps_deep({"a": [1, {"b": None}], "c": "é"}, indent=1))
    {
     "a": [
      1,
      {
       "b": null
      }
     ],
     "c": "é"
    }
    >>> dumps_deep({"a": [1, {"b": []}]}, flat_below=1)
    '{\n  "a": [1, {"b": []}]\n}'
    """
    out: list[str] = []
    # frames: [iterator over items, closing bracket, depth, is_dict, first, flat]
    stack: list[list[Any]] = []

    def open_container(container: Any, depth: int) -> None:
        flat = flat_below is not None and depth >= flat_below
        if isinstance(container, dict):
            if not container:
                out.append("{}")
                return
            out.append("{")
            stack.append([iter(container.items()), "}", depth + 1, True, True, flat])
        else:
            if not container:
                out.append("[]")
                return
            out.append("[")
            stack.append([iter(container), "]", depth + 1, False, True, flat])

    def emit(item: Any, depth: int) -> None:
        if isinstance(item, dict | list | tuple):
            open_container(item, depth)
        else:
            out.append(json.dumps(item, ensure_ascii=False))

    emit(value, 0)
    while stack:
        frame = stack[-1]
        iterator, closer, depth, is_dict, first, flat = frame
        try:
            item = next(iterator)
        except StopIteration:
            stack.pop()
            out.append(closer if flat else "\n" + " " * (indent * (depth - 1)) + closer)
            continue
        if flat:
            out.append("" if first else ", ")
        else:
            out.append(("\n" if first else ",\n") + " " * (indent * depth))
        frame[4] = False
        if is_dict:
            key, item = item
            out.append(json.dumps(key, ensure_ascii=False) + ": ")
        emit(item, depth)
    return "".join(out)


def _text_runs(span: Span) -> Iterator[tuple[str, int, int]]:
    """A span's text without the delimiters inside it (an XML span's tags), as the runs
    :func:`_clip` reads (one at a time: it stops at the words it shows)."""
    for leaf in leaves(span.children):
        if isinstance(leaf, Text):
            yield leaf.text, 0, len(leaf.text)


_RUN = re.compile(r"\S+|\s+")


def _clip(text: str, width: int, start: int = 0, end: int | None = None) -> str:
    """``text[start:end]`` with its whitespace runs made single spaces, cut to *width* (with
    an ellipsis)."""
    return _clip_runs(((text, start, len(text) if end is None else end),), width)


def _clip_runs(runs: Iterable[tuple[str, int, int]], width: int) -> str:
    """The text of *runs* (``(text, start, end)``, joined) as :func:`_clip` shows it. Only
    the words it shows are read: a span's content can be the whole file, and a span nested
    10,000 deep has 10,000 ancestors to clip."""
    words: list[str] = []
    current = ""
    length = -1
    for text, start, end in runs:
        for match in _RUN.finditer(text, start, end):
            run = match.group()
            if run[0].isspace():
                if current:
                    words.append(current)
                    length += len(current) + 1
                    current = ""
            else:
                current += run
            if length + (len(current) + 1 if current else 0) > width:  # enough to cut it
                break
        else:
            continue
        break
    if current:
        words.append(current)
    flat = " ".join(words)
    return flat if len(flat) <= width else flat[: width - 1] + "…"


_ABBREVIATED = {"page": "p.", "column": "col.", "line": "l."}


def _recorded(position: dict[str, str]) -> str:
    """A position the source records, as an editor cites it: ``  (p. 2, l. 7)``."""
    if not position:
        return ""
    return "  (" + ", ".join(f"{_ABBREVIATED[unit]} {printable(n)}"
                             for unit, n in position.items()) + ")"


def parse_outline(result: ParseResult, *, width: int = 60) -> str:
    """A readable outline: each witness, its metadata, its spans as a tree, its diagnostics.

    Every value from the sources (sigla, titles, metadata, marked text, file names) is shown
    as :func:`~collatio.terminal.printable` shows it: the outline is for a terminal.
    """
    p = printable
    lines: list[str] = []
    indexes = _Indexes()
    readers = {source.path: source.reader for source in result.sources}
    for witness in result.witnesses:
        meta = witness.metadata
        index = indexes.of(witness)
        first = index.position(witness.start)[0]
        last = index.position(max(witness.start, witness.end - 1))[0]
        dated = f"  [{p(meta.date)}]" if meta.date else ""
        lines.append(f"{p(witness.siglum)}  {p(witness.label)}{dated}")
        lines.append(f"    source      {p(witness.path)}, lines {first}-{last}")
        if readers.get(witness.path, "text") != "text":
            lines.append(f"    read as     {p(readers[witness.path])}")
        lines.append(f"    convention  {p(witness.convention)} ({p(witness.convention_reason)})")
        for key, value in meta.as_dict().items():
            if key not in ("title", "date", "summary"):
                lines.append(f"    {p(key):<11} {p(_clip(value, 90))}")
        # a structured format's elements (TEI <p>, <lb/>, a Markdown link) carry no text of
        # their own: counted here, listed by --format json; a span's depth counts the marks
        # around it, found from its parent's (deep nesting stays linear)
        depths: dict[int, int] = {}
        spans: list[tuple[Span, int]] = []
        elements = 0
        for span, ancestors in witness.spans():
            parent = ancestors[-1] if ancestors else None
            depth = 0 if parent is None else depths[id(parent)] + (
                parent.kind is not SpanKind.ELEMENT)
            depths[id(span)] = depth
            if span.kind is SpanKind.ELEMENT:
                elements += 1
            else:
                spans.append((span, depth))
        structured = elements > 0
        shown = f" (and {elements} structure elements)" if elements else ""
        lines.append(f"    spans       {len(spans)}{shown}")
        for span, depth in spans:
            # deep nesting is shown by number, not by a line 20,000 spaces wide
            indent = "  " * depth if depth <= 20 else f"{'  ' * 20}(depth {depth}) "
            kind = span.kind.value + (f"/{p(span.label)}" if span.label else "")
            where = f"{span.line}:{span.column}"
            runs = _text_runs(span) if structured else (
                (witness.source, span.content_start, span.content_end),)
            text = _clip_runs(runs, width)
            recorded = _recorded(witness.position_at(span.start)) if witness.milestones else ""
            lines.append(f"      {where:<9} {indent}{kind:<22} {text!r}  <- {p(span.rule)}"
                         f"{recorded}")
        for state in witness.states:
            words = len(state.text.split())
            described = f" ({state.description})" if state.name is StateName.LAYER else ""
            lines.append(f"    state       {state.id}: {words} words, "
                         f"{len(state.markers)} editorial marker(s){described}")
        lines.append("")
    if result.diagnostics:
        lines.append("diagnostics:")
        lines.extend(f"  {p(str(diagnostic))}" for diagnostic in result.diagnostics)
    else:
        lines.append("diagnostics: none")
    return printable("\n".join(lines) + "\n", newlines=True)
