"""A survey's progress, drawn by rich: one bar per step (reading, shingling, verifying ...),
``done/total tasks``, elapsed time and the time left, whichever engine runs the tasks.

Dask has two progress bars, ``dask.diagnostics.ProgressBar`` for its local schedulers and
``distributed.progress`` for a cluster, with different output and neither knowing the
survey's steps; so the engine counts finished tasks itself (a Dask callback locally, watching
the futures on a cluster) and tells one :class:`Progress`.

On a terminal the bars are redrawn in place (four times a second); on any other stream
(a log file, ``io.StringIO``) rich draws nothing live and writes the finished table once,
when the survey closes its progress: a log gets one line per step, not thousands.
"""

from __future__ import annotations

from typing import Any, TextIO


class Progress:
    """Bars for the steps of one survey on *stream* (see the module docstring). Use as a
    context manager, or call :meth:`close`; a closed one ignores further steps."""

    def __init__(self, stream: TextIO) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )
        from rich.progress import Progress as Bars

        console = Console(file=stream, highlight=False, soft_wrap=False)
        self._bars = Bars(
            TextColumn("{task.description:<10}"),
            BarColumn(bar_width=30),
            TextColumn("{task.completed}/{task.total} tasks"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=console,
            refresh_per_second=4,
        )
        self._bars.start()
        self._open = True

    def step(self, label: str, total: int) -> Step:
        """A new bar for a step of *total* tasks."""
        if not self._open:
            return Step(None, None)
        return Step(self._bars, self._bars.add_task(label, total=total))

    def close(self) -> None:
        if self._open:
            self._open = False
            self._bars.stop()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Step:
    """One step's bar: :meth:`advance` as tasks finish (a step without bars does nothing)."""

    __slots__ = ("_bars", "_task")

    def __init__(self, bars: Any, task: Any) -> None:
        self._bars, self._task = bars, task

    def advance(self, count: int = 1) -> None:
        if self._bars is not None:
            self._bars.advance(self._task, count)
