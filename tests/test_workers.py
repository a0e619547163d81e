"""Work shared with forked children (collatio._workers) and the texts tokenized side by side."""

from __future__ import annotations

import functools
import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import collatio
from collatio._workers import can_fork, fork_map
from collatio.apparatus import build
from collatio.render.json import apparatus_to_data
from collatio.tokens import TokenList

SEEDS = Path(__file__).parent.parent / "seeds"

needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="no os.fork on this system")
_ALONE = "COLLATIO_TEST_ALONE"


def alone(test: Callable[..., None]) -> Callable[..., None]:
    """Runs *test* here when this process may fork, else in a fresh interpreter: after the
    survey's tests, dask's threads run in this one, and fork_map rightly does not fork."""

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        if can_fork():
            test(*args, **kwargs)
            return
        assert _ALONE not in os.environ, "a thread runs even in a fresh interpreter"
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
             f"{__file__}::{test.__name__}"],
            env={**os.environ, _ALONE: "1"}, capture_output=True, text=True, check=False,
            cwd=Path(__file__).parent.parent,
        )
        assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
        assert " passed" in done.stdout.splitlines()[-1]

    return run


def _no_child_left() -> bool:
    """Whether every child of this process has been reaped."""
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def _square_and_pid(x: int) -> tuple[int, int]:
    return x * x, os.getpid()


@needs_fork
@alone
@given(st.lists(st.integers(-1000, 1000), max_size=9), st.integers(1, 4))
@example([1, 2, 3, 4, 5], 3)
@settings(deadline=None, max_examples=30)  # each example forks: time is the benchmark's
def test_the_results_are_the_map_in_order(items: list[int], workers: int) -> None:
    assert can_fork()
    results = fork_map(_square_and_pid, items, workers)
    assert [r for r, _ in results] == [x * x for x in items]
    pids = [pid for _, pid in results]
    children = max(0, min(workers, len(items)) - 1)
    # this process takes items 0, k+1, 2(k+1), ...; child k the items k, 2k+1, ...
    assert all(pid == os.getpid() for pid in pids[:: children + 1])
    if children > 0:
        others = {pid for i, pid in enumerate(pids) if i % (children + 1)}
        assert len(others) == children and os.getpid() not in others
    assert _no_child_left()


@needs_fork
@alone
def test_only_the_items_worth_a_process_leave_it() -> None:
    items = [1, 2, 3, 4, 5, 6, 7]
    results = fork_map(_square_and_pid, items, 3, worth=lambda x: x % 2 == 1)
    assert [r for r, _ in results] == [x * x for x in items]
    pids = dict(zip(items, (pid for _, pid in results), strict=True))
    assert all(pids[x] == os.getpid() for x in items if x % 2 == 0)
    # the four odd ones, round robin: 1 and 7 here, 3 and 5 in a child each
    assert pids[1] == pids[7] == os.getpid()
    assert len({pids[3], pids[5], os.getpid()}) == 3
    # fewer than two worth a process: no child at all
    results = fork_map(_square_and_pid, items, 3, worth=lambda x: x == 4)
    assert {pid for _, pid in results} == {os.getpid()}


@needs_fork
@alone
def test_meanwhile_is_given_this_process_results_while_the_children_work() -> None:
    seen: list[list[tuple[int, int]]] = []
    results = fork_map(_square_and_pid, [1, 2, 3], 2, meanwhile=seen.append)
    assert seen == [[(1, os.getpid()), (9, os.getpid())]]
    assert [r for r, _ in results] == [1, 4, 9]
    seen.clear()
    fork_map(_square_and_pid, [1, 2, 3], 1, meanwhile=seen.append)
    assert seen == []  # no child to wait for


@attrs.frozen
class _Mark:
    name: str


@needs_fork
@alone
def test_shared_objects_come_back_as_themselves_and_the_rest_as_copies() -> None:
    marks = [_Mark("a"), _Mark("b")]
    unlisted = _Mark("c")
    results = fork_map(lambda i: (marks[i % 2], unlisted, os.getpid()), range(4), 2, marks)
    assert results[1][2] != os.getpid()  # made in a child
    for i, (mark, other, _) in enumerate(results):
        assert mark is marks[i % 2]
        assert other == unlisted
    assert results[1][1] is not unlisted  # a copy: it was not listed


