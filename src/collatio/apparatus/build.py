"""From witnesses to an apparatus: the apparatus stage, composed.

1. every witness becomes one collated text per state (``F``; ``D-ac`` and ``D-pc`` for a
   draft with hand revisions), tokenized and normalized;
2. the texts are aligned into one table (:mod:`collatio.apparatus.aligned`): a document's
   states with each other by source identity, editorial gaps anchored first, the most
   similar documents first (:func:`guide_order`), with transpositions;
3. each text's tokens are grouped into words with their punctuation
   (:mod:`collatio.apparatus.words`) and the table is cut into variation units and their
   sub-units by the rules of :mod:`collatio.apparatus.grouping`;
4. the units get their readings, places and marks, the base text between them its pieces,
   and every moved block a report unit (:mod:`collatio.apparatus.assemble`);
5. what became of each hand revision (:mod:`collatio.apparatus.revisions`), and whether the
   texts are versions of one text at all (:func:`relatedness`).

The base text (the lemma) is the latest dated witness unless ``base`` names another; for a
witness with revision states the base is its last (revised) state; with nothing dated, the
first witness's last state (see :func:`choose_base`).
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Callable, Iterable, Sequence
from typing import cast

import attrs

from collatio._indices import indices
from collatio._workers import fork_map
from collatio.align import Alignment, Transposition
from collatio.align.guide import SAMPLE, SAMPLE_ABOVE, guide_tree
from collatio.align.guide import guide_order as guide_order  # re-exported: its old home
from collatio.apparatus.aligned import Anchors, collation_table, structural_key
from collatio.apparatus.assemble import Assembler
from collatio.apparatus.grouping import Cutter, Piece, UnitPlan
from collatio.apparatus.marks import DOCUMENT_DEPTH, StateMarks
from collatio.apparatus.model import (
    Apparatus,
    CollatedWitness,
    DocumentText,
    Reading,
    Run,
    UnitType,
    VariationUnit,
)
from collatio.apparatus.places import PlaceMaker, surface
from collatio.apparatus.revisions import revision_fates
from collatio.apparatus.words import groups_of
from collatio.diagnostics import Diagnostic, Severity
from collatio.errors import CollationError, LimitError, UnknownBaseError
from collatio.markup.tree import Node, Span
from collatio.normalize import Normalization
from collatio.progress import stage
from collatio.textpos import LineIndex
from collatio.tokens import TokenKind, TokenList, tokenize
from collatio.witness import State, StateName, Witness

#: Suffixes of the revision-state sigla: *ante correctionem*, *post correctionem* (the
#: layers between are ``-c1``, ``-c2``...: :attr:`collatio.witness.State.suffix`).
STATE_SUFFIX = {StateName.ANTE: "-ac", StateName.POST: "-pc"}
STATE_LABEL = {StateName.ANTE: "as first written", StateName.POST: "as revised"}


def _threshold(value: float | None) -> None:
    if value is not None and not 0.0 < value <= 1.0:
        raise CollationError(f"a near-matching threshold is in (0, 1], not {value}")


@attrs.frozen(slots=True)
class CollationOptions:
    """How to collate. ``base`` is a siglum (``F``, ``D`` or ``D-ac``); None: latest dated.

    ``join`` and ``segment`` count words (see :mod:`collatio.apparatus.grouping`);
    ``related`` is the share of its words a document must share with another for the texts
    to count as versions of one text (below it, a diagnostic says so and, when no document
    reaches it, the apparatus is one unit rather than a list of chance matches).
    """

    base: str | None = None
    normalization: Normalization = attrs.field(factory=Normalization)
    join: int = 2
    segment: int = 4
    transpositions: bool = True
    transposition_min_length: int = 4
    related: float = 0.2
    #: Near matching: a similarity threshold in (0, 1] (see collatio.align.near), or None.
    near: float | None = attrs.field(default=None, validator=lambda _, __, value: _threshold(value))
    #: Guards: more texts or tokens than this are refused before any work is done.
    max_texts: int = 1000
    max_tokens: int = 30_000_000
    #: Processes that may tokenize the texts (see :func:`tokenize_states`; :func:`collatio.collate`
    #: reads its files with as many): 1, this one.
    workers: int = attrs.field(default=1, validator=lambda _, __, value: _workers(value))

    def __repr__(self) -> str:
        normalizers = "+".join(self.normalization.names)
        return (f"<CollationOptions base={self.base or '(latest dated)'} "
                f"normalize={normalizers} join={self.join} "
                f"transpositions={'on' if self.transpositions else 'off'}>")


def _workers(value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"workers must be a whole number of at least 1, not {value!r}")


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
    """The base siglum: *requested* (a witness or a state), else the latest dated witness,
    in its last state (the revised one); with nothing dated, the first witness in its last
    state.

    >>> texts = [CollatedWitness("W1-ac", "W1", "ante", "", None, ""),
    ...          CollatedWitness("W1-pc", "W1", "post", "", None, ""),
    ...          CollatedWitness("W2", "W2", "text", "", None, "")]
    >>> choose_base(texts, None)
    'W1-pc'
    """
    sigla = [c.siglum for c in collated]
    if requested is not None:
        if requested in sigla:
            return requested
        for suffix in ("-pc", ""):
            for c in collated:
                if c.witness == requested and c.siglum == requested + suffix:
                    return c.siglum
        same = [c.siglum for c in collated if c.witness == requested]
        if same:
            return same[-1]
        raise UnknownBaseError(
            f"unknown base {requested!r}; choose one of: {', '.join(sigla)}"
        )
    dated = [(c.date, i) for i, c in enumerate(collated) if c.date]
    if not dated:
        first = collated[0].witness
        return [c.siglum for c in collated if c.witness == first][-1]
    latest = max(date for date, _ in dated)
    # among witnesses of the latest date, the last state (post over ante), then the first
    candidates = [i for date, i in dated if date == latest]
    first_witness = collated[candidates[0]].witness
    same_witness = [i for i in candidates if collated[i].witness == first_witness]
    return collated[same_witness[-1]].siglum


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
    index = indices(0)  # held to the end: groups may be made before collate_tokens holds it
    token_lists = tokenize_states(
        [(witness.state(state), c.siglum) for c, witness, state in entries],
        options.normalization, options.workers,
    )
    indexes = {w.path: w.line_index() for w in witnesses}
    marks: list[StateMarks | None] = []
    for _, witness, state in entries:
        if any(isinstance(node, Span) for node in witness.nodes):
            marks.append(StateMarks(witness.nodes, witness.state(state), witness.source,
                                    indexes[witness.path]))
        else:
            marks.append(None)
    apparatus = collate_tokens(
        [c for c, _, _ in entries],
        token_lists,
        [indexes[w.path] for _, w, _ in entries],
        options,
        diagnostics,
        marks=marks,
    )
    del index
    documents = tuple(document_text(witness) for witness in witnesses)
    too_deep = [d for d in map(_too_deep, witnesses) if d is not None]
    return attrs.evolve(
        apparatus,
        revisions=revision_fates(apparatus, witnesses),
        documents=documents,
        diagnostics=(*apparatus.diagnostics, *too_deep),
    )




#: Below this many tokens in all, a table's transpositions are searched in this process
#: (forking costs about 0.02 s; the search, 0.3 s for a million-word pair).
PARALLEL_TOKENS = 200_000

#: A text of fewer characters is tokenized in this process (a forked child pays about
#: 0.15 s for a million words sent back, against 0.5 s of work).
PARALLEL_CHARS = 500_000


def tokenize_states(
    states: Sequence[tuple[State, str]],
    normalization: Normalization,
    workers: int = 1,
) -> list[TokenList]:
    """Each (state, siglum) tokenized; the states of :data:`PARALLEL_CHARS` characters or
    more shared out among *workers* processes, this one and forked children (see
    :func:`collatio._workers.fork_map`). The same token lists either way: their revision
    and gap spans are the states' own span objects, not copies."""
    if workers < 2:
        return [tokenize(state, siglum, normalization) for state, siglum in states]
    shared: list[object] = []
    for state, _ in states:
        shared.extend(p.revision_span for p in state.pieces if p.revision_span is not None)
        shared.extend(m.span for m in state.markers)
    # this process's own texts are grouped into words while it waits for the others
    return fork_map(lambda job: tokenize(job[0], job[1], normalization), states, workers,
                    shared, meanwhile=lambda mine: [groups_of(tl) for tl in mine],
                    worth=lambda job: len(job[0].text) >= PARALLEL_CHARS)


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
    *,
    marks: Sequence[StateMarks | None] = (),
) -> Apparatus:
    """Collate texts that are already tokenized (one :class:`TokenList` per witness, with the
    line index of the text its offsets refer to, and, for a marked document, its
    :class:`StateMarks`)."""
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
    documents = [c.witness for c in collated]
    index = indices(0)  # held to the end: the stages below share its int objects
    with stage(f"aligning {len(collated)} texts ({total:,} tokens)"):
        alignment, anchors, parents, moves = align_texts(token_lists, documents, options)
    groups = [groups_of(tl) for tl in token_lists]
    document_numbers = [list(dict.fromkeys(documents)).index(d) for d in documents]
    cutter = Cutter(alignment, token_lists, groups, document_numbers, join=options.join,
                    segment=options.segment, extents=anchors.extents)
    shares = relatedness(alignment, token_lists, document_numbers, parents, options.related)
    found = list(diagnostics)
    found.extend(_approximations(alignment, collated, token_lists, line_indexes))
    unrelated = _unrelated(collated, document_numbers, shares, options.related)
    found.extend(unrelated)
    related = not unrelated or any(
        share >= options.related for share in shares.values())
    with stage("grouping variation units"):
        if moves is None:
            plans = cutter.top_level() if related else _one_unit(cutter)
        else:  # the cutter reads the table only: the moves can be found meanwhile
            plans, found_moves = _plans_and_moves(
                cutter, related, moves, options.workers if total >= PARALLEL_TOKENS else 1)
            alignment = alignment.with_transpositions(found_moves)
        places = PlaceMaker(token_lists, line_indexes, marks)
        b = sigla.index(base)
        assembler = Assembler(alignment, token_lists, cutter.groups, cutter, places, sigla, b)
        units, flow, flow_runs = _units(assembler, plans, alignment, token_lists, b, related)
    del index
    return Apparatus(
        witnesses=tuple(collated),
        base=base,
        units=units,
        flow=flow,
        flow_runs=flow_runs,
        documents=tuple(
            DocumentText(c.siglum, c.label, (Run(tl.text),))
            for c, tl in zip(collated, token_lists, strict=True)
        ),
        alignment=alignment,
        tokens=tuple(token_lists),
        diagnostics=tuple(found),
    )


