"""From a TEI (or TEI-like) element tree to a witness's transcript and span tree.

The transcript is the body element's text with character and entity references decoded,
whitespace between blocks made a paragraph break (``\\n\\n``), blank lines inside a block
closed to one line break, a word boundary inserted where a ``<lb/>``, ``<pb/>`` or ``<cb/>``
stands between letters (not for ``break="no"``), and whitespace dropped between
``<w ana="start"/>`` and ``<w ana="end"/>``; every other character is the file's, and
:class:`~collatio.textpos.OffsetMap` takes each transcript offset back to the file.

The span tree tiles the transcript: tags are delimiters (never text), and each element is a
span of the kind its TEI meaning gives (``docs/inputs.md`` has the table): ``add``/``del``
with their ``@hand`` and layer, ``gap``, ``unclear``, notes set aside, everything else an
``element`` span that keeps its text. Milestone-delimited revisions (``delSpan``/``addSpan``
with ``spanTo``, ``sga-add`` with ``sID``/``eID``) become spans cut at element boundaries.
Cost: O(n) in the body's length, plus O(n) per milestone-delimited range.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

import attrs

from collatio.diagnostics import Diagnostic, Severity
from collatio.errors import InputError
from collatio.markup.tree import Delimiter, Node, Span, SpanKind, Text, wrap_range
from collatio.readers._tei_names import CHOICE_DEFAULT, TEI_NS
from collatio.readers._xml import Chars, Element, decode_references
from collatio.textpos import LineIndex, OffsetMap, TranscriptBuilder
from collatio.witness import Milestone

#: Elements whose start and end are paragraph breaks.
BLOCKS = frozenset({
    "p", "div", "div1", "div2", "div3", "div4", "div5", "head", "l", "lg", "ab", "list",
    "item", "table", "row", "cell", "sp", "speaker", "stage", "trailer", "byline",
    "dateline", "closer", "opener", "salute", "signed", "postscript", "epigraph",
    "argument", "docTitle", "titlePage", "titlePart", "front", "body", "back", "group",
    "text", "floatingText", "letter", "entry",
})
#: Elements set aside whole: read as one delimiter (metadata, facsimiles, apparatus lists).
SKIPPED = frozenset({
    "teiHeader", "header", "facsimile", "sourceDoc", "standOff", "timeline", "witDetail",
    "listWit", "witness", "listBibl", "back-matter", "fsdDecl", "graphic", "surfaceGrp",
})
#: Elements whose text is the editor's or the page's, not the work's: notes, page furniture
#: (running heads, catchwords, page numbers), marks that point to a revision.
SET_ASIDE = {
    "note": "note", "fw": "fw", "metamark": "metamark", "comment": "comment",
    "figDesc": "figure", "figure": "figure", "interp": "interp", "desc": "desc",
}
#: Milestone units kept as positions.
POSITION_UNITS = {"pb": "page", "lb": "line", "cb": "column"}
_CHOICE_PAIRS = {"sic": "corr", "corr": "sic", "abbr": "expan", "expan": "abbr",
                 "orig": "reg", "reg": "orig"}

_BLANK_LINES = re.compile(r"[ \t\f\v]*(?:\r\n|\r|\n)(?:[ \t\f\v]*(?:\r\n|\r|\n))+[ \t\f\v]*")
_SPACE = re.compile(r"\s+")
_TRAILING_NUMBER = re.compile(r"[_.\-:](\d+[a-z]?)$")


@attrs.frozen(slots=True)
class Settings:
    """How a witness is read: which ``<choice>`` child is collated (the first of *choice*
    present), whether ``<supplied>`` text is kept, how revisions are layered
    (``declared``: ``@seq``, then hands declared in the header, in order; ``hands``: each
    hand in order of first appearance; ``nesting``: a revision inside an addition comes
    after it, one inside a deletion before it; ``none``: one layer), and, for parallel
    segmentation, the witness whose readings are taken (None: a transcription)."""

    choice: tuple[str, ...] = CHOICE_DEFAULT
    supplied: bool = True
    layers: str = "declared"
    hands: tuple[str, ...] = ()
    witness: str | None = None


@attrs.frozen(slots=True)
class Transcript:
    """What :func:`transcribe` makes: the text, its map to the file, the span tree tiling
    the text, recorded positions, and what was noticed."""

    text: str
    origin: OffsetMap
    nodes: tuple[Node, ...]
    milestones: tuple[Milestone, ...]
    diagnostics: tuple[Diagnostic, ...]
    witnesses_seen: tuple[str, ...]


@attrs.define
class _Range:
    kind: SpanKind
    start: int  # transcript offsets
    end: int | None
    hand: str | None
    layer: int
    line: int
    column: int
    rule: str
    label: str | None = None


def _pointers(value: str | None) -> list[str]:
    return [token.lstrip("#") for token in (value or "").split()]


def _position_name(element: Element) -> str | None:
    n = element.get("n") or element.get("folio")
    if n is None:
        return None
    number = _TRAILING_NUMBER.search(n)
    # project ids such as "c57-0132__main__3" carry the line number at their end
    return number.group(1) if number is not None and len(n) > 8 else n


class _Walker:
    """One pass over a body element (used once)."""

    def __init__(self, text: str, path: str, settings: Settings, file_index: LineIndex) -> None:
        self.text = text
        self.path = path
        self.settings = settings
        self.index = file_index
        self.builder = TranscriptBuilder(text)
        self.pending_break = False
        self.pending_space = False
        self.in_word = False
        self.broken = False  # a line break stands in the whitespace since the last text
        self.last = ""  # the last character of text emitted ("" at the start)
        self.milestones: list[Milestone] = []
        self.ranges: list[_Range] = []
        self.open_ranges: dict[str, _Range] = {}
        self.span_targets: dict[str, _Range] = {}
        self.ids: dict[str, int] = {}
        self.diagnostics: list[Diagnostic] = []
        self.witnesses_seen: dict[str, None] = {}
        self.hand_order: dict[str, int] = {}

    # -- emitting ---------------------------------------------------------------------------

    @property
    def at(self) -> int:
        return self.builder.length

    def _delimiter(self, start: int, end: int) -> Delimiter:
        """The file's ``[start, end)`` (a tag) copied into the transcript as a delimiter."""
        at = self.at
        self.builder.copy(start, end)
        return Delimiter(at, self.at, self.text[start:end])

    def _empty(self) -> Delimiter:
        return Delimiter(self.at, self.at, "")

    def _position(self, file_offset: int) -> tuple[int, int]:
        return self.index.position(file_offset)

    def chars(self, chars: Chars, out: list[Node]) -> None:
        """Character data into the transcript: references decoded, whitespace as the
        reading rules say."""
        start, end = chars.start, chars.end
        raw = self.text[start:end]
        line = self._position(start)[0]
        pieces: list[tuple[int, int, str | None]] = []  # file range, replacement
        position = 0
        for ref_start, ref_end, value in decode_references(raw, self.path, line):
            if ref_start > position:
                pieces.append((start + position, start + ref_start, None))
            pieces.append((start + ref_start, start + ref_end, value))
            position = ref_end
        if position < len(raw):
            pieces.append((start + position, end, None))
        at = self.at
        for lo, hi, decoded in pieces:
            if decoded is not None:
                self._emit_text(lo, hi, decoded)
            else:
                self._emit_run(lo, hi)
        if self.at > at:
            out.append(Text(at, self.at, self._transcript_tail(at)))

    def _transcript_tail(self, at: int) -> str:
        # the text emitted since transcript offset *at* (the builder's last parts)
        parts: list[str] = []
        length = self.at - at
        for part in reversed(self.builder.parts):
            if length <= 0:
                break
            parts.append(part[-length:] if len(part) > length else part)
            length -= len(part)
        return "".join(reversed(parts))

    def _emit_text(self, lo: int, hi: int, value: str) -> None:
        """A decoded reference (one character) standing for the file's ``[lo, hi)``."""
        if value.isspace():
            self._emit_space(lo, hi, value, decoded=True)
            return
        self._before_content(lo)
        self.builder.replace(lo, hi, value)
        self.last = value

    def _emit_run(self, lo: int, hi: int) -> None:
        """The file's ``[lo, hi)`` (no references), whitespace handled."""
        text = self.text
        position = lo
        for match in _SPACE.finditer(text, lo, hi):
            if match.start() > position:
                self._before_content(position)
                self.builder.copy(position, match.start())
                self.last = text[match.start() - 1]
            self._emit_space(match.start(), match.end(), match.group())
            position = match.end()
        if position < hi:
            self._before_content(position)
            self.builder.copy(position, hi)
            self.last = text[hi - 1]

    def _emit_space(self, lo: int, hi: int, space: str, *, decoded: bool = False) -> None:
        if self.in_word:
            self.builder.replace(lo, hi, "")
            return
        if self.pending_break:
            # the break is written before the next content; this whitespace stands for it
            self.builder.replace(lo, hi, "")
            return
        self.pending_space = False
        broken = "\n" in space or "\r" in space
        if broken and self.broken:
            # a line break already stands since the last text (across tags): a second one
            # would make a blank line, which is a paragraph break
            self.builder.replace(lo, hi, "")
        elif _BLANK_LINES.search(space):
            self.builder.replace(lo, hi, "\n")  # no paragraph break inside a block
            self.last = "\n"
        elif decoded:
            self.builder.replace(lo, hi, space)
            self.last = space[-1]
        else:
            self.builder.copy(lo, hi)
            self.last = space[-1]
        self.broken = self.broken or broken

    def _before_content(self, file_at: int) -> None:
        """A paragraph break or word boundary owed before content at the file's *file_at*."""
        self.broken = False
        if self.pending_break:
            if self.last:
                self.builder.replace(file_at, file_at, "\n\n")
                self.last = "\n"
            self.pending_break = False
            self.pending_space = False
        elif self.pending_space:
            if self.last and not self.last.isspace():
                self.builder.replace(file_at, file_at, " ")
                self.last = " "
            self.pending_space = False

    # -- elements ---------------------------------------------------------------------------

    def children(self, element: Element) -> list[Node]:
        out: list[Node] = []
        for child in element.children:
            if isinstance(child, Chars):
                self.other_chars(child, out)
            else:
                self.element(child, out)
        return out

    def other_chars(self, chars: Chars, out: list[Node]) -> None:
        if chars.kind == "text":
            self.chars(chars, out)
            return
        line, column = self._position(chars.start)
        if chars.kind == "cdata":
            opening = self._delimiter(chars.start, chars.start + 9)
            inner: list[Node] = []
            if chars.end - 3 > chars.start + 9:
                at = self.at
                self._emit_run(chars.start + 9, chars.end - 3)
                if self.at > at:
                    inner.append(Text(at, self.at, self._transcript_tail(at)))
            closing = self._delimiter(chars.end - 3, chars.end)
            out.append(Span(SpanKind.ELEMENT, opening, closing, tuple(inner), line, column,
                            "xml-cdata", "cdata"))
            return
        out.append(Span(SpanKind.ELEMENT, self._delimiter(chars.start, chars.end),
                        self._empty(), (), line, column, f"xml-{chars.kind}", chars.kind))

    def element(self, element: Element, out: list[Node]) -> None:
        name = element.local if element.namespace in ("", TEI_NS) else ""
        xml_id = element.get("xml:id")
        if xml_id is not None:
            self.ids[xml_id] = self.at
            target = self.span_targets.pop(xml_id, None)
            if target is not None:
                target.end = self.at
        handler = _HANDLERS.get(name)
        if handler is not None and handler(self, element, out):
            return
        if name in SKIPPED:
            self.whole(element, out, "skipped", name)
            return
        if name in SET_ASIDE:
            self.span(element, out, SpanKind.NOTE, "tei-set-aside", SET_ASIDE[name])
            return
        if name in BLOCKS:
            self.pending_break = True
            self.span(element, out, SpanKind.ELEMENT, "tei-element", name)
            self.pending_break = True
            return
        self.span(element, out, SpanKind.ELEMENT, "tei-element", element.local)

    def whole(self, element: Element, out: list[Node], rule: str, label: str) -> None:
        """The element, its content included, as one delimiter: not read."""
        line, column = self._position(element.start)
        out.append(Span(SpanKind.ELEMENT, self._delimiter(element.start, element.end),
                        self._empty(), (), line, column, f"tei-{rule}", label))

    def span(
        self, element: Element, out: list[Node], kind: SpanKind, rule: str, label: str | None,
        *, hand: str | None = None, layer: int | None = None,
        children: Callable[[], list[Node]] | None = None,
    ) -> Span:
        line, column = self._position(element.start)
        if kind is not SpanKind.ELEMENT and (self.pending_break or self.pending_space):
            # the break or space owed here stands before the mark, in every state, not
            # inside it (where a revision or a note would take it away)
            at = self.at
            self._before_content(element.start)
            if self.at > at:
                out.append(Text(at, self.at, self._transcript_tail(at)))
        opening = self._delimiter(element.start, element.open_end)
        inner = children() if children is not None else self.children(element)
        closing = self._delimiter(element.close_start, element.end)
        span = Span(kind, opening, closing, tuple(inner), line, column, rule, label,
                    hand, layer)
        out.append(span)
        return span

    # -- revisions --------------------------------------------------------------------------

    def hand_of(self, element: Element) -> str | None:
        hand = element.get("hand")
        return hand.strip() if hand else None

    def layer_of(self, element: Element, hand: str | None) -> int | None:
        policy = self.settings.layers
        if policy == "declared":
            seq = element.get("seq")
            if seq is not None and _small_number(seq):
                return max(1, int(seq))
            declared = self.settings.hands
            if hand is not None and len(declared) > 1 and hand.lstrip("#") in declared:
                return declared.index(hand.lstrip("#")) + 1
            return None
        if policy == "hands":
            if hand is None:
                return None
            return self.hand_order.setdefault(hand, len(self.hand_order) + 2)
        return None  # nesting is set after the walk; none is one layer

    def revision(self, element: Element, out: list[Node], kind: SpanKind) -> None:
        hand = self.hand_of(element)
        self.span(element, out, kind, f"tei-{element.local}", element.get("type") or
                  element.get("rend") or element.get("place"), hand=hand,
                  layer=self.layer_of(element, hand))

    def milestone_range(self, element: Element, out: list[Node], kind: SpanKind) -> None:
        """``delSpan``/``addSpan`` (to ``spanTo``) and ``sga-add`` (``sID`` ... ``eID``)."""
        here = self.at
        self.whole(element, out, "milestone", element.local)
        line, column = self._position(element.start)
        hand = self.hand_of(element)
        end_id = element.get("eID")
        if end_id is not None:
            opened = self.open_ranges.pop(end_id, None)
            if opened is None:
                self.note(element, "unmatched-milestone",
                          f"<{element.qname} eID={end_id!r}/> ends no range begun here")
            else:
                opened.end = here
            return
        made = _Range(kind, self.at, None, hand, self.layer_of(element, hand) or 1, line,
                      column, f"tei-{element.local}", element.get("rend") or
                      element.get("place"))
        self.ranges.append(made)
        start_id = element.get("sID")
        if start_id is not None:
            self.open_ranges[start_id] = made
            return
        target = (element.get("spanTo") or "").lstrip("#")
        if not target:
            self.note(element, "milestone-without-end",
                      f"<{element.qname}/> has neither spanTo nor sID: it marks nothing")
            self.ranges.pop()
        elif target in self.ids:
            self.note(element, "milestone-backwards",
                      f"<{element.qname} spanTo='#{target}'/> points backwards; ignored")
            self.ranges.pop()
        else:
            self.span_targets[target] = made

    def note(self, element: Element, code: str, message: str) -> None:
        line, column = self._position(element.start)
        self.diagnostics.append(Diagnostic(Severity.WARNING, code, message, self.path, line,
                                           column, element.start))

    # -- special elements ---------------------------------------------------------------------

    def position(self, element: Element, out: list[Node]) -> bool:
        unit = POSITION_UNITS.get(element.local) or (
            "page" if element.local == "surface" and element.get("folio") else None)
        if element.local == "surface" and element.get("eID") is not None:
            unit = None
        n = _position_name(element)
        if unit is not None and n is not None:
            self.milestones.append(Milestone(self.at, unit, n))
        self.span(element, out, SpanKind.ELEMENT, "tei-position", element.local)
        if element.local in POSITION_UNITS and element.get("break") != "no" and not self.in_word:
            self.pending_space = True
        return True

    def milestone(self, element: Element, out: list[Node]) -> bool:
        unit = (element.get("unit") or "").lower()
        if unit in ("tei:p-start", "tei:p-end", "paragraph", "p"):
            self.pending_break = True
        self.span(element, out, SpanKind.ELEMENT, "tei-milestone", "milestone")
        return True

    def paragraph_milestone(self, element: Element, out: list[Node]) -> bool:
        if element.get("sID") is None and element.get("eID") is None:
            return False
        self.pending_break = True
        self.span(element, out, SpanKind.ELEMENT, "tei-milestone", element.local)
        self.pending_break = True
        return True

    def word(self, element: Element, out: list[Node]) -> bool:
        ana = element.get("ana")
        if element.children or ana not in ("start", "end"):
            return False
        self.in_word = ana == "start"
        self.span(element, out, SpanKind.ELEMENT, "tei-word-boundary", "w")
        return True

    def revision_element(self, element: Element, out: list[Node]) -> bool:
        local = element.local
        kind = SpanKind.ADD if local in ("add", "add-INNER", "sga-add") else SpanKind.DEL
        if element.get("sID") is not None or element.get("eID") is not None:
            if local == "sga-add":
                self.milestone_range(element, out, kind)
            else:  # a modification's or a highlight's milestones mark no revision
                self.span(element, out, SpanKind.ELEMENT, "tei-milestone", local)
            return True
        self.revision(element, out, kind)
        return True

    def span_range(self, element: Element, out: list[Node]) -> bool:
        kind = SpanKind.ADD if element.local == "addSpan" else SpanKind.DEL
        self.milestone_range(element, out, kind)
        return True

    def restore(self, element: Element, out: list[Node]) -> bool:
        """A deletion undone: its text stands in every state (the struck stage between is
        not a state of its own)."""
        def children() -> list[Node]:
            return [_neutral(node) for node in self.children(element)]

        self.span(element, out, SpanKind.ELEMENT, "tei-restore", "restore", children=children)
        return True

    def gap(self, element: Element, out: list[Node]) -> bool:
        reason = element.get("reason") or element.get("unit")
        self.span(element, out, SpanKind.GAP, "tei-gap", reason)
        return True

    def simple(self, element: Element, out: list[Node]) -> bool:
        kind = {"unclear": SpanKind.UNCLEAR, "sic": SpanKind.SIC}[element.local]
        self.span(element, out, kind, f"tei-{element.local}", element.get("reason"))
        return True

    def supplied(self, element: Element, out: list[Node]) -> bool:
        kind = SpanKind.ELEMENT if self.settings.supplied else SpanKind.SUPPLIED
        self.span(element, out, kind, "tei-supplied", "supplied")
        return True

    def choice(self, element: Element, out: list[Node]) -> bool:
        options = [child for child in element.elements()]
        names = [child.local for child in options]
        chosen = next((name for name in self.settings.choice if name in names),
                      names[0] if names else None)

        def children() -> list[Node]:
            inner: list[Node] = []
            done = False
            for child in element.children:
                if isinstance(child, Chars):
                    self.other_chars(child, inner)
                elif child.local == chosen and not done:
                    done = True
                    kind = SpanKind.SIC if child.local == "sic" else SpanKind.ELEMENT
                    self.span(child, inner, kind, "tei-choice", child.local)
                else:
                    self.span(child, inner, SpanKind.NOTE, "tei-choice-other",
                              f"{child.local}-not-chosen")
            return inner

        self.span(element, out, SpanKind.ELEMENT, "tei-choice", "choice", children=children)
        return True

    def app(self, element: Element, out: list[Node]) -> bool:
        readings = [c for c in element.elements() if c.local in ("lem", "rdg", "rdgGrp")]
        if self.settings.witness is not None:
            self.span(element, out, SpanKind.ELEMENT, "tei-app", "app",
                      children=lambda: self._witness_readings(element))
            return True
        # a transcription: alternatives of one document, in their order, the lem last
        def key(item: tuple[int, Element]) -> tuple[int, int, int]:
            k, child = item
            seq = child.get("varSeq") or child.get("seq") or ""
            return (1 if child.local == "lem" else 0,
                    int(seq) if _small_number(seq) else 0, k)

        order = {id(child): rank for rank, (_, child) in
                 enumerate(sorted(enumerate(readings), key=key), 1)}
        count = len(readings)
        if any(r.get("wit") for r in readings):
            self.note(element, "app-with-witnesses",
                      "this <app> names witnesses: the file looks like parallel segmentation "
                      "(read it with --from tei-parallel); its readings are taken as "
                      "alternatives of one document here")

        def children() -> list[Node]:
            inner: list[Node] = []
            for child in element.children:
                if isinstance(child, Chars):
                    self.other_chars(child, inner)
                elif id(child) in order and count > 1:
                    self._alternative(child, inner, order[id(child)], count)
                else:
                    self.element(child, inner)
            return inner

        self.span(element, out, SpanKind.ELEMENT, "tei-app", "app", children=children)
        return True

    def _alternative(self, element: Element, out: list[Node], rank: int, count: int) -> None:
        """Alternative *rank* of *count* stands in the states from layer rank-1 up to (not
        including) layer rank: the first as first written, the last as revised."""
        hand = self.hand_of(element)
        if rank == 1:
            self.span(element, out, SpanKind.DEL, "tei-alternative", "alternative", hand=hand,
                      layer=1)
            return
        if rank == count:
            self.span(element, out, SpanKind.ADD, "tei-alternative", "alternative", hand=hand,
                      layer=rank - 1)
            return

        def children() -> list[Node]:
            inner = self.children(element)
            line, column = self._position(element.start)
            start = inner[0].start if inner else self.at
            end = inner[-1].end if inner else self.at
            return [Span(SpanKind.DEL, Delimiter(start, start, ""), Delimiter(end, end, ""),
                         tuple(inner), line, column, "tei-alternative", "alternative", hand,
                         rank)]

        self.span(element, out, SpanKind.ADD, "tei-alternative", "alternative", hand=hand,
                  layer=rank - 1, children=children)

    def _witness_readings(self, app: Element) -> list[Node]:
        """An <app>'s content for one witness: its reading read, the others set aside."""
        wanted = self.settings.witness
        readings = [c for c in app.elements() if c.local in ("lem", "rdg")]
        named = {w for r in readings for w in _pointers(r.get("wit"))}
        self.witnesses_seen.update(dict.fromkeys(sorted(named)))
        inner: list[Node] = []
        taken = False
        for child in app.children:
            if isinstance(child, Chars):
                self.other_chars(child, inner)
                continue
            if child.local == "rdgGrp":
                group = child

                def grouped(group: Element = group) -> list[Node]:
                    return self._witness_readings(group)

                self.span(child, inner, SpanKind.ELEMENT, "tei-rdgGrp", "rdgGrp",
                          children=grouped)
                continue
            if child.local not in ("lem", "rdg"):
                self.element(child, inner)
                continue
            witnesses = _pointers(child.get("wit"))
            own = wanted in witnesses or (child.local == "lem" and not witnesses
                                          and wanted not in named)
            if own and not taken:
                taken = True
                self.span(child, inner, SpanKind.ELEMENT, f"tei-{child.local}", child.local)
            else:
                self.whole(child, inner, "other-reading", child.local)
        return inner


