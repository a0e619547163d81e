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


def test_unknown_convention_is_a_usage_error() -> None:
    code, _, err = run("parse", SEED, "--convention", "nonesuch")
    assert code == 2 and "unknown convention 'nonesuch'" in err


def test_forced_convention_applies_to_every_witness() -> None:
    code, out, _ = run("parse", SEED, "--convention", "plain", "--format", "json")
    assert code == 0
    # no marks: only the documents' furniture lines (addresses, dates), which are layout
    assert all(span["rule"].startswith("furniture:") for w in json.loads(out)["witnesses"]
               for span in w["spans"])


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


# --- collate -----------------------------------------------------------------------------------


def test_collate_text_by_default() -> None:
    code, out, err = run("collate", SEED)
    assert code == 0, err
    assert out.startswith("3 texts, ") and "reply ] F" in out
    assert "\x1b[" not in out  # not a terminal: no colour


def test_collate_json_matches_schema() -> None:
    import jsonschema

    code, out, _ = run("collate", SEED, "--format", "json")
    assert code == 0
    data = json.loads(out)
    schema = json.loads((ROOT / "docs" / "schemas" / "apparatus.schema.json").read_text("utf-8"))
    jsonschema.validate(data, schema)
    assert [w["id"] for w in data["witnesses"]] == ["F", "D-ac", "D-pc"]
    assert any(u["type"] == "lacuna" and u["lacunose"] == ["F"] for u in data["apparatus"])


def test_collate_options() -> None:
    code, out, _ = run("collate", SEED, "--format", "json", "--base", "D", "--normalize",
                       "case,punctuation", "--join", "0", "--no-transpositions")
    assert code == 0
    data = json.loads(out)
    assert data["base"] == "D-pc"
    assert all(u["type"] != "transposition" for u in data["apparatus"])


def test_collate_unknown_normalizer_and_base_are_usage_errors() -> None:
    code, _, err = run("collate", SEED, "--normalize", "spelling")
    assert code == 2 and "unknown normalizer(s) 'spelling'" in err
    code, _, err = run("collate", SEED, "--base", "Q")
    assert code == 2 and "unknown base 'Q'" in err


def test_collate_output_format_from_file_name(tmp_path: Path) -> None:
    target = tmp_path / "seed.collatex.json"
    code, _, _ = run("collate", SEED, "-o", str(target))
    assert code == 0
    assert json.loads(target.read_text("utf-8"))["witnesses"] == ["F", "D-ac", "D-pc"]
    code, _, err = run("collate", SEED, "-o", str(tmp_path / "x.doc"))
    assert code == 1 and "no format is known" in err


def test_collate_out_dir_writes_every_format(tmp_path: Path) -> None:
    code, out, _ = run("collate", SEED, "--out", str(tmp_path / "build"))
    assert code == 0
    from collatio.render import get_renderer, renderer_names

    written = sorted(p.name for p in (tmp_path / "build").iterdir())
    expected = sorted(f"002_82ee7afc6dc33c74{get_renderer(n).extension}" for n in renderer_names())
    assert written == expected and len(expected) >= 3
    assert out.count("wrote ") == len(expected)


def test_collate_usage_errors() -> None:
    assert run("collate")[0] == 2
    assert run("collate", SEED, "--out", "x", "--format", "json")[0] == 2
    assert run("collate", SEED, "--out", "x", "-o", "y")[0] == 2
    assert run("collate", SEED, "--join", "-1")[0] == 2


def test_collate_plain_files_sigla_from_names(tmp_path: Path) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("The quick brown fox.", encoding="utf-8")
    b.write_text("The quick red fox.", encoding="utf-8")
    code, out, _ = run("collate", str(a), str(b), "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert [w["id"] for w in data["witnesses"]] == ["a", "b"]
    (unit,) = data["apparatus"]
    assert [r["text"] for r in unit["readings"]] == ["brown", "red"]


def test_render_options() -> None:
    code, out, _ = run("collate", SEED, "-O", "width=60", "-O", "max_words=5")
    assert code == 0
    section = out.split("\nApparatus\n", 1)[1].split("\nHand revisions\n", 1)[0]
    body = [line for line in section.splitlines() if line.startswith("       ")]
    assert body and max(len(line) for line in body) <= 60
    assert run("collate", SEED, "-O", "width")[0] == 2


def test_a_format_that_cannot_render_leaves_no_file(tmp_path: Path) -> None:
    """The CollateX table needs the alignment, which an apparatus read back from TEI lacks:
    one error line, exit 1, and no empty output file."""
    tei = tmp_path / "seed.tei.xml"
    assert run("collate", SEED, "-o", str(tei))[0] == 0
    target = tmp_path / "table.collatex.json"
    code, _, err = run("collate", str(tei), "-o", str(target))
    assert code == 1 and "no alignment table" in err
    assert not target.exists()


def test_json_written_in_pieces_is_the_rendered_text(tmp_path: Path) -> None:
    target = tmp_path / "seed.json"
    assert run("collate", SEED, "-o", str(target))[0] == 0
    code, out, _ = run("collate", SEED, "--format", "json")
    assert code == 0 and target.read_text("utf-8") == out
    from collatio import collate, render

    assert out == render(collate([SEED]), "json")


def test_near_places_spelling_drift_side_by_side(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    a, b = tmp_path / "A.txt", tmp_path / "B.txt"
    a.write_text("in the zone at Kaeseong and\n", encoding="utf-8")
    b.write_text("in Kaesong and\n", encoding="utf-8")

    def columns(*extra: str) -> list[list[str | None]]:
        assert main(["collate", str(a), str(b), "--convention", "plain", "--format",
                     "collatex", *extra]) == 0
        rows = json.loads(capsys.readouterr().out)["table"]
        return [[None if cell is None else cell[0]["n"] for cell in row] for row in rows]

    assert columns()[1] == ["in", "Kaesong", None, None, None, "and"]
    assert columns("--near")[1] == ["in", None, None, None, "Kaesong", "and"]
    assert columns("--near", "0.95")[1] == columns()[1]
    assert main(["collate", str(a), str(b), "--near", "2"]) == 2
    assert "--near" in capsys.readouterr().err
