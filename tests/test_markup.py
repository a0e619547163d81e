"""The markup stage: conventions, the scanner, the span tree, diagnostics."""

from __future__ import annotations

from pathlib import Path

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from collatio.errors import ConventionError
from collatio.markup import (
    PRESETS,
    MarkDecision,
    Span,
    SpanKind,
    Text,
    convention_from_dict,
    detect_convention,
    get_convention,
    leaves,
    load_convention,
    parse_markup,
    walk,
)
from tests.strategies import markup_text

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SEED_002 = (SEEDS / "002_82ee7afc6dc33c74.txt").read_text(encoding="utf-8")
DRAFT_START = SEED_002.index(" [DRAFT CIPHERED TELEGRAM]")
DRAFT_END = SEED_002.index("4 October 1950\n") + len("4 October 1950")
HAND = get_convention("hand-revision")
EDITORIAL = get_convention("editorial")


def spans_of(text: str, convention: str = "hand-revision", **kw: object) -> list[Span]:
    markup = parse_markup(text, get_convention(convention), **kw)  # type: ignore[arg-type]
    return [span for span, _ in walk(markup.nodes)]


def kinds(text: str, convention: str = "hand-revision") -> list[tuple[str, str]]:
    return [(s.kind.value, s.text) for s in spans_of(text, convention)]


# --- the seed draft, as a careful reader classifies it -----------------------------------------


@pytest.fixture(scope="module")
def draft() -> list[tuple[Span, tuple[Span, ...]]]:
    markup = parse_markup(SEED_002, HAND, start=DRAFT_START, end=DRAFT_END, path="seed")
    return list(walk(markup.nodes))


def test_draft_has_eighteen_insertions_by_hand(draft: list[tuple[Span, tuple[Span, ...]]]) -> None:
    added = [span.text for span, _ in draft if span.kind is SpanKind.ADD]
    assert len(added) == 18
    assert added[0] == "minimum"
    assert "very" in added and "Respectfully" in added and "Your predicament." in added
    assert added[-1] == "Respectfully"


def test_draft_deletions(draft: list[tuple[Span, tuple[Span, ...]]]) -> None:
    deleted = [span.text for span, _ in draft if span.kind is SpanKind.DEL]
    assert deleted[:4] == ["sending to Korea a", "against China", "in the area", "situation"]
    assert "would" in deleted and "in the view of that" in deleted and "big" in deleted
    assert "But one should not fear this" in deleted and "your position" in deleted
    assert any(text.startswith("It is not excluded") for text in deleted)
    assert any(text.startswith("In such a big country") for text in deleted)
    assert {"5", "6"} <= set(deleted)
    assert len(deleted) == 13


def test_draft_editorial_brackets_are_not_deletions(
    draft: list[tuple[Span, tuple[Span, ...]]],
) -> None:
    editorial = {span.text: (span.kind, span.rule, span.label) for span, _ in draft
                 if span.kind.is_editorial}
    assert editorial == {
        "DRAFT CIPHERED TELEGRAM": (SpanKind.NOTE, "capitals-label", "identification"),
        "platz-d'arme-trans.": (SpanKind.NOTE, "translator-note", "translator"),
        "Jiang Jieshi": (SpanKind.NOTE, "gloss-after-name", "gloss"),
        "STALIN": (SpanKind.NOTE, "capitals-label", "identification"),
    }


def test_draft_nesting_both_ways(draft: list[tuple[Span, tuple[Span, ...]]]) -> None:
    by_text = {span.text: ancestors for span, ancestors in draft}
    # an insertion inside a deletion, and deletions inside insertions
    assert [a.kind for a in by_text["the factors"]] == [SpanKind.DEL]
    assert [a.kind for a in by_text["would"]] == [SpanKind.ADD]
    assert [a.kind for a in by_text["against China"]] == [SpanKind.ADD]


