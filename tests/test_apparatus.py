"""The apparatus: units cut as an editor cuts them, sub-units, lacunae, the hand's genesis,
transpositions, revision fates, the golden cases, and the invariants as properties."""

from __future__ import annotations

import itertools
import json
import random
import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import collatio
from collatio.apparatus import (
    Apparatus,
    CollatedWitness,
    CollationOptions,
    Fate,
    UnitType,
    VariationUnit,
    build,
    choose_base,
    collate_witnesses,
    guide_order,
)
from collatio.apparatus.cuts import PLACES_ABOVE
from collatio.apparatus.places import surface
from collatio.errors import CollationError
from collatio.markup.tree import Text, leaves
from collatio.normalize import typography
from collatio.tokens import TokenKind
from tests import golden
from tests.strategies import COLLATION_WORDS, collation_texts, distinct_words, gapped_pair

ROOT = Path(__file__).resolve().parent.parent
SEED_002 = ROOT / "seeds" / "002_82ee7afc6dc33c74.txt"
MANIFEST = ROOT / "examples" / "seed-002.toml"
DARWIN = ROOT.parent / "shared" / "corpora" / "darwin" / "origin-ch1-paragraphs.json"


def collate_texts(texts: dict[str, str], convention: str = "plain",
                  **options: object) -> Apparatus:
    results = [collatio.parse_text(text, path=siglum, convention=convention)
               for siglum, text in texts.items()]
    witnesses = [w for r in results for w in r.witnesses]
    return collate_witnesses(witnesses, CollationOptions(**options))  # type: ignore[arg-type]


def draft_and_final(draft: str, final: str, **options: object) -> Apparatus:
    """A final (editorial convention) against a draft with hand revisions."""
    results = [collatio.parse_text(final, path="F", convention="editorial"),
               collatio.parse_text(draft, path="D", convention="hand-revision")]
    return collate_witnesses([w for r in results for w in r.witnesses],
                             CollationOptions(**options))  # type: ignore[arg-type]


def rows(apparatus: Apparatus) -> list[tuple[str, str | None, list[tuple[str, tuple[str, ...]]]]]:
    return [
        (u.type.value, u.lemma.text if u.lemma else None,
         [(r.text, r.witnesses) for r in u.readings])
        for u in apparatus.units
    ]


def unit_with(apparatus: Apparatus, text: str) -> VariationUnit:
    """The innermost unit one of whose readings holds *text*."""
    found = [u for u in apparatus.all_units() if any(text in r.text for r in u.readings)]
    assert found, text
    return found[-1]


def words(text: str) -> list[str]:
    return re.findall(r"\w+|[^\w\s]", text)


@pytest.fixture(scope="module")
def seed() -> Apparatus:
    return collatio.collate([SEED_002])


# --- the seed: what an editor checks ------------------------------------------------------------


def test_seed_witnesses_and_base(seed: Apparatus) -> None:
    assert seed.sigla == ("F", "D-ac", "D-pc")
    assert seed.base == "F"
    assert [w.state for w in seed.witnesses] == ["text", "ante", "post"]
    assert seed.witness("D-pc").label.endswith("(as revised)")


def test_seed_has_at_most_thirty_entries(seed: Apparatus) -> None:
    assert len(seed.units) <= 30


def test_one_lacuna_entry_with_the_drafts_revisions_inside(seed: Apparatus) -> None:
    lacunae = [u for u in seed.units if u.type is UnitType.LACUNA]
    assert len(lacunae) == 1
    (lacuna,) = lacunae
    assert lacuna.lacunose == ("F",) and lacuna.lemma is None
    (reading,) = lacuna.readings  # the draft's two states, one reading
    assert reading.witnesses == ("D-ac", "D-pc")
    assert reading.text.startswith("I considered it possible to turn to You")
    assert reading.text.endswith("armed forces to Korea. But")
    # its sub-units are the hand's revisions, each on its own
    subs = {tuple(r.text for r in sub.readings): sub for sub in reading.subunits}
    assert ("sending to Korea a", "minimum") in subs
    assert all(sub.lacunose == () and sorted(sub.witnesses) == ["D-ac", "D-pc"]
               for sub in reading.subunits)
    assert len(reading.subunits) == 13
    # nothing of the final stands inside the lacuna: F is lacunose there, not omitting
    assert not any(u.type is UnitType.OMISSION and "I considered it possible" in
                   " ".join(r.text for r in u.readings) for u in seed.units)


