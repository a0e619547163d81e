"""The renderer interface and registry: one small class per output format.

A renderer reads only the apparatus model (never source text or markup) and returns text.
Subclassing :class:`Renderer` registers the class under its ``name``; the registry finds a
renderer by name, alias or output file name.

Other packages add formats as Pygments' plugins add lexers: an entry point in the group
``collatio.renderers`` naming a :class:`Renderer` subclass (``[project.entry-points.
"collatio.renderers"] docx = "mypkg.render:DocxRenderer"``). It is loaded when its name is
asked for, or when every format is listed; one that fails to load is reported when asked
for and left out of the listing.

Each renderer declares the options it takes (:class:`Option`: a name, a type, a default and
bounds); anything else is refused when the renderer is made, with a did-you-mean, and so is
a value of the wrong type or out of bounds. The bounds keep the output's size a function of
the apparatus (``indent=100000`` would make gigabytes of spaces).
"""

from __future__ import annotations

import contextlib
import fnmatch
import os
import re
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

import attrs

from collatio.apparatus.model import Apparatus
from collatio.errors import RenderError, RenderOptionError

_TRUE = ("true", "yes", "on", "1")
_FALSE = ("false", "no", "off", "0")
_INTEGER = re.compile(r"[+-]?[0-9]{1,18}")


@attrs.frozen(slots=True)
class Option:
    """One option a renderer takes: ``kind`` is ``bool``, ``int`` or ``str``; an ``int`` lies
    from ``minimum`` to ``maximum``, a ``str`` has at most ``maximum`` characters. Values
    come from Python (``width=80``) or from the command line (``-O width=80``: a string).

    >>> width = Option("width", int, 100, "line width", minimum=20, maximum=10_000)
    >>> width.parse("80", "text")
    80
    >>> try:
    ...     width.parse("0", "text")
    ... except RenderOptionError as error:
    ...     print(error.message)
    option 'width' of the text format takes a whole number from 20 to 10000, not '0'
    """

    name: str
    kind: type
    default: object
    help: str
    minimum: int | None = None
    maximum: int | None = None
    #: the values a ``str`` option takes (case-insensitive; empty: any)
    choices: tuple[str, ...] = ()
    #: other names the option answers to (``flavor`` for ``flavour``)
    aliases: tuple[str, ...] = ()

    def parse(self, value: object, format: str) -> object:
        """*value* as this option's type, or :class:`~collatio.errors.RenderOptionError`."""
        if self.kind is bool:
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.strip().lower() in (*_TRUE, *_FALSE):
                return value.strip().lower() in _TRUE
            raise self._refuse("takes true or false", value, format)
        if self.kind is int:
            number: int | None = None
            if isinstance(value, int) and not isinstance(value, bool):
                number = value
            elif isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
                number = int(value)
            if number is None or not self._in_bounds(number):
                raise self._refuse(f"takes a whole number {self._range()}", value, format)
            return number
        if self.choices:
            if isinstance(value, str) and value.strip().lower() in self.choices:
                return value.strip().lower()
            raise self._refuse(f"takes one of {', '.join(self.choices)}", value, format)
        if isinstance(value, str) and (self.maximum is None or len(value) <= self.maximum):
            return value
        most = f" of at most {self.maximum:,} characters" if self.maximum is not None else ""
        raise self._refuse(f"takes a text{most}", value, format)

    def _in_bounds(self, number: int) -> bool:
        return (self.minimum is None or number >= self.minimum) and (
            self.maximum is None or number <= self.maximum
        )

    def _range(self) -> str:
        if self.minimum is not None and self.maximum is not None:
            return f"from {self.minimum} to {self.maximum}"
        if self.minimum is not None:
            return f"of at least {self.minimum}"
        return f"of at most {self.maximum}" if self.maximum is not None else ""

    def _refuse(self, what: str, value: object, format: str) -> RenderOptionError:
        shown = repr(value if isinstance(value, str) else str(value))
        if len(shown) > 60:
            shown = shown[:57] + "...'"
        return RenderOptionError(f"option {self.name!r} of the {format} format {what}, not {shown}")

    def describe(self) -> str:
        """``width (20-10000, default 100)`` for lists of options."""
        return f"{self.name} ({self.values()})"

    def values(self) -> str:
        """What the option takes: ``20-10000, default 100``, ``true/false, default false``."""
        if self.kind is bool:
            kind = "true/false"
        elif self.kind is int:
            kind = f"{self.minimum if self.minimum is not None else ''}-" \
                   f"{self.maximum if self.maximum is not None else ''}"
        else:
            kind = "|".join(self.choices) if self.choices else "text"
        shown = str(self.default).lower() if self.kind is bool else self.default
        return kind if self.default is None else f"{kind}, default {shown}"


