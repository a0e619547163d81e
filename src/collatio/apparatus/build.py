"""From witnesses to an apparatus: tokenize, align, group differences into variation units.

The steps:

1. every witness becomes one collated text per state (``F``; ``D-ac`` and ``D-pc`` for a
   draft with hand revisions), tokenized and normalized;
2. all texts are aligned into one table (:func:`collatio.align.align`), the most similar
   first (:func:`guide_order`), with transpositions;
3. each alignment column is *agreeing* (every witness has a token, all one reading) or not;
   a witness is *lacunose* in the columns that fall inside one of its editorial gaps
   (between the words before and after a ``[...]``), where it has no token of its own;
4. maximal runs of non-agreeing columns with the same lacunose witnesses become units; a run
   of at most ``join`` agreeing columns squeezed between two longer runs is absorbed, so a
   rewritten clause is one unit, not one per word; within a run, a stretch of at least
   ``segment`` columns in which the same witnesses share their text (F and D-pc against
   D-ac, say) is a unit of its own, and what lies between such stretches is one unit;
5. a block moved between witnesses (a transposition found by the aligner) is reported once,
   as a ``transposition`` unit with the block's place in each witness, and its tokens are
   left out of the units around it.

The base text (the lemma) is the latest dated witness unless ``base`` names another; for a
witness with revision states the base is its revised state.
"""

from __future__ import annotations

import bisect
import itertools
from collections import Counter
from collections.abc import Iterable, Sequence

import attrs

from collatio.align import Alignment, align
from collatio.align.guide import SAMPLE, SAMPLE_ABOVE
from collatio.align.guide import guide_order as guide_order  # re-exported: its old home
from collatio.apparatus.model import (
    Apparatus,
    CollatedWitness,
    DocumentText,
    Place,
    Reading,
    Run,
    UnitType,
    VariationUnit,
)
from collatio.apparatus.revisions import revision_fates
from collatio.diagnostics import Diagnostic, Severity
from collatio.errors import CollationError, LimitError, UnknownBaseError
from collatio.markup.tree import Node, Span
from collatio.normalize import Normalization, minor_form
from collatio.progress import stage
from collatio.textpos import LineIndex
from collatio.tokens import TokenKind, TokenList, tokenize
from collatio.witness import StateName, Witness

#: Suffixes of the revision-state sigla: *ante correctionem*, *post correctionem* (the
#: layers between are ``-c1``, ``-c2``...: :attr:`collatio.witness.State.suffix`).
STATE_SUFFIX = {StateName.ANTE: "-ac", StateName.POST: "-pc"}
STATE_LABEL = {StateName.ANTE: "as first written", StateName.POST: "as revised"}


def _threshold(value: float | None) -> None:
    if value is not None and not 0.0 < value <= 1.0:
        raise CollationError(f"a near-matching threshold is in (0, 1], not {value}")


@attrs.frozen(slots=True)
class CollationOptions:
    """How to collate. ``base`` is a siglum (``F``, ``D`` or ``D-ac``); None: latest dated."""

    base: str | None = None
    normalization: Normalization = attrs.field(factory=Normalization)
    join: int = 2
    segment: int = 4
    transpositions: bool = True
    transposition_min_length: int = 4
    #: Near matching: a similarity threshold in (0, 1] (see collatio.align.near), or None.
    near: float | None = attrs.field(default=None, validator=lambda _, __, value: _threshold(value))
    #: Guards: more texts or tokens than this are refused before any work is done.
    max_texts: int = 1000
    max_tokens: int = 30_000_000

    def __repr__(self) -> str:
        normalizers = "+".join(self.normalization.names)
        return (f"<CollationOptions base={self.base or '(latest dated)'} "
                f"normalize={normalizers} join={self.join} "
                f"transpositions={'on' if self.transpositions else 'off'}>")