def test_unbalanced_bracket_on_line_39_is_reported_with_a_fix() -> None:
    markup = parse_markup(SEED_002, HAND, start=DRAFT_START, end=DRAFT_END, path="seed.txt")
    (diagnostic,) = markup.diagnostics
    assert diagnostic.code == "unmatched-close"
    assert (diagnostic.path, diagnostic.line, diagnostic.column) == ("seed.txt", 39, 926)
    assert SEED_002.splitlines()[38][925] == "]"
    assert "39:778" in diagnostic.message and "column = 780" in diagnostic.message
    assert str(diagnostic).startswith("seed.txt:39:926: warning:")


def test_override_from_diagnostic_makes_one_deletion() -> None:
    decision = MarkDecision(39, 780, "literal", origin="test")
    markup = parse_markup(
        SEED_002, HAND, start=DRAFT_START, end=DRAFT_END, decisions=[decision]
    )
    assert markup.diagnostics == ()
    deleted = [s for s, _ in walk(markup.nodes) if s.kind is SpanKind.DEL]
    long = [s for s in deleted if s.text.startswith("6]")]
    assert len(long) == 1 and long[0].text.endswith("Security Council")


def test_override_sets_kind_and_is_recorded() -> None:
    text = "before [platz] after"
    (span,) = spans_of(text, decisions=[MarkDecision(1, 8, "note", "gloss", origin="m.toml")])
    assert (span.kind, span.label, span.rule) == (SpanKind.NOTE, "gloss", "override: m.toml")


def test_unused_override_is_reported() -> None:
    markup = parse_markup("no marks here", HAND, decisions=[MarkDecision(1, 3, "literal")])
    assert [d.code for d in markup.diagnostics] == ["unused-override"]


def test_final_message_editorial_brackets() -> None:
    end = SEED_002.index("Draft Message")
    markup = parse_markup(SEED_002, EDITORIAL, start=SEED_002.index("From cde."), end=end)
    found = [(s.kind.value, s.text, s.rule) for s, _ in walk(markup.nodes)]
    assert found == [
        ("gap", "...", "editorial-omission"),
        ("note", "Handwritten", "paragraph-start-description"),
        ("note", "high frequency phone", "gloss-after-abbreviation"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Filippov [Stalin] and", [("note", "Stalin")]),
        ("in Gaeseong [Kaesong], as", [("note", "Kaesong")]),
        ("reunification [pristupit k obiednineniiu].", [("note", "pristupit k obiednineniiu")]),
        ("this was [committed by] partisans", [("supplied", "committed by")]),
        ("enemy [territory], to", [("supplied", "territory")]),
        ("on 8[7] October", [("supplied", "7")]),
        ("[The telegram was sent to Beijing on August 29.]",
         [("note", "The telegram was sent to Beijing on August 29.")]),
        ("the VKP(b) [Central Committee, All-Union Communist Party (bol'shevik)]",
         [("note", "Central Committee, All-Union Communist Party (bol'shevik)")]),
        ("reply [...]", [("gap", "...")]),
        ("a word [illegible] here", [("gap", "illegible")]),
        ("in Kaesong [?] town", [("unclear", "?")]),
        ("*emphasis* and **heading**", [("hi", "emphasis"), ("hi", "heading")]),
    ],
)
def test_editorial_convention_rules(text: str, expected: list[tuple[str, str]]) -> None:
    assert kinds(text, "editorial") == expected


# --- scanner behaviour --------------------------------------------------------------------------


def test_plain_convention_has_no_marks() -> None:
    markup = parse_markup("[a] *b*", get_convention("plain"))
    assert markup.nodes == (Text(0, 7, "[a] *b*"),)


def test_symmetric_delimiter_needs_flanking() -> None:
    assert kinds("2 * 3 = 6 and *yes*") == [("add", "yes")]
    markup = parse_markup("2 * 3", HAND)
    assert [d.code for d in markup.diagnostics] == ["stray-delimiter"]