@pytest.mark.parametrize("normalize", [[], ["case"], ["punctuation"], ["accents"],
                                       ["case", "punctuation", "accents"]])
def test_the_lacuna_is_the_same_under_every_normalization(normalize: list[str]) -> None:
    """A normalization decides which readings count as the same, never where a gap is."""
    app = collatio.collate([SEED_002], normalize=normalize)
    assert gap_entries(app) == gap_entries(collatio.collate([SEED_002]))
    (lacuna,) = [u for u in app.units if u.lacunose]
    (reading,) = lacuna.readings
    assert reading.witnesses == ("D-ac", "D-pc") and len(reading.subunits) == 13


def gap_entries(app: Apparatus) -> set[tuple[str, str, tuple[int, ...]]]:
    """Each lacuna as (lacunose witness, other witness, source offsets of the words it
    covers there): what the gap covers, independent of how tokens were cut."""
    out = set()
    for unit in app.units:
        for siglum in unit.lacunose:
            for reading in unit.readings:
                for place in reading.places:
                    tl = app.token_list(place.siglum)
                    starts = tuple(tl.source_starts[i] for i in range(*place.tokens)
                                   if tl.kinds[i] in (TokenKind.WORD, TokenKind.NUMBER))
                    out.add((siglum, place.siglum, starts))
    return out


def test_locations(seed: Apparatus) -> None:
    unit = next(u for u in seed.units if u.lemma is not None and u.lemma.text == "reply")
    place = unit.lemma.places[0]  # type: ignore[union-attr]
    # paragraph 1: the address and date lines before it are furniture, not text
    assert (place.line, place.column, place.paragraph) == (11, 17, 1)
    text = SEED_002.read_text(encoding="utf-8")
    assert text[place.start : place.end] == "reply"
    response = unit.readings[1].place("D-ac")
    assert text[response.start : response.end] == "response."  # the lacuna follows


def test_no_unit_is_set_by_punctuation_alone(seed: Apparatus) -> None:
    for unit in seed.all_units():
        texts = [r.text_of(s) for r in unit.readings for s in r.witnesses]
        if unit.lemma is not None and unit.lemma.text and not re.search(r"\w", unit.lemma.text):
            # a mark alone never stands against words
            assert not any(re.search(r"\w", t) for t in texts), unit.id
        # a unit whose readings differ in marks or case only is flagged minor
        if len({" ".join(re.findall(r"\w+", t.lower())) for t in texts}) == 1:
            assert unit.minor, unit.id


def test_revisions_either_side_of_a_shared_stretch_are_distinct(seed: Apparatus) -> None:
    pairs = [("In view of this, the USA will be compelled", "I believe that the USA would"),
             ("I do not believe that China", "on the contrary,"),
             ("and, incidentally, I explained", "While raising before You")]
    for first, second in pairs:
        assert unit_with(seed, first) is not unit_with(seed, second), (first, second)


def test_a_unit_never_crosses_a_clean_paragraph_break(seed: Apparatus) -> None:
    """A paragraph break inside a unit stands where another text's differing words run
    across it without a break of their own (the final's "impossible / - only the
    Chinese"); never where every text with words on both sides breaks too."""
    for unit in seed.all_units():
        if unit.lacunose:
            continue
        places = [p for r in unit.readings for p in r.places]
        for place in places:
            tl = seed.token_list(place.siglum)
            for i in range(place.tokens[0] + 1, place.tokens[1]):
                if tl.paragraphs[i] == tl.paragraphs[i - 1]:
                    continue
                column = seed.alignment.token_columns(seed.sigla.index(place.siglum))[i]
                across = False
                for other in places:
                    if other.siglum == place.siglum:
                        continue
                    ot = seed.token_list(other.siglum)
                    columns = seed.alignment.token_columns(seed.sigla.index(other.siglum))
                    left = [k for k in range(*other.tokens) if columns[k] < column]
                    right = [k for k in range(*other.tokens) if columns[k] >= column]
                    if left and right and ot.paragraphs[left[-1]] == ot.paragraphs[right[0]]:
                        across = True
                assert across, (unit.id, place.siglum, i)


