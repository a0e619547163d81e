"""``collatio conventions``: the markup presets, or one convention's delimiters and rules."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from collatio.cli._args import EXIT_OK
from collatio.markup.conventions import PRESETS, get_convention


def register(commands: Any) -> None:
    conventions = commands.add_parser(
        "conventions",
        help="list the markup conventions, or show one's delimiters and rules",
    )
    conventions.add_argument("name", nargs="?", help="a preset name or a .toml file")
    conventions.set_defaults(handler=run)


def run(args: argparse.Namespace, stdout: TextIO) -> int:
    if args.name is None:
        for name, convention in PRESETS.items():
            stdout.write(f"{name:<14} {convention.description}\n")
        return EXIT_OK
    convention = get_convention(args.name)
    stdout.write(f"{convention.name}: {convention.description}\n")
    for pattern in convention.detect:
        stdout.write(f"  detected when a header matches: {pattern.pattern}\n")
    for delimiter in convention.delimiters:
        stdout.write(
            f"  delimiter {delimiter.name}: {delimiter.open}...{delimiter.close} -> "
            f"{delimiter.kind.value}  ({delimiter.why})\n"
        )
    for i, rule in enumerate(convention.rules, 1):
        stdout.write(f"  rule {i}. {rule.name}: {rule.delimiter} -> {rule.kind.value}"
                     f"{'/' + rule.label if rule.label else ''}  ({rule.why})\n")
    return EXIT_OK
