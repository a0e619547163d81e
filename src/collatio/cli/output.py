"""Where a command's text goes, and how it gets there without damaging anything.

* **Never over an input.** :class:`Inputs` knows every file a run reads (by resolved path
  and by device and inode, so a symbolic or hard link is caught too); an output that would
  replace one is refused before anything is written.
* **Whole or not at all.** A file is written to a temporary file beside it (same directory,
  so same file system), flushed to the disk, and renamed over the target only when complete:
  a full disk, ^C, SIGTERM or a format that fails half-way leave the old file as it was and
  no temporary file behind. :class:`Outputs` stages several files (``--out``) and renames
  them only when every one is written. A target that is not a regular file (``/dev/null``,
  a FIFO, ``/dev/stdout``) is written in place: it cannot be replaced, and must not be.
* **Standard output checked.** Text is written in pieces of at most :data:`CHUNK`
  characters (this Python silently cut one ``write`` of over 2 GiB to a pipe at 2 GiB with
  exit status 0) and flushed here, so a full disk, a closed standard output or an encoding
  that cannot hold the text is a one-line :class:`~collatio.errors.OutputError`, not a
  traceback or a truncated result. Text for a terminal passes through
  :func:`~collatio.terminal.printable`.
"""

from __future__ import annotations

import contextlib
import io
import os
import stat
import tempfile
from collections.abc import Iterable, Sequence
from typing import TextIO

import attrs

from collatio.cli._args import UsageError
from collatio.diagnostics import Diagnostic, Severity
from collatio.errors import OutputError
from collatio.terminal import printable

#: The most characters handed to one ``write`` call.
CHUNK = 1 << 20

STDOUT = "standard output"


# --- inputs -----------------------------------------------------------------------------------


def _identity(path: str) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    return (info.st_dev, info.st_ino)


def _resolved(path: str) -> str:
    return os.path.normcase(os.path.realpath(path))


@attrs.frozen(slots=True)
class Inputs:
    """The files a run reads, by resolved path and by (device, inode)."""

    paths: dict[str, str] = attrs.field(factory=dict)  # resolved path -> as given
    identities: dict[tuple[int, int], str] = attrs.field(factory=dict)

    @classmethod
    def of(cls, paths: Iterable[str | None]) -> Inputs:
        inputs = cls()
        inputs.add(paths)
        return inputs

    def add(self, paths: Iterable[str | None]) -> None:
        for path in paths:
            if not path or path == "-":
                continue
            self.paths.setdefault(_resolved(path), path)
            identity = _identity(path)
            if identity is not None:
                self.identities.setdefault(identity, path)

    def overwritten_by(self, target: str) -> str | None:
        """The input that writing *target* would replace, or None."""
        found = self.paths.get(_resolved(target))
        if found is None and (identity := _identity(target)) is not None:
            found = self.identities.get(identity)
        return found


def check_target(
    target: str, inputs: Inputs, what: str | None = None, instead: str = "another output file"
) -> None:
    """Refuse (a usage error) an output *target* that is one of the *inputs*; *what* names
    the output in the message (default: the target), *instead* what to name."""
    if target == "-":
        return
    found = inputs.overwritten_by(target)
    if found is not None:
        raise UsageError(
            f"{printable(what or target)} would write over the input {printable(found)}; "
            f"collatio never overwrites its inputs: name {instead}"
        )


# --- files ------------------------------------------------------------------------------------


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@attrs.define(slots=True)
class _Staged:
    temp: str
    target: str


def _fail(path: str, exc: OSError) -> OutputError:
    return OutputError(f"cannot write output: {exc.strerror or exc}", path=path)


def _write_pieces(handle: TextIO, pieces: Iterable[str], *, escape: bool = False) -> None:
    """Every piece written, at most :data:`CHUNK` characters a call, each call's count
    checked (a stream may take less than it is given)."""
    write = handle.write
    for piece in pieces:
        if escape:
            piece = printable(piece, newlines=True)
        for start in range(0, len(piece), CHUNK):
            rest = piece[start : start + CHUNK]
            while rest:
                count = write(rest)
                if count is None or count >= len(rest):
                    break
                if count <= 0:
                    raise OSError(0, "the stream took none of the text")
                rest = rest[count:]


