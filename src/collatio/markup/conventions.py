"""Markup conventions as data: which marks a transcription uses and what each one means.

A :class:`Convention` is an ordered, named table, loadable from TOML:

* **delimiters** — the surface marks (``*...*``, ``[...]``, ``**...**``) and the span kind
  each one stands for by default;
* **rules** — refinements tried in order when a delimiter pair closes: the first rule whose
  conditions all hold decides the span's kind and records its name on the span, so every
  classification can be explained (``rule = "gloss-after-name"``) and overridden.

Three presets ship with collatio (``src/collatio/markup/conventions/*.toml``):
``hand-revision`` (the 4 October 1950 draft: *italic* added by hand, [bracket] deleted by
hand, with the editor's own brackets recognised by rule), ``editorial`` (brackets are the
editor's or translator's) and ``plain`` (no markup).

>>> conv = get_convention("hand-revision")
>>> [d.name for d in conv.delimiters]
['bold', 'italic', 'bracket']
>>> conv.detects("(italicized passages inserted and bracketed passages deleted by hand)")
True
"""

from __future__ import annotations

import functools
import os
import pkgutil
import tomllib
from collections.abc import Iterable, Mapping
from typing import Any

import attrs
import regex

from collatio.errors import ConventionError, UnknownConventionError
from collatio.markup.tree import SpanKind

#: Matching a rule pattern against one mark's context may take at most this long (seconds);
#: a pattern that backtracks badly on some input is treated as not matching, with a diagnostic.
PATTERN_TIMEOUT = 0.25

#: How much text before and after a mark the ``before``/``after`` patterns see (characters,
#: never past the paragraph boundary).
CONTEXT_WIDTH = 120


@functools.cache
def compiled(pattern: str) -> regex.Pattern[str]:
    """*pattern* compiled (once per process)."""
    return regex.compile(pattern)


def _compile(pattern: str, where: str) -> regex.Pattern[str]:
    try:
        return compiled(pattern)
    except regex.error as exc:
        raise ConventionError(f"{where}: invalid pattern {pattern!r}: {exc}") from None


@attrs.frozen(slots=True)
class Delimiter:
    """A surface mark pair and its default meaning.

    ``open == close`` makes a symmetric delimiter (``*``): it opens when followed by a
    non-space character and closes when preceded by one, as in Markdown emphasis.
    """

    name: str
    open: str = attrs.field()
    close: str = attrs.field()
    kind: SpanKind
    label: str | None = None
    why: str = ""

    @open.validator
    @close.validator
    def _non_empty(self, attribute: attrs.Attribute[str], value: str) -> None:
        if not value or any(ch.isspace() for ch in value):
            raise ConventionError(
                f"delimiter {self.name!r}: {attribute.name} must be non-empty and contain no "
                f"whitespace, got {value!r}"
            )

    @property
    def symmetric(self) -> bool:
        return self.open == self.close

    def __repr__(self) -> str:
        label = f"/{self.label}" if self.label else ""
        return f"<Delimiter {self.name} {self.open}...{self.close}: {self.kind.value}{label}>"


@attrs.frozen(slots=True)
class Rule:
    """A refinement: when a *delimiter* pair closes and every given condition holds, the span
    becomes *kind* (with *label*).

    Conditions (all optional; patterns use the ``regex`` module's syntax, ``\\p{Lu}`` etc.):

    ``content``
        full-matches the text between the delimiters;
    ``before``
        is searched in the paragraph text just before the opening delimiter (anchor it with
        ``$`` to mean "immediately before");
    ``after``
        matches at the start of the paragraph text just after the closing delimiter;
    ``inside``
        the innermost enclosing mark's default kind is one of these (``"none"``: not inside
        any mark);
    ``paragraph_start``
        the mark is (or is not) the first non-space thing in its paragraph;
    ``max_length``
        the content is at most this many characters (glosses and labels are short; the
        bound also keeps matching cheap on long passages).
    """

    name: str
    delimiter: str
    kind: SpanKind
    label: str | None = None
    why: str = ""
    #: the ``content``, ``before`` and ``after`` patterns' sources (see :meth:`pattern`)
    content: str | None = None
    before: str | None = None
    after: str | None = None
    inside: frozenset[str] | None = None
    paragraph_start: bool | None = None
    max_length: int | None = None

    def __repr__(self) -> str:
        label = f"/{self.label}" if self.label else ""
        conditions = [key for key in ("content", "before", "after", "inside", "paragraph_start",
                                      "max_length") if getattr(self, key) is not None]
        when = f" when {', '.join(conditions)}" if conditions else ""
        return f"<Rule {self.name}: {self.delimiter} -> {self.kind.value}{label}{when}>"

    def pattern(self, key: str) -> regex.Pattern[str] | None:
        r"""The ``content``, ``before`` or ``after`` pattern, compiled when first needed (most
        texts never close the marks most rules refine).

        >>> Rule("gloss", "bracket", SpanKind.NOTE, content=r"\p{Lu}\w+").pattern("content")
        regex.Regex('\\p{Lu}\\w+', flags=regex.V0)
        """
        source: str | None = getattr(self, key)
        return None if source is None else compiled(source)


