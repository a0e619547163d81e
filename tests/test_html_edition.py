"""The HTML edition's reading views, what a reader uses instead of Juxta or the Versioning
Machine: the base text as a heat map, in the source's paragraphs with its gaps where the
source has them; the variation histogram; every text in full side by side. Then the page's
CSS scoping (shown inside a notebook it restyles nothing), its linear size, and in headless
Chromium: the columns scroll together, a click or a key brings a unit into view in every
column, the page is whole without JavaScript and prints every text.

``COLLATIO_UPDATE_SCREENSHOTS=1`` rewrites the pictures in ``docs/images/`` (seed-heatmap,
seed-side-by-side, darwin-side-by-side).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import math
import os
import random
import re
import time
from pathlib import Path

import attrs
import lxml.html
import pytest
from hypothesis import HealthCheck, given, settings

import collatio
from collatio.apparatus import Apparatus
from collatio.render import get_renderer
from collatio.render._html_views import HEAT_LEVELS, heat_level, histogram, unit_stats
from collatio.render.html import visible
from tests.support import chromium
from tests.support.shared import shared_path
from tests.test_html import SCRIPT, WORDS, png_byte_variety, png_size, two

ROOT = Path(__file__).resolve().parent.parent
SEED_002 = ROOT / "seeds" / "002_82ee7afc6dc33c74.txt"
IMAGES = ROOT / "docs" / "images"
SIGLA = ("F", "D-ac", "D-pc")
#: Text a reader does not read as the witness's words: hidden labels, carets, unit numbers,
#: lacuna and gap marks, the note that a text is empty.
NOT_TEXT = ("contains(concat(' ', @class, ' '), ' vh ') or @aria-hidden='true' or self::sup"
            " or contains(@class, 'note-text')"
            " or contains(@class, 'lacuna') or contains(@class, 'gapmark')"
            " or contains(@class, 'lacmark') or contains(@class, 'caret')")


@pytest.fixture(scope="module")
def seed() -> Apparatus:
    with contextlib.chdir(ROOT):
        return collatio.collate([SEED_002.relative_to(ROOT)])


@pytest.fixture(scope="module")
def page(seed: Apparatus) -> str:
    return get_renderer("html").render(seed)


@pytest.fixture(scope="module")
def doc(page: str) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(page)


@pytest.fixture(scope="module")
def seed_file(page: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("edition") / "seed.html"
    path.write_text(page, encoding="utf-8")
    return path


def words(element: lxml.html.HtmlElement) -> str:
    """What a reader reads as the text's words in *element*, whitespace folded."""
    parts = element.xpath(f".//text()[not(ancestor::*[{NOT_TEXT}])]")
    return " ".join("".join(parts).split())


def folded(text: str) -> str:
    return " ".join(text.split())


