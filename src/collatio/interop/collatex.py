"""CollateX's JSON witness input, read into collatio's tokens.

``{"witnesses": [{"id": "A", "tokens": [{"t": "Black ", "n": "black"}, ...]},
{"id": "B", "content": "White cat"}]}``: a witness gives either pre-tokenized ``tokens``
(``t`` the token as written, trailing whitespace included; ``n`` the form to compare,
default ``t`` without its whitespace, normalized) or plain ``content``, tokenized by
collatio. Other keys on a token are kept by CollateX for its own use and ignored here.
"""

from __future__ import annotations

import json
from typing import Any

from collatio.apparatus.model import CollatedWitness
from collatio.errors import InputError
from collatio.normalize import Normalization
from collatio.textpos import LineIndex
from collatio.tokens import Token, TokenKind, TokenList, tokenize
from collatio.witness import Piece, State, StateName

_WS = " \t\r\n\f\v"


def is_collatex_json(text: str) -> bool:
    """True when *text* looks like CollateX JSON witness input."""
    stripped = text.lstrip()
    if not stripped.startswith("{"):
        return False
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return False
    return isinstance(data, dict) and isinstance(data.get("witnesses"), list)


def _kind(text: str) -> TokenKind:
    if text[:1].isalpha():
        return TokenKind.WORD
    if text[:1].isdigit():
        return TokenKind.NUMBER
    return TokenKind.PUNCT


def read_collatex_witnesses(
    text: str, path: str, normalization: Normalization | None = None
) -> list[tuple[CollatedWitness, TokenList, LineIndex]]:
    """The witnesses of a CollateX JSON input file; errors name the file and the entry."""
    norm = normalization or Normalization()
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: {exc.msg}", path=path, line=exc.lineno,
                         column=exc.colno) from None
    if not isinstance(data, dict) or not isinstance(data.get("witnesses"), list):
        raise InputError('expected CollateX witnesses: {"witnesses": [...]}', path=path)
    out: list[tuple[CollatedWitness, TokenList, LineIndex]] = []
    for i, entry in enumerate(data["witnesses"]):
        where = f"witnesses[{i}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str) or not entry["id"]:
            raise InputError(f"{where}: each witness needs a non-empty string 'id'", path=path)
        siglum = entry["id"]
        witness = CollatedWitness(siglum, siglum, "text", siglum, None, path)
        if "tokens" in entry:
            tokens = entry["tokens"]
            if not isinstance(tokens, list):
                raise InputError(f"{where}.tokens: must be an array", path=path)
            out.append(_from_tokens(witness, tokens, where, path, norm))
        elif isinstance(entry.get("content"), str):
            content = entry["content"]
            state = State(StateName.TEXT, content, (Piece(0, 0, len(content)),) if content else ())
            out.append((witness, tokenize(state, siglum, norm, gaps=False), LineIndex.of(content)))
        else:
            raise InputError(f"{where}: needs 'tokens' (an array) or 'content' (a string)",
                             path=path)
    return out


def _from_tokens(
    witness: CollatedWitness, raw: list[Any], where: str, path: str, norm: Normalization
) -> tuple[CollatedWitness, TokenList, LineIndex]:
    tokens: list[Token] = []
    parts: list[str] = []
    offset = 0
    for j, item in enumerate(raw):
        if not isinstance(item, dict) or not isinstance(item.get("t"), str):
            raise InputError(f"{where}.tokens[{j}]: each token needs a string 't'", path=path)
        written = item["t"]
        surface = written.rstrip(_WS)
        leading = len(surface) - len(surface.lstrip(_WS))
        surface = surface.lstrip(_WS)
        n = item.get("n")
        if n is not None and not isinstance(n, str):
            raise InputError(f"{where}.tokens[{j}].n: must be a string", path=path)
        if not surface:
            raise InputError(f"{where}.tokens[{j}]: 't' is only whitespace", path=path)
        if leading and tokens:
            # whitespace written before a token belongs after the previous one
            last = tokens[-1]
            tokens[-1] = Token(last.text, last.ws + written[:leading], last.norm, last.kind,
                               last.index, last.start, last.source_start, last.paragraph)
        start = offset + leading
        ws = written[leading + len(surface):]
        tokens.append(Token(surface, ws, n if n is not None else norm(surface), _kind(surface),
                            len(tokens), start, start, 0))
        parts.append(written)
        offset += len(written)
    text = "".join(parts)
    prefix = text[: tokens[0].start] if tokens else text
    return witness, TokenList.from_tokens(witness.siglum, text, prefix, tokens), LineIndex.of(text)
