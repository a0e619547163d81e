"""Facts gathered from a document's regions, folded into its :class:`Metadata`."""

from __future__ import annotations

import re
from collections.abc import Iterable

from collatio.sources.dates import parse_date
from collatio.sources.model import Metadata, RegionKind
from collatio.sources.regions import Facts, _Span
from collatio.sources.rules import _clean, _Label, _parties, _plain, _quoted_citation


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