_REGISTRY: dict[str, type[Renderer]] = {}
#: The entry-point group through which other packages add renderers.
ENTRY_POINT_GROUP = "collatio.renderers"
#: Plugins that failed to load: entry-point name -> why.
_BROKEN: dict[str, str] = {}


class Renderer:
    """Base class of every output format.

    Subclasses set ``name`` (what ``--format`` takes), ``aliases``, ``filenames`` (glob
    patterns that select the format for ``-o PATH``), ``media_type``, ``options_declared``
    (the :class:`Option` s it takes), and implement :meth:`render`. Options are keyword
    arguments to the constructor; ``self.options`` holds every declared option's value (the
    default where none was given), parsed and checked.
    """

    name: ClassVar[str] = ""
    aliases: ClassVar[tuple[str, ...]] = ()
    filenames: ClassVar[tuple[str, ...]] = ()
    media_type: ClassVar[str] = "text/plain"
    #: File name suffix used when writing every format into a directory.
    extension: ClassVar[str] = ".txt"
    #: Whether the output is already fit for a terminal (every value passed through
    #: :func:`collatio.terminal.printable`, as the text renderer does); otherwise the command
    #: line escapes what it sends to one.
    terminal_safe: ClassVar[bool] = False
    #: The options this format takes; any other is refused.
    options_declared: ClassVar[tuple[Option, ...]] = ()

    def __init__(self, **options: Any) -> None:
        self.options = self.check_options(options)

    @classmethod
    def takes(cls, key: str) -> bool:
        """Whether this format takes the option *key* (a name or an alias)."""
        return any(key in (option.name, *option.aliases) for option in cls.options_declared)

    @classmethod
    def check_options(cls, options: Mapping[str, object]) -> dict[str, Any]:
        """*options* parsed and checked against :attr:`options_declared`, defaults filled
        in; an unknown key or a bad value is an :class:`~collatio.errors.RenderOptionError`."""
        declared = {
            name: option for option in cls.options_declared
            for name in (option.name, *option.aliases)
        }
        values: dict[str, Any] = {option.name: option.default for option in cls.options_declared}
        given: dict[str, str] = {}
        for key, value in options.items():
            option = declared.get(key)
            if option is None:
                raise RenderOptionError(unknown_option(key, cls.name, cls.options_declared))
            if option.name in given:
                raise RenderOptionError(f"option {option.name!r} of the {cls.name} format is given "
                                  f"twice (as {given[option.name]!r} and {key!r})")
            given[option.name] = key
            values[option.name] = option.parse(value, cls.name)
        return values

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "OPTIONS" in cls.__dict__:  # the declaration before options_declared: never read
            raise TypeError(f"renderer {cls.__qualname__} declares OPTIONS, which collatio no "
                            "longer reads (its options would all be refused): declare "
                            "options_declared = (Option(name, type, default, help, ...), ...)")
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


def unknown_option(key: str, format: str | None, options: Iterable[Option]) -> str:
    """The message for an option *key* that *format* (None: any format) does not take, with
    a did-you-mean and the options there are."""
    import difflib  # only on this error: the command starts faster without it

    options = sorted(options, key=lambda option: option.name)
    names = list(dict.fromkeys(option.name for option in options))
    close = difflib.get_close_matches(key, names, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    if format is None:
        return f"no format takes the option {key!r}{hint}; the options: {', '.join(names)}"
    if not options:
        return f"the {format} format takes no options (not {key!r})"
    listed = ", ".join(option.describe() for option in options)
    return f"the {format} format takes no option {key!r}{hint}; its options: {listed}"


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


def renderer_class(name: str) -> type[Renderer]:
    """The renderer class called *name* (or an alias); an unknown name lists the valid ones."""
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
    return cls


def get_renderer(name: str, **options: Any) -> Renderer:
    """The renderer called *name* (or an alias), made with *options* (checked)."""
    return renderer_class(name)(**options)


def renderer_class_for_filename(path: str) -> type[Renderer]:
    """The renderer class whose ``filenames`` patterns match the base name of *path*."""
    base = os.path.basename(path).lower()
    _load_all()
    for cls in sorted(set(_REGISTRY.values()), key=lambda c: c.name):
        if any(fnmatch.fnmatch(base, pattern) for pattern in cls.filenames):
            return cls
    raise RenderError(
        f"no format is known for the file name {os.path.basename(path)!r}; "
        f"pass --format ({', '.join(renderer_names())})",
        path=path,
    )


def renderer_for_filename(path: str, **options: Any) -> Renderer:
    """The renderer for the file name *path*, made with *options* (checked)."""
    return renderer_class_for_filename(path)(**options)
