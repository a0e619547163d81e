"""Reuse: passages of one document that reappear in another, by seed and extend.

Seeds are shared rare fingerprints (:func:`collatio.survey.candidates.seed_pairs`). For
one pair of documents the seeds are grouped into *clusters*: seeds in order along *a*, no
more than ``CLUSTER_GAP`` words apart, on nearly the same diagonal (``pos_b - pos_a``
within ``DIAGONAL`` words), so two passages quoted from one document into another are two
clusters. A cluster with ``min_seeds`` seeds is *extended*: the words around it (its span
plus ``PAD`` words each side, in both documents) are aligned with collatio's diff; runs of
at least two matched words separated by at most ``max_gap`` words on each side form a
chain, and a chain with ``min_reuse_words`` matched words is a reused passage. A chain that
reaches the edge of its window is aligned again in a wider window (at most ``WIDEN`` times),
so a long quotation is found whole however sparse its seeds.

Cost per cluster: one diff of two windows of a few hundred words; bounded by ``WIDEN``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from collatio.align import diff
from collatio.align.pairwise import exact_runs
from collatio.survey.documents import Codes, SurveyText
from collatio.survey.model import ReuseLink, Segment, SurveyOptions
from collatio.survey.verify import keys

CLUSTER_GAP = 60
DIAGONAL = 40
PAD = 40
WIDEN = 8
#: Segments (pieces of the aligned text) recorded per passage; the rest are summed up.
MAX_SEGMENTS = 400

I64 = npt.NDArray[np.int64]
_Run = tuple[int, int, int]
#: A reused passage as token ranges: ``(a_start, a_end, b_start, b_end, aligned words)``.
Passage = tuple[int, int, int, int, int]


def clusters(pos_a: I64, pos_b: I64, min_seeds: int) -> list[tuple[int, int, int, int]]:
    """Seed clusters as ``(a_min, a_max, b_min, b_max)`` word indexes (see the module
    docstring), each with at least *min_seeds* seeds, in order along *a*.

    >>> clusters(np.array([10, 14, 18, 300]), np.array([110, 114, 119, 5]), 2)
    [(10, 18, 110, 119)]
    """
    open_: list[list[int]] = []  # a_min, a_max, b_min, b_max, last diagonal, count
    done: list[list[int]] = []
    for pa, pb in sorted(zip(pos_a.tolist(), pos_b.tolist(), strict=True)):
        diagonal = pb - pa
        home = None
        for cluster in open_:
            if pa - cluster[1] <= CLUSTER_GAP and abs(diagonal - cluster[4]) <= DIAGONAL:
                home = cluster
                break
        if home is None:
            open_.append([pa, pa, pb, pb, diagonal, 1])
        else:
            home[1] = max(home[1], pa)
            home[2], home[3] = min(home[2], pb), max(home[3], pb)
            home[4], home[5] = diagonal, home[5] + 1
        still: list[list[int]] = []
        for cluster in open_:
            (still if pa - cluster[1] <= CLUSTER_GAP else done).append(cluster)
        open_ = still
    done.extend(open_)
    return sorted(
        (c[0], c[1], c[2], c[3]) for c in done if c[5] >= min_seeds
    )


def _chains(runs: Sequence[_Run], max_gap: int) -> list[list[_Run]]:
    """Runs of at least two words joined while the gaps between them are small."""
    chains: list[list[_Run]] = []
    for run in runs:
        if run[2] < 2:
            continue
        if chains:
            last = chains[-1][-1]
            gap_a = run[0] - (last[0] + last[2])
            gap_b = run[1] - (last[1] + last[2])
            if 0 <= gap_a <= max_gap and 0 <= gap_b <= max_gap:
                chains[-1].append(run)
                continue
        chains.append([run])
    return chains


def extend(
    keys_a: list[int],
    keys_b: list[int],
    cluster: tuple[int, int, int, int],
    options: SurveyOptions,
) -> list[Passage]:
    """Passages around one seed cluster: ``(a_start, a_end, b_start, b_end, aligned)``."""
    a0, a1, b0, b1 = cluster
    lo_a, hi_a = max(0, a0 - PAD), min(len(keys_a), a1 + options.gram + PAD)
    lo_b, hi_b = max(0, b0 - PAD), min(len(keys_b), b1 + options.gram + PAD)
    found: list[Passage] = []
    for _ in range(WIDEN + 1):
        runs = [(i + lo_a, j + lo_b, n)
                for i, j, n in exact_runs(keys_a[lo_a:hi_a], keys_b[lo_b:hi_b])]
        found = []
        edge = False
        for chain in _chains(runs, options.max_gap):
            start_a, start_b = chain[0][0], chain[0][1]
            end_a, end_b = chain[-1][0] + chain[-1][2], chain[-1][1] + chain[-1][2]
            aligned = sum(
                n for i, j, n in runs
                if start_a <= i and i + n <= end_a and start_b <= j and j + n <= end_b
            )
            if aligned < options.min_reuse_words:
                continue
            found.append((start_a, end_a, start_b, end_b, aligned))
            edge = edge or (
                (lo_a > 0 and start_a - lo_a <= options.max_gap)
                or (lo_b > 0 and start_b - lo_b <= options.max_gap)
                or (hi_a < len(keys_a) and hi_a - end_a <= options.max_gap)
                or (hi_b < len(keys_b) and hi_b - end_b <= options.max_gap)
            )
        if not edge:
            break
        width = 2 * max(PAD, hi_a - lo_a)
        lo_a, hi_a = max(0, lo_a - width), min(len(keys_a), hi_a + width)
        lo_b, hi_b = max(0, lo_b - width), min(len(keys_b), hi_b + width)
    return found


def _merge(passages: list[Passage]) -> list[Passage]:
    """Overlapping passages (in both documents) found from two clusters: keep the larger."""
    kept: list[Passage] = []
    for p in sorted(passages, key=lambda p: (-p[4], p[0])):
        if not any(p[0] < q[1] and q[0] < p[1] and p[2] < q[3] and q[2] < p[3] for q in kept):
            kept.append(p)
    return sorted(kept)


def segments(a: SurveyText, b: SurveyText, passage: Passage) -> tuple[Segment, ...]:
    """The passage's alignment as pieces: equal text, or what each side reads."""
    a0, a1, b0, b1, _ = passage

    def surface(doc: SurveyText, lo: int, hi: int) -> str:
        return doc.text[int(doc.starts[lo]) : int(doc.ends[hi - 1])] if hi > lo else ""

    out: list[Segment] = []
    for op in diff(keys(a.codes[a0:a1], 0), keys(b.codes[b0:b1], 1)):
        if len(out) >= MAX_SEGMENTS:
            break
        out.append(Segment(
            op.tag,
            surface(a, a0 + op.a_start, a0 + op.a_end),
            surface(b, b0 + op.b_start, b0 + op.b_end),
        ))
    return tuple(out)


