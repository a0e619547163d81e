"""Markdown: the text a reader of the page reads (link and image texts, headings' words),
none of the marks; hand revisions when the file declares them; the pandoc manual's three
releases read and collated."""

from __future__ import annotations

import io
import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import collatio
from collatio.cli import main
from collatio.markup.tree import Text, leaves
from collatio.readers import choose_reader
from collatio.readers.markdown import heading_links
from tests.support.shared import shared_path

DATA = Path(__file__).resolve().parent / "data" / "readers"
REVISED = DATA / "revised.md"


def flat(text: str) -> str:
    return " ".join(text.split())


def test_text_not_marks_and_declared_revisions() -> None:
    (witness,) = collatio.parse([REVISED]).witnesses
    assert witness.convention == "markdown+hand-revision"
    assert witness.convention_reason == "declared in the file"
    assert witness.metadata.title == "Notes on the draft" and witness.metadata.date == "2024-03-01"
    ante, post = (flat(s.text) for s in witness.states)
    assert ante == ('The first chapter We read the letter and a portrait of the old minister '
                    'today. print("code is kept") See The first chapter again; inline tags are '
                    "no words.")
    assert post == ('The first chapter We read the letter and a portrait of the new minister. '
                    'print("code is kept") See The first chapter again; inline tags are no words.')
    notes = [span.text for span, _ in witness.spans() if span.kind.value == "note"]
    assert notes == ["check the date"]
    labels = {span.label for span, _ in witness.spans()}
    assert {"link", "image", "code", "em"} <= labels


def test_without_the_declaration_strikes_are_typography(tmp_path: Path) -> None:
    path = tmp_path / "plain.md"
    path.write_text("the ~~old~~ <del>gone</del> word\n", encoding="utf-8")
    (witness,) = collatio.parse([path]).witnesses
    assert [flat(s.text) for s in witness.states] == ["the old gone word"]
    (revised,) = collatio.parse([path], convention="hand-revision").witnesses
    assert [flat(s.text) for s in revised.states] == ["the old gone word", "the word"]
    assert revised.convention_reason == "given by the caller"


def test_positions_are_the_files() -> None:
    (witness,) = collatio.parse([REVISED]).witnesses
    offset = witness.source.index("minister")
    line, column = witness.line_index().position(offset)
    assert REVISED.read_text(encoding="utf-8").splitlines()[line - 1][column - 1:].startswith(
        "minister")


def test_a_changed_link_text_is_a_variation_unit(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a.md", tmp_path / "b.md", tmp_path / "c.md"
    a.write_text("Read [the old guide](https://x.org/guide) first.\n", encoding="utf-8")
    b.write_text("Read [the new guide](https://x.org/guide) first.\n", encoding="utf-8")
    c.write_text("Read [the old guide](https://y.org/other) first.\n", encoding="utf-8")
    (unit,) = collatio.collate([a, b]).units
    assert [(r.text, r.witnesses) for r in unit.readings] == [("new", ("b",)), ("old", ("a",))] \
        or [(r.text, r.witnesses) for r in unit.readings] == [("old", ("a",)), ("new", ("b",))]
    assert collatio.collate([a, c]).units == ()  # an address is not a word
    out = io.StringIO()
    assert main(["collate", str(a), str(c)], stdout=out) == 0
    assert "agree" in out.getvalue()


def test_headings_are_not_collated_with_their_marks(tmp_path: Path) -> None:
    a, b = tmp_path / "a.md", tmp_path / "b.md"
    a.write_text("# Title\n\nText.\n", encoding="utf-8")
    b.write_text("Title\n=====\n\nText.\n", encoding="utf-8")
    assert collatio.collate([a, b]).units == ()


def test_links_to_headings_by_their_text() -> None:
    text = "# General options\n\nsee [below][General options] and [General options].\n"
    assert heading_links(text) == ("# General options\n\nsee [below](#) and "
                                   "[General options](#).\n")
    assert heading_links("# A\n\n`[A]` and\n```\n[A]\n```\n[A]: url\n") == (
        "# A\n\n`[A]` and\n```\n[A]\n```\n[A]: url\n")


def test_markdown_is_chosen_by_name() -> None:
    assert choose_reader(b"# Title\n\ntext", "notes.md").reader.name == "markdown"
    assert choose_reader(b"plain words", "notes.txt").reader.name == "text"


def manual(version: str) -> Path:
    return shared_path("corpora", "markdown", f"MANUAL-{version}.md")


_LEAK = re.compile(r"</?[A-Za-z][\w:.-]*(?:\s[^<>]*)?/?>|&(?:#\d+|[A-Za-z]\w*);|\]\(|\{[#.]"
                   r"|^\s*:::|^#{1,6} |^```|^~~~|^---$", re.M)


def test_the_pandoc_manual_reads_with_no_marks_outside_code() -> None:
    files = [manual(v) for v in ("2.19", "3.0", "3.5")]
    result = collatio.parse(files)
    for witness in result.witnesses:
        assert witness.metadata.title == "Pandoc User's Guide"
        code = [(s.start, s.end) for s, _ in witness.spans() if s.label == "code"]
        leaks = []
        for leaf in leaves(witness.nodes):
            if isinstance(leaf, Text) and not any(a <= leaf.start < b for a, b in code):
                leaks.extend(m.group() for m in _LEAK.finditer(leaf.text))
        assert leaks == [], witness.siglum
        assert "Pandoc is a Haskell library for converting" in flat(witness.state("text").text)
    # collated, first release against last, by the command line: test_readers_corpora.py


@given(st.lists(st.sampled_from(["word", " ", "\n", "\n\n", "*", "**", "[", "]", "(", ")",
                                 "`", "#", "> ", "- ", "~~", "<del>", "</del>", "<!--", "-->",
                                 "&amp;", "\\", "é"]), max_size=30))
@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_markdown_gives_a_witness_whose_text_is_the_files(tmp_path: Path,
                                                             parts: list[str]) -> None:
    path = tmp_path / "x.md"
    text = "".join(parts)
    path.write_text(text, encoding="utf-8")
    (witness,) = collatio.parse([path], convention="hand-revision").witnesses
    assert "".join(leaf.text for leaf in leaves(witness.nodes)) == witness.source
    for state in witness.states:
        for piece in state.pieces:
            assert state.text[piece.start : piece.end] == witness.source[
                piece.source_start : piece.source_start + piece.length]
    # every word read stands in the file (a tag between letters joins them, as a browser
    # shows them: "word<del>word" reads "wordword")
    for leaf in leaves(witness.nodes):
        if isinstance(leaf, Text):
            for word in re.findall(r"\w+", leaf.text):
                assert word in text
