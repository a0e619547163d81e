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

from collatio.terminal import printable


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
        """``path:line:column: message``; the bare message when it concerns no file."""
        if self.path is None and self.line is None:
            return self.message
        return f"{self.location}: {self.message}"

    def describe(self) -> str:
        """The message for a person: with a caret snippet under the offending column, when
        known, and every character that could drive a terminal shown as an escape (see
        :func:`collatio.terminal.printable`)."""
        text = printable(str(self))
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


class OptionError(CollatioError, ValueError):
    """An option the caller gave names nothing there is: an unknown normalizer, base siglum
    or convention. The command line reports it as a usage error (exit status 2), without a
    file position; the narrower classes below are also their stage's own error."""


class UnknownBaseError(CollationError, OptionError):
    """``base`` names no collated text."""


class UnknownConventionError(ConventionError, OptionError):
    """A convention name is neither a preset nor a file."""


class LimitError(CollatioError, ValueError):
    """An input exceeds a configured limit (file size, witnesses, words)."""


class RenderError(CollatioError, ValueError):
    """An apparatus cannot be rendered in the requested format."""


class RenderOptionError(RenderError, OptionError):
    """An option (``-O KEY=VALUE``) the format does not take, or a value it cannot take."""


class OutputError(CollatioError, OSError):
    """An output cannot be written (a full disk, a closed standard output, an encoding that
    cannot hold the text); what was there before is left as it was."""


def caret_snippet(line_text: str, column: int, width: int = 80) -> str:
    r"""Two lines: a window of *line_text* around *column* and a caret under it.

    What the line holds is shown as :func:`~collatio.terminal.printable` shows it (a tab as
    one space), and the caret stays under its character when escapes widen the line:

    >>> print(caret_snippet("abc def", 5))
        abc def
            ^
    >>> print(caret_snippet("a\x1b[2Jb", 5))
        a\x1b[2Jb
               ^
    """
    start = max(0, column - 1 - width // 2)
    before = printable(line_text[start : column - 1].replace("\t", " "))
    after = printable(line_text[column - 1 : start + width].replace("\t", " "))
    prefix = "... " if start > 0 else "    "
    return f"{prefix}{before}{after}\n{' ' * (4 + len(before))}^"
