"""Stage 1 of the pipeline: source files -> documents.

A source file (an archive web-page capture, a plain transcription, a file holding several
documents) is classified into :class:`Region` objects that tile its text exactly, in order.
The regions of each document are gathered into a :class:`Document`: its metadata, its header
(title and headnote, from which the next stage detects the markup convention) and the offsets
of its body, the text that the next stage parses into a witness.

Detection is a set of named rules; each region records the rule that decided it (see
``docs/sources.md``). Page boilerplate and archive field labels are data
(:data:`CHROME_PATTERNS`, :data:`FIELD_LABELS`), not code. A manifest (:func:`load_manifest`)
overrides detection where it guesses wrong.

Invariants (checked on construction of :class:`Source`): the regions tile ``text`` with no
gap or overlap; every document satisfies
``0 <= start <= body_start <= body_end <= end <= len(text)``.

>>> source = split_source("The quick brown fox.\\n", "fox.txt")
>>> [(d.siglum, source.text[d.body_start : d.body_end]) for d in source.documents]
[('fox', 'The quick brown fox.')]
>>> [(r.kind.value, r.rule) for r in source.regions]
[('body', 'plain-body'), ('blank', 'blank')]
"""

from __future__ import annotations

import datetime
import difflib
import enum
import functools
import itertools
import os
import re
import tomllib
import types
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

import attrs

from collatio.diagnostics import Diagnostic, Severity
from collatio.errors import InputError, LimitError, ManifestError
from collatio.markup.conventions import PRESETS
from collatio.markup.tree import SpanKind
from collatio.textpos import LineIndex

__all__ = [
    "CHROME_PATTERNS",
    "CORRESPONDENCE_NOUNS",
    "FIELD_LABELS",
    "MARK_KINDS",
    "Document",
    "Manifest",
    "MarkOverride",
    "Metadata",
    "Region",
    "RegionKind",
    "Source",
    "WitnessSpec",
    "load_manifest",
    "load_source",
    "parse_date",
    "read_text",
    "split_source",
]


# --------------------------------------------------------------------------- model


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

    def region_text(self, region: Region) -> str:
        """The characters of *region*."""
        return self.text[region.start : region.end]

    def body(self, document: Document) -> str:
        """The body text of *document*."""
        return self.text[document.body_start : document.body_end]


def _iso_date_validator(
    _: object, attribute: attrs.Attribute[str | None], value: str | None
) -> None:
    if value is not None and not _is_iso_date(value):
        raise ValueError(f"{attribute.name} must be ISO 8601 (YYYY, YYYY-MM or YYYY-MM-DD)")


def _line_range(
    _: object, attribute: attrs.Attribute[tuple[int, int] | None], value: tuple[int, int] | None
) -> None:
    if value is None:
        return
    if (
        not isinstance(value, tuple)
        or len(value) != 2
        or not all(isinstance(n, int) and not isinstance(n, bool) for n in value)
        or not 1 <= value[0] <= value[1]
    ):
        raise ValueError(f"{attribute.name} must be (first, last) with 1 <= first <= last")


@attrs.frozen(slots=True)
class WitnessSpec:
    """One ``[[witness]]`` table of a manifest.

    ``source`` is the path as written; ``path`` the same path resolved against the manifest's
    directory. ``document`` (1-based) picks an auto-detected document to refine; ``lines``
    (1-based, inclusive) or ``start``/``end`` markers set the body directly.
    """

    source: str = attrs.field(validator=_str)
    path: str = attrs.field(validator=_str)
    siglum: str | None = attrs.field(default=None, validator=_opt_str)
    label: str | None = attrs.field(default=None, validator=_opt_str)
    date: str | None = attrs.field(default=None, validator=[_opt_str, _iso_date_validator])
    document: int | None = attrs.field(default=None, validator=_optional_positive)
    lines: tuple[int, int] | None = attrs.field(default=None, validator=_line_range)
    start: str | None = attrs.field(default=None, validator=_opt_str)
    end: str | None = attrs.field(default=None, validator=_opt_str)
    convention: str | None = attrs.field(default=None, validator=_opt_str)
    marks: tuple[MarkOverride, ...] = attrs.field(
        default=(),
        validator=attrs.validators.deep_iterable(
            attrs.validators.instance_of(MarkOverride), attrs.validators.instance_of(tuple)
        ),
    )
    title: str | None = attrs.field(default=None, validator=_opt_str)
    sender: str | None = attrs.field(default=None, validator=_opt_str)
    recipient: str | None = attrs.field(default=None, validator=_opt_str)
    citation: str | None = attrs.field(default=None, validator=_opt_str)

    def __attrs_post_init__(self) -> None:
        if self.lines is not None and (self.start is not None or self.end is not None):
            raise ValueError("lines cannot be combined with start/end markers")


@attrs.frozen(slots=True)
class Manifest:
    """A parsed manifest file: the witnesses to take from which sources, in order."""

    path: str = attrs.field(validator=_str)
    witnesses: tuple[WitnessSpec, ...] = attrs.field(
        validator=attrs.validators.deep_iterable(
            attrs.validators.instance_of(WitnessSpec), attrs.validators.instance_of(tuple)
        )
    )


# --------------------------------------------------------------------------- rule tables

#: The archive site's template, as patterns matched against a whole line (lower-cased,
#: bullets, bold markers, a trailing colon and extra spaces removed). Lines matching these
#: are page chrome wherever page matter may occur (before the first document and after the
#: last), never in a body.
CHROME_PATTERNS: Final[tuple[str, ...]] = (
    r"skip to (?:main )?content",
    r"search(?: in)?",
    r"digital archive(?: international history declassified)?",
    r"get citation",
    r"share document",
    r"(?:download|print) (?:document|pdf)",
    r"[a-z]+ (?:html|pdf)",
    r"this document was made possible with support from\b.*",
    r"the history and public policy program welcomes reuse\b.*",
    r"to enquire about this document.s rights status\b.*",
    r"it appears your web browser is not configured to display pdf files\b.*",
    r"click here to (?:view|download) the pdf\b.*",
    r"pdfs cannot be printed inline\b.*",
)

#: Archive field labels (lower-case, as on the page) and the metadata field their value
#: fills; ``None`` keeps the value in :attr:`Metadata.extra` under the label as written.
FIELD_LABELS: Final[Mapping[str, str | None]] = types.MappingProxyType(
    {
        "citation": "citation",
        "document information": "citation",
        "source": "citation",
        "summary": "summary",
        "original language": "language",
        "language": "language",
        "original classification": "classification",
        "classification": "classification",
        "title": "title",
        "date": "date",
        "contents": None,
        "author": None,
        "authors": None,
        "author(s)": None,
        "associated people & organizations": None,
        "associated people and organizations": None,
        "associated places": None,
        "associated topics": None,
        "related documents": None,
        "original archive": None,
        "rights": None,
        "original uploaded date": None,
        "type": None,
        "record id": None,
        "keywords": None,
        "subjects discussed": None,
        "translated by": None,
    }
)

#: Words that make a title name a piece of correspondence (with "from X" / "X to Y").
CORRESPONDENCE_NOUNS: Final[frozenset[str]] = frozenset(
    {
        "message",
        "telegram",
        "cable",
        "cablegram",
        "letter",
        "note",
        "memorandum",
        "memo",
        "report",
        "dispatch",
        "despatch",
        "directive",
        "instruction",
        "instructions",
        "reply",
        "response",
        "answer",
        "appeal",
        "request",
        "notification",
        "communication",
        "radiogram",
    }
)

