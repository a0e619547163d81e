"""Witnesses and their revision states.

A :class:`Witness` is one document's text as read: the span tree of its body, its metadata,
and its **states**, the running texts that get collated.

* A witness without hand revisions has one state, ``text``.
* A witness with hand revisions (``add``/``del`` spans) has, in order: ``ante`` (*ante
  correctionem*, as first written), one state per further revision layer if the source
  orders its revisions (``c1``, ``c2``, ...: TEI ``@seq``, hands declared in order, a Word
  author's changes in date order, ordered alternatives), and ``post`` (*post correctionem*,
  as finally revised).

States are named by :attr:`State.id` (``text``, ``ante``, ``c1``... ``post``) and ordered
by :attr:`State.layer` (0 for ``ante``, K for ``post``, k for ``ck``); a collated text's
siglum is the witness's siglum plus :attr:`State.suffix` (``-ac``, ``-c1``, ``-pc``; none for
``text``), and :attr:`State.description` says what it is (``as first written``, ``after
revision layer 1 (hand #pbs)``, ``as revised``).

Each revision span has a layer ``L >= 1`` (:attr:`Span.layer`, None meaning 1). A character
stands in the state of layer ``k`` exactly when every revision span around it allows it:
an ``add`` of layer ``L`` when ``L <= k`` (it was added by then), a ``del`` of layer ``L``
when ``k < L`` (it was not yet struck). With one layer this is the two-state rule:

======================================  ==========  ==========  ==========
inside a span of                        ``ante``    ``post``    ``text``
======================================  ==========  ==========  ==========
``add``                                 dropped     kept        kept
``del``                                 kept        dropped     kept
``hi``/``unclear``/``sic``/``element``  kept        kept        kept
``note``/``supplied``/``gap``           dropped, position marked (all states)
======================================  ==================================

so a deletion inside an addition (written by hand, then struck) is in neither ``ante`` nor
``post``, and an addition inside a deletion (added, then struck with its passage) is in
neither either. Delimiters are never state text. Where text is dropped, doubled spaces are
closed up (``Kai-shek [Jiang Jieshi] who`` -> ``Kai-shek who``) and a space before closing
punctuation is removed (``Japan [against China].`` -> ``Japan.``). Every state character
maps back to its source offset through :attr:`State.pieces`. Building every state costs
O(n) in the body's length per state.
"""

from __future__ import annotations

import bisect
import enum
from collections.abc import Iterable, Iterator, Sequence

import attrs

from collatio.diagnostics import Diagnostic, Severity, raise_if_strict
from collatio.markup.conventions import Convention, detect_convention, get_convention
from collatio.markup.scanner import MarkDecision, MatchBudget, parse_markup
from collatio.markup.tree import Delimiter, Node, Span, SpanKind, Text, walk, wrap_range
from collatio.sources import Document, Metadata, RegionKind, Source
from collatio.textpos import LineIndex


class StateName(enum.Enum):
    """What a state of a witness is: its only text, the first written, an intermediate
    revision layer, or the last revised."""

    TEXT = "text"
    ANTE = "ante"
    LAYER = "layer"
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

    def __repr__(self) -> str:
        return f"<Marker at {self.offset}: {self.span!r}>"


@attrs.frozen(slots=True)
class Cut:
    """A token given by the source (CollateX's pre-tokenized witnesses): ``state.text[start:
    end]``, compared as ``norm`` (None: normalized by collatio), with the token's other
    properties as given (``(("page", "1r"),)``), kept for the outputs."""

    start: int
    end: int
    norm: str | None = None
    properties: tuple[tuple[str, str], ...] = ()


_STATE_IDS = {StateName.TEXT: "text", StateName.ANTE: "ante", StateName.POST: "post"}
_STATE_SUFFIXES = {StateName.TEXT: "", StateName.ANTE: "-ac", StateName.POST: "-pc"}
_STATE_DESCRIPTIONS = {
    StateName.TEXT: "", StateName.ANTE: "as first written", StateName.POST: "as revised"
}


