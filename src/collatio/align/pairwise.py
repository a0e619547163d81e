"""Token-level diff of two key sequences, reported as difflib-style opcodes.

``diff(a, b)`` compares two sequences of comparison keys (normalized token strings, or any
hashable values) and returns :class:`Opcode` values with these invariants:

* **Cover.** The opcodes tile both sequences in order: the first starts at ``(0, 0)``, each
  starts where the previous one ended, the last ends at ``(len(a), len(b))``; no two neighbours
  share a tag, and ``delete`` + ``insert`` at the same place is one ``replace``.
* **Exact.** ``equal`` opcodes have equal lengths and ``a[i1:i2] == b[j1:j2]``; a ``replace``
  never hides a match (no key occurs on both of its sides).
* **Minimal** on ordinary input: the matched tokens are a longest common subsequence when,
  after stripping the common prefix and suffix, at most ``DIRECT`` tokens remain, or at most
  ``EXACT_LIMIT`` with an edit distance whose square fits ``CALL_MAX`` (about 10,000 edits);
  longer inputs are minimal between anchors; a stretch without any anchor that a windowed
  alignment could not check (repetitive text rewritten and reordered) is valid, not minimal,
  and reported (see :mod:`collatio.align.anchors`, which finds the matched runs).
* **Canonical.** Among equally long alignments the one that matches tokens as *late* as
  possible is chosen (latest in *b* first, then in *a*): gaps move left through repeated text,
  so ``"a b a"`` against ``"a"`` keeps the last ``a``, and ``"a b"`` against ``"b a"`` matches
  ``a``. This holds exactly inside every *cluster* (a stretch of edits separated by matched
  runs shorter than ``SOLID_RUN`` tokens) of at most ``CLUSTER_CELLS`` cells, while the
  clusters' budget (``CLUSTER_PER_TOKEN`` units a token) lasts, which it always does on
  ordinary input; matched runs of ``SOLID_RUN`` or more tokens are those of the underlying
  diff, and one-sided gaps next to them are slid left as far as the repetition allows.
* **Deterministic.** The result depends only on key equality, never on hashing or set order.
* **Bounded.** The work is counted against a :class:`~collatio.align.anchors.Budget`: at most
  ``PER_TOKEN`` units a token (plus ``BASE``) for the runs, ``CLUSTER_PER_TOKEN`` for the
  tie-break; no single call into C runs long, so an interrupt acts within a second.

Clusters whose matching is ambiguous are re-solved by a bit-parallel dynamic programme (one
big-integer operation per row) that picks the latest-matching LCS, and one-sided gaps are slid
left through repeats.

More than ``CAPACITY`` (1,111,806) distinct keys *shared by both sequences* cannot be encoded
and raise :class:`~collatio.errors.CollationError`; keys present in only one sequence do not
count against that limit.
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Iterator, Sequence
from typing import Literal, TypeAlias

import attrs

from collatio.align.anchors import (
    CALL_MAX,
    CAPACITY,
    DIRECT,
    EXACT_LIMIT,
    Budget,
    Run,
    Stretch,
    bounded_runs,
    encode,
)

__all__ = [
    "CALL_MAX", "CAPACITY", "DIRECT", "EXACT_LIMIT", "Budget", "Opcode", "Run", "Stretch",
    "Tag", "diff", "encode",
]

Tag: TypeAlias = Literal["equal", "delete", "insert", "replace"]

TAGS: tuple[Tag, ...] = ("equal", "delete", "insert", "replace")

SOLID_RUN = 3
"""Matched runs at least this long delimit clusters and are kept as the diff found them."""
CLUSTER_CELLS = 250_000
"""Largest cluster (a tokens x b tokens) that is re-solved for the canonical tie-break."""
CLUSTER_PER_TOKEN = 64
"""Units (a 64-cell word of the bit-parallel programme, or a step of its backtrack) that the
tie-break of one diff may spend per token."""


@attrs.frozen(slots=True)
class Opcode:
    """``a[a_start:a_end]`` relates to ``b[b_start:b_end]`` as *tag* says (as in difflib).

    >>> op = Opcode("replace", 1, 2, 1, 3)
    >>> tag, i1, i2, j1, j2 = op
    >>> (tag, i2 - i1, j2 - j1)
    ('replace', 1, 2)
    """

    tag: Tag = attrs.field(validator=attrs.validators.in_(TAGS))
    a_start: int
    a_end: int
    b_start: int
    b_end: int

    def __attrs_post_init__(self) -> None:
        len_a, len_b = self.a_end - self.a_start, self.b_end - self.b_start
        if self.a_start < 0 or self.b_start < 0 or len_a < 0 or len_b < 0:
            raise ValueError(f"bad opcode ranges: {self!r}")
        shape_ok = {
            "equal": len_a == len_b > 0,
            "delete": len_a > 0 and len_b == 0,
            "insert": len_a == 0 and len_b > 0,
            "replace": len_a > 0 and len_b > 0,
        }[self.tag]
        if not shape_ok:
            raise ValueError(f"ranges do not fit tag {self.tag!r}: {self!r}")

    def __iter__(self) -> Iterator[str | int]:
        """Unpack like a difflib opcode: ``tag, i1, i2, j1, j2``."""
        return iter((self.tag, self.a_start, self.a_end, self.b_start, self.b_end))


def diff(
    a: Sequence[Hashable], b: Sequence[Hashable], *, budget: Budget | None = None
) -> tuple[Opcode, ...]:
    """Opcodes turning *a* into *b*, token by token (see the module docstring for invariants);
    *budget*, if given, counts the work (default: :meth:`Budget.for_tokens`).

    >>> a = "the cat sat on the mat".split()
    >>> b = "the black cat sat on a mat".split()
    >>> for op in diff(a, b):
    ...     print(op.tag, a[op.a_start:op.a_end], b[op.b_start:op.b_end])
    equal ['the'] ['the']
    insert [] ['black']
    equal ['cat', 'sat', 'on'] ['cat', 'sat', 'on']
    replace ['the'] ['a']
    equal ['mat'] ['mat']

    Repeated text keeps the later occurrence, so the gap comes first:

    >>> [tuple(op) for op in diff("xaya", "xa")]
    [('equal', 0, 1, 0, 1), ('delete', 1, 3, 1, 1), ('equal', 3, 4, 1, 2)]
    """
    return opcodes(canonical_runs(a, b, budget), len(a), len(b))


# --- runs -> opcodes ---------------------------------------------------------------------------


def opcodes(runs: Sequence[Run], len_a: int, len_b: int) -> tuple[Opcode, ...]:
    """The opcodes of matched *runs* (ordered, non-overlapping) over sequences of these lengths."""
    out: list[Opcode] = []
    i = j = 0
    for a0, b0, n in [*runs, (len_a, len_b, 0)]:
        if a0 > i or b0 > j:
            tag: Tag = "replace" if a0 > i and b0 > j else ("delete" if a0 > i else "insert")
            out.append(Opcode(tag, i, a0, j, b0))
        if n:
            if out and out[-1].tag == "equal":  # touching runs from different sources
                prev = out.pop()
                out.append(Opcode("equal", prev.a_start, a0 + n, prev.b_start, b0 + n))
            else:
                out.append(Opcode("equal", a0, a0 + n, b0, b0 + n))
        i, j = a0 + n, b0 + n
    return tuple(out)


def merge_runs(runs: Sequence[Run]) -> list[Run]:
    """*runs* without empty runs, touching runs joined."""
    out: list[Run] = []
    for a0, b0, n in runs:
        if not n:
            continue
        if out and out[-1][0] + out[-1][2] == a0 and out[-1][1] + out[-1][2] == b0:
            out[-1] = (out[-1][0], out[-1][1], out[-1][2] + n)
        else:
            out.append((a0, b0, n))
    return out


# --- canonical runs ----------------------------------------------------------------------------


def canonical_runs(
    a: Sequence[Hashable], b: Sequence[Hashable], budget: Budget | None = None
) -> list[Run]:
    """Matched runs of the canonical alignment of *a* and *b* (what :func:`diff` reports)."""
    runs = exact_runs(a, b, budget)
    clusters = ambiguous_clusters(a, b, runs, allowance=CLUSTER_PER_TOKEN * (len(a) + len(b)))
    if clusters:
        rebuilt: list[Run] = []
        done = 0
        for lo, hi, a0, a1, b0, b1 in clusters:
            rebuilt.extend(runs[done:lo])
            found = latest_lcs(a[a0:a1], b[b0:b1], budget)
            rebuilt.extend((a0 + i, b0 + j, n) for i, j, n in found)
            done = hi
        rebuilt.extend(runs[done:])
        runs = rebuilt
    return slide_gaps(a, b, runs)


def exact_runs(
    a: Sequence[Hashable], b: Sequence[Hashable], budget: Budget | None = None
) -> list[Run]:
    """Matched runs of *a* and *b* before the tie-break (see :mod:`collatio.align.anchors`)."""
    return merge_runs(bounded_runs(a, b, budget)[0])


def latest_lcs(
    a: Sequence[Hashable], b: Sequence[Hashable], budget: Budget | None = None
) -> list[Run]:
    """A longest common subsequence of *a* and *b*, matching every token as late as possible.

    The LCS table, row by row, as bit vectors (Hyyrö's bit-parallel recurrence: one
    big-integer addition per row, so ``len(a) * len(b) / 64`` word operations), backtracked
    from the end: equal last tokens are matched (always safe); otherwise the last token of *a*
    is dropped unless that shortens the result. So ties leave *a*'s later tokens unmatched and
    match *b*'s latest tokens.

    >>> latest_lcs("ab", "ba")
    [(0, 1, 1)]
    >>> latest_lcs("aa", "a")
    [(1, 0, 1)]
    """
    n, m = len(a), len(b)
    if not n or not m:
        return []
    words = (m + 63) // 64
    if budget is not None:
        budget.charge((2 * n + m) * words)
    where: dict[Hashable, int] = {}
    for j, key in enumerate(b):
        where[key] = where.get(key, 0) | 1 << j
    full = (1 << m) - 1
    v = full  # zero bits of row i's vector, among the first j, are L[i][j]
    rows = [v]
    for key in a:
        u = v & where.get(key, 0)
        v = ((v + u) | (v - u)) & full
        rows.append(v)

    def length(i: int, j: int) -> int:
        return j - (rows[i] & ((1 << j) - 1)).bit_count()

    matches: list[Run] = []
    i, j = n, m
    while i and j:
        if a[i - 1] == b[j - 1]:
            i, j = i - 1, j - 1
            matches.append((i, j, 1))
        elif length(i - 1, j) >= length(i, j - 1):
            i -= 1
        else:
            j -= 1
    return merge_runs(matches[::-1])


Cluster: TypeAlias = tuple[int, int, int, int, int, int]
"""``(lo, hi, a0, a1, b0, b1)``: runs[lo:hi] lie inside ``a[a0:a1]`` x ``b[b0:b1]``."""


def ambiguous_clusters(
    a: Sequence[Hashable],
    b: Sequence[Hashable],
    runs: Sequence[Run],
    max_cells: int = CLUSTER_CELLS,
    allowance: int | None = None,
    solid_in_b: bool = False,
) -> list[Cluster]:
    """Clusters of *runs* whose matching is not forced and that are small enough to re-solve.

    A cluster is the stretch between two solid runs (at least ``SOLID_RUN`` long; the sequence
    ends count as solid) that holds at least one shorter run. Its matching is forced, and the
    cluster skipped, when no unmatched token has an equal key on the other side of the cluster:
    then every LCS of the cluster pairs the same tokens. With *allowance*, clusters are taken
    in order while the re-solving work (see :func:`latest_lcs`) stays within it. With
    *solid_in_b* (*a* is a variant graph's order, whose parallel branches interrupt a run),
    runs that follow each other in *b* count together as one solid run.
    """
    clusters: list[Cluster] = []
    solid = [n >= SOLID_RUN for _, _, n in runs]
    if solid_in_b:
        start = 0
        for k in range(1, len(runs) + 1):
            if k == len(runs) or runs[k][1] != runs[k - 1][1] + runs[k - 1][2]:
                if sum(n for _, _, n in runs[start:k]) >= SOLID_RUN:
                    solid[start:k] = [True] * (k - start)
                start = k
    bounds = [-1, *itertools.compress(range(len(runs)), solid), len(runs)]
    for left, right in itertools.pairwise(bounds):
        lo, hi = left + 1, right
        if lo == hi:
            continue
        a0 = runs[left][0] + runs[left][2] if left >= 0 else 0
        b0 = runs[left][1] + runs[left][2] if left >= 0 else 0
        a1 = runs[right][0] if right < len(runs) else len(a)
        b1 = runs[right][1] if right < len(runs) else len(b)
        if (a1 - a0) * (b1 - b0) > max_cells:
            continue
        cost = (2 * (a1 - a0) + b1 - b0) * ((b1 - b0 + 63) // 64)
        if allowance is not None and cost > allowance:
            continue
        free_a: list[Hashable] = []
        free_b: list[Hashable] = []
        i, j = a0, b0
        for ra, rb, n in runs[lo:hi]:
            free_a.extend(a[i:ra])
            free_b.extend(b[j:rb])
            i, j = ra + n, rb + n
        free_a.extend(a[i:a1])
        free_b.extend(b[j:b1])
        if not set(free_a).isdisjoint(b[b0:b1]) or not set(free_b).isdisjoint(a[a0:a1]):
            clusters.append((lo, hi, a0, a1, b0, b1))
            if allowance is not None:
                allowance -= cost
    return clusters


def slide_gaps(a: Sequence[Hashable], b: Sequence[Hashable], runs: Sequence[Run]) -> list[Run]:
    """*runs* with every one-sided gap moved left as far as the preceding run repeats it.

    A gap in *a* alone after a run can move left by ``k`` when the run's last ``k`` tokens equal
    the gap's last ``k``: the same tokens are then matched later. Likewise for *b*.

    >>> slide_gaps("abab", "ab", [(0, 0, 2)])
    [(2, 0, 2)]
    """
    out: list[Run] = []
    for a0, b0, n in [*merge_runs(runs), (len(a), len(b), 0)]:
        if out:
            pa, pb, pn = out[-1]
            gap_a, gap_b = a0 - (pa + pn), b0 - (pb + pn)
            if (gap_a > 0) != (gap_b > 0):
                seq, end, gap = (a, pa + pn, gap_a) if gap_a else (b, pb + pn, gap_b)
                k = 0
                while k < pn and seq[end - 1 - k] == seq[end + gap - 1 - k]:
                    k += 1
                if k:
                    out[-1] = (pa, pb, pn - k)
                    out.append((pa + pn - k + gap_a, pb + pn - k + gap_b, k))
        out.append((a0, b0, n))
    return merge_runs(out)


