"""Exact token-level diff of two key sequences, reported as difflib-style opcodes.

``diff(a, b)`` compares two sequences of comparison keys (normalized token strings, or any
hashable values) and returns :class:`Opcode` values with these invariants:

* **Cover.** The opcodes tile both sequences in order: the first starts at ``(0, 0)``, each
  starts where the previous one ended, the last ends at ``(len(a), len(b))``; no two neighbours
  share a tag, and ``delete`` + ``insert`` at the same place is one ``replace``.
* **Exact.** ``equal`` opcodes have equal lengths and ``a[i1:i2] == b[j1:j2]``; a ``replace``
  never hides a match (no key occurs on both of its sides).
* **Minimal.** The matched tokens are a longest common subsequence whenever no anchoring was
  needed (after stripping the common prefix and suffix, at most ``EXACT_LIMIT`` tokens remain).
  Longer inputs are first cut at anchors (below) and are minimal between anchors.
* **Canonical.** Among equally long alignments the one that matches tokens as *late* as
  possible is chosen (latest in *b* first, then in *a*): gaps move left through repeated text,
  so ``"a b a"`` against ``"a"`` keeps the last ``a``, and ``"a b"`` against ``"b a"`` matches
  ``a``. This holds exactly inside every *cluster* (a stretch of edits separated by matched
  runs shorter than ``SOLID_RUN`` tokens) of at most ``CLUSTER_CELLS`` cells; matched runs of
  ``SOLID_RUN`` or more tokens are those of the underlying exact diff, and one-sided gaps next
  to them are slid left as far as the repetition allows.
* **Deterministic.** The result depends only on key equality, never on hashing or set order.

Method. Each key shared by ``a`` and ``b`` is mapped to one code point (from U+0102 upward,
skipping the surrogates; U+0100 and U+0101 stand for every key found in only one sequence,
since such keys can never match). The two strings are diffed with diff-match-patch's Myers
implementation with its timeout off (the C++ ``fast_diff_match_patch`` if importable, else the
pure-Python ``diff_match_patch``), which is exact. Myers costs O((N+M)·D), so inputs longer
than ``EXACT_LIMIT`` are first anchored as in patience diff: keys (or, failing that, k-grams)
that occur exactly once in each sequence, kept in the longest order-preserving chain (longest
increasing subsequence), split the problem into independent gaps, each diffed the same way
(a gap longer than ``GAP_LIMIT`` is anchored again on what is unique inside it).
Clusters whose matching is ambiguous are then re-solved by a small dynamic programme that
picks the latest-matching LCS, and one-sided gaps are slid left through repeats.

More than ``CAPACITY`` (1,111,806) distinct keys *shared by both sequences* cannot be encoded
and raise :class:`~collatio.errors.CollationError`; keys present in only one sequence do not
count against that limit.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections import Counter
from collections.abc import Callable, Hashable, Iterator, Sequence
from typing import Literal, TypeAlias

import attrs

from collatio.errors import CollationError

try:  # The C++ port: same algorithm, ~70x faster. Pure Python is the fallback.
    import fast_diff_match_patch as _fast_dmp
except ImportError:  # pragma: no cover - depends on the installation
    _fast_dmp = None

__all__ = ["CAPACITY", "EXACT_LIMIT", "Opcode", "Tag", "diff"]

Tag: TypeAlias = Literal["equal", "delete", "insert", "replace"]
Run: TypeAlias = tuple[int, int, int]
"""A matched run ``(a_start, b_start, length)``: ``a[a_start + k] == b[b_start + k]``."""

TAGS: tuple[Tag, ...] = ("equal", "delete", "insert", "replace")

_ONLY_A = "\u0100"  # every key that occurs in a but not in b
_ONLY_B = "\u0101"  # every key that occurs in b but not in a
_FIRST_SHARED = 0x102
_SURROGATES = 0x800
CAPACITY = 0x110000 - _FIRST_SHARED - _SURROGATES
"""How many distinct shared keys one diff can encode."""

EXACT_LIMIT = 60_000
"""Tokens (both sides together) above which an input is anchored before Myers runs on it."""
GAP_LIMIT = 20_000
"""Once an input is anchored, gaps between anchors longer than this are anchored in turn."""
SOLID_RUN = 3
"""Matched runs at least this long delimit clusters and are kept as the exact diff found them."""
CLUSTER_CELLS = 40_000
"""Largest cluster (a tokens x b tokens) that is re-solved for the canonical tie-break."""
_ANCHOR_DEPTH = 6  # anchoring inside anchored gaps stops here; deeper gaps go to Myers directly
_NGRAMS = (2, 4, 8)  # tried in turn when a long gap has no key unique on both sides


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


def diff(a: Sequence[Hashable], b: Sequence[Hashable]) -> tuple[Opcode, ...]:
    """Opcodes turning *a* into *b*, token by token (see the module docstring for invariants).

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
    return opcodes(canonical_runs(a, b), len(a), len(b))


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


