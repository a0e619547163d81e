"""CollateX's JSON alignment table, for users and tools coming from CollateX.

``{"witnesses": [sigla], "table": [one row per witness: [one cell per column:
[{"t": token with its trailing whitespace, "n": normalized form}] or null]]}``; a token's
properties from its source (CollateX input's other token keys, ``"page": "1r"``) are kept
in its cell, as strings.
"""

from __future__ import annotations

import json

from collatio.apparatus.model import Apparatus
from collatio.errors import RenderError
from collatio.render.base import Renderer
from collatio.tokens import TokenKind


class CollateXRenderer(Renderer):
    """The alignment table in CollateX's JSON output format (one token per cell)."""

    name = "collatex"
    aliases = ("collatex-json",)
    filenames = ("*.collatex.json",)
    media_type = "application/json"
    extension = ".collatex.json"

    def render(self, apparatus: Apparatus) -> str:
        if apparatus.alignment is None or apparatus.tokens is None:
            raise RenderError("an apparatus read back from a file has no alignment table")
        rows: list[list[list[dict[str, str]] | None]] = [[] for _ in apparatus.tokens]
        for column in zip(*apparatus.alignment.cells, strict=True):
            cells: list[list[dict[str, str]] | None] = []
            for w, tl in enumerate(apparatus.tokens):
                i = column[w]
                if i is None or tl.kinds[i] is TokenKind.GAP:
                    cells.append(None)
                else:
                    token = {"t": tl.surfaces[i] + tl.spaces[i], "n": tl.norms[i]}
                    token.update(tl.properties.get(i, ()))
                    cells.append([token])
            if any(cell is not None for cell in cells):  # a column holding only a gap mark
                for row, cell in zip(rows, cells, strict=True):
                    row.append(cell)
        data = {"witnesses": list(apparatus.sigla), "table": rows}
        return json.dumps(data, ensure_ascii=False) + "\n"
