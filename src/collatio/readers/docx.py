"""Word documents (``.docx``) with tracked changes.

The package is read with the standard library's :mod:`zipfile` and lxml, within bounds (a
zip bomb is refused before it is inflated). ``word/document.xml`` gives the text, paragraph
by paragraph (table cells and content controls included); tracked changes are hand
revisions: ``w:ins`` and ``w:moveTo`` additions, ``w:del`` and ``w:moveFrom`` deletions (their
text in ``w:delText``), an inserted or deleted paragraph mark an addition or deletion of the
paragraph break. Each change's author is its hand; the authors' changes are layered in the
order of their first change's date, so the states are: every change rejected (``ante``), each
author's changes accepted in turn (``c1``...), every change accepted (``post``). Comments
(``word/comments.xml``) are set aside as notes where their range starts; field codes,
footnote and endnote references are not text. ``docProps/core.xml`` gives the title, the
author and the dates.

The transcript is the document's text, paragraphs separated by a blank line; its positions
are given as paragraph and character (line *N* is paragraph *N*).
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

import attrs

from collatio.diagnostics import Diagnostic, Severity
from collatio.errors import InputError, LimitError
from collatio.markup.tree import Delimiter, Node, Span, SpanKind, Text
from collatio.readers.base import Reader, ReadOptions
from collatio.sources import Document, Metadata, Region, RegionKind, Source, parse_date
from collatio.textpos import LineIndex, TranscriptBuilder
from collatio.witness import ParseResult, Witness, states_for

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W = f"{{{W}}}"
#: An entry of the package larger than this once inflated is refused.
MAX_PART_BYTES = 64 * 1024 * 1024
#: ... and so is one that inflates more than this many times its compressed size.
MAX_RATIO = 200
_PARTS = ("word/document.xml", "word/comments.xml", "docProps/core.xml")


def _safe_xml(data: bytes, path: str, part: str) -> Any:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (exc.lineno, None)
        raise InputError(f"malformed {part}: {exc.msg}", path=path, line=line,
                         column=column) from None


def read_parts(data: bytes, path: str) -> dict[str, bytes]:
    """The parts collatio reads, each inflated within :data:`MAX_PART_BYTES` and
    :data:`MAX_RATIO`; anything else about the package is an :class:`InputError`."""
    import zipfile  # here, as lxml: a run that reads no Word document needs neither
    import zlib

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise InputError(f"not a Word document (.docx): {exc}", path=path) from None
    parts: dict[str, bytes] = {}
    with archive:
        names = {info.filename: info for info in archive.infolist()}
        if "word/document.xml" not in names:
            raise InputError("not a Word document (.docx): the package has no "
                             "word/document.xml", path=path)
        for name in _PARTS:
            info = names.get(name)
            if info is None:
                continue
            if info.file_size > MAX_PART_BYTES or (
                info.compress_size and info.file_size > MAX_RATIO * max(info.compress_size, 1024)
            ):
                raise LimitError(f"{name} would inflate to {info.file_size:,} bytes (from "
                                 f"{info.compress_size:,}): refused as a possible zip bomb",
                                 path=path)
            try:
                with archive.open(info) as member:
                    content = member.read(MAX_PART_BYTES + 1)
            # a damaged directory gives a negative seek (ValueError), bad deflate data a
            # zlib.error, an encrypted member a RuntimeError
            except (zipfile.BadZipFile, OSError, NotImplementedError, EOFError, ValueError,
                    RuntimeError, zlib.error) as exc:
                raise InputError(f"cannot read {name} from the package: {exc}",
                                 path=path) from None
            if len(content) > MAX_PART_BYTES:  # the directory lied about the size
                raise LimitError(f"{name} inflates past {MAX_PART_BYTES:,} bytes: refused",
                                 path=path)
            parts[name] = content
    return parts


@attrs.frozen(slots=True)
class _Change:
    kind: SpanKind
    author: str
    date: str | None


@attrs.frozen(slots=True)
class _Comment:
    author: str
    date: str | None
    text: str


def _attr(element: Any, name: str) -> str | None:
    value = element.get(_W + name)
    return value if value is None else str(value)


def _comments(root: Any) -> dict[str, _Comment]:
    found: dict[str, _Comment] = {}
    if root is None:
        return found
    for comment in root.iter(_W + "comment"):
        paragraphs = []
        for paragraph in comment.iter(_W + "p"):
            paragraphs.append("".join(t.text or "" for t in paragraph.iter(_W + "t")))
        found[_attr(comment, "id") or ""] = _Comment(
            _attr(comment, "author") or "unknown", _attr(comment, "date"),
            "\n".join(p for p in paragraphs if p),
        )
    return found


def _core(root: Any) -> Metadata:
    if root is None:
        return Metadata()
    values: dict[str, str] = {}
    for child in root:
        if isinstance(child.tag, str) and child.text and child.text.strip():
            values[child.tag.rsplit("}", 1)[-1]] = " ".join(child.text.split())
    written = values.get("modified") or values.get("created")
    date = parse_date(written[:10]) if written else None
    extra = tuple((key, values[key]) for key in ("creator", "lastModifiedBy", "created",
                                                  "modified") if key in values)
    return Metadata(title=values.get("title"), date=date,
                    date_text=written if date else None, extra=extra)


class _Builder:
    """The transcript and span tree of the body (used once)."""

    def __init__(self, comments: dict[str, _Comment]) -> None:
        self.builder = TranscriptBuilder("")
        self.comments = comments
        self.paragraph = 0  # paragraphs begun
        self.any_text = False  # whether a paragraph with text has been written
        self.changes: list[_Change] = []
        self.field_depth = 0  # inside a field's instructions (between begin and separate)
        self.virtual: list[str] = []  # paragraph k is line k of the positions' text
        self.virtual_length = 0
        self.previous_mark: tuple[SpanKind, Any] | None = None

    @property
    def at(self) -> int:
        return self.builder.length

    def text(self, value: str, out: list[Node]) -> None:
        if not value:
            return
        at = self.at
        self.builder.replace(self.virtual_length, self.virtual_length, value)
        self.virtual.append(value)
        self.virtual_length += len(value)
        out.append(Text(at, self.at, value))

    def separator(self, out: list[Node]) -> None:
        """The paragraph break before a paragraph (in the positions' text: one line break)."""
        at = self.at
        self.builder.replace(self.virtual_length, self.virtual_length + 1, "\n\n")
        self.virtual.append("\n")
        self.virtual_length += 1
        out.append(Text(at, self.at, "\n\n"))

    def span(self, kind: SpanKind, children: list[Node], label: str | None = None,
             hand: str | None = None, rule: str = "docx") -> Span:
        start = children[0].start if children else self.at
        end = children[-1].end if children else self.at
        return Span(kind, Delimiter(start, start, ""), Delimiter(end, end, ""),
                    tuple(children), self.paragraph or 1, 1, rule, label, hand)

    def change(self, element: Any, kind: SpanKind, children: list[Node]) -> Node | None:
        if not children:
            return None
        author = _attr(element, "author") or "unknown"
        made = _Change(kind, author, _attr(element, "date"))
        self.changes.append(made)
        local = element.tag.rsplit("}", 1)[-1]
        return self.span(kind, children, None if local in ("ins", "del") else local, author,
                         f"docx-{local}")

    def body(self, body: Any) -> list[Node]:
        out: list[Node] = []
        for block in body:
            self.block(block, out)
        return out

    def block(self, element: Any, out: list[Node]) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        local = tag.rsplit("}", 1)[-1]
        if local == "p":
            self.paragraph_of(element, out)
        elif local in ("tbl", "tr", "tc", "sdt", "sdtContent", "customXml", "txbxContent"):
            for child in element:
                self.block(child, out)
        elif local in ("ins", "del", "moveTo", "moveFrom"):  # whole paragraphs tracked
            kind = SpanKind.ADD if local in ("ins", "moveTo") else SpanKind.DEL
            inner: list[Node] = []
            for child in element:
                self.block(child, inner)
            made = self.change(element, kind, inner)
            if made is not None:
                out.append(made)

    def paragraph_of(self, paragraph: Any, out: list[Node]) -> None:
        self.paragraph += 1
        if _has_text(paragraph):
            if self.any_text:
                separator: list[Node] = []
                self.separator(separator)
                # the break is the previous paragraph's mark, which may itself be tracked
                made = None
                if self.previous_mark is not None:
                    kind, element = self.previous_mark
                    made = self.change(element, kind, separator)
                out.extend([made] if made is not None else separator)
            self.any_text = True
        for child in paragraph:
            self.inline(child, out)
        self.previous_mark = None
        marks = paragraph.find(f"{_W}pPr/{_W}rPr")
        for child in marks if marks is not None else ():
            local = child.tag.rsplit("}", 1)[-1] if isinstance(child.tag, str) else ""
            if local in ("ins", "del"):
                self.previous_mark = (SpanKind.ADD if local == "ins" else SpanKind.DEL, child)

    def inline(self, element: Any, out: list[Node]) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        local = tag.rsplit("}", 1)[-1]
        if local == "r":
            self.run(element, out)
        elif local in ("ins", "del", "moveTo", "moveFrom"):
            kind = SpanKind.ADD if local in ("ins", "moveTo") else SpanKind.DEL
            inner: list[Node] = []
            for child in element:
                self.inline(child, inner)
            made = self.change(element, kind, inner)
            if made is not None:
                out.append(made)
        elif local in ("hyperlink", "smartTag", "sdt", "sdtContent", "fldSimple", "customXml",
                       "bdo", "dir"):
            inner = []
            for child in element:
                self.inline(child, inner)
            if inner:
                out.append(self.span(SpanKind.ELEMENT, inner, local, rule="docx-element"))
        elif local == "commentRangeStart":
            comment = self.comments.get(_attr(element, "id") or "")
            if comment is not None and comment.text:
                note: list[Node] = []
                self.text(comment.text, note)
                out.append(self.span(SpanKind.NOTE, note, "comment", comment.author,
                                     "docx-comment"))

    def run(self, run: Any, out: list[Node]) -> None:
        for child in run:
            tag = child.tag if isinstance(child.tag, str) else ""
            local = tag.rsplit("}", 1)[-1]
            if local == "fldChar":
                kind = _attr(child, "fldCharType")
                if kind == "begin":
                    self.field_depth += 1
                elif kind == "separate" and self.field_depth:
                    self.field_depth -= 1
                continue
            if self.field_depth:
                continue  # a field's instructions are not text
            if local in ("t", "delText"):
                self.text(child.text or "", out)
            elif local == "tab":
                self.text("\t", out)
            elif local in ("br", "cr"):
                self.text("\n", out)
            elif local == "noBreakHyphen":
                self.text("-", out)
            elif local == "sym":
                code = _attr(child, "char")
                if code:
                    with contextlib.suppress(ValueError, OverflowError):
                        point = int(code, 16)
                        # a surrogate is half of a UTF-16 pair, no character: shown as such
                        self.text("\ufffd" if 0xD800 <= point <= 0xDFFF else chr(point), out)


def _layers(nodes: list[Node], changes: list[_Change]) -> tuple[list[Node], list[str]]:
    """Each change's layer: its author's rank, authors ordered by the date of their first
    change (undated after dated, in order of appearance)."""
    first: dict[str, tuple[int, str, int]] = {}
    for k, change in enumerate(changes):
        key = (0 if change.date else 1, change.date or "", k)
        if change.author not in first or key < first[change.author]:
            first[change.author] = key
    order = sorted(first, key=lambda author: first[author])
    rank = {author: i for i, author in enumerate(order, 1)}

    def visit(node: Node) -> Node:
        if isinstance(node, Text):
            return node
        children = tuple(visit(child) for child in node.children)
        if node.kind.is_revision and node.hand in rank:
            return attrs.evolve(node, children=children, layer=rank[node.hand])
        return attrs.evolve(node, children=children)

    return [visit(node) for node in nodes], order


def _has_text(paragraph: Any) -> bool:
    """Whether a paragraph holds any text (written or deleted), outside field codes."""
    for child in paragraph.iter(_W + "t", _W + "delText", _W + "tab", _W + "sym"):
        if child.tag in (_W + "tab", _W + "sym") or child.text:
            return True
    return False


def _is_zip(head: bytes) -> bool:
    return head.startswith(b"PK\x03\x04")


class DocxReader(Reader):
    """Word (.docx), tracked changes as hand revisions, one layer per author."""

    name: ClassVar[str] = "docx"
    aliases: ClassVar[tuple[str, ...]] = ("word",)
    filenames: ClassVar[tuple[str, ...]] = ("*.docx",)
    media_type: ClassVar[str] = (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    summary: ClassVar[str] = "Word document with tracked changes"

    @classmethod
    def sniff(cls, head: bytes) -> float:
        if not _is_zip(head):
            return 0.0
        return 0.95 if b"word/" in head else 0.5

    def read(self, data: bytes, path: str, options: ReadOptions) -> ParseResult:
        self.check_options(options)
        parts = read_parts(data, path)
        document = _safe_xml(parts["word/document.xml"], path, "word/document.xml")
        comments = _comments(_safe_xml(parts["word/comments.xml"], path, "word/comments.xml")
                             if "word/comments.xml" in parts else None)
        metadata = _core(_safe_xml(parts["docProps/core.xml"], path, "docProps/core.xml")
                         if "docProps/core.xml" in parts else None)
        body = document.find(_W + "body")
        builder = _Builder(comments)
        nodes = builder.body(body) if body is not None else []
        nodes, authors = _layers(nodes, builder.changes)
        transcript, origin = builder.builder.build()
        positions = "".join(builder.virtual)
        lines = LineIndex.of(positions, origin)
        nodes = _located(nodes, lines)
        siglum = os.path.splitext(os.path.basename(path))[0] if path != "<stdin>" else "A"
        label = metadata.title or os.path.basename(path)
        if authors:
            metadata = attrs.evolve(metadata, extra=(*metadata.extra,
                                                     *(("hand", a) for a in authors)))
        witness = Witness(
            siglum=siglum or "A", label=label, path=path, metadata=metadata,
            convention="docx", convention_reason="tracked changes of a Word document",
            source=transcript, start=0, end=len(transcript), nodes=tuple(nodes),
            states=states_for(nodes), lines=lines,
        )
        diagnostics: tuple[Diagnostic, ...] = ()
        if not transcript.strip():
            diagnostics = (Diagnostic(Severity.WARNING, "no-body", "the document has no text",
                                      path),)
        regions = (Region(RegionKind.BODY, 0, len(transcript), 1, "docx-body", 0),) \
            if transcript else ()
        source = Source(path, transcript, regions,
                        (Document(0, witness.siglum, label, metadata, 0, len(transcript), 0,
                                  len(transcript), ""),),
                        diagnostics, lines=lines, reader=self.name)
        return ParseResult((source,), (witness,), diagnostics)


def _located(nodes: Sequence[Node], lines: LineIndex) -> list[Node]:
    """*nodes* with each span's line and column where its text starts (paragraph and
    character), known only once the whole body is read. Linear in the nodes."""
    out: list[Node] = []
    for node in nodes:
        if isinstance(node, Span):
            line, column = lines.position(node.start)
            node = attrs.evolve(node, children=tuple(_located(node.children, lines)),
                                line=line, column=column)
        out.append(node)
    return out


def paragraphs(text: str) -> Iterator[str]:
    """A state's paragraphs, whitespace collapsed (for comparisons)."""
    for block in text.split("\n\n"):
        if block.strip():
            yield " ".join(block.split())
