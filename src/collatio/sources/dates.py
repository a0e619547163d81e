"""Dates as archives write them, read into ISO 8601."""

from __future__ import annotations

import datetime
import re
from typing import Final

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
