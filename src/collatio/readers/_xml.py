"""XML with every character's place: a safe well-formedness check by lxml, then a lexer over
the decoded text that gives each element its offsets, for readers that build span trees over
a transcript of the file.

lxml (libxml2) decides whether the bytes are XML: no entity is resolved, no DTD loaded, no
network used, and its message, line and column name any error. Only then does the lexer
cut the text (which it may trust to be well-formed) into tags, character data, comments,
processing instructions and CDATA, each with its offsets in the file's text, and build a
tree of :class:`Element` values. Cost: O(n) in the file's length, twice.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import attrs

from collatio.errors import InputError
from collatio.sources import decode_text

#: Element nesting deeper than this is refused (libxml2's own default limit is 256 without
#: ``huge_tree``; the reader's walk is iterative, so the limit is libxml2's).
MAX_DEPTH = 256

_LEX = re.compile(
    r"(?P<comment><!--.*?-->)"
    r"|(?P<cdata><!\[CDATA\[.*?\]\]>)"
    r"|(?P<pi><\?.*?\?>)"
    r"|(?P<doctype><!DOCTYPE(?:[^\[>]|\[.*?\])*>)"
    r"|(?P<end></(?P<endname>[^\s>]+)\s*>)"
    r"|(?P<start><(?P<name>[^\s/>!?]+)(?P<attrs>(?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)"
    r"\s*(?P<empty>/)?>)"
    r"|(?P<text>[^<]+)",
    re.S,
)
_ATTR = re.compile(r"([^\s=/>]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_REFERENCE = re.compile(r"&(#[0-9]+|#x[0-9a-fA-F]+|amp|lt|gt|quot|apos|[^;\s]+);")
_PREDEFINED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_ENCODING = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


@attrs.frozen(slots=True)
class Element:
    """One element: ``qname`` as written, ``local`` its name without prefix, ``namespace``
    its URI (``""`` for none); ``start``/``open_end`` the start tag's offsets, ``close_start``/
    ``end`` the end tag's (equal to ``open_end`` for an empty element); ``children`` are
    elements and :class:`Chars` in order."""

    qname: str
    local: str
    namespace: str
    attributes: tuple[tuple[str, str], ...]
    start: int
    open_end: int
    close_start: int
    end: int
    line: int
    children: tuple[Element | Chars, ...] = ()

    def get(self, name: str, default: str | None = None) -> str | None:
        """An attribute's value (``xml:id`` by its prefixed name, others by local name)."""
        for key, value in self.attributes:
            if key == name or (":" in key and key.split(":", 1)[1] == name and
                               not key.startswith("xml:")):
                return value
        return default

    def elements(self) -> Iterator[Element]:
        return (child for child in self.children if isinstance(child, Element))


@attrs.frozen(slots=True)
class Chars:
    """File text that is not a tag: ``kind`` is ``text`` (character data, references not yet
    decoded), ``cdata``, ``comment`` or ``pi``."""

    kind: str
    start: int
    end: int


@attrs.frozen(slots=True)
class Document:
    """A parsed XML file: its decoded text, the root element, and what precedes and follows
    it (prolog and trailing comments) as offsets."""

    text: str
    root: Element


