"""The renderer interface and registry: one small class per output format.

A renderer reads only the apparatus model (never source text or markup) and returns text.
Subclassing :class:`Renderer` registers the class under its ``name``; the registry finds a
renderer by name, alias or output file name.
"""

from __future__ import annotations

import contextlib
import fnmatch
import os
from collections.abc import Iterable
from typing import Any, ClassVar

from collatio.apparatus.model import Apparatus
from collatio.errors import RenderError

_REGISTRY: dict[str, type[Renderer]] = {}


class Renderer:
    """Base class of every output format.

    Subclasses set ``name`` (what ``--format`` takes), ``aliases``, ``filenames`` (glob
    patterns that select the format for ``-o PATH``), ``media_type``, and implement
    :meth:`render`. Options are keyword arguments to the constructor.
    """

    name: ClassVar[str] = ""
    aliases: ClassVar[tuple[str, ...]] = ()
    filenames: ClassVar[tuple[str, ...]] = ()
    media_type: ClassVar[str] = "text/plain"
    #: File name suffix used when writing every format into a directory.
    extension: ClassVar[str] = ".txt"

    def __init__(self, **options: Any) -> None:
        self.options = options

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.name:
            for key in (cls.name, *cls.aliases):
                if key in _REGISTRY and _REGISTRY[key] is not cls:
                    raise RuntimeError(f"two renderers claim the name {key!r}")
                _REGISTRY[key] = cls

    def render(self, apparatus: Apparatus) -> str:
        """The apparatus in this format."""
        raise NotImplementedError

    def chunks(self, apparatus: Apparatus) -> Iterable[str]:
        """:meth:`render`'s text in pieces, to be written as they are made; a format whose
        output can be large overrides this (and makes :meth:`render` join it)."""
        return (self.render(apparatus),)


def _load_all() -> None:
    """Import every renderer module of the package (once), which registers its classes.

    Done on first use rather than at ``import collatio``: some formats pull in large
    libraries (lxml, Jinja2) that a run rendering text never needs.
    """
    if _LOADED:
        return
    import importlib
    import pkgutil

    # by name: the attribute collatio.render is the facade's render() function
    package = importlib.import_module("collatio.render")
    for module in pkgutil.iter_modules(package.__path__):
        if module.name != "base" and not module.name.startswith("_"):
            importlib.import_module(f"{package.__name__}.{module.name}")
    _LOADED.append(True)


_LOADED: list[bool] = []


def format_modules() -> list[str]:
    """The render modules' names, which are the formats' names, without importing them
    (for help texts: loading every format costs a tenth of a second)."""
    import importlib
    import pkgutil

    package = importlib.import_module("collatio.render")
    return sorted(
        m.name for m in pkgutil.iter_modules(package.__path__)
        if m.name != "base" and not m.name.startswith("_")
    )


def renderer_names(*, aliases: bool = False) -> list[str]:
    """The registered formats' names, sorted; with *aliases*, every name they answer to."""
    _load_all()
    if aliases:
        return sorted(_REGISTRY)
    return sorted({cls.name for cls in _REGISTRY.values()})


def get_renderer(name: str, **options: Any) -> Renderer:
    """The renderer called *name* (or an alias); an unknown name lists the valid ones."""
    key = name.lower()
    cls = _REGISTRY.get(key)
    if cls is None and key.isidentifier():
        # a format lives in the module of its name: import just that one (writing JSON
        # should not load lxml and Jinja2); aliases fall back to loading every module
        import importlib

        with contextlib.suppress(ImportError):
            importlib.import_module(f"collatio.render.{key}")
        cls = _REGISTRY.get(key)
    if cls is None:
        _load_all()
        cls = _REGISTRY.get(key)
    if cls is None:
        raise RenderError(
            f"unknown format {name!r}; formats: {', '.join(renderer_names())}"
        )
    return cls(**options)


def renderer_for_filename(path: str, **options: Any) -> Renderer:
    """The renderer whose ``filenames`` patterns match the base name of *path*."""
    base = os.path.basename(path).lower()
    _load_all()
    for cls in sorted(set(_REGISTRY.values()), key=lambda c: c.name):
        if any(fnmatch.fnmatch(base, pattern) for pattern in cls.filenames):
            return cls(**options)
    raise RenderError(
        f"no format is known for the file name {os.path.basename(path)!r}; "
        f"pass --format ({', '.join(renderer_names())})",
        path=path,
    )
