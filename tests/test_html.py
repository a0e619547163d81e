"""The HTML page: structure, escaping, and how headless Chromium loads, shows and prints it.

The Chromium tests need the ``chromium`` executable and fail (never skip) without it. Set
``COLLATIO_UPDATE_SCREENSHOTS=1`` to rewrite ``docs/images/seed-apparatus-html.png``.
"""

from __future__ import annotations

import contextlib
import os
import re
import struct
import zlib
from importlib import resources
from itertools import pairwise
from pathlib import Path

import attrs
import lxml.html
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import collatio
from collatio.apparatus import Apparatus
from collatio.apparatus.model import CollatedWitness
from collatio.diagnostics import Diagnostic, Severity
from collatio.render import get_renderer, renderer_for_filename
from collatio.render.html import HTMLRenderer, visible
from tests.support import chromium

ROOT = Path(__file__).resolve().parent.parent
SEED_002 = ROOT / "seeds" / "002_82ee7afc6dc33c74.txt"
SCREENSHOT = ROOT / "docs" / "images" / "seed-apparatus-html.png"
SIGLA = ("F", "D-ac", "D-pc")
#: Every element the page may contain; anything else would be markup from witness text.
TAGS = {
    "html", "head", "meta", "title", "style", "body", "a", "header", "div", "h1", "h2", "h3",
    "span", "bdi", "p", "nav", "ul", "li", "main", "section", "table", "caption", "thead",
    "tbody", "tr", "th", "td", "i", "b", "abbr", "sup", "ol", "details", "summary", "mark",
    "article", "ins", "del", "em", "br", "wbr", "footer", "script", "figure", "figcaption",
    "label", "input",
}
#: The page's one script: static, shipped beside the template; no data is written into it.
SCRIPT = resources.files("collatio.render").joinpath(
    "templates", "partials", "edition.js").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def seed() -> Apparatus:
    with contextlib.chdir(ROOT):  # source paths as a user in the repository sees them
        return collatio.collate([SEED_002.relative_to(ROOT)])


@pytest.fixture(scope="module")
def page(seed: Apparatus) -> str:
    return get_renderer("html").render(seed)


@pytest.fixture(scope="module")
def doc(page: str) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(page)


def two(a: str, b: str) -> Apparatus:
    witnesses = [w for text, name in ((a, "A"), (b, "B"))
                 for w in collatio.parse_text(text, path=name, convention="plain").witnesses]
    return collatio.collate_witnesses(witnesses)


def text(element: lxml.html.HtmlElement) -> str:
    return " ".join(element.text_content().split())


def entry(doc: lxml.html.HtmlElement, ident: str) -> lxml.html.HtmlElement:
    (found,) = doc.xpath("//li[@id=$id]", id=f"app-{ident}")
    return found


def readings(element: lxml.html.HtmlElement) -> list[str]:
    """The readings of one entry (not of the sub-entries nested in it)."""
    return [e.text_content() for e in element.xpath(
        "div[@class='body']/span[@class='lem' or @class='rdg']//bdi[contains(@class, "
        "'rdg-text')]")]


def synopsis_column(doc: lxml.html.HtmlElement, siglum: str) -> str:
    """One witness's text read down its synopsis column, shared rows included."""
    parts = []
    for row in doc.xpath("//table[contains(@class, 'synopsis')]/tbody/tr"):
        if "shared" in row.get("class"):
            parts.append(row.xpath("td[2]")[0].text_content())
        else:
            (cell,) = row.xpath("td[@data-wit=$s]", s=siglum)
            parts.extend(cell.xpath(".//bdi[@class='syn-text']//text()"))
    return " ".join(parts)


def interleaved(app: Apparatus, siglum: str) -> str:
    """The flow with *siglum*'s readings, transposed blocks at the base's place (what the
    synopsis column shows; ``Apparatus.witness_text`` leaves transposed blocks out)."""
    parts = [app.flow[0]]
    for unit, after in zip(app.units, app.flow[1:], strict=True):
        reading = unit.reading_of(siglum)
        parts += [reading.text if reading else "", after]
    return " ".join(parts)


def squeezed(value: str) -> str:
    return "".join(value.split())


# --- the renderer ---------------------------------------------------------------------------


