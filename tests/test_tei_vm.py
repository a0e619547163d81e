"""The TEI output's Versioning-Machine flavour (``-O flavour=vm``).

The VM's schema (``schema/vmachine.rng`` in bleierr/v-machine) is not on PyPI, npm or Debian
and could not be had here, so the checks are derived from what can be: its samples
(``shared/corpora/vmachine/``) and its stylesheet's rules (``src/vmachine.xsl``: every
``witness[@xml:id]`` is a version; a version shows the text outside ``app`` and, in each
``app``, the readings whose ``@wit`` names it). The file must use only element nestings and
attributes the samples use, list exactly the collated texts as versions, and give each
version exactly its text. It must be TEI P5 too: it validates against ``tei_all.rng``.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, example, given, settings
from lxml import etree

import collatio
from collatio.apparatus import Apparatus
from collatio.cli import main
from collatio.errors import RenderError
from collatio.render import get_renderer
from tests.support.shared import shared_path
from tests.support.tei_schema import require_tei_schema
from tests.test_html import WORDS, two

ROOT = Path(__file__).resolve().parent.parent
SEED_002 = ROOT / "seeds" / "002_82ee7afc6dc33c74.txt"
TEI = "{http://www.tei-c.org/ns/1.0}"
NS = {"t": "http://www.tei-c.org/ns/1.0"}
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"


@pytest.fixture(scope="module")
def seed() -> Apparatus:
    with contextlib.chdir(ROOT):
        return collatio.collate([SEED_002.relative_to(ROOT)])


@pytest.fixture(scope="module")
def vm(seed: Apparatus) -> str:
    return get_renderer("tei", flavour="vm").render(seed)


@pytest.fixture(scope="module")
def tree(vm: str) -> etree._Element:
    return etree.fromstring(vm.encode("utf-8"))


def local(element: etree._Element) -> str:
    return etree.QName(element).localname


def usage(root: etree._Element) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """The (parent, child) element pairs and (element, attribute) pairs of a TEI tree."""
    nesting, attributes = set(), set()
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        parent = element.getparent()
        if parent is not None:
            nesting.add((local(parent), local(element)))
        for name in element.attrib:
            attributes.add((local(element), etree.QName(name).localname))
    return nesting, attributes


@pytest.fixture(scope="module")
def samples() -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """What the Versioning Machine's own sample files use."""
    files = sorted(shared_path("corpora", "vmachine").glob("*.xml"))
    assert len(files) >= 10
    nesting: set[tuple[str, str]] = set()
    attributes: set[tuple[str, str]] = set()
    for path in files:
        n, a = usage(etree.parse(str(path)).getroot())
        nesting |= n
        attributes |= a
    return nesting, attributes


def versions(root: etree._Element) -> dict[str, str]:
    """What the VM shows as each version: ``witness[@xml:id]``, and for each the text
    outside ``app`` plus the readings of each ``app`` whose ``@wit`` names it (notes, which
    the VM shows as icons, left out)."""
    body = root.find(f".//{TEI}body")
    out = {}
    for witness in root.iter(f"{TEI}witness"):
        ident = witness.get(XML_ID)
        if ident is None:
            continue
        parts: list[str] = []

        def walk(element: etree._Element, ident: str = ident, parts: list[str] = parts) -> None:
            if local(element) == "note":
                return
            if local(element) == "rdg" and f"#{ident}" not in element.get("wit", "").split():
                return
            if element.text:
                parts.append(element.text)
            for child in element:
                walk(child)
                if child.tail:
                    parts.append(child.tail)
            if local(element) == "p":
                parts.append(" ")

        walk(body)
        out[ident] = " ".join("".join(parts).split())
    return out


def test_the_versions_are_exactly_the_collated_texts(seed: Apparatus,
                                                     tree: etree._Element) -> None:
    # the standard flavour's nested listWit makes the VM list four versions, D among them
    assert set(versions(tree)) == set(seed.sigla) == {"F", "D-ac", "D-pc"}
    (list_wit,) = tree.findall(f".//{TEI}listWit")
    assert list_wit.getparent().getparent().tag == f"{TEI}front"
    assert [w.get(XML_ID) for w in list_wit] == ["F", "D-ac", "D-pc"]
    assert list_wit[1].text.startswith("Draft Message from Stalin to Mao Zedong (as first")
    assert not list_wit.findall(f".//{TEI}label")


