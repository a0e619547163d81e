"""Matched runs of two key sequences at bounded cost: encoding, anchoring, exact diff, fallback.

:func:`bounded_runs` is the engine under :func:`collatio.align.pairwise.diff` and the variant
graph. Each key shared by *a* and *b* becomes one code point (from U+0102 upward, skipping the
surrogates); U+0100 and U+0101 stand for every key found in only one sequence. The strings go
to diff-match-patch's Myers implementation (the C++ ``fast_diff_match_patch``, or pure-Python
``diff_match_patch``) with its timeout off, which is exact; Myers costs O((N + M) + D^2) on
text (D the edit distance), quadratic in the worst case, so the engine never hands it a
problem whose cost it has not bounded first:

1. **Strip** the common prefix and suffix. A stretch whose two sides **share no key** has no
   match: it costs one linear pass, whatever its length (two texts with no word in common).
   An input made mostly of keys that only one side has (a short witness against a variant
   graph's many branches) is solved on its shared keys alone: the others can never match and
   would only lengthen Myers' edit distance (at 1,000 witnesses, by about three times).
2. A stretch of at most ``DIRECT`` tokens (both sides) is diffed exactly at once; one of at
   most ``PROBED`` tokens is diffed exactly at once when a bit-parallel LCS (bounded by
   ``len(a) * len(b) / 64`` word operations, whatever the distance) shows its edit distance
   D to be at most ``1 / CLOSE`` of its tokens and to keep Myers within the stretch's budget.
3. Else it is **anchored** as in patience diff, at several scales: keys occurring exactly
   once in each side, else k-grams for k in ``NGRAMS`` (2 ... 32), kept in the longest
   order-preserving chain (longest increasing subsequence); the gaps between anchors are
   solved the same way, each on what is unique *inside* it (locally rare anchors), down to
   ``DEPTH`` levels.
4. A stretch with no anchor at any scale first drops the keys that the other side of the
   stretch lacks (they can never match); if nothing drops, a **windowed alignment** gives a
   valid alignment at bounded cost: a longest common subsequence (bit-parallel) of windows of
   ``WINDOW`` tokens a side, sliding along the two texts, each window committing the matches
   of its first half.
5. **Exactness check.** An input of at most ``EXACT_LIMIT`` tokens after stripping (or an
   unanchored stretch) whose cheaper alignment shows an edit distance D small enough (``D^2``
   within its budget and ``CALL_MAX``) is diffed exactly as a whole after all, so it is
   minimal; otherwise the cheaper alignment stands, and a windowed one is reported as an
   *approximation*.

**Cost.** Work is counted in units (a token visited by a linear pass; one cell of the
``D x D`` bound of a Myers call) against a :class:`Budget` of ``PER_TOKEN`` units per token plus
``BASE``: a stretch of *g* tokens may spend at most ``LEAF * g`` units on its diff, and each
token is visited by at most ``DEPTH`` anchoring levels of ``PASSES`` passes and one probe a
level (``PROBE`` units a token at most). No single Myers
call is given more than ``CALL_MAX`` units (a few tenths of a second in C++), so an interrupt
is seen within a second.

**Exactness.** The runs are a longest common subsequence (minimal) when the input after
stripping is at most ``DIRECT`` tokens, or at most ``EXACT_LIMIT`` tokens with an edit
distance D where ``D^2 <= CALL_MAX`` (about 10,000 edits); longer inputs are minimal between
anchors (on ordinary texts, as many matches as the unanchored diff; a stretch between
anchors that a probe finds close is minimal whole); a stretch without any
anchor whose windowed alignment differs too much to be checked (repetitive text rewritten and
reordered) is valid but not minimal, and is reported.
"""

from __future__ import annotations

import bisect
import itertools
import math
import re
from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from typing import TypeAlias

import attrs

from collatio.errors import CollationError

try:  # The C++ port: same algorithm, ~70x faster. Pure Python is the fallback.
    import fast_diff_match_patch as _fast_dmp
except ImportError:  # pragma: no cover - depends on the installation
    _fast_dmp = None

__all__ = [
    "BASE",
    "CALL_MAX",
    "CAPACITY",
    "DIRECT",
    "EXACT_LIMIT",
    "PER_TOKEN",
    "PROBED",
    "WINDOW",
    "Budget",
    "bit_lcs_runs",
    "bounded_runs",
    "encode",
    "encode_chars",
    "encoded_runs",
]

