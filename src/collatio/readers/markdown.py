"""Markdown (CommonMark, with strikethrough and tables), read with markdown-it-py.

What a reader of the rendered page reads is the text: a link's and an image's text are
text; addresses, heading marks, emphasis marks, code fences and HTML tags are not words,
and HTML comments are set aside as notes. The text of code (inline and fenced) is kept, as
``element`` spans labelled ``code`` (``-I code=drop`` sets it aside). When the file declares
the ``hand-revision`` convention (``convention: hand-revision`` in its front matter or in an
HTML comment ``<!-- convention: hand-revision -->``, or ``--convention hand-revision``),
``~~struck~~`` and ``<del>...</del>`` are hand deletions and ``<ins>...</ins>`` hand
insertions; otherwise they are typography. Front matter (``---`` ... ``---``) gives the
metadata (``title``, ``date``, ``author``) and is not text.

The transcript holds the text of each block (paragraphs, headings, list items, quotes, table
cells, code) with a blank line between blocks; each piece maps back to where it stands in the
file (found in its block's lines), so positions are the file's lines and columns.
"""

from __future__ import annotations

import bisect
import os
import re
from collections.abc import Sequence
from typing import Any, ClassVar

from collatio.markup.tree import Delimiter, Node, Span, SpanKind, Text
from collatio.readers.base import Reader, ReaderError, ReadOptions
from collatio.sources import (
    Document,
    Metadata,
    Region,
    RegionKind,
    Source,
    decode_text,
    parse_date,
)
from collatio.textpos import LineIndex, TranscriptBuilder
from collatio.witness import ParseResult, Witness, states_for

