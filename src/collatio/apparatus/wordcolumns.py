"""Facts about the word columns of one collation table, for the cutter.

A *word column* is a column of the table where some text has the head of a group (a word
with its punctuation, see :mod:`collatio.apparatus.words`). Two texts *agree* in a word
column when both have a group there, aligned (one reading) and with the same punctuation; a
word column is *shared* by a set of texts when every one of them agrees there. Where each
text is lacunose (inside its ``[...]``) is found here too, once, when the table is read.

Cost: building the view is linear in the texts' groups; each fact is O(log groups) per text
(a group's head is found by bisection).
"""

from __future__ import annotations

import bisect
import itertools
from collections import Counter
from collections.abc import Sequence

from collatio.align import Alignment
from collatio.apparatus.words import Groups
from collatio.normalize import minor_form
from collatio.tokens import TokenKind, TokenList

#: A partition of texts: for each text of the scope, its class number (None: alone).
Pattern = tuple[int | None, ...]


def one_class(pattern: Pattern) -> bool:
    """Whether every text is in one class (they differ in case or punctuation only)."""
    return bool(pattern) and pattern[0] is not None and len(set(pattern)) == 1


def refines_pattern(fine: Pattern, coarse: Pattern) -> bool:
    """Whether every class of *fine* lies inside one class of *coarse* (a text alone in
    *fine* always does)."""
    inside: dict[int, int | None] = {}
    for f, c in zip(fine, coarse, strict=True):
        if f is None:
            continue
        if c is None:
            return False
        if inside.setdefault(f, c) != c:
            return False
    return True