def test_crossing_marks_keep_text_and_warn() -> None:
    text = "[a *b] c*"
    markup = parse_markup(text, HAND)
    assert markup.rebuild() == text
    assert [(s.kind.value, s.text) for s, _ in walk(markup.nodes)] == [("del", "a *b")]
    assert "crossing-marks" in [d.code for d in markup.diagnostics]


def test_marks_do_not_run_across_paragraphs() -> None:
    text = "[open here\n\nnext paragraph] end"
    markup = parse_markup(text, HAND)
    assert [s for s, _ in walk(markup.nodes)] == []
    codes = [d.code for d in markup.diagnostics]
    assert codes == ["unclosed-mark", "unmatched-close"]
    assert markup.diagnostics[0].line == 1 and markup.diagnostics[1].line == 3


def test_empty_mark_is_kept_and_reported() -> None:
    markup = parse_markup("a [] b", HAND)
    (span,) = [s for s, _ in walk(markup.nodes)]
    assert span.text == "" and span.kind is SpanKind.DEL
    assert [d.code for d in markup.diagnostics] == ["empty-mark"]


def test_escaped_delimiter_is_text() -> None:
    assert kinds(r"a \[not a mark\] b") == []


def test_offsets_are_file_offsets_for_a_sub_range() -> None:
    text = "header line\n\nbody [gone] here"
    start = text.index("body")
    (span,) = spans_of(text, start=start)
    assert (span.line, span.column) == (3, 6)
    assert text[span.start : span.end] == "[gone]"


def test_deep_nesting_does_not_recurse() -> None:
    depth = 10_000
    text = "[" * depth + "x" + "]" * depth
    markup = parse_markup(text, HAND)
    assert markup.rebuild() == text
    assert sum(1 for _ in walk(markup.nodes)) == depth


def test_unclosed_deep_nesting_becomes_text() -> None:
    text = "[" * 5000 + "x"
    markup = parse_markup(text, HAND)
    assert markup.rebuild() == text
    assert all(isinstance(node, Text) for node in markup.nodes)
    first, rest = markup.diagnostics  # one in full, the other 4,999 counted
    assert first.code == rest.code == "unclosed-mark"
    assert rest.message.startswith("and 4,999 more like it, at 1:")


# --- properties -----------------------------------------------------------------------------


@settings(max_examples=400)
@given(text=markup_text(), convention=st.sampled_from(sorted(PRESETS)))
def test_parse_is_lossless(text: str, convention: str) -> None:
    markup = parse_markup(text, get_convention(convention))
    assert markup.rebuild() == text
    position = 0
    for leaf in leaves(markup.nodes):
        assert leaf.start == position, "leaves tile the text in order"
        assert text[leaf.start : leaf.end] == leaf.text
        position = leaf.end
    assert position == len(text)
    for span, _ in walk(markup.nodes):
        assert text[span.start : span.end] == span.open.text + span.text + (
            span.close.text if span.close else ""
        )
    for diagnostic in markup.diagnostics:
        assert diagnostic.offset is not None and 0 <= diagnostic.offset <= len(text)


