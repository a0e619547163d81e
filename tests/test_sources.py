"""Tests for collatio.sources: files -> regions and documents, manifests, reading files."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collatio.diagnostics import Severity
from collatio.errors import CollatioError, InputError, ManifestError
from collatio.markup.tree import SpanKind
from collatio.sources import (
    Document,
    Manifest,
    MarkOverride,
    Metadata,
    Region,
    RegionKind,
    Source,
    WitnessSpec,
    load_manifest,
    load_source,
    parse_date,
    read_text,
    split_source,
)
from collatio.textpos import LineIndex

SEEDS = Path(__file__).parent.parent / "seeds"
SEED_FILES = sorted(SEEDS.glob("*.txt"))
SEED_002 = "seeds/002_82ee7afc6dc33c74.txt"


def seed(prefix: str) -> Path:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path


def load(prefix: str) -> Source:
    return load_source(seed(prefix))


def body_lines(source: Source, document: Document) -> list[str]:
    return source.body(document).splitlines()


def line_of(source: Source, offset: int) -> int:
    return source.text.count("\n", 0, offset) + 1


def body_line_range(source: Source, document: Document) -> tuple[int, int]:
    return line_of(source, document.body_start), line_of(source, document.body_end)


def regions(source: Source, kind: RegionKind) -> list[Region]:
    return [r for r in source.regions if r.kind is kind]


def region_at(source: Source, line: int) -> Region:
    """The first non-blank region starting on *line*."""
    return next(r for r in source.regions if r.line == line and r.kind is not RegionKind.BLANK)


def assert_tiles(source: Source) -> None:
    position = 0
    for region in source.regions:
        assert region.start == position
        assert region.end > region.start
        position = region.end
    assert position == len(source.text)


# --------------------------------------------------------------------------- seed 002


@pytest.fixture(scope="module")
def source() -> Source:
    """Seed 002: a final message and its draft in one file."""
    return load("002")


class TestSeed002TwoDocuments:
    def test_two_documents_with_sigla_and_dates(self, source: Source) -> None:
        final, draft = source.documents
        assert (final.siglum, final.metadata.date) == ("F", "1950-10-05")
        assert (draft.siglum, draft.metadata.date) == ("D", "1950-10-04")
        assert final.metadata.date_text == "5 October 1950"
        assert [d.index for d in source.documents] == [0, 1]

    def test_final_body_is_lines_7_to_25(self, source: Source) -> None:
        final = source.documents[0]
        lines = body_lines(source, final)
        assert lines[0] == "From cde. PHILIPPOV"
        assert lines[-1].endswith("at 23 hours, 5 October.")
        assert body_line_range(source, final) == (7, 25)

    def test_draft_body_starts_mid_line_after_parenthesis(self, source: Source) -> None:
        draft = source.documents[1]
        lines = body_lines(source, draft)
        assert lines[0] == "[DRAFT CIPHERED TELEGRAM] First original version"
        assert lines[-1] == "4 October 1950"
        assert body_line_range(source, draft) == (29, 51)

    def test_titles_and_headnote(self, source: Source) -> None:
        final, draft = source.documents
        titles = regions(source, RegionKind.TITLE)
        assert [(t.line, t.rule, t.document) for t in titles] == [
            (3, "dated-title", 0),
            (27, "dated-title", 1),
        ]
        assert source.region_text(titles[1]).endswith("bracketed passages deleted by hand)")
        (headnote,) = regions(source, RegionKind.HEADNOTE)
        assert (headnote.line, headnote.rule, headnote.document) == (5, "headnote", 0)
        assert final.start == titles[0].start and final.end == final.body_end
        assert draft.start == titles[1].start

    def test_metadata_from_titles(self, source: Source) -> None:
        final, draft = source.documents
        for document in (final, draft):
            assert document.metadata.sender == "Stalin"
            assert document.metadata.recipient == "Mao Zedong"
        assert final.metadata.title == "Final Message from Stalin to Mao Zedong"
        assert final.label == final.metadata.title
        assert draft.metadata.as_dict()["title_note"] == (
            "italicized passages inserted and bracketed passages deleted by hand"
        )

    def test_header_carries_the_convention_statement(self, source: Source) -> None:
        final, draft = source.documents
        assert "(italicized passages inserted and bracketed passages deleted by hand)" in (
            draft.header
        )
        assert "(new sections italicized)" in final.header
        assert "Stalin reproduced most of the text" in final.header  # the headnote

    def test_trailing_residue_is_chrome_with_info(self, source: Source) -> None:
        residue = region_at(source, 53)
        assert (residue.kind, residue.rule, residue.document) == (
            RegionKind.CHROME,
            "trailing-residue",
            None,
        )
        assert source.region_text(residue) == "2nn"
        (diagnostic,) = [d for d in source.diagnostics if d.code == "trailing-residue"]
        assert diagnostic.severity is Severity.INFO
        assert diagnostic.line == 53 and "2nn" in diagnostic.message


# --------------------------------------------------------------------------- archive pages

PAGE_BODIES = {
    "000": (
        (24, 56),
        "All-Union Communist Party (bolsheviks), CENTRAL COMMITTEE",
        "[The telegram was sent to Beijing on August 29.]",
    ),
    "001": ((11, 79), "Copies: Stalin (2), Molotov, Malenkov, Beria, Bulganin", "Mao Zedong."),
    "003": ((5, 32), "MFA USSR", "5. Comr. Copy"),
    "004": (
        (21, 103),
        "Copies: Stalin (2), Molotov, Malenkov, Beria, Mikoyan, Kaganovich, Bulganin, "
        "Khrushchev, Vyshinsky, Sokolovsky",
        "No. 2084",
    ),
}
FURNITURE_RULES = {"distribution-list", "routing", "date-line", "field-line", "reference",
                   "form-rule", "capitals-label", "title-case-label", "archival-label",
                   "dispatch-note"}


@pytest.mark.parametrize("prefix", sorted(PAGE_BODIES))
def test_archive_page_body(prefix: str) -> None:
    source = load(prefix)
    document = source.documents[0]
    line_range, first, last = PAGE_BODIES[prefix]
    lines = body_lines(source, document)
    assert (lines[0], lines[-1]) == (first, last)
    assert body_line_range(source, document) == line_range
    assert document.siglum == seed(prefix).stem
    # inside the body: its text, and the furniture lines and quoted documents it holds
    inside = [r for r in source.regions if document.body_start <= r.start < document.body_end
              and r.kind is not RegionKind.BLANK]
    assert {r.rule for r in inside if r.document == 0} <= {"page-body", *FURNITURE_RULES}
    assert all(r.rule in ("quoted-document", "routing") for r in inside if r.document != 0)
    assert [r.kind for r in inside].count(RegionKind.BODY) >= 1


def test_seed_000_metadata_and_fields() -> None:
    source = load("000")
    (document,) = source.documents
    metadata = document.metadata
    assert metadata.title == (
        "CC Politburo decision with approved message from Stalin to Mao Zedong"
    )
    assert (metadata.date, metadata.date_text) == ("1951-08-28", "August 28, 1951")
    assert (metadata.sender, metadata.recipient) == ("Stalin", "Mao Zedong")
    assert metadata.citation is not None
    assert metadata.citation.startswith('"CC Politburo decision')
    assert "APRF, Fond 3, Opis 65, Delo 829, Listy 4-5" in metadata.citation
    assert metadata.summary is not None and metadata.summary.startswith("Stalin agrees with Mao")
    assert metadata.language == "Russian"
    assert ("Contents", "Translation - English") in metadata.extra
    assert metadata.as_dict()["Contents"] == "Translation - English"
    # The bold title wrapped over lines 5-6 is one region.
    title = region_at(source, 5)
    assert title.kind is RegionKind.TITLE
    assert line_of(source, title.end) == 6
    assert [
        (r.line, r.kind, r.rule)
        for r in source.regions
        if r.line in (3, 8, 10, 14, 18) and r.kind is not RegionKind.BLANK
    ] == [
        (3, RegionKind.DATELINE, "date-line"),
        (8, RegionKind.FIELD, "field-label"),
        (10, RegionKind.CITATION, "quoted-title-citation"),
        (14, RegionKind.SUMMARY, "field-value"),
        (18, RegionKind.FIELD, "field-value"),
    ]
    assert source.diagnostics == ()


def test_seed_001_metadata_trailer_and_chrome() -> None:
    source = load("001")
    (document,) = source.documents
    metadata = document.metadata
    assert metadata.title == "Ciphered Telegram No. 23256, Mao Zedong to Cde. Filippov [Stalin]"
    assert metadata.date == "1951-08-27"
    assert (metadata.sender, metadata.recipient) == ("Mao Zedong", "Cde. Filippov [Stalin]")
    assert ("recipient_identified", "Stalin") in metadata.extra
    assert metadata.citation is not None
    assert metadata.citation.startswith("APRF, Fond 45, Opis 1, Delo 340, Listy 86-88; AVP RF")
    assert metadata.summary is not None
    assert metadata.summary.startswith("A telegram from Mao to Stalin informing")
    assert (region_at(source, 1).kind, region_at(source, 1).rule) == (
        RegionKind.CHROME,
        "boilerplate",
    )
    summary = region_at(source, 83)
    assert (summary.kind, summary.rule) == (RegionKind.SUMMARY, "summary-before-trailer")
    assert [d.code for d in source.diagnostics] == ["summary-before-trailer"]
    assert all(d.severity is Severity.INFO for d in source.diagnostics)
    assert region_at(source, 89).kind is RegionKind.CITATION
    chrome_lines = [r.line for r in regions(source, RegionKind.CHROME)]
    assert chrome_lines == [1, 92, 94, 96, 102]
    assert region_at(source, 1).document is None and region_at(source, 102).document is None


def test_seed_003_summaries_classification_and_chrome() -> None:
    source = load("003")
    (document,) = source.documents
    metadata = document.metadata
    assert metadata.title == "Ciphered Telegram No. 8600, Vyshinsky to Mao Zedong"
    assert (metadata.sender, metadata.recipient) == ("Vyshinsky", "Mao Zedong")
    assert metadata.date == "1950-05-14"
    assert metadata.classification == "Top Secret"
    # The summary right before the trailer describes this document; line 1 is kept as a
    # SUMMARY region but only used when nothing better exists.
    assert metadata.summary is not None
    assert metadata.summary.startswith("The cable contains Stalin’s personal response")
    assert (region_at(source, 1).kind, region_at(source, 1).rule) == (
        RegionKind.SUMMARY,
        "summary-before-date",
    )
    assert (region_at(source, 4).kind, region_at(source, 4).rule) == (
        RegionKind.CHROME,
        "boilerplate",
    )
    assert (region_at(source, 33).rule, region_at(source, 48).rule) == (
        "summary-before-trailer",
        "field-label",
    )
    assert region_at(source, 34).rule == "empty-field"
    assert region_at(source, 49).kind is RegionKind.FIELD
    assert {d.code for d in source.diagnostics} == {"summary-before-date", "summary-before-trailer"}


def test_seed_004_citation_block_and_pdf_chrome() -> None:
    source = load("004")
    document = source.documents[0]
    metadata = document.metadata
    assert metadata.title is not None
    assert metadata.title.startswith(
        "Ciphered Telegram No. 21646 from Mao Zedong to Filippov [Stalin] conveying"
    )
    assert (metadata.sender, metadata.recipient) == ("Mao Zedong", "Filippov [Stalin]")
    assert ("recipient_identified", "Stalin") in metadata.extra
    assert metadata.date == "1952-07-18"
    assert metadata.citation is not None
    assert "APRF, f. 45, op. 1, d. 343, ll. 72-75" in metadata.citation
    assert metadata.summary == (
        "A two-part telegram from Mao to Stalin forwarding to the latter, an exchange which "
        "occurred between him and Kim Il Sung."
    )
    assert (region_at(source, 12).rule, region_at(source, 13).rule) == (
        "citation-block-summary",
        "quoted-title-citation",
    )
    chrome_lines = [r.line for r in regions(source, RegionKind.CHROME)]
    assert chrome_lines == [1, 3, 10, 14, 17, 108, 110, 112]
    assert source.diagnostics == ()


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name[:3])
def test_seed_invariants(path: Path) -> None:
    source = load_source(path)
    assert_tiles(source)
    previous_end = 0
    for document in source.documents:
        body = source.body(document)
        assert body and body == body.strip()
        # documents follow each other, or one is quoted inside the body of another
        quoted = any(other.body_start <= document.start and document.end <= other.body_end
                     for other in source.documents if other is not document)
        assert quoted or previous_end <= document.start
        if not quoted:
            previous_end = document.end
        # Chrome phrases never land in a body.
        for phrase in ("Skip to content", "Record ID", "get citation", "PDF", "welcomes reuse"):
            assert phrase not in body
    # Every non-blank character outside bodies is in a visible, classified region.
    for region in source.regions:
        if region.kind is RegionKind.BLANK:
            assert source.region_text(region).isspace()
        else:
            assert region.rule


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name[:3])
@pytest.mark.parametrize("newline", ["\r\n", "\r"], ids=["crlf", "cr"])
def test_line_endings_do_not_change_the_result(path: Path, newline: str) -> None:
    lf = load_source(path)
    text = lf.text.replace("\n", newline)
    other = split_source(text, str(path))
    assert [d.metadata for d in other.documents] == [d.metadata for d in lf.documents]
    assert [d.header for d in other.documents] == [d.header for d in lf.documents]
    assert [d.siglum for d in other.documents] == [d.siglum for d in lf.documents]
    assert [other.body(d).replace(newline, "\n") for d in other.documents] == [
        lf.body(d) for d in lf.documents
    ]
    assert [(r.kind, r.rule, r.line) for r in other.regions] == [
        (r.kind, r.rule, r.line) for r in lf.regions
    ]


# --------------------------------------------------------------------------- general rules


def test_plain_file_is_one_document() -> None:
    source = split_source("The quick brown fox.\n", "notes/fox.txt")
    (document,) = source.documents
    assert (document.siglum, document.label) == ("fox", "fox.txt")
    assert source.body(document) == "The quick brown fox."
    assert document.metadata == Metadata()
    assert source.diagnostics == ()
    assert [(r.kind, r.rule) for r in source.regions] == [
        (RegionKind.BODY, "plain-body"),
        (RegionKind.BLANK, "blank"),
    ]


def test_plain_file_keeps_a_short_last_line() -> None:
    source = split_source("\n\nFirst paragraph.\n\nOK\n\n", "a.txt")
    (document,) = source.documents
    assert source.body(document) == "First paragraph.\n\nOK"


@pytest.mark.parametrize("text", ["", "   ", "\n\r\n\t\n"])
def test_empty_or_blank_file_is_one_empty_document(text: str) -> None:
    source = split_source(text, "empty.txt")
    (document,) = source.documents
    assert document.body_start == document.body_end == 0 and document.siglum == "empty"
    (diagnostic,) = source.diagnostics
    assert (diagnostic.severity, diagnostic.code) == (Severity.WARNING, "empty-source")
    assert_tiles(source)


def test_chrome_only_file_has_one_empty_document_and_a_warning() -> None:
    source = split_source("Skip to content\n\nSearch in\n", "x.txt")
    (document,) = source.documents
    assert document.body_start == document.body_end
    assert [d.code for d in source.diagnostics] == ["no-body"]
    assert [r.rule for r in regions(source, RegionKind.CHROME)] == ["boilerplate", "boilerplate"]


def test_split_sigla_are_initials_deduplicated() -> None:
    text = (
        "Draft Letter from A to B, 1 May 1950\n\nfirst\n\n"
        "Draft Letter from A to B, 2 May 1950\n\nsecond\n\n"
        "Final Telegram, Vyshinsky to Mao Zedong, May 3, 1950\n\nthird\n"
    )
    source = split_source(text, "x.txt")
    assert [d.siglum for d in source.documents] == ["D", "D2", "F"]
    assert [source.body(d) for d in source.documents] == ["first", "second", "third"]
    assert [d.metadata.date for d in source.documents] == ["1950-05-01", "1950-05-02", "1950-05-03"]
    assert source.documents[2].metadata.sender == "Vyshinsky"


def test_single_dated_title_uses_file_stem() -> None:
    source = split_source("**Message from A to B, 5 October 1950**\n\nText.\n", "dir/m.txt")
    (document,) = source.documents
    assert document.siglum == "m"
    assert document.metadata.title == "Message from A to B"
    assert source.body(document) == "Text."


def test_unclosed_title_parenthesis_warns() -> None:
    text = "Message from A to B, 5 October 1950 (note\n" + "line\n" * 10
    source = split_source(text, "x.txt")
    assert "unclosed-title-parenthesis" in {d.code for d in source.diagnostics}
    (document,) = source.documents
    assert source.body(document).startswith("line")


def test_sentence_with_date_is_not_a_title() -> None:
    text = "I wrote to Mao about it, 5 October 1950.\n\nAnd then nothing happened.\n"
    source = split_source(text, "x.txt")
    (document,) = source.documents
    assert source.body(document) == text.strip()
    assert document.metadata == Metadata()


def test_plain_letter_with_a_date_keeps_its_date() -> None:
    text = "May 14, 1950\n\nDear comrade, I write to you today.\n"
    source = split_source(text, "x.txt")
    (document,) = source.documents
    assert source.body(document) == text.strip()


@pytest.mark.parametrize(
    ("written", "iso"),
    [
        ("5 October 1950", "1950-10-05"),
        ("October 5, 1950", "1950-10-05"),
        ("August 28, 1951", "1951-08-28"),
        ("27.8.1951", "1951-08-27"),
        ("Sept. 3, 1951", "1951-09-03"),
        ("1st May 1950", "1950-05-01"),
        ("1950-10-05", "1950-10-05"),
        ("October 1950", "1950-10"),
        ("1950", "1950"),
        ("31 June 1950", None),
        ("yesterday", None),
        ("5 Octember 1950", None),
    ],
)
def test_parse_date(written: str, iso: str | None) -> None:
    assert parse_date(written) == iso


@pytest.mark.parametrize(
    ("title", "sender", "recipient"),
    [
        ("Message from Stalin to Mao Zedong", "Stalin", "Mao Zedong"),
        ("Ciphered Telegram No. 8600, Vyshinsky to Mao Zedong", "Vyshinsky", "Mao Zedong"),
        ("Ciphered Telegram No. 1, Mao Zedong to Cde. Filippov [Stalin]", "Mao Zedong", None),
        ("Letter to Kim Il Sung", None, "Kim Il Sung"),
    ],
)
def test_sender_and_recipient_from_title(title: str, sender: str, recipient: str | None) -> None:
    source = split_source(f"{title}, 5 October 1950\n\nText.\n", "x.txt")
    metadata = source.documents[0].metadata
    assert metadata.sender == sender
    if recipient is not None:
        assert metadata.recipient == recipient
    else:
        assert metadata.recipient == "Cde. Filippov [Stalin]"
        assert ("recipient_identified", "Stalin") in metadata.extra


def test_value_classes_validate() -> None:
    with pytest.raises(ValueError, match="start <= body_start"):
        Document(0, "A", "a", Metadata(), start=5, end=10, body_start=2, body_end=3, header="")
    with pytest.raises(ValueError, match="ISO 8601"):
        Metadata(date="5 October 1950")
    with pytest.raises(ValueError, match="kind"):
        MarkOverride(line=1, column=1, kind="bold")
    with pytest.raises(ValueError, match="tile"):
        Source("x", "ab", (Region(RegionKind.BODY, 1, 2, 1, "r"),), (), ())
    with pytest.raises(ValueError, match="lines"):
        WitnessSpec(source="a", path="a", lines=(3, 2))


# --------------------------------------------------------------------------- manifests

MANIFEST_002 = f"""
[[witness]]
source = "{SEED_002}"
document = 2
siglum = "D"
label = "Draft, 4 October 1950"
convention = "hand-revision"
[[witness.mark]]
line = 39
column = 780
kind = "literal"
reason = "the ']' after '[6' is the transcriber's; the deletion runs to 'Security Council]'"
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project directory holding a copy of the seeds."""
    shutil.copytree(SEEDS, tmp_path / "seeds")
    return tmp_path


def write_manifest(directory: Path, body: str, name: str = "manifest.toml") -> Path:
    path = directory / name
    path.write_text(body, encoding="utf-8")
    return path


def test_load_manifest_valid(project: Path) -> None:
    path = write_manifest(project, MANIFEST_002)
    manifest = load_manifest(path)
    assert manifest.path == str(path)
    (spec,) = manifest.witnesses
    assert spec.source == SEED_002
    assert spec.path == str(project / SEED_002)
    assert (spec.document, spec.siglum, spec.label, spec.convention) == (
        2,
        "D",
        "Draft, 4 October 1950",
        "hand-revision",
    )
    (mark,) = spec.marks
    assert (mark.line, mark.column, mark.kind) == (39, 780, "literal")
    assert mark.origin == f"{path}:witness[1].mark[1]"
    assert mark.reason is not None and mark.reason.startswith("the ']'")


def test_manifest_refines_document_2_of_seed_002(project: Path) -> None:
    manifest = load_manifest(write_manifest(project, MANIFEST_002))
    source = load_source(project / SEED_002, manifest=manifest)
    (draft,) = source.documents  # exactly the manifest's entries
    assert (draft.index, draft.siglum, draft.label) == (0, "D", "Draft, 4 October 1950")
    assert draft.convention == "hand-revision"
    assert draft.metadata.date == "1950-10-04"
    assert "bracketed passages deleted by hand" in draft.header
    assert body_lines(source, draft)[0] == "[DRAFT CIPHERED TELEGRAM] First original version"
    (mark,) = draft.overrides
    line_start = source.text.index("1) the USA, as the Korean events")
    assert source.text[line_start + mark.column - 1] == "]"
    assert source.text[line_start + mark.column - 3 : line_start + mark.column] == "[6]"
    assert_tiles(source)
    (body,) = regions(source, RegionKind.BODY)
    assert (body.rule, body.document) == ("manifest-document", 0)
    # The final message is no witness now: its text is kept, visibly, as chrome.
    outside = [r for r in source.regions if r.rule == "outside-manifest-body"]
    assert [r.line for r in outside] == [11]  # its address (line 7) is furniture, still shown
    assert outside[0].document is None


def test_manifest_lines_and_markers(project: Path) -> None:
    path = write_manifest(
        project,
        f"""