class WordColumns:
    """One collation table read as word columns: its texts' groups, forms, agreements,
    paragraphs and gaps (the cutter of :mod:`collatio.apparatus.grouping` builds on it)."""

    def __init__(
        self,
        alignment: Alignment,
        token_lists: Sequence[TokenList],
        groups: Sequence[Groups],
        documents: Sequence[int],
        *,
        join: int,
        segment: int,
        extents: Sequence[tuple[int, int]] = (),
    ) -> None:
        self.alignment = alignment
        self.cells = alignment.cells
        self.readings_of = alignment.readings
        self.token_lists = token_lists
        self.groups = groups
        self.documents = documents
        self.count = len(token_lists)
        self.join = join
        self.segment = segment
        #: column ranges of the table's pieces that hold a gap (see collatio.apparatus.aligned)
        self.extents = sorted(extents)
        self.columns = [alignment.token_columns(t) for t in range(self.count)]
        #: for each text, the table column of each group's head
        self.head_columns = [list(map(self.columns[t].__getitem__, groups[t].heads))
                             for t in range(self.count)]
        self._word_columns: list[int] | None = None
        #: text -> its minor form (readings repeat their words: each form is made once)
        self._minor_forms: dict[str, str] = {}
        self.lacunae = self._lacunae()
        #: the texts with gaps
        self.gapped = [t for t, ranges in enumerate(self.lacunae) if ranges]
        self._cut_at_gaps()
        # documents with several states among the texts
        by_document: dict[int, list[int]] = {}
        for t, d in enumerate(documents):
            by_document.setdefault(d, []).append(t)
        self.sibling_sets = [tuple(ts) for ts in by_document.values() if len(ts) > 1]

    # --- facts about word columns ------------------------------------------------------------

    def word_columns(self) -> list[int]:
        """Every word column (increasing); made once, when first asked for."""
        if self._word_columns is None:
            self._word_columns = sorted(set(itertools.chain.from_iterable(self.head_columns)))
        return self._word_columns

    def group_at(self, t: int, c: int) -> int | None:
        """Text *t*'s group whose head stands in column *c*, if any (O(log groups): the
        heads are increasing)."""
        i = self.cells[t][c]
        if i is None:
            return None
        heads = self.groups[t].heads
        g = bisect.bisect_left(heads, i)
        return g if g < len(heads) and heads[g] == i else None

    def form(self, t: int, g: int) -> tuple[str, ...]:
        """The normalized forms of group *g*'s tokens."""
        groups = self.groups[t]
        return self.token_lists[t].norms[groups.starts[g]:groups.end(g)]

    def minor(self, t: int, g: int) -> str:
        """The group's word as compared for minor differences (its marks do not count:
        a difference in them is minor by definition)."""
        return self.minor_of(self.token_lists[t].surfaces[self.groups[t].heads[g]])

    def minor_of(self, text: str) -> str:
        """:func:`~collatio.normalize.minor_form` of *text*, made once per distinct text."""
        form = self._minor_forms.get(text)
        if form is None:
            form = self._minor_forms[text] = minor_form(text)
        return form

    def agree(self, a: int, b: int, c: int) -> bool:
        """Whether texts *a* and *b* agree in word column *c*."""
        ga, gb = self.group_at(a, c), self.group_at(b, c)
        if ga is None or gb is None:
            return False
        reading = self.readings_of[c]
        return reading[a] == reading[b] and self.form(a, ga) == self.form(b, gb)

    def shared(self, c: int, scope: Sequence[int]) -> bool:
        """Whether every text of *scope* agrees in word column *c*."""
        first = scope[0]
        reading = self.readings_of[c]
        mine = reading[first]
        # the readings first: in a column of the table's differences they seldom agree
        if mine is None or any(reading[t] != mine for t in scope[1:]):
            return False
        g0 = self.group_at(first, c)
        if g0 is None:
            return False
        form = self.form(first, g0)
        for t in scope[1:]:
            g = self.group_at(t, c)
            if g is None or self.form(t, g) != form:
                return False
        return True

    def patterns(self, columns: Sequence[int], scope: Sequence[int]) -> list[Pattern]:
        """For each of word *columns* (increasing), who agrees with whom there, case and
        punctuation aside: a class number per text of *scope*, None for a text alone (or
        without a word there). Found text by text: each text's groups in the columns are
        looked up once (see :meth:`groups_between`)."""
        where = {c: k for k, c in enumerate(columns)}
        keys: list[list[str | None]] = [[None] * len(scope) for _ in columns]
        for s, t in enumerate(scope):
            heads = self.head_columns[t]
            for g in self.groups_between(t, columns[0], columns[-1]):
                k = where.get(heads[g])
                if k is not None:
                    keys[k][s] = self.minor(t, g)
        out: list[Pattern] = []
        for mine in keys:
            # classes numbered in order of first appearance, among keys held twice or more
            counts = Counter(mine)
            numbers = {key: n for n, key in enumerate(
                key for key in dict.fromkeys(mine) if key is not None and counts[key] > 1)}
            out.append(tuple(map(numbers.get, mine)))  # type: ignore[arg-type]
        return out

    def groups_between(self, t: int, first: int, last: int) -> range:
        """Text *t*'s groups whose heads stand in columns *first* ... *last* (inclusive)."""
        heads = self.head_columns[t]
        return range(bisect.bisect_left(heads, first), bisect.bisect_right(heads, last))

    def groups_in(self, t: int, columns: Sequence[int]) -> list[int]:
        """Text *t*'s groups whose heads stand in *columns* (increasing), in order."""
        if not columns:
            return []
        heads = self.head_columns[t]
        if len(columns) == 1:  # most units are one word column: one bisection
            g = bisect.bisect_left(heads, columns[0])
            return [g] if g < len(heads) and heads[g] == columns[0] else []
        wanted = set(columns)
        return [g for g in self.groups_between(t, columns[0], columns[-1]) if heads[g] in wanted]

    def _lacunae(self) -> list[list[tuple[int, int]]]:
        """For each text, the column ranges of its gaps' extents: from after the word before
        the gap to the word after it."""
        out: list[list[tuple[int, int]]] = []
        width = self.alignment.width
        for t, tl in enumerate(self.token_lists):
            ranges: list[tuple[int, int]] = []
            if tl.gap_spans:
                groups = self.groups[t]
                heads = groups.heads
                gap = [tl.kinds[h] is TokenKind.GAP for h in heads]
                for g, is_gap in enumerate(gap):
                    if not is_gap:
                        continue
                    before = g - 1
                    while before >= 0 and gap[before]:
                        before -= 1
                    after = g + 1
                    while after < len(heads) and gap[after]:
                        after += 1
                    lo = self.head_columns[t][before] + 1 if before >= 0 else 0
                    hi = self.head_columns[t][after] if after < len(heads) else width
                    # where the table was cut around the gap, the cut decides the extent
                    # (so no normalization can move it)
                    gap_column = self.head_columns[t][g]
                    k = bisect.bisect_right(self.extents, (gap_column, width + 1)) - 1
                    if k >= 0 and self.extents[k][0] <= gap_column < self.extents[k][1]:
                        lo, hi = self.extents[k]
                    if not ranges or ranges[-1] != (lo, hi):
                        ranges.append((lo, hi))
            out.append(ranges)
        return out

    def _cut_at_gaps(self) -> None:
        """A gap's edge is hard for the other texts' punctuation: the marks a text has
        after its last word before a gap's extent, or before its first word after it, stand
        inside the extent (the gapped text's own marks there are unknown), so they go with
        the lacuna (the final's ``reply [...]`` against the draft's ``response. I
        considered``: the full stop is part of what the final lacks)."""
        extents = [r for ranges in self.lacunae for r in ranges]
        if not extents:
            return
        groups = list(self.groups)
        for t in range(self.count):
            cuts: list[int] = []
            heads = self.head_columns[t]
            columns = self.columns[t]
            mine = groups[t]
            for lo, hi in extents:
                if self.lacunae[t] and (lo, hi) in self.lacunae[t]:
                    continue
                before = bisect.bisect_left(heads, lo) - 1
                if before >= 0:
                    head = mine.heads[before]
                    for i in range(head + 1, mine.end(before)):
                        if columns[i] >= lo:
                            cuts.append(i)
                            break
                after = bisect.bisect_left(heads, hi)
                if after < len(mine):
                    head = mine.heads[after]
                    start = mine.starts[after]
                    if start < head and lo <= columns[start] < hi:
                        cuts.append(head)
            if cuts:
                groups[t] = mine.split(cuts)
        self.groups = groups
        self.head_columns = [list(map(self.columns[t].__getitem__, groups[t].heads))
                             for t in range(self.count)]

    def lacunose(self, c: int) -> tuple[int, ...]:
        """The texts lacunose in word column *c*: inside a gap's extent, with no word of
        their own there."""
        found = []
        for t in self.gapped:
            ranges = self.lacunae[t]
            k = bisect.bisect_right(ranges, (c, self.alignment.width + 1)) - 1
            if k >= 0 and ranges[k][0] <= c < ranges[k][1]:
                g = self.group_at(t, c)
                if g is None or self.token_lists[t].kinds[self.groups[t].heads[g]] is (
                        TokenKind.GAP):
                    found.append(t)
        return tuple(found)

    def paragraph(self, t: int, g: int) -> int:
        return self.token_lists[t].paragraphs[self.groups[t].heads[g]]

