"""The ``collatio`` command: ``main(argv) -> exit status`` (0 ok, 1 bad input, 2 usage)."""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import sys
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

import collatio
from collatio._version import __version__
from collatio.errors import CollatioError, RenderError
from collatio.listing import parse_json, parse_outline
from collatio.markup.conventions import PRESETS, get_convention
from collatio.render import get_renderer, renderer_for_filename, renderer_names
from collatio.render.base import format_modules

EXIT_OK = 0
EXIT_INPUT = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 70  # EX_SOFTWARE: a bug, not the user's input
EXIT_INTERRUPTED = 130


def _terminal_width() -> int:
    """``$COLUMNS``, else the width of the terminal on standard output, else 80 (what
    ``shutil.get_terminal_size`` answers, without importing shutil and its compressors)."""
    with contextlib.suppress(ValueError):
        if (columns := int(os.environ.get("COLUMNS", "0"))) > 0:
            return columns
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns or 80  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):
        return 80


class _Formatter(argparse.HelpFormatter):
    """argparse's help layout, told the terminal width (argparse would import shutil to ask
    it on every argument; that was a few percent of a small collation's run)."""

    def __init__(
        self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
        width: int | None = None,
    ) -> None:
        width = width if width is not None else max(_terminal_width() - 2, 11)
        super().__init__(prog, indent_increment, max_help_position, width)


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors are one line and exit 2 without a traceback."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n(see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="collatio",
        description="Revision-aware collation of archival transcriptions.",
    )
    parser.add_argument("--version", action="version", version=f"collatio {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks for errors")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    parse = commands.add_parser(
        "parse",
        help="split transcriptions into witnesses and show their marks and revision states",
        description="Split transcription files into witnesses, classify their marks with a "
        "convention, and print the witnesses, spans, revision states and diagnostics.",
    )
    parse.add_argument("files", nargs="*", metavar="FILE", help="transcription files")
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
    _add_limits(parse)
    parse.add_argument("-o", "--output", metavar="PATH", help="write to PATH instead of stdout")
    parse.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS
    )

    collate = commands.add_parser(
        "collate",
        help="collate witnesses (and the revision states of drafts) into an apparatus",
        description="Collate transcription files (or CollateX JSON witness files) into a "
        "critical apparatus. A draft with hand revisions takes part as two texts, as first "
        "written (SIGLUM-ac) and as revised (SIGLUM-pc).",
    )
    collate.add_argument("files", nargs="*", metavar="FILE", help="transcriptions or .json")
    collate.add_argument(
        "--format", metavar="FORMAT",
        help=f"output format: {', '.join(format_modules())} "
        "(default: from the name given to -o, else text)",
    )
    collate.add_argument(
        "--base", metavar="SIGLUM", help="the lemma's witness (default: the latest dated)"
    )
    collate.add_argument("--manifest", metavar="M", help="TOML manifest overriding the defaults")
    collate.add_argument(
        "--convention", metavar="NAME", help="force a convention for every witness"
    )
    collate.add_argument(
        "--normalize", metavar="LIST", default="",
        help="comma-separated normalizers to compare with: case, punctuation, accents "
        "(unicode and typography are always on)",
    )
    collate.add_argument("--equivalents", metavar="FILE",
                         help="a table of equivalent forms, one 'variant = canonical' per line")
    collate.add_argument("--join", type=int, default=2, metavar="N",
                         help="absorb agreements of up to N words between larger differences")
    collate.add_argument("--no-transpositions", action="store_true",
                         help="report moved blocks as omission and addition")
    collate.add_argument("--encoding", default="utf-8", help="text encoding of the files")
    collate.add_argument("--strict", action="store_true", help="fail on any warning")
    _add_limits(collate)
    collate.add_argument("--max-texts", type=int, default=1000, metavar="N",
                         help="refuse to collate more texts than this (default 1000)")
    collate.add_argument("--max-tokens", type=int, default=30_000_000, metavar="N",
                         help="refuse to collate more tokens in all than this (default 30M)")
    collate.add_argument(
        "-O", "--option", action="append", default=[], metavar="KEY=VALUE",
        help="an option for the output format, e.g. -O body_only=true (LaTeX), -O width=80 "
        "(text); repeatable",
    )
    output = collate.add_mutually_exclusive_group()
    output.add_argument("-o", "--output", metavar="PATH", help="write to PATH instead of stdout")
    output.add_argument("--out", metavar="DIR", help="write every format into DIR")
    collate.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS
    )

    conventions = commands.add_parser(
        "conventions",
        help="list the markup conventions, or show one's delimiters and rules",
    )
    conventions.add_argument("name", nargs="?", help="a preset name or a .toml file")
    return parser


def _add_limits(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--max-bytes", type=int, default=None, metavar="N",
        help="refuse input files larger than N bytes (default 512 MiB)",
    )


