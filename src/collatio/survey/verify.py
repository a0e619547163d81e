"""Verifying a candidate pair by aligning it: are these two documents versions of one text?

The two texts' compared words are aligned by an exact longest common subsequence
(:func:`lcs_runs`: bit-parallel, or the aligner's exact word diff for very long pairs; it
matches as many words as :func:`collatio.align.diff` does before its tie-break among equally
long alignments, which changes where a match sits, never how many there are), and what it
left over on each side is aligned again against the other side's leftovers, so a paragraph
moved elsewhere (and edited there) still counts as shared.
A word of *a* is *aligned* if it is matched in place (in a run of at least ``MIN_RUN``
words: single words matched between unrelated texts are chance) or in the leftovers (a run
of at least ``MIN_MOVE``); it is
*lacunose* if it faces one of *b*'s editorial gaps (``[...]``): *b* cannot be blamed for
lacking it. Then::

    coverage_a = aligned_a / (words_a - lacunose_a)

and the same for *b*, over all words (``version``) and over content words only
(``rewrite``: a new translation shares its names, places, dates and rarer words in order,
rarely its phrasing). A pair is a version pair if both coverages reach
``family_threshold``, else a rewrite pair if both content coverages reach
``rewrite_threshold``, and in either case if no more than ``MAX_BLOCK_SHARE`` of either
text lies in *blocks* of ``BLOCK`` or more unaligned words: a version's differences are
scattered edits, a document that quotes or forwards another wraps it in text of its own.
Such a document, or one quoted inside a longer one (whose coverage is low), is no version
of the other: that is reuse.

Cost: one alignment of the two texts (``n * m / 64`` word operations and ``n * m / 8``
bytes up to :data:`LCS_CELLS`; beyond, the aligner's O((n + m) * d), d the number of
differences, bounded by its anchoring) and a move search over what it left, twice (all
words, content words).
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable, Mapping, Sequence

import attrs
import numpy as np
import numpy.typing as npt

from collatio.align.anchors import bit_lcs_runs
from collatio.align.pairwise import exact_runs, merge_runs
from collatio.survey.documents import Codes, SurveyText
from collatio.survey.model import LinkKind, PairResult, SurveyOptions
from collatio.survey.shingles import ngrams

#: Shortest run of words matched in place that counts as shared.
MIN_RUN = 2
#: Shortest run of words matched between the diff's leftovers (moved text) that counts.
MIN_MOVE = 2
#: Rounds of matching the leftovers (a second finds what crossed the first's moves).
MOVE_ROUNDS = 2
#: Unaligned words in a row that make a *block*: text one version lacks is scattered
#: (edits), text of its own that a document wraps around another is in blocks.
BLOCK = 40
#: A pair whose blocks hold more than this share of either text's words is not a pair of
#: versions but a document containing (quoting, forwarding) the other: reuse.
MAX_BLOCK_SHARE = 0.25
#: How many of the longest shared passages a pair records as evidence.
EVIDENCE = 3

Mask = npt.NDArray[np.bool_]
#: A word matcher: the matched runs ``(i, j, length)`` of two key lists, in order, none
#: empty, touching runs merged (the survey's is :func:`lcs_runs`).
Matcher = Callable[[list[int], list[int]], list[tuple[int, int, int]]]
#: Pairs of at most this many cells (words x words) are aligned by the bit-parallel LCS,
#: whose bit matrix takes ``cells / 8`` bytes (8 MiB here); larger ones by the aligner.
LCS_CELLS = 1 << 26


def lcs_runs(a: list[int], b: list[int]) -> list[tuple[int, int, int]]:
    """The matched runs of a longest common subsequence of *a* and *b*: rapidfuzz's
    bit-parallel LCS (Hyyro's, ``len(a) * len(b) / 64`` word operations: 20 to 200 times
    faster than a Myers diff between unrelated texts, which is its worst case) up to
    :data:`LCS_CELLS`, the aligner's exact diff (:func:`exact_runs`, which is also a longest
    common subsequence on ordinary input, bounded) beyond. Both match as many words; where
    several alignments do so they may choose differently.

    >>> lcs_runs([1, 2, 3, 4], [9, 2, 3, 4, 9])
    [(1, 1, 3)]
    """
    if not a or not b:
        return []
    if len(a) * len(b) > LCS_CELLS:
        return exact_runs(a, b)
    return merge_runs(bit_lcs_runs(a, b))


def _blocks(unaligned: Mask, block: int) -> int:
    """Words of *unaligned* in maximal runs of at least *block* consecutive ones."""
    if not unaligned.any():
        return 0
    edges = np.diff(np.concatenate(([0], unaligned.view(np.int8), [0])))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    lengths = ends - starts
    return int(lengths[lengths >= block].sum())


def _lacunae(
    runs: Sequence[tuple[int, int, int]], gaps: npt.NDArray[np.intp], other: int,
    lacunose: Mask,
) -> None:
    """Mark in *lacunose* (the other side) the stretch facing each gap: from the end of the
    last run before the gap to the start of the first run after it."""
    if not len(gaps):
        return
    starts = [i for i, _, _ in runs]
    for gap in gaps.tolist():
        k = bisect.bisect_right(starts, gap)
        lo = runs[k - 1][1] + runs[k - 1][2] if k else 0
        hi = runs[k][1] if k < len(runs) else other
        if hi > lo:
            lacunose[lo:hi] = True


def _moves(
    keys_a: list[int], keys_b: list[int], aligned_a: Mask, aligned_b: Mask, gaps_a: Mask,
    gaps_b: Mask, min_run: int, matcher: Matcher = lcs_runs,
) -> int:
    """Align what the diff left over on each side, in order, against each other: a
    paragraph moved elsewhere (and edited there) is matched in the leftovers. Runs of at
    least *min_run* words so matched are marked aligned; twice, for crossing moves. Returns
    the words of *a* so aligned."""
    moved = 0
    for _ in range(MOVE_ROUNDS):
        left_a = np.flatnonzero(~aligned_a & ~gaps_a)
        left_b = np.flatnonzero(~aligned_b & ~gaps_b)
        if not len(left_a) or not len(left_b):
            break
        found = 0
        for i, j, n in matcher([keys_a[k] for k in left_a.tolist()],
                               [keys_b[k] for k in left_b.tolist()]):
            if n < min_run:
                continue
            # only stretches contiguous in both texts: words that merely meet in the
            # leftovers are no shared passage
            pa, pb = left_a[i : i + n], left_b[j : j + n]
            cuts = np.flatnonzero((np.diff(pa) != 1) | (np.diff(pb) != 1)) + 1
            for lo, hi in itertools.pairwise([0, *cuts.tolist(), n]):
                if hi - lo >= min_run:
                    aligned_a[pa[lo:hi]] = True
                    aligned_b[pb[lo:hi]] = True
                    found += hi - lo
        if not found:
            break
        moved += found
    return moved


class _Measure:
    """Aligned, lacunose and total words of each side, from one alignment of two key lists
    (by *matcher*, in place and then among the leftovers)."""

    def __init__(
        self, keys_a: list[int], keys_b: list[int], min_run: int, min_move: int, block: int,
        matcher: Matcher = lcs_runs,
    ) -> None:
        self.runs: list[tuple[int, int, int]] = []
        na, nb = len(keys_a), len(keys_b)
        aligned_a, aligned_b = np.zeros(na, np.bool_), np.zeros(nb, np.bool_)
        lac_a, lac_b = np.zeros(na, np.bool_), np.zeros(nb, np.bool_)
        gaps_a = np.fromiter(keys_a, np.int64, na) < 0
        gaps_b = np.fromiter(keys_b, np.int64, nb) < 0
        # the matcher's runs are merged (touching runs joined): each is one equal opcode
        for i, j, length in matcher(keys_a, keys_b):
            if length >= min_run:
                aligned_a[i : i + length] = True
                aligned_b[j : j + length] = True
                self.runs.append((i, j, length))
        # words facing the other side's editorial gap are lacunose there, not missing: those
        # between the runs that hold the gap in place (single chance matches do not count)
        _lacunae(self.runs, np.flatnonzero(gaps_a), nb, lac_b)
        _lacunae([(j, i, n) for i, j, n in self.runs], np.flatnonzero(gaps_b), na, lac_a)
        self.moved = _moves(keys_a, keys_b, aligned_a, aligned_b, gaps_a, gaps_b, min_move,
                            matcher)
        words_a, words_b = ~gaps_a, ~gaps_b
        self.aligned_a = int(np.count_nonzero(aligned_a & words_a))
        self.aligned_b = int(np.count_nonzero(aligned_b & words_b))
        self.lacunose_a = int(np.count_nonzero(lac_a & ~aligned_a & words_a))
        self.lacunose_b = int(np.count_nonzero(lac_b & ~aligned_b & words_b))
        self.room_a = int(np.count_nonzero(words_a)) - self.lacunose_a
        self.room_b = int(np.count_nonzero(words_b)) - self.lacunose_b
        self.blocks_a = _blocks(words_a & ~aligned_a & ~lac_a, block)
        self.blocks_b = _blocks(words_b & ~aligned_b & ~lac_b, block)

    @property
    def block_share(self) -> float:
        """The larger share, on either side, of words lying in long unaligned blocks."""
        return max(self.blocks_a / self.room_a if self.room_a else 0.0,
                   self.blocks_b / self.room_b if self.room_b else 0.0)

    @property
    def coverage_a(self) -> float:
        return min(1.0, self.aligned_a / self.room_a) if self.room_a else 0.0

    @property
    def coverage_b(self) -> float:
        return min(1.0, self.aligned_b / self.room_b) if self.room_b else 0.0

    @property
    def similarity(self) -> float:
        room = self.room_a + self.room_b
        return min(1.0, (self.aligned_a + self.aligned_b) / room) if room else 0.0


def keys(codes: Codes, side: int, keep: Mask | None = None) -> list[int]:
    """Comparison keys of a document's word *codes* (as Python ints, which hash fast), each
    gap a negative key of its own (never equal to anything, on either side)."""
    codes = codes if keep is None else codes[keep]
    out = (codes >> np.uint64(1)).astype(np.int64)  # 63 bits: never negative
    gaps = np.flatnonzero(codes == 0)
    out[gaps] = -(gaps + 1 + side * (1 << 40))
    return list(out.tolist())


def content_mask(codes: Codes, common: Codes) -> Mask:
    """Tokens that are content words (not in *common*) or gaps."""
    mask: Mask = ~np.isin(codes, common) | (codes == 0)
    return mask


def _bigram_bound(a: Codes, b: Codes) -> int:
    """An upper bound of the words of *a* the text measure can align: those in a word
    bigram that *b* also has (every run of two or more matched words, in place or moved,
    is made of shared bigrams)."""
    grams_a, grams_b = ngrams(a, MIN_RUN), ngrams(b, MIN_RUN)
    shared = np.isin(grams_a, grams_b)
    covered = np.zeros(len(a), np.bool_)
    for k in range(MIN_RUN):
        covered[k : k + len(shared)] |= shared
    return int(np.count_nonzero(covered & (a != 0)))


def hopeless(a: Codes, b: Codes, mask_a: Mask, mask_b: Mask, options: SurveyOptions) -> bool:
    """Whether the pair cannot reach either threshold, by upper bounds computed without
    aligning (shared bigrams, shared content words): most candidates that LSH lets through
    are unrelated, and aligning two unrelated texts is the aligner's slowest case. Never
    for a text with editorial gaps (their discount is known only after aligning)."""
    if not (a.all() and b.all()):
        return False
    for x, y, mx, my in ((a, b, mask_a, mask_b), (b, a, mask_b, mask_a)):
        text_bound = _bigram_bound(x, y) / max(1, len(x))
        content = x[mx]
        content_bound = np.count_nonzero(np.isin(content, y[my])) / max(1, len(content))
        if text_bound < options.family_threshold and content_bound < options.rewrite_threshold:
            return True
    return False


def judge(
    a: Codes,
    b: Codes,
    common: Codes,
    options: SurveyOptions,
    *,
    prefilter: bool = True,
) -> tuple[PairResult, list[tuple[int, int, int]]] | None:
    """Align two documents' word codes and judge the pair (see the module docstring): the
    result (its ids and evidence left empty) and the matched runs ``(i, j, length)``; None
    if :func:`hopeless` (then it is no pair of a family, as aligning would also find),
    unless *prefilter* is off. Only codes travel to the task that runs this."""
    mask_a, mask_b = content_mask(a, common), content_mask(b, common)
    if prefilter and hopeless(a, b, mask_a, mask_b, options):
        return None
    return measured(keys(a, 0), keys(b, 1), keys(a, 0, mask_a), keys(b, 1, mask_b), options)


def measured(
    text_a: list[int], text_b: list[int], content_a: list[int], content_b: list[int],
    options: SurveyOptions, matcher: Matcher = lcs_runs,
) -> tuple[PairResult, list[tuple[int, int, int]]]:
    """The judgement of :func:`judge` from the two texts' keys (:func:`keys`), all words
    and content words, aligned by *matcher*."""
    text = _Measure(text_a, text_b, MIN_RUN, MIN_MOVE, BLOCK, matcher)
    content = _Measure(content_a, content_b, 1, MIN_MOVE, BLOCK // 2, matcher)
    if (min(text.coverage_a, text.coverage_b) >= options.family_threshold
            and text.block_share <= MAX_BLOCK_SHARE):
        kind = LinkKind.VERSION
    elif (min(content.coverage_a, content.coverage_b) >= options.rewrite_threshold
            and content.block_share <= MAX_BLOCK_SHARE):
        kind = LinkKind.REWRITE
    else:
        kind = LinkKind.NONE
    result = PairResult(
        a="",
        b="",
        kind=kind,
        similarity=round(text.similarity, 4),
        coverage_a=round(text.coverage_a, 4),
        coverage_b=round(text.coverage_b, 4),
        content_similarity=round(content.similarity, 4),
        content_coverage_a=round(content.coverage_a, 4),
        content_coverage_b=round(content.coverage_b, 4),
        aligned_words=text.aligned_a,
        moved_words=text.moved,
        lacunose_words=text.lacunose_a + text.lacunose_b,
    )
    longest = sorted(text.runs, key=lambda run: (-run[2], run[0]))[:EVIDENCE]
    return result, sorted(longest) if kind is not LinkKind.NONE else []


def verify(
    a: SurveyText,
    b: SurveyText,
    ids: tuple[str, str],
    common: Codes,
    options: SurveyOptions,
    *,
    prefilter: bool = True,
) -> PairResult | None:
    """:func:`judge` two documents, with their ids and the evidence (the longest shared
    passages, with their places)."""
    judged = judge(a.codes, b.codes, common, options, prefilter=prefilter)
    if judged is None:
        return None
    return with_evidence(judged[0], a, b, ids, judged[1])


def with_evidence(
    result: PairResult, a: SurveyText, b: SurveyText, ids: tuple[str, str],
    runs: Sequence[tuple[int, int, int]],
) -> PairResult:
    """*result* with its documents' ids and the *runs* as evidence."""
    evidence = tuple((a.extent(ids[0], i, i + n), b.extent(ids[1], j, j + n)) for i, j, n in runs)
    return attrs.evolve(result, a=ids[0], b=ids[1], evidence=evidence)


def judge_many(
    pairs: Sequence[tuple[int, int]],
    codes: Mapping[int, Codes],
    common: Codes,
    options: SurveyOptions,
) -> list[tuple[int, int, PairResult, list[tuple[int, int, int]]]]:
    """:func:`judge` each pair of documents (by index into *codes*); one engine task."""
    out = []
    for i, j in pairs:
        judged = judge(codes[i], codes[j], common, options)
        if judged is not None:
            out.append((i, j, *judged))
    return out
