"""Multiple alignment: N witnesses (sequences of comparison keys) as one alignment table.

``align(witnesses)`` returns an :class:`~collatio.align.table.Alignment` whose columns tile
every witness (each token once, in order), hold at least one token each, and number readings
so that matched tokens, which always have equal keys, share a reading. The table depends only
on the keys' equality and the witnesses' (joining) order.

Method: progressive alignment on a variant graph (:mod:`collatio.align.graph`); each witness
joins by one pairwise alignment against the graph's topological order. With ``near_match``, a
node whose neighbours leave it room moves to the rank, within that room, where the most similar
other reading stands (as CollateX's near matching does). With ``detect_transpositions``, blocks
that two witnesses share but in different places are reported (see
:mod:`collatio.align.transpose`); the table is unchanged, so :func:`transpositions_of` can
find them apart, later, in a table made without them.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Hashable, Iterator, Sequence

import attrs

from collatio._indices import indices
from collatio.align.graph import Graph, Similarity, pair_table
from collatio.align.moves import table_moves
from collatio.align.near import at_least, edit_similarity
from collatio.align.table import Alignment, Approximation, _agreeing, _permuted
from collatio.align.transpose import MIN_LENGTH, Transposition
from collatio.errors import CollationError

# (edit_similarity: from near.py)
__all__ = ["APPROXIMATE", "align", "edit_similarity", "transpositions_of"]

APPROXIMATE = (
    "aligned by windows (no anchor in a stretch too costly to diff exactly): valid, "
    "perhaps not the best alignment"
)
"""The reason given for an :class:`~collatio.align.table.Approximation`."""


def align(
    witnesses: Sequence[Sequence[Hashable]],
    *,
    detect_transpositions: bool = False,
    transposition_min_length: int = MIN_LENGTH,
    near_match: Similarity | None = None,
    near: float | None = None,
    order: Sequence[int] | None = None,
    workers: int = 1,
) -> Alignment:
    """Align *witnesses* (sequences of comparison keys) into one table.

    *near_match*, if given, scores two keys' similarity in [0, 1] (e.g. :func:`edit_similarity`)
    and lets unmatched readings settle beside their most similar counterpart; *near* (a
    threshold in (0, 1]) does so with :func:`collatio.align.near.at_least`, for readings
    spelled nearly alike. *order* is the
    order in which the witnesses join the graph (default: as given); the table's witnesses
    are always in the given order. *workers*: processes a long pair's diff may use, this
    one and forked children (the same table either way).

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
    if near is not None:
        near_match = at_least(near)
    # held to the end: the graph's nodes and the table's cells share its int objects
    index = indices(0)
    with _cyclic_gc_paused():
        graph = Graph(count)
        approximations: list[Approximation] = []
        if count == 2 and near_match is None:  # the table straight from the pair's runs
            graph.add(joined[0])
            runs, stretches = graph.match(joined[1], workers=workers)
            approximations = [Approximation(1, t0, t1, APPROXIMATE)
                              for _, _, t0, t1 in stretches]
            cells, readings, where = pair_table(len(joined[0]), len(joined[1]), runs)
        else:
            for k, keys in enumerate(joined):
                for _, _, t0, t1 in graph.add(keys):
                    approximations.append(Approximation(k, t0, t1, APPROXIMATE))
            graph.repair()
            pieces = graph.settle(graph.pieces())
            if near_match is not None:
                pieces = graph.near_match(pieces, near_match)
            cells, readings, where = graph.table(pieces)
        del graph
        found: tuple[Transposition, ...] = ()
        agrees: list[bool] | None = None
        if detect_transpositions:  # (the table's agreements: the cutter asks for them too)
            agrees = _agreeing(readings)
            found = table_moves(joined, cells, readings, where,
                                min_length=transposition_min_length, agrees=agrees)
        if joining != list(range(count)):  # back to the given order
            given = sorted(range(count), key=joining.__getitem__)  # given[w]: w's place
            cells, readings, found = _permuted(cells, readings, found, given)
            where = [where[k] for k in given]
            approximations = [attrs.evolve(a, witness=joining[a.witness])
                              for a in approximations]
        table = Alignment._made(tuple(len(keys) for keys in witnesses), cells, readings,
                                found, tuple(approximations), agrees)
        table._token_columns.update(enumerate(where))
        del index
        return table


def transpositions_of(
    witnesses: Sequence[Sequence[Hashable]],
    table: Alignment,
    *,
    transposition_min_length: int = MIN_LENGTH,
) -> tuple[Transposition, ...]:
    """The transpositions ``align(witnesses, detect_transpositions=True)`` reports, found in
    *table*, the ``align(witnesses)`` made without them (no *order*): the same search on the
    same table, so a caller may do other work while it runs.

    >>> texts = ["the cat sat on the mat".split(), "on the mat the cat sat".split()]
    >>> transpositions_of(texts, align(texts)) == align(
    ...     texts, detect_transpositions=True).transpositions
    True
    """
    where = [table.token_columns(w) for w in range(table.witness_count)]
    with _cyclic_gc_paused():
        return table_moves(witnesses, table.cells, table.readings, where,
                           min_length=transposition_min_length, agrees=table.agreeing())


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
