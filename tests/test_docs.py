"""The README's quick start and samples stay true."""

from __future__ import annotations

import io
import re
import shlex
from pathlib import Path

import pytest

from collatio.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def fenced(after: str) -> str:
    start = README.index(after)
    block = re.search(r"```(?:\w+)?\n(.*?)```", README[start:], re.S)
    assert block is not None
    return block.group(1)


def test_quick_start_is_two_commands_install_and_run_then_test() -> None:
    commands = fenced("## Quick start").strip().splitlines()
    assert len(commands) == 2
    setup, test = commands
    assert 'pip install -e ".[test]"' in setup
    assert setup.endswith("collatio collate seeds/002_82ee7afc6dc33c74.txt")
    assert test == "python -m pytest"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert 'pip install --quiet -e ".[test]"' in ci
    assert "\npython -m pytest\n" in ci
    assert "collatio collate seeds/002_82ee7afc6dc33c74.txt" in ci


def test_collate_sample_is_real_output(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    sample = fenced("`collatio collate` prints the apparatus (abridged)")
    command = README[README.index("## Quick start"):].split("&& ")[-1].split("\n")[0]
    out = io.StringIO()
    assert main(shlex.split(command)[1:], stdout=out, stderr=io.StringIO()) == 0
    produced = out.getvalue().splitlines()
    for line in sample.splitlines():
        if line.strip() != "...":
            assert line in produced, line


def test_parse_sample_lines_are_real_output(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    sample = fenced("use `collatio parse`")
    out = io.StringIO()
    assert main(["parse", "seeds/002_82ee7afc6dc33c74.txt"], stdout=out) == 0
    produced = out.getvalue()
    flat = " ".join(produced.split())
    for line in sample.splitlines():
        text = " ".join(line.split())
        if text and not text.startswith(("seeds/002", "'[", "39:778", "column = 780")):
            assert text in flat, line
