"""A state's text with its document's marks, for any stretch of it.

:class:`StateMarks` answers, for a stretch ``start:end`` of one state's text (a reading, a
piece of the base text): what the document's marks are over it (insertions, deletions,
emphasis, as :class:`~collatio.apparatus.model.Run` values), where editorial matter the state
leaves out stood (notes, gaps), and what the hand wrote there that this state does not read
(words struck inside an insertion, words added inside a passage struck later: the
*genesis*, with offsets). Everything comes from the span tree and the state's map back to the
source, so it holds for any number of states.

Placement: editorial matter goes after the word it follows (so a note at the end of a
reading belongs to it, one at its start to what precedes); the hand's unread words go with a
stretch only when they stand inside it, or at its edge inside the same revision as the
stretch's text there. Cost: O(leaves + pieces) to build, O(log n + output) per stretch.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

import attrs

from collatio.apparatus.model import Genesis, Run
from collatio.markup.tree import Node, Span, Text
from collatio.textpos import LineIndex
from collatio.witness import State

_EDITORIAL = frozenset({"note", "gap", "supplied"})
_REVISION = frozenset({"add", "del"})


@attrs.frozen(slots=True)
class _Leaf:
    """A text leaf of the span tree: its source range, the marks around it (kinds, labels),
    the outermost hand revision around it (its start offset, or -1) and the innermost one
    (its start offset, or -1)."""

    start: int
    end: int
    kinds: tuple[str, ...]
    labels: tuple[str | None, ...]
    revision: int
    innermost: int = -1


@attrs.frozen(slots=True)
class _Read:
    """A stretch ``start:end`` of the state text, all under one mark path."""

    start: int
    end: int
    kinds: tuple[str, ...]
    labels: tuple[str | None, ...]
    revision: int


@attrs.frozen(slots=True)
class _Removed:
    """Matter the state leaves out, as it stood before state offset ``at``."""

    at: int
    source_start: int
    source_end: int
    text: str
    kinds: tuple[str, ...]
    labels: tuple[str | None, ...]
    revision: int
    innermost: int = -1

    @property
    def editorial(self) -> bool:
        return bool(_EDITORIAL.intersection(self.kinds))


#: The documents view follows marks this many levels deep; a mark nested deeper shows as
#: part of the one around it at this depth (transcriptions nest three or four deep). It keeps
#: the view, and every format made of it, linear in the input: with a path per run copied per
#: level, 3,000 nested marks (26 KB) made a 144 MB JSON, and XML nested past 256 levels
#: cannot be read back. The apparatus itself (states, the words of readings) follows every
#: level; the marks shown around a reading's words are the outer ones too (a path per leaf
#: copied per level made 10,000 nested marks cost 820 MB).
DOCUMENT_DEPTH = 32


def _leaves(nodes: Sequence[Node]) -> list[_Leaf]:
    """Every text leaf with its mark path, in source order (iterative: nesting is deep)."""
    out: list[_Leaf] = []
    stack: list[tuple[Node, tuple[str, ...], tuple[str | None, ...], int, int]] = [
        (node, (), (), -1, -1) for node in reversed(nodes)
    ]
    while stack:
        node, kinds, labels, revision, innermost = stack.pop()
        if isinstance(node, Text):
            if node.end > node.start:
                out.append(_Leaf(node.start, node.end, kinds, labels, revision, innermost))
            continue
        assert isinstance(node, Span)
        outer, inner_most = revision, innermost
        if node.kind.value in _REVISION:
            inner_most = node.start
            if revision < 0:
                outer = node.start
        inner, inner_labels = kinds, labels
        if len(kinds) < DOCUMENT_DEPTH:
            inner = (*kinds, node.kind.value)
            inner_labels = (*labels, node.label)
        stack.extend((child, inner, inner_labels, outer, inner_most)
                     for child in reversed(node.children))
    return out


class StateMarks:
    """The marks over stretches of one state's text (see the module docstring)."""

    def __init__(self, nodes: Sequence[Node], state: State, source: str,
                 lines: LineIndex) -> None:
        self.text = state.text
        self.lines = lines
        leaves = _leaves(nodes)
        self.marked = any(leaf.kinds for leaf in leaves)
        starts = [leaf.start for leaf in leaves]
        reads: list[_Read] = []
        covered: list[tuple[int, int]] = []  # source ranges the state reads
        for piece in state.pieces:
            source_end = piece.source_start + piece.length
            covered.append((piece.source_start, source_end))
            k = max(bisect.bisect_right(starts, piece.source_start) - 1, 0)
            while k < len(leaves) and leaves[k].start < source_end:
                leaf = leaves[k]
                lo, hi = max(leaf.start, piece.source_start), min(leaf.end, source_end)
                if lo < hi:
                    shift = piece.start - piece.source_start
                    reads.append(_Read(lo + shift, hi + shift, leaf.kinds, leaf.labels,
                                       leaf.revision))
                k += 1
        self.reads = reads
        self.read_starts = [r.start for r in reads]
        # what the state leaves out: leaf parts outside every piece, not whitespace alone
        piece_starts = [p.source_start for p in state.pieces]
        removed: list[_Removed] = []
        cursor = 0
        for leaf in leaves:
            position = leaf.start
            while cursor < len(covered) and covered[cursor][1] <= position:
                cursor += 1
            k = cursor
            while position < leaf.end:
                if k < len(covered) and covered[k][0] <= position < covered[k][1]:
                    position = covered[k][1]
                    k += 1
                    continue
                stop = covered[k][0] if k < len(covered) else leaf.end
                stop = min(stop, leaf.end)
                piece_text = source[position:stop]
                if piece_text.strip():
                    after = bisect.bisect_left(piece_starts, stop)
                    at = (state.pieces[after].start if after < len(state.pieces)
                          else len(state.text))
                    removed.append(_Removed(at, position, stop, piece_text.strip(),
                                            leaf.kinds, leaf.labels, leaf.revision,
                                            leaf.innermost))
                position = stop
        self.removed = removed
        self.removed_at = [r.at for r in removed]

    def stretch(self, start: int, end: int, *, hand: bool = True
                ) -> tuple[tuple[Run, ...], tuple[Genesis, ...]]:
        """The runs of state text ``start:end`` (editorial matter and, with *hand*, the
        hand's unread words in place) and the genesis in it, ``at`` counted in the stretch's
        folded text. Empty runs when the stretch holds no mark at all."""
        if not self.marked or end <= start:
            return (), ()
        reads = self._reads(start, end)
        removed = self._removed(start, end, reads)
        if not hand:
            removed = [item for item in removed if item.editorial]
        if not removed and not any(r.kinds for r in reads):
            return (), ()
        runs: list[Run] = []
        genesis: list[Genesis] = []
        pending = list(removed)
        position = start

        def emit(stop: int, kinds: tuple[str, ...], labels: tuple[str | None, ...]) -> None:
            nonlocal position
            if stop > position:
                _add(runs, Run(self.text[position:stop], kinds, labels))
                position = stop

        for read in reads:
            lo, hi = max(read.start, start), min(read.end, end)
            while pending and pending[0].at <= hi and pending[0].at >= lo:
                item = pending.pop(0)
                at = item.at
                # after the word it follows: before the space that precedes its place
                while at > position and at > lo and self.text[at - 1].isspace():
                    at -= 1
                emit(at, read.kinds, read.labels)
                text = item.text
                if not item.editorial and runs and not runs[-1].text[-1:].isspace():
                    text = " " + text
                runs.append(Run(text, item.kinds, item.labels))
                if not item.editorial:
                    # located as the revision report locates it: where its mark opens
                    where = item.innermost if item.innermost >= 0 else item.source_start
                    line, column = self.lines.position(where)
                    genesis.append(Genesis(item.kinds, item.labels, item.text,
                                           _folded_length(self.text[start:at]), line, column,
                                           item.source_start, item.source_end))
            emit(hi, read.kinds, read.labels)
        for item in pending:  # at the very end
            runs.append(Run(item.text, item.kinds, item.labels))
        return tuple(runs), tuple(genesis)

    def _reads(self, start: int, end: int) -> list[_Read]:
        k = max(bisect.bisect_right(self.read_starts, start) - 1, 0)
        out = []
        while k < len(self.reads) and self.reads[k].start < end:
            if self.reads[k].end > start:
                out.append(self.reads[k])
            k += 1
        return out

    def _removed(self, start: int, end: int, reads: list[_Read]) -> list[_Removed]:
        lo = bisect.bisect_left(self.removed_at, start)
        hi = bisect.bisect_right(self.removed_at, end)
        out = []
        first = reads[0].revision if reads else -1
        last = reads[-1].revision if reads else -1
        for item in self.removed[lo:hi]:
            inside = start < item.at < end
            # at the edges: editorial matter after the word it follows; the hand's words
            # only inside the same revision as the stretch's text there
            at_end = item.at == end and (item.editorial or (
                item.revision >= 0 and item.revision == last))
            # (editorial matter before the text's first word, such as the furniture lines
            # set aside at its head, has no word to follow: it opens the first stretch)
            at_start = item.at == start and (
                (item.editorial and start == 0)
                or (not item.editorial and item.revision >= 0 and item.revision == first))
            if inside or at_end or at_start:
                out.append(item)
        return out


def _add(runs: list[Run], run: Run) -> None:
    """Append *run*, merged with the last one when they carry the same marks."""
    if runs and runs[-1].kinds == run.kinds and runs[-1].labels == run.labels:
        runs[-1] = Run(runs[-1].text + run.text, run.kinds, run.labels)
    else:
        runs.append(run)


def _folded_length(text: str) -> int:
    """The length of *text* with whitespace folded as reading texts are (a trailing space
    kept as one)."""
    folded = " ".join(text.split())
    if folded and text[-1:].isspace():
        return len(folded) + 1
    return len(folded)
