"""The apparatus as a tidy table: one row per variation unit and collated witness.

For historians who analyse variation in pandas or R: every row says what one text reads in
one unit (or that it is lacunose there), where, and whether the document's hand added or
deleted it. The CSV renderer writes these rows; :meth:`Apparatus.to_dataframe` makes a
pandas DataFrame of them. Cost: one pass over the units, ``len(units) * len(witnesses)``
rows.

>>> from collatio import collate_texts
>>> app = collate_texts({"A": "The black cat.", "B": "The white cat."})
>>> [(r.unit, r.witness, r.reading, r.lemma) for r in rows(app)]
[('u1', 'A', 'black', True), ('u1', 'B', 'white', False)]
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

from collatio.apparatus.model import Apparatus


class Row(NamedTuple):
    """What one collated text reads in one unit.

    ``reading`` is None where the text is lacunose, ``""`` for an omission; ``group`` numbers
    the unit's readings from 1 (the lemma's first), so texts that agree share it; ``words``
    are the 1-based first and last word of the reading in its text (None for a reading of no
    words: an omission, or punctuation only); ``hand`` is ``add``, ``del``, ``mixed`` or
    None.
    """

    unit: str
    type: str
    minor: bool
    witness: str
    document: str
    state: str
    reading: str | None
    group: int | None
    lemma: bool
    lacunose: bool
    base_reading: str | None
    hand: str | None
    paragraph: int | None
    line: int | None
    column: int | None
    first_word: int | None
    last_word: int | None


COLUMNS: tuple[str, ...] = Row._fields


def rows(apparatus: Apparatus) -> Iterator[Row]:
    """The rows, unit by unit, each unit's in the order of ``apparatus.witnesses``."""
    for unit in apparatus.units:
        base_reading = unit.lemma.text if unit.lemma is not None else None
        kind = unit.type.value
        for w in apparatus.witnesses:
            siglum = w.siglum
            for group, reading in enumerate(unit.readings, 1):
                if siglum in reading.witnesses:
                    place = reading.place(siglum)
                    first, last = place.words
                    yield Row(unit.id, kind, unit.minor, siglum, w.witness, w.state,
                              reading.text, group, reading is unit.lemma, False, base_reading,
                              place.hand, place.paragraph, place.line, place.column,
                              first + 1 if last > first else None,
                              last if last > first else None)
                    break
            else:
                yield Row(unit.id, kind, unit.minor, siglum, w.witness, w.state, None, None,
                          False, True, base_reading, None, None, None, None, None, None)


def dataframe(apparatus: Apparatus) -> Any:
    """:func:`rows` as a pandas DataFrame (``pip install "collatio[pandas]"``), with
    nullable integer columns so that lacunose rows stay integers elsewhere."""
    try:
        import pandas as pd
    except ImportError:
        raise ImportError(
            'Apparatus.to_dataframe needs pandas: pip install "collatio[pandas]"'
        ) from None
    frame = pd.DataFrame.from_records(list(rows(apparatus)), columns=list(COLUMNS))
    for name in ("group", "paragraph", "line", "column", "first_word", "last_word"):
        frame[name] = frame[name].astype("Int64")
    for name in ("unit", "type", "witness", "document", "state"):
        frame[name] = frame[name].astype("category")
    return frame
