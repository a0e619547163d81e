"""The apparatus: units, lemma, lacunae, transpositions, revision fates, and its invariants."""

from __future__ import annotations

import itertools
import random
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import collatio
from collatio.apparatus import (
    Apparatus,
    CollationOptions,
    Fate,
    UnitType,
    build,
    collate_witnesses,
    guide_order,
)
from collatio.errors import CollationError
from collatio.markup.tree import Text, leaves
from collatio.tokens import TokenKind

ROOT = Path(__file__).resolve().parent.parent
SEED_002 = ROOT / "seeds" / "002_82ee7afc6dc33c74.txt"


def collate_texts(texts: dict[str, str], **options: object) -> Apparatus:
    results = [collatio.parse_text(text, path=siglum, convention="plain")
               for siglum, text in texts.items()]
    witnesses = [w for r in results for w in r.witnesses]
    return collate_witnesses(witnesses, CollationOptions(**options))  # type: ignore[arg-type]


def rows(apparatus: Apparatus) -> list[tuple[str, str | None, list[tuple[str, tuple[str, ...]]]]]:
    return [
        (u.type.value, u.lemma.text if u.lemma else None,
         [(r.text, r.witnesses) for r in u.readings])
        for u in apparatus.units
    ]


@pytest.fixture(scope="module")
def seed() -> Apparatus:
    return collatio.collate([SEED_002])


# --- the seed collation ---------------------------------------------------------------------


def test_seed_witnesses_and_base(seed: Apparatus) -> None:
    assert seed.sigla == ("F", "D-ac", "D-pc")
    assert seed.base == "F"
    assert [w.state for w in seed.witnesses] == ["text", "ante", "post"]
    assert seed.witness("D-pc").label.endswith("(as revised)")


def test_positive_apparatus_accounts_for_every_witness_once(seed: Apparatus) -> None:
    for unit in seed.units:
        assert sorted(unit.witnesses) == sorted(seed.sigla), unit.id


def test_lacuna_of_the_final_is_not_an_omission(seed: Apparatus) -> None:
    lacunae = [u for u in seed.units if u.type is UnitType.LACUNA]
    assert lacunae and all(u.lacunose == ("F",) and u.lemma is None for u in lacunae)
    # the draft's second paragraph falls inside the final's "[...]"
    texts = " ".join(r.text for u in lacunae for r in u.readings)
    assert "I considered it possible to turn to You" in texts
    assert not any(
        u.type is UnitType.OMISSION and "I considered it possible" in " ".join(
            r.text for r in u.readings) for u in seed.units
    )


def test_units_read_like_an_editor(seed: Apparatus) -> None:
    found = {(u.lemma.text if u.lemma else None, tuple(r.text for r in u.readings[1:]))
             for u in seed.units}
    assert ("reply", ("response",)) in found
    assert ("one", ("a",)) in found
    assert ("insist", ("assert",)) in found
    assert ("5", ("4",)) in found
    very = next(u for u in seed.units if any(r.text == "very" for r in u.readings))
    assert very.type is UnitType.ADDITION
    assert very.lemma is not None and very.lemma.witnesses == ("F", "D-ac")
    assert very.reading_of("D-pc").places[0].hand == "add"  # type: ignore[union-attr]


def test_an_identical_sentence_is_no_unit(seed: Apparatus) -> None:
    shared = "As to the arrival of comrades Zhou Enlai and Lin Biao"
    assert not any(shared in r.text for u in seed.units for r in u.readings)


def test_locations(seed: Apparatus) -> None:
    unit = next(u for u in seed.units if u.lemma is not None and u.lemma.text == "reply")
    place = unit.lemma.places[0]  # type: ignore[union-attr]
    # paragraph 1: the address and date lines before it are furniture, not text
    assert (place.line, place.column, place.paragraph) == (11, 17, 1)
    text = SEED_002.read_text(encoding="utf-8")
    assert text[place.start : place.end] == "reply"
    response = unit.readings[1].place("D-ac")
    assert text[response.start : response.end] == "response"