def test_struck_words_inside_insertions_are_in_their_units(seed: Apparatus) -> None:
    struck = {"against China", "in the area", "situation", "would", "in the view of that",
              "5", "big", "But one should not fear this", "the factors"}
    found: dict[str, tuple[str, int]] = {}
    for unit in seed.all_units():
        for reading in unit.readings:
            for place in reading.places:
                for genesis in place.genesis:
                    found[genesis.text] = (unit.id, genesis.at)
                    assert genesis.kinds in (("add", "del"), ("del", "add"))
    assert struck <= set(found)
    # the offset is where the words stood in the reading's text
    unit = seed.unit(found["against China"][0])
    reading = unit.reading_of("D-pc")
    assert reading is not None
    assert reading.text[:found["against China"][1]].endswith("militarist Japan")
    # and the revision report names the unit
    fates = {f.text: f for f in seed.revisions}
    assert fates["the factors"].fate is Fate.IN_NO_STATE
    assert fates["the factors"].units == (found["the factors"][0],)
    assert fates["against China"].units == (found["against China"][0],)


def test_case_inside_a_sentence_is_a_minor_variant_not_a_boundary(seed: Apparatus) -> None:
    unit = unit_with(seed, "Of course, you should know the domestic situation")
    f, d_ac = unit.reading_of("F"), unit.reading_of("D-ac")
    assert f is not None and d_ac is not None
    assert f.text == "Of course, you should know the domestic situation in China better than " \
        "anybody else."
    assert d_ac.text == f.text.replace("you", "You")
    assert unit.reading_of("D-pc") is not None and unit.reading_of("D-pc").text == ""  # type: ignore[union-attr]


def test_manifest_changes_nothing_in_the_finals_paragraph_4() -> None:
    """Declaring the line-39 bracket literal (inside the gap) leaves the units of the final's
    paragraph 4 as they were."""
    plain = collatio.collate([SEED_002])
    declared = collatio.collate(manifest=MANIFEST)

    def paragraph_4(app: Apparatus) -> list[object]:
        return [(u.type, [(r.text, r.witnesses) for r in u.readings])
                for u in app.units if u.lemma is not None and u.lemma.places[0].paragraph >= 4]

    assert paragraph_4(plain) == paragraph_4(declared)
    assert paragraph_4(plain)


def test_revision_fates(seed: Apparatus) -> None:
    by_text = {f.text: f for f in seed.revisions}
    assert by_text["very"].fate is Fate.NOT_ADOPTED
    assert by_text["Respectfully"].fate is Fate.ADOPTED
    assert by_text["the factors"].fate is Fate.IN_NO_STATE
    assert by_text["minimum"].fate is Fate.UNKNOWN  # inside the final's lacuna
    # the passage around them was rewritten in the final
    assert by_text["in general"].fate is Fate.RECAST
    assert by_text["Your predicament."].fate is Fate.RECAST
    assert by_text["your position"].fate is Fate.RECAST
    deleted = next(f for f in seed.revisions if f.text.startswith("In such a big country"))
    assert deleted.fate is Fate.PARTLY_REAPPEARS
    # quoted as the final writes it, nothing left out
    assert deleted.reached == ("Of course, you should know the domestic situation in China "
                               "better than anybody else")
    assert sum(1 for f in seed.revisions if f.kind.value == "add") == 18


def test_base_can_be_chosen(seed: Apparatus) -> None:
    draft_based = collatio.collate([SEED_002], base="D")
    assert draft_based.base == "D-pc"
    assert collatio.collate([SEED_002], base="D-ac").base == "D-ac"
    with pytest.raises(CollationError, match="unknown base 'X'; choose one of: F, D-ac, D-pc"):
        collatio.collate([SEED_002], base="X")


def test_default_base_with_nothing_dated_is_the_first_witness_revised() -> None:
    texts = [CollatedWitness("W1-ac", "W1", "ante", "", None, ""),
             CollatedWitness("W1-pc", "W1", "post", "", None, ""),
             CollatedWitness("W2", "W2", "text", "", None, "")]
    assert choose_base(texts, None) == "W1-pc"
    app = collate_texts({"W1": "one *two* three", "W2": "one three"}, "hand-revision")
    assert app.base == "W1-pc"