_CHROME_RE: Final = re.compile("|".join(f"(?:{p})" for p in CHROME_PATTERNS))

# Words that end a run of name tokens although capitalized (title words, not people).
_NOT_NAMES: Final = CORRESPONDENCE_NOUNS | {"no", "from", "to", "the", "and", "of", "on"}

#: Units longer than this many words are prose, not titles.
_TITLE_MAX_WORDS: Final = 30
#: A paragraph of at least this many words is prose (a summary, not a label or a title).
_PROSE_MIN_WORDS: Final = 12
#: The date line of an archive page is among its first this many non-blank lines.
_HEAD_WINDOW: Final = 12
#: A title's unclosed parenthesis may continue over at most this many further lines.
_PAREN_MAX_LINES: Final = 6
#: A last line with fewer non-space characters than this may be page residue.
_RESIDUE_MAX_CHARS: Final = 4

# --------------------------------------------------------------------------- dates

_MONTHS: Final = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH: Final = (
    r"(?i:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b"
)
_DAY: Final = r"(?:[12][0-9]|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR: Final = r"[0-9]{4}"
# Full dates (day or month precision) as written in titles and date lines.
_DATE: Final = (
    rf"(?:{_DAY}\s+{_MONTH}\.?,?\s+{_YEAR}"
    rf"|{_MONTH}\.?\s+{_DAY},?\s+{_YEAR}"
    rf"|{_DAY}\.(?:1[0-2]|0?[1-9])\.{_YEAR}"
    rf"|{_YEAR}-[0-9]{{2}}-[0-9]{{2}}"
    rf"|{_MONTH}\.?\s+{_YEAR})"
)
_DATE_FORMS: Final = (
    re.compile(rf"(?P<d>[0-9]{{1,2}})(?:st|nd|rd|th)?\s+(?P<m>{_MONTH})\.?,?\s+(?P<y>{_YEAR})"),
    re.compile(rf"(?P<m>{_MONTH})\.?\s+(?P<d>[0-9]{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>{_YEAR})"),
    re.compile(rf"(?P<d>[0-9]{{1,2}})\.(?P<m>[0-9]{{1,2}})\.(?P<y>{_YEAR})"),
    re.compile(rf"(?P<y>{_YEAR})(?:-(?P<m>[0-9]{{2}})(?:-(?P<d>[0-9]{{2}}))?)?"),
    re.compile(rf"(?P<m>{_MONTH})\.?\s+(?P<y>{_YEAR})"),
)


def _date_parts(text: str) -> tuple[str, int] | None:
    """The ISO form of a date written in *text* and its precision (1 year .. 3 day)."""
    text = text.strip()
    for form in _DATE_FORMS:
        match = form.fullmatch(text)
        if match is None:
            continue
        year = int(match["y"])
        month_text, day_text = match["m"], match.groupdict().get("d")
        if month_text is None:
            return (f"{year:04d}", 1) if year >= 1 else None
        month = int(month_text) if month_text.isdigit() else _MONTHS[month_text[:3].lower()]
        try:
            datetime.date(year, month, int(day_text) if day_text else 1)
        except ValueError:
            return None
        if day_text is None:
            return f"{year:04d}-{month:02d}", 2
        return f"{year:04d}-{month:02d}-{int(day_text):02d}", 3
    return None


def parse_date(text: str) -> str | None:
    """The ISO 8601 form of a date as archives write it, or ``None``.

    >>> parse_date("5 October 1950"), parse_date("August 28, 1951"), parse_date("27.8.1951")
    ('1950-10-05', '1951-08-28', '1951-08-27')
    >>> parse_date("October 1950"), parse_date("1950"), parse_date("31 June 1950")
    ('1950-10', '1950', None)
    """
    parts = _date_parts(text)
    return parts[0] if parts else None


_ISO_DATE: Final = re.compile(r"[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?")


def _is_iso_date(value: str) -> bool:
    return _ISO_DATE.fullmatch(value) is not None and parse_date(value) == value


# --------------------------------------------------------------------------- line rules

_LINE_BREAK: Final = re.compile(r"\r\n|\r|\n")
_BULLETS: Final = re.compile(r"^[\s•·▪◦‣]+")
_TOKEN: Final = re.compile(r"\[[^\]]*\]|\S+")
_TO: Final = re.compile(r"\s+to\s+")
_FROM: Final = re.compile(r"\bfrom\s+")
_NOUN: Final = re.compile(r"[^\W\d_]+")
_ITALIC_PARAGRAPH: Final = re.compile(r"\*(?!\*)[^*]+(?<!\*)\*|_(?!_)[^_]+(?<!_)_")
_LABEL_LINE: Final = re.compile(r"(?P<label>[^:]{1,60}?)\s*(?::\s*(?P<value>.*))?")
_BOLD_LEAD: Final = re.compile(r"\*\*(?P<inner>[^*]+)\*\*(?P<after>.*)")
_DIGIT: Final = re.compile(r"[0-9]")


# The two longest patterns are compiled when first needed: most files have no line they fit.
@functools.cache
def _dated_title() -> re.Pattern[str]:
    return re.compile(
        rf"(?P<bold>\*\*)?\s*(?P<title>[^\W\d_].*?),\s+(?P<date>{_DATE})\.?\s*"
        r"(?P<paren>\(.*?)?\s*(?:\*\*)?"
    )


@functools.cache
def _quoted_citation() -> re.Pattern[str]:
    return re.compile(rf"[\"“](?P<title>[^\"”]{{3,}}?),?[\"”],?\s+(?P<date>{_DATE})\b")


_ARCHIVE_REF: Final = re.compile(
    r"\b(?:Fond|Opis|Delo|Listy?|Papka|[fd]|op|ll?)\.?\s+[0-9]", re.IGNORECASE
)


def _stem(path: str | os.PathLike[str]) -> str:
    """The file name without its last suffix (``pathlib``'s ``stem``).

    >>> _stem("seeds/002_82ee7afc6dc33c74.txt"), _stem("draft.v2.txt"), _stem(".hidden")
    ('002_82ee7afc6dc33c74', 'draft.v2', '.hidden')
    """
    return os.path.splitext(os.path.basename(path))[0]


def _read_bytes(name: str) -> bytes:
    with open(name, "rb") as handle:
        return handle.read()


def _clean(text: str) -> str:
    """*text* with runs of whitespace collapsed to one space."""
    return " ".join(text.split())


def _unbold(text: str) -> str:
    text = text.strip()
    if len(text) >= 4 and text.startswith("**") and text.endswith("**"):
        return text[2:-2].strip()
    return text


def _plain(text: str) -> str:
    """*text* without bullets, wrapping bold and extra whitespace."""
    return _clean(_unbold(_BULLETS.sub("", text)))


def _is_chrome(text: str) -> bool:
    key = _plain(text).replace("**", "").rstrip(":").strip().casefold()
    return bool(key) and _CHROME_RE.fullmatch(key) is not None


def _words(text: str) -> list[str]:
    return [word for word in text.split() if any(char.isalpha() for char in word)]


def _is_prose(text: str) -> bool:
    return len(_words(text)) >= _PROSE_MIN_WORDS and any(char.islower() for char in text)


def _date_line(text: str) -> tuple[str, str] | None:
    """(date as written, ISO) when the whole line is a date of month or day precision."""
    written = _plain(text).strip("*_ ").rstrip(".")
    parts = _date_parts(written)
    if parts is None or parts[1] < 2:
        return None
    return written, parts[0]


