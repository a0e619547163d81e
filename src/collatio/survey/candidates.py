"""Candidate pairs without comparing all pairs: documents that share an LSH band, and
documents that share rare winnowed n-grams (the seeds of reuse).

Both are one sort of all keys (numpy), then pairs made inside each group of equal keys; a
group larger than its cap (a band or an n-gram that half the archive shares: boilerplate)
makes no pairs, so the work stays near-linear in the archive's size.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import numpy as np
import numpy.typing as npt

from collatio.survey.model import SurveyOptions
from collatio.survey.shingles import (
    U64,
    band_keys,
    minhash,
    permutations,
    shingles,
    winnow,
)

I64 = npt.NDArray[np.int64]


def _group_pairs(group_start: I64, group_size: I64) -> tuple[I64, I64]:
    """Every pair (i < j) of positions inside each group ``[start, start + size)`` of a
    sorted array, as two index arrays (vectorized: no Python loop over groups)."""
    if len(group_start) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    members = np.repeat(group_start, group_size) + _ranks(group_size)
    sizes = np.repeat(group_size, group_size)
    later = sizes - 1 - _ranks(group_size)  # how many members follow each one in its group
    first = np.repeat(members, later)
    second = first + 1 + _ranks(later)
    return first, second


def _ranks(sizes: I64) -> I64:
    """0, 1, ..., size-1 for each size in turn."""
    total = int(sizes.sum())
    if total == 0:
        return np.zeros(0, np.int64)
    starts = np.repeat(np.cumsum(sizes) - sizes, sizes)
    return np.arange(total, dtype=np.int64) - starts


def _groups(keys: U64, cap: int) -> tuple[I64, I64, I64]:
    """Sort *keys*; return the sort order and the (start, size) of each run of equal keys
    with 2 to *cap* members."""
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    if len(ordered) == 0:
        empty = np.zeros(0, np.int64)
        return order.astype(np.int64), empty, empty
    edges = np.flatnonzero(ordered[1:] != ordered[:-1]) + 1
    starts = np.concatenate(([0], edges)).astype(np.int64)
    sizes = np.diff(np.concatenate((starts, [len(ordered)]))).astype(np.int64)
    keep = (sizes >= 2) & (sizes <= cap)
    return order.astype(np.int64), starts[keep], sizes[keep]


def lsh_pairs(keys: Sequence[U64], cap: int) -> I64:
    """Pairs of documents (by index in *keys*, the band keys of each document; band *k* of
    every document at position *k*) that share at least one band, as an ``(m, 2)`` array of
    ``(i, j)``, ``i < j``, sorted."""
    docs: list[I64] = []
    bands: list[U64] = []
    for doc, doc_keys in enumerate(keys):
        docs.append(np.full(len(doc_keys), doc, np.int64))
        # the band's number is part of its key: band 3 of one document never meets band 5
        bands.append(doc_keys ^ (np.arange(len(doc_keys), dtype=np.uint64) << np.uint64(56)))
    if not docs:
        return np.zeros((0, 2), np.int64)
    all_docs = np.concatenate(docs)
    order, starts, sizes = _groups(np.concatenate(bands), cap)
    first, second = _group_pairs(starts, sizes)
    a = all_docs[order[first]]
    b = all_docs[order[second]]
    return _unique_pairs(np.minimum(a, b), np.maximum(a, b))


def _unique_pairs(a: I64, b: I64) -> I64:
    keep = a != b
    if not keep.any():
        return np.zeros((0, 2), np.int64)
    pairs = np.stack((a[keep], b[keep]), axis=1)
    return np.unique(pairs, axis=0)


def seed_pairs(
    fingerprints: Sequence[tuple[U64, I64]], max_df: int
) -> tuple[I64, I64, I64, I64]:
    """Shared rare fingerprints: for every fingerprint found in 2 to *max_df* documents and
    every two documents holding it, ``(doc_a, doc_b, pos_a, pos_b)`` with ``doc_a < doc_b``
    (four aligned arrays, sorted by document pair, then by position in ``doc_a``). A
    fingerprint occurring twice in one document counts as one document for *max_df*."""
    hashes = [h for h, _ in fingerprints]
    if not hashes or sum(map(len, hashes)) == 0:
        empty = np.zeros(0, np.int64)
        return empty, empty, empty, empty
    all_hashes = np.concatenate(hashes)
    all_docs = np.concatenate([np.full(len(h), d, np.int64) for d, h in enumerate(hashes)])
    all_pos = np.concatenate([p for _, p in fingerprints]).astype(np.int64)
    # document frequency of each hash, counting each document once
    doc_hash = np.unique(np.stack((all_hashes, all_docs.astype(np.uint64)), axis=1), axis=0)
    distinct, df = np.unique(doc_hash[:, 0], return_counts=True)
    rare = distinct[(df >= 2) & (df <= max_df)]
    keep = np.isin(all_hashes, rare)
    order, starts, sizes = _groups(all_hashes[keep], cap=max(2, max_df * 4))
    docs, pos = all_docs[keep][order], all_pos[keep][order]
    first, second = _group_pairs(starts, sizes)
    da, db, pa, pb = docs[first], docs[second], pos[first], pos[second]
    swap = da > db
    da, db = np.where(swap, db, da), np.where(swap, da, db)
    pa, pb = np.where(swap, pb, pa), np.where(swap, pa, pb)
    differ = da != db
    da, db, pa, pb = da[differ], db[differ], pa[differ], pb[differ]
    order2 = np.lexsort((pb, pa, db, da))
    return da[order2], db[order2], pa[order2], pb[order2]


# --------------------------------------------------------------------------- per document


@attrs.frozen(slots=True, eq=False)
class Sketch:
    """What candidate generation needs of one document: the LSH band keys of its word
    shingles and of its content words, and its winnowed fingerprints with their places."""

    text_keys: U64
    content_keys: U64
    fingerprints: U64
    places: I64


def sketch(codes: U64, common: U64, options: SurveyOptions) -> Sketch:
    """One document's :class:`Sketch` from its word codes (*common*: the sorted codes of
    common words)."""
    a, b = permutations(options.permutations, options.seed)
    signature = minhash(shingles(codes, options.shingle), a, b)
    content = np.unique(codes[(codes != 0) & ~np.isin(codes, common)])
    ca, cb = permutations(options.content_permutations, options.seed + 1)
    content_signature = minhash(content, ca, cb)
    hashes, places = winnow(codes, options.gram, options.window)
    return Sketch(
        band_keys(signature, options.bands),
        band_keys(content_signature, options.content_bands),
        hashes,
        places,
    )


def sketch_many(codes: Sequence[U64], common: U64, options: SurveyOptions) -> list[Sketch]:
    """:func:`sketch` for each document's word codes (one engine task)."""
    return [sketch(c, common, options) for c in codes]


def lsh_task(keys: Sequence[U64], cap: int) -> list[tuple[int, int]]:
    """:func:`lsh_pairs` as a list (one engine task: a share of the bands of every
    document)."""
    return [(int(i), int(j)) for i, j in lsh_pairs(keys, cap)]


def seed_task(
    fingerprints: Sequence[tuple[U64, I64]], max_df: int
) -> list[tuple[I64, I64, I64, I64]]:
    """:func:`seed_pairs` (one engine task: the fingerprints of one hash range)."""
    return [seed_pairs(fingerprints, max_df)]
