"""Tokenization and normalization."""

from __future__ import annotations

from pathlib import Path

import pytest
import regex
from hypothesis import given
from hypothesis import strategies as st

from collatio.errors import CollatioError
from collatio.markup import get_convention, parse_markup
from collatio.normalize import NORMALIZERS, Normalization, load_equivalents, minor_form
from collatio.tokens import TokenKind, tokenize
from collatio.witness import Piece, State, StateName, states_for
from tests.strategies import markup_text


def plain_state(text: str) -> State:
    return State(StateName.TEXT, text, (Piece(0, 0, len(text)),) if text else ())


def texts(text: str, normalization: Normalization | None = None) -> list[str]:
    return [t.text for t in tokenize(plain_state(text), "A", normalization).tokens]


def test_words_numbers_punctuation() -> None:
    assert texts("Chiang Kai-shek's five-to-six divisions, 38th parallel; 27.8.1951 at 3:00.") == [
        "Chiang", "Kai-shek's", "five-to-six", "divisions", ",", "38th", "parallel", ";",
        "27.8.1951", "at", "3:00", ".",
    ]


def test_non_latin_scripts_and_combining_marks() -> None:
    assert texts("Сталин 毛泽东 Kaesŏng e\u0301te") == ["Сталин", "毛泽东", "Kaesŏng", "e\u0301te"]


def test_paragraph_breaks_are_whitespace_not_tokens() -> None:
    tokens = tokenize(plain_state("impossible\n\n- only the"), "F").tokens
    assert [(t.text, t.paragraph) for t in tokens] == [
        ("impossible", 0), ("-", 1), ("only", 1), ("the", 1)
    ]
    assert tokens[0].ws == "\n\n"


def test_punctuation_normalizer_carries_punctuation() -> None:
    tokens = tokenize(plain_state("war, peace."), "A", Normalization.from_names(["punctuation"]))
    assert [(t.text, t.norm) for t in tokens.tokens] == [("war,", "war"), ("peace.", "peace")]
    assert tokens.rebuild() == "war, peace."


def test_equivalents_and_case() -> None:
    norm = Normalization.from_names(["case"], {"Philippov": "Filippov"})
    assert norm("PHILIPPOV") == norm("Filippov") == "filippov"
    assert Normalization()("Philippov") != Normalization()("philippov")


def test_unknown_normalizer_is_a_clear_error() -> None:
    with pytest.raises(CollatioError, match="unknown normalizer\\(s\\) 'spelling'; known: "):
        Normalization.from_names(["spelling"])


def test_equivalents_file(tmp_path: Path) -> None:
    path = tmp_path / "eq.txt"
    path.write_text("# names\nPhilippov = Filippov\n\nKaeseong = Kaesong  # spelling\n", "utf-8")
    assert load_equivalents(str(path)) == {"Philippov": "Filippov", "Kaeseong": "Kaesong"}
    path.write_text("ok = fine\nbroken line\n", "utf-8")
    with pytest.raises(CollatioError) as info:
        load_equivalents(str(path))
    assert str(info.value).startswith(f"{path}:2:1: expected 'variant = canonical'")


def test_minor_form() -> None:
    assert minor_form("Respectfully,") == minor_form("respectfully")
    assert minor_form("Kaesŏng") == minor_form("Kaesong")
    assert minor_form("very many") != minor_form("many")


def test_gap_becomes_a_token_and_revision_is_kept() -> None:
    text = "I received [...] your *very* reply"
    nodes = parse_markup(text, get_convention("hand-revision")).nodes
    _ante, post = states_for(nodes)
    token_list = tokenize(post, "D-pc")
    tokens = token_list.tokens
    assert [t.kind for t in tokens][:3] == [TokenKind.WORD, TokenKind.WORD, TokenKind.GAP]
    assert list(token_list.word_flags()[:4]) == [1, 1, 0, 1]  # a gap is no word
    very = next(t for t in tokens if t.text == "very")
    assert very.revision is not None and very.revision.value == "add"


