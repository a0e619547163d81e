"""What every test module shares: missing real tools reported once each (see
:mod:`tests.support.tools`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import tools

_TOOLS_FILE = str(Path(tools.__file__).resolve())


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Iterator[None]:
    """A skip for a missing tool is reported at :func:`tools.unavailable`, wherever it came
    from (a test, a fixture): pytest's summary then folds all of one tool's skips into one
    line naming its Debian packages."""
    report: pytest.TestReport = yield
    if report.skipped and isinstance(report.longrepr, tuple):
        _, _, reason = report.longrepr
        if reason.removeprefix("Skipped: ") in tools.REASONS:
            report.longrepr = (_TOOLS_FILE, tools.unavailable.__code__.co_firstlineno, reason)
    return report
