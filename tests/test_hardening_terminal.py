"""Nothing reaches a terminal unescaped: every string collatio shows a person (standard
output's text formats, standard error) passes through collatio.terminal.printable."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collatio.cli import main
from collatio.render.text import COLOURS
from collatio.terminal import UNSAFE, printable

ROOT = Path(__file__).resolve().parent.parent

#: What the audit sent to the terminal from a file's own title line, and its friends.
OSC_TITLE = "\x1b]0;owned\x07"
CLEAR = "\x1b[2J\x1b[H"
C1 = "\x9b31m\x9d0;x\x9c"
BIDI = "\u202egnp.exe\u202c\u2066\u2069\u200f"
HOSTILE = OSC_TITLE + CLEAR + C1 + BIDI + "\x08\r\x7f"
NO_SPACE = OSC_TITLE + CLEAR + C1 + BIDI  # a siglum holds no whitespace (CR is whitespace)

_RAW = re.compile(f"[{UNSAFE}]")


def raw(text: str, *, colours: bool = False) -> list[str]:
    """The characters in *text* that could drive a terminal (newline and tab are layout;
    with *colours*, the text renderer's own colour sequences are allowed)."""
    if colours:
        text = re.sub("|".join(re.escape(f"\x1b[{code}m") for code in COLOURS), "", text)
    return _RAW.findall(text)


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def run(*argv: str | Path, tty: bool = False) -> tuple[int, str, str]:
    out: io.StringIO = Terminal() if tty else io.StringIO()
    err = io.StringIO()
    code = main([str(a) for a in argv], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


# --- the function ----------------------------------------------------------------------------


@pytest.mark.parametrize(("char", "shown"), [
    ("\x1b", "\\x1b"), ("\x07", "\\x07"), ("\x00", "\\x00"), ("\r", "\\x0d"), ("\x7f", "\\x7f"),
    ("\x9b", "\\x9b"), ("\x9d", "\\x9d"), ("\x85", "\\x85"),
    ("\u202e", "\\u202e"), ("\u202a", "\\u202a"), ("\u2066", "\\u2066"), ("\u2069", "\\u2069"),
    ("\u200e", "\\u200e"), ("\u200f", "\\u200f"), ("\u061c", "\\u061c"), ("\u2028", "\\u2028"),
    ("\ud800", "\\ud800"),
])
def test_every_dangerous_character_is_shown_visibly(char: str, shown: str) -> None:
    assert printable(f"a{char}b") == f"a{shown}b"
    assert printable(f"a{char}b", newlines=True) == f"a{shown}b"


def test_fields_are_one_line_and_reports_keep_their_layout() -> None:
    assert printable("a\nb\tc") == "a\\x0ab\\x09c"
    assert printable("a\nb\tc", newlines=True) == "a\nb\tc"


@given(st.text())
def test_printable_leaves_nothing_raw_and_is_idempotent(text: str) -> None:
    shown = printable(text)
    assert not _RAW.findall(shown) and "\n" not in shown and "\t" not in shown
    assert printable(shown) == shown


@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"),
                                      blacklist_characters="\u061c\u200e\u200f\u202a\u202b"
                                      "\u202c\u202d\u202e\u2066\u2067\u2068\u2069")))
def test_ordinary_text_is_unchanged(text: str) -> None:
    assert printable(text) == text  # any script, combining marks, emoji, ZWJ, soft hyphens


# --- what collatio prints ---------------------------------------------------------------------


@pytest.fixture()
def hostile(tmp_path: Path) -> dict[str, Path]:
    """A draft whose title line, metadata and text hold terminal controls, its variant, a
    manifest giving hostile sigla and labels, and a file whose name holds them."""
    draft = tmp_path / "draft.txt"
    draft.write_text(
        f"Letter from Stalin{NO_SPACE} to Mao, 4 October 1950\n\n"
        f"Dear comrade, we [send{HOSTILE}] the *troops{C1}* today.\n",
        encoding="utf-8",
    )
    final = tmp_path / "final.txt"
    final.write_text("Letter from Stalin to Mao, 5 October 1950\n\n"
                     "Dear comrade, we send the men today.\n", encoding="utf-8")
    manifest = tmp_path / "m.toml"
    manifest.write_text(
        f'[[witness]]\nsource = "draft.txt"\nsiglum = {json.dumps("D" + NO_SPACE)}\n'
        f'label = {json.dumps("draft" + HOSTILE)}\n'
        f'[[witness]]\nsource = "final.txt"\nsiglum = "F"\n', encoding="utf-8")
    named = tmp_path / f"name{OSC_TITLE}\u202e.txt"
    named.write_text("Some text.\n", encoding="utf-8")
    return {"draft": draft, "final": final, "manifest": manifest, "named": named}


