"""Collate witness files with CollateX and write its JSON output (runs in the CollateX venv).

Usage: ``python bench/_collatex_run.py OUT.json WITNESS.txt...``

Each file becomes one plain witness (its sigil the file's stem), collated with CollateX's
defaults and ``collate(collation, output="json", segmentation=False)``. This script must not
import collatio: it runs in a separate virtualenv holding CollateX (GPLv3).
"""

from __future__ import annotations

import sys
from pathlib import Path

from collatex import Collation, collate


def main(out: str, files: list[str]) -> None:
    """Collate *files* and write the JSON alignment table to *out*."""
    collation = Collation()
    for name in files:
        path = Path(name)
        collation.add_plain_witness(path.stem, path.read_text(encoding="utf-8"))
    result = collate(collation, output="json", segmentation=False)
    Path(out).write_text(result, encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
