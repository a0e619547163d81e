"""Tokens: a state's text cut into words, numbers and punctuation, losslessly.

A :class:`TokenList` stores one witness state's tokens column by column (surface forms,
following whitespace, normal forms, kinds, offsets, paragraphs), so that a million-word text
costs a few flat tuples rather than a million objects; ``token_list.tokens[i]`` gives a
:class:`Token` value on demand. Invariant (tested):
``prefix + "".join(t.text + t.ws for t in tokens) == state.text``.

Whitespace is never a variant: line wraps and paragraph breaks (the final's break before
``- only the Chinese comrades``) live in ``ws`` and are not compared.

>>> from collatio.witness import State, StateName, Piece
>>> state = State(StateName.TEXT, "War, not peace.", (Piece(0, 0, 15),))
>>> [t.text for t in tokenize(state, "F").tokens]
['War', ',', 'not', 'peace', '.']
"""

from __future__ import annotations

import bisect
import enum
import functools
import itertools
import operator
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import TypeVar, overload

import attrs
import regex

from collatio.markup.tree import Span, SpanKind
from collatio.normalize import Normalization
from collatio.witness import Marker, State

_WORD = r"[\p{L}\p{M}][\p{L}\p{M}\p{N}]*(?:['’\-‐][\p{L}\p{M}\p{N}]+)*"
_NUMBER = r"\p{N}+(?:[.,:/\-]\p{N}+)*[\p{L}\p{M}]*"
_OTHER = r"[^\s\x1c-\x1f]"
#: Words (letters with inner hyphens and apostrophes: ``Kai-shek``, ``d'arme``), numbers
#: (``38th``, ``1950``, ``27.8.1951``, ``3:00``), then any other single non-space character.
#: ``split`` gives the whitespace before the first token, then each token and the whitespace
#: after it (faster than ``findall`` with groups).
_SPLIT = regex.compile(rf"({_WORD}|{_NUMBER}|{_OTHER})")
#: The same pattern for a text all in ASCII, where ``\p{L}`` is ``A-Za-z``, ``\p{N}`` is
#: ``0-9``, no character is a mark and ``\s`` is ``[ \t\n\v\f\r]``: the same cuts
#: (tested on every ASCII character and on the corpora), by the stdlib's engine, which splits
#: twice as fast (1M words: 0.55 s against 1.15 s). Its quantifiers are possessive: nothing
#: follows a token's alternative, so a match never backtracks into them, and the engine,
#: told so, keeps no state to (an eighth faster).
_SPLIT_ASCII = re.compile(
    r"([A-Za-z][A-Za-z0-9]*+(?:['\-][A-Za-z0-9]++)*+|[0-9]++(?:[.,:/\-][0-9]++)*+[A-Za-z]*+"
    r"|[^ \t\n\v\f\r\x1c-\x1f])"
)


@functools.cache
def _kinds() -> regex.Pattern[str]:
    """The token pattern with a group per kind (compiled when a non-ASCII token needs it)."""
    return regex.compile(rf"(?P<word>{_WORD})|(?P<number>{_NUMBER})|(?P<other>{_OTHER})")
_T = TypeVar("_T")
_BLANK_LINE = regex.compile(r"\n[^\S\n]*\n|\r\n?[^\S\r\n]*\r")


class TokenKind(enum.Enum):
    """What a token is: word, number, a single other character, or an editorial gap."""

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