# --- small cases: the rules one by one -----------------------------------------------------------


def test_identical_witnesses_give_no_units() -> None:
    app = collate_texts({"A": "One two three.", "B": "One two three."})
    assert app.units == () and app.flow == ("One two three.",)


def test_substitution_addition_omission() -> None:
    app = collate_texts({"A": "the black cat sat", "B": "the white cat sat down"}, base="A")
    assert rows(app) == [
        ("substitution", "black", [("black", ("A",)), ("white", ("B",))]),
        ("addition", "", [("", ("A",)), ("down", ("B",))]),
    ]
    app = collate_texts({"A": "the black cat sat", "B": "the cat sat"}, base="A")
    assert rows(app) == [("omission", "black", [("black", ("A",)), ("", ("B",))])]


def test_punctuation_goes_with_its_word() -> None:
    app = collate_texts({"A": "Respectfully, Philippov", "B": "Respectfully Philippov"},
                        base="A")
    (unit,) = app.units
    assert unit.minor and unit.type is UnitType.SUBSTITUTION
    assert [r.text for r in unit.readings] == ["Respectfully,", "Respectfully"]
    # an opening mark goes with the word after it
    app = collate_texts({"A": "they crossed (and the enemy", "B": "they crossed and the enemy"},
                        base="A")
    assert [r.text for r in app.units[0].readings] == ["(and", "and"]


def test_a_rewritten_clause_is_one_unit() -> None:
    app = collate_texts({
        "A": "we said that the army would not cross the river at all today",
        "B": "we said that a division could perhaps cross the bridge later today",
    })
    (unit,) = app.units
    assert unit.readings[0].text == "the army would not cross the river at all"


def test_a_shared_word_between_two_hand_revisions_ends_the_unit() -> None:
    app = draft_and_final("one *two words here* three *four more words* five",
                          "one three five")
    assert [r.text for u in app.units for r in u.readings if r.text] == [
        "two words here", "four more words"]


def test_a_deletion_and_its_insertion_are_one_revision() -> None:
    app = draft_and_final("I fully understand [your position] *Your predicament.* Goodbye.",
                          "I fully understand. Goodbye.")
    (unit,) = app.units
    final, draft = unit.readings
    assert (final.text, final.witnesses) == ("understand.", ("F",))
    assert draft.witnesses == ("D-ac", "D-pc")
    (revision,) = draft.subunits
    assert [(r.text, r.witnesses) for r in revision.readings] == [
        ("your position", ("D-ac",)), ("Your predicament.", ("D-pc",))]


def test_a_unit_never_crosses_a_shared_paragraph_break() -> None:
    app = draft_and_final("one two *three*\n\n*four* five six", "one two five six")
    assert [[r.text for r in u.readings] for u in app.units] == [
        ["", "three"], ["", "four"]]


def test_states_of_a_document_are_aligned_by_source() -> None:
    """A diff would pair the draft's '. I believe' with the inserted sentence's 'believe';
    the source says the first 'I believe' is the one written first."""
    app = draft_and_final(
        "Council. *I do not believe that it could be so.* I believe, *on the contrary,* that",
        "Council. Then")
    subs = [sub for u in app.units for r in u.readings for sub in r.subunits]
    assert [[r.text for r in sub.readings] for sub in subs] == [
        ["", "I do not believe that it could be so."], ["", "on the contrary,"]]


def test_sub_units_of_a_passage_the_final_rewrote() -> None:
    app = draft_and_final(
        "begin. It could be finished, then one should think *in general* whether to "
        "begin at all. I accept your [doubts] *caution.* End.",
        "begin. Or would that only add to the delay - this the engineers decide. End.")
    (unit,) = app.units
    f, draft = unit.readings
    assert f.witnesses == ("F",) and draft.witnesses == ("D-ac", "D-pc")
    assert [[r.text for r in sub.readings] for sub in draft.subunits] == [
        ["", "in general"], ["doubts", "caution."]]
    assert draft.text_of("D-pc").endswith("I accept your caution.")
    assert draft.text_of("D-ac").endswith("I accept your doubts")


