"""Moved blocks in an alignment table: found by hashing, checked pair by pair, chance-guarded.

A block moved between two witnesses shows in the table as their tokens, with equal keys, in
two different places, unmatched to each other in both. :func:`table_moves` finds such blocks
among all the witnesses at once, without comparing every pair:

1. **Index.** Every token standing in a variant column (a column that is not an agreement) is
   indexed by its k-token shingle (k = ``min_length``), the shingle's *occurrence* being its
   first and last column: witnesses that share those nodes share one occurrence (a bit set
   of witnesses), so six editions reading a phrase alike cost one entry, not six.
2. **Candidates.** Two occurrences of one shingle in different columns are a candidate when
   some witness *x* has it at the first only and some *y* at the second only (the lowest
   such witnesses represent the two places); at most ``max_candidates`` other occurrences,
   the nearest in columns first, are tried for each occurrence, and a shingle found in more
   than ``MAX_PLACES`` places (a refrain) seeds nothing.
3. **Pairs.** Candidates are grouped by witness pair; for each pair they are extended, in the
   order of *y*'s tokens, backwards and forwards over equal keys that are *free* for the pair
   (the two witnesses do not share a reading there) and not yet part of a move; the longest
   extension is kept when
   it reaches ``min_length``, each token joins one block, and pieces that continue each other
   across small edits are joined as in :func:`collatio.align.transpose.find_moves`.
4. **Swaps.** Adjacent swaps of short blocks (``X Y`` against ``Y X``, Y shorter than
   ``min_length``, the matched X at most ``swap_pivot`` tokens) are found from single-token
   occurrences a few columns apart.
5. **Guard.** Every candidate move is scored by :class:`~collatio.align.chance.ChanceModel`
   and kept only when its chance score is at most ``limit``; a move seen from several pairs of
   witnesses (the same columns) is reported once.

Cost: O(T x k) for the T tokens in variant columns (a hash entry each), O(C x m) for C
candidate occurrences of shingles with m (bounded by ``max_candidates``) tries each, the
extensions (each token of a pair joins one block), and the guard's windows (bounded in all by
:data:`collatio.align.chance.TOKENS`); never a loop over all pairs of witnesses.
"""

from __future__ import annotations

import bisect
import itertools
import operator
from collections import Counter
from collections.abc import Hashable, Sequence

from collatio._indices import indices
from collatio.align.chance import COMMON, LIMIT, MU, ChanceModel, Q, window_for
from collatio.align.table import _agreeing, _is_cell, _ranges
from collatio.align.transpose import MAX_CANDIDATES, MAX_GAP, MIN_LENGTH, Transposition, _common

__all__ = ["SWAP_PIVOT", "table_moves"]

SWAP_PIVOT = 4
"""Longest matched stretch X that a short block Y may swap places with (``X Y`` / ``Y X``)."""
SWAP_AROUND = 2
"""Longest pivot X that two short blocks may swap around (``Y X Q`` / ``Q X Y``: "black and
white" / "white and black"); across a longer one ("a black cat in a white basket") the two
changes are substitutions."""
_SWAP_COLUMNS = 24  # how far apart, in columns, the two places of a swap may stand
MAX_PLACES = 8
"""A shingle found in more places than this (a refrain, a formula) seeds no move: a block made
only of such shingles recurs, and the chance guard would refuse it anyway."""

Readings = Sequence[tuple[int | None, ...]]
Piece = tuple[int, int, int, int]  # x_start, x_end, y_start, y_end
Candidate = tuple[int, list[tuple[int, int]], int, list[tuple[int, int]]]
"""(x, x's pieces, y, y's pieces), x < y: a block, exact piece by piece."""
Swap = tuple[int, tuple[int, int], int, tuple[int, int], Sequence[Hashable]]
"""(early witness, Y there, late witness, Y there, the pivot X's keys)."""


