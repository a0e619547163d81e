"""The survey's engine: Dask, on this machine or on a running ``dask.distributed`` cluster.

Every step of a survey is the same shape: a function applied to chunks of work (files,
documents, pairs, families), each chunk one Dask task (``dask.delayed``), results gathered
in chunk order, so the answer never depends on which worker ran what. Where the tasks run:

* ``workers=1``: in this process (Dask's synchronous scheduler), for small archives and
  debugging;
* default: local processes, one per core (or ``workers``), one pool kept for the whole
  survey (Dask's multiprocessing scheduler, given that pool); an archive of fewer than
  :data:`INLINE_BELOW` files runs in this process unless ``workers`` is given;
* ``scheduler="tcp://HOST:PORT"``: the cluster there, through a ``distributed.Client``.
  Its workers must have collatio installed and see the input files and the output folder at
  the same paths (a family's task reads its members and writes its files).

collatio has no scheduler of its own. Progress, if a stream is given, is a rich bar per step
(:mod:`collatio.survey.progress`), advanced as each Dask task finishes: by a Dask callback
on the local schedulers, by watching the futures on a cluster.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TextIO, TypeVar

from collatio.errors import CollatioError
from collatio.survey.progress import Progress, Step

T = TypeVar("T")
R = TypeVar("R")

#: Tasks per worker a step is cut into (more balance the load; fewer cost less overhead).
TASKS_PER_WORKER = 4
#: Archives of fewer files run in this process unless workers are asked for.
INLINE_BELOW = 50


def chunked(items: Sequence[T], parts: int) -> list[list[T]]:
    """*items* cut into at most *parts* contiguous chunks of near-equal length, in order.

    >>> chunked([1, 2, 3, 4, 5], 2)
    [[1, 2, 3], [4, 5]]
    """
    if not items:
        return []
    parts = max(1, min(parts, len(items)))
    size, extra = divmod(len(items), parts)
    out, start = [], 0
    for k in range(parts):
        end = start + size + (1 if k < extra else 0)
        out.append(list(items[start:end]))
        start = end
    return out


class Engine:
    """Runs a survey's steps with Dask (see the module docstring); use as a context manager
    so the process pool or the cluster connection is closed."""

    def __init__(
        self,
        workers: int | None = None,
        scheduler: str | None = None,
        progress: TextIO | None = None,
    ) -> None:
        if workers is not None and workers < 1:
            raise ValueError(f"workers must be at least 1, not {workers}")
        self.address = scheduler
        self.progress = Progress(progress) if progress is not None else None
        self._client: Any = None
        self._pool: ProcessPoolExecutor | None = None
        #: Whether the number of workers was left to the engine (then a small archive runs
        #: in this process: see :meth:`fit`).
        self.automatic = workers is None and scheduler is None
        if scheduler is not None:
            self._client = _connect(scheduler)
            self.workers = max(1, len(self._client.scheduler_info().get("workers", {})))
        else:
            self.workers = workers or os.cpu_count() or 1

    def fit(self, files: int) -> None:
        """Run in this process if the archive has fewer than :data:`INLINE_BELOW` files and
        the number of workers was not given: starting worker processes (each imports numpy,
        Dask and collatio) would cost more than they save."""
        if self.automatic and files < INLINE_BELOW and self._pool is None:
            self.workers = 1

    @property
    def name(self) -> str:
        if self.address is not None:
            return f"dask.distributed at {self.address} ({self.workers} workers)"
        if self.workers == 1:
            return "dask, synchronous (1 worker)"
        return f"dask, local processes ({self.workers} workers)"

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self.progress is not None:
            self.progress.close()
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        if self._client is not None:
            self._client.close()
            self._client = None

    def parts(self, items: int) -> int:
        """How many tasks a step of *items* items is cut into."""
        return min(items, self.workers * TASKS_PER_WORKER) if self.workers > 1 else 1

    def map(
        self,
        function: Callable[..., list[R]],
        chunks: Sequence[Any],
        *shared: Any,
        label: str = "working",
    ) -> list[R]:
        """``function(chunk, *shared)`` for every chunk as Dask tasks; the lists they
        return joined in chunk order."""
        import dask

        if not chunks:
            return []
        tasks = [dask.delayed(function, pure=False)(chunk, *shared) for chunk in chunks]
        step = self.progress.step(label, len(tasks)) if self.progress else Step(None, None)
        if self._client is not None:
            results = self._distributed(tasks, step)
        else:
            results = self._local(tasks, step)
        return [item for result in results for item in result]

    def _local(self, tasks: list[Any], step: Step) -> list[list[Any]]:
        import dask
        from dask.callbacks import Callback

        class Counter(Callback):  # type: ignore[misc]
            def _posttask(self, *args: object) -> None:
                step.advance()

        with Counter():
            if self.workers == 1:
                return list(dask.compute(*tasks, scheduler="sync"))
            if self._pool is None:
                context = multiprocessing.get_context("spawn")
                self._pool = ProcessPoolExecutor(self.workers, mp_context=context)
            return list(dask.compute(
                *tasks, scheduler="processes", pool=self._pool, chunksize=1,
            ))

    def _distributed(self, tasks: list[Any], step: Step) -> list[list[Any]]:
        futures = self._client.compute(tasks)
        waiting = list(futures)
        while waiting:  # the client is no default one, which distributed.as_completed needs
            time.sleep(0.05)
            left = [future for future in waiting if not future.done()]
            if len(left) < len(waiting):
                step.advance(len(waiting) - len(left))
                waiting = left
        return list(self._client.gather(futures))


def _connect(address: str) -> Any:
    try:
        from distributed import Client
    except ImportError:  # pragma: no cover - the survey extra installs it
        raise CollatioError(
            "--scheduler needs dask.distributed: pip install 'collatio[survey]'"
        ) from None
    try:
        return Client(address, timeout="10s", set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise CollatioError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