def test_a_gap_makes_a_lacuna_not_an_omission() -> None:
    results = [collatio.parse_text("I received your reply [...] Goodbye.", path="F",
                                   convention="editorial"),
               collatio.parse_text("I received your reply. It was long and kind. Goodbye.",
                                   path="D", convention="plain")]
    app = collate_witnesses([w for r in results for w in r.witnesses])
    (unit,) = app.units
    assert unit.type is UnitType.LACUNA and unit.lacunose == ("F",)
    # the final's own marks at the gap are unknown: the full stop is part of what it lacks
    assert unit.readings[0].text == ". It was long and kind."


def test_genesis_records_what_the_hand_struck_inside_an_insertion() -> None:
    app = draft_and_final("I sent *them [quickly] home* today.", "I sent it today.")
    reading = unit_with(app, "them home").reading_of("D-pc")
    assert reading is not None
    (genesis,) = reading.places[0].genesis
    assert genesis.text == "quickly" and genesis.kinds == ("add", "del")
    assert reading.text[:genesis.at] == "them"  # right after the word it follows
    assert genesis.line == 1 and genesis.column == 14  # where '[quickly]' opens
    # and the reverse: added, then struck with its passage
    app = draft_and_final("I sent [them *now* home] today.", "I sent it today.")
    reading = unit_with(app, "them home").reading_of("D-ac")
    assert reading is not None
    assert [(g.text, g.kinds) for g in reading.places[0].genesis] == [("now", ("del", "add"))]


def test_transposition_is_a_report_and_readings_keep_their_words() -> None:
    moved = "under the old bridge near the mill"
    a = f"The soldiers waited {moved} for the whole night and then left quietly."
    b = f"The soldiers waited for the whole night and then left quietly {moved}."
    app = collate_texts({"A": a, "B": b}, base="A")
    (report,) = [u for u in app.units if u.type is UnitType.TRANSPOSITION]
    assert [r.text for r in report.readings] == [moved, moved]
    assert [r.witnesses for r in report.readings] == [("A",), ("B",)]
    # the units at the block's places hold its words, marked as moved, naming the report
    holders = [(u, r) for u in app.units if u.type is not UnitType.TRANSPOSITION
               for r in u.readings if moved in r.text]
    assert {r.witnesses for _, r in holders} == {("A",), ("B",)}
    for _, reading in holders:
        (place,) = reading.places
        (mark,) = place.moved
        assert mark.unit == report.id and reading.text[mark.start:mark.end] == moved
    # and every text reads whole, in its own order
    assert app.witness_text("A") == a and app.witness_text("B") == b


def test_transpositions_can_be_turned_off() -> None:
    moved = "under the old bridge near the mill"
    app = collate_texts({
        "A": f"The soldiers waited {moved} for the whole night.",
        "B": f"The soldiers waited for the whole night {moved}.",
    }, transpositions=False)
    assert {u.type for u in app.units} <= {UnitType.ADDITION, UnitType.OMISSION,
                                           UnitType.SUBSTITUTION}


def test_unrelated_texts_are_said_to_be_so() -> None:
    app = collatio.collate([ROOT / "seeds" / "000_f9c03b92cd8a5bd7.txt",
                            ROOT / "seeds" / "001_c082e58984340868.txt"])
    codes = [d.code for d in app.diagnostics]
    assert "unrelated-texts" in codes
    assert len(app.units) == 1  # each text whole, not a salad of chance matches
    text = collatio.render(app, "text")
    assert "unrelated" in text.splitlines()[0]


def test_related_texts_raise_no_such_warning(seed: Apparatus) -> None:
    assert "unrelated-texts" not in [d.code for d in seed.diagnostics]


def test_duplicate_sigla_are_refused() -> None:
    one = collatio.parse_text("a b", path="A").witnesses[0]
    with pytest.raises(CollationError, match="duplicate siglum 'A'"):
        collate_witnesses([one, one])


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


# --- golden cases, read once as an editor -------------------------------------------------------


@pytest.mark.parametrize("case", golden.cases(), ids=lambda p: p.name)
def test_golden(case: Path) -> None:
    if "corpora:" in (case / "case.toml").read_text(encoding="utf-8") and not (
            golden.CORPORA.is_dir()):
        pytest.skip("../shared/corpora is not here")
    expected, produced = golden.check(case)
    if expected != produced:
        assert json.dumps(produced, ensure_ascii=False, indent=1) == json.dumps(
            expected, ensure_ascii=False, indent=1)


