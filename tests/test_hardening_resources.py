"""Bounded cost: memory and output linear in the input however deep the marks nest, repeated
diagnostics counted, rule patterns on one time budget per file, pattern compilation bounded,
and the files beside the texts (conventions, equivalents) limited and checked."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import collatio
from collatio.cli import main
from collatio.errors import CollatioError, ConventionError, LimitError
from collatio.listing import parse_outline
from collatio.markup import get_convention, parse_markup, walk
from collatio.markup import scanner as scanning
from collatio.markup.conventions import MAX_REPEATS, compiled, load_convention

ROOT = Path(__file__).resolve().parent.parent


def run(*argv: str | Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main([str(a) for a in argv], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def nested(depth: int) -> str:
    """Marks nested *depth* deep with a word at every level (``[w0 [w1 ... x ] ]``)."""
    return "".join(f"[w{i} " for i in range(depth)) + "x" + " ]" * depth


def child_peak_mb(script: str, tmp_path: Path) -> float:
    """The peak resident memory of a child process running *script* (megabytes), as the
    child itself measures it: its VmHWM (getrusage's maxrss survives exec, so a child of a
    large test process would report the parent's size)."""
    script = textwrap.dedent(script) + textwrap.dedent("""
        import re, resource
        try:
            with open("/proc/self/status") as status:
                peak = int(re.search(r"VmHWM:\\s+(\\d+)", status.read()).group(1))
        except OSError:
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(peak)
    """)
    result = subprocess.run([sys.executable, "-c", script], check=True, cwd=tmp_path,
                            timeout=600, capture_output=True, text=True)
    return int(result.stdout.split()[-1]) / 1024


# --- deep nesting -----------------------------------------------------------------------------


def test_deep_marks_collate_in_linear_memory_and_output(tmp_path: Path) -> None:
    source = tmp_path / "deep.txt"
    source.write_text(nested(10_000), encoding="utf-8")  # 100 KB
    (tmp_path / "other.txt").write_text("w0 w1 x", encoding="utf-8")
    peak = child_peak_mb("""
        from collatio.cli import main
        assert main(["collate", "deep.txt", "other.txt", "--format", "json", "-o", "a.json"]) == 0
        assert main(["collate", "deep.txt", "other.txt", "--format", "html", "-o", "a.html"]) == 0
    """, tmp_path)
    size = source.stat().st_size
    assert (tmp_path / "a.json").stat().st_size < 10 * size  # was 15,000x (O(depth²))
    assert (tmp_path / "a.html").stat().st_size < 10 * size
    assert peak < 400, f"{peak:.0f} MB"
    data = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    (warning,) = [d for d in data["diagnostics"] if d["code"] == "marks-too-deep"]
    assert (warning["line"], warning["column"]) == (1, 1 + sum(len(f"[w{i} ") for i in range(32)))


def test_five_hundred_nested_marks_render_in_every_format(tmp_path: Path) -> None:
    draft = collatio.parse_text(nested(500), path="D", convention="hand-revision").witnesses
    final = collatio.parse_text("w0 w1 x", path="F").witnesses
    apparatus = collatio.collate_witnesses([*draft, *final])
    for name in collatio.renderer_names():
        assert collatio.render(apparatus, name)  # HTML recursed once per level


def test_tei_with_deep_marks_reads_back(tmp_path: Path) -> None:
    (tmp_path / "deep.txt").write_text(nested(300), encoding="utf-8")
    (tmp_path / "other.txt").write_text("w0 w1 x", encoding="utf-8")
    tei = tmp_path / "deep.tei.xml"
    assert run("collate", tmp_path / "deep.txt", tmp_path / "other.txt", "-o", tei)[0] == 0
    code, out, err = run("collate", tei, "--format", "json")
    assert code == 0, err
    assert [w["id"] for w in json.loads(out)["witnesses"]] == ["deep", "other"]


def test_walking_a_deep_tree_shares_the_ancestors() -> None:
    markup = parse_markup("[" * 10_000 + "x" + "]" * 10_000, get_convention("hand-revision"))
    tracemalloc.start()
    try:
        spans = list(walk(markup.nodes))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 10 * 1024 * 1024, "a tuple per span would hold 50 million references"
    _, ancestors = spans[-1]
    assert len(ancestors) == 9_999 and ancestors[-1] is spans[-2][0]
    assert ancestors[0] is spans[0][0] and list(ancestors)[5] is spans[5][0]
    assert spans[3][1] == tuple(s for s, _ in spans[:3])


def test_the_outline_of_deep_marks_is_linear() -> None:
    result = collatio.parse_text(nested(3_000), path="deep.txt")
    tracemalloc.start()
    try:
        outline = parse_outline(result)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20 * len(outline) + 5_000_000
    assert "'w2999 x ] ]…'" not in outline and "(depth 2999)" in outline


# --- diagnostics ------------------------------------------------------------------------------


def test_repeated_diagnostics_are_counted_not_repeated(tmp_path: Path) -> None:
    path = tmp_path / "open.txt"
    path.write_text("[" * 400_000, encoding="utf-8")
    code, out, err = run("parse", path)
    assert code == 0, err
    assert len(out) < 2_000, "400,000 unclosed marks made 101 MB of diagnostics"
    assert "and 399,999 more like it, at 1:2, 1:3," in out
    code, out, _ = run("parse", path, "--format", "json")
    codes = [d["code"] for d in json.loads(out)["diagnostics"]]
    assert codes == ["unclosed-mark", "unclosed-mark"]


def test_different_diagnostics_are_each_given() -> None:
    markup = parse_markup("a ] b [c *d ] e ]", get_convention("hand-revision"))
    codes = [d.code for d in markup.diagnostics]
    assert codes.count("unmatched-close") == 2  # one in full, one "and 1 more like it"
    assert "crossing-marks" in codes or "unclosed-mark" in codes


# --- rule patterns ----------------------------------------------------------------------------


def backtracking_convention(tmp_path: Path) -> Path:
    path = tmp_path / "slow.toml"
    path.write_text(textwrap.dedent("""
        name = "slow"
        [[delimiter]]
        name = "bracket"
        open = "["
        close = "]"
        kind = "del"
        [[rule]]
        name = "catastrophic"
        delimiter = "bracket"
        kind = "note"
        content = "(a|aa)+$x"
        [[rule]]
        name = "fine"
        delimiter = "bracket"
        kind = "gap"
        content = "b+"
    """), encoding="utf-8")
    return path


def test_a_backtracking_rule_costs_its_timeout_once_per_file(tmp_path: Path) -> None:
    convention = backtracking_convention(tmp_path)
    text = " ".join(["[" + "a" * 40 + "]"] * 100 + ["[bbb]"])
    document = tmp_path / "marks.txt"
    document.write_text(text, encoding="utf-8")
    result = collatio.parse([document], convention=str(convention))
    codes = [d.code for d in result.diagnostics]
    assert codes.count("rule-timeout") == 1, "once, then the rule is not tried again"
    kinds = [span.kind.value for span, _ in result.witnesses[0].spans()]
    assert kinds == ["del"] * 100 + ["gap"], "the other rules still apply"


def test_rule_matching_has_one_budget_per_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scanning, "RULE_BUDGET", 0.0)
    monkeypatch.setattr(scanning, "BUDGET_PER_MB", 0.0)
    source = tmp_path / "two.txt"  # two documents in one file: one budget
    source.write_text(
        "Letter from A to B, 1 May 1950\n\n[...] and [the] text\n\n"
        "Letter from B to A, 2 May 1950\n\n[...] and more\n", encoding="utf-8")
    result = collatio.parse([source], convention="hand-revision")
    assert len(result.witnesses) == 2
    budget = [d for d in result.diagnostics if d.code == "rule-budget"]
    assert len(budget) == 1 and "delimiters' defaults" in budget[0].message
    assert all(span.rule.endswith(":default") for w in result.witnesses for span, _ in w.spans())