@attrs.frozen(slots=True)
class _Label:
    label: str  # as written, without bold, bullets or colon
    value: str | None  # a value on the same line
    target: str | None  # the Metadata field it fills (FIELD_LABELS)


def _field_label(text: str) -> _Label | None:
    """The archive field label a line is (``**Citation:**``, ``Record ID``), if any.

    Known labels (:data:`FIELD_LABELS`) count with or without a colon; unknown ones only when
    bold with a colon (``**Provenance:**``), as the page template writes them.
    """
    line = _BULLETS.sub("", text).strip()
    bold = _BOLD_LEAD.fullmatch(line)
    inner, after = (bold["inner"], bold["after"]) if bold else (line, "")
    match = _LABEL_LINE.fullmatch(_clean(inner + after))
    if match is None:
        return None
    label = match["label"].strip()
    key = label.casefold()
    has_colon = match["value"] is not None
    value = (match["value"] or "").replace("**", "").strip() or None
    if key in FIELD_LABELS:
        if not has_colon and after.strip():
            return None
        return _Label(label, value, FIELD_LABELS[key])
    unknown_ok = (
        bold is not None
        and has_colon
        and ":" in bold["inner"] + after[:3]
        and len(label.split()) <= 5
        and label[:1].isupper()
    )
    return _Label(label, value, None) if unknown_ok else None


def _is_label(text: str) -> bool:
    return _field_label(text) is not None


def _citation_rule(text: str) -> str | None:
    """The rule by which a line is an archive citation, if it is one."""
    line = _plain(text)
    if _quoted_citation().match(line):
        return "quoted-title-citation"
    if len(_ARCHIVE_REF.findall(line)) >= 2:
        return "archive-reference"
    return None


def _is_name_token(token: str) -> bool:
    if token.startswith("["):
        return token.endswith("]")
    core = token.rstrip(",;:")
    return bool(core) and core[0].isupper() and core.rstrip(".").casefold() not in _NOT_NAMES


def _leading_name(text: str) -> str | None:
    """The run of name tokens at the start of *text* (``Cde. Filippov [Stalin]``)."""
    end = 0
    for match in _TOKEN.finditer(text):
        token = match[0]
        if not _is_name_token(token):
            break
        end = match.end() - (len(token) - len(token.rstrip(",;:")))
        if token != token.rstrip(",;:"):
            break
    return text[:end].strip() or None


def _trailing_name(text: str) -> str | None:
    """The run of name tokens at the end of *text*, stopping at a comma or a title word."""
    tokens = list(_TOKEN.finditer(text))
    start = len(text)
    for match in reversed(tokens):
        token = match[0]
        if token.endswith((",", ";", ":")) or not _is_name_token(token):
            break
        start = match.start()
    return text[start:].strip() or None


def _parties(title: str) -> tuple[str | None, str | None]:
    """(sender, recipient) named by a title: ``... from X to Y`` or ``..., X to Y``."""
    for match in _TO.finditer(title):
        recipient = _leading_name(title[match.end() :])
        if recipient is None:
            continue
        sender = _trailing_name(title[: match.start()])
        if sender is None:
            found = _FROM.search(title)
            sender = _leading_name(title[found.end() :]) if found else None
        return sender, recipient
    found = _FROM.search(title)
    return (_leading_name(title[found.end() :]) if found else None), None


def _names_correspondence(title: str) -> bool:
    has_noun = any(word.casefold() in CORRESPONDENCE_NOUNS for word in _NOUN.findall(title))
    return has_noun and _parties(title) != (None, None)


def _title_like(text: str) -> bool:
    """A line that can be an archive page's title: bold, or naming a correspondence."""
    line = _clean(_BULLETS.sub("", text))
    inner = _unbold(line)
    bold = inner != line and "**" not in inner
    if not inner or inner.endswith((":", ".", "!", "?")) or len(inner.split()) > _TITLE_MAX_WORDS:
        return False
    if _date_line(inner) or _citation_rule(inner):
        return False
    return bold or _names_correspondence(inner)


# --------------------------------------------------------------------------- detection


@attrs.frozen(slots=True)
class _Unit:
    """A non-blank line: ``text[start:end]`` without surrounding whitespace."""

    start: int
    end: int
    line: int
    text: str


def _units(text: str) -> list[_Unit]:
    if "\r" not in text:  # the common case, by str methods (strip() trims what isspace() says)
        units: list[_Unit] = []
        start = 0
        for number, line in enumerate(text.split("\n"), 1):
            content = line.strip()
            if content:
                lead = start + len(line) - len(line.lstrip())
                units.append(_Unit(lead, lead + len(content), number, content))
            start += len(line) + 1
        return units
    units = []
    position = 0
    number = 1
    breaks = [(m.start(), m.end()) for m in _LINE_BREAK.finditer(text)]
    breaks.append((len(text), len(text)))
    for content_end, next_start in breaks:
        start, end = _trim(text, position, content_end)
        if start < end:
            units.append(_Unit(start, end, number, text[start:end]))
        position = next_start
        number += 1
    return units


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


Facts = tuple[tuple[str, str], ...]


@attrs.frozen(slots=True)
class _Span:
    """A classified, non-blank piece of text; gaps between spans become BLANK regions."""

    kind: RegionKind
    start: int
    end: int
    rule: str
    document: int | None
    facts: Facts = ()


@attrs.frozen(slots=True)
class _Detected:
    spans: tuple[_Span, ...]
    documents: tuple[Document, ...]
    diagnostics: tuple[Diagnostic, ...]


def _value_span(
    label: _Label, value_text: str, start: int, end: int, rule: str, document: int | None
) -> _Span:
    """The region of a labelled field's value, with the metadata it carries."""
    value = _clean(value_text)
    target = label.target
    facts: Facts
    if target == "date":
        iso = parse_date(value)
        facts = (("date_text", value), *((("date", iso),) if iso else ()))
    elif target is None:
        facts = ((f"extra:{label.label}", value),)
    else:
        facts = ((target, value),)
    kind = {
        "citation": RegionKind.CITATION,
        "summary": RegionKind.SUMMARY,
        "date": RegionKind.DATELINE,
        "title": RegionKind.TITLE,
    }.get(target or "", RegionKind.FIELD)
    return _Span(kind, start, end, rule, document, facts)


