"""Tests of the alignment engine: pairwise diff, multiple alignment, transpositions."""

from __future__ import annotations

import itertools
import random
from collections.abc import Hashable, Sequence

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import collatio.align.anchors as anchors
from collatio.align import (
    Alignment,
    Column,
    Opcode,
    Segment,
    Transposition,
    align,
    diff,
    edit_similarity,
    find_moves,
    transpositions,
    transpositions_of,
)
from collatio.align.graph import Graph, pair_table
from collatio.errors import CollationError

# --- strategies and helpers --------------------------------------------------------------------

SMALL_ALPHABET = st.sampled_from("abcde")
tokens = st.lists(SMALL_ALPHABET, max_size=24)
witness_lists = st.lists(st.lists(SMALL_ALPHABET, max_size=14), min_size=1, max_size=5)


def words(text: str) -> list[str]:
    return text.split()


def ops(a: Sequence[Hashable], b: Sequence[Hashable]) -> list[tuple[str | int, ...]]:
    return [tuple(op) for op in diff(a, b)]


def lcs_length(a: Sequence[Hashable], b: Sequence[Hashable]) -> int:
    row = [0] * (len(b) + 1)
    for x in a:
        diagonal, row = row, [0]
        for j, y in enumerate(b):
            row.append(diagonal[j] + 1 if x == y else max(diagonal[j + 1], row[j]))
    return row[-1]


def restore(
    a: Sequence[Hashable], b: Sequence[Hashable], opcodes: Sequence[Opcode]
) -> list[Hashable]:
    """Rebuild b from a and the opcodes, taking from b only what is inserted or replaced."""
    out: list[Hashable] = []
    for op in opcodes:
        out.extend(a[op.a_start : op.a_end] if op.tag == "equal" else b[op.b_start : op.b_end])
    return out


def table(alignment: Alignment, witnesses: Sequence[Sequence[str]]) -> list[list[str | None]]:
    """The alignment as token strings, one row per witness."""
    return [
        [None if col.cells[w] is None else witnesses[w][col.cells[w]] for col in alignment.columns]  # type: ignore[index]
        for w in range(len(witnesses))
    ]


def check_opcodes(a: Sequence[Hashable], b: Sequence[Hashable], opcodes: Sequence[Opcode]) -> None:
    i = j = 0
    for k, op in enumerate(opcodes):
        assert (op.a_start, op.b_start) == (i, j)
        if k:
            assert op.tag != opcodes[k - 1].tag
        if op.tag == "equal":
            assert list(a[op.a_start : op.a_end]) == list(b[op.b_start : op.b_end])
        if op.tag == "replace":  # a replace never hides a match
            assert set(a[op.a_start : op.a_end]).isdisjoint(b[op.b_start : op.b_end])
        i, j = op.a_end, op.b_end
    assert (i, j) == (len(a), len(b))


def check_alignment(alignment: Alignment, witnesses: Sequence[Sequence[Hashable]]) -> None:
    assert alignment.lengths == tuple(len(w) for w in witnesses)
    for w, keys in enumerate(witnesses):
        found = [col.cells[w] for col in alignment.columns if col.cells[w] is not None]
        assert found == list(range(len(keys)))
    for col in alignment.columns:
        assert any(cell is not None for cell in col.cells)
        groups: dict[int, set[Hashable]] = {}
        for w, (cell, reading) in enumerate(zip(col.cells, col.readings, strict=True)):
            assert (cell is None) == (reading is None)
            if cell is not None and reading is not None:
                groups.setdefault(reading, set()).add(witnesses[w][cell])
        assert all(len(keys) == 1 for keys in groups.values())  # a reading is one key


def check_segments(alignment: Alignment) -> None:
    for w, length in enumerate(alignment.lengths):
        spans = [s.spans[w] for s in alignment.segments() if s.spans[w] is not None]
        assert [t for start, end in spans for t in range(start, end)] == list(range(length))  # type: ignore[misc]


# --- Opcode -------------------------------------------------------------------------------------


def test_opcode_unpacks_like_difflib() -> None:
    assert tuple(Opcode("insert", 2, 2, 2, 5)) == ("insert", 2, 2, 2, 5)


@pytest.mark.parametrize(
    "args",
    [
        ("equal", 0, 1, 0, 2),
        ("delete", 0, 1, 0, 1),
        ("insert", 0, 1, 0, 1),
        ("replace", 0, 0, 0, 1),
        ("equal", 0, 0, 0, 0),
        ("delete", 2, 1, 0, 0),
        ("copy", 0, 1, 0, 1),
    ],
)
def test_opcode_rejects_shapes_that_do_not_fit_the_tag(
    args: tuple[str, int, int, int, int],
) -> None:
    with pytest.raises(ValueError):
        Opcode(*args)  # type: ignore[arg-type]


# --- diff: hand-checked -------------------------------------------------------------------------


def test_diff_identical() -> None:
    assert ops("abc", "abc") == [("equal", 0, 3, 0, 3)]


def test_diff_empty_inputs() -> None:
    assert ops("", "") == []
    assert ops("", "ab") == [("insert", 0, 0, 0, 2)]
    assert ops("ab", "") == [("delete", 0, 2, 0, 0)]


def test_diff_disjoint_is_one_replace() -> None:
    assert ops("abc", "xy") == [("replace", 0, 3, 0, 2)]


def test_diff_insert_delete_replace() -> None:
    a = words("the cat sat on the mat")
    b = words("the black cat sat on a mat")
    assert ops(a, b) == [
        ("equal", 0, 1, 0, 1),
        ("insert", 1, 1, 1, 2),
        ("equal", 1, 4, 2, 5),
        ("replace", 4, 5, 5, 6),
        ("equal", 5, 6, 6, 7),
    ]
    assert ops(b, a)[1] == ("delete", 1, 2, 1, 1)


def test_diff_repeated_tokens_keep_the_later_occurrence() -> None:
    # The gap goes first, so the surviving '!' is the one before 'q' (CollateX's choice too).
    a = words("a b c d F g h i ! K ! q r s t")
    b = words("a b c d F g h i ! q r s t")
    assert ops(a, b) == [("equal", 0, 8, 0, 8), ("delete", 8, 10, 8, 8), ("equal", 10, 15, 8, 13)]
    assert ops("aa", "a") == [("delete", 0, 1, 0, 0), ("equal", 1, 2, 0, 1)]
    assert ops("a", "aa") == [("insert", 0, 0, 0, 1), ("equal", 0, 1, 1, 2)]