def test_registered_under_its_names_and_file_names() -> None:
    renderer = get_renderer("html")
    assert isinstance(renderer, HTMLRenderer) and isinstance(get_renderer("HTM"), HTMLRenderer)
    assert (renderer.media_type, renderer.extension) == ("text/html", ".html")
    assert renderer_for_filename("out/apparatus.html").name == "html"
    assert renderer_for_filename("A.HTM").name == "html"


def test_template_is_package_data_and_never_marks_text_safe() -> None:
    from collatio.render.html import _ENV

    templates = resources.files("collatio.render").joinpath("templates")
    sources = [templates.joinpath("apparatus.html.j2").read_text(encoding="utf-8")]
    partials = templates.joinpath("partials")
    sources += [f.read_text(encoding="utf-8") for f in partials.iterdir()
                if f.name.endswith(".j2")]
    assert len(sources) >= 4
    assert _ENV.autoescape is True
    for source in sources:
        assert "|safe" not in source.replace(" ", "") and "autoescape false" not in source
        assert "http" not in source
    # the one script element holds the static script, never data
    assert sum(source.count("<script") for source in sources) == 1
    assert "<script>\n{{ script }}\n</script>" in sources[0]
    assert "http" not in SCRIPT and "</script" not in SCRIPT.lower() and "<!--" not in SCRIPT


def test_output_is_deterministic(seed: Apparatus, page: str) -> None:
    with contextlib.chdir(ROOT):
        again = collatio.collate([SEED_002.relative_to(ROOT)])
    assert get_renderer("html").render(again) == page
    assert page.endswith("</html>\n")


# --- the page's structure -----------------------------------------------------------------


def test_page_is_one_accessible_html5_document(page: str, doc: lxml.html.HtmlElement) -> None:
    assert page.startswith("<!doctype html>\n<html lang=\"en\"")
    assert doc.xpath("/html/head/meta[@charset='utf-8']")
    assert "Final Message from Stalin to Mao Zedong" in doc.findtext(".//title")
    for landmark in ("header", "main", "nav", "footer"):
        assert len(doc.findall(f".//{landmark}")) == 1, landmark
    assert doc.xpath("//nav/@aria-label") == ["Contents"]
    skip = doc.xpath("//body/div[@class='collatio']/*[1]")[0]
    assert skip.get("href") == "#main" and text(skip) == "Skip to main content"
    levels = [int(h.tag[1]) for h in doc.iter("h1", "h2", "h3", "h4")]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b <= a + 1 for a, b in pairwise(levels)), levels
    for table in doc.iter("table"):
        assert text(table.find("caption")), "every table has a caption"
        assert all(th.get("scope") in ("col", "row") for th in table.iter("th"))
    for link in doc.iter("a"):
        assert text(link) or link.get("aria-label"), lxml.html.tostring(link)


def test_page_is_self_contained(page: str, doc: lxml.html.HtmlElement) -> None:
    assert not doc.xpath("//link | //img | //iframe | //object | //@src")
    assert [script.text.strip() for script in doc.iter("script")] == [SCRIPT.strip()]
    assert not [a for e in doc.iter() for a in e.attrib if a.startswith("on")]
    assert {e.tag for e in doc.iter() if isinstance(e.tag, str)} <= TAGS
    style = "".join(doc.xpath("//style/text()"))
    assert "url(" not in style and "@import" not in style and "@font-face" not in style
    ids = doc.xpath("//@id")
    assert len(ids) == len(set(ids)), "ids are unique"
    targets = {href[1:] for href in doc.xpath("//a/@href")}
    assert all(not href.startswith(("http:", "https:", "//")) for href in doc.xpath("//@href"))
    assert targets <= set(ids), targets - set(ids)


def test_sigla_legend(doc: lxml.html.HtmlElement) -> None:
    (table,) = doc.xpath("//section[@id='sigla']//table")
    rows = table.xpath("tbody/tr")
    assert [text(r.xpath("th")[0]).split()[0] for r in rows] == list(SIGLA)
    assert "1950-10-05" in text(rows[0]) and "seeds/002_82ee7afc6dc33c74.txt" in text(rows[0])
    assert "ante correctionem" in text(rows[1]) and "post correctionem" in text(rows[2])
    assert "D-ac and D-pc are states of one document, D" in text(doc.get_element_by_id("sigla"))