# --- invariants, as properties ------------------------------------------------------------------


def check_invariants(app: Apparatus) -> None:
    """Every unit accounts for every text of its scope once; every reading is a contiguous
    stretch of its witness's text (a moved block included); each text reads whole from the
    flow and its readings; the alignment tiles every text."""
    assert app.alignment is not None and app.tokens is not None
    sigla = set(app.sigla)
    for unit in app.units:
        assert sorted(unit.witnesses) == sorted(sigla), unit.id
    for unit in app.all_units():
        for reading in unit.readings:
            for sub in reading.subunits:
                assert sorted(sub.witnesses) == sorted(reading.witnesses), sub.id
            for place in reading.places:
                tl = app.token_list(place.siglum)
                start, end = place.tokens
                assert 0 <= start <= end <= len(tl)
                # witnesses that differ only in typographic or compatibility forms (a curly
                # quote for a straight one, an opening for a closing one) share one reading,
                # in the first one's forms: the comparison's always-on folding
                assert always_folded(reading.text_of(place.siglum)) == always_folded(
                    surface(tl, start, end)), (unit.id, place.siglum)
    for w, token_list in enumerate(app.tokens):
        in_order = [i for i in app.alignment.cells[w] if i is not None]
        assert in_order == list(range(len(token_list)))
        # the flow is the base's text: where texts agree, another text's typographic or
        # compatibility form (a curly quote for a straight one) is read as the base wrote it
        assert typographic_words(app.witness_text(token_list.siglum)) == typographic_words(
            token_list.text), token_list.siglum


def always_folded(text: str) -> str:
    """*text* as the comparison always sees it (NFKC, typography), without whitespace."""
    return "".join(typography(unicodedata.normalize("NFKC", text)).split())


def typographic_words(text: str) -> list[str]:
    return words(typography(unicodedata.normalize("NFKC", text)))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=collation_texts())
@example(texts=["", "\u201c", "\u201d"])  # one reading: an opening and a closing quote
def test_invariants_on_plain_texts(texts: list[str]) -> None:
    check_invariants(collate_texts({f"W{i}": t for i, t in enumerate(texts)}))


def test_a_sub_unit_keeps_inside_its_reading_when_a_shared_mark_is_trimmed() -> None:
    # found by the property below: every text ends with ", " and the unit loses it (a mark
    # all share decides nothing), so the sub-unit cut by columns inside the reading read by
    # most ("( ," against "“ ,") must lose it too, or its texts would hold the comma twice
    texts = {f"W{i}": ", the ( ," for i in range(7)}
    texts |= {"W7": "the the ( ,", "W8": ", the \u201c ,"}
    app = collatio.collate_texts(texts)
    check_invariants(app)
    (unit,) = app.units
    shared = next(r for r in unit.readings if r.subunits)
    (sub,) = shared.subunits
    assert [(r.text, r.witnesses) for r in sub.readings] == [
        ("(", tuple(f"W{i}" for i in range(7))), ("\u201c", ("W8",))]
    assert app.flow[-1] == " ,"  # the shared comma stands in the base text after the unit


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(base=st.lists(COLLATION_WORDS, min_size=1, max_size=16), data=st.data())
def test_invariants_among_many_texts(base: list[str], data: st.DataObject) -> None:
    """More than PLACES_ABOVE copies of one text, each with a few edits of its own (where
    units are cut one per place of variation): the same invariants."""
    texts: dict[str, str] = {}
    for i in range(data.draw(st.integers(PLACES_ABOVE + 1, PLACES_ABOVE + 5))):
        copy = list(base)
        for _ in range(data.draw(st.integers(0, 3))):
            k = data.draw(st.integers(0, len(copy)))
            edit = data.draw(st.sampled_from(["substitute", "delete", "insert"]))
            if edit == "insert" or k == len(copy):
                copy.insert(k, data.draw(COLLATION_WORDS))
            elif edit == "delete":
                del copy[k]
            else:
                copy[k] = data.draw(COLLATION_WORDS)
        texts[f"W{i}"] = " ".join(copy)
    check_invariants(collate_texts(texts))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(draft=st.lists(st.sampled_from(
    ["war", "peace", "*added*", "*two added*", "[struck]", "[two struck]", "*a [b] c*",
     "[a *b* c]", "\n\n", ".", ",", "Mao", "the", "*the*", "[the]"]), min_size=1, max_size=16),
    final=st.lists(st.sampled_from(["war", "peace", "[...]", "Mao", "the", ".", ",", "\n\n",
                                    "added", "struck"]), max_size=12))
