"""Where a command's text goes: standard output or a file."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import TextIO

from collatio.errors import CollatioError


def write(text: str | Iterable[str], output: str | None, stdout: TextIO) -> None:
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


def stem(files: Sequence[str], manifest: str | None) -> str:
    """The name an output takes after the first input (``letter`` for ``proj/letter.txt``)."""
    first = files[0] if files else (manifest or "apparatus")
    return os.path.basename(first).split(".")[0] or "apparatus"


def is_tty(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and not os.environ.get("NO_COLOR")
