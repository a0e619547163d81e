"""Writing files so that an interrupted survey leaves no half-written file: each file is
written beside its target under a temporary name and renamed over it (``os.replace`` is
atomic on one filesystem)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable

from collatio.errors import CollatioError


def write_atomic(path: str, text: str | Iterable[str], *, binary: bytes | None = None) -> None:
    """Write *text* (or its pieces, or *binary*) to *path*, all or nothing."""
    folder = os.path.dirname(path) or "."
    temporary = os.path.join(folder, f".{os.path.basename(path)}.{os.getpid()}.tmp")
    try:
        os.makedirs(folder, exist_ok=True)
        if binary is not None:
            with open(temporary, "wb") as handle:
                handle.write(binary)
        else:
            with open(temporary, "w", encoding="utf-8", newline="\n") as handle:
                handle.writelines((text,) if isinstance(text, str) else text)
        os.replace(temporary, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.remove(temporary)
        raise CollatioError(f"cannot write output: {exc.strerror or exc}", path=path) from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(temporary)
        raise
