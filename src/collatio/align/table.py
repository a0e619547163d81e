"""The alignment table: :class:`Alignment` (rows of cells, readings per column), its
:class:`Column` and :class:`Segment` views.

Invariants, validated on construction (every check runs at C speed or once per distinct
readings tuple, since tables have a million columns), except for the tables the aligner
makes, which hold them by construction (:meth:`Alignment._made`):

* **Tiling.** For every witness, the token indices found in its cells, read column by column,
  are exactly ``0, 1, ..., len - 1``: every token appears once, in order.
* **No empty column.** Every column holds at least one token.
* **Readings.** In a column, witnesses whose tokens were aligned with each other (a match)
  share a reading number (0, 1, ... in witness order; None where absent).

:meth:`Alignment.segments` groups tokens into parallel segments as CollateX does: chains of
table nodes that no witness enters or leaves midway are merged, and the merged nodes are
ranked again.
"""

from __future__ import annotations

import functools
import itertools
import operator
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, overload

import attrs

from collatio._indices import indices
from collatio.align.transpose import Transposition

__all__ = ["Alignment", "Approximation", "Column", "Segment"]


@attrs.frozen(slots=True)
class Approximation:
    """Tokens ``[start, end)`` of witness *witness* were aligned by a bounded, cheaper method
    instead of an exact diff (*reason* says why); see :mod:`collatio.align.anchors`.

    >>> Approximation(1, 0, 5000, "too costly").end
    5000
    """

    witness: int
    start: int
    end: int
    reason: str


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

    >>> from collatio.align import align
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
    #: stretches aligned by a bounded fallback rather than an exact diff (empty on ordinary
    #: input)
    approximations: tuple[Approximation, ...] = ()
    #: witness -> :meth:`token_columns` (derived data, kept once computed)
    _token_columns: dict[int, list[int]] = attrs.field(
        factory=dict, init=False, eq=False, repr=False
    )
    #: :meth:`agreeing` (derived data, kept once computed)
    _agrees: list[bool] | None = attrs.field(default=None, init=False, eq=False, repr=False)

    def __repr__(self) -> str:
        moved = f", {len(self.transpositions)} transpositions" if self.transpositions else ""
        sizes = ", ".join(map(str, self.lengths[:6])) + (", …" if len(self.lengths) > 6 else "")
        return (f"<Alignment of {len(self.lengths)} texts ({sizes} tokens): "
                f"{self.width} columns{moved}>")

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

    @classmethod
    def _made(
        cls,
        lengths: tuple[int, ...],
        cells: tuple[tuple[int | None, ...], ...],
        readings: tuple[tuple[int | None, ...], ...],
        transpositions: tuple[Transposition, ...],
        approximations: tuple[Approximation, ...],
        agrees: list[bool] | None = None,
    ) -> Alignment:
        """A table that holds the invariants by construction (made by
        :func:`collatio.align.align`, or a valid table's witnesses reordered), not walked
        again: on a million-column table the validator costs as much as ranking the graph.
        tests/test_align.py checks the aligner's tables against the invariants, as properties.
        *agrees*: :meth:`agreeing` when already known (it does not depend on the witnesses'
        order).
        """
        table = object.__new__(cls)
        for name, value in (("lengths", lengths), ("cells", cells), ("readings", readings),
                            ("transpositions", transpositions),
                            ("approximations", approximations), ("_token_columns", {}),
                            ("_agrees", agrees)):
            object.__setattr__(table, name, value)
        return table

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
        once (computed once, do not modify).

        >>> from collatio.align import align
        >>> align(["a b c".split(), "a x c".split()]).agreeing()
        [True, False, True]
        """
        found = self._agrees
        if found is None:
            found = _agreeing(self.readings)
            object.__setattr__(self, "_agrees", found)
        return found

    def token_columns(self, w: int) -> list[int]:
        """For each token of witness *w*, the column it stands in (increasing; computed once,
        do not modify).

        >>> from collatio.align import align
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

        >>> from collatio.align import align
        >>> table = align([["a"], ["b"], ["b"]])
        >>> table.readings, table.reordered([1, 0, 2]).readings
        (((0, 1, 1),), ((0, 1, 0),))
        """
        if sorted(order) != list(range(self.witness_count)):
            raise ValueError(f"{list(order)} is not an order of {self.witness_count} witnesses")
        cells, readings, moves = _permuted(self.cells, self.readings, self.transpositions, order)
        position = {w: k for k, w in enumerate(order)}
        approximations = tuple(
            Approximation(position[a.witness], a.start, a.end, a.reason)
            for a in self.approximations
        )
        table = Alignment._made(
            tuple(self.lengths[w] for w in order), cells, readings, moves, approximations,
            self._agrees,
        )
        for k, w in enumerate(order):
            if w in self._token_columns:
                table._token_columns[k] = self._token_columns[w]
        return table

    def with_transpositions(self, found: Sequence[Transposition]) -> Alignment:
        """The same table with the transpositions *found* (of its witnesses, in its order)
        instead of its own.

        >>> from collatio.align import Transposition, align
        >>> table = align(["a b".split(), "b a".split()])
        >>> table.with_transpositions([Transposition(0, 0, 1, 1, 1, 2)]).transpositions
        (Transposition(witness_a=0, a_start=0, a_end=1, witness_b=1, b_start=1, b_end=2),)
        """
        table = Alignment._made(self.lengths, self.cells, self.readings, tuple(found),
                                self.approximations, self._agrees)
        table._token_columns.update(self._token_columns)
        return table

    def segments(self) -> tuple[Segment, ...]:
        """The table grouped into parallel segments, CollateX style.

        Nodes of the table (a column's reading) that follow each other with nothing entering or
        leaving between them are merged; merged nodes are ranked by longest path again, and a
        segment is one rank. A run of agreeing columns thus becomes one segment, and a reading
        found in only some witnesses stays in one piece.

        >>> from collatio.align import align
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
    """For each readings tuple, whether it is an agreement (no absence, one reading): every
    witness reads reading 0 (compared at C speed; hashing the tuples cost twice as much)."""
    if not readings:
        return []
    everyone = (0,) * len(readings[0])
    return list(map(everyone.__eq__, readings))


def _token_columns(row: Sequence[int | None]) -> list[int]:
    """The columns of a row's tokens, in token order."""
    # (is_not over a repeated None: a third faster than calling the partial _is_cell)
    return list(itertools.compress(indices(len(row)),
                                   map(operator.is_not, row, itertools.repeat(None))))


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

