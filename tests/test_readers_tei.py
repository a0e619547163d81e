"""TEI transcriptions and TEI parallel segmentation: revisions as states, editorial matter
set aside, positions kept, metadata from the header; the real corpora read with no markup
leaking into any reading."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

import collatio
from collatio.cli import main
from collatio.errors import CollatioError, InputError
from collatio.markup.tree import Text, leaves
from collatio.readers import ReaderError, choose_reader
from collatio.witness import Milestone
from tests.support.shared import shared_path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "readers"
LETTER = DATA / "letter.tei.xml"


def states(path: Path, **kwargs: object) -> dict[str, str]:
    (witness,) = collatio.parse([path], **kwargs).witnesses  # type: ignore[arg-type]
    return {state.id: " ".join(state.text.split()) for state in witness.states}


def test_the_letter_reads_every_device() -> None:
    (witness,) = collatio.parse([LETTER]).witnesses
    assert witness.siglum == "letter.tei"
    assert witness.metadata.title == "Letter to the printer"
    assert witness.metadata.date == "1817-05-14"
    assert ("author", "M. W. Shelley") in witness.metadata.extra
    assert [(s.id, s.hands, " ".join(s.text.split())) for s in witness.states] == [
        ("ante", (), "I send you two chapters and the preface; the rest follows tomorow by "
                     "Mr Hunt & his son. The is safe and I fear nothing more now. Yours ever, "
                     "truly M."),
        # the hands declared in the header are layers, in order: Mary Shelley's, then Percy's
        ("c1", ("#mws",), "I send you three chapters and the preface; the rest follows tomorow "
                          "by Mr Hunt & his son. The is safe now. Ever yours, truly M."),
        ("post", ("#pbs",), "I send you three chapters and the dedication; the rest follows "
                            "tomorow by Mr Hunt & his son. The is safe now. Ever yours, truly M."),
    ]


def test_paragraphs_and_positions() -> None:
    (witness,) = collatio.parse([LETTER]).witnesses
    post = witness.state("post")
    assert post.text.count("\n\n") == 2  # three paragraphs, no blank line inside one
    offset = witness.source.index("dedication")
    assert witness.position_at(offset) == {"page": "1", "line": "2"}
    # a line count restarts on a new page: before its first <lb/>, only the page is known
    assert witness.position_at(witness.source.index("fear")) == {"page": "2"}
    assert witness.position_at(witness.source.index("more<")) == {"page": "2", "line": "4"}
    assert witness.position_at(0) == {}
    # lines and columns are the file's
    line, column = witness.line_index().position(offset)
    assert LETTER.read_text(encoding="utf-8").splitlines()[line - 1][column - 1:].startswith(
        "dedication")


def test_parse_says_where_each_mark_stands_on_the_page() -> None:
    out = io.StringIO()
    assert main(["parse", str(LETTER)], stdout=out) == 0
    outline = out.getvalue()
    assert re.search(r"\badd +'dedication'  <- tei-add  \(p\. 1, l\. 2\)\n", outline)
    assert re.search(r"\bgap/illegible +''  <- tei-gap  \(p\. 2\)\n", outline)
    out = io.StringIO()
    assert main(["parse", str(LETTER), "--format", "json"], stdout=out) == 0

    def walk(spans: list[dict[str, object]]) -> Iterator[dict[str, object]]:
        for span in spans:
            yield span
            yield from walk(span["children"])  # type: ignore[arg-type]

    (witness,) = json.loads(out.getvalue())["witnesses"]
    where = {" ".join(str(span["text"]).split()): span.get("position")
             for span in walk(witness["spans"])}
    assert where["dedication"] == {"page": "1", "line": "2"}
    assert where["and I fear nothing <lb n=\"4\"/>more"] == {"page": "2"}  # raw text
    # a file that records no positions says none
    out = io.StringIO()
    assert main(["parse", str(ROOT / "seeds" / "002_82ee7afc6dc33c74.txt"), "--format",
                 "json"], stdout=out) == 0
    assert '"position"' not in out.getvalue()


def test_set_aside_and_kept() -> None:
    (witness,) = collatio.parse([LETTER]).witnesses
    kinds = {(span.kind.value, span.label): span for span, _ in witness.spans()}
    assert kinds[("note", "note")].text == "The preface is lost."
    assert ("note", "fw") in kinds and ("note", "metamark") in kinds
    assert kinds[("note", "corr-not-chosen")].text == "tomorrow"
    assert kinds[("gap", "illegible")].text == ""
    assert kinds[("unclear", "faded")].text == "son"
    post = witness.state("post")
    assert [m.span.label for m in post.markers].count("fw") == 1
    assert "The preface is lost" not in post.text and "^" not in post.text


def test_choice_and_supplied_are_declared_and_overridable() -> None:
    assert "tomorow by Mr Hunt" in states(LETTER)["post"]
    chosen = states(LETTER, options={"choice": "corr,expan"})["post"]
    assert "tomorrow by Mister Hunt" in chosen
    assert "is safe" not in states(LETTER, options={"supplied": "drop"})["post"]
    with pytest.raises(ReaderError, match="unknown child 'fix'"):
        collatio.parse([LETTER], options={"choice": "fix"})
    with pytest.raises(ReaderError, match="layers: one of declared, hands, nesting, none"):
        collatio.parse([LETTER], options={"layers": "time"})


def test_layers_by_choice() -> None:
    # one revision layer: the hands make no states of their own
    one = states(LETTER, options={"layers": "none"})
    assert list(one) == ["ante", "post"]
    assert one["post"] == states(LETTER)["post"] and one["ante"] == states(LETTER)["ante"]
    # each hand in order of appearance, after the revisions no hand is named for (here the
    # alternatives of the <app>)
    by_hand = states(LETTER, options={"layers": "hands"})
    assert list(by_hand) == ["ante", "c1", "c2", "post"]
    assert "Ever yours" in by_hand["c1"] and "two chapters" in by_hand["c1"]
    assert "three chapters and the preface" in by_hand["c2"]


def test_nesting_layers(tmp_path: Path) -> None:
    path = tmp_path / "n.xml"
    path.write_text('<text><s>maakte <del>Shiriar</del><add>den bedremmelden <del>man</del>'
                    '<add>Sultan</add></add> uit</s></text>', encoding="utf-8")
    assert states(path) == {"ante": "maakte Shiriar uit",
                            "post": "maakte den bedremmelden Sultan uit"}
    assert states(path, options={"layers": "nesting"}) == {
        "ante": "maakte Shiriar uit",
        "c1": "maakte den bedremmelden man uit",
        "post": "maakte den bedremmelden Sultan uit",
    }


def test_milestone_ranges_cross_elements(tmp_path: Path) -> None:
    path = tmp_path / "m.xml"
    path.write_text('<xml><p>one <delSpan spanTo="#a"/>two <hi>three</hi></p><p>four'
                    '<anchor xml:id="a"/> five <sga-add sID="x"/>six<sga-add eID="x"/></p></xml>',
                    encoding="utf-8")
    assert states(path) == {"ante": "one two three four five", "post": "one five six"}


def test_word_milestones_and_line_breaks(tmp_path: Path) -> None:
    path = tmp_path / "w.xml"
    path.write_text('<xml><w ana="start"/>tranquilli<lb n="9"/>ty<w ana="end"/> with'
                    '<lb/>my <w ana="start"/>o <add>bs </add>ti\n<lb/>nate<w ana="end"/>'
                    ' end<lb break="no"/>less</xml>', encoding="utf-8")
    assert states(path) == {"ante": "tranquillity with my otinate endless",
                            "post": "tranquillity with my obstinate endless"}


def test_alternatives_in_one_document(tmp_path: Path) -> None:
    path = tmp_path / "a.xml"
    path.write_text('<text>a <app><rdg varSeq="3">third</rdg><rdg varSeq="1">first</rdg>'
                    '<rdg varSeq="2">second</rdg></app> b</text>', encoding="utf-8")
    assert states(path) == {"ante": "a first b", "c1": "a second b", "post": "a third b"}


def test_malformed_xml_is_located(tmp_path: Path) -> None:
    path = tmp_path / "bad.xml"
    path.write_text("<TEI>\n  <text><p>one</text>\n</TEI>", encoding="utf-8")
    with pytest.raises(InputError) as info:
        collatio.parse([path])
    message = str(info.value)
    assert re.match(rf"{re.escape(str(path))}:2:\d+: malformed XML: .*mismatch", message)
    err = io.StringIO()
    assert main(["parse", str(path)], stdout=io.StringIO(), stderr=err) == 1
    assert err.getvalue().startswith(f"collatio: {path}:2:")


def test_dtd_entities_are_refused_not_resolved(tmp_path: Path) -> None:
    path = tmp_path / "e.xml"
    path.write_text('<!DOCTYPE text [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                    "<text>a &x; b</text>", encoding="utf-8")
    with pytest.raises(InputError, match="DTD"):
        collatio.parse([path])
    bomb = tmp_path / "bomb.xml"
    bomb.write_text('<!DOCTYPE t [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
                    "<t>&b;</t>", encoding="utf-8")
    with pytest.raises(InputError):
        collatio.parse([bomb])


def test_xml_saved_as_text_is_read_as_xml(tmp_path: Path) -> None:
    path = tmp_path / "transcription.txt"
    path.write_text('<text xml:id="t1"><p>I <del>sent</del><add>gave</add> it.</p></text>',
                    encoding="utf-8")
    assert choose_reader(path.read_bytes(), str(path)).reader.name == "tei"
    assert states(path) == {"ante": "I sent it.", "post": "I gave it."}


# --- parallel segmentation -----------------------------------------------------------------


def test_parallel_segmentation_of_my_own(tmp_path: Path) -> None:
    path = tmp_path / "p.xml"
    path.write_text(
        '<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt><title>P'
        '</title></titleStmt><sourceDesc><listWit><witness xml:id="A">first</witness>'
        '<witness xml:id="B">second</witness><witness xml:id="C">third</witness></listWit>'
        '</sourceDesc></fileDesc></teiHeader><text><body><p>The <app><lem wit="#A">black'
        '</lem><rdg wit="#B #C">white</rdg></app> cat <app><rdg wit="#A"/><rdg wit="#B">'
        'sat <app><rdg wit="#B">down</rdg></app></rdg><lem>ran</lem></app>.</p></body>'
        "</text></TEI>", encoding="utf-8")
    result = collatio.parse([path])
    assert result.sources[0].reader == "tei-parallel"
    texts = {w.siglum: " ".join(w.state("text").text.split()) for w in result.witnesses}
    assert texts == {"A": "The black cat .", "B": "The white cat sat down.",
                     "C": "The white cat ran."}
    assert [w.label for w in result.witnesses] == ["first", "second", "third"]


def vmachine(name: str) -> Path:
    return shared_path("corpora", "vmachine", name)


def test_faith_gives_its_seven_witnesses() -> None:
    result = collatio.parse([vmachine("faith.xml")])
    assert [w.siglum for w in result.witnesses] == [
        "a660", "h201", "h72", "p1891", "l1894", "cp32", "ll227"]
    # the readings' punctuation stands apart where the file's lines put it (whitespace is
    # never compared); joined here for reading
    lines = {w.siglum: re.sub(r" ([;,.!?-])", r"\1", " ".join(w.state("text").text.split()))
             for w in result.witnesses}
    assert lines["a660"].startswith('"Faith" is a fine invention When Gentlemen can see-')
    assert lines["p1891"].startswith("FAITH is a fine invention For gentlemen who see;")
    assert lines["h72"].endswith("In an Emergency!")
    assert lines["l1894"].endswith("In an emergency.")
    apparatus = collatio.collate([vmachine("faith.xml")])
    assert len(apparatus.witnesses) == 7 and apparatus.units


# --- the real corpora ---------------------------------------------------------------------


# Every XML file of ../shared/corpora read by `collatio parse` and `collatio collate` with no
# markup leaking: tests/test_readers_corpora.py.


def frankenstein(*parts: str) -> Path:
    return shared_path("corpora", "frankenstein", *parts)


def test_c28_states_and_the_seven_texts() -> None:
    names = ["1818", "1823", "1831", "Thomas", "msColl"]
    files = [frankenstein("C28", f"{name}.xml") for name in names]
    result = collatio.parse(files)
    thomas, ms = result.witness("Thomas"), result.witness("msColl")
    assert [s.id for s in thomas.states] == ["ante", "post"]
    assert [s.id for s in ms.states] == ["ante", "post"]
    ante, post = thomas.state("ante").text, thomas.state("post").text
    assert "prove to me the futility of pride" in ante
    assert "prove to me the futility of pride" not in post
    assert "inspire me with more philosophic sentiments" in post
    assert "What could induce me to talk thus incoherently of the dread that" in " ".join(
        post.split())  # "ful subject", struck inside the addition, is in no state
    # the manuscript as first written and as revised
    assert "embark to Havre" in " ".join(ms.state("post").text.split())
    assert "and from thence" in " ".join(ms.state("ante").text.split())
    assert "and thence" in " ".join(ms.state("post").text.split())
    # the 1818 print is the Thomas copy before Mary Shelley's hand
    assert result.witness("1818").state("text").text.split() == ante.split()
    apparatus = collatio.collate(files)
    assert apparatus.sigla == ("1818", "1823", "1831", "Thomas-ac", "Thomas-pc",
                               "msColl-ac", "msColl-pc")
    assert len(apparatus.units) > 50


def test_thomas_positions_are_pages() -> None:
    (witness,) = collatio.parse([frankenstein("C28", "Thomas.xml")]).witnesses
    offset = witness.source.index("inspire me")
    assert witness.position_at(offset) == {"page": "092"}


# --- properties -----------------------------------------------------------------------------


def _position_by_scanning(milestones: list[Milestone], offset: int) -> dict[str, str]:
    """What position_at means, the slow way: back from *offset* to the last page break."""
    found: dict[str, str] = {}
    for milestone in reversed([m for m in milestones if m.offset <= offset]):
        found.setdefault(milestone.unit, milestone.n)
        if milestone.unit == "page":
            break
    return {unit: found[unit] for unit in ("page", "column", "line") if unit in found}


@given(st.lists(st.tuples(st.integers(0, 30), st.sampled_from(["page", "line", "column",
                                                               "folio"]),
                          st.sampled_from(["1", "2", "1r"])), max_size=30),
       st.lists(st.integers(-1, 32), min_size=1, max_size=10))
@settings(max_examples=200, deadline=None)
def test_positions_are_the_last_milestones_back_to_the_page(
        marks: list[tuple[int, str, str]], offsets: list[int]) -> None:
    (plain,) = collatio.parse_text("x" * 40).witnesses
    milestones = [Milestone(o, unit, n) for o, unit, n in sorted(marks, key=lambda m: m[0])]
    witness = attrs.evolve(plain, milestones=tuple(milestones))
    for offset in offsets:
        assert witness.position_at(offset) == _position_by_scanning(milestones, offset)

_NAMES = ["p", "add", "del", "hi", "note", "lb", "gap", "unclear", "choice", "sic", "corr"]


@st.composite
def xml_documents(draw: st.DrawFn) -> str:
    words = st.sampled_from(["a", "b c", " ", "\n  ", "d&amp;e", "f&#233;", "g\n\nh"])

    def element(depth: int) -> str:
        name = draw(st.sampled_from(_NAMES))
        if name in ("lb", "gap") or depth > 3:
            return f"<{name}/>"
        children = draw(st.lists(st.one_of(words, st.just("*")), max_size=4))
        inner = "".join(element(depth + 1) if c == "*" else c for c in children)
        return f"<{name}>{inner}</{name}>"

    return f"<text>{element(0)}{draw(words)}{element(0)}</text>"


@given(xml_documents())
@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_reading_xml_is_lossless(tmp_path: Path, document: str) -> None:
    path = tmp_path / "x.xml"
    path.write_text(document, encoding="utf-8")
    (witness,) = collatio.parse([path]).witnesses
    # the span tree tiles the transcript
    assert "".join(leaf.text for leaf in leaves(witness.nodes)) == witness.source
    # the transcript's text is the document's character data, in order (whitespace aside)
    data = "".join(etree.fromstring(document.encode()).itertext())
    text = "".join(leaf.text for leaf in leaves(witness.nodes) if isinstance(leaf, Text))
    assert "".join(text.split()) == "".join(data.split())
    # every state maps back to the transcript, verbatim
    for state in witness.states:
        for piece in state.pieces:
            assert state.text[piece.start : piece.end] == witness.source[
                piece.source_start : piece.source_start + piece.length]


@given(st.binary(max_size=300))
@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@pytest.mark.parametrize("name", ["tei", "tei-parallel"])
def test_any_bytes_give_witnesses_or_a_located_error(tmp_path: Path, name: str,
                                                     data: bytes) -> None:
    path = tmp_path / "x.xml"
    path.write_bytes(b"<text>" + data + b"</text>")
    try:
        collatio.parse([path], from_=name)
    except CollatioError as error:
        assert error.path == str(path)
