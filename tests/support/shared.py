"""The team's ``shared`` folder, checked out beside the repository (``../shared``).

It holds what the tests read but the repository must not copy: ``corpora/`` (real texts,
described in ``corpora/SOURCES.md``) and ``collatex_cases.json`` (CollateX's test cases, of
which ``tests/data/`` keeps a checked copy). ``$COLLATIO_SHARED`` names another place for it.
A test that needs it and does not find it is skipped, or fails under CI (see
:mod:`tests.support.tools`).
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def shared_dir() -> Path:
    """Where the shared folder should be (it may be missing)."""
    return Path(os.environ.get("COLLATIO_SHARED") or ROOT.parent / "shared")


def shared_path(*parts: str) -> Path:
    """``shared/<parts>``; the test is skipped (failed under CI) if it is not there."""
    from tests.support import tools

    path = shared_dir().joinpath(*parts)
    if not path.exists():
        tools.unavailable(
            "the shared folder beside the checkout (../shared: corpora and CollateX cases)",
            "check it out next to the repository, or set COLLATIO_SHARED to its path",
        )
    return path
