r"""JSON read strictly: what a person cannot have meant is a located error, never a silent
choice or a crash.

The standard library's reader keeps the last of two equal keys (``"witnesses"`` twice
drops the first list of witnesses without a word), decodes ``"\ud800"`` into a string no
encoder will write, accepts ``NaN``, raises RecursionError on ``[[[[...`` 100,000 deep and
ValueError on an integer of over 4,300 digits. :func:`load_json` refuses each of these with
an :class:`~collatio.errors.InputError` naming the file, line and column.

>>> load_json('{"id": "A", "tokens": []}', "w.json")
{'id': 'A', 'tokens': []}
>>> try:
...     load_json('{"id": "A",\n "id": "B"}', "w.json")
... except InputError as error:
...     print(error.location, error.message.split(' (')[0])
w.json:2:2 the key 'id' is given twice in one object
"""

from __future__ import annotations

import json
import re
from typing import Any

from collatio.errors import InputError
from collatio.textpos import LineIndex

__all__ = ["MAX_DEPTH", "MAX_DIGITS", "load_json"]

#: Where nesting is reported as too deep: the standard library's reader recurses, and stops
#: at the interpreter's recursion limit (about 1,000 levels; collatio's own JSON nests 6).
MAX_DEPTH = 500
#: A number with more characters than this is refused.
MAX_DIGITS = 100

_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]')
_ESCAPE = re.compile(r"\\u[dD][0-9a-fA-F]{3}")


class _Refused(Exception):
    def __init__(self, what: str, value: str = "") -> None:
        super().__init__(what)
        self.what = what
        self.value = value


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _Refused("duplicate", key)
            seen.add(key)
    return found


def _number(kind: type) -> Any:
    def parse(text: str) -> Any:
        if len(text) > MAX_DIGITS:
            raise _Refused("number", text)
        value = kind(text)
        if value in (_INFINITY, -_INFINITY):
            raise _Refused("overflow", text)
        return value

    return parse


_INFINITY = float("inf")


def _constant(name: str) -> Any:
    raise _Refused("constant", name)


def load_json(text: str, path: str) -> Any:
    """*text* (the contents of *path*) as Python data, refusing duplicate keys, lone
    surrogate escapes, ``NaN`` and ``Infinity``, numbers of over :data:`MAX_DIGITS`
    characters and nesting too deep to read, each with its line and column.

    Cost: the standard library's reader with a hook per object (about twice its time); the
    positions are found again only when there is an error.
    """
    try:
        data = json.loads(text, object_pairs_hook=_pairs, parse_int=_number(int),
                          parse_float=_number(float), parse_constant=_constant)
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: {exc.msg}", path=path, line=exc.lineno,
                         column=exc.colno) from None
    except RecursionError:
        raise _too_deep(text, path) from None
    except _Refused as refused:
        if refused.what == "duplicate":
            raise _duplicate(text, path, refused.value) from None
        if refused.what == "number":
            at = text.find(refused.value)
            raise _located(text, path, at, f"a number of {len(refused.value):,} characters; "
                           f"collatio reads numbers of at most {MAX_DIGITS}") from None
        if refused.what == "overflow":
            raise _located(text, path, _outside_strings(text, refused.value),
                           f"{refused.value} is too large for a number") from None
        at = _outside_strings(text, refused.value)
        raise _located(text, path, at, f"{refused.value} is not a JSON number") from None
    if "\\u" in text:
        _check_surrogates(text, path)
    return data


def _located(text: str, path: str, offset: int, message: str) -> InputError:
    if offset < 0:
        return InputError(message, path=path)
    line, column = LineIndex.of(text).position(offset)
    return InputError(message, path=path, line=line, column=column)


def _outside_strings(text: str, word: str) -> int:
    """The offset of *word* where it is not inside a string, or -1."""
    position = 0
    for match in _TOKEN.finditer(text):
        at = text.find(word, position, match.start())
        if at >= 0:
            return at
        position = match.end()
    return text.find(word, position)


def _duplicate(text: str, path: str, key: str) -> InputError:
    """The error for *key* given twice in one object, at its second place."""
    stack: list[dict[str, int] | None] = []  # per open container: keys seen (None: array)
    expect_key = False
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token == "{":
            stack.append({})
            expect_key = True
        elif token == "[":
            stack.append(None)
        elif token in "}]":
            if stack:
                stack.pop()
            expect_key = False
        elif token == ",":
            expect_key = bool(stack) and stack[-1] is not None
        elif token == ":":
            expect_key = False
        elif expect_key and stack and (keys := stack[-1]) is not None:
            name = json.loads(token)
            if name in keys:
                first = LineIndex.of(text).position(keys[name])
                return _located(
                    text, path, match.start(),
                    f"the key {name!r} is given twice in one object (first at "
                    f"{first[0]}:{first[1]}); JSON keeps only the last, so collatio refuses "
                    "to guess which was meant",
                )
            keys[name] = match.start()
            expect_key = False
    return InputError(f"the key {key!r} is given twice in one object", path=path)


def _deeper_than(text: str, limit: int) -> int | None:
    """The offset where arrays and objects first nest deeper than *limit*, or None. Only
    the brackets are looked at (a regex finds them and the strings), so it is quick."""
    if text.count("[") + text.count("{") <= limit:
        return None
    depth = 0
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > limit:
                return match.start()
        elif token in "]}":
            depth -= 1
    return None


def _too_deep(text: str, path: str) -> InputError:
    at = _deeper_than(text, MAX_DEPTH)
    return _located(text, path, -1 if at is None else at,
                    f"arrays or objects nested more than {MAX_DEPTH} deep")


def _check_surrogates(text: str, path: str) -> None:
    """Refuse a ``\\uD800``-``\\uDFFF`` escape that is not half of a pair (a lone
    surrogate is no character: no file can hold it)."""
    matches = list(_ESCAPE.finditer(text))
    paired: set[int] = set()
    for k, match in enumerate(matches):
        if match.start() in paired or not _escaped(text, match.start()):
            continue
        value = int(match.group()[2:], 16)
        following = matches[k + 1] if k + 1 < len(matches) else None
        if (0xD800 <= value <= 0xDBFF and following is not None
                and following.start() == match.end()
                and 0xDC00 <= int(following.group()[2:], 16) <= 0xDFFF):
            paired.add(following.start())
            continue
        if 0xD800 <= value <= 0xDFFF:
            raise _located(
                text, path, match.start(),
                f"{match.group()} is a lone surrogate, not a character (half of a UTF-16 "
                "pair without the other half); repair the text before collating it",
            )


def _escaped(text: str, at: int) -> bool:
    """Whether the backslash at *at* starts an escape (an even number of backslashes before
    it), rather than being escaped itself."""
    run = 0
    while at - run - 1 >= 0 and text[at - run - 1] == "\\":
        run += 1
    return run % 2 == 0