class Outputs:
    """Files written together, all or none: each :meth:`add` writes one to a temporary file
    beside its target; :meth:`commit` renames them over their targets. Leaving the ``with``
    block by an exception (or without committing) removes the temporary files and leaves
    every target as it was.

    A target that exists and is not a regular file (a device, a FIFO) is written in place
    at once by :meth:`add`: it cannot be replaced by a rename.
    """

    def __init__(self, inputs: Inputs | None = None) -> None:
        self.inputs = inputs if inputs is not None else Inputs()
        self.staged: list[_Staged] = []
        self.targets: set[str] = set()

    def __enter__(self) -> Outputs:
        return self

    def __exit__(self, *exc: object) -> None:
        self.abort()

    def add(self, path: str, pieces: Iterable[str]) -> None:
        """Write *pieces* towards *path* (UTF-8, ``\\n`` line ends), not yet in its place."""
        check_target(path, self.inputs)
        try:
            info: os.stat_result | None = os.stat(path)
        except FileNotFoundError:
            info = None
        except OSError as exc:
            raise _fail(path, exc) from None
        if info is not None and stat.S_ISDIR(info.st_mode):
            raise OutputError("cannot write output: it is a directory", path=path)
        if info is not None and not stat.S_ISREG(info.st_mode):
            self._in_place(path, pieces)
            return
        # through a symbolic link, the file it points to is replaced and the link kept
        target = os.path.realpath(path)
        if _resolved(target) in self.targets:
            raise UsageError(f"{printable(path)} is named twice as an output")
        directory = os.path.dirname(target) or "."
        name = os.path.basename(target)[:80]
        try:
            fd, temp = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=directory)
        except OSError as exc:
            raise _fail(path, exc) from None
        self.staged.append(_Staged(temp, target))
        self.targets.add(_resolved(target))
        try:
            with open(fd, "w", encoding="utf-8", newline="\n", closefd=True) as handle:
                _write_pieces(handle, pieces)
                handle.flush()
                os.fsync(handle.fileno())
            mode = stat.S_IMODE(info.st_mode) if info is not None else 0o666 & ~_umask()
            os.chmod(temp, mode)
            if info is not None and (info.st_uid, info.st_gid) != _owner(temp):
                with contextlib.suppress(OSError):  # only root may give a file away
                    os.chown(temp, info.st_uid, info.st_gid)
        except OSError as exc:
            raise _fail(path, exc) from None

    def _in_place(self, path: str, pieces: Iterable[str]) -> None:
        try:
            with open(path, "w", encoding="utf-8", newline="\n") as handle:
                _write_pieces(handle, pieces)
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise _fail(path, exc) from None

    def commit(self) -> None:
        """Rename every staged file over its target."""
        staged, self.staged = self.staged, []
        for i, item in enumerate(staged):
            try:
                os.replace(item.temp, item.target)
            except OSError as exc:
                self.staged = staged[i:]
                raise _fail(item.target, exc) from None

    def abort(self) -> None:
        """Remove every staged temporary file (targets stay as they were)."""
        staged, self.staged = self.staged, []
        for item in staged:
            with contextlib.suppress(OSError):
                os.unlink(item.temp)


def _owner(path: str) -> tuple[int, int]:
    info = os.stat(path)
    return (info.st_uid, info.st_gid)


# --- standard output --------------------------------------------------------------------------


class ClosedStream(io.TextIOBase):
    """Standard output when the process was started without one (``collatio ... >&-``)."""

    def write(self, text: str) -> int:
        raise OutputError(
            "it is closed (started with >&-); write to a file with -o PATH", path=STDOUT
        )

    def isatty(self) -> bool:
        return False


def write_stream(stream: TextIO, pieces: Iterable[str], *, escape: bool = False) -> None:
    """Write *pieces* to *stream* and flush it; with *escape*, as
    :func:`~collatio.terminal.printable` shows them. Failures are an
    :class:`~collatio.errors.OutputError` (a closed pipe stays a ``BrokenPipeError``)."""
    try:
        _write_pieces(stream, pieces, escape=escape)
        stream.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        if isinstance(exc, OutputError):
            raise
        raise OutputError(f"cannot write: {exc.strerror or exc}", path=STDOUT) from None
    except UnicodeEncodeError as exc:
        bad = exc.object[exc.start]
        if 0xD800 <= ord(bad) <= 0xDFFF:
            raise  # a lone surrogate in an output is a bug: a reader should have refused it
        raise OutputError(
            f"its encoding, {exc.encoding}, cannot write U+{ord(bad):04X} "
            f"({printable(bad)}); set PYTHONIOENCODING=utf-8, or write to a file with -o PATH",
            path=STDOUT,
        ) from None


def write(
    text: str | Iterable[str],
    output: str | None,
    stdout: TextIO,
    *,
    inputs: Inputs | None = None,
    escape: bool | None = None,
) -> None:
    """Write *text* (or its pieces, as they come) to the file *output*, whole or not at all
    (never over one of *inputs*), or to *stdout* when *output* is None or ``-``.

    *escape* (default: whether *stdout* is a terminal) passes what goes to *stdout* through
    :func:`~collatio.terminal.printable`; a format that escapes its own text (the coloured
    text apparatus) says False.
    """
    pieces = (text,) if isinstance(text, str) else text
    if output is None or output == "-":
        write_stream(stdout, pieces, escape=is_terminal(stdout) if escape is None else escape)
        return
    with Outputs(inputs) as outputs:
        outputs.add(output, pieces)
        outputs.commit()


def note(stdout: TextIO, line: str) -> None:
    """A line about what was done (``wrote build/a.json``), for a person: escaped, and
    skipped when there is no standard output to read it."""
    if not isinstance(stdout, ClosedStream):
        write_stream(stdout, (printable(line) + "\n",))


def stem(files: Sequence[str], manifest: str | None) -> str:
    """The name an output takes after the first input (``letter`` for ``proj/letter.txt``)."""
    first = files[0] if files else (manifest or "apparatus")
    if first == "-":
        return "stdin"
    return os.path.basename(first).split(".")[0] or "apparatus"


def warn(diagnostics: Iterable[Diagnostic], err: TextIO, color: bool = False) -> None:
    """Every warning and error among *diagnostics*, one line each, on *err*, escaped
    (:func:`~collatio.terminal.printable`) and coloured when *color*; nothing if *err*
    cannot be written (there is nowhere left to say so)."""
    from collatio.cli.style import paint

    lines = []
    for d in diagnostics:
        if d.severity is not Severity.INFO:
            what = "error" if d.severity is Severity.ERROR else "warning"
            lines.append(paint(printable(str(d)), what, color) + "\n")
    if lines:
        with contextlib.suppress(OSError, ValueError):  # as for error messages: best effort
            _write_pieces(err, lines)
            err.flush()


def is_terminal(stream: TextIO) -> bool:
    """Whether *stream* is a terminal (whatever ``NO_COLOR`` says)."""
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (OSError, ValueError):
        return False

