"""The values of stage 1: regions of a file, documents, their metadata and mark overrides."""

from __future__ import annotations

import enum
from typing import Final

import attrs

from collatio.diagnostics import Diagnostic
from collatio.markup.tree import SpanKind
from collatio.sources.dates import _is_iso_date
from collatio.textpos import LineIndex


class RegionKind(enum.Enum):
    """What a classified piece of a source file is; only ``BODY`` is collated."""

    BODY = "body"
    TITLE = "title"
    DATELINE = "dateline"
    CITATION = "citation"
    SUMMARY = "summary"
    HEADNOTE = "headnote"
    FIELD = "field"
    CHROME = "chrome"
    BLANK = "blank"


def _non_negative(_: object, attribute: attrs.Attribute[int], value: int) -> None:
    if value < 0:
        raise ValueError(f"{attribute.name} must be >= 0, not {value}")


def _positive(_: object, attribute: attrs.Attribute[int], value: int) -> None:
    if value < 1:
        raise ValueError(f"{attribute.name} must be >= 1, not {value}")


def _optional_positive(
    _: object, attribute: attrs.Attribute[int | None], value: int | None
) -> None:
    if value is not None and (isinstance(value, bool) or value < 1):
        raise ValueError(f"{attribute.name} must be >= 1, not {value!r}")


_int = attrs.validators.instance_of(int)
_str = attrs.validators.instance_of(str)
_opt_str = attrs.validators.optional(_str)


@attrs.frozen(slots=True)
class Region:
    """A classified piece ``text[start:end]`` of a source file.

    ``line`` is the 1-based line of ``start``; ``rule`` names the rule that decided ``kind``;
    ``document`` indexes :attr:`Source.documents`, ``None`` for file-level matter.
    """

    kind: RegionKind = attrs.field(validator=attrs.validators.instance_of(RegionKind))
    start: int = attrs.field(validator=[_int, _non_negative])
    end: int = attrs.field(validator=[_int, _non_negative])
    line: int = attrs.field(validator=[_int, _positive])
    rule: str = attrs.field(validator=_str)
    document: int | None = attrs.field(
        default=None, validator=attrs.validators.optional([_int, _non_negative])
    )

    def __attrs_post_init__(self) -> None:
        if self.start > self.end:
            raise ValueError(f"region start {self.start} is after its end {self.end}")

    def __repr__(self) -> str:
        of = f" of document {self.document}" if self.document is not None else ""
        return (f"<Region {self.kind.value} {self.start}-{self.end} (line {self.line}){of} "
                f"by {self.rule}>")


def _extra_pairs(
    _: object, attribute: attrs.Attribute[tuple[tuple[str, str], ...]], value: object
) -> None:
    ok = isinstance(value, tuple) and all(
        isinstance(pair, tuple)
        and len(pair) == 2
        and isinstance(pair[0], str)
        and isinstance(pair[1], str)
        for pair in value
    )
    if not ok:
        raise TypeError(f"{attribute.name} must be a tuple of (str, str) pairs")


@attrs.frozen(slots=True)
class Metadata:
    """What the archive page (or the title line) says about a document.

    ``date`` is ISO 8601 at the precision known (``1950-10-05``, ``1950-10``, ``1950``);
    ``date_text`` is the date as written. ``extra`` holds any other labelled field, in order.
    """

    title: str | None = attrs.field(default=None, validator=_opt_str)
    date: str | None = attrs.field(default=None, validator=_opt_str)
    date_text: str | None = attrs.field(default=None, validator=_opt_str)
    sender: str | None = attrs.field(default=None, validator=_opt_str)
    recipient: str | None = attrs.field(default=None, validator=_opt_str)
    citation: str | None = attrs.field(default=None, validator=_opt_str)
    summary: str | None = attrs.field(default=None, validator=_opt_str)
    language: str | None = attrs.field(default=None, validator=_opt_str)
    classification: str | None = attrs.field(default=None, validator=_opt_str)
    extra: tuple[tuple[str, str], ...] = attrs.field(default=(), validator=_extra_pairs)

    @date.validator
    def _check_date(self, _: attrs.Attribute[str | None], value: str | None) -> None:
        if value is not None and not _is_iso_date(value):
            raise ValueError(f"date must be ISO 8601 (YYYY, YYYY-MM or YYYY-MM-DD), not {value!r}")

    def __repr__(self) -> str:
        from collatio._display import clip, count

        shown = [clip(self.title, 40)] if self.title else []
        if self.date:
            shown.append(self.date)
        if self.sender or self.recipient:
            shown.append(f"{self.sender or '?'} to {self.recipient or '?'}")
        rest = len(self.as_dict()) - sum(
            1 for value in (self.title, self.date, self.sender, self.recipient) if value)
        if rest:
            shown.append(f"{count(rest, 'more field')}")
        return f"<Metadata {', '.join(shown) or '(none)'}>"

    def as_dict(self) -> dict[str, str]:
        """The fields that are set, with ``extra`` flattened in.

        >>> Metadata(title="T", extra=(("Contents", "Translation"),)).as_dict()
        {'title': 'T', 'Contents': 'Translation'}
        """
        out = {
            name: value for name in _METADATA_FIELDS if (value := getattr(self, name)) is not None
        }
        for key, value in self.extra:
            out.setdefault(key, value)
        return out


_METADATA_FIELDS: Final = (
    "title",
    "date",
    "date_text",
    "sender",
    "recipient",
    "citation",
    "summary",
    "language",
    "classification",
)

