"""What the HTML edition's reading views show, built from the apparatus model alone.

* :func:`witness_paragraphs`: one collated text in full, in its own order and paragraphs,
  cut into shared text and :class:`Seg` pieces (a unit's reading, an omission point, a
  lacuna mark at the place of the source's ``[...]``). The side-by-side columns and the base
  text (the heat map) are drawn from it.
* :func:`unit_stats`: per unit, how many texts differ from each witness's reading, and the
  heat level that shades it.
* :func:`histogram`: the variation density along the base text, in bins.

Positions come from the model: the witness's token list (``Apparatus.tokens``: its text,
token offsets, paragraphs and editorial gaps) and each unit's :class:`Place` token ranges.
Nothing is aligned or read again here. An apparatus read back from a file has no tokens;
its texts are then rebuilt from the flow and the readings, with the base's paragraphs.

Cost: linear in the tokens and units (a bisection per paragraph break and per gap, a
constant amount of work per unit and witness).
"""

from __future__ import annotations

import bisect
import itertools
import math
import operator
import re
from collections.abc import Sequence

import attrs

from collatio.apparatus.model import (
    NO_SPACE_AFTER,
    NO_SPACE_BEFORE,
    Apparatus,
    Reading,
    UnitType,
    VariationUnit,
)
from collatio.tokens import TokenList

__all__ = [
    "HEAT_LEVELS",
    "Bin",
    "Seg",
    "UnitStats",
    "heat_legend",
    "histogram",
    "unit_stats",
    "witness_paragraphs",
]

#: Shades of the heat map: level 1 (few texts differ) to HEAT_LEVELS (all do).
HEAT_LEVELS = 5
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)*")
_SPACE = re.compile(r"\s+")


@attrs.frozen(slots=True)
class Seg:
    """A unit's piece of one witness's text.

    ``kind`` is ``reading`` (the witness's words in the unit), ``empty`` (the witness
    reads nothing there: the point where others have words), ``moved`` (a point at the
    start of a moved block, for the transposition unit that reports it), ``lacuna`` (the witness is
    lacunose: the mark stands where its source has the gap, or where the gap would be) or
    ``gap`` (a gap of the source that no unit accounts for). ``units`` are indices into
    ``Apparatus.units`` (consecutive; several for one lacuna mark, none for ``gap``). A
    reading cut by a paragraph break is several pieces: ``first`` and ``last`` say which
    ends of the reading a piece holds.
    """

    kind: str
    text: str
    units: tuple[int, ...]
    first: bool = True
    last: bool = True
    #: the sub-unit (``u4.1``) whose reading this piece is, inside a reading with sub-units
    #: (``""``: the unit's own reading, or the stretch such a reading shares between them)
    sub: str = ""
    #: where the piece stands inside its unit, 0 to 1, the same in every text (the unit's
    #: sub-units in order: the side-by-side columns keep them level)
    order: float = 0.0


Paragraphs = tuple[tuple[str | Seg, ...], ...]


@attrs.frozen(slots=True)
class UnitStats:
    """How one unit reads across the collation: ``differ[s]`` is the number of texts whose
    reading is not witness *s*'s (lacunose texts not counted; None where *s* is lacunose),
    ``lacunose`` how many are lacunose, ``reference`` the reading others are compared with
    in the side-by-side view (the base's; where the base is lacunose, the one most texts
    share, or None if no one reading is shared most)."""

    differ: dict[str, int | None]
    lacunose: int
    reference: Reading | None

    def state(self, unit: VariationUnit, siglum: str) -> str:
        """``differ`` where *siglum*'s reading is not the reference, else ``agree``;
        ``lacunose`` where it has none."""
        reading = unit.reading_of(siglum)
        if reading is None:
            return "lacunose"
        return "agree" if reading is self.reference else "differ"


