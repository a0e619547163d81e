"""Offsets to 1-based line and column numbers, computed once per text; and the map from a
transcript a reader made (a file's text with its XML references decoded, say) back to the
file's offsets."""

from __future__ import annotations

import bisect
import itertools
import re

import attrs

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_plus_one = (1).__add__


@attrs.frozen(slots=True)
class LineIndex:
    """Maps character offsets of one text to 1-based (line, column).

    Lines end after ``\\n``, after a ``\\r`` not followed by ``\\n``, and after ``\\r\\n``.

    >>> index = LineIndex.of("ab\\ncd")
    >>> index.position(0), index.position(3), index.position(5)
    ((1, 1), (2, 1), (2, 3))
    """

    starts: tuple[int, ...]
    #: When the offsets asked about are a transcript's, where they stand in the text whose
    #: line starts ``starts`` holds.
    origin: OffsetMap | None = None

    @classmethod
    def of(cls, text: str, origin: OffsetMap | None = None) -> LineIndex:
        """The index of *text*; with *origin*, of a transcript made from *text*."""
        if origin is not None:
            return cls(cls.of(text).starts, origin)
        if "\r" in text:
            starts = [0]
            starts.extend(match.end() for match in _LINE_BREAK.finditer(text))
            return cls(tuple(starts))
        # the common case, at C speed: each line start is the previous one + length + 1
        lines = text.split("\n")
        return cls(tuple(itertools.accumulate(map(_plus_one, map(len, lines[:-1])), initial=0)))

    def position(self, offset: int) -> tuple[int, int]:
        """The (line, column) of *offset*, both 1-based."""
        if self.origin is not None:
            offset = self.origin.file_offset(offset)
        line = bisect.bisect_right(self.starts, offset) - 1
        return line + 1, offset - self.starts[line] + 1

    def offset(self, line: int, column: int) -> int:
        """The offset of a 1-based (line, column); the inverse of :meth:`position`."""
        return self.starts[line - 1] + column - 1

    def line_bounds(self, line: int, text_length: int) -> tuple[int, int]:
        """Half-open offsets of a 1-based line, without its line break."""
        start = self.starts[line - 1]
        end = self.starts[line] if line < len(self.starts) else text_length
        return start, end


@attrs.frozen(slots=True)
class OffsetMap:
    """Offsets of a transcript -> offsets of the file it was made from.

    The transcript is a sequence of segments; segment ``i`` starts at transcript offset
    ``starts[i]`` and stands for the file's ``lengths[i]`` characters from ``targets[i]``: a
    copy (the same length), a replacement (``&amp;`` -> ``&``) or an insertion (length 0).
    An offset inside a segment maps to the same distance into its file range, clamped to it.
    O(log segments) per offset.

    >>> builder = TranscriptBuilder("a &amp; b")
    >>> builder.copy(0, 2); builder.replace(2, 7, "&"); builder.copy(7, 9)
    >>> text, origin = builder.build()
    >>> text, origin.file_offset(2), origin.file_offset(4)
    ('a & b', 2, 8)
    """

    starts: tuple[int, ...]
    targets: tuple[int, ...]
    lengths: tuple[int, ...]

    def file_offset(self, offset: int) -> int:
        i = bisect.bisect_right(self.starts, offset) - 1
        if i < 0:
            return offset
        return self.targets[i] + min(offset - self.starts[i], self.lengths[i])


class TranscriptBuilder:
    """Makes a transcript of *file_text* piece by piece, with its :class:`OffsetMap`."""

    def __init__(self, file_text: str) -> None:
        self.file_text = file_text
        self.parts: list[str] = []
        self.length = 0
        self.starts: list[int] = []
        self.targets: list[int] = []
        self.lengths: list[int] = []

    def _segment(self, text: str, target: int, length: int) -> None:
        if not text and length == 0:
            return
        last = len(self.starts) - 1
        if (
            last >= 0 and len(text) == length
            and self.targets[last] + self.lengths[last] == target
            and self.length - self.starts[last] == self.lengths[last]
        ):
            self.lengths[last] += length  # a copy continuing a copy: one segment
        else:
            self.starts.append(self.length)
            self.targets.append(target)
            self.lengths.append(length)
        self.parts.append(text)
        self.length += len(text)

    def copy(self, start: int, end: int) -> None:
        """The file's ``[start, end)`` as it is."""
        if start < end:
            self._segment(self.file_text[start:end], start, end - start)

    def replace(self, start: int, end: int, text: str) -> None:
        """*text* standing for the file's ``[start, end)`` (empty for an insertion)."""
        self._segment(text, start, end - start)

    def build(self) -> tuple[str, OffsetMap]:
        return "".join(self.parts), OffsetMap(
            tuple(self.starts), tuple(self.targets), tuple(self.lengths)
        )
