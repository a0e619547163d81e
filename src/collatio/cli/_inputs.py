"""The input side every reading command shares: ``-`` for standard input, ``--from``,
``-I KEY=VALUE`` (a reader's own options) and ``--siglum``."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from collatio.cli._args import UsageError
from collatio.readers import ReaderError, get_reader, reader_names

#: The input formats, for help texts, without loading every reader module.
FORMATS = "text, tei, tei-parallel, docx, markdown, collatex, collatio-tei, collatio-json"


def add_input_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--from", dest="from_", metavar="FORMAT",
        help=f"read every FILE as FORMAT ({FORMATS}); default: each file's format from its "
        "content, then its name",
    )
    command.add_argument(
        "-I", "--input-option", dest="input_options", action="append", default=[],
        metavar="KEY=VALUE",
        help="an option for the input format, e.g. -I choice=corr (TEI), -I layers=hands; "
        "repeatable (docs/inputs.md lists them)",
    )
    command.add_argument(
        "--siglum", dest="sigla", action="append", default=[], metavar="SIGLUM",
        help="name the witnesses, one --siglum each in order, or rename one: --siglum D=Draft; "
        "repeatable",
    )


def input_arguments(args: argparse.Namespace) -> dict[str, Any]:
    """The keyword arguments of :func:`collatio.parse` / :func:`collatio.collate` that the
    input options give; a bad one is a usage error."""
    if args.from_ is not None:
        try:
            get_reader(args.from_)
        except ReaderError as error:
            raise UsageError(error.message) from None
    return {"from_": args.from_, "sigla": list(args.sigla),
            "options": input_option_pairs(args.input_options)}


def input_option_pairs(pairs: Sequence[str]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"-I takes KEY=VALUE, not {pair!r}")
        out.append((key.strip(), value.strip()))
    return out


def formats_help() -> str:
    """The registered input formats (for a command's epilog)."""
    return ", ".join(reader_names())