def unit_stats(apparatus: Apparatus) -> list[UnitStats]:
    """One :class:`UnitStats` per unit, in order (cost: readings x witnesses per unit)."""
    out: list[UnitStats] = []
    for unit in apparatus.units:
        total = sum(len(r.witnesses) for r in unit.readings)
        differ: dict[str, int | None] = {s: None for s in unit.lacunose}
        for reading in unit.readings:
            others = total - len(reading.witnesses)
            for siglum in reading.witnesses:
                differ[siglum] = others
        reference = unit.lemma or _most_shared(unit.readings)
        out.append(UnitStats(differ, len(unit.lacunose), reference))
    return out


def _most_shared(readings: Sequence[Reading]) -> Reading | None:
    """The reading most texts share, if one does (None on a tie)."""
    ranked = sorted(readings, key=lambda r: len(r.witnesses), reverse=True)
    if not ranked or (len(ranked) > 1 and len(ranked[0].witnesses) == len(ranked[1].witnesses)):
        return None
    return ranked[0]


def heat_level(differ: int | None, others: int) -> int:
    """The shade of a reading that *differ* of the *others* texts do not share: 0 for none,
    else 1..HEAT_LEVELS in proportion (every level used when there are few texts)."""
    if not differ or others <= 0:
        return 0
    return max(1, min(HEAT_LEVELS, math.ceil(HEAT_LEVELS * differ / others)))


def heat_legend(others: int) -> tuple[tuple[int, str], ...]:
    """The levels a collation of ``others + 1`` texts can show, each with what it means
    (``2 texts differ``, ``3–4 texts differ``)."""
    if others <= 0:
        return ()
    counts: dict[int, list[int]] = {}
    for n in range(1, others + 1):
        counts.setdefault(heat_level(n, others), []).append(n)
    legend = []
    for level, ns in sorted(counts.items()):
        low, high = ns[0], ns[-1]
        many = "text differs" if high == 1 else "texts differ"
        legend.append((level, f"{low} {many}" if low == high else f"{low}–{high} {many}"))
    return tuple(legend)


# --- one witness's text ---------------------------------------------------------------------


def witness_paragraphs(apparatus: Apparatus, siglum: str, subunits: bool = True
                       ) -> Paragraphs:
    """*siglum*'s whole text as paragraphs of shared text and :class:`Seg` pieces.

    Reading the pieces in order gives the witness's text (with its own spacing when the
    apparatus has tokens; the gap marks excepted). Every unit the witness takes part in
    has a piece: its reading, an ``empty`` point, or a ``lacuna`` mark; with *subunits* (the
    side-by-side view), a reading with sub-units is pieces too, one per sub-unit
    (``Seg.sub``) and the stretches between them, and a transposition unit a ``moved`` point.
    """
    if apparatus.tokens is not None and siglum in apparatus.sigla:
        return _from_tokens(apparatus, siglum, apparatus.token_list(siglum), subunits)
    return _from_flow(apparatus, siglum)


@attrs.frozen(slots=True)
class _Item:
    """A stretch of the witness's tokens ``[start, end)`` (a point where equal) with what
    it is; ``kind`` ``text`` for shared text."""

    start: int
    end: int
    kind: str
    units: tuple[int, ...] = ()
    sub: str = ""
    order: float = 0.0


def _reading_items(unit: VariationUnit, reading: Reading, siglum: str, k: int
                   ) -> list[_Item]:
    """A reading with sub-units as pieces: each sub-unit's reading (or point) in it, and the
    stretches between them that the reading's texts share (depth first, in token order),
    each with its :attr:`Seg.order` (from the sub-units' order in *unit*)."""
    out: list[_Item] = []
    ordinals = {sub.id: i for i, sub in enumerate(unit.walk())}
    share = 1 / len(ordinals)
    last = [0.0]  # the order of the last sub-unit placed, for the stretch after it

    def between(start: int, end: int, label: str) -> None:
        out.append(_Item(start, end, "reading", (k,), label, last[0] + share / 2
                         if last[0] else 0.0))

    def walk(current: Reading, label: str, position: int) -> int:
        for sub in current.subunits:
            mine = sub.reading_of(siglum)
            if mine is None:
                continue
            start, end = mine.place(siglum).tokens
            if start > position:
                between(position, start, label)
                position = start
            order = ordinals[sub.id] * share
            if mine.subunits:
                last[0] = order
                position = walk(mine, sub.id, position)
                if end > position:
                    between(position, end, sub.id)
            else:
                out.append(_Item(start, end, "reading" if end > start else "empty", (k,),
                                 sub.id, order))
            last[0] = order
            position = max(position, end)
        return position

    start, end = reading.place(siglum).tokens
    position = walk(reading, "", start)
    if end > position:
        between(position, end, "")
    return out


