"""Work shared with forked child processes: :func:`fork_map`.

The texts of a collation are tokenized one after the other before anything else can start,
and a million-word text takes half a second. With two cores, a child process forked for the
second text does it in the same half second. A forked child starts with the parent's memory
as it was (copy on write), so nothing is sent to it; it sends its results back pickled
through a pipe (a million tokens: 0.09 s each way).

Forking is safe only in a process that runs one thread (a lock another thread holds would
stay held in the child for ever), so :func:`fork_map` does the work in this process when
another thread runs, where ``os.fork`` is missing (Windows) and for one worker. The results
are the same either way, in the items' order. A result comes back as a copy, except for the
objects listed in *shared* (not plain strings, numbers or containers): those are the
parent's own (identity kept). A child that fails or dies is not trusted with anything:
its items are done again in this process, so an error is raised here, with its traceback,
as it would be without children. An interrupt in the parent kills and reaps every child.
"""

from __future__ import annotations

import contextlib
import io
import os
import pickle
import signal
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

__all__ = ["available_workers", "fork_map"]

_T = TypeVar("_T")
_R = TypeVar("_R")


def available_workers() -> int:
    """The cores this process may run on (its CPU affinity where the system tells it)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def can_fork() -> bool:
    """Whether forking is possible and safe here: ``os.fork`` exists and no other thread
    runs."""
    return hasattr(os, "fork") and threading.active_count() == 1


def fork_map(fn: Callable[[_T], _R], items: Iterable[_T], workers: int,
             shared: Sequence[object] = (),
             meanwhile: Callable[[list[_R]], object] | None = None,
             worth: Callable[[_T], bool] | None = None) -> list[_R]:
    """``[fn(item) for item in items]``, the items *worth* a process (all by default) shared
    out among this process and up to ``workers - 1`` forked children (round robin; this
    process takes the first, and every item not worth a process). *meanwhile* is given this
    process's own results while the children finish, if any child was forked."""
    items = list(items)
    chosen = [k for k, item in enumerate(items) if worth is None or worth(item)]
    children = min(workers, len(chosen)) - 1
    if children < 1 or not can_fork():
        return [fn(item) for item in items]
    shares = [chosen[k :: children + 1] for k in range(children + 1)]  # item numbers
    rest = sorted(set(range(len(items))).difference(chosen))
    # by id: a listed object lives (the list holds it) in both processes, at the same address
    names = {id(obj): i for i, obj in enumerate(shared)}
    # (pid, or -1 once reaped; the read end of its pipe, or -1 once closed)
    running: list[tuple[int, int]] = []
    out: list[_R] = [None] * len(items)  # type: ignore[list-item]

    def here(numbers: list[int]) -> None:
        for k in numbers:
            out[k] = fn(items[k])

    try:
        for share in shares[1:]:
            try:
                running.append(_fork(fn, [items[k] for k in share], shared, names))
            except OSError:  # no process or pipe to be had: the rest is done here
                break
        mine = shares[0] + rest
        here(mine)
        if meanwhile is not None and running:
            meanwhile([out[k] for k in mine])
        for child, (pid, pipe) in enumerate(running, 1):
            stream = open(pipe, "rb")  # noqa: SIM115 - closed by the with below
            running[child - 1] = (pid, -1)
            with stream:
                data = stream.read()
            _, status = os.waitpid(pid, 0)
            running[child - 1] = (-1, -1)
            if status == 0 and data:
                for k, result in zip(shares[child], _load(data, shared), strict=True):
                    out[k] = result  # type: ignore[assignment]
            else:  # failed or killed: redone here, where its error (if any) is raised
                here(shares[child])
        for share in shares[len(running) + 1 :]:  # those no child could be forked for
            here(share)
    finally:
        for pid, pipe in running:
            if pipe >= 0:
                os.close(pipe)
            if pid >= 0:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
                with contextlib.suppress(OSError):
                    os.waitpid(pid, 0)
    return out


def _fork(fn: Callable[[_T], _R], share: list[_T], shared: Sequence[object],
          names: dict[int, int]) -> tuple[int, int]:
    """A child doing *share*: its pid and the read end of the pipe its results come by."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid:
        os.close(write_end)
        return pid, read_end
    # the child: its results to the pipe, then out at once (os._exit): the parent's open
    # files, buffers and exit handlers are the parent's to settle, not its copy's
    status = 1
    try:
        os.close(read_end)
        buffer = io.BytesIO()
        _Dumper(buffer, shared, names).dump([fn(item) for item in share])
        with open(write_end, "wb") as pipe:
            pipe.write(buffer.getbuffer())
        status = 0
    except BaseException:  # whatever it was, the parent does the share again
        pass
    finally:
        os._exit(status)


class _Dumper(pickle.Pickler):
    """Pickles each shared object as its number in the shared list (see :func:`_shared`)."""

    def __init__(self, file: io.BytesIO, shared: Sequence[object], names: dict[int, int]
                 ) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.shared, self.names = shared, names

    def reducer_override(self, obj: object) -> Any:
        # called once per object that is not a plain str, int, tuple, list or dict (those
        # are never shared: they may be copies), not once per reference
        i = self.names.get(id(obj))
        if i is not None and self.shared[i] is obj:
            return _shared, (i,)
        return NotImplemented


#: The shared objects of the results being loaded (one load at a time: only a process with
#: one thread forks).
_loading: Sequence[object] = ()


def _shared(i: int) -> object:
    """The *i*-th shared object of the results being loaded."""
    return _loading[i]


def _load(data: bytes, shared: Sequence[object]) -> list[object]:
    global _loading
    _loading = shared
    try:
        result: list[object] = pickle.loads(data)
    finally:
        _loading = ()
    return result
