"""From the cutter's plans to the apparatus's units: readings, places, sub-units, the base
text between the units, and one report unit per moved block.

A moved block (a transposition found by the aligner) stays in the readings around it: every
reading is a contiguous stretch of its witness, so the unit a block left shows it (its
:class:`~collatio.apparatus.model.Moved` markers name the transposition unit), and a
``transposition`` unit reports the block at each of its places. That unit is a report: its
readings repeat text the other units hold, so :meth:`Apparatus.witness_text` and the base
text leave it out; it stands right after the last unit that begins at or before the block's
place in the base (or in the first text that has it), with an empty piece of base text
before it.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from collatio.align import Alignment
from collatio.apparatus.grouping import Cutter, Piece, UnitPlan
from collatio.apparatus.model import Place, Reading, Run, UnitType, VariationUnit
from collatio.apparatus.places import PlaceMaker, surface
from collatio.apparatus.words import Groups
from collatio.tokens import TokenKind, TokenList

#: A moved block: per place (witness, token start, token end), the place it is anchored
#: at (index into places), and its position (a table column) for ordering.
Block = tuple[list[tuple[int, int, int]], int, int]


def _omits(reference: Reading, others: Sequence[Reading], readings: Sequence[Reading]) -> bool:
    """Whether every reading but the reference (and its minor variants) is empty."""
    if others:
        return all(r.is_empty for r in others)
    return not reference.is_empty and any(r.is_empty for r in readings)


class Assembler:
    """Makes the units of one collation from the cutter's plans."""

    def __init__(
        self,
        alignment: Alignment,
        token_lists: Sequence[TokenList],
        groups: Sequence[Groups],
        cutter: Cutter,
        places: PlaceMaker,
        sigla: Sequence[str],
        base: int,
    ) -> None:
        self.alignment = alignment
        self.token_lists = token_lists
        self.groups = groups
        self.cutter = cutter
        self.places = places
        self.sigla = sigla
        self.base = base

    # --- units -----------------------------------------------------------------------------------

    def unit(self, plan: UnitPlan, unit_id: str) -> VariationUnit:
        piece = plan.piece
        base = self.sigla[self.base]
        counter = itertools.count(1)
        readings: list[Reading] = []
        make = self.places.make
        piece_range = self.cutter.piece_range
        sigla_of = self.sigla
        for reading_plan in plan.readings:
            texts = reading_plan.texts
            first = texts[0]
            leaf = not reading_plan.subunits
            if len(texts) == 1:  # most readings: one text
                spans = [piece_range(first, piece)]
                sigla: tuple[str, ...] = (sigla_of[first],)
                places: tuple[Place, ...] = (make(first, *spans[0], marks=leaf),)
            else:
                spans = [piece_range(t, piece) for t in texts]
                sigla = tuple(map(sigla_of.__getitem__, texts))
                places = tuple([make(t, a, b, marks=leaf)
                                for t, (a, b) in zip(texts, spans, strict=True)])
            text = surface(self.token_lists[first], *spans[0])
            if leaf:
                readings.append(Reading(text, sigla, places))
                continue
            subunits = tuple(self.unit(sub, f"{unit_id}.{next(counter)}")
                             for sub in reading_plan.subunits)
            # the shared text as the base has it if it reads it (its spacing is the one
            # around its own readings), else as the first witness has it
            reference = self.base if self.base in texts else first
            inner = [piece_range(reference, sub.piece) for sub in reading_plan.subunits]
            flow, flow_runs = self.flow(reference, spans[texts.index(reference)], inner,
                                        trailing=False)
            readings.append(Reading(text, sigla, places, subunits, flow, flow_runs))
        return self.finish(unit_id, readings, piece, base)

    def finish(self, unit_id: str, readings: list[Reading], piece: Piece, base: str,
               kind: UnitType | None = None) -> VariationUnit:
        lemma: Reading | None = None
        for r in readings:
            if base in r.witnesses:
                lemma = r
                break
        if lemma is not None and lemma is not readings[0]:
            readings.remove(lemma)
            readings.insert(0, lemma)
        reference = lemma if lemma is not None else (readings[0] if readings else None)
        lacunose = tuple(map(self.sigla.__getitem__, piece.lacunose)) if piece.lacunose else ()
        minor_of = self.cutter.minor_of
        forms = {r.text: minor_of(r.text) for r in readings}
        if kind is None:
            # a reading that differs from the reference only in case, accents or
            # punctuation is no other reading for the type (it is a minor variant of it)
            same = forms[reference.text] if reference is not None else None
            others = [r for r in readings if r is not reference
                      and (not r.text or forms[r.text] != same)]
            if lacunose:
                kind = UnitType.LACUNA
            elif reference is not None and reference.is_empty:
                kind = UnitType.ADDITION
            elif reference is not None and _omits(reference, others, readings):
                kind = UnitType.OMISSION
            else:
                kind = UnitType.SUBSTITUTION
        minor = False
        if kind is not UnitType.TRANSPOSITION and (len(readings) > 1 or any(
                r.subunits for r in readings)):
            distinct: set[str] = set()
            for r in readings:  # a reading without sub-units is one text for all its witnesses
                if r.subunits:
                    distinct.update(map(r.text_of, r.witnesses))
                else:
                    distinct.add(r.text)
            minor = len(distinct) > 1 and len(
                {forms[t] if t in forms else minor_of(t) for t in distinct}) == 1
        columns = self.column_range(piece.columns)
        return VariationUnit(unit_id, kind, minor, lemma, tuple(readings), lacunose, columns)

    def column_range(self, columns: Sequence[int]) -> tuple[int, int]:
        """The table columns from the first word column's group starts to the end of the
        last word column's groups (for the record: a unit is its token ranges)."""
        return columns[0], columns[-1] + 1

    # --- the text between units ------------------------------------------------------------------

    def flow(
        self,
        t: int,
        outer: tuple[int, int],
        inner: Sequence[tuple[int, int]],
        *,
        trailing: bool,
    ) -> tuple[tuple[str, ...], tuple[tuple[Run, ...], ...]]:
        """Text *t*'s text in the token range *outer* around the token ranges *inner*
        (``len(inner) + 1`` pieces), exactly as its state has it: whitespace and paragraph
        breaks kept, the whitespace after a range opening the next piece; and the same
        pieces with the document's marks (empty when no piece has any). *trailing*: the
        last piece runs to the end of the text (else to *outer*'s last token)."""
        tl = self.token_lists[t]
        text, starts, surfaces = tl.text, tl.starts, tl.surfaces
        size = len(tl)

        kinds = tl.kinds

        def start_of(i: int) -> int:
            if i >= size:
                return len(text)
            if kinds[i] is TokenKind.GAP:
                # a gap has no text: it stands right after the word before it, and the
                # whitespace there (a paragraph break) follows it whole
                j = i - 1
                while j >= 0 and kinds[j] is TokenKind.GAP:
                    j -= 1
                return starts[j] + len(surfaces[j]) if j >= 0 else 0
            return starts[i]

        def end_of(i: int) -> int:
            if kinds[i] is TokenKind.GAP:
                return start_of(i)
            return starts[i] + len(surfaces[i])

        bounds: list[tuple[int, int]] = []
        a = start_of(outer[0]) if not trailing else 0
        for s, e in inner:
            b = start_of(s)
            bounds.append((a, max(a, b)))
            a = max(a, end_of(e - 1) if e > s else b)
        last = len(text) if trailing else (end_of(outer[1] - 1) if outer[1] > outer[0] else a)
        bounds.append((a, max(a, last)))
        pieces = tuple(text[a:b] for a, b in bounds)
        if self.places.marks[t] is None:
            return pieces, ()  # an unmarked text: no runs
        runs = [self.places.stretch(t, a, b) for a, b in bounds]
        if not any(runs):
            return pieces, ()
        return pieces, tuple(r if r else ((Run(p),) if p else ())
                             for r, p in zip(runs, pieces, strict=True))

    def base_flow(self, ranges: Sequence[tuple[int, int] | None]) -> tuple[
            tuple[str, ...], tuple[tuple[Run, ...], ...]]:
        """The base text around the top-level units; *ranges* are the base's token ranges
        of the units (None for a report unit, which takes no base text)."""
        b = self.base
        size = len(self.token_lists[b])
        inner: list[tuple[int, int]] = []
        cursor = 0
        for r in ranges:
            if r is None:
                inner.append((cursor, cursor))
                continue
            inner.append(r)
            cursor = r[1]
        return self.flow(b, (0, size), inner, trailing=True)


def token_ranges_of(unit: VariationUnit) -> dict[str, tuple[int, int]]:
    """Each witness's token range in *unit*."""
    return {place.siglum: place.tokens for r in unit.readings for place in r.places}