def _plans_and_moves(
    cutter: Cutter, related: bool, moves: Callable[[], tuple[Transposition, ...]], workers: int
) -> tuple[list[UnitPlan], tuple[Transposition, ...]]:
    """The top-level units' plans, and the table's transpositions (*moves* finds them),
    searched in a forked child while this process cuts the table when *workers* allows."""
    jobs: list[Callable[[], object]] = [
        lambda: cutter.top_level() if related else _one_unit(cutter), moves]
    plans, found = fork_map(_run, jobs, workers)
    return cast("list[UnitPlan]", plans), cast("tuple[Transposition, ...]", found)


def _run(job: Callable[[], object]) -> object:
    return job()


def align_texts(
    token_lists: Sequence[TokenList], documents: Sequence[str], options: CollationOptions
) -> tuple[Alignment, Anchors, list[int] | None, Callable[[], tuple[Transposition, ...]] | None]:
    """The collation table of :mod:`collatio.apparatus.aligned` (documents in
    :func:`guide_order`), where it was cut, each document's parent in the guide tree
    (None for two documents or fewer), and, when the table comes without its
    transpositions, what finds them (see :func:`collation_table`'s ``moves_later``)."""
    names = list(dict.fromkeys(documents))
    if len(names) <= 2:
        order, parents = None, None
    else:
        # the guide order of the documents, each as its first text (its states share
        # almost all their bigrams)
        firsts = [documents.index(name) for name in names]
        order, parents = guide_tree([token_lists[t].norms for t in firsts])
    alignment, anchors, moves = collation_table(
        token_lists, documents, transpositions=options.transpositions,
        transposition_min_length=options.transposition_min_length, order=order,
        near=options.near, moves_later=True, workers=options.workers,
    )
    return alignment, anchors, parents, moves


