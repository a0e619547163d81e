"""Threading one more witness through the variant graph: which of several equal nodes near
its match each matched token joins.

When two branches of the graph hold the same words (a reading two earlier witnesses share at
one place and a third has at another), the diff may thread the new witness through either; it
would then read the same words as a witness it agrees with, but in other columns.
:func:`rethread` keeps the same tokens matched, each to one of the equal nodes near its match
(within *slide* positions of the order), in order, choosing by a dynamic programme over the
tokens that keeps, for each candidate node of a token, the chain reaching it that scores best
by :data:`Score`: first the most steps that continue an earlier witness's way (a step is two
consecutive tokens on two nodes that an earlier witness steps between directly; it continues
that witness's way when the same witness made the step before it too; the text's start and end
count as steps), then the most steps by any witness, then the most witnesses passed, then the
diff's own choice; among equals the first found. (A chain kept at a node is the best into it,
not always the one that continues best after it: the programme is exact for the last three
counts, greedy for the first.)

Invariants: the result matches exactly the tokens the given runs match, each to a node of its
own key, strictly increasing in the order; a token with no other node of its key within reach
keeps its match.

The choice is a dynamic programme over the matched tokens, but only where there is one: a
token is *pinned* when only one of its candidates lies on some increasing chain (a forward and
a backward pass over each stretch of tokens with several candidates find them), every chain
passes through a pinned token, so the chains between two pinned tokens are scored on their own
(a chain's score is a sum over its steps, so what comes before the stretch adds the same to all
of them) and the rest keep their match. Cost: one pass over the order to find the tokens with
another equal node near, a search of the slide around each of those, then O(candidates^2) per
token of a stretch with several feasible candidates; nothing else per token.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Sequence

from collatio.align.anchors import Run

__all__ = ["STEP_SHIFT", "Edges", "Score", "consecutive", "rethread"]

Score = tuple[int, int, int, int]
"""(steps continuing a witness, steps, witnesses passed, matches the diff chose)"""
_ZERO: Score = (0, 0, 0, 0)
"""The score a stretch's chains start from at the pinned token before it."""
Edges = tuple[dict[int, int], dict[int, int], dict[int, int]]
"""The witnesses' steps: the witnesses (a bit set) whose node after *u* is *v*, keyed
``u << STEP_SHIFT | v`` (one flat table of ints: a table per node cost a dictionary each and
a second a million-word witness to fill); per node, the witnesses that start and that end on
it."""
STEP_SHIFT = 32
"""Node numbers stay below ``2 ** STEP_SHIFT`` (far more tokens than a collation may hold)."""


def rethread(order: list[int], masks: list[int], edges: Edges, text: str, length: int,
             runs: list[Run], slide: int) -> list[Run]:
    """*runs* (of *order*, encoded as *text*, one character a node's key, against a witness
    of *length* tokens) with the matched tokens moved onto the equal nodes that keep the new
    witness with the witnesses it reads alike (see the module docstring)."""
    at = list(itertools.chain.from_iterable(itertools.starmap(
        range, [(a0, a0 + n) for a0, _, n in runs])))
    if not at:
        return runs
    token = list(itertools.chain.from_iterable(itertools.starmap(
        range, [(b0, b0 + n) for _, b0, n in runs])))
    # the tokens with another node of their key within the slide (most have none), by one
    # pass over the order when the matches cover enough of it (a short witness against a long
    # graph order, as among many texts, searches around every token instead)
    if 8 * len(at) >= len(text):
        crowded = _crowded(text, slide)
        searched = list(itertools.compress(range(len(at)), map(crowded.__getitem__, at)))
    else:
        searched = list(range(len(at)))
    candidates: dict[int, list[int]] = {}
    for k0, stop in consecutive(searched):
        k1 = stop - 1
        # between the tokens that keep their place around them, a token can only move as
        # far as the others leave room (often none: a stretch matched straight through)
        low, high = (at[k0 - 1] if k0 else -1) - k0 + 1, (
            at[k1 + 1] if k1 + 1 < len(at) else len(text)) - k1 - 1
        if low == high:
            continue
        for k in range(k0, k1 + 1):
            i = at[k]
            ch = text[i]
            hi = min(i + slide, high + k) + 1
            p = text.find(ch, max(i - slide, low + k), hi)
            found = []
            while p >= 0:
                found.append(p)
                p = text.find(ch, p + 1, hi)
            if len(found) > 1:
                candidates[k] = found
    if not candidates:
        return _joined(runs, {})
    feasible = _feasible(candidates, at, len(text))
    chosen: dict[int, int] = {}  # token -> its new position, where it moves
    chooser = _Chooser(order, masks, edges, at, token, length, feasible, chosen)
    for s0, stop in consecutive(sorted(feasible)):
        chooser.choose(s0, stop - 1)
    return _joined(runs, chosen)