def collated_witnesses(
    witnesses: Sequence[Witness],
) -> list[tuple[CollatedWitness, Witness, str]]:
    """Each witness's states as collated texts, in witness order, with each state's id."""
    out: list[tuple[CollatedWitness, Witness, str]] = []
    for witness in witnesses:
        for state in witness.states:
            label = witness.label
            if state.description:
                label = f"{label} ({state.description})"
            out.append(
                (
                    CollatedWitness(
                        siglum=witness.siglum + state.suffix,
                        witness=witness.siglum,
                        state=state.id,
                        label=label,
                        date=witness.metadata.date,
                        path=witness.path,
                    ),
                    witness,
                    state.id,
                )
            )
    return out


def choose_base(collated: Sequence[CollatedWitness], requested: str | None) -> str:
    """The base siglum: *requested* (a witness or a state), else the latest dated witness."""
    sigla = [c.siglum for c in collated]
    if requested is not None:
        if requested in sigla:
            return requested
        for suffix in ("-pc", ""):
            for c in collated:
                if c.witness == requested and c.siglum == requested + suffix:
                    return c.siglum
        raise UnknownBaseError(
            f"unknown base {requested!r}; choose one of: {', '.join(sigla)}"
        )
    dated = [(c.date, i) for i, c in enumerate(collated) if c.date]
    if not dated:
        return collated[0].siglum
    latest = max(date for date, _ in dated)
    # among witnesses of the latest date, the last state (post over ante), then the first
    candidates = [i for date, i in dated if date == latest]
    first_witness = collated[candidates[0]].witness
    same = [i for i in candidates if collated[i].witness == first_witness]
    return collated[same[-1]].siglum


def collate_witnesses(
    witnesses: Sequence[Witness],
    options: CollationOptions | None = None,
    diagnostics: Iterable[Diagnostic] = (),
) -> Apparatus:
    """Collate *witnesses* into an apparatus (see the module docstring), with the fate of
    every hand revision in the base text."""
    options = options or CollationOptions()
    if not witnesses:
        raise CollationError("nothing to collate: no witnesses")
    seen: dict[str, str] = {}
    for witness in witnesses:
        if witness.siglum in seen:
            raise CollationError(
                f"duplicate siglum {witness.siglum!r} ({seen[witness.siglum]} and "
                f"{witness.path}); give each witness its own siglum in a manifest"
            )
        seen[witness.siglum] = witness.path
    entries = collated_witnesses(witnesses)
    token_lists = [
        tokenize(witness.state(state), c.siglum, options.normalization)
        for c, witness, state in entries
    ]
    indexes = {w.path: w.line_index() for w in witnesses}
    apparatus = collate_tokens(
        [c for c, _, _ in entries],
        token_lists,
        [indexes[w.path] for _, w, _ in entries],
        options,
        diagnostics,
    )
    documents = tuple(document_text(witness) for witness in witnesses)
    too_deep = [d for d in map(_too_deep, witnesses) if d is not None]
    return attrs.evolve(
        apparatus,
        revisions=revision_fates(apparatus, witnesses),
        documents=documents,
        diagnostics=(*apparatus.diagnostics, *too_deep),
    )


#: The documents view follows marks this many levels deep; a mark nested deeper shows as
#: part of the one around it at this depth (transcriptions nest three or four deep). It keeps
#: the view, and every format made of it, linear in the input: with a path per run copied per
#: level, 3,000 nested marks (26 KB) made a 144 MB JSON, and XML nested past 256 levels
#: cannot be read back. The apparatus itself (states, readings) follows every level.
DOCUMENT_DEPTH = 32


def _too_deep(witness: Witness) -> Diagnostic | None:
    """A warning at the first mark of *witness* nested deeper than :data:`DOCUMENT_DEPTH`."""
    stack: list[tuple[Node, int]] = [(node, 1) for node in reversed(witness.nodes)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, Span):
            if depth > DOCUMENT_DEPTH:
                return Diagnostic(
                    Severity.WARNING, "marks-too-deep",
                    f"marks nest more than {DOCUMENT_DEPTH} deep here; the collation follows "
                    f"every level, the document's text as shown (HTML, TEI, LaTeX) the outer "
                    f"{DOCUMENT_DEPTH}", witness.path, node.line, node.column,
                )
            stack.extend((child, depth + 1) for child in reversed(node.children))
    return None


