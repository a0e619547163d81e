"""The survey's parts, one by one, with hypothesis for their invariants: shingles and
winnowing, MinHash and LSH joins, seed joins, verification, clusters, families, chunking,
escaping. No deadlines: numpy's first calls are slow, and the machine may be shared."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from collatio.align.pairwise import exact_runs
from collatio.survey.candidates import _group_pairs, lsh_pairs, seed_pairs
from collatio.survey.documents import SurveyText, read_files, word_code
from collatio.survey.engine import chunked
from collatio.survey.families import components
from collatio.survey.model import LinkKind, SurveyOptions
from collatio.survey.outputs import terminal_safe
from collatio.survey.reuse import clusters
from collatio.survey.shingles import (
    band_keys,
    minhash,
    ngrams,
    permutations,
    shingles,
    winnow,
)
from collatio.survey.verify import lcs_runs, verify
from tests.strategies import word_codes


def _u64(values: list[int]) -> np.ndarray:
    return np.array(values, dtype=np.uint64)


@settings(deadline=None)
@given(word_codes(), st.integers(1, 6))
def test_ngrams_are_the_runs_of_n_codes(codes: list[int], n: int) -> None:
    grams = ngrams(_u64(codes), n).tolist()
    assert len(grams) == max(0, len(codes) - n + 1)
    seen: dict[tuple[int, ...], int] = {}
    for i, gram in enumerate(grams):
        window = tuple(codes[i : i + n])
        assert seen.setdefault(window, gram) == gram  # equal runs hash equal


@settings(deadline=None)
@given(word_codes(min_size=1), st.integers(1, 4))
def test_shingles_never_cross_a_gap_and_a_text_with_words_has_some(
    codes: list[int], n: int
) -> None:
    with_gap = _u64([*codes, 0, *codes])
    assert set(shingles(with_gap, n).tolist()) == set(shingles(_u64(codes), n).tolist())
    assert len(shingles(_u64(codes), n)) > 0


@settings(deadline=None)
@given(word_codes(min_size=8, max_size=60), word_codes(max_size=30), word_codes(max_size=30),
       st.integers(2, 5), st.integers(1, 5))
def test_winnowing_guarantee(shared: list[int], left: list[int], right: list[int], n: int,
                             window: int) -> None:
    """A passage of at least window + n - 1 words found in two texts gives both a common
    fingerprint, whatever surrounds it."""
    if len(shared) < window + n - 1:
        return
    a, b = _u64([*left, *shared]), _u64([*shared, *right, *left])
    fa, pa = winnow(a, n, window)
    fb, _ = winnow(b, n, window)
    assert set(fa.tolist()) & set(fb.tolist())
    assert all(0 <= p <= len(a) - n for p in pa.tolist())
    assert pa.tolist() == sorted(set(pa.tolist()))


@settings(deadline=None)
@given(st.lists(st.integers(1, 6), max_size=12))
def test_group_pairs_are_all_pairs_inside_each_group(sizes: list[int]) -> None:
    starts = np.cumsum([0, *sizes[:-1]]).astype(np.int64) if sizes else np.zeros(0, np.int64)
    first, second = _group_pairs(starts, np.array(sizes, dtype=np.int64))
    expected = [pair for start, size in zip(starts.tolist(), sizes, strict=True)
                for pair in itertools.combinations(range(start, start + size), 2)]
    assert sorted(zip(first.tolist(), second.tolist(), strict=True)) == expected


@settings(deadline=None)
@given(st.lists(st.lists(st.integers(0, 5), min_size=4, max_size=4), max_size=12),
       st.integers(2, 12))
def test_lsh_pairs_share_a_band(keys: list[list[int]], cap: int) -> None:
    arrays = [_u64(k) for k in keys]
    found = {(int(i), int(j)) for i, j in lsh_pairs(arrays, cap)}
    expected = set()
    for band in range(4):
        groups: dict[int, list[int]] = {}
        for doc, k in enumerate(keys):
            groups.setdefault(k[band], []).append(doc)
        for members in groups.values():
            if len(members) <= cap:
                expected.update(itertools.combinations(members, 2))
    assert found == expected


def test_minhash_estimates_jaccard() -> None:
    rng = np.random.default_rng(7)
    universe = rng.integers(1, 1 << 62, size=4000, dtype=np.uint64)
    a = np.unique(universe[:3000])
    b = np.unique(universe[1000:4000])  # Jaccard 2000 / 4000 = 0.5
    pa, pb = permutations(512, 3)
    agree = float(np.mean(minhash(a, pa, pb) == minhash(b, pa, pb)))
    assert abs(agree - 0.5) < 0.07
    empty = minhash(np.zeros(0, np.uint64), pa, pb)
    assert len(band_keys(empty, 128)) == 0  # an empty set shares no band with anything


@settings(deadline=None)
@given(st.lists(st.tuples(st.integers(0, 9), st.integers(0, 9), st.integers(0, 50)),
                max_size=40), st.integers(2, 5))
def test_seed_pairs_are_shared_rare_fingerprints(
    entries: list[tuple[int, int, int]], max_df: int
) -> None:
    docs: dict[int, list[tuple[int, int]]] = {}
    for doc, fingerprint, place in entries:
        docs.setdefault(doc, []).append((fingerprint + 1, place))
    count = max(docs, default=-1) + 1
    fingerprints = [
        (_u64([f for f, _ in docs.get(d, [])]),
         np.array([p for _, p in docs.get(d, [])], dtype=np.int64))
        for d in range(count)
    ]
    da, db, pa, pb = seed_pairs(fingerprints, max_df)
    found = sorted(zip(da.tolist(), db.tolist(), pa.tolist(), pb.tolist(), strict=True))
    expected = []
    holders: dict[int, set[int]] = {}
    for d, items in docs.items():
        for f, _ in items:
            holders.setdefault(f, set()).add(d)
    for d1, d2 in itertools.combinations(range(count), 2):
        for (f1, p1), (f2, p2) in itertools.product(docs.get(d1, []), docs.get(d2, [])):
            if f1 == f2 and 2 <= len(holders[f1]) <= max_df:
                expected.append((d1, d2, p1, p2))
    assert found == sorted(expected)


@settings(deadline=None)
@given(st.lists(st.integers(1, 40), min_size=0, max_size=30), st.integers(1, 8))
def test_chunked_keeps_order_and_balance(items: list[int], parts: int) -> None:
    chunks = chunked(items, parts)
    assert [x for chunk in chunks for x in chunk] == items
    if items:
        sizes = [len(c) for c in chunks]
        assert len(chunks) == min(parts, len(items)) and max(sizes) - min(sizes) <= 1


@settings(deadline=None)
@given(st.integers(1, 12), st.lists(st.tuples(st.integers(0, 11), st.integers(0, 11))))
def test_components_are_connected_groups(count: int, edges: list[tuple[int, int]]) -> None:
    edges = [(a, b) for a, b in edges if a < count and b < count]
    groups = components(count, edges)
    where = {m: g for g, members in enumerate(groups) for m in members}
    for a, b in edges:
        if a != b:
            assert where[a] == where[b]
    assert all(len(g) >= 2 and g == sorted(g) for g in groups)
    assert [g[0] for g in groups] == sorted(g[0] for g in groups)


@settings(deadline=None)
@given(st.text())
def test_terminal_safe_leaves_no_control_character(text: str) -> None:
    shown = terminal_safe(text)
    assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F or c in "\u202e\u2066" for c in shown)


def test_clusters_split_two_passages_and_drop_lone_seeds() -> None:
    pos_a = np.array([10, 13, 17, 21, 300, 304, 500], dtype=np.int64)
    pos_b = np.array([900, 903, 907, 911, 40, 44, 77], dtype=np.int64)
    assert clusters(pos_a, pos_b, 2) == [(10, 21, 900, 911), (300, 304, 40, 44)]


def test_word_codes_are_stable_and_never_zero() -> None:
    assert word_code("telegram") == word_code("telegram") != word_code("telegrams")
    assert word_code("") != 0


def _text(tmp_path, name: str, body: str) -> SurveyText:  # type: ignore[no-untyped-def]
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    (text,) = read_files([str(path)])
    assert isinstance(text, SurveyText)
    return text


def test_verify_discounts_an_editors_gap_and_refuses_a_container(tmp_path) -> None:  # type: ignore[no-untyped-def]
    words = " ".join(f"w{k}" for k in range(200))
    extra = " ".join(f"x{k}" for k in range(120))
    full = _text(tmp_path, "full.txt", words + "\n")
    cut = _text(tmp_path, "cut.txt", " ".join(words.split()[:60]) + " [...] "
                + " ".join(words.split()[150:]) + "\n")
    wrapper = _text(tmp_path, "wrapper.txt", extra + "\n\n" + words + "\n")
    common = np.zeros(0, np.uint64)
    options = SurveyOptions()
    lacunose = verify(full, cut, ("a", "b"), common, options)
    assert lacunose is not None and lacunose.kind is LinkKind.VERSION
    assert lacunose.lacunose_words == 90 and lacunose.coverage_a == 1.0
    contained = verify(full, wrapper, ("a", "c"), common, options)
    assert contained is not None and contained.kind is LinkKind.NONE
    assert contained.coverage_a == 1.0 and contained.coverage_b < 0.65
    unrelated = _text(tmp_path, "other.txt", " ".join(f"y{k}" for k in range(200)) + "\n")
    assert verify(full, unrelated, ("a", "d"), common, options) is None  # bounds: no hope
    forced = verify(full, unrelated, ("a", "d"), common, options, prefilter=False)
    assert forced is not None and forced.kind is LinkKind.NONE and forced.aligned_words == 0


@given(word_codes(max_size=60), word_codes(max_size=60))
@settings(max_examples=200, deadline=None)
def test_lcs_runs_are_a_longest_common_subsequence(a: list[int], b: list[int]) -> None:
    """The survey's matcher: runs in order, not touching, of equal words, as many matched
    words as the aligner's exact diff (both are longest common subsequences here), and the
    aligner's own runs past the size limit."""
    keys_a, keys_b = [k >> 1 for k in a], [k >> 1 for k in b]
    runs = lcs_runs(keys_a, keys_b)
    end_a = end_b = 0
    for k, (i, j, n) in enumerate(runs):
        assert n > 0 and i >= end_a and j >= end_b  # in order
        assert not k or (i, j) != (end_a, end_b)  # touching runs are merged
        assert keys_a[i : i + n] == keys_b[j : j + n]
        end_a, end_b = i + n, j + n
    assert sum(n for _, _, n in runs) == sum(n for _, _, n in exact_runs(keys_a, keys_b))


def test_lcs_runs_hand_long_pairs_to_the_aligner(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import collatio.survey.verify as verifying

    a, b = [1, 2, 3, 4, 5, 6], [9, 2, 3, 4, 9, 6]
    monkeypatch.setattr(verifying, "LCS_CELLS", 35)
    assert verifying.lcs_runs(a, b) == exact_runs(a, b) == [(1, 1, 3), (5, 5, 1)]
    seen = []
    monkeypatch.setattr(verifying, "exact_runs", lambda x, y: seen.append(1) or [])
    verifying.lcs_runs(a, b)
    assert seen == [1]
    monkeypatch.setattr(verifying, "LCS_CELLS", 36)
    assert verifying.lcs_runs(a, b) == [(1, 1, 3), (5, 5, 1)] and seen == [1]