def _neutral(node: Node) -> Node:
    """*node* with its deletions undone (inside a <restore>)."""
    if isinstance(node, Text):
        return node
    children = tuple(_neutral(child) for child in node.children)
    if node.kind is SpanKind.DEL:
        return attrs.evolve(node, kind=SpanKind.ELEMENT, children=children,
                            label="restored", layer=None)
    return attrs.evolve(node, children=children)


_Handler = Callable[[_Walker, Element, list[Node]], bool]
_HANDLERS: dict[str, _Handler] = {
    "pb": _Walker.position, "lb": _Walker.position, "cb": _Walker.position,
    "surface": _Walker.position,
    "milestone": _Walker.milestone,
    "p": _Walker.paragraph_milestone,
    "w": _Walker.word,
    "add": _Walker.revision_element, "del": _Walker.revision_element,
    "mdel": _Walker.revision_element, "add-INNER": _Walker.revision_element,
    "del-INNER": _Walker.revision_element, "sga-add": _Walker.revision_element,
    "delSpan": _Walker.span_range, "addSpan": _Walker.span_range,
    "restore": _Walker.restore,
    "gap": _Walker.gap,
    "unclear": _Walker.simple, "sic": _Walker.simple,
    "supplied": _Walker.supplied,
    "choice": _Walker.choice,
    "app": _Walker.app,
}


