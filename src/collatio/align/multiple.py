"""Multiple alignment: N witnesses (sequences of comparison keys) as one alignment table.

``align(witnesses)`` returns an :class:`Alignment` whose ``columns`` satisfy:

* **Tiling.** For every witness, the token indices found in its cells, read column by column,
  are exactly ``0, 1, ..., len - 1``: every token appears once, in order.
* **No empty column.** Every column holds at least one token.
* **Readings.** In a column, witnesses whose tokens were aligned with each other (a match)
  share a reading number; matched tokens always have equal keys. A column with one reading
  and no gap is an agreement; any other column is a variant (differing keys, or a gap).
* **Determinism.** The table depends only on the keys' equality and the witnesses' order.

Method (progressive, variant-graph based). The alignment is kept as a variant graph: a node
is a set of tokens, at most one per witness, with equal keys; every witness is a path through
the nodes, and the graph stays acyclic. Witness 1 is a chain. Each further witness is
aligned against a topological order of the graph's nodes (their keys read as one sequence)
with the pairwise engine of :mod:`collatio.align.pairwise` (exact diff, anchored when long,
ties broken towards the latest match); where that alignment is ambiguous and small, the
nodes of the ambiguous stretch are first put in the topological order that best follows the
new witness (so it can match, say, the start of one branch and the end of a parallel one).
Matched tokens join their node, the others become new nodes. Costs per witness are linear in
the graph size plus one pairwise diff, so texts that mostly agree stay near-linear.

Columns are the graph's ranks: a node's rank is the length of the longest path reaching it,
so parallel readings start side by side (``"This very quick"`` against ``"That"`` puts
*That* under *This*). With ``near_match``, a node whose neighbours leave it room moves to
the rank, within that room, where the most similar other reading stands (as CollateX's near
matching does). With ``detect_transpositions``, blocks that two witnesses share but in
different places are reported (see :mod:`collatio.align.transpose`); the table is unchanged.

:meth:`Alignment.segments` groups tokens into parallel segments as CollateX does: chains of
table nodes that no witness enters or leaves midway are merged, and the merged nodes are
ranked again.
"""

from __future__ import annotations

import bisect
import contextlib
import functools
import gc
import heapq
import itertools
import operator
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from typing import Any, overload

import attrs

from collatio.align.pairwise import (
    Run,
    ambiguous_clusters,
    exact_runs,
    latest_lcs,
    slide_gaps,
)
from collatio.align.transpose import (
    MAX_CANDIDATES,
    MAX_GAP,
    MIN_LENGTH,
    Transposition,
    find_moves,
)
from collatio.errors import CollationError

__all__ = ["Alignment", "Column", "Segment", "align", "edit_similarity"]

Similarity = Callable[[Any, Any], float]
Piece = tuple[int, int, int, int]
"""``(start, length, mask, rank)``: ``order[start:start + length]``, all through the witnesses
of bit set *mask*, ranked *rank*, *rank* + 1, ..."""


@functools.lru_cache(maxsize=4096)
def _absent(readings: tuple[int | None, ...]) -> tuple[int, ...]:
    """Where *readings* has None, after checking that it numbers readings in witness order."""
    seen = -1
    for reading in readings:
        if reading is not None:
            if reading > seen + 1:
                raise ValueError(f"readings must be numbered in witness order: {readings}")
            seen = max(seen, reading)
    if seen < 0:
        raise ValueError("a column (or segment) must hold at least one witness")
    return tuple(w for w, reading in enumerate(readings) if reading is None)


def _readings_validator(
    instance: Column | Segment, attribute: attrs.Attribute[Any], value: tuple[int | None, ...]
) -> None:
    # Tables have a million columns: the structure of a readings tuple is checked once
    # (cached), the cells against it with C-speed calls.
    cells = instance.cells if isinstance(instance, Column) else instance.spans
    absent = _absent(value)
    if len(cells) != len(value) or cells.count(None) != len(absent):
        raise ValueError(f"readings {value} do not fit the cells {cells}")
    for w in absent:
        if cells[w] is not None:
            raise ValueError(f"readings {value} do not fit the cells {cells}")