def _write(text: str | Iterable[str], output: str | None, stdout: TextIO) -> None:
    """Write *text* (or its pieces, as they come) to *output*, or to *stdout*."""
    pieces = iter((text,) if isinstance(text, str) else text)
    # the first piece before the file is opened: a format that cannot render this apparatus
    # fails there (most make all their text at once), and leaves no empty file behind
    first = next(pieces, "")
    if output is None or output == "-":
        stdout.write(first)
        stdout.writelines(pieces)
        return
    try:
        with open(output, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(first)
            handle.writelines(pieces)
    except OSError as exc:
        raise CollatioError(f"cannot write output: {exc.strerror or exc}", path=output) from None


def _cmd_parse(args: argparse.Namespace, stdout: TextIO) -> int:
    if not args.files and not args.manifest:
        raise _UsageError("parse needs at least one FILE or a --manifest")
    result = collatio.parse(
        args.files,
        manifest=args.manifest,
        convention=args.convention,
        encoding=args.encoding,
        strict=args.strict,
        max_bytes=args.max_bytes,
    )
    text = parse_json(result) if args.format == "json" else parse_outline(result)
    _write(text, args.output, stdout)
    return EXIT_OK


def _cmd_collate(args: argparse.Namespace, stdout: TextIO) -> int:
    if not args.files and not args.manifest:
        raise _UsageError("collate needs at least one FILE or a --manifest")
    if args.out and args.format:
        raise _UsageError("--out writes every format; it cannot be combined with --format")
    if args.join < 0:
        raise _UsageError("--join must be 0 or more")
    normalizers = [name.strip() for name in args.normalize.split(",") if name.strip()]
    options = _render_options(args.option)
    to_terminal = _is_tty(stdout) and not (args.output and args.output != "-")
    options.setdefault("color", to_terminal)
    renderer = None
    if args.format:
        try:
            get_renderer(args.format)
        except RenderError as exc:
            raise _UsageError(exc.message) from None
    if not args.out:
        if args.format:
            renderer = get_renderer(args.format, **options)
        elif args.output and args.output != "-":
            renderer = renderer_for_filename(args.output, **options)
        else:
            renderer = get_renderer("text", **options)
    apparatus = collatio.collate(
        args.files,
        manifest=args.manifest,
        convention=args.convention,
        base=args.base,
        normalize=normalizers,
        equivalents=args.equivalents,
        join=args.join,
        transpositions=not args.no_transpositions,
        encoding=args.encoding,
        strict=args.strict,
        max_bytes=args.max_bytes,
        max_texts=args.max_texts,
        max_tokens=args.max_tokens,
    )
    if renderer is not None:
        _write(renderer.chunks(apparatus), args.output, stdout)
        return EXIT_OK
    directory = args.out
    try:
        os.makedirs(directory, exist_ok=True)
    except OSError as exc:
        raise CollatioError(f"cannot create output directory: {exc.strerror or exc}",
                            path=directory) from None
    stem = _stem(args.files, args.manifest)
    options["color"] = False
    for name in renderer_names():
        chosen = get_renderer(name, **options)
        target = os.path.join(directory, f"{stem}{chosen.extension}")
        _write(chosen.chunks(apparatus), str(target), stdout)
        stdout.write(f"wrote {target}\n")
    return EXIT_OK


def _render_options(pairs: Sequence[str]) -> dict[str, object]:
    """``KEY=VALUE`` pairs as renderer options; true/false and integers are converted."""
    options: dict[str, object] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key.strip():
            raise _UsageError(f"-O takes KEY=VALUE, not {pair!r}")
        value: object = raw
        if raw.lower() in ("true", "yes", "on"):
            value = True
        elif raw.lower() in ("false", "no", "off"):
            value = False
        elif raw.lstrip("-").isdigit():
            value = int(raw)
        options[key.strip()] = value
    return options


def _stem(files: Sequence[str], manifest: str | None) -> str:
    first = files[0] if files else (manifest or "apparatus")
    return os.path.basename(first).split(".")[0] or "apparatus"


def _is_tty(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and not os.environ.get("NO_COLOR")


def _cmd_conventions(args: argparse.Namespace, stdout: TextIO) -> int:
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


class _UsageError(Exception):
    pass


def main(
    argv: Sequence[str] | None = None,
    *,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run the command line; returns the exit status instead of exiting."""
    out = stdout if stdout is not None else sys.stdout
    err = stderr if stderr is not None else sys.stderr
    parser = build_parser()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version and usage errors
        return int(exc.code) if isinstance(exc.code, int) else EXIT_USAGE
    if args.command is None:
        parser.print_help(out)
        return EXIT_USAGE
    handlers = {"parse": _cmd_parse, "collate": _cmd_collate, "conventions": _cmd_conventions}
    # A command builds millions of small objects and exits: the cyclic collector would walk
    # them again and again for nothing (a third of the time on a million-word collation).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return handlers[args.command](args, out)
    except _UsageError as exc:
        err.write(f"collatio: error: {exc}\n")
        return EXIT_USAGE
    except CollatioError as exc:
        if args.debug:
            raise
        err.write(f"collatio: {exc.describe()}\n")
        return EXIT_INPUT
    except KeyboardInterrupt:
        err.write("collatio: interrupted\n")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK  # the reader went away (collatio ... | head): nothing left to say
    except MemoryError:
        if args.debug:
            raise
        err.write("collatio: out of memory; try smaller inputs or raise the machine's limits\n")
        return EXIT_INPUT
    except Exception as exc:  # a bug in collatio: one line, the traceback only on request
        if args.debug:
            raise
        err.write(
            f"collatio: internal error: {type(exc).__name__}: {exc} "
            "(please report it; --debug shows the traceback)\n"
        )
        return EXIT_INTERNAL
    finally:
        if collecting:
            gc.enable()


def run() -> None:
    """Console-script entry point."""
    status = main()
    # The process ends here. Left to itself, the interpreter's last garbage collection would
    # walk every object the command built (a tenth of a small collation's run); freezing
    # them hands that memory back with the process instead.
    gc.freeze()
    sys.exit(status)