@attrs.frozen(slots=True, eq=False)
class TokenList:
    """All tokens of one witness state, in order, stored column by column.

    ``revision_spans`` and ``gap_spans`` are sparse: token index -> span.
    """

    siglum: str
    text: str = attrs.field(repr=False)
    prefix: str
    surfaces: tuple[str, ...] = attrs.field(repr=False)
    spaces: tuple[str, ...] = attrs.field(repr=False)
    norms: tuple[str, ...] = attrs.field(repr=False)
    kinds: tuple[TokenKind, ...] = attrs.field(repr=False)
    starts: tuple[int, ...] = attrs.field(repr=False)
    source_starts: tuple[int, ...] = attrs.field(repr=False)
    #: each token's paragraph (0-based; never decreasing along the text)
    paragraphs: tuple[int, ...] = attrs.field(repr=False)
    revision_spans: Mapping[int, Span] = attrs.field(factory=dict, repr=False)
    gap_spans: Mapping[int, Span] = attrs.field(factory=dict, repr=False)
    #: Properties the source gave a token besides its text and normal form (CollateX
    #: token keys such as ``"page": "1r"``), by token index; sparse.
    properties: Mapping[int, tuple[tuple[str, str], ...]] = attrs.field(
        factory=dict, repr=False
    )
    _word_flags: bytes | None = attrs.field(default=None, init=False, repr=False)

    def __len__(self) -> int:
        return len(self.surfaces)

    def word_flags(self) -> bytes:
        """1 for each token that is a word or a number, 0 for a mark or a gap (made once:
        several stages count or list the words of a million tokens)."""
        flags = self._word_flags
        if flags is None:
            kinds = self.kinds
            found = bytearray(map(operator.is_not, kinds, itertools.repeat(TokenKind.PUNCT)))
            if TokenKind.GAP in kinds:
                for i in itertools.compress(itertools.count(), map(
                        operator.is_, kinds, itertools.repeat(TokenKind.GAP))):
                    found[i] = 0
            flags = bytes(found)
            object.__setattr__(self, "_word_flags", flags)
        return flags

    @property
    def tokens(self) -> TokenView:
        """The tokens as a sequence of :class:`Token` values (made on access)."""
        return TokenView(self)

    def token(self, i: int) -> Token:
        span = self.revision_spans.get(i)
        return Token(
            self.surfaces[i], self.spaces[i], self.norms[i], self.kinds[i], i, self.starts[i],
            self.source_starts[i], self.paragraphs[i],
            span.kind if span is not None else None, span, self.gap_spans.get(i),
        )

    def rebuild(self) -> str:
        """The state text from the tokens alone."""
        return self.prefix + "".join(
            s + w for s, w, k in zip(self.surfaces, self.spaces, self.kinds, strict=True)
            if k is not TokenKind.GAP
        )

    @classmethod
    def from_tokens(cls, siglum: str, text: str, prefix: str, tokens: Sequence[Token]) -> TokenList:
        """A token list from token values (e.g. tokens given by another tool)."""
        return cls(
            siglum, text, prefix,
            tuple(t.text for t in tokens), tuple(t.ws for t in tokens),
            tuple(t.norm for t in tokens), tuple(t.kind for t in tokens),
            tuple(t.start for t in tokens), tuple(t.source_start for t in tokens),
            tuple(t.paragraph for t in tokens),
            {i: t.revision_span for i, t in enumerate(tokens) if t.revision_span is not None},
            {i: t.gap for i, t in enumerate(tokens) if t.gap is not None},
        )