class _Detector:
    """Applies the default rules to one text (mutable while it works, used once)."""

    def __init__(self, text: str, path: str) -> None:
        self.text = text
        self.path = path
        self.index = LineIndex.of(text)
        self.units = _units(text)
        self.spans: list[_Span] = []
        self.diagnostics: list[Diagnostic] = []

    # -- helpers

    def add(
        self,
        kind: RegionKind,
        start: int,
        end: int,
        rule: str,
        document: int | None,
        facts: Facts = (),
    ) -> None:
        self.spans.append(_Span(kind, start, end, rule, document, facts))

    def unit_span(
        self, kind: RegionKind, unit: _Unit, rule: str, document: int | None, facts: Facts = ()
    ) -> None:
        self.add(kind, unit.start, unit.end, rule, document, facts)

    def note(self, severity: Severity, code: str, message: str, offset: int) -> None:
        line, column = self.index.position(offset)
        self.diagnostics.append(
            Diagnostic(severity, code, message, self.path, line, column, offset)
        )

    # -- the whole file

    def run(self) -> _Detected:
        units = self.units
        if not units:
            # still a witness: a text the user named must not vanish from a collation
            self.note(
                Severity.WARNING, "empty-source", "the file is empty or blank: an empty witness", 0
            )
            documents = self._documents(1, [(0, 0)], split=False)
            return _Detected((), documents, tuple(self.diagnostics))
        residue = self._residue_candidate()
        limit = residue if residue is not None else len(units)
        trailer = self._find_trailer(limit)
        titles = [i for i in range(trailer) if self._dated_title(units[i]) is not None]
        count = max(1, len(titles))
        # Page matter belongs to the document when there is only one.
        page_doc = 0 if count == 1 else None
        bodies: list[tuple[int, int]] = []
        if titles:
            self._head(0, titles[0], page_doc, date_at=None, consume_all=True)
            for k, first in enumerate(titles):
                last = titles[k + 1] if k + 1 < len(titles) else trailer
                bodies.append(self._titled_document(k, first, last, trailer, limit))
        else:
            date_at = self._page_date(trailer)
            if date_at is not None:
                head_end = self._head(0, trailer, 0, date_at=date_at, consume_all=False)
            else:
                head_end = self._leading_chrome(trailer)
            plain = date_at is None and head_end == 0 and trailer == limit
            if plain:
                # No archive layout at all: the whole text is the document.
                residue, limit, trailer = None, len(units), len(units)
            stop = self._summary_before_trailer(head_end, trailer, limit, 0)
            rule = "plain-body" if plain else "page-body"
            anchor = units[head_end - 1].end if head_end else 0
            if head_end < stop:
                bodies.append(
                    self._body(units[head_end].start, units[stop - 1].end, rule, 0, anchor)
                )
            else:
                bodies.append(self._body(None, None, rule, 0, anchor))
        if trailer < limit:
            self._trailer(trailer, limit, page_doc)
        if residue is not None:
            unit = units[residue]
            self.unit_span(RegionKind.CHROME, unit, "trailing-residue", None)
            self.note(
                Severity.INFO,
                "trailing-residue",
                f"{unit.text!r} after the last document looks like page residue "
                "(a short last line); kept as chrome, not collated",
                unit.start,
            )
        documents = self._documents(count, bodies, split=len(titles) > 1)
        return _Detected(
            tuple(sorted(self.spans, key=lambda s: s.start)),
            documents,
            tuple(sorted(self.diagnostics, key=lambda d: d.offset or 0)),
        )

    def _residue_candidate(self) -> int | None:
        units = self.units
        if len(units) < 2:
            return None
        last, before = units[-1], units[-2]
        short = len("".join(last.text.split())) < _RESIDUE_MAX_CHARS
        return len(units) - 1 if short and last.line > before.line + 1 else None

    def _find_trailer(self, limit: int) -> int:
        """Index of the first unit of the page trailer (labels, chrome) running to *limit*."""
        units = self.units
        k, start, chrome, labels = limit - 1, limit, 0, 0
        while k >= 0:
            text = units[k].text
            if _is_chrome(text):
                start, chrome, k = k, chrome + 1, k - 1
            elif _is_label(text):
                start, labels, k = k, labels + 1, k - 1
            elif k >= 1 and (label := _field_label(units[k - 1].text)) and label.value is None:
                start, labels, k = k - 1, labels + 1, k - 2
            else:
                break
        # A lone generic word ("Source") at the end of a text is not evidence of a page.
        return start if chrome or labels >= 2 else limit

    def _page_date(self, limit: int) -> int | None:
        """The date line of an archive page head, if the file has that layout."""
        units = self.units
        for i in range(min(limit, _HEAD_WINDOW)):
            if _date_line(units[i].text) is None:
                continue
            before = any(_is_chrome(u.text) for u in units[:i])
            after = i + 1 < limit and (
                _is_chrome(units[i + 1].text)
                or _is_label(units[i + 1].text)
                or _citation_rule(units[i + 1].text) is not None
                or self._title_end(i + 1, limit) is not None
            )
            return i if before or after else None
        return None

    def _leading_chrome(self, limit: int) -> int:
        i = 0
        while i < limit and _is_chrome(self.units[i].text):
            self.unit_span(RegionKind.CHROME, self.units[i], "boilerplate", None)
            i += 1
        return i

    def _title_end(self, i: int, limit: int) -> int | None:
        """End (exclusive unit index) of a page title starting at unit *i*, if it is one."""
        units = self.units
        line = _BULLETS.sub("", units[i].text)
        if line.startswith("**") and "**" not in line[2:]:
            # A bold title wrapped over consecutive lines.
            for k in range(i + 1, min(i + 3, limit)):
                if units[k].line != units[k - 1].line + 1 or "**" in units[k].text[:-2]:
                    break
                if units[k].text.endswith("**"):
                    joined = " ".join(u.text for u in units[i : k + 1])
                    return k + 1 if _title_like(joined) else None
            return None
        return i + 1 if _title_like(units[i].text) else None

    def _head(
        self, lo: int, hi: int, document: int | None, *, date_at: int | None, consume_all: bool
    ) -> int:
        """Classify page matter from unit *lo*; return the index of the first body unit.

        With *consume_all* every unit before *hi* is page matter (the head before the first
        dated title); otherwise the head ends at the first unit no rule claims.
        """
        units = self.units
        pending: tuple[int, _Label] | None = None  # a label waiting for its value
        seen_date = seen_title = False
        last_kind: RegionKind | None = None
        i = lo

        def settle_label() -> None:
            nonlocal pending
            if pending is not None:
                span = self.spans[pending[0]]
                self.spans[pending[0]] = attrs.evolve(
                    span, kind=RegionKind.CHROME, rule="empty-field"
                )
                pending = None

        while i < hi:
            unit = units[i]
            text = unit.text
            label = _field_label(text)
            if _is_chrome(text):
                self.unit_span(RegionKind.CHROME, unit, "boilerplate", None)
                i += 1
                continue
            if label is not None:
                settle_label()
                if label.value is not None:
                    self.spans.append(
                        attrs.evolve(
                            _value_span(
                                label, label.value, unit.start, unit.end, "field", document
                            ),
                            kind=RegionKind.FIELD,
                        )
                    )
                else:
                    pending = (len(self.spans), label)
                    self.unit_span(RegionKind.FIELD, unit, "field-label", document)
                last_kind = RegionKind.FIELD
                i += 1
                continue
            if pending is not None and pending[1].target != "citation":
                self.spans.append(
                    _value_span(pending[1], text, unit.start, unit.end, "field-value", document)
                )
                pending, last_kind = None, RegionKind.FIELD
                i += 1
                continue
            dated = _date_line(text)
            if dated is not None and not seen_date and (date_at is None or i == date_at):
                facts = (("date_text", dated[0]), ("date", dated[1]))
                self.unit_span(RegionKind.DATELINE, unit, "date-line", document, facts)
                seen_date, last_kind = True, RegionKind.DATELINE
                i += 1
                continue
            rule = _citation_rule(text)
            if rule is not None:
                self.unit_span(RegionKind.CITATION, unit, rule, document, _citation_facts(text))
                pending = None  # a pending label here can only be the Citation label
                last_kind = RegionKind.CITATION
                i += 1
                continue
            if pending is not None:  # the value of a Citation label that is not yet found
                if _is_prose(text):
                    self.unit_span(
                        RegionKind.SUMMARY,
                        unit,
                        "citation-block-summary",
                        document,
                        (("summary", _clean(text)),),
                    )
                else:
                    self.spans.append(
                        _value_span(pending[1], text, unit.start, unit.end, "field-value", document)
                    )
                    pending = None
                i += 1
                continue
            title_end = None if seen_title else self._title_end(i, hi)
            if title_end is not None:
                start, end = unit.start, units[title_end - 1].end
                title = _unbold(_clean(self.text[start:end]))
                self.add(RegionKind.TITLE, start, end, "title-line", document, (("title", title),))
                seen_title, last_kind = True, RegionKind.TITLE
                i = title_end
                continue
            if last_kind is RegionKind.TITLE and _ITALIC_PARAGRAPH.fullmatch(text):
                self.unit_span(RegionKind.HEADNOTE, unit, "headnote", document, _headnote(text))
                last_kind = RegionKind.HEADNOTE
                i += 1
                continue
            if consume_all or (date_at is not None and i < date_at):
                self._stray_head_unit(unit, document, "title" if consume_all else "date")
                i += 1
                continue
            break
        settle_label()
        return i

    def _stray_head_unit(self, unit: _Unit, document: int | None, before: str) -> None:
        """Page matter before the *before* line ("date", "title") that no specific rule
        claims: an archive summary if it is prose, else chrome. Both are guesses, so noted.
        """
        if _is_prose(unit.text):
            rule = f"summary-before-{before}"
            facts = (("summary_fallback", _clean(unit.text)),)
            self.unit_span(RegionKind.SUMMARY, unit, rule, document, facts)
            self.note(
                Severity.INFO,
                rule,
                f"a long paragraph before the page's {before} line was taken as an archive "
                "summary; not collated",
                unit.start,
            )
        else:
            self.unit_span(RegionKind.CHROME, unit, "unrecognized-head", None)
            self.note(
                Severity.INFO,
                "unrecognized-head",
                f"{_clean(unit.text)[:60]!r} before the document was taken as page chrome; "
                "not collated",
                unit.start,
            )

    def _summary_before_trailer(self, first: int, trailer: int, limit: int, document: int) -> int:
        """Classify the archive summary just before the trailer; return the body's unit end."""
        units = self.units
        if (
            trailer < limit
            and trailer - 1 > first
            and _is_label(units[trailer].text)
            and _is_prose(units[trailer - 1].text)
        ):
            unit = units[trailer - 1]
            facts = (("summary", _clean(unit.text)),)
            self.unit_span(RegionKind.SUMMARY, unit, "summary-before-trailer", document, facts)
            self.note(
                Severity.INFO,
                "summary-before-trailer",
                "the long paragraph right before the page's information block was taken as the "
                "archive's summary; not collated",
                unit.start,
            )
            return trailer - 1
        return trailer

    def _body(
        self, start: int | None, end: int | None, rule: str, document: int, anchor: int
    ) -> tuple[int, int]:
        """Add the BODY span ``text[start:end]`` (trimmed); warn when there is none."""
        if start is not None and end is not None:
            start, end = _trim(self.text, start, end)
            if start < end:
                self.add(RegionKind.BODY, start, end, rule, document)
                return start, end
        self.note(
            Severity.WARNING,
            "no-body",
            "no document text found: everything here was classified as page matter",
            anchor,
        )
        return anchor, anchor

    def _trailer(self, first: int, limit: int, document: int | None) -> None:
        units = self.units
        i = first
        while i < limit:
            unit = units[i]
            label = _field_label(unit.text)
            if _is_chrome(unit.text):
                self.unit_span(RegionKind.CHROME, unit, "boilerplate", None)
            elif label is not None and label.value is not None:
                span = _value_span(label, label.value, unit.start, unit.end, "field", document)
                self.spans.append(attrs.evolve(span, kind=RegionKind.FIELD))
            elif (
                label is not None
                and i + 1 < limit
                and not _is_chrome(units[i + 1].text)
                and not _is_label(units[i + 1].text)
            ):
                self.unit_span(RegionKind.FIELD, unit, "field-label", document)
                value = units[i + 1]
                self.spans.append(
                    _value_span(label, value.text, value.start, value.end, "field-value", document)
                )
                i += 1
            elif label is not None:
                self.unit_span(RegionKind.CHROME, unit, "empty-field", None)
            else:  # cannot happen after _find_trailer; kept visible rather than dropped
                self.unit_span(RegionKind.CHROME, unit, "unclassified", None)
            i += 1

    # -- documents begun by dated title lines

    def _dated_title(self, unit: _Unit) -> re.Match[str] | None:
        if _DIGIT.search(unit.text) is None:  # every date has its year: spare the long match
            return None
        match = _dated_title().fullmatch(unit.text)
        if match is None:
            return None
        title = match["title"]
        if (
            not title[0].isupper()
            or len(title.split()) > _TITLE_MAX_WORDS
            or not _names_correspondence(title)
        ):
            return None
        return match

    def _titled_document(
        self, k: int, first: int, last: int, trailer: int, limit: int
    ) -> tuple[int, int]:
        """Classify a document begun by the dated title at unit *first*; return its body."""
        units, text = self.units, self.text
        unit = units[first]
        match = self._dated_title(unit)
        assert match is not None
        title_end, title_last = unit.end, first  # end offset, unit holding the title's end
        paren = match["paren"]
        note = None
        if paren:
            # The title ends at the parenthesis' close, which may come mid-line or lines
            # later (even across a blank line); what follows on that line is document text.
            open_at = unit.start + match.start("paren")
            closed_here = _paren_depth(paren) == 0
            reach = unit.end if closed_here else units[min(first + _PAREN_MAX_LINES, last - 1)].end
            close = _closing_paren(text, open_at, reach)
            if close is None:
                self.note(
                    Severity.WARNING,
                    "unclosed-title-parenthesis",
                    "the title's parenthesis is not closed within a few lines; the title was "
                    "taken to end with its line",
                    open_at,
                )
                note = paren[1:]
            else:
                title_end = close + 1
                if match["bold"] and text.startswith("**", title_end):
                    title_end += 2
                note = text[open_at + 1 : close]
                title_last = next(j for j in range(first, last) if units[j].end >= title_end)
        date_text = _clean(match["date"])
        facts: list[tuple[str, str]] = [("title", _clean(match["title"])), ("date_text", date_text)]
        if (iso := parse_date(date_text)) is not None:
            facts.append(("date", iso))
        if note and _clean(note):
            facts.append(("extra:title_note", _clean(note)))
        self.add(RegionKind.TITLE, unit.start, title_end, "dated-title", k, tuple(facts))
        rest_start, rest_end = _trim(text, title_end, units[title_last].end)
        if rest_start < rest_end:
            # The title closed mid-line: the rest of that line is already document text.
            stop = self._last_body_unit(title_last, last, trailer, limit, k)
            end = units[stop - 1].end if stop - 1 > title_last else rest_end
            return self._body(rest_start, end, "titled-body", k, title_end)
        after = title_last + 1
        if after < last and _ITALIC_PARAGRAPH.fullmatch(units[after].text):
            headnote = units[after]
            self.unit_span(RegionKind.HEADNOTE, headnote, "headnote", k, _headnote(headnote.text))
            after += 1
        stop = self._last_body_unit(after, last, trailer, limit, k)
        if after >= stop:
            return self._body(None, None, "titled-body", k, units[after - 1].end)
        return self._body(units[after].start, units[stop - 1].end, "titled-body", k, title_end)

    def _last_body_unit(self, first: int, last: int, trailer: int, limit: int, k: int) -> int:
        """The unit end of a titled body: the next title, or the trailer and its summary."""
        if last == trailer:
            return self._summary_before_trailer(first, trailer, limit, k)
        return last

    # -- assembling documents

    def _documents(
        self, count: int, bodies: list[tuple[int, int]], *, split: bool
    ) -> tuple[Document, ...]:
        name = os.path.basename(self.path)
        stem = _stem(self.path) if self.path != "<input>" else "A"
        documents: list[Document] = []
        used: dict[str, int] = {}
        for k in range(count):
            own = sorted((s for s in self.spans if s.document == k), key=lambda s: s.start)
            content = [s for s in own if s.kind not in (RegionKind.CHROME, RegionKind.BLANK)]
            body_start, body_end = bodies[k]
            start = min([body_start, *(s.start for s in content)])
            end = max([body_end, *(s.end for s in content)])
            metadata = _metadata(fact for span in own for fact in span.facts)
            if split:
                initial = next((c for c in (metadata.title or "") if c.isalpha()), "W").upper()
                used[initial] = used.get(initial, 0) + 1
                siglum = initial if used[initial] == 1 else f"{initial}{used[initial]}"
            else:
                siglum = stem or "A"
            header = "\n".join(
                _clean(self.text[s.start : s.end])
                for s in own
                if s.kind in (RegionKind.TITLE, RegionKind.DATELINE, RegionKind.HEADNOTE)
            )
            documents.append(
                Document(
                    index=k,
                    siglum=siglum,
                    label=metadata.title or name,
                    metadata=metadata,
                    start=start,
                    end=end,
                    body_start=body_start,
                    body_end=body_end,
                    header=header,
                )
            )
        return tuple(documents)