def test_pattern_compilation_is_bounded(tmp_path: Path) -> None:
    for pattern in ("(?:(?:a{200}){200}){200}", "(x{1000}){1000}", "a" * 6_000):
        with pytest.raises(Exception, match="over the limit"):
            compiled(pattern)
    assert compiled(r"\p{Lu}\w{0,60}(?:-trans\.)?")
    assert compiled("(?:a{100}){100}")  # 10,000 repeats: fine
    assert MAX_REPEATS >= 10_000
    path = tmp_path / "huge.toml"
    path.write_text(textwrap.dedent("""
        name = "huge"
        [[delimiter]]
        name = "bracket"
        open = "["
        close = "]"
        kind = "del"
        [[rule]]
        name = "huge"
        delimiter = "bracket"
        kind = "note"
        content = "(?:(?:a{200}){200}){200}"
    """), encoding="utf-8")
    with pytest.raises(ConventionError, match=r"rule 'huge', key 'content'.*8,000,000 times"):
        load_convention(path)


# --- the files beside the texts ---------------------------------------------------------------


def test_convention_file_errors_name_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    cases = {
        b'name = "c\xff"\n': ("bad.toml:1: not UTF-8: cannot decode byte(s) ff at byte offset 9"),
        b"name = [" + b"[" * 100_000 + b"\n": "bad.toml: invalid TOML: arrays or tables nested",
        b'name = "c"\n[[rule]]\nname = "x"\n': "bad.toml: rule 'x': missing required key",
        b"name =\n": "bad.toml:1:7: invalid TOML",
    }
    for data, said in cases.items():
        bad.write_bytes(data)
        code, _, err = run("parse", ROOT / "seeds" / "002_82ee7afc6dc33c74.txt",
                           "--convention", bad)
        assert code == 1 and err.startswith(f"collatio: {tmp_path}/") and said in err, err
        assert "<input>" not in err and err.count("\n") == 1