def test_base_text_marks_every_unit(seed: Apparatus, doc: lxml.html.HtmlElement) -> None:
    base = doc.xpath("//section[@id='text']//div[@class='base']")[0]
    for unit in seed.units:
        (mark,) = base.xpath(".//*[@id=$id]", id=f"txt-{unit.id}")
        if unit.lemma is not None and unit.lemma.text:
            assert mark.get("href") == f"#app-{unit.id}"
            # a lemma cut by a paragraph break is a mark in each paragraph
            pieces = base.xpath(".//a[@href=$href]/bdi", href=f"#app-{unit.id}")
            assert " ".join(p.text_content() for p in pieces) == unit.lemma.text
    reply = base.xpath(".//a[@id='txt-u1']")[0]
    assert text(reply) == "reply, unit 1" and "substitution" in reply.get("class")
    addition = base.xpath(".//a[@id='txt-u7']")[0]
    assert "‸" in text(addition) and "insertion" in addition.get("class")
    (lacuna,) = base.xpath(".//span[@class='lacmark']")  # one lacuna, one mark
    assert text(lacuna).startswith("[…] lacuna in F, unit 2")
    assert "I received your reply" in text(base)
    # the dispatch note after the letter is furniture, set aside: not the base text
    assert "Dispatched to cde. Bulganiin" not in text(base)


def test_apparatus_entries(seed: Apparatus, doc: lxml.html.HtmlElement) -> None:
    entries = doc.xpath("//section[@id='apparatus']/ol[@class='app']/li")
    assert [e.get("id") for e in entries] == [f"app-{u.id}" for u in seed.units]
    for number, (element, unit) in enumerate(zip(entries, seed.units, strict=True), 1):
        back = element.xpath("a[@class='n']")[0]
        assert back.get("href") == f"#txt-{unit.id}" and text(back) == str(number)
        assert readings(element) == [r.text for r in unit.readings if r.text]
    assert text(entry(doc, "u1")) == "1 ¶1 reply ] F response. D-ac D-pc substitution"
    assert "very D-pc (added by hand)" in text(entry(doc, "u7"))
    lacuna = entry(doc, "u2")
    assert text(lacuna).startswith("2 D-ac ¶2 […] ] lacuna in F I considered it possible")
    # the draft's revisions inside the lacuna: sub-entries 2.1 ... 2.13, linked back to the
    # lacuna's mark in the text
    subs = lacuna.xpath("div[@class='body']/ol[contains(@class, 'sub')]/li")
    assert [text(s.xpath("a[@class='n']")[0]) for s in subs] == [
        f"2.{k}" for k in range(1, 14)]
    assert all(s.xpath("a[@class='n']/@href") == ["#txt-u2"] for s in subs)
    assert "sending to Korea a D-ac (deleted by hand)" in text(entry(doc, "u2.1"))
    assert "(D-pc: “against China” struck inside an insertion (35:879))" in text(
        entry(doc, "u2.2"))
    long = lacuna.xpath("div[@class='body']/span[@class='rdg']//details")
    assert len(long) == 1 and "349 words; show all" in text(long[0].find("summary"))


def test_minor_and_transposed_readings_are_flagged() -> None:
    minor = lxml.html.document_fromstring(get_renderer("html").render(two("War is.", "war is.")))
    assert "minor" in text(entry(minor, "u1"))
    moved = two("one two three four five six seven eight nine ten eleven twelve",
                "one two seven eight nine ten three four five six eleven twelve")
    doc = lxml.html.document_fromstring(get_renderer("html").render(moved))
    (unit,) = [u for u in moved.units if u.type.value == "transposition"]
    assert "A ¶1, words 3–6" in text(entry(doc, unit.id))
    assert "B ¶1, words 7–10" in text(entry(doc, unit.id))
    # the units at the block's places hold its words, noting where they went
    assert f"moved: see unit {unit.id.removeprefix('u')}" in text(doc)
    base = doc.xpath("//div[@class='base']")[0]
    assert text(base).startswith("one two three four five six")


