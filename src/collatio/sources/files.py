"""Reading source files: bytes decoded with the file named in every error."""

from __future__ import annotations

import os

from collatio.errors import InputError, LimitError


def _stem(path: str | os.PathLike[str]) -> str:
    """The file name without its last suffix (``pathlib``'s ``stem``).

    >>> _stem("seeds/002_82ee7afc6dc33c74.txt"), _stem("draft.v2.txt"), _stem(".hidden")
    ('002_82ee7afc6dc33c74', 'draft.v2', '.hidden')
    """
    return os.path.splitext(os.path.basename(path))[0]


def _read_bytes(name: str, limit: int | None = None) -> bytes:
    """The file's bytes; with *limit*, at most ``limit + 1`` of them (the one over says the
    file is too large: counted as read, for a FIFO or ``/dev/zero`` has no size to check)."""
    with open(name, "rb") as handle:
        return handle.read() if limit is None else handle.read(limit + 1)


MAX_FILE_BYTES = 512 * 1024 * 1024

#: The name standard input goes by (``-`` on the command line) in messages and sigla.
STDIN = "<stdin>"


def read_bytes(path: str | os.PathLike[str], *, max_bytes: int | None = None) -> bytes:
    """The bytes of the file at *path*, or of standard input for ``-``.

    Raises :class:`~collatio.errors.InputError` naming the file for a missing file, a
    directory or a permission problem, and :class:`~collatio.errors.LimitError` for more
    than *max_bytes* (default :data:`MAX_FILE_BYTES`), checked on a file's size before reading
    it and counted as it is read (a FIFO, ``/dev/zero`` and standard input are never read
    past the limit).
    """
    name = os.fspath(path)
    limit = MAX_FILE_BYTES if max_bytes is None else max_bytes
    if name == "-":
        import sys

        stream = getattr(sys.stdin, "buffer", None)
        if stream is None:
            raise InputError("standard input is not open", path=STDIN)
        data = stream.read(limit + 1)
        if len(data) > limit:
            raise LimitError(
                f"standard input holds more than {limit:,} bytes, the limit; raise it with "
                "--max-bytes (or max_bytes=) if the machine has the memory",
                path=STDIN,
            )
        return bytes(data)
    try:
        size = os.stat(name).st_size
    except OSError:
        size = 0  # reading will say what is wrong
    if size > limit:
        raise LimitError(
            f"the file has {size:,} bytes, over the limit of {limit:,}; raise it with "
            "--max-bytes (or max_bytes=) if the machine has the memory",
            path=name,
        )
    try:
        data = _read_bytes(name, limit)
    except FileNotFoundError:
        raise InputError("no such file", path=name) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a file", path=name) from None
    except PermissionError:
        raise InputError("permission denied", path=name) from None
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror or error}", path=name) from None
    if len(data) > limit:
        raise LimitError(
            f"the file holds more than {limit:,} bytes, the limit; raise it with --max-bytes "
            "(or max_bytes=) if the machine has the memory",
            path=name,
        )
    return data


def decode_text(data: bytes, path: str, encoding: str = "utf-8") -> str:
    """*data* decoded: a leading BOM removed, line endings kept as written (offsets stay
    true to the file). Undecodable bytes are an :class:`~collatio.errors.InputError` giving
    the byte offset, the bytes and the line, and suggesting ``--encoding``."""
    try:
        text = data.decode(encoding)
    except LookupError:
        raise InputError(f"unknown encoding {encoding!r}", path=path) from None
    except UnicodeDecodeError as error:
        line = None
        if "\n".encode(encoding, errors="ignore") == b"\n":  # ASCII-compatible: count lines
            line = data.count(b"\n", 0, error.start) + 1
        bad = data[error.start : error.end].hex(" ")
        raise InputError(
            f"cannot decode byte(s) {bad} at byte offset {error.start} as {encoding} "
            f"({error.reason}); if the file is in another encoding, pass --encoding "
            "(e.g. --encoding cp1252)",
            path=path,
            line=line,
        ) from None
    return text.removeprefix("\ufeff")


def display_name(path: str | os.PathLike[str]) -> str:
    """How a file is named in messages: its path, or ``<stdin>`` for ``-``."""
    name = os.fspath(path)
    return STDIN if name == "-" else name


def read_text(
    path: str | os.PathLike[str], encoding: str = "utf-8", *, max_bytes: int | None = None
) -> str:
    """The text of the file at *path* (``-``: standard input): :func:`read_bytes` then
    :func:`decode_text`."""
    return decode_text(read_bytes(path, max_bytes=max_bytes), display_name(path), encoding)


def _same_file(a: str, b: str) -> bool:
    return os.path.normcase(os.path.realpath(a)) == os.path.normcase(os.path.realpath(b))