def _crowded(text: str, slide: int) -> bytearray:
    """Per position of *text*, 1 where the same character stands again within *slide*."""
    crowded = bytearray(len(text))
    seen: dict[str, int] = {}
    for p, ch in enumerate(text):
        q = seen.get(ch)
        if q is not None and p - q <= slide:
            crowded[p] = crowded[q] = 1
        seen[ch] = p
    return crowded


def _feasible(candidates: dict[int, list[int]], at: list[int], end: int
              ) -> dict[int, list[int]]:
    """Per token with several candidates, those that lie on some increasing chain through
    every token's candidates, where that is more than one (the others are pinned: only their
    own match lies on one). A token with one candidate bounds the stretches around it."""
    out: dict[int, list[int]] = {}
    for k0, stop in consecutive(sorted(candidates)):
        k1 = stop - 1
        low = at[k0 - 1] if k0 else -1
        lows = []
        for k in range(k0, k1 + 1):  # the least position a chain from the left reaches
            found = candidates[k]
            low = found[bisect.bisect_right(found, low)]
            lows.append(low)
        high = at[k1 + 1] if k1 + 1 < len(at) else end
        for k in range(k1, k0 - 1, -1):  # the greatest a chain to the right leaves from
            found = candidates[k]
            high = found[bisect.bisect_left(found, high) - 1]
            kept = found[bisect.bisect_left(found, lows[k - k0]) : bisect.bisect_right(
                found, high)]
            if len(kept) > 1:
                out[k] = kept
    return out


def consecutive(values: Sequence[int]) -> list[tuple[int, int]]:
    """Increasing *values* as maximal half-open ranges of consecutive integers.

    >>> consecutive([1, 2, 3, 7, 9, 10])
    [(1, 4), (7, 8), (9, 11)]
    """
    out: list[tuple[int, int]] = []
    for v in values:
        if out and out[-1][1] == v:
            out[-1] = (out[-1][0], v + 1)
        else:
            out.append((v, v + 1))
    return out


def _joined(runs: list[Run], chosen: dict[int, int]) -> list[Run]:
    """*runs* with the tokens of *chosen* moved to their new positions, neighbours that
    continue each other joined."""
    out: list[Run] = []

    def put(p: int, j: int, n: int) -> None:
        if out and out[-1][0] + out[-1][2] == p and out[-1][1] + out[-1][2] == j:
            out[-1] = (out[-1][0], out[-1][1], out[-1][2] + n)
        else:
            out.append((p, j, n))

    moved = sorted(chosen)
    m = k = 0
    for a0, b0, n in runs:
        if m == len(moved) or moved[m] >= k + n:
            put(a0, b0, n)
        else:
            for q in range(n):
                put(chosen.get(k + q, a0 + q), b0 + q, 1)
            m = bisect.bisect_left(moved, k + n, m)
        k += n
    return out