#: The guide order lives with the aligner (collatio.align.guide); its sampling constants are
#: kept here under their old names.
_SAMPLE_ABOVE = SAMPLE_ABOVE
_SAMPLE = SAMPLE


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


#: Documents shorter than this (in words) get no verdict on whether they are related.
_RELATED_MIN_WORDS = 50
#: Aligned words count towards relatedness in runs of at least this many (a chance match of a
#: function word between two unrelated texts is no sign of kinship).
_RELATED_RUN = 3
#: Up to this many documents, relatedness weighs every pair of them; above, the guide tree's.
_RELATED_ALL_PAIRS = 8


def relatedness(
    alignment: Alignment, token_lists: Sequence[TokenList], documents: Sequence[int],
    partners: Sequence[int] | None = None, enough: float | None = None,
) -> dict[int, float]:
    """For each document, the largest share of words it has in common with another
    document: words aligned with that document's (one reading, or words that differ only
    in case, accents or marks side by side), in runs of at least three; of its own words or
    of the other's, whichever is larger (an excerpt shares most of its words with the whole
    it comes from). Empty with one document, or when a document has too few words for a
    verdict.

    Up to ``_RELATED_ALL_PAIRS`` documents every pair is weighed; above that, only the pairs
    of the guide tree *partners* (``partners[d]``: the document *d* joined beside, -1 for
    none; see :func:`collatio.align.guide.guide_tree`), which hold each document's most
    similar one, so the share is the largest among its tree neighbours. With *enough*, a
    pair is not weighed when both its documents already share that much with another (the
    verdict needs no more): a document's share is then exact below *enough* and at least
    *enough* above it. Cost O(words x pairs): O(words x documents) with a tree, or when the
    documents are versions of one text and *enough* is given."""
    last: dict[int, int] = {}
    for t, d in enumerate(documents):
        last[d] = t
    if len(last) < 2:
        return {}
    readings, cells = alignment.readings, alignment.cells
    texts = dict(last)
    flags = {d: token_lists[t].word_flags() for d, t in texts.items()}
    sizes = {d: found.count(1) for d, found in flags.items()}
    if any(size < _RELATED_MIN_WORDS for size in sizes.values()):
        return {}
    words: dict[int, tuple[list[int], list[int]]] = {}

    def words_of(d: int) -> tuple[list[int], list[int]]:
        """Document *d*'s words: their token indices and their columns (made when a pair
        needs more than the words read alike)."""
        found = words.get(d)
        if found is None:
            mine = list(itertools.compress(indices(len(flags[d])), flags[d]))
            found = words[d] = (mine, list(map(alignment.token_columns(texts[d]).__getitem__,
                                               mine)))
        return found

    if partners is None or len(texts) <= _RELATED_ALL_PAIRS:
        pairs = [(d, e) for d in texts for e in texts if d < e]
    else:
        pairs = sorted({(min(d, p), max(d, p)) for d, p in enumerate(partners) if p >= 0})

    def key(t: int, i: int) -> str:  # only where two aligned words read differently
        tl = token_lists[t]
        return structural_key(tl.surfaces[i], tl.kinds[i], tl.norms[i])

    def share(d: int, e: int, alike: list[bool], keyed: dict[int, bool]) -> float:
        """The share of *d*'s words aligned with *e*'s, in runs; *alike*: the columns
        where the two read alike; *keyed*: the columns of two readings already weighed
        (the other direction of the pair weighs the same columns again)."""
        t, u = texts[d], texts[e]
        hits = bytearray(itertools.compress(map(alike.__getitem__, alignment.token_columns(t)),
                                            flags[d]))
        if enough is not None:  # the words read alike may already be enough for a verdict
            counted = sum(len(run) for run in hits.split(b"\0") if len(run) >= _RELATED_RUN)
            if counted / sizes[d] >= enough:  # at most the share: hits only lengthen runs
                return counted / sizes[d]
        mine, at = words_of(d)
        row = cells[u]
        for k in itertools.compress(itertools.count(), map(operator.not_, hits)):
            c = at[k]
            found = keyed.get(c)
            if found is None:
                other = row[c]  # two readings: do the words differ only in case or marks?
                found = keyed[c] = other is not None and key(u, other) == key(t, mine[k])
            if found:
                hits[k] = True
        counted = sum(len(run) for run in hits.split(b"\0") if len(run) >= _RELATED_RUN)
        return counted / sizes[d]

    best = dict.fromkeys(texts, 0.0)
    for d, e in pairs:
        if enough is not None and best[d] >= enough and best[e] >= enough:
            continue
        # one reading: the same reading number (a text without a token has None there)
        alike = list(map(operator.eq, map(operator.itemgetter(texts[d]), readings),
                         map(operator.itemgetter(texts[e]), readings)))
        keyed: dict[int, bool] = {}
        value = share(d, e, alike, keyed)
        if enough is None or value < enough:
            value = max(value, share(e, d, alike, keyed))
        best[d], best[e] = max(best[d], value), max(best[e], value)
    return best


