"""The collation table: every collated text aligned with every other, token by token.

Three things make it an editor's table rather than a plain multiple alignment of the texts:

* **A document's states are aligned by source identity.** A draft as first written and as
  revised are two texts made of one source: a token they share is the same characters of
  the document, so they agree exactly where the hand did not revise, whatever a diff would
  prefer (a diff may pair the draft's ``. I believe`` with the wrong ``believe`` of an
  inserted sentence). Each document takes part in the alignment as the *union* of its
  states' tokens in source order; each state then takes its own tokens from the union's
  columns. Any number of states of one document is handled alike.
* **Anchors.** Words found exactly once in every document (on fixed keys: see
  :func:`structural_key`), in the same order, are matched first and cut the documents into
  pieces that are aligned each on its own, as in patience diff: an equally long alignment
  elsewhere can no longer pull a sentence's words into another sentence (the final's ``one
  consideration about the domestic situation`` stays against the draft's ``a consideration
  that is new to me``), and an edit in one place cannot change the alignment beyond the
  anchors around it. Done below :data:`ANCHOR_LIMIT` tokens; longer inputs are anchored by
  the pairwise engine itself.
* **An editorial gap is anchored before anything else.** The documents are aligned word by
  word on the fixed keys, between the anchors; each gap's extent (what the other texts have
  between the words before and after it) is read off that table and cuts the texts again.
  The fixed keys leave out what ``--normalize`` changes (case, accents, punctuation), so no
  normalization can change where a gap is or what it covers.

The pieces are aligned in one :func:`collatio.align.align` call (a token's key carries its
piece, so nothing matches across a cut); transpositions are then taken from an alignment
of the uncut keys, kept where the cut table leaves both blocks unmatched. Cost: one or two
multiple alignments, O(tokens log tokens) for unions and anchors, O(columns x texts) to
spread a document's columns over its states; a collation of documents without revision
states, without gaps and above the anchor limit is exactly one ``align`` call.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import unicodedata
from collections import Counter
from collections.abc import Callable, Hashable, Sequence

import attrs

from collatio.align import Alignment, Approximation, Transposition, align, transpositions_of
from collatio.align.near import Similarity, at_least
from collatio.normalize import casefold, strip_accents, strip_punctuation, typography
from collatio.tokens import TokenKind, TokenList

_HEADS = (TokenKind.WORD, TokenKind.NUMBER, TokenKind.GAP)

#: Above this many tokens in all, anchors are left to the pairwise engine (which anchors
#: long inputs on unique keys itself), so that big collations cost one alignment.
ANCHOR_LIMIT = 60_000


def structural_key(surface: str, kind: TokenKind, norm: str) -> str:
    """The comparison key of a word when anchors and gaps are found: compatibility and
    typographic forms, case and accents folded, punctuation removed (so a word with its
    comma carried, as the ``punctuation`` normalization makes it, keys as the bare word).
    Everything ``--normalize`` can fold is folded here, so what these keys decide cannot
    depend on the normalization. A gap keeps its own key.

    >>> structural_key("War,", TokenKind.WORD, "war")
    'war'
    """
    if kind is TokenKind.GAP:
        return norm
    return _surface_key(surface)


# Called once per token of every text (2.2 million times for a 1M-word pair) on a vocabulary
# far smaller than that: remembered, within a bound, the folding costs once per word form.
@functools.lru_cache(maxsize=1 << 17)
def _surface_key(surface: str) -> str:
    key = strip_punctuation(strip_accents(casefold(typography(
        unicodedata.normalize("NFKC", surface)))))
    return key or surface


@attrs.frozen(slots=True)
class _Document:
    """One document's union of its states' tokens: element *e* is token ``tokens[t][e]`` of
    state *t* (None where that state lacks it); ``norms``/``kinds``/``surfaces`` per element."""

    texts: tuple[int, ...]
    norms: tuple[str, ...]
    kinds: tuple[TokenKind, ...]
    surfaces: tuple[str, ...]
    #: per state (in ``texts`` order): element -> the state's token (None where absent)
    tokens: tuple[Sequence[int | None], ...]
    #: per state: token -> element (increasing)
    elements: tuple[Sequence[int], ...]


def _union(texts: Sequence[int], token_lists: Sequence[TokenList]) -> _Document:
    """The union of *texts* (states of one document): tokens keyed by source offset and
    text (a gap by its mark), in source order."""
    if len(texts) == 1:
        tl = token_lists[texts[0]]
        every = range(len(tl))  # no million int objects for the identity
        return _Document(tuple(texts), tl.norms, tl.kinds, tl.surfaces, (every,), (every,))
    # a token is one element of the document across its states when it is the same
    # characters of the source; a gap token (which has no characters) belongs to its state
    # alone and stands right after the token before it there
    keyed: dict[tuple[int, int, str, int], tuple[int, int]] = {}
    mine_keys: list[list[tuple[int, int, str, int]]] = []
    for k, t in enumerate(texts):
        tl = token_lists[t]
        kinds = tl.kinds
        row: list[tuple[int, int, str, int]] = []
        previous = -1
        for i, (start, surface) in enumerate(zip(tl.source_starts, tl.surfaces, strict=True)):
            if kinds[i] is TokenKind.GAP:
                key = (previous, 1, surface, k * (1 << 32) + i)
            else:
                key = (start, 0, surface, -1)
                previous = start
            row.append(key)
            keyed.setdefault(key, (k, i))
        mine_keys.append(row)
    order = sorted(keyed)
    element_of = {key: e for e, key in enumerate(order)}
    norms: list[str] = []
    kinds_out: list[TokenKind] = []
    surfaces: list[str] = []
    for key in order:
        k, i = keyed[key]
        tl = token_lists[texts[k]]
        norms.append(tl.norms[i])
        kinds_out.append(tl.kinds[i])
        surfaces.append(tl.surfaces[i])
    tokens: list[tuple[int | None, ...]] = []
    elements: list[tuple[int, ...]] = []
    for k, t in enumerate(texts):
        tl = token_lists[t]
        mine = tuple(element_of[key] for key in mine_keys[k])
        if any(b <= a for a, b in itertools.pairwise(mine)):
            raise ValueError(f"the tokens of {tl.siglum} are not in source order")
        row_of: list[int | None] = [None] * len(order)
        for i, e in enumerate(mine):
            row_of[e] = i
        tokens.append(tuple(row_of))
        elements.append(mine)
    return _Document(tuple(texts), tuple(norms), tuple(kinds_out), tuple(surfaces),
                     tuple(tokens), tuple(elements))


@attrs.frozen(slots=True)
class Anchors:
    """Where the documents were cut before the final alignment: for each cut, each
    document's element index there (in text order). ``gaps`` are the cuts around gaps'
    extents (the pieces between them are aligned apart and their tables joined, so that
    every column of one piece precedes every column of the next); ``cuts`` also holds the
    anchors (within a piece, nothing matches across them). Empty when nothing was cut."""

    cuts: tuple[tuple[int, ...], ...] = ()
    gaps: tuple[tuple[int, ...], ...] = ()
    #: the table columns of each piece between gap cuts that holds a gap: a gap's extent
    #: (filled in once the table is made)
    extents: tuple[tuple[int, int], ...] = ()


def collation_table(
    token_lists: Sequence[TokenList],
    documents: Sequence[str],
    *,
    transpositions: bool,
    transposition_min_length: int,
    order: Sequence[int] | None = None,
    near: float | None = None,
    moves_later: bool = False,
    workers: int = 1,
) -> tuple[Alignment, Anchors, Callable[[], tuple[Transposition, ...]] | None]:
    """The token-level table of *token_lists* (see the module docstring); *documents* names
    each text's document (the states of one document share a name), *order* the order in
    which the documents join (default: as given), *near* the near-matching threshold of
    :func:`collatio.align.align`, *workers* the processes its diff of a long pair may use.
    Stretches the aligner placed by its bounded fallback are the table's
    ``approximations``, in text token indices.

    With *moves_later*, a table that is one alignment of the texts in their given order
    comes without its transpositions, and the third value finds them (so that the caller
    can do other work meanwhile: the table's ``with_transpositions`` takes them); it is
    None when the table has them already."""
    names = list(dict.fromkeys(documents))
    members = [tuple(t for t, d in enumerate(documents) if d == name) for name in names]
    unions = [_union(texts, token_lists) for texts in members]
    keys: list[Sequence[Hashable]] = [u.norms for u in unions]
    anchored = sum(map(len, token_lists)) <= ANCHOR_LIMIT
    uncut: Alignment | None = None
    moved: list[set[int]] = [set() for _ in unions]
    if transpositions and (anchored or any(TokenKind.GAP in u.kinds for u in unions)):
        # the moves first, on the uncut texts: a moved block's words anchor nothing (a word
        # unique in every text but moved would pin the block to one of its two places)
        uncut = align(keys, detect_transpositions=True,
                      transposition_min_length=transposition_min_length, order=order,
                      near=near)
        for move in uncut.transpositions:
            moved[move.witness_a].update(range(move.a_start, move.a_end))
            moved[move.witness_b].update(range(move.b_start, move.b_end))
    anchors = _cuts(unions, order, anchored, moved)
    # a text with a gap is aligned part by part even where nothing cuts it (its gaps at its
    # two ends): what a gap covers is found on words alone, whatever the normalization
    pending: Callable[[], tuple[Transposition, ...]] | None = None
    if not anchors.cuts and not any(TokenKind.GAP in u.kinds for u in unions):
        # (one text per document, in the given order: this table is the texts' table)
        later = moves_later and transpositions and uncut is None and order is None \
            and all(len(texts) == 1 for texts in members)
        table = uncut if uncut is not None else align(
            keys, detect_transpositions=transpositions and not later,
            transposition_min_length=transposition_min_length, order=order, near=near,
            workers=workers)
        if later:
            pending = functools.partial(transpositions_of, keys, table,
                                        transposition_min_length=transposition_min_length)
    else:
        table, extents = _parts(keys, anchors, order, unions, near)
        anchors = attrs.evolve(anchors, extents=tuple(extents))
        if uncut is not None:
            table = _with_moves(table, uncut.transpositions)
    if all(len(texts) == 1 for texts in members):
        # one text per document: the documents' table is the texts' table (reordered if
        # the documents' order is not the texts')
        position = [next(k for k, texts in enumerate(members) if texts[0] == t)
                    for t in range(len(token_lists))]
        if position != list(range(len(token_lists))):
            if pending is not None:  # found on the table they belong to, then reordered
                table, pending = table.with_transpositions(pending()), None
            table = table.reordered(position)
        return table, anchors, pending
    return _spread(table, unions, len(token_lists), token_lists), anchors, None


def _cuts(unions: Sequence[_Document], order: Sequence[int] | None,
          anchored: bool, moved: Sequence[set[int]] = ()) -> Anchors:
    """The cuts: before every anchor word (when *anchored*; never a word of a block in
    *moved*, each document's moved elements), and around every gap's extent as a
    word-by-word alignment on structural keys between the anchors finds it."""
    has_gap = any(TokenKind.GAP in u.kinds for u in unions)
    if not has_gap and (not anchored or len(unions) < 2):
        return Anchors()
    words: list[list[int]] = []  # per document: its word elements
    keys: list[list[str]] = []
    for u in unions:
        mine = [e for e, kind in enumerate(u.kinds) if kind in _HEADS]
        words.append(mine)
        keys.append([structural_key(u.surfaces[e], u.kinds[e], u.norms[e]) for e in mine])
    chain: list[tuple[int, ...]] = []
    if anchored and len(unions) > 1:
        candidates = keys
        if any(moved):  # a moved word is nobody's anchor: a key of its own in its document
            candidates = [[f"\x00moved:{d}:{k}" if e in moved[d] else key
                           for k, (e, key) in enumerate(zip(words[d], keys[d], strict=True))]
                          for d in range(len(unions))]
        chain = _anchor_chain(candidates)
    # word-level cuts: before each anchor, as word indices per document
    word_cuts: list[tuple[int, ...]] = [tuple(k) for k in chain]
    gap_cuts = _gap_cuts(keys, word_cuts, order) if has_gap else []

    def elements(cut: tuple[int, ...], start: bool = False) -> tuple[int, ...]:
        """The element indices of a cut before word *k* of each document; a cut that opens a
        gap's extent right where a gapped text's gap follows its word (``army [...]``) comes
        right after the word before it instead, so that the other texts' marks after that
        word are in the extent (the gapped text's own marks there are unknown)."""
        unknown = start and any(
            0 < k < len(words[d]) and keys[d][k].startswith("\x00gap:")
            and words[d][k] == words[d][k - 1] + 1
            for d, k in enumerate(cut))
        out = []
        for d, (k, u) in enumerate(zip(cut, unions, strict=True)):
            if unknown:
                out.append(words[d][k - 1] + 1 if k > 0 else 0)
            else:
                out.append(words[d][k] if k < len(words[d]) else len(u.kinds))
        return tuple(out)

    def useful(cut: tuple[int, ...]) -> bool:  # a cut at the very start or end cuts nothing
        return any(cut) and any(e < len(u.kinds) for e, u in zip(cut, unions, strict=True))

    at_gaps = {e for c, start in gap_cuts if useful(e := elements(c, start))}
    cuts: list[tuple[int, ...]] = []
    gaps: list[tuple[int, ...]] = []
    # Every document's elements must go forward from cut to cut, or the pieces between
    # them would overlap in it. Word cuts do; a cut moved back to the word before a gap,
    # or one that a document without words at that place takes at its end, may not: such
    # a document's coordinate is held at the cut before (its elements there stay in the
    # piece before), so that the pieces tile every document in order.
    for cut in sorted({c for c in map(elements, word_cuts) if useful(c)} | at_gaps):
        held = tuple(map(max, cut, cuts[-1])) if cuts else cut
        if not cuts or held != cuts[-1]:
            if not useful(held):
                continue  # held at every document's end: it cuts nothing
            cuts.append(held)
        if cut in at_gaps and gaps[-1:] != [cuts[-1]]:
            gaps.append(cuts[-1])
    return Anchors(tuple(cuts), tuple(gaps))


def _parts(keys: Sequence[Sequence[Hashable]], anchors: Anchors,
           order: Sequence[int] | None, unions: Sequence[_Document],
           near: float | None = None) -> tuple[Alignment, list[tuple[int, int]]]:
    """The documents aligned piece by piece: apart between gap cuts (their tables joined
    in order), and within each part in one call with the anchors' pieces in the keys; and
    the column ranges of the parts that hold a gap. The pieces' approximations are kept,
    in document element indices."""
    count = len(keys)
    bounds = [tuple(0 for _ in range(count)), *anchors.gaps, tuple(len(k) for k in keys)]
    rows: list[list[int | None]] = [[] for _ in range(count)]
    readings: list[tuple[int | None, ...]] = []
    extents: list[tuple[int, int]] = []
    approximations: list[Approximation] = []
    pieces: list[tuple[tuple[int, ...], tuple[int, ...], bool]] = []
    for low, high in itertools.pairwise(bounds):
        gapped = [d for d in range(count) if TokenKind.GAP in unions[d].kinds[low[d]:high[d]]]
        if not gapped:
            pieces.append((low, high, False))
            continue
        # a gapped text's tokens after its gap (its own marks after "[...]", a word of its
        # that matches nothing) come after everything the gap covers in the others
        split = list(high)
        for d in gapped:
            kinds = unions[d].kinds
            last = max(e for e in range(low[d], high[d]) if kinds[e] is TokenKind.GAP)
            split[d] = last + 1
        pieces.append((low, tuple(split), True))
        if tuple(split) != high:
            pieces.append((tuple(split), high, False))
    for low, high, is_gap in pieces:
        if not any(high[d] > low[d] for d in range(count)):
            continue
        inside = Anchors(tuple(tuple(c[d] - low[d] for d in range(count))
                               for c in anchors.cuts
                               if all(low[d] < c[d] < high[d] for d in range(count))))
        cells: Sequence[Sequence[int | None]]
        piece_readings: Sequence[tuple[int | None, ...]]
        if is_gap:
            cells, piece_readings = _align_words(
                [unions[d] for d in range(count)], low, high, inside, order, near)
        else:
            piece = align(_cut_keys([keys[d][low[d]:high[d]] for d in range(count)], inside),
                          order=order, near_match=_piece_near(near))
            cells, piece_readings = piece.cells, piece.readings
            approximations.extend(
                attrs.evolve(a, start=a.start + low[a.witness], end=a.end + low[a.witness])
                for a in piece.approximations)
        start = len(readings)
        for d in range(count):
            shift = low[d]
            rows[d].extend(None if cell is None else cell + shift for cell in cells[d])
        readings.extend(piece_readings)
        if is_gap:
            extents.append((start, len(readings)))
    table = Alignment(tuple(len(k) for k in keys), tuple(tuple(r) for r in rows),
                      tuple(readings), approximations=tuple(approximations))
    return table, extents


def _align_words(
    unions: Sequence[_Document], low: Sequence[int], high: Sequence[int], inside: Anchors,
    order: Sequence[int] | None, near: float | None = None,
) -> tuple[list[list[int | None]], list[tuple[int | None, ...]]]:
    """The part of the documents between *low* and *high* that holds a gap, aligned on its
    words alone, on the fixed keys; each mark then takes a column of its own right after the
    token it follows. What a gap covers thus depends neither on the normalization (which
    decides whether a comma is a token of its own) nor on a mark being set against a word.
    Returns the cells (part-relative element indices) and the readings of each column (by
    the documents' comparison keys)."""
    count = len(unions)
    heads: list[list[int]] = []
    for d, u in enumerate(unions):
        heads.append([e for e in range(low[d], high[d]) if u.kinds[e] in _HEADS])
    keys = [[structural_key(unions[d].surfaces[e], unions[d].kinds[e], unions[d].norms[e])
             for e in heads[d]] for d in range(count)]
    cuts = Anchors(tuple(tuple(bisect.bisect_left(heads[d], c[d] + low[d]) for d in range(count))
                         for c in inside.cuts))
    table = align(_cut_keys(keys, cuts), order=order, near_match=_piece_near(near))
    cells: list[list[int | None]] = [[] for _ in range(count)]
    readings: list[tuple[int | None, ...]] = []

    def marks(d: int, start: int, end: int) -> None:
        for e in range(start, end):  # one column each, this document alone
            for other in range(count):
                cells[other].append(e - low[d] if other == d else None)
            readings.append(tuple(0 if other == d else None for other in range(count)))

    for d in range(count):  # marks before a document's first word
        marks(d, low[d], heads[d][0] if heads[d] else high[d])
    for c in range(table.width):
        # aligned on the fixed keys, read on the comparison keys: words the fixed keys
        # fold together (``The`` / ``the`` unless case is normalized) are two readings
        seen: dict[Hashable, int] = {}
        reading: list[int | None] = []
        for d in range(count):
            k = table.cells[d][c]
            cells[d].append(None if k is None else heads[d][k] - low[d])
            reading.append(None if k is None else seen.setdefault(
                unions[d].norms[heads[d][k]], len(seen)))
        readings.append(tuple(reading))
        for d in range(count):
            k = table.cells[d][c]
            if k is not None:
                marks(d, heads[d][k] + 1, heads[d][k + 1] if k + 1 < len(heads[d]) else high[d])
    return cells, readings


def _anchor_chain(keys: Sequence[Sequence[str]]) -> list[tuple[int, ...]]:
    """Word indices (one per document) of the keys found exactly once in every document,
    kept in an order that increases in every document (longest increasing subsequences,
    document by document)."""
    counts = [Counter(k) for k in keys]
    unique = set.intersection(*({key for key, n in c.items() if n == 1} for c in counts))
    if not unique:
        return []
    positions = [{key: i for i, key in enumerate(k) if key in unique} for k in keys]
    chain = sorted(unique, key=positions[0].__getitem__)
    for d in range(1, len(keys)):
        chain = _increasing([positions[d][key] for key in chain], chain)
    return [tuple(p[key] for p in positions) for key in chain]


def _increasing(values: Sequence[int], items: Sequence[str]) -> list[str]:
    """The items of a longest strictly increasing subsequence of *values* (patience sort,
    O(n log n))."""
    tails: list[int] = []  # index into values of the smallest tail of each length
    previous: list[int] = [-1] * len(values)
    tail_values: list[int] = []
    for i, v in enumerate(values):
        k = bisect.bisect_left(tail_values, v)
        if k == len(tails):
            tails.append(i)
            tail_values.append(v)
        else:
            tails[k] = i
            tail_values[k] = v
        previous[i] = tails[k - 1] if k else -1
    out: list[str] = []
    i = tails[-1] if tails else -1
    while i >= 0:
        out.append(items[i])
        i = previous[i]
    return out[::-1]


def _gap_cuts(keys: Sequence[Sequence[str]], anchors: Sequence[tuple[int, ...]],
              order: Sequence[int] | None) -> list[tuple[tuple[int, ...], bool]]:
    """Word-level cuts around each gap's extent (each with whether it opens an extent),
    from a word table cut at *anchors*: the extent runs from the last word before the gap
    that the table matches with another document's to the first such word after it (a word
    of the gapped text that matches nothing, like the final's *reply* against the draft's
    *response*, says nothing about where the omitted text begins)."""
    table = align(_cut_keys(keys, Anchors(tuple(anchors))), order=order)
    count = len(keys)
    columns = [table.token_columns(d) for d in range(count)]
    readings = table.readings

    def matched(d: int, k: int) -> bool:
        pattern = readings[columns[d][k]]
        return any(pattern[e] == pattern[d] for e in range(count) if e != d)

    cut_columns: set[int] = set()
    opening: set[int] = set()
    for d in range(count):
        mine = keys[d]
        gap = [key.startswith("\x00gap:") for key in mine]
        for k, is_gap in enumerate(gap):
            if not is_gap:
                continue
            before = k - 1
            while before >= 0 and (gap[before] or not matched(d, before)):
                before -= 1
            after = k + 1
            while after < len(mine) and (gap[after] or not matched(d, after)):
                after += 1
            opening.add(columns[d][before] + 1 if before >= 0 else 0)
            cut_columns.add(columns[d][after] if after < len(mine) else table.width)
    out = []
    for column in sorted(cut_columns | opening):
        out.append((tuple(bisect.bisect_left(columns[d], column) for d in range(count)),
                    column in opening))
    return out


def _piece_near(threshold: float | None) -> Similarity | None:
    """Near matching (``--near``) on the keys of :func:`_cut_keys`: two keys of one piece are
    as similar as their words; keys of two pieces are never similar."""
    if threshold is None:
        return None
    words = at_least(threshold)

    def similarity(a: Hashable, b: Hashable) -> float:
        if isinstance(a, tuple) and isinstance(b, tuple):
            return words(a[1], b[1]) if a[0] == b[0] else -1.0
        return words(a, b)

    return similarity


def _cut_keys(keys: Sequence[Sequence[Hashable]], anchors: Anchors) -> list[list[Hashable]]:
    """Each key paired with the number of its piece, so nothing matches across a cut."""
    out: list[list[Hashable]] = []
    for d, mine in enumerate(keys):
        bounds = [cut[d] for cut in anchors.cuts]
        piece = 0
        row: list[Hashable] = []
        k = 0
        for i, key in enumerate(mine):
            while k < len(bounds) and bounds[k] <= i:
                k += 1
                piece = k
            row.append((piece, key))
        out.append(row)
    return out


def _with_moves(table: Alignment, found: Sequence[Transposition]) -> Alignment:
    """*table* with the transpositions *found* on the uncut texts, those whose two blocks
    the cut table leaves unmatched between their two texts."""
    if not found:
        return table
    readings = table.readings

    def free(w: int, other: int, start: int, end: int) -> bool:
        """Whether tokens ``start:end`` of *w* are matched with no token of *other*."""
        columns = table.token_columns(w)
        return all(readings[columns[i]][w] != readings[columns[i]][other]
                   or readings[columns[i]][other] is None for i in range(start, end))

    kept = [move for move in found
            if free(move.witness_a, move.witness_b, move.a_start, move.a_end)
            and free(move.witness_b, move.witness_a, move.b_start, move.b_end)]
    return Alignment(table.lengths, table.cells, table.readings, tuple(kept),
                     table.approximations)


def _spread(
    table: Alignment, unions: Sequence[_Document], count: int, token_lists: Sequence[TokenList]
) -> Alignment:
    """The documents' table as the texts' table: each state takes its tokens from its
    document's columns (a column where no state of a document has its element is dropped
    for it; every column keeps at least one token)."""
    rows: list[tuple[int | None, ...]] = [()] * count
    doc_of = [0] * count
    for d, u in enumerate(unions):
        for k, t in enumerate(u.texts):
            lookup = u.tokens[k]
            rows[t] = tuple(None if e is None else lookup[e] for e in table.cells[d])
            doc_of[t] = d
    cache: dict[tuple[tuple[int | None, ...], tuple[bool, ...]], tuple[int | None, ...]] = {}
    readings: list[tuple[int | None, ...]] = []
    for c, pattern in enumerate(table.readings):
        present = tuple(rows[t][c] is not None for t in range(count))
        key = (pattern, present)
        found = cache.get(key)
        if found is None:
            seen: dict[int, int] = {}
            found = tuple(
                seen.setdefault(r, len(seen)) if present[t] and (r := pattern[doc_of[t]])
                is not None else None
                for t in range(count)
            )
            cache[key] = found
        readings.append(found)
    moves: list[Transposition] = []
    for move in table.transpositions:
        a_doc, b_doc = unions[move.witness_a], unions[move.witness_b]
        for ka, ta in enumerate(a_doc.texts):
            a_range = _tokens_of(a_doc.elements[ka], move.a_start, move.a_end)
            if a_range is None:
                continue
            for kb, tb in enumerate(b_doc.texts):
                b_range = _tokens_of(b_doc.elements[kb], move.b_start, move.b_end)
                if b_range is None:
                    continue
                if ta < tb:
                    moves.append(Transposition(ta, *a_range, tb, *b_range))
                else:
                    moves.append(Transposition(tb, *b_range, ta, *a_range))
    approximations: list[Approximation] = []
    for a in table.approximations:  # to each state's tokens in the stretch
        doc = unions[a.witness]
        for k, t in enumerate(doc.texts):
            found = _tokens_of(doc.elements[k], a.start, a.end)
            if found is not None:
                approximations.append(Approximation(t, *found, a.reason))
    lengths = tuple(len(tl) for tl in token_lists)
    return Alignment(lengths, tuple(rows), tuple(readings), tuple(moves),
                     tuple(approximations))


def _tokens_of(elements: Sequence[int], start: int, end: int) -> tuple[int, int] | None:
    """The state's tokens whose elements fall in ``start:end`` (a range, since elements
    increase), or None if there are none."""
    lo = bisect.bisect_left(elements, start)
    hi = bisect.bisect_left(elements, end, lo)
    return (lo, hi) if lo < hi else None
