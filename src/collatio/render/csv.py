"""The apparatus as CSV: one row per variation unit and collated text (see
:mod:`collatio.apparatus.table` for the columns), for analysis in pandas, R or a spreadsheet.

Fields are quoted as RFC 4180 says (``csv.QUOTE_MINIMAL``, ``\\r\\n`` between rows), so
commas, quotes and line breaks in a reading survive. A cell that a spreadsheet would run as a
formula (one starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is written
with a leading ``'`` unless ``-O formulas=keep`` asks for the text exactly. Both an omission
and a lacunose text have an empty ``reading``: the ``lacunose`` column tells them apart.
Token properties from the source (CollateX's ``"page": "1r"``) add a column each.
Options: ``delimiter`` (``,`` by default, ``tab`` or ``;``), ``formulas`` (``quote`` or
``keep``). Characters that could drive a terminal (control characters other than tab and
newline, bidi controls) are written as escapes by :func:`collatio.terminal.printable`, so a
CSV shown in a terminal cannot drive it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from collatio.apparatus.model import Apparatus
from collatio.apparatus.table import columns, flat, property_keys, rows
from collatio.errors import RenderError
from collatio.render.base import Option, Renderer
from collatio.terminal import printable

_FORMULA = ("=", "+", "-", "@", "\t", "\r")
_DELIMITERS = {",": ",", "comma": ",", "tab": "\t", "\t": "\t", ";": ";", "semicolon": ";"}


class CSVRenderer(Renderer):
    """One row per unit and text: unit, type, witness, reading, lemma, hand, place."""

    name = "csv"
    filenames = ("*.csv",)
    media_type = "text/csv"
    extension = ".csv"
    options_declared = (
        Option("delimiter", str, ",", "',' (default), 'tab' or ';'",
               choices=(",", "comma", "tab", ";", "semicolon")),
        Option("formulas", str, "quote", "'quote' (default: a cell starting =, +, -, @ gets a "
               "leading ') or 'keep'", choices=("quote", "keep")),
    )

    def _cell(self, value: object, keep: bool) -> object:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, str):
            value = printable(value, newlines=True)
            if not keep and value.startswith(_FORMULA):
                return "'" + value
        return value

    def chunks(self, apparatus: Apparatus) -> Iterator[str]:
        raw = str(self.options.get("delimiter", ","))
        delimiter = _DELIMITERS.get(raw.lower() if raw.strip() else raw)
        if delimiter is None:
            raise RenderError(f"csv: delimiter must be one of ',', 'tab', ';', not {raw!r}")
        formulas = str(self.options.get("formulas", "quote")).lower()
        if formulas not in ("quote", "keep"):
            raise RenderError(f"csv: formulas must be 'quote' or 'keep', not {formulas!r}")
        keep = formulas == "keep"
        out = io.StringIO()
        writer = csv.writer(out, delimiter=delimiter, quoting=csv.QUOTE_MINIMAL)
        writer.writerow(columns(apparatus))
        keys = property_keys(apparatus)
        for n, row in enumerate(rows(apparatus), 1):
            writer.writerow([self._cell(value, keep) for value in flat(row, keys)])
            if n % 1000 == 0:
                yield out.getvalue()
                out.seek(0)
                out.truncate()
        yield out.getvalue()

    def render(self, apparatus: Apparatus) -> str:
        return "".join(self.chunks(apparatus))