Run: TypeAlias = tuple[int, int, int]
"""A matched run ``(a_start, b_start, length)``: ``a[a_start + k] == b[b_start + k]``."""
Stretch: TypeAlias = tuple[int, int, int, int]
"""``(a_start, a_end, b_start, b_end)``: a stretch aligned by the windowed fallback."""
_Counts: TypeAlias = "tuple[Counter[str], Counter[str]]"

_ONLY_A = "\u0100"  # every key that occurs in a but not in b
_ONLY_B = "\u0101"  # every key that occurs in b but not in a
_SHARED_A = re.compile("[^\u0100]")
_SHARED_B = re.compile("[^\u0101]")
_FIRST_SHARED = 0x102
_SURROGATES = 0x800
CAPACITY = 0x110000 - _FIRST_SHARED - _SURROGATES
"""How many distinct shared keys one diff can encode."""

DIRECT = 2_048
"""Stretches up to this many tokens (both sides) are diffed exactly at once (worst case
``DIRECT^2`` units)."""
PROBED = 16_384
"""Longer stretches, up to this many tokens, are diffed exactly when a bit-parallel LCS
(at most ``PROBED / 256`` units a token) shows their edit distance to be small enough."""
CLOSE = 8
"""A stretch between anchors is probed for an edit distance of at most ``1 / CLOSE`` of its
tokens (ordinary versions between their anchors: a few per cent; a narrower band probes
faster, and a stretch further apart is anchored)."""
EXACT_LIMIT = 60_000
"""Inputs up to this many tokens (after stripping) are checked for an exact diff as a whole."""
CALL_MAX = 100_000_000
"""Most units one Myers call may be given (about a quarter of a second in C++)."""
WINDOW = 384
"""Tokens a side of one window of the fallback alignment."""
DEPTH = 8
"""Anchoring levels at most; deeper stretches go to the fallback."""
PARALLEL_TOKENS = 200_000
"""With workers, an input of at least this many tokens (both sides) has its stretches
between first anchors solved in two processes (forking costs about 0.02 s)."""
NGRAMS = (2, 4, 8, 16, 32)
"""k-gram scales tried when no single key is unique in both sides."""
PASSES = 2 + 2 * (1 + len(NGRAMS))
"""Linear passes one anchoring level may make over a stretch (strip, share check, each scale
counted and matched)."""
LEAF = 8 * WINDOW + 8
"""Units per token a stretch may spend on its diff: enough for the windowed fallback, whose
windows cost ``(2 * WINDOW)^2`` units each and advance ``WINDOW / 2`` tokens or more."""
PROBE = 1 + PROBED // 256
"""Units per token one probe of a stretch of at most ``PROBED`` tokens may cost."""
PER_TOKEN = LEAF + DEPTH * PASSES + 2 * LEAF + (DEPTH + 1) * PROBE
"""Units per token of one diff: the leaf work, the anchoring levels, the exactness check
of an input of ordinary size (its cheaper alignment, then at most as much again), and a
probe at each level."""
BASE = 4 * DIRECT * DIRECT
"""Units any diff may spend, however short."""


@attrs.define
class Budget:
    """Work units a diff may spend (``limit``) and has spent; see the module docstring.

    >>> Budget.for_tokens(10).limit == PER_TOKEN * 10 + BASE
    True
    """

    limit: int
    spent: int = 0

    @classmethod
    def for_tokens(cls, tokens: int) -> Budget:
        """The budget of a diff of *tokens* tokens (both sides together)."""
        return cls(PER_TOKEN * tokens + BASE)

    def charge(self, units: int) -> None:
        """Count *units* of work done."""
        self.spent += units


def encode(a: Sequence[Hashable], b: Sequence[Hashable]) -> tuple[str, str]:
    """*a* and *b* as strings with one character per token and equal characters for equal keys.

    Keys found in only one sequence all become one sentinel character per side.

    >>> encode(["x", "y", "x"], ["y", "z"])
    ('ĀĂĀ', 'Ăā')
    """
    chars_a, chars_b = encode_chars(a, b)
    return "".join(chars_a), "".join(chars_b)


