"""The JSON Schemas of collatio's JSON outputs, shipped inside the package.

``schema("apparatus")`` is ``collatio/schemas/apparatus.schema.json`` (what ``--format json``
writes), ``schema("parse")`` the ``collatio parse --format json`` listing. In a checkout
``src/collatio/schemas`` is a link to ``docs/schemas/``, the one copy (a wheel holds the
files themselves). :func:`validate` checks data against one with the ``jsonschema`` package
(``pip install "collatio[validate]"``).

>>> schema("apparatus")["title"]
'collatio apparatus'
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from collatio.errors import CollatioError


def schema_names() -> list[str]:
    """The names of the shipped schemas (``apparatus``, ``parse``, ...), sorted."""
    folder = resources.files("collatio") / "schemas"
    return sorted(entry.name.removesuffix(".schema.json") for entry in folder.iterdir()
                  if entry.name.endswith(".schema.json"))


@cache
def _text(name: str) -> str:
    if name not in schema_names():
        raise KeyError(f"no schema {name!r}; schemas: {', '.join(schema_names())}")
    return (resources.files("collatio") / "schemas" / f"{name}.schema.json").read_text("utf-8")


def schema(name: str) -> dict[str, Any]:
    """The JSON Schema called *name*, as a new dict (a ``KeyError`` lists the names)."""
    loaded: dict[str, Any] = json.loads(_text(name))
    return loaded


def validate(data: Any, name: str, path: str = "<json>") -> None:
    """Raise :class:`CollatioError` naming the first place where *data* breaks schema
    *name*; needs the ``jsonschema`` package."""
    try:
        import jsonschema
    except ImportError:
        raise CollatioError(
            'validating JSON needs the jsonschema package: pip install "collatio[validate]"',
            path=path,
        ) from None
    validator = jsonschema.Draft202012Validator(schema(name))
    error = jsonschema.exceptions.best_match(validator.iter_errors(data))
    if error is not None:
        where = "/".join(str(part) for part in error.absolute_path) or "(top level)"
        raise CollatioError(f"does not match the {name} schema at {where}: {error.message}",
                            path=path)
