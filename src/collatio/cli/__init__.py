"""The ``collatio`` command: ``main(argv) -> exit status`` (0 ok, 1 bad input, 2 usage,
70 a bug in collatio, 130 ^C, 143 SIGTERM, 129 SIGHUP).

One module per command (``parse``, ``collate``, ``conventions``, ``survey``), each with ``register``
(its arguments) and ``run`` (what it does); ``_args`` holds what they share and ``output``
where their text goes. Whatever goes wrong, standard error gets one line (escaped, see
:mod:`collatio.terminal`), never a traceback unless ``--debug`` asks for one.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import os
import signal
import sys
from collections.abc import Iterator, Sequence
from types import FrameType
from typing import TextIO, cast

from collatio._version import __version__
from collatio.cli import collate, completion, conventions, formats, parse, survey
from collatio.cli._args import (
    EXIT_INPUT,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    Parser,
    UsageError,
    add_color,
    ending_process,
)
from collatio.cli.output import ClosedStream
from collatio.errors import CollatioError, OptionError
from collatio.terminal import printable

__all__ = [
    "EXIT_INPUT", "EXIT_INTERNAL", "EXIT_INTERRUPTED", "EXIT_OK", "EXIT_USAGE",
    "build_parser", "main", "run",
]

#: The commands, in the order ``--help`` lists them.
COMMANDS = (parse, collate, conventions, survey, formats, completion)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="collatio",
        description="Revision-aware collation of archival transcriptions.",
    )
    parser.add_argument("--version", action="version", version=f"collatio {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks for errors")
    add_color(parser, top=True)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for command in COMMANDS:
        command.register(commands)
    return parser


class Terminated(BaseException):
    """SIGTERM or SIGHUP arrived: unwind (removing partial outputs) and exit 128 + signal."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


_SIGNALS: dict[int, str] = {signal.SIGTERM: "terminated"}
if hasattr(signal, "SIGHUP"):
    _SIGNALS[signal.SIGHUP] = "hung up"


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise Terminated(signum)


@contextlib.contextmanager
def _signals_unwind() -> Iterator[None]:
    """SIGTERM and SIGHUP raise :class:`Terminated` while a command runs, so that ``finally``
    blocks run and no half-written file stays behind (only in the main thread, the only one
    that may set handlers)."""
    previous = {}
    try:
        for signum in _SIGNALS:
            previous[signum] = signal.signal(signum, _raise_terminated)
    except ValueError:  # not the main thread
        pass
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def main(
    argv: Sequence[str] | None = None,
    *,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run the command line; returns the exit status instead of exiting."""
    # None when the process was started with the stream closed (collatio ... >&-)
    out = stdout or sys.stdout or cast(TextIO, ClosedStream())
    err = stderr or sys.stderr or io.StringIO()
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
    args.stderr = err
    try:
        with _signals_unwind():
            status: int = args.handler(args, out)
        return status
    except UsageError as exc:
        _say(err, f"error: {exc}")
        return EXIT_USAGE
    except OptionError as exc:  # an unknown base, normalizer or convention: bad usage
        if args.debug:
            raise
        _say(err, f"error: {exc.message}")
        return EXIT_USAGE
    except CollatioError as exc:
        if args.debug:
            raise
        _say(err, exc.describe())
        return EXIT_INPUT
    except KeyboardInterrupt:
        _say(err, "interrupted")
        return EXIT_INTERRUPTED
    except Terminated as exc:
        _say(err, _SIGNALS.get(exc.signum, "terminated"))
        return 128 + exc.signum
    except BrokenPipeError:
        return EXIT_OK  # the reader went away (collatio ... | head): nothing left to say
    except MemoryError:
        if args.debug:
            raise
        _say(err, "out of memory; try smaller inputs or raise the machine's limits")
        return EXIT_INPUT
    except Exception as exc:  # a bug in collatio: one line, the traceback only on request
        if args.debug:
            raise
        _say(err, f"internal error: {type(exc).__name__}: {exc} "
                  "(please report it; --debug shows the traceback)")
        return EXIT_INTERNAL
    finally:
        if collecting:
            gc.enable()


#: A line of a message longer than this is shortened in its middle (a message may quote
#: what it refuses, and what it refuses may be megabytes long).
MESSAGE_WIDTH = 1_000


def _say(err: TextIO, message: str) -> None:
    """``collatio: MESSAGE`` on standard error, escaped, each line at most
    :data:`MESSAGE_WIDTH` characters; nothing if it cannot be written."""
    lines = printable(message, newlines=True).split("\n")
    for i, line in enumerate(lines):
        if len(line) > MESSAGE_WIDTH:
            cut = len(line) - MESSAGE_WIDTH
            lines[i] = f"{line[: MESSAGE_WIDTH * 3 // 4]} […{cut:,} characters…] " \
                       f"{line[-(MESSAGE_WIDTH // 4) :]}"
    with contextlib.suppress(OSError, ValueError):
        err.write(f"collatio: {chr(10).join(lines)}\n")
        err.flush()


def run() -> None:
    """Console-script entry point."""
    kept = ending_process()
    status = main()
    # The process ends here. Left to itself, the interpreter's last garbage collection would
    # walk every object the command built (a tenth of a small collation's run); freezing
    # them hands that memory back with the process instead.
    gc.freeze()
    _settle_stdout()
    if kept:
        # what the command kept (a collation) is freed with the process, not object by
        # object at shutdown: its outputs are written and closed, and the standard streams
        # flushed; nothing else is left to tear down
        if sys.stderr is not None:
            with contextlib.suppress(OSError, ValueError):
                sys.stderr.flush()
        os._exit(status)
    sys.exit(status)


def _settle_stdout() -> None:
    """Flush standard output now; if it cannot take what is left (a closed pipe, a full
    disk: already reported), point it at the null device, so that the interpreter's own
    flush at exit does not print a traceback and change the exit status."""
    if sys.stdout is None:
        return
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        with contextlib.suppress(OSError, ValueError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
