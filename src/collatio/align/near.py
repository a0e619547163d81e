"""Near matching: tokens spelled nearly alike ("Bulganiin" / "Bulganin") placed side by side.

Spelling drift in transcriptions makes a word unequal to its counterpart, so the diff cannot
match it; without help the two stand in different columns, an omission and an addition. Near
matching never matches them (they stay two readings) but moves an unmatched reading, within
the room its neighbours leave it, into the column where the most similar other reading stands
(what CollateX's near matching does). :func:`at_least` makes the similarity of ``--near``:
the normalized Levenshtein similarity of rapidfuzz (1 - distance / length of the longer), and
nothing below the threshold counts.

Cost: only nodes that have room move (an agreeing word has none), each over at most
``ROOM`` columns either side of its own and ``READINGS`` readings a column, one C++ edit
distance each: O(nodes x ROOM x READINGS) at worst, linear in the table.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable
from typing import Any

__all__ = ["DEFAULT", "READINGS", "ROOM", "Similarity", "at_least", "edit_similarity"]

Similarity = Callable[[Hashable, Hashable], float]

DEFAULT = 0.8
"""The threshold of ``--near`` given without one ("Bulganiin"/"Bulganin" 0.89,
"Kaeseong"/"Kaesong" 0.88; "this"/"that" 0.5 stays apart)."""
ROOM = 16
"""Columns either side of its own that a node may move."""
READINGS = 32
"""Readings of one column compared with a moving node, at most."""


@functools.cache
def _levenshtein() -> Any:
    """rapidfuzz's Levenshtein module, imported when first needed (it costs start-up time)."""
    from rapidfuzz.distance import Levenshtein

    return Levenshtein


def edit_similarity(a: Hashable, b: Hashable) -> float:
    """1 - Levenshtein distance / length of the longer (1.0 for two empty strings); keys that
    are not strings are similar only when equal.

    >>> edit_similarity("this", "that"), edit_similarity("Bulganiin", "Bulganin") > 0.8
    (0.5, True)
    """
    if isinstance(a, str) and isinstance(b, str):
        return float(_levenshtein().normalized_similarity(a, b))
    return 1.0 if a == b else 0.0


def at_least(threshold: float) -> Similarity:
    """:func:`edit_similarity` where it reaches *threshold*, else -1 (no counterpart).

    >>> near = at_least(0.8)
    >>> near("Kaeseong", "Kaesong") > 0.8, near("this", "that")
    (True, -1.0)
    """
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"a near-matching threshold is in (0, 1], not {threshold}")

    measure = _levenshtein().normalized_similarity

    def similarity(a: Hashable, b: Hashable) -> float:
        if isinstance(a, str) and isinstance(b, str):
            score = float(measure(a, b, score_cutoff=threshold))
            return score if score >= threshold and score > 0.0 else -1.0
        return 1.0 if a == b else -1.0

    return similarity
