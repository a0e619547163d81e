"""Families: the connected groups of documents joined by verified version or rewrite pairs.

A family is a connected component of the graph whose edges are the pairs the aligner
accepted (:mod:`collatio.survey.verify`), so a heavy rewrite joins its family through the
member it is closest to. Families are numbered in archive order of their first member
(``family-0001`` ...), which depends only on the archive and the options.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence

from collatio.survey.model import LinkKind, PairResult

#: Families up to this size get every pair of members aligned (their similarity matrix);
#: larger ones keep the pairs that joined them.
FULL_MATRIX = 12


class _UnionFind:
    def __init__(self, count: int) -> None:
        self.parent = list(range(count))

    def find(self, x: int) -> int:
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:  # path compression
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, x: int, y: int) -> None:
        rx, ry = self.find(x), self.find(y)
        if rx != ry:
            self.parent[max(rx, ry)] = min(rx, ry)


def components(count: int, edges: Iterable[tuple[int, int]]) -> list[list[int]]:
    """Groups of at least two of ``range(count)`` joined by *edges*, each sorted, in order
    of their smallest member.

    >>> components(6, [(0, 3), (4, 5), (3, 1)])
    [[0, 1, 3], [4, 5]]
    """
    forest = _UnionFind(count)
    for x, y in edges:
        forest.union(x, y)
    groups: dict[int, list[int]] = {}
    for x in range(count):
        groups.setdefault(forest.find(x), []).append(x)
    return sorted((g for g in groups.values() if len(g) > 1), key=lambda g: g[0])


def accepted(results: Iterable[PairResult]) -> list[PairResult]:
    return [r for r in results if r.kind is not LinkKind.NONE]


def family_id(number: int) -> str:
    return f"family-{number:04d}"


def missing_pairs(
    groups: Sequence[Sequence[int]], known: set[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Pairs inside families of up to :data:`FULL_MATRIX` members not yet aligned."""
    out: list[tuple[int, int]] = []
    for group in groups:
        if len(group) <= FULL_MATRIX:
            out.extend(p for p in itertools.combinations(group, 2) if p not in known)
    return out