def _unrelated(
    collated: Sequence[CollatedWitness], documents: Sequence[int], shares: dict[int, float],
    threshold: float,
) -> list[Diagnostic]:
    """A warning for each document that shares less than *threshold* of its words with
    every other document."""
    out = []
    for d, share in shares.items():
        if share >= threshold:
            continue
        name = collated[documents.index(d)].witness
        out.append(Diagnostic(
            Severity.WARNING, "unrelated-texts",
            f"{name} has at most {share:.0%} of its words in common with any other text "
            f"(below {threshold:.0%}): the texts may not be versions of one text"
            + ("" if any(s >= threshold for s in shares.values()) else
               "; the apparatus sets each text whole against the others"),
            collated[documents.index(d)].path,
        ))
    return out


def _one_unit(cutter: Cutter) -> list[UnitPlan]:
    """Texts that are not versions of one text: one unit, each text whole."""
    columns = tuple(cutter.word_columns())
    if not columns:
        return []
    everyone = tuple(range(cutter.count))
    return [cutter.plan(Piece(columns, everyone), 0)]


def _units(
    assembler: Assembler,
    plans: Sequence[UnitPlan],
    alignment: Alignment,
    token_lists: Sequence[TokenList],
    base: int,
    moves: bool = True,
) -> tuple[tuple[VariationUnit, ...], tuple[str, ...], tuple[tuple[Run, ...], ...]]:
    """The top-level units in text order (moved blocks' report units among them), numbered,
    with the base text around them."""
    # texts that are not versions of one another (one unit): nothing moved within a text
    blocks = moved_blocks(alignment, token_lists, base, assembler) if moves else []
    # (position, 0 for a unit / 1 for a report, what)
    order: list[tuple[int, int, int]] = [(plan.piece.columns[0], 0, k)
                                          for k, plan in enumerate(plans)]
    order.extend((position, 1, k) for k, (_, _, position) in enumerate(blocks))
    order.sort()
    ids: dict[tuple[int, int], str] = {}
    for number, (_, kind, k) in enumerate(order, 1):
        ids[(kind, k)] = f"u{number}"
    for k, (places, _, _) in enumerate(blocks):
        for w, s0, e0 in places:
            assembler.places.moves[w].append((s0, e0, ids[(1, k)]))
    for held in assembler.places.moves:
        held.sort()
    units: list[VariationUnit] = []
    ranges: list[tuple[int, int] | None] = []
    for _, kind, k in order:
        if kind == 0:
            units.append(assembler.unit(plans[k], ids[(0, k)]))
            # the base's reading's range, or where it is lacunose, its gap
            ranges.append(assembler.cutter.piece_range(base, plans[k].piece))
        else:
            units.append(_report(assembler, blocks[k], ids[(1, k)]))
            ranges.append(None)
    flow, flow_runs = assembler.base_flow(ranges)
    return tuple(units), flow, flow_runs


