"""The guide order: in which order witnesses join the variant graph (the most similar first).

:func:`guide_order` puts the most similar pair first, then each time the witness most similar
to one already placed (Prim's algorithm for a maximum spanning tree of the similarity graph,
in the order it grows); similarity is the Jaccard index of the witnesses' word bigrams, ties
keep the given order. Aligning close texts first keeps a distant one from pulling their common
words apart (a draft's two states before the final).

Cost: one pass over the tokens to collect the bigrams (above ``SAMPLE_ABOVE`` tokens in all,
only the bigrams whose first word falls in one ``1/SAMPLE`` of the vocabulary, the same words
in every witness), then about 1.5 K^2 similarities for K witnesses (all pairs for the first
pair, one row per witness placed), each one AND and one population count of two bit sets (a
bit per distinct bigram kept); memory O(K) beyond the bit sets. The K^2 work is about a
second at the 1,000 witnesses of ``--max-texts``.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Hashable, Sequence

__all__ = ["SAMPLE", "SAMPLE_ABOVE", "guide_order", "guide_tree"]

SAMPLE_ABOVE = 200_000
"""Above this many tokens in all, similarity is estimated on a sample of the bigrams."""
SAMPLE = 8
"""One word in this many (by first-seen rank) starts a sampled bigram."""


def _bitsets(witnesses: Sequence[Sequence[Hashable]]) -> list[int]:
    """Each witness's set of word bigrams as an int bit set (a bit per distinct bigram, the
    same bit for the same two words in every witness)."""
    everything = itertools.chain.from_iterable(witnesses)
    ids = {word: i for i, word in enumerate(dict.fromkeys(everything))}  # first-seen order
    bound = len(ids) + 1
    sample = SAMPLE if sum(map(len, witnesses)) > SAMPLE_ABOVE else 1
    bit_of: dict[int, int] = {}
    sets = []
    for keys in witnesses:
        codes = list(map(ids.__getitem__, keys))
        firsts, seconds = codes[:-1], codes[1:]
        if sample > 1:
            chosen = list(map(operator.not_, map(operator.mod, firsts, itertools.repeat(sample))))
            firsts = list(itertools.compress(firsts, chosen))
            seconds = list(itertools.compress(seconds, chosen))
        pairs = set(map(operator.add, map(operator.mul, firsts, itertools.repeat(bound)),
                        seconds))
        bits = [bit_of.setdefault(pair, len(bit_of)) for pair in pairs]
        field = bytearray((len(bit_of) + 8) // 8)
        for bit in bits:
            field[bit >> 3] |= 1 << (bit & 7)
        sets.append(int.from_bytes(field, "little"))
    return sets


def guide_order(witnesses: Sequence[Sequence[Hashable]]) -> list[int]:
    """The order in which to align *witnesses* (see the module docstring).

    >>> guide_order([list("xyzwvu"), list("abcdefg"), list("abcdefh")])
    [1, 2, 0]
    """
    return guide_tree(witnesses)[0]


def guide_tree(witnesses: Sequence[Sequence[Hashable]]) -> tuple[list[int], list[int]]:
    """The guide order and the spanning tree it grows: ``(order, parent)``, where
    ``parent[w]`` is the witness placed before *w* that is most similar to it (the first
    placed of the best pair has ``-1``). Each witness's most similar other witness is its
    parent or one of its children (ties aside), so the tree's edges are a K - 1 pair sample
    of the witnesses that holds every witness's nearest one.

    >>> guide_tree([list("xyzwvu"), list("abcdefg"), list("abcdefh")])
    ([1, 2, 0], [1, -1, 1])
    """
    count = len(witnesses)
    if count <= 2:
        return list(range(count)), [-1, 0][:count]
    sets = _bitsets(witnesses)
    sizes = [s.bit_count() for s in sets]

    def row(i: int) -> list[float]:
        """The similarity of witness *i* to every witness."""
        set_i, size_i = sets[i], sizes[i]
        values = []
        for set_j, size_j in zip(sets, sizes, strict=True):
            shared = (set_i & set_j).bit_count()
            union = size_i + size_j - shared
            values.append(shared / union if union else 1.0)
        return values

    best, best_pair = -1.0, (0, 1)
    for i in range(count - 1):
        values = row(i)
        for j in range(i + 1, count):
            if values[j] > best:  # ties keep the first pair, in the given order
                best, best_pair = values[j], (i, j)
    order = list(best_pair)
    parent = [-1] * count
    parent[order[1]] = order[0]
    placed = [False] * count
    for w in order:
        placed[w] = True
    first, second = row(order[0]), row(order[1])
    closeness = list(map(max, first, second))
    nearest = [order[0] if a >= b else order[1] for a, b in zip(first, second, strict=True)]
    while len(order) < count:
        nxt, top = -1, -1.0
        for k in range(count):
            if not placed[k] and closeness[k] > top:  # ties keep the first witness
                nxt, top = k, closeness[k]
        order.append(nxt)
        placed[nxt] = True
        parent[nxt] = nearest[nxt]
        for k, value in enumerate(row(nxt)):
            if value > closeness[k]:
                closeness[k], nearest[k] = value, nxt
    return order, parent
