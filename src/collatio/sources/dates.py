"""Dates as archives write them, read into ISO 8601.

Month names are data (:data:`MONTH_NAMES`): English, German, French, Italian, Spanish and
Russian (nominative and genitive, as dates write them), with the usual abbreviations.
Numeric dates are day first (``27.8.1951``, ``5. 10. 1950``), as the archives' languages
write them; ISO dates (``1950-10-05``) are read as such.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Mapping
from typing import Final

#: Month names by language, lower-case; each name is also read abbreviated to its first
#: three letters or more (``Sept.``, ``Okt.``, ``déc.``), except where that is ambiguous.
MONTH_NAMES: Final[Mapping[str, tuple[str, ...]]] = {
    "en": ("january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december"),
    "de": ("januar", "februar", "märz", "april", "mai", "juni", "juli", "august",
           "september", "oktober", "november", "dezember"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre"),
    "it": ("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto",
           "settembre", "ottobre", "novembre", "dicembre"),
    "es": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
           "septiembre", "octubre", "noviembre", "diciembre"),
    "ru": ("январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август",
           "сентябрь", "октябрь", "ноябрь", "декабрь"),
    "ru-genitive": ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
                    "сентября", "октября", "ноября", "декабря"),
}


def _month_table() -> dict[str, int]:
    table: dict[str, int] = {}
    clashes: set[str] = set()
    for names in MONTH_NAMES.values():
        for number, name in enumerate(names, 1):
            table.setdefault(name, number)
            for length in range(3, len(name)):
                short = name[:length]
                if table.get(short, number) != number:
                    clashes.add(short)
                table.setdefault(short, number)
    for short in clashes:  # "mar" is March in every language, "ma" nothing: drop clashes
        del table[short]
    table["sept"] = 9
    return table


_MONTHS: Final = _month_table()
# the longest names first, so that an abbreviation never cuts a name short
_MONTH: Final = (
    "(?i:" + "|".join(re.escape(name) for name in sorted(_MONTHS, key=len, reverse=True))
    + r")(?![^\W\d_])"
)
_DAY: Final = r"(?:[12][0-9]|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR: Final = r"[0-9]{4}"
# Full dates (day or month precision) as written in titles and date lines.
_DATE: Final = (
    rf"(?:{_DAY}\.?\s+(?:de\s+)?{_MONTH}\.?,?\s+(?:de\s+)?{_YEAR}(?:\s*(?:г\.|года))?"
    rf"|{_MONTH}\.?\s+{_DAY},?\s+{_YEAR}"
    rf"|{_DAY}\.\s?(?:1[0-2]|0?[1-9])\.\s?{_YEAR}"
    rf"|{_YEAR}-[0-9]{{2}}-[0-9]{{2}}"
    rf"|{_MONTH}\.?\s+{_YEAR})"
)


@functools.cache
def _date_forms() -> tuple[re.Pattern[str], ...]:
    """The date forms (compiled on first use: the month alternation costs 40 ms to
    compile, and most files are read without a date)."""
    return (
        re.compile(rf"(?P<d>[0-9]{{1,2}})(?:st|nd|rd|th)?\.?\s+(?:de\s+)?(?P<m>{_MONTH})\.?,?\s+"
                   rf"(?:de\s+)?(?P<y>{_YEAR})(?:\s*(?:г\.|года))?"),
        re.compile(rf"(?P<m>{_MONTH})\.?\s+(?P<d>[0-9]{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>{_YEAR})"),
        re.compile(rf"(?P<d>[0-9]{{1,2}})\.\s?(?P<m>[0-9]{{1,2}})\.\s?(?P<y>{_YEAR})"),
        re.compile(rf"(?P<y>{_YEAR})(?:-(?P<m>[0-9]{{2}})(?:-(?P<d>[0-9]{{2}}))?)?"),
        re.compile(rf"(?P<m>{_MONTH})\.?\s+(?P<y>{_YEAR})"),
    )


_A_YEAR: Final = re.compile(_YEAR)
#: A numeric date with a two-digit year (``15.7.52``), read only where the century is known.
_SHORT_YEAR: Final = re.compile(r"(?<![\d.])(?P<d>[0-9]{1,2})\.(?P<m>[0-9]{1,2})\.(?P<y>[0-9]{2})"
                                r"(?![\d.]\d)")


def _month_number(text: str) -> int:
    return int(text) if text.isdigit() else _MONTHS[text.lower().rstrip(".")]


def _date_parts(text: str) -> tuple[str, int] | None:
    """The ISO form of a date written in *text* and its precision (1 year .. 3 day)."""
    if _A_YEAR.search(text) is None:  # every form has its year (and most lines none)
        return None
    text = text.strip()
    for form in _date_forms():
        match = form.fullmatch(text)
        if match is None:
            continue
        return _iso(int(match["y"]), match["m"], match.groupdict().get("d"))
    return None


def _iso(year: int, month_text: str | None, day_text: str | None) -> tuple[str, int] | None:
    if month_text is None:
        return (f"{year:04d}", 1) if year >= 1 else None
    month = _month_number(month_text)
    try:
        datetime.date(year, month, int(day_text) if day_text else 1)
    except ValueError:
        return None
    if day_text is None:
        return f"{year:04d}-{month:02d}", 2
    return f"{year:04d}-{month:02d}-{int(day_text):02d}", 3


def parse_date(text: str) -> str | None:
    """The ISO 8601 form of a date as archives write it, or ``None``.

    >>> parse_date("5 October 1950"), parse_date("August 28, 1951"), parse_date("27.8.1951")
    ('1950-10-05', '1951-08-28', '1951-08-27')
    >>> parse_date("5. Oktober 1950"), parse_date("5 октября 1950")
    ('1950-10-05', '1950-10-05')
    >>> parse_date("5 de octubre de 1950"), parse_date("5 octobre 1950")
    ('1950-10-05', '1950-10-05')
    >>> parse_date("October 1950"), parse_date("1950"), parse_date("31 June 1950")
    ('1950-10', '1950', None)
    """
    parts = _date_parts(text)
    return parts[0] if parts else None


@functools.cache
def _find() -> re.Pattern[str]:
    return re.compile(_DATE)


def find_date(text: str, century: int | None = None) -> tuple[str, str] | None:
    """The last full date written in *text*: (as written, ISO). With *century* (``19``), a
    numeric date with a two-digit year (``15.7.52``) is read in it too.

    >>> find_date("KIM IL SUNG. 21:00 16 July 1952."), find_date("ZEDONG, 3:00, 15.7.52", 19)
    (('16 July 1952', '1952-07-16'), ('15.7.52', '1952-07-15'))
    """
    found: list[tuple[int, str, str]] = []
    for match in _find().finditer(text):
        parts = _date_parts(match.group())
        if parts is not None and parts[1] >= 2:
            found.append((match.start(), match.group(), parts[0]))
    if century is not None:
        for match in _SHORT_YEAR.finditer(text):
            parts = _iso(century * 100 + int(match["y"]), match["m"], match["d"])
            if parts is not None:
                found.append((match.start(), match.group(), parts[0]))
    if not found:
        return None
    _, written, iso = max(found)
    return written, iso


_ISO_DATE: Final = re.compile(r"[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?")


def _is_iso_date(value: str) -> bool:
    return _ISO_DATE.fullmatch(value) is not None and parse_date(value) == value
