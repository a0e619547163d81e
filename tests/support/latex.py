"""LuaLaTeX for the tests: compile a document twice, read the PDF back as text or a picture.

reledmac prints no apparatus on the first run (it learns the line numbers from it), so
:func:`compile_pdf` always runs the engine twice, in its own directory, with shell escape off
and a timeout; a failure raises :class:`LaTeXFailed` with the tail of the log. Without
``lualatex``, reledmac or poppler the test is skipped (failed under CI: see
:mod:`tests.support.tools`).

``python -m tests.support.latex`` regenerates ``docs/images/seed-apparatus-latex.png``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

from tests.support import tools

ROOT = Path(__file__).resolve().parent.parent.parent
SEED_002 = ROOT / "seeds" / "002_82ee7afc6dc33c74.txt"
SEED_PNG = ROOT / "docs" / "images" / "seed-apparatus-latex.png"
TIMEOUT = 180.0


class LaTeXFailed(AssertionError):
    """The engine stopped with an error or ran out of time; the message ends with the log."""


def tool(name: str) -> str:
    """The path of *name* (``lualatex``, ``pdftotext``, ``pdftoppm``); the test is skipped
    (failed under CI) unless LuaLaTeX, reledmac and poppler are all installed."""
    return tools.executable("latex", name)


def compile_pdf(source: str, directory: Path, name: str = "document", *, runs: int = 2,
                timeout: float = TIMEOUT, files: dict[str, str] | None = None) -> Path:
    """Write *source* (and *files*) into *directory*, run LuaLaTeX *runs* times, the PDF.

    Each run is ``lualatex -interaction=nonstopmode -halt-on-error -no-shell-escape``.
    """
    engine = tool("lualatex")
    directory.mkdir(parents=True, exist_ok=True)
    for file_name, text in (files or {}).items():
        (directory / file_name).write_text(text, encoding="utf-8")
    tex = directory / f"{name}.tex"
    tex.write_text(source, encoding="utf-8")
    env = {**os.environ, "max_print_line": "10000"}
    command = [engine, "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape",
               "-file-line-error", tex.name]
    for run in range(1, runs + 1):
        try:
            result = subprocess.run(command, cwd=directory, env=env, capture_output=True,
                                    stdin=subprocess.DEVNULL, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise LaTeXFailed(f"lualatex run {run} of {tex} took more than {timeout:.0f} s"
                              f"{_log_tail(directory / f'{name}.log')}") from None
        if result.returncode != 0:
            raise LaTeXFailed(f"lualatex run {run} of {tex} failed (exit {result.returncode})"
                              f"{_log_tail(directory / f'{name}.log')}")
    pdf = directory / f"{name}.pdf"
    if not pdf.exists():
        raise LaTeXFailed(f"lualatex made no PDF from {tex}{_log_tail(directory / f'{name}.log')}")
    return pdf


def _log_tail(log: Path, lines: int = 40) -> str:
    if not log.exists():
        return " (no log)"
    tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
    return "; log tail:\n" + "\n".join(tail)


def pdf_pages(pdf: Path, *, layout: bool = True) -> list[str]:
    """The text of each page of *pdf* (``pdftotext -layout``)."""
    command = [tool("pdftotext"), "-enc", "UTF-8"] + (["-layout"] if layout else [])
    result = subprocess.run([*command, str(pdf), "-"], capture_output=True, check=True,
                            timeout=60)
    pages = result.stdout.decode("utf-8").split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def pdf_text(pdf: Path, *, layout: bool = True) -> str:
    """The whole text of *pdf*."""
    return "\n".join(pdf_pages(pdf, layout=layout))


def squeeze(text: str) -> str:
    """*text* NFKC-normalized with all whitespace removed, for comparing across line breaks."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def render_page(pdf: Path, page: int, target: Path, dpi: int = 80) -> Path:
    """Page *page* (1-based) of *pdf* as a PNG at *target* (``pdftoppm``)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    stem = target.with_suffix("")
    subprocess.run([tool("pdftoppm"), "-png", "-r", str(dpi), "-f", str(page), "-l", str(page),
                    "-singlefile", str(pdf), str(stem)], check=True, timeout=60)
    return target


def first_apparatus_page(pages: list[str]) -> int:
    """The 1-based number of the first page that carries apparatus notes (``] F;``)."""
    for number, text in enumerate(pages, 1):
        if "] F;" in " ".join(text.split()).replace(" ]", "]"):
            return number
    raise AssertionError("no page carries apparatus notes")


def main() -> int:
    """Compile the seed's edition and write its first apparatus page to ``docs/images``."""
    sys.path.insert(0, str(ROOT / "src"))
    import collatio

    apparatus = collatio.collate([SEED_002])
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        pdf = compile_pdf(collatio.render(apparatus, "latex"), Path(tmp), "seed")
        page = first_apparatus_page(pdf_pages(pdf))
        render_page(pdf, page, SEED_PNG)
        took = time.perf_counter() - start
    print(f"wrote {SEED_PNG.relative_to(ROOT)} (page {page}; "
          f"{SEED_PNG.stat().st_size // 1024} KiB; compiled in {took:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