class _Chooser:
    """Scores the chains of one stretch of tokens with several feasible candidates, from the
    pinned token before it to the one after it, and records the best."""

    def __init__(self, order: list[int], masks: list[int], edges: Edges, at: list[int],
                 token: list[int], length: int, feasible: dict[int, list[int]],
                 chosen: dict[int, int]) -> None:
        self.order, self.masks = order, masks
        self.steps, self.firsts, self.lasts = edges
        self.at, self.token, self.last_token = at, token, length - 1
        self.feasible, self.chosen = feasible, chosen

    def position(self, k: int) -> int:
        return self.chosen.get(k, self.at[k])

    def choose(self, s0: int, s1: int) -> None:
        """Choose the positions of tokens *s0* to *s1* (stretches are chosen left to right:
        the step into the pinned token before the stretch depends on the one before it)."""
        order, masks, steps, lasts = self.order, self.masks, self.steps, self.lasts
        at, token, last_token = self.at, self.token, self.last_token
        prev_columns: list[int] = []
        prev_scores: list[Score | None] = []
        prev_follow: list[int] = []
        if s0:  # the pinned token before: every chain's start, with the step that reached it
            seed = at[s0 - 1]
            if s0 == 1:
                step = self.firsts.get(order[seed], 0) if token[0] == 0 else 0
            elif token[s0 - 2] == token[s0 - 1] - 1:
                step = steps.get(order[self.position(s0 - 2)] << STEP_SHIFT | order[seed], 0)
            else:
                step = 0
            prev_columns, prev_scores, prev_follow = [seed], [_ZERO], [step]
        last = s1 + 1 if s1 + 1 < len(at) else s1  # the pinned token after, if any
        columns: list[list[int]] = []
        back: list[list[int]] = []
        for k in range(s0, last + 1):
            found = self.feasible[k] if k <= s1 else [at[k]]
            i, j = at[k], token[k]
            straight = k and token[k - 1] == j - 1  # the previous token is matched too
            ending = j == last_token
            here: list[Score | None] = []
            links: list[int] = []
            along: list[int] = []
            for p in found:
                node = order[p]
                weight, original = masks[node].bit_count(), 1 if p == i else 0
                end = lasts.get(node, 0) if ending else 0  # the witnesses ending here, as it does
                best: tuple[Score, int, int] | None = None  # (score, link, stepping witnesses)
                if not k:
                    start = self.firsts.get(node, 0) if j == 0 else 0  # starting here, as it does
                    best = ((end & start).bit_count(), start.bit_count() + end.bit_count(),
                            weight, original), -1, start
                else:
                    for r, q in enumerate(prev_columns):
                        if q >= p:
                            break
                        prev = prev_scores[r]
                        if prev is None:
                            continue
                        # the witnesses stepping from q to p, no node between
                        step = steps.get(order[q] << STEP_SHIFT | node, 0) if straight else 0
                        if step or end:
                            value = (prev[0] + (step & prev_follow[r]).bit_count()
                                     + (end & step).bit_count(),
                                     prev[1] + step.bit_count() + end.bit_count(),
                                     prev[2] + weight, prev[3] + original)
                        else:
                            value = (prev[0], prev[1], prev[2] + weight, prev[3] + original)
                        if best is None or value > best[0]:  # the first of the best
                            best = value, r, step
                if best is not None:
                    here.append(best[0])
                    links.append(best[1])
                    along.append(best[2])
                else:
                    here.append(None)
                    links.append(-1)
                    along.append(0)
            columns.append(found)
            back.append(links)
            prev_columns, prev_scores, prev_follow = found, here, along
        # the best chain, read backwards (the pinned token after the stretch has one place)
        r = max((r for r in range(len(prev_scores)) if prev_scores[r] is not None),
                key=prev_scores.__getitem__)  # type: ignore[arg-type]
        for k in range(last, s0 - 1, -1):
            p = columns[k - s0][r]
            if p != at[k]:
                self.chosen[k] = p
            r = back[k - s0][r]