def test_diff_repetition_prefers_one_long_match() -> None:
    a = words("This very quick very quick brown wombat")
    b = words("That very quick brown koala")
    assert ops(a, b) == [
        ("replace", 0, 3, 0, 1),
        ("equal", 3, 6, 1, 4),
        ("replace", 6, 7, 4, 5),
    ]


def test_diff_swap_tie_matches_the_later_token_of_b() -> None:
    assert ops("ab", "ba") == [
        ("insert", 0, 0, 0, 1),
        ("equal", 0, 1, 1, 2),
        ("delete", 1, 2, 2, 2),
    ]


def test_diff_accepts_any_hashable_keys() -> None:
    a = [1, (2, 3), None, "x"]
    b = [1, None, "x", frozenset({4})]
    assert ops(a, b) == [
        ("equal", 0, 1, 0, 1),
        ("delete", 1, 2, 1, 1),
        ("equal", 2, 4, 1, 3),
        ("insert", 4, 4, 3, 4),
    ]


def test_diff_too_many_shared_keys_is_a_collation_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(anchors, "CAPACITY", 5)
    with pytest.raises(CollationError, match="at most 5"):
        diff(list(range(10)), list(range(10)))
    # Keys found on one side only never need a code point of their own.
    assert ops(list(range(10)), list(range(10, 20))) == [("replace", 0, 10, 0, 10)]
    assert ops([1, 2, 3, *range(10, 99)], [1, 2, 3]) == [
        ("equal", 0, 3, 0, 3),
        ("delete", 3, 92, 3, 3),
    ]


def test_diff_code_points_skip_surrogates() -> None:
    start = 0xD800 - anchors._FIRST_SHARED
    assert anchors._code_point(start - 1) == "\ud7ff"
    assert anchors._code_point(start) == "\ue000"
    assert anchors._code_point(anchors.CAPACITY - 1) == "\U0010ffff"


def test_diff_anchors_long_inputs_on_unique_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(anchors, "EXACT_LIMIT", 8)
    monkeypatch.setattr(anchors, "DIRECT", 8)
    monkeypatch.setattr(anchors, "PROBED", 8)
    a = [f"w{i}" for i in range(40)]
    b = [*a[:10], "x", *a[10:25], *a[30:], *a[25:30]]
    result = diff(a, b)
    check_opcodes(a, b, result)
    assert sum(op.a_end - op.a_start for op in result if op.tag == "equal") == 35