def test_synopsis_has_a_column_per_text(seed: Apparatus, doc: lxml.html.HtmlElement) -> None:
    (table,) = doc.xpath("//table[contains(@class, 'synopsis')]")
    assert [text(th) for th in table.xpath("thead/tr/th")] == ["Unit", *SIGLA]
    rows = table.xpath("tbody/tr[contains(@class, 'unit')]")
    assert len(rows) == len(seed.units)
    u1 = table.xpath(".//tr[@id='syn-u1']")[0]
    cells = {td.get("data-wit"): td for td in u1.xpath("td")}
    assert text(cells["F"]) == "reply" and cells["F"].find(".//mark") is None
    assert cells["D-ac"].xpath("mark/bdi/text()") == ["response."]
    lacunose = table.xpath(".//tr[@id='syn-u2']/td[@data-wit='F']")[0]
    assert lacunose.get("class") == "lacunose" and text(lacunose) == "lacuna"
    for siglum in SIGLA:
        assert squeezed(synopsis_column(doc, siglum)) == squeezed(seed.witness_text(siglum))


def test_documents_show_hand_revisions(doc: lxml.html.HtmlElement) -> None:
    articles = doc.xpath("//section[@id='documents']/article")
    assert [text(a.find("h3")).split(":")[0] for a in articles] == ["F", "D (D-ac, D-pc)"]
    draft = articles[1]
    assert len(draft.findall("p")) > 8
    assert "minimum" in draft.xpath(".//ins[@class='add']/text()")
    assert "sending to Korea a" in draft.xpath(".//del[@class='del']/text()")
    assert "against China" in draft.xpath(".//ins/del/text()")
    assert "the factors" in draft.xpath(".//del/ins/text()")
    notes = [text(n) for n in draft.xpath(".//span[contains(@class, 'note')]")]
    assert "[Jiang Jieshi]" in notes and "[platz-d'arme-trans.]" in notes
    assert draft.xpath(".//ins/span[contains(@class, 'note-translator')]")
    final = articles[0]
    assert [text(g) for g in final.xpath(".//span[@class='gap']")] == ["[…]"]
    assert "[high frequency phone]" in text(final)


def test_revision_report_table(seed: Apparatus, doc: lxml.html.HtmlElement) -> None:
    (table,) = doc.xpath("//section[@id='revisions']/table")
    assert text(table.find("caption")).startswith("Hand revisions of D and their fate in F:")
    rows = table.xpath("tbody/tr")
    assert len(rows) == len(seed.revisions)
    fates = {text(r.xpath("td[2]")[0]): text(r.xpath("td[4]")[0]) for r in rows}
    assert fates["very"] == "not adopted" and fates["Respectfully"] == "adopted"
    partly = next(r for r in rows if text(r.xpath("td[4]")[0]) == "partly reappears")
    assert ("F reads: Of course, you should know the domestic situation in China better than "
            "anybody else") in text(partly)
    assert partly.xpath("td[6]/a/@href") == ["#app-u10", "#app-u11"]
    assert fates["in general"] == "recast"


def test_diagnostics_listed(seed: Apparatus, doc: lxml.html.HtmlElement) -> None:
    items = doc.xpath("//section[@id='diagnostics']//li")
    assert len(items) == len(seed.diagnostics) == 2
    assert "seeds/002_82ee7afc6dc33c74.txt:39:926" in text(items[1])
    assert "[unmatched-close]" in text(items[1])


def test_no_units_no_revisions_no_diagnostics() -> None:
    same = two("One text.", "One text.")
    doc = lxml.html.document_fromstring(get_renderer("html").render(same))
    assert "The texts agree: there are no variation units." in text(doc)
    assert not doc.xpath("//section[@id='revisions'] | //section[@id='diagnostics']")
    assert text(doc.xpath("//div[@class='base']")[0]) == "One text."


def test_long_readings_fold_by_option(seed: Apparatus) -> None:
    unfolded = get_renderer("html", long_words=0).render(seed)
    assert "<details" not in unfolded
    folded = lxml.html.document_fromstring(get_renderer("html", long_words=5).render(seed))
    assert len(folded.xpath("//ol[@class='app']//details")) > 15


# --- escaping -----------------------------------------------------------------------------


