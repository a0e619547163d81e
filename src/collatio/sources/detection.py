"""Detection: the default rules applied to a file's lines (``docs/sources.md``)."""

from __future__ import annotations

import bisect
import os
import re
from collections.abc import Sequence
from typing import NamedTuple

import attrs

from collatio.diagnostics import Diagnostic, Severity
from collatio.sources.dates import parse_date
from collatio.sources.files import STDIN, _stem
from collatio.sources.furniture import Line, embedded, embedded_facts, furniture
from collatio.sources.metadata import _citation_facts, _headnote, _metadata, _value_span
from collatio.sources.model import Document, RegionKind
from collatio.sources.regions import Facts, _Span, _trim
from collatio.sources.rules import (
    _BULLETS,
    _DIGIT,
    _HEAD_WINDOW,
    _ITALIC_PARAGRAPH,
    _LINE_BREAK,
    _PAREN_MAX_LINES,
    _RESIDUE_MAX_CHARS,
    _TITLE_MAX_WORDS,
    _citation_rule,
    _clean,
    _date_line,
    _dated_title,
    _field_label,
    _is_chrome,
    _is_label,
    _is_prose,
    _Label,
    _names_correspondence,
    _title_like,
    _unbold,
)
from collatio.textpos import LineIndex


class _Unit(NamedTuple):
    """A non-blank line: ``text[start:end]`` without surrounding whitespace.

    A named tuple rather than an attrs class: a file has one per line (150,000 in a
    million-word text), and a tuple is made several times faster.
    """

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


def _text_runs(lines: Sequence[Line], aside: Sequence[_Span]) -> list[tuple[int, int]]:
    """The extents of the runs of *lines* that no span of *aside* covers."""
    taken = {(span.start, span.end) for span in aside}
    runs: list[tuple[int, int]] = []
    current: tuple[int, int] | None = None
    for line in lines:
        if any(a <= line.start and line.end <= b for a, b in taken):
            if current is not None:
                runs.append(current)
                current = None
            continue
        current = (current[0] if current else line.start, line.end)
    if current is not None:
        runs.append(current)
    return runs


@attrs.frozen(slots=True)
class _Detected:
    spans: tuple[_Span, ...]
    documents: tuple[Document, ...]
    diagnostics: tuple[Diagnostic, ...]


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
        titles = [i for i in self._with_digits(trailer) if self._dated_title(units[i]) is not None]
        count = max(1, len(titles))
        # Page matter belongs to the document when there is only one.
        page_doc = 0 if count == 1 else None
        bodies: list[tuple[int, int]] = []
        plain_file = False
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
            plain_file = plain
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
        parents: dict[int, tuple[int, int]] = {}
        if not (not titles and plain_file):
            count = self._furniture(bodies, parents)
        documents = self._documents(count, bodies, split=len(titles) > 1)
        for k, (parent, m) in parents.items():
            outer, own = documents[parent], documents[k]
            documents = (*documents[:k], attrs.evolve(
                own, siglum=f"{outer.siglum}.{m}",
                label=own.metadata.title or f"{outer.label}, quoted message {m}"),
                *documents[k + 1:])
        return _Detected(
            tuple(sorted(self.spans, key=lambda s: s.start)),
            documents,
            tuple(sorted(self.diagnostics, key=lambda d: d.offset or 0)),
        )

    # -- furniture inside bodies, quoted documents

    def _body_lines(self, start: int, end: int) -> list[Line]:
        lines = []
        for unit in self.units:
            if unit.end <= start or unit.start >= end:
                continue
            lo, hi = max(unit.start, start), min(unit.end, end)
            lo, hi = _trim(self.text, lo, hi)
            if lo < hi:
                lines.append(Line(lo, hi, self.text[lo:hi]))
        return lines

    def _century(self, k: int) -> int | None:
        for span in self.spans:
            if span.document in (k, None):
                for key, value in span.facts:
                    if key in ("date", "date_fallback") and len(value) >= 4:
                        return int(value[:2])
        return None

    def _furniture(self, bodies: list[tuple[int, int]], parents: dict[int, tuple[int, int]]
                   ) -> int:
        """Mark each body's head and tail furniture and make its quoted messages documents
        of their own (``collatio.sources.furniture``); the new document count.

        Bodies keep their extent (their marks are read as before); the furniture lines and
        the quoted documents inside become regions of their own, which the witness stage
        sets aside from the collated text."""
        count = len(bodies)
        for k in range(count):
            start, end = bodies[k]
            lines = self._body_lines(start, end)
            if len(lines) < 2:
                continue
            found, first, stop = furniture(lines, k)
            quoted = [(i, j) for i, j in embedded(lines) if first <= i and j < stop]
            if not found and not quoted:
                continue
            body = [s for s in self.spans if s.document == k and s.kind is RegionKind.BODY]
            rule = body[0].rule if body else "page-body"
            self.spans = [s for s in self.spans if s not in body]
            self.spans.extend(found)
            position = first
            for m, (i, j) in enumerate(quoted, 1):
                if i > position:
                    self.spans.append(_Span(RegionKind.BODY, lines[position].start,
                                            lines[i - 1].end, rule, k))
                own = len(bodies)
                parents[own] = (k, m)
                inner = lines[i : j + 1]
                heading, _, _ = furniture(inner, own)
                self.spans.extend(heading)
                facts = embedded_facts(inner, self._century(k))
                for a, b in _text_runs(inner, heading):
                    self.spans.append(_Span(RegionKind.BODY, a, b, "quoted-document", own,
                                            facts))
                    facts = ()
                bodies.append((inner[0].start, inner[-1].end))
                position = j + 1
            if position < stop:
                self.spans.append(_Span(RegionKind.BODY, lines[position].start,
                                        lines[stop - 1].end, rule, k))
        return len(bodies)

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

    def _with_digits(self, stop: int) -> list[int]:
        """The indexes below *stop* of the units holding a digit (every date has its year:
        the other lines need no try). Found by ``str.find`` per digit, at memchr speed: a
        regex scan of a million words costs 0.15 s, as much as trying every line."""
        end = self.units[stop - 1].end if stop else 0
        starts = [unit.start for unit in self.units[:stop]]
        found: set[int] = set()
        for digit in "0123456789":
            at = self.text.find(digit, 0, end)
            while at >= 0:
                found.add(bisect.bisect_right(starts, at) - 1)  # a digit stands in a unit
                at = self.text.find(digit, at + 1, end)
        return sorted(found)

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
        stem = _stem(self.path) if self.path not in ("<input>", STDIN) else "A"
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
