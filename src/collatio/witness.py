"""Witnesses and their revision states.

A :class:`Witness` is one document's text as parsed with its convention: the span tree of its
body, its metadata, and its **states**, the running texts that get collated:

* a witness with hand revisions (``add``/``del`` spans) has two states:
  ``ante`` (*ante correctionem*, as first written) and ``post`` (*post correctionem*, as
  revised);
* any other witness has one state, ``text``.

Which characters a state keeps (nesting is resolved from the outside in):

==================  ==========  ==========  ==========
inside a span of    ``ante``    ``post``    ``text``
==================  ==========  ==========  ==========
``add``             dropped     kept        kept
``del``             kept        dropped     kept
``hi``/``unclear``/``sic``  kept  kept      kept
``note``/``supplied``/``gap``   dropped, position marked (all states)
==================  ==========  ==========  ==========

so a deletion inside an addition (written by hand, then struck) is in neither revision state,
and an addition inside a deletion (added, then struck with its passage) is in neither either.
Delimiters are never state text. Where text is dropped, doubled spaces are closed up
(``Kai-shek [Jiang Jieshi] who`` -> ``Kai-shek who``) and a space before closing punctuation is
removed (``Japan [against China].`` -> ``Japan.``). Every state character maps back to its
source offset through :attr:`State.pieces`.
"""

from __future__ import annotations

import bisect
import enum
from collections.abc import Iterable, Sequence

import attrs

from collatio.diagnostics import Diagnostic, Severity, raise_if_strict
from collatio.markup.conventions import Convention, detect_convention, get_convention
from collatio.markup.scanner import MarkDecision, parse_markup
from collatio.markup.tree import Node, Span, SpanKind, Text, walk
from collatio.sources import Document, Metadata, Source
from collatio.textpos import LineIndex


class StateName(enum.Enum):
    """The revision states of a witness."""

    TEXT = "text"
    ANTE = "ante"
    POST = "post"


@attrs.frozen(slots=True)
class Piece:
    """``State.text[start:start+length] == source[source_start:source_start+length]``.

    ``revision`` is the innermost hand revision enclosing the run (``add``: added by hand,
    ``del``: deleted by hand), or None for the text as typed.
    """

    start: int
    source_start: int
    length: int
    revision: SpanKind | None = None
    #: The innermost hand-revision span around the run (its ``kind`` is ``revision``).
    revision_span: Span | None = attrs.field(default=None, eq=False, repr=False)

    @property
    def end(self) -> int:
        return self.start + self.length


@attrs.frozen(slots=True)
class Marker:
    """Editorial matter (a gap, a note, supplied words) that stood at ``offset`` of a state."""

    offset: int
    span: Span


@attrs.frozen(slots=True)
class State:
    """One running text of a witness, with its map back to the source."""

    name: StateName
    text: str
    pieces: tuple[Piece, ...]
    markers: tuple[Marker, ...] = ()

    def piece_at(self, offset: int) -> Piece | None:
        """The piece holding state character *offset*, or None if out of range."""
        starts = [piece.start for piece in self.pieces]
        i = bisect.bisect_right(starts, offset) - 1
        if i < 0 or offset >= self.pieces[i].end:
            return None
        return self.pieces[i]

    def source_offset(self, offset: int) -> int:
        """The source offset of state character *offset*."""
        piece = self.piece_at(offset)
        if piece is None:
            raise IndexError(f"offset {offset} is outside the {self.name.value} state")
        return piece.source_start + offset - piece.start


@attrs.frozen(slots=True)
class Witness:
    """A parsed document: sigil, metadata, span tree of its body, and its states."""

    siglum: str
    label: str
    path: str
    metadata: Metadata
    convention: str
    convention_reason: str
    source: str = attrs.field(repr=False)
    start: int
    end: int
    nodes: tuple[Node, ...] = attrs.field(repr=False)
    states: tuple[State, ...] = attrs.field(repr=False)
    diagnostics: tuple[Diagnostic, ...] = ()

    @property
    def has_revisions(self) -> bool:
        return any(state.name is StateName.ANTE for state in self.states)

    @property
    def body(self) -> str:
        """The witness's source text, markup included."""
        return self.source[self.start : self.end]

    def state(self, name: StateName | str) -> State:
        wanted = StateName(name)
        for state in self.states:
            if state.name is wanted:
                return state
        have = ", ".join(state.name.value for state in self.states)
        raise KeyError(f"witness {self.siglum} has no {wanted.value!r} state (it has: {have})")

    def spans(self) -> Iterable[tuple[Span, tuple[Span, ...]]]:
        """Every span with its ancestors, in document order."""
        return walk(self.nodes)