def test_invariants_with_hand_revisions_and_gaps(draft: list[str], final: list[str]) -> None:
    check_invariants(draft_and_final(" ".join(draft), " ".join(final) or "war"))


MARKED = st.sampled_from(["war", "not", "[not]", "*b*", "*b", "[...]", ")", "(", "\u201d", ",",
                          ".", "\n\n", "[a *b* c]", "*a [b] c*"])


def test_a_reading_has_sub_units_only_if_its_texts_read_alike_around_them() -> None:
    # found by random collations: W1's "*" is aligned with W0's second "*", so W0's first
    # stands alone, outside the sub-unit the word columns cut ("(" against nothing); a
    # reading shared with sub-units would give W1 that "*" too: two readings instead
    app = collatio.collate_texts(
        {"W0": "in (the * ( * [", "W1": "in (the * [", "W2": "c * ["}, convention="plain")
    check_invariants(app)
    (unit,) = app.units
    assert [(r.text, r.witnesses, bool(r.subunits)) for r in unit.readings] == [
        ("in (the * (", ("W0",), False), ("in (the", ("W1",), False), ("c", ("W2",), False)]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(st.lists(MARKED, max_size=6).map(" ".join), min_size=3, max_size=5),
       convention=st.sampled_from(["editorial", "hand-revision"]))
@example(texts=["[not] [...]", ")", "[not]"], convention="hand-revision")
@example(texts=["[...]", "*b [...]", "\u201d", "*b"], convention="editorial")
@example(texts=["in (the * ( * [", "in (the * [", "c * ["], convention="hand-revision")
@example(texts=["The c*", "The c* [...]", "The d", "the *very* d [...]"], convention="editorial")
def test_invariants_with_gaps_among_several_documents(texts: list[str], convention: str) -> None:
    # the cuts around gaps' extents go forward in every document, even where one has no
    # word at a cut (the first two examples: the table's columns held a text's tokens out
    # of order, an internal error); a part holding a gap, aligned on case-folded keys, still
    # reads "The" and "the" as two readings (the last: W3's text read the base's "The")
    check_invariants(collatio.collate_texts(
        [(f"W{k}", text) for k, text in enumerate(texts)], convention=convention))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pair=gapped_pair(), normalize=st.sampled_from([["case"], ["punctuation"],
                                                      ["accents"], ["case", "punctuation"]]))
def test_a_normalization_never_changes_the_gap_entries(
    pair: tuple[str, str], normalize: list[str]
) -> None:
    final, draft = pair

    def entries(names: list[str]) -> set[tuple[str, str, tuple[int, ...]]]:
        results = [collatio.parse_text(final, path="F", convention="editorial"),
                   collatio.parse_text(draft, path="D", convention="plain")]
        app = collate_witnesses([w for r in results for w in r.witnesses], CollationOptions(
            normalization=collatio.Normalization.from_names(names)))
        return gap_entries(app)

    assert entries(normalize) == entries([])