def moved_blocks(
    alignment: Alignment, token_lists: Sequence[TokenList], base: int, assembler: Assembler
) -> list[tuple[list[tuple[int, int, int]], int, int]]:
    """The moved blocks the aligner found, each once: its places ``(text, token start,
    token end)``, the place it is anchored at (the base's, if the base has it) and its
    position (the anchor's first column).

    Blocks are accepted longest first; one that needs tokens an accepted block holds is
    dropped (its words stay ordinary differences). A text the aligner did not name but that
    holds the block in the same columns as one of its places joins that place.
    """
    by_block: dict[tuple[int, int, int], list[tuple[int, int, int]]] = {}
    for t in alignment.transpositions:
        by_block.setdefault((t.witness_a, t.a_start, t.a_end), []).append(
            (t.witness_b, t.b_start, t.b_end))
    if not by_block:
        return []
    count = len(token_lists)
    columns = [alignment.token_columns(w) for w in range(count)]
    moved: list[set[int]] = [set() for _ in range(count)]
    out: list[tuple[list[tuple[int, int, int]], int, int]] = []
    ordered = sorted(by_block.items(), key=lambda item: (item[0][1] - item[0][2], item[0]))
    for (wa, a0, a1), others in ordered:
        members: list[tuple[int, int, int]] = []
        for member in [(wa, a0, a1), *others]:
            if all(member[0] != m[0] for m in members):
                members.append(member)
        if any(not moved[w].isdisjoint(range(s0, e0)) for w, s0, e0 in members):
            continue
        for w, s0, e0 in members:
            moved[w].update(range(s0, e0))
        taken = {m[0] for m in members}
        places = list(members)
        # what a text must hold to join a place: the columns and words of the first place at
        # the same offsets; places alike in both are tried once (a text that joins none would
        # otherwise be tried against every text that joined before it)
        looks: dict[tuple[int, int, tuple[str, ...]], None] = {}
        owners: dict[tuple[int, int], tuple[int, int, int]] = {}
        for place in places:
            _look(place, owners, looks, columns, token_lists)
        for w in range(count):
            if w in taken:
                continue
            for c0, c1, norms in list(looks):
                mine = [i for i in alignment.cells[w][c0:c1]
                        if i is not None and token_lists[w].kinds[i] is not TokenKind.GAP]
                if not mine or not moved[w].isdisjoint(mine):
                    continue
                if tuple(token_lists[w].norms[i] for i in mine) == norms:
                    places.append((w, mine[0], mine[-1] + 1))
                    _look(places[-1], owners, looks, columns, token_lists)
                    moved[w].update(mine)
                    taken.add(w)
                    break
        anchor = next((k for k, p in enumerate(places) if p[0] == base), 0)
        aw, as0, _ = places[anchor]
        out.append((places, anchor, columns[aw][as0]))
    return out


