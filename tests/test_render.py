"""Contract tests over every registered renderer, and format-specific checks."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import collatio
from collatio.apparatus import Apparatus
from collatio.errors import RenderError
from collatio.render import get_renderer, renderer_for_filename, renderer_names
from collatio.render.json import (
    apparatus_from_data,
    apparatus_to_data,
    compact,
    load_apparatus,
)

ROOT = Path(__file__).resolve().parent.parent
SEED_002 = ROOT / "seeds" / "002_82ee7afc6dc33c74.txt"
SCHEMA = json.loads((ROOT / "docs" / "schemas" / "apparatus.schema.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def seed() -> Apparatus:
    return collatio.collate([SEED_002])


def two(a: str, b: str) -> Apparatus:
    witnesses = [w for text, name in ((a, "A"), (b, "B"))
                 for w in collatio.parse_text(text, path=name, convention="plain").witnesses]
    return collatio.collate_witnesses(witnesses)


@pytest.mark.parametrize("name", renderer_names())
def test_every_renderer_has_metadata_and_renders_the_seed(name: str, seed: Apparatus) -> None:
    renderer = get_renderer(name)
    assert renderer.name == name and renderer.media_type and renderer.filenames
    out = renderer.render(seed)
    assert isinstance(out, str) and out.endswith("\n")
    assert "reply" in out and "response" in out


@pytest.mark.parametrize("name", renderer_names())
def test_every_renderer_handles_no_units(name: str) -> None:
    same = two("One text.", "One text.")
    assert same.units == ()
    assert get_renderer(name).render(same)


@pytest.mark.parametrize("name", renderer_names())
def test_every_renderer_keeps_non_ascii(name: str) -> None:
    app = two("Сталин писал Мао 毛泽东 Kaesŏng.", "Сталин писал 毛泽东 Kaesong.")
    out = get_renderer(name).render(app)
    assert "Мао" in out and "Kaesŏng" in out


def test_unknown_format_lists_the_valid_ones() -> None:
    with pytest.raises(RenderError) as info:
        get_renderer("docx")
    formats = ", ".join(renderer_names())
    assert str(info.value).endswith(f"unknown format 'docx'; formats: {formats}")
    assert {"collatex", "json", "text"} <= set(renderer_names())


def test_renderer_by_file_name() -> None:
    assert renderer_for_filename("out/apparatus.json").name == "json"
    assert renderer_for_filename("table.collatex.json").name == "collatex"
    assert renderer_for_filename("a.TXT").name == "text"
    with pytest.raises(RenderError, match=r"no format is known for the file name 'x\.doc'"):
        renderer_for_filename("x.doc")


# --- JSON -------------------------------------------------------------------------------------


def test_json_validates_and_round_trips(seed: Apparatus) -> None:
    text = get_renderer("json").render(seed)
    data = json.loads(text)
    jsonschema.validate(data, SCHEMA)
    assert [w["id"] for w in data["witnesses"]] == ["F", "D-ac", "D-pc"]
    assert data["base"] == "F"
    back = load_apparatus(text)
    assert back == seed  # alignment and tokens are not compared: JSON does not carry them
    assert back.units == seed.units and back.revisions == seed.revisions


def test_malformed_json_is_a_located_error() -> None:
    with pytest.raises(collatio.CollatioError) as info:
        load_apparatus('{"format": "collatio-apparatus/1",\n "base": }', "x.json")
    assert str(info.value).startswith("x.json:2:")
    with pytest.raises(collatio.CollatioError, match="not a collatio apparatus"):
        load_apparatus('{"format": "other"}', "x.json")
    with pytest.raises(collatio.CollatioError, match="malformed apparatus JSON"):
        load_apparatus('{"format": "collatio-apparatus/1", "witnesses": [{}]}', "x.json")


WORD = st.sampled_from(["war", "peace", "<b>", "&amp;", "\\input{x}", "%", "Жук", "]]>", "\x07"])


@settings(max_examples=60, deadline=None)
@given(a=st.lists(WORD, min_size=1, max_size=12), b=st.lists(WORD, min_size=1, max_size=12))
def test_json_round_trip_property(a: list[str], b: list[str]) -> None:
    app = two(" ".join(a), " ".join(b))
    assert apparatus_from_data(json.loads(json.dumps(apparatus_to_data(app)))) == app
    assert load_apparatus(get_renderer("json").render(app)) == app
    jsonschema.validate(apparatus_to_data(app), SCHEMA)


@given(st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
))
@example({"text": "\ud800 a lone surrogate", "n": 1})
def test_compact_json_reads_back_as_written(value: object) -> None:
    """orjson writes it, or (a lone surrogate) the standard library does; either way the
    standard library reads back the same value."""
    assert json.loads(compact(value)) == value


# --- CollateX table -------------------------------------------------------------------------------


def test_collatex_table_shape(seed: Apparatus) -> None:
    data = json.loads(get_renderer("collatex").render(seed))
    assert data["witnesses"] == ["F", "D-ac", "D-pc"]
    table = data["table"]
    assert len(table) == 3 and len({len(row) for row in table}) == 1
    for row, token_list in zip(table, seed.tokens or (), strict=True):
        cells = [cell for cell in row if cell is not None]
        assert "".join(c[0]["t"] for c in cells) == token_list.text.lstrip()
    assert all(any(row[i] is not None for row in table) for i in range(len(table[0])))


# --- text ---------------------------------------------------------------------------------


def test_text_apparatus(seed: Apparatus) -> None:
    out = get_renderer("text").render(seed)
    assert out.startswith("3 texts, ")
    assert "base text (lemma): F" in out
    assert "reply ] F" in out and "response.  D-ac D-pc" in out
    assert "very  D-pc (D-pc added by hand)" in out
    # the lacuna: one entry, the draft's shared text abridged, its revisions under it
    assert "lacuna in F (D-ac: 349 words; D-pc: 549 words)" in out
    assert "I considered it possible to turn … forces to Korea. But (349 words)  D-ac D-pc" in out
    assert "      u2.1   D-ac ¶2 w17-20 (35:63)  substitution" in out
    assert "D-pc: 'against China' struck inside an insertion (35:879)" in out
    assert "Hand revisions of D and what became of them in F:" in out
    assert "\x1b[" not in out


def test_text_colour_only_when_asked(seed: Apparatus) -> None:
    assert "\x1b[1m" in get_renderer("text", color=True).render(seed)


def test_text_output_is_inert() -> None:
    out = get_renderer("text").render(two("ring \x07 \x1b[31m bell", "ring bell"))
    assert "\x07" not in out and "\x1b[31m" not in out and "\\x07" in out


def test_notebook_display_is_escaped_html(seed: Apparatus) -> None:
    from html.parser import HTMLParser

    html = seed._repr_html_()
    assert "<b>Apparatus: 3 texts, base F, " in html and "<table>" in html
    hostile = two("a <script>alert(1)</script> b", "a b")._repr_html_()
    assert "<script>" not in hostile and "&lt;script&gt;" in hostile

    class Tags(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.open: list[str] = []

        def handle_starttag(self, tag: str, attrs: object) -> None:
            self.open.append(tag)

        def handle_endtag(self, tag: str) -> None:
            assert self.open and self.open[-1] == tag
            self.open.pop()

    parser = Tags()
    parser.feed(html)
    assert parser.open == []


HOSTILE = st.lists(
    st.sampled_from(["<script>alert(1)</script>", "&amp;", "]]>", "\\input{/etc/passwd}", "%",
                     "#", "{", "}", "~", "^", "\\", "$x$", "\x07", "\x1b[31m", "\u202e", "Жук",
                     "毛", "war", "peace", '"', "'"]),
    min_size=1, max_size=8,
).map(" ".join)


@settings(max_examples=25, deadline=None)
@given(a=HOSTILE, b=HOSTILE)
def test_every_format_keeps_witness_text_inert(a: str, b: str) -> None:
    """Contract over the whole registry: hostile witness text never becomes markup, code or a
    command, and the structured formats give it back exactly."""
    from lxml import etree

    app = two(a, b)
    for name in renderer_names():
        out = get_renderer(name).render(app)
        assert "\x07" not in out and "\x1b" not in out, name
        if name == "json":
            assert load_apparatus(out) == app
        elif name == "collatex":
            rows = json.loads(out)["table"]
            for row, token_list in zip(rows, app.tokens or (), strict=True):
                assert "".join(cell[0]["t"] for cell in row if cell) == token_list.text.lstrip()
        elif name == "tei":
            root = etree.fromstring(out.encode("utf-8"))
            assert not root.xpath("//*[local-name()='script']")
        elif name == "html":
            from importlib import resources

            import lxml.html

            script = resources.files("collatio.render").joinpath(
                "templates", "partials", "edition.js").read_text(encoding="utf-8")
            page = lxml.html.document_fromstring(out)  # its one script is the static file
            assert [s.text.strip() for s in page.iter("script")] == [script.strip()]
            assert not page.xpath("//@onerror")
        elif name == "latex":
            body = out.split("\\begin{document}", 1)[-1]
            assert "\\input{/etc/passwd}" not in body
