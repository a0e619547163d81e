"""Colour, width and progress on the terminal, decided once per run.

Colour follows ``--color auto|always|never``; with ``auto`` (the default) it is off when
``NO_COLOR`` is set (no-color.org), on when ``FORCE_COLOR`` is set (force-color.org; ``0``
or ``false`` do not force), off when ``TERM=dumb``, and otherwise on exactly when the stream
is a terminal. Progress is shown only on a terminal's standard error, never under CI, in a
pipe, with ``TERM=dumb`` or ``--no-progress``, and only once a run has taken a second.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

from collatio.progress import reporting

CHOICES = ("auto", "always", "never")
RESET = "\x1b[0m"
#: SGR codes by what they mark.
CODES = {"added": "32", "deleted": "31;9", "warning": "33", "error": "1;31", "siglum": "36",
         "heading": "1", "unit": "1", "type": "33"}


def _set(name: str) -> bool:
    return bool(os.environ.get(name, ""))


def _tty(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # closed
        return False


def use_color(stream: TextIO, choice: str = "auto") -> bool:
    """Whether to colour what goes to *stream* (see the module docstring)."""
    if choice == "always":
        return True
    if choice == "never" or _set("NO_COLOR"):
        return False
    force = os.environ.get("FORCE_COLOR", "")
    if force and force.lower() not in ("0", "false", "no"):
        return True
    if os.environ.get("TERM") == "dumb":
        return False
    return _tty(stream)


def paint(text: str, what: str, on: bool) -> str:
    """*text* in the colour for *what* when *on*."""
    return f"\x1b[{CODES[what]}m{text}{RESET}" if on else text


def show_progress(stream: TextIO, wanted: bool = True) -> bool:
    """Whether to show progress on *stream* (standard error)."""
    if not wanted or _set("CI") or os.environ.get("TERM") == "dumb":
        return False
    return _tty(stream)


class _Display:
    """Shows the current stage with a spinner (rich) once the run has taken *delay* s."""

    def __init__(self, stream: TextIO, delay: float) -> None:
        self.stream, self.delay = stream, delay
        self.label = ""
        self.status: Any = None
        self.lock = threading.Lock()
        self.timer = threading.Timer(delay, self._start)
        self.timer.daemon = True
        self.started = self.stopped = False

    def __call__(self, label: str) -> None:
        with self.lock:
            self.label = label
            if self.status is not None:
                self.status.update(f"collatio: {label}")
            if self.started or self.stopped:
                return
            self.started = True
        self.timer.start()

    def _start(self) -> None:
        from rich.console import Console

        with self.lock:
            if self.stopped:
                return
            console = Console(file=self.stream, highlight=False, soft_wrap=True)
            self.status = console.status(f"collatio: {self.label}", spinner="dots")
            self.status.start()

    def stop(self) -> None:
        with self.lock:
            self.stopped = True
            self.timer.cancel()
            if self.status is not None:
                self.status.stop()  # transient: the line is erased
                self.status = None


@contextmanager
def progress(stream: TextIO, enabled: bool, delay: float = 1.0) -> Iterator[_Display | None]:
    """Report the pipeline's stages on *stream* while the block runs, if *enabled*; the
    display (or None) is given so that it can be stopped before the output is written to
    the same terminal."""
    if not enabled:
        yield None
        return
    display = _Display(stream, delay)
    try:
        with reporting(display):
            yield display
    finally:
        display.stop()
