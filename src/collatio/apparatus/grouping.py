"""Cutting the collation table into variation units, as an editor cuts them.

Word columns, texts that *agree* in one and columns *shared* by a set of texts are defined in
:mod:`collatio.apparatus.wordcolumns`, which reads the table. Units are made of whole
groups: punctuation never cuts a unit, and a lemma is never a mark alone set against words.

The rules, in order (``docs/apparatus.md`` states them for editors):

1. **Runs.** Maximal stretches of word columns that the texts do not share, in which the same
   texts are lacunose, are the candidates.
2. **Lacunae.** A run in which some text is lacunose (inside its ``[...]``: between the words
   before and after the gap that other texts share, as the table's cuts found them) is one
   unit, the gap's whole extent, whatever the other texts do inside it: their differences
   are its sub-units.
3. **Paragraphs.** A unit never crosses a paragraph break that falls cleanly between its
   texts' words: a break in one text where every other text with words on both sides of it
   breaks too (a text's break in the middle of another text's differing words is not a
   variant and cuts nothing).
4. **Patterns.** Inside a run, a stretch of at least ``segment`` word columns in which the
   same texts agree with one another (case and punctuation aside) is a unit of its own, and
   what lies between two such stretches is one unit; but a short stretch that only refines
   the pattern on both sides of it (texts that agree around it differ among themselves for a
   few words: the draft's *in general* inside a passage the final rewrote) stays inside,
   a difference in case or punctuation alone joins a neighbour in its paragraph, and two
   neighbours that no text has words in both of are one unit (alternatives side by side: a
   hand's deletion and the insertion that replaces it). Shorter stretches side by side are
   one unit; among more than ``PLACES_ABOVE`` documents only where some text reads
   otherwise than most on both sides of their boundary (its variant runs across), so that
   many texts' independent variants are each a unit of its own, not one chain.
5. **Joining.** Two units with only a shared stretch of at most ``join`` words between them,
   shorter than both, become one (a rewritten clause is one unit), unless the stretch stands
   between two hand revisions (two states of one document differ in the last word before it
   and in the first after it): a shared stretch between two hand revisions ends the unit
   however short it is.
6. **Readings.** Texts that read the same (under the normalization) are one reading. States
   of one document, and texts whose readings differ only in case, accents or punctuation
   (and that no hand marks there: one reading never carries two documents' marks), are one
   reading with **sub-units** when they share a word of the unit: rules 1, 3 and 4 applied to
   the reading's texts within the unit (no joining; a sub-unit never crosses a word the
   reading's texts share; for the states of one document, token by token: see
   :meth:`Cutter.revisions`), kept inside the reading's ranges. The texts must read alike
   around the sub-units (a text's mark aligned with another's elsewhere can leave one of
   its marks outside them): where they do not, each keeps a reading of its own.

Cost: the table's non-agreeing columns, and the groups of their tokens and of every mark,
are found at C speed (O(tokens + marks x log groups)); the work above is linear in the number
of word columns inside units times the number of texts, times log groups (a group's head is
found by bisection).
"""

from __future__ import annotations

import bisect
import itertools
import operator
from collections.abc import Iterator, Sequence

import attrs

from collatio._indices import indices
from collatio.apparatus.cuts import RunCutter, clean_breaks
from collatio.tokens import TokenKind

#: Up to this many texts in a piece, a text's range is found by searching its scope.
_SEARCHED_UP_TO = 8


@attrs.frozen(slots=True)
class Piece:
    """A unit to be: its word columns (increasing table columns), the texts it is about
    (``scope``), those lacunose in it, and its sub-pieces per reading (filled by
    :meth:`Cutter.readings`)."""

    columns: tuple[int, ...]
    scope: tuple[int, ...]
    lacunose: tuple[int, ...] = ()
    #: each scope text's token range, for a piece cut token by token (the states of one
    #: document inside a reading they share); empty: the ranges follow from the columns
    ranges: tuple[tuple[int, int], ...] = ()
    #: text -> its range (derived from the two above when first asked: a unit of a
    #: thousand texts asks for every text's range, so no search of the scope per text)
    _range_of: dict[int, tuple[int, int]] | None = attrs.field(
        default=None, init=False, eq=False, repr=False)

    def range_of(self, t: int) -> tuple[int, int] | None:
        """Text *t*'s token range when the piece records it."""
        if not self.ranges:
            return None
        if len(self.scope) <= _SEARCHED_UP_TO:  # a few texts: searched, no table made
            try:
                return self.ranges[self.scope.index(t)]
            except ValueError:
                return None
        found = self._range_of
        if found is None:
            found = dict(zip(self.scope, self.ranges, strict=True))
            object.__setattr__(self, "_range_of", found)
        return found.get(t)


