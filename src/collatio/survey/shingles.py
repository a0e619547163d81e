"""Shingles, MinHash signatures, LSH band keys and winnowed fingerprints, in numpy.

Everything here is a pure function of a document's word codes
(:attr:`~collatio.survey.documents.SurveyText.codes`) and of integer seeds, so every
process of a cluster computes the same values. Arithmetic is on unsigned 64-bit integers and
wraps (numpy's uint64 multiply and add are modulo 2**64, which is what the hashes want).

Costs, for a document of *n* words: shingles O(n); a MinHash signature of *p* values
O(n * p) (done in blocks of 4,096 shingles, so memory stays under 4,096 * p * 8 bytes);
winnowing O(n * window).
"""

from __future__ import annotations

import functools
import itertools

import numpy as np
import numpy.typing as npt

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_BLOCK = 4096
#: The signature value of an empty set (never a real minimum: real values are < 2**32).
EMPTY = np.uint64(1 << 32)


def mix(values: U64) -> U64:
    """SplitMix64's finalizer: a bijection of uint64 that spreads every input bit."""
    with np.errstate(over="ignore"):
        z = values + _GOLDEN
        z = (z ^ (z >> np.uint64(30))) * _M1
        z = (z ^ (z >> np.uint64(27))) * _M2
        return z ^ (z >> np.uint64(31))


def ngrams(codes: U64, n: int) -> U64:
    """The hash of every run of *n* consecutive codes (``len(codes) - n + 1`` of them;
    none if there are fewer than *n* codes). Order matters: ``a b`` and ``b a`` differ."""
    count = len(codes) - n + 1
    if count <= 0:
        return np.zeros(0, np.uint64)
    with np.errstate(over="ignore"):
        out = mix(codes[:count].copy())
        for k in range(1, n):
            out = mix(out * np.uint64(31) + codes[k : k + count])
    return out


def runs(codes: U64) -> list[tuple[int, int]]:
    """Half-open index ranges of *codes* between zeros (gaps): shingles never cross a gap."""
    gaps = np.flatnonzero(codes == 0)
    bounds = [-1, *gaps.tolist(), len(codes)]
    return [(lo + 1, hi) for lo, hi in itertools.pairwise(bounds) if hi > lo + 1]


def shingles(codes: U64, n: int) -> U64:
    """The distinct *n*-word shingle hashes of a document (sorted); a document shorter than
    *n* words between gaps gives its runs' own hashes, so it is never empty if it has words."""
    parts = [ngrams(codes[lo:hi], min(n, hi - lo)) for lo, hi in runs(codes)]
    if not parts:
        return np.zeros(0, np.uint64)
    return np.unique(np.concatenate(parts))


@functools.lru_cache(maxsize=16)
def permutations(count: int, seed: int) -> tuple[U64, U64]:
    """*count* multiply-shift hash functions ``h(x) = (a*x + b) >> 32`` (``a`` odd); made
    once per process (the arrays are read-only)."""
    rng = np.random.default_rng(seed)
    a = rng.integers(1, 1 << 63, size=count, dtype=np.uint64) | np.uint64(1)
    b = rng.integers(0, 1 << 63, size=count, dtype=np.uint64)
    a.flags.writeable = b.flags.writeable = False
    return a, b


def minhash(values: U64, a: U64, b: U64) -> U64:
    """The MinHash signature of a set of hashes: for each hash function the smallest value
    over the set (:data:`EMPTY` everywhere for an empty set). Two sets agree in each place
    with probability equal to their Jaccard index."""
    signature = np.full(len(a), EMPTY, np.uint64)
    with np.errstate(over="ignore"):
        for lo in range(0, len(values), _BLOCK):
            block = mix(values[lo : lo + _BLOCK])
            hashed = np.multiply(block[:, None], a[None, :])  # one n x p buffer, reused
            hashed += b[None, :]
            hashed >>= np.uint64(32)
            np.minimum(signature, hashed.min(axis=0), out=signature)
    return signature


def band_keys(signature: U64, bands: int) -> U64:
    """One key per LSH band (``len(signature) // bands`` values each); an empty set's
    signature gives no keys (it would otherwise share every band with every empty set)."""
    if len(signature) == 0 or bool(signature[0] == EMPTY):
        return np.zeros(0, np.uint64)
    rows = signature.reshape(bands, -1)
    with np.errstate(over="ignore"):
        key = mix(np.arange(bands, dtype=np.uint64))
        for r in range(rows.shape[1]):
            key = mix(key * np.uint64(31) + rows[:, r])
    return key


def winnow(codes: U64, n: int, window: int) -> tuple[U64, I64]:
    """Winnowing (Schleimer, Wilkerson and Aiken 2003): of every *window* consecutive
    *n*-gram hashes the smallest (the rightmost on a tie) is a fingerprint, kept once with
    the index of its first word. Any passage of at least ``window + n - 1`` words shared by
    two documents (between gaps) gives both at least one common fingerprint; fingerprints
    are about ``2 / (window + 1)`` of the n-grams. Returns (hashes, word indexes)."""
    hashes: list[U64] = []
    places: list[I64] = []
    for lo, hi in runs(codes):
        grams = ngrams(codes[lo:hi], n)
        if len(grams) == 0:
            continue
        if len(grams) <= window:
            pick = np.array([len(grams) - 1 - int(np.argmin(grams[::-1]))], np.int64)
        else:
            views = np.lib.stride_tricks.sliding_window_view(grams, window)
            # rightmost minimum of each window: argmin of the reversed window
            pick = np.arange(len(views), dtype=np.int64) + (
                window - 1 - np.argmin(views[:, ::-1], axis=1)
            )
            pick = np.unique(pick)
        hashes.append(grams[pick])
        places.append(pick + lo)
    if not hashes:
        return np.zeros(0, np.uint64), np.zeros(0, np.int64)
    return np.concatenate(hashes), np.concatenate(places)
