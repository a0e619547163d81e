"""The five seeds through sources -> markup -> witnesses, and the parse JSON against its schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

import collatio
from collatio.listing import parse_data
from collatio.markup import SpanKind

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
SCHEMA = json.loads((ROOT / "docs" / "schemas" / "parse.schema.json").read_text(encoding="utf-8"))
SEED_002 = ROOT / "seeds" / "002_82ee7afc6dc33c74.txt"


def test_the_project_ships_the_five_seeds() -> None:
    assert [p.name for p in SEEDS] == [
        "000_f9c03b92cd8a5bd7.txt", "001_c082e58984340868.txt", "002_82ee7afc6dc33c74.txt",
        "003_56bc44923964e047.txt", "004_0e53a1df6a5d7bb4.txt",
    ]


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.name[:3])
def test_every_seed_parses_and_validates(path: Path) -> None:
    result = collatio.parse([path])
    assert result.witnesses, "every seed holds at least one document"
    data = parse_data(result)
    jsonschema.validate(data, SCHEMA)
    # the JSON survives a text round trip unchanged
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    for witness in result.witnesses:
        assert witness.metadata.date is not None
        for state in witness.states:
            for piece in state.pieces:
                assert state.text[piece.start : piece.end] == witness.source[
                    piece.source_start : piece.source_start + piece.length
                ]


def test_seed_002_gives_final_and_draft() -> None:
    result = collatio.parse([SEED_002])
    final, draft = result.witnesses
    assert (final.siglum, final.metadata.date) == ("F", "1950-10-05")
    assert (draft.siglum, draft.metadata.date) == ("D", "1950-10-04")
    assert (final.convention, draft.convention) == ("editorial", "hand-revision")
    assert "italicized passages inserted" in draft.convention_reason
    assert [s.name.value for s in final.states] == ["text"]
    assert [s.name.value for s in draft.states] == ["ante", "post"]
    # the address and date lines are furniture: the text starts with the letter's words,
    # and ends with its own dating (the dispatch note after it is furniture too)
    assert final.state("text").text.startswith("I received your reply")
    assert final.state("text").text.endswith("PHILIPPOV\n\n5 October 1950")
    furniture = [span.rule for span, _ in final.spans() if span.rule.startswith("furniture:")]
    assert furniture == ["furniture:routing", "furniture:date-line", "furniture:dispatch-note"]
    adds = [span for span, _ in draft.spans() if span.kind is SpanKind.ADD]
    assert len(adds) == 18
    # the final's headnote and the page residue are set aside, not collated
    assert "Stalin reproduced" not in final.state("text").text
    assert "2nn" not in draft.state("post").text
    codes = sorted(d.code for d in result.diagnostics)
    assert codes == ["trailing-residue", "unmatched-close"]


def test_manifest_example_resolves_the_diagnostic() -> None:
    result = collatio.parse(manifest=ROOT / "examples" / "seed-002.toml")
    assert [w.siglum for w in result.witnesses] == ["F", "D"]
    assert [d.code for d in result.diagnostics] == ["trailing-residue"]
    draft = result.witness("D")
    assert "Security Council" not in draft.state("post").text
    assert "6] The USA will have to agree" in draft.state("ante").text
    assert "the Security Council. I believe, that" in draft.state("ante").text


def test_strict_mode_fails_on_the_unbalanced_bracket() -> None:
    with pytest.raises(collatio.MarkupError) as info:
        collatio.parse([SEED_002], strict=True)
    assert str(info.value).startswith(f"{SEED_002}:39:926:")


def test_other_seeds_use_the_editorial_convention() -> None:
    for path in SEEDS:
        if path != SEED_002:
            for witness in collatio.parse([path]).witnesses:
                assert witness.convention == "editorial"
                assert not witness.has_revisions


def test_seed_003_glosses_and_original_language() -> None:
    (witness,) = collatio.parse([ROOT / "seeds" / "003_56bc44923964e047.txt"]).witnesses
    found = {span.text: (span.kind, span.label) for span, _ in witness.spans()}
    assert found["Stalin"] == (SpanKind.NOTE, "gloss")
    assert found["pristupit k obiednineniiu"] == (SpanKind.NOTE, "original-language")
    text = witness.state("text").text
    assert "Filippov and his friends" in text and "pristupit" not in text


def test_duplicate_sigla_are_renamed_with_a_warning(tmp_path: Path) -> None:
    a = tmp_path / "one" / "w.txt"
    b = tmp_path / "two" / "w.txt"
    for path in (a, b):
        path.parent.mkdir()
        path.write_text("The same text.\n", encoding="utf-8")
    result = collatio.parse([a, b])
    assert [w.siglum for w in result.witnesses] == ["w", "w2"]
    assert [d.code for d in result.diagnostics] == ["duplicate-siglum"]


def test_parse_text_api() -> None:
    result = collatio.parse_text("one [two] *three*", convention="hand-revision")
    (witness,) = result.witnesses
    assert witness.state("ante").text == "one two"
    assert witness.state("post").text == "one three"