def find_passages(a: Codes, b: Codes, pos_a: I64, pos_b: I64, options: SurveyOptions
                  ) -> list[Passage]:
    """Every reused passage between two documents (their word codes) from their shared
    seeds. Only codes travel to the task that runs this."""
    found = clusters(pos_a, pos_b, options.min_seeds)
    if not found:
        return []
    keys_a, keys_b = keys(a, 0), keys(b, 1)
    passages: list[Passage] = []
    for cluster in found:
        passages.extend(extend(keys_a, keys_b, cluster, options))
    return _merge(passages)


def reuse_link(a: SurveyText, b: SurveyText, ids: tuple[str, str], passage: Passage
               ) -> ReuseLink:
    """A passage as a :class:`ReuseLink` with its places and aligned text (id left empty)."""
    a0, a1, b0, b1, aligned = passage
    ext_a, ext_b = a.extent(ids[0], a0, a1), b.extent(ids[1], b0, b1)
    similarity = aligned / max(ext_a.words, ext_b.words, 1)
    return ReuseLink("", ext_a, ext_b, aligned, round(min(1.0, similarity), 4),
                     segments(a, b, passage))


def find_reuse(a: SurveyText, b: SurveyText, ids: tuple[str, str], pos_a: I64, pos_b: I64,
               options: SurveyOptions) -> list[ReuseLink]:
    """:func:`find_passages` between two documents, as reuse links."""
    return [reuse_link(a, b, ids, p) for p in find_passages(a.codes, b.codes, pos_a, pos_b,
                                                             options)]


def find_passages_many(
    items: Sequence[tuple[int, int, I64, I64]],
    codes: Mapping[int, Codes],
    options: SurveyOptions,
) -> list[tuple[int, int, Passage]]:
    """:func:`find_passages` for each ``(doc_a, doc_b, pos_a, pos_b)`` (one engine task)."""
    return [(i, j, passage) for i, j, pa, pb in items
            for passage in find_passages(codes[i], codes[j], pa, pb, options)]
