"""The guide order: in which order witnesses join the variant graph (the most similar first).

:func:`guide_order` puts the most similar pair first, then each time the witness most similar
to one already placed (Prim's algorithm for a maximum spanning tree of the similarity graph,
in the order it grows); similarity is the Jaccard index of the witnesses' word bigrams, ties
keep the given order. Aligning close texts first keeps a distant one from pulling their common
words apart (a draft's two states before the final).

Cost: one pass over the tokens to collect the bigrams (above ``SAMPLE_ABOVE`` tokens in all,
only the bigrams whose first word falls in one ``1/SAMPLE`` of the vocabulary, the same words
in every witness), then K (K - 1) / 2 similarities for K witnesses (each pair once), each one
AND and one population count of two bit sets (a bit per bigram kept that two witnesses or more
share), and O(K^2) list steps to grow the tree; memory O(K^2) floats (about 16 MB at the 1,000
witnesses of ``--max-texts``, where the whole order took 0.5 to 0.7 s on the benchmark host).
"""

from __future__ import annotations

import itertools
import operator
from collections import Counter
from collections.abc import Hashable, Sequence

__all__ = ["SAMPLE", "SAMPLE_ABOVE", "guide_order", "guide_tree"]

SAMPLE_ABOVE = 200_000
"""Above this many tokens in all, similarity is estimated on a sample of the bigrams."""
SAMPLE = 8
"""One word in this many (by first-seen rank) starts a sampled bigram."""


def _bitsets(witnesses: Sequence[Sequence[Hashable]]) -> tuple[list[int], list[int]]:
    """Each witness's set of word bigrams as an int bit set, and how many bigrams it has.

    A bit stands for one bigram found in two witnesses or more (the same bit in every
    witness); a bigram of one witness only adds to its size, never to what it shares, so it
    takes no bit, which keeps the bit sets, and each AND of two, short.
    """
    everything = itertools.chain.from_iterable(witnesses)
    ids = {word: i for i, word in enumerate(dict.fromkeys(everything))}  # first-seen order
    bound = len(ids) + 1
    sample = SAMPLE if sum(map(len, witnesses)) > SAMPLE_ABOVE else 1
    pair_sets = []
    for keys in witnesses:
        codes = list(map(ids.__getitem__, keys))
        firsts, seconds = codes[:-1], codes[1:]
        if sample > 1:
            chosen = list(map(operator.not_, map(operator.mod, firsts, itertools.repeat(sample))))
            firsts = list(itertools.compress(firsts, chosen))
            seconds = list(itertools.compress(seconds, chosen))
        pair_sets.append(set(map(operator.add, map(operator.mul, firsts,
                                                   itertools.repeat(bound)), seconds)))
    seen = Counter(itertools.chain.from_iterable(pair_sets))
    bit_of = {pair: bit for bit, pair in enumerate(p for p, n in seen.items() if n > 1)}
    width = (len(bit_of) + 8) // 8
    sets = []
    for pairs in pair_sets:
        field = bytearray(width)
        for bit in map(bit_of.get, pairs):
            if bit is not None:
                field[bit >> 3] |= 1 << (bit & 7)
        sets.append(int.from_bytes(field, "little"))
    return sets, list(map(len, pair_sets))


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
    sets, sizes = _bitsets(witnesses)

    # the similarities above the diagonal, each pair once (a pair's Jaccard index is
    # symmetric)
    upper = []
    for i in range(count):
        set_i, size_i, rest = sets[i], sizes[i], sizes[i + 1 :]
        shared = [(set_i & set_j).bit_count() for set_j in sets[i + 1 :]]
        unions = list(map(operator.sub, map(operator.add, itertools.repeat(size_i), rest),
                          shared))
        upper.append([s / u if u else 1.0 for s, u in zip(shared, unions, strict=True)])

    def row(i: int, among: list[int]) -> list[float]:
        """The similarity of witness *i* to each witness of *among* (ascending, not *i*)."""
        return [upper[k][i - k - 1] if k < i else upper[i][k - i - 1] for k in among]

    best, best_pair = -1.0, (0, 1)
    for i in range(count - 1):
        top = max(upper[i])
        if top > best:  # ties keep the first pair, in the given order
            best, best_pair = top, (i, i + 1 + upper[i].index(top))
    order = list(best_pair)
    parent = [-1] * count
    parent[order[1]] = order[0]
    # the witnesses not yet placed, ascending, with their closeness to the placed ones and
    # the placed one they are closest to
    rest = [k for k in range(count) if k not in best_pair]
    first, second = row(order[0], rest), row(order[1], rest)
    closeness = list(map(max, first, second))
    nearest = [order[0] if a >= b else order[1] for a, b in zip(first, second, strict=True)]
    while rest:
        at = closeness.index(max(closeness))  # ties keep the first witness
        nxt = rest.pop(at)
        order.append(nxt)
        parent[nxt] = nearest.pop(at)
        del closeness[at]
        new = row(nxt, rest)
        for k in itertools.compress(itertools.count(), map(operator.gt, new, closeness)):
            nearest[k] = nxt
        closeness = list(map(max, closeness, new))
    return order, parent