def canonical_runs(a: Sequence[Hashable], b: Sequence[Hashable]) -> list[Run]:
    """Matched runs of the canonical alignment of *a* and *b* (what :func:`diff` reports)."""
    runs = exact_runs(a, b)
    clusters = ambiguous_clusters(a, b, runs)
    if clusters:
        rebuilt: list[Run] = []
        done = 0
        for lo, hi, a0, a1, b0, b1 in clusters:
            rebuilt.extend(runs[done:lo])
            rebuilt.extend((a0 + i, b0 + j, n) for i, j, n in latest_lcs(a[a0:a1], b[b0:b1]))
            done = hi
        rebuilt.extend(runs[done:])
        runs = rebuilt
    return slide_gaps(a, b, runs)


def latest_lcs(a: Sequence[Hashable], b: Sequence[Hashable]) -> list[Run]:
    """A longest common subsequence of *a* and *b*, matching every token as late as possible.

    Plain O(len(a)·len(b)) dynamic programming, backtracked from the end: equal last tokens are
    matched (always safe); otherwise the last token of *a* is dropped unless that shortens the
    result. So ties leave *a*'s later tokens unmatched and match *b*'s latest tokens.

    >>> latest_lcs("ab", "ba")
    [(0, 1, 1)]
    >>> latest_lcs("aa", "a")
    [(1, 0, 1)]
    """
    n, m = len(a), len(b)
    table = [[0] * (m + 1)]
    for i in range(n):
        above, row, ai = table[-1], [0], a[i]
        for j in range(m):
            row.append(above[j] + 1 if ai == b[j] else max(above[j + 1], row[j]))
        table.append(row)
    matches: list[Run] = []
    i, j = n, m
    while i and j:
        if a[i - 1] == b[j - 1]:
            i, j = i - 1, j - 1
            matches.append((i, j, 1))
        elif table[i - 1][j] >= table[i][j - 1]:
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
) -> list[Cluster]:
    """Clusters of *runs* whose matching is not forced and that are small enough to re-solve.

    A cluster is the stretch between two solid runs (at least ``SOLID_RUN`` long; the sequence
    ends count as solid) that holds at least one shorter run. Its matching is forced, and the
    cluster skipped, when no unmatched token has an equal key on the other side of the cluster:
    then every LCS of the cluster pairs the same tokens.
    """
    clusters: list[Cluster] = []
    bounds = [-1, *(k for k, run in enumerate(runs) if run[2] >= SOLID_RUN), len(runs)]
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


# --- exact runs: encoding, anchoring, Myers ----------------------------------------------------


def exact_runs(a: Sequence[Hashable], b: Sequence[Hashable]) -> list[Run]:
    """Matched runs of an exact diff of *a* and *b* (no tie-breaking applied yet)."""
    text_a, text_b = encode(a, b)
    out: list[Run] = []
    _anchored(text_a, text_b, 0, 0, 0, out)
    return merge_runs(out)


def encode(a: Sequence[Hashable], b: Sequence[Hashable]) -> tuple[str, str]:
    """*a* and *b* as strings with one character per token and equal characters for equal keys.

    Keys found in only one sequence all become one sentinel character per side.

    >>> encode(["x", "y", "x"], ["y", "z"])
    ('ĀĂĀ', 'Ăā')
    """
    shared = set(a).intersection(b)
    if len(shared) > CAPACITY:
        raise CollationError(
            f"{len(shared):,} distinct tokens occur in both sequences; "
            f"one diff can encode at most {CAPACITY:,}"
        )
    # Code points are assigned in first-occurrence order so the strings do not depend on
    # the hash seed (the diff would not either: it compares characters only for equality).
    first_seen = (key for key in dict.fromkeys(b) if key in shared)
    codes = {key: _code_point(k) for k, key in enumerate(first_seen)}
    return (
        "".join(map(codes.get, a, itertools.repeat(_ONLY_A))),
        "".join(map(codes.get, b, itertools.repeat(_ONLY_B))),
    )


def _code_point(index: int) -> str:
    cp = _FIRST_SHARED + index
    return chr(cp + _SURROGATES if cp >= 0xD800 else cp)


def _anchored(ta: str, tb: str, a0: int, b0: int, depth: int, out: list[Run]) -> None:
    """Append to *out* the runs of *ta* vs *tb* (offset by *a0*, *b0*), anchoring if long."""
    prefix = _common_prefix(ta, tb)
    if prefix:
        out.append((a0, b0, prefix))
        ta, tb, a0, b0 = ta[prefix:], tb[prefix:], a0 + prefix, b0 + prefix
    suffix = _common_suffix(ta, tb)
    if suffix:
        ta, tb = ta[: len(ta) - suffix], tb[: len(tb) - suffix]
    if ta and tb:
        anchors: list[Run] = []
        if len(ta) + len(tb) > (GAP_LIMIT if depth else EXACT_LIMIT) and depth < _ANCHOR_DEPTH:
            anchors = _anchors(ta, tb)
        if anchors:
            i = j = 0
            for ai, bj, n in [*anchors, (len(ta), len(tb), 0)]:
                _anchored(ta[i:ai], tb[j:bj], a0 + i, b0 + j, depth + 1, out)
                if n:
                    out.append((a0 + ai, b0 + bj, n))
                i, j = ai + n, bj + n
        else:
            _myers(ta, tb, a0, b0, out)
    if suffix:
        out.append((a0 + len(ta), b0 + len(tb), suffix))