@attrs.frozen(slots=True)
class State:
    """One running text of a witness, with its map back to the source.

    ``layer`` orders the states of one witness (0 ``ante`` .. K ``post``; 0 for ``text``);
    ``hands`` are the hands whose revisions take effect in this state's layer, as the source
    names them. ``cuts``, when the source gave its own tokens, are those tokens in order.
    """

    name: StateName
    text: str
    pieces: tuple[Piece, ...]
    markers: tuple[Marker, ...] = ()
    layer: int = 0
    hands: tuple[str, ...] = ()
    cuts: tuple[Cut, ...] | None = attrs.field(default=None, repr=False)

    @property
    def id(self) -> str:
        """``text``, ``ante``, ``post``, or ``c1``, ``c2``... for the layers between."""
        return _STATE_IDS.get(self.name) or f"c{self.layer}"

    @property
    def suffix(self) -> str:
        """What the witness's siglum takes for this state: ``-ac``, ``-c1``, ``-pc``, or
        nothing for ``text``."""
        suffix = _STATE_SUFFIXES.get(self.name)
        return suffix if suffix is not None else f"-c{self.layer}"

    @property
    def description(self) -> str:
        """``as first written``, ``as revised``, ``after revision layer 1 (hand #pbs)``;
        empty for ``text``."""
        described = _STATE_DESCRIPTIONS.get(self.name)
        if described is not None:
            return described
        hands = f" ({', '.join(f'hand {h}' for h in self.hands)})" if self.hands else ""
        return f"after revision layer {self.layer}{hands}"

    def __repr__(self) -> str:
        from collatio._display import clip, count

        words = len(self.text.split())
        revised = sum(1 for piece in self.pieces if piece.revision is not None)
        hands = f", {count(revised, 'piece')} by hand" if revised else ""
        return (f"<State {self.id}: {count(words, 'word')}{hands}, "
                f"{count(len(self.markers), 'marker')} {clip(self.text)}>")

    def _repr_html_(self) -> str:
        """The state's text for Jupyter: what the hand added (``post``) or will delete
        (``ante``) marked, editorial matter left out shown as ``[…]``."""
        from collatio._display import count, elided, fragment

        def pieces() -> Iterator[tuple[str, str]]:
            at = 0
            markers = sorted(m.offset for m in self.markers)
            m = 0
            for piece in self.pieces:
                while m < len(markers) and markers[m] <= piece.start:
                    if markers[m] >= at:
                        yield "[…]", "note"
                    m += 1
                if piece.start > at:
                    yield self.text[at:piece.start], ""
                wrapper = {SpanKind.ADD: "ins", SpanKind.DEL: "del"}.get(
                    piece.revision, "") if piece.revision else ""
                yield self.text[piece.start:piece.end], wrapper
                at = piece.end
            yield self.text[at:], ""
            for _ in markers[m:]:
                yield "[…]", "note"

        title = (f"State {self.id}: {count(len(self.text.split()), 'word')}, "
                 f"{count(len(self.markers), 'editorial marker')}")
        return fragment(title, elided(pieces()))

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
class Milestone:
    """A position the source records at ``offset`` of the witness's source: ``unit`` is
    ``page``, ``line`` or ``column``, ``n`` its number or name as written (``2``, ``95``,
    ``1r``)."""

    offset: int
    unit: str
    n: str


_POSITION_UNITS = ("page", "column", "line")