_FRONT_MATTER = re.compile(
    r"\A---[ \t]*\r?\n(?P<body>.*?)(?:\r?\n)(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)
_FIELD = re.compile(r"^(?P<key>[A-Za-z_][\w-]*)\s*:\s*(?P<value>.*?)\s*$", re.M)
_DECLARED = re.compile(r"<!--\s*(?:collatio\s*:\s*)?convention\s*[:=]\s*(?P<name>[\w-]+)\s*-->")
_TAG = re.compile(r"<(?P<close>/)?(?P<name>[A-Za-z][\w-]*)[^>]*>")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
#: Pandoc's attribute blocks: ``{#id}``, ``{.class}``, ``{#id .class key="value"}``.
_ATTRIBUTES = re.compile(r"\s*\{(?=[#.=]|[\w-]+=)[^{}\n]*\}")
#: A Pandoc fenced div's fence line: ``:::`` or ``::: {.warning}``.
_DIV_FENCE = re.compile(r"\s*:{3,}\s*(?:[\w-]+)?\s*:*\s*")
#: ``[text][ref]`` and ``[text]`` (reference links, resolved against the headings).
_BRACKETED = r"(?:[^\[\]\n]|\n(?![ \t]*\n))"
_REFERENCE = re.compile(
    rf"(?<![\]!\\])\[(?P<text>{_BRACKETED}+)\](?:\[(?P<ref>{_BRACKETED}*)\])?(?![(\[{{])")
#: Markdown that is text a reader sees: the markers markdown-it recognises as blocks.
_MD_HEAD = re.compile(rb"(?m)^(?:#{1,6} |[-*+] |\d+[.)] |> |```|~~~|\[[^\]]+\]\([^)]*\))")


def _parser() -> Any:
    from markdown_it import MarkdownIt
    from mdit_py_plugins.deflist import deflist_plugin

    # Pandoc's definition lists, whose indented definitions CommonMark takes for code
    return MarkdownIt("commonmark").enable("strikethrough").enable("table").use(deflist_plugin)


_ATX_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(?P<text>.*?)[ \t#]*$", re.M)
_FENCE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(?:[^`\n]|\n(?![ \t]*\n))*?\1")


def _folded(label: str) -> str:
    return " ".join(_ATTRIBUTES.sub("", label).replace("`", "").replace("*", "").split()
                    ).casefold()


def heading_links(text: str) -> str:
    """*text* with Pandoc's links to headings by their text (``[General options]``,
    ``[see below][General options]``, which CommonMark leaves as text) written as links
    (``[General options](#)``), outside code; line breaks are kept, so lines stay where
    they were. O(n)."""
    headings = {_folded(m["text"]) for m in _ATX_HEADING.finditer(text)}
    if not headings:
        return text
    code: list[tuple[int, int]] = []
    fence: str | None = None
    position = 0
    for line in text.split("\n"):
        opened = _FENCE.match(line)
        if fence is not None:
            code[-1] = (code[-1][0], position + len(line))
            if opened is not None and opened["fence"][0] == fence[0] and \
                    len(opened["fence"]) >= len(fence):
                fence = None
        elif opened is not None:
            fence = opened["fence"]
            code.append((position, position + len(line)))
        position += len(line) + 1
    code.extend((m.start(), m.end()) for m in _CODE_SPAN.finditer(text))
    code.sort()
    starts = [a for a, _ in code]

    def in_code(offset: int) -> bool:
        i = bisect.bisect_right(starts, offset) - 1
        return i >= 0 and code[i][0] <= offset < code[i][1]

    def link(match: re.Match[str]) -> str:
        label = match["ref"] or match["text"]
        if in_code(match.start()) or _folded(label) not in headings:
            return match.group()
        line_start = text.rfind("\n", 0, match.start()) + 1
        lead = text[line_start : match.start()]
        if text.startswith(":", match.end()) and not lead.strip() and len(lead) <= 3:
            return match.group()  # a link reference definition, "[label]: url"
        return f"[{match['text']}](#)"

    return _REFERENCE.sub(link, text)


def front_matter(text: str) -> tuple[dict[str, str], int]:
    """The front matter's ``key: value`` fields and where it ends (0 without one)."""
    match = _FRONT_MATTER.match(text)
    if match is None:
        return {}, 0
    fields = {m["key"].lower(): m["value"].strip("\"' ") for m in _FIELD.finditer(match["body"])}
    return fields, match.end()


class _Builder:
    """The transcript and span tree of a Markdown file (used once)."""

    def __init__(self, text: str, revisions: bool, code: bool) -> None:
        self.text = text
        self.index = LineIndex.of(text)
        self.builder = TranscriptBuilder(text)
        self.revisions = revisions
        self.code = code
        self.cursor = 0  # where the search for the next piece starts, in the file
        self.limit = len(text)  # the current block's end in the file
        self.blocks = 0

    @property
    def at(self) -> int:
        return self.builder.length

    def locate(self, piece: str) -> int:
        """The file offset of *piece* in the current block, searching on from the last
        piece (where markdown-it decoded an escape or entity, the search's start)."""
        found = self.text.find(piece, self.cursor, self.limit) if piece else -1
        if found < 0:
            return min(self.cursor, len(self.text))
        return found

    def put(self, piece: str, out: list[Node]) -> None:
        if not piece:
            return
        where = self.locate(piece)
        at = self.at
        if self.text.startswith(piece, where):
            self.builder.copy(where, where + len(piece))
            self.cursor = where + len(piece)
        else:
            self.builder.replace(where, where, piece)
        out.append(Text(at, self.at, piece))

    def block_start(self, token: Any, out: list[Node]) -> None:
        if token.map:
            start = self.index.starts[token.map[0]] if token.map[0] < len(self.index.starts) \
                else len(self.text)
            end_line = token.map[1]
            self.limit = self.index.starts[end_line] if end_line < len(self.index.starts) \
                else len(self.text)
            self.cursor = max(self.cursor, start)
        if self.blocks:
            at = self.at
            self.builder.replace(self.cursor, self.cursor, "\n\n")
            out.append(Text(at, self.at, "\n\n"))
        self.blocks += 1

    def span(self, kind: SpanKind, children: Sequence[Node], label: str | None,
             rule: str, line: int) -> Span:
        start = children[0].start if children else self.at
        end = children[-1].end if children else self.at
        return Span(kind, Delimiter(start, start, ""), Delimiter(end, end, ""),
                    tuple(children), line, 1, rule, label)

    def line_of(self) -> int:
        return self.index.position(min(self.cursor, max(len(self.text) - 1, 0)))[0] \
            if self.text else 1

    def inline(self, children: Sequence[Any], out: list[Node]) -> None:
        # open marks: (kind, label, rule, children list, line)
        stack: list[tuple[SpanKind, str | None, str, list[Node], int, str]] = []

        def target() -> list[Node]:
            return stack[-1][3] if stack else out

        def open_(kind: SpanKind, label: str | None, rule: str, closer: str) -> None:
            stack.append((kind, label, rule, [], self.line_of(), closer))

        def close(closer: str) -> None:
            if not any(item[5] == closer for item in stack):
                return  # a closing mark with nothing open: nothing to close
            while stack:
                kind, label, rule, inner, line, own = stack.pop()
                target().append(self.span(kind, inner, label, rule, line))
                if own == closer:
                    return

        for token in children:
            kind = token.type
            if kind == "text":
                self.text_token(token.content, target())
            elif kind in ("softbreak", "hardbreak"):
                self.put("\n", target())
            elif kind == "code_inline":
                inner: list[Node] = []
                self.put(token.content, inner)
                target().append(self.span(SpanKind.ELEMENT if self.code else SpanKind.NOTE,
                                          inner, "code", "markdown-code", self.line_of()))
            elif kind == "image":
                inner = []
                self.inline(token.children or [], inner)
                target().append(self.span(SpanKind.ELEMENT, inner, "image", "markdown-image",
                                          self.line_of()))
            elif kind.endswith("_open") and kind in _INLINE_MARKS:
                mark, label = _INLINE_MARKS[kind]
                if mark is SpanKind.DEL and not self.revisions:
                    mark = SpanKind.HI
                open_(mark, label, f"markdown-{label}", kind[:-5])
            elif kind.endswith("_close") and kind[:-6] + "_open" in _INLINE_MARKS:
                close(kind[:-6])
            elif kind == "html_inline":
                self.html_inline(token.content, target(), open_, close)
        while stack:
            close(stack[-1][5])

    def text_token(self, content: str, out: list[Node]) -> None:
        """Text as markdown-it gives it, less the marks of Pandoc's extensions that
        CommonMark reads as text: attribute blocks (``{#id .class}``) and fenced divs'
        ``:::`` lines (links to headings by their text are made links before parsing:
        :func:`heading_links`)."""
        content = _ATTRIBUTES.sub("", content)
        if _DIV_FENCE.fullmatch(content):
            return
        self.put(content, out)

    def html_inline(self, html: str, out: list[Node], open_: Any, close: Any) -> None:
        if html.startswith("<!--"):
            inner: list[Node] = []
            self.put(html[4:-3].strip(), inner)
            out.append(self.span(SpanKind.NOTE, inner, "comment", "markdown-comment",
                                 self.line_of()))
            return
        tag = _TAG.match(html)
        if tag is None or not self.revisions or tag["name"].lower() not in ("del", "ins", "s"):
            return  # a tag is no text
        name = tag["name"].lower()
        if tag["close"]:
            close(f"html-{name}")
        else:
            kind = SpanKind.ADD if name == "ins" else SpanKind.DEL
            open_(kind, None, f"markdown-html-{name}", f"html-{name}")

    def html_block(self, html: str, out: list[Node]) -> None:
        """Text between an HTML block's tags; its comments set aside."""
        position = 0
        for comment in _COMMENT.finditer(html):
            self._html_text(html[position : comment.start()], out)
            inner: list[Node] = []
            self.put(comment.group()[4:-3].strip(), inner)
            out.append(self.span(SpanKind.NOTE, inner, "comment", "markdown-comment",
                                 self.line_of()))
            position = comment.end()
        self._html_text(html[position:], out)

    def _html_text(self, html: str, out: list[Node]) -> None:
        for piece in _TAG.split(html)[::3]:
            if piece and piece.strip():
                self.put(piece.strip(), out)

    def tokens(self, tokens: Sequence[Any]) -> list[Node]:
        out: list[Node] = []
        for token in tokens:
            kind = token.type
            if kind == "inline":
                self.block_start(token, out)
                self.inline(token.children or [], out)
            elif kind in ("fence", "code_block"):
                self.block_start(token, out)
                inner: list[Node] = []
                self.put(token.content.rstrip("\n"), inner)
                out.append(self.span(SpanKind.ELEMENT if self.code else SpanKind.NOTE, inner,
                                     "code", "markdown-code", self.line_of()))
            elif kind == "html_block":
                self.block_start(token, out)
                self.html_block(token.content, out)
        return out


_INLINE_MARKS: dict[str, tuple[SpanKind, str]] = {
    "link_open": (SpanKind.ELEMENT, "link"),
    "em_open": (SpanKind.HI, "em"),
    "strong_open": (SpanKind.HI, "strong"),
    "s_open": (SpanKind.DEL, "strikethrough"),
}


class MarkdownReader(Reader):
    """Markdown: the text a reader of the page reads; hand revisions by declaration."""

    name: ClassVar[str] = "markdown"
    aliases: ClassVar[tuple[str, ...]] = ("md", "commonmark")
    filenames: ClassVar[tuple[str, ...]] = ("*.md", "*.markdown", "*.mdown")
    media_type: ClassVar[str] = "text/markdown"
    summary: ClassVar[str] = "Markdown (CommonMark)"
    settings: ClassVar[dict[str, str]] = {
        "code": "keep (default) or drop the text of code spans and blocks",
    }

    @classmethod
    def sniff(cls, head: bytes) -> float:
        # Markdown is text: the name decides, unless the text shows it plainly
        return 0.3 if len(_MD_HEAD.findall(head)) >= 3 else 0.0

    def read(self, data: bytes, path: str, options: ReadOptions) -> ParseResult:
        self.check_options(options)
        code = self.option(options, "code", "keep")
        if code not in ("keep", "drop"):
            raise ReaderError(f"-I code: 'keep' or 'drop', not {code!r}")
        text = decode_text(data, path, options.encoding)
        fields, matter_end = front_matter(text)
        declared = fields.get("convention")
        if declared is None and (found := _DECLARED.search(text)) is not None:
            declared = found["name"]
        requested = options.convention if isinstance(options.convention, str) else None
        convention = requested or declared or "editorial"
        revisions = convention == "hand-revision"
        # the front matter is not text: parse the rest with the lines kept in place
        blanked = _LINE_BREAK.sub(lambda m: m.group(), re.sub(r"[^\r\n]", " ",
                                                              text[:matter_end]))
        tokens = _parser().parse(heading_links(blanked + text[matter_end:]))
        builder = _Builder(text, revisions, code == "keep")
        nodes = builder.tokens(tokens)
        transcript, origin = builder.builder.build()
        date_text = fields.get("date")
        metadata = Metadata(
            title=fields.get("title"), date=parse_date(date_text) if date_text else None,
            date_text=date_text,
            extra=tuple((key, value) for key, value in fields.items()
                        if key not in ("title", "date", "convention")),
        )
        siglum = os.path.splitext(os.path.basename(path))[0] if path != "<stdin>" else "A"
        label = metadata.title or os.path.basename(path)
        if requested:
            reason = "given by the caller"
        elif declared:
            reason = "declared in the file"
        else:
            reason = "default: no convention declared (~~ and <del> are typography)"
        lines = LineIndex.of(text, origin)
        witness = Witness(
            siglum=siglum or "A", label=label, path=path, metadata=metadata,
            convention="markdown" + ("+hand-revision" if revisions else ""),
            convention_reason=reason, source=transcript, start=0, end=len(transcript),
            nodes=tuple(nodes), states=states_for(nodes), lines=lines,
        )
        regions: list[Region] = []
        if matter_end:
            regions.append(Region(RegionKind.FIELD, 0, matter_end, 1, "front-matter", 0))
        if matter_end < len(text):
            regions.append(Region(RegionKind.BODY, matter_end, len(text),
                                  LineIndex.of(text).position(matter_end)[0], "markdown-body",
                                  0))
        source = Source(path, text, tuple(regions),
                        (Document(0, witness.siglum, label, metadata, 0, len(text),
                                  matter_end, len(text), ""),), (), reader=self.name)
        return ParseResult((source,), (witness,), ())