def _encoding_of(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    match = _ENCODING.match(data)
    return match.group(1).decode("ascii") if match else "utf-8"


def check_well_formed(data: bytes, path: str) -> None:
    """Raise an :class:`~collatio.errors.InputError` with libxml2's message, line and column
    unless *data* is well-formed XML; nothing is resolved, loaded or fetched."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, dtd_validation=False, recover=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (exc.lineno, None)
        message = re.sub(r"(, line \d+)?, column \d+$", "", exc.msg or "not XML")
        raise InputError(f"malformed XML: {message}", path=path, line=line,
                         column=column) from None
    except ValueError as exc:  # lxml refuses some inputs before parsing
        raise InputError(f"malformed XML: {exc}", path=path) from None
    if root is None:
        raise InputError("malformed XML: no root element", path=path)


def parse(data: bytes, path: str) -> Document:
    """*data* as a :class:`Document`, or a located :class:`~collatio.errors.InputError`."""
    check_well_formed(data, path)
    text = decode_text(data, path, _encoding_of(data))
    return Document(text, _build(text, path))


def _line_of(text: str, offset: int, cache: list[int]) -> int:
    # cache: [last offset, its line]; offsets arrive in increasing order
    last, line = cache
    line += text.count("\n", last, offset)
    cache[0], cache[1] = offset, line
    return line


def _build(text: str, path: str) -> Element:
    """The element tree of well-formed *text* (iteratively: nesting never recurses)."""
    # frames: [qname, attributes, start, open_end, line, children, namespaces]
    stack: list[list[object]] = []
    namespaces: list[dict[str, str]] = [{"xml": "http://www.w3.org/XML/1998/namespace"}]
    root: Element | None = None
    lines = [0, 1]
    position = 0
    for match in _LEX.finditer(text):
        if match.start() != position:  # cannot happen for well-formed text
            raise InputError("XML the reader cannot cut", path=path,
                             line=_line_of(text, position, lines))
        position = match.end()
        kind = match.lastgroup
        if kind in ("start", "end", "empty"):
            pass
        if match.group("start"):
            attributes = tuple(
                (key, html.unescape(double if double is not None else single))
                if "&" in (double or single or "") else (key, double if double is not None
                                                          else single)
                for key, double, single in ((m.group(1), m.group(2), m.group(3))
                                            for m in _ATTR.finditer(match.group("attrs")))
            )
            scope = dict(namespaces[-1])
            for key, value in attributes:
                if key == "xmlns":
                    scope[""] = value
                elif key.startswith("xmlns:"):
                    scope[key[6:]] = value
            qname = match.group("name")
            line = _line_of(text, match.start(), lines)
            if len(stack) >= MAX_DEPTH:
                raise InputError(f"elements nest more than {MAX_DEPTH} deep", path=path,
                                 line=line)
            frame: list[object] = [qname, attributes, match.start(), match.end(), line, [],
                                   scope]
            if match.group("empty"):
                element = _element(frame, match.end(), match.end())
                if stack:
                    _children(stack[-1]).append(element)
                else:
                    root = element
            else:
                stack.append(frame)
                namespaces.append(scope)
        elif match.group("end"):
            frame = stack.pop()
            namespaces.pop()
            element = _element(frame, match.start(), match.end())
            if stack:
                _children(stack[-1]).append(element)
            else:
                root = element
        elif stack:
            group = "text" if kind == "text" else kind
            _children(stack[-1]).append(Chars(group or "text", match.start(), match.end()))
    if root is None:
        raise InputError("malformed XML: no root element", path=path)
    return root


def _children(frame: list[object]) -> list[Element | Chars]:
    children = frame[5]
    assert isinstance(children, list)
    return children


def _element(frame: list[object], close_start: int, end: int) -> Element:
    qname, attributes, start, open_end, line, children, scope = frame
    assert isinstance(qname, str) and isinstance(scope, dict)
    prefix, _, local = qname.rpartition(":")
    namespace = scope.get(prefix, "")
    return Element(qname, local, namespace, attributes, start, open_end,  # type: ignore[arg-type]
                   close_start, end, line, tuple(children))  # type: ignore[arg-type]


def decode_references(text: str, path: str, line: int) -> Iterator[tuple[int, int, str]]:
    """The character and entity references in character data *text*: ``(start, end,
    character)``; a reference to an entity that is not predefined is an error (no DTD is
    read, so its text is unknown)."""
    for match in _REFERENCE.finditer(text):
        name = match.group(1)
        if name.startswith("#x"):
            value = chr(int(name[2:], 16))
        elif name.startswith("#"):
            value = chr(int(name[1:]))
        elif name in _PREDEFINED:
            value = _PREDEFINED[name]
        else:
            raise InputError(
                f"the entity &{name}; is defined by a DTD, which collatio does not read; "
                "replace it by its character", path=path, line=line + text.count("\n", 0,
                                                                                 match.start()))
        yield match.start(), match.end(), value