@needs_fork
@alone
def test_a_failing_child_share_is_done_again_here_and_its_error_raised_here() -> None:
    parent = os.getpid()

    def fails_in_a_child(x: int) -> int:
        if x == 2 and os.getpid() != parent:
            raise ValueError(f"no {x}")
        return x

    assert fork_map(fails_in_a_child, [1, 2, 3], 2) == [1, 2, 3]  # redone here, where it works

    def fails(x: int) -> int:
        if x == 2:
            raise ValueError(f"no {x}")
        return x

    with pytest.raises(ValueError, match="no 2") as raised:
        fork_map(fails, [1, 2, 3], 2)
    # raised by this process's own call, so its traceback is this process's
    assert raised.traceback[-1].name == "fails"
    assert _no_child_left()


@needs_fork
@alone
def test_a_child_killed_takes_nothing_with_it() -> None:
    parent = os.getpid()

    def dies_in_a_child(x: int) -> int:
        if os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
        return -x

    assert fork_map(dies_in_a_child, [1, 2, 3, 4], 3) == [-1, -2, -3, -4]
    assert _no_child_left()


@needs_fork
@alone
def test_an_interrupt_here_kills_and_reaps_the_children_at_once() -> None:
    parent = os.getpid()

    def slow(x: int) -> int:
        if os.getpid() == parent:
            raise KeyboardInterrupt
        time.sleep(60)
        return x

    start = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        fork_map(slow, [1, 2], 2)
    assert time.monotonic() - start < 5  # not the child's minute
    assert _no_child_left()


@needs_fork
@alone
def test_when_no_process_can_be_forked_the_rest_is_done_here(
        monkeypatch: pytest.MonkeyPatch) -> None:
    forks = []
    real_fork = os.fork

    def second_fails() -> int:
        forks.append(1)
        if len(forks) > 1:
            raise OSError("Resource temporarily unavailable")
        return real_fork()

    monkeypatch.setattr(os, "fork", second_fails)
    results = fork_map(_square_and_pid, [1, 2, 3, 4], 3)
    assert [r for r, _ in results] == [1, 4, 9, 16]
    assert len({pid for _, pid in results}) == 2  # this process and the one child
    assert _no_child_left()


def test_with_another_thread_running_the_work_stays_here() -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not can_fork()
        results = fork_map(_square_and_pid, [1, 2, 3], 3)
    finally:
        stop.set()
        thread.join()
    assert [r for r, _ in results] == [1, 4, 9]
    assert {pid for _, pid in results} == {os.getpid()}


def test_one_worker_is_this_process() -> None:
    assert {pid for _, pid in fork_map(_square_and_pid, [1, 2, 3], 1)} == {os.getpid()}


# --- tokenizing side by side ---------------------------------------------------------------


def _columns(tl: TokenList) -> tuple[object, ...]:
    return (tl.siglum, tl.text, tl.prefix, tl.surfaces, tl.spaces, tl.norms, tl.kinds,
            tl.starts, tl.source_starts, tl.paragraphs, tl.revision_spans, tl.gap_spans,
            tl.properties)