def document_text(witness: Witness) -> DocumentText:
    """*witness*'s body as runs: each piece of text with the path of marks around it (at
    most :data:`DOCUMENT_DEPTH` of them)."""
    runs: list[Run] = []
    stack: list[tuple[Node, tuple[str, ...], tuple[str | None, ...]]] = [
        (node, (), ()) for node in reversed(witness.nodes)
    ]
    while stack:
        node, kinds, labels = stack.pop()
        if isinstance(node, Span):
            if len(kinds) < DOCUMENT_DEPTH:
                kinds = (*kinds, node.kind.value)
                labels = (*labels, node.label)
            stack.extend((child, kinds, labels) for child in reversed(node.children))
            continue
        if runs and runs[-1].kinds == kinds and runs[-1].labels == labels:
            runs[-1] = Run(runs[-1].text + node.text, kinds, labels)
        else:
            runs.append(Run(node.text, kinds, labels))
    return DocumentText(witness.siglum, witness.label, tuple(runs))


def collate_tokens(
    collated: Sequence[CollatedWitness],
    token_lists: Sequence[TokenList],
    line_indexes: Sequence[LineIndex],
    options: CollationOptions | None = None,
    diagnostics: Iterable[Diagnostic] = (),
) -> Apparatus:
    """Collate texts that are already tokenized (one :class:`TokenList` per witness, with the
    line index of the text its offsets refer to)."""
    options = options or CollationOptions()
    if not collated:
        raise CollationError("nothing to collate: no witnesses")
    sigla = [c.siglum for c in collated]
    if len(set(sigla)) != len(sigla):
        duplicates = sorted({s for s in sigla if sigla.count(s) > 1})
        raise CollationError(
            f"duplicate sigla {', '.join(duplicates)}: each collated text needs its own"
        )
    if len(collated) > options.max_texts:
        raise LimitError(
            f"{len(collated)} texts to collate, over the limit of {options.max_texts}; "
            "raise it with --max-texts (or CollationOptions.max_texts)"
        )
    total = sum(len(tl) for tl in token_lists)
    if total > options.max_tokens:
        raise LimitError(
            f"{total:,} tokens to collate, over the limit of {options.max_tokens:,}; raise "
            "it with --max-tokens (or CollationOptions.max_tokens) if the machine has the "
            "memory (about 1 GB per 2 million tokens)"
        )
    base = choose_base(collated, options.base)
    with stage(f"aligning {len(collated)} texts ({total:,} tokens)"):
        alignment = align_in_guide_order(
            [tl.norms for tl in token_lists],
            detect_transpositions=options.transpositions,
            transposition_min_length=options.transposition_min_length,
            near=options.near,
        )
    with stage("grouping variation units"):
        places = _PlaceMaker(token_lists, line_indexes)
        grouper = _Grouper(alignment, token_lists, collated, base, places, options)
        units = grouper.units()
    return Apparatus(
        witnesses=tuple(collated),
        base=base,
        units=units,
        flow=grouper.flow(units),
        documents=tuple(
            DocumentText(c.siglum, c.label, (Run(tl.text),))
            for c, tl in zip(collated, token_lists, strict=True)
        ),
        alignment=alignment,
        tokens=tuple(token_lists),
        diagnostics=(*diagnostics, *_approximations(alignment, collated, token_lists,
                                                    line_indexes)),
    )


def _approximations(
    alignment: Alignment,
    collated: Sequence[CollatedWitness],
    token_lists: Sequence[TokenList],
    line_indexes: Sequence[LineIndex],
) -> list[Diagnostic]:
    """A diagnostic for each stretch the aligner placed by its bounded fallback."""
    found = []
    for a in alignment.approximations:
        tl, where = token_lists[a.witness], collated[a.witness]
        offset = tl.source_starts[a.start] if a.start < len(tl) else 0
        line, column = line_indexes[a.witness].position(offset)
        found.append(Diagnostic(
            Severity.INFO, "approximate-alignment",
            f"{where.siglum}: {a.end - a.start:,} tokens {a.reason}", where.path, line, column,
            offset,
        ))
    return found