def test_equivalents_files_are_checked(tmp_path: Path) -> None:
    table = tmp_path / "eq.txt"
    table.write_bytes(b"colour = color\n\xff = x\n")
    with pytest.raises(CollatioError, match=r"eq.txt:2: not UTF-8"):
        collatio.collate([ROOT / "seeds" / "002_82ee7afc6dc33c74.txt"], equivalents=str(table))


@pytest.mark.parametrize("what", ["--equivalents", "--convention"])
def test_an_endless_side_file_is_refused_as_it_is_read(what: str, tmp_path: Path) -> None:
    endless = tmp_path / "endless.toml"  # a FIFO fed forever: no size to check beforehand
    import os
    import threading

    os.mkfifo(endless)

    def feed() -> None:
        try:
            with open(endless, "wb") as handle:
                while True:
                    handle.write(b"#" * 65536)
        except (BrokenPipeError, OSError):
            return

    threading.Thread(target=feed, daemon=True).start()
    if what == "--convention":
        with pytest.raises(ConventionError, match="a convention file of over"):
            load_convention(endless)
    else:
        with pytest.raises(LimitError, match="a table of equivalents of over"):
            collatio.collate([ROOT / "seeds" / "002_82ee7afc6dc33c74.txt"],
                             equivalents=str(endless))


@given(st.lists(st.text(alphabet="ab é\n\t", max_size=12), max_size=6),
       st.integers(min_value=1, max_value=30))
def test_clipping_shows_exactly_what_it_would_of_the_whole(parts: list[str], width: int) -> None:
    from collatio.listing import _clip_runs

    flat = " ".join("".join(parts).split())
    expected = flat if len(flat) <= width else flat[: width - 1] + "…"
    assert _clip_runs(((part, 0, len(part)) for part in parts), width) == expected