def _items(apparatus: Apparatus, siglum: str, tokens: TokenList, subunits: bool = True
           ) -> list[_Item]:
    """The units' stretches and points of one witness, in its token order, gaps placed."""
    spans: list[_Item] = []
    moves: list[_Item] = []  # points inside other stretches, never dropped
    lacunose: list[tuple[int, int]] = []  # (unit index, token position after the unit before)
    after = 0  # where the last unit placed in base order ended in this witness
    for k, unit in enumerate(apparatus.units):
        reading = unit.reading_of(siglum)
        if reading is None:
            if siglum in unit.lacunose:
                lacunose.append((k, after))
            continue
        start, end = reading.place(siglum).tokens
        if subunits and reading.subunits:  # the draft's revisions in the final's lacuna
            spans.extend(_reading_items(unit, reading, siglum, k))
        elif subunits and unit.type is UnitType.TRANSPOSITION:
            # the report of a moved block: its words are in the units where each text has
            # them; a mark at the block's start leads to the report
            moves.append(_Item(start, start, "moved", (k,)))
        else:
            spans.append(_Item(start, end, "reading" if end > start else "empty", (k,)))
        if unit.type is not UnitType.TRANSPOSITION:
            after = max(after, end)
    spans.sort(key=lambda item: (item.start, item.end))
    kept: list[_Item] = []
    for item in spans:  # stretches never overlap in a well-formed apparatus: keep it so
        if kept and item.start < kept[-1].end:
            continue
        kept.append(item)
    # each lacunose unit goes to the first gap of the witness at or after its place
    gaps = sorted(tokens.gap_spans)
    starts = [item.start for item in kept]
    marks: dict[int, list[int]] = {}  # token position (gap or point) -> lacunose units
    gap_units: dict[int, list[int]] = {}
    for k, position in lacunose:
        g = bisect.bisect_left(gaps, position)
        limit = bisect.bisect_left(starts, position)
        next_start = starts[limit] if limit < len(starts) else len(tokens)
        if g < len(gaps) and gaps[g] < next_start:
            gap_units.setdefault(gaps[g], []).append(k)
        else:
            marks.setdefault(position, []).append(k)
    points = [_Item(p, p, "lacuna", tuple(ks)) for p, ks in marks.items()]
    gap_items = [
        _Item(g, g + 1, "lacuna" if g in gap_units else "gap", tuple(gap_units.get(g, ())))
        for g in gaps if not _inside(kept, starts, g)
    ]
    return sorted([*kept, *points, *gap_items, *moves],
                  key=lambda item: (item.start, item.end > item.start, item.end))


def _inside(items: Sequence[_Item], starts: Sequence[int], position: int) -> bool:
    """Whether *position* is a token of one of the sorted, disjoint *items*."""
    i = bisect.bisect_right(starts, position) - 1
    return i >= 0 and items[i].start <= position < items[i].end


class _Out:
    """Paragraphs being written: text and pieces, a paragraph break or a space pending."""

    def __init__(self) -> None:
        self.paragraphs: list[list[str | Seg]] = [[]]
        self.pending = ""
        self.broken = False

    def flush(self) -> None:
        if self.broken:
            self.paragraphs.append([])
        elif self.pending:
            self.text(self.pending)
        self.pending, self.broken = "", False

    def text(self, text: str) -> None:
        """Shared text, each stretch of whitespace one space (as the model folds readings:
        line ends, and the control characters that Python counts as spaces, go)."""
        text = _SPACE.sub(" ", text)
        if not text:
            return
        current = self.paragraphs[-1]
        if current and isinstance(current[-1], str):
            current[-1] += text
        else:
            current.append(text)

    def seg(self, seg: Seg) -> None:
        self.paragraphs[-1].append(seg)

    def done(self) -> Paragraphs:
        return tuple(tuple(p) for p in self.paragraphs if any(_has_text(x) for x in p))


