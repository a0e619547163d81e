"""Token indices as shared int objects.

A stage that lists token indices or column numbers of a million-token text (a group's head,
a table cell, a graph node) makes an int object for each, about a tenth of a second per
million in a process of that size. :func:`indices` hands the stages one list of them to
slice or select from instead, so each number is made once for the whole collation.

The list lives while some caller holds it (a weak reference finds it): a collation holds it
from start to end, and nothing is kept once it returns.
"""

from __future__ import annotations

import threading
import weakref

__all__ = ["indices"]


class _Indices(list[int]):
    """``0, 1, ...``: a list a weak reference can name."""

    __slots__ = ("__weakref__",)


_live: weakref.ref[_Indices] | None = None
_growing = threading.Lock()


def indices(n: int) -> list[int]:
    """The shared list whose item *i* is *i*, made at least *n* long: read it, slice it,
    select from it, never modify it. Hold it to keep it for the next caller.

    It only ever grows, at its end, under a lock, so a reader in another thread always sees
    ``pool[i] == i`` for every *i* it can index.

    >>> pool = indices(5)
    >>> pool[:5], indices(3) is pool
    ([0, 1, 2, 3, 4], True)
    """
    global _live
    pool = _live() if _live is not None else None
    if pool is None or len(pool) < n:
        with _growing:
            pool = _live() if _live is not None else None
            if pool is None:
                pool = _Indices()
                _live = weakref.ref(pool)
            if len(pool) < n:
                pool.extend(range(len(pool), n))
    return pool