# --- milestone ranges as spans -----------------------------------------------------------------


def _apply_ranges(nodes: list[Node], ranges: Iterable[_Range], end: int) -> list[Node]:
    for made in ranges:
        stop = made.end if made.end is not None else end
        if stop <= made.start:
            continue

        def make(group: list[Node], made: _Range = made) -> Span:
            start, finish = group[0].start, group[-1].end
            return Span(made.kind, Delimiter(start, start, ""), Delimiter(finish, finish, ""),
                        tuple(group), made.line, made.column, made.rule, made.label,
                        made.hand, made.layer)

        nodes = wrap_range(nodes, made.start, stop, make)
    return nodes


def _nest_layers(nodes: Sequence[Node]) -> list[Node]:
    """Layers from nesting: a revision inside an addition comes after it; a deletion comes
    after every revision inside it."""

    def visit(node: Node, base: int) -> tuple[Node, int]:
        if isinstance(node, Text):
            return node, 0
        revision = node.kind.is_revision
        inner_base = base + 1 if revision and node.kind is SpanKind.ADD else base
        children: list[Node] = []
        deepest = 0
        for child in node.children:
            done, layer = visit(child, inner_base)
            children.append(done)
            deepest = max(deepest, layer)
        if not revision:
            return attrs.evolve(node, children=tuple(children)), deepest
        layer = max(base, 1) if node.kind is SpanKind.ADD else max(base, deepest + 1, 1)
        return attrs.evolve(node, children=tuple(children), layer=layer), max(layer, deepest)

    return [visit(node, 1)[0] for node in nodes]