@attrs.frozen(slots=True)
class Column:
    """One column of an alignment table.

    ``cells[w]`` is the index of witness *w*'s token here, or None; ``readings[w]`` numbers
    the reading *w* has here (0, 1, ... in witness order; None where *w* has no token).

    >>> col = Column(cells=(4, None, 3), readings=(0, None, 0))
    >>> col.is_variant, col.witnesses
    (True, (0, 2))
    """

    cells: tuple[int | None, ...]
    readings: tuple[int | None, ...] = attrs.field(validator=_readings_validator)

    @property
    def is_variant(self) -> bool:
        """True unless every witness has a token here and all are one reading."""
        return None in self.readings or any(self.readings)

    @property
    def witnesses(self) -> tuple[int, ...]:
        """The witnesses that have a token in this column."""
        return tuple(w for w, cell in enumerate(self.cells) if cell is not None)


@attrs.frozen(slots=True)
class Segment:
    """A parallel segment: per witness a half-open token range ``(start, end)`` or None.

    >>> Segment(spans=((0, 2), (0, 1)), readings=(0, 1)).is_variant
    True
    """

    spans: tuple[tuple[int, int] | None, ...]
    readings: tuple[int | None, ...] = attrs.field(validator=_readings_validator)

    @property
    def is_variant(self) -> bool:
        """True unless every witness has text here and all are one reading."""
        return None in self.readings or any(self.readings)


_is_cell = functools.partial(operator.is_not, None)


def _check_table(instance: Alignment, attribute: attrs.Attribute[Any], value: Any) -> None:
    # Tables have a million columns: every check below runs at C speed (map, count, compare)
    # or once per distinct readings tuple, of which a table has a handful.
    lengths, cells, readings = instance.lengths, instance.cells, instance.readings
    if len(cells) != len(lengths):
        raise ValueError(f"{len(cells)} rows of cells for {len(lengths)} witnesses")
    width = len(readings)
    if not width and any(lengths):
        raise ValueError(f"no columns for witnesses of lengths {list(lengths)}")
    patterns = set(readings)
    for pattern in patterns:
        if len(pattern) != len(lengths):
            raise ValueError(f"every column needs {len(lengths)} readings, not {pattern}")
        _absent(pattern)  # numbered in witness order, at least one witness
    for w, row in enumerate(cells):
        if len(row) != width:
            raise ValueError(f"witness {w}: {len(row)} cells for {width} columns")
        # tokens 0, 1, ..., length - 1, each once, in order
        if width - row.count(None) != lengths[w] or not all(
            map(operator.eq, filter(_is_cell, row), itertools.count())
        ):
            raise ValueError(
                f"witness {w}: columns do not hold tokens 0..{lengths[w] - 1} in order"
            )
        # a reading exactly where there is a token: as many absences, none where a token is
        nones = itertools.repeat(None)
        absent = list(map(operator.is_, map(operator.itemgetter(w), readings), nones))
        if absent.count(True) != width - lengths[w] or any(
            map(_is_cell, itertools.compress(row, absent))
        ):
            raise ValueError(f"witness {w}: readings do not fit the cells")