def test_revision_fates(seed: Apparatus) -> None:
    by_text = {f.text: f for f in seed.revisions}
    assert by_text["very"].fate is Fate.NOT_ADOPTED
    assert by_text["Respectfully"].fate is Fate.ADOPTED
    assert by_text["the factors"].fate is Fate.IN_NO_STATE
    assert by_text["minimum"].fate is Fate.UNKNOWN  # inside the final's lacuna
    deleted = next(f for f in seed.revisions if f.text.startswith("In such a big country"))
    assert deleted.fate is Fate.PARTLY_REAPPEARS
    assert "should know the domestic situation in China better than anybody else" in deleted.reached
    assert sum(1 for f in seed.revisions if f.kind.value == "add") == 18


def test_base_can_be_chosen(seed: Apparatus) -> None:
    draft_based = collatio.collate([SEED_002], base="D")
    assert draft_based.base == "D-pc"
    assert collatio.collate([SEED_002], base="D-ac").base == "D-ac"
    with pytest.raises(CollationError, match="unknown base 'X'; choose one of: F, D-ac, D-pc"):
        collatio.collate([SEED_002], base="X")


def test_case_normalization_joins_you_and_you(seed: Apparatus) -> None:
    folded = collatio.collate([SEED_002], normalize=["case"])
    deleted = next(f for f in folded.revisions if f.text.startswith("In such a big country"))
    assert deleted.reached.startswith("Of course You should know the domestic situation")
    assert len(folded.units) <= len(seed.units)


# --- small cases ----------------------------------------------------------------------------


def test_identical_witnesses_give_no_units() -> None:
    app = collate_texts({"A": "One two three.", "B": "One two three."})
    assert app.units == () and app.flow == ("One two three.",)


def test_flow_and_documents_of_the_seed(seed: Apparatus) -> None:
    assert len(seed.flow) == len(seed.units) + 1
    assert "As to the arrival of comrades Zhou Enlai and Lin Biao" in "".join(seed.flow)
    draft = seed.document("D")
    added = [r.text for r in draft.runs if r.kinds == ("add",)]
    assert added[0] == "minimum" and "very" in added
    assert [r.text for r in draft.runs if r.kinds == ("add", "del")] == [
        "against China", "in the area", "situation", "would", "in the view of that", "5", "big",
        "But one should not fear this"]
    assert [r.text for r in draft.runs if r.kinds == ("del", "add")] == ["the factors"]
    gloss = next(r for r in draft.runs if r.text == "Jiang Jieshi")
    assert gloss.kinds == ("note",) and gloss.labels == ("gloss",)
    witness = collatio.parse([SEED_002]).witness("D")
    unmarked = "".join(leaf.text for leaf in leaves(witness.nodes) if isinstance(leaf, Text))
    assert "".join(r.text for r in draft.runs) == unmarked


def test_substitution_addition_omission() -> None:
    app = collate_texts({"A": "the black cat sat", "B": "the white cat sat down"}, base="A")
    assert rows(app) == [
        ("substitution", "black", [("black", ("A",)), ("white", ("B",))]),
        ("addition", "", [("", ("A",)), ("down", ("B",))]),
    ]
    app = collate_texts({"A": "the black cat sat", "B": "the cat sat"}, base="A")
    assert rows(app) == [("omission", "black", [("black", ("A",)), ("", ("B",))])]


def test_minor_variants_are_flagged() -> None:
    app = collate_texts({"A": "Respectfully, Philippov", "B": "respectfully Philippov"})
    (unit,) = app.units
    assert unit.minor and unit.type is UnitType.SUBSTITUTION


def test_a_rewritten_clause_is_one_unit() -> None:
    app = collate_texts({
        "A": "we said that the army would not cross the river at all today",
        "B": "we said that a division could perhaps cross the bridge later today",
    })
    (unit,) = app.units
    assert unit.readings[0].text == "the army would not cross the river at all"


