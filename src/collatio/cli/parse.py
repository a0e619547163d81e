"""``collatio parse``: the witnesses of transcription files, their marks, states and
diagnostics."""

from __future__ import annotations

import argparse
import os
from typing import Any, TextIO

import collatio
from collatio.cli._args import EXIT_OK, UsageError, add_debug, add_limits
from collatio.cli._inputs import add_input_options, input_arguments
from collatio.cli.output import Inputs, check_target, write
from collatio.markup.conventions import PRESETS
from collatio.readers import ReaderError


def register(commands: Any) -> None:
    parse = commands.add_parser(
        "parse",
        help="split transcriptions into witnesses and show their marks and revision states",
        description="Split transcription files into witnesses, classify their marks with a "
        "convention, and print the witnesses, spans, revision states and diagnostics.",
    )
    parse.add_argument(
        "files", nargs="*", metavar="FILE",
        help="files in any input format (text, TEI, Word, Markdown, ...); - for standard input",
    )
    parse.add_argument("--format", choices=("text", "json"), default="text")
    parse.add_argument("--manifest", metavar="M", help="TOML manifest overriding the defaults")
    parse.add_argument(
        "--convention",
        metavar="NAME",
        help=f"force a convention for every witness: {', '.join(PRESETS)} or a .toml file "
        "(default: stated in each witness's header, else editorial)",
    )
    parse.add_argument("--encoding", default="utf-8", help="text encoding of the files")
    parse.add_argument("--strict", action="store_true", help="fail on any warning")
    add_input_options(parse)
    add_limits(parse)
    parse.add_argument("-o", "--output", metavar="PATH", help="write to PATH instead of stdout")
    add_debug(parse)
    parse.set_defaults(handler=run)


def run(args: argparse.Namespace, stdout: TextIO) -> int:
    if not args.files and not args.manifest:
        raise UsageError("parse needs at least one FILE or a --manifest")
    manifest = collatio.load_manifest(args.manifest) if args.manifest else None
    inputs = Inputs.of([
        *args.files, args.manifest,
        *(spec.path for spec in (manifest.witnesses if manifest else ())),
    ])
    if args.convention and os.path.isfile(args.convention):
        inputs.add([args.convention])
    if args.output:
        check_target(args.output, inputs, f"-o {args.output}")
    reading = input_arguments(args)
    try:
        result = collatio.parse(
            args.files,
            manifest=manifest,
            convention=args.convention,
            encoding=args.encoding,
            strict=args.strict,
            max_bytes=args.max_bytes,
            **reading,
        )
    except ReaderError as error:
        raise UsageError(str(error)) from None
    from collatio.listing import parse_json, parse_outline  # here: only this command lists

    text = parse_json(result) if args.format == "json" else parse_outline(result)
    write(text, args.output, stdout, inputs=inputs)
    return EXIT_OK
