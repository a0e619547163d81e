"""Which hand revisions of a draft reached another witness (by default the base text).

For every ``add`` and ``del`` span of a witness with revision states, the alignment tells
whether the target witness reads the same words at the same place. A word counts as found
only inside a run of at least two consecutive words of the revision that the target reads
(or when the revision is one word), so a chance match of a function word (``the``, ``was``)
never makes a revision "partly" anything. Then:

* an insertion (its words in a state that reads it) is ``adopted`` when the target has all
  of them, ``partly adopted`` when some;
* a deletion (its words in a state before it) ``reappears`` in the target when the target has
  all of its words, ``partly reappears`` when some;
* when the target has none: ``not adopted`` (an insertion) or ``carried`` (a deletion) where
  the target reads what the document read before the insertion or after the deletion, or
  nothing at all there; ``recast`` where the target rewrote the passage around the revision
  (its reading in the unit differs from every state of the document);
* where the target is lacunose (inside one of its ``[...]`` gaps) the answer is ``unknown``;
* a revision no state reads (an insertion struck with its passage, a deletion inside an
  insertion) is ``in no state``: it cannot reach anything; its unit is the one whose reading
  records it among the hand's unread words (:attr:`Place.genesis`).

``reached`` quotes the target as written, from the first found word to the last (words in
between that the revision lacks included). ``units`` names the innermost units the revision
falls in.
"""

from __future__ import annotations

from collections.abc import Sequence

from collatio.apparatus.model import Apparatus, Fate, RevisionFate, VariationUnit
from collatio.markup.tree import Span, SpanKind
from collatio.tokens import TokenKind
from collatio.witness import Witness

_WORDS = (TokenKind.WORD, TokenKind.NUMBER)


class _Index:
    """For each collated text, which unit (innermost, and top-level) holds each token."""

    def __init__(self, apparatus: Apparatus) -> None:
        self.inner: dict[str, dict[int, str]] = {s: {} for s in apparatus.sigla}
        self.top: dict[str, dict[int, VariationUnit]] = {s: {} for s in apparatus.sigla}
        self.lacunose: dict[str, set[int]] = {s: set() for s in apparatus.sigla}
        self.genesis: list[tuple[str, int, int, str]] = []  # (siglum, start, end, unit)
        for unit in apparatus.units:
            for sub in unit.walk():
                # a minor sub-unit (case, punctuation) is no place a revision falls in
                named = sub.id if sub is unit or not sub.minor else None
                for reading in sub.readings:
                    for place in reading.places:
                        for i in range(*place.tokens):
                            if named is not None:
                                self.inner[place.siglum][i] = named
                            if sub is unit:
                                self.top[place.siglum][i] = unit
                        for genesis in place.genesis:
                            self.genesis.append((place.siglum, genesis.start, genesis.end,
                                                 sub.id))


def revision_fates(
    apparatus: Apparatus, witnesses: Sequence[Witness], target: str | None = None
) -> tuple[RevisionFate, ...]:
    """The fate in *target* (default: the base) of every hand revision of every witness that
    has revision states; a witness is not compared with itself."""
    target_siglum = target or apparatus.base
    sigla = apparatus.sigla
    if apparatus.alignment is None or apparatus.tokens is None:
        raise ValueError("revision fates need the alignment behind the apparatus")
    if target_siglum not in sigla:
        raise KeyError(f"no witness {target_siglum!r}; sigla: {', '.join(sigla)}")
    t = sigla.index(target_siglum)
    target_witness = apparatus.witnesses[t].witness
    revised = [w for w in witnesses if w.has_revisions and w.siglum != target_witness]
    if not revised:
        return ()  # nothing to index
    index = _Index(apparatus)
    lacunose_columns: set[int] = set()
    for unit in apparatus.units:
        if target_siglum in unit.lacunose:
            for reading in unit.readings:
                for place in reading.places:
                    columns = apparatus.alignment.token_columns(sigla.index(place.siglum))
                    lacunose_columns.update(columns[i] for i in range(*place.tokens))
    fates: list[RevisionFate] = []
    for witness in revised:
        states = [w for w, c in enumerate(apparatus.witnesses) if c.witness == witness.siglum]
        # each revision's words: (text, token) in the state that reads most of them
        words: dict[int, dict[int, list[int]]] = {}
        for w in states:
            spans = apparatus.tokens[w].revision_spans
            kinds = apparatus.tokens[w].kinds
            for cell in sorted(spans):
                if kinds[cell] in _WORDS:
                    words.setdefault(id(spans[cell]), {}).setdefault(w, []).append(cell)
        for span, _ in witness.spans():
            if span.kind.is_revision:
                found = words.get(id(span), {})
                w, cells = max(found.items(), key=lambda item: (len(item[1]), -item[0]),
                               default=(-1, []))
                fates.append(_fate(apparatus, index, witness.siglum, t, span, w, cells,
                                   states, lacunose_columns))
    return tuple(fates)


