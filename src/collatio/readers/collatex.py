"""CollateX's JSON witness input.

``{"witnesses": [{"id": "A", "tokens": [{"t": "Black ", "n": "black", "page": "1r"}, ...]},
{"id": "B", "content": "White cat"}]}``: a witness gives either pre-tokenized ``tokens``
(``t`` the token as written, trailing whitespace included; ``n`` the form to compare,
default ``t`` without its whitespace, normalized by collatio) or plain ``content``, tokenized
by collatio. A token's other keys (``"page": "1r"``) are kept as the token's properties
(:attr:`collatio.witness.Cut.properties`; values that are not strings as compact JSON) and
travel with it to the outputs that show tokens.

Each witness's source is its own text (the tokens joined, or the content), so positions
count in that text: line 1 and the character offset, not the JSON file's lines.

A JSON array of such inputs (CollateX's own demonstration data holds a chapter so, one
input a paragraph) reads as one text per witness id: its paragraphs in order, a blank line
between; a witness missing from a paragraph has no text there.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

import attrs

from collatio.errors import InputError
from collatio.markup.tree import Text
from collatio.readers.base import Reader, ReadOptions
from collatio.sources import Document, Metadata, Region, RegionKind, Source, decode_text
from collatio.strict_json import load_json
from collatio.witness import Cut, ParseResult, Piece, State, StateName, Witness

_WS = " \t\r\n\f\v"


def _is_witness_json(head: bytes) -> bool:
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return stripped.startswith((b"{", b"[")) and b'"witnesses"' in head


class CollateXReader(Reader):
    """CollateX JSON witnesses: ``{"witnesses": [{"id", "tokens" | "content"}]}``."""

    name: ClassVar[str] = "collatex"
    aliases: ClassVar[tuple[str, ...]] = ("collatex-json",)
    filenames: ClassVar[tuple[str, ...]] = ("*.json",)
    media_type: ClassVar[str] = "application/json"
    summary: ClassVar[str] = "CollateX JSON witnesses"

    @classmethod
    def sniff(cls, head: bytes) -> float:
        if not _is_witness_json(head):
            return 0.0
        # collatio's own apparatus also has "witnesses": it says what it is first
        return 0.1 if b"collatio-apparatus/" in head else 0.9

    def read(self, data: bytes, path: str, options: ReadOptions) -> ParseResult:
        self.check_options(options)
        text = decode_text(data, path, options.encoding)
        # strictly: a second "witnesses" or "id" would silently drop a witness
        parsed: Any = load_json(text, path)
        inputs = parsed if isinstance(parsed, list) else [parsed]
        for k, item in enumerate(inputs):
            if not isinstance(item, dict) or not isinstance(item.get("witnesses"), list):
                where = f"[{k}]: " if isinstance(parsed, list) else ""
                raise InputError(f'{where}expected CollateX witnesses: {{"witnesses": [...]}}',
                                 path=path)
        read = [
            [_witness(entry, f"{prefix}witnesses[{i}]", path) for i, entry in
             enumerate(item["witnesses"])]
            for k, item in enumerate(inputs)
            for prefix in ([f"[{k}]."] if isinstance(parsed, list) else [""])
        ]
        witnesses = _joined(read) if isinstance(parsed, list) else read[0]
        documents = [
            Document(i, w.siglum, w.label, Metadata(), 0, len(text), 0, len(text), "")
            for i, w in enumerate(witnesses)
        ]
        regions = (Region(RegionKind.BODY, 0, len(text), 1, "collatex-witnesses", None),)
        source = Source(path, text, regions if text else (), tuple(documents), (),
                        reader=self.name)
        return ParseResult((source,), tuple(witnesses), ())


def _witness(entry: Any, where: str, path: str) -> Witness:
    if not isinstance(entry, dict) or not isinstance(entry.get("id"), str) or not entry["id"]:
        raise InputError(f"{where}: each witness needs a non-empty string 'id'", path=path)
    siglum = entry["id"]
    if "tokens" in entry:
        tokens = entry["tokens"]
        if not isinstance(tokens, list):
            raise InputError(f"{where}.tokens: must be an array", path=path)
        text, cuts = _cuts(tokens, where, path)
    elif isinstance(entry.get("content"), str):
        text, cuts = entry["content"], None
    else:
        raise InputError(f"{where}: needs 'tokens' (an array) or 'content' (a string)",
                         path=path)
    pieces = (Piece(0, 0, len(text)),) if text else ()
    state = State(StateName.TEXT, text, pieces, cuts=cuts)
    return Witness(
        siglum=siglum, label=siglum, path=path, metadata=Metadata(), convention="collatex",
        convention_reason="CollateX JSON: no marks", source=text, start=0, end=len(text),
        nodes=(Text(0, len(text), text),) if text else (), states=(state,),
    )


def _property(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False,
                                                           separators=(",", ":"))


def _cuts(raw: list[Any], where: str, path: str) -> tuple[str, tuple[Cut, ...]]:
    """The witness's text (the tokens' ``t`` joined) and each token's place in it."""
    parts: list[str] = []
    cuts: list[Cut] = []
    offset = 0
    for j, item in enumerate(raw):
        if not isinstance(item, dict) or not isinstance(item.get("t"), str):
            raise InputError(f"{where}.tokens[{j}]: each token needs a string 't'", path=path)
        written = item["t"]
        surface = written.strip(_WS)
        if not surface:
            raise InputError(f"{where}.tokens[{j}]: 't' is only whitespace", path=path)
        n = item.get("n")
        if n is not None and not isinstance(n, str):
            raise InputError(f"{where}.tokens[{j}].n: must be a string", path=path)
        start = offset + len(written) - len(written.lstrip(_WS))
        properties = tuple(
            (str(key), _property(value)) for key, value in item.items() if key not in ("t", "n")
        )
        cuts.append(Cut(start, start + len(surface), n, properties))
        parts.append(written)
        offset += len(written)
    return "".join(parts), tuple(cuts)


def _joined(parts: list[list[Witness]]) -> list[Witness]:
    """Each witness id's texts from several inputs, in order, a blank line between; the
    tokens the inputs gave are kept, shifted."""
    order: dict[str, list[Witness]] = {}
    for part in parts:
        for witness in part:
            order.setdefault(witness.siglum, []).append(witness)
    out = []
    for pieces in order.values():
        texts: list[str] = []
        cuts: list[Cut] = []
        given = all(p.states[0].cuts is not None for p in pieces)
        offset = 0
        for piece in pieces:
            if texts:
                texts.append("\n\n")
                offset += 2
            state = piece.states[0]
            if given:
                cuts.extend(attrs.evolve(c, start=c.start + offset, end=c.end + offset)
                            for c in state.cuts or ())
            texts.append(state.text)
            offset += len(state.text)
        text = "".join(texts)
        if not given:  # tokenized by collatio: a paragraph of given tokens would be cut again
            cuts = []
        state = State(StateName.TEXT, text, (Piece(0, 0, len(text)),) if text else (),
                      cuts=tuple(cuts) if given else None)
        out.append(attrs.evolve(pieces[0], source=text, end=len(text), states=(state,),
                                nodes=(Text(0, len(text), text),) if text else ()))
    return out
