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
