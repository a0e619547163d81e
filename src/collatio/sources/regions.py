"""Classified spans of a file and the regions that tile it."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import attrs

from collatio.sources.model import Document, Region, RegionKind
from collatio.textpos import LineIndex


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


def _tile(text: str, spans: Sequence[_Span], documents: Sequence[Document]) -> tuple[Region, ...]:
    """Regions tiling *text*: the spans, and BLANK regions for the whitespace between them.

    A region belongs to the innermost document whose extent holds it; gaps are cut at
    extent bounds.
    """
    index = LineIndex.of(text)
    extents = [(d.start, d.end, d.index) for d in documents if d.start < d.end]
    cuts = sorted({bound for start, end, _ in extents for bound in (start, end)})
    regions: list[Region] = []

    def owner(start: int, end: int) -> int | None:
        # the innermost document: a quoted document lies inside the one quoting it
        holding = [(hi - lo, k) for lo, hi, k in extents if lo <= start and end <= hi]
        return min(holding)[1] if holding else None

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


def _overlay(
    text: str, spans: Sequence[_Span], documents: Sequence[Document], rules: Sequence[str]
) -> list[_Span]:
    """Auto-detected spans cut to the manifest's documents, with the manifest's bodies."""
    bounds = sorted({b for d in documents for b in (d.start, d.end, d.body_start, d.body_end)})
    bodies = [(d.body_start, d.body_end) for d in documents if d.body_start < d.body_end]
    # a document the manifest takes whole keeps the furniture found inside its body
    # (address, date and dispatch lines: set aside from its text as without a manifest)
    whole = [d for d, rule in zip(documents, rules, strict=True)
             if rule == "manifest-document" and d.body_start < d.body_end]
    out: list[_Span] = []
    for span in spans:
        if span.kind not in (RegionKind.BODY, RegionKind.BLANK):
            owner = next((d for d in whole
                          if d.body_start <= span.start and span.end <= d.body_end), None)
            if owner is not None:
                out.append(attrs.evolve(span, document=owner.index))
                continue
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
            # the body around its furniture, as auto-detection cuts it
            kept = sorted((f.start, f.end) for f in out
                          if f.document == document.index and f.kind is not RegionKind.BODY
                          and document.body_start <= f.start and f.end <= document.body_end)
            position = document.body_start
            for lo, hi in [*kept, (document.body_end, document.body_end)]:
                a, b = _trim(text, position, lo)
                if a < b:
                    out.append(_Span(RegionKind.BODY, a, b, rule, document.index))
                position = max(position, hi)
    return out
