"""The notebook in docs/notebooks runs from top to bottom in a real Jupyter kernel (nbclient),
and shows the displays: HTML tables of witnesses, states, units and revisions, with hands."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "docs" / "notebooks" / "first-hour.ipynb"


def test_the_notebook_runs_and_shows_the_displays(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")  # jupyter_core's deprecation warning
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute()
    html, plain = [], []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        assert not [o for o in cell.outputs if o.output_type == "error"], cell.source
        html.append("".join(o.get("data", {}).get("text/html", "") for o in cell.outputs))
        plain.append("".join(o.get("text", "") + o.get("data", {}).get("text/plain", "")
                             for o in cell.outputs))
    parsed, draft, post, apparatus, unit, revisions, frame, page, texts = html
    assert "2 witnesses from 1 source" in parsed
    assert "<ins>" in draft and "<del>" in draft and "hand-revision" in draft
    assert "State post" in post and "<ins>" in post
    assert "Apparatus: 3 texts, base F" in apparatus and "lacuna in" in apparatus
    assert "Variation unit u7" in unit and "added by hand" in unit
    assert "Hand revisions of D" in revisions
    assert frame == "" and plain[6].startswith("<Apparatus: 3 texts (F D-ac D-pc)")
    assert "add" in plain[6] and "del" in plain[6]  # the DataFrame grouped by hand
    assert "collatio-display" not in page and "<main" in page
    assert "substitution" in texts
    assert os.environ.get("JUPYTER_PLATFORM_DIRS") == "1"
