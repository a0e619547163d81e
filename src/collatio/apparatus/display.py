"""Notebook displays of the apparatus model (``_repr_html_``): the apparatus, one unit, and
the report of what became of the hand revisions. Readings the document's hand added or
deleted are marked (``<ins>``, ``<del>``, with who did it), and a unit where the base text is
lacunose says so instead of showing an empty lemma.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from collatio._display import count, fragment, sigla, table
from collatio.apparatus.model import (
    HAND_LABELS,
    Apparatus,
    Reading,
    RevisionFate,
    VariationUnit,
)
from collatio.markup.tree import SpanKind

_TAG = {"add": "ins", "del": "del"}


def reading_html(reading: Reading, *, lemma: bool = False) -> str:
    """A reading: its text (``om.`` when empty), ``]`` after a lemma, its sigla, and who
    added or deleted it by hand."""
    hands = [p.hand for p in reading.places if p.hand]
    tag = _TAG.get(hands[0]) if hands and len(set(hands)) == 1 else None
    text = escape(reading.text) if reading.text else "<i>om.</i>"
    if tag and reading.text:
        text = f"<{tag}>{text}</{tag}>"
    notes = "; ".join(f"{escape(p.siglum)} {HAND_LABELS[p.hand]}" for p in reading.places
                      if p.hand in HAND_LABELS)
    note = f' <span class="note">({notes})</span>' if notes else ""
    return f"{text}{' ]' if lemma else ''} {sigla(reading.witnesses)}{note}"


def _where(unit: VariationUnit) -> str:
    anchor = unit.lemma or unit.readings[0]
    place = anchor.places[0]
    return f"{escape(place.siglum)} ¶{place.paragraph} {place.line}:{place.column}"


def _row(unit: VariationUnit) -> list[str]:
    kind = unit.type.value + (" (minor)" if unit.minor else "")
    if unit.lemma is not None:
        lemma = reading_html(unit.lemma, lemma=True)
    elif unit.lacunose:
        lemma = f'<span class="lac">lacuna in {sigla(unit.lacunose)}</span>'
    else:  # a sub-unit between texts the base is not among (the draft's two states)
        lemma = '<span class="note">(no base reading)</span>'
    others = [reading_html(r) for r in unit.readings if r is not unit.lemma]
    if unit.lacunose and unit.lemma is not None:
        others.append(f'<span class="lac">lacuna in {sigla(unit.lacunose)}</span>')
    return [escape(unit.id), _where(unit), escape(kind), lemma,
            "".join(f"<div>{other}</div>" for other in others)]


HEADER = ("unit", "where", "type", "lemma", "other readings")


def apparatus_html(apparatus: Apparatus) -> str:
    kinds: dict[str, int] = {}
    for unit in apparatus.units:
        kinds[unit.type.value] = kinds.get(unit.type.value, 0) + 1
    summary = ", ".join(f"{n} {k}" for k, n in kinds.items()) or "no differences"
    witnesses = table(
        ("siglum", "text", "date", "source"),
        ([sigla([w.siglum]), escape(w.label) + (f" <i>({escape(w.state)})</i>"
                                                if w.state != "text" else ""),
          escape(w.date or ""), escape(w.path)] for w in apparatus.witnesses),
    )
    every = list(apparatus.all_units())  # sub-units (u4.1) follow their unit
    units = table(HEADER, (_row(u) for u in every), len(every))
    parts = [witnesses, units]
    if apparatus.revisions:
        parts.append(f"<div>{count(len(apparatus.revisions), 'hand revision')}: "
                     "<code>apparatus.revisions</code> shows what became of each</div>")
    if apparatus.diagnostics:
        parts.append(f"<div>{count(len(apparatus.diagnostics), 'diagnostic')}</div>")
    title = (f"Apparatus: {count(len(apparatus.witnesses), 'text')}, base {apparatus.base}, "
             f"{count(len(apparatus.units), 'variation unit')} ({summary})")
    return fragment(title, *parts)


def unit_html(unit: VariationUnit) -> str:
    places = table(
        ("witness", "reading", "paragraph", "line:column", "words", "hand"),
        ([sigla([p.siglum]), escape(r.text) if r.text else "<i>om.</i>", str(p.paragraph),
          f"{p.line}:{p.column}", f"{p.words[0] + 1}-{p.words[1]}" if p.words[1] > p.words[0]
          else f"after {p.words[0]}", escape(HAND_LABELS.get(p.hand or "", ""))]
         for r in unit.readings for p in r.places),
    )
    lacunose = (f'<div class="lac">lacuna in {sigla(unit.lacunose)}</div>'
                if unit.lacunose else "")
    return fragment(f"Variation unit {unit.id}: {unit.type.value}"
                    f"{' (minor)' if unit.minor else ''}",
                    table(HEADER, [_row(u) for u in unit.walk()]), places, lacunose)


def revisions_html(fates: Sequence[RevisionFate]) -> str:
    if not fates:
        return fragment("No hand revisions")
    rows = []
    for f in fates:
        tag = "ins" if f.kind is SpanKind.ADD else "del"
        share = f"{f.found}/{f.words}" if f.words else ""
        rows.append([escape(f.witness), f"{f.line}:{f.column}",
                     "insertion" if f.kind is SpanKind.ADD else "deletion",
                     f"<{tag}>{escape(f.text)}</{tag}>", escape(f.fate.value), share,
                     escape(", ".join(f.units)), escape(f.reached)])
    witnesses = ", ".join(dict.fromkeys(f.witness for f in fates))
    return fragment(
        f"Hand revisions of {witnesses} and what became of them in {fates[0].target}",
        table(("witness", "line:column", "kind", "revision", "fate", "words found", "units",
               f"{fates[0].target} reads"), rows, len(fates)),
    )