@attrs.frozen(slots=True)
class Alignment:
    """An alignment table of ``len(lengths)`` witnesses (invariants: see the module docstring),
    stored row by row: ``cells[w][c]`` is witness *w*'s token in column *c* (or None), and
    ``readings[c]`` numbers the readings of column *c*. A million-column table is thus a few
    flat tuples; :attr:`columns` gives :class:`Column` values on demand.

    >>> table = align(["a b c".split(), "a x c".split()])
    >>> table.cells
    ((0, 1, 2), (0, 1, 2))
    >>> [col.is_variant for col in table.columns]
    [False, True, False]
    """

    lengths: tuple[int, ...]
    cells: tuple[tuple[int | None, ...], ...]
    readings: tuple[tuple[int | None, ...], ...] = attrs.field(validator=_check_table)
    transpositions: tuple[Transposition, ...] = ()
    #: witness -> :meth:`token_columns` (derived data, kept once computed)
    _token_columns: dict[int, list[int]] = attrs.field(
        factory=dict, init=False, eq=False, repr=False
    )

    @classmethod
    def from_columns(
        cls,
        lengths: Sequence[int],
        columns: Sequence[Column],
        transpositions: Sequence[Transposition] = (),
    ) -> Alignment:
        """A table from its columns.

        >>> Alignment.from_columns((1, 1), [Column((0, 0), (0, 0))]).cells
        ((0,), (0,))
        """
        count = len(lengths)
        if any(len(column.cells) != count for column in columns):
            raise ValueError(f"every column needs {count} cells")
        rows = tuple(tuple(column.cells[w] for column in columns) for w in range(count))
        return cls(
            tuple(lengths), rows, tuple(column.readings for column in columns),
            tuple(transpositions),
        )

    @property
    def witness_count(self) -> int:
        """Number of witnesses."""
        return len(self.lengths)

    @property
    def width(self) -> int:
        """Number of columns."""
        return len(self.readings)

    @property
    def columns(self) -> Sequence[Column]:
        """The columns as :class:`Column` values (made on access)."""
        return _ColumnView(self)

    def column(self, c: int) -> Column:
        """Column *c*."""
        return Column(tuple(row[c] for row in self.cells), self.readings[c])

    def agreeing(self) -> list[bool]:
        """For each column, whether it is an agreement (every witness has a token there and
        all are one reading): the complement of :attr:`Column.is_variant`, for every column at
        once, decided once per distinct readings tuple.

        >>> align(["a b c".split(), "a x c".split()]).agreeing()
        [True, False, True]
        """
        return _agreeing(self.readings)

    def token_columns(self, w: int) -> list[int]:
        """For each token of witness *w*, the column it stands in (increasing; computed once,
        do not modify).

        >>> align(["a b".split(), "b".split()]).token_columns(1)
        [1]
        """
        found = self._token_columns.get(w)
        if found is None:
            found = self._token_columns[w] = _token_columns(self.cells[w])
        return found

    def reordered(self, order: Sequence[int]) -> Alignment:
        """The same table with its witnesses in another order: witness *k* of the result is
        witness ``order[k]`` of this one (readings renumbered in the new witness order).

        >>> table = align([["a"], ["b"], ["b"]])
        >>> table.readings, table.reordered([1, 0, 2]).readings
        (((0, 1, 1),), ((0, 1, 0),))
        """
        if sorted(order) != list(range(self.witness_count)):
            raise ValueError(f"{list(order)} is not an order of {self.witness_count} witnesses")
        cells, readings, moves = _permuted(self.cells, self.readings, self.transpositions, order)
        table = Alignment(tuple(self.lengths[w] for w in order), cells, readings, moves)
        for k, w in enumerate(order):
            if w in self._token_columns:
                table._token_columns[k] = self._token_columns[w]
        return table

    def segments(self) -> tuple[Segment, ...]:
        """The table grouped into parallel segments, CollateX style.

        Nodes of the table (a column's reading) that follow each other with nothing entering or
        leaving between them are merged; merged nodes are ranked by longest path again, and a
        segment is one rank. A run of agreeing columns thus becomes one segment, and a reading
        found in only some witnesses stays in one piece.

        >>> table = align(["The same clock as when".split(), "The same as when".split()])
        >>> [s.spans for s in table.segments()]
        [((0, 2), (0, 2)), ((2, 3), None), ((3, 5), (2, 4))]
        """
        return _segments(self)


Rows = tuple[tuple[int | None, ...], ...]
Readings = tuple[tuple[int | None, ...], ...]


def _permuted(
    cells: Rows, readings: Readings, moves: Sequence[Transposition], order: Sequence[int]
) -> tuple[Rows, Readings, tuple[Transposition, ...]]:
    """A table's parts with witness *k* taken from witness ``order[k]``."""
    renumbered: dict[tuple[int | None, ...], tuple[int | None, ...]] = {}
    for pattern in set(readings):
        seen: dict[int, int] = {}
        renumbered[pattern] = tuple(
            None if (r := pattern[w]) is None else seen.setdefault(r, len(seen)) for w in order
        )
    position = {w: k for k, w in enumerate(order)}
    moved = []
    for t in moves:
        a, b = position[t.witness_a], position[t.witness_b]
        if a < b:
            moved.append(Transposition(a, t.a_start, t.a_end, b, t.b_start, t.b_end))
        else:
            moved.append(Transposition(b, t.b_start, t.b_end, a, t.a_start, t.a_end))
    return (
        tuple(cells[w] for w in order),
        tuple(map(renumbered.__getitem__, readings)),
        tuple(moved),
    )


