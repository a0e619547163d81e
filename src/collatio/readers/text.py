"""Plain-text transcriptions: the file split into documents (:mod:`collatio.sources`), each
body's marks read by a markup convention (:mod:`collatio.markup`), states built
(:mod:`collatio.witness`). The reader every file falls back to."""

from __future__ import annotations

from typing import ClassVar

from collatio.readers.base import Reader, ReadOptions
from collatio.sources import decode_text, split_source
from collatio.witness import ParseResult, result_of_source


def looks_like_text(head: bytes) -> bool:
    """No NUL byte and decodable as UTF-8 (a multi-byte character cut at the end of the
    head excepted)."""
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        return error.start >= len(head) - 3 and error.reason == "unexpected end of data"
    return True


class TextReader(Reader):
    """Plain text in a markup convention (``hand-revision``, ``editorial``, ``plain``)."""

    name: ClassVar[str] = "text"
    aliases: ClassVar[tuple[str, ...]] = ("txt", "plain")
    filenames: ClassVar[tuple[str, ...]] = ("*.txt", "*.text")
    media_type: ClassVar[str] = "text/plain"
    summary: ClassVar[str] = "plain text with marks in a convention"

    @classmethod
    def sniff(cls, head: bytes) -> float:
        # The fallback: sure of nothing, but it reads any text
        return 0.01 if looks_like_text(head) else 0.0

    def read(self, data: bytes, path: str, options: ReadOptions) -> ParseResult:
        self.check_options(options)
        text = decode_text(data, path, options.encoding)
        source = split_source(text, path, manifest=options.manifest)
        return result_of_source(source, convention=options.convention)
