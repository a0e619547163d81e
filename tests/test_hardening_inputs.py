"""Malformed input is a one-line, located error (exit 1), never a crash (exit 70) or a silent
loss: JSON (CollateX witnesses, collatio's apparatus) read strictly, TEI read back with
libxml2's own message and position, limits counted as bytes are read."""

from __future__ import annotations

import io
import json
import os
import re
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import collatio
from collatio.cli import main
from collatio.errors import CollatioError, InputError, LimitError
from collatio.interop.tei import load_tei
from collatio.strict_json import load_json

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "002_82ee7afc6dc33c74.txt"


def run(*argv: str | Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main([str(a) for a in argv], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def refused(err: str, path: Path, said: str, where: str = "") -> None:
    """One line: ``collatio: PATH:WHERE: ...said...``."""
    assert err.count("\n") == 1 and "Traceback" not in err and "internal error" not in err, err
    assert err.startswith(f"collatio: {path}{':' + where if where else ''}"), err
    assert said in err, err


def witnesses(*entries: str) -> str:
    return '{"witnesses": [' + ", ".join(entries) + "]}"


A = '{"id": "A", "content": "the black cat"}'
B = '{"id": "B", "content": "the white cat"}'


# --- JSON ----------------------------------------------------------------------------------


def at(text: str, needle: str, occurrence: int = 1) -> str:
    """``line:column`` of the *occurrence*-th *needle* in *text*."""
    offset = -1
    for _ in range(occurrence):
        offset = text.index(needle, offset + 1)
    line = text.count("\n", 0, offset) + 1
    return f"{line}:{offset - (text.rfind(chr(10), 0, offset) + 1) + 1}"


TWO_LISTS = '{"witnesses": [' + A + '],\n "witnesses": [' + B + "]}"
TWO_IDS = witnesses('{"id": "A", "id": "B", "content": "x"}', B)
SURROGATE = witnesses('{"id": "A", "content": "bad \\ud800 text"}', B)
DEEP = witnesses('{"id": "A", "content": "x", "deep": ' + "[" * 100_000 + "]" * 100_000 + "}", B)
HUGE = witnesses('{"id": "A", "tokens": [{"t": "x", "page": ' + "9" * 4_301 + "}]}", B)
NAN = witnesses('{"id": "A", "tokens": [{"t": "x", "page": NaN}]}', B)


@pytest.mark.parametrize(("text", "where", "said"), [
    (TWO_LISTS, at(TWO_LISTS, '"witnesses"', 2),
     "the key 'witnesses' is given twice in one object (first at 1:2)"),
    (TWO_IDS, at(TWO_IDS, '"id"', 2), "the key 'id' is given twice"),
    (SURROGATE, at(SURROGATE, "\\ud800"), "\\ud800 is a lone surrogate"),
    (DEEP, at(DEEP, "[", 499), "nested more than 500 deep"),  # { [ { then 498 [
    (HUGE, at(HUGE, "9999"), "a number of 4,301 characters"),
    (NAN, at(NAN, "NaN"), "NaN is not a JSON number"),
])
def test_collatex_json_is_read_strictly(tmp_path: Path, text: str, where: str, said: str) -> None:
    path = tmp_path / "w.json"
    path.write_text(text, encoding="utf-8")
    code, out, err = run("collate", path)
    assert code == 1 and out == ""
    refused(err, path, said, where)


def test_an_apparatus_json_is_read_strictly(tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    assert run("collate", SEED, "-o", good)[0] == 0
    data = json.loads(good.read_text(encoding="utf-8"))
    text = good.read_text(encoding="utf-8")
    twice = tmp_path / "twice.json"
    twice.write_text(text.replace('"base": "F"', '"base": "F", "base": "D-ac"'), encoding="utf-8")
    code, _, err = run("collate", twice)
    assert code == 1 and "the key 'base' is given twice" in err
    data["apparatus"].append(data["apparatus"][0])
    repeated = tmp_path / "repeated.json"
    repeated.write_text(json.dumps(data), encoding="utf-8")
    code, out, err = run("collate", repeated, "--format", "tei")
    assert code == 1 and out == ""
    refused(err, repeated, f"the unit id {data['apparatus'][0]['id']!r} is given twice")


@settings(max_examples=200, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(),
                    lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
                    max_leaves=30))
def test_strict_json_reads_what_json_writes(value: object) -> None:
    text = json.dumps(value)
    if "\\ud8" in text.lower() or "\\udc" in text.lower() or re.search(r"\\ud[89a-f]", text):
        return  # hypothesis text can hold lone surrogates: refused, tested above
    assert load_json(text, "x.json") == value


@given(st.text(max_size=200))
def test_strict_json_reads_or_refuses_any_text(text: str) -> None:
    try:
        load_json(text, "x.json")
    except InputError as error:
        assert error.path == "x.json"


# --- TEI read back ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tei(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("tei")
    target = folder / "seed.tei.xml"
    assert run("collate", SEED, "-o", target)[0] == 0
    return target.read_text(encoding="utf-8")


def test_malformed_tei_gives_libxml2s_message_and_position(tmp_path: Path, tei: str) -> None:
    truncated = tmp_path / "truncated.tei.xml"
    truncated.write_text(tei[: len(tei) // 2], encoding="utf-8")
    code, _, err = run("collate", truncated)
    assert code == 1 and re.match(rf"collatio: {re.escape(str(truncated))}:\d+:\d+: malformed "
                                  r"XML: ", err), err
    assert "not a TEI apparatus" not in err
    deep = tmp_path / "deep.tei.xml"
    deep.write_text(tei.replace("</TEI>", "<div>" * 300 + "</div>" * 300 + "</TEI>"),
                    encoding="utf-8")
    code, _, err = run("collate", deep)
    assert code == 1 and "nested more than 256 deep" in err and f"{deep}:" in err
    unit = re.search(r'<app [^>]*xml:id="(u\d+)".*?</app>', tei, re.S)
    assert unit is not None
    duplicate = tmp_path / "duplicate.tei.xml"
    duplicate.write_text(tei.replace(unit.group(), unit.group() * 2, 1), encoding="utf-8")
    code, _, err = run("collate", duplicate)
    assert code == 1 and f"ID {unit.group(1)} already defined" in err
    assert re.match(rf"collatio: {re.escape(str(duplicate))}:\d+:\d+: ", err)


def test_no_entity_is_expanded_and_one_used_is_located(tmp_path: Path, tei: str) -> None:
    laughs = ('<!DOCTYPE TEI [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
              '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>')
    body = tei.split("?>", 2)[2]  # after the declaration and the xml-model
    edition = body.index("<p>", body.index('type="edition"'))
    bomb = tmp_path / "bomb.tei.xml"
    bomb.write_text(laughs + body[:edition] + "<p>&c;" + body[edition + 3 :], encoding="utf-8")
    code, _, err = run("collate", bomb)
    assert code == 1
    assert re.match(rf"collatio: {re.escape(str(bomb))}:\d+: entity references are not "
                    "accepted", err), err


@pytest.mark.parametrize(("change", "said"), [
    (lambda t: re.sub(r"paragraph \d+;", "paragraph " + "9" * 4_400 + ";", t, count=1),
     "malformed place 'paragraph 9999"),
    (lambda t: re.sub(r'value="\d+"', 'value="' + "7" * 4_400 + '"', t, count=1),
     "not a number"),
])
def test_tei_numbers_and_characters_are_checked(
    tmp_path: Path, tei: str, change: object, said: str
) -> None:
    text = change(tei)  # type: ignore[operator]
    assert text != tei
    path = tmp_path / "changed.tei.xml"
    path.write_text(text, encoding="utf-8")
    code, _, err = run("collate", path)
    assert code == 1, err
    refused(err, path, said)
    assert len(err) < 1_100, "what a message quotes is cut short"


def test_a_lone_surrogate_code_point_in_tei_is_refused(tmp_path: Path) -> None:
    draft = collatio.parse_text("a\x01b c", path="A").witnesses  # \x01: written as <g>
    other = collatio.parse_text("a b d", path="B").witnesses
    tei = collatio.render(collatio.collate_witnesses([*draft, *other]), "tei")
    assert 'n="U+0001"' in tei
    path = tmp_path / "g.tei.xml"
    path.write_text(tei.replace('n="U+0001"', 'n="U+D800"'), encoding="utf-8")
    code, _, err = run("collate", path)
    assert code == 1 and "<g n='U+D800'>: no such character" in err, err


def test_every_tei_collatio_writes_reads_back_even_a_huge_paragraph(tmp_path: Path) -> None:
    a = collatio.parse_text("shared words here. one", path="A").witnesses
    b = collatio.parse_text("shared words here. two", path="B").witnesses
    tei = collatio.render(collatio.collate_witnesses([*a, *b]), "tei")
    huge = "shared words here. " * 600_000  # 11.4 MB in one text node: over libxml2's 10 MB
    back = load_tei(tei.replace("shared words here.", huge.strip()), "huge.tei.xml")
    assert len(back.flow[0]) > 10_000_000
    assert len(back.witness_text("A")) > 10_000_000


def test_encoding_applies_to_xml(tmp_path: Path, tei: str) -> None:
    declared = re.match(r"<\?xml[^>]*\?>", tei)
    assert declared is not None
    latin = tmp_path / "latin.tei.xml"
    text = tei.replace("collated by", "collated by Gérard")
    latin.write_bytes(text.encode("cp1252"))  # still declared UTF-8
    code, _, err = run("collate", latin)
    assert code == 1 and "pass --encoding" in err and f"{latin}:" in err
    code, out, err = run("collate", latin, "--encoding", "cp1252")
    assert code == 0, err
    assert out.startswith("3 texts")


def test_a_tei_apparatus_is_held_to_the_limits(tmp_path: Path, tei: str) -> None:
    path = tmp_path / "seed.tei.xml"
    path.write_text(tei, encoding="utf-8")
    code, _, err = run("collate", path, "--max-texts", "2")
    assert code == 1 and "the apparatus holds 3 texts, over the limit of 2" in err
    code, _, err = run("collate", path, "--max-tokens", "100")
    assert code == 1 and "words, over the limit of 100" in err
    with pytest.raises(LimitError):
        collatio.collate([path], max_texts=1)


# --- limits counted as read ------------------------------------------------------------------


def endless_fifo(path: Path) -> threading.Thread:
    """A FIFO at *path* that a thread feeds for as long as someone reads it."""
    os.mkfifo(path)

    def feed() -> None:
        try:
            with open(path, "wb") as handle:
                while True:
                    handle.write(b"word " * 10_000)
        except OSError:
            return

    thread = threading.Thread(target=feed, daemon=True)
    thread.start()
    return thread


def test_max_bytes_is_counted_as_the_bytes_are_read(tmp_path: Path) -> None:
    fifo = tmp_path / "endless.txt"
    endless_fifo(fifo)
    code, _, err = run("parse", fifo, "--max-bytes", "100000")
    assert code == 1
    refused(err, fifo, "the file holds more than 100,000 bytes, the limit")
    if os.path.exists("/dev/zero"):
        code, _, err = run("parse", "/dev/zero", "--max-bytes", "1000")
        assert code == 1 and "more than 1,000 bytes" in err


def test_a_manifest_is_limited_and_checked(tmp_path: Path) -> None:
    fifo = tmp_path / "endless.toml"
    endless_fifo(fifo)
    code, _, err = run("parse", "--manifest", fifo)
    assert code == 1 and "a manifest of over" in err
    deep = tmp_path / "deep.toml"
    deep.write_text("x = " + "[" * 100_000 + "\n", encoding="utf-8")
    code, _, err = run("parse", "--manifest", deep)
    assert code == 1
    refused(err, deep, "nested too deeply")
    with pytest.raises(CollatioError, match=r"not UTF-8"):
        bad = tmp_path / "bad.toml"
        bad.write_bytes(b'[[witness]]\nsource = "\xff"\n')
        collatio.load_manifest(bad)


# --- the readers of other formats -------------------------------------------------------------


@pytest.mark.parametrize("seq", ["9" * 5_000, "²", "1" * 30])
def test_tei_seq_attributes_that_are_no_small_number(tmp_path: Path, seq: str) -> None:
    path = tmp_path / "seq.xml"
    path.write_text(f'<TEI xmlns="http://www.tei-c.org/ns/1.0"><text><body><p>one '
                    f'<add seq="{seq}">two</add> <app><rdg varSeq="{seq}">a</rdg>'
                    f'<rdg varSeq="1">b</rdg></app> three</p></body></text></TEI>',
                    encoding="utf-8")
    code, _, err = run("parse", path, "--format", "json")
    assert code in (0, 1) and "internal error" not in err, err


def test_a_word_symbol_that_is_a_surrogate(tmp_path: Path) -> None:
    import zipfile

    document = ('<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.'
                'openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>one'
                '</w:t><w:sym w:char="D800"/><w:t>two</w:t></w:r></w:p></w:body></w:document>')
    path = tmp_path / "sym.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", document)
    code, _, err = run("collate", path, SEED, "--format", "json")
    assert code == 0, err
    (witness,) = [w for w in collatio.parse([path]).witnesses]
    assert witness.state("text").text == "one\ufffdtwo"