def _paren_depth(text: str) -> int:
    depth = 0
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")" and depth:
            depth -= 1
    return depth


def _closing_paren(text: str, open_at: int, reach: int) -> int | None:
    """Offset of the ``)`` closing the ``(`` at *open_at*, searching up to *reach*."""
    depth = 0
    for position in range(open_at, min(reach, len(text))):
        char = text[position]
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return position
    return None


def _headnote(text: str) -> Facts:
    return (("extra:headnote", _clean(text.strip()[1:-1])),)


def _citation_facts(text: str) -> Facts:
    line = _plain(text)
    facts: list[tuple[str, str]] = [("citation", line)]
    quoted = _quoted_citation().match(line)
    if quoted is not None:
        facts.append(("title_fallback", _clean(quoted["title"]).rstrip(",")))
        date_text = _clean(quoted["date"])
        facts.append(("date_text_fallback", date_text))
        if (iso := parse_date(date_text)) is not None:
            facts.append(("date_fallback", iso))
    return tuple(facts)


def _metadata(facts: Iterable[tuple[str, str]]) -> Metadata:
    """Fold the facts of a document's regions, in file order; the first of each key wins."""
    values: dict[str, str] = {}
    extra: list[tuple[str, str]] = []
    for key, value in facts:
        if key.startswith("extra:"):
            if (key[6:], value) not in extra:
                extra.append((key[6:], value))
        else:
            values.setdefault(key, value)
    title = values.get("title") or values.get("title_fallback")
    date_text: str | None
    if "date_text" in values:
        date, date_text = values.get("date"), values["date_text"]
    else:
        date, date_text = values.get("date_fallback"), values.get("date_text_fallback")
    sender, recipient = _parties(title) if title else (None, None)
    for role, party in (("sender", sender), ("recipient", recipient)):
        identified = re.search(r"\[([^\]]+)\]", party or "")
        if identified is not None:
            extra.append((f"{role}_identified", identified[1].strip()))
    return Metadata(
        title=title,
        date=date,
        date_text=date_text,
        sender=sender,
        recipient=recipient,
        citation=values.get("citation"),
        summary=values.get("summary") or values.get("summary_fallback"),
        language=values.get("language"),
        classification=values.get("classification"),
        extra=tuple(extra),
    )