def encode_chars(a: Sequence[Hashable], b: Sequence[Hashable]) -> tuple[list[str], list[str]]:
    """:func:`encode`'s strings as lists of their characters, one ``str`` object per key:
    the engine's counting passes read these, which neither make nor hash a character per
    token as a pass over the string does (twice as fast)."""
    # The shared keys in first-occurrence order in b, so the strings do not depend on the
    # hash seed (the diff would not either: it compares characters only for equality).
    in_a = set(a)
    shared = [key for key in dict.fromkeys(b) if key in in_a]
    if len(shared) > CAPACITY:
        raise CollationError(
            f"{len(shared):,} distinct tokens occur in both sequences; "
            f"one diff can encode at most {CAPACITY:,}"
        )
    codes = {key: _code_point(k) for k, key in enumerate(shared)}
    return (
        list(map(codes.get, a, itertools.repeat(_ONLY_A))),
        list(map(codes.get, b, itertools.repeat(_ONLY_B))),
    )


def _code_point(index: int) -> str:
    cp = _FIRST_SHARED + index
    return chr(cp + _SURROGATES if cp >= 0xD800 else cp)


def bounded_runs(
    a: Sequence[Hashable], b: Sequence[Hashable], budget: Budget | None = None
) -> tuple[list[Run], list[Stretch]]:
    """Matched runs of *a* and *b* (ordered, not touching, possibly not merged) and the
    stretches that the windowed fallback aligned (see the module docstring); *budget*
    (default: :meth:`Budget.for_tokens`) counts the work.

    >>> bounded_runs("xabcy", "abcz")
    ([(1, 0, 3)], [])
    """
    budget = budget if budget is not None else Budget.for_tokens(len(a) + len(b))
    return encoded_runs(*encode_chars(a, b), budget)


def encoded_runs(chars_a: list[str], chars_b: list[str], budget: Budget, workers: int = 1
                 ) -> tuple[list[Run], list[Stretch]]:
    """:func:`bounded_runs` of two sequences already encoded by :func:`encode_chars`; with
    *workers* > 1, an input of :data:`PARALLEL_TOKENS` or more has the stretches between
    its first anchors solved by this process and a forked child, half each (the same runs,
    stretches and units spent)."""
    budget.charge(len(chars_a) + len(chars_b))
    engine = _Engine(budget, chars_a, chars_b, workers)
    engine.top("".join(chars_a), "".join(chars_b))
    return engine.out, engine.approximate


