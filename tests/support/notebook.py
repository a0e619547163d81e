"""Run the documentation's notebooks in a real Jupyter kernel (nbclient), and write their
outputs back so that a reader sees the displays without running anything.

The notebooks in ``docs/notebooks/`` are committed **with** their outputs. After a change
that alters what they show, regenerate them from the repository root with::

    python -m tests.support.notebook            # every docs/notebooks/*.ipynb, in place

``tests/test_notebook.py`` runs each notebook afresh and fails, naming this command, when
the committed outputs differ from the fresh ones. What a run writes is made reproducible:
no timings, no kernel or run ids, execution counts from 1, the standard ``python3``
kernelspec. A cell tagged ``volatile`` (its metadata ``"tags": ["volatile"]``) is compared
only by the kinds of output it has: it shows something another part of the project owns and
changes often (the HTML edition page), which the test checks in its own way.
"""

from __future__ import annotations

import copy
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "docs" / "notebooks"
#: The tag of a cell whose outputs are compared by kind only.
VOLATILE = "volatile"
KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}


def execute(path: Path, timeout: int = 300) -> Any:
    """The notebook at *path*, run top to bottom in a fresh ``python3`` kernel whose working
    directory is the notebook's folder; outputs cleaned as :func:`clean` says."""
    os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")  # jupyter_core's deprecation warning
    import nbclient
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        notebook, timeout=timeout, kernel_name="python3", record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    return clean(notebook)


def clean(notebook: Any) -> Any:
    """*notebook* without what changes from run to run: execution metadata, the kernel's
    language_info (its patch version), counts renumbered from 1."""
    notebook.metadata = {"kernelspec": dict(KERNELSPEC)}
    count = 0
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type != "code":
            continue
        count += 1
        cell.execution_count = count
        for output in cell.outputs:
            output.pop("transient", None)
            if "execution_count" in output:
                output["execution_count"] = count
            output.get("metadata", {}).pop("execution", None)
    return notebook


def comparable(notebook: Any) -> list[list[dict[str, Any]]]:
    """Each code cell's outputs as plain data, a :data:`VOLATILE` cell's reduced to the
    kinds of output (and mime types) it has."""
    cells = []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        outputs = [dict(copy.deepcopy(output)) for output in cell.outputs]
        if VOLATILE in cell.metadata.get("tags", ()):
            outputs = [{"output_type": o["output_type"], "mime": sorted(o.get("data", {}))}
                       for o in outputs]
        cells.append(outputs)
    return cells


def main(argv: list[str]) -> int:
    import nbformat

    paths = [Path(arg) for arg in argv] or sorted(NOTEBOOKS.glob("*.ipynb"))
    for path in paths:
        notebook = execute(path)
        nbformat.validate(notebook)
        nbformat.write(notebook, path)
        print(f"ran and wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