def test_transposition_reported_once() -> None:
    moved = "under the old bridge near the mill"
    app = collate_texts({
        "A": f"The soldiers waited {moved} for the whole night and then left quietly.",
        "B": f"The soldiers waited for the whole night and then left quietly {moved}.",
    }, base="A")
    transpositions = [u for u in app.units if u.type is UnitType.TRANSPOSITION]
    assert len(transpositions) == 1
    (unit,) = transpositions
    assert [r.text for r in unit.readings] == [moved, moved]
    assert [r.witnesses for r in unit.readings] == [("A",), ("B",)]
    others = [u for u in app.units if u.type is not UnitType.TRANSPOSITION]
    assert not any(moved in r.text for u in others for r in u.readings)


def test_transpositions_can_be_turned_off() -> None:
    moved = "under the old bridge near the mill"
    app = collate_texts({
        "A": f"The soldiers waited {moved} for the whole night.",
        "B": f"The soldiers waited for the whole night {moved}.",
    }, transpositions=False)
    assert {u.type for u in app.units} <= {UnitType.ADDITION, UnitType.OMISSION,
                                           UnitType.SUBSTITUTION}


def test_gap_makes_a_lacuna_not_an_omission() -> None:
    results = [collatio.parse_text("I received your reply [...] Goodbye.", path="F",
                                   convention="editorial"),
               collatio.parse_text("I received your reply. It was long and kind. Goodbye.",
                                   path="D", convention="plain")]
    app = collate_witnesses([w for r in results for w in r.witnesses])
    (unit,) = app.units
    assert unit.type is UnitType.LACUNA and unit.lacunose == ("F",)
    assert unit.readings[0].text == ". It was long and kind."


def test_duplicate_sigla_are_refused() -> None:
    one = collatio.parse_text("a b", path="A").witnesses[0]
    with pytest.raises(CollationError, match="duplicate siglum 'A'"):
        collate_witnesses([one, one])


def test_guide_order_aligns_closest_first() -> None:
    far = ["x", "y", "z", "w", "v", "u"]
    near1 = ["a", "b", "c", "d", "e", "f", "g"]
    near2 = ["a", "b", "c", "d", "e", "f", "h"]
    assert guide_order([far, near1, near2]) == [1, 2, 0]


@given(st.lists(st.lists(st.sampled_from("abcde"), max_size=12), min_size=1, max_size=6))
def test_guide_order_follows_its_definition(witnesses: list[list[str]]) -> None:
    """The most similar pair (Jaccard index of word bigrams) first, then each time the
    witness closest to one already placed; ties keep the given order."""

    def similarity(i: int, j: int) -> float:
        x, y = set(itertools.pairwise(witnesses[i])), set(itertools.pairwise(witnesses[j]))
        return len(x & y) / len(x | y) if x | y else 1.0

    count = len(witnesses)
    expected = list(range(count))
    if count > 2:
        pairs = [(i, j) for i in range(count) for j in range(i + 1, count)]
        expected = list(max(pairs, key=lambda p: (similarity(*p), -p[0], -p[1])))
        while len(expected) < count:
            rest = [k for k in range(count) if k not in expected]
            expected.append(max(rest, key=lambda k: (
                max(similarity(k, i) for i in expected), -k)))
    assert guide_order(witnesses) == expected


# --- invariants -----------------------------------------------------------------------------

WORDS = st.sampled_from(["the", "war", "China", "USA", "would", "not", ",", ".", "very", "be"])
TEXTS = st.lists(WORDS, max_size=25).map(" ".join)


def _words(text: str) -> list[str]:
    return re.findall(r"\w+|[^\w\s]", text)


