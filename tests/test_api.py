"""The Python API a programmer meets first: ``collate_texts``, one-line reprs, notebook
displays, the tidy table (CSV, pandas) and renderers from other packages."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import textwrap
from pathlib import Path

import lxml.html
import pytest

import collatio
from collatio.apparatus import Apparatus
from collatio.apparatus.table import COLUMNS, columns, rows
from collatio.cli import main
from collatio.errors import CollationError, RenderError
from collatio.render import base as render_base
from collatio.render import get_renderer, renderer_for_filename, renderer_names

ROOT = Path(__file__).resolve().parent.parent
SEED_002 = ROOT / "seeds" / "002_82ee7afc6dc33c74.txt"


@pytest.fixture(scope="module")
def parsed() -> collatio.ParseResult:
    return collatio.parse([SEED_002])


@pytest.fixture(scope="module")
def seed() -> Apparatus:
    return collatio.collate([SEED_002])


# --- collate_texts --------------------------------------------------------------------------


def test_collate_texts_names_each_text_by_its_key() -> None:
    app = collatio.collate_texts({"F": "I received your reply.", "D": "I received your response."})
    assert app.sigla == ("F", "D")
    assert [(u.type.value, [(r.text, r.witnesses) for r in u.readings]) for u in app] == [
        ("substitution", [("reply", ("F",)), ("response", ("D",))])]
    assert app.witness("F").path == "F"


def test_collate_texts_reads_hand_revisions_and_takes_collate_options() -> None:
    texts = [("F", "I sent them today."), ("D", "I sent [it] *them* Today.")]
    app = collatio.collate_texts(texts, convention="hand-revision", base="F",
                                 normalize=["case"])
    assert app.sigla == ("F", "D-ac", "D-pc") and app.base == "F"
    (unit,) = app.units  # 'Today' and 'today' agree once case is normalized
    assert {r.text: r.witnesses for r in unit.readings} == {"them": ("F", "D-pc"), "it": ("D-ac",)}
    assert app.revisions and all(f.witness == "D" for f in app.revisions)


def test_collate_texts_refuses_what_it_cannot_name() -> None:
    with pytest.raises(CollationError, match="called the same"):
        collatio.collate_texts([("A", "x"), ("A", "y")])
    with pytest.raises(TypeError, match="'B' is a bytes"):
        collatio.collate_texts({"A": "x", "B": b"y"})  # type: ignore[dict-item]


# --- reprs ------------------------------------------------------------------------------------


def public_instances(parsed: collatio.ParseResult, seed: Apparatus) -> dict[str, object]:
    """A real instance of every public model class, made from the seed."""
    draft = parsed.witness("D")
    span = next(span for span, _ in draft.spans() if span.kind.value == "add")
    unit = next(u for u in seed.units if u.lacunose)
    assert seed.alignment is not None and seed.tokens is not None
    manifest = collatio.load_manifest(ROOT / "examples" / "seed-002.toml")
    source = collatio.load_source(SEED_002, manifest=manifest)
    markup = collatio.parse_markup(source.body(source.documents[1]),
                                    collatio.get_convention("hand-revision"))
    return {
        "ParseResult": parsed, "Witness": draft, "State": draft.state("post"),
        "Piece": draft.state("post").pieces[0], "Marker": draft.state("post").markers[0],
        "Span": span, "Diagnostic": parsed.diagnostics[0],
        "Convention": collatio.get_convention("hand-revision"),
        "Apparatus": seed, "VariationUnit": unit, "Reading": unit.readings[0],
        "Place": unit.readings[0].places[0], "CollatedWitness": seed.witnesses[0],
        "RevisionFate": seed.revisions[0], "Revisions": seed.revisions,
        "DocumentText": seed.documents[0], "Run": seed.documents[0].runs[0],
        "Alignment": seed.alignment, "TokenList": seed.tokens[0],
        "Token": seed.tokens[0].token(0),
        "Normalization": collatio.Normalization.from_names(["case"]),
        "CollationOptions": collatio.CollationOptions(),
        "Source": source, "Document": source.documents[1],
        "Metadata": source.documents[1].metadata, "Region": source.regions[1],
        "Manifest": manifest, "WitnessSpec": manifest.witnesses[1],
        "MarkOverride": manifest.witnesses[1].marks[0],
        "Markup": markup, "Text": markup.nodes[1],
        "Rule": collatio.get_convention("hand-revision").rules[0],
        "Delimiter": collatio.get_convention("hand-revision").delimiters[0],
        "TextReader": collatio.get_reader("text"),
    }


def test_every_public_class_has_a_one_line_repr(
    parsed: collatio.ParseResult, seed: Apparatus
) -> None:
    for name, value in public_instances(parsed, seed).items():
        assert type(value).__name__ == name
        text = repr(value)
        assert "\n" not in text and len(text) <= 160, (name, len(text), text)


def test_reprs_say_what_matters(
    parsed: collatio.ParseResult, seed: Apparatus, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert repr(seed) == ("<Apparatus: 3 texts (F D-ac D-pc), base F, 15 variation units, "
                          f"{len(seed.revisions)} hand revisions, 2 diagnostics>")
    assert repr(parsed) == "<ParseResult: 1 source, 2 witnesses (F D), 2 diagnostics>"
    u1 = next(u for u in seed.units if u.id == "u1")
    assert repr(u1) == "<VariationUnit u1 substitution: 'reply' F | 'response.' D-ac D-pc>"
    post = parsed.witness("D").state("post")
    assert repr(post).startswith("<State post: 737 words, ") and "5 markers" in repr(post)
    assert repr(parsed.witness("D")).startswith(
        "<Witness D 'Draft Message from Stalin to Mao Zedong' 1950-10-04: hand-revision, "
        "states ante+post, ")
    monkeypatch.chdir(ROOT)
    source = collatio.load_source("seeds/002_82ee7afc6dc33c74.txt")
    assert repr(source) == ("<Source 'seeds/002_82ee7afc6dc33c74.txt' (text): 2 documents "
                            f"(F D), {len(source.text):,} characters, 1 diagnostic>")
    final = source.documents[0]
    assert repr(final) == ("<Document 0 F 'Final Message from Stalin to Mao Zedong' "
                           f"1950-10-05: body {final.body_start}-{final.body_end}>")
    assert repr(final.metadata) == ("<Metadata 'Final Message from Stalin to Mao Zedong', "
                                    "1950-10-05, Stalin to Mao Zedong, 5 more fields>")
    manifest = collatio.load_manifest("examples/seed-002.toml")
    assert repr(manifest) == "<Manifest 'examples/seed-002.toml': 2 witnesses (F D) from 1 source>"
    assert repr(manifest.witnesses[1]) == (
        "<WitnessSpec D of '../seeds/002_82ee7afc6dc33c74.txt': document 2, 1 mark>")
    markup = collatio.parse_markup(source.body(source.documents[1]),
                                    collatio.get_convention("hand-revision"))
    assert repr(markup) == ("<Markup hand-revision of 4,883 characters: 35 spans (18 add, "
                            "13 del, 4 note), 1 diagnostic>")
    assert repr(collatio.get_convention("hand-revision").rules[0]) == (
        "<Rule editorial-omission: bracket -> gap/omission when content, max_length>")
    assert repr(collatio.get_reader("tei")) == (
        "<TEIReader 'tei': TEI transcription of one document>")


# --- notebook displays ------------------------------------------------------------------------


def html_of(value: object) -> lxml.html.HtmlElement:
    markup = value._repr_html_()  # type: ignore[attr-defined]
    return lxml.html.fragment_fromstring(markup, create_parent="div")


def test_displays_show_hands_and_lacunae(parsed: collatio.ParseResult, seed: Apparatus) -> None:
    doc = html_of(seed)
    text = doc.text_content()
    assert "Apparatus: 3 texts, base F, 15 variation units" in text
    # u2: the base F is lacunose; inside it, u2.1: the draft's hand deleted one reading and
    # added the other
    row = doc.xpath("//tr[td[1]='u2']")[0]
    cells = [td.text_content() for td in row.xpath("td")]
    assert cells[3] == "lacuna in F" and "om." not in cells[3]
    row = doc.xpath("//tr[td[1]='u2.1']")[0]
    cells = [td.text_content() for td in row.xpath("td")]
    assert row.xpath(".//del[text()='sending to Korea a']")
    assert row.xpath(".//ins[text()='minimum']")
    assert "D-ac deleted by hand" in cells[4] and "D-pc added by hand" in cells[4]
    unit = seed.unit("u2")
    unit_doc = html_of(unit)
    assert "Variation unit u2: lacuna" in unit_doc.text_content()
    assert unit_doc.xpath("//tr[td[1]='u2.1']")
    unit_doc = html_of(seed.unit("u2.1"))
    assert unit_doc.xpath("//tr[td[6]='added by hand']")


def test_witness_state_and_revision_displays(
    parsed: collatio.ParseResult, seed: Apparatus
) -> None:
    draft = html_of(parsed.witness("D"))
    assert draft.xpath("//ins[contains(., 'minimum')]") and draft.xpath(
        "//del[contains(., 'sending to Korea a')]")
    assert "hand-revision" in draft.text_content() and "1950-10-04" in draft.text_content()
    post = html_of(parsed.witness("D").state("post"))
    assert post.xpath("//ins[contains(., 'minimum')]") and not post.xpath("//del")
    ante = html_of(parsed.witness("D").state("ante"))
    assert ante.xpath("//del[contains(., 'sending to Korea a')]") and not ante.xpath("//ins")
    report = html_of(seed.revisions)
    row = report.xpath("//tr[td[4]='minimum']")[0]
    assert [td.text_content() for td in row.xpath("td")][:5] == [
        "D", "35:83", "insertion", "minimum", "unknown"]
    assert str(seed.revisions) == collatio.apparatus.revision_report(seed.revisions)
    assert html_of(parsed).xpath("//td[.='hand-revision']")


def test_displays_escape_and_scope_their_styles() -> None:
    app = collatio.collate_texts({"<img src=x onerror=alert(2)>": "x <script>alert(1)</script> y",
                                  "B": "x y"})
    markup = app._repr_html_()
    doc = lxml.html.fragment_fromstring(markup, create_parent="div")
    assert not doc.xpath("//script|//img|//@onerror")
    assert "<script>alert(1)</script>" in doc.text_content()
    assert "<img src=x onerror=alert(2)>" in doc.text_content()
    style = doc.xpath("//style")[0].text
    selectors = [rule.split("{")[0] for rule in style.split("}") if "{" in rule]
    assert selectors and all(
        all(part.strip().startswith(".collatio-display") for part in sel.split(","))
        for sel in selectors), selectors


def test_displays_of_large_collations_stay_small() -> None:
    words = [f"w{i}" for i in range(3000)]
    other = [w if i % 5 else w + "x" for i, w in enumerate(words)]
    app = collatio.collate_texts({"A": " ".join(words), "B": " ".join(other)})
    assert len(app.units) > 500
    markup = app._repr_html_()
    assert "only the first 200 of" in markup and len(markup) < 200_000


# --- the tidy table: CSV and pandas ---------------------------------------------------------


def test_rows_one_per_unit_and_text(seed: Apparatus) -> None:
    table = list(rows(seed))
    assert len(table) == sum(len(u.witnesses) for u in seed.all_units())
    # u2: the final is lacunose; inside it, u2.1: the draft's hand deleted one reading and
    # added the other
    u2 = [r for r in table if r.unit in ("u2", "u2.1")]
    assert [(r.unit, r.witness, r.lacunose, r.hand) for r in u2] == [
        ("u2", "F", True, None), ("u2", "D-ac", False, "mixed"), ("u2", "D-pc", False, "mixed"),
        ("u2.1", "D-ac", False, "del"), ("u2.1", "D-pc", False, "add")]
    assert [r.reading for r in u2[3:]] == ["sending to Korea a", "minimum"]
    for r in table:
        if not r.lacunose:
            unit = seed.unit(r.unit)
            reading = unit.reading_of(r.witness)
            assert reading is not None and reading.text == r.reading
            assert r.lemma == (reading is unit.lemma)


def test_csv_renderer(seed: Apparatus) -> None:
    assert renderer_for_filename("x.csv").name == "csv"
    text = collatio.render(seed, "csv")
    parsed = list(csv.reader(io.StringIO(text)))
    assert tuple(parsed[0]) == COLUMNS
    assert len(parsed) == 1 + sum(len(u.witnesses) for u in seed.all_units())
    expected = [["" if v is None else ("true" if v is True else "false" if v is False else str(v))
                 for v in row[:-1]] for row in rows(seed)]
    assert parsed[1:] == expected
    tab = collatio.render(seed, "csv", delimiter="tab")
    assert tab.splitlines()[0] == "\t".join(COLUMNS)
    with pytest.raises(RenderError, match="delimiter"):
        collatio.render(seed, "csv", delimiter="|")


def test_csv_quotes_and_defuses_formulas() -> None:
    app = collatio.collate_texts({"A": 'x "a, b" y', "B": "x =HYPERLINK(1) y"})
    text = collatio.render(app, "csv")
    readings = {r[3]: r[6] for r in csv.reader(io.StringIO(text))}
    assert readings["A"] == '"a, b"' and readings["B"] == "'=HYPERLINK(1)"
    kept = {r[3]: r[6] for r in csv.reader(io.StringIO(collatio.render(app, "csv",
                                                                        formulas="keep")))}
    assert kept["B"] == "=HYPERLINK(1)"


def test_to_dataframe(seed: Apparatus) -> None:
    pandas = pytest.importorskip("pandas")
    frame = seed.to_dataframe()
    assert list(frame.columns) == list(COLUMNS)
    assert len(frame) == sum(len(u.witnesses) for u in seed.all_units())
    assert str(frame["line"].dtype) == "Int64"
    lacunose = frame[frame["lacunose"]]
    assert set(lacunose["witness"]) == {"F"} and lacunose["line"].isna().all()
    by_hand = frame.groupby("hand", observed=True)["unit"].count().to_dict()
    assert by_hand == {hand: sum(1 for r in rows(seed) if r.hand == hand)
                       for hand in ("add", "del", "mixed")}
    again = pandas.read_csv(io.StringIO(collatio.render(seed, "csv", formulas="keep")),
                            keep_default_na=False)
    assert list(again["reading"]) == ["" if pandas.isna(v) else v for v in frame["reading"]]


PAGED = {"witnesses": [
    {"id": "A", "tokens": [{"t": "The ", "page": "1r"}, {"t": "black ", "page": "1r"},
                           {"t": "cat ", "page": "1v", "line": 3}, {"t": "sat", "page": "1v"}]},
    {"id": "B", "tokens": [{"t": "The ", "page": "7"}, {"t": "white ", "page": "7"},
                           {"t": "cat", "page": "8", "unit": "x"}]},
]}


@pytest.fixture(scope="module")
def paged(tmp_path_factory: pytest.TempPathFactory) -> Apparatus:
    import json

    path = tmp_path_factory.mktemp("paged") / "paged.json"
    path.write_text(json.dumps(PAGED), encoding="utf-8")
    return collatio.collate([path])


def test_token_properties_reach_the_collatex_table(paged: Apparatus) -> None:
    import json

    table = json.loads(collatio.render(paged, "collatex"))["table"]
    cells = {row[0][0]["t"].strip() if row[0] else None: row for row in zip(*table, strict=True)}
    assert cells["black"] == ([{"t": "black ", "n": "black", "page": "1r"}],
                              [{"t": "white ", "n": "white", "page": "7"}])
    # a number is kept as its JSON text; a key named like a table column is kept as it is
    assert cells["cat"][0] == [{"t": "cat ", "n": "cat", "page": "1v", "line": "3"}]
    assert cells["cat"][1] == [{"t": "cat", "n": "cat", "page": "8", "unit": "x"}]


def test_token_properties_are_columns_of_the_table(paged: Apparatus) -> None:
    # keys named like a fixed column (line, unit) get a prefix
    assert columns(paged) == (*COLUMNS, "page", "property_line", "property_unit")
    parsed = list(csv.DictReader(io.StringIO(collatio.render(paged, "csv"))))
    by = {(r["unit"], r["witness"]): r for r in parsed}
    (black, sat) = sorted({r["unit"] for r in parsed})
    assert (by[black, "A"]["reading"], by[black, "A"]["page"]) == ("black", "1r")
    assert (by[black, "B"]["reading"], by[black, "B"]["page"]) == ("white", "7")
    assert by[black, "A"]["line"] == "1" and by[black, "A"]["property_line"] == ""
    # an omission has no tokens, so no properties
    assert (by[sat, "A"]["reading"], by[sat, "A"]["page"]) == ("sat", "1v")
    assert (by[sat, "B"]["reading"], by[sat, "B"]["page"]) == ("", "")


def test_a_reading_across_a_page_break_has_both_pages(tmp_path: Path) -> None:
    import json

    data = {"witnesses": [
        {"id": "A", "tokens": [{"t": "one "}, {"t": "two "}, {"t": "three"}]},
        {"id": "B", "tokens": [{"t": "one ", "page": "1r"}, {"t": "zwei ", "page": "1r"},
                               {"t": "drei ", "page": "1v"}, {"t": "three", "page": "1v"}]},
    ]}
    path = tmp_path / "w.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    app = collatio.collate([path])
    (row,) = [r for r in rows(app) if r.witness == "B" and r.reading == "zwei drei"]
    assert row.properties == (("page", "1r 1v"),)


def test_the_dataframe_has_the_property_columns(paged: Apparatus) -> None:
    pytest.importorskip("pandas")
    frame = paged.to_dataframe()
    assert list(frame.columns) == list(columns(paged))
    assert set(frame["page"].dropna()) == {"1r", "7", "1v"}


# --- renderers from other packages ----------------------------------------------------------


PLUGIN = '''
from collatio.render.base import Renderer

class CountRenderer(Renderer):
    name = "unitcount"
    filenames = ("*.count",)
    extension = ".count"

    def render(self, apparatus):
        return f"{len(apparatus.units)} units\\n"
'''


@pytest.fixture
def plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An installed package 'collatio_count' declaring a renderer entry point."""
    (tmp_path / "collatio_count").mkdir()
    (tmp_path / "collatio_count" / "__init__.py").write_text(PLUGIN)
    (tmp_path / "collatio_broken").mkdir()
    (tmp_path / "collatio_broken" / "__init__.py").write_text("raise ImportError('no lib')\n")
    info = tmp_path / "collatio_count-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: collatio-count\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(textwrap.dedent("""\
        [collatio.renderers]
        unitcount = collatio_count:CountRenderer
        broken = collatio_broken:Renderer
        """))
    monkeypatch.syspath_prepend(str(tmp_path))
    registry = dict(render_base._REGISTRY)
    loaded = list(render_base._LOADED)
    yield tmp_path
    render_base._REGISTRY.clear()
    render_base._REGISTRY.update(registry)
    render_base._LOADED[:] = loaded
    render_base._BROKEN.clear()
    for name in ("collatio_count", "collatio_broken"):
        sys.modules.pop(name, None)


def test_a_renderer_from_another_package(plugin: Path, seed: Apparatus) -> None:
    assert collatio.render(seed, "unitcount") == "15 units\n"
    out = io.StringIO()
    assert main(["collate", str(SEED_002), "--format", "unitcount"], stdout=out) == 0
    assert out.getvalue() == "15 units\n"
    with pytest.raises(RenderError, match=r"plugin that failed to load.*ImportError: no lib"):
        get_renderer("broken")
    render_base._LOADED.clear()
    assert "unitcount" in renderer_names() and "broken" not in renderer_names()
    assert renderer_for_filename("a.count").name == "unitcount"


@pytest.mark.parametrize("name", ["survey", "SurveyOptions", "SurveyResult"])
def test_the_survey_is_imported_when_first_asked_for(name: str) -> None:
    # a fresh interpreter: this one has imported the survey already (other tests)
    code = textwrap.dedent(f"""
        import sys
        import collatio
        assert "collatio.survey" not in sys.modules, "imported with collatio"
        value = getattr(collatio, {name!r})
        import collatio.survey as package
        assert value is (package if {name!r} == "survey" else getattr(package, {name!r}))
        assert callable(collatio.survey) and collatio.survey.survey is not collatio.survey
        assert collatio.survey.SurveyOptions is package.model.SurveyOptions
        print("ok")
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60, cwd=ROOT)
    assert result.stdout.strip() == "ok", result.stderr
