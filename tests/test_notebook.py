"""The notebook in docs/notebooks runs from top to bottom in a real Jupyter kernel (nbclient)
and shows the displays: HTML tables of witnesses, states, units and revisions, with hands,
and the HTML edition without restyling the notebook. It is committed with its outputs, and
those must be what a fresh run shows (``python -m tests.support.notebook`` rewrites them)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import lxml.html
import pytest

from tests.support import notebook as runner

NOTEBOOK = runner.NOTEBOOKS / "first-hour.ipynb"


@pytest.fixture(scope="module")
def fresh() -> Any:
    pytest.importorskip("nbformat")
    pytest.importorskip("nbclient")
    return runner.execute(NOTEBOOK)


def outputs_of(notebook: Any, source_start: str) -> tuple[str, str]:
    """The HTML and the plain text a code cell (found by how its source starts) shows."""
    cell = next(c for c in notebook.cells
                if c.cell_type == "code" and c.source.startswith(source_start))
    assert not [o for o in cell.outputs if o.output_type == "error"], cell.source
    html = "".join(o.get("data", {}).get("text/html", "") for o in cell.outputs)
    plain = "".join(o.get("text", "") + o.get("data", {}).get("text/plain", "")
                    for o in cell.outputs)
    return html, plain


def test_the_notebook_runs_and_shows_the_displays(fresh: Any) -> None:
    parsed, _ = outputs_of(fresh, "import collatio")
    assert "2 witnesses from 1 source" in parsed
    draft, _ = outputs_of(fresh, 'draft = result.witness("D")')
    assert "<ins>" in draft and "<del>" in draft and "hand-revision" in draft
    post, _ = outputs_of(fresh, 'draft.state("post")')
    assert "State post" in post and "<ins>" in post
    apparatus, _ = outputs_of(fresh, "apparatus = collatio.collate")
    assert "Apparatus: 3 texts, base F" in apparatus and "lacuna in" in apparatus
    _, line = outputs_of(fresh, "print(repr(apparatus))")
    assert line.startswith("<Apparatus: 3 texts (F D-ac D-pc)") and line.count("\n") == 1
    unit, _ = outputs_of(fresh, "apparatus.unit(")
    assert "Variation unit u2: lacuna" in unit and "u2.1" in unit and "added by hand" in unit
    revisions, _ = outputs_of(fresh, "apparatus.revisions")
    assert "Hand revisions of D" in revisions
    frame, counts = outputs_of(fresh, "frame = apparatus.to_dataframe()")
    assert frame == "" and re.search(r"D-pc\s+add\s+\d+", counts)  # grouped by hand
    texts, _ = outputs_of(fresh, "collatio.collate_texts")
    assert "substitution" in texts
    for html in (parsed, draft, post, apparatus, unit, revisions, texts):
        assert html.startswith("<style>") and 'class="collatio-display"' in html


def test_the_edition_page_inside_the_notebook_restyles_nothing_around_it(fresh: Any) -> None:
    page, _ = outputs_of(fresh, "from IPython.display import HTML")
    assert 'class="collatio"' in page and "collatio-display" not in page
    styles = lxml.html.document_fromstring(page).xpath("//style/text()")
    assert styles
    for css in styles:
        css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
        for prelude in re.findall(r"([^{}]+)\{", css):
            prelude = prelude.strip()
            if prelude.startswith("@"):  # @media: its rules are checked one by one
                continue
            for selector in prelude.split(","):
                selector = selector.strip()
                # body:has(> .collatio) matches only the page opened on its own, where the
                # edition is the body's child; in a notebook it is deep inside an output
                assert selector.startswith((".collatio", "body:has(> .collatio)")), selector


def test_the_committed_outputs_are_a_fresh_runs(fresh: Any) -> None:
    import nbformat

    committed = nbformat.read(NOTEBOOK, as_version=4)
    assert all(c.outputs for c in committed.cells if c.cell_type == "code"), (
        "the notebook is committed without outputs: run python -m tests.support.notebook")
    for number, (kept, now) in enumerate(
        zip(runner.comparable(committed), runner.comparable(fresh), strict=True), 1
    ):
        assert kept == now, (f"code cell {number} of {Path(NOTEBOOK).name} shows other "
                             "outputs than a fresh run: run python -m tests.support.notebook")
