"""The default rules' data and line classifiers: page chrome, field labels, titles, names."""

from __future__ import annotations

import functools
import re
import types
from collections.abc import Mapping
from typing import Final

import attrs

from collatio.sources.dates import _DATE, _date_parts

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
