"""Whether the texts are versions of one text: the guide tree and the relatedness verdict."""

from __future__ import annotations

import itertools
import random

from hypothesis import given, settings
from hypothesis import strategies as st

import collatio
from collatio.align.guide import guide_order, guide_tree
from collatio.apparatus import build


def _similarity(witnesses: list[list[str]], i: int, j: int) -> float:
    x, y = set(itertools.pairwise(witnesses[i])), set(itertools.pairwise(witnesses[j]))
    return len(x & y) / len(x | y) if x | y else 1.0


@given(st.lists(st.lists(st.sampled_from("abcdef"), max_size=14), min_size=1, max_size=8))
def test_the_guide_tree_holds_each_witness_nearest(witnesses: list[list[str]]) -> None:
    """The tree spans the witnesses in the guide order (each parent placed before its
    child), and a witness's most similar other witness is a tree neighbour, unless another
    is exactly as similar."""
    order, parent = guide_tree(witnesses)
    assert order == guide_order(witnesses)
    count = len(witnesses)
    assert sorted(order) == list(range(count))
    assert parent[order[0]] == -1
    for position, w in enumerate(order[1:], start=1):
        assert parent[w] in order[:position]
    for w in range(count):
        others = [k for k in range(count) if k != w]
        if not others:
            continue
        top = max(_similarity(witnesses, w, k) for k in others)
        neighbours = {parent[w]} | {k for k in range(count) if parent[k] == w}
        assert any(_similarity(witnesses, w, k) == top for k in neighbours)


def _texts(count: int, words: int, seed: int) -> dict[str, str]:
    """*count* versions of one text (a word in ten changed), and one text of other words."""
    rnd = random.Random(seed)
    vocabulary = [f"w{i}" for i in range(400)]
    base = rnd.choices(vocabulary, k=words)
    texts = {}
    for k in range(count):
        text = [rnd.choice(vocabulary) if rnd.random() < 0.1 else w for w in base]
        texts[f"V{k:02d}"] = " ".join(text) + "\n"
    texts["Other"] = " ".join(f"x{rnd.randrange(400)}" for _ in range(words)) + "\n"
    return texts


def test_an_unrelated_text_among_many_versions_is_named() -> None:
    """Above the all-pairs limit the verdict comes from the guide tree and still names the
    one text that is not a version, and only it."""
    texts = _texts(2 * build._RELATED_ALL_PAIRS, 120, 1950)
    apparatus = collatio.collate_texts(texts, convention="plain")
    flagged = [d.message.split()[0] for d in apparatus.diagnostics
               if d.code == "unrelated-texts"]
    assert flagged == ["Other"]


@settings(max_examples=10, deadline=None)
@given(st.integers(min_value=0, max_value=2**16))
def test_the_tree_verdict_never_exceeds_the_all_pairs_one(seed: int) -> None:
    """Weighing only the tree's pairs can only lower a document's best share, and the
    versions of one text still find a partner above the threshold."""
    texts = _texts(build._RELATED_ALL_PAIRS + 2, 60, seed)
    apparatus = collatio.collate_texts(texts, convention="plain")
    tokens, alignment = apparatus.tokens, apparatus.alignment
    documents = list(range(len(tokens)))
    names = [tl.siglum for tl in tokens]
    parents = guide_tree([tl.norms for tl in tokens])[1]
    tree = build.relatedness(alignment, tokens, documents, parents)
    every = build.relatedness(alignment, tokens, documents)
    assert tree.keys() == every.keys() == set(documents)
    for d in documents:
        assert tree[d] <= every[d]
        if names[d] != "Other":
            assert tree[d] >= collatio.CollationOptions().related


@settings(max_examples=10, deadline=None)
@given(st.integers(min_value=0, max_value=2**16), st.sampled_from([0.2, 0.5, 0.9]))
def test_a_verdict_stops_weighing_pairs_once_both_texts_have_a_partner(
        seed: int, enough: float) -> None:
    """With a threshold, a document's share is exact below it and at least it above it: the
    pairs left unweighed are those whose two texts already have their partner."""
    texts = _texts(build._RELATED_ALL_PAIRS - 2, 60, seed)
    apparatus = collatio.collate_texts(texts, convention="plain")
    tokens, alignment = apparatus.tokens, apparatus.alignment
    documents = list(range(len(tokens)))
    every = build.relatedness(alignment, tokens, documents)
    quick = build.relatedness(alignment, tokens, documents, enough=enough)
    assert quick.keys() == every.keys() == set(documents)
    for d in documents:
        if every[d] < enough:
            assert quick[d] == every[d]
        else:
            assert enough <= quick[d] <= every[d]
