"""The variant graph a multiple alignment is built on, and its ranking into table columns.

A node holds tokens with equal keys, at most one per witness; every witness is a path through
the nodes; the graph stays acyclic, and ``order`` keeps a topological order of the nodes.
Witness 1 is a chain. Each further witness is aligned against the keys of the nodes in that
order (their keys read as one sequence) with the pairwise engine
(:func:`collatio.align.pairwise.canonical_runs` machinery: exact diff, anchored and bounded when
long, ties broken towards the latest match); where that alignment is ambiguous and small, the
nodes of the ambiguous stretch are first put in the topological order that best follows the
new witness (so it can match, say, the start of one branch and the end of a parallel one).
Matched tokens join their node, the others become new nodes.

Columns are ranks: a node's rank is the length of the longest path reaching it, computed per
*piece* (a run of consecutive nodes in ``order`` through the same witnesses).
"""

from __future__ import annotations

import heapq
import itertools
import operator
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from collatio.align.anchors import Budget, Run, Stretch, bounded_runs
from collatio.align.pairwise import (
    CLUSTER_PER_TOKEN,
    ambiguous_clusters,
    latest_lcs,
    merge_runs,
    slide_gaps,
)

__all__ = ["Graph", "Piece", "Similarity"]

Similarity = Callable[[Any, Any], float]
_IS_ONE = {"1": True, "0": False}
Piece = tuple[int, int, int, int]
"""``(start, length, mask, rank)``: ``order[start:start + length]``, all through the witnesses
of bit set *mask*, ranked *rank*, *rank* + 1, ..."""


