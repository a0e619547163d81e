"""Inputs that must not crash collatio, lose text or run away; failures as located messages."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import collatio
from collatio.cli import main
from collatio.errors import InputError, LimitError
from collatio.listing import TEXT_LIMIT, parse_json

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "002_82ee7afc6dc33c74.txt"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


# --- encodings ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"\xef\xbb\xbfOne [two] *three*\n",          # UTF-8 with BOM
        b"One [two] *three*\r\n\r\nFour.\r\n",       # CRLF
        b"One [two] *three*\r\rFour.\r",             # CR only
        b"One\x00 [two\x00] *three*\x07",            # NUL and other control characters
    ],
)
def test_encodings_and_line_ends_survive(tmp_path: Path, data: bytes) -> None:
    path = write(tmp_path, "w.txt", data)
    (witness,) = collatio.parse([path], convention="hand-revision").witnesses
    assert witness.state("ante").text.startswith("One")
    assert "two" in witness.state("ante").text and "three" in witness.state("post").text
    apparatus = collatio.collate([path, write(tmp_path, "v.txt", "One Four.")])
    lemma = apparatus.units[0].lemma
    assert lemma is not None and "three" in lemma.text
    assert apparatus.witness_text("v") == "One Four."


def test_crlf_gives_the_same_witnesses_as_lf(tmp_path: Path) -> None:
    text = SEED.read_text(encoding="utf-8")
    lf = write(tmp_path, "lf.txt", text)
    crlf = write(tmp_path, "crlf.txt", text.replace("\n", "\r\n"))
    a, b = collatio.parse([lf]), collatio.parse([crlf])
    assert [w.siglum for w in a.witnesses] == [w.siglum for w in b.witnesses]
    for x, y in zip(a.witnesses, b.witnesses, strict=True):
        for sx, sy in zip(x.states, y.states, strict=True):
            assert sx.text.split() == sy.text.split()
        assert [(s.kind, s.line, s.text.split()) for s, _ in x.spans()] == [
            (s.kind, s.line, s.text.split()) for s, _ in y.spans()]


def test_invalid_utf8_names_file_and_byte_offset(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.txt", b"abc\ndef \xff ghi")
    code, out, err = run("collate", str(path), str(path))
    assert code == 1 and out == ""
    assert f"{path}:2:" in err and "byte offset 8" in err and "--encoding" in err
    assert err.count("\n") <= 2 and "Traceback" not in err
    code, out, _ = run("parse", str(path), "--encoding", "cp1252", "--format", "json")
    assert code == 0 and json.loads(out)["witnesses"][0]["states"]["text"] == "abc\ndef ÿ ghi"


def test_right_to_left_cjk_and_combining_marks(tmp_path: Path) -> None:
    a = write(tmp_path, "a.txt", "Mao 毛泽东 wrote: السلام عليكم and Kaes\u014fng e\u0301te.")
    b = write(tmp_path, "b.txt", "Mao 毛泽东 wrote: السلام and Kaesong ete.")
    apparatus = collatio.collate([a, b], normalize=["accents"])
    texts = [r.text for u in apparatus.units for r in u.readings]
    assert "عليكم" in texts
    assert not any("Kaes" in t for t in texts), "accents normalized away"


def test_lone_surrogate_is_a_clear_error() -> None:
    with pytest.raises(InputError, match="lone surrogate code point U\\+D800") as info:
        collatio.parse_text("abc\ud800def", path="x.txt")
    assert (info.value.line, info.value.column) == (1, 4)


def test_empty_file_and_file_of_only_markup(tmp_path: Path) -> None:
    empty = write(tmp_path, "empty.txt", "")
    marks = write(tmp_path, "marks.txt", "[]**[[]]*")
    other = write(tmp_path, "other.txt", "Some words here.")
    apparatus = collatio.collate([empty, marks, other])
    assert apparatus.sigla == ("empty", "marks", "other")
    for unit in apparatus.units:
        assert sorted(unit.witnesses) == sorted(apparatus.sigla)


# --- markup ---------------------------------------------------------------------------------------


def test_ten_thousand_nested_marks_parse_and_print(tmp_path: Path) -> None:
    depth = 10_000
    path = write(tmp_path, "deep.txt", "[" * depth + "x" + "]" * depth)
    result = collatio.parse([path])
    out = parse_json(result)
    assert len(out) < 1_500 * depth, "output stays linear in the nesting"
    limit = sys.getrecursionlimit()
    try:
        sys.setrecursionlimit(4 * depth)
        data = json.loads(out)
    finally:
        sys.setrecursionlimit(limit)
    span, level = data["witnesses"][0]["spans"][0], 1
    while span["children"]:
        span, level = span["children"][0], level + 1
    assert level == depth and span["text"] == "x"
    top = data["witnesses"][0]["spans"][0]
    assert top["text_length"] == 2 * depth - 1 and len(top["text"]) == TEXT_LIMIT + 1
    code, text, _ = run("parse", str(path))
    assert code == 0 and max(len(line) for line in text.splitlines()) < 300


def test_marks_at_file_start_and_end(tmp_path: Path) -> None:
    path = write(tmp_path, "edge.txt", "*start* middle [end]")
    (witness,) = collatio.parse([path], convention="hand-revision").witnesses
    assert witness.state("ante").text == "middle end"
    assert witness.state("post").text == "start middle"


# --- collation ------------------------------------------------------------------------------------


def texts(tmp_path: Path, contents: dict[str, str]) -> list[Path]:
    return [write(tmp_path, f"{name}.txt", text) for name, text in contents.items()]


def test_one_witness(tmp_path: Path) -> None:
    apparatus = collatio.collate(texts(tmp_path, {"only": "A single text."}))
    assert apparatus.units == () and apparatus.witness_text("only") == "A single text."


def test_fully_disjoint_witnesses(tmp_path: Path) -> None:
    apparatus = collatio.collate(texts(tmp_path, {"a": "alpha beta gamma", "b": "one two"}))
    (unit,) = apparatus.units
    assert [r.text for r in unit.readings] == ["alpha beta gamma", "one two"]


def test_a_witness_that_is_only_a_gap(tmp_path: Path) -> None:
    paths = texts(tmp_path, {"gap": "[...]", "full": "The whole text is here."})
    apparatus = collatio.collate(paths)
    assert all(unit.lacunose == ("gap",) for unit in apparatus.units)
    assert apparatus.units and apparatus.units[0].type.value == "lacuna"


def test_fifty_witnesses(tmp_path: Path) -> None:
    base = ["the", "committee", "met", "on", "the", "fifth", "of", "october", "and", "decided",
            "to", "send", "the", "troops"]
    contents = {}
    for i in range(50):
        words = list(base)
        words[i % len(words)] = f"v{i}"
        contents[f"w{i:02d}"] = " ".join(words)
    apparatus = collatio.collate(texts(tmp_path, contents))
    assert len(apparatus.witnesses) == 50
    for unit in apparatus.units:
        assert len(unit.witnesses) == 50 and len(set(unit.witnesses)) == 50


def test_the_same_sentence_ten_thousand_times(tmp_path: Path) -> None:
    sentence = "The same sentence again. "
    paths = texts(tmp_path, {"a": sentence * 10_000,
                             "b": sentence * 9_990 + "A different ending."})
    apparatus = collatio.collate(paths)
    (unit,) = apparatus.units  # the full stop both end with is no variant
    assert unit.readings[1].text == "A different ending"
    assert unit.readings[0].text.count("The same sentence again") == 10


def test_duplicate_sigla_and_sigla_that_are_not_xml_names(tmp_path: Path) -> None:
    one = tmp_path / "x" / "2nd copy.txt"
    two = tmp_path / "y" / "2nd copy.txt"
    for path in (one, two):
        path.parent.mkdir()
        path.write_text("Text one.", encoding="utf-8")
    apparatus = collatio.collate([one, two])
    assert apparatus.sigla == ("2nd copy", "2nd copy2")
    code, out, _ = run("collate", str(one), str(two), "--format", "json")
    assert code == 0 and json.loads(out)["witnesses"][1]["id"] == "2nd copy2"


# --- limits ---------------------------------------------------------------------------------------


def test_limits_refuse_with_a_clear_message(tmp_path: Path) -> None:
    path = write(tmp_path, "big.txt", "word " * 1000)
    with pytest.raises(LimitError, match="5,000 bytes, over the limit of 1,000"):
        collatio.parse([path], max_bytes=1000)
    code, _, err = run("collate", str(path), str(path), "--max-bytes", "100")
    assert code == 1 and "--max-bytes" in err
    code, _, err = run("collate", str(SEED), "--max-texts", "2")
    assert code == 1 and "3 texts to collate, over the limit of 2" in err
    code, _, err = run("collate", str(SEED), "--max-tokens", "100")
    assert code == 1 and "over the limit of 100" in err


# --- command line ---------------------------------------------------------------------------------


def test_command_line_failures_are_one_line(tmp_path: Path) -> None:
    unwritable = tmp_path / "missing-dir" / "out.json"
    cases = [
        (("collate", str(tmp_path / "nope.txt")), 1, "no such file"),
        (("collate", str(tmp_path)), 1, "is a directory"),
        (("collate", str(SEED), "--format", "docx"), 2, "unknown format 'docx'"),
        (("collate", str(SEED), "-o", str(unwritable)), 1, "cannot write output"),
        (("collate", str(SEED), "--out", "d", "--format", "json"), 2, "cannot be combined"),
        (("parse",), 2, "needs at least one FILE"),
        (("bogus",), 2, "invalid choice"),
    ]
    for argv, code, message in cases:
        got, _, err = run(*argv)
        assert got == code, (argv, err)
        assert message in err, (argv, err)
        assert "Traceback" not in err and len(err.strip().splitlines()) <= 2, err


def test_an_internal_error_is_one_line_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("something impossible")

    monkeypatch.setattr(collatio, "collate", broken)
    code, _, err = run("collate", str(SEED))
    assert code == 70
    assert err == ("collatio: internal error: RuntimeError: something impossible "
                   "(please report it; --debug shows the traceback)\n")
    with pytest.raises(RuntimeError):
        main(["--debug", "collate", str(SEED)], stdout=io.StringIO(), stderr=io.StringIO())


# --- determinism ----------------------------------------------------------------------------------


def test_outputs_are_byte_identical_across_hash_seeds(tmp_path: Path) -> None:
    outputs = []
    for seed in ("0", "1", "12345"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        target = tmp_path / f"out{seed}.json"
        subprocess.run(
            [sys.executable, "-m", "collatio", "collate", str(SEED), "--format", "json", "-o",
             str(target)], check=True, env=env, cwd=ROOT,
        )
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1] == outputs[2]


# --- any input gives a result or a clear error ----------------------------------------------------

ANY = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=120)


@settings(max_examples=150, deadline=None)
@given(a=ANY, b=ANY, convention=st.sampled_from(["hand-revision", "editorial", "plain"]))
def test_any_pair_of_texts_collates_and_renders(a: str, b: str, convention: str) -> None:
    results = [collatio.parse_text(text, path=name, convention=convention)
               for text, name in ((a, "A"), (b, "B"))]
    apparatus = collatio.collate_witnesses([w for r in results for w in r.witnesses])
    for name in collatio.renderer_names():
        if name in ("latex",):
            continue  # compiled separately (tests/test_latex.py); rendering alone is cheap
        assert collatio.render(apparatus, name)
    for unit in apparatus.units:
        assert sorted(unit.witnesses) == sorted(apparatus.sigla)


# --- large inputs (a few seconds each: they prove the bounds, they do not time them) -----------


def test_one_fifty_megabyte_line(tmp_path: Path) -> None:
    chunk = "word " * 2_000 + "[note] "
    count = 50_000_000 // len(chunk)
    path = write(tmp_path, "line.txt", chunk * count)
    assert path.stat().st_size >= 49_000_000
    (witness,) = collatio.parse([path]).witnesses
    assert len(list(witness.spans())) == count
    text = witness.state("text").text
    assert text.startswith("word word") and text.count("word") == 2_000 * count


def test_a_million_word_pair(tmp_path: Path) -> None:
    words = [f"w{i % 5000}" for i in range(1_000_000)]
    variant = list(words)
    for i in range(0, len(variant), 997):
        variant[i] = "changed"
    a = write(tmp_path, "a.txt", " ".join(words))
    b = write(tmp_path, "b.txt", " ".join(variant))
    code, _, err = run("collate", str(a), str(b), "--format", "json", "-o",
                       str(tmp_path / "out.json"))
    assert code == 0, err
    data = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert len(data["apparatus"]) == len(range(0, len(variant), 997))


def test_a_rule_that_runs_too_long_is_skipped_with_a_warning(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import collatio.markup.scanner as scanner
    from collatio.markup import get_convention, parse_markup

    monkeypatch.setattr(scanner, "PATTERN_TIMEOUT", 1e-9)  # every match times out
    markup = parse_markup("a [b] c", get_convention("hand-revision"))
    codes = [d.code for d in markup.diagnostics]
    assert "rule-timeout" in codes
    (span,) = [n for n in markup.nodes if not isinstance(n, collatio.markup.Text)]
    assert span.rule == "bracket:default"  # the mark is still read, by the default


# --- the reliability page ----------------------------------------------------------------------


def test_reliability_claims_name_real_tests() -> None:
    """Every test ``docs/reliability.md`` names as the check of a claim exists, in the file
    it names."""
    import re

    doc = (ROOT / "docs" / "reliability.md").read_text(encoding="utf-8")
    sources = {path.name: path.read_text(encoding="utf-8")
               for path in (ROOT / "tests").glob("test_*.py")}
    every = "\n".join(sources.values())
    located = re.findall(r"tests/(test_\w+\.py)::(test_\w+)", doc)
    assert len(located) > 20
    for file, name in located:
        assert file in sources, file
        assert re.search(rf"^def {name}\(", sources[file], re.M), f"{file}::{name}"
    for name in set(re.findall(r"`(test_\w+)`", doc)):
        assert re.search(rf"^def {name}\(", every, re.M), name


def _table_rows(doc: str, heading: str) -> list[str]:
    """The body rows of the first table under *heading* (``## heading``)."""
    section = doc.split(f"\n## {heading}", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    return rows[2:]  # the header and its rule


def test_every_guarantee_and_refusal_names_the_test_that_checks_it() -> None:
    """No row of the page's two tables is a bare promise: each names at least one test (or,
    for the write path, the fuzzer beside its tests)."""
    import re

    doc = (ROOT / "docs" / "reliability.md").read_text(encoding="utf-8")
    for heading in ("Guaranteed", "Refused, with a located message"):
        rows = _table_rows(doc, heading)
        assert len(rows) >= 15, heading
        for row in rows:
            assert re.search(r"`(?:tests/\w+\.py(?:::\w+)?|test_\w+)`", row), row[:120]


def test_the_limits_the_page_states_are_the_codes() -> None:
    """Each number the page gives for a limit or a budget is the one the code uses."""
    import inspect

    from collatio.apparatus.build import DOCUMENT_DEPTH
    from collatio.cli import MESSAGE_WIDTH
    from collatio.cli.output import CHUNK
    from collatio.interop.tei import MAX_XML_DEPTH
    from collatio.markup import conventions, scanner
    from collatio.normalize import MAX_EQUIVALENTS_BYTES
    from collatio.readers import _xml
    from collatio.sources.files import MAX_FILE_BYTES
    from collatio.sources.manifests import MAX_MANIFEST_BYTES
    from collatio.strict_json import MAX_DEPTH, MAX_DIGITS

    doc = " ".join((ROOT / "docs" / "reliability.md").read_text(encoding="utf-8").split())
    defaults = inspect.signature(collatio.collate).parameters
    claims = {
        "`--max-bytes` (512 MiB)": MAX_FILE_BYTES == 512 << 20,
        "manifests (16 MiB)": MAX_MANIFEST_BYTES == 16 << 20,
        "convention files (1 MiB)": conventions.MAX_CONVENTION_BYTES == 1 << 20,
        "tables of equivalents (64 MiB)": MAX_EQUIVALENTS_BYTES == 64 << 20,
        "`--max-texts` (1000)": defaults["max_texts"].default == 1000,
        "`--max-tokens` (30 million)": defaults["max_tokens"].default == 30_000_000,
        "timeout (0.25 s)": conventions.PATTERN_TIMEOUT == 0.25,
        "a budget of 5 s plus 1 s per MB": (scanner.RULE_BUDGET, scanner.BUDGET_PER_MB)
        == (5.0, 1.0),
        "A pattern over 5,000 characters": conventions.MAX_PATTERN_LENGTH == 5_000,
        "over 100,000 times": conventions.MAX_REPEATS == 100_000,
        "follows marks 32 levels deep": DOCUMENT_DEPTH == 32,
        "nesting is limited to 256": MAX_XML_DEPTH == _xml.MAX_DEPTH == 256,
        "nested more than 500 deep": MAX_DEPTH == 500,
        "a number of over 100 characters": MAX_DIGITS == 100,
        "pieces of at most 1 MiB": CHUNK == 1 << 20,
        "longer than 1,000 characters is shortened": MESSAGE_WIDTH == 1_000,
        "cuts a span's text at 1,000 characters": TEXT_LIMIT == 1_000,
    }
    for phrase, holds in claims.items():
        assert phrase in doc, f"the page no longer says {phrase!r}: update this test"
        assert holds, f"the page says {phrase!r}; the code differs"


def test_every_fuzz_target_has_a_campaign_recorded() -> None:
    """A fuzz target that was never run for a campaign is not a check: the page's table of
    campaigns names every target in fuzz/targets.py."""
    import sys

    sys.path.insert(0, str(ROOT / "fuzz"))
    try:
        import targets
    finally:
        sys.path.remove(str(ROOT / "fuzz"))
    doc = (ROOT / "docs" / "reliability.md").read_text(encoding="utf-8")
    rows = _table_rows(doc.split("### Campaigns run", 1)[1].replace("\n|", "\n## x\n|", 1), "x")
    recorded = {row.split("|")[2].strip() for row in rows}
    assert set(targets.TARGETS) <= recorded, sorted(set(targets.TARGETS) - recorded)
