"""``collatio conventions``: the markup presets, or one convention's delimiters and rules."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from typing import Any, TextIO

from collatio.cli._args import EXIT_OK
from collatio.cli.output import write
from collatio.markup.conventions import PRESETS, get_convention
from collatio.terminal import printable


def register(commands: Any) -> None:
    conventions = commands.add_parser(
        "conventions",
        help="list the markup conventions, or show one's delimiters and rules",
    )
    conventions.add_argument("name", nargs="?", help="a preset name or a .toml file")
    conventions.set_defaults(handler=run)


def run(args: argparse.Namespace, stdout: TextIO) -> int:
    write(_lines(args.name), None, stdout)
    return EXIT_OK


def _lines(name: str | None) -> Iterator[str]:
    """The listing, a line at a time; what a convention file says is shown as
    :func:`~collatio.terminal.printable` shows it (one line each)."""
    p = printable
    if name is None:
        for preset, convention in PRESETS.items():
            yield f"{preset:<14} {p(convention.description)}\n"
        return
    convention = get_convention(name)
    yield f"{p(convention.name)}: {p(convention.description)}\n"
    for pattern in convention.detect:
        yield f"  detected when a header matches: {p(pattern.pattern)}\n"
    for delimiter in convention.delimiters:
        yield (
            f"  delimiter {p(delimiter.name)}: {p(delimiter.open)}...{p(delimiter.close)} -> "
            f"{delimiter.kind.value}  ({p(delimiter.why)})\n"
        )
    for i, rule in enumerate(convention.rules, 1):
        label = "/" + p(rule.label) if rule.label else ""
        yield (f"  rule {i}. {p(rule.name)}: {p(rule.delimiter)} -> {rule.kind.value}{label}"
               f"  ({p(rule.why)})\n")
