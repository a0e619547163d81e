"""What a long piece of work is doing, told to whoever shows it.

The pipeline marks its stages (``with stage("aligning 3 texts"):``); nothing is shown unless
a caller installs a reporter with :func:`reporting`: the command line does so when standard
error is a terminal, to show the stage after a second's work. Without a reporter a stage
costs one context-variable lookup.

>>> seen = []
>>> with reporting(seen.append):
...     with stage("aligning 2 texts"):
...         pass
>>> seen
['aligning 2 texts']
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar

#: Called with each stage's label as it starts.
Reporter = Callable[[str], None]

_REPORTER: ContextVar[Reporter | None] = ContextVar("collatio_progress", default=None)


@contextlib.contextmanager
def stage(label: str) -> Iterator[None]:
    """Tell the reporter, if any, that the work called *label* starts."""
    reporter = _REPORTER.get()
    if reporter is not None:
        reporter(label)
    yield


@contextlib.contextmanager
def reporting(reporter: Reporter) -> Iterator[None]:
    """Send the stages begun inside this block to *reporter*."""
    token = _REPORTER.set(reporter)
    try:
        yield
    finally:
        _REPORTER.reset(token)
