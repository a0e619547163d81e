"""The reader interface and registry: one small class per input format.

A reader turns a file's bytes into what the text reader makes: sources (the file as read,
with regions tiling it) and witnesses (metadata, span tree, revision states), as a
:class:`~collatio.witness.ParseResult` of that one file. A reader whose product is an
apparatus already collated (collatio's own TEI and JSON, read back) says so with
``product = Product.APPARATUS`` and lives at the interop stage.

Subclassing :class:`Reader` registers the class under its ``name`` and ``aliases``, as
renderers do; readers of other packages register through the entry point group
``collatio.readers`` (``name = "module:Class"``), loaded on first use. The registry picks a
reader for a file **by content first** (each reader's :meth:`Reader.sniff` of the file's
first bytes, as Pygments' ``analyse_text``), **by file name second** (``filenames`` glob
patterns), and falls back to plain text; ``--from NAME`` (``from_=``) overrides both.
"""

from __future__ import annotations

import enum
import fnmatch
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar

import attrs

from collatio.diagnostics import raise_if_strict
from collatio.errors import CollatioError
from collatio.markup.conventions import Convention
from collatio.sources import Manifest
from collatio.witness import ParseResult

#: How many leading bytes :meth:`Reader.sniff` sees: enough for an XML prolog with a long
#: licence comment, a ZIP's first entries, a JSON document's first keys.
HEAD_BYTES = 64 * 1024

_REGISTRY: dict[str, type[Reader]] = {}
#: Readers in registration order (built-ins first), each once.
_ORDER: list[type[Reader]] = []


class Product(enum.Enum):
    """What a reader makes of a file."""

    WITNESSES = "witnesses"
    APPARATUS = "apparatus"


class ReaderError(CollatioError, ValueError):
    """An unknown reader name, or an option a reader does not take (a usage problem)."""


@attrs.frozen(slots=True)
class ReadOptions:
    """What a reader is told besides the bytes.

    ``options`` are the reader's own settings as ``(key, value)`` strings (``-I KEY=VALUE``
    on the command line, e.g. ``choice=corr`` for TEI); a reader refuses keys it does not
    know (:meth:`Reader.option`).
    """

    encoding: str = "utf-8"
    convention: str | Convention | None = None
    manifest: Manifest | None = None
    options: tuple[tuple[str, str], ...] = ()


class Reader:
    """Base class of every input format.

    Subclasses set ``name`` (what ``--from`` takes), ``aliases``, ``filenames`` (glob
    patterns of the file names that suggest the format), ``media_type``, ``options`` (the
    keys of :attr:`ReadOptions.options` they take, with a line of help each), and implement
    :meth:`sniff` and :meth:`read`. A reader is stateless; the registry makes one per file.
    """

    name: ClassVar[str] = ""
    aliases: ClassVar[tuple[str, ...]] = ()
    filenames: ClassVar[tuple[str, ...]] = ()
    media_type: ClassVar[str] = "text/plain"
    product: ClassVar[Product] = Product.WITNESSES
    #: The reader's own option keys and what each does.
    settings: ClassVar[Mapping[str, str]] = {}
    #: One line for ``--help`` and ``docs/inputs.md``.
    summary: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.name:
            _register(cls)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}: {self.summary or self.media_type}>"

    @classmethod
    def sniff(cls, head: bytes) -> float:
        """How sure (0.0 .. 1.0) this reader is that a file starting with *head* is its
        format, from the content alone. Must be cheap and never raise."""
        return 0.0

    def read(self, data: bytes, path: str, options: ReadOptions) -> ParseResult:
        """The sources and witnesses of the file *path* whose bytes are *data*; bad input
        raises a :class:`~collatio.errors.CollatioError` naming *path*, line and column."""
        raise NotImplementedError

    @classmethod
    def option(cls, options: ReadOptions, key: str, default: str) -> str:
        """The value of this reader's option *key* (*default* when not given)."""
        value = default
        for given, setting in options.options:
            if given == key:
                value = setting
        return value

    @classmethod
    def check_options(cls, options: ReadOptions) -> None:
        """Refuse option keys this reader does not take, naming the ones it does."""
        for key, _ in options.options:
            if key not in cls.settings:
                valid = ", ".join(cls.settings) or "none"
                raise ReaderError(
                    f"the {cls.name} reader has no option {key!r}; its options: {valid}"
                )