def _has_text(item: str | Seg) -> bool:
    return not isinstance(item, str) or bool(item.strip())


def _from_tokens(apparatus: Apparatus, siglum: str, tokens: TokenList,
                 subunits: bool = True) -> Paragraphs:
    n = len(tokens)
    text, starts, surfaces, spaces = tokens.text, tokens.starts, tokens.surfaces, tokens.spaces
    paragraphs = tokens.paragraphs
    # a break between tokens j-1 and j wherever their paragraphs differ (at C speed)
    breaks = list(itertools.compress(range(1, n), map(operator.ne, paragraphs[1:],
                                                      paragraphs[:-1])))
    out = _Out()
    out.text(tokens.prefix if n else text)

    def words(a: int, b: int) -> str:
        """Tokens a..b-1, without the space after the last one."""
        return text[starts[a] : starts[b - 1] + len(surfaces[b - 1])]

    def stretch(a: int, b: int, kind: str, units: tuple[int, ...], sub: str = "",
                order: float = 0.0) -> None:
        """Tokens a..b-1 (b > a), cut at paragraph breaks; the space after stays pending."""
        out.flush()
        cuts = breaks[bisect.bisect_right(breaks, a) : bisect.bisect_left(breaks, b)]
        edges = [a, *cuts, b]
        for i, (lo, hi) in enumerate(itertools.pairwise(edges)):
            if i:
                out.paragraphs.append([])
            piece = "[…]" if kind in ("lacuna", "gap") else words(lo, hi)
            if kind == "text":
                out.text(piece)
            else:
                out.seg(Seg(kind, "" if kind in ("lacuna", "gap") else _SPACE.sub(" ", piece),
                            units, first=i == 0, last=i == len(edges) - 2, sub=sub,
                            order=order))
        out.pending = spaces[b - 1]
        at = bisect.bisect_left(breaks, b)
        out.broken = at < len(breaks) and breaks[at] == b

    position = 0
    for item in _items(apparatus, siglum, tokens, subunits):
        if item.start > position:
            stretch(position, item.start, "text", ())
        if item.end > item.start:
            stretch(item.start, item.end, item.kind, item.units, item.sub, item.order)
        else:  # a point: after the word before it, before the space or break after that
            out.seg(Seg(item.kind, "", item.units, sub=item.sub, order=item.order))
        position = max(position, item.end)
    if position < n:
        stretch(position, n, "text", ())
    out.broken = False
    out.flush()
    return out.done()


