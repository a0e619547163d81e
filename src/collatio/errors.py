"""One exception hierarchy for collatio, every error carrying its source position.

Each narrow class also inherits the builtin a caller would expect
(``MarkupError`` is a ``ValueError``), so ``except ValueError`` keeps working.

>>> err = MarkupError("unclosed '['", path="a.txt", line=3, column=7)
>>> str(err)
"a.txt:3:7: unclosed '['"
>>> isinstance(err, ValueError) and isinstance(err, CollatioError)
True
"""

from __future__ import annotations


class CollatioError(Exception):
    """Base class: a message plus the file, line and column it concerns (1-based)."""

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        column: int | None = None,
        snippet: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.column = column
        self.snippet = snippet

    @property
    def location(self) -> str:
        """``path:line:column`` with whatever parts are known."""
        parts = [self.path or "<input>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"

    def describe(self) -> str:
        """The message with a caret snippet under the offending column, when known."""
        text = str(self)
        if self.snippet is not None and self.column is not None:
            text += "\n" + caret_snippet(self.snippet, self.column)
        return text


class InputError(CollatioError, OSError):
    """A file cannot be read or decoded."""


class MarkupError(CollatioError, ValueError):
    """Malformed markup in a transcription (raised only in strict mode)."""


class ConventionError(CollatioError, ValueError):
    """A convention definition (TOML or in code) is invalid."""


class ManifestError(CollatioError, ValueError):
    """A manifest is invalid or does not fit the sources it describes."""


class CollationError(CollatioError, ValueError):
    """Witnesses cannot be collated as asked (e.g. duplicate sigla, unknown base)."""


class LimitError(CollatioError, ValueError):
    """An input exceeds a configured limit (file size, witnesses, words)."""


class RenderError(CollatioError, ValueError):
    """An apparatus cannot be rendered in the requested format."""


def caret_snippet(line_text: str, column: int, width: int = 80) -> str:
    """Two lines: a window of *line_text* around *column* and a caret under it.

    >>> print(caret_snippet("abc def", 5))
        abc def
            ^
    """
    start = max(0, column - 1 - width // 2)
    window = line_text[start : start + width].expandtabs(1)
    prefix = "... " if start > 0 else "    "
    return f"{prefix}{window}\n{' ' * (4 + column - 1 - start)}^"