def test_collate_text_is_inert_coloured_or_not(hostile: dict[str, Path]) -> None:
    for tty in (False, True):
        for argv in ((hostile["draft"], hostile["final"]), ("--manifest", hostile["manifest"]),
                     (hostile["named"], hostile["final"])):
            code, out, err = run("collate", *argv, "--convention", "hand-revision", tty=tty)
            assert code == 0, err
            assert raw(out, colours=tty) == [], (argv, tty)
            assert "\\x1b]0;owned\\x07" in out or "\\x1b" in out
    code, out, _ = run("collate", "--manifest", hostile["manifest"], tty=True)
    assert "\x1b[36m" in out, "the renderer's own colours are kept"


def test_parse_outline_is_inert(hostile: dict[str, Path]) -> None:
    for argv in ((hostile["draft"],), ("--manifest", hostile["manifest"]), (hostile["named"],)):
        code, out, err = run("parse", *argv, "--convention", "hand-revision")
        assert code == 0, err
        assert raw(out) == [], argv
    code, out, _ = run("parse", hostile["draft"])
    assert "Stalin\\x1b]0;owned\\x07\\x1b[2J" in out


@pytest.mark.parametrize("fmt", ["json", "tei", "html", "latex", "collatex"])
def test_every_format_on_a_terminal_is_inert(hostile: dict[str, Path], fmt: str) -> None:
    code, out, err = run("collate", "--manifest", hostile["manifest"], "--format", fmt, tty=True)
    assert code == 0, err
    assert raw(out) == []
    if fmt == "json":  # the escapes a terminal shows for bidi controls are JSON's own
        assert "\\u202e" in out


def test_errors_and_usage_errors_are_inert(hostile: dict[str, Path], tmp_path: Path) -> None:
    missing = tmp_path / f"gone{OSC_TITLE}.txt"
    strict = tmp_path / "strict.txt"
    strict.write_text(f"a line {CLEAR}{BIDI} with ] a stray bracket\n", encoding="utf-8")
    convention = tmp_path / "c.toml"
    convention.write_text(f'name = {json.dumps("c" + HOSTILE)}\nbogus{1} = 1\n',
                          encoding="utf-8")
    cases = [
        ("collate", missing),
        ("parse", strict, "--strict"),
        ("collate", hostile["final"], "--format", "x" + HOSTILE),
        ("collate", hostile["final"], "--base", "Z" + HOSTILE),
        ("parse", hostile["final"], "--convention", str(convention)),
        ("collate", hostile["final"], "--bogus" + HOSTILE),
        ("conventions", "nope" + HOSTILE),
    ]
    for argv in cases:
        code, _, err = run(*argv)
        assert code in (1, 2), (argv, err)
        assert err.startswith("collatio") and raw(err) == [], (argv, err)
    equivalents = tmp_path / "eq.txt"
    equivalents.write_text(f"a line {CLEAR}{BIDI} =\n", encoding="utf-8")
    code, _, err = run("collate", hostile["final"], "--equivalents", equivalents)
    lines = err.splitlines()
    assert code == 1 and raw(err) == [] and len(lines) == 3, err
    assert lines[1].startswith("    a line \\x1b[2J\\x1b[H\\u202e") and lines[2].strip() == "^"
    assert lines[2].index("^") == lines[1].index("="), "the caret stays under its character"


def test_conventions_listing_is_inert(tmp_path: Path) -> None:
    convention = tmp_path / "c.toml"
    convention.write_text(
        f'name = {json.dumps("c" + HOSTILE)}\ndescription = {json.dumps(HOSTILE)}\n'
        f'[[delimiter]]\nname = "b"\nopen = "["\nclose = "]"\nkind = "del"\n'
        f'why = {json.dumps(HOSTILE)}\n', encoding="utf-8")
    code, out, err = run("conventions", convention)
    assert code == 0, err
    assert raw(out) == [] and "\\x1b]0;owned" in out


def test_an_internal_error_message_is_inert(monkeypatch: pytest.MonkeyPatch) -> None:
    import collatio

    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError(HOSTILE)

    monkeypatch.setattr(collatio, "collate", broken)
    code, _, err = run("collate", ROOT / "seeds" / "002_82ee7afc6dc33c74.txt")
    assert code == 70 and raw(err) == [] and err.count("\n") == 1
