"""Where a reading stands in its witness, and how its document marks it.

:class:`PlaceMaker` turns a token range of one collated text into a
:class:`~collatio.apparatus.model.Place`: paragraph, word and token ranges, source line,
column and offsets, the hand that made it, the document's marks over it, the hand's unread
words inside it (genesis) and the moved blocks it holds. Cost: O(log n + reading length) per
place.
"""

from __future__ import annotations

import array
import bisect
import itertools
from collections.abc import Sequence

from collatio.apparatus.marks import StateMarks
from collatio.apparatus.model import Genesis, Moved, Place, Run
from collatio.textpos import LineIndex
from collatio.tokens import TokenKind, TokenList

_GAP = TokenKind.GAP


def surface(token_list: TokenList, start: int, end: int) -> str:
    """Tokens ``start:end`` as printed: their text with its spacing, whitespace folded, gap
    tokens (which have no text) left out."""
    if start >= end:
        return ""
    surfaces, spaces = token_list.surfaces, token_list.spaces
    if end - start == 1:  # most readings: one token
        return " ".join(surfaces[start].split())
    parts = [surfaces[i] + spaces[i] for i in range(start, end - 1)]
    parts.append(surfaces[end - 1])
    return " ".join("".join(parts).split())


class PlaceMaker:
    """Builds :class:`Place` values for token ranges of each collated text."""

    def __init__(
        self,
        token_lists: Sequence[TokenList],
        indexes: Sequence[LineIndex],
        marks: Sequence[StateMarks | None] = (),
    ) -> None:
        self.token_lists = token_lists
        self.indexes = indexes
        self.marks = list(marks) or [None] * len(token_lists)
        #: per text, the number of words before each token (4 bytes a token)
        self.word_before: list[array.array[int]] = []
        for tl in token_lists:
            self.word_before.append(array.array("i", itertools.accumulate(tl.word_flags(),
                                                                          initial=0)))
        #: per text: moved blocks as (token start, token end, transposition unit id), sorted
        self.moves: list[list[tuple[int, int, str]]] = [[] for _ in token_lists]

    def state_range(self, w: int, start: int, end: int) -> tuple[int, int]:
        """The state-text offsets of tokens ``start:end`` of text *w* (from the first
        token's start to the last one's end)."""
        tl = self.token_lists[w]
        return tl.starts[start], tl.starts[end - 1] + len(tl.surfaces[end - 1])

    def stretch(self, w: int, start: int, end: int) -> tuple[Run, ...]:
        """The document's marks over state-text offsets ``start:end`` of *w* (empty when
        the text has no marks there)."""
        marks = self.marks[w]
        if marks is None or start >= end:
            return ()
        return marks.stretch(start, end, hand=False)[0]

    def make(self, w: int, start: int, end: int, *, marks: bool = True) -> Place:
        """The place of tokens ``start:end`` of text *w* (an insertion point when empty);
        without *marks*, no runs and no genesis (for a reading whose sub-units carry them)."""
        tl = self.token_lists[w]
        index = self.indexes[w]
        kinds = tl.kinds
        first, last = start, end - 1
        while first <= last and kinds[first] is _GAP:
            first += 1
        while last >= first and kinds[last] is _GAP:
            last -= 1
        if first <= last:
            source_starts = tl.source_starts
            source_start = source_starts[first]
            line, column = index.position(source_start)
            hand = self._hand(tl, first, last) if tl.revision_spans else None
            runs: tuple[Run, ...] = ()
            genesis: tuple[Genesis, ...] = ()
            if marks and (state_marks := self.marks[w]) is not None:
                runs, genesis = state_marks.stretch(*self.state_range(w, first, last + 1))
            word_before = self.word_before[w]
            return Place(
                tl.siglum, (start, end), (word_before[start], word_before[end]),
                tl.paragraphs[first] + 1, line, column, source_start,
                source_starts[last] + len(tl.surfaces[last]), hand, runs, genesis,
                self._moved(w, first, last + 1) if self.moves[w] else (),
            )
        # an empty reading: the insertion point, located at the next token (or the last)
        count = len(tl)
        if not count:
            return Place(tl.siglum, (start, end), (0, 0), 1, 1, 1, 0, 0)
        if start < count:
            neighbour, offset = start, tl.source_starts[start]
        else:
            neighbour = start - 1
            offset = tl.source_starts[neighbour] + len(tl.surfaces[neighbour])
        line, column = index.position(offset)
        words = self.word_before[w][start]
        return Place(
            tl.siglum, (start, end), (words, words), tl.paragraphs[neighbour] + 1, line, column,
            offset, offset,
        )

    @staticmethod
    def _hand(tl: TokenList, first: int, last: int) -> str | None:
        """Which hand made tokens ``first..last`` (inclusive) of a revised text: ``add``,
        ``del``, ``mixed`` for part of them, None for text as typed."""
        spans, kinds = tl.revision_spans, tl.kinds
        hands = {spans[i].kind if i in spans else None
                 for i in range(first, last + 1) if kinds[i] is not _GAP}
        if len(hands) > 1:
            return "mixed"
        kind = hands.pop()
        return kind.value if kind is not None else None

    def _moved(self, w: int, start: int, end: int) -> tuple[Moved, ...]:
        """The moved blocks inside tokens ``start:end`` of *w*, as character ranges of the
        reading's text."""
        blocks = self.moves[w]
        if not blocks:
            return ()
        k = bisect.bisect_left(blocks, (start, -1, ""))
        if (k == len(blocks) or blocks[k][0] >= end) and (not k or blocks[k - 1][1] <= start):
            return ()  # most places: no block there (the one before ends before the place)
        tl = self.token_lists[w]
        if k:
            k -= 1
        out: list[Moved] = []
        whole: str | None = None  # the reading's text, made for the first block in it
        for b0, b1, unit in itertools.islice(blocks, k, None):
            if b0 >= end:
                break
            lo, hi = max(b0, start), min(b1, end)
            if lo >= hi:
                continue
            if whole is None:
                whole = surface(tl, start, end)
            block = surface(tl, lo, hi)
            offset = whole.find(block, len(surface(tl, start, lo)))
            out.append(Moved(offset, offset + len(block), unit))
        return tuple(out)