class Graph:
    """Mutable variant graph used while aligning; nodes are ints (creation order)."""

    def __init__(self, witness_count: int) -> None:
        self.witness_count = witness_count
        self.keys: list[Hashable] = []  # node -> key
        self.masks: list[int] = []  # node -> bit set of the witnesses through it
        self.order: list[int] = []  # all nodes, in a topological order
        self.paths: list[list[int]] = []  # witness -> token index -> node

    def add(self, tokens: Sequence[Hashable], budget: Budget | None = None) -> list[Stretch]:
        """Align one more witness against the graph and thread it through; return the
        stretches (graph order positions, token indices) that a bounded fallback aligned.
        *budget* counts the work (default: :meth:`Budget.for_tokens` of the two sides)."""
        order = self.order
        runs: list[Run] = []
        approximate: list[Stretch] = []
        if order and tokens:
            lin = list(map(self.keys.__getitem__, order))
            if budget is None:
                budget = Budget.for_tokens(len(lin) + len(tokens))
            found, approximate = bounded_runs(lin, tokens, budget)
            runs = merge_runs(found)
            allowance = CLUSTER_PER_TOKEN * (len(lin) + len(tokens))
            # once the graph has branches, they interrupt the runs found in its order: a run
            # is then solid by what it matches of the new witness
            clusters = ambiguous_clusters(lin, tokens, runs, allowance=allowance,
                                          solid_in_b=len(self.paths) > 1)
            if clusters:
                runs = self._resolve(lin, tokens, runs, clusters, budget)
            runs = slide_gaps(lin, tokens, runs)

        bit = 1 << len(self.paths)
        keys, masks = self.keys, self.masks
        new_order: list[int] = []
        path: list[int] = []
        i = j = 0
        for a0, b0, n in [*runs, (len(order), len(tokens), 0)]:
            new_order.extend(order[i:a0])  # nodes this witness skips
            if b0 > j:  # tokens with no counterpart: new nodes
                fresh = range(len(keys), len(keys) + b0 - j)
                keys.extend(tokens[j:b0])
                masks.extend([bit] * (b0 - j))
                new_order.extend(fresh)
                path.extend(fresh)
            matched = order[a0 : a0 + n]
            for v in matched:
                masks[v] |= bit
            new_order.extend(matched)
            path.extend(matched)
            i, j = a0 + n, b0 + n
        self.order = new_order
        self.paths.append(path)
        return approximate

    def _resolve(
        self,
        lin: list[Hashable],
        tokens: Sequence[Hashable],
        runs: list[Run],
        clusters: list[tuple[int, int, int, int, int, int]],
        budget: Budget,
    ) -> list[Run]:
        """Re-solve ambiguous clusters: best topological order, then the latest-match LCS."""
        pos = [0] * len(self.keys)
        for p, v in enumerate(self.order):
            pos[v] = p
        rebuilt: list[Run] = []
        done = 0
        for lo, hi, a0, a1, b0, b1 in clusters:
            rebuilt.extend(runs[done:lo])
            part = tokens[b0:b1]
            best = latest_lcs(lin[a0:a1], part, budget)
            nodes = self._follow(a0, a1, part)
            if nodes != self.order[a0:a1]:
                keys = [self.keys[v] for v in nodes]
                candidate = latest_lcs(keys, part, budget)
                if sum(n for _, _, n in candidate) > sum(n for _, _, n in best):
                    best = candidate
                    self.order[a0:a1] = nodes
                    lin[a0:a1] = keys
                    for p, v in enumerate(nodes, a0):
                        pos[v] = p
            rebuilt.extend((a0 + i, b0 + j, n) for i, j, n in best)
            done = hi
        rebuilt.extend(runs[done:])
        return rebuilt

    def _follow(self, a0: int, a1: int, part: Sequence[Hashable]) -> list[int]:
        """``order[a0:a1]`` re-sorted topologically, preferring the new witness's key order."""
        nodes = self.order[a0:a1]
        successors: list[set[int]] = [set() for _ in nodes]
        waiting = [0] * len(nodes)
        # Any path between two nodes of the stretch stays inside it (the order is topological),
        # so the witnesses' steps inside the stretch carry all of its ordering constraints. A
        # witness's next node is the next one in the order that it passes through, so one walk
        # over the stretch, keeping which node each witness stands on (bit sets), finds every
        # step without visiting the witnesses one by one.
        standing: dict[int, int] = {}  # local node -> the witnesses whose latest node it is
        masks = self.masks
        for k, v in enumerate(nodes):
            mask = masks[v]
            for u, bits in list(standing.items()):
                if bits & mask:
                    if k not in successors[u]:
                        successors[u].add(k)
                        waiting[k] += 1
                    rest = bits & ~mask
                    if rest:
                        standing[u] = rest
                    else:
                        del standing[u]
            standing[k] = mask
        first: dict[Hashable, int] = {}
        for t, key in enumerate(part):
            first.setdefault(key, t)
        priority = [first.get(self.keys[v], len(part)) for v in nodes]
        ready = [(priority[k], k) for k in range(len(nodes)) if not waiting[k]]
        heapq.heapify(ready)
        result: list[int] = []
        while ready:
            _, k = heapq.heappop(ready)
            result.append(nodes[k])
            for v in successors[k]:
                waiting[v] -= 1
                if not waiting[v]:
                    heapq.heappush(ready, (priority[v], v))
        return result

    def _members(self) -> Callable[[int], tuple[int, ...]]:
        cache: dict[int, tuple[int, ...]] = {}
        count = self.witness_count
        every = range(count)

        def members(mask: int) -> tuple[int, ...]:
            found = cache.get(mask)
            if found is None:
                # the mask's bits as a string, read at C speed (a thousand witnesses make a
                # thousand-bit mask, and a table has as many masks as pieces)
                bits = format(mask, f"0{count}b")[::-1]
                found = cache[mask] = tuple(itertools.compress(every, map(_IS_ONE.get, bits)))
            return found

        return members

    def pieces(self) -> list[Piece]:
        """The nodes, cut into pieces of consecutive nodes (in ``order``) with the same witnesses,
        each ranked by longest path.

        Within such a piece every witness steps from one node straight to the next, so the
        ranks are consecutive: one longest-path step per piece instead of per node.
        """
        members = self._members()
        last = [0] * self.witness_count  # rank of each witness's latest node so far
        result: list[Piece] = []
        masks = list(map(self.masks.__getitem__, self.order))
        if not masks:
            return result
        # where the witness set changes, at C speed
        starts = [0, *itertools.compress(range(1, len(masks)),
                                         map(operator.ne, masks[1:], masks))]
        ends = [*starts[1:], len(masks)]
        for start, end in zip(starts, ends, strict=True):
            mask = masks[start]
            ws = members(mask)
            first = max(map(last.__getitem__, ws)) + 1
            for w in ws:
                last[w] = first + end - start - 1
            result.append((start, end - start, mask, first))
        return result

    def near_match(self, pieces: list[Piece], similarity: Similarity) -> list[Piece]:
        """*pieces* with nodes moved, within their room, beside the most similar reading."""
        rank = [0] * len(self.keys)
        for start, length, _, first in pieces:
            for k in range(length):
                rank[self.order[start + k]] = first + k
        top = max(rank, default=0)
        at_rank: dict[int, list[int]] = {}
        for v in self.order:
            at_rank.setdefault(rank[v], []).append(v)
        neighbours: list[list[tuple[int, int]]] = [[] for _ in self.keys]  # (before, after)
        for path in self.paths:
            for t, v in enumerate(path):
                before = path[t - 1] if t else -1
                after = path[t + 1] if t + 1 < len(path) else -1
                neighbours[v].append((before, after))
        for v in reversed(self.order):  # successors are final when a node is placed
            low = max(rank[u] if u >= 0 else 0 for u, _ in neighbours[v]) + 1
            high = min(rank[u] if u >= 0 else top + 1 for _, u in neighbours[v]) - 1
            if high <= low:
                continue
            best_rank, best_score = rank[v], -1.0
            for r in range(low, high + 1):
                others = [u for u in at_rank.get(r, ()) if u != v]
                score = max((similarity(self.keys[v], self.keys[u]) for u in others), default=-1.0)
                if score > best_score:
                    best_rank, best_score = r, score
            if best_rank != rank[v]:
                at_rank[rank[v]].remove(v)
                at_rank.setdefault(best_rank, []).append(v)
                rank[v] = best_rank
        # Close the gaps left by ranks that were emptied, then cut the pieces again.
        renumber = {r: k for k, r in enumerate(sorted(r for r, vs in at_rank.items() if vs), 1)}
        result: list[Piece] = []
        for p, v in enumerate(self.order):
            r, mask = renumber[rank[v]], self.masks[v]
            if result and result[-1][2] == mask and result[-1][3] + result[-1][1] == r:
                start, length, _, first = result[-1]
                result[-1] = (start, length + 1, mask, first)
            else:
                result.append((p, 1, mask, r))
        return result

    def table(
        self, pieces: list[Piece]
    ) -> tuple[tuple[tuple[int | None, ...], ...], tuple[tuple[int | None, ...], ...]]:
        """The alignment table for ranked *pieces* (column c holds the nodes of rank c + 1), as
        cells per witness and readings per column."""
        count = self.witness_count
        members = self._members()
        width = max((first + length - 1 for _, length, _, first in pieces), default=0)
        token_at: list[list[int | None]] = [[None] * width for _ in range(count)]  # witness -> col
        next_token = [0] * count
        owner = [-1] * width  # a piece with a node in each column
        shared: dict[int, list[int]] = {}  # column -> pieces, where more than one
        # mask -> (its witnesses, the readings of a column it has alone)
        known: dict[int, tuple[tuple[int, ...], tuple[int | None, ...]]] = {}
        readings: list[tuple[int | None, ...]] = [()] * width  # every column gets one
        for k, (_, length, mask, first) in enumerate(pieces):
            c0, c1 = first - 1, first - 1 + length
            found = known.get(mask)
            if found is None:
                ws = members(mask)
                alone: list[int | None] = [None] * count
                for w in ws:
                    alone[w] = 0
                found = known[mask] = (ws, tuple(alone))
            ws, pattern = found
            if length == 1:  # the commonest piece, a word where witnesses part: no slices
                for w in ws:
                    token_at[w][c0] = next_token[w]
                    next_token[w] += 1
                if owner[c0] < 0:
                    owner[c0] = k
                    readings[c0] = pattern
                else:
                    shared.setdefault(c0, [owner[c0]]).append(k)
                continue
            for w in ws:
                t = next_token[w]
                token_at[w][c0:c1] = range(t, t + length)
                next_token[w] = t + length
            if owner[c0:c1].count(-1) == length:
                owner[c0:c1] = [k] * length
                readings[c0:c1] = [pattern] * length
            else:  # parallel readings: rare, so per column
                for c in range(c0, c1):
                    if owner[c] < 0:
                        owner[c] = k
                        readings[c] = pattern
                    else:
                        shared.setdefault(c, [owner[c]]).append(k)
        patterns: dict[tuple[int, ...], tuple[int | None, ...]] = {}
        for c, ks in shared.items():
            masks = tuple(pieces[k][2] for k in ks)  # the readings depend on these alone
            numbered = patterns.get(masks)
            if numbered is None:
                piece_of: list[int | None] = [None] * count
                for k, mask in enumerate(masks):
                    for w in members(mask):
                        piece_of[w] = k
                number: dict[int, int] = {}
                numbered = patterns[masks] = tuple(
                    None if k is None else number.setdefault(k, len(number)) for k in piece_of
                )
            readings[c] = numbered
        return tuple(map(tuple, token_at)), tuple(readings)