def restore(apparatus: Apparatus, siglum: str) -> str:
    """A witness's words rebuilt from the agreeing columns plus its readings in the units."""
    assert apparatus.alignment is not None and apparatus.tokens is not None
    w = apparatus.sigla.index(siglum)
    tokens = apparatus.tokens[w].tokens
    unit_at = {u.columns[0]: u for u in apparatus.units}
    words: list[str] = []
    c = 0
    columns = apparatus.alignment.columns
    while c < len(columns):
        unit = unit_at.get(c)
        if unit is not None:
            reading = unit.reading_of(siglum)
            if reading is not None and reading.text:
                words.append(reading.text)
            c = unit.columns[1]
            continue
        cell = columns[c].cells[w]
        if cell is not None and tokens[cell].kind is not TokenKind.GAP:
            words.append(tokens[cell].text)
        c += 1
    return " ".join(" ".join(words).split())


@settings(max_examples=150, deadline=None)
@given(texts=st.lists(TEXTS, min_size=1, max_size=4))
def test_witnesses_restore_from_alignment_and_apparatus(texts: list[str]) -> None:
    app = collate_texts({f"W{i}": t for i, t in enumerate(texts)}, transpositions=False)
    assert app.tokens is not None and app.alignment is not None
    for w, token_list in enumerate(app.tokens):
        in_order = [c.cells[w] for c in app.alignment.columns if c.cells[w] is not None]
        assert in_order == list(range(len(token_list.tokens)))
        rebuilt = token_list.prefix + "".join(
            token_list.tokens[i].text + token_list.tokens[i].ws for i in in_order)
        assert rebuilt == token_list.text
        assert restore(app, token_list.siglum) == " ".join(token_list.text.split())
        # the flow interleaved with the readings gives each text back, token for token
        assert _words(app.witness_text(token_list.siglum)) == _words(token_list.text)
    for unit in app.units:
        assert sorted(unit.witnesses) == sorted(app.sigla)
        assert len({r.text for r in unit.readings}) >= 1


@settings(max_examples=60, deadline=None)
@given(text=TEXTS, copies=st.integers(2, 4))
def test_identical_witnesses_never_vary(text: str, copies: int) -> None:
    assert collate_texts({f"W{i}": text for i in range(copies)}).units == ()


@settings(max_examples=40, deadline=None)
@given(texts=st.lists(TEXTS, min_size=2, max_size=3))
def test_collation_is_deterministic(texts: list[str]) -> None:
    first = collate_texts({f"W{i}": t for i, t in enumerate(texts)})
    second = collate_texts({f"W{i}": t for i, t in enumerate(texts)})
    assert first.units == second.units


def test_witness_text_places_a_moved_block_once_at_the_base_place() -> None:
    moved = "under the old bridge near the mill"
    app = collate_texts({
        "A": f"The soldiers waited {moved} for the whole night and then left quietly.",
        "B": f"The soldiers waited for the whole night and then left quietly {moved}.",
    }, base="A")
    a_text = f"The soldiers waited {moved} for the whole night and then left quietly."
    assert app.witness_text("A") == a_text
    rebuilt_b = app.witness_text("B")
    assert rebuilt_b.count(moved) == 1 and sorted(_words(rebuilt_b)) == sorted(_words(
        f"The soldiers waited for the whole night and then left quietly {moved}."))


def test_guide_order_of_long_texts_samples_the_same_bigrams() -> None:
    """Over the sampling threshold the order is estimated, and still finds the closest pair
    (a text and its lightly edited copy) before a text that shares only the vocabulary."""
    rnd = random.Random(1950)
    vocabulary = [f"w{i}" for i in range(3000)]
    base = rnd.choices(vocabulary, k=80_000)
    edited = [rnd.choice(vocabulary) if rnd.random() < 0.05 else word for word in base]
    unrelated = rnd.choices(vocabulary, k=80_000)
    assert sum(map(len, (base, edited, unrelated))) > build._SAMPLE_ABOVE
    assert guide_order([unrelated, base, edited]) == [1, 2, 0]
    assert guide_order([base, unrelated, edited]) == [0, 2, 1]