def _look(
    place: tuple[int, int, int],
    owners: dict[tuple[int, int], tuple[int, int, int]],
    looks: dict[tuple[int, int, tuple[str, ...]], None],
    columns: Sequence[Sequence[int]],
    token_lists: Sequence[TokenList],
) -> None:
    """Note what a text must hold to join *place* in :func:`moved_blocks`: the columns and
    words of the first place (*owners*) at the same token offsets."""
    o, s0, e0 = owners.setdefault((place[1], place[2]), place)
    looks.setdefault((columns[o][s0], columns[o][e0 - 1] + 1, tuple(token_lists[o].norms[s0:e0])))


def _report(
    assembler: Assembler, block: tuple[list[tuple[int, int, int]], int, int], unit_id: str
) -> VariationUnit:
    """The transposition unit of one moved block: the block at each of its places, every
    other text as lacking it (om.) or lacunose, so the unit is positive like the others."""
    places, _, position = block
    token_lists = assembler.token_lists
    sigla = assembler.sigla
    readings = [
        Reading(surface(token_lists[w], s0, e0), (sigla[w],),
                (assembler.places.make(w, s0, e0),))
        for w, s0, e0 in places
    ]
    taken = {w for w, _, _ in places}
    cutter = assembler.cutter
    lacunose = tuple(t for t in cutter.lacunose(position) if t not in taken)
    absent = [w for w in range(len(token_lists)) if w not in taken and w not in lacunose]
    if absent:
        points = []
        for w in absent:
            point = bisect_point(assembler, w, position)
            points.append(assembler.places.make(w, point, point))
        readings.append(Reading("", tuple(sigla[w] for w in absent), tuple(points)))
    piece = Piece((position,), tuple(range(len(token_lists))), lacunose)
    return assembler.finish(unit_id, readings, piece, sigla[assembler.base],
                            UnitType.TRANSPOSITION)


def bisect_point(assembler: Assembler, w: int, column: int) -> int:
    """The index of text *w*'s first token at or after *column*."""
    import bisect

    return bisect.bisect_left(assembler.alignment.token_columns(w), column)
