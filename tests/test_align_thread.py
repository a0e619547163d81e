"""Threading a new witness through equal nodes of the variant graph (collatio.align.thread):
the chain it picks keeps the diff's matches, each on a node of its own key, in order, and is
the one the plain dynamic programme over every matched token picks (the module scores only
the stretches where a token has a choice)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collatio.align import graph, thread
from collatio.align.anchors import Run
from collatio.align.thread import STEP_SHIFT, Edges, Score

Call = tuple[list[int], list[int], Edges, str, int, list[Run], int, list[Run]]


def _pairs(runs: list[Run]) -> list[tuple[int, int]]:
    return [(a0 + q, b0 + q) for a0, b0, n in runs for q in range(n)]


def _reference(call: Call) -> list[int]:
    """The chain the plain dynamic programme picks: over every matched token, every position
    of its key within the slide, the best-scoring chain into each (the first of the best),
    with no token pinned and no stretch skipped."""
    order, masks, (steps, firsts, lasts), text, length, runs, slide, _ = call
    pairs = _pairs(runs)
    if not pairs:
        return []
    cells: list[list[tuple[int, Score, int, int]]] = []  # (position, score, link, step)
    for k, (i, j) in enumerate(pairs):
        straight = k > 0 and pairs[k - 1][1] == j - 1
        row = []
        for p in range(max(0, i - slide), min(len(text), i + slide + 1)):
            if text[p] != text[i]:
                continue
            node = order[p]
            end = lasts.get(node, 0) if j == length - 1 else 0
            weight, own = masks[node].bit_count(), int(p == i)
            if k == 0:
                start = firsts.get(node, 0) if j == 0 else 0
                row.append((p, ((end & start).bit_count(), start.bit_count() + end.bit_count(),
                                weight, own), -1, start))
                continue
            best: tuple[Score, int, int] | None = None
            for r, (q, score, _, follow) in enumerate(cells[-1]):
                if q >= p:
                    continue
                step = steps.get(order[q] << STEP_SHIFT | node, 0) if straight else 0
                value = (score[0] + (step & follow).bit_count() + (end & step).bit_count(),
                         score[1] + step.bit_count() + end.bit_count(),
                         score[2] + weight, score[3] + own)
                if best is None or value > best[0]:
                    best = value, r, step
            if best is not None:  # else no chain reaches p
                row.append((p, best[0], best[1], best[2]))
        cells.append(row)
    r = max(range(len(cells[-1])), key=lambda r: cells[-1][r][1])
    chain = []
    for row in reversed(cells):
        chain.append(row[r][0])
        r = row[r][2]
    return chain[::-1]


def _threaded(witnesses: list[list[str]], monkeypatch: pytest.MonkeyPatch) -> list[Call]:
    """Every call of :func:`thread.rethread` while the witnesses join one graph, with what it
    returned."""
    calls: list[Call] = []

    def recording(order: list[int], masks: list[int], edges: Edges, text: str, length: int,
                  runs: list[Run], slide: int) -> list[Run]:
        steps, firsts, lasts = edges  # kept as they are now: the graph changes them later
        kept = (dict(steps), dict(firsts), dict(lasts))
        out = thread.rethread(order, masks, edges, text, length, runs, slide)
        calls.append((list(order), list(masks), kept, text, length, list(runs), slide, out))
        return out

    monkeypatch.setattr(graph, "rethread", recording)
    built = graph.Graph(len(witnesses))
    for tokens in witnesses:
        built.add(tokens)
    return calls


versions = st.lists(st.lists(st.sampled_from(["a", "b", "c", "d"]), max_size=14),
                    min_size=3, max_size=6)


@given(versions)
@settings(deadline=None, max_examples=3000)  # wall time is the benchmark's, not a test's
def test_rethread_keeps_the_matches_in_order_and_picks_the_plain_programmes_chain(
        witnesses: list[list[str]]) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        calls = _threaded(witnesses, monkeypatch)
    for call in calls:
        _, _, _, text, _, runs, slide, out = call
        before, after = _pairs(runs), _pairs(out)
        assert [j for _, j in after] == [j for _, j in before]  # the same tokens matched
        positions = [p for p, _ in after]
        assert positions == sorted(set(positions))  # strictly increasing in the order
        for (i, _), (p, _) in zip(before, after, strict=True):
            assert text[p] == text[i] and abs(p - i) <= slide  # an equal node near
        assert positions == _reference(call)


def test_a_witness_that_reads_as_another_goes_its_way(monkeypatch: pytest.MonkeyPatch) -> None:
    # C reads as B; the diff alone matches C's "c" to A's second "c" (the latest match), so
    # C would read B's words in other columns; threaded, C takes B's nodes
    witnesses = [["s", "c", "c", "e"], ["s", "c", "y", "e"], ["s", "c", "y", "e"]]
    built = graph.Graph(3)
    for tokens in witnesses:
        built.add(tokens)
    assert built.paths[2] == built.paths[1]
    monkeypatch.setattr(graph, "rethread", lambda *args: args[5])  # the diff's own runs
    unthreaded = graph.Graph(3)
    for tokens in witnesses:
        unthreaded.add(tokens)
    assert unthreaded.paths[2] != unthreaded.paths[1]


def test_a_stretch_matched_straight_through_is_not_searched(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # every token has an equal node near (the text repeats), but the tokens around each one
    # keep theirs, so nothing can move and no candidate is looked for
    searched: list[str] = []
    real_find = str.find

    class Text(str):
        def find(self, *args: object) -> int:
            searched.append("x")
            return real_find(self, *args)  # type: ignore[arg-type]

    text = Text("ab" * 20)
    runs: list[Run] = [(0, 0, 40)]
    out = thread.rethread(list(range(40)), [1] * 40, ({}, {}, {}),
                          text, 40, runs, 32)
    assert out == runs
    assert not searched