# --------------------------------------------------------------------------- tiling


def _tile(text: str, spans: Sequence[_Span], documents: Sequence[Document]) -> tuple[Region, ...]:
    """Regions tiling *text*: the spans, and BLANK regions for the whitespace between them.

    A region belongs to the document whose extent holds it; gaps are cut at extent bounds.
    """
    index = LineIndex.of(text)
    extents = [(d.start, d.end, d.index) for d in documents if d.start < d.end]
    cuts = sorted({bound for start, end, _ in extents for bound in (start, end)})
    regions: list[Region] = []

    def owner(start: int, end: int) -> int | None:
        return next((k for lo, hi, k in extents if lo <= start and end <= hi), None)

    def emit(kind: RegionKind, start: int, end: int, rule: str) -> None:
        line = index.position(start)[0]
        regions.append(Region(kind, start, end, line, rule, owner(start, end)))

    def gap(start: int, end: int) -> None:
        points = [start, *(c for c in cuts if start < c < end), end]
        for lo, hi in itertools.pairwise(points):
            if text[lo:hi].isspace():
                emit(RegionKind.BLANK, lo, hi, "blank")
            else:  # never expected: spans cover every non-blank character
                emit(RegionKind.CHROME, lo, hi, "unclassified")

    position = 0
    for span in sorted(spans, key=lambda s: (s.start, s.end)):
        start = max(span.start, position)
        if start >= span.end:
            continue
        if start > position:
            gap(position, start)
        emit(span.kind, start, span.end, span.rule)
        position = span.end
    if position < len(text):
        gap(position, len(text))
    return tuple(regions)


# --------------------------------------------------------------------------- reading


#: Files larger than this are refused by default (bytes); ``max_bytes`` raises or lowers it.
MAX_FILE_BYTES = 512 * 1024 * 1024


def read_text(
    path: str | os.PathLike[str], encoding: str = "utf-8", *, max_bytes: int | None = None
) -> str:
    """The text of the file at *path*: decoded, a leading BOM removed, line endings kept.

    Raises :class:`~collatio.errors.InputError` naming the file for a missing file, a
    directory, a permission problem or bytes that *encoding* cannot decode, and
    :class:`~collatio.errors.LimitError` for a file over *max_bytes* (default
    :data:`MAX_FILE_BYTES`), checked before reading it.
    """
    name = os.fspath(path)
    limit = MAX_FILE_BYTES if max_bytes is None else max_bytes
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
        data = _read_bytes(name)
    except FileNotFoundError:
        raise InputError("no such file", path=name) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a file", path=name) from None
    except PermissionError:
        raise InputError("permission denied", path=name) from None
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror or error}", path=name) from None
    try:
        text = data.decode(encoding)
    except LookupError:
        raise InputError(f"unknown encoding {encoding!r}", path=name) from None
    except UnicodeDecodeError as error:
        line = None
        if "\n".encode(encoding, errors="ignore") == b"\n":  # ASCII-compatible: count lines
            line = data.count(b"\n", 0, error.start) + 1
        bad = data[error.start : error.end].hex(" ")
        raise InputError(
            f"cannot decode byte(s) {bad} at byte offset {error.start} as {encoding} "
            f"({error.reason}); if the file is in another encoding, pass --encoding "
            "(e.g. --encoding cp1252)",
            path=name,
            line=line,
        ) from None
    # Bytes decoded wholesale, so line endings are as written (like newline="").
    return text.removeprefix("\ufeff")


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def split_source(text: str, path: str = "<input>", *, manifest: Manifest | None = None) -> Source:
    """Classify *text* (the contents of *path*) into regions and documents.

    Without a manifest entry for *path*, the default rules decide (``docs/sources.md``);
    with entries, the documents are exactly those entries, in manifest order.

    >>> text = "Skip to content\\n\\nMay 14, 1950\\n\\nLetter from A to B\\n\\nDear B.\\n"
    >>> source = split_source(text, "page.txt")
    >>> doc = source.documents[0]
    >>> doc.metadata.date, doc.metadata.sender, doc.metadata.recipient, source.body(doc)
    ('1950-05-14', 'A', 'B', 'Dear B.')
    """
    surrogate = _LONE_SURROGATE.search(text)
    if surrogate is not None:
        line, column = LineIndex.of(text).position(surrogate.start())
        raise InputError(
            f"the text holds a lone surrogate code point U+{ord(surrogate.group()):04X}, which "
            "is not a character (broken UTF-16?); repair the text before collating it",
            path=path, line=line, column=column,
        )
    detected = _Detector(text, path).run()
    spans: Sequence[_Span] = detected.spans
    documents = detected.documents
    diagnostics = list(detected.diagnostics)
    if manifest is not None:
        entries = [
            (k, spec) for k, spec in enumerate(manifest.witnesses, 1) if _same_file(spec.path, path)
        ]
        if entries:
            spans, documents, added = _apply_manifest(text, path, detected, manifest.path, entries)
            # The manifest decides where the bodies are: auto-detection's complaint is moot.
            diagnostics = [d for d in diagnostics if d.code != "no-body"] + added
    return Source(path, text, _tile(text, spans, documents), documents, tuple(diagnostics))