def test_visible_escapes_what_html_forbids() -> None:
    assert visible("a\x00b\x07\x0b\x0c\r\x1b\x7f\x85\x9f") == (
        "a\\x00b\\x07\\x0b\\x0c\\x0d\\x1b\\x7f\\x85\\x9f")
    assert visible("\ufdd0\ufffe\U0001ffff\ud800") == "\\ufdd0\\ufffe\\U0001ffff\\ud800"
    assert visible("\u202eevil\u202c \u2067x\u2069") == "\\u202eevil\\u202c \\u2067x\\u2069"
    kept = "tab\tnew\nline «Мао» 毛泽东 שלום مرحبا \u200f\u200e\u00a0"
    assert visible(kept) == kept


HOSTILE = st.sampled_from([
    "<script>alert(1)</script>", "<SCRIPT/x>", "&", "&amp;", "&lt;", '"', "'", "]]>",
    "</textarea>", "<!--", "-->", "<![CDATA[x]]>", "{{ 7*7 }}", "{% raw %}", "\x00", "\x07",
    "\x1b[31m", "\x0c", "\x7f", "\ufffe", "\u202e", "\u2066", "שלום", "مرحبا", "毛泽东", "Мао",
    "Kaesŏng", "<img src=x onerror=alert(1)>", "javascript:alert(1)", "war", "peace",
])
FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufffe\uffff]")
WORDS = st.lists(st.one_of(HOSTILE, st.text(min_size=1, max_size=4)), min_size=1, max_size=8)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(a=WORDS, b=WORDS, label=st.one_of(HOSTILE, st.text(max_size=8)))
def test_hostile_text_stays_text(a: list[str], b: list[str], label: str) -> None:
    app = two(" ".join(a), " ".join(b))
    witnesses = tuple(attrs.evolve(w, label=label + w.label, path=label) for w in app.witnesses)
    diagnostic = Diagnostic(Severity.WARNING, "hostile", label, path=label, line=1, column=1)
    app = attrs.evolve(app, witnesses=witnesses, diagnostics=(diagnostic,))
    page = get_renderer("html").render(app)
    assert not FORBIDDEN.search(page)
    doc = lxml.html.document_fromstring(page)
    assert not doc.xpath("//img | //@onerror | //@src")
    assert [script.text.strip() for script in doc.iter("script")] == [SCRIPT.strip()]
    assert {e.tag for e in doc.iter() if isinstance(e.tag, str)} <= TAGS
    for unit in app.units:
        element = entry(doc, unit.id)
        assert readings(element) == [visible(r.text) for r in unit.readings if r.text]
        assert all(e.tag == "bdi" for e in element.xpath(".//*[contains(@class, 'rdg-text')]"))
    for siglum in app.sigla:
        expected = visible(" ".join(interleaved(app, siglum).split()))
        assert squeezed(synopsis_column(doc, siglum)) == squeezed(expected)
    labels = doc.xpath("//section[@id='sigla']//tbody/tr/td[1]/bdi/text()")
    assert labels == [visible(w.label) for w in witnesses if w.label]
    assert text(doc.xpath("//ul[@class='diagnostics']/li")[0]).endswith("[hostile]")


def test_hostile_labels_cannot_break_attributes() -> None:
    app = two("a b", "a c")
    evil = CollatedWitness("X", "X", "text", 'x" onmouseover="alert(1)\x07', None, "p")
    app = attrs.evolve(app, witnesses=(app.witnesses[0], attrs.evolve(evil, siglum="B")))
    doc = lxml.html.document_fromstring(get_renderer("html").render(app))
    titles = doc.xpath("//abbr[text()='B']/@title")
    assert titles and set(titles) == {'x" onmouseover="alert(1)\\x07'}
    assert not doc.xpath("//@onmouseover")


# --- in headless Chromium -------------------------------------------------------------------


def test_chromium_is_installed() -> None:
    assert Path(chromium.find_chromium()).exists()