class TokenView(Sequence[Token]):
    """A read-only sequence of :class:`Token` over a :class:`TokenList`."""

    __slots__ = ("_list",)

    def __init__(self, token_list: TokenList) -> None:
        self._list = token_list

    def __len__(self) -> int:
        return len(self._list.surfaces)

    @overload
    def __getitem__(self, i: int) -> Token: ...
    @overload
    def __getitem__(self, i: slice) -> list[Token]: ...
    def __getitem__(self, i: int | slice) -> Token | list[Token]:
        if isinstance(i, slice):
            return [self._list.token(k) for k in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        return self._list.token(i)

    def __iter__(self) -> Iterator[Token]:
        return (self._list.token(i) for i in range(len(self)))


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
    normalizer = normalization if normalization is not None else Normalization()
    text = state.text
    if state.cuts is not None:
        return _given(state, siglum, normalizer)
    parts = (_SPLIT_ASCII if text.isascii() else _SPLIT).split(text)
    prefix = parts[0]
    surfaces = parts[1::2]
    spaces = parts[2::2]
    del parts
    starts = list(itertools.accumulate(
        map(operator.add, map(len, surfaces), map(len, spaces)), initial=len(prefix)
    ))
    starts.pop()  # where the text ends
    # a text has far fewer distinct forms than tokens: keep one string of each (a million
    # words hold ~50 MB fewer), classify and normalize each once
    distinct: dict[str, str] = {}
    surfaces = list(map(distinct.setdefault, surfaces, surfaces))  # each form's first string
    forms = {surface: normalizer(surface) for surface in distinct}
    # often each form is its normal form: then the normal forms are the surfaces (None)
    norms = None if all(map(operator.eq, forms, forms.values())) else list(
        map(forms.__getitem__, surfaces))
    kind_of = {surface: _kind(surface) for surface in distinct}
    kinds = list(map(kind_of.__getitem__, surfaces))
    # source offsets and hand revisions come from the state's pieces; None: the source
    # offsets are the state's, and no token is revised
    pieces = state.pieces
    source_starts: list[int] | None = None
    revisions: list[Span | None] | None = None
    if len(pieces) == 1:
        shift = pieces[0].source_start - pieces[0].start
        if shift:
            source_starts = [s + shift for s in starts]
        if pieces[0].revision_span is not None:
            revisions = [pieces[0].revision_span] * len(starts)
    elif pieces:
        piece_starts = [p.start for p in pieces]
        which = [bisect.bisect_right(piece_starts, s) - 1 for s in starts]
        source_starts = [pieces[p].source_start + s - pieces[p].start
                         for p, s in zip(which, starts, strict=True)]
        revisions = [pieces[p].revision_span for p in which]
    paragraphs = _paragraphs(text, starts)
    markers = sorted(
        (m for m in state.markers if m.span.kind is SpanKind.GAP), key=lambda m: m.offset
    ) if gaps else []
    gap_spans: dict[int, Span] = {}
    carry = "" in forms.values()
    if carry or markers:
        # the edits keep every column parallel: each is a list of its own
        norms = list(surfaces) if norms is None else norms
        source_starts = list(starts) if source_starts is None else source_starts
        revisions = [None] * len(starts) if revisions is None else revisions
        if carry:
            _carry_uncompared(surfaces, spaces, norms, kinds, starts, source_starts,
                              paragraphs, revisions)
        # gaps inserted from the last, so that earlier insertion points stay valid
        for marker in reversed(markers):
            at = bisect.bisect_left(starts, marker.offset)
            paragraph = paragraphs[at - 1] if at else 0
            surfaces.insert(at, "")
            spaces.insert(at, "")
            norms.insert(at, f"\x00gap:{marker.span.start}")
            kinds.insert(at, TokenKind.GAP)
            starts.insert(at, marker.offset)
            source_starts.insert(at, marker.span.start)
            paragraphs.insert(at, paragraph)
            revisions.insert(at, None)
        if markers:
            gap_spans = {i: m.span for i, m in _gap_positions(kinds, markers)}
    revised = (
        {i: span for i, span in enumerate(revisions) if span is not None}
        if revisions is not None and any(piece.revision_span is not None for piece in pieces)
        else {}
    )
    # a column equal to another is that column (often so: 9 MB fewer each, a million words)
    surfaces_t, starts_t = tuple(surfaces), tuple(starts)
    return TokenList(
        siglum, text, prefix, surfaces_t, tuple(spaces),
        surfaces_t if norms is None or norms == surfaces else tuple(norms), tuple(kinds),
        starts_t, starts_t if source_starts is None or source_starts == starts
        else tuple(source_starts),
        tuple(paragraphs), revised, gap_spans,
    )


def _given(state: State, siglum: str, normalizer: Normalization) -> TokenList:
    """The tokens the source cut itself (:attr:`State.cuts`), each compared by its own
    normal form when it has one; a state with cuts holds one piece, so source offsets are
    state offsets shifted."""
    text, cuts = state.text, state.cuts or ()
    shift = state.pieces[0].source_start - state.pieces[0].start if state.pieces else 0
    ends = [cut.start for cut in cuts[1:]] + [len(text)]
    surfaces = [text[cut.start : cut.end] for cut in cuts]
    starts = [cut.start for cut in cuts]
    return TokenList(
        siglum, text, text[: cuts[0].start] if cuts else text,
        tuple(surfaces),
        tuple(text[cut.end : end] for cut, end in zip(cuts, ends, strict=True)),
        tuple(cut.norm if cut.norm is not None else normalizer(surface)
              for cut, surface in zip(cuts, surfaces, strict=True)),
        tuple(_kind(surface) if surface else TokenKind.PUNCT for surface in surfaces),
        tuple(starts), tuple(start + shift for start in starts),
        tuple(_paragraphs(text, starts)), {}, {},
        {i: cut.properties for i, cut in enumerate(cuts) if cut.properties},
    )


def _kind(surface: str) -> TokenKind:
    """What a token is, from its form (the token pattern's alternative that matched it)."""
    if surface.isascii():  # letters and digits are the same in every Unicode version
        first = surface[0]
        return (TokenKind.WORD if first.isalpha() else
                TokenKind.NUMBER if first.isdigit() else TokenKind.PUNCT)
    match = _kinds().fullmatch(surface)
    assert match is not None
    if match.group("word"):
        return TokenKind.WORD
    return TokenKind.NUMBER if match.group("number") else TokenKind.PUNCT


def _paragraphs(text: str, starts: Sequence[int]) -> list[int]:
    """Each token's paragraph (0-based): blank lines in the whitespace before it, counted.

    A blank line only ever stands in whitespace, so in the whitespace after some token (or
    in the prefix before the first, which starts paragraph 0).
    """
    count = len(starts)
    firsts = [0]  # each paragraph's first token
    for match in _BLANK_LINE.finditer(text):
        after = bisect.bisect_right(starts, match.start())  # the token after the break
        if firsts[-1] < after < count:
            firsts.append(after)
    firsts.append(count)
    paragraphs: list[int] = []
    for number, (first, end) in enumerate(itertools.pairwise(firsts)):
        paragraphs.extend([number] * (end - first))  # one int object per paragraph
    return paragraphs


def _gap_positions(
    kinds: list[TokenKind], markers: list[Marker]
) -> Iterator[tuple[int, Marker]]:
    indexes = (i for i, kind in enumerate(kinds) if kind is TokenKind.GAP)
    return zip(indexes, markers, strict=True)


def _carry_uncompared(
    surfaces: list[str], spaces: list[str], norms: list[str], kinds: list[TokenKind],
    starts: list[int], source_starts: list[int], paragraphs: list[int],
    revisions: list[Span | None],
) -> None:
    """A token whose normal form is empty is not compared: it travels with the token before
    it (``war`` + ``,`` -> ``war,``). The first token keeps its place."""
    if not surfaces:
        return
    keep = [0]
    for i in range(1, len(surfaces)):
        if norms[i]:
            keep.append(i)
            continue
        last = keep[-1]
        surfaces[last] = surfaces[last] + spaces[last] + surfaces[i]
        spaces[last] = spaces[i]
    if len(keep) == len(surfaces):
        return
    _keep(surfaces, keep)
    _keep(spaces, keep)
    _keep(norms, keep)
    _keep(kinds, keep)
    _keep(starts, keep)
    _keep(source_starts, keep)
    _keep(paragraphs, keep)
    _keep(revisions, keep)


def _keep(column: list[_T], keep: list[int]) -> None:
    column[:] = [column[i] for i in keep]