def load_source(
    path: str | os.PathLike[str],
    encoding: str = "utf-8",
    *,
    manifest: Manifest | None = None,
    max_bytes: int | None = None,
) -> Source:
    """:func:`read_text` then :func:`split_source`."""
    text = read_text(path, encoding, max_bytes=max_bytes)
    return split_source(text, os.fspath(path), manifest=manifest)


def _same_file(a: str, b: str) -> bool:
    return os.path.normcase(os.path.realpath(a)) == os.path.normcase(os.path.realpath(b))


# --------------------------------------------------------------------------- manifests

_WITNESS_KEYS: Final = (
    "source",
    "siglum",
    "label",
    "date",
    "document",
    "lines",
    "start",
    "end",
    "convention",
    "mark",
    "title",
    "sender",
    "recipient",
    "citation",
)
_MARK_KEYS: Final = ("line", "column", "kind", "label", "reason")
_TOML_POSITION: Final = re.compile(r"\s*\(at line (?P<line>\d+), column (?P<column>\d+)\)")


def load_manifest(path: str | os.PathLike[str]) -> Manifest:
    """Read a TOML manifest of ``[[witness]]`` tables (format in ``docs/sources.md``).

    Every problem is a :class:`~collatio.errors.ManifestError` naming the manifest and the
    ``witness[N].key`` at fault (N counts from 1); unknown keys are errors.
    """
    name = os.fspath(path)
    try:
        data = _read_bytes(name)
    except FileNotFoundError:
        raise ManifestError("manifest not found", path=name) from None
    except OSError as error:
        raise ManifestError(f"cannot read manifest: {error.strerror or error}", path=name) from None
    try:
        document = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise ManifestError(f"not UTF-8 at byte offset {error.start}", path=name) from None
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        position = _TOML_POSITION.search(message)
        line = int(position["line"]) if position else None
        column = int(position["column"]) if position else None
        message = _TOML_POSITION.sub("", message)
        raise ManifestError(
            f"invalid TOML: {message}", path=name, line=line, column=column
        ) from None
    for key in document:
        if key != "witness":
            raise ManifestError(
                f"unknown top-level key {key!r}{_did_you_mean(key, ('witness',))}; "
                "a manifest holds [[witness]] tables",
                path=name,
            )
    tables = document.get("witness")
    if not isinstance(tables, list) or not tables:
        raise ManifestError("no [[witness]] tables", path=name)
    base = os.path.dirname(name)
    return Manifest(
        name, tuple(_witness(table, k, name, base) for k, table in enumerate(tables, 1))
    )


def _did_you_mean(key: str, valid: Sequence[str]) -> str:
    close = difflib.get_close_matches(key, valid, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


class _Table:
    """Typed access to one TOML table, raising ManifestError with its location."""

    def __init__(self, data: object, where: str, manifest: str, keys: Sequence[str]) -> None:
        if not isinstance(data, dict):
            raise ManifestError(f"{where}: must be a table", path=manifest)
        self.data: dict[str, Any] = data
        self.where = where
        self.manifest = manifest
        for key in data:
            if key not in keys:
                raise ManifestError(
                    f"{where}: unknown key {key!r}{_did_you_mean(key, keys)}; "
                    f"valid keys: {', '.join(keys)}",
                    path=manifest,
                )

    def fail(self, key: str, message: str) -> ManifestError:
        return ManifestError(f"{self.where}.{key}: {message}", path=self.manifest)

    def string(self, key: str, *, required: bool = False) -> str | None:
        value = self.data.get(key)
        if value is None:
            if required:
                raise self.fail(key, "is required")
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, f"must be a non-empty string, not {value!r}")
        return value

    def integer(self, key: str, *, required: bool = False) -> int | None:
        value = self.data.get(key)
        if value is None:
            if required:
                raise self.fail(key, "is required")
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise self.fail(key, f"must be an integer >= 1, not {value!r}")
        return value


def _witness(data: object, k: int, manifest: str, base: str) -> WitnessSpec:
    table = _Table(data, f"witness[{k}]", manifest, _WITNESS_KEYS)
    source = table.string("source", required=True)
    assert source is not None
    siglum = table.string("siglum")
    if siglum is not None and any(char.isspace() for char in siglum):
        raise table.fail("siglum", f"must not contain whitespace: {siglum!r}")
    raw_date = table.data.get("date")
    date: str | None
    if isinstance(raw_date, datetime.date) and not isinstance(raw_date, datetime.datetime):
        date = raw_date.isoformat()  # an unquoted TOML date
    else:
        date = table.string("date")
        if date is not None and not _is_iso_date(date):
            raise table.fail(
                "date", f"{date!r} is not an ISO 8601 date (YYYY, YYYY-MM or YYYY-MM-DD)"
            )
    lines = table.data.get("lines")
    line_range: tuple[int, int] | None = None
    if lines is not None:
        valid = (
            isinstance(lines, list)
            and len(lines) == 2
            and all(isinstance(n, int) and not isinstance(n, bool) for n in lines)
            and 1 <= lines[0] <= lines[1]
        )
        if not valid:
            raise table.fail(
                "lines", f"must be [first, last] with 1 <= first <= last, not {lines!r}"
            )
        line_range = (lines[0], lines[1])
    start, end = table.string("start"), table.string("end")
    if line_range is not None and (start is not None or end is not None):
        raise table.fail("lines", "cannot be combined with 'start' or 'end'")
    marks = table.data.get("mark", [])
    if not isinstance(marks, list):
        raise table.fail("mark", "must be an array of tables ([[witness.mark]])")
    convention = table.string("convention")
    if convention is not None:
        if convention.endswith(".toml"):
            # a convention file is found beside the manifest, like the sources
            convention = os.path.normpath(os.path.join(base, convention))
        elif convention not in PRESETS:
            raise table.fail(
                "convention",
                f"unknown convention {convention!r}; presets: {', '.join(PRESETS)} "
                "(or a path ending in .toml)",
            )
    return WitnessSpec(
        source=source,
        path=os.path.normpath(os.path.join(base, source)),
        siglum=siglum,
        label=table.string("label"),
        date=date,
        document=table.integer("document"),
        lines=line_range,
        start=start,
        end=end,
        convention=convention,
        marks=tuple(_mark(mark, k, j, manifest) for j, mark in enumerate(marks, 1)),
        title=table.string("title"),
        sender=table.string("sender"),
        recipient=table.string("recipient"),
        citation=table.string("citation"),
    )


