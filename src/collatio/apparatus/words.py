"""Words with their punctuation: what a unit boundary may never cut.

A *group* is one word, number or editorial gap token with the punctuation that belongs to
it: closing and other marks after a word (``war,``, ``4)``, ``Council].``), opening marks
before one (``(and``, ``“Comrade``). A mark opens, and belongs to the next word, when it is
an opening bracket or quote, or when space stands before it and none after; any other mark
belongs to the word before it. A mark never joins a word across a paragraph break, nor an
editorial gap (``[...].``: the full stop is the text's own, after the gap); marks with no
word to join (a line of asterisks, a dash alone in its paragraph) form a group of their own.

Invariant (tested): groups tile their text's tokens, in order, and each holds exactly one
word, number or gap token (its *head*) unless it is marks only. Cost: O(tokens), the loop in
Python over the marks only.
"""

from __future__ import annotations

import bisect
import itertools
import operator
import weakref
from collections.abc import Sequence

import attrs

from collatio._indices import indices
from collatio.tokens import TokenKind, TokenList

#: Marks that open: they belong to the word after them.
OPENING = frozenset("([{«“‘„‚‹¿¡⟨⸢")

_MARK = TokenKind.PUNCT


@attrs.frozen(slots=True, eq=False)
class Groups:
    """The groups of one text: group *g* holds tokens ``starts[g]:starts[g + 1]`` (the last
    up to the end), and ``heads[g]`` is its word, number or gap token (its first token for a
    group of marks only)."""

    starts: tuple[int, ...]
    heads: tuple[int, ...]
    size: int

    def __len__(self) -> int:
        return len(self.starts)

    def end(self, g: int) -> int:
        """The end (exclusive) of group *g*'s tokens."""
        return self.starts[g + 1] if g + 1 < len(self.starts) else self.size

    def tokens(self, g0: int, g1: int) -> tuple[int, int]:
        """The token range of groups ``g0:g1`` (empty at ``g0``'s start when ``g0 == g1``)."""
        if g0 >= len(self.starts):
            return self.size, self.size
        start = self.starts[g0]
        return (start, self.end(g1 - 1)) if g1 > g0 else (start, start)

    def of_token(self, i: int) -> int:
        """The group holding token *i* (O(log groups))."""
        return bisect.bisect_right(self.starts, i) - 1

    def split(self, cuts: Sequence[int]) -> Groups:
        """These groups with a boundary before each token of *cuts* (a piece cut off a
        group becomes a group of marks only, its first token its head)."""
        starts = list(self.starts)
        heads = list(self.heads)
        for i in sorted(set(cuts)):
            g = bisect.bisect_right(starts, i) - 1
            if g < 0 or starts[g] == i:
                continue
            head = heads[g]
            if head >= i:  # the cut takes the marks before the head (opening ones)
                starts.insert(g + 1, i)
                heads[g] = starts[g]
                heads.insert(g + 1, head)
            else:  # the marks after the head
                starts.insert(g + 1, i)
                heads.insert(g + 1, i)
        return Groups(tuple(starts), tuple(heads), self.size)

    def simple(self, g: int) -> bool:
        """True when group *g* is its head alone (no punctuation)."""
        return self.starts[g] == self.heads[g] and self.end(g) == self.heads[g] + 1


def _space_before(tl: TokenList, i: int) -> bool:
    before = tl.spaces[i - 1] if i else tl.prefix
    return bool(before) and before[-1].isspace()


def _opens(tl: TokenList, i: int) -> bool:
    """Whether mark *i* belongs to the word after it."""
    surface = tl.surfaces[i]
    if surface and surface[0] in OPENING:
        return True
    return _space_before(tl, i) and not tl.spaces[i] and i + 1 < len(tl)


#: Each token list's groups, made once (while forked children tokenize the other texts,
#: this process groups its own: see :func:`collatio.apparatus.build.tokenize_states`).
_made: weakref.WeakKeyDictionary[TokenList, Groups] = weakref.WeakKeyDictionary()


def groups_of(tl: TokenList) -> Groups:
    """The groups of *tl* (see the module docstring); made once for each token list."""
    found = _made.get(tl)
    if found is None:
        found = _made[tl] = _groups_of(tl)
    return found


def _groups_of(tl: TokenList) -> Groups:
    kinds = tl.kinds
    size = len(kinds)
    is_mark = list(map(operator.is_, kinds, itertools.repeat(_MARK)))
    index = indices(size)
    if True not in is_mark:
        every = tuple(index[:size])
        return Groups(every, every, size)
    heads = list(itertools.compress(index, map(operator.not_, is_mark)))
    paragraphs, gaps, surfaces, spaces = tl.paragraphs, tl.gap_spans, tl.surfaces, tl.spaces
    first_start: dict[int, int] = {}  # head -> its group's first token, when marks open it
    alone: list[int] = []  # the first token of each group of marks only
    marks = list(itertools.compress(index, is_mark))
    k = 0
    count = len(marks)
    while k < count:
        a = marks[k]
        b = a + 1
        k += 1
        while k < count and marks[k] == b:
            b += 1
            k += 1
        # the run of marks a:b, between the heads a - 1 and b (if any)
        before = a - 1
        if before >= 0 and b - a == 1 and before not in gaps:
            # the common case, a single closing mark right after a word: it joins the word
            surface = surfaces[a]
            if (paragraphs[a] == paragraphs[before] and not spaces[before]
                    and surface[0] not in OPENING):
                continue
        cut = a
        if before >= 0 and before not in gaps:
            while cut < b and paragraphs[cut] == paragraphs[before] and not _opens(tl, cut):
                cut += 1
        # marks after the cut join the next word if they can, from the first that can
        joined = b
        if b < size and b not in gaps:
            while joined > cut and paragraphs[joined - 1] == paragraphs[b]:
                joined -= 1
        if joined < b:
            first_start[b] = joined
        # between the cut and the marks that join the next word: marks only, one group per
        # paragraph
        position = cut
        while position < joined:
            alone.append(position)
            end = position + 1
            while end < joined and paragraphs[end] == paragraphs[position]:
                end += 1
            position = end
    if not first_start and not alone:
        return Groups(tuple(heads), tuple(heads), size) if heads[0] == 0 else Groups(
            (0, *heads[1:]), tuple(heads), size)
    starts: list[int] = []
    group_heads: list[int] = []
    pending = alone  # in increasing order, as found
    j = 0
    for head in heads:
        start = first_start.get(head, head)
        while j < len(pending) and pending[j] < start:
            starts.append(pending[j])
            group_heads.append(pending[j])
            j += 1
        starts.append(start)
        group_heads.append(head)
    for start in pending[j:]:
        starts.append(start)
        group_heads.append(start)
    return Groups(tuple(starts), tuple(group_heads), size)


def words_in(groups: Groups, start: int, end: int) -> Sequence[int]:
    """The groups whose heads stand in tokens ``start:end``."""
    lo = bisect.bisect_left(groups.heads, start)
    hi = bisect.bisect_left(groups.heads, end, lo)
    return range(lo, hi)
