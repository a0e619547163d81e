"""Transpositions: blocks of text that two witnesses share but in different places.

:class:`Transposition` is the record; :func:`transpositions` finds them in a pairwise diff as
the multi-witness search (:mod:`collatio.align.moves`, with its chance guard) does in a table.

A moved block shows up in a diff as a deletion in one place and an insertion of the same
tokens elsewhere. :func:`find_moves` is the raw pairing of two witnesses' unmatched ranges,
without the chance guard: the unmatched runs of *a* are indexed by
their k-token shingles (k = ``min_length``), each unmatched run of *b* is scanned left to right,
every shingle found is extended forward over equal, still unpaired, unmatched tokens, and the
longest extension (the earliest on ties) is accepted when it reaches ``min_length`` tokens.
Each token is paired at most once, so a block is reported once. A block moved *and* edited
comes out in exact pieces; pieces that follow each other on both sides are joined into one
move when what lies between them differs by at most ``max_gap`` tokens on each side (tokens
the two gaps share in order, fewer than a piece, do not count), so the two ranges of a move
may differ in length.

Repetitive text cannot make this blow up: at most ``max_candidates`` unpaired occurrences of a
shingle are tried for each position of *b*, so the cost stays O(unmatched tokens x
max_candidates x block length).
"""

from __future__ import annotations

import bisect
from collections.abc import Hashable, Sequence

import attrs

from collatio.align.pairwise import Opcode

__all__ = ["Transposition", "find_moves", "transpositions"]

MIN_LENGTH = 3
MAX_CANDIDATES = 16
MAX_GAP = 3