[[witness]]
source = "{SEED_002}"
lines = [7, 21]
title = "Final message (abridged)"
date = 1950-10-05

[[witness]]
source = "{SEED_002}"
document = 2
start = "TO BEIJING"
end = "4 October 1950"
""",
    )
    source = load_source(project / SEED_002, manifest=load_manifest(path))
    first, second = source.documents
    assert body_lines(source, first)[0] == "From cde. PHILIPPOV"
    assert body_lines(source, first)[-1] == "PHILIPPOV"
    assert (first.siglum, first.label, first.metadata.date) == (
        "002_82ee7afc6dc33c74",
        "Final message (abridged)",
        "1950-10-05",
    )
    assert first.header == ""
    assert source.body(second).startswith("TO BEIJING, SOVIET AMBASSADOR")
    assert source.body(second).endswith("PHILIPPOV [STALIN]\n\n4 October 1950")
    assert (second.siglum, second.metadata.sender) == ("D", "Stalin")
    assert [r.rule for r in regions(source, RegionKind.BODY)] == [
        "manifest-lines",
        "manifest-markers",
    ]
    assert_tiles(source)


def test_manifest_whole_file_and_untouched_sources(project: Path) -> None:
    path = write_manifest(project, '[[witness]]\nsource = "seeds/004_0e53a1df6a5d7bb4.txt"\n')
    manifest = load_manifest(path)
    whole = load_source(project / "seeds/004_0e53a1df6a5d7bb4.txt", manifest=manifest)
    (document,) = whole.documents
    assert source_text_starts(whole, document, "Search in")
    assert whole.body(document).endswith("open it in a PDF viewer.")
    other = load_source(project / SEED_002, manifest=manifest)
    assert [d.siglum for d in other.documents] == ["F", "D"]


def source_text_starts(source: Source, document: Document, prefix: str) -> bool:
    return source.body(document).startswith(prefix)


def test_manifest_resolves_sources_relative_to_its_directory(project: Path) -> None:
    (project / "sub").mkdir()
    path = write_manifest(project / "sub", f'[[witness]]\nsource = "../{SEED_002}"\ndocument = 1\n')
    manifest = load_manifest(path)
    cwd = os.getcwd()
    try:
        os.chdir(project / "seeds")  # a relative source path must still match
        source = load_source("002_82ee7afc6dc33c74.txt", manifest=manifest)
    finally:
        os.chdir(cwd)
    (document,) = source.documents
    assert document.siglum == "F"


def manifest_error(project: Path, body: str) -> ManifestError:
    path = write_manifest(project, body)
    with pytest.raises(ManifestError) as caught:
        manifest = load_manifest(path)
        load_source(project / SEED_002, manifest=manifest)
    message = str(caught.value)
    assert message.startswith(str(path)), message
    assert isinstance(caught.value, CollatioError) and isinstance(caught.value, ValueError)
    return caught.value


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            f'[[witness]]\nsource = "{SEED_002}"\nsigla = "D"\n',
            ["witness[1]", "unknown key 'sigla'", "did you mean 'siglum'"],
        ),
        (
            f'[[witness]]\nsource = "{SEED_002}"\n[[witness]]\nsource = "{SEED_002}"\n'
            'document = 1\ndate = "1950-13-01"\n',
            ["witness[2].date", "'1950-13-01'", "ISO 8601"],
        ),
        (
            f'[[witness]]\nsource = "{SEED_002}"\nstart = "NOT IN THE FILE"\n',
            ["witness[1].start", "'NOT IN THE FILE' not found"],
        ),
        (
            f'[[witness]]\nsource = "{SEED_002}"\ndocument = 1\nend = "NOWHERE"\n',
            ["witness[1].end", "'NOWHERE' not found", "document 1 of"],
        ),
        (
            f'[[witness]]\nsource = "{SEED_002}"\nlines = [40, 900]\n',
            ["witness[1].lines", "[40, 900] is out of range", "53 lines"],
        ),
        (
            f'[[witness]]\nsource = "{SEED_002}"\nlines = [9, 3]\n',
            ["witness[1].lines", "1 <= first <= last"],
        ),
        (
            f'[[witness]]\nsource = "{SEED_002}"\ndocument = 3\n',
            ["witness[1].document", "3 is out of range", "2 auto-detected documents"],
        ),
        (
            f'[[witness]]\nsource = "{SEED_002}"\nlines = [1, 2]\nstart = "x"\n',
            ["witness[1].lines", "cannot be combined"],
        ),
        (
            f'[[witness]]\nsource = "{SEED_002}"\n[[witness.mark]]\nline = 39\ncolumn = 780\n'
            'kind = "bold"\n',
            ["witness[1].mark[1].kind", "unknown kind 'bold'", "valid kinds: add, del"],
        ),
        (
            f'[[witness]]\nsource = "{SEED_002}"\n[[witness.mark]]\nline = 39\ncolumn = 780\n'
            'kind = "del"\ncomment = "x"\n',
            ["witness[1].mark[1]", "unknown key 'comment'"],
        ),
        (
            f'[[witness]]\nsource = "{SEED_002}"\ndocument = 2\n[[witness.mark]]\nline = 39\n'
            'column = 290\nkind = "literal"\n',
            ["witness[1].mark[1].column", "no markup delimiter at 39:290"],
        ),
        (
            f'[[witness]]\nsource = "{SEED_002}"\ndocument = 1\n[[witness.mark]]\nline = 39\n'
            'column = 780\nkind = "literal"\n',
            ["witness[1].mark[1].line", "outside the witness's body"],
        ),
        (
            f'[[witness]]\nsource = "{SEED_002}"\n[[witness]]\nsource = "{SEED_002}"\n'
            "document = 1\n",
            ["witness[2]", "overlaps that of witness[1]"],
        ),
        ('[[witness]]\nsiglum = "A"\n', ["witness[1].source", "is required"]),
        (f'[[witness]]\nsource = "{SEED_002}"\ndocument = "2"\n', ["witness[1].document"]),
        (f'[[witness]]\nsource = "{SEED_002}"\nsiglum = "A B"\n', ["witness[1].siglum"]),
        ('title = "x"\n', ["unknown top-level key 'title'"]),
        ("", ["no [[witness]] tables"]),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_manifest_errors_name_file_witness_and_key(
    project: Path, body: str, expected: list[str]
) -> None:
    message = str(manifest_error(project, body))
    for part in expected:
        assert part in message


def test_manifest_toml_syntax_error_has_line_and_column(project: Path) -> None:
    error = manifest_error(project, '[[witness]]\nsource = "a.txt"\nsiglum = \n')
    assert (error.line, error.column) == (3, 10)
    assert "invalid TOML" in error.message


def test_missing_manifest(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="manifest not found"):
        load_manifest(tmp_path / "nope.toml")


# --------------------------------------------------------------------------- read_text


def test_read_text_keeps_line_endings_and_strips_bom(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbfa\r\nb\rc\n")
    assert read_text(path) == "a\r\nb\rc\n"


def test_read_text_other_encoding(tmp_path: Path) -> None:
    path = tmp_path / "latin.txt"
    path.write_bytes("caf\u00e9".encode("cp1252"))
    assert read_text(path, encoding="cp1252") == "café"


def test_read_text_bad_utf8_names_byte_offset_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(b"ok\nsecond \xff line\n")
    with pytest.raises(InputError) as caught:
        read_text(path)
    error = caught.value
    assert error.path == str(path) and error.line == 2
    assert "byte offset 10" in error.message and "--encoding" in error.message
    assert isinstance(error, OSError)


def test_read_text_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file") as caught:
        read_text(tmp_path / "missing.txt")
    assert caught.value.path == str(tmp_path / "missing.txt")


def test_read_text_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a directory"):
        read_text(tmp_path)


def test_read_text_unknown_encoding(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("a")
    with pytest.raises(InputError, match="unknown encoding"):
        read_text(path, encoding="no-such-codec")


def test_read_text_permission_denied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "secret.txt"
    path.write_text("x")
    path.chmod(0)
    if os.access(path, os.R_OK):  # root reads anything: make the OS refusal happen anyway
        real_open = open

        def refuse(name: str, *args: Any, **kwargs: Any) -> Any:
            if name == str(path):
                raise PermissionError(13, "Permission denied", name)
            return real_open(name, *args, **kwargs)

        monkeypatch.setattr("builtins.open", refuse)
    try:
        with pytest.raises(InputError, match="permission denied") as info:
            read_text(path)
        assert str(path) in str(info.value)
    finally:
        path.chmod(0o600)


def test_load_source_uses_the_path(tmp_path: Path) -> None:
    path = tmp_path / "letter.txt"
    path.write_text("Hello.\n")
    source = load_source(path)
    assert source.path == str(path) and source.documents[0].siglum == "letter"


# --------------------------------------------------------------------------- properties

# Fragments that exercise the rules (titles, dates, labels, chrome, markup, odd characters).
FRAGMENTS = [
    "a",
    "Word",
    " ",
    "\n",
    "\r\n",
    "\r",
    "\n\n",
    "\x00",
    "**",
    "*",
    "(",
    ")",
    "[",
    "]",
    ",",
    ":",
    '"',
    "“",
    "•",
    "\u2028",
    "\x1c",
    "\ufeff",
    "é",
    "5 October 1950",
    "May 14, 1950",
    "27.8.1951",
    "Message from A to B",
    "Draft Message from Stalin to Mao Zedong, 4 October 1950 (italicized and",
    ", X to Y",
    "Citation:",
    "**Summary:**",
    "Document Information",
    "Original Classification",
    "Skip to content",
    "It appears your Web browser is not configured to display PDF files.",
    "Fond 3, Opis 5, Delo 1",
    "2nn",
    "The quick brown fox jumps over the lazy dog and runs on and on far away home",
]
texts = st.one_of(
    st.text(max_size=200),
    st.lists(st.sampled_from(FRAGMENTS), max_size=40).map("".join),
)


def check_source(source: Source) -> None:
    assert_tiles(source)
    text = source.text
    assert len(source.documents) >= 1, "every text, even a blank one, is at least one document"
    previous_end = 0
    for k, document in enumerate(source.documents):
        assert document.index == k
        assert previous_end <= document.start
        assert 0 <= document.start <= document.body_start <= document.body_end <= document.end
        assert document.end <= len(text)
        previous_end = document.end
        body = text[document.body_start : document.body_end]
        assert body == body.strip()
    for region in source.regions:
        if region.document is not None:
            owner = source.documents[region.document]
            assert owner.start <= region.start and region.end <= owner.end


@settings(max_examples=400, deadline=None, database=None)
@given(texts)
def test_any_text_gives_a_source(text: str) -> None:
    check_source(split_source(text, "fuzz.txt"))


line_text = st.lists(
    st.sampled_from([f for f in FRAGMENTS if not set(f) & set("\r\n\u2028\x1c")]), max_size=8
).map("".join)


@settings(max_examples=200, deadline=None, database=None)
@given(st.lists(line_text, max_size=12))
def test_crlf_gives_the_same_documents_as_lf(lines: list[str]) -> None:
    lf = split_source("\n".join(lines), "x.txt")
    crlf = split_source("\r\n".join(lines), "x.txt")
    assert [d.metadata for d in crlf.documents] == [d.metadata for d in lf.documents]
    assert [crlf.body(d).replace("\r\n", "\n") for d in crlf.documents] == [
        lf.body(d) for d in lf.documents
    ]
    assert [(r.kind, r.rule) for r in crlf.regions] == [(r.kind, r.rule) for r in lf.regions]


@settings(max_examples=100, deadline=None, database=None)
@given(texts, st.sampled_from(["lines", "markers", "whole"]))
def test_manifest_documents_keep_the_invariants(text: str, how: str) -> None:
    spec: WitnessSpec
    if how == "lines":
        spec = WitnessSpec(source="x.txt", path="x.txt", lines=(1, 1))
    elif how == "markers" and text.strip():
        marker = text.strip()[:1]
        spec = WitnessSpec(source="x.txt", path="x.txt", start=marker)
    else:
        spec = WitnessSpec(source="x.txt", path="x.txt")
    source = split_source(text, "x.txt", manifest=Manifest("m.toml", (spec,)))
    assert_tiles(source)
    (document,) = source.documents
    assert 0 <= document.start <= document.body_start <= document.body_end <= document.end


@given(st.text(alphabet=st.sampled_from(list("ab\n\r é")), max_size=60))
def test_line_index_counts_every_line_end(text: str) -> None:
    """Lines end after \\n, \\r\\n and a lone \\r; positions are 1-based and invert."""
    index = LineIndex.of(text)
    line, column = 1, 1
    for offset, char in enumerate(text):
        assert index.position(offset) == (line, column)
        assert index.offset(line, column) == offset
        if char == "\n" or (char == "\r" and text[offset + 1 : offset + 2] != "\n"):
            line, column = line + 1, 1
        else:
            column += 1
    assert index.position(len(text)) == (line, column)


@given(st.text(alphabet=st.sampled_from(list("ab \t\n\r\x1c\u2028\u3000é")), max_size=60))
def test_line_units_are_the_non_blank_lines_trimmed(text: str) -> None:
    """The detector's units: each non-blank line (ends: \\n, \\r\\n, \\r), without the
    whitespace around it, located exactly."""
    from collatio.sources.detection import _units

    expected = []
    # every line with its end; a final empty match only adds a blank line
    for number, match in enumerate(re.finditer(r"([^\r\n]*)(?:\r\n|\r|\n|$)", text), 1):
        line = match.group(1)
        content = line.strip()
        if content:
            start = match.start() + len(line) - len(line.lstrip())
            expected.append((start, start + len(content), number, content))
    found = [(u.start, u.end, u.line, u.text) for u in _units(text)]
    assert found == expected
    assert all(text[start:end] == content for start, end, _, content in found)


# --------------------------------------------------------------------------- furniture


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("From cde. PHILIPPOV", "routing"),
        ("TO BEIJING, SOVIET AMBASSADOR FOR MAO ZEDONG 5 October 1950", "routing"),
        ("From BEIJING Received 12:15 18.7.1952", "routing"),
        ("To Comrade FILIPPOV [Stalin]", "routing"),
        ("“To Comrade KIM IL SUNG.", "routing"),
        ("Copies: Stalin (2), Molotov, Malenkov", "distribution-list"),
        ("October 5, 1950", "date-line"),
        ("5. Oktober 1950", "date-line"),
        ("5 октября 1950", "date-line"),
        ("Destination: PEKING To Whom: SovAmbassador", "field-line"),
        ("28 August 1951 Copies: Malenkov, Molotov", "field-line"),
        ("No. 2084", "reference"),
        ("Special no. 550", "reference"),
        ("113", "reference"),
        ("_______________", "form-rule"),
        ("MFA USSR", "capitals-label"),
        ("Tenth Department", "title-case-label"),
        ("[DRAFT CIPHERED TELEGRAM] First original version", "archival-label"),
        ("Making copies is prohibited", "archival-label"),
        # text, not furniture
        ("I received your reply [...]", None),
        ("Comrade Filippov!", None),
        ("For this reason we agree with the proposal of the enemy.", None),
        ("To what the enemy proposes we shall not agree", None),
        ("With greetings.", None),
        ("As to the arrival of comrades Zhou Enlai and Lin Biao, I would be happy.", None),
    ],
)
def test_furniture_rules(line: str, rule: str | None) -> None:
    from collatio.sources.furniture import classify_head

    found = classify_head(line)
    assert (found[1] if found else None) == rule


def test_tail_furniture_is_dispatch_notes_references_and_lists() -> None:
    from collatio.sources.furniture import classify_tail

    assert classify_tail("[Handwritten] Dispatched to cde. Bulganiin via VCh at 23 hours.")
    assert classify_tail("No. 2084")
    assert classify_tail("5 October 1950") is None  # a letter's own dating stays text
    assert classify_tail("PHILIPPOV") is None


def test_furniture_is_set_aside_with_its_marks_read() -> None:
    import collatio

    final, draft = collatio.parse([SEED_002]).witnesses
    text = final.state("text").text
    assert text.startswith("I received your reply") and "PHILIPPOV\n\nOctober" not in text
    assert "Dispatched" not in text and text.endswith("5 October 1950")
    # the marks inside furniture are read as before, inside the furniture note
    spans = {span.text: (span.kind, span.label, [a.rule for a in ancestors])
             for span, ancestors in draft.spans()}
    assert spans["DRAFT CIPHERED TELEGRAM"] == (SpanKind.NOTE, "identification",
                                                ["furniture:archival-label"])
    assert not draft.state("post").text.startswith("First original version")
    assert draft.state("post").text.startswith("I received your response.")


def test_seed_004_quoted_telegrams_are_documents() -> None:
    source = load("004")
    outer, first, second = source.documents
    assert first.siglum == f"{outer.siglum}.1" and second.siglum == f"{outer.siglum}.2"
    assert (first.metadata.date, first.metadata.date_text) == ("1952-07-15", "15.7.52")
    assert (first.metadata.sender, first.metadata.recipient) == ("MAO ZEDONG",
                                                                 "Comrade KIM IL SUNG")
    assert (second.metadata.date, second.metadata.sender) == ("1952-07-16", "KIM IL SUNG")
    assert body_line_range(source, first) == (31, 71)
    assert body_line_range(source, second) == (74, 100)
    assert outer.body_start < first.start < second.end < outer.body_end
    import collatio

    result = collatio.parse([seed("004")])
    covering, one, two = result.witnesses
    assert covering.state("text").text.endswith("of 21:00 16 July of this year:")
    assert "After we wrote a telegram" not in covering.state("text").text
    assert one.state("text").text.startswith("After we wrote a telegram")
    assert one.state("text").text.endswith("MAO ZEDONG, 3:00, 15.7.52”")
    assert two.state("text").text.startswith("Your telegram of 3:00 15 July")
    quoted = [span.rule for span, _ in covering.spans() if span.label == "quoted-document"]
    assert quoted == [f"quoted-document:{one.siglum}", f"quoted-document:{two.siglum}"]


def test_dates_in_other_languages_and_numeric_forms() -> None:
    from collatio.sources.dates import find_date

    assert parse_date("5. Oktober 1950") == "1950-10-05"
    assert parse_date("5 октября 1950") == "1950-10-05"
    assert parse_date("5 октября 1950 г.") == "1950-10-05"
    assert parse_date("5 octobre 1950") == "1950-10-05"
    assert parse_date("5 ottobre 1950") == "1950-10-05"
    assert parse_date("5 de octubre de 1950") == "1950-10-05"
    assert parse_date("27.8.1951") == "1951-08-27"
    assert parse_date("Okt. 1950") == "1950-10"
    assert parse_date("Sept. 3, 1951") == "1951-09-03"
    assert parse_date("32 octobre 1950") is None
    assert find_date("MAO ZEDONG, 3:00, 15.7.52”") is None  # a two-digit year needs a century
    assert find_date("MAO ZEDONG, 3:00, 15.7.52”", 19) == ("15.7.52", "1952-07-15")


@given(st.lists(st.sampled_from([
    "From cde. X", "To Comrade Y", "Copies: A, B", "5 May 1950", "No. 12", "____",
    "MFA USSR", "Text of the letter here.", "“To Comrade Z.", "Quoted words.”", "",
]), max_size=12))
@settings(max_examples=150, deadline=None)
def test_furniture_keeps_regions_tiling_and_bodies_whole(lines: list[str]) -> None:
    text = "**Letter from A to B, 5 May 1950**\n\n" + "\n\n".join(lines) + "\n"
    source = split_source(text, "x.txt")
    assert_tiles(source)
    for document in source.documents:
        body = source.body(document)
        assert body == body.strip()


@given(st.text(alphabet="ab 7\n\r\t\u00a0\u2028", max_size=60), st.integers(0, 12))
def test_the_lines_tried_as_dated_titles_are_those_with_a_digit(text: str, stop: int) -> None:
    """Only lines holding a digit can be dated titles; the detector finds them by one scan
    of the text, and finds each of them."""
    from collatio.sources.detection import _Detector

    detector = _Detector(text, "t.txt")
    stop = min(stop, len(detector.units))
    assert detector._with_digits(stop) == [
        i for i in range(stop) if re.search("[0-9]", detector.units[i].text)
    ]