@attrs.frozen(slots=True)
class _Positions:
    """Milestones by unit (page first), each unit's offsets, source-order indexes and
    names, so that :meth:`at` bisects: O(log n) a call, O(n) to build."""

    units: tuple[tuple[str, tuple[int, ...], tuple[int, ...], tuple[str, ...]], ...]

    @classmethod
    def of(cls, milestones: Sequence[Milestone]) -> _Positions:
        units = []
        for unit in _POSITION_UNITS:
            mine = [(m.offset, order, m.n) for order, m in enumerate(milestones)
                    if m.unit == unit]
            if mine:
                offsets, orders, names = zip(*mine, strict=True)
                units.append((unit, offsets, orders, names))
        return cls(tuple(units))

    def at(self, offset: int) -> dict[str, str]:
        found: dict[str, str] = {}
        page = -1  # the source-order index of the page *offset* is on
        for unit, offsets, orders, names in self.units:
            i = bisect.bisect_right(offsets, offset) - 1
            if i < 0:
                continue
            if unit == "page":
                page = orders[i]
                found[unit] = names[i]
            elif orders[i] > page:  # a line or column of an earlier page is no position here
                found[unit] = names[i]
        return {unit: found[unit] for unit in _POSITION_UNITS if unit in found}


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
    #: Where offsets of ``source`` stand in the file (see :attr:`Source.lines`); None: made
    #: from ``source`` when asked for.
    lines: LineIndex | None = attrs.field(default=None, eq=False, repr=False)
    #: Positions the source records (pages, lines, columns: TEI ``pb``/``lb``/``cb``), in
    #: source order; :meth:`position_at` says where an offset stands.
    milestones: tuple[Milestone, ...] = attrs.field(default=(), repr=False)
    _positions: _Positions = attrs.field(
        init=False, repr=False, eq=False,
        default=attrs.Factory(lambda self: _Positions.of(self.milestones), takes_self=True))

    def __repr__(self) -> str:
        from collatio._display import clip, count

        date = f" {self.metadata.date}" if self.metadata.date else ""
        states = "+".join(state.id for state in self.states)
        marks = sum(1 for _ in self.spans())
        notes = f", {count(len(self.diagnostics), 'diagnostic')}" if self.diagnostics else ""
        return (f"<Witness {self.siglum} {clip(self.label, 40)}{date}: {self.convention}, "
                f"states {states}, {count(marks, 'mark')}{notes}>")

    def _repr_html_(self) -> str:
        """The witness for Jupyter: metadata, convention, states, and the text with its
        marks (hand insertions and deletions, editorial notes) as an editor prints it."""
        from html import escape

        from collatio._display import clip, count, elided, fragment, table

        meta = self.metadata
        facts = [(name, value) for name, value in (
            ("title", meta.title), ("date", meta.date), ("sender", meta.sender),
            ("recipient", meta.recipient), ("source", f"{self.path}"),
            ("convention", f"{self.convention} ({self.convention_reason})"),
        ) if value]
        facts.extend((f"state {s.id}", f"{count(len(s.text.split()), 'word')}, "
                      f"{count(len(s.markers), 'editorial marker')}") for s in self.states)
        about = table(("", ""), ([escape(k), escape(str(v))] for k, v in facts))
        marks = [(span, ancestors) for span, ancestors in self.spans()]
        listing = table(
            ("line:column", "kind", "rule", "text"),
            ([f"{s.line}:{s.column}", escape(s.kind.value + (f"/{s.label}" if s.label else "")
                                             + (" (inside " + a[-1].kind.value + ")" if a
                                                else "")),
              escape(s.rule), escape(clip(s.text, 80)[1:-1])] for s, a in marks), len(marks))
        return fragment(f"Witness {self.siglum}: {self.label}", about,
                        elided(self._marked_pieces()), listing)

    def _marked_pieces(self) -> Iterator[tuple[str, str]]:
        """The body as ``(text, wrapper)`` pieces: ``ins`` inside an addition, ``del``
        inside a deletion, ``note`` for editorial matter; delimiters left out."""
        stack: list[tuple[Node, str]] = [(node, "") for node in reversed(self.nodes)]
        while stack:
            node, wrapper = stack.pop()
            if isinstance(node, Text):
                yield node.text, wrapper
                continue
            inner = ("ins" if node.kind is SpanKind.ADD else "del" if node.kind is SpanKind.DEL
                     else "note" if node.kind.is_editorial else wrapper)
            stack.extend((child, inner) for child in reversed(node.children))

    @property
    def has_revisions(self) -> bool:
        return any(state.name is StateName.ANTE for state in self.states)

    @property
    def body(self) -> str:
        """The witness's source text, markup included."""
        return self.source[self.start : self.end]

    def state(self, name: StateName | str) -> State:
        """The state called *name*: its id (``ante``, ``c1``, ``post``, ``text``) or, for
        the states there is one of, its :class:`StateName`; a ``KeyError`` lists the states
        there are."""
        for state in self.states:
            if state.name is name or state.id == name:
                return state
        wanted = name.value if isinstance(name, StateName) else name
        have = ", ".join(state.id for state in self.states)
        raise KeyError(f"witness {self.siglum} has no {wanted!r} state (it has: {have})")

    def line_index(self) -> LineIndex:
        """Offsets of :attr:`source` to the file's 1-based lines and columns."""
        return self.lines if self.lines is not None else LineIndex.of(self.source)

    def spans(self) -> Iterable[tuple[Span, Sequence[Span]]]:
        """Every span with its ancestors, in document order."""
        return walk(self.nodes)

    def position_at(self, offset: int) -> dict[str, str]:
        """The recorded positions at source *offset*: the last milestone of each unit at or
        before it (``{"page": "2", "line": "7"}``); a line or column count restarts on a new
        page (one recorded before the page break is no position after it). Empty when the
        source records none. O(log n) a call (the index is built with the witness)."""
        return self._positions.at(offset)


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

    def _drop_last_character(self) -> None:
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

    def _trim_trailing_space(self) -> None:
        while self.parts and self.parts[-1] and self.parts[-1][-1] in _HSPACE:
            self._drop_last_character()

    def removed(self, span: Span | None) -> None:
        self.after_removal = True
        if span is not None:
            self.markers.append((self.length, span))

    def build(self, name: StateName) -> State:
        if self.after_removal:
            # what was removed ended the text: so does the whitespace before it, of any kind
            # (a vertical tab or U+2028 too, which neither trim takes: the loop once stood
            # still on one)
            while self.parts and self.parts[-1] and self.parts[-1][-1].isspace():
                self._drop_last_character()
        text = "".join(self.parts)
        pieces = tuple(
            Piece(int(start), int(src), int(length),  # type: ignore[arg-type]
                  rev.kind if isinstance(rev, Span) else None,
                  rev if isinstance(rev, Span) else None)
            for start, src, length, rev in self.pieces
        )
        markers = tuple(Marker(min(offset, len(text)), span) for offset, span in self.markers)
        return State(name, text, pieces, markers)


