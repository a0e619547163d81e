"""Normalizers: how tokens are compared. The output always shows the original text.

A normalizer is a function ``str -> str`` applied to a token's surface form; a
:class:`Normalization` composes them in order. A token whose normal form is empty is not
compared at all: it is carried with the token before it (so with ``punctuation`` the comma of
``war,`` travels with ``war``).

>>> norm = Normalization.from_names(["case", "punctuation"])
>>> norm("Philippov,"), norm(",")
('philippov', '')
>>> Normalization.from_names(["case"], equivalents={"Filippov": "Philippov"})("FILIPPOV")
'philippov'
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable, Iterable, Mapping

import attrs
import regex

from collatio.errors import CollatioError, InputError, LimitError, OptionError

Normalizer = Callable[[str], str]

_PUNCTUATION = regex.compile(r"[\p{P}\p{S}]+")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "«": '"', "»": '"',
                         "‐": "-", "‑": "-", "–": "-", "—": "-"})


def casefold(text: str) -> str:
    """Case-insensitive comparison."""
    return text.casefold()


def unicode_nfkc(text: str) -> str:
    """Compatibility composition: ligatures, full-width forms, composed accents compare equal."""
    return unicodedata.normalize("NFKC", text)


def strip_punctuation(text: str) -> str:
    """Punctuation and symbols do not count (a punctuation token is carried, not compared)."""
    return str(_PUNCTUATION.sub("", text))


def typography(text: str) -> str:
    """Curly and straight quotes, hyphens and dashes compare equal."""
    return text.translate(_QUOTES)


def strip_accents(text: str) -> str:
    """Diacritics do not count (``Kaesŏng`` = ``Kaesong``)."""
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


#: The normalizers that ``--normalize`` can name, in the order they are applied.
NORMALIZERS: dict[str, Normalizer] = {
    "unicode": unicode_nfkc,
    "typography": typography,
    "case": casefold,
    "accents": strip_accents,
    "punctuation": strip_punctuation,
}

#: Normalizers that leave ASCII text as it is (compatibility forms, curly quotes and accents
#: are all outside ASCII).
_ASCII_STABLE = frozenset({unicode_nfkc, typography, strip_accents})

#: What collatio compares with unless told otherwise.
DEFAULT_NORMALIZERS = ("unicode", "typography")

#: What makes a variant *minor*: readings equal under these are flagged ``minor``.
MINOR_NORMALIZERS = ("unicode", "typography", "case", "accents", "punctuation")


@attrs.frozen(slots=True)
class Normalization:
    """An ordered pipeline of named normalizers plus a table of equivalent forms.

    Equivalents are looked up after the pipeline has run, on normalized forms, so a table
    written in any case works with ``case``.
    """

    names: tuple[str, ...] = DEFAULT_NORMALIZERS
    equivalents: Mapping[str, str] = attrs.field(factory=dict)
    _steps: tuple[Normalizer, ...] = attrs.field(init=False, repr=False, eq=False)
    #: the steps that can change ASCII text (most tokens are ASCII: the others are skipped)
    _ascii_steps: tuple[Normalizer, ...] = attrs.field(init=False, repr=False, eq=False)
    _table: dict[str, str] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        unknown = [name for name in self.names if name not in NORMALIZERS]
        if unknown:
            raise OptionError(
                f"unknown normalizer(s) {', '.join(map(repr, unknown))}; "
                f"known: {', '.join(NORMALIZERS)}"
            )
        ordered = tuple(name for name in NORMALIZERS if name in self.names)
        steps = tuple(NORMALIZERS[name] for name in ordered)
        object.__setattr__(self, "_steps", steps)
        object.__setattr__(
            self, "_ascii_steps", tuple(step for step in steps if step not in _ASCII_STABLE)
        )
        table: dict[str, str] = {}
        for variant, canonical in self.equivalents.items():
            table[self._run(steps, variant)] = self._run(steps, canonical)
        object.__setattr__(self, "_table", table)

    @staticmethod
    def _run(steps: Iterable[Normalizer], text: str) -> str:
        for step in steps:
            text = step(text)
        return text

    @classmethod
    def from_names(
        cls, names: Iterable[str], equivalents: Mapping[str, str] | None = None
    ) -> Normalization:
        """A pipeline from normalizer names (``--normalize case,punctuation``)."""
        return cls(tuple(DEFAULT_NORMALIZERS) + tuple(names), dict(equivalents or {}))

    def __call__(self, text: str) -> str:
        form = self._run(self._ascii_steps if text.isascii() else self._steps, text)
        return self._table.get(form, form)


@functools.lru_cache(maxsize=1 << 16)
def minor_form(text: str) -> str:
    """The form two readings share when they differ only in case, punctuation or accents."""
    form = text
    for name in MINOR_NORMALIZERS:
        form = NORMALIZERS[name](form)
    return " ".join(form.split())


#: A table of equivalents larger than this is refused (bytes, counted as they are read).
MAX_EQUIVALENTS_BYTES = 64 << 20


def load_equivalents(path: str) -> dict[str, str]:
    """Read a table of equivalents: one ``variant = canonical`` per line, ``#`` comments."""
    table: dict[str, str] = {}
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_EQUIVALENTS_BYTES + 1)
    except OSError as exc:
        raise CollatioError(f"cannot read equivalents: {exc.strerror or exc}", path=path) from None
    if len(data) > MAX_EQUIVALENTS_BYTES:
        raise LimitError(
            f"a table of equivalents of over {MAX_EQUIVALENTS_BYTES:,} bytes; is this the right "
            "file?", path=path,
        )
    try:
        lines = data.decode("utf-8").removeprefix("\ufeff").splitlines()
    except UnicodeDecodeError as exc:
        bad = data[exc.start : exc.end].hex(" ")
        raise InputError(
            f"not UTF-8: cannot decode byte(s) {bad} at byte offset {exc.start}", path=path,
            line=data.count(b"\n", 0, exc.start) + 1,
        ) from None
    for number, line in enumerate(lines, 1):
        stripped = line.split("#", 1)[0].strip()
        if not stripped:
            continue
        if "=" not in stripped:
            raise CollatioError(
                "expected 'variant = canonical'", path=path, line=number, column=1, snippet=line
            )
        variant, canonical = (part.strip() for part in stripped.split("=", 1))
        if not variant or not canonical:
            raise CollatioError(
                "both sides of '=' need a word", path=path, line=number,
                column=line.index("=") + 1, snippet=line,
            )
        table[variant] = canonical
    return table