def _anchors(ta: str, tb: str) -> list[Run]:
    """Order-preserving matches of substrings unique in both *ta* and *tb* (patience diff)."""
    for k in (1, *_NGRAMS):
        if k == 1:
            count_a, count_b = Counter(ta), Counter(tb)
        else:
            count_a = Counter([ta[i : i + k] for i in range(len(ta) - k + 1)])
            count_b = Counter([tb[i : i + k] for i in range(len(tb) - k + 1)])
        unique = {
            s
            for s, c in count_a.items()
            if c == 1 and count_b.get(s) == 1 and _ONLY_A not in s and _ONLY_B not in s
        }
        if not unique:
            continue
        if k == 1:  # found by the regex engine: a Python loop over every token costs more
            finder = re.compile(f"[{''.join(map(re.escape, sorted(unique)))}]")
            where_b = {m.group(): m.start() for m in finder.finditer(tb)}
            pairs = [(m.start(), where_b[m.group()]) for m in finder.finditer(ta)]
        else:
            where_b = {tb[j : j + k]: j for j in range(len(tb) - k + 1) if tb[j : j + k] in unique}
            pairs = [
                (i, where_b[ta[i : i + k]])
                for i in range(len(ta) - k + 1)
                if ta[i : i + k] in unique
            ]
        chain = _longest_increasing([j for _, j in pairs])
        anchors: list[Run] = []
        for i, j in (pairs[c] for c in chain):
            if not anchors or (i >= anchors[-1][0] + k and j >= anchors[-1][1] + k):
                anchors.append((i, j, k))  # overlapping k-grams would double-count tokens
        return anchors
    return []


def _longest_increasing(values: Sequence[int]) -> list[int]:
    """Indices of a longest strictly increasing subsequence of *values* (patience sorting).

    >>> _longest_increasing([3, 1, 2, 5, 4])
    [1, 2, 4]
    """
    tails: list[int] = []  # tails[L] = value ending the best chain of length L + 1
    tail_index: list[int] = []
    back = [-1] * len(values)
    for k, v in enumerate(values):
        pos = bisect.bisect_left(tails, v)
        if pos:
            back[k] = tail_index[pos - 1]
        if pos == len(tails):
            tails.append(v)
            tail_index.append(k)
        else:
            tails[pos], tail_index[pos] = v, k
    chain: list[int] = []
    k = tail_index[-1] if tail_index else -1
    while k >= 0:
        chain.append(k)
        k = back[k]
    return chain[::-1]


def _common_prefix(x: str, y: str) -> int:
    """Length of the common prefix (binary search on slices: C speed)."""
    lo, hi = 0, min(len(x), len(y))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if x[lo:mid] == y[lo:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _common_suffix(x: str, y: str) -> int:
    """Length of the common suffix."""
    lo, hi = 0, min(len(x), len(y))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if x[len(x) - mid : len(x) - lo] == y[len(y) - mid : len(y) - lo]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _myers(ta: str, tb: str, a0: int, b0: int, out: list[Run]) -> None:
    """Append the runs of an exact (never time-limited) Myers diff of *ta* and *tb*."""
    i, j = a0, b0
    for op, n in _dmp_counts(ta, tb):
        if op == "=":
            out.append((i, j, n))
            i, j = i + n, j + n
        elif op == "-":
            i += n
        else:
            j += n


def _slow_dmp_counts(ta: str, tb: str) -> list[tuple[str, int]]:
    from diff_match_patch import diff_match_patch

    engine = diff_match_patch()
    engine.Diff_Timeout = 0  # the default 1 s cut-off returns non-minimal diffs on long texts
    signs = {0: "=", -1: "-", 1: "+"}
    return [(signs[op], len(text)) for op, text in engine.diff_main(ta, tb, False)]


def _fast_dmp_counts(ta: str, tb: str) -> list[tuple[str, int]]:
    assert _fast_dmp is not None
    result: list[tuple[str, int]] = _fast_dmp.diff(
        ta, tb, timelimit=0, checklines=False, cleanup="No", counts_only=True
    )
    return result


_dmp_counts: Callable[[str, str], list[tuple[str, int]]] = (
    _fast_dmp_counts if _fast_dmp is not None else _slow_dmp_counts
)