#: A layer after every other: the last state.
_LAST = 1 << 30


def _excluded(span: Span, layer: int, ranks: dict[int, int] | None) -> bool:
    """Whether *span*'s content is out of the state of *layer* (see the module docstring)."""
    kind = span.kind
    if kind.is_editorial:
        return True
    if not kind.is_revision:
        return False
    made = span.layer or 1
    if ranks is not None:
        made = ranks[made]
    return layer < made if kind is SpanKind.ADD else layer >= made


def build_state(
    nodes: Sequence[Node],
    name: StateName,
    *,
    layer: int | None = None,
    ranks: dict[int, int] | None = None,
    hands: tuple[str, ...] = (),
) -> State:
    """The running text of the state *name* (of *layer*: 0 for ``ante``, the last for
    ``post``) from a span tree, by the rules of the module docstring. *ranks* maps the spans'
    layers to state layers (1..K) when they are not already so."""
    if layer is None:
        layer = 0 if name is StateName.ANTE else _LAST
    builder = _StateBuilder()
    # Items: a node with the innermost revision kind around it; iterative for deep nesting.
    stack: list[tuple[Node, Span | None]] = [(node, None) for node in reversed(nodes)]
    while stack:
        node, revision = stack.pop()
        if isinstance(node, Text):
            builder.add(node.text, node.start, revision)
            continue
        if _excluded(node, layer, ranks):
            builder.removed(node if node.kind.is_editorial else None)
            continue
        inner = node if node.kind.is_revision else revision
        stack.extend((child, inner) for child in reversed(node.children))
    state = builder.build(name)
    return attrs.evolve(state, layer=0 if layer == _LAST and name is StateName.TEXT else
                        layer, hands=hands)


def states_for(nodes: Sequence[Node]) -> tuple[State, ...]:
    """``(text,)`` without hand revisions; else ``(ante, c1, ..., post)``: one state per
    distinct revision layer of the tree (ranked 1..K in layer order), ante before them."""
    revisions = [span for span, _ in walk(tuple(nodes)) if span.kind.is_revision]
    if not revisions:
        return (build_state(nodes, StateName.TEXT),)
    layers = sorted({span.layer or 1 for span in revisions})
    ranks = {made: rank for rank, made in enumerate(layers, 1)}
    hands: dict[int, dict[str, None]] = {}
    for span in revisions:
        if span.hand is not None:
            hands.setdefault(ranks[span.layer or 1], {})[span.hand] = None
    last = len(layers)
    states = [build_state(nodes, StateName.ANTE, layer=0, ranks=ranks)]
    for k in range(1, last + 1):
        name = StateName.POST if k == last else StateName.LAYER
        states.append(build_state(nodes, name, layer=k, ranks=ranks,
                                  hands=tuple(hands.get(k, {}))))
    return tuple(states)


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
    budget: MatchBudget | None = None,
) -> Witness:
    """Parse one document of *source* into a witness (*budget*: the time rule patterns may
    still take on this file, shared by its documents)."""
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
        budget=budget,
    )
    nodes = _set_aside_quoted(source, document, markup.nodes, line_index)
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
        nodes=nodes,
        states=states_for(nodes),
        diagnostics=markup.diagnostics,
        lines=source.lines,
    )