def columns(doc: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    return doc.xpath("//div[@class='sbs']/article")


def covered(column: lxml.html.HtmlElement) -> list[int]:
    """The unit numbers the passages of a column account for, in order."""
    out: list[int] = []
    for mark in column.xpath(".//a[@data-u]"):
        first = int(mark.get("data-u"))
        out.extend(range(first, int(mark.get("data-to", first)) + 1))
    return out


# --- the base text: paragraphs, gaps, heat ---------------------------------------------------


def test_base_text_keeps_the_sources_paragraphs_and_its_gap(doc: lxml.html.HtmlElement) -> None:
    paragraphs = [words(p) for p in doc.xpath("//div[@class='base']/p")]
    # the seed's final: "I received your reply [...]" / "Your reply contains ..." are two
    # paragraphs, the gap ends the first (its address and date lines before it, and its
    # dispatch note at the end, are furniture, not text)
    assert paragraphs[0] == "I received your reply"
    assert paragraphs[1].startswith("Your reply contains one consideration")
    first = doc.xpath("//div[@class='base']/p")[0]
    assert " ".join(first.text_content().split()).startswith(
        "I received your reply, unit 1 […] lacuna in F, unit 2")
    assert paragraphs[-1] == "5 October 1950"
    assert len(paragraphs) == 7  # the final's paragraphs


def test_a_lemma_cut_by_a_paragraph_break_is_a_mark_in_each() -> None:
    # the base's break falls inside words the other text reads otherwise, without a break:
    # not a clean break, so one unit (see docs/apparatus.md), a mark in each paragraph
    app = two("one two three four\n\nfive six seven eight", "one two three nine ten seven eight")
    doc = lxml.html.document_fromstring(get_renderer("html").render(app))
    first, second = doc.xpath("//div[@class='base']/p[position() <= 2]/a[@href='#app-u1']")
    assert (first.get("id"), first.find("sup")) == ("txt-u1", None)
    assert second.get("id") is None and second.findtext("sup") == "1"
    assert words(first) == "four" and words(second) == "five six"


def test_heat_map_shades_each_unit_by_how_many_texts_differ(seed: Apparatus,
                                                            doc: lxml.html.HtmlElement) -> None:
    base = doc.xpath("//div[@class='base']")[0]
    others = len(seed.witnesses) - 1
    levels = []
    for unit in seed.units:
        if unit.lemma is None or not unit.lemma.text:
            continue
        # counted here from the readings, independently of the renderer's own helpers
        differ = sum(len(r.witnesses) for r in unit.readings if r is not unit.lemma)
        expected = math.ceil(HEAT_LEVELS * differ / others)
        for mark in base.xpath(".//a[@href=$h]", h=f"#app-{unit.id}"):
            assert f"h{expected}" in mark.get("class").split(), (unit.id, mark.get("class"))
            assert mark.get("title").startswith(f"unit {unit.id[1:]} ({unit.type.value}): "
                                                f"{differ} of {others} other text")
        levels.append(expected)
    # both of the draft's states differ wherever the final has words (and one of them
    # alone, 3, only where the final reads as the other: none in the seed)
    assert set(levels) <= {3, 5} and 5 in levels
    key = [words(s) for s in doc.xpath("//section[@id='text']//span[contains(@class,'swatch')]")]
    assert key == ["1 text differs", "2 texts differ"]


def test_heat_levels_spread_over_the_texts() -> None:
    assert [heat_level(n, 5) for n in range(6)] == [0, 1, 2, 3, 4, 5]
    assert [heat_level(n, 2) for n in range(3)] == [0, 3, 5]
    assert [heat_level(n, 20) for n in (1, 4, 5, 20)] == [1, 1, 2, 5]
    assert heat_level(None, 3) == 0 and heat_level(1, 0) == 0


def test_histogram_along_the_base_text(seed: Apparatus, doc: lxml.html.HtmlElement) -> None:
    bars = doc.xpath("//figure[@class='hist']/ol[@class='bars']/li")
    bins = histogram(seed, unit_stats(seed))
    assert 20 <= len(bars) == len(bins) <= 60
    assert bins[0].start == 0 and bins[-1].end == len(seed.token_list("F"))
    assert all(a.end == b.start for a, b in itertools.pairwise(bins))
    heights = [int(re.fullmatch(r"--h: (\d+)%", bar.get("style")).group(1)) for bar in bars]
    assert max(heights) == 100 and min(heights) == 0
    ids = set(doc.xpath("//@id"))
    for bar in bars:
        link = bar.find("a")
        assert link is None or link.get("href")[1:] in ids
        assert bar.get("title") == words(bar) or bar.get("title") == bar.text_content()
    # the final's one gap (after token 3, "reply") is in a hatched bar: unit 1 ("reply")
    # and the lacuna, unit 2, in it
    (lacuna,) = [bar for bar in bars if bar.get("class") == "lac"]
    assert "a lacuna of F" in lacuna.get("title") and "units 1–2;" in lacuna.get("title")
    # a bar of words all three texts share has no height
    assert bars[heights.index(0)].find("a") is None


# --- the side-by-side view -------------------------------------------------------------------


def test_side_by_side_has_every_text_in_full(seed: Apparatus, doc: lxml.html.HtmlElement) -> None:
    cols = columns(doc)
    assert [c.xpath("string(h3/abbr)") for c in cols] == list(SIGLA)
    assert doc.xpath("//div[@class='sbs']/@data-units") == [str(len(seed.units))]
    for column, siglum in zip(cols, SIGLA, strict=True):
        tokens = seed.token_list(siglum)
        assert words(column.xpath("div[@class='sbs-text']")[0]) == folded(tokens.rebuild())
        paragraphs = column.xpath("div[@class='sbs-text']/p")
        assert len(paragraphs) == len(set(tokens.paragraphs))
        # a positive view: every unit has its passage (or mark) in every column, in order
        assert sorted(set(covered(column))) == list(range(1, len(seed.units) + 1))
    assert words(cols[1].xpath(".//p")[0]) == "I received your response."  # the draft's own


def test_side_by_side_marks_variants_and_the_hand(doc: lxml.html.HtmlElement) -> None:
    f, d_ac, d_pc = columns(doc)

    def passage(column: lxml.html.HtmlElement, unit: int) -> lxml.html.HtmlElement:
        return column.xpath(".//a[@data-u=$u]", u=str(unit))[0]

    assert passage(f, 1).get("class") == "v differ" and words(passage(f, 1)) == "reply"
    assert passage(d_ac, 1).get("class") == "v differ" and words(passage(d_ac, 1)) == "response."
    # inside the final's lacuna (unit 2): the draft's words the final lacks, shared by its
    # states, and its states compared, each sub-unit a passage that leads to its sub-entry
    pieces = {column: column.xpath(".//a[@data-u='2']") for column in (d_ac, d_pc)}
    assert "nobase agree" in pieces[d_ac][0].get("class")
    assert pieces[d_ac][1].get("class") == "v nobase differ hand-del"
    assert pieces[d_pc][1].get("class") == "v nobase differ hand-add"
    assert words(pieces[d_pc][1]) == "minimum" and pieces[d_pc][1].get("href") == "#app-u2.1"
    assert words(pieces[d_ac][1]) == "sending to Korea a"
    assert len(pieces[d_ac]) > 20 and len(pieces[d_pc]) > 20
    # the final lacks them: one lacuna mark where its source has the gap, unit 2
    (gap,) = f.xpath(".//a[contains(@class, 'lacuna')]")
    assert (gap.get("data-u"), gap.get("data-to")) == ("2", None)
    assert gap.getparent().xpath("string(.)").startswith("I received your reply")
    # an addition of the drafts: nothing in the final, a caret that links to the entry
    caret = passage(f, 9)
    assert "om" in caret.get("class").split() and caret.get("href") == "#app-u9"
    assert words(passage(d_ac, 9)).startswith("but this means that China")


def test_transposed_blocks_stand_in_each_texts_own_order() -> None:
    moved = two("one two three four five six seven eight nine ten eleven twelve",
                "one two seven eight nine ten three four five six eleven twelve")
    doc = lxml.html.document_fromstring(get_renderer("html").render(moved))
    a, b = (column.find("div") for column in columns(doc))
    assert words(a) == "one two three four five six seven eight nine ten eleven twelve"
    assert words(b) == "one two seven eight nine ten three four five six eleven twelve"
    assert all("moved" in m.get("class") for m in doc.xpath("//div[@class='sbs']//a[@data-u]"))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(a=WORDS, b=WORDS)
def test_columns_rebuild_any_text(a: list[str], b: list[str]) -> None:
    app = two(" ".join(a), " ".join(b))
    doc = lxml.html.document_fromstring(get_renderer("html").render(app))
    for column, siglum in zip(columns(doc), app.sigla, strict=True):
        text = column.find("div")
        assert words(text) == visible(folded(app.token_list(siglum).rebuild()))
        assert sorted(set(covered(text))) == list(range(1, len(app.units) + 1))
    base = doc.xpath("//div[@class='base']")[0]
    assert words(base) == visible(folded(app.token_list(app.base).rebuild()))


def test_an_apparatus_read_back_without_tokens_still_has_the_views(seed: Apparatus) -> None:
    read_back = attrs.evolve(seed, tokens=None, alignment=None)
    doc = lxml.html.document_fromstring(get_renderer("html").render(read_back))
    paragraphs = doc.xpath("//div[@class='base']/p")
    # the gap at the end of its paragraph: the flow has the break before it, but the text
    # after the gap is glued to it
    (gap,) = [p for p in paragraphs if p.xpath(".//span[@class='lacmark']")]
    assert words(gap) == "I received your reply"
    assert words(gap.getnext()).startswith("Your reply contains one consideration")
    for column, siglum in zip(columns(doc), SIGLA, strict=True):
        text = column.find("div")
        assert words(text).replace(" ", "") == seed.witness_text(siglum).replace(" ", "")
        assert sorted(set(covered(text))) == list(range(1, len(seed.units) + 1))
    assert doc.xpath("//figure[@class='hist']//li")


# --- the page around the views ------------------------------------------------------------


def css_rules(css: str) -> list[str]:
    """The selectors of every rule in *css*, inside @media blocks too."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    selectors, depth, start = [], 0, 0
    for match in re.finditer(r"[{}]", css):
        if match.group() == "{":
            head = css[start:match.start()].strip()
            if not head.startswith("@"):
                selectors.extend(s.strip() for s in head.split(","))
            depth += 1
        else:
            depth -= 1
        start = match.end()
    assert depth == 0
    return selectors


def test_css_is_scoped_under_the_pages_root_class(doc: lxml.html.HtmlElement) -> None:
    css = "".join(doc.xpath("//style/text()"))
    selectors = css_rules(css)
    assert len(selectors) > 150
    outside = [s for s in selectors if not s.startswith(".collatio")]
    assert outside == ["body:has(> .collatio)"]  # matches only the page standing alone
    assert "@page" not in css and ":root" not in css
    (root,) = doc.xpath("//body/*")
    assert root.get("class") == "collatio" and root.xpath(".//main")


def test_the_script_is_static_and_the_page_whole_without_it(page: str,
                                                            doc: lxml.html.HtmlElement) -> None:
    (script,) = doc.iter("script")
    assert script.text.strip() == SCRIPT.strip() and not script.attrib
    assert not [a for e in doc.iter() for a in e.attrib if a.startswith("on")]
    # what the script needs is in the page's data- attributes; what it adds is hidden
    assert len(doc.xpath("//label[@class='sync'][@hidden]")) == 1
    assert len(doc.xpath("//div[@class='sbs']//a[@data-u]")) > 3 * 18


def synthetic(words_count: int, witnesses: int = 3, seed: int = 7) -> Apparatus:
    """Seeded texts of *words_count* words, ~5% of the words edited in each variant."""
    rng = random.Random(seed)
    vocabulary = [f"w{n}" for n in range(800)]
    base = [rng.choice(vocabulary) for _ in range(words_count)]
    texts = []
    for k in range(witnesses):
        edit = random.Random(seed * 100 + k)
        text = [w if k == 0 or edit.random() > 0.05 else edit.choice(vocabulary) for w in base]
        paragraphs = [" ".join(text[i:i + 80]) + "." for i in range(0, len(text), 80)]
        texts.append("\n\n".join(paragraphs))
    parsed = [w for n, t in enumerate(texts)
              for w in collatio.parse_text(t, path=f"W{n}", convention="plain").witnesses]
    return collatio.collate_witnesses(parsed)


def test_page_size_and_build_time_grow_linearly() -> None:
    small, large = synthetic(1_500), synthetic(6_000)
    renderer = get_renderer("html")

    def build(app: Apparatus) -> tuple[int, float]:
        best = math.inf
        for _ in range(3):
            start = time.process_time()
            out = renderer.render(app)
            best = min(best, time.process_time() - start)
        return len(out.encode()), best

    (size_small, time_small), (size_large, time_large) = build(small), build(large)
    units = len(large.units) / len(small.units)
    assert 3.5 < units < 4.5
    assert 3.5 < size_large / size_small < 4.5, (size_small, size_large)
    # linear: ~4x the time for 4x the apparatus (quadratic would be ~16x)
    assert time_large / time_small < 8, (time_small, time_large)


# --- in headless Chromium ------------------------------------------------------------------

#: For each column: its scrollTop and where the passage of unit N stands in it (its height
#: from the column's top edge), or null if the column has none.
WHERE = """(u) => [...document.querySelectorAll('.sbs-text')].map(pane => {
  const mark = [...pane.querySelectorAll('a[data-u]')].find(
    e => +e.dataset.u <= u && u <= +(e.dataset.to || e.dataset.u));
  return mark ? [pane.scrollTop, Math.round(mark.offsetTop - pane.scrollTop),
                 pane.clientHeight, pane.scrollHeight - pane.clientHeight] : null;
})"""
TOPS = "[...document.querySelectorAll('.sbs-text')].map(pane => pane.scrollTop)"


def test_a_click_brings_the_unit_into_view_in_every_column(seed_file: Path) -> None:
    with chromium.Page(seed_file, size=(1280, 900)) as page:
        assert page.evaluate(TOPS) == [0, 0, 0]
        for unit, column in ((13, 1), (8, 3), (15, 2), (3, 2)):
            page.click(f".sbs-col-{column} a[data-u='{unit}']")
            where = page.call(WHERE, unit)
            home = where[column - 1][1]
            for top, offset, height, end in where:
                assert 0 <= offset <= height - 10, (unit, where)  # in view in every column
                # at the height of the clicked passage, unless its column cannot scroll there
                assert abs(offset - home) <= 2 or top in (0, end), (unit, where)
            current = page.evaluate(
                "[...document.querySelectorAll('.sbs a.current')].map(e => +e.dataset.u)")
            assert len(current) >= 3 and set(current) <= {unit, 4}, current
            assert page.evaluate("document.getElementById('sbs-status').textContent") == (
                f"Unit {unit} is shown in every column.")
        # the click was the script's: no navigation to the apparatus entry happened
        assert page.evaluate("location.hash") == ""
        assert page.errors() == ()


def test_the_columns_scroll_together(seed_file: Path) -> None:
    with chromium.Page(seed_file, size=(1280, 900)) as page:
        page.wheel(".sbs-col-3 .sbs-text", 900)
        tops = page.evaluate(TOPS)
        assert tops[2] == 900 and tops[1] > 400, tops
        # the final lacks the draft's words there: its column shows its lacuna mark
        assert 0 < page.call(WHERE, 10)[0][1] < 630
        # the drafts' two states stand line by line: the same unit at the same height (inside
        # the final's lacuna, the same sub-unit: a passage's data-at)
        # the first passage of the leading column below its third: the line synced
        at = page.evaluate(
            "(() => { const pane = document.querySelector('.sbs-col-3 .sbs-text');"
            " const e = [...pane.querySelectorAll('a[data-u]')].find(e => e.offsetTop"
            " - pane.scrollTop >= pane.clientHeight / 3);"
            " return e.dataset.at || e.dataset.u; })()")
        where = page.call(
            "(at) => [...document.querySelectorAll('.sbs-text')].map(pane => {"
            " const e = [...pane.querySelectorAll('a[data-u]')].find("
            "   e => (e.dataset.at || e.dataset.u) === at);"
            " return e ? Math.round(e.offsetTop - pane.scrollTop) : null; })", at)
        assert "." in at and abs(where[1] - where[2]) <= 30, (at, where)
        page.wheel(".sbs-col-3 .sbs-text", -900)
        assert page.evaluate(TOPS) == [0, 0, 0]
        # turned off, the columns scroll on their own
        page.click("#sbs-sync")
        assert page.evaluate("document.getElementById('sbs-sync').checked") is False
        page.wheel(".sbs-col-2 .sbs-text", 500)
        assert page.evaluate(TOPS) == [0, 500, 0]
        assert page.errors() == ()


def test_enter_on_a_passage_brings_it_into_view_in_every_column(seed_file: Path) -> None:
    # unit 3, in the final's second paragraph: a passage every column can scroll to (the
    # final is shorter than its pane, so its own units further on cannot come to the same
    # height)
    with chromium.Page(seed_file, size=(1280, 900)) as page:
        page.evaluate("document.querySelector('.sbs-col-1 a[data-u=\"3\"]').focus()")
        page.key("Enter")
        where = page.call(WHERE, 3)
        assert all(0 <= offset <= height for _, offset, height, _ in where), where
        assert len({offset for _, offset, _, _ in where}) == 1, where
        assert page.evaluate("document.activeElement.dataset.u") == "3"
        assert page.errors() == ()


def test_without_javascript_the_page_is_whole(seed_file: Path, seed: Apparatus) -> None:
    with chromium.Page(seed_file, size=(1280, 900), javascript=False) as page:
        assert page.evaluate("document.documentElement.hasAttribute('data-collatio-ready')"
                             ) is False
        visible_columns = ("[...document.querySelectorAll('.sbs-col')]"
                           ".filter(c => c.checkVisibility()).length")
        assert page.evaluate(visible_columns) == 3
        assert page.evaluate("document.querySelector('label.sync').checkVisibility()") is False
        # choosing the texts shown is CSS alone
        page.click("#sbs-show-2")
        assert page.evaluate(visible_columns) == 2
        assert page.evaluate("document.querySelector('.sbs-col-2').checkVisibility()") is False
        # a passage is a link to its apparatus entry
        page.click(".sbs-col-3 a[data-u='1']")
        assert page.evaluate("location.hash") == "#app-u1"
        shown = ("[...document.querySelectorAll('.sbs-text p')]"
                 ".filter(p => p.checkVisibility()).length")
        assert page.evaluate(shown) == sum(len(set(seed.token_list(s).paragraphs))
                                           for s in ("F", "D-pc"))
        assert page.errors() == ()


def test_print_shows_every_text_in_full(seed_file: Path) -> None:
    with chromium.Page(seed_file, size=(1280, 900)) as page:
        page.media("print")
        panes = page.evaluate("[...document.querySelectorAll('.sbs-text')].map(p => "
                              "[p.scrollHeight, p.clientHeight, getComputedStyle(p).overflowY])")
        assert all(abs(s - c) <= 1 and o == "visible" for s, c, o in panes), panes
        assert page.evaluate("getComputedStyle(document.querySelector('.sbs-controls')).display"
                             ) == "none"
        assert page.evaluate("getComputedStyle(document.getElementById('side-by-side'))"
                             ".breakBefore") == "page"
        assert page.errors() == ()


HOST = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>notebook</title>
<style>body { margin: 12px; font: 14px/1.3 sans-serif; } h2 { color: rgb(200, 0, 0); }</style>
</head><body><h2 id="h">A notebook cell</h2><p id="p">Some output.</p>
<table id="t"><tr><td id="c">cell</td></tr></table><a id="a" href="#x">link</a>
<div id="out"></div></body></html>
"""
STYLES = """() => ['h', 'p', 't', 'c', 'a'].map(id => {
  const s = getComputedStyle(document.getElementById(id));
  return [s.color, s.fontFamily, s.fontSize, s.margin, s.padding, s.borderCollapse, s.width];
}).concat([[getComputedStyle(document.body).margin, getComputedStyle(document.body).fontSize]])"""


def test_shown_inside_a_notebook_it_restyles_nothing_around_it(tmp_path: Path,
                                                               page: str) -> None:
    host = tmp_path / "notebook.html"
    host.write_text(HOST, encoding="utf-8")
    with chromium.Page(host, size=(1280, 900)) as browser:
        before = browser.call(STYLES)
        # as Jupyter shows HTML output: the page's markup inserted into the notebook's DOM
        browser.call("(html) => { document.getElementById('out').innerHTML = html; }", page)
        after = browser.call(STYLES)
        assert after == before
        inside = browser.evaluate(
            "getComputedStyle(document.querySelector('#out a.u.h5')).backgroundColor")
        assert inside == "rgb(239, 160, 102)"  # and the page itself is styled
        assert browser.errors() == ()


def test_screenshots_of_the_views(seed_file: Path) -> None:
    shots = {}
    with chromium.Page(seed_file, size=(1280, 1000)) as page:
        shots["seed-heatmap.png"] = page.screenshot("#text")
        page.click(".sbs-col-1 a[data-u='8']")
        page.send("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": 0, "y": 0})
        shots["seed-side-by-side.png"] = page.screenshot("#side-by-side")
        assert page.errors() == ()
    for name, data in shots.items():
        width, height = png_size(data)
        assert width >= 900 and height >= 600, (name, width, height)
        assert png_byte_variety(data) > 100, f"{name} is not blank"
        if os.environ.get("COLLATIO_UPDATE_SCREENSHOTS"):
            (IMAGES / name).write_bytes(data)
        assert (IMAGES / name).is_file()