def _agreeing(readings: Sequence[tuple[int | None, ...]]) -> list[bool]:
    """For each readings tuple, whether it is an agreement (no absence, one reading)."""
    agreement = {p: None not in p and not any(p) for p in set(readings)}
    return list(map(agreement.__getitem__, readings))


def _token_columns(row: Sequence[int | None]) -> list[int]:
    """The columns of a row's tokens, in token order."""
    return list(itertools.compress(range(len(row)), map(_is_cell, row)))


class _ColumnView(Sequence[Column]):
    """The columns of an :class:`Alignment`, made on access."""

    __slots__ = ("_table",)

    def __init__(self, table: Alignment) -> None:
        self._table = table

    def __len__(self) -> int:
        return self._table.width

    @overload
    def __getitem__(self, c: int) -> Column: ...
    @overload
    def __getitem__(self, c: slice) -> list[Column]: ...
    def __getitem__(self, c: int | slice) -> Column | list[Column]:
        if isinstance(c, slice):
            return [self._table.column(k) for k in range(*c.indices(len(self)))]
        if c < 0:
            c += len(self)
        if not 0 <= c < len(self):
            raise IndexError(c)
        return self._table.column(c)

    def __iter__(self) -> Iterator[Column]:
        table = self._table
        if not table.cells:
            return iter(())
        return map(Column, zip(*table.cells, strict=True), table.readings)


def align(
    witnesses: Sequence[Sequence[Hashable]],
    *,
    detect_transpositions: bool = False,
    transposition_min_length: int = MIN_LENGTH,
    near_match: Similarity | None = None,
    order: Sequence[int] | None = None,
) -> Alignment:
    """Align *witnesses* (sequences of comparison keys) into one table.

    *near_match*, if given, scores two keys' similarity in [0, 1] (e.g. :func:`edit_similarity`)
    and lets unmatched readings settle beside their most similar counterpart. *order* is the
    order in which the witnesses join the graph (default: as given); the table's witnesses
    are always in the given order.

    >>> table = align(["the cat sat".split(), "the cat sat down".split(), "a cat sat".split()])
    >>> [col.cells for col in table.columns]
    [(0, 0, 0), (1, 1, 1), (2, 2, 2), (None, 3, None)]
    >>> [col.readings for col in table.columns][0]
    (0, 0, 1)
    """
    if not witnesses:
        raise CollationError("nothing to align: no witnesses given")
    count = len(witnesses)
    joining = list(range(count)) if order is None else list(order)
    if sorted(joining) != list(range(count)):
        raise CollationError(f"{joining} is not an order of {count} witnesses")
    joined = [witnesses[w] for w in joining]
    with _cyclic_gc_paused():
        graph = _Graph(count)
        for keys in joined:
            graph.add(keys)
        pieces = graph.pieces()
        if near_match is not None:
            pieces = graph.near_match(pieces, near_match)
        cells, readings = graph.table(pieces)
        del graph
        where = [_token_columns(row) for row in cells] if detect_transpositions else []
        found: tuple[Transposition, ...] = ()
        if detect_transpositions:
            found = _transpositions(joined, cells, readings, where, transposition_min_length)
        if joining != list(range(count)):  # back to the given order
            given = [joining.index(w) for w in range(count)]
            cells, readings, found = _permuted(cells, readings, found, given)
            where = [where[k] for k in given] if where else []
        table = Alignment(tuple(len(keys) for keys in witnesses), cells, readings, found)
        table._token_columns.update(enumerate(where))
        return table


@contextlib.contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a table is built.

    A table is millions of small, acyclic objects; each allocation burst would otherwise
    trigger collections that rescan everything built so far, which doubled the run time of
    a million-token alignment. Nothing built here forms a cycle, so nothing is lost.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def edit_similarity(a: str, b: str) -> float:
    """1 - Levenshtein distance / length of the longer string (1.0 for two empty strings).

    >>> edit_similarity("this", "that")
    0.5
    """
    if len(a) < len(b):
        a, b = b, a
    if not a:
        return 1.0
    above = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i]
        for j, cb in enumerate(b, 1):
            row.append(min(above[j] + 1, row[j - 1] + 1, above[j - 1] + (ca != cb)))
        above = row
    return 1.0 - above[-1] / len(a)


