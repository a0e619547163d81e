"""The test suite on a fresh machine: a missing real tool skips its tests with one line naming
the Debian packages, and fails them under CI (``CI=true`` or ``COLLATIO_REQUIRE_TOOLS=1``).

The tools are installed here, so their absence is simulated: ``PATH`` holds only the
interpreter's directory, the TEI schema's cache is an empty directory and pip may use no
index (offline), and ``COLLATIO_SHARED`` names a folder that does not exist.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import shared, tei_schema, tools

ROOT = Path(__file__).resolve().parent.parent
#: One test of each kind that needs something from outside the repository.
NEEDY = (
    "tests/test_latex.py::test_an_empty_text_compiles",
    "tests/test_latex.py::test_seed_pdf_has_the_apparatus",
    "tests/test_html.py::test_chromium_is_installed",
    "tests/test_html.py::test_screenshot_of_the_seed",
    "tests/test_html_edition.py::test_print_shows_every_text_in_full",
    "tests/test_tei.py::test_seed_is_valid_tei",
    "tests/test_tei.py::test_awkward_sigla",
    "tests/test_collatex_cases.py::test_data_copy_matches_shared_file",
)


def bare_machine(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a machine without LaTeX, Chromium, network or ../shared."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("CI", tools.REQUIRE_ENV, "PYTEST_ADDOPTS")}
    (tmp_path / "cache").mkdir(exist_ok=True)
    env.update(PATH=str(Path(sys.executable).parent), PIP_NO_INDEX="1",
               COLLATIO_TEST_CACHE=str(tmp_path / "cache"),
               COLLATIO_SHARED=str(tmp_path / "no-shared"), **extra)
    return env


def run_pytest(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rsf", "-p", "no:cacheprovider",
         "-o", "addopts=", *NEEDY],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )


def summary_lines(output: str, word: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith(word)]


def test_without_the_tools_the_suite_skips_with_one_line_per_tool(tmp_path: Path) -> None:
    result = run_pytest(bare_machine(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(rf"\b{len(NEEDY)} skipped\b", result.stdout), result.stdout
    lines = summary_lines(result.stdout, "SKIPPED")
    # one line per missing thing, however many tests it skipped
    assert len(lines) == 4, lines
    latex, chromium = tools.TOOLS["latex"], tools.TOOLS["chromium"]
    by_tool = {
        "LuaLaTeX": " ".join(latex.packages),
        "Chromium": " ".join(chromium.packages),
        "TEI P5 schema": "python -m tests.support.tei_schema",
        "shared folder": "COLLATIO_SHARED",
    }
    for name, remedy in by_tool.items():
        (line,) = [line for line in lines if name in line]
        assert remedy in line, line
    assert "[2]" in next(line for line in lines if "LuaLaTeX" in line)


@pytest.mark.parametrize("flag", [{"CI": "true"}, {tools.REQUIRE_ENV: "1"}])
def test_under_ci_a_missing_tool_fails(tmp_path: Path, flag: dict[str, str]) -> None:
    result = run_pytest(bare_machine(tmp_path, **flag))
    assert result.returncode == 1, result.stdout + result.stderr
    last = result.stdout.strip().splitlines()[-1]
    counts = {word: int(n) for n, word in re.findall(r"(\d+) (failed|errors?|passed)", last)}
    # a test fails; a test whose fixture needs the tool errors
    assert counts.get("failed", 0) + counts.get("errors", counts.get("error", 0)) == len(NEEDY)
    assert "required here" in result.stdout
    assert not summary_lines(result.stdout, "SKIPPED")


def test_require_skips_or_fails_by_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    for env, outcome in (({}, pytest.skip.Exception), ({"CI": "true"}, pytest.fail.Exception),
                         ({"CI": "1", tools.REQUIRE_ENV: "0"}, pytest.skip.Exception),
                         ({tools.REQUIRE_ENV: "yes"}, pytest.fail.Exception)):
        monkeypatch.delenv("CI", raising=False)
        monkeypatch.delenv(tools.REQUIRE_ENV, raising=False)
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        with pytest.raises(outcome, match="texlive-humanities"):
            tools.require("latex")


def test_a_tex_installation_without_reledmac_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("lualatex", "pdftotext", "pdftoppm"):
        (tmp_path / name).write_text("#!/bin/sh\nexit 0\n")
        (tmp_path / name).chmod(0o755)
    (tmp_path / "kpsewhich").write_text("#!/bin/sh\nexit 1\n")  # finds no .sty file
    (tmp_path / "kpsewhich").chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv(tools.REQUIRE_ENV, raising=False)
    assert tools._missing_parts(tools.TOOLS["latex"]) == ["reledmac.sty", "xkeyval.sty"]
    with pytest.raises(pytest.skip.Exception):
        tools.require("latex")


def test_the_tools_are_here_on_this_machine_when_required() -> None:
    """Where CI or the developer asks for every tool, each one is really found."""
    if not tools.required():
        pytest.skip("only checked where the tools are required (CI)")
    for key in tools.TOOLS:
        tools.require(key)
    assert tei_schema.require_tei_schema().is_file()
    assert shared.shared_path("corpora").is_dir()


def test_ci_requires_the_tools() -> None:
    assert f"export {tools.REQUIRE_ENV}=1" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
