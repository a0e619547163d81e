"""Tokens: a state's text cut into words, numbers and punctuation, losslessly.

Each :class:`Token` keeps its surface ``text``, the whitespace that follows it (``ws``), its
offsets in the state text and in the source file, the paragraph it stands in, and whether the
document's hand added or deleted it. Invariant (tested): for every :class:`TokenList`,
``prefix + "".join(t.text + t.ws for t in tokens) == state.text``.

Whitespace is never a variant: line wraps and paragraph breaks (the final's break before
``- only the Chinese comrades``) live in ``ws`` and are not compared.

>>> from collatio.witness import State, StateName, Piece
>>> state = State(StateName.TEXT, "War, not peace.", (Piece(0, 0, 15),))
>>> [t.text for t in tokenize(state, "F").tokens]
['War', ',', 'not', 'peace', '.']
"""

from __future__ import annotations

import enum

import attrs
import regex

from collatio.markup.tree import Span, SpanKind
from collatio.normalize import Normalization
from collatio.witness import State

#: Words (letters with inner hyphens and apostrophes: ``Kai-shek``, ``d'arme``), numbers
#: (``38th``, ``1950``, ``27.8.1951``, ``3:00``), then any other single non-space character.
_TOKEN = regex.compile(
    r"(?:(?P<word>[\p{L}\p{M}][\p{L}\p{M}\p{N}]*(?:['’\-‐][\p{L}\p{M}\p{N}]+)*)"
    r"|(?P<number>\p{N}+(?:[.,:/\-]\p{N}+)*[\p{L}\p{M}]*)"
    r"|(?P<other>[^\s\x1c-\x1f]))"
    r"(?P<ws>[\s\x1c-\x1f]*)"
)
_BLANK_LINE = regex.compile(r"\n[^\S\n]*\n|\r\n?[^\S\r\n]*\r")


class TokenKind(enum.Enum):
    """What a token is: word, number, or a single other character (punctuation, symbol)."""

    WORD = "word"
    NUMBER = "number"
    PUNCT = "punct"
    GAP = "gap"


@attrs.frozen(slots=True)
class Token:
    """One token of one witness state; ``norm`` is what alignment compares."""

    text: str
    ws: str
    norm: str
    kind: TokenKind
    index: int
    start: int
    source_start: int
    paragraph: int
    revision: SpanKind | None = None
    #: The hand-revision span the token was written in (see :attr:`Piece.revision_span`).
    revision_span: Span | None = attrs.field(default=None, eq=False, repr=False)
    #: For a ``GAP`` token: the editorial span (``[...]``) it stands for.
    gap: Span | None = attrs.field(default=None, eq=False, repr=False)

    @property
    def end(self) -> int:
        """End offset of ``text`` in the state text."""
        return self.start + len(self.text)

    @property
    def source_end(self) -> int:
        return self.source_start + len(self.text)


@attrs.frozen(slots=True)
class TokenList:
    """All tokens of one witness state, in order."""

    siglum: str
    text: str = attrs.field(repr=False)
    prefix: str
    tokens: tuple[Token, ...] = attrs.field(repr=False)

    def __len__(self) -> int:
        return len(self.tokens)

    def rebuild(self) -> str:
        """The state text from the tokens alone."""
        kept = (t.text + t.ws for t in self.tokens if t.kind is not TokenKind.GAP)
        return self.prefix + "".join(kept)


def tokenize(
    state: State,
    siglum: str,
    normalization: Normalization | None = None,
    *,
    gaps: bool = True,
) -> TokenList:
    """Cut *state* into tokens; with *gaps*, each editorial gap (``[...]``) becomes a ``GAP``
    token at its position (empty text, never equal to anything), so alignment can tell where
    a witness is lacunose."""
    norm = normalization if normalization is not None else Normalization()
    text = state.text
    gap_markers = sorted(
        (m for m in state.markers if gaps and m.span.kind is SpanKind.GAP),
        key=lambda m: m.offset,
    )
    tokens: list[Token] = []
    paragraph = 0
    first = _TOKEN.search(text)
    prefix = text[: first.start()] if first else text
    marker_i = 0
    pieces = state.pieces
    piece_i = 0

    def source_and_revision(offset: int) -> tuple[int, Span | None]:
        nonlocal piece_i
        while piece_i + 1 < len(pieces) and pieces[piece_i].end <= offset:
            piece_i += 1
        if not pieces:
            return offset, None
        piece = pieces[piece_i]
        return piece.source_start + offset - piece.start, piece.revision_span

    def add_gap(marker_offset: int, span: Span) -> None:
        # the gap belongs to the paragraph of the word before it
        where = tokens[-1].paragraph if tokens else 0
        tokens.append(
            Token("", "", f"\x00gap:{span.start}", TokenKind.GAP, len(tokens), marker_offset,
                  span.start, where, gap=span)
        )

    for match in _TOKEN.finditer(text):
        start = match.start()
        while marker_i < len(gap_markers) and gap_markers[marker_i].offset <= start:
            add_gap(gap_markers[marker_i].offset, gap_markers[marker_i].span)
            marker_i += 1
        if match.group("word") is not None:
            kind, surface = TokenKind.WORD, match.group("word")
        elif match.group("number") is not None:
            kind, surface = TokenKind.NUMBER, match.group("number")
        else:
            kind, surface = TokenKind.PUNCT, match.group("other")
        ws = match.group("ws")
        form = norm(surface)
        source_start, revision = source_and_revision(start)
        hand = revision.kind if revision is not None else None
        if not form and tokens and tokens[-1].kind is not TokenKind.GAP:
            # not compared: carried by the token before it (``war`` + ``,``)
            last = tokens[-1]
            tokens[-1] = attrs.evolve(last, text=last.text + last.ws + surface, ws=ws)
        else:
            tokens.append(
                Token(surface, ws, form, kind, len(tokens), start, source_start, paragraph,
                      hand, revision)
            )
        if _BLANK_LINE.search(ws):
            paragraph += 1
    while marker_i < len(gap_markers):
        add_gap(gap_markers[marker_i].offset, gap_markers[marker_i].span)
        marker_i += 1
    return TokenList(siglum, text, prefix, tuple(tokens))
