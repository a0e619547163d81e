"""Alignment engine: pairwise diff, multiple alignment, transpositions (pure functions on keys).

>>> from collatio.align import align, diff
>>> [op.tag for op in diff("abc", "abd")]
['equal', 'replace']
>>> len(align(["abc", "abd"]).columns)
3
"""

from collatio.align.multiple import align, edit_similarity, transpositions_of
from collatio.align.pairwise import CAPACITY, Opcode, Tag, diff
from collatio.align.table import Alignment, Approximation, Column, Segment
from collatio.align.transpose import Transposition, find_moves, transpositions

__all__ = [
    "CAPACITY",
    "Alignment",
    "Approximation",
    "Column",
    "Opcode",
    "Segment",
    "Tag",
    "Transposition",
    "align",
    "diff",
    "edit_similarity",
    "find_moves",
    "transpositions",
    "transpositions_of",
]
