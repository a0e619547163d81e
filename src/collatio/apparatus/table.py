"""The apparatus as a tidy table: one row per variation unit and collated witness.

For historians who analyse variation in pandas or R: every row says what one text reads in
one unit (or that it is lacunose there), where, and whether the document's hand added or
deleted it; sub-units (``u2.1``) have rows for the texts they are about. The CSV renderer
writes these rows; :meth:`Apparatus.to_dataframe` makes a pandas DataFrame of them. Cost:
one pass over the units and sub-units, ``len(units) * len(witnesses)`` rows and a row per
text of each sub-unit, plus one look at each token of a reading where the texts carry token
properties.

Token properties a source gave (CollateX's extra token keys, ``"page": "1r"``) become extra
columns after :data:`COLUMNS`, one a key, named by :func:`columns`: a reading's cell holds the
distinct values of its tokens in order, space-separated (``1r 1v`` for a reading across a
page break), empty for an omission or a text without them.

>>> from collatio import collate_texts
>>> app = collate_texts({"A": "The black cat.", "B": "The white cat."})
>>> [(r.unit, r.witness, r.reading, r.lemma) for r in rows(app)]
[('u1', 'A', 'black', True), ('u1', 'B', 'white', False)]
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

from collatio.apparatus.model import Apparatus


class Row(NamedTuple):
    """What one collated text reads in one unit.

    ``reading`` is None where the text is lacunose, ``""`` for an omission; ``group`` numbers
    the unit's readings from 1 (the lemma's first), so texts that agree share it; ``words``
    are the 1-based first and last word of the reading in its text (None for a reading of no
    words: an omission, or punctuation only); ``hand`` is ``add``, ``del``, ``mixed`` or
    None; ``properties`` are the reading's token properties, ``(key, values)`` pairs (see
    the module's docstring), not one of :data:`COLUMNS`.
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
    properties: tuple[tuple[str, str], ...] = ()


#: The fixed columns, in order (the token properties' columns follow them).
COLUMNS: tuple[str, ...] = Row._fields[:-1]


def property_keys(apparatus: Apparatus) -> tuple[str, ...]:
    """The token property keys the collated texts carry, in the order first seen."""
    if apparatus.tokens is None:
        return ()
    keys: dict[str, None] = {}
    for tokens in apparatus.tokens:
        for pairs in tokens.properties.values():
            keys.update((key, None) for key, _ in pairs)
    return tuple(keys)


def columns(apparatus: Apparatus) -> tuple[str, ...]:
    """Every column of *apparatus*'s table: :data:`COLUMNS`, then one per property key (a
    key that names a fixed column, or starts with ``property_``, gets that prefix)."""
    return COLUMNS + tuple(
        f"property_{key}" if key in COLUMNS or key.startswith("property_") else key
        for key in property_keys(apparatus)
    )


def flat(row: Row, keys: tuple[str, ...]) -> tuple[Any, ...]:
    """*row*'s cells under :func:`columns`, given its :func:`property_keys` *keys*."""
    found = dict(row.properties)
    return (*row[:-1], *(found.get(key) for key in keys))


def _properties(tokens: Mapping[int, tuple[tuple[str, str], ...]], start: int,
                end: int) -> tuple[tuple[str, str], ...]:
    values: dict[str, dict[str, None]] = {}
    for i in range(start, end):
        for key, value in tokens.get(i, ()):
            values.setdefault(key, {})[value] = None
    return tuple((key, " ".join(seen)) for key, seen in values.items())


def rows(apparatus: Apparatus) -> Iterator[Row]:
    """The rows, unit by unit, each unit's in the order of ``apparatus.witnesses``; a unit's
    sub-units (``u2.1``: the draft's revisions inside the final's lacuna) follow it, each
    with rows for the texts it is about only."""
    sigla = apparatus.sigla
    has = {siglum: tokens.properties for siglum, tokens in zip(sigla, apparatus.tokens or (),
                                                                strict=True)
           if tokens.properties}
    for unit in apparatus.all_units():
        base_reading = unit.lemma.text if unit.lemma is not None else None
        kind = unit.type.value
        covered = set(unit.witnesses)
        for w in apparatus.witnesses:
            siglum = w.siglum
            if siglum not in covered:
                continue
            for group, reading in enumerate(unit.readings, 1):
                if siglum in reading.witnesses:
                    place = reading.place(siglum)
                    first, last = place.words
                    found = has.get(siglum)
                    properties = _properties(found, *place.tokens) if found else ()
                    yield Row(unit.id, kind, unit.minor, siglum, w.witness, w.state,
                              reading.text, group, reading is unit.lemma, False, base_reading,
                              place.hand, place.paragraph, place.line, place.column,
                              first + 1 if last > first else None,
                              last if last > first else None, properties)
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
    keys = property_keys(apparatus)
    frame = pd.DataFrame.from_records([flat(row, keys) for row in rows(apparatus)],
                                      columns=list(columns(apparatus)))
    for name in ("group", "paragraph", "line", "column", "first_word", "last_word"):
        frame[name] = frame[name].astype("Int64")
    for name in ("unit", "type", "witness", "document", "state"):
        frame[name] = frame[name].astype("category")
    return frame
