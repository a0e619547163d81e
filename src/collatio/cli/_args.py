"""What every command shares: argparse told the terminal width, one-line usage errors, exit
statuses, and the options several commands take."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from typing import Any

from collatio.terminal import printable

EXIT_OK = 0
EXIT_INPUT = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 70  # EX_SOFTWARE: a bug, not the user's input
EXIT_INTERRUPTED = 130


class UsageError(Exception):
    """A command line that cannot be carried out as given (exit status 2)."""


#: What a command built and the process hands back to the system whole when it ends
#: (``collatio.cli.run``); None where no process end follows (``main`` called in-process).
_KEPT: list[object] | None = None


def keep_until_exit(*objects: object) -> None:
    """Free *objects* with the process, not one by one before it ends: a million-word
    collation's objects take a third of a second to free, for nothing when the process
    ends next. Only when the command line runs as the process (:func:`collatio.cli.run`);
    called in-process, ``main`` keeps nothing."""
    if _KEPT is not None:
        _KEPT.extend(objects)


def ending_process() -> list[object]:
    """Start keeping what commands hand to :func:`keep_until_exit`; the list they fill."""
    global _KEPT
    _KEPT = []
    return _KEPT


def terminal_width() -> int:
    """``$COLUMNS``, else the width of the terminal on standard output, else 80 (what
    ``shutil.get_terminal_size`` answers, without importing shutil and its compressors)."""
    with contextlib.suppress(ValueError):
        if (columns := int(os.environ.get("COLUMNS", "0"))) > 0:
            return columns
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns or 80  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):
        return 80


class Formatter(argparse.HelpFormatter):
    """argparse's help layout, told the terminal width (argparse would import shutil to ask
    it on every argument; that was a few percent of a small collation's run)."""

    def __init__(
        self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
        width: int | None = None,
    ) -> None:
        width = width if width is not None else max(terminal_width() - 2, 11)
        super().__init__(prog, indent_increment, max_help_position, width)


class Parser(argparse.ArgumentParser):
    """argparse, but usage errors are one line and exit 2 without a traceback."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", Formatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:  # type: ignore[override]
        # the message quotes what was typed: escaped, like everything bound for a terminal
        self.exit(EXIT_USAGE, f"{self.prog}: error: {printable(message)} "
                              f"(see '{self.prog} --help')\n")


def limit(text: str) -> int:
    """A limit given on the command line: a whole number of at least 1 (a negative or zero
    limit would refuse everything, with a message about the input)."""
    try:
        value = int(text.replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"a limit is at least 1, not {value}")
    return value


def add_limits(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--max-bytes", type=limit, default=None, metavar="N",
        help="refuse input files larger than N bytes (default 512 MiB)",
    )


def add_color(command: argparse.ArgumentParser, *, top: bool = False) -> None:
    """``--color WHEN`` (before or after the command) and, for a command, ``--no-progress``."""
    command.add_argument(
        "--color", choices=("auto", "always", "never"), metavar="WHEN",
        default="auto" if top else argparse.SUPPRESS,
        help="colour the output: auto (a terminal, unless NO_COLOR is set or TERM=dumb; "
        "FORCE_COLOR forces it), always or never" if top else argparse.SUPPRESS,
    )
    if not top:
        command.add_argument("--no-progress", action="store_true",
                             help="never show progress on the terminal (shown only on a "
                             "terminal's standard error, after a second's work)")


def add_debug(command: argparse.ArgumentParser) -> None:
    """``--debug`` after the command as well as before it."""
    command.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS
    )