# --- building states -------------------------------------------------------------------------

_HSPACE = " \t\u00a0"
_CLOSING = ".,;:!?)]}»”’"


class _StateBuilder:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pieces: list[list[int | Span | None]] = []
        self.markers: list[tuple[int, Span]] = []
        self.length = 0
        self.after_removal = False

    def _last_char(self) -> str:
        return self.parts[-1][-1] if self.parts else ""

    def add(self, text: str, source_start: int, revision: Span | None) -> None:
        if not self.length:
            # a state starts at its first word, wherever the body began
            stripped = text.lstrip()
            source_start += len(text) - len(stripped)
            text = stripped
        if not text:
            return
        if self.after_removal:
            text, source_start = self._close_up(text, source_start)
            if not text:
                return
            self.after_removal = False
        if self.pieces:
            last_piece = self.pieces[-1]
            start, src, length, rev = last_piece
            assert isinstance(start, int) and isinstance(src, int) and isinstance(length, int)
            if rev is revision and src + length == source_start and start + length == self.length:
                last_piece[2] = length + len(text)
                self.parts.append(text)
                self.length += len(text)
                return
        self.pieces.append([self.length, source_start, len(text), revision])
        self.parts.append(text)
        self.length += len(text)

    def _close_up(self, text: str, source_start: int) -> tuple[str, int]:
        """Join *text* to the output where something was removed before it."""
        last = self._last_char()
        if last in ("", "\n", "\r") or last in _HSPACE:
            stripped = text.lstrip(_HSPACE)
            source_start += len(text) - len(stripped)
            text = stripped
        if not text:
            return text, source_start
        if text[0] in "\r\n":
            self._trim_trailing_space()
            if self._last_char() in ("", "\n", "\r"):
                # the removal emptied a whole paragraph (or led the text): drop its line breaks
                stripped = text.lstrip()
                source_start += len(text) - len(stripped)
                text = stripped
        elif text[0] in _CLOSING:
            self._trim_trailing_space()
        return text, source_start

    def _trim_trailing_space(self) -> None:
        while self.parts and self.parts[-1] and self.parts[-1][-1] in _HSPACE:
            piece = self.pieces[-1]
            length = piece[2]
            assert isinstance(length, int)
            self.parts[-1] = self.parts[-1][:-1]
            piece[2] = length - 1
            self.length -= 1
            if piece[2] == 0:
                self.pieces.pop()
            if not self.parts[-1]:
                self.parts.pop()

    def removed(self, span: Span | None) -> None:
        self.after_removal = True
        if span is not None:
            self.markers.append((self.length, span))

    def build(self, name: StateName) -> State:
        if self.after_removal:
            self._trim_trailing_space()
        text = "".join(self.parts)
        pieces = tuple(
            Piece(int(start), int(src), int(length),  # type: ignore[arg-type]
                  rev.kind if isinstance(rev, Span) else None,
                  rev if isinstance(rev, Span) else None)
            for start, src, length, rev in self.pieces
        )
        markers = tuple(Marker(min(offset, len(text)), span) for offset, span in self.markers)
        return State(name, text, pieces, markers)


def _excluded(kind: SpanKind, name: StateName) -> bool:
    if kind.is_editorial:
        return True
    if kind is SpanKind.ADD:
        return name is StateName.ANTE
    if kind is SpanKind.DEL:
        return name is StateName.POST
    return False


def build_state(nodes: Sequence[Node], name: StateName) -> State:
    """The running text of *name* from a span tree (see the module docstring for the rules)."""
    builder = _StateBuilder()
    # Items: a node with the innermost revision kind around it; iterative for deep nesting.
    stack: list[tuple[Node, Span | None]] = [(node, None) for node in reversed(nodes)]
    while stack:
        node, revision = stack.pop()
        if isinstance(node, Text):
            builder.add(node.text, node.start, revision)
            continue
        if _excluded(node.kind, name):
            builder.removed(node if node.kind.is_editorial else None)
            continue
        inner = node if node.kind.is_revision else revision
        stack.extend((child, inner) for child in reversed(node.children))
    return builder.build(name)