@settings(max_examples=200)
@given(text=markup_text(), data=st.data())
def test_sub_range_parse_is_lossless(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    markup = parse_markup(text, HAND, start=start, end=end)
    assert markup.rebuild() == text[start:end]


@given(text=st.text(max_size=300))
def test_any_text_parses(text: str) -> None:
    for convention in PRESETS.values():
        assert parse_markup(text, convention).rebuild() == text


# --- conventions as data -----------------------------------------------------------------------


def test_detection_from_headers() -> None:
    header = ("Draft Message from Stalin to Mao Zedong, 4 October 1950 (italicized passages "
              "inserted and\n\nbracketed passages deleted by hand)")
    convention, reason = detect_convention(header)
    assert convention.name == "hand-revision" and "italicized passages inserted" in reason
    assert detect_convention("Final Message (new sections italicized)")[0].name == "editorial"


def test_convention_toml_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(
        'name = "mine"\n[[delimiter]]\nname = "angle"\nopen = "<"\nclose = ">"\nkind = "unclear"\n'
        '[[rule]]\nname = "number"\ndelimiter = "angle"\nkind = "supplied"\ncontent = "\\\\d+"\n',
        encoding="utf-8",
    )
    convention = load_convention(path)
    assert kinds("a <b> c <12>", str(path)) == [("unclear", "b"), ("supplied", "12")]
    assert convention.rules[0].name == "number"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "x", "colour": "red"}, "unknown key(s) colour"),
        ({"delimiter": []}, "missing required key 'name'"),
        ({"name": "x", "delimiter": [{"name": "d", "open": "<", "close": ">", "kind": "strike"}]},
         "unknown span kind 'strike'"),
        ({"name": "x", "delimiter": [{"name": "d", "open": "<", "close": ">", "kind": "del"}],
          "rule": [{"name": "r", "delimiter": "d", "kind": "del", "content": "("}]},
         "rule 'r', key 'content': invalid pattern"),
        ({"name": "x", "delimiter": [{"name": "d", "open": "<", "close": ">", "kind": "del"}],
          "rule": [{"name": "r", "delimiter": "nope", "kind": "del"}]},
         "rule 'r' refines unknown delimiter 'nope'"),
        ({"name": "x", "delimiter": [{"name": "d", "open": "<", "close": ">", "kind": "del",
                                      "shape": 1}]},
         "delimiter 'd': unknown key(s) shape"),
        ({"name": "x", "delimiter": [{"name": "d", "open": "", "close": ">", "kind": "del"}]},
         "open must be non-empty"),
    ],
)
def test_convention_errors_name_the_rule_and_key(data: dict[str, object], message: str) -> None:
    with pytest.raises(ConventionError, match=None) as info:
        convention_from_dict(data, "conv.toml")
    assert message in str(info.value)
    assert "conv.toml" in str(info.value) or "delimiter" in str(info.value)


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("name = \n", encoding="utf-8")
    with pytest.raises(ConventionError) as info:
        load_convention(path)
    assert str(path) in str(info.value) and "invalid TOML" in str(info.value)


def test_unknown_convention_lists_presets() -> None:
    with pytest.raises(ConventionError, match="presets: hand-revision, editorial, plain"):
        get_convention("nonesuch")


def test_user_rules_take_precedence() -> None:
    rule = convention_from_dict(
        {"name": "x", "delimiter": [{"name": "bracket", "open": "[", "close": "]", "kind": "del"}],
         "rule": [{"name": "numbers-are-folios", "delimiter": "bracket", "kind": "note",
                   "content": "\\d+"}]}
    ).rules[0]
    extended = HAND.extended([rule])
    markup = parse_markup("ultimately, [5].", extended)
    (span,) = [s for s, _ in walk(markup.nodes)]
    assert (span.kind, span.rule) == (SpanKind.NOTE, "numbers-are-folios")


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_pattern_compiles(name: str) -> None:
    """Presets compile their rule patterns on first use (not at start-up): each one must."""
    for rule in PRESETS[name].rules:
        for key in ("content", "before", "after"):
            source = getattr(rule, key)
            assert (rule.pattern(key) is None) == (source is None)
            if source is not None:
                assert rule.pattern(key).pattern == source  # type: ignore[union-attr]


def test_a_bad_rule_pattern_is_reported_where_it_is_written() -> None:
    data = {"name": "x", "delimiter": [{"name": "b", "open": "[", "close": "]", "kind": "del"}],
            "rule": [{"name": "r", "delimiter": "b", "kind": "note", "before": "(unclosed"}]}
    with pytest.raises(ConventionError, match="rule 'r', key 'before': invalid pattern"):
        convention_from_dict(data, "conv.toml")
    unchecked = convention_from_dict(data, "conv.toml", check_patterns=False)
    with pytest.raises(regex.error):
        unchecked.rules[0].pattern("before")
