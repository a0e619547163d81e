"""Offsets to 1-based line and column numbers, computed once per text."""

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

    @classmethod
    def of(cls, text: str) -> LineIndex:
        if "\r" in text:
            starts = [0]
            starts.extend(match.end() for match in _LINE_BREAK.finditer(text))
            return cls(tuple(starts))
        # the common case, at C speed: each line start is the previous one + length + 1
        lines = text.split("\n")
        return cls(tuple(itertools.accumulate(map(_plus_one, map(len, lines[:-1])), initial=0)))

    def position(self, offset: int) -> tuple[int, int]:
        """The (line, column) of *offset*, both 1-based."""
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