class _Engine:
    """One bounded diff: results in ``out`` (runs) and ``approximate`` (stretches).

    Every stretch ``ta`` starting at ``a0`` is ``"".join(chars_a[a0:a0 + len(ta)])`` (the
    same for *b*): the strings go to Myers and are compared by slices, the lists are counted.
    """

    def __init__(self, budget: Budget, chars_a: list[str], chars_b: list[str],
                 workers: int = 1) -> None:
        self.budget = budget
        self.chars_a, self.chars_b = chars_a, chars_b
        self.workers = workers
        self.out: list[Run] = []
        self.approximate: list[Stretch] = []

    # --- the whole input --------------------------------------------------------------------

    def top(self, ta: str, tb: str) -> None:
        prefix = _common_prefix(ta, tb)
        suffix = _common_suffix(ta[prefix:], tb[prefix:])
        self.budget.charge(2 * (prefix + suffix) + 2)
        out = self.out
        if prefix:
            out.append((0, 0, prefix))
        ma, mb = ta[prefix : len(ta) - suffix], tb[prefix : len(tb) - suffix]
        size = len(ma) + len(mb)
        if ma and mb:
            lone = ma.count(_ONLY_A) + mb.count(_ONLY_B)
            self.budget.charge(size)
            if 2 * lone > size:
                # Mostly tokens that can never match (a short text against a variant graph's
                # many branches, texts with few words in common): they only inflate the edit
                # distance Myers pays for, so the rest is solved without them.
                self._without_lone(ma, mb, prefix, prefix)
            elif DIRECT < size <= EXACT_LIMIT:
                self._checked(ma, mb, prefix, prefix, LEAF * size + DEPTH * PASSES * size)
            else:
                self._solve(ma, mb, prefix, prefix, 0)
        if suffix:
            out.append((len(ta) - suffix, len(tb) - suffix, suffix))

    def _without_lone(self, ta: str, tb: str, a0: int, b0: int) -> None:
        """Solve *ta* vs *tb* on their shared-key tokens only, mapped back."""
        keep_a = [m.start() for m in _SHARED_A.finditer(ta)]
        keep_b = [m.start() for m in _SHARED_B.finditer(tb)]
        self.budget.charge(len(ta) + len(tb))
        if not keep_a or not keep_b:
            return
        inner = self._inner(keep_a, keep_b, a0, b0, len(ta), len(tb))
        inner.top("".join(inner.chars_a), "".join(inner.chars_b))
        self._mapped(inner, keep_a, keep_b, a0, b0)

    def _inner(self, keep_a: list[int], keep_b: list[int], a0: int, b0: int, n: int, m: int
               ) -> _Engine:
        """An engine for the tokens *keep_a* and *keep_b* of the stretches of *n* and *m*
        tokens at *a0* and *b0*."""
        part_a, part_b = self.chars_a[a0 : a0 + n], self.chars_b[b0 : b0 + m]
        return _Engine(self.budget, list(map(part_a.__getitem__, keep_a)),
                       list(map(part_b.__getitem__, keep_b)))

    def _mapped(self, inner: _Engine, keep_a: list[int], keep_b: list[int], a0: int, b0: int
                ) -> None:
        """*inner*'s results (on the kept tokens) as positions of the full stretch."""
        out = self.out
        for i, j, n in inner.out:  # runs may break apart where tokens were left out
            start = 0
            for k in range(1, n + 1):
                if k == n or keep_a[i + k] != keep_a[i + k - 1] + 1 \
                        or keep_b[j + k] != keep_b[j + k - 1] + 1:
                    out.append((a0 + keep_a[i + start], b0 + keep_b[j + start], k - start))
                    start = k
        for s0, s1, t0, t1 in inner.approximate:
            self.approximate.append((a0 + keep_a[s0], a0 + keep_a[s1 - 1] + 1,
                                     b0 + keep_b[t0], b0 + keep_b[t1 - 1] + 1))

    def _checked(self, ta: str, tb: str, a0: int, b0: int, allowance: int) -> None:
        """Solve exactly as a whole if the edit distance shows that to be affordable (so
        that inputs of ordinary size stay minimal), else cheaply. Up to ``PROBED`` tokens
        the distance is measured first; above, the cheaper result bounds it."""
        if len(ta) + len(tb) <= PROBED:
            if not self._probed(ta, tb, a0, b0, allowance):
                self._solve(ta, tb, a0, b0, 0, probe=False)
            return
        before, mark, approx = self.budget.spent, len(self.out), len(self.approximate)
        self._solve(ta, tb, a0, b0, 0)
        matched = sum(n for _, _, n in self.out[mark:])
        distance = len(ta) + len(tb) - 2 * matched
        cost = len(ta) + len(tb) + distance * distance
        if distance and cost <= CALL_MAX and self.budget.spent - before + cost <= allowance:
            del self.out[mark:]
            del self.approximate[approx:]
            self._myers(ta, tb, a0, b0, distance)

    def _probed(self, ta: str, tb: str, a0: int, b0: int, allowance: int,
                most: int | None = None) -> bool:
        """Diff *ta* vs *tb* exactly if their edit distance, measured by a bit-parallel LCS
        (at most ``len(ta) * len(tb) / 64`` word operations, whatever the distance), is at
        most *most* and keeps Myers within *allowance* and ``CALL_MAX``: True if done,
        False to solve them otherwise."""
        size = len(ta) + len(tb)
        self.budget.charge(size + len(ta) * len(tb) // 64)
        # the fewest matches worth having: below them the LCS is not finished (rapidfuzz
        # then works in a band as wide as the distance allowed, and stops early)
        spare = min(allowance, CALL_MAX) - size
        if spare < 1:
            return False
        distance = math.isqrt(spare) if most is None else min(most, math.isqrt(spare))
        needed = max(1, (size - distance + 1) // 2)
        matched = _lcs_length(ta, tb, needed)
        if not matched:
            return False
        self._myers(ta, tb, a0, b0, size - 2 * matched)
        return True

    # --- one stretch ------------------------------------------------------------------------

    def _solve(self, ta: str, tb: str, a0: int, b0: int, depth: int, probe: bool = True
               ) -> None:
        """Append the runs of *ta* vs *tb* (offset by *a0*, *b0*); *probe*: a stretch of at
        most ``PROBED`` tokens may be diffed exactly (see :meth:`_probed`)."""
        budget, out = self.budget, self.out
        # (most stretches between anchors start and end differently: the first and last
        # characters compared in the lists, which hold one object per code, before any slice)
        ca, cb = self.chars_a, self.chars_b
        prefix = _common_prefix(ta, tb) if ta and tb and ca[a0] == cb[b0] else 0
        if prefix:
            out.append((a0, b0, prefix))
            ta, tb, a0, b0 = ta[prefix:], tb[prefix:], a0 + prefix, b0 + prefix
        suffix = _common_suffix(ta, tb) \
            if ta and tb and ca[a0 + len(ta) - 1] == cb[b0 + len(tb) - 1] else 0
        if suffix:
            ta, tb = ta[: len(ta) - suffix], tb[: len(tb) - suffix]
        size = len(ta) + len(tb)
        budget.charge(2 * (prefix + suffix) + size + 2)
        # a stretch sharing no key has no match; a long one's keys are counted once, for
        # this test and for its anchors
        if ta and tb and size <= DIRECT:
            if not set(ta).isdisjoint(tb):
                self._myers(ta, tb, a0, b0, size)
        elif ta and tb and probe and size <= PROBED and self._probed(
                ta, tb, a0, b0, LEAF * size, size // CLOSE):
            pass  # diffed exactly
        elif ta and tb:
            counts = (Counter(self.chars_a[a0 : a0 + len(ta)]),
                      Counter(self.chars_b[b0 : b0 + len(tb)]))
            if not counts[0].keys().isdisjoint(counts[1]):
                self._split(ta, tb, a0, b0, depth, counts)
        if suffix:
            out.append((a0 + len(ta), b0 + len(tb), suffix))

    def _split(self, ta: str, tb: str, a0: int, b0: int, depth: int, counts: _Counts) -> None:
        """Solve a stretch too long to diff at once (*counts*: its keys' counts, per side)."""
        part_a, part_b = self.chars_a[a0 : a0 + len(ta)], self.chars_b[b0 : b0 + len(tb)]
        anchors = _anchors(ta, tb, self.budget, counts, (part_a, part_b)) \
            if depth < DEPTH else []
        if anchors:
            # each step: the stretch before an anchor, then the anchor (the last: none)
            steps: list[Run] = [*anchors, (len(ta), len(tb), 0)]
            half = self._halfway(steps) if depth == 0 and self.workers > 1 \
                and len(ta) + len(tb) >= PARALLEL_TOKENS else 0
            if not half:
                self._steps(ta, tb, a0, b0, depth, steps, 0, len(steps))
                return
            # two halves, this process and a child: each half in an engine of its own (the
            # first stretch of the second half has tokens on both sides, so no run of the
            # first half touches one of the second, and none would have merged)
            from collatio._workers import fork_map  # (the aligner forks only here)

            def solved(share: tuple[int, int]) -> tuple[list[Run], list[Stretch], int]:
                engine = _Engine(Budget(self.budget.limit), self.chars_a, self.chars_b)
                engine._steps(ta, tb, a0, b0, depth, steps, *share)
                return engine.out, engine.approximate, engine.budget.spent

            for out, approximate, spent in fork_map(
                    solved, [(0, half), (half, len(steps))], self.workers):
                self.out.extend(out)
                self.approximate.extend(approximate)
                self.budget.charge(spent)
            return
        # No anchor at any scale. Keys the other side of this stretch lacks never match:
        # without them the stretch may be small enough, or anchor after all.
        shared = counts[0].keys() & counts[1].keys()
        keep_a = [i for i, ch in enumerate(part_a) if ch in shared]
        keep_b = [j for j, ch in enumerate(part_b) if ch in shared]
        self.budget.charge(len(ta) + len(tb))
        if len(keep_a) + len(keep_b) < len(ta) + len(tb):
            inner = self._inner(keep_a, keep_b, a0, b0, len(ta), len(tb))
            inner._solve("".join(inner.chars_a), "".join(inner.chars_b), 0, 0, depth + 1)
            self._mapped(inner, keep_a, keep_b, a0, b0)
            return
        self._windows_checked(ta, tb, a0, b0)

    def _steps(self, ta: str, tb: str, a0: int, b0: int, depth: int, steps: list[Run],
               first: int, end: int) -> None:
        """Steps ``first:end`` of a stretch's *steps* (anchors, and the stretch's end as an
        anchor of no tokens): each solves the stretch before its anchor, then appends it."""
        out, mark = self.out, len(self.out)
        i, j = (steps[first - 1][0] + steps[first - 1][2],
                steps[first - 1][1] + steps[first - 1][2]) if first else (0, 0)
        for ai, bj, n in steps[first:end]:
            if (ai > i) != (bj > j):  # one side empty: no match (charged as _solve would)
                self.budget.charge(ai - i + bj - j + 2)
            elif ai - i == 1 and bj - j == 1:  # one token each: a match or none (likewise)
                self.budget.charge(4)
                if self.chars_a[a0 + i] == self.chars_b[b0 + j]:
                    out.append((a0 + i, b0 + j, 1))
            elif ai > i:
                self._solve(ta[i:ai], tb[j:bj], a0 + i, b0 + j, depth + 1)
            if n and len(out) > mark and out[-1][0] + out[-1][2] == a0 + ai \
                    and out[-1][1] + out[-1][2] == b0 + bj:
                # touching the run before (adjacent anchors): one run, not two (only
                # runs of this stretch merge, so _checked may still drop them all)
                out[-1] = (out[-1][0], out[-1][1], out[-1][2] + n)
            elif n:
                out.append((a0 + ai, b0 + bj, n))
            i, j = ai + n, bj + n

    @staticmethod
    def _halfway(steps: list[Run]) -> int:
        """The step nearest the middle of the stretch (by tokens) whose stretch has tokens
        on both sides, to start a second half at; 0 for none."""
        ends = [(0, 0), *((ai + n, bj + n) for ai, bj, n in steps[:-1])]
        middle = (steps[-1][0] + steps[-1][1]) // 2
        best = 0
        for k in range(1, len(steps)):
            (i, j), (ai, bj, _) = ends[k], steps[k]
            if ai > i and bj > j and (not best or abs(i + j - middle) < abs(
                    ends[best][0] + ends[best][1] - middle)):
                best = k
        return best

    def _windows_checked(self, ta: str, tb: str, a0: int, b0: int) -> None:
        """The windowed alignment, replaced by an exact diff when its distance allows."""
        mark = len(self.out)
        self._windows(ta, tb, a0, b0)
        matched = sum(n for _, _, n in self.out[mark:])
        distance = len(ta) + len(tb) - 2 * matched
        cost = len(ta) + len(tb) + distance * distance
        if cost <= CALL_MAX and cost <= LEAF * (len(ta) + len(tb)) // 2:
            del self.out[mark:]
            self._myers(ta, tb, a0, b0, distance)
        else:
            self.approximate.append((a0, a0 + len(ta), b0, b0 + len(tb)))

    def _windows(self, ta: str, tb: str, a0: int, b0: int) -> None:
        """A valid, not necessarily minimal, alignment at O((len(ta) + len(tb)) * WINDOW).

        Windows of ``WINDOW`` tokens a side start at the current position of each text; the
        matches of a window that end in the first half of both sides are committed, and the
        positions move past the last of them, by half a window at least (shared between the
        two texts in proportion to what is left of each).
        """
        half = WINDOW // 2
        i = j = 0
        n, m = len(ta), len(tb)
        while i < n and j < m:
            if n - i <= WINDOW and m - j <= WINDOW:
                self._myers(ta[i:], tb[j:], a0 + i, b0 + j, n - i + m - j)
                return
            wa, wb = ta[i : i + WINDOW], tb[j : j + WINDOW]
            runs = bit_lcs_runs(wa, wb)
            self.budget.charge(len(wa) + len(wb) + (len(wa) + len(wb)) ** 2)
            last = None
            for ri, rj, rn in runs:
                if ri + rn <= half and rj + rn <= half:
                    self.out.append((a0 + i + ri, b0 + j + rj, rn))
                    last = (ri + rn, rj + rn)
                else:
                    # a run crossing the half-way line is kept up to it (it is certain)
                    take = min(half - ri, half - rj)
                    if take > 0:
                        self.out.append((a0 + i + ri, b0 + j + rj, take))
                        last = (ri + take, rj + take)
                    break
            # move on by half a window at least (in proportion to what is left of each
            # text), past the last committed match: no window is paid for little progress
            left_a, left_b = n - i, m - j
            longer = max(left_a, left_b)
            step_a = max(1, half * left_a // longer) if left_a else 0
            step_b = max(1, half * left_b // longer) if left_b else 0
            if last is None:
                last = (step_a, step_b)
            else:
                last = (max(last[0], step_a), max(last[1], step_b))
            i, j = i + last[0], j + last[1]

    def _myers(self, ta: str, tb: str, a0: int, b0: int, distance: int) -> None:
        """An exact diff of *ta* and *tb*, whose edit distance is at most *distance*."""
        self.budget.charge(len(ta) + len(tb) + distance * distance)
        _myers_into(ta, tb, a0, b0, self.out)


# --- anchors -----------------------------------------------------------------------------------


def _anchors(ta: str, tb: str, budget: Budget, counts: _Counts | None = None,
             chars: tuple[list[str], list[str]] | None = None) -> list[Run]:
    """Order-preserving matches of substrings unique in both *ta* and *tb* (patience diff),
    at the first scale that has any: single keys, then k-grams (*counts*: the keys' counts
    in *ta* and *tb*, and *chars*: their characters as lists, if known)."""
    for k in (1, *NGRAMS):
        if k > min(len(ta), len(tb)):
            break
        budget.charge(2 * (len(ta) + len(tb)))
        if k == 1:
            count_a, count_b = counts if counts is not None else (Counter(ta), Counter(tb))
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
        if k == 1:
            pairs = _unique_pairs(ta, tb, unique, chars or (list(ta), list(tb)))
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


def _unique_pairs(ta: str, tb: str, unique: set[str], chars: tuple[list[str], list[str]]
                  ) -> list[tuple[int, int]]:
    """The positions ``(i, j)`` of each key of *unique* (found once in *ta* and once in
    *tb*), in the order of *ta*.

    Few keys in a long stretch are found by one regex character class, compiled per key and
    scanned at C speed; many (a stretch between anchors, where most keys are locally unique)
    by one pass that keeps each key's last position (the only one, for these keys), since
    compiling a class of thousands of keys costs more than that pass.
    """
    if len(unique) * _CLASS_COST < len(ta) + len(tb):
        finder = re.compile(f"[{''.join(map(re.escape, sorted(unique)))}]")
        where_b = {m.group(): m.start() for m in finder.finditer(tb)}
        return [(m.start(), where_b[m.group()]) for m in finder.finditer(ta)]
    where_a = dict(zip(chars[0], itertools.count()))
    where_b = dict(zip(chars[1], itertools.count()))
    return sorted([(where_a[key], where_b[key]) for key in unique])


_CLASS_COST = 64
"""Tokens scanned by a pass that cost about as much as compiling one key into a class."""


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
    if not x or not y or x[0] != y[0]:  # the commonest case between anchors
        return 0
    lo, hi = 1, min(len(x), len(y))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if x[lo:mid] == y[lo:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _common_suffix(x: str, y: str) -> int:
    """Length of the common suffix."""
    if not x or not y or x[-1] != y[-1]:
        return 0
    lo, hi = 1, min(len(x), len(y))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if x[len(x) - mid : len(x) - lo] == y[len(y) - mid : len(y) - lo]:
            lo = mid
        else:
            hi = mid - 1
    return lo


# --- Myers -------------------------------------------------------------------------------------


def _myers_into(ta: str, tb: str, a0: int, b0: int, out: list[Run]) -> None:
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


def _lcs_length(ta: str, tb: str, least: int) -> int:
    """The length of a longest common subsequence of *ta* and *tb* if it is at least
    *least*, else 0 (rapidfuzz's bit-parallel LCS, in O(n) memory)."""
    from rapidfuzz.distance import LCSseq  # imported when first needed (start-up time)

    return int(LCSseq.similarity(ta, tb, score_cutoff=least))


def bit_lcs_runs(a: Sequence[Hashable], b: Sequence[Hashable]) -> list[Run]:
    """The matched runs of a longest common subsequence of *a* and *b* (in order, touching
    runs not merged), by rapidfuzz's bit-parallel LCS: ``len(a) * len(b) / 64`` word
    operations, and a bit matrix of ``len(a) * len(b) / 8`` bytes, so for short inputs (the
    fallback's windows, the survey's pairs up to its cell limit).

    The fallback's windows use it rather than Myers, which would be exact too: on the text
    that reaches them its edit distance runs to hundreds, and diff-match-patch's C++ reads
    the process's CPU clock (a system call) at every step of it; on the benchmark's
    repetitive 100k pair this choice among equally long subsequences also keeps 3% more
    matches (36,756 tokens against 35,676).

    >>> bit_lcs_runs("xabcy", "abcz")
    [(1, 0, 3)]
    """
    from rapidfuzz.distance import LCSseq  # imported when first needed (start-up time)

    return [(op.src_start, op.dest_start, op.src_end - op.src_start)
            for op in LCSseq.opcodes(a, b) if op.tag == "equal"]


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