#: The guide order lives with the aligner (collatio.align.guide); its sampling constants are
#: kept here under their old names.
_SAMPLE_ABOVE = SAMPLE_ABOVE
_SAMPLE = SAMPLE


def align_in_guide_order(
    witnesses: Sequence[Sequence[str]],
    *,
    detect_transpositions: bool,
    transposition_min_length: int,
    near: float | None = None,
) -> Alignment:
    """:func:`collatio.align.align` in :func:`guide_order`, mapped back to the given order."""
    return align(
        witnesses,
        detect_transpositions=detect_transpositions,
        transposition_min_length=transposition_min_length,
        near=near,
        order=guide_order(witnesses),
    )


#: A variation unit's fields but its id (given once every unit is found, in text order).
_Unit = tuple[UnitType, bool, Reading | None, tuple[Reading, ...], tuple[str, ...], tuple[int, int]]
#: A witness's share of a reading: (witness, token indices kept, token range start, end).
_Member = tuple[int, list[int], int, int]
#: A moved block: its places ((columns, keys, members) each), the anchor place's index, and
#: the texts that hold the block at one of its places.
_Move = tuple[list[tuple[tuple[int, int], tuple[str, ...], list[_Member]]], int, set[int]]


class _PlaceMaker:
    """Builds :class:`Place` values for token ranges of each witness."""

    def __init__(self, token_lists: Sequence[TokenList], indexes: Sequence[LineIndex]) -> None:
        self.token_lists = token_lists
        self.indexes = indexes
        self.word_before: list[list[int]] = []
        words = (TokenKind.WORD, TokenKind.NUMBER)
        for tl in token_lists:
            flags = [1 if kind in words else 0 for kind in tl.kinds]
            self.word_before.append(list(itertools.accumulate(flags, initial=0)))

    def make(self, w: int, kept: Sequence[int], start: int, end: int) -> Place:
        """The place of tokens *kept* (indices, gaps excluded) of witness *w*, which stand in
        its token range ``start:end``."""
        tl = self.token_lists[w]
        index = self.indexes[w]
        if kept:
            first, last = kept[0], kept[-1]
            source_starts = tl.source_starts
            source_start = source_starts[first]
            line, column = index.position(source_start)
            hand: str | None = None
            spans = tl.revision_spans
            if spans:
                hands = {spans[i].kind if i in spans else None for i in kept}
                if len(hands) > 1:
                    hand = "mixed"
                elif (kind := hands.pop()) is not None:
                    hand = kind.value
            word_before = self.word_before[w]
            return Place(
                tl.siglum, (start, end), (word_before[start], word_before[end]),
                tl.paragraphs[first] + 1, line, column, source_start,
                source_starts[last] + len(tl.surfaces[last]), hand,
            )
        # an empty reading: the insertion point, located at the next token (or the last)
        count = len(tl)
        if not count:
            return Place(tl.siglum, (start, end), (0, 0), 1, 1, 1, 0, 0)
        if start < count:
            neighbour, offset = start, tl.source_starts[start]
        else:
            neighbour = start - 1
            offset = tl.source_starts[neighbour] + len(tl.surfaces[neighbour])
        line, column = index.position(offset)
        words = self.word_before[w][start]
        return Place(
            tl.siglum, (start, end), (words, words), tl.paragraphs[neighbour] + 1, line, column,
            offset, offset,
        )