# --- the variant graph -------------------------------------------------------------------------


class _Graph:
    """Mutable variant graph used while aligning; nodes are ints (creation order)."""

    def __init__(self, witness_count: int) -> None:
        self.witness_count = witness_count
        self.keys: list[Hashable] = []  # node -> key
        self.masks: list[int] = []  # node -> bit set of the witnesses through it
        self.order: list[int] = []  # all nodes, in a topological order
        self.paths: list[list[int]] = []  # witness -> token index -> node

    def add(self, tokens: Sequence[Hashable]) -> None:
        """Align one more witness against the graph and thread it through."""
        order = self.order
        runs: list[Run] = []
        if order and tokens:
            lin = list(map(self.keys.__getitem__, order))
            runs = exact_runs(lin, tokens)
            clusters = ambiguous_clusters(lin, tokens, runs)
            if clusters:
                runs = self._resolve(lin, tokens, runs, clusters)
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

    def _resolve(
        self,
        lin: list[Hashable],
        tokens: Sequence[Hashable],
        runs: list[Run],
        clusters: list[tuple[int, int, int, int, int, int]],
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
            best = latest_lcs(lin[a0:a1], part)
            nodes = self._follow(a0, a1, part, pos)
            if nodes != self.order[a0:a1]:
                keys = [self.keys[v] for v in nodes]
                candidate = latest_lcs(keys, part)
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

    def _follow(self, a0: int, a1: int, part: Sequence[Hashable], pos: list[int]) -> list[int]:
        """``order[a0:a1]`` re-sorted topologically, preferring the new witness's key order."""
        nodes = self.order[a0:a1]
        local = {v: k for k, v in enumerate(nodes)}
        successors: list[list[int]] = [[] for _ in nodes]
        waiting = [0] * len(nodes)
        # Any path between two nodes of the stretch stays inside it (the order is topological),
        # so the witnesses' steps inside the stretch carry all of its ordering constraints.
        for path in self.paths:
            t0 = bisect.bisect_left(path, a0, key=pos.__getitem__)
            t1 = bisect.bisect_left(path, a1, key=pos.__getitem__)
            for t in range(t0, t1 - 1):
                u, v = local[path[t]], local[path[t + 1]]
                successors[u].append(v)
                waiting[v] += 1
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

        def members(mask: int) -> tuple[int, ...]:
            found = cache.get(mask)
            if found is None:
                found = cache[mask] = tuple(w for w in range(count) if mask >> w & 1)
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
                found = known[mask] = (
                    members(mask), tuple(0 if mask >> w & 1 else None for w in range(count))
                )
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


# --- transpositions ----------------------------------------------------------------------------


def _transpositions(
    witnesses: Sequence[Sequence[Hashable]],
    cells: Sequence[Sequence[int | None]],
    readings: Sequence[tuple[int | None, ...]],
    where: Sequence[Sequence[int]],
    min_length: int,
) -> tuple[Transposition, ...]:
    """Moved blocks between every pair of witnesses, each block (by columns) reported once;
    ``where[w][t]`` is the column of token *t* of witness *w*."""
    count = len(witnesses)
    found: list[Transposition] = []
    seen: set[tuple[tuple[int, int], tuple[int, int]]] = set()
    patterns = set(readings)
    # only columns where some witnesses differ can hold a pair's free tokens
    variant = list(itertools.compress(
        range(len(readings)), map(operator.not_, _agreeing(readings))
    ))
    variant_readings = list(map(readings.__getitem__, variant))
    for x in range(count):
        for y in range(x + 1, count):
            # the columns where x and y do not share a reading (x's and y's free tokens)
            apart = {p: p[x] is None or p[x] != p[y] for p in patterns}
            unmatched = list(map(apart.__getitem__, variant_readings))
            free_x = _ranges(itertools.compress(map(cells[x].__getitem__, variant), unmatched))
            free_y = _ranges(itertools.compress(map(cells[y].__getitem__, variant), unmatched))
            moves = find_moves(
                witnesses[x], free_x, witnesses[y], free_y, min_length, MAX_GAP, MAX_CANDIDATES
            )
            for i0, i1, j0, j1 in moves:
                span_x = (where[x][i0], where[x][i1 - 1] + 1)
                span_y = (where[y][j0], where[y][j1 - 1] + 1)
                key = (min(span_x, span_y), max(span_x, span_y))
                if key not in seen:  # the same moved columns, seen from another witness
                    seen.add(key)
                    found.append(Transposition(x, i0, i1, y, j0, j1))
    return tuple(found)


def _ranges(tokens: Iterable[int | None]) -> list[tuple[int, int]]:
    """Increasing token indices (None skipped) as maximal half-open ranges.

    >>> _ranges([1, None, 2, 3, 7])
    [(1, 4), (7, 8)]
    """
    found: list[int] = list(filter(_is_cell, tokens))  # type: ignore[arg-type]
    if not found:
        return []
    # a range ends where the next token is not the one after it (C-speed passes)
    after = list(map(_plus_one, found))
    cuts = list(itertools.compress(range(1, len(found)), map(operator.ne, found[1:], after)))
    starts = [found[0], *map(found.__getitem__, cuts)]
    ends = [*map(after.__getitem__, map(_minus_one, cuts)), after[-1]]
    return list(zip(starts, ends, strict=True))


_plus_one = (1).__add__
_minus_one = (-1).__add__


# --- segments ----------------------------------------------------------------------------------


def _segments(alignment: Alignment) -> tuple[Segment, ...]:
    count = alignment.witness_count
    readings, cells = alignment.readings, alignment.cells
    # Table nodes: one per (column, reading), numbered in column order.
    base: list[int] = []
    total = 0
    for pattern in readings:
        base.append(total)
        total += max(r for r in pattern if r is not None) + 1
    start, end, many, unset = -1, -2, -3, -4
    successor = [unset] * total  # the one node after each node, else end or many
    predecessor = [unset] * total  # the one node before each node, else start or many

    def link(u: int, v: int) -> None:
        if u >= 0:
            successor[u] = v if successor[u] in (unset, v) else many
        if v >= 0:
            predecessor[v] = u if predecessor[v] in (unset, u) else many

    for w in range(count):
        previous = start
        for c, pattern in enumerate(readings):
            reading = pattern[w]
            if reading is not None:
                node = base[c] + reading
                link(previous, node)
                previous = node
        link(previous, end)
    # Merge u -> v when u's only successor is v and v's only predecessor is u.
    chain = [0] * total
    chains = 0
    for v in range(total):
        u = predecessor[v]
        if u >= 0 and successor[u] == v:
            chain[v] = chain[u]
        else:
            chain[v] = chains
            chains += 1
    # Rank the chains (heads appear in column order, a topological order).
    chain_rank = [0] * chains
    last = [0] * count
    spans: list[dict[int, list[int]]] = [{} for _ in range(chains)]
    for w, row in enumerate(cells):
        for c, cell in enumerate(row):
            if cell is None:
                continue
            reading = readings[c][w]
            assert reading is not None
            k = chain[base[c] + reading]
            span = spans[k].get(w)
            if span is None:
                spans[k][w] = [cell, cell + 1]
            else:
                span[1] = cell + 1
    for k in range(chains):
        ws = sorted(spans[k])
        r = max(last[w] for w in ws) + 1
        for w in ws:
            last[w] = r
        chain_rank[k] = r
    by_rank: dict[int, list[int]] = {}
    for k in range(chains):
        by_rank.setdefault(chain_rank[k], []).append(k)
    segments: list[Segment] = []
    for r in sorted(by_rank):
        parts: list[tuple[int, int] | None] = [None] * count
        owner: list[int] = [-1] * count
        for k in by_rank[r]:
            for w, (s, e) in spans[k].items():
                parts[w] = (s, e)
                owner[w] = k
        number: dict[int, int] = {}
        numbered = tuple(None if k < 0 else number.setdefault(k, len(number)) for k in owner)
        segments.append(Segment(tuple(parts), numbered))
    return tuple(segments)