def _from_flow(apparatus: Apparatus, siglum: str) -> Paragraphs:
    """Without tokens: the flow (the base's text, its paragraphs) and *siglum*'s readings,
    joined with spaces as :meth:`Apparatus.witness_text` joins them. A lacuna right after a
    paragraph break and glued to the text after it (the space before the break was the
    gap's) goes at the end of the paragraph before."""
    out = _Out()
    last = [""]  # the last character of text written (points write none)

    def write(piece: str) -> None:
        if not piece:
            return
        if (last[0] and not last[0].isspace() and not piece[0].isspace()
                and piece[0] not in NO_SPACE_BEFORE and last[0] not in NO_SPACE_AFTER):
            out.text(" ")
        out.text(piece)
        last[0] = piece[-1]

    def shared(piece: str) -> None:
        first, *rest = _PARAGRAPH_BREAK.split(piece)
        write(first)
        for more in rest:
            out.paragraphs.append([])
            last[0] = ""
            write(more)

    flow, units = apparatus.flow, apparatus.units
    shared(flow[0])
    k = 0
    while k < len(units):
        unit = units[k]
        reading = unit.reading_of(siglum)
        if reading is None:
            group = [k]
            while (k + 1 < len(units) and units[k + 1].reading_of(siglum) is None
                   and siglum in units[k + 1].lacunose and not flow[k + 1].strip()):
                k += 1
                group.append(k)
            if siglum in unit.lacunose:
                mark = Seg("lacuna", "", tuple(group))
                after = flow[k + 1]
                glued = after[:1] and not after[0].isspace()
                if (glued and not out.paragraphs[-1] and len(out.paragraphs) > 1
                        and _PARAGRAPH_BREAK.search(flow[group[0]])):
                    out.paragraphs[-2].extend((" ", mark))
                else:
                    out.seg(mark)
        elif reading.text_of(siglum):
            text = reading.text_of(siglum)  # a shared reading with sub-units: this text's
            current = out.paragraphs[-1]
            if (text[0] in NO_SPACE_BEFORE and current and isinstance(current[-1], str)
                    and current[-1][-1:].isspace()):  # the base's space before a word
                current[-1] = current[-1].rstrip()
                last[0] = current[-1][-1:] if current[-1] else ""
                if not current[-1]:
                    current.pop()
            out.seg(Seg("reading", text, (k,)))
            before = text[-1]
            write_space = (last[0] and not last[0].isspace() and text[0] not in
                           NO_SPACE_BEFORE and last[0] not in NO_SPACE_AFTER)
            if write_space:  # the space goes before the reading, not inside its mark
                out.paragraphs[-1].insert(len(out.paragraphs[-1]) - 1, " ")
            last[0] = before
        else:
            out.seg(Seg("empty", "", (k,)))
        shared(flow[k + 1])
        k += 1
    return out.done()


# --- the histogram ---------------------------------------------------------------------------


@attrs.frozen(slots=True)
class Bin:
    """One bar of the histogram: the base's tokens ``[start, end)``, the share of them
    that vary (weighted by how many texts differ, 0..1), the units that begin in it (their
    indices), and whether the base is lacunose there."""

    start: int
    end: int
    share: float
    units: tuple[int, ...]
    lacuna: bool


def histogram(apparatus: Apparatus, stats: Sequence[UnitStats], bins: int = 60) -> tuple[Bin, ...]:
    """The variation density along the base text, in at most *bins* bars of equal length.

    A unit weighs, on each of the base's tokens it covers, the share of the other texts that
    differ there; an addition (nothing in the base) weighs as one token; a lacuna of the
    base is flagged. Cost: linear in the tokens and units.
    """
    base = apparatus.base
    others = len(apparatus.witnesses) - 1
    length = 0
    if apparatus.tokens is not None and base in apparatus.sigla:
        length = len(apparatus.token_list(base))
    placed: list[tuple[int, int, float, int]] = []  # (start, end, weight per token, unit)
    lacunae: list[tuple[int, int]] = []
    position = 0
    for k, (unit, stat) in enumerate(zip(apparatus.units, stats, strict=True)):
        reading = unit.reading_of(base)
        if reading is None:
            lacunae.append((position, k))
            continue
        start, end = reading.place(base).tokens
        weight = (stat.differ.get(base) or 0) / others if others > 0 else 0.0
        placed.append((start, max(end, start + 1), weight, k))
        if unit.type is not UnitType.TRANSPOSITION:
            position = max(position, end)
        length = max(length, end)
    if length == 0:
        return ()
    count = min(bins, length)
    size = math.ceil(length / count)
    count = math.ceil(length / size)
    weights = [0.0] * count
    first: list[list[int]] = [[] for _ in range(count)]
    lacunose = [False] * count
    for start, end, weight, k in placed:
        first[min(start // size, count - 1)].append(k)
        for b in range(start // size, min((end - 1) // size, count - 1) + 1):
            overlap = min(end, (b + 1) * size) - max(start, b * size)
            weights[b] += weight * max(overlap, 1)
    for at, k in lacunae:
        b = min(at // size, count - 1)
        lacunose[b] = True
        first[b].append(k)
    return tuple(
        Bin(b * size, min((b + 1) * size, length),
            min(1.0, weights[b] / (min((b + 1) * size, length) - b * size)),
            tuple(sorted(first[b])), lacunose[b])
        for b in range(count)
    )