def states_for(nodes: Sequence[Node]) -> tuple[State, ...]:
    """``(ante, post)`` if the tree holds hand revisions, else ``(text,)``."""
    if any(span.kind.is_revision for span, _ in walk(tuple(nodes))):
        return build_state(nodes, StateName.ANTE), build_state(nodes, StateName.POST)
    return (build_state(nodes, StateName.TEXT),)


# --- from sources to witnesses ----------------------------------------------------------------


def choose_convention(
    document: Document, requested: str | Convention | None = None
) -> tuple[Convention, str]:
    """The convention for *document* and why: manifest, then *requested*, then its header."""
    if document.convention is not None:
        return get_convention(document.convention), "set in the manifest"
    if isinstance(requested, Convention):
        return requested, "given by the caller"
    if requested is not None:
        return get_convention(requested), "given by the caller"
    return detect_convention(document.header)


def witness_from_document(
    source: Source,
    document: Document,
    *,
    convention: str | Convention | None = None,
    line_index: LineIndex | None = None,
) -> Witness:
    """Parse one document of *source* into a witness."""
    chosen, reason = choose_convention(document, convention)
    decisions = [
        MarkDecision(o.line, o.column, o.kind, o.label, o.origin) for o in document.overrides
    ]
    markup = parse_markup(
        source.text,
        chosen,
        start=document.body_start,
        end=document.body_end,
        path=source.path,
        line_index=line_index,
        decisions=decisions,
    )
    return Witness(
        siglum=document.siglum,
        label=document.label,
        path=source.path,
        metadata=document.metadata,
        convention=chosen.name,
        convention_reason=reason,
        source=source.text,
        start=document.body_start,
        end=document.body_end,
        nodes=markup.nodes,
        states=states_for(markup.nodes),
        diagnostics=markup.diagnostics,
    )


def witnesses_from_source(
    source: Source, *, convention: str | Convention | None = None
) -> tuple[Witness, ...]:
    """Every document of *source* as a witness, in file order."""
    index = LineIndex.of(source.text)
    return tuple(
        witness_from_document(source, document, convention=convention, line_index=index)
        for document in source.documents
    )


@attrs.frozen(slots=True)
class ParseResult:
    """What parsing a set of sources gives: the sources, their witnesses, all diagnostics."""

    sources: tuple[Source, ...]
    witnesses: tuple[Witness, ...]
    diagnostics: tuple[Diagnostic, ...]

    def witness(self, siglum: str) -> Witness:
        for witness in self.witnesses:
            if witness.siglum == siglum:
                return witness
        have = ", ".join(w.siglum for w in self.witnesses)
        raise KeyError(f"no witness {siglum!r}; sigla: {have}")


def parse_sources(
    sources: Iterable[Source], *, convention: str | Convention | None = None, strict: bool = False
) -> ParseResult:
    """Witnesses of every document of *sources*; sigla are made unique across files.

    With ``strict=True`` the first warning or error raises instead of being reported.
    """
    sources = tuple(sources)
    witnesses: list[Witness] = []
    diagnostics: list[Diagnostic] = []
    seen: set[str] = set()
    for source in sources:
        diagnostics.extend(source.diagnostics)
        for witness in witnesses_from_source(source, convention=convention):
            siglum = witness.siglum
            if siglum in seen:
                n = 2
                while f"{siglum}{n}" in seen:
                    n += 1
                renamed = f"{siglum}{n}"
                diagnostics.append(
                    Diagnostic(
                        Severity.WARNING,
                        "duplicate-siglum",
                        f"siglum {siglum!r} is already taken; this witness is called "
                        f"{renamed!r}. Set sigla in a manifest to choose them.",
                        source.path,
                    )
                )
                witness = attrs.evolve(witness, siglum=renamed)
            seen.add(witness.siglum)
            witnesses.append(witness)
            diagnostics.extend(witness.diagnostics)
    raise_if_strict(diagnostics, strict)
    return ParseResult(sources, tuple(witnesses), tuple(diagnostics))