@attrs.frozen(slots=True)
class Convention:
    """A named, ordered table of delimiters and rules; see the module docstring."""

    name: str
    description: str
    delimiters: tuple[Delimiter, ...]
    rules: tuple[Rule, ...] = ()
    detect: tuple[regex.Pattern[str], ...] = ()
    #: Whether a mark may stay open across a blank line (a paragraph break).
    cross_paragraphs: bool = False

    def __attrs_post_init__(self) -> None:
        names = [d.name for d in self.delimiters]
        if len(set(names)) != len(names):
            raise ConventionError(f"convention {self.name!r}: duplicate delimiter names {names}")
        for rule in self.rules:
            if rule.delimiter not in names:
                raise ConventionError(
                    f"convention {self.name!r}: rule {rule.name!r} refines unknown delimiter "
                    f"{rule.delimiter!r}; known: {', '.join(names) or 'none'}"
                )

    def __repr__(self) -> str:
        from collatio._display import count

        return (f"<Convention {self.name}: {count(len(self.delimiters), 'delimiter')}, "
                f"{count(len(self.rules), 'rule')}>")

    def delimiter(self, name: str) -> Delimiter:
        """The delimiter called *name* (a ``KeyError`` if there is none)."""
        for delimiter in self.delimiters:
            if delimiter.name == name:
                return delimiter
        raise KeyError(name)

    def detects(self, header: str) -> bool:
        """True when *header* states this convention (one of its ``detect`` patterns matches)."""
        return any(p.search(header, timeout=PATTERN_TIMEOUT) for p in self.detect)

    def detection(self, header: str) -> str | None:
        """The header text that states this convention, or None."""
        for pattern in self.detect:
            match = pattern.search(header, timeout=PATTERN_TIMEOUT)
            if match:
                return " ".join(match.group(0).split())
        return None

    def extended(self, rules: Iterable[Rule] = (), *, name: str | None = None) -> Convention:
        """A copy with *rules* tried before this convention's own (user rules win)."""
        return attrs.evolve(self, name=name or self.name, rules=(*rules, *self.rules))


# --- loading ---------------------------------------------------------------------------------

_CONVENTION_KEYS = {"name", "description", "detect", "cross_paragraphs", "delimiter", "rule"}
_DELIMITER_KEYS = {"name", "open", "close", "kind", "label", "why"}
_RULE_KEYS = {
    "name", "delimiter", "kind", "label", "why", "content", "before", "after", "inside",
    "paragraph_start", "max_length",
}


