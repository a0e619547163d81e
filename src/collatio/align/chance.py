"""The chance guard: is a block shared by two places more than a phrase recurring by chance?

A common phrase ("the conditions of life", ", &c.") turns up in a deleted passage and in an
added one without anything having moved. Before a move is reported, its **chance score** is
computed: the number of times its block would be expected to turn up by chance within the
move's reach,

    E = W x P(block),

where *W* is the move's reach (1 + the tokens lying between its two places, the larger count
of the two witnesses) and *P(block)* the probability that a given position starts the block,
estimated from the texts themselves:

* a **bigram chain**: ``p(w0) * p(w1 | w0) * ...``, with ``p(w) = (c(w) + MU * Q) / (N + MU)``
  (Dirichlet smoothing towards a background vocabulary of ``1 / Q`` words, so that a word seen
  nowhere else counts as a rare word, not as an impossible one) and ``p(v | u) = (c(uv) +
  KAPPA * p(v)) / (c(u) + KAPPA)``; long blocks of rare words score tiny, short blocks of
  common words and fixed collocations ("of the same") score high;
* a **recurrence rate**: how often the whole block occurs elsewhere, ``(occurrences - own) /
  N``, which catches a phrase that recurs as a whole even when its bigram chain looks rare
  ("Mr. Blyth,").

*P* is the larger of the two. The counts *c* come from windows of ``reach`` tokens around the
block in each of the two witnesses, with the block's own two occurrences left out (a phrase
must recur *elsewhere* to be common). A move is accepted when ``E <= LIMIT``: prefer no move
to a doubtful one.

An **adjacent swap** (``X Y`` in one witness, ``Y X`` in the other, both short, X matched) has
reach 1 but is scored on the arrangement: the chance that Y stands next to X on that side, of
the two arrangements the less likely (``"Enlai Zhou"`` is rare where ``"Zhou Enlai"`` is the
usual order); a swap where either block is as common as ``COMMON`` (``,``, ``the``) is never
reported: such tokens shift with every edit; nor is a swap of punctuation with punctuation
(``";`` / ``;"``: typography).

Cost: per block, O(window) at C speed (the window encoded as one string, counts by
``str.count``) plus O(block length) counts; :func:`window_for` shrinks the windows when
there are many candidates, so that all of them together read at most ``TOKENS`` tokens (or
``4 * MIN_REACH`` a candidate, when there are very many).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Hashable, Sequence

__all__ = ["LIMIT", "ChanceModel", "window_for"]

LIMIT = 1e-3
"""Largest chance score of an accepted move: the block is expected by chance at most once in
a thousand such reaches."""
MU = 100.0
"""Pseudo-tokens of the background vocabulary in the unigram estimate."""
Q = 1e-4
"""Probability of one background word (a vocabulary of 10,000 words)."""
KAPPA = 1.0
"""Weight of the unigram estimate in the bigram estimate."""
COMMON = 0.015
"""A swapped block more frequent than this (one of the commonest tokens: ``,`` ``the`` ``of``)
is never reported as a swap on its own."""
REACH = 5_000
"""Tokens on either side of a block that the statistics are drawn from."""
MIN_REACH = 64
TOKENS = 1_000_000
"""Tokens read in all for the statistics of one search, at most (the windows shrink)."""

_SENTINEL = "\x00"  # every key that the block does not use


def window_for(candidates: int) -> int:
    """The statistics window (tokens on either side) when *candidates* blocks are scored.

    >>> window_for(3), window_for(100_000)
    (5000, 64)
    """
    if candidates <= 0:
        return REACH
    return max(MIN_REACH, min(REACH, TOKENS // (4 * candidates)))


class ChanceModel:
    """Scores blocks of *witnesses* (sequences of keys), counting in windows of *reach*."""

    def __init__(self, witnesses: Sequence[Sequence[Hashable]], reach: int = REACH) -> None:
        self.witnesses = witnesses
        self.reach = reach
        self.work = 0
        """Tokens read so far (the guard's work units)."""

    # --- statistics -------------------------------------------------------------------------

    def _window(self, w: int, start: int, end: int, codes: dict[Hashable, str]) -> str:
        keys = self.witnesses[w]
        lo, hi = max(0, start - self.reach), min(len(keys), end + self.reach)
        self.work += hi - lo
        return "".join(map(codes.get, keys[lo:hi], itertools.repeat(_SENTINEL)))

    def _counts(
        self, places: Sequence[tuple[int, int, int]], keys: Sequence[Hashable]
    ) -> tuple[list[str], dict[Hashable, str], int]:
        """The windows around *places* (witness, start, end) encoded with codes for *keys*,
        the codes, and the number of tokens in the windows outside the places."""
        codes: dict[Hashable, str] = {}
        for key in keys:
            if key not in codes:
                codes[key] = chr(0x100 + len(codes))
        windows = [self._window(w, s, e, codes) for w, s, e in places]
        outside = sum(len(text) for text in windows) - sum(e - s for _, s, e in places)
        return windows, codes, max(outside, 0)

    # --- scores -----------------------------------------------------------------------------

    def move_score(
        self,
        x: int,
        x_pieces: Sequence[tuple[int, int]],
        y: int,
        y_pieces: Sequence[tuple[int, int]],
        reach: int,
    ) -> float:
        """E for a move whose exact pieces are *x_pieces* of witness *x* and *y_pieces* of
        *y* (equal keys piece by piece), whose places lie *reach* tokens apart (see the module
        docstring)."""
        wx, wy = self.witnesses[x], self.witnesses[y]
        x0, x1 = x_pieces[0][0], x_pieces[-1][1]
        y0, y1 = y_pieces[0][0], y_pieces[-1][1]
        block_keys = [*wx[x0:x1], *wy[y0:y1]]
        (text_x, text_y), codes, outside = self._counts([(x, x0, x1), (y, y0, y1)], block_keys)
        own_x = "".join(map(codes.__getitem__, wx[x0:x1]))
        own_y = "".join(map(codes.__getitem__, wy[y0:y1]))

        def count(gram: str) -> int:
            # occurrences outside the block's own two places
            found = text_x.count(gram) + text_y.count(gram)
            return max(0, found - own_x.count(gram) - own_y.count(gram))

        log_p = 0.0
        for s, e in x_pieces:
            piece = [codes[key] for key in wx[s:e]]
            log_p += _chain(piece, count, outside)
        recurring = max(0, text_x.count(own_x) - 1) + max(0, text_y.count(own_y) - 1)
        if own_x != own_y:  # an edited block: each form found in the other window too
            recurring += text_x.count(own_y) + text_y.count(own_x)
        chance = max(math.exp(log_p), recurring / max(outside, 1))
        return max(reach, 1) * chance

    def swap_score(
        self,
        early: int,
        early_block: tuple[int, int],
        late: int,
        late_block: tuple[int, int],
        pivot: Sequence[Hashable],
    ) -> float:
        """E for an adjacent swap: block Y at *early_block* of witness *early*, just before
        the matched *pivot* X, and at *late_block* of *late*, just after it."""
        (e0, e1), (l0, l1) = early_block, late_block
        block = list(self.witnesses[early][e0:e1])
        places = [(early, e0, e1 + 1), (late, l0 - 1, l1)]  # Y with the pivot's near end
        texts, codes, outside = self._counts(places, [*block, *pivot])
        y = [codes[key] for key in block]
        first, last = codes[pivot[0]], codes[pivot[-1]]
        # the block and the two arrangements themselves do not count as evidence
        own = ["".join(y) + first, last + "".join(y)]

        def count(gram: str) -> int:
            found = sum(text.count(gram) for text in texts)
            return max(0, found - sum(text.count(gram) for text in own))

        chain = _chain(y, count, outside)
        if _punctuation(block) and _punctuation(pivot):
            return math.inf  # '"' and ';' in either order: typography, not a transposition
        # punctuation and articles shift with every edit: no swap of one of them alone
        pivot_chain = _chain([codes[key] for key in pivot], count, outside)
        if max(chain, pivot_chain) > math.log(COMMON):
            return math.inf
        p_first, p_last = _unigram(count(first), outside), _unigram(count(y[0]), outside)
        before = chain + math.log(_bigram(count(y[-1] + first), count(y[-1]), p_first) / p_first)
        after = math.log(_bigram(count(last + y[0]), count(last), p_last) / p_last) + chain
        return math.exp(min(before, after))


def _punctuation(keys: Sequence[Hashable]) -> bool:
    """Whether *keys* are all strings with no letter or digit (marks of punctuation)."""
    return all(isinstance(key, str) and not any(map(str.isalnum, key)) for key in keys)


def _unigram(c: int, total: int) -> float:
    return (c + MU * Q) / (total + MU)


def _bigram(c_uv: int, c_u: int, p_v: float) -> float:
    return (c_uv + KAPPA * p_v) / (c_u + KAPPA)


def _chain(piece: Sequence[str], count: Callable[[str], int], total: int) -> float:
    """log P of *piece* (codes) under the smoothed bigram chain; *count* maps a gram of codes
    to its count outside the block's own places."""
    log_p = math.log(_unigram(count(piece[0]), total))
    for u, v in itertools.pairwise(piece):
        log_p += math.log(_bigram(count(u + v), count(u), _unigram(count(v), total)))
    return log_p
