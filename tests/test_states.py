"""Revision states: ante/post/text built from the span tree, mapped back to the source."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collatio.markup import PRESETS, SpanKind, get_convention, parse_markup
from collatio.witness import StateName, build_state, states_for
from tests.strategies import markup_text

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SEED_002 = (SEEDS / "002_82ee7afc6dc33c74.txt").read_text(encoding="utf-8")


def states(text: str, convention: str = "hand-revision") -> dict[str, str]:
    nodes = parse_markup(text, get_convention(convention)).nodes
    return {state.name.value: state.text for state in states_for(nodes)}


@pytest.mark.parametrize(
    ("text", "ante", "post"),
    [
        ("I sent [it] *them* today.", "I sent it today.", "I sent them today."),
        # an insertion inside a deletion: added, then struck with its passage
        ("a [b *c* d] e", "a b d e", "a e"),
        # a deletion inside an insertion: written by hand, then struck
        ("a *b [c] d* e", "a e", "a b d e"),
        # editorial matter is in no state
        ("*Chiang* Kai-shek [Jiang Jieshi] who", "Kai-shek who", "Chiang Kai-shek who"),
        # a space before closing punctuation is closed up
        ("for Japan *[against China].*", "for Japan", "for Japan."),
        # a wholly inserted paragraph leaves no empty paragraph in ante
        ("one,\n\n*two*\n\nthree", "one,\n\nthree", "one,\n\ntwo\n\nthree"),
    ],
)
def test_ante_and_post(text: str, ante: str, post: str) -> None:
    assert states(text) == {"ante": ante, "post": post}


#: Every character str.isspace() takes (the trims after a removal must take each of them).
WHITESPACE = "".join(c for c in map(chr, range(0x3001)) if c.isspace())


@settings(deadline=None)
@given(st.text(WHITESPACE, min_size=1, max_size=6), st.sampled_from(["[it]", "*it*"]))
def test_whitespace_before_a_final_revision_is_trimmed(space: str, revision: str) -> None:
    """A revision that ends the text takes the whitespace before it along, whatever kind of
    whitespace (a vertical tab before a final deletion once made the trim loop forever)."""
    kept = f"I sent{space}it"  # the state that reads the revision keeps what was written
    expected = {"ante": kept, "post": "I sent"} if revision == "[it]" else \
        {"ante": "I sent", "post": kept}
    assert states(f"I sent{space}{revision}") == expected


def test_witness_without_revisions_has_one_text_state() -> None:
    assert states("reply [...] and *new* VCh [high frequency phone] at", "editorial") == {
        "text": "reply and new VCh at"
    }


def test_markers_keep_editorial_positions() -> None:
    nodes = parse_markup("I received your reply [...]\nnext", get_convention("editorial")).nodes
    (state,) = states_for(nodes)
    (marker,) = state.markers
    assert marker.span.kind is SpanKind.GAP
    assert state.text[: marker.offset].rstrip() == "I received your reply"


def test_seed_draft_states() -> None:
    start = SEED_002.index(" [DRAFT CIPHERED")
    end = SEED_002.index("4 October 1950\n") + len("4 October 1950")
    nodes = parse_markup(SEED_002, get_convention("hand-revision"), start=start, end=end).nodes
    ante, post = states_for(nodes)
    assert "there will be very many malcontents" in post.text
    assert "there will be many malcontents" in ante.text
    assert "question of sending to Korea a five-to-six" in ante.text
    assert "question of minimum five-to-six" in post.text
    # struck with the passage it was added to: in neither state
    assert "the factors" not in ante.text and "the factors" not in post.text
    assert "In such a big country as China" in ante.text
    assert "In such a big country" not in post.text
    # editorial matter in neither
    for state in (ante, post):
        assert "DRAFT CIPHERED" not in state.text and "trans." not in state.text
        assert "Jiang Jieshi" not in state.text and "STALIN" not in state.text
    assert post.text.endswith("Respectfully PHILIPPOV\n\n4 October 1950")
    assert ante.text.endswith("\n\nPHILIPPOV\n\n4 October 1950")
    # provenance: "very" is hand-added in post
    offset = post.text.index("very many")
    piece = post.piece_at(offset)
    assert piece is not None and piece.revision is SpanKind.ADD
    assert SEED_002[post.source_offset(offset) : post.source_offset(offset) + 4] == "very"


@settings(max_examples=300)
@given(text=markup_text(), convention=st.sampled_from(sorted(PRESETS)))
def test_states_map_back_to_source(text: str, convention: str) -> None:
    nodes = parse_markup(text, get_convention(convention)).nodes
    for state in states_for(nodes):
        position = 0
        for piece in state.pieces:
            assert piece.start == position and piece.length > 0
            assert state.text[piece.start : piece.end] == text[
                piece.source_start : piece.source_start + piece.length
            ]
            position = piece.end
        assert position == len(state.text)
        sources = [p.source_start for p in state.pieces]
        assert sources == sorted(sources), "state text keeps source order"
        for marker in state.markers:
            assert 0 <= marker.offset <= len(state.text)


@given(text=markup_text())
def test_unmarked_text_is_its_own_state(text: str) -> None:
    plain = build_state(parse_markup(text, get_convention("plain")).nodes, StateName.TEXT)
    assert plain.text == text.lstrip()


def _layered(text: str, layers: dict[str, int], hands: dict[str, str] | None = None) -> list[
        tuple[str, str, str, str]]:
    """States of *text* (hand-revision marks) with the layer of each span given by its
    text (and a hand), as a reader that knows the order of revisions would set them."""
    import attrs

    from collatio.markup.tree import Span

    def relayer(nodes: tuple[object, ...]) -> tuple[object, ...]:
        out = []
        for node in nodes:
            if isinstance(node, Span):
                node = attrs.evolve(node, children=relayer(node.children),
                                    layer=layers.get(node.text),
                                    hand=(hands or {}).get(node.text))
            out.append(node)
        return tuple(out)

    nodes = relayer(parse_markup(text, get_convention("hand-revision")).nodes)
    return [(s.id, s.suffix, s.description, s.text) for s in states_for(nodes)]  # type: ignore[arg-type]


def test_ordered_revisions_give_a_state_per_layer() -> None:
    assert _layered("a *b* [c] d", {"b": 1, "c": 2}, {"c": "#pbs"}) == [
        ("ante", "-ac", "as first written", "a c d"),
        ("c1", "-c1", "after revision layer 1", "a b c d"),
        ("post", "-pc", "as revised", "a b d"),
    ]
    # layers are ranked: 3 and 7 are the first and second layers
    layered = _layered("a *b* [c] d", {"b": 7, "c": 3}, {"c": "#pbs"})
    assert [(i, d, t) for i, _, d, t in layered] == [
        ("ante", "as first written", "a c d"),
        ("c1", "after revision layer 1 (hand #pbs)", "a d"),  # c struck, b not yet added
        ("post", "as revised", "a b d"),
    ]


def test_a_revision_inside_a_later_one() -> None:
    # written by hand (layer 1) and struck again later (layer 2): in the middle state only
    assert [t for *_, t in _layered("a *b [c] d* e", {"b [c] d": 1, "c": 2})] == [
        "a e", "a b c d e", "a b d e"]
    # added (layer 1), then struck with its passage (layer 2)
    assert [t for *_, t in _layered("a [b *c* d] e", {"c": 1, "b *c* d": 2})] == [
        "a b d e", "a b c d e", "a e"]


@given(st.lists(st.sampled_from(["w", "*x*", "[y]", "*u [v] u*", "[s *t* s]"]), max_size=8),
       st.lists(st.integers(1, 4), min_size=8, max_size=8))
@settings(max_examples=100, deadline=None)
def test_layered_states_map_back_and_end_at_post(parts: list[str], layers: list[int]) -> None:
    from collatio.markup.tree import walk

    text = " ".join(parts)
    nodes = parse_markup(text, get_convention("hand-revision")).nodes
    spans = [span for span, _ in walk(nodes)]
    import attrs

    def relayer(items: tuple[object, ...]) -> tuple[object, ...]:
        out = []
        for node in items:
            if hasattr(node, "children"):
                k = spans.index(node)  # type: ignore[arg-type]
                node = attrs.evolve(node, children=relayer(node.children),  # type: ignore[misc]
                                    layer=layers[k % len(layers)])
            out.append(node)
        return tuple(out)

    layered = relayer(nodes)
    states = states_for(layered)  # type: ignore[arg-type]
    flat = states_for(nodes)
    # the first and last states do not depend on the order between
    assert states[0].text == flat[0].text and states[-1].text == flat[-1].text
    assert [s.layer for s in states] == list(range(len(states)))
    for state in states:
        for piece in state.pieces:
            assert state.text[piece.start : piece.end] == text[
                piece.source_start : piece.source_start + piece.length]
