"""The renderer interface and registry: one small class per output format.

A renderer reads only the apparatus model (never source text or markup) and returns text.
Subclassing :class:`Renderer` registers the class under its ``name``; the registry finds a
renderer by name, alias or output file name.

Other packages add formats as Pygments' plugins add lexers: an entry point in the group
``collatio.renderers`` naming a :class:`Renderer` subclass (``[project.entry-points.
"collatio.renderers"] docx = "mypkg.render:DocxRenderer"``). It is loaded when its name is
asked for, or when every format is listed; one that fails to load is reported when asked
for and left out of the listing.
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
#: The entry-point group through which other packages add renderers.
ENTRY_POINT_GROUP = "collatio.renderers"
#: Plugins that failed to load: entry-point name -> why.
_BROKEN: dict[str, str] = {}


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
    #: The ``-O`` options the format takes: name -> what it does (``collatio formats``).
    OPTIONS: ClassVar[dict[str, str]] = {}
    #: Whether the output is already fit for a terminal (every value passed through
    #: :func:`collatio.terminal.printable`, as the text renderer does); otherwise the command
    #: line escapes what it sends to one.
    terminal_safe: ClassVar[bool] = False

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
    for name in _plugins():
        _load_plugin(name)
    _LOADED.append(True)


def _plugins() -> dict[str, Any]:
    """The installed entry points of :data:`ENTRY_POINT_GROUP`, by name (none loaded)."""
    from importlib.metadata import entry_points

    return {point.name: point for point in entry_points(group=ENTRY_POINT_GROUP)}


def _load_plugin(name: str) -> type[Renderer] | None:
    """Load the entry point *name* and register its class (under its own names and *name*);
    None, with the reason kept in ``_BROKEN``, if it is missing or fails to load."""
    point = _plugins().get(name)
    if point is None:
        return None
    try:
        cls = point.load()
        if not (isinstance(cls, type) and issubclass(cls, Renderer)):
            raise TypeError(f"{point.value} is not a collatio.render.Renderer subclass")
    except Exception as exc:  # a broken plugin must not break the other formats
        _BROKEN[name] = f"{type(exc).__name__}: {exc}"
        return None
    _REGISTRY.setdefault(name.lower(), cls)
    if cls.name:
        _REGISTRY.setdefault(cls.name, cls)
    return cls


_LOADED: list[bool] = []


def format_modules() -> list[str]:
    """The render modules' names, which are the formats' names, without importing them
    (for help texts: loading every format costs a tenth of a second)."""
    import importlib
    import pkgutil

    package = importlib.import_module("collatio.render")
    # plugins are not looked for here: scanning the installed packages' entry points would
    # cost every run of the command line a twentieth of a second
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


def renderer_classes() -> list[type[Renderer]]:
    """Every registered renderer class (plugins included), once each, by name."""
    _load_all()
    return sorted(set(_REGISTRY.values()), key=lambda cls: cls.name)


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
        cls = _load_plugin(key) or _load_plugin(name)
    if cls is None:
        _load_all()
        cls = _REGISTRY.get(key)
    if cls is None:
        broken = _BROKEN.get(key) or _BROKEN.get(name)
        if broken:
            raise RenderError(f"the format {name!r} comes from a plugin that failed to load "
                              f"({ENTRY_POINT_GROUP}): {broken}")
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
