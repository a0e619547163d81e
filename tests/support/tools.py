"""What a test does when a real tool it checks outputs with is missing.

Some tests check collatio's outputs with the real tools: LuaLaTeX with reledmac and poppler
(LaTeX), headless Chromium (HTML), the TEI P5 schema fetched from PyPI (TEI), and the team's
``../shared`` folder beside the checkout (corpora, CollateX's cases). A test asks for one
through :func:`require` (or :func:`unavailable`, for things found another way). When it is
missing:

* on a developer's machine (a new laptop) the test is **skipped**, with a reason naming the
  Debian packages that bring the tool; the reason is raised from one line of this file, so
  pytest's ``-ra`` summary folds every skip of one tool into **one line**;
* under CI (``CI=true``, or ``COLLATIO_REQUIRE_TOOLS=1``, which ``.ci/run`` sets) the test
  **fails** instead, so CI runs every real-tool test or says which tool it lacks.
  ``COLLATIO_REQUIRE_TOOLS=0`` turns that off even under CI.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from typing import NoReturn

import attrs
import pytest

#: The variable that makes a missing tool a failure (``1``) or a skip (``0``); when it is
#: unset, ``CI`` decides.
REQUIRE_ENV = "COLLATIO_REQUIRE_TOOLS"
_TRUE = ("1", "true", "yes", "on")


@attrs.frozen
class Tool:
    """A real tool: the executables (and TeX files) it takes, the Debian packages with them."""

    name: str
    executables: tuple[str, ...]
    packages: tuple[str, ...]
    tex_files: tuple[str, ...] = ()


TOOLS = {
    "latex": Tool(
        "LuaLaTeX with reledmac and poppler",
        ("lualatex", "kpsewhich", "pdftotext", "pdftoppm"),
        ("texlive-latex-base", "texlive-latex-recommended", "texlive-latex-extra",
         "texlive-humanities", "texlive-luatex", "fonts-dejavu-core", "poppler-utils"),
        ("reledmac.sty", "xkeyval.sty"),
    ),
    "chromium": Tool("headless Chromium", ("chromium",), ("chromium", "chromium-driver")),
}


def required() -> bool:
    """Whether a missing tool fails the test (CI) rather than skipping it."""
    explicit = os.environ.get(REQUIRE_ENV, "").strip().lower()
    if explicit:
        return explicit in _TRUE
    return os.environ.get("CI", "").strip().lower() in _TRUE


def unavailable(what: str, remedy: str) -> NoReturn:
    """Skip the running test (fail it under CI): *what* is missing; *remedy* says how to get
    it. Keep both free of per-test detail so that the skips fold into one summary line."""
    if required():
        pytest.fail(f"{what} not found, and required here ({REQUIRE_ENV}=1 or CI=true): "
                    f"{remedy}", pytrace=False)
    reason = f"{what} not found: {remedy}"
    REASONS.add(reason)
    pytest.skip(reason)


#: The skip reasons :func:`unavailable` gave; ``tests/conftest.py`` reports every skip with
#: one of them at one place, so that pytest folds them into one summary line each.
REASONS: set[str] = set()


def _missing_parts(tool: Tool) -> list[str]:
    missing = [name for name in tool.executables if shutil.which(name) is None]
    if tool.tex_files and "kpsewhich" not in missing:
        kpsewhich = shutil.which("kpsewhich")
        assert kpsewhich is not None
        for name in tool.tex_files:
            found = subprocess.run([kpsewhich, name], capture_output=True, text=True,
                                   timeout=60, stdin=subprocess.DEVNULL)
            if found.returncode != 0 or not found.stdout.strip():
                missing.append(name)
    return missing


_FOUND: dict[tuple[str, str], bool] = {}


def require(key: str) -> None:
    """Go on if the tool called *key* (a key of :data:`TOOLS`) is installed; else skip the
    test, or fail it under CI. Looked up once per ``PATH``."""
    tool = TOOLS[key]
    cache_key = (key, os.environ.get("PATH", ""))
    if cache_key not in _FOUND:
        _FOUND[cache_key] = not _missing_parts(tool)
    if not _FOUND[cache_key]:
        unavailable(tool.name, f"install the Debian packages {' '.join(tool.packages)} "
                               f"(apt-get install; .ci/run does)")


def executable(key: str, name: str) -> str:
    """The path of *name*, one of the executables of tool *key*, once :func:`require` holds."""
    require(key)
    found = shutil.which(name)
    assert found is not None
    return found
