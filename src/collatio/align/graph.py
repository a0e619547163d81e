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
*piece* (a run of consecutive nodes in ``order`` through the same witnesses); then a variant
of a few witnesses may move right, within its room, beside the majority's word it stands for
(:meth:`Graph.settle`).
"""

from __future__ import annotations

import array
import collections
import heapq
import itertools
import operator
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from collatio._indices import indices
from collatio.align.anchors import Budget, Run, Stretch, encode_chars, encoded_runs
from collatio.align.near import READINGS, ROOM
from collatio.align.pairwise import (
    CLUSTER_PER_TOKEN,
    ambiguous_clusters,
    latest_lcs,
    merge_runs,
    slide_gaps,
)
from collatio.align.thread import STEP_SHIFT, Edges, consecutive, rethread

__all__ = ["Graph", "Piece", "Similarity", "pair_table"]

Similarity = Callable[[Any, Any], float]
_IS_ONE = {"1": True, "0": False}
_SLIDE = 32
"""Fewest positions of the graph's order that a token may move by when re-threaded."""
SLIDE_TOKENS = 8
"""How far a re-threaded token may move, in tokens of the new witness: the order holds more
nodes per token as witnesses join (about 31 after 1,000 texts of 100 words, each adding its
variants), so a fixed number of positions would shrink to less than one word's place."""
REPAIR_TEXTS = 32
"""Up to this many witnesses, :meth:`Graph.repair` makes identical readings share nodes."""
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
        # the witnesses' steps, made when a third witness joins (see _steps), and how many
        # witnesses' paths they hold
        self._edges: Edges | None = None
        self._recorded = 0
        self._member_cache: dict[int, tuple[int, ...]] = {}  # see _members

    def add(self, tokens: Sequence[Hashable], budget: Budget | None = None) -> list[Stretch]:
        """Align one more witness against the graph and thread it through; return the
        stretches (graph order positions, token indices) that a bounded fallback aligned.
        *budget* counts the work (default: :meth:`Budget.for_tokens` of the two sides)."""
        runs, approximate = self.match(tokens, budget)
        order = self.order
        bit = 1 << len(self.paths)
        keys, masks = self.keys, self.masks
        new_order: list[int] = []
        path: list[int] = []
        ints = indices(len(keys) + len(tokens))  # the new nodes' numbers, shared
        i = j = 0
        for a0, b0, n in [*runs, (len(order), len(tokens), 0)]:
            new_order.extend(order[i:a0])  # nodes this witness skips
            if b0 > j:  # tokens with no counterpart: new nodes
                fresh = ints[len(keys) : len(keys) + b0 - j]
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

    def match(self, tokens: Sequence[Hashable], budget: Budget | None = None,
              workers: int = 1) -> tuple[list[Run], list[Stretch]]:
        """The runs (order position, token index, length) in which one more witness's
        *tokens* match the graph's order, as :meth:`add` threads them, and the stretches a
        bounded fallback aligned; the order may be re-sorted where that matches more.
        *workers*: processes the diff may use (see :func:`encoded_runs`)."""
        order = self.order
        runs: list[Run] = []
        approximate: list[Stretch] = []
        if order and tokens:
            # one witness's chain is the order, its nodes numbered along it
            lin = (self.keys[:] if len(self.paths) == 1
                   else list(map(self.keys.__getitem__, order)))
            if budget is None:
                budget = Budget.for_tokens(len(lin) + len(tokens))
            chars, chars_b = encode_chars(lin, tokens)
            found, approximate = encoded_runs(chars, chars_b, budget, workers)
            runs = merge_runs(found)
            allowance = CLUSTER_PER_TOKEN * (len(lin) + len(tokens))
            # once the graph has branches, they interrupt the runs found in its order: a run
            # is then solid by what it matches of the new witness
            clusters = ambiguous_clusters(lin, tokens, runs, allowance=allowance,
                                          solid_in_b=len(self.paths) > 1)
            if clusters:
                runs, reordered = self._resolve(lin, tokens, runs, clusters, budget)
                if reordered:  # lin changed: so does its encoding
                    chars, _ = encode_chars(lin, tokens)
            runs = slide_gaps(lin, tokens, runs)
            if len(self.paths) > 1:
                runs = self._rethread("".join(chars), len(tokens), runs)
        return runs, approximate

    def _steps(self) -> Edges:
        """The witnesses' steps (:data:`collatio.align.thread.Edges`): the witnesses whose
        node after *u* is *v*; per node, the witnesses that start and that end on it.

        A witness's path follows the order, so "the witnesses stepping from *u* to *v* with no
        node between" (in the order) are exactly those: looked up, not walked. Made when
        first asked for, then brought up to date with the witnesses joined since (so a
        witness is recorded only when a later one is threaded). O(tokens) a witness, at C
        speed.
        """
        if self._edges is None:
            self._edges = ({}, {}, {})
            self._recorded = 0
        steps, firsts, lasts = self._edges
        for path in self.paths[self._recorded:]:
            bit = 1 << self._recorded
            self._recorded += 1
            if not path:
                continue
            firsts[path[0]] = firsts.get(path[0], 0) | bit
            lasts[path[-1]] = lasts.get(path[-1], 0) | bit
            pairs = list(map(operator.or_, map(operator.lshift, path, itertools.repeat(
                STEP_SHIFT)), path[1:]))
            steps.update(zip(pairs, list(map(operator.or_, map(
                steps.get, pairs, itertools.repeat(0)), itertools.repeat(bit))), strict=True))
        return self._edges

    def _rethread(self, text: str, length: int, runs: list[Run]) -> list[Run]:
        """*runs* (of the graph's order, encoded as *text* by :func:`encode`, against a
        witness of *length* tokens) with the matched tokens moved, where equal nodes lie near,
        onto the nodes that keep the new witness with the witnesses it reads alike
        (:func:`collatio.align.thread.rethread`, within ``_SLIDE`` positions, or
        ``SLIDE_TOKENS`` tokens' worth of positions where the order holds more nodes per
        token than that allows)."""
        slide = max(_SLIDE, SLIDE_TOKENS * len(text) // max(1, length))
        return rethread(self.order, self.masks, self._steps(), text, length, runs, slide)

    def _resolve(
        self,
        lin: list[Hashable],
        tokens: Sequence[Hashable],
        runs: list[Run],
        clusters: list[tuple[int, int, int, int, int, int]],
        budget: Budget,
    ) -> tuple[list[Run], bool]:
        """Re-solve ambiguous clusters: best topological order, then the latest-match LCS;
        also say whether the order (and *lin*) changed."""
        rebuilt: list[Run] = []
        done = 0
        reordered = False
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
                    reordered = True
                    self.order[a0:a1] = nodes
                    lin[a0:a1] = keys
            rebuilt.extend((a0 + i, b0 + j, n) for i, j, n in best)
            done = hi
        rebuilt.extend(runs[done:])
        return rebuilt, reordered

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
        """The witnesses of a bit set, as a tuple; one cache for the graph's life (ranking,
        settling and the table each read every piece's)."""
        cache = self._member_cache
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

    def repair(self) -> None:
        """Thread each witness along an earlier one wherever the two read the same words
        between two nodes they share (identical readings then stand in one column), for up to
        ``REPAIR_TEXTS`` witnesses.

        Per round, for each witness and each earlier one, only the witness's tokens on nodes
        the earlier one does not pass through are visited (the variant places); a stretch
        of them between two shared nodes (or a text's end) that reads exactly what the
        earlier witness reads between the same nodes is moved onto its nodes (the earlier
        one's nodes lie between the two shared ones, so the order stays topological). Rounds
        repeat until nothing moves (at most ``len(paths)`` rounds); what a pair finds
        depends on its two paths alone, so a later round passes over a pair neither of whose
        paths moved since it was last visited. Cost: O(K^2 x variant tokens) a round (the
        first; later ones only for pairs with a moved path), and O(nodes) to index an
        earlier witness's path (once, and again after its own tokens moved); nothing for
        two witnesses, whose diff already matches such words.
        """
        count = len(self.paths)
        if not 2 < count <= REPAIR_TEXTS:
            return
        keys, masks = self.keys, self.masks
        full = (1 << count) - 1
        # per witness: node -> its index in the witness's path (for the nodes on it), made
        # when first asked for and dropped when the path moves
        indexes: dict[int, array.array[int]] = {}

        def index_of(x: int) -> array.array[int]:
            found = indexes.get(x)
            if found is None:
                # (a C int a node: a collation holds far fewer than 2**31 tokens)
                found = indexes[x] = array.array("i", [0]) * len(keys)
                collections.deque(map(found.__setitem__, self.paths[x], itertools.count()),
                                  maxlen=0)
            return found

        # a clock ticking at each visit of a pair and each move: when each witness's path
        # last moved, and when each pair was last visited
        clock = 0
        moved_at = [0] * count
        visited_at: dict[tuple[int, int], int] = {}
        for _ in range(count):
            moved = False
            for y in range(1, count):
                py, ybit = self.paths[y], 1 << y
                variant: list[int] | None = None
                for x in range(y):
                    seen = visited_at.get((x, y))
                    if seen is not None and seen > moved_at[x] and seen > moved_at[y]:
                        continue  # neither path moved: the pair would find what it found
                    clock += 1
                    visited_at[x, y] = clock
                    if variant is None:
                        # y's tokens on nodes some witness does not pass through; y's
                        # moves below only make fewer such, and the filter reads the masks
                        variant = list(itertools.compress(
                            range(len(py)), map(full.__ne__, map(masks.__getitem__, py))))
                    px, xbit = self.paths[x], 1 << x
                    apart = [t for t in variant if not masks[py[t]] & xbit]
                    if not apart:
                        continue
                    at = index_of(x)
                    for t0, t1 in consecutive(apart):
                        # the nodes bounding the stretch, shared by x and y, in x's path
                        s0 = -1 if t0 == 0 else at[py[t0 - 1]]
                        s1 = len(px) if t1 == len(py) else at[py[t1]]
                        if s1 - s0 - 1 != t1 - t0:
                            continue
                        ours, theirs = py[t0:t1], px[s0 + 1 : s1]
                        if list(map(keys.__getitem__, ours)) != list(map(keys.__getitem__,
                                                                         theirs)):
                            continue
                        for v, u in zip(ours, theirs, strict=True):
                            masks[v] &= ~ybit
                            masks[u] |= ybit
                        py[t0:t1] = theirs
                        indexes.pop(y, None)
                        moved = True
                        clock += 1
                        moved_at[y] = clock
            if not moved:
                break
        self.order = [v for v in self.order if masks[v]]  # nodes left by every witness go
        self._edges = None  # the paths moved

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

    def settle(self, pieces: list[Piece]) -> list[Piece]:
        """*pieces* with each variant of a few witnesses moved, within its room, beside the
        majority's words it stands for.

        Ranks by longest path put every node as far left as it may stand. A word that a few
        witnesses read instead of the majority's then lands in the first column after the
        majority word before it, which is where other witnesses' insertions stand, not in
        the column of the word it replaces. A piece may move right when it is a variant
        place: fewer than half the witnesses, at most ``ROOM`` tokens, all that they read
        between two majority nodes (or a text's end), and no token of its keys beside it.
        It moves at most ``ROOM`` columns and as far as its witnesses' next nodes allow, to
        the nearest columns that each hold a majority reading and together more tokens than
        its own columns (its own tokens counted). Pieces are visited from the last, so
        the nodes after one stand where they will stay; columns left empty are closed up.
        Two witnesses never have such a piece. Cost: O(pieces x witnesses a piece), plus
        O(ROOM^2) a movable piece.
        """
        count = self.witness_count
        if count < 3 or not pieces:
            return pieces
        members, keys, order = self._members(), self.keys, self.order
        width = max(first + length - 1 for _, length, _, first in pieces)
        change = [0] * (width + 2)
        for _, length, mask, first in pieces:
            size = mask.bit_count()
            change[first] += size
            change[first + length] -= size
        weight = list(itertools.accumulate(change))  # rank -> the tokens standing there
        # per rank: the key of its majority reading (None: none; no token's key is None)
        # and how many nodes of each key the others there have
        major: list[Hashable | None] = [None] * (width + 2)
        minor: dict[tuple[int, Hashable], int] = {}
        before = [count] * count  # per witness: how many witnesses its latest node has
        variant = [False] * len(pieces)  # a minority piece following majority nodes
        for k, (start, length, mask, first) in enumerate(pieces):
            ws = members(mask)
            nodes = order[start : start + length]
            if 2 * len(ws) > count:
                major[first : first + length] = map(keys.__getitem__, nodes)
            else:
                for r, v in enumerate(nodes, first):
                    minor[r, keys[v]] = minor.get((r, keys[v]), 0) + 1
                variant[k] = (2 * len(ws) < count and length <= ROOM
                              and all(2 * before[w] > count for w in ws))
            for w in ws:
                before[w] = len(ws)
        following = [width + 1] * count  # per witness: the rank of its next node
        after = [count] * count  # per witness: how many witnesses its next node has
        result = list(pieces)
        moved = False
        for k in range(len(pieces) - 1, -1, -1):
            start, length, mask, first = pieces[k]
            ws = members(mask)
            size = len(ws)
            latest = min(min(map(following.__getitem__, ws)) - length, first + ROOM)
            if variant[k] and latest > first and all(2 * after[w] > count for w in ws):
                own = list(map(keys.__getitem__, order[start : start + length]))
                alone = all(major[r] != key and minor[r, key] == 1
                            for r, key in enumerate(own, first))
                at, most = first, sum(weight[first : first + length])
                for r in range(first + 1, latest + 1) if alone else ():
                    if None not in major[r : r + length] and sum(weight[r : r + length]) > most:
                        at = r
                        break
                if at != first:
                    for r, key in enumerate(own, first):
                        weight[r] -= size
                        minor[r, key] -= 1
                    for r, key in enumerate(own, at):
                        weight[r] += size
                        minor[r, key] = minor.get((r, key), 0) + 1
                    result[k] = (start, length, mask, at)
                    first = at
                    moved = True
            for w in ws:
                following[w] = first
                after[w] = size
        if moved and 0 in weight[1 : width + 1]:
            renumber = list(itertools.accumulate(map(bool, weight)))
            result = [(s, n, m, renumber[f]) for s, n, m, f in result]
        return result

    def near_match(self, pieces: list[Piece], similarity: Similarity) -> list[Piece]:
        """*pieces* with nodes moved, within their room (at most ``ROOM`` columns away),
        beside the most similar reading (see :mod:`collatio.align.near`)."""
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
            for r in range(max(low, rank[v] - ROOM), min(high, rank[v] + ROOM) + 1):
                others = [u for u in at_rank.get(r, ())[:READINGS] if u != v]
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

    def table(self, pieces: list[Piece]) -> tuple[
        tuple[tuple[int | None, ...], ...], tuple[tuple[int | None, ...], ...], list[list[int]]
    ]:
        """The alignment table for ranked *pieces* (column c holds the nodes of rank c + 1), as
        cells per witness, readings per column, and per witness its tokens' columns (as
        :meth:`collatio.align.table.Alignment.token_columns`: made here, the tokens being
        numbered in the order they are placed)."""
        count = self.witness_count
        members = self._members()
        width = max((first + length - 1 for _, length, _, first in pieces), default=0)
        # columns and token numbers sliced from shared int objects
        ints = indices(max(width, max(map(len, self.paths), default=0)))
        token_at: list[list[int | None]] = [[None] * width for _ in range(count)]  # witness -> col
        columns: list[list[int]] = [[] for _ in range(count)]  # witness -> token -> column
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
                    columns[w].append(c0)
                if owner[c0] < 0:
                    owner[c0] = k
                    readings[c0] = pattern
                else:
                    shared.setdefault(c0, [owner[c0]]).append(k)
                continue
            span = ints[c0:c1]
            for w in ws:
                t = next_token[w]
                token_at[w][c0:c1] = ints[t : t + length]
                next_token[w] = t + length
                columns[w].extend(span)
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
        return tuple(map(tuple, token_at)), tuple(readings), columns



_AGREE, _PARALLEL, _FIRST, _SECOND = (0, 0), (0, 1), (0, None), (None, 0)


def pair_table(first: int, second: int, runs: Sequence[Run]) -> tuple[
    tuple[tuple[int | None, ...], ...], tuple[tuple[int | None, ...], ...], list[list[int]]
]:
    """:meth:`Graph.table` of two witnesses, of *first* and *second* tokens, the second
    matched to the first in *runs* (:meth:`Graph.match` against the first's chain), made
    from the runs without the graph: between two runs the first's unmatched tokens and the
    second's start side by side in one column each, the longer reaching further.

    >>> cells, readings, columns = pair_table(3, 2, [(0, 0, 1), (2, 1, 1)])
    >>> cells
    ((0, 1, 2), (0, None, 1))
    >>> readings, columns
    (((0, 0), (0, None), (0, 0)), [[0, 1, 2], [0, 2]])
    """
    cells_a: list[int | None] = []
    cells_b: list[int | None] = []
    readings: list[tuple[int | None, ...]] = []
    columns_a: list[int] = []
    columns_b: list[int] = []
    ends = [*runs, (first, second, 0)]
    # token indices and column numbers are sliced from one list of int objects: a table of
    # a million columns would otherwise make three million of them, a tenth of a second each
    width = i = j = 0
    for a0, b0, n in ends:
        width += max(a0 - i, b0 - j) + n
        i, j = a0 + n, b0 + n
    ints = indices(max(first, second, width))
    i = j = c = 0
    for a0, b0, n in ends:
        gap_a, gap_b = a0 - i, b0 - j
        if gap_a or gap_b:
            wide = max(gap_a, gap_b)
            cells_a.extend(ints[i:a0])
            cells_a.extend([None] * (wide - gap_a))
            cells_b.extend(ints[j:b0])
            cells_b.extend([None] * (wide - gap_b))
            columns_a.extend(ints[c : c + gap_a])
            columns_b.extend(ints[c : c + gap_b])
            readings.extend([_PARALLEL] * min(gap_a, gap_b))
            readings.extend([_FIRST if gap_a > gap_b else _SECOND] * abs(gap_a - gap_b))
            c += wide
        cells_a.extend(ints[a0 : a0 + n])
        cells_b.extend(ints[b0 : b0 + n])
        span = ints[c : c + n]
        columns_a.extend(span)
        columns_b.extend(span)
        readings.extend([_AGREE] * n)
        c += n
        i, j = a0 + n, b0 + n
    return (tuple(cells_a), tuple(cells_b)), tuple(readings), [columns_a, columns_b]


def _most_common_bit(masks: Sequence[int]) -> int:
    """The lowest of the bits set in the most of *masks*, as a mask (0 if none).

    Counted bit-sliced (one big-integer counter per binary digit of the count), so the cost is
    O(len(masks) x log len(masks)) big-integer operations, whatever the number of witnesses.

    >>> bin(_most_common_bit([0b110, 0b011, 0b010]))
    '0b10'
    """
    planes: list[int] = []  # planes[d]: the witnesses whose count has binary digit d set
    for mask in masks:
        carry = mask
        for d, plane in enumerate(planes):
            planes[d], carry = plane ^ carry, plane & carry
            if not carry:
                break
        if carry:
            planes.append(carry)
    if not planes:
        return 0
    best = -1  # every witness, then narrowed digit by digit from the top
    for plane in reversed(planes):
        if best & plane:
            best &= plane
    return best & -best