def _fate(
    apparatus: Apparatus,
    index: _Index,
    witness: str,
    t: int,
    span: Span,
    w: int,
    cells: list[int],
    states: list[int],
    lacunose_columns: set[int],
) -> RevisionFate:
    target = apparatus.sigla[t]
    text = " ".join(span.text.split())
    if not cells:
        units = tuple(dict.fromkeys(
            unit for siglum, start, end, unit in index.genesis
            if apparatus.witness(siglum).witness == witness and span.start <= start
            and end <= span.end))
        return RevisionFate(witness, target, span.kind, text, span.line, span.column,
                            Fate.IN_NO_STATE, 0, 0, units)
    assert apparatus.tokens is not None and apparatus.alignment is not None
    siglum = apparatus.sigla[w]
    mine = apparatus.tokens[w]
    theirs = apparatus.tokens[t]
    columns = apparatus.alignment.token_columns(w)
    row = apparatus.alignment.cells[t]
    total = len(cells)
    unknown = 0
    hits: list[int | None] = []  # per word: the target's token, if it reads the word here
    for cell in cells:
        c = columns[cell]
        if c in lacunose_columns:
            unknown += 1
            hits.append(None)
            continue
        other = row[c]
        hits.append(other if other is not None and theirs.norms[other] == mine.norms[cell]
                    else None)
    counted = _counted(hits)
    found = len(counted)
    units = tuple(dict.fromkeys(index.inner[siglum][cell] for cell in cells
                                if cell in index.inner[siglum]))
    reached = ""
    if counted:
        first, last = min(counted), max(counted)
        reached = _quote(theirs.surfaces, theirs.spaces, first, last + 1)
    if unknown == total:
        fate = Fate.UNKNOWN
    elif span.kind is SpanKind.ADD:
        fate = (Fate.ADOPTED if found == total - unknown else
                Fate.PARTLY_ADOPTED if found else
                _absent(apparatus, index, siglum, cells, target, states, Fate.NOT_ADOPTED))
    else:
        fate = (Fate.REAPPEARS if found == total - unknown else
                Fate.PARTLY_REAPPEARS if found else
                _absent(apparatus, index, siglum, cells, target, states, Fate.CARRIED))
    return RevisionFate(witness, target, span.kind, text, span.line, span.column, fate, found,
                        total, units, reached)


def _counted(hits: list[int | None]) -> list[int]:
    """The target tokens of the words that count as found: runs of two or more consecutive
    words the target reads (any run when the revision is one word)."""
    if len(hits) == 1:
        return [h for h in hits if h is not None]
    out: list[int] = []
    run: list[int] = []
    for hit in [*hits, None]:
        if hit is not None and (not run or hit > run[-1]):
            run.append(hit)
            continue
        if len(run) >= 2:
            out.extend(run)
        run = [hit] if hit is not None else []
    return out


def _absent(apparatus: Apparatus, index: _Index, siglum: str, cells: list[int], target: str,
            states: list[int], otherwise: Fate) -> Fate:
    """``recast`` when the target's reading in the unit holding the revision is text of its
    own (shared with no state of the document); else *otherwise*."""
    unit = next((index.top[siglum][c] for c in cells if c in index.top[siglum]), None)
    if unit is None:
        return otherwise
    reading = unit.reading_of(target)
    if reading is None or not reading.text:
        return otherwise
    if any(apparatus.sigla[s] in reading.witnesses for s in states):
        return otherwise
    return Fate.RECAST


def _quote(surfaces: Sequence[str], spaces: Sequence[str], start: int, end: int) -> str:
    """Tokens ``start:end`` as written, whitespace folded."""
    parts = [surfaces[i] + spaces[i] for i in range(start, end - 1)]
    parts.append(surfaces[end - 1])
    return " ".join("".join(parts).split())


def revision_report(fates: Sequence[RevisionFate]) -> str:
    """A short report for people: per witness and kind, the counts, then each revision."""
    if not fates:
        return "No hand revisions to report.\n"
    lines: list[str] = []
    for witness in dict.fromkeys(f.witness for f in fates):
        mine = [f for f in fates if f.witness == witness]
        target = mine[0].target
        lines.append(f"Hand revisions of {witness} and what became of them in {target}:")
        for kind, noun in ((SpanKind.ADD, "insertions"), (SpanKind.DEL, "deletions")):
            group = [f for f in mine if f.kind is kind]
            if not group:
                continue
            counts: dict[str, int] = {}
            for f in group:
                counts[f.fate.value] = counts.get(f.fate.value, 0) + 1
            summary = ", ".join(f"{n} {fate}" for fate, n in counts.items())
            lines.append(f"  {len(group)} {noun}: {summary}")
            for f in group:
                clipped = f.text if len(f.text) <= 60 else f.text[:59] + "…"
                units = f" [{', '.join(f.units)}]" if f.units else ""
                share = f" ({f.found}/{f.words} words)" if f.fate in (
                    Fate.PARTLY_ADOPTED, Fate.PARTLY_REAPPEARS) else ""
                lines.append(f"    {f.line}:{f.column:<6} {f.fate.value:<17}{share} "
                             f"{clipped!r}{units}")
                if f.reached and f.fate in (Fate.PARTLY_ADOPTED, Fate.PARTLY_REAPPEARS):
                    lines.append(f"{'':16}{target} reads: {f.reached!r}")
    return "\n".join(lines) + "\n"
