"""Renderer options: each format declares what it takes (type, default, bounds); anything
else is refused, on the command line as a one-line usage error (exit 2) with a did-you-mean."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import collatio
from collatio.cli import main
from collatio.errors import OptionError
from collatio.render import get_renderer, renderer_names
from collatio.render.base import Option, renderer_class

ROOT = Path(__file__).resolve().parent.parent
SEED = str(ROOT / "seeds" / "002_82ee7afc6dc33c74.txt")


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize(("argv", "said"), [
    (("-O", "widht=50"), "takes no option 'widht' (did you mean 'width'?)"),
    (("-O", "width=abc"), "option 'width' of the text format takes a whole number from 20"),
    (("-O", "width=0"), "not '0'"),
    (("-O", "width=-5"), "not '-5'"),
    (("-O", "max_words=abc"), "option 'max_words' of the text format"),
    (("-O", "max_words=-1"), "option 'max_words' of the text format"),
    (("-O", "color=maybe"), "takes true or false, not 'maybe'"),
    (("--format", "json", "-O", "indent=abc"), "option 'indent' of the json format"),
    (("--format", "json", "-O", "indent=100000"), "from 0 to 16, not '100000'"),
    (("--format", "json", "-O", "indnet=2"), "(did you mean 'indent'?)"),
    (("--format", "html", "-O", "long_words=abc"), "option 'long_words' of the html format"),
    (("--format", "latex", "-O", "max_words=abc"), "option 'max_words' of the latex format"),
    (("--format", "latex", "-O", "body_only=maybe"), "takes true or false"),
    (("--format", "collatex", "-O", "width=80"), "the collatex format takes no options"),
    (("--format", "tei", "-O", "flavour=fancy"), "takes one of standard, tei, vm"),
    (("--format", "tei", "-O", "flavour=vm", "-O", "flavor=vm"), "is given twice"),
    (("--out", "never-made", "-O", "lng_words=3"), "no format takes the option 'lng_words' "
                                                  "(did you mean 'long_words'?)"),
    (("--out", "never-made", "-O", "width=0"), "option 'width' of the text format"),
])
def test_a_bad_option_is_a_one_line_usage_error(argv: tuple[str, ...], said: str) -> None:
    code, out, err = run("collate", SEED, *argv)
    assert code == 2 and out == ""
    assert err.startswith("collatio: error: -O: ") and said in err, err
    assert err.count("\n") == 1
    assert not Path("never-made").exists()


def reading_width(text: str) -> int:
    """The longest reading line (the readings are wrapped; they are indented by 7)."""
    body = text.split("\nApparatus\n", 1)[1].split("\nHand revisions\n", 1)[0]
    return max(len(line) for line in body.splitlines() if line.startswith(" " * 7))


def test_good_options_still_work(tmp_path: Path) -> None:
    code, out, _ = run("collate", SEED, "--format", "json", "-O", "indent=4")
    assert code == 0 and json.loads(out)["witnesses"] and "\n        " in out
    code, out, _ = run("collate", SEED, "--format", "tei", "-O", "flavor=VM")
    assert code == 0 and "vmachine" in out, "an alias, any case"
    code, out, _ = run("collate", SEED, "-O", "width=40", "-O", "max_words=3")
    assert code == 0 and reading_width(out) <= 40 < reading_width(run("collate", SEED)[1])
    code, out, _ = run("collate", SEED, "--out", str(tmp_path), "-O", "width=40",
                       "-O", "body_only=yes", "-O", "long_words=5")
    assert code == 0, out
    tex = (tmp_path / "002_82ee7afc6dc33c74.tex").read_text(encoding="utf-8")
    assert not tex.startswith("\\documentclass"), "body_only reached the LaTeX format"
    text = (tmp_path / "002_82ee7afc6dc33c74.txt").read_text(encoding="utf-8")
    assert reading_width(text) <= 40


def test_options_from_python_are_checked_too() -> None:
    apparatus = collatio.collate([SEED])
    with pytest.raises(OptionError, match="from 0 to 16"):
        collatio.render(apparatus, "json", indent=100_000)
    with pytest.raises(OptionError, match="did you mean 'width'"):
        collatio.render(apparatus, "text", widht=50)
    with pytest.raises(OptionError, match="whole number"):
        get_renderer("text", width=True)  # a bool is not a number
    assert collatio.render(apparatus, "text", width=50) == collatio.render(
        apparatus, "text", width="50")


@pytest.mark.parametrize("name", renderer_names())
def test_every_option_a_renderer_reads_is_declared(name: str) -> None:
    """A renderer reading ``self.options.get("x")`` must declare ``x`` (with its type and
    bounds), or the option could never be given."""
    cls = renderer_class(name)
    module = Path(__import__(cls.__module__, fromlist=["_"]).__file__ or "")
    read = set(re.findall(r"self\.options(?:\.get\(|\[)\"(\w+)\"", module.read_text("utf-8")))
    declared = {option.name for option in cls.options_declared}
    assert read <= declared, f"{name} reads undeclared options {sorted(read - declared)}"
    for option in cls.options_declared:
        assert option.kind in (bool, int, str) and option.help
        if option.kind is int:
            assert option.minimum is not None and option.maximum is not None, option.name
        if option.default is not None:
            assert option.parse(option.default, name) == option.default


WIDTH = Option("width", int, 100, "line width", minimum=20, maximum=10_000)


@given(st.integers(min_value=-10**20, max_value=10**20))
def test_integer_options_take_exactly_their_range(number: int) -> None:
    if 20 <= number <= 10_000:
        assert WIDTH.parse(str(number), "text") == number == WIDTH.parse(number, "text")
    else:
        with pytest.raises(OptionError):
            WIDTH.parse(str(number), "text")
        with pytest.raises(OptionError):
            WIDTH.parse(number, "text")


@given(st.text(max_size=30))
def test_any_text_value_is_a_number_in_range_or_refused(raw: str) -> None:
    try:
        value = WIDTH.parse(raw, "text")
    except OptionError as error:
        assert error.message.startswith("option 'width' of the text format")
    else:
        assert isinstance(value, int) and 20 <= value <= 10_000


@pytest.mark.parametrize("argv", [
    ("collate", SEED, "--max-texts", "-1"), ("collate", SEED, "--max-tokens", "0"),
    ("collate", SEED, "--max-bytes", "-5"), ("parse", SEED, "--max-bytes", "abc"),
])
def test_a_limit_below_one_is_a_usage_error(argv: tuple[str, ...]) -> None:
    code, out, err = run(*argv)
    assert code == 2 and out == "" and err.count("\n") == 1, err
    assert "a limit is at least 1" in err or "not a whole number" in err
    with pytest.raises(OptionError, match="is at least 1"):
        collatio.collate([SEED], max_texts=-1)
    with pytest.raises(OptionError, match="is at least 1"):
        collatio.parse([SEED], max_bytes=0)


@pytest.mark.parametrize("argv", [
    ("bogus",), ("collate", SEED, "--bogus"), ("collate", SEED, "--join", "x"), ("parse",),
    ("collate", SEED, "-O", "width"),
])
def test_usage_errors_are_one_line(argv: tuple[str, ...]) -> None:
    code, _, err = run(*argv)
    assert code == 2 and err.count("\n") == 1 and err.startswith("collatio"), err


def test_the_short_format_flag_takes_each_formats_own_options() -> None:
    """``-f`` as in CollateX's command line; the HTML and TEI options the edition added are
    declared, so they are taken, not refused as unknown."""
    code, out, err = run("collate", SEED, "-f", "tei", "-O", "flavour=vm")
    assert code == 0 and "vmachine" in out, err
    code, out, err = run("collate", SEED, "-f", "tei", "-O", "flavor=vm",
                         "-O", "vm_stylesheet=my.xsl", "-O", "vm_schema=my.rng")
    assert code == 0 and 'href="my.xsl"' in out and 'href="my.rng"' in out, err
    counts = []
    for words in (5, 0):
        code, out, err = run("collate", SEED, "-f", "html", "-O", f"long_words={words}",
                             "-O", "preview_words=3")
        assert code == 0, err
        counts.append(out.count('<details class="long">'))
    assert counts[0] > 0 == counts[1], "long_words=5 folds readings, 0 never"


def test_a_renderer_declaring_the_old_options_table_is_refused() -> None:
    """``OPTIONS = {name: help}`` was the declaration before ``options_declared``; a format
    still carrying one would have every option refused, so defining it fails at once."""
    from collatio.render.base import Renderer

    with pytest.raises(TypeError, match=r"declares OPTIONS.*options_declared"):
        type("Stale", (Renderer,), {"OPTIONS": {"width": "the width"}})


def test_the_terminals_width_stays_inside_the_options_bounds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``$COLUMNS`` is not the user's ``-O``: a huge or tiny one is clamped, never refused."""
    from collatio.cli import collate as command

    monkeypatch.setattr(command, "is_terminal", lambda stream: True)
    for columns, lines in (("50000", 10_000), ("3", 40)):
        monkeypatch.setenv("COLUMNS", columns)
        code, out, err = run("collate", SEED, "-O", "max_words=0")
        assert code == 0, err
        assert reading_width(out) <= lines