def transcribe(
    text: str, body: Element, path: str, settings: Settings, file_index: LineIndex
) -> Transcript:
    """The transcript and span tree of *body* (an element of the file's *text*)."""
    walker = _Walker(text, path, settings, file_index)
    nodes: list[Node] = []
    walker.element(body, nodes)
    end = walker.at
    for name, made in walker.open_ranges.items():
        walker.diagnostics.append(Diagnostic(
            Severity.WARNING, "unclosed-milestone",
            f"the range begun with sID={name!r} has no eID: it runs to the end", path,
            made.line, made.column))
    for name, made in walker.span_targets.items():
        walker.diagnostics.append(Diagnostic(
            Severity.WARNING, "missing-span-target",
            f"spanTo='#{name}' names no element after it: the range runs to the end", path,
            made.line, made.column))
    nodes = _apply_ranges(nodes, walker.ranges, end)
    if settings.layers == "nesting":
        nodes = _nest_layers(nodes)
    transcript, origin = walker.builder.build()
    if len(transcript) != end:  # the builder and the walk agree by construction
        raise InputError("internal: the transcript lost its place", path=path)
    return Transcript(transcript, origin, tuple(nodes), tuple(walker.milestones),
                      tuple(walker.diagnostics), tuple(walker.witnesses_seen))


def _small_number(text: str) -> bool:
    """Whether *text* is a whole number ``int`` can read quickly: ASCII digits (``²`` is a
    digit to ``str.isdigit``), at most 9 of them (4,300 made ``int`` raise)."""
    text = text.strip()
    return text.isascii() and text.isdigit() and len(text) <= 9