def _set_aside_quoted(
    source: Source, document: Document, nodes: tuple[Node, ...], index: LineIndex | None
) -> tuple[Node, ...]:
    """*nodes* with what the body holds but is not its text set aside as notes (their marks
    stay read inside them): the documents quoted in it (seed 004's telegrams, documents of
    their own; label ``quoted-document``) and the body's furniture lines (addresses,
    routing, labels: the regions ``collatio.sources.furniture`` finds; label ``furniture``,
    rule ``furniture:<rule>``)."""
    lo, hi = document.body_start, document.body_end
    inner = [d for d in source.documents if d.index != document.index
             and lo <= d.start and d.end <= hi and d.start < d.end]
    aside: list[tuple[int, int, str, str]] = [
        (d.start, d.end, "quoted-document", f"quoted-document:{d.siglum}") for d in inner]
    aside.extend(
        (r.start, r.end, "furniture", f"furniture:{r.rule}")
        for r in source.regions
        if r.document == document.index and lo <= r.start and r.end <= hi
        and r.kind not in (RegionKind.BODY, RegionKind.BLANK)
        and not any(d.start <= r.start and r.end <= d.end for d in inner)
    )
    if not aside:
        return nodes
    index = index or source.line_index()
    out: list[Node] = list(nodes)
    for start, end, label, rule in aside:
        line, column = index.position(start)

        def note(group: list[Node], label: str = label, rule: str = rule, line: int = line,
                 column: int = column) -> Span:
            first, last = group[0].start, group[-1].end
            return Span(SpanKind.NOTE, Delimiter(first, first, ""), Delimiter(last, last, ""),
                        tuple(group), line, column, rule, label)

        out = wrap_range(out, start, end, note)
    return tuple(out)


def witnesses_from_source(
    source: Source, *, convention: str | Convention | None = None
) -> tuple[Witness, ...]:
    """Every document of *source* as a witness, in file order (rule patterns sharing one
    time budget for the file)."""
    index = source.line_index()
    budget = MatchBudget.for_text(len(source.text))
    return tuple(
        witness_from_document(source, document, convention=convention, line_index=index,
                              budget=budget)
        for document in source.documents
    )


@attrs.frozen(slots=True)
class ParseResult:
    """What parsing a set of sources gives: the sources, their witnesses, all diagnostics."""

    sources: tuple[Source, ...]
    witnesses: tuple[Witness, ...]
    diagnostics: tuple[Diagnostic, ...]

    def __repr__(self) -> str:
        from collatio._display import count, listed

        sigla = listed([w.siglum for w in self.witnesses])
        return (f"<ParseResult: {count(len(self.sources), 'source')}, "
                f"{count(len(self.witnesses), 'witness', 'witnesses')} ({sigla}), "
                f"{count(len(self.diagnostics), 'diagnostic')}>")

    def _repr_html_(self) -> str:
        """The witnesses and diagnostics, for Jupyter."""
        from html import escape

        from collatio._display import count, fragment, sigla, table

        rows = ([sigla([w.siglum]), escape(w.label), escape(w.metadata.date or ""),
                 escape(w.convention), escape("+".join(s.id for s in w.states)),
                 escape(w.path)] for w in self.witnesses)
        parts = [table(("siglum", "label", "date", "convention", "states", "source"), rows)]
        if self.diagnostics:
            parts.append(table(("diagnostic",), ([escape(str(d))] for d in self.diagnostics),
                               len(self.diagnostics)))
        return fragment(f"{count(len(self.witnesses), 'witness', 'witnesses')} from "
                        f"{count(len(self.sources), 'source')}", *parts)

    def witness(self, siglum: str) -> Witness:
        """The witness called *siglum* (a ``KeyError`` lists the sigla)."""
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
    return merge_results(
        (result_of_source(source, convention=convention) for source in sources), strict=strict
    )


def result_of_source(
    source: Source, *, convention: str | Convention | None = None
) -> ParseResult:
    """One source's witnesses, with the source's diagnostics then each witness's."""
    witnesses = witnesses_from_source(source, convention=convention)
    diagnostics = [*source.diagnostics]
    for witness in witnesses:
        diagnostics.extend(witness.diagnostics)
    return ParseResult((source,), witnesses, tuple(diagnostics))


def merge_results(results: Iterable[ParseResult], *, strict: bool = False) -> ParseResult:
    """Several files' results as one, in order; a siglum already taken is renamed (``D`` ->
    ``D2``) with a ``duplicate-siglum`` warning. With *strict*, the first warning raises."""
    sources: list[Source] = []
    witnesses: list[Witness] = []
    diagnostics: list[Diagnostic] = []
    seen: set[str] = set()
    for result in results:
        sources.extend(result.sources)
        diagnostics.extend(result.diagnostics)
        for witness in result.witnesses:
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
                        f"{renamed!r}. Set sigla with --siglum or in a manifest to choose "
                        "them.",
                        witness.path,
                    )
                )
                witness = attrs.evolve(witness, siglum=renamed)
            seen.add(witness.siglum)
            witnesses.append(witness)
    raise_if_strict(diagnostics, strict)
    return ParseResult(tuple(sources), tuple(witnesses), tuple(diagnostics))
