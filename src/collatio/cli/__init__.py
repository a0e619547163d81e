"""The ``collatio`` command: ``main(argv) -> exit status`` (0 ok, 1 bad input, 2 usage).

One module per command (``parse``, ``collate``, ``conventions``, ``survey``), each with ``register``
(its arguments) and ``run`` (what it does); ``_args`` holds what they share and ``output``
where their text goes.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import sys
from collections.abc import Sequence
from typing import TextIO

from collatio._version import __version__
from collatio.cli import collate, conventions, parse, survey
from collatio.cli._args import (
    EXIT_INPUT,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    Parser,
    UsageError,
)
from collatio.errors import CollatioError

__all__ = [
    "EXIT_INPUT", "EXIT_INTERNAL", "EXIT_INTERRUPTED", "EXIT_OK", "EXIT_USAGE",
    "build_parser", "main", "run",
]

#: The commands, in the order ``--help`` lists them.
COMMANDS = (parse, collate, conventions, survey)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="collatio",
        description="Revision-aware collation of archival transcriptions.",
    )
    parser.add_argument("--version", action="version", version=f"collatio {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks for errors")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for command in COMMANDS:
        command.register(commands)
    return parser


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
    # A command builds millions of small objects and exits: the cyclic collector would walk
    # them again and again for nothing (a third of the time on a million-word collation).
    collecting = gc.isenabled()
    gc.disable()
    try:
        status: int = args.handler(args, out)
        return status
    except UsageError as exc:
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
