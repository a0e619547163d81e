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


COMMON_WORDS = ("the", "of", "and", "a", "in", ",", ".")


@st.composite
def edited_versions(draw: st.DrawFn, max_words: int = 40) -> dict[str, str]:
    """Two to four versions of one text, as ``{siglum: text}``: words rare (``w0``, ``w1``, ...)
    and common (:data:`COMMON_WORDS`, punctuation among them), each version edited
    (substitutions, omissions, additions) and perhaps with a block of four or more words moved
    to another place, so that readings stand around moved blocks and repeated words."""
    size = draw(st.integers(8, max_words))
    base = [draw(st.sampled_from(COMMON_WORDS)) if draw(st.booleans()) else f"w{k}"
            for k in range(size)]
    versions = {"A": base}
    for siglum in "BCD"[: draw(st.integers(1, 3))]:
        words = list(base)
        if draw(st.booleans()) and len(words) >= 10:  # a moved block
            start = draw(st.integers(0, len(words) - 4))
            length = draw(st.integers(4, min(8, len(words) - start)))
            block = words[start : start + length]
            del words[start : start + length]
            to = draw(st.integers(0, len(words)))
            words[to:to] = block
        for _ in range(draw(st.integers(0, 4))):  # edits
            at = draw(st.integers(0, len(words)))
            kind = draw(st.sampled_from(("sub", "del", "add")))
            new = draw(st.sampled_from((*COMMON_WORDS, "x", "y", "z")))
            if kind == "add" or at == len(words):
                words.insert(at, new)
            elif kind == "sub":
                words[at] = new
            elif len(words) > 1:
                del words[at]
        versions[siglum] = words
    return {siglum: " ".join(words) + "\n" for siglum, words in versions.items()}


#: Words for collations: a small vocabulary (repeats make alignment ambiguous), capitals,
#: accents, marks and paragraph breaks.
COLLATION_WORDS = st.sampled_from(
    ["the", "war", "War", "China", "USA", "would", "not", ",", ".", ";", "(", ")", "very",
     "be", "Kaesŏng", "Kaesong", "peace", "\n\n", "-", "“", "”"]
)


@st.composite
def collation_texts(draw: st.DrawFn, max_texts: int = 4, max_words: int = 25) -> list[str]:
    """One to *max_texts* texts drawn from :data:`COLLATION_WORDS`."""
    count = draw(st.integers(1, max_texts))
    return [" ".join(draw(st.lists(COLLATION_WORDS, max_size=max_words)))
            for _ in range(count)]


@st.composite
def distinct_words(draw: st.DrawFn, low: int = 40, high: int = 120) -> list[str]:
    """A text of distinct words (alignment is then unambiguous: what a local edit may
    change is local)."""
    size = draw(st.integers(low, high))
    seed = draw(st.integers(0, 10**6))
    return [f"w{seed}x{i}" for i in range(size)]


@st.composite
def gapped_pair(draw: st.DrawFn) -> tuple[str, str]:
    """A final with editorial gaps (``[...]``) and a draft it was made from: the draft is
    words with marks; the final leaves stretches out as gaps, changes some words' case, some
    marks and some words."""
    vocabulary = ["Comrade", "comrade", "war", "War", "peace", "China", "the", "of", "Korea",
                  "Kaesŏng", "reply", "Reply", "troops", "five", "six", "divisions"]
    draft_words = draw(st.lists(st.sampled_from(vocabulary), min_size=4, max_size=30))
    marks = draw(st.lists(st.sampled_from(["", "", "", ",", ".", ";"]),
                          min_size=len(draft_words), max_size=len(draft_words)))
    draft = [w + m for w, m in zip(draft_words, marks, strict=True)]
    final: list[str] = []
    k = 0
    while k < len(draft):
        action = draw(st.sampled_from(["keep", "keep", "keep", "gap", "case", "mark", "word"]))
        if action == "gap":
            span = draw(st.integers(1, 5))
            final.append("[...]")
            k += span
            continue
        word = draft[k]
        if action == "case":
            word = word.swapcase()
        elif action == "mark":
            word = word.rstrip(",.;") + draw(st.sampled_from(["", ",", "."]))
        elif action == "word":
            word = draw(st.sampled_from(vocabulary))
        final.append(word)
        k += 1
    return " ".join(final) or "war", " ".join(draft)