def test_each_version_reads_its_text(seed: Apparatus, tree: etree._Element) -> None:
    shown = versions(tree)
    for siglum in seed.sigla:
        text = shown[siglum].replace("[…]", "")
        assert "".join(text.split()) == "".join(seed.witness_text(siglum).split()), siglum
    # the final's address and date lines are furniture, no words of its version
    assert shown["F"].startswith("I received your reply […]")


def test_only_what_the_vm_samples_use(tree: etree._Element,
                                      samples: tuple[set[tuple[str, str]], set[tuple[str, str]]]
                                      ) -> None:
    nesting, attributes = usage(tree)
    allowed_nesting, allowed_attributes = samples
    assert nesting - allowed_nesting == set()
    assert attributes - allowed_attributes == set()
    names = {name for pair in nesting for name in pair}
    for rejected in ("lem", "witDetail", "rdgGrp", "gap", "appInfo", "handNotes", "label",
                     "back", "seg", "milestone"):
        assert rejected not in names, rejected
    assert not tree.findall(f".//{TEI}listWit//{TEI}listWit")
    assert not tree.findall(f".//{TEI}body//{TEI}div")
    assert all(list(rdg.attrib) == ["wit"] for rdg in tree.iter(f"{TEI}rdg"))


def test_units_readings_and_the_hand(seed: Apparatus, tree: etree._Element) -> None:
    apps = tree.findall(f".//{TEI}app")
    assert [a.get("loc") for a in apps if a.get("loc")] == [u.id for u in seed.units]
    # the final's own apps: its furniture (the address, the date line, the dispatch note) and
    # the notes inside the dispatch note; its gap stands in the lacuna's app (u2)
    assert [a.get("loc") for a in apps].count(None) == 6
    by_loc = {a.get("loc"): a for a in apps}
    u1 = by_loc["u1"].findall(f"{TEI}rdg")
    assert [(r.get("wit"), r.text.strip()) for r in u1] == [
        ("#F", "reply"), ("#D-ac #D-pc", "response.")]
    # u2: the final's gap, one unit; each state of the draft reads its own text through it
    u2 = {r.get("wit"): r for r in by_loc["u2"].findall(f"{TEI}rdg")}
    assert set(u2) == {"#D-ac", "#D-pc", "#F"}
    assert u2["#D-ac"].findtext(f"{TEI}del") == "sending to Korea a"
    assert u2["#D-pc"].findtext(f"{TEI}add") == "minimum"
    # the final's gap: once, at the end of the paragraph its source has it in
    (gap,) = [r for r in tree.iter(f"{TEI}rdg") if r.get("wit") == "#F" and "[…]" in
              (r.text or "")]
    paragraph = gap.getparent().getparent()
    assert gap.getparent().getnext() is None and gap.getparent().get("loc") == "u2"
    # (the paragraph opens with the final's furniture, its address and date lines, as notes)
    assert "".join(paragraph.itertext()).split()[:8] == [
        "From", "cde.", "PHILIPPOV", "October", "5,", "1950", "I", "received"]
    u9 = by_loc["u9"].findall(f"{TEI}rdg")
    assert u9[0].get("wit") == "#F" and not u9[0].text and not len(u9[0])  # an omission
    notes = {n.text: n.get("type") for n in tree.iter(f"{TEI}note")}
    assert notes["platz-d'arme-trans."] == "translator"
    assert notes["Handwritten"] == "description"  # the final's own note: its reading only
    (handwritten,) = [n for n in tree.iter(f"{TEI}note") if n.text == "Handwritten"]
    assert handwritten.getparent().get("wit") == "#F"