@attrs.frozen(slots=True)
class ReadingPlan:
    """The texts of one reading of a piece, and, when they differ, the pieces (sub-units)
    that cut the differences, each with its own readings."""

    texts: tuple[int, ...]
    subunits: tuple[UnitPlan, ...] = ()


@attrs.frozen(slots=True)
class UnitPlan:
    """A unit: its piece and its readings (texts in scope and not lacunose, each once)."""

    piece: Piece
    readings: tuple[ReadingPlan, ...]


#: Above this many texts, :meth:`Cutter.adjacent` asks the word columns of all texts at once.
_UNION_ABOVE = 8

#: The kinds of token that head a group of words.
_HEADS = (TokenKind.WORD, TokenKind.NUMBER)


class Cutter(RunCutter):
    """Applies the rules of the module docstring to one collation table."""

    # --- rule 1: runs -------------------------------------------------------------------------

    def candidates(self) -> list[int]:
        """Word columns that may not be shared (increasing): the head columns of every group
        with a token in a non-agreeing column of the table, and of groups whose marks the
        table aligned with marks of groups standing elsewhere (a comma matched across two
        words)."""
        agrees = self.alignment.agreeing()
        found: set[int] = set()
        owners = [self._mark_owners(t) for t in range(self.count)]
        # only where two texts' marks disagree (at C speed: the items that differ)
        suspects: set[int] = set()
        for mine in owners[1:]:
            suspects.update(c for c, _ in owners[0].items() ^ mine.items())
        for c in suspects:
            if not agrees[c]:
                continue  # found below
            # an agreeing column holds a token of every text (a mark, or a word a mark
            # was aligned with)
            heads = {mine[c] if c in mine else self._owner(t, c)
                     for t, mine in enumerate(owners)}
            if len(heads) > 1:
                found.update(heads)
        differing = list(itertools.compress(indices(len(agrees)), map(operator.not_, agrees)))
        for t in range(self.count):
            tokens = [i for i in map(self.cells[t].__getitem__, differing) if i is not None]
            found.update(self._owners(t, tokens))
        return sorted(found)

    def _owner(self, t: int, c: int) -> int:
        """The head column of the group of text *t*'s token in column *c*."""
        i = self.cells[t][c]
        assert i is not None
        return self.head_columns[t][self.groups[t].of_token(i)]

    def _owners(self, t: int, tokens: Sequence[int]) -> Iterator[int]:
        """The head column of the group of each of text *t*'s *tokens* (increasing), at C
        speed: the groups by bisection."""
        groups = map(bisect.bisect_right, itertools.repeat(self.groups[t].starts), tokens)
        return map(self.head_columns[t].__getitem__, map(operator.sub, groups,
                                                          itertools.repeat(1)))

    def _mark_owners(self, t: int) -> dict[int, int]:
        """For each column of one of text *t*'s marks, the head column of its group."""
        kinds = self.token_lists[t].kinds
        marks = list(itertools.compress(indices(len(kinds)), map(
            operator.is_, kinds, itertools.repeat(TokenKind.PUNCT))))
        return dict(zip(map(self.columns[t].__getitem__, marks), self._owners(t, marks),
                        strict=True))

    def words_between(self, a: int, b: int) -> int:
        """How many word columns stand strictly between columns *a* < *b* (all shared, when
        called between two runs: counted in the first text's heads)."""
        heads = self.head_columns[0]
        return bisect.bisect_left(heads, b) - bisect.bisect_right(heads, a)

    def top_level(self) -> list[UnitPlan]:
        """Every top-level unit (rules 1-6)."""
        everyone = tuple(range(self.count))
        runs: list[tuple[list[int], tuple[int, ...]]] = []
        for c in self.candidates():
            lac = self.lacunose(c) if self.gapped else ()
            if not lac and self.shared(c, everyone):
                continue
            if runs:
                columns, previous_lac = runs[-1]
                if previous_lac == lac and self.adjacent(columns[-1], c, everyone):
                    columns.append(c)
                    continue
            runs.append(([c], lac))
        pieces: list[Piece] = []
        for columns, lac in runs:
            scope = tuple(t for t in everyone if t not in lac)
            if not scope:
                continue
            if lac:
                pieces.append(Piece(tuple(columns), scope, lac))  # rule 2
                continue
            for part in self.split(columns, scope):
                pieces.append(Piece(tuple(part), scope))
        pieces = self.joined(pieces)
        return [self.plan(piece, 0) for piece in pieces]

    def adjacent(self, a: int, b: int, scope: Sequence[int]) -> bool:
        """Whether word columns *a* < *b* have no word column of the scope's between them
        (rule 1 runs are stretches of adjacent non-shared word columns)."""
        if len(scope) == self.count > _UNION_ABOVE:  # every text: one look at all of theirs
            every = self.word_columns()
            return bisect.bisect_left(every, b) - bisect.bisect_right(every, a) <= 0
        for t in scope:
            heads = self.head_columns[t]
            if bisect.bisect_left(heads, b) - bisect.bisect_right(heads, a) > 0:
                return False
        return True

    # --- rule 5: joining ----------------------------------------------------------------------

    def joined(self, pieces: list[Piece]) -> list[Piece]:
        if self.join <= 0 or len(pieces) < 2:
            return pieces
        out = [pieces[0]]
        for piece in pieces[1:]:
            previous = out[-1]
            if self._can_join(previous, piece):
                heads = self.head_columns[0]
                lo = bisect.bisect_right(heads, previous.columns[-1])
                hi = bisect.bisect_left(heads, piece.columns[0])
                between = tuple(heads[lo:hi])  # shared: every text has its word there
                out[-1] = Piece(previous.columns + between + piece.columns, previous.scope)
            else:
                out.append(piece)
        return out

    def _can_join(self, a: Piece, b: Piece) -> bool:
        if a.lacunose or b.lacunose or a.scope != b.scope:
            return False
        between = self.words_between(a.columns[-1], b.columns[0])
        if not 0 < between <= self.join:
            return False
        if not (self.more_words(a.columns, a.scope, between)
                and self.more_words(b.columns, b.scope, between)):
            return False  # the shared stretch is not shorter than both
        if self._revised_at(a, a.columns[-1]) and self._revised_at(b, b.columns[0]):
            return False  # the shared stretch stands between two hand revisions
        # no paragraph break in the shared stretch or at its edges, in any text
        heads = self.head_columns[0]
        shared = heads[bisect.bisect_right(heads, a.columns[-1]):
                       bisect.bisect_left(heads, b.columns[0])]
        for t in a.scope:
            last = next((g for c in reversed(a.columns) if (g := self.group_at(t, c))
                         is not None), None)
            first = next((g for c in b.columns if (g := self.group_at(t, c)) is not None),
                         None)
            mine = [g for g in (last, *(self.group_at(t, c) for c in shared), first)
                    if g is not None]
            if len({self.paragraph(t, g) for g in mine}) > 1:
                return False
        return True

    def _revised_at(self, piece: Piece, c: int) -> bool:
        """Whether two states of one document differ in word column *c*."""
        for siblings in self.sibling_sets:
            mine = [t for t in siblings if t in piece.scope]
            if len(mine) > 1 and not all(self.same(mine[0], t, c) for t in mine[1:]):
                return True
        return False

    def revised(self, piece: Piece) -> bool:
        """Whether two states of one document differ in *piece* (a hand revision is in it)."""
        for siblings in self.sibling_sets:
            mine = [t for t in siblings if t in piece.scope]
            if len(mine) < 2:
                continue
            for c in piece.columns:
                if not all(self.same(mine[0], t, c) for t in mine[1:]):
                    return True
        return False

    def same(self, a: int, b: int, c: int) -> bool:
        """Whether texts *a* and *b* read alike in word column *c* (both without a word
        there counts as alike)."""
        if self.group_at(a, c) is None and self.group_at(b, c) is None:
            return True
        return self.agree(a, b, c)

    # --- rule 6: readings and sub-units -------------------------------------------------------

    def plan(self, piece: Piece, depth: int, whole: bool = False) -> UnitPlan:
        """The readings of *piece* (with each text's token range recorded); *whole* when
        the piece is its parent reading's whole range (its readings are then never merged
        again)."""
        if depth == 0 and len(piece.scope) == 2 and not piece.lacunose:
            plan = self._pair_plan(piece)
            if plan is not None:
                return plan
        forms: dict[tuple[tuple[str, ...], ...], list[int]] = {}
        found: dict[int, list[int]] = {}
        ranges = []
        for t in piece.scope:
            mine = self.groups_in(t, piece.columns)
            if t not in piece.lacunose:
                found[t] = mine
                forms.setdefault(tuple([self.form(t, g) for g in mine]), []).append(t)
            ranges.append(self._range_in(t, mine, piece.columns))
        if not piece.lacunose:
            ranges = self._trim_shared_marks(ranges, piece.scope)
        piece = Piece(piece.columns, piece.scope, piece.lacunose, tuple(ranges))
        classes = list(forms.values())
        if whole or depth >= 3 or len(classes) < 2:
            return UnitPlan(piece, tuple(ReadingPlan(tuple(ts)) for ts in classes))
        merged = self._merge(classes, found, depth, piece.columns)
        if len(merged) == len(classes):  # nothing merged
            return UnitPlan(piece, tuple(ReadingPlan(tuple(ts)) for ts in classes))
        readings: list[ReadingPlan] = []
        bounds = dict(zip(piece.scope, piece.ranges, strict=True))
        for members in merged:
            if len(members) == 1:
                readings.append(ReadingPlan(tuple(members[0])))
                continue
            scope = tuple(sorted(t for m in members for t in m))
            subunits = self._all_within(self.subunits(piece.columns, scope, depth + 1), bounds)
            if self._alike_around(scope, bounds, subunits):
                readings.append(ReadingPlan(scope, subunits))
            else:  # the sub-units would not hold all that sets these texts apart
                readings.extend(ReadingPlan(tuple(m)) for m in members)
        return UnitPlan(piece, tuple(readings))

    def _alike_around(self, scope: Sequence[int], bounds: dict[int, tuple[int, int]],
                      subunits: Sequence[UnitPlan]) -> bool:
        """Whether the texts of *scope* read alike (token forms, gaps aside) in their
        ranges *bounds* outside *subunits*: a reading with sub-units gives every witness
        the text around them as one of them has it. Not so where a text's mark is aligned
        with another's mark elsewhere, so that the first has a mark alone where the sub-units
        (cut by word columns) do not reach."""
        around: list[str] | None = None
        for t in scope:
            tl = self.token_lists[t]
            norms, kinds = tl.norms, tl.kinds
            inner = sorted(self.piece_range(t, plan.piece) for plan in subunits)
            start, end = bounds[t]
            mine: list[str] = []
            for a, b in [*inner, (end, end)]:
                mine.extend(norms[i] for i in range(start, a) if kinds[i] is not TokenKind.GAP)
                start = max(start, b)
            if around is None:
                around = mine
            elif mine != around:
                return False
        return True

    def _all_within(self, plans: Sequence[UnitPlan], bounds: dict[int, tuple[int, int]]
                    ) -> tuple[UnitPlan, ...]:
        """Sub-unit *plans* of a reading, each text's range kept inside *bounds*, the
        reading's ranges: a sub-unit is cut by columns, and the reading's ranges may have lost
        a mark every text shares at an end (:meth:`_trim_shared_marks`), which a sub-unit
        then must not hold either. A sub-unit left with no token of any text is dropped."""
        out: list[UnitPlan] = []
        for plan in plans:
            piece = plan.piece
            ranges = [self.piece_range(t, piece) for t in piece.scope]
            kept: list[tuple[int, int]] = []
            for t, (a, b) in zip(piece.scope, ranges, strict=True):
                low, high = bounds[t]
                start = min(max(a, low), high)
                kept.append((start, max(min(b, high), start)))
            if kept == ranges:
                out.append(plan)
            elif any(a < b for a, b in kept):
                inner = dict(zip(piece.scope, kept, strict=True))
                out.append(UnitPlan(
                    Piece(piece.columns, piece.scope, piece.lacunose, tuple(kept)),
                    tuple(ReadingPlan(r.texts, self._all_within(r.subunits, inner))
                          for r in plan.readings)))
        return tuple(out)

    def _pair_plan(self, piece: Piece) -> UnitPlan | None:
        """:meth:`plan` for the commonest unit, looked at directly: two texts of two
        documents at the top level, neither lacunose. None where their two readings might
        make one (the same words, case, accents or marks aside): :meth:`plan` decides."""
        columns = piece.columns
        scope = piece.scope
        a, b = scope
        found_a, found_b = self.groups_in(a, columns), self.groups_in(b, columns)
        form = self.form
        if [form(a, g) for g in found_a] == [form(b, g) for g in found_b]:
            readings: tuple[ReadingPlan, ...] = (ReadingPlan(scope),)
        elif self.documents[a] == self.documents[b] or (
                found_a and len(found_a) == len(found_b)
                and [self.minor(a, g) for g in found_a] == [self.minor(b, g) for g in found_b]):
            return None
        else:
            readings = (ReadingPlan((a,)), ReadingPlan((b,)))
        ranges = [self._range_in(a, found_a, columns), self._range_in(b, found_b, columns)]
        return UnitPlan(Piece(columns, scope, (), tuple(self._trim_shared_marks(ranges, scope))),
                        readings)

    def _range_in(self, t: int, mine: Sequence[int], columns: Sequence[int]) -> tuple[int, int]:
        """Text *t*'s token range over its groups *mine* in word *columns* (its insertion
        point after the columns when it has none there)."""
        groups = self.groups[t]
        if mine:
            return groups.tokens(mine[0], mine[-1] + 1)
        g = bisect.bisect_right(self.head_columns[t], columns[-1])
        return groups.tokens(g, g)

    def _trim_shared_marks(self, ranges: list[tuple[int, int]], scope: Sequence[int]
                           ) -> list[tuple[int, int]]:
        """*ranges* without the marks at their ends that every text of *scope* has there
        alike (``reply.`` / ``response.``: the shared full stop is not part of the variant):
        a mark every reading shares decides nothing, and an apparatus cites the words. Only
        where every text has words in the unit, and never down to marks alone (*ranges*
        itself when nothing is trimmed)."""
        if ranges:  # most units: the first text's range ends and starts with no mark
            a, b = ranges[0]
            kinds = self.token_lists[scope[0]].kinds
            if b - a < 2 or (kinds[b - 1] is not TokenKind.PUNCT
                             and kinds[a] is not TokenKind.PUNCT):
                return ranges
        out = list(ranges)
        trimmed = False
        for end in (True, False):
            while self._shared_mark(out, scope, end):
                out = [(a, b - 1) if end else (a + 1, b) for a, b in out]
                trimmed = True
            if trimmed:
                out = self._trim_shared_word(out, scope, end)
        return out

    def _shared_mark(self, ranges: list[tuple[int, int]], scope: Sequence[int], end: bool
                     ) -> bool:
        """Whether every range of *ranges* ends (or, not *end*, starts) with one and the
        same mark, with a word before (after) it in the range."""
        mark: str | None = None
        for t, (a, b) in zip(scope, ranges, strict=True):
            kinds = self.token_lists[t].kinds
            i = b - 1 if end else a
            if b - a < 2 or kinds[i] is not TokenKind.PUNCT:
                return False
            inner = range(a, b - 1) if end else range(a + 1, b)
            if not any(kinds[k] in _HEADS for k in inner):
                return False
            surface = self.token_lists[t].surfaces[i].strip()
            if mark is None:
                mark = surface
            elif surface != mark:
                return False
        return mark is not None

    def _trim_shared_word(self, ranges: list[tuple[int, int]], scope: Sequence[int],
                          end: bool) -> list[tuple[int, int]]:
        """*ranges* (their shared marks just trimmed) without the words at that end that
        every text of *scope* reads alike in one column: the mark was all that set them
        apart (``sat.`` / ``sat down.`` is an addition of ``down``). Never a word a text's
        remaining range would follow with a bare mark, and never every word of the unit."""
        heads = (TokenKind.WORD, TokenKind.NUMBER)
        out = list(ranges)
        while True:
            column: int | None = None
            reading: int | None = None
            for t, (a, b) in zip(scope, out, strict=True):
                tl = self.token_lists[t]
                i = b - 1 if end else a
                if b <= a or tl.kinds[i] not in heads:
                    return out
                rest = range(a, b - 1) if end else range(a + 1, b)
                edge = (rest[-1] if end else rest[0]) if rest else None
                if edge is not None and tl.kinds[edge] not in heads:
                    return out
                c = self.alignment.token_columns(t)[i]
                r = self.alignment.readings[c][t]
                if column is None:
                    column, reading = c, r
                elif c != column or r != reading:
                    return out
            trimmed = [(a, b - 1) if end else (a + 1, b) for a, b in out]
            if not any(self.token_lists[t].kinds[k] in heads
                       for t, (a, b) in zip(scope, trimmed, strict=True) for k in range(a, b)):
                return out
            out = trimmed

    def _merge(self, classes: list[list[int]], found: dict[int, list[int]], depth: int,
               columns: Sequence[int]) -> list[list[list[int]]]:
        """Union the reading classes that make one reading with sub-units (rule 6). Below
        the top level, texts merge only where they share a word of the piece, so that
        every sub-unit is smaller than the unit that holds it. *found*: each text's groups
        in the piece."""
        minors: dict[int, tuple[str, ...]] = {}  # made when first compared

        def minor(i: int) -> tuple[str, ...]:
            if i not in minors:
                t = classes[i][0]
                minors[i] = tuple(self.minor(t, g) for g in found[t])
            return minors[i]

        # Only two classes alike case, accents and marks aside (the same words), or of one
        # document, can make one reading: those pairs are tried, found by their keys rather
        # than among all pairs (a thousand texts make half a million).
        if len(classes) == 2:  # most units of a pair: the one pair looked at directly
            a, b = classes[0][0], classes[1][0]
            if self.documents[a] != self.documents[b] and not (
                    found[a] and len(found[a]) == len(found[b]) and minor(0) == minor(1)):
                return [[ts] for ts in classes]
        # Alike classes have as many groups: only classes of one size are keyed (an
        # omission against a word, the commonest unit, keys nothing).
        by_size: dict[int, list[int]] = {}
        by_document: dict[int, list[int]] = {}
        for i, ts in enumerate(classes):
            if found[ts[0]]:
                by_size.setdefault(len(found[ts[0]]), []).append(i)
            by_document.setdefault(self.documents[ts[0]], []).append(i)
        alike: dict[tuple[str, ...], list[int]] = {}
        for members in by_size.values():
            if len(members) > 1:
                for i in members:
                    alike.setdefault(minor(i), []).append(i)
        candidates = [members for members in (*alike.values(), *by_document.values())
                      if len(members) > 1]
        if not candidates:
            return [[ts] for ts in classes]
        tried = sorted({pair for members in candidates
                        for pair in itertools.combinations(members, 2)})
        pairs: list[tuple[int, int]] = []  # the classes that make one reading
        for i, j in tried:
            a, b = classes[i][0], classes[j][0]
            same_document = self.documents[a] == self.documents[b]
            # readings with a different number of words are never minor variants
            same = bool(found[a]) and len(found[a]) == len(found[b]) and minor(i) == minor(j) and (
                same_document or not (self._marked(a, found[a]) or self._marked(b, found[b])))
            if same:  # sub-units must be smaller than the unit: a word shared exactly
                same = any(self.agree(a, b, c) for c in columns)
            if not same and same_document:
                same = any(self.agree(a, b, c) for c in columns)
            if same:
                pairs.append((i, j))
        if not pairs:
            return [[ts] for ts in classes]
        parent = list(range(len(classes)))

        def root(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        for i, j in pairs:
            parent[root(i)] = root(j)
        merged: dict[int, list[list[int]]] = {}
        for i, ts in enumerate(classes):
            merged.setdefault(root(i), []).append(ts)
        return list(merged.values())

    def _marked(self, t: int, groups_found: Sequence[int]) -> bool:
        """Whether any of text *t*'s groups *groups_found* was written or struck by its
        document's hand (texts of two documents merge into one reading only where neither
        hand marks it, so that one reading never carries two hands' marks)."""
        spans = self.token_lists[t].revision_spans
        if not spans:
            return False
        groups = self.groups[t]
        for g in groups_found:
            if any(i in spans for i in range(groups.starts[g], groups.end(g))):
                return True
        return False

    def piece_range(self, t: int, piece: Piece) -> tuple[int, int]:
        """Text *t*'s token range in *piece*: the one it records, else the one its word
        columns give (its insertion point when it has no word there)."""
        recorded = piece.range_of(t)
        return recorded if recorded is not None else self.token_range(t, piece.columns)

    def token_range(self, t: int, columns: Sequence[int]) -> tuple[int, int]:
        """Text *t*'s token range for word columns *columns* (its insertion point when it
        has no word there)."""
        return self._range_in(t, self.groups_in(t, columns), columns)

    def subunits(self, columns: Sequence[int], scope: tuple[int, ...],
                 depth: int) -> tuple[UnitPlan, ...]:
        """Rules 1, 3, 4 and 6 applied to *scope* within *columns*, without joining; for
        the states of one document, token by token (:meth:`revisions`)."""
        if len({self.documents[t] for t in scope}) == 1:
            return self.revisions(columns, scope)
        runs: list[list[int]] = []
        previous: int | None = None
        for k, c in enumerate(columns):
            if self.shared(c, scope):
                previous = None
                continue
            if all(self.group_at(t, c) is None for t in scope):
                continue  # another text's word (or gap) alone: nothing for these texts
            if previous is not None and previous == k - 1:
                runs[-1].append(c)
            else:
                runs.append([c])
            previous = k
        plans: list[UnitPlan] = []
        for run in runs:
            for part in self.split(run, scope):
                whole = len(part) == len(columns)
                plans.append(self.plan(Piece(tuple(part), scope), depth, whole))
        return tuple(plans)


    def revisions(self, columns: Sequence[int], scope: tuple[int, ...]
                  ) -> tuple[UnitPlan, ...]:
        """The sub-units of states of one document inside a reading they share: maximal
        stretches of table columns where the states do not all read the same token, cut at
        every token they all read (a word or a mark: a stretch the hand left alone ends a
        revision, however short) and at paragraph breaks. The states' tokens are the
        document's own, aligned by source, so a sub-unit is exactly one revision or a group
        of revisions that touch (a deletion and the insertion that replaces it)."""
        ranges = {t: self.token_range(t, columns) for t in scope}
        cells = self.cells
        low = min((self.columns[t][a] for t, (a, b) in ranges.items() if b > a), default=0)
        high = max((self.columns[t][b - 1] + 1 for t, (a, b) in ranges.items() if b > a),
                   default=0)
        runs: list[list[int]] = []
        open_run = False
        for c in range(low, high):
            here = [cells[t][c] for t in scope]
            present = [i for t, i in zip(scope, here, strict=True)
                       if i is not None and ranges[t][0] <= i < ranges[t][1]]
            if not present:
                continue  # only other texts' tokens here
            reading = self.readings_of[c]
            if len(present) == len(scope) and len({reading[t] for t in scope}) == 1:
                open_run = False  # a token all the states read
                continue
            if open_run:
                runs[-1].append(c)
            else:
                runs.append([c])
                open_run = True
        plans: list[UnitPlan] = []
        for run in runs:
            for part in self._paragraph_cut_tokens(run, scope, ranges):
                spans = []
                for t in scope:
                    mine = [i for c in part if (i := cells[t][c]) is not None
                            and ranges[t][0] <= i < ranges[t][1]]
                    if mine:
                        spans.append((mine[0], mine[-1] + 1))
                    else:  # the insertion point: after the state's tokens before the part
                        before = bisect.bisect_left(self.columns[t], part[0])
                        point = min(max(before, ranges[t][0]), ranges[t][1])
                        spans.append((point, point))
                piece = Piece(tuple(part), scope, (), tuple(spans))
                classes: dict[tuple[str, ...], list[int]] = {}
                for t, (a, b) in zip(scope, spans, strict=True):
                    classes.setdefault(self.token_lists[t].norms[a:b], []).append(t)
                plans.append(UnitPlan(piece, tuple(ReadingPlan(tuple(ts))
                                                   for ts in classes.values())))
        return tuple(plans)

    def _paragraph_cut_tokens(self, run: list[int], scope: Sequence[int],
                              ranges: dict[int, tuple[int, int]]) -> list[list[int]]:
        """Rule 3 on a stretch of table columns: cut where a state's paragraph changes and
        every state with tokens on both sides changes paragraph there too."""
        if len(run) < 2:
            return [run]
        words: list[list[tuple[int, int]]] = []
        for t in scope:
            paragraphs = self.token_lists[t].paragraphs
            low, high = ranges[t]
            mine = [(k, paragraphs[i]) for k, c in enumerate(run)
                    if (i := self.cells[t][c]) is not None and low <= i < high]
            if len(mine) > 1:
                words.append(mine)
        return [list(part) for part in clean_breaks(run, words)]