def test_diff_anchors_on_ngrams_when_no_token_is_unique(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(anchors, "EXACT_LIMIT", 8)
    monkeypatch.setattr(anchors, "DIRECT", 8)
    monkeypatch.setattr(anchors, "PROBED", 8)
    a = list("aaaabbbbabbaabab")  # a de Bruijn sequence: every 4-gram occurs once
    b = [*a[:7], "a", *a[8:]]
    result = diff(a, b)
    check_opcodes(a, b, result)
    assert restore(a, b, result) == b
    found = anchors._anchors(*anchors.encode(a, b), anchors.Budget(10**9))
    assert found and all(n == 4 for _, _, n in found)


# --- diff: properties --------------------------------------------------------------------------


@given(tokens, tokens)
@settings(deadline=None)  # wall time is the benchmark's, not a test's
def test_diff_covers_both_inputs_and_equal_runs_are_equal(a: list[str], b: list[str]) -> None:
    check_opcodes(a, b, diff(a, b))


@given(tokens, tokens)
@settings(deadline=None)  # wall time is the benchmark's, not a test's
def test_diff_opcodes_restore_b_from_a(a: list[str], b: list[str]) -> None:
    assert restore(a, b, diff(a, b)) == b


@given(tokens, tokens)
@settings(deadline=None)  # wall time is the benchmark's, not a test's
def test_diff_is_minimal(a: list[str], b: list[str]) -> None:
    matched = sum(op.a_end - op.a_start for op in diff(a, b) if op.tag == "equal")
    assert matched == lcs_length(a, b)


@given(tokens, tokens)
@settings(deadline=None)  # wall time is the benchmark's, not a test's
def test_diff_depends_only_on_key_equality(a: list[str], b: list[str]) -> None:
    # Another spelling of the same keys (and other hashes) must give the same opcodes.
    def respell(keys: list[str]) -> list[tuple[str, int]]:
        return [(key * 3, ord(key)) for key in keys]

    assert diff(a, b) == diff(respell(a), respell(b))
    assert diff(a, b) == diff(list(a), list(b))


@given(tokens, tokens)
@settings(deadline=None)  # wall time is the benchmark's, not a test's
def test_diff_anchored_path_is_still_a_valid_diff(a: list[str], b: list[str]) -> None:
    saved = anchors.EXACT_LIMIT, anchors.DIRECT, anchors.PROBED
    anchors.EXACT_LIMIT = anchors.DIRECT = anchors.PROBED = 4
    try:
        result = diff(a, b)
    finally:
        anchors.EXACT_LIMIT, anchors.DIRECT, anchors.PROBED = saved
    check_opcodes(a, b, result)
    assert restore(a, b, result) == b


@given(tokens, tokens)
@settings(deadline=None)  # wall time is the benchmark's, not a test's
def test_pure_python_fallback_matches_the_c_engine(a: list[str], b: list[str]) -> None:
    text_a, text_b = anchors.encode(a, b)
    assert anchors._slow_dmp_counts(text_a, text_b) == [
        (op, n) for op, n in anchors._fast_dmp_counts(text_a, text_b)
    ]


def test_diff_uses_the_pure_python_engine_when_the_c_one_is_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(anchors, "_dmp_counts", anchors._slow_dmp_counts)
    assert ops("xabcy", "abzc") == [
        ("delete", 0, 1, 0, 0),
        ("equal", 1, 3, 0, 2),
        ("insert", 3, 3, 2, 3),
        ("equal", 3, 4, 3, 4),
        ("delete", 4, 5, 4, 4),
    ]


# --- align: hand-checked -----------------------------------------------------------------------


def test_align_needs_a_witness() -> None:
    with pytest.raises(CollationError):
        align([])


def test_align_one_witness() -> None:
    result = align(["abc"])
    assert [col.cells for col in result.columns] == [(0,), (1,), (2,)]
    assert not any(col.is_variant for col in result.columns)


def test_align_empty_witnesses() -> None:
    assert list(align(["", ""]).columns) == []
    assert align(["", ""]).width == 0
    result = align(["ab", "", "ab"])
    assert [col.cells for col in result.columns] == [(0, None, 0), (1, None, 1)]
    assert all(col.is_variant for col in result.columns)


def test_align_identical_witnesses_agree_everywhere() -> None:
    text = words("in the beginning was the word")
    result = align([text, text, text])
    assert [col.cells for col in result.columns] == [(k, k, k) for k in range(6)]
    assert not any(col.is_variant for col in result.columns)
    assert [s.spans for s in result.segments()] == [((0, 6), (0, 6), (0, 6))]


def test_align_disjoint_witnesses_stand_side_by_side() -> None:
    result = align(["ab", "xyz"])
    assert [col.cells for col in result.columns] == [(0, 0), (1, 1), (None, 2)]
    assert [col.readings for col in result.columns] == [(0, 1), (0, 1), (None, 0)]


def test_align_replacement_shares_a_column_and_omission_leaves_a_gap() -> None:
    a = words("The quick brown fox jumps over the dog .")
    b = words("The brown fox jumps over the lazy dog .")
    result = align([a, b])
    assert table(result, [a, b]) == [
        ["The", "quick", "brown", "fox", "jumps", "over", "the", None, "dog", "."],
        ["The", None, "brown", "fox", "jumps", "over", "the", "lazy", "dog", "."],
    ]
    assert [s.spans for s in result.segments()] == [
        ((0, 1), (0, 1)),
        ((1, 2), None),
        ((2, 7), (1, 6)),
        (None, (6, 7)),
        ((7, 9), (7, 9)),
    ]


def test_align_repeated_tokens_match_the_occurrence_that_keeps_text_together() -> None:
    w = [words("This very quick very quick brown"), words("That very quick brown")]
    assert table(align(w), w) == [
        ["This", "very", "quick", "very", "quick", "brown"],
        ["That", None, None, "very", "quick", "brown"],
    ]


def test_align_third_witness_can_join_parallel_branches() -> None:
    # C follows A, then B: both runs are matched although A and B are parallel in the graph.
    w = [words("a b c d e f"), words("x y z d e"), words("a b x y z")]
    assert table(align(w), w) == [
        ["a", "b", "c", None, None, "d", "e", "f"],
        [None, None, "x", "y", "z", "d", "e", None],
        ["a", "b", "x", "y", "z", None, None, None],
    ]


def test_align_readings_group_matched_tokens() -> None:
    w = [words("a b c"), words("a x c"), words("a x c"), words("a y c")]
    result = align(w)
    assert [col.readings for col in result.columns] == [(0, 0, 0, 0), (0, 1, 1, 2), (0, 0, 0, 0)]


def test_align_near_match_places_a_reading_beside_its_closest_counterpart() -> None:
    w = [words("over this dog"), words("over there that dog")]
    assert table(align(w), w)[0] == ["over", "this", None, "dog"]
    assert table(align(w, near_match=edit_similarity), w)[0] == ["over", None, "this", "dog"]


def test_near_places_spelling_drift_side_by_side() -> None:
    a, b = words("to cde . Bulganiin via VCh"), words("to comrade Bulganin via VCh")
    assert table(align([a, b]), [a, b])[1] == ["to", "comrade", "Bulganin", None, "via", "VCh"]
    near = align([a, b], near=0.8)
    assert table(near, [a, b]) == [["to", "cde", ".", "Bulganiin", "via", "VCh"],
                                   ["to", "comrade", None, "Bulganin", "via", "VCh"]]
    # variants of each other: one column, two readings
    assert near.readings[3] == (0, 1)
    c, d = words("in Kaeseong and"), words("in the neutral zone at Kaesong and")
    assert table(align([c, d], near=0.8), [c, d])[0] == ["in", None, None, None, None,
                                                         "Kaeseong", "and"]
    # below the threshold nothing moves ("this" / "that": 0.5)
    w = [words("over this dog"), words("over there that dog")]
    assert table(align(w, near=0.8), w) == table(align(w), w)
    with pytest.raises(ValueError, match="threshold"):
        align(w, near=1.5)


SPELLINGS = st.lists(st.lists(st.sampled_from(["Kaesong", "Kaeseong", "Gaeseong", "in", "on",
                                                "zone", "zones"]), max_size=10),
                     min_size=1, max_size=5)


@given(SPELLINGS, st.floats(0.3, 1.0))
@settings(deadline=None, max_examples=80)
def test_near_matching_moves_readings_never_matches(witnesses: list[list[str]],
                                                    threshold: float) -> None:
    plain, near = align(witnesses), align(witnesses, near=threshold)
    check_alignment(near, witnesses)

    def matched(t: Alignment) -> set[tuple[int, int, int, int]]:
        return {(x, row[x], y, row[y]) for row, r in zip(zip(*t.cells, strict=True),
                                                          t.readings, strict=True)
                for x, y in itertools.combinations(range(len(witnesses)), 2)
                if r[x] is not None and r[x] == r[y]}

    assert matched(near) == matched(plain)


def test_edit_similarity() -> None:
    assert edit_similarity("", "") == 1.0
    assert edit_similarity("abc", "abc") == 1.0
    assert edit_similarity("abc", "xyz") == 0.0
    assert edit_similarity("kitten", "sitting") == pytest.approx(1 - 3 / 7)


def test_column_and_segment_validate_their_readings() -> None:
    with pytest.raises(ValueError):
        Column((0, None), (0, 0))  # a reading where the witness is absent
    with pytest.raises(ValueError):
        Column((0, 1), (1, 0))  # readings numbered out of witness order
    with pytest.raises(ValueError):
        Column((None, None), (None, None))  # an empty column
    with pytest.raises(ValueError):
        Column((0,), (0, 0))
    with pytest.raises(ValueError):
        Segment(((0, 1), None), (0, 0))


def test_alignment_validates_tiling() -> None:
    col = Column((0, 0), (0, 0))
    with pytest.raises(ValueError):
        Alignment.from_columns((1, 1), (col, col))  # token 0 twice
    with pytest.raises(ValueError):
        Alignment.from_columns((2, 1), (col,))  # a token missing
    with pytest.raises(ValueError):
        Alignment.from_columns((1,), (col,))  # wrong number of cells
    assert Alignment.from_columns((1, 1), (col,)).witness_count == 2


def test_alignment_validates_its_rows() -> None:
    with pytest.raises(ValueError, match="readings do not fit"):
        Alignment((1, 0), ((0,), (None,)), ((0, 0),))  # a reading where a witness is absent
    with pytest.raises(ValueError, match="in order"):
        Alignment((2,), ((1, 0),), ((0,), (0,)))  # tokens out of order
    with pytest.raises(ValueError, match="cells for"):
        Alignment((1, 1), ((0,), ()), ((0, 0),))  # a short row
    with pytest.raises(ValueError, match="rows of cells"):
        Alignment((1, 1), ((0,),), ((0, 0),))  # a witness without a row
    with pytest.raises(ValueError, match="witness order"):
        Alignment((1, 1), ((0,), (0,)), ((1, 0),))
    with pytest.raises(ValueError, match="at least one"):
        Alignment((1, 1), ((0, None), (0, None)), ((0, 0), (None, None)))


def test_columns_are_a_view_of_the_rows() -> None:
    table = align([["a", "b", "c"], ["a", "c", "d"]])
    columns = table.columns
    assert len(columns) == table.width == len(table.readings)
    assert list(columns) == [table.column(c) for c in range(table.width)]
    assert columns[-1] == table.column(table.width - 1)
    assert columns[1:3] == [table.column(1), table.column(2)]
    with pytest.raises(IndexError):
        columns[table.width]
    assert Alignment.from_columns(table.lengths, list(columns)).cells == table.cells
    for w in range(2):
        assert [table.cells[w][c] for c in table.token_columns(w)] == list(range(3))


def test_alignment_is_an_immutable_value() -> None:
    result = align(["ab", "ab"])
    assert result == align(["ab", "ab"])
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        result.cells = ()  # type: ignore[misc]


# --- align: properties --------------------------------------------------------------------------


@given(witness_lists)
@settings(deadline=None)  # wall time is the benchmark's, not a test's
def test_align_tiles_every_witness(witnesses: list[list[str]]) -> None:
    result = align(witnesses)
    check_alignment(result, witnesses)
    check_segments(result)


@given(witness_lists)
@settings(deadline=None, max_examples=60)
def test_align_with_all_options_still_tiles(witnesses: list[list[str]]) -> None:
    result = align(witnesses, detect_transpositions=True, near_match=edit_similarity)
    check_alignment(result, witnesses)
    check_segments(result)
    for t in result.transpositions:
        assert witnesses[t.witness_a][t.a_start] == witnesses[t.witness_b][t.b_start]


@given(tokens, st.integers(1, 4))
@settings(deadline=None)  # wall time is the benchmark's, not a test's
def test_align_identical_witnesses_give_only_agreement(words: list[str], copies: int) -> None:
    result = align([words] * copies)
    assert len(result.columns) == len(words)
    assert not any(col.is_variant for col in result.columns)


@given(witness_lists)
@settings(deadline=None)  # wall time is the benchmark's, not a test's
def test_align_is_deterministic(witnesses: list[list[str]]) -> None:
    respelled = [[(key, key.upper()) for key in keys] for keys in witnesses]
    assert align(witnesses) == align([list(keys) for keys in witnesses]) == align(respelled)


@given(tokens, tokens)
@settings(deadline=None)  # wall time is the benchmark's, not a test's
def test_align_two_witnesses_matches_exactly_what_diff_matches(a: list[str], b: list[str]) -> None:
    matched_by_diff = {
        (op.a_start + k, op.b_start + k)
        for op in diff(a, b)
        if op.tag == "equal"
        for k in range(op.a_end - op.a_start)
    }
    matched_by_align = {col.cells for col in align([a, b]).columns if col.readings == (0, 0)}
    assert matched_by_align == matched_by_diff


# --- transpositions ----------------------------------------------------------------------------

WORDS = [f"w{i}" for i in range(30)]


def test_moved_block_is_found_once_with_its_ranges() -> None:
    a = WORDS
    b = WORDS[:10] + WORDS[15:25] + WORDS[10:15] + WORDS[25:]
    result = align([a, b], detect_transpositions=True)
    assert result.transpositions == (Transposition(0, 10, 15, 1, 20, 25),)
    check_alignment(result, [a, b])
    # The moved tokens keep one column each, unmatched.
    moved = [col for col in result.columns if col.cells[0] in range(10, 15)]
    assert all(col.is_variant for col in moved)


def test_pairwise_transpositions_from_a_diff() -> None:
    a = WORDS
    b = WORDS[:10] + WORDS[15:25] + WORDS[10:15] + WORDS[25:]
    assert transpositions(a, b, diff(a, b)) == (Transposition(0, 10, 15, 1, 20, 25),)


def test_no_transposition_between_unrelated_texts() -> None:
    a = words("the cat sat on the mat and looked around")
    b = words("quite another sentence with different words in it")
    assert align([a, b], detect_transpositions=True).transpositions == ()


def test_adjacent_swaps_of_short_blocks_are_one_transposition() -> None:
    cases = [
        ("a b", "b a", (1, 2), (0, 1)),  # CollateX Java: one transposition
        ("a b c", "b c a", (0, 1), (2, 3)),
        ("p q r s t u", "p s t q r u", (3, 5), (1, 3)),  # two two-word blocks
        ("as to the arrival of comrades Zhou Enlai and Lin Biao",
         "as to the arrival of comrades Enlai Zhou and Lin Biao", (7, 8), (6, 7)),
    ]
    for a, b, moved_a, moved_b in cases:
        found = align([words(a), words(b)], detect_transpositions=True).transpositions
        assert found == (Transposition(0, *moved_a, 1, *moved_b),), (a, b)


def test_a_swap_needs_a_clean_inversion() -> None:
    # a chiasmus (two blocks swapped around a pivot) is no swap of "is black" with "the cat"
    assert align([words("the cat is black"), words("black is the cat")],
                 detect_transpositions=True).transpositions == ()
    # nor is a short block that crosses a long stretch: only a move of min_length tokens
    a = words("p q r s t u v w x y")
    b = words("p s t u v w x y q r")
    assert align([a, b], detect_transpositions=True).transpositions == ()
    found = align([a, b], detect_transpositions=True, transposition_min_length=2).transpositions
    assert found == (Transposition(0, 1, 3, 1, 8, 10),)


def test_two_blocks_swapped_around_a_short_pivot_are_two_transpositions() -> None:
    a, b = words("the black , and white cat"), words("the white , and black cat")
    found = align([a, b], detect_transpositions=True).transpositions
    assert set(found) == {Transposition(0, 1, 2, 1, 4, 5), Transposition(0, 4, 5, 1, 1, 2)}
    # around a longer stretch the two changes are substitutions (CollateX Java agrees)
    a, b = words("a black cat in a white basket"), words("a white cat in a black basket")
    assert align([a, b], detect_transpositions=True).transpositions == ()


def _text(rng: random.Random, length: int, phrase: list[str], every: int) -> list[str]:
    """Random words with *phrase* recurring every *every* words."""
    out: list[str] = []
    while len(out) < length:
        out.extend(rng.choice(WORDS) for _ in range(every))
        out.extend(phrase)
    return out


def test_a_recurring_phrase_is_no_move_but_a_rare_block_is() -> None:
    rng = random.Random(5)
    phrase = words("the conditions of life")
    a = _text(rng, 3000, phrase, 40)
    # b drops a passage holding the phrase and adds another holding it far away
    cut = a.index("the", 1000)
    passage = [*words("zz1 zz2"), *phrase, *words("zz3 zz4")]
    b = a[: cut - 3] + a[cut + 7 :]
    b = b[:2500] + passage + b[2500:]
    a_with = [*a[:1500], *words("yy1 yy2"), *phrase, *words("yy3 yy4"), *a[1500:]]
    found = align([a_with, b], detect_transpositions=True).transpositions
    assert [t for t in found if a_with[t.a_start : t.a_end] == phrase] == []
    # the same distance, a block of words found nowhere else: a move
    block = [f"rare{i}" for i in range(5)]
    c, d = a[:1500] + block + a[1500:], a[:2500] + block + a[2500:]
    assert align([c, d], detect_transpositions=True).transpositions == (
        Transposition(0, 1500, 1505, 1, 2500, 2505),
    )


def test_moved_block_with_an_edit_inside_is_one_transposition() -> None:
    a = [f"w{i}" for i in range(40)]
    block = [*a[10:14], "edited", *a[15:20]]
    b = a[:10] + a[20:35] + block + a[35:]
    assert transpositions(a, b, diff(a, b)) == (Transposition(0, 10, 20, 1, 25, 35),)


def test_transposition_seen_from_several_witnesses_is_reported_once() -> None:
    a = WORDS
    b = WORDS[:10] + WORDS[15:25] + WORDS[10:15] + WORDS[25:]
    result = align([a, b, list(a)], detect_transpositions=True)
    assert result.transpositions == (Transposition(0, 10, 15, 1, 20, 25),)


def test_repeated_sentences_do_not_explode() -> None:
    sentence = words("and the same words come back again and again")
    a = sentence * 150
    b = sentence * 60 + ["new"] + sentence * 90
    moves = find_moves(a, [(0, len(a))], b, [(0, len(b))], max_candidates=4)
    assert sum(a1 - a0 for a0, a1, _, _ in moves) == len(b) - 1
    result = align([a, b], detect_transpositions=True)
    check_alignment(result, [a, b])
    assert result.transpositions == ()  # a plain insertion, nothing moved


def test_find_moves_validates_parameters() -> None:
    with pytest.raises(ValueError):
        find_moves("ab", [(0, 2)], "ab", [(0, 2)], min_length=0)
    with pytest.raises(ValueError):
        Transposition(1, 0, 1, 0, 0, 1)  # witness order
    with pytest.raises(ValueError):
        Transposition(0, 3, 3, 1, 0, 1)  # empty range


@given(witness_lists, st.randoms(use_true_random=False))
@settings(deadline=None)  # wall time is the benchmark's, not a test's
def test_reordered_is_the_same_table_with_witnesses_permuted(
    witnesses: list[list[str]], rnd: random.Random
) -> None:
    table = align(witnesses, detect_transpositions=True, transposition_min_length=2)
    order = list(range(len(witnesses)))
    rnd.shuffle(order)
    moved = table.reordered(order)
    check_alignment(moved, [witnesses[w] for w in order])
    for k, w in enumerate(order):
        assert moved.cells[k] == table.cells[w]
        assert moved.token_columns(k) == table.token_columns(w)
    for before, after in zip(table.readings, moved.readings, strict=True):
        # the same witnesses share a reading, whatever the numbers
        for i, j in itertools.combinations(range(len(order)), 2):
            same = before[order[i]] is not None and before[order[i]] == before[order[j]]
            assert same == (after[i] is not None and after[i] == after[j])
    def places(t: Transposition, witness: Sequence[int]) -> frozenset[tuple[int, int, int]]:
        return frozenset({(witness[t.witness_a], t.a_start, t.a_end),
                          (witness[t.witness_b], t.b_start, t.b_end)})

    identity = range(len(order))
    assert [places(t, order) for t in moved.transpositions] == [
        places(t, identity) for t in table.transpositions
    ]
    assert moved.reordered(sorted(range(len(order)), key=order.__getitem__)) == table
    with pytest.raises(ValueError):
        table.reordered([0, 0, *range(1, len(order) - 1)] if len(order) > 1 else [1])


@given(witness_lists, st.randoms(use_true_random=False))
@settings(deadline=None)  # wall time is the benchmark's, not a test's
def test_join_order_is_aligning_in_that_order_then_reordering(
    witnesses: list[list[str]], rnd: random.Random
) -> None:
    order = list(range(len(witnesses)))
    rnd.shuffle(order)
    given_order = align(witnesses, order=order, detect_transpositions=True,
                        transposition_min_length=2)
    joined = align([witnesses[w] for w in order], detect_transpositions=True,
                   transposition_min_length=2)
    assert given_order == joined.reordered([order.index(w) for w in range(len(order))])
    check_alignment(given_order, witnesses)
    with pytest.raises(CollationError, match="not an order"):
        align(witnesses, order=[*order, len(order)])


def test_a_moved_block_edited_inside_is_one_move() -> None:
    """Pieces of a moved block are joined across a stretch that differs by a word on each
    side, even when the words they share there are too few to be a piece themselves."""
    block_a = ["w1", "w2", "w3", "w4", "but", "t1", "t2", "t3", "f1", "f2", "f3", "f4"]
    block_b = ["w1", "w2", "w3", "w4", "t1", "t2", "t3", "him", "f1", "f2", "f3", "f4"]
    a = ["x"] * 5 + block_a
    b = block_b + ["y"] * 5
    free_a, free_b = [(5, len(a))], [(0, len(block_b))]
    assert find_moves(a, free_a, b, free_b, min_length=4) == [(5, len(a), 0, len(block_b))]
    # a stretch that differs more is no edit inside one block: two moves
    wider = ["w1", "w2", "w3", "w4", "p", "q", "r", "s", "f1", "f2", "f3", "f4"]
    moves = find_moves(a, free_a, wider, [(0, len(wider))], min_length=4)
    assert moves == [(5, 9, 0, 4), (13, len(a), 8, 12)]


@given(st.lists(st.one_of(st.none(), st.integers(0, 40))))
@settings(deadline=None)  # wall time is the benchmark's, not a test's
def test_free_ranges_are_the_maximal_runs(tokens: list[int | None]) -> None:
    from collatio.align.table import _ranges

    present = sorted({t for t in tokens if t is not None})
    ranges = _ranges([*present[:1], None, *present[1:]])  # Nones are skipped
    assert [t for start, end in ranges for t in range(start, end)] == present
    assert all(end < next_start for (_, end), (next_start, _) in itertools.pairwise(ranges))


@given(witness_lists, st.booleans(), st.randoms(use_true_random=False))
@settings(deadline=None)  # wall time is the benchmark's, not a test's
def test_agreeing_columns_are_those_not_variant(
    witnesses: list[list[str]], moves: bool, rng: random.Random
) -> None:
    # the aligner hands the move search's agreements to the table, in any joining order,
    # and a reordered table keeps them: each must still be the table's own
    order = list(range(len(witnesses)))
    rng.shuffle(order)
    table = align(witnesses, detect_transpositions=moves, order=order)
    assert table.agreeing() == [not column.is_variant for column in table.columns]
    assert table.agreeing() is table.agreeing()  # made once
    reordered = table.reordered(order)
    assert reordered.agreeing() == [not column.is_variant for column in reordered.columns]
    rebuilt = Alignment.from_columns(table.lengths, table.columns)
    assert rebuilt.agreeing() == table.agreeing()


# --- bounded cost --------------------------------------------------------------------------------


def _calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """Record (tokens, edit distance) of every call into the exact diff engine."""
    calls: list[tuple[int, int]] = []
    real = anchors._dmp_counts

    def counted(ta: str, tb: str) -> list[tuple[str, int]]:
        result = real(ta, tb)
        calls.append((len(ta) + len(tb), sum(n for op, n in result if op != "=")))
        return result

    monkeypatch.setattr(anchors, "_dmp_counts", counted)
    return calls


def _repetitive(rng: random.Random, words: int, alphabet: int) -> tuple[list[int], list[int]]:
    """A text that repeats itself, and a rewrite: pieces shuffled, a fifth replaced."""
    unit = [rng.randrange(alphabet) for _ in range(60)]
    a = (unit * (words // 60 + 1))[:words]
    pieces = [a[i : i + 30] for i in range(0, len(a), 30)]
    rng.shuffle(pieces)
    b = [rng.randrange(alphabet) if rng.random() < 0.2 else t for p in pieces for t in p]
    return a, b


ADVERSARIAL = st.tuples(
    st.sampled_from(["repetitive", "disjoint", "random", "edited"]),
    st.integers(0, 6000),
    st.sampled_from([2, 5, 40, 3000]),
    st.randoms(use_true_random=False),
)


def _adversarial(kind: str, size: int, alphabet: int, rng: random.Random
                 ) -> tuple[list[int], list[int]]:
    if kind == "repetitive":
        return _repetitive(rng, size, alphabet)
    if kind == "disjoint":
        return ([rng.randrange(alphabet) for _ in range(size)],
                [alphabet + rng.randrange(alphabet) for _ in range(size)])
    a = [rng.randrange(alphabet) for _ in range(size)]
    if kind == "random":
        return a, [rng.randrange(alphabet) for _ in range(size)]
    return a, [rng.randrange(alphabet) if rng.random() < 0.05 else t for t in a]


@given(ADVERSARIAL)
@settings(max_examples=40, deadline=None)
def test_a_diff_never_exceeds_its_budget(case: tuple[str, int, int, random.Random]) -> None:
    a, b = _adversarial(*case)
    budget = anchors.Budget.for_tokens(len(a) + len(b))
    result = diff(a, b, budget=budget)
    check_opcodes(a, b, result)
    assert 0 < budget.spent <= budget.limit


@given(ADVERSARIAL)
@settings(max_examples=25, deadline=None)
def test_no_single_exact_diff_call_is_long(
    case: tuple[str, int, int, random.Random],
) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        calls = _calls(monkeypatch)
        diff(*_adversarial(*case))
    # the units of a call: its tokens + the square of its edit distance, within CALL_MAX
    assert all(size + distance * distance <= anchors.CALL_MAX for size, distance in calls)


def test_a_long_stretch_close_enough_is_diffed_exactly_in_one_call(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # past EXACT_LIMIT, a stretch of at most PROBED tokens whose measured distance is small
    # goes to Myers whole: minimal, with one call, not one per gap between anchors
    monkeypatch.setattr(anchors, "EXACT_LIMIT", 8)
    rng = random.Random(5)
    a = [rng.randrange(30) for _ in range(3000)]  # few keys: no token unique
    b = [rng.randrange(30) if rng.random() < 0.02 else t for t in a]
    calls = _calls(monkeypatch)
    result = diff(a, b)
    check_opcodes(a, b, result)
    assert sum(op.a_end - op.a_start for op in result if op.tag == "equal") == lcs_length(a, b)
    assert len(calls) == 1 and calls[0][0] <= len(a) + len(b)


def test_a_stretch_too_far_apart_is_not_diffed_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    # the probe measures a distance whose square is over the stretch's leaf budget (two
    # unrelated texts over 40 words: about 70% of the tokens differ): the stretch is
    # anchored and cut, so no call is given the whole of it
    monkeypatch.setattr(anchors, "EXACT_LIMIT", 8)
    a, b = _adversarial("random", 8000, 40, random.Random(3))
    calls = _calls(monkeypatch)
    budget = anchors.Budget.for_tokens(len(a) + len(b))
    check_opcodes(a, b, diff(a, b, budget=budget))
    assert calls and max(size for size, _ in calls) < len(a) + len(b) - 200
    assert budget.spent <= budget.limit


def test_texts_with_no_key_in_common_are_not_diffed_at_all(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = _calls(monkeypatch)
    a, b = list(range(50_000)), list(range(50_000, 100_000))
    budget = anchors.Budget.for_tokens(len(a) + len(b))
    assert ops(a, b) == [("replace", 0, 50_000, 0, 50_000)]
    assert calls == []
    diff(a, b, budget=budget)
    assert budget.spent <= 4 * (len(a) + len(b))  # a few linear passes


def test_a_stretch_without_anchors_is_aligned_by_windows_and_reported() -> None:
    a, b = _repetitive(random.Random(3), 20_000, 40)
    _, approximate = anchors.bounded_runs(a, b)
    assert approximate  # reported
    table = align([a, b])
    check_alignment(table, [a, b])  # still a valid alignment
    assert table.approximations and {x.witness for x in table.approximations} == {1}
    assert all(0 <= x.start < x.end <= len(b) for x in table.approximations)
    # ordinary input needs none
    c = [t for t in a if t % 7]
    assert align([a, c]).approximations == ()


@given(st.lists(st.sampled_from("abcdef"), max_size=60), st.lists(st.sampled_from("abcdef"),
                                                                   max_size=60))
@settings(deadline=None)  # wall time is the benchmark's, not a test's
def test_bit_parallel_lcs_is_a_longest_common_subsequence(a: list[str], b: list[str]) -> None:
    from collatio.align.pairwise import latest_lcs

    runs = latest_lcs(a, b)
    assert sum(n for _, _, n in runs) == lcs_length(a, b)
    assert all(a[i + k] == b[j + k] for i, j, n in runs for k in range(n))
    # the same matches as the plain dynamic programme backtracked the same way
    table = [[0] * (len(b) + 1)]
    for x in a:
        above, row = table[-1], [0]
        for j, y in enumerate(b):
            row.append(above[j] + 1 if x == y else max(above[j + 1], row[j]))
        table.append(row)
    matches = []
    i, j = len(a), len(b)
    while i and j:
        if a[i - 1] == b[j - 1]:
            i, j = i - 1, j - 1
            matches.append((i, j))
        elif table[i - 1][j] >= table[i][j - 1]:
            i -= 1
        else:
            j -= 1
    assert [(i + k, j + k) for i, j, n in runs for k in range(n)] == matches[::-1]


# --- matched tokens in one column ----------------------------------------------------------------


def identical_readings_apart(alignment: Alignment, witnesses: Sequence[Sequence[Hashable]]
                             ) -> list[tuple[int, int, int]]:
    """(x, y, column) wherever two witnesses read the same words between two points at which
    they agree (share a reading, or a text's end) yet not in the same columns as one reading."""
    found = []
    readings = alignment.readings
    for x, y in itertools.combinations(range(len(witnesses)), 2):
        shared = [c for c, r in enumerate(readings)
                  if r[x] is not None and r[x] == r[y]]
        for lo, hi in itertools.pairwise([-1, *shared, alignment.width]):
            cols_x = [c for c in range(lo + 1, hi) if alignment.cells[x][c] is not None]
            cols_y = [c for c in range(lo + 1, hi) if alignment.cells[y][c] is not None]
            keys_x = [witnesses[x][alignment.cells[x][c]] for c in cols_x]  # type: ignore[index]
            keys_y = [witnesses[y][alignment.cells[y][c]] for c in cols_y]  # type: ignore[index]
            if keys_x and keys_x == keys_y:
                found.append((x, y, cols_x[0]))
    return found


@given(st.lists(st.lists(st.sampled_from("abcd"), max_size=10), min_size=3, max_size=6))
@settings(max_examples=300, deadline=None)
def test_identical_readings_share_their_columns(witnesses: list[list[str]]) -> None:
    """Matched tokens stand in one column: two witnesses that read the same words where they
    differ from the others read them as one reading (the CollateX table shows them so)."""
    assert identical_readings_apart(align(witnesses), witnesses) == []


def _edited_copies(count: int, words: int, seed: int, *, replace: float = 0.0, fresh: int = 0
                   ) -> tuple[list[list[str]], list[list[int | None]]]:
    """A base text of *words* words drawn from a small skewed vocabulary and *count* - 1
    copies, each deleting about one word in twenty, inserting one before another and
    replacing the share *replace* of them; new words come from the base's vocabulary, or
    from *fresh* other forms (prose brings new words); with each token's place in the base
    (None for an inserted word)."""
    rng = random.Random(seed)
    vocabulary = [f"w{i}" for i in range(60)]
    weights = [1 / (rank + 2.7) for rank in range(len(vocabulary))]
    base = rng.choices(vocabulary, weights, k=words)
    others = [f"n{i}" for i in range(fresh)]

    def new_word() -> str:
        return rng.choice(others) if others else rng.choices(vocabulary, weights)[0]

    texts, places = [base], [list(range(words))]
    for _ in range(count - 1):
        text: list[str] = []
        place: list[int | None] = []
        for i, word in enumerate(base):
            x = rng.random()
            if x < 0.05:
                continue
            if x < 0.10:
                text.append(new_word())
                place.append(None)
            text.append(new_word() if replace and rng.random() < replace else word)
            place.append(i)
        texts.append(text)
        places.append(place)
    return texts, places


def test_many_witnesses_keep_a_copied_word_in_its_column() -> None:
    """With hundreds of witnesses the graph's order holds many nodes per word (every
    insertion adds one), and equal words lie far apart in it; a word each copy kept from the
    base still stands in the base word's column (re-threading looks as many words around, not
    a fixed number of positions, which at 600 texts had left a third of them elsewhere)."""
    texts, places = _edited_copies(600, 40, seed=5)
    table = align(texts)
    base = table.token_columns(0)
    kept = together = 0
    for w in range(1, len(texts)):
        columns = table.token_columns(w)
        for t, place in enumerate(places[w]):
            if place is not None:
                kept += 1
                together += columns[t] == base[place]
    assert together / kept > 0.9


@given(st.lists(st.sampled_from("abc"), max_size=30), st.lists(st.sampled_from("abc"),
                                                              max_size=30))
@settings(deadline=None, max_examples=300)
def test_a_pair_table_is_the_graph_table(a: list[str], b: list[str]) -> None:
    """Two witnesses get their table straight from the diff's runs; it is the table the
    variant graph ranks for them, cell for cell, reading for reading."""
    graph = Graph(2)
    graph.add(a)
    graph.add(b)
    expected = graph.table(graph.settle(graph.pieces()))
    pair = Graph(2)
    pair.add(a)
    runs, _ = pair.match(b)
    assert pair_table(len(a), len(b), runs) == expected


def test_a_substituted_word_stands_beside_the_word_it_replaces() -> None:
    """Longest-path ranks put a variant in the first column it may take, which here is
    another witness's insertion; it settles in the column of the majority's word instead."""
    witnesses = [["a", "b", "c", "d"]] * 5 + [["a", "y", "b", "c", "d"], ["a", "x", "c", "d"]]
    table = align(witnesses)
    check_alignment(table, witnesses)
    assert table.token_columns(6)[1] == table.token_columns(0)[1]  # x with b
    assert table.token_columns(5)[1] != table.token_columns(0)[1]  # y apart


def test_a_variant_stays_beside_a_token_of_its_own_word() -> None:
    """A variant that already stands with an equal word of another witness does not move
    to the majority's column (Darwin's 'being seldom alarmed' / 'being seldom much
    alarmed' / 'not being much alarmed': the two 'seldom' stay in one column)."""
    witnesses = ([["not", "being", "much", "alarmed"]] * 3 + [["being", "seldom", "alarmed"]] * 2
                 + [["being", "seldom", "much", "alarmed"]])
    table = align(witnesses)
    check_alignment(table, witnesses)
    assert table.token_columns(3)[1] == table.token_columns(5)[1]


def test_many_witnesses_keep_a_substituted_word_in_its_column() -> None:
    """Among 300 copies that each replace, insert and delete words (new words drawn from a
    large vocabulary, as in prose), a replaced word between the two base words that stand
    beside it in the base stands in the column of the word it replaces (longest-path ranks
    alone put all 436 of them beside an insertion; now 421). Next to another edit the place is
    ambiguous ("a x d" for "a b c d": x for b or for c), so not counted."""
    texts, places = _edited_copies(300, 40, seed=7, replace=0.05, fresh=5000)
    base = texts[0]
    table = align(texts)
    check_alignment(table, texts)
    base_columns = table.token_columns(0)
    replaced = together = 0
    for w in range(1, len(texts)):
        columns = table.token_columns(w)
        row = places[w]
        for t, place in enumerate(row):
            isolated = (0 < t < len(row) - 1 and place is not None
                        and row[t - 1] == place - 1 and texts[w][t - 1] == base[place - 1]
                        and row[t + 1] == place + 1 and texts[w][t + 1] == base[place + 1])
            if isolated and texts[w][t] != base[place]:
                replaced += 1
                together += columns[t] == base_columns[place]
    assert together / replaced > 0.9, (together, replaced)


@st.composite
def edited_copies(draw: st.DrawFn) -> list[list[str]]:
    """A short base text and 3 to 11 copies that keep, replace, insert before or delete
    each word."""
    base = draw(st.lists(SMALL_ALPHABET, min_size=1, max_size=10))
    texts = [base]
    for _ in range(draw(st.integers(2, 10))):
        text: list[str] = []
        for word in base:
            edit = draw(st.sampled_from(["keep", "keep", "keep", "replace", "insert", "delete"]))
            if edit == "insert":
                text.append(draw(SMALL_ALPHABET))
            if edit in ("keep", "insert"):
                text.append(word)
            elif edit == "replace":
                text.append(draw(SMALL_ALPHABET))
        texts.append(text)
    return texts


@given(edited_copies())
@settings(deadline=None, max_examples=200)
def test_settled_variants_still_tile_every_witness(witnesses: list[list[str]]) -> None:
    """Moving variants beside the majority's words keeps the table whole: every token once,
    in its witness's order, no empty column, one key a reading, equal readings together."""
    result = align(witnesses)
    check_alignment(result, witnesses)
    check_segments(result)
    assert identical_readings_apart(result, witnesses) == []


@given(st.text("abcdef", max_size=80), st.text("abcdef", max_size=80))
@settings(deadline=None)
def test_a_fallback_window_keeps_a_longest_common_subsequence(a: str, b: str) -> None:
    """Each window of the fallback commits matches of a longest common subsequence: runs in
    order, of equal keys, as many matched tokens as the LCS has."""
    runs = anchors.bit_lcs_runs(a, b)
    assert sum(n for _, _, n in runs) == lcs_length(a, b)
    assert all(a[i + k] == b[j + k] for i, j, n in runs for k in range(n))
    assert all(i0 + n0 <= i1 and j0 + n0 <= j1
               for (i0, j0, n0), (i1, j1, _) in itertools.pairwise(runs))


@st.composite
def moved_versions(draw: st.DrawFn) -> list[list[str]]:
    """Two to four versions of one text of repeated words, blocks moved and words edited."""
    vocabulary = [f"w{k}" for k in range(draw(st.integers(3, 30)))]
    base = draw(st.lists(st.sampled_from(vocabulary), min_size=4, max_size=40))
    versions = [base]
    for _ in range(draw(st.integers(1, 3))):
        text = list(base)
        for _ in range(draw(st.integers(0, 2))):  # blocks moved
            start = draw(st.integers(0, len(text) - 1))
            block = text[start : start + draw(st.integers(1, 8))]
            del text[start : start + len(block)]
            at = draw(st.integers(0, len(text)))
            text[at:at] = block
        for _ in range(draw(st.integers(0, 3))):  # words replaced
            text[draw(st.integers(0, len(text) - 1))] = draw(st.sampled_from(vocabulary))
        versions.append(text)
    return versions


@given(moved_versions(), st.integers(1, 5), st.sampled_from([None, 0.5]))
@settings(deadline=None)  # wall time is the benchmark's, not a test's
def test_moves_found_apart_are_the_moves_align_reports(
    witnesses: list[list[str]], min_length: int, near: float | None
) -> None:
    """A table made without its moves, then searched for them (as the apparatus does while
    it cuts the table into units), gives what align reports with them; the table with them
    is align's table."""
    plain = align(witnesses, near=near)
    found = transpositions_of(witnesses, plain, transposition_min_length=min_length)
    whole = align(witnesses, near=near, detect_transpositions=True,
                  transposition_min_length=min_length)
    assert found == whole.transpositions
    assert plain.with_transpositions(found) == whole
    assert plain.with_transpositions(found).token_columns(0) == whole.token_columns(0)
