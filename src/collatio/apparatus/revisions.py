"""Which hand revisions of a draft reached another witness (by default the base text).

For every ``add`` and ``del`` span of a witness with revision states, the alignment tells
whether the target witness reads the same words at the same place:

* an insertion (its tokens in the ``post`` state) is ``adopted`` when the target has all of
  them, ``partly adopted`` when some, ``not adopted`` when none;
* a deletion (its tokens in the ``ante`` state) ``reappears`` in the target when the target
  has all of its words, ``partly reappears`` when some, and is ``carried`` when none;
* where the target is lacunose (inside one of its ``[...]`` gaps) the answer is ``unknown``;
* a revision in no state (an insertion struck with its passage, a deletion inside an
  insertion) is ``in no state``: it cannot reach anything.
"""

from __future__ import annotations

from collections.abc import Sequence

from collatio.apparatus.model import Apparatus, Fate, RevisionFate
from collatio.markup.tree import Span, SpanKind
from collatio.tokens import Token, TokenKind
from collatio.witness import Witness

_WORDS = (TokenKind.WORD, TokenKind.NUMBER)


def revision_fates(
    apparatus: Apparatus, witnesses: Sequence[Witness], target: str | None = None
) -> tuple[RevisionFate, ...]:
    """The fate in *target* (default: the base) of every hand revision of every witness that
    has revision states; a witness is not compared with itself."""
    target_siglum = target or apparatus.base
    sigla = apparatus.sigla
    alignment, token_lists = apparatus.alignment, apparatus.tokens
    if alignment is None or token_lists is None:
        raise ValueError("revision fates need the alignment behind the apparatus")
    if target_siglum not in sigla:
        raise KeyError(f"no witness {target_siglum!r}; sigla: {', '.join(sigla)}")
    t = sigla.index(target_siglum)
    target_witness = apparatus.witnesses[t].witness
    lacunose: set[int] = set()
    unit_of_column: dict[int, str] = {}
    for unit in apparatus.units:
        for c in range(*unit.columns):
            unit_of_column.setdefault(c, unit.id)
            if target_siglum in unit.lacunose:
                lacunose.add(c)
    fates: list[RevisionFate] = []
    for witness in witnesses:
        if not witness.has_revisions or witness.siglum == target_witness:
            continue
        # each revision's words, in the state where they stand: additions in -pc, deletions
        # in -ac; as (column, token) pairs
        words: dict[int, list[tuple[int, Token]]] = {}
        for suffix, kind in (("-pc", SpanKind.ADD), ("-ac", SpanKind.DEL)):
            if witness.siglum + suffix not in sigla:
                continue
            w = sigla.index(witness.siglum + suffix)
            token_list = token_lists[w]
            spans = token_list.revision_spans
            columns = alignment.token_columns(w)
            for cell in sorted(spans):
                span = spans[cell]
                if span.kind is kind and token_list.kinds[cell] in _WORDS:
                    words.setdefault(id(span), []).append((columns[cell], token_list.token(cell)))
        for span, _ in witness.spans():
            if span.kind.is_revision:
                fates.append(
                    _fate(apparatus, witness.siglum, t, span, words.get(id(span), []),
                          lacunose, unit_of_column)
                )
    return tuple(fates)


def _fate(
    apparatus: Apparatus,
    witness: str,
    t: int,
    span: Span,
    words: list[tuple[int, Token]],
    lacunose: set[int],
    unit_of_column: dict[int, str],
) -> RevisionFate:
    target = apparatus.sigla[t]
    text = " ".join(span.text.split())
    if not words:
        return RevisionFate(witness, target, span.kind, text, span.line, span.column,
                            Fate.IN_NO_STATE, 0, 0, ())
    assert apparatus.tokens is not None and apparatus.alignment is not None
    target_tokens = apparatus.tokens[t].tokens
    row = apparatus.alignment.cells[t]
    found = unknown = 0
    runs: list[list[str]] = []
    previous = -2
    for position, (c, token) in enumerate(words):
        if c in lacunose:
            unknown += 1
            continue
        cell = row[c]
        if cell is not None and target_tokens[cell].norm == token.norm:
            found += 1
            if position != previous + 1 or not runs:
                runs.append([])
            runs[-1].append(token.text)
            previous = position
    total = len(words)
    units = tuple(dict.fromkeys(unit_of_column[c] for c, _ in words if c in unit_of_column))
    if unknown == total:
        fate = Fate.UNKNOWN
    elif span.kind is SpanKind.ADD:
        fate = (Fate.ADOPTED if found == total - unknown else
                Fate.NOT_ADOPTED if found == 0 else Fate.PARTLY_ADOPTED)
    else:
        fate = (Fate.REAPPEARS if found == total - unknown else
                Fate.CARRIED if found == 0 else Fate.PARTLY_REAPPEARS)
    reached = " … ".join(" ".join(run) for run in runs)
    return RevisionFate(witness, target, span.kind, text, span.line, span.column, fate, found,
                        total, units, reached)


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
