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
import re
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


#: A rule pattern may be at most this long, and no part of it repeated more than
#: :data:`MAX_REPEATS` times by nested counted repeats: compiling expands them
#: (``(?:(?:a{200}){200}){200}`` took 2.2 GB).
MAX_PATTERN_LENGTH = 5_000
MAX_REPEATS = 100_000


@functools.cache
def compiled(pattern: str) -> regex.Pattern[str]:
    """*pattern* compiled (once per process), if it is within the bounds above."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise regex.error(
            f"the pattern is {len(pattern):,} characters long, over the limit of "
            f"{MAX_PATTERN_LENGTH:,}"
        )
    repeats = repetition_bound(pattern)
    if repeats > MAX_REPEATS:
        raise regex.error(
            f"nested counted repeats ({{n}}, {{n,m}}) repeat a part of it {repeats:,} times, "
            f"over the limit of {MAX_REPEATS:,} (compiling would take memory in proportion)"
        )
    return regex.compile(pattern)


_COUNTED = re.compile(r"\{([0-9]*)(?:,([0-9]*))?\}")


def repetition_bound(pattern: str) -> int:
    r"""The most times counted repeats (``{n}``, ``{n,m}``, nested: their product) can
    repeat one part of *pattern*; ``*``, ``+`` and ``?`` count once (they expand nothing).
    Conservative: a brace in a comment counts too.

    >>> repetition_bound(r"\p{Lu}\w{2,40}"), repetition_bound("(?:(?:a{200}){200}){200}")
    (40, 8000000)
    """
    best = [1]  # per open group: the greatest repeat of anything inside it
    last = 1  # the repeat of the atom just read (what a quantifier multiplies)
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            i += 2
            if i < n and pattern[i - 1] in "pPNxuUgk" and pattern[i] in "{<":
                end = pattern.find("}" if pattern[i] == "{" else ">", i)
                i = n if end < 0 else end + 1
            last = 1
        elif c == "[":
            i = _end_of_set(pattern, i)
            last = 1
        elif c == "(":
            best.append(1)
            i += 1
            continue
        elif c == ")":
            last = best.pop() if len(best) > 1 else 1
            i += 1
        elif c == "{" and (m := _COUNTED.match(pattern, i)) and (m.group(1) or m.group(2)):
            most = max(int(m.group(1) or 0), int(m.group(2) or 0))
            last *= max(most, 1)
            i = m.end()
        else:
            last = 1
            i += 1
        best[-1] = max(best[-1], last)
    return max(best)


def _end_of_set(pattern: str, i: int) -> int:
    """The index after the ``]`` that closes the set opened at *i* (sets may nest)."""
    depth, i = 0, i
    n = len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            depth += 1
            i += 1
            if i < n and pattern[i] == "^":
                i += 1
            if i < n and pattern[i] == "]":
                i += 1  # a ']' first in a set is literal
            continue
        if c == "]":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return n


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


#: A convention file larger than this is refused (bytes, counted as they are read).
MAX_CONVENTION_BYTES = 1 << 20

_TOML_POSITION = re.compile(r"\s*\(at line (?P<line>\d+), column (?P<column>\d+)\)")


def load_convention(path: str | os.PathLike[str]) -> Convention:
    """Read a convention from a TOML file; errors name the file (and the line and column, or
    the rule and the key)."""
    origin = str(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_CONVENTION_BYTES + 1)
    except OSError as exc:
        message = f"cannot read convention: {exc.strerror or exc}"
        raise ConventionError(message, path=origin) from None
    if len(data) > MAX_CONVENTION_BYTES:
        raise ConventionError(
            f"a convention file of over {MAX_CONVENTION_BYTES:,} bytes; is this the right file?",
            path=origin,
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = data[exc.start : exc.end].hex(" ")
        raise ConventionError(
            f"not UTF-8: cannot decode byte(s) {bad} at byte offset {exc.start}",
            path=origin, line=data.count(b"\n", 0, exc.start) + 1,
        ) from None
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        position = _TOML_POSITION.search(str(exc))
        raise ConventionError(
            f"invalid TOML: {_TOML_POSITION.sub('', str(exc))}", path=origin,
            line=int(position["line"]) if position else None,
            column=int(position["column"]) if position else None,
        ) from None
    except RecursionError:  # tomllib reads nested arrays and tables by recursion
        raise ConventionError("invalid TOML: arrays or tables nested too deeply",
                              path=origin) from None
    try:
        return convention_from_dict(table, origin)
    except ConventionError as exc:
        if exc.path is not None:
            raise
        # the messages start with the origin; the file is the error's path instead
        message = exc.message.removeprefix(f"{origin}: ").removeprefix(f"{origin}:")
        raise ConventionError(message.strip(), path=origin) from None


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