class _Grouper:
    def __init__(
        self,
        alignment: Alignment,
        token_lists: Sequence[TokenList],
        collated: Sequence[CollatedWitness],
        base: str,
        places: _PlaceMaker,
        options: CollationOptions,
    ) -> None:
        self.alignment = alignment
        self.token_lists = token_lists
        self.sigla = [c.siglum for c in collated]
        self.base = self.sigla.index(base)
        self.places = places
        self.options = options
        self.count = len(token_lists)
        self.cells = alignment.cells
        self.readings = alignment.readings
        self.width = alignment.width
        self._agreements: dict[tuple[int | None, ...], tuple[int | None, ...]] = {}
        # the tokens of accepted moves, per text; settled by _transposition_plan in units()
        self.moved: list[set[int]] = [set() for _ in range(self.count)]
        self.lacunose = self._lacunose_columns()
        # a column agrees when every witness has a real token there and all are one reading
        # (a gap token has a key no other token has, so a column holding one never agrees)
        self.agrees = alignment.agreeing()

    # --- column facts ---------------------------------------------------------------------

    def _is_gap(self, w: int, cell: int | None) -> bool:
        return cell is not None and cell in self.token_lists[w].gap_spans

    def _lacunose_columns(self) -> dict[int, frozenset[int]]:
        """The columns where some witness is lacunose (inside one of its gaps), with those
        witnesses; sparse, since most columns have none."""
        lacunose: dict[int, set[int]] = {}
        for w, tl in enumerate(self.token_lists):
            gaps = sorted(tl.gap_spans)
            if not gaps:
                continue
            row = self.cells[w]
            column_of = self._column_index(w)
            for g in gaps:
                before = g - 1
                while before >= 0 and before in tl.gap_spans:
                    before -= 1
                after = g + 1
                while after < len(tl) and after in tl.gap_spans:
                    after += 1
                lo = column_of[before] + 1 if before >= 0 else 0
                hi = column_of[after] if after < len(tl) else self.width
                for c in range(lo, hi):
                    cell = row[c]
                    if cell is None or self._is_gap(w, cell):
                        lacunose.setdefault(c, set()).add(w)
        return {c: frozenset(ws) for c, ws in lacunose.items()}

    # --- grouping -------------------------------------------------------------------------

    def _runs(self) -> list[tuple[int, int, frozenset[int]]]:
        """Maximal runs of non-agreeing columns with one set of lacunose witnesses."""
        runs: list[tuple[int, int, frozenset[int]]] = []
        lacunose = self.lacunose
        agrees = self.agrees
        none: frozenset[int] = frozenset()
        start: int | None = None
        current = none
        if not lacunose:  # the common case: runs are the stretches of False in agrees
            c = 0
            total = len(agrees)
            while True:
                try:
                    c = agrees.index(False, c)
                except ValueError:
                    break
                try:
                    end = agrees.index(True, c)
                except ValueError:
                    end = total
                runs.append((c, end, none))
                c = end
            return self._join(runs)
        for c, agree in enumerate(agrees):
            lac = lacunose.get(c, none)
            if agree and not lac:
                if start is not None:
                    runs.append((start, c, current))
                    start = None
                continue
            if start is not None and lac != current:
                runs.append((start, c, current))
                start = None
            if start is None:
                start, current = c, lac
        if start is not None:
            runs.append((start, len(agrees), current))
        return self._join(runs)

    def _join(
        self, runs: list[tuple[int, int, frozenset[int]]]
    ) -> list[tuple[int, int, frozenset[int]]]:
        """Absorb short agreements squeezed between larger differences (diff-match-patch's
        semantic clean-up, on columns): at most ``join`` columns, shorter than both
        neighbouring runs."""
        join = self.options.join
        if join <= 0 or not runs:
            return runs
        joined = [runs[0]]
        for start, end, lac in runs[1:]:
            prev_start, prev_end, prev_lac = joined[-1]
            between = start - prev_end
            if (
                lac == prev_lac
                and not lac  # a lacunose text has its own words in the agreement: keep them
                and 0 < between <= join
                and between < min(prev_end - prev_start, end - start)
            ):
                joined[-1] = (prev_start, end, lac)
            else:
                joined.append((start, end, lac))
        return joined

    def _agreement(self, c: int) -> tuple[int | None, ...]:
        """Who agrees with whom in column *c*: a witness's reading number where another
        witness shares it, else None (absent, or alone in its reading)."""
        readings = self.readings[c]
        found = self._agreements.get(readings)
        if found is None:
            counts = Counter(readings)  # not readings.count per witness: K^2 at K witnesses
            shared = {r for r, n in counts.items() if r is not None and n > 1}
            found = tuple(r if r in shared else None for r in readings)
            self._agreements[readings] = found
        return found

    def _split(self, start: int, end: int) -> list[tuple[int, int]]:
        """Cut a run where some witnesses agree with each other for a while: a stretch of at
        least ``segment`` columns in which the same witnesses share their text is a unit of
        its own, and what lies between such stretches is one unit."""
        size = self.options.segment
        if size <= 0 or end - start <= size:
            return [(start, end)]
        strong: list[tuple[int, int]] = []
        stretch_start = start
        previous = self._agreement(start)
        for c in range(start + 1, end + 1):
            current = self._agreement(c) if c < end else None
            if current != previous:
                if any(r is not None for r in previous) and c - stretch_start >= size:
                    strong.append((stretch_start, c))
                stretch_start = c
                if current is not None:
                    previous = current
        pieces: list[tuple[int, int]] = []
        cursor = start
        for s0, s1 in strong:
            if cursor < s0:
                pieces.append((cursor, s0))
            pieces.append((s0, s1))
            cursor = s1
        if cursor < end:
            pieces.append((cursor, end))
        return pieces

    def units(self) -> tuple[VariationUnit, ...]:
        plan = self._transposition_plan()  # first: it decides which tokens count as moved
        found: list[tuple[int, _Unit]] = []
        for run_start, run_end, lac in self._runs():
            for start, end in self._split(run_start, run_end):
                unit = self._unit(start, end, lac)
                if unit is not None:
                    found.append((start, unit))
        found.extend(self._transposition_units(plan))
        found.sort(key=lambda item: item[0])
        # numbered in text order once all are found (a transposition comes in late)
        return tuple(VariationUnit(f"u{i}", *unit) for i, (_, unit) in enumerate(found, 1))

    def flow(self, units: Sequence[VariationUnit]) -> tuple[str, ...]:
        """The base text around *units*: what stands before each unit and after the last,
        with its whitespace (see :attr:`Apparatus.flow`)."""
        b = self.base
        tl = self.token_lists[b]
        token_columns = self._column_index(b)
        surfaces, spaces = tl.surfaces, tl.spaces
        skip = sorted(self.moved[b] | set(tl.gap_spans))
        pieces: list[str] = []
        cursor = 0
        last_in_unit: int | None = None  # the base's last token inside the previous unit

        def text_between(start: int, end: int) -> str:
            nonlocal last_in_unit
            parts = [spaces[last_in_unit]] if last_in_unit is not None else []
            last_in_unit = None
            # the base's tokens in these columns are a range (tokens stand in column order)
            first = bisect.bisect_left(token_columns, start)
            last = bisect.bisect_left(token_columns, end, first)
            skipped = bisect.bisect_left(skip, first)
            if skipped == len(skip) or skip[skipped] >= last:  # nothing to leave out
                parts.extend(itertools.chain.from_iterable(
                    zip(surfaces[first:last], spaces[first:last], strict=True)))
            else:
                left_out = set(skip[skipped:bisect.bisect_left(skip, last, skipped)])
                parts.extend(surfaces[i] + spaces[i] for i in range(first, last)
                             if i not in left_out)
            return "".join(parts)

        for unit in units:
            start, end = unit.columns
            if start >= cursor:
                pieces.append(text_between(cursor, start))
            else:  # a transposition overlapping the unit before it
                pieces.append("")
            if unit.type is not UnitType.TRANSPOSITION:
                inside = bisect.bisect_left(token_columns, end) - 1  # the last token before end
                if inside >= 0 and token_columns[inside] >= start:
                    last_in_unit = inside
            cursor = max(cursor, end)
        pieces.append(text_between(cursor, self.width))
        return tuple(pieces)

    def _tokens_in(self, w: int, start: int, end: int) -> tuple[list[int], int, int]:
        """Witness *w*'s tokens in columns ``start:end`` (gaps and moved tokens left out),
        and the token range they stand in."""
        cells = [cell for cell in self.cells[w][start:end] if cell is not None]
        moved, gaps = self.moved[w], self.token_lists[w].gap_spans
        kept = cells
        if (moved and not moved.isdisjoint(cells)) or (gaps and not gaps.keys().isdisjoint(cells)):
            kept = [i for i in cells if i not in moved and i not in gaps]
        if cells:
            first, last = cells[0], cells[-1] + 1
        else:
            first = last = self._insertion_point(w, start)
        return kept, first, last

    def _insertion_point(self, w: int, column: int) -> int:
        """The index of *w*'s first token at or after *column* (its length if none)."""
        # tokens stand in increasing columns
        return bisect.bisect_left(self._column_index(w), column)

    def _unit(self, start: int, end: int, lac: frozenset[int]) -> _Unit | None:
        groups: dict[tuple[str, ...], list[tuple[int, list[int], int, int]]] = {}
        order: list[tuple[str, ...]] = []
        for w in range(self.count):
            if w in lac:
                continue
            tokens, first, last = self._tokens_in(w, start, end)
            key = tuple(map(self.token_lists[w].norms.__getitem__, tokens))
            if key not in groups:
                groups[key] = []
                order.append(key)
            groups[key].append((w, tokens, first, last))
        if len(order) <= 1 and not lac:
            return None  # only moved tokens differed here: the transposition unit tells
        if not lac and len(order) == 1:
            return None
        if lac and all(not key for key in order):
            return None  # a gap where no witness has text: nothing to record
        readings = [self._reading(groups[key]) for key in order]
        return self._finish(readings, lac, start, end, UnitType.SUBSTITUTION)

    def _reading(self, members: list[tuple[int, list[int], int, int]]) -> Reading:
        w0, kept0, _, _ = members[0]
        text = _surface(self.token_lists[w0], kept0)
        return Reading(
            text=text,
            witnesses=tuple(self.sigla[w] for w, _, _, _ in members),
            places=tuple(self.places.make(w, toks, a, b) for w, toks, a, b in members),
        )

    def _finish(
        self,
        readings: list[Reading],
        lac: frozenset[int],
        start: int,
        end: int,
        kind: UnitType,
    ) -> _Unit:
        base = self.sigla[self.base]
        lemma = next((r for r in readings if base in r.witnesses), None)
        if lemma is not None:
            readings.remove(lemma)
            readings.insert(0, lemma)
        if kind is not UnitType.TRANSPOSITION:
            others = [r for r in readings if r is not lemma]
            if lac:
                kind = UnitType.LACUNA
            elif lemma is not None and lemma.is_empty:
                kind = UnitType.ADDITION
            elif lemma is not None and others and all(r.is_empty for r in others):
                kind = UnitType.OMISSION
            else:
                kind = UnitType.SUBSTITUTION
        texts = {minor_form(r.text) for r in readings}
        minor = kind is not UnitType.TRANSPOSITION and len(texts) == 1 and len(readings) > 1
        lacunose = tuple(self.sigla[w] for w in sorted(lac))
        return (kind, minor, lemma, tuple(readings), lacunose, (start, end))

    def _transposition_plan(self) -> list[_Move]:
        """For each moved block: its places (columns, keys, the texts that have it there),
        the texts reading something else at the anchor place, and the lacunose ones.

        Texts the aligner did not name but that hold the block in the same columns as one of
        its places join that place, and their tokens there count as moved, so that no other
        unit claims them too.
        """
        by_block: dict[tuple[int, int, int], list[tuple[int, int, int]]] = {}
        for t in self.alignment.transpositions:
            by_block.setdefault((t.witness_a, t.a_start, t.a_end), []).append(
                (t.witness_b, t.b_start, t.b_end)
            )
        column_of = [self._column_index(w) for w in range(self.count)]
        plan: list[_Move] = []
        # moves are accepted longest first; one that needs tokens an accepted move already
        # holds is dropped (its words stay in the units around as omission and addition)
        ordered = sorted(by_block.items(), key=lambda item: (item[0][1] - item[0][2], item[0]))
        for (wa, a0, a1), others in ordered:
            members: list[tuple[int, int, int]] = []
            for member in [(wa, a0, a1), *others]:
                if all(member[0] != m[0] for m in members):
                    members.append(member)
            if any(not self.moved[w].isdisjoint(range(s0, e0)) for w, s0, e0 in members):
                continue
            for w, s0, e0 in members:
                self.moved[w].update(range(s0, e0))
            # each place of the block: (columns, norms, [(witness, kept, start, end)])
            places: list[tuple[tuple[int, int], tuple[str, ...], list[_Member]]] = []
            for w, s0, e0 in members:
                columns = (column_of[w][s0], column_of[w][e0 - 1] + 1)
                norms = tuple(self.token_lists[w].norms[s0:e0])
                places.append((columns, norms, [(w, list(range(s0, e0)), s0, e0)]))
            anchor_w = self.base if any(m[0] == self.base for m in members) else wa
            anchor = next(i for i, m in enumerate(members) if m[0] == anchor_w)
            taken = {m[0] for m in members}
            for w in range(self.count):
                if w in taken:
                    continue
                for columns, norms, group in places:
                    kept, s0, e0 = self._cells_in(w, *columns)
                    if (
                        kept
                        and self.moved[w].isdisjoint(kept)  # not part of another move
                        and tuple(self.token_lists[w].norms[i] for i in kept) == norms
                    ):
                        group.append((w, kept, s0, e0))
                        self.moved[w].update(kept)
                        taken.add(w)
                        break
            plan.append((places, anchor, taken))
        return plan

    def _transposition_units(self, plan: list[_Move]) -> list[tuple[int, _Unit]]:
        """One unit per moved block: the block at each of its places, every other text as
        lacking it (om.) or lacunose, so the unit is positive like the others."""
        units: list[tuple[int, _Unit]] = []
        for places, anchor, taken in plan:
            first_column, last_column = places[anchor][0]
            # a text without the block at any of its places reads om. here; its own words
            # at the anchor place belong to the units around, which record them
            absent: list[_Member] = []
            lacunose: list[int] = []
            for w in range(self.count):
                if w in taken:
                    continue
                if all(w in self.lacunose.get(c, ()) for c in range(first_column, last_column)):
                    lacunose.append(w)
                    continue
                point = self._insertion_point(w, first_column)
                absent.append((w, [], point, point))
            readings = [self._reading(group) for _, _, group in places]
            if absent:
                readings.append(self._reading(absent))
            unit = self._finish(readings, frozenset(lacunose), first_column, last_column,
                                UnitType.TRANSPOSITION)
            units.append((first_column, unit))
        return units

    def _cells_in(self, w: int, start: int, end: int) -> tuple[list[int], int, int]:
        """Witness *w*'s real tokens in columns ``start:end`` (gaps left out) and their range."""
        gaps = self.token_lists[w].gap_spans
        cells = [cell for cell in self.cells[w][start:end] if cell is not None]
        kept = [i for i in cells if i not in gaps]
        if cells:
            return kept, cells[0], cells[-1] + 1
        point = self._insertion_point(w, start)
        return kept, point, point

    def _column_index(self, w: int) -> list[int]:
        """For each token of text *w*, its column."""
        return self.alignment.token_columns(w)


def _surface(token_list: TokenList, kept: Sequence[int]) -> str:
    """A reading's text as printed: the tokens with their spacing, whitespace folded; where
    tokens were left out (a moved block), a space keeps the words on either side apart."""
    if not kept:
        return ""
    surfaces, spaces = token_list.surfaces, token_list.spaces
    parts = []
    for i, following in itertools.pairwise(kept):
        gap = spaces[i] or (" " if following != i + 1 else "")
        parts.append(surfaces[i] + gap)
    parts.append(surfaces[kept[-1]])
    return " ".join("".join(parts).split())
