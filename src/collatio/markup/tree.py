"""The span tree: what parsing a transcription produces.

A parse is a sequence of nodes that tiles the parsed text exactly, in order:

* :class:`Text`, a run of characters that is not markup;
* :class:`Span`, a marked region: its opening delimiter, its children (again nodes that tile
  the region between the delimiters) and its closing delimiter.

Every offset is a half-open character offset into the *source file* (not the parsed
excerpt), so a node maps back to the exact characters it came from:
``source[node.start:node.end]`` is the node's full text, delimiters included. Concatenating
the leaves in document order (see :func:`leaves`) rebuilds the source exactly.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator, Sequence
from typing import overload

import attrs

from collatio.errors import ConventionError


class SpanKind(enum.Enum):
    """What a marked region is, in TEI's words.

    ``ADD`` and ``DEL`` are revisions of the document's own hand(s); ``SUPPLIED``,
    ``NOTE``, ``GAP``, ``UNCLEAR`` and ``SIC`` are the editor's matter; ``HI`` is
    typographic emphasis with no textual meaning. ``ELEMENT`` is markup of a structured
    format with no textual meaning of its own, kept in every state like ``HI``: a TEI
    ``<p>`` or ``<lb/>``, a Markdown link's brackets and address, a heading's ``#``; its
    ``label`` names it (``p``, ``lb``, ``link``). Matter a reader sets aside whole (another
    witness's reading, a ``teiHeader`` inside the text, an XML comment) is an ``ELEMENT``
    span whose opening delimiter holds it all, with no children.
    """

    ADD = "add"
    DEL = "del"
    SUPPLIED = "supplied"
    NOTE = "note"
    GAP = "gap"
    UNCLEAR = "unclear"
    SIC = "sic"
    HI = "hi"
    ELEMENT = "element"

    @classmethod
    def parse(cls, name: str, *, where: str = "") -> SpanKind:
        """The kind called *name*, or a :class:`ConventionError` listing the valid names."""
        try:
            return cls(name)
        except ValueError:
            valid = ", ".join(kind.value for kind in cls)
            raise ConventionError(
                f"unknown span kind {name!r}{where}; valid kinds: {valid}"
            ) from None

    @property
    def is_revision(self) -> bool:
        """True for the document's own hand revisions (``add``, ``del``)."""
        return self in (SpanKind.ADD, SpanKind.DEL)

    @property
    def is_editorial(self) -> bool:
        """True for matter that belongs to the editor, not to the document."""
        return self in (SpanKind.SUPPLIED, SpanKind.NOTE, SpanKind.GAP)


@attrs.frozen(slots=True)
class Text:
    """Unmarked characters ``source[start:end]``."""

    start: int
    end: int
    text: str

    def __attrs_post_init__(self) -> None:
        if not 0 <= self.start <= self.end or len(self.text) != self.end - self.start:
            raise ValueError(f"Text offsets {self.start}..{self.end} do not fit {self.text!r}")

    def __repr__(self) -> str:
        from collatio._display import clip

        return f"<Text {self.start}-{self.end} {clip(self.text)}>"


@attrs.frozen(slots=True)
class Delimiter:
    """One mark character run (``[``, ``*``) at ``source[start:end]``."""

    start: int
    end: int
    text: str


@attrs.frozen(slots=True)
class Span:
    """A marked region of the source.

    ``start``/``end`` cover the delimiters; ``content_start``/``content_end`` the text between
    them. ``close`` is ``None`` only for a span whose end was forced by an override or by the
    end of the text (a diagnostic says so). ``line`` and ``column`` locate the opening
    delimiter (1-based). ``rule`` names the convention rule (or override) that decided the
    kind; ``label`` refines it (``gloss``, ``translator``, ``identification``...).

    For a hand revision (``ADD``/``DEL``), ``hand`` names the hand that made it when the
    source says so (TEI ``@hand``, a Word change's author), and ``layer`` (>= 1) is when it
    was made: the revision takes effect in the state of that layer and every later one (see
    :mod:`collatio.witness`); None is layer 1, the one layer of a text with ante and post.
    """

    kind: SpanKind
    open: Delimiter
    close: Delimiter | None
    children: tuple[Node, ...]
    line: int
    column: int
    rule: str
    label: str | None = None
    hand: str | None = None
    layer: int | None = None

    @property
    def start(self) -> int:
        return self.open.start

    @property
    def end(self) -> int:
        return self.close.end if self.close is not None else self.content_end

    @property
    def content_start(self) -> int:
        return self.open.end

    @property
    def content_end(self) -> int:
        if self.close is not None:
            return self.close.start
        return self.children[-1].end if self.children else self.open.end

    @property
    def text(self) -> str:
        """The marked text: the content with nested delimiters but without its own."""
        return "".join(leaf.text for leaf in leaves(self.children))

    def __repr__(self) -> str:
        from collatio._display import clip

        label = f"/{self.label}" if self.label else ""
        return (f"<Span {self.kind.value}{label} at {self.line}:{self.column} "
                f"{clip(self.text)} rule={self.rule}>")


Node = Text | Span


def leaves(nodes: tuple[Node, ...] | list[Node]) -> Iterator[Text | Delimiter]:
    """Text runs and delimiters in document order, without recursion (nesting may be deep).

    Joining their ``text`` rebuilds the source of *nodes* exactly.
    """
    stack: list[Node | Delimiter] = list(reversed(nodes))
    while stack:
        node = stack.pop()
        if isinstance(node, Span):
            if node.close is not None:
                stack.append(node.close)
            stack.extend(reversed(node.children))
            yield node.open
        else:
            yield node


class Ancestors(Sequence["Span"]):
    """The spans around one span, outermost first: a chain of links shared by every span
    beneath the same parent, so that walking a tree nested n deep makes n links, not the
    n²/2 references a tuple per span would copy. A sequence like a tuple: ``len`` in O(1),
    ``[-1]`` (the parent) in O(1), ``[0]`` and iteration in O(depth); equal to the tuple
    of the same spans.

    >>> from collatio.markup import get_convention, parse_markup
    >>> nodes = parse_markup("[a [b [c]]]", get_convention("hand-revision")).nodes
    >>> [(span.text, len(around)) for span, around in walk(nodes)]
    [('a [b [c]]', 0), ('b [c]', 1), ('c', 2)]
    >>> span, around = list(walk(nodes))[-1]
    >>> around[-1].text, around == (around[0], around[1])
    ('b [c]', True)
    """

    __slots__ = ("_depth", "_parent", "_span")
    _depth: int
    _parent: Ancestors | None
    _span: Span | None

    def __init__(self, parent: Ancestors | None = None, span: Span | None = None) -> None:
        self._parent = parent
        self._span = span
        self._depth = 0 if parent is None else parent._depth + 1

    def within(self, span: Span) -> Ancestors:
        """These ancestors and *span* inside them (a new link; this chain is unchanged)."""
        return Ancestors(self, span)

    def __len__(self) -> int:
        return self._depth

    def __iter__(self) -> Iterator[Span]:
        return iter(self._innermost_first()[::-1])

    def __reversed__(self) -> Iterator[Span]:
        return iter(self._innermost_first())

    def _innermost_first(self) -> list[Span]:
        spans: list[Span] = []
        link: Ancestors | None = self
        while link is not None and link._span is not None:
            spans.append(link._span)
            link = link._parent
        return spans

    @overload
    def __getitem__(self, index: int) -> Span: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Span, ...]: ...

    def __getitem__(self, index: int | slice) -> Span | tuple[Span, ...]:
        if isinstance(index, slice):
            return tuple(self)[index]
        position = index + self._depth if index < 0 else index
        if not 0 <= position < self._depth:
            raise IndexError("ancestor index out of range")
        link = self
        for _ in range(self._depth - 1 - position):
            assert link._parent is not None
            link = link._parent
        assert link._span is not None
        return link._span

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Ancestors | tuple | list):
            return len(self) == len(other) and all(
                a is b or a == b for a, b in zip(reversed(self), reversed(other), strict=True)
            )
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"Ancestors({tuple(self)!r})"


