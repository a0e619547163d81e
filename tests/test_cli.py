"""The command line, run in-process: exit codes, outputs, errors on stderr."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from collatio.cli import main

ROOT = Path(__file__).resolve().parent.parent
SEED = str(ROOT / "seeds" / "002_82ee7afc6dc33c74.txt")


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_parse_text_outline() -> None:
    code, out, err = run("parse", SEED)
    assert code == 0 and err == ""
    assert out.startswith("F  Final Message from Stalin to Mao Zedong  [1950-10-05]")
    assert "convention  hand-revision (header states 'italicized passages inserted" in out
    assert "39:926: warning: ']' closes nothing" in out


def test_parse_json() -> None:
    code, out, _ = run("parse", SEED, "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert [w["id"] for w in data["witnesses"]] == ["F", "D"]
    assert [w["date"] for w in data["witnesses"]] == ["1950-10-05", "1950-10-04"]
    assert set(data["witnesses"][1]["states"]) == {"ante", "post"}
    unmatched = [d for d in data["diagnostics"] if d["code"] == "unmatched-close"]
    assert [(d["line"], d["column"]) for d in unmatched] == [(39, 926)]


def test_strict_exits_1_with_a_located_message() -> None:
    code, out, err = run("parse", SEED, "--strict")
    assert code == 1 and out == ""
    assert err.startswith(f"collatio: {SEED}:39:926: ']' closes nothing")
    assert "Traceback" not in err


def test_output_file(tmp_path: Path) -> None:
    target = tmp_path / "parse.json"
    code, out, _ = run("parse", SEED, "--format", "json", "-o", str(target))
    assert code == 0 and out == ""
    assert json.loads(target.read_text(encoding="utf-8"))["format"] == "collatio-parse/1"


def test_unwritable_output_is_an_input_error(tmp_path: Path) -> None:
    code, _, err = run("parse", SEED, "-o", str(tmp_path / "missing" / "x.json"))
    assert code == 1 and "cannot write output" in err and "missing" in err


def test_missing_file_exit_1(tmp_path: Path) -> None:
    missing = tmp_path / "nope.txt"
    code, out, err = run("parse", str(missing))
    assert code == 1 and out == ""
    assert str(missing) in err and err.count("\n") <= 2


@pytest.mark.parametrize(
    "argv",
    [["parse"], ["parse", SEED, "--format", "xml"], ["frobnicate"], ["parse", "--bogus", SEED]],
)
def test_usage_errors_exit_2(argv: list[str]) -> None:
    code, _, err = run(*argv)
    assert code == 2 and "error" in err


def test_unknown_convention_exit_1() -> None:
    code, _, err = run("parse", SEED, "--convention", "nonesuch")
    assert code == 1 and "unknown convention 'nonesuch'" in err


def test_forced_convention_applies_to_every_witness() -> None:
    code, out, _ = run("parse", SEED, "--convention", "plain", "--format", "json")
    assert code == 0
    assert all(not w["spans"] for w in json.loads(out)["witnesses"])


def test_manifest_option() -> None:
    code, out, _ = run("parse", "--manifest", str(ROOT / "examples" / "seed-002.toml"))
    assert code == 0 and "Draft, 4 October 1950 (revised by hand)" in out
    assert "unmatched" not in out


def test_conventions_command() -> None:
    code, out, _ = run("conventions")
    assert code == 0 and out.splitlines()[0].startswith("hand-revision")
    code, out, _ = run("conventions", "hand-revision")
    assert code == 0 and "rule 4. translator-note: bracket -> note/translator" in out


def test_debug_reraises() -> None:
    with pytest.raises(OSError):
        main(["--debug", "parse", "/nonexistent/file.txt"], stdout=io.StringIO(),
             stderr=io.StringIO())


def test_python_dash_m_runs_the_cli() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "collatio", "parse", SEED, "--format", "json"],
        capture_output=True, text=True, cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["witnesses"][0]["id"] == "F"
