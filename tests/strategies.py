"""Hypothesis strategies shared by the test suite."""

from __future__ import annotations

from hypothesis import strategies as st

#: Characters that matter to the parser (marks, escapes, line breaks, spaces), mixed with
#: letters, punctuation and awkward code points.
MARKUP_ALPHABET = st.sampled_from(
    ["*", "**", "[", "]", "\\", " ", "  ", "\n", "\n\n", "\r\n", "\r", "\t", "a", "b", "Z",
     "STALIN", "word", ".", ",", "...", "…", "-trans.", "Ж", "中", "\u0301", "\x00", "\u200f"]
)


@st.composite
def markup_text(draw: st.DrawFn, max_parts: int = 40) -> str:
    """Text dense in marks: unbalanced, nested, crossing and empty combinations."""
    parts = draw(st.lists(st.one_of(MARKUP_ALPHABET, st.text(max_size=5)), max_size=max_parts))
    return "".join(parts)


any_text = st.text(max_size=200)


def word_codes(min_size: int = 0, max_size: int = 80) -> st.SearchStrategy[list[int]]:
    """Word codes as the survey hashes them (non-zero 64-bit), from a small vocabulary so
    that texts repeat words and share runs."""
    vocabulary = st.sampled_from([(k * 0x9E3779B97F4A7C15) % (1 << 64) for k in range(1, 13)])
    return st.lists(vocabulary, min_size=min_size, max_size=max_size)