def _register(cls: type[Reader]) -> None:
    for key in (cls.name, *cls.aliases):
        if key in _REGISTRY and _REGISTRY[key] is not cls:
            raise RuntimeError(f"two readers claim the name {key!r}")
        _REGISTRY[key] = cls
    if cls not in _ORDER:
        _ORDER.append(cls)


#: The entry point group other packages' readers register in.
ENTRY_POINT_GROUP = "collatio.readers"
#: The built-in reader modules of this package, imported on first use of the registry.
_BUILTIN = ("text", "collatex", "tei", "parallel", "docx", "markdown")
_LOADED: list[bool] = []


def _load_all() -> None:
    """Import the built-in readers, then those other packages declare as entry points."""
    if _LOADED:
        return
    _LOADED.append(True)
    import importlib

    for module in _BUILTIN:
        try:
            importlib.import_module(f"collatio.readers.{module}")
        except ModuleNotFoundError as error:
            if error.name != f"collatio.readers.{module}":
                raise
    if _may_declare(ENTRY_POINT_GROUP):
        from importlib.metadata import entry_points

        register_entry_points(entry_points(group=ENTRY_POINT_GROUP))


def _may_declare(group: str) -> bool:
    """Whether an installed distribution may declare entry points of *group*: False only
    when no metadata folder on ``sys.path`` (``*.dist-info``, ``*.egg-info``, an egg's
    ``EGG-INFO``) has an ``entry_points.txt`` naming it, and importlib.metadata would look
    nowhere else (no archive on the path, no other finder of distributions). A look at
    each folder, a few milliseconds; importing importlib.metadata costs a tenth of a second
    of every run."""
    import importlib.machinery

    if any(hasattr(finder, "find_distributions") and finder is not importlib.machinery.PathFinder
           for finder in sys.meta_path):
        return True
    for entry in sys.path:
        folder = entry or "."
        if os.path.isfile(folder):
            return True  # a zip archive: importlib.metadata reads it
        if not os.path.isdir(folder):
            continue
        infos = [os.path.join(folder, "EGG-INFO")] if folder.lower().endswith(".egg") else []
        with os.scandir(folder) as children:
            infos += [child.path for child in children
                      if child.name.lower().endswith((".dist-info", ".egg-info"))]
        for info in infos:
            try:
                with open(os.path.join(info, "entry_points.txt"), encoding="utf-8") as file:
                    if group in file.read():
                        return True
            except (OSError, UnicodeDecodeError):
                continue
    return False


def register_entry_points(points: Iterable[Any]) -> None:
    """Register the readers that entry points (``importlib.metadata.EntryPoint``) name; an
    entry point that is not a :class:`Reader` subclass with a name is an error."""
    for point in points:
        loaded = point.load()
        if not (isinstance(loaded, type) and issubclass(loaded, Reader) and loaded.name):
            raise RuntimeError(
                f"entry point {point.name!r} of collatio.readers is not a named Reader subclass"
            )
        if loaded not in _ORDER:
            _register(loaded)


def readers() -> list[type[Reader]]:
    """Every registered reader, built-ins first, in registration order."""
    _load_all()
    return list(_ORDER)


def reader_names(*, aliases: bool = False) -> list[str]:
    """The registered readers' names, sorted; with *aliases*, every name they answer to."""
    _load_all()
    if aliases:
        return sorted(_REGISTRY)
    return sorted({cls.name for cls in _ORDER})


def get_reader(name: str) -> Reader:
    """The reader called *name* (or an alias); an unknown name lists the valid ones."""
    _load_all()
    cls = _REGISTRY.get(name.lower())
    if cls is None:
        raise ReaderError(f"unknown input format {name!r}; formats: {', '.join(reader_names())}")
    return cls()