def table_moves(
    witnesses: Sequence[Sequence[Hashable]],
    cells: Sequence[Sequence[int | None]],
    readings: Readings,
    where: Sequence[Sequence[int]],
    *,
    min_length: int = MIN_LENGTH,
    max_gap: int = MAX_GAP,
    max_candidates: int = MAX_CANDIDATES,
    swap_pivot: int = SWAP_PIVOT,
    limit: float = LIMIT,
    agrees: Sequence[bool] | None = None,
) -> tuple[Transposition, ...]:
    """The moves of a table (see the module docstring); ``where[w][t]`` is the column of token
    *t* of witness *w*; *agrees*, when known, which columns are agreements. Ordered by
    witness pair, then by the block's place in the later witness."""
    if min_length < 1:
        raise ValueError(f"min_length must be >= 1, got {min_length}")
    search = _Search(witnesses, cells, readings, where, min_length, max_gap, max_candidates)
    search.index(_agreeing(readings) if agrees is None else agrees)
    found: list[tuple[Candidate, Swap | None]] = [(m, None) for m in search.moves()]
    if min_length > 1 and swap_pivot > 0:
        found.extend(search.swaps(swap_pivot))
    model = ChanceModel(witnesses, window_for(len(found)))
    accepted: list[Transposition] = []
    seen: set[tuple[tuple[int, int], tuple[int, int], tuple[Hashable, ...]]] = set()
    taken: dict[tuple[int, int], set[int]] = {}
    for (x, pieces, y, y_pieces), swap in found:
        x0, x1, y0, y1 = pieces[0][0], pieces[-1][1], y_pieces[0][0], y_pieces[-1][1]
        span_x = (where[x][x0], where[x][x1 - 1] + 1)
        span_y = (where[y][y0], where[y][y1 - 1] + 1)
        key = (min(span_x, span_y), max(span_x, span_y), tuple(witnesses[x][x0:x1]))
        if key in seen:  # the same moved block, seen from another pair of witnesses
            continue
        if swap is not None:
            score = model.swap_score(*swap)
        else:
            score = model.move_score(x, pieces, y, y_pieces, search.reach(x, span_x, y, span_y))
        if score > limit:
            continue
        # a token is in at most one reported move per partner: the first (longest) wins
        mine = taken.setdefault((x, y), set())
        if not mine.isdisjoint(range(x0, x1)):
            continue
        mine.update(range(x0, x1))
        seen.add(key)
        accepted.append(Transposition(x, x0, x1, y, y0, y1))
    accepted.sort(key=lambda t: (t.witness_a, t.witness_b, t.b_start, t.a_start))
    return tuple(accepted)


def _lowest(mask: int) -> int:
    """The index of the lowest set bit."""
    return (mask & -mask).bit_length() - 1


