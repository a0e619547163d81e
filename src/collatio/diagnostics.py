"""Diagnostics: located, human-readable findings about the input that do not stop the work.

Transcriptions are messy, so collatio is lenient by default: every stage reports what it
noticed (an unmatched bracket, a guessed boundary, page chrome set aside) as a
:class:`Diagnostic` and carries on. ``strict=True`` turns any warning or error into a
:class:`~collatio.errors.CollatioError`.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

import attrs

from collatio.errors import CollatioError, MarkupError


class Severity(enum.Enum):
    """How much a diagnostic matters; ``INFO`` never fails a strict run."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


@attrs.frozen(slots=True)
class Diagnostic:
    """A finding about the input, at a 1-based line and column of *path*.

    ``code`` is a stable identifier (``unmatched-close``) for filtering and tests;
    ``message`` is the sentence a person reads.
    """

    severity: Severity = attrs.field(validator=attrs.validators.instance_of(Severity))
    code: str = attrs.field(validator=attrs.validators.instance_of(str))
    message: str = attrs.field(validator=attrs.validators.instance_of(str))
    path: str | None = None
    line: int | None = None
    column: int | None = None
    offset: int | None = attrs.field(default=None, eq=False)  # derived from line and column

    def __str__(self) -> str:
        where = ":".join(
            str(part)
            for part in (self.path or "<input>", self.line, self.column)
            if part is not None
        )
        return f"{where}: {self.severity.value}: {self.message} [{self.code}]"

    def __repr__(self) -> str:
        from collatio._display import clip

        where = ":".join(str(p) for p in (self.path, self.line, self.column) if p is not None)
        return (f"<Diagnostic {self.severity.value} {self.code} at {where or '?'}: "
                f"{clip(self.message, 50)}>")

    def as_dict(self) -> dict[str, object]:
        """Plain data for JSON output."""
        return {
            "severity": self.severity.value,
            "code": self.code,
            "message": self.message,
            "path": self.path,
            "line": self.line,
            "column": self.column,
        }

    def to_error(self) -> CollatioError:
        """The error a strict run raises for this diagnostic."""
        return MarkupError(self.message, path=self.path, line=self.line, column=self.column)


def raise_if_strict(diagnostics: Iterable[Diagnostic], strict: bool) -> None:
    """In strict mode, raise the first warning or error; otherwise do nothing."""
    if not strict:
        return
    for diagnostic in diagnostics:
        if diagnostic.severity is not Severity.INFO:
            raise diagnostic.to_error()
