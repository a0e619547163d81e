"""The command line on a terminal: usage errors, colour, width, warnings on stderr, progress,
the formats listing and shell completion."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

import collatio
from collatio.cli import main
from collatio.cli._inputs import FORMATS
from collatio.cli.style import progress, show_progress, use_color
from collatio.progress import stage
from collatio.render import renderer_names

ROOT = Path(__file__).resolve().parent.parent
SEED = str(ROOT / "seeds" / "002_82ee7afc6dc33c74.txt")
ANSI = re.compile(r"\x1b\[[0-9;]*m")
COLOR_VARS = ("NO_COLOR", "FORCE_COLOR", "TERM", "CI", "COLUMNS")


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def plain_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in COLOR_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")


def run(*argv: str, stdout: io.StringIO | None = None) -> tuple[int, str, str]:
    out, err = stdout if stdout is not None else io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


# --- usage errors ---------------------------------------------------------------------------


@pytest.mark.parametrize(("option", "message"), [
    (["--base", "X"], "unknown base 'X'; choose one of: F, D-ac, D-pc"),
    (["--normalize", "bogus"], "unknown normalizer(s) 'bogus'"),
    (["--convention", "nosuch"], "unknown convention 'nosuch'; presets: hand-revision"),
])
def test_unknown_names_are_usage_errors(option: list[str], message: str) -> None:
    code, out, err = run("collate", SEED, *option)
    assert code == 2 and out == ""
    assert err.startswith("collatio: error: ") and message in err
    assert "<input>" not in err and len(err.splitlines()) == 1


def test_a_broken_convention_file_is_an_input_error(tmp_path: Path) -> None:
    broken = tmp_path / "mine.toml"
    broken.write_text("name = 'mine'\n[[delimiter]]\nopen = \n", encoding="utf-8")
    code, _, err = run("collate", SEED, "--convention", str(broken))
    assert code == 1 and "mine.toml" in err


# --- help, formats, completion -----------------------------------------------------------------


def test_collate_help_lists_inputs_conventions_and_formats() -> None:
    code, out, _ = run("collate", "--help")
    flat = " ".join(out.split())
    assert code == 0
    for shown in (FORMATS, "hand-revision, editorial, plain", "'collatio formats'",
                  *renderer_names()):
        assert shown in flat, shown


def test_formats_lists_every_format_with_its_options() -> None:
    code, out, _ = run("formats")
    assert code == 0
    for name in renderer_names():
        assert re.search(rf"^{name}\b.*: \S", out, re.M), name
    for option in ("-O body_only:", "-O width:", "-O delimiter:", "-O long_words:", "-O indent:"):
        assert option in out
    code, out, _ = run("formats", "csv")
    assert code == 0 and out.startswith("csv: ") and "latex" not in out
    code, _, err = run("formats", "nosuch")
    assert code == 1 and "unknown format 'nosuch'" in err


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_completion_completes_commands_options_and_choices(tmp_path: Path) -> None:
    code, script, _ = run("completion", "bash")
    assert code == 0
    (tmp_path / "collatio.bash").write_text(script, encoding="utf-8")

    def complete(*words: str) -> list[str]:
        line = " ".join(words)
        program = (f"source {tmp_path / 'collatio.bash'}; COMP_WORDS=({line}); "
                   f"COMP_CWORD={len(words) - 1}; COMP_LINE='{line}'; COMP_POINT={len(line)}; "
                   '_shtab_collatio; printf "%s\\n" "${COMPREPLY[@]}"')
        done = subprocess.run(["bash", "-c", program], capture_output=True, text=True,
                              timeout=60, check=True)
        return done.stdout.split()

    assert set(complete("collatio", "co")) == {"collate", "completion", "conventions"}
    assert "--no-transpositions" in complete("collatio", "collate", "--no")
    assert complete("collatio", "parse", "--format", "") == ["text", "json"]
    assert set(complete("collatio", "completion", "")) == {"bash", "zsh", "tcsh"}


def test_zsh_and_tcsh_scripts_are_made() -> None:
    for shell, marker in (("zsh", "#compdef collatio"), ("tcsh", "complete collatio")):
        code, script, _ = run("completion", shell)
        assert code == 0 and marker in script


# --- colour and width ---------------------------------------------------------------------------


def test_colour_decision(monkeypatch: pytest.MonkeyPatch) -> None:
    tty, pipe = Terminal(), io.StringIO()
    assert use_color(tty) and not use_color(pipe)
    assert use_color(pipe, "always") and not use_color(tty, "never")
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert use_color(pipe)
    monkeypatch.setenv("FORCE_COLOR", "0")
    assert not use_color(pipe)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert not use_color(tty) and use_color(tty, "always")
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.delenv("FORCE_COLOR")
    monkeypatch.setenv("TERM", "dumb")
    assert not use_color(tty)
    monkeypatch.setenv("NO_COLOR", "")  # set but empty: no effect
    monkeypatch.setenv("TERM", "xterm")
    assert use_color(tty)


def test_terminal_output_colours_added_deleted_and_warnings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, out, err = run("collate", SEED, stdout=Terminal())
    assert code == 0 and err == ""  # the warning is in the apparatus shown on the terminal
    assert "\x1b[32mminimum\x1b[0m" in out  # added by hand: green
    assert "\x1b[31msending to Korea a\x1b[0m" in out  # deleted by hand: red
    assert re.search(r"\x1b\[33m[^\x1b]*39:926: warning", out)
    for env, value in (("NO_COLOR", "1"), ("TERM", "dumb")):
        monkeypatch.setenv(env, value)
        _, plain, _ = run("collate", SEED, stdout=Terminal())
        assert not ANSI.search(plain), env
        monkeypatch.delenv(env)
    monkeypatch.setenv("TERM", "xterm")
    _, never, _ = run("collate", SEED, "--color", "never", "-O", "width=100", stdout=Terminal())
    _, always, _ = run("--color", "always", "collate", SEED)
    assert not ANSI.search(never) and ANSI.sub("", always) == never
    monkeypatch.setenv("FORCE_COLOR", "1")
    _, forced, _ = run("collate", SEED)
    assert forced == always


def test_terminal_width_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    _, narrow, _ = run("collate", SEED, "--color", "never", stdout=Terminal())
    _, piped, _ = run("collate", SEED)
    readings = [line for line in narrow.splitlines() if re.match(r"       \S", line)]
    assert readings and max(map(len, readings)) <= 60
    assert max(map(len, piped.splitlines())) > 60  # a pipe keeps the default width


def test_warnings_reach_stderr_when_the_output_goes_elsewhere(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    code, out, err = run("collate", SEED, "-o", str(target))
    assert code == 0 and out == "" and target.exists()
    (line,) = err.splitlines()
    assert "002_82ee7afc6dc33c74.txt:39:926: warning: ']' closes nothing" in line
    code, out, err = run("collate", SEED, "--format", "json")  # a pipe or a file
    assert "39:926: warning" in err and not ANSI.search(err)
    _, _, err = run("collate", SEED, "--format", "json", "--color", "always")
    assert err.startswith("\x1b[33m")
    _, _, err = run("collate", SEED, "--out", str(tmp_path / "all"))
    assert "39:926: warning" in err


# --- progress -------------------------------------------------------------------------------------


def test_progress_only_on_a_terminal_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    assert show_progress(Terminal()) and not show_progress(io.StringIO())
    assert not show_progress(Terminal(), wanted=False)
    monkeypatch.setenv("CI", "true")
    assert not show_progress(Terminal())
    monkeypatch.delenv("CI")
    monkeypatch.setenv("TERM", "dumb")
    assert not show_progress(Terminal())


def test_progress_shows_the_stages_after_the_delay_then_clears() -> None:
    screen = Terminal()

    def shown_within(label: str, seconds: float = 20.0) -> None:
        # the display redraws from its own thread: wait for it, as long as a loaded machine needs
        deadline = time.monotonic() + seconds
        while label not in screen.getvalue() and time.monotonic() < deadline:
            time.sleep(0.05)

    with progress(screen, True, delay=0.05) as display:
        assert display is not None
        with stage("aligning 3 texts (1,633 tokens)"):
            shown_within("aligning 3 texts (1,633 tokens)")
        with stage("grouping variation units"):
            shown_within("grouping variation units")
    shown = screen.getvalue()
    assert "collatio: aligning 3 texts (1,633 tokens)" in shown
    assert "collatio: grouping variation units" in shown
    with progress(quick := Terminal(), True, delay=5.0), stage("reading 1 file"):
        pass  # a run shorter than the delay shows nothing
    assert quick.getvalue() == ""


def test_the_pipeline_reports_its_stages() -> None:
    seen: list[str] = []
    from collatio.progress import reporting

    with reporting(seen.append):
        collatio.collate([SEED])
    assert seen[0] == "reading 1 file" and seen[2] == "grouping variation units"
    assert re.fullmatch(r"aligning 3 texts \(1,\d{3} tokens\)", seen[1]) and len(seen) == 3


def test_no_progress_in_a_pipe() -> None:
    env = {k: v for k, v in os.environ.items() if k not in COLOR_VARS}
    done = subprocess.run([sys.executable, "-m", "collatio", "collate", SEED, "--format", "json",
                           "-o", os.devnull],
                          capture_output=True, text=True, env=env, timeout=120, check=True)
    assert done.stderr.count("\n") == 1 and "39:926: warning" in done.stderr
    assert "\x1b" not in done.stderr and "\r" not in done.stderr