class _Search:
    """The candidate search of :func:`table_moves` over one table."""

    def __init__(
        self,
        witnesses: Sequence[Sequence[Hashable]],
        cells: Sequence[Sequence[int | None]],
        readings: Readings,
        where: Sequence[Sequence[int]],
        k: int,
        max_gap: int,
        max_candidates: int,
    ) -> None:
        self.witnesses, self.cells, self.readings, self.where = witnesses, cells, readings, where
        self.k, self.max_gap, self.max_candidates = k, max_gap, max_candidates
        #: shingle -> {(first column, last column): witnesses holding it there}
        self.shingles: dict[tuple[Hashable, ...], dict[tuple[int, int], int]] = {}
        #: key -> {(column, reading): witnesses} for the tokens of short swaps
        self.singles: dict[Hashable, dict[tuple[int, int | None], int]] = {}

    # --- the index --------------------------------------------------------------------------

    def index(self, agrees: Sequence[bool]) -> None:
        readings = self.readings
        variant = list(itertools.compress(indices(len(readings)), map(operator.not_, agrees)))
        if not variant:
            return
        k = self.k
        rows = [list(filter(_is_cell, map(row.__getitem__, variant))) for row in self.cells]
        # A key standing in the variant columns of one witness only can be in no move: only
        # the stretches of tokens whose keys another witness has there too are indexed (two
        # texts with no word in common index nothing). Swaps are seeded by tokens that are
        # not among the commonest (chance.COMMON): a swap of those alone is never reported.
        seen: dict[Hashable, int] = {}
        for w, tokens in enumerate(rows):
            keys = self.witnesses[w]
            for key in set(map(keys.__getitem__, tokens)):  # type: ignore[arg-type]
                seen[key] = seen.get(key, 0) + 1
        shared = {key for key, n in seen.items() if n > 1}
        longest = max(self.witnesses, key=len)
        # (smoothed as the guard's unigrams are: in a text of ten words nothing is common)
        frequent = {key for key, n in Counter(longest).items()
                    if n + MU * Q > COMMON * (len(longest) + MU)}
        shingles, singles = self.shingles, self.singles
        for w, (tokens, keys, columns) in enumerate(zip(rows, self.witnesses, self.where,
                                                        strict=True)):
            bit = 1 << w
            kept = [t for t in tokens if keys[t] in shared]  # type: ignore[index]
            for start, end in _ranges(kept):
                if k > 1:
                    for t in range(start, end):
                        key = keys[t]
                        if key in frequent:
                            continue
                        c = columns[t]
                        node = (c, readings[c][w])
                        nodes = singles.setdefault(key, {})
                        nodes[node] = nodes.get(node, 0) | bit
                for p in range(start, end - k + 1):
                    occurrence = (columns[p], columns[p + k - 1])
                    places = shingles.setdefault(tuple(keys[p : p + k]), {})
                    places[occurrence] = places.get(occurrence, 0) | bit

    # --- freeness ---------------------------------------------------------------------------

    def free(self, w: int, t: int, other: int) -> bool:
        """Whether token *t* of *w* is unmatched to witness *other* (no shared reading)."""
        pattern = self.readings[self.where[w][t]]
        return pattern[other] is None or pattern[other] != pattern[w]

    def reach(self, x: int, span_x: tuple[int, int], y: int, span_y: tuple[int, int]) -> int:
        """1 + the tokens lying between the two places (the larger count of *x* and *y*)."""
        lo, hi = (span_x[1], span_y[0]) if span_x < span_y else (span_y[1], span_x[0])
        between = 0
        if hi > lo:
            for w in (x, y):
                columns = self.where[w]
                between = max(between, bisect.bisect_left(columns, hi)
                              - bisect.bisect_left(columns, lo))
        return 1 + between

    # --- general moves ----------------------------------------------------------------------

    def moves(self) -> list[Candidate]:
        """Candidate moves: (x, its pieces, y, its pieces), x < y, longest first."""
        seeds: dict[tuple[int, int], set[tuple[int, int]]] = {}
        cells = self.cells
        for places in self.shingles.values():
            if not 2 <= len(places) <= MAX_PLACES:
                continue  # in one place, or a refrain: no evidence of a move
            items = sorted(places.items())
            for b, ((b0, b1), mask_b) in enumerate(items):
                tried = 0
                for a in _nearest(len(items), b):
                    (a0, a1), mask_a = items[a]
                    if not (a1 < b0 or b1 < a0):
                        continue  # overlapping columns: one place
                    only_a, only_b = mask_a & ~mask_b, mask_b & ~mask_a
                    if not only_a or not only_b:
                        continue
                    x, y = _lowest(only_a), _lowest(only_b)
                    px, py = cells[x][a0], cells[y][b0]
                    assert px is not None and py is not None
                    if x < y:
                        seeds.setdefault((x, y), set()).add((py, px))
                    else:
                        seeds.setdefault((y, x), set()).add((px, py))
                    tried += 1
                    if tried == self.max_candidates:
                        break
        found = []
        for (x, y), pair_seeds in sorted(seeds.items()):
            for move in self._pair_moves(x, y, sorted(pair_seeds)):
                found.append((x, move[0], y, move[1]))
        found.sort(key=lambda m: -(m[1][-1][1] - m[1][0][0]))  # longest first, stable
        return found

    def _pair_moves(
        self, x: int, y: int, seeds: list[tuple[int, int]]
    ) -> list[tuple[list[tuple[int, int]], list[tuple[int, int]]]]:
        """Blocks between *x* and *y* from *seeds* ((y token, x token), sorted)."""
        kx, ky = self.witnesses[x], self.witnesses[y]
        used_x: set[int] = set()
        used_y: set[int] = set()
        pieces: list[Piece] = []
        k = self.k
        for py, group in itertools.groupby(seeds, key=operator.itemgetter(0)):
            if py in used_y:
                continue
            best_n, best_px, best_py = 0, -1, -1
            for _, px in group:
                if px in used_x:
                    continue
                # the seed may lie inside the block (its first shingles may be common)
                back = 0
                while (
                    px - back > 0 and py - back > 0 and kx[px - back - 1] == ky[py - back - 1]
                    and px - back - 1 not in used_x and py - back - 1 not in used_y
                    and self.free(x, px - back - 1, y) and self.free(y, py - back - 1, x)
                ):
                    back += 1
                n = 0
                while (
                    px + n < len(kx) and py + n < len(ky) and kx[px + n] == ky[py + n]
                    and px + n not in used_x and py + n not in used_y
                    and self.free(x, px + n, y) and self.free(y, py + n, x)
                ):
                    n += 1
                if back + n > best_n:
                    best_n, best_px, best_py = back + n, px - back, py - back
            py = best_py
            if best_n >= k:
                span_x = (self.where[x][best_px], self.where[x][best_px + best_n - 1])
                span_y = (self.where[y][py], self.where[y][py + best_n - 1])
                if span_x[1] < span_y[0] or span_y[1] < span_x[0]:  # two places, not one
                    pieces.append((best_px, best_px + best_n, py, py + best_n))
                    used_x.update(range(best_px, best_px + best_n))
                    used_y.update(range(py, py + best_n))
        pieces.sort(key=operator.itemgetter(2))
        return self._join(x, y, pieces, used_x)

    def _join(
        self, x: int, y: int, pieces: list[Piece], used_x: set[int]
    ) -> list[tuple[list[tuple[int, int]], list[tuple[int, int]]]]:
        """Join pieces continuing each other on both sides across small edits."""
        kx, ky = self.witnesses[x], self.witnesses[y]
        longest = self.max_gap + self.k - 1
        moves: list[tuple[list[tuple[int, int]], list[tuple[int, int]]]] = []
        for a0, a1, b0, b1 in pieces:
            if moves:
                xs, ys = moves[-1]
                p1, q1 = xs[-1][1], ys[-1][1]
                gap_a, gap_b = a0 - p1, b0 - q1
                if (
                    0 <= gap_a <= longest and 0 <= gap_b <= longest
                    and all(t not in used_x and self.free(x, t, y) for t in range(p1, a0))
                    and all(self.free(y, t, x) for t in range(q1, b0))
                    and max(gap_a, gap_b) - _common(kx[p1:a0], ky[q1:b0]) <= self.max_gap
                ):
                    used_x.update(range(p1, a0))
                    xs.append((a0, a1))
                    ys.append((b0, b1))
                    continue
            moves.append(([(a0, a1)], [(b0, b1)]))
        return moves

    # --- short swaps ------------------------------------------------------------------------

    def swaps(self, pivot_limit: int) -> list[tuple[Candidate, Swap]]:
        """Adjacent swaps: Y (shorter than ``k``) just before a matched X (at most
        *pivot_limit* tokens) in one witness, just after it in another."""
        found: list[tuple[Candidate, Swap]] = []
        seen: set[tuple[int, ...]] = set()
        for places in self.singles.values():
            if len(places) < 2:
                continue
            items = sorted(places.items(), key=lambda item: item[0][0])
            for b, ((c_b, _), mask_b) in enumerate(items):
                for a in range(b - 1, max(-1, b - 1 - self.max_candidates), -1):
                    (c_a, _), mask_a = items[a]
                    if c_b - c_a > _SWAP_COLUMNS:
                        break
                    if c_a == c_b:
                        continue
                    only_a, only_b = mask_a & ~mask_b, mask_b & ~mask_a
                    if not only_a or not only_b:
                        continue
                    early, late = _lowest(only_a), _lowest(only_b)
                    te, tl = self.cells[early][c_a], self.cells[late][c_b]
                    assert te is not None and tl is not None
                    swap = self._swap_at(early, te, late, tl, pivot_limit)
                    if swap is None or (early, late, *swap) in seen:
                        continue
                    seen.add((early, late, *swap))
                    e0, e1, l0, l1, m = swap
                    info: Swap = (early, (e0, e1), late, (l0, l1),
                                  self.witnesses[early][e1 : e1 + m])
                    if early < late:
                        found.append(((early, [(e0, e1)], late, [(l0, l1)]), info))
                    else:
                        found.append(((late, [(l0, l1)], early, [(e0, e1)]), info))
        return found

    def _swap_at(
        self, e: int, te: int, late: int, tl: int, pivot_limit: int
    ) -> tuple[int, int, int, int, int] | None:
        """The swap through token *te* of *e* (Y before X) and *tl* of *late* (Y after X), as
        (Y's range in e, Y's range in late, X's length), or None."""
        ke, kl, k = self.witnesses[e], self.witnesses[late], self.k
        # Y in e ends where X starts: the first token from te on that is matched to l
        b1 = te
        while b1 < len(ke) and self.free(e, b1, late):
            b1 += 1
            if b1 - te >= k:
                return None
        if b1 == len(ke):
            return None
        # X: e's tokens from b1 matched one by one to consecutive tokens of l
        first = self.cells[late][self.where[e][b1]]
        if first is None:
            return None
        m = 0
        while (
            b1 + m < len(ke) and first + m < len(kl)
            and self.where[e][b1 + m] == self.where[late][first + m]
            and not self.free(e, b1 + m, late)
        ):
            m += 1
            if m > pivot_limit:
                return None
        a0 = first + m  # Y in late starts right after X
        if m == 0 or a0 >= len(kl) or not self.free(late, a0, e):
            return None
        # the longest Y (under k tokens) ending at b1 in e, starting at a0 in late, whose
        # stretch holds the seed, and around which the two texts agree: a clean inversion
        # "X Y" / "Y X" (else Y is part of a wider rearrangement, a chiasmus)
        for length in range(min(k - 1, b1, len(kl) - a0), 0, -1):
            if te - (b1 - length) != tl - a0 or tl - a0 < 0:
                continue
            if all(
                ke[b1 - length + q] == kl[a0 + q]
                and self.free(e, b1 - length + q, late) and self.free(late, a0 + q, e)
                for q in range(length)
            ) and self._inversion(e, b1 - length, b1, m, late, first, a0 + length):
                return (b1 - length, b1, a0, a0 + length, m)
        return None

    def _inversion(self, e: int, y0: int, y1: int, m: int, late: int, x0: int, y_end: int
                   ) -> bool:
        """Whether Y (``e[y0:y1]``, ``late[x0 + m:y_end]``) and the pivot X (``e[y1:y1 + m]``,
        ``late[x0:x0 + m]``) are a clean inversion: what stands around ``Y X`` / ``X Y`` is
        matched (or a text's end); or a swap around a pivot of at most ``SWAP_AROUND`` tokens:
        ``Y X Q`` / ``Q X Y`` with Q a short block, free and equal on both sides, and matched
        text around that."""
        if self._matched(e, y0 - 1, late, x0 - 1) and self._matched(e, y1 + m, late, y_end):
            return True
        if m > SWAP_AROUND:
            return False
        ke, kl = self.witnesses[e], self.witnesses[late]
        for q in range(1, self.k):
            q0 = y1 + m  # Q in e after the pivot, in late before it
            if q0 + q > len(ke) or x0 - q < 0:
                return False
            if not all(
                ke[q0 + i] == kl[x0 - q + i]
                and self.free(e, q0 + i, late) and self.free(late, x0 - q + i, e)
                for i in range(q)
            ):
                continue
            if (self._matched(e, y0 - 1, late, x0 - q - 1)
                    and self._matched(e, q0 + q, late, y_end)):
                return True
        return False

    def _matched(self, e: int, i: int, late: int, j: int) -> bool:
        """Whether token *i* of *e* and *j* of *late* are matched, or both lie past the same
        end of their texts."""
        len_e, len_l = len(self.witnesses[e]), len(self.witnesses[late])
        if i < 0 or j < 0:
            return i < 0 and j < 0
        if i >= len_e or j >= len_l:
            return i >= len_e and j >= len_l
        return self.where[e][i] == self.where[late][j] and not self.free(e, i, late)


def _nearest(count: int, index: int) -> itertools.chain[int]:
    """The indices of ``range(count)`` other than *index*, nearest first (left on ties)."""
    left = range(index - 1, -1, -1)
    right = range(index + 1, count)
    merged = itertools.chain.from_iterable(itertools.zip_longest(left, right))
    return itertools.chain(i for i in merged if i is not None)