def darwin_texts(paragraphs: int) -> dict[str, str]:
    """The six editions of Origin ch. 1, the first *paragraphs* paragraphs, as plain text."""
    darwin = shared_path("corpora", "darwin", "origin-ch1-paragraphs.json")
    data = json.loads(darwin.read_text(encoding="utf-8"))[:paragraphs]
    editions: dict[str, list[str]] = {}
    for paragraph in data:
        for witness in paragraph["witnesses"]:
            editions.setdefault(witness["id"], []).append(witness["content"])
    return {siglum: "\n\n".join(texts) for siglum, texts in editions.items()}


def test_six_editions_of_darwin_side_by_side(tmp_path: Path) -> None:
    texts = darwin_texts(6)
    witnesses = [w for siglum, text in texts.items()
                 for w in collatio.parse_text(text, path=f"e{siglum}", convention="plain")
                 .witnesses]
    app = collatio.collate_witnesses(witnesses)
    path = tmp_path / "darwin.html"
    path.write_text(get_renderer("html").render(app), encoding="utf-8")
    unit = len(app.units) * 2 // 3
    with chromium.Page(path, size=(1600, 1000)) as page:
        assert page.evaluate("document.querySelectorAll('.sbs-col').length") == 6
        page.click(f".sbs-col-1 a[data-u='{unit}']")
        where = page.call(WHERE, unit)
        assert len({offset for _, offset, _, _ in where}) == 1, where
        assert all(top > 0 for top, _, _, _ in where[1:]), where
        page.wheel(".sbs-col-6 .sbs-text", -600)
        assert len(set(page.evaluate(TOPS))) > 1 and all(t >= 0 for t in page.evaluate(TOPS))
        shot = page.screenshot("#side-by-side", max_height=1100)
        assert page.errors() == ()
    assert png_byte_variety(shot) > 100
    if os.environ.get("COLLATIO_UPDATE_SCREENSHOTS"):
        (IMAGES / "darwin-side-by-side.png").write_bytes(shot)
