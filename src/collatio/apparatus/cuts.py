"""Rules 3 and 4 of :mod:`collatio.apparatus.grouping`: cutting one run of differing word
columns at clean paragraph breaks, then where the texts' pattern of agreement changes.

Cost: each cut is linear in the run's word columns times the texts of its scope (the
paragraph breaks: :func:`clean_breaks`); the patterns are found text by text (see
:meth:`WordColumns.patterns`).
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence

from collatio.apparatus.wordcolumns import Pattern, WordColumns, one_class, refines_pattern

PLACES_ABOVE = 8
"""Above this many documents, neighbouring differences are one unit only where one text's
variant runs across them (rule 4). Among few, texts that part in turn at neighbouring words
are one rewritten place; among many, independent variants stand side by side at almost every
word, and joining them chained whole passages into one unit (2,000 words: 428 units for 16
texts, 198 for 32, 78 for 64; 100 words in 100 texts: one unit)."""


class RunCutter(WordColumns):
    """Cuts a run of word columns (rules 3 and 4); :class:`~collatio.apparatus.grouping.Cutter`
    applies the other rules around it."""

    def split(self, columns: Sequence[int], scope: Sequence[int]) -> list[list[int]]:
        """Rules 3 and 4 on one run of word columns of the texts *scope*."""
        if len(columns) < 2:  # most runs: one word column, which nothing cuts
            return [list(columns)]
        out: list[list[int]] = []
        for part in self.paragraph_cuts(columns, scope):
            out.extend(self.pattern_cuts(part, scope))
        return out

    def paragraph_cuts(self, columns: Sequence[int], scope: Sequence[int]) -> list[list[int]]:
        """Rule 3: cut between two word columns where some text's paragraph changes and every
        text with words on both sides changes paragraph there too."""
        if len(columns) < 2:
            return [list(columns)]
        # each text's paragraph at each of its words in the run (column index, paragraph)
        spans = [(t, self.groups_between(t, columns[0], columns[-1])) for t in scope]
        if all(len(inside) < 2 or self.paragraph(t, inside[0]) == self.paragraph(t, inside[-1])
               for t, inside in spans):
            return [list(columns)]  # nobody changes paragraph here (paragraphs only grow)
        words: list[list[tuple[int, int]]] = []
        where = {c: k for k, c in enumerate(columns)}
        for t, inside in spans:
            heads = self.head_columns[t]
            mine = [(where[heads[g]], self.paragraph(t, g)) for g in inside if heads[g] in where]
            if len(mine) > 1:
                words.append(mine)
        return [list(part) for part in clean_breaks(columns, words)]

    def pattern_cuts(self, columns: Sequence[int], scope: Sequence[int]) -> list[list[int]]:
        """Rule 4 on one paragraph-clean stretch of a run."""
        size = self.segment
        if size <= 0 or len(columns) <= size or len(scope) < 3:
            return [list(columns)]
        patterns = self.patterns(columns, scope)
        # maximal stretches of one pattern: (start, end, pattern, strong)
        stretches: list[tuple[int, int, Pattern, bool]] = []
        start = 0
        for k in range(1, len(columns) + 1):
            if k == len(columns) or patterns[k] != patterns[start]:
                pattern = patterns[start]
                strong = k - start >= size and any(p is not None for p in pattern)
                stretches.append((start, k, pattern, strong))
                start = k
        # glue: a short weak stretch that refines the strong pattern on both sides of it (or
        # on its only side, at an end of the run) belongs to it; a stretch of differences in
        # case or punctuation alone always belongs to a neighbour
        # [start, end, kind]: kind 0 strong, 1 weak, 2 minor, 3 minor that stays alone
        pieces: list[list[int]] = []
        for s0, s1, pattern, strong in stretches:
            kind = 0 if strong else (2 if one_class(pattern) else 1)
            pieces.append([s0, s1, kind])

        def glue(i: int, j: int) -> None:
            """Join pieces i and i+1 (j == i + 1) into one of kind of the stronger."""
            a, b = pieces[i], pieces[j]
            pieces[i] = [a[0], b[1], min(a[2], b[2])]
            del pieces[j]

        def continuous(first: list[int], second: list[int]) -> bool:
            """Whether no text changes paragraph between the two neighbouring pieces."""
            for t in scope:
                left = next((g for c in reversed(columns[first[0]:first[1]])
                             if (g := self.group_at(t, c)) is not None), None)
                right = next((g for c in columns[second[0]:second[1]]
                              if (g := self.group_at(t, c)) is not None), None)
                if left is not None and right is not None and (
                        self.paragraph(t, left) != self.paragraph(t, right)):
                    return False
            return True

        def pattern_of(piece: list[int]) -> Pattern:
            return patterns[piece[0]]

        apart: dict[int, set[int]] = {}

        def deviating(k: int) -> set[int]:
            """The texts (positions in the scope) that read otherwise than most in column
            *k*: another word, a word no other text has, or none."""
            found = apart.get(k)
            if found is None:
                c = columns[k]
                values = [
                    n if n is not None else (-1 if self.group_at(t, c) is None else -2 - s)
                    for s, (t, n) in enumerate(zip(scope, patterns[k], strict=True))
                ]
                common = Counter(values).most_common(1)[0][0]
                found = apart[k] = {s for s, v in enumerate(values) if v != common}
            return found

        many = len({self.documents[t] for t in scope}) > PLACES_ABOVE

        def linked(first: list[int], second: list[int]) -> bool:
            """Whether two neighbouring weak pieces are one place: among few documents
            always, among many when some text reads otherwise than most on both sides of
            the boundary between them (one variant of that text's runs across it)."""
            return not many or not deviating(first[1] - 1).isdisjoint(deviating(second[0]))

        def refines(piece: list[int], coarse: Pattern) -> bool:
            return not self.more_words(columns[piece[0]:piece[1]], scope, size - 1) and all(
                refines_pattern(patterns[k], coarse) for k in range(piece[0], piece[1]))

        changed = True
        while changed and len(pieces) > 1:
            changed = False
            for i, piece in enumerate(pieces):
                if piece[2] == 0:
                    continue
                before = pieces[i - 1] if i else None
                after = pieces[i + 1] if i + 1 < len(pieces) else None
                if piece[2] == 2:  # case or punctuation only: with a neighbour
                    if after is not None and continuous(piece, after):
                        glue(i, i + 1)
                    elif before is not None and continuous(before, piece):
                        glue(i - 1, i)
                    else:
                        piece[2] = 3  # stays a unit of its own (a minor one)
                        continue
                    changed = True
                    break
                strong_before = before is not None and before[2] == 0
                strong_after = after is not None and after[2] == 0
                if before is not None and after is not None and strong_before and (
                        strong_after and pattern_of(before) == pattern_of(after)
                        and refines(piece, pattern_of(before))):
                    glue(i - 1, i)
                    glue(i - 1, i)
                    changed = True
                    break
                if before is not None and strong_before and after is None and refines(
                        piece, pattern_of(before)):
                    glue(i - 1, i)
                    changed = True
                    break
                if after is not None and strong_after and before is None and refines(
                        piece, pattern_of(after)):
                    glue(i, i + 1)
                    changed = True
                    break
            # neighbouring weak stretches are one piece where a text's variant runs across
            i = 0
            while i + 1 < len(pieces):
                if pieces[i][2] == 1 and pieces[i + 1][2] == 1 and linked(pieces[i],
                                                                           pieces[i + 1]):
                    glue(i, i + 1)
                    changed = True
                else:
                    i += 1
        # two neighbours that no text has words in both of are alternatives side by side
        # (a hand's deletion and the insertion that replaces it stand in columns of their
        # own): one unit
        present = [{t for t in scope for c in columns[a:b] if self.group_at(t, c) is not None}
                   for a, b, _ in pieces]
        out: list[list[int]] = []
        previous: set[int] | None = None
        for (a, b, _), mine in zip(pieces, present, strict=True):
            if out and previous is not None and not (previous & mine):
                out[-1].extend(columns[a:b])
                previous = previous | mine
                continue
            out.append(list(columns[a:b]))
            previous = mine
        return out

    def more_words(self, columns: Sequence[int], scope: Sequence[int], n: int) -> bool:
        """Whether some text of *scope* has more than *n* words in *columns* (counting stops
        there: a unit that joining has grown to thousands of columns is not recounted at
        every join)."""
        for t in scope:
            found = 0
            for c in columns:
                if self.group_at(t, c) is not None:
                    found += 1
                    if found > n:
                        return True
        return False


def clean_breaks(columns: Sequence[int], words: Sequence[Sequence[tuple[int, int]]]
                  ) -> list[Sequence[int]]:
    """*columns* cut where a paragraph break is clean (rule 3): given each text's (column
    index, paragraph) pairs in order, a cut before index *k* needs some text to change
    paragraph between its last word before *k* and its first from *k*, and no text with
    words on both sides to stay in one paragraph there. O(columns x texts)."""
    size = len(columns)
    breaks = [False] * (size + 1)
    blocked = [False] * (size + 1)
    for mine in words:
        for (j0, p0), (j1, p1) in itertools.pairwise(mine):
            # a cut at any k in (j0, j1] falls between these two words
            if p1 > p0:
                for k in range(j0 + 1, j1 + 1):
                    breaks[k] = True
            else:
                for k in range(j0 + 1, j1 + 1):
                    blocked[k] = True
    out: list[Sequence[int]] = []
    previous = 0
    for k in range(1, size):
        if breaks[k] and not blocked[k]:
            out.append(columns[previous:k])
            previous = k
    out.append(columns[previous:])
    return out