def _non_negative(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if value < 0:
        raise ValueError(f"{attribute.name} must be >= 0, got {value}")


@attrs.frozen(slots=True)
class Transposition:
    """Tokens ``[a_start, a_end)`` of witness *witness_a* reappear, moved, as ``[b_start, b_end)``
    of witness *witness_b* (``witness_a < witness_b``). The ranges start and end with equal
    tokens; inside, a moved block may carry small edits.

    >>> Transposition(0, 4, 7, 1, 0, 3)
    Transposition(witness_a=0, a_start=4, a_end=7, witness_b=1, b_start=0, b_end=3)
    """

    witness_a: int = attrs.field(validator=_non_negative)
    a_start: int = attrs.field(validator=_non_negative)
    a_end: int
    witness_b: int
    b_start: int = attrs.field(validator=_non_negative)
    b_end: int

    def __attrs_post_init__(self) -> None:
        if self.witness_b <= self.witness_a:
            raise ValueError(f"witness_a must come before witness_b: {self!r}")
        if self.a_end <= self.a_start or self.b_end <= self.b_start:
            raise ValueError(f"ranges must not be empty: {self!r}")


def transpositions(
    a: Sequence[Hashable],
    b: Sequence[Hashable],
    opcodes: Sequence[Opcode],
    *,
    min_length: int = MIN_LENGTH,
    max_gap: int = MAX_GAP,
    max_candidates: int = MAX_CANDIDATES,
) -> tuple[Transposition, ...]:
    """Blocks that the diff *opcodes* of *a*, *b* shows as moved: at least *min_length* tokens
    (or an adjacent swap of shorter ones), each more than a phrase recurring by chance (as
    :func:`collatio.align.align` reports them; see :mod:`collatio.align.moves`).

    >>> from collatio.align.pairwise import diff
    >>> a = "one two three four five six seven".split()
    >>> b = "five six seven one two three four".split()
    >>> transpositions(a, b, diff(a, b))
    (Transposition(witness_a=0, a_start=4, a_end=7, witness_b=1, b_start=0, b_end=3),)
    """
    from collatio.align.moves import table_moves  # moves builds on this module

    row_a: list[int | None] = []
    row_b: list[int | None] = []
    readings: list[tuple[int | None, ...]] = []
    for op in opcodes:
        if op.tag == "equal":
            row_a.extend(range(op.a_start, op.a_end))
            row_b.extend(range(op.b_start, op.b_end))
            readings.extend([(0, 0)] * (op.a_end - op.a_start))
            continue
        row_a.extend([*range(op.a_start, op.a_end), *[None] * (op.b_end - op.b_start)])
        row_b.extend([*[None] * (op.a_end - op.a_start), *range(op.b_start, op.b_end)])
        readings.extend([(0, None)] * (op.a_end - op.a_start))
        readings.extend([(None, 0)] * (op.b_end - op.b_start))
    where = [[c for c, t in enumerate(row) if t is not None] for row in (row_a, row_b)]
    return table_moves([a, b], [row_a, row_b], readings, where, min_length=min_length,
                       max_gap=max_gap, max_candidates=max_candidates)


def find_moves(
    a: Sequence[Hashable],
    free_a: Sequence[tuple[int, int]],
    b: Sequence[Hashable],
    free_b: Sequence[tuple[int, int]],
    min_length: int = MIN_LENGTH,
    max_gap: int = MAX_GAP,
    max_candidates: int = MAX_CANDIDATES,
) -> list[tuple[int, int, int, int]]:
    """Moved blocks ``(a_start, a_end, b_start, b_end)`` between unmatched ranges of *a* and *b*.

    *free_a* and *free_b* are the half-open ranges an alignment left unmatched (ordered, not
    overlapping). The result is ordered by ``b_start``.

    >>> find_moves("xyzabc", [(0, 3)], "abcxyz", [(3, 6)])
    [(0, 3, 3, 6)]
    >>> find_moves("abcdefg", [(0, 7)], "..abcXefg", [(2, 9)])  # one edit inside the block
    [(0, 7, 2, 9)]
    """
    if min_length < 1:
        raise ValueError(f"min_length must be >= 1, got {min_length}")
    if max_candidates < 1 or max_gap < 0:
        raise ValueError("max_candidates must be >= 1 and max_gap >= 0")
    k = min_length
    unmatched_a = bytearray(len(a))  # 1 = left unmatched by the alignment
    for start, end in free_a:
        unmatched_a[start:end] = b"\x01" * (end - start)
    free = bytearray(unmatched_a)  # 1 = unmatched and not yet part of a move
    shingles: dict[tuple[Hashable, ...], list[int]] = {}
    for start, end in free_a:
        for p in range(start, end - k + 1):
            shingles.setdefault(tuple(a[p : p + k]), []).append(p)
    cursor: dict[tuple[Hashable, ...], int] = {}  # first index in a shingle list still unpaired
    pieces: list[tuple[int, int, int, int]] = []
    for start, end in free_b:
        q = start
        while q + k <= end:
            shingle = tuple(b[q : q + k])
            best_n, best_p = 0, -1
            candidates = shingles.get(shingle)
            if candidates:
                c = cursor.get(shingle, 0)
                while c < len(candidates) and not free[candidates[c]]:
                    c += 1  # paired occurrences at the front are skipped for good
                cursor[shingle] = c
                tried = 0
                for p in candidates[c:]:
                    if not free[p]:
                        continue
                    n = 0
                    while q + n < end and p + n < len(a) and free[p + n] and a[p + n] == b[q + n]:
                        n += 1
                    if n > best_n:
                        best_n, best_p = n, p
                    tried += 1
                    if tried == max_candidates:
                        break
            if best_n >= k:
                pieces.append((best_p, best_p + best_n, q, q + best_n))
                free[best_p : best_p + best_n] = bytes(best_n)
                q += best_n
            else:
                q += 1
    return _join(a, b, pieces, free, k, max_gap, free_b)


def _join(
    a: Sequence[Hashable],
    b: Sequence[Hashable],
    pieces: list[tuple[int, int, int, int]],
    free: bytearray,
    k: int,
    max_gap: int,
    free_b: Sequence[tuple[int, int]],
) -> list[tuple[int, int, int, int]]:
    """Join pieces that continue each other on both sides across small unmatched gaps."""
    run_end = {}  # b position -> end of its unmatched range, for the pieces' starts
    for start, end in free_b:
        run_end[start] = end
    starts = sorted(run_end)
    moves: list[tuple[int, int, int, int]] = []
    for a0, a1, b0, b1 in pieces:
        if moves:
            p0, p1, q0, q1 = moves[-1]
            gap_a, gap_b = a0 - p1, b0 - q1
            same_b_range = run_end[starts[bisect.bisect_right(starts, q0) - 1]] >= b1
            # a common run as long as a piece would have been one: the gaps stay short
            longest = max_gap + k - 1
            if (
                0 <= gap_a <= longest
                and 0 <= gap_b <= longest
                and same_b_range
                and all(free[p1:a0])  # the a-side gap is unmatched and in no other move
                and max(gap_a, gap_b) - _common(a[p1:a0], b[q1:b0]) <= max_gap
            ):
                free[p1:a0] = bytes(gap_a)
                moves[-1] = (p0, a1, q0, b1)
                continue
        moves.append((a0, a1, b0, b1))
    return moves


def _common(x: Sequence[Hashable], y: Sequence[Hashable]) -> int:
    """Length of a longest common subsequence of two short sequences.

    >>> _common("but through fou".split(), "through fou him".split())
    2
    """
    row = [0] * (len(y) + 1)
    for item in x:
        diagonal = 0
        for j, other in enumerate(y, 1):
            diagonal, row[j] = row[j], diagonal + 1 if item == other else max(row[j], row[j - 1])
    return row[-1]