def walk(nodes: tuple[Node, ...] | list[Node]) -> Iterator[tuple[Span, Ancestors]]:
    """Every span in document order with its ancestors (outermost first, an
    :class:`Ancestors` chain), iteratively: O(spans) time and memory at any depth."""
    top = Ancestors()
    stack: list[tuple[Node, Ancestors]] = [(node, top) for node in reversed(nodes)]
    while stack:
        node, ancestors = stack.pop()
        if isinstance(node, Span):
            yield node, ancestors
            inner = ancestors.within(node)
            stack.extend((child, inner) for child in reversed(node.children))


def _split(text: Text, at: int) -> tuple[Text, Text]:
    cut = at - text.start
    return (Text(text.start, at, text.text[:cut]), Text(at, text.end, text.text[cut:]))


def wrap_range(
    nodes: Sequence[Node], lo: int, hi: int, make: Callable[[list[Node]], Span]
) -> list[Node]:
    """*nodes* with everything in transcript ``[lo, hi)`` wrapped by *make*, cut at element
    boundaries: each maximal run of siblings inside the range becomes one span; an element
    crossing a bound is entered; a text crossing one is cut."""
    out: list[Node] = []
    group: list[Node] = []

    def flush() -> None:
        if group:
            out.append(make(list(group)))
            group.clear()

    for node in nodes:
        if node.end <= lo or node.start >= hi:
            flush()
            out.append(node)
        elif lo <= node.start and node.end <= hi:
            group.append(node)
        elif isinstance(node, Text):
            before, rest = _split(node, lo) if node.start < lo else (None, node)
            inside, after = _split(rest, hi) if rest.end > hi else (rest, None)
            if before is not None:
                flush()
                out.append(before)
            group.append(inside)
            if after is not None:
                flush()
                out.append(after)
        else:
            flush()
            out.append(attrs.evolve(node, children=tuple(wrap_range(node.children, lo, hi,
                                                                     make))))
    flush()
    return out