def _check_keys(table: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ConventionError(
            f"{where}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}"
        )


def _get_str(
    table: Mapping[str, Any], key: str, where: str, *, required: bool = False
) -> str | None:
    value = table.get(key)
    if value is None:
        if required:
            raise ConventionError(f"{where}: missing required key {key!r}")
        return None
    if not isinstance(value, str):
        raise ConventionError(f"{where}: key {key!r} must be a string, got {type(value).__name__}")
    return value


def convention_from_dict(
    data: Mapping[str, Any], origin: str = "<convention>", *, check_patterns: bool = True
) -> Convention:
    """Build a convention from plain data (the parsed TOML); errors name the rule and the key.

    Rule patterns are compiled when first used; *check_patterns* compiles them now, so that
    a bad one is reported where it is written (the shipped presets, checked by the tests,
    skip it: that keeps the command's start-up short).
    """
    _check_keys(data, _CONVENTION_KEYS, origin)
    name = _get_str(data, "name", origin, required=True)
    assert name is not None
    delimiters: list[Delimiter] = []
    raw_delimiters = data.get("delimiter", [])
    if not isinstance(raw_delimiters, list):
        raise ConventionError(f"{origin}: 'delimiter' must be an array of tables ([[delimiter]])")
    for i, table in enumerate(raw_delimiters, 1):
        where = f"{origin}: delimiter #{i}"
        if not isinstance(table, dict):
            raise ConventionError(f"{where}: must be a table")
        dname = _get_str(table, "name", where, required=True)
        where = f"{origin}: delimiter {dname!r}"
        _check_keys(table, _DELIMITER_KEYS, where)
        open_ = _get_str(table, "open", where, required=True)
        close = _get_str(table, "close", where, required=True)
        kind_name = _get_str(table, "kind", where, required=True) or ""
        kind = SpanKind.parse(kind_name, where=f" ({where})")
        assert dname is not None and open_ is not None and close is not None
        delimiters.append(
            Delimiter(
                dname, open_, close, kind,
                label=_get_str(table, "label", where), why=_get_str(table, "why", where) or "",
            )
        )
    rules: list[Rule] = []
    raw_rules = data.get("rule", [])
    if not isinstance(raw_rules, list):
        raise ConventionError(f"{origin}: 'rule' must be an array of tables ([[rule]])")
    for i, table in enumerate(raw_rules, 1):
        where = f"{origin}: rule #{i}"
        if not isinstance(table, dict):
            raise ConventionError(f"{where}: must be a table")
        rules.append(_rule_from_dict(table, where, check_patterns))
    detect_raw = data.get("detect", [])
    if isinstance(detect_raw, str):
        detect_raw = [detect_raw]
    if not isinstance(detect_raw, list) or not all(isinstance(p, str) for p in detect_raw):
        raise ConventionError(f"{origin}: 'detect' must be a string or an array of strings")
    cross = data.get("cross_paragraphs", False)
    if not isinstance(cross, bool):
        raise ConventionError(f"{origin}: 'cross_paragraphs' must be true or false")
    return Convention(
        name=name,
        description=_get_str(data, "description", origin) or "",
        delimiters=tuple(delimiters),
        rules=tuple(rules),
        detect=tuple(_compile(p, f"{origin}: detect") for p in detect_raw),
        cross_paragraphs=cross,
    )


def _rule_from_dict(table: Mapping[str, Any], where: str, check: bool) -> Rule:
    rname = _get_str(table, "name", where, required=True)
    where = f"{where.rsplit(':', 1)[0]}: rule {rname!r}"
    _check_keys(table, _RULE_KEYS, where)
    delimiter = _get_str(table, "delimiter", where, required=True)
    kind = SpanKind.parse(_get_str(table, "kind", where, required=True) or "", where=f" ({where})")
    patterns: dict[str, str | None] = {}
    for key in ("content", "before", "after"):
        source = patterns[key] = _get_str(table, key, f"{where}")
        if source is not None and check:
            _compile(source, f"{where}, key {key!r}")  # a bad pattern is an error now, not later
    inside_raw = table.get("inside")
    inside: frozenset[str] | None = None
    if inside_raw is not None:
        if isinstance(inside_raw, str):
            inside_raw = [inside_raw]
        if not isinstance(inside_raw, list) or not all(isinstance(k, str) for k in inside_raw):
            raise ConventionError(f"{where}: key 'inside' must be a kind or an array of kinds")
        for kind_name in inside_raw:
            if kind_name != "none":
                SpanKind.parse(kind_name, where=f" ({where}, key 'inside')")
        inside = frozenset(inside_raw)
    paragraph_start = table.get("paragraph_start")
    if paragraph_start is not None and not isinstance(paragraph_start, bool):
        raise ConventionError(f"{where}: key 'paragraph_start' must be true or false")
    max_length = table.get("max_length")
    if max_length is not None and (
        not isinstance(max_length, int) or isinstance(max_length, bool) or max_length < 0
    ):
        raise ConventionError(f"{where}: key 'max_length' must be a non-negative integer")
    assert rname is not None and delimiter is not None
    return Rule(
        name=rname, delimiter=delimiter, kind=kind,
        label=_get_str(table, "label", where), why=_get_str(table, "why", where) or "",
        content=patterns["content"], before=patterns["before"], after=patterns["after"],
        inside=inside, paragraph_start=paragraph_start, max_length=max_length,
    )


def load_convention(path: str | os.PathLike[str]) -> Convention:
    """Read a convention from a TOML file; errors name the file, the rule and the key."""
    origin = str(path)
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except OSError as exc:
        message = f"cannot read convention: {exc.strerror or exc}"
        raise ConventionError(message, path=origin) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConventionError(f"invalid TOML: {exc}", path=origin) from None
    return convention_from_dict(data, origin)


def _load_presets() -> dict[str, Convention]:
    presets: dict[str, Convention] = {}
    for name in ("hand-revision", "editorial", "plain"):
        # package data through the package's loader (lighter to import than
        # importlib.resources, which matters to a command that starts in a tenth of a second)
        data = pkgutil.get_data("collatio.markup", f"conventions/{name}.toml")
        if data is None:  # a loader that cannot read package data
            raise ConventionError(f"cannot read the preset {name!r} from the installed package")
        text = data.decode("utf-8")
        presets[name] = convention_from_dict(
            tomllib.loads(text), f"preset {name}", check_patterns=False
        )
    return presets


#: The shipped presets, in detection order: the first whose ``detect`` matches a witness's
#: header is chosen; ``editorial`` is the fallback.
PRESETS: Mapping[str, Convention] = _load_presets()
DEFAULT_CONVENTION = "editorial"


def get_convention(name_or_path: str) -> Convention:
    """A preset by name, or a convention TOML file by path."""
    if name_or_path in PRESETS:
        return PRESETS[name_or_path]
    if name_or_path.endswith(".toml") or os.path.isfile(name_or_path):
        return load_convention(name_or_path)
    raise UnknownConventionError(
        f"unknown convention {name_or_path!r}; presets: {', '.join(PRESETS)} (or a .toml file)"
    )


def detect_convention(header: str) -> tuple[Convention, str]:
    """The preset a witness header states, with the reason; ``editorial`` when none does."""
    for convention in PRESETS.values():
        found = convention.detection(header)
        if found:
            return convention, f"header states {found!r}"
    return PRESETS[DEFAULT_CONVENTION], "default: no convention stated in the header"