#: Values of :attr:`MarkOverride.kind`: every span kind, plus ``literal`` (not a mark).
MARK_KINDS: Final = (*(kind.value for kind in SpanKind), "literal")


def _mark_kind(_: object, attribute: attrs.Attribute[str], value: str) -> None:
    if value not in MARK_KINDS:
        raise ValueError(f"{attribute.name} must be one of {', '.join(MARK_KINDS)}; not {value!r}")


@attrs.frozen(slots=True)
class MarkOverride:
    """Reclassify the markup delimiter at a 1-based line and column of the source file.

    ``kind`` is a :class:`~collatio.markup.tree.SpanKind` value or ``"literal"`` (the character
    is text, not a mark); ``origin`` locates the override (``manifest.toml:witness[2].mark[1]``).
    """

    line: int = attrs.field(validator=[_int, _positive])
    column: int = attrs.field(validator=[_int, _positive])
    kind: str = attrs.field(validator=[_str, _mark_kind])
    label: str | None = attrs.field(default=None, validator=_opt_str)
    reason: str | None = attrs.field(default=None, validator=_opt_str)
    origin: str = attrs.field(default="", validator=_str)

    def __repr__(self) -> str:
        label = f" ({self.label})" if self.label else ""
        origin = f" from {self.origin}" if self.origin else ""
        return f"<MarkOverride {self.line}:{self.column} {self.kind}{label}{origin}>"


@attrs.frozen(slots=True)
class Document:
    """One document of a source file.

    ``start``/``end`` span the whole document (title and header through its last line);
    ``body_start``/``body_end`` its own text, which is parsed and collated. ``header`` is the
    whitespace-normalized text of its title, date line and headnote, one per line.
    """

    index: int = attrs.field(validator=[_int, _non_negative])
    siglum: str = attrs.field(validator=_str)
    label: str = attrs.field(validator=_str)
    metadata: Metadata = attrs.field(validator=attrs.validators.instance_of(Metadata))
    start: int = attrs.field(validator=[_int, _non_negative])
    end: int = attrs.field(validator=_int)
    body_start: int = attrs.field(validator=_int)
    body_end: int = attrs.field(validator=_int)
    header: str = attrs.field(validator=_str)
    convention: str | None = attrs.field(default=None, validator=_opt_str)
    overrides: tuple[MarkOverride, ...] = attrs.field(
        default=(),
        validator=attrs.validators.deep_iterable(
            attrs.validators.instance_of(MarkOverride), attrs.validators.instance_of(tuple)
        ),
    )

    def __repr__(self) -> str:
        from collatio._display import clip, count

        date = f" {self.metadata.date}" if self.metadata.date else ""
        convention = f", {self.convention}" if self.convention else ""
        marks = f", {count(len(self.overrides), 'mark override')}" if self.overrides else ""
        return (f"<Document {self.index} {self.siglum} {clip(self.label, 40)}{date}: body "
                f"{self.body_start}-{self.body_end}{convention}{marks}>")

    def __attrs_post_init__(self) -> None:
        if not self.start <= self.body_start <= self.body_end <= self.end:
            raise ValueError(
                f"document offsets must satisfy start <= body_start <= body_end <= end; got "
                f"{self.start}, {self.body_start}, {self.body_end}, {self.end}"
            )


@attrs.frozen(slots=True)
class Source:
    """A source file split into regions and documents.

    ``regions`` tile ``text`` exactly, in order. A file that is empty or blank has no
    documents (and a warning); any other file has at least one.
    """

    path: str = attrs.field(validator=_str)
    text: str = attrs.field(validator=_str, repr=False)
    regions: tuple[Region, ...]
    documents: tuple[Document, ...]
    diagnostics: tuple[Diagnostic, ...]
    #: Where the offsets of ``text`` stand in the file: the index of its own lines, or, when
    #: ``text`` is a transcript a reader made (XML with its references decoded, a Word
    #: document's paragraphs), of the file's; None: made from ``text`` when asked for.
    lines: LineIndex | None = attrs.field(default=None, eq=False, repr=False)
    #: The reader that read the file (``text``, ``tei``, ``docx``...).
    reader: str = attrs.field(default="text", validator=_str)

    def __attrs_post_init__(self) -> None:
        position = 0
        for region in self.regions:
            if region.start != position:
                raise ValueError(f"regions do not tile the text at offset {position}")
            position = region.end
        if position != len(self.text):
            raise ValueError(f"regions end at {position}, the text at {len(self.text)}")
        for document in self.documents:
            if document.end > len(self.text):
                raise ValueError(f"document {document.index} ends after the text")

    def __repr__(self) -> str:
        from collatio._display import clip, count, listed

        sigla = listed([document.siglum for document in self.documents])
        notes = f", {count(len(self.diagnostics), 'diagnostic')}" if self.diagnostics else ""
        return (f"<Source {clip(self.path, 50)} ({self.reader}): "
                f"{count(len(self.documents), 'document')} ({sigla}), "
                f"{len(self.text):,} characters{notes}>")

    def line_index(self) -> LineIndex:
        """Offsets of :attr:`text` to the file's 1-based lines and columns."""
        return self.lines if self.lines is not None else LineIndex.of(self.text)

    def region_text(self, region: Region) -> str:
        """The characters of *region*."""
        return self.text[region.start : region.end]

    def body(self, document: Document) -> str:
        """The body text of *document*."""
        return self.text[document.body_start : document.body_end]