@attrs.frozen(slots=True)
class Choice:
    """Which reader a file gets, and why (shown by ``collatio parse``)."""

    reader: Reader = attrs.field(eq=False)
    reason: str


def choose_reader(
    head: bytes, path: str, from_: str | None = None, *, among: Iterable[Product] = ()
) -> Choice:
    """The reader for the file *path* starting with *head*: ``from_`` if given, else the
    reader most sure of the content (a sniff of at least 0.5), else the reader whose
    ``filenames`` match the name, else the best sniff above 0, else ``text``. *among*
    limits the choice to readers of those products. O(readers x sniff) per file.
    """
    if from_ is not None:
        return Choice(get_reader(from_), "--from")
    wanted = set(among) or set(Product)
    candidates = [cls for cls in readers() if cls.product in wanted]
    scores: list[tuple[float, int, type[Reader]]] = []
    for order, cls in enumerate(candidates):
        try:
            score = float(cls.sniff(head))
        except Exception:  # a third-party sniff must not break reading: it is unsure
            score = 0.0
        scores.append((min(max(score, 0.0), 1.0), -order, cls))
    scores.sort(key=lambda item: (item[0], item[1]), reverse=True)
    base = os.path.basename(path).lower()
    by_name = [cls for cls in candidates
               if any(fnmatch.fnmatch(base, pattern) for pattern in cls.filenames)]
    if scores and scores[0][0] >= 0.5:
        score, _, cls = scores[0]
        return Choice(cls(), f"content ({cls.summary or cls.name}; sure {score:.2f})")
    if by_name:
        return Choice(by_name[0](), f"file name ({by_name[0].filenames[0]})")
    if scores and scores[0][0] > 0:
        score, _, cls = scores[0]
        return Choice(cls(), f"content ({cls.summary or cls.name}; sure {score:.2f})")
    return Choice(get_reader("text"), "default (plain text)")


def name_witnesses(
    result: ParseResult, sigla: Sequence[str], *, strict: bool = False
) -> ParseResult:
    """*result* with its witnesses named by *sigla* (``--siglum``), then checked for
    warnings when *strict*.

    Either every siglum is plain and there is one per witness, in order (``A``, ``B``), or
    every one renames a witness: ``OLD=NEW`` (``D=Draft``, ``D2=D-copy``). A siglum holds no
    whitespace and no two witnesses share one; anything else is a :class:`ReaderError`.
    """
    witnesses = list(result.witnesses)
    diagnostics = list(result.diagnostics)
    if sigla:
        have = [w.siglum for w in witnesses]
        renames = [s for s in sigla if "=" in s]
        if renames and len(renames) != len(sigla):
            raise ReaderError("--siglum takes either one siglum per witness or OLD=NEW "
                              "renamings, not both")
        if renames:
            names = {s: s for s in have}
            for pair in renames:
                old, _, new = pair.partition("=")
                if old not in names:
                    raise ReaderError(f"--siglum {pair}: no witness {old!r}; the witnesses "
                                      f"are {', '.join(have)}")
                names[old] = new
            chosen = [names[s] for s in have]
        else:
            if len(sigla) != len(witnesses):
                raise ReaderError(
                    f"{len(sigla)} sigla given (--siglum) for {len(witnesses)} witnesses "
                    f"({', '.join(have)}); give one per witness, in order, or rename with "
                    "OLD=NEW"
                )
            chosen = list(sigla)
            diagnostics = [d for d in diagnostics if d.code != "duplicate-siglum"]
        for siglum in chosen:
            if not siglum or any(char.isspace() for char in siglum):
                raise ReaderError(f"--siglum {siglum!r}: a siglum is a word with no spaces")
        repeated = sorted({s for s in chosen if chosen.count(s) > 1})
        if repeated:
            raise ReaderError(f"--siglum: {', '.join(repeated)} would name two witnesses")
        witnesses = [attrs.evolve(w, siglum=s) for w, s in zip(witnesses, chosen, strict=True)]
    raise_if_strict(diagnostics, strict)
    return ParseResult(result.sources, tuple(witnesses), tuple(diagnostics))