@given(text=markup_text())
def test_tokens_rebuild_every_state(text: str) -> None:
    for convention in ("hand-revision", "editorial"):
        for state in states_for(parse_markup(text, get_convention(convention)).nodes):
            for names in ((), ("punctuation", "case")):
                tokens = tokenize(state, "W", Normalization.from_names(names))
                assert tokens.rebuild() == state.text
                # the word flags the apparatus counts words by: words and numbers only
                assert list(tokens.word_flags()) == [
                    int(kind in (TokenKind.WORD, TokenKind.NUMBER)) for kind in tokens.kinds]
                for token in tokens.tokens:
                    if token.kind is not TokenKind.GAP:
                        assert state.text[token.start : token.end] == token.text
                        assert text[token.source_start : token.source_start + 1] == token.text[:1]


@given(text=st.text(max_size=200))
def test_any_text_tokenizes_losslessly(text: str) -> None:
    tokens = tokenize(plain_state(text), "A")
    assert tokens.rebuild() == text
    assert all(not t.text.isspace() and t.text for t in tokens.tokens)


_BLANK = regex.compile(r"\n[^\S\n]*\n|\r\n?[^\S\r\n]*\r")
_LAYOUT = st.text(alphabet=st.sampled_from(list("ab1,. \n\r\t\x1c\u2029é")), max_size=80)


@given(text=st.one_of(_LAYOUT, st.text(max_size=80)))
def test_paragraph_and_kind_follow_each_token(text: str) -> None:
    """A token's paragraph counts the blank lines in the whitespace before it; its kind is
    the class of its first character (letter or mark: word; digit: number; else punct)."""
    tokens = tokenize(plain_state(text), "A")
    paragraph = 0
    for i, token in enumerate(tokens.tokens):
        if i and _BLANK.search(tokens.spaces[i - 1]):
            paragraph += 1
        assert token.paragraph == paragraph
        first = token.text[0]  # classes as the regex package knows them (its Unicode version)
        expected = (TokenKind.WORD if regex.match(r"[\p{L}\p{M}]", first) else
                    TokenKind.NUMBER if regex.match(r"\p{N}", first) else TokenKind.PUNCT)
        assert token.kind is expected


@given(st.text(max_size=12), st.lists(st.sampled_from(list(NORMALIZERS)), unique=True))
def test_normalization_runs_every_step(text: str, names: list[str]) -> None:
    """ASCII text skips the steps that cannot change it; the form is the same."""
    normalization = Normalization.from_names(names)
    expected = text
    for name in NORMALIZERS:  # the pipeline applies them in this order
        if name in normalization.names:
            expected = NORMALIZERS[name](expected)
    assert normalization(text) == expected
    if text.isascii():
        for name in ("unicode", "typography", "accents"):
            assert NORMALIZERS[name](text) == text


_ASCII_PROBES = "a1-'.:/, \t\n\x0b"


def test_ascii_pattern_cuts_as_the_unicode_one_on_every_ascii_character() -> None:
    """An all-ASCII text is split by the stdlib's ``re`` (twice as fast): every ASCII
    character, next to every other and to the characters a word or number can hold inside,
    is cut as the Unicode pattern cuts it."""
    from collatio.tokens import _SPLIT, _SPLIT_ASCII

    chars = [chr(i) for i in range(128)]
    for a in chars:
        for b in chars:
            for c in _ASCII_PROBES:
                text = f"{a}{b}{c}{a}x{c}9{b}"
                assert _SPLIT_ASCII.split(text) == _SPLIT.split(text), repr(text)


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=60))
def test_ascii_pattern_cuts_as_the_unicode_one_on_any_ascii_text(text: str) -> None:
    from collatio.tokens import _SPLIT, _SPLIT_ASCII

    assert _SPLIT_ASCII.split(text) == _SPLIT.split(text)


def test_ascii_pattern_cuts_as_the_unicode_one_on_the_corpora() -> None:
    """The ASCII lines of every text of the real corpora (Darwin, Frankenstein, ...)."""
    from collatio.tokens import _SPLIT, _SPLIT_ASCII
    from tests.golden import CORPORA

    files = [p for p in sorted(CORPORA.rglob("*")) if p.suffix in {".txt", ".xml", ".md"}]
    assert files
    lines = 0
    for path in files:
        ascii_lines = [line for line in path.read_text("utf-8", "replace").splitlines(True)
                       if line.isascii()]
        text = "".join(ascii_lines)
        assert _SPLIT_ASCII.split(text) == _SPLIT.split(text), path
        lines += len(ascii_lines)
    assert lines > 10_000