def test_the_file_points_to_the_vm_and_says_what_it_is(vm: str, tree: etree._Element) -> None:
    assert vm.startswith('<?xml version="1.0" encoding="UTF-8"?>\n'
                         '<?xml-stylesheet href="../src/vmachine.xsl" type="text/xsl"?>\n'
                         '<?xml-model href="../schema/vmachine.rng"')
    intro = tree.find(f".//{TEI}notesStmt/{TEI}note[@type='critIntro']")
    assert "D-ac and D-pc are states of one document, D" in "".join(intro.itertext())
    assert tree.find(f".//{TEI}variantEncoding").get("method") == "parallel-segmentation"
    other = get_renderer("tei", flavour="vm", vm_stylesheet='my "vm".xsl').render(
        two("a b", "a c"))
    assert '<?xml-stylesheet href="my &quot;vm&quot;.xsl" type="text/xsl"?>' in other


@pytest.fixture(scope="module")
def tei_all() -> etree.RelaxNG:
    """``tei_all.rng``, compiled once here (skipped offline, failed under CI)."""
    return etree.RelaxNG(etree.parse(str(require_tei_schema())))


def test_the_vm_flavour_is_valid_tei(tei_all: etree.RelaxNG, tree: etree._Element) -> None:
    assert tei_all.validate(tree), tei_all.error_log
    standard = etree.fromstring(get_renderer("tei").render(two("a b c", "a x c")).encode())
    assert tei_all.validate(standard), tei_all.error_log


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(a=WORDS, b=WORDS)
# a moved block (a transposition unit) read once per version, not twice (found by this test)
@example(a=["<script>alert(1)</script>", "<SCRIPT/x>"],
         b=["<SCRIPT/x>", "<script>alert(1)</script>"])
def test_any_collation_gives_one_version_per_text(a: list[str], b: list[str]) -> None:
    witnesses = [w for text, name in ((" ".join(a), "A"), (" ".join(b), "x y"))
                 for w in collatio.parse_text(text, path=name, convention="plain").witnesses]
    app = collatio.collate_witnesses(witnesses)
    app = attrs.evolve(app, witnesses=tuple(attrs.evolve(w, label='label "<&>"\x07')
                                            for w in app.witnesses))
    root = etree.fromstring(get_renderer("tei", flavour="vm").render(app).encode("utf-8"))
    shown = versions(root)
    ids = [w.get(XML_ID) for w in root.iter(f"{TEI}witness")]
    assert list(shown) == ids and len(ids) == 2 and ids[0] == "A"
    assert all(re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", i) for i in ids)  # a name, escaped
    for ident, siglum in zip(ids, app.sigla, strict=True):
        # Whitespace (a form feed too) only separates words; other controls are replaced.
        expected = re.sub("[\x00-\x08\x0e-\x1b\ufffe\uffff\ud800-\udfff]",
                          "\ufffd", "".join(app.witness_text(siglum).split()))
        assert "".join(shown[ident].replace("[…]", "").split()) == expected
    assert {w.text for w in root.iter(f"{TEI}witness")} == {'label "<&>"\ufffd'}


def test_the_option_on_the_command_line(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "seed.vm.xml"
    with contextlib.chdir(ROOT):
        assert main(["collate", str(SEED_002), "--format", "tei", "-O", "flavour=vm",
                     "-o", str(out)]) == 0
    assert set(versions(etree.parse(str(out)).getroot())) == {"F", "D-ac", "D-pc"}
    with pytest.raises(RenderError, match="'flavour' of the tei format takes one of standard"):
        get_renderer("tei", flavour="nosuch").render(two("a", "b"))


def test_a_moved_passage_is_named_in_the_introduction_and_read_once() -> None:
    app = two("Zhou Enlai came to Moscow today .", "Enlai Zhou came to Moscow today .")
    moves = [u for u in app.units if u.type.value == "transposition"]
    assert moves  # the inversion is a transposition
    root = etree.fromstring(get_renderer("tei", flavour="vm").render(app).encode("utf-8"))
    intro = root.find(f".//{TEI}note[@type='critIntro']/{TEI}p").text
    assert f"Moved passages (each version reads them at its own place): {moves[0].id} " in intro
    assert not [a for a in root.iter(f"{TEI}app") if a.get("loc") == moves[0].id]
    for ident, siglum in zip(versions(root), app.sigla, strict=True):
        shown = "".join(versions(root)[ident].split())
        assert shown == "".join(app.witness_text(siglum).split())