BROKEN = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>broken</title>
</head><body><p>broken</p><img src="missing.png" alt="missing">
<script>console.error("logged-error"); notDefined();</script></body></html>
"""


def test_console_error_detector_sees_errors(tmp_path: Path) -> None:
    broken = tmp_path / "broken.html"
    broken.write_text(BROKEN, encoding="utf-8")
    report = chromium.inspect(broken, ["document.title"])
    assert report.values == ("broken",)
    assert any("console.error: logged-error" in e for e in report.errors), report.errors
    assert any("ReferenceError: notDefined" in e for e in report.errors), report.errors
    assert any("ERR_FILE_NOT_FOUND" in e and "missing.png" in e for e in report.errors)


CHECKS = [
    "document.title",
    "document.querySelectorAll('#apparatus > ol.app > li').length",
    "document.scripts.length",
    "getComputedStyle(document.querySelector('nav')).display",
    "document.querySelector('details.long .rdg-text').checkVisibility()",
    "[...document.querySelectorAll('table.synopsis thead th')].map(th => th.textContent)",
]
PRINT_CHECKS = [
    "getComputedStyle(document.querySelector('nav')).display",
    "getComputedStyle(document.querySelector('.skip')).display",
    "[...document.querySelectorAll('details.long .rdg-text')].every(e => e.checkVisibility())",
    "getComputedStyle(document.querySelector('details.long > summary')).display",
    "getComputedStyle(document.querySelector('ol.app > li')).breakInside",
]


def test_seed_page_loads_without_console_errors_and_prints(tmp_path: Path, page: str) -> None:
    path = tmp_path / "seed apparatus.html"
    path.write_text(page, encoding="utf-8")
    report = chromium.inspect(path, CHECKS, PRINT_CHECKS)
    assert report.errors == ()
    title, entries, scripts, nav, folded, heads = report.values
    assert "Final Message from Stalin to Mao Zedong" in title
    assert (entries, scripts, nav, heads) == (15, 1, "block", ["Unit", *SIGLA])
    assert folded is False, "a long reading is folded on screen"
    assert report.print_values == ("none", "none", True, "none", "avoid")
    assert report.screenshot.startswith(b"\x89PNG")


def test_dump_dom_holds_the_apparatus(tmp_path: Path, page: str) -> None:
    path = tmp_path / "seed.html"
    path.write_text(page, encoding="utf-8")
    dom = chromium.dump_dom(path)
    doc = lxml.html.document_fromstring(dom)
    assert len(doc.xpath("//section[@id='apparatus']/ol[@class='app']/li")) == 15
    assert len(doc.xpath("//ol[contains(@class, 'sub')]/li")) == 15
    assert text(entry(doc, "u1")) == "1 ¶1 reply ] F response. D-ac D-pc substitution"
    assert [text(th) for th in doc.xpath("//section[@id='sigla']//tbody/tr/th")] == [
        "F base", "D-ac", "D-pc"]


def test_hostile_page_is_inert_in_chromium(tmp_path: Path) -> None:
    app = two("a <script>document.title='pwned'</script> <img src=x onerror=alert(1)> \x07 "
              "\u202eשלום 毛泽东 ]]> </textarea> b", "a b")
    path = tmp_path / "hostile.html"
    path.write_text(get_renderer("html").render(app), encoding="utf-8")
    report = chromium.inspect(path, [
        "document.scripts.length + document.images.length",
        "document.title",
        "document.querySelector('#app-u1 .rdg-text').textContent",
    ])
    assert report.errors == ()
    count, title, reading = report.values
    assert count == 1 and "pwned" not in title  # the page's own script, no image
    assert reading == visible(app.units[0].readings[0].text)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def png_byte_variety(data: bytes) -> int:
    """How many distinct byte values the image's decompressed pixel rows hold."""
    chunks, at = [], 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at:at + 4])
        if data[at + 4:at + 8] == b"IDAT":
            chunks.append(data[at + 8:at + 8 + length])
        at += length + 12
    return len(set(zlib.decompress(b"".join(chunks))))


def test_screenshot_of_the_seed(tmp_path: Path, page: str) -> None:
    path = tmp_path / "seed.html"
    path.write_text(page, encoding="utf-8")
    shot = chromium.screenshot(path, tmp_path / "seed.png", size=(1280, 2000))
    data = shot.read_bytes()
    assert png_size(data) == (1280, 2000)
    assert 60_000 < len(data) < 1_000_000, len(data)
    assert png_byte_variety(data) > 100, "the screenshot is not blank"
    if os.environ.get("COLLATIO_UPDATE_SCREENSHOTS"):
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        SCREENSHOT.write_bytes(data)
    documented = SCREENSHOT.read_bytes()
    assert png_size(documented) == (1280, 2000) and len(documented) < 1_000_000