@needs_fork
@alone
def test_token_lists_made_in_children_are_the_ones_made_here(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Every state of two seeds (a draft with hand revisions, editorial gaps), tokenized in
    three processes: the same columns, and the revision and gap spans are the states' own."""
    parsed = collatio.parse([SEEDS / "001_c082e58984340868.txt",
                             SEEDS / "002_82ee7afc6dc33c74.txt"])
    entries = build.collated_witnesses(parsed.witnesses)
    states = [(witness.state(state), c.siglum) for c, witness, state in entries]
    assert len(states) >= 3
    options = build.CollationOptions()
    here = build.tokenize_states(states, options.normalization, 1)
    monkeypatch.setattr(build, "PARALLEL_CHARS", 0)
    there = build.tokenize_states(states, options.normalization, 3)
    assert [_columns(t) for t in there] == [_columns(t) for t in here]
    spans = {id(p.revision_span) for state, _ in states for p in state.pieces}
    spans |= {id(m.span) for state, _ in states for m in state.markers}
    held = [s for t in there for s in (*t.revision_spans.values(), *t.gap_spans.values())]
    assert any(t.revision_spans for t in there) and any(t.gap_spans for t in there)
    assert all(id(s) in spans for s in held)


CORPORA = Path(__file__).parent.parent.parent / "shared" / "corpora"


@needs_fork
@alone
@pytest.mark.parametrize("paths", [
    [SEEDS / "001_c082e58984340868.txt", SEEDS / "002_82ee7afc6dc33c74.txt"],
    [CORPORA / "frankenstein" / "C28" / "1818.xml", CORPORA / "frankenstein" / "C28" / "1823.xml",
     CORPORA / "docx" / "track_changes_deletion.docx", CORPORA / "markdown" / "MANUAL-2.19.md"],
], ids=["seeds", "tei-docx-markdown"])
def test_the_apparatus_is_the_same_with_workers(
        paths: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """Read and tokenized in three processes (every file and text counts as long): the
    same apparatus, revision fates included (they find their spans by identity)."""
    alone = collatio.collate(paths)
    monkeypatch.setattr(build, "PARALLEL_CHARS", 0)
    made = collatio.collate(paths, workers=3)
    assert made.revisions and len(made.revisions) == len(alone.revisions)
    assert json.dumps(apparatus_to_data(made)) == json.dumps(apparatus_to_data(alone))


@needs_fork
@alone
def test_the_moves_are_searched_in_a_child_while_this_process_cuts_the_table(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two editions of Darwin's chapter, as long texts are aligned (one alignment, its
    moves found apart): the moves are searched in a child and are the moves the alignment
    reports when it searches them itself; the apparatus is the one made in one process."""
    from collatio.apparatus import aligned
    from tests.test_align_real import paragraphs, write_editions

    paths = write_editions(tmp_path, paragraphs())[:2]
    monkeypatch.setattr(aligned, "ANCHOR_LIMIT", 0)  # the path of long texts
    searched = tmp_path / "searched-by"
    search = aligned.transpositions_of

    def recorded(*args: Any, **kwargs: Any) -> Any:
        with searched.open("a", encoding="utf-8") as out:
            out.write(f"{os.getpid()}\n")
        return search(*args, **kwargs)

    monkeypatch.setattr(aligned, "transpositions_of", recorded)
    here = collatio.collate(paths, convention="plain")
    assert searched.read_text(encoding="utf-8").split() == [str(os.getpid())]
    searched.unlink()
    monkeypatch.setattr(build, "PARALLEL_TOKENS", 0)
    made = collatio.collate(paths, convention="plain", workers=2)
    by = searched.read_text(encoding="utf-8").split()
    assert len(by) == 1 and by[0] != str(os.getpid())
    assert made.alignment is not None and made.tokens is not None
    moves = made.alignment.transpositions
    assert len(moves) >= 2  # Darwin's editions move passages
    reported, _, later = aligned.collation_table(
        made.tokens, [w.siglum for w in made.witnesses], transpositions=True,
        transposition_min_length=build.CollationOptions().transposition_min_length)
    assert later is None and reported == made.alignment
    assert json.dumps(apparatus_to_data(made)) == json.dumps(apparatus_to_data(here))


def test_workers_below_one_are_refused() -> None:
    with pytest.raises(ValueError, match="workers must be"):
        build.CollationOptions(workers=0)
    with pytest.raises(collatio.OptionError, match="workers is at least 1, not 0"):
        collatio.collate([SEEDS / "001_c082e58984340868.txt"], workers=0)


@needs_fork
@alone
def test_the_command_takes_workers_and_says_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    from collatio.cli import main

    files = [str(SEEDS / "001_c082e58984340868.txt"), str(SEEDS / "002_82ee7afc6dc33c74.txt")]
    outputs = []
    monkeypatch.setattr(build, "PARALLEL_CHARS", 0)
    for workers in ("1", "3"):
        out, err = io.StringIO(), io.StringIO()
        assert main(["collate", *files, "--format", "json", "--workers", workers],
                    stdout=out, stderr=err) == 0
        outputs.append(out.getvalue())
    assert outputs[0] == outputs[1] and '"units"' in outputs[0]
    err = io.StringIO()
    assert main(["collate", *files, "--workers", "0"], stdout=io.StringIO(), stderr=err) == 2
    assert "--workers: a limit is at least 1, not 0" in err.getvalue()


def test_a_token_lists_groups_are_made_once_and_go_with_it() -> None:
    import gc

    from collatio.apparatus import words
    from collatio.tokens import tokenize
    from collatio.witness import Piece, State, StateName

    text = "The (black) cat, sat. “Here” — now"
    tl = tokenize(State(StateName.TEXT, text, (Piece(0, 0, len(text)),)), "A")
    groups = words.groups_of(tl)
    assert words.groups_of(tl) is groups
    assert groups.starts == words._groups_of(tl).starts  # the cache holds what it would make
    assert tl in words._made
    held, before = weakref.ref(tl), len(words._made)
    del tl
    gc.collect()
    assert held() is None and len(words._made) == before - 1  # gone with its token list