def _mark(data: object, k: int, j: int, manifest: str) -> MarkOverride:
    where = f"witness[{k}].mark[{j}]"
    table = _Table(data, where, manifest, _MARK_KEYS)
    line = table.integer("line", required=True)
    column = table.integer("column", required=True)
    kind = table.string("kind", required=True)
    assert line is not None and column is not None and kind is not None
    if kind not in MARK_KINDS:
        raise table.fail(
            "kind",
            f"unknown kind {kind!r}{_did_you_mean(kind, MARK_KINDS)}; "
            f"valid kinds: {', '.join(MARK_KINDS)}",
        )
    return MarkOverride(
        line=line,
        column=column,
        kind=kind,
        label=table.string("label"),
        reason=table.string("reason"),
        origin=f"{manifest}:{where}",
    )


def _apply_manifest(
    text: str,
    path: str,
    detected: _Detected,
    manifest: str,
    entries: Sequence[tuple[int, WitnessSpec]],
) -> tuple[list[_Span], tuple[Document, ...], list[Diagnostic]]:
    """Documents exactly as the manifest *entries* for this source say, and their regions."""
    index = LineIndex.of(text)
    line_count = len(index.starts)
    documents: list[Document] = []
    rules: list[str] = []
    diagnostics: list[Diagnostic] = []
    used: dict[str, int] = {}
    stem, name = _stem(path) or "A", os.path.basename(path)
    for position, (k, spec) in enumerate(entries):
        where = f"witness[{k}]"

        def fail(key: str, message: str, where: str = where) -> ManifestError:
            return ManifestError(f"{where}.{key}: {message}", path=manifest)

        base: Document | None = None
        if spec.document is not None:
            count = len(detected.documents)
            if spec.document > count:
                raise fail(
                    "document",
                    f"{spec.document} is out of range: {path} has {count} auto-detected "
                    f"document{'s' if count != 1 else ''}",
                )
            base = detected.documents[spec.document - 1]
        lo, hi = (base.start, base.end) if base is not None else (0, len(text))
        if spec.lines is not None:
            first, last = spec.lines
            if last > line_count:
                raise fail(
                    "lines", f"{list(spec.lines)} is out of range: {path} has {line_count} lines"
                )
            start, end = index.starts[first - 1], index.line_bounds(last, len(text))[1]
            rule = "manifest-lines"
        elif spec.start is not None or spec.end is not None:
            start, end = lo, hi
            scope = f"document {spec.document} of {path}" if base is not None else path
            if spec.start is not None:
                start = text.find(spec.start, lo, hi)
                if start < 0:
                    raise fail("start", f"marker {spec.start!r} not found in {scope}")
            if spec.end is not None:
                found = text.find(spec.end, start, hi)
                if found < 0:
                    raise fail("end", f"marker {spec.end!r} not found after the start in {scope}")
                end = found + len(spec.end)
            rule = "manifest-markers"
        elif base is not None:
            start, end, rule = base.body_start, base.body_end, "manifest-document"
        else:
            start, end, rule = 0, len(text), "manifest-whole-file"
        start, end = _trim(text, start, end)
        if start >= end:
            start = end = min(start, len(text))
            diagnostics.append(
                Diagnostic(
                    Severity.WARNING,
                    "empty-body",
                    f"manifest {where} selects no text of {path}",
                    path,
                    *index.position(start),
                    start,
                )
            )
        extent = (min(base.start, start), max(base.end, end)) if base else (start, end)
        for other, (j, _) in zip(documents, entries, strict=False):
            if extent[0] < other.end and other.start < extent[1]:
                raise ManifestError(
                    f"{where}: its text overlaps that of witness[{j}] in {path}", path=manifest
                )
        for j, mark in enumerate(spec.marks, 1):
            _check_mark(text, index, mark, (start, end), fail, f"{where}.mark[{j}]")
        metadata = base.metadata if base is not None else Metadata()
        changes = {
            key: value
            for key in ("title", "sender", "recipient", "citation")
            if (value := getattr(spec, key)) is not None
        }
        if spec.date is not None:
            changes.update(date=spec.date, date_text=spec.date)
        metadata = attrs.evolve(metadata, **changes)
        siglum = spec.siglum
        if siglum is None:
            default = base.siglum if base is not None else stem
            used[default] = used.get(default, 0) + 1
            siglum = default if used[default] == 1 else f"{default}{used[default]}"
        documents.append(
            Document(
                index=position,
                siglum=siglum,
                label=spec.label or spec.title or (base.label if base else None) or name,
                metadata=metadata,
                start=extent[0],
                end=extent[1],
                body_start=start,
                body_end=end,
                header=base.header if base is not None else "",
                convention=spec.convention,
                overrides=spec.marks,
            )
        )
        rules.append(rule)
    return _overlay(text, detected.spans, documents, rules), tuple(documents), diagnostics


def _check_mark(
    text: str,
    index: LineIndex,
    mark: MarkOverride,
    body: tuple[int, int],
    fail: Any,
    where: str,
) -> None:
    """Raise unless *mark* points at a non-alphanumeric character inside *body*."""
    line_count = len(index.starts)
    if mark.line > line_count:
        raise fail("line", f"{mark.line} is beyond the last line ({line_count})", where)
    line_start = index.starts[mark.line - 1]
    found = _LINE_BREAK.search(text, line_start)
    line_end = found.start() if found else len(text)
    if mark.column > line_end - line_start:
        raise fail(
            "column",
            f"{mark.column} is beyond the end of line {mark.line} "
            f"({line_end - line_start} characters)",
            where,
        )
    offset = line_start + mark.column - 1
    if not body[0] <= offset < body[1]:
        raise fail("line", f"{mark.line}:{mark.column} is outside the witness's body", where)
    char = text[offset]
    if char.isalnum() or char.isspace():
        raise fail(
            "column",
            f"no markup delimiter at {mark.line}:{mark.column} (found {char!r})",
            where,
        )


def _overlay(
    text: str, spans: Sequence[_Span], documents: Sequence[Document], rules: Sequence[str]
) -> list[_Span]:
    """Auto-detected spans cut to the manifest's documents, with the manifest's bodies."""
    bounds = sorted({b for d in documents for b in (d.start, d.end, d.body_start, d.body_end)})
    bodies = [(d.body_start, d.body_end) for d in documents if d.body_start < d.body_end]
    out: list[_Span] = []
    for span in spans:
        points = [span.start, *(b for b in bounds if span.start < b < span.end), span.end]
        for lo, hi in itertools.pairwise(points):
            if any(start <= lo and hi <= end for start, end in bodies):
                continue
            lo, hi = _trim(text, lo, hi)
            if lo >= hi:
                continue
            kind, rule = span.kind, span.rule
            if kind is RegionKind.BODY:
                kind, rule = RegionKind.CHROME, "outside-manifest-body"
            out.append(attrs.evolve(span, kind=kind, rule=rule, start=lo, end=hi))
    for document, rule in zip(documents, rules, strict=True):
        if document.body_start < document.body_end:
            out.append(
                _Span(RegionKind.BODY, document.body_start, document.body_end, rule, document.index)
            )
    return out