WINDOW = 12


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(base=distinct_words(60, 140), data=st.data())
def test_a_local_edit_changes_only_units_near_it(base: list[str], data: st.DataObject) -> None:
    """Editing one witness at one place changes only the units within WINDOW words of it
    (texts of distinct words; the edit brings a word found nowhere else)."""
    rnd = random.Random(data.draw(st.integers(0, 2**32)))
    other = list(base)
    for _ in range(len(base) // 12):  # a variant with edits of its own
        k = rnd.randrange(len(other))
        other[k] = f"v{rnd.randrange(10**9)}"
    at = data.draw(st.integers(0, len(other) - 1))
    edited = list(other)
    edited[at] = "fresh0edit"

    def units_far(variant: list[str]) -> set[tuple[object, ...]]:
        app = collate_texts({"A": " ".join(base), "B": " ".join(variant)}, base="A")
        far = set()
        for unit in app.units:
            place = unit.reading_of("B")
            assert place is not None
            first, last = place.places[0].words
            if last < at - WINDOW or first > at + WINDOW:
                far.add((first, last, tuple((r.text, r.witnesses) for r in unit.readings)))
        return far

    assert units_far(other) == units_far(edited)


@settings(max_examples=60, deadline=None)
@given(texts=st.lists(st.lists(st.sampled_from(["the", "war", "China", ",", "."]),
                               max_size=20).map(" ".join), min_size=1, max_size=3),
       copies=st.integers(2, 4))
def test_identical_witnesses_never_vary(texts: list[str], copies: int) -> None:
    text = " ".join(texts)
    assert collate_texts({f"W{i}": text for i in range(copies)}).units == ()


@settings(max_examples=40, deadline=None)
@given(texts=collation_texts())
def test_collation_is_deterministic(texts: list[str]) -> None:
    first = collate_texts({f"W{i}": t for i, t in enumerate(texts)})
    second = collate_texts({f"W{i}": t for i, t in enumerate(texts)})
    assert first.units == second.units and first.flow == second.flow


# --- real text ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def darwin(tmp_path_factory: pytest.TempPathFactory) -> Apparatus:
    if not DARWIN.exists():
        pytest.skip("../shared/corpora is not here")
    chapters: dict[str, list[str]] = {}
    for paragraph in json.loads(DARWIN.read_text(encoding="utf-8")):
        for witness in paragraph["witnesses"]:
            chapters.setdefault(witness["id"], []).append(witness["content"])
    folder = tmp_path_factory.mktemp("darwin")
    paths = []
    for edition, paragraphs in chapters.items():
        path = folder / f"{edition}.txt"
        path.write_text("\n\n".join(paragraphs), encoding="utf-8")
        paths.append(path)
    return collatio.collate(paths, convention="plain")


def test_darwin_chapter_readings_lose_no_words(darwin: Apparatus) -> None:
    """Origin ch. 1 in six editions: every reading is a contiguous stretch of its witness
    (a moved block stays in the readings around it, marked), and each edition reads whole."""
    check_invariants(darwin)
    holders = [r for u in darwin.all_units() for r in u.readings
               if "when under nature the conditions of life do change" in r.text]
    assert holders
    moved = [p for u in darwin.all_units() for r in u.readings for p in r.places if p.moved]
    reports = [u for u in darwin.units if u.type is UnitType.TRANSPOSITION]
    assert reports and moved
    assert {m.unit for p in moved for m in p.moved} <= {u.id for u in reports}


BASE_WORDS = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
              "eleven", "twelve"]


def _each_changing_one_word(count: int, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The base sentence and *count* copies, copy k changing word k (round the sentence)."""
    texts = {"A": " ".join(BASE_WORDS)}
    for k in range(1, count + 1):
        copy = list(BASE_WORDS)
        copy[(k - 1) % len(copy)] = f"var{k}"
        texts[f"T{k:02d}"] = " ".join(copy)
    texts.update(extra or {})
    return texts


def test_among_many_texts_each_place_of_variation_is_a_unit() -> None:
    """Twelve copies, each changing another word: among more than PLACES_ABOVE documents the
    neighbouring variants of different texts are units of their own, one per word, not one
    unit chained across the sentence."""
    app = collate_texts(_each_changing_one_word(12))
    assert [u.lemma.text if u.lemma else None for u in app.units] == BASE_WORDS
    assert all(len(u.readings) == 2 for u in app.units)


def test_among_many_texts_a_variant_across_two_words_is_one_unit() -> None:
    """One text rewrites two neighbouring words, another changes only the second: the
    first text's variant runs across the boundary, so the two words are one unit."""
    app = collate_texts(_each_changing_one_word(12, {
        "R1": "one two drei vier five six seven eight nine ten eleven twelve",
    }))
    unit = unit_with(app, "drei vier")
    assert unit.lemma is not None and unit.lemma.text == "three four"
    assert {r.text for r in unit.readings} == {"three four", "var3 four", "three var4",
                                               "drei vier"}


def test_among_few_texts_neighbouring_variants_are_one_place() -> None:
    """Five copies changing five neighbouring words in turn (documents up to PLACES_ABOVE):
    one place the texts rewrote, one unit, as before."""
    app = collate_texts(_each_changing_one_word(5))
    assert [u.lemma.text if u.lemma else None for u in app.units] == [
        "one two three four five"]
