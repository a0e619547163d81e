"""The shared token indices (collatio._indices)."""

from __future__ import annotations

import gc
import threading

from hypothesis import given, settings
from hypothesis import strategies as st

from collatio._indices import indices


@given(st.lists(st.integers(0, 3000), min_size=1, max_size=8))
@settings(deadline=None)  # wall time is the benchmark's, not a test's
def test_item_i_is_i_however_the_list_grew(sizes: list[int]) -> None:
    held = indices(0)
    for n in sizes:
        pool = indices(n)
        assert pool is held  # grown in place, never replaced while held
        assert len(pool) >= n
        assert pool[:n] == list(range(n))
    assert held == list(range(len(held)))


def test_the_stages_of_one_collation_share_the_int_objects() -> None:
    held = indices(1000)
    again = indices(500)[:500]
    assert all(a is b for a, b in zip(again, held, strict=False))
    # the same number made by arithmetic is another object: sharing is what saves them
    made = int("998") + 1
    assert made == held[999] and made is not held[999]


def test_nothing_is_kept_once_nobody_holds_it() -> None:
    pool = indices(2000)
    del pool
    gc.collect()
    fresh = indices(10)
    # a new list, no longer than asked for: the old one was freed
    assert fresh == list(range(10))


def test_threads_growing_it_at_once_keep_item_i_equal_to_i() -> None:
    held = indices(0)
    sizes = [(k * 7919) % 50_000 for k in range(400)]
    errors: list[str] = []

    def work(mine: list[int]) -> None:
        for n in mine:
            pool = indices(n)
            if len(pool) < n or (n and pool[n - 1] != n - 1):
                errors.append(f"indices({n}) is wrong")

    threads = [threading.Thread(target=work, args=(sizes[k::4],)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert held == list(range(len(held))) and len(held) >= max(sizes)
