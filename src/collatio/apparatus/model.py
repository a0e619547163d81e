"""The apparatus model: collated witnesses, variation units, readings and their places.

A *positive* apparatus: every :class:`VariationUnit` accounts for every collated witness
exactly once, either in one of its readings or in its ``lacunose`` list.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from typing import Any

import attrs

from collatio.align import Alignment
from collatio.diagnostics import Diagnostic
from collatio.markup.tree import SpanKind
from collatio.tokens import TokenList

#: Characters printed without a space before them (closing punctuation) and after them
#: (opening punctuation), when readings are joined into running text.
NO_SPACE_BEFORE = ",.;:!?)]}»”’"
NO_SPACE_AFTER = "([{«“‘"

#: How a reading's :attr:`Place.hand` is said in words.
HAND_LABELS = {"add": "added by hand", "del": "deleted by hand", "mixed": "partly revised by hand"}


def _join(a: str, b: str) -> str:
    """Two pieces of running text, with a space between words where neither brings one."""
    if not a or not b:
        return a + b
    if b[0] in NO_SPACE_BEFORE:
        return a.rstrip() + b
    if a[-1].isspace() or b[0].isspace() or a[-1] in NO_SPACE_AFTER:
        return a + b
    return a + " " + b


class UnitType(enum.Enum):
    """What kind of difference a unit records, seen from the base text (the lemma)."""

    ADDITION = "addition"
    OMISSION = "omission"
    SUBSTITUTION = "substitution"
    TRANSPOSITION = "transposition"
    LACUNA = "lacuna"


@attrs.frozen(slots=True)
class CollatedWitness:
    """One running text taken into the collation: a witness, or one revision state of it.

    ``siglum`` is unique in the collation (``F``, ``D-ac``, ``D-pc``); ``witness`` is the
    document's own siglum (``D``) and ``state`` which of its states this is.
    """

    siglum: str
    witness: str
    state: str
    label: str
    date: str | None
    path: str

    def __repr__(self) -> str:
        from collatio._display import clip

        date = f" {self.date}" if self.date else ""
        return (f"<CollatedWitness {self.siglum} ({self.witness} {self.state}) "
                f"{clip(self.label, 40)}{date} from {clip(self.path, 40)}>")


@attrs.frozen(slots=True)
class Place:
    """Where a reading stands in one witness.

    ``tokens`` and ``words`` are half-open index ranges into the witness's tokens and words
    (words count words and numbers, not punctuation); for an empty reading both are the
    insertion point. ``paragraph`` is 1-based. ``line``/``column`` (1-based) and
    ``start``/``end`` (offsets) locate the reading in the source file; ``hand`` says
    whether the document's hand added (``add``) or deleted (``del``) it, ``mixed`` for part
    of it, None for text as typed.
    """

    siglum: str
    tokens: tuple[int, int]
    words: tuple[int, int]
    paragraph: int
    line: int
    column: int
    start: int
    end: int
    hand: str | None = None


@attrs.frozen(slots=True)
class Reading:
    """A text and the witnesses that read it (one :class:`Place` per witness, same order)."""

    text: str
    witnesses: tuple[str, ...]
    places: tuple[Place, ...]

    @property
    def is_empty(self) -> bool:
        """True for an omission (``om.``)."""
        return not self.text

    def __repr__(self) -> str:
        from collatio._display import clip, listed

        return f"<Reading {clip(self.text) if self.text else 'om.'} {listed(self.witnesses)}>"

    def place(self, siglum: str) -> Place:
        """Where *siglum* reads this reading (a ``KeyError`` if it does not)."""
        for place in self.places:
            if place.siglum == siglum:
                return place
        raise KeyError(siglum)


@attrs.frozen(slots=True)
class VariationUnit:
    """One place of variation.

    ``lemma`` is the base witness's reading (None where the base is lacunose); ``readings``
    holds every reading, the lemma's first. ``columns`` is the half-open range of alignment
    columns the unit covers (for a transposition, those of its first reading).
    """

    id: str
    type: UnitType
    minor: bool
    lemma: Reading | None
    readings: tuple[Reading, ...]
    lacunose: tuple[str, ...]
    columns: tuple[int, int]

    def __repr__(self) -> str:
        from collatio._display import clip, listed

        def one(reading: Reading) -> str:
            text = clip(reading.text, 24) if reading.text else "om."
            return f"{text} {listed(reading.witnesses, 4)}"

        shown = [one(r) for r in self.readings[:3]]
        if len(self.readings) > 3:
            shown.append(f"… {len(self.readings)} readings")
        if self.lacunose:
            shown.append(f"lacuna in {listed(self.lacunose, 4)}")
        minor = " (minor)" if self.minor else ""
        return f"<VariationUnit {self.id} {self.type.value}{minor}: {' | '.join(shown)}>"

    def _repr_html_(self) -> str:
        """The unit for Jupyter: its readings with their sigla and hands, and each place."""
        from collatio.apparatus.display import unit_html

        return unit_html(self)

    @property
    def witnesses(self) -> tuple[str, ...]:
        """Every witness the unit accounts for: readings first, then lacunose."""
        return tuple(s for r in self.readings for s in r.witnesses) + self.lacunose

    def reading_of(self, siglum: str) -> Reading | None:
        """The reading *siglum* has here, or None if it is lacunose."""
        for reading in self.readings:
            if siglum in reading.witnesses:
                return reading
        return None


class Fate(enum.Enum):
    """What became of one hand revision in the target witness."""

    ADOPTED = "adopted"
    PARTLY_ADOPTED = "partly adopted"
    NOT_ADOPTED = "not adopted"
    REAPPEARS = "reappears"
    PARTLY_REAPPEARS = "partly reappears"
    CARRIED = "carried"
    UNKNOWN = "unknown"
    IN_NO_STATE = "in no state"


@attrs.frozen(slots=True)
class RevisionFate:
    """One ``add`` or ``del`` span of *witness* and its fate in *target* (see
    :mod:`collatio.apparatus.revisions`).

    ``found`` of ``words`` words of the revision are read by the target at the same place;
    ``units`` are the ids of the variation units the revision falls in.
    """

    witness: str
    target: str
    kind: SpanKind
    text: str
    line: int
    column: int
    fate: Fate
    found: int
    words: int
    units: tuple[str, ...]
    #: The revision's words that the target reads, runs joined by an ellipsis (``…``).
    reached: str = ""

    def __repr__(self) -> str:
        from collatio._display import clip

        return (f"<RevisionFate {self.witness} {self.kind.value} at {self.line}:{self.column} "
                f"{clip(self.text)}: {self.fate.value} in {self.target} "
                f"({self.found}/{self.words} words)>")


class Revisions(tuple[RevisionFate, ...]):
    """The fates of a collation's hand revisions: a tuple, shown as the report (``str``)
    and as a table in Jupyter."""

    __slots__ = ()

    def __repr__(self) -> str:
        from collatio._display import count

        fates: dict[str, int] = {}
        for fate in self:
            fates[fate.fate.value] = fates.get(fate.fate.value, 0) + 1
        summary = ", ".join(f"{n} {name}" for name, n in fates.items())
        return f"<Revisions: {count(len(self), 'hand revision')}{': ' if self else ''}{summary}>"

    def __str__(self) -> str:
        from collatio.apparatus.revisions import revision_report

        return revision_report(self)

    def _repr_html_(self) -> str:
        from collatio.apparatus.display import revisions_html

        return revisions_html(self)


@attrs.frozen(slots=True)
class Run:
    """A piece of a document's text and what made it.

    ``kinds`` is the path of marks around the piece, outermost first, as span kind values:
    ``()`` for text as typed, ``("add",)`` for words inserted by hand, ``("add", "del")`` for
    words written by hand and struck again, ``("note",)`` for an editor's gloss. ``labels``
    runs parallel to ``kinds`` (``"gloss"``, ``"translator"``, None...). Paragraph breaks stay
    in ``text`` as blank lines.
    """

    text: str
    kinds: tuple[str, ...] = ()
    labels: tuple[str | None, ...] = ()

    @property
    def kind(self) -> str | None:
        """The innermost mark's kind, or None for plain text."""
        return self.kinds[-1] if self.kinds else None


@attrs.frozen(slots=True)
class DocumentText:
    """A collated document's whole text as runs (marks resolved, delimiters left out), for
    renderers that show a witness as an editor prints it (insertions, deletions, notes)."""

    witness: str
    label: str
    runs: tuple[Run, ...]

    def __repr__(self) -> str:
        from collatio._display import count

        return (f"<DocumentText {self.witness} {self.label!r}: {count(len(self.runs), 'run')}, "
                f"{sum(len(r.text) for r in self.runs):,} characters>")


@attrs.frozen(slots=True)
class Apparatus:
    """The result of a collation: witnesses, base, units, and the alignment behind them.

    ``flow`` is the text every witness shares around the units: ``flow[i]`` stands before
    unit *i* and ``flow[-1]`` after the last (``len(flow) == len(units) + 1``), as the base
    witness has it, whitespace and paragraph breaks included. Interleaving ``flow`` with one
    witness's readings gives that witness's text (whitespace folded; a transposed block
    stands at the base's place). ``documents`` holds each document's text with its marks.
    """

    witnesses: tuple[CollatedWitness, ...]
    base: str
    units: tuple[VariationUnit, ...]
    flow: tuple[str, ...] = attrs.field(default=("",))
    documents: tuple[DocumentText, ...] = ()
    #: The alignment and tokens behind the units; None for an apparatus read back from a file.
    alignment: Alignment | None = attrs.field(default=None, repr=False, eq=False)
    tokens: tuple[TokenList, ...] | None = attrs.field(default=None, repr=False, eq=False)
    revisions: Revisions = attrs.field(default=Revisions(), converter=Revisions)
    diagnostics: tuple[Diagnostic, ...] = ()

    def __repr__(self) -> str:
        from collatio._display import count, listed

        return (f"<Apparatus: {count(len(self.witnesses), 'text')} ({listed(self.sigla)}), "
                f"base {self.base}, {count(len(self.units), 'variation unit')}, "
                f"{count(len(self.revisions), 'hand revision')}, "
                f"{count(len(self.diagnostics), 'diagnostic')}>")

    def to_dataframe(self) -> Any:
        """One row per unit and collated text as a pandas DataFrame (see
        :mod:`collatio.apparatus.table`; ``pip install "collatio[pandas]"``)."""
        from collatio.apparatus.table import dataframe

        return dataframe(self)

    def __iter__(self) -> Iterator[VariationUnit]:
        return iter(self.units)

    def __len__(self) -> int:
        return len(self.units)

    @property
    def sigla(self) -> tuple[str, ...]:
        return tuple(w.siglum for w in self.witnesses)

    def witness(self, siglum: str) -> CollatedWitness:
        """The collated text called *siglum* (a ``KeyError`` lists the sigla)."""
        for witness in self.witnesses:
            if witness.siglum == siglum:
                return witness
        raise KeyError(f"no witness {siglum!r} in this collation; sigla: {', '.join(self.sigla)}")

    @flow.validator
    def _flow_fits(self, _: attrs.Attribute[tuple[str, ...]], value: tuple[str, ...]) -> None:
        if len(value) != len(self.units) + 1:
            raise ValueError(
                f"flow has {len(value)} pieces for {len(self.units)} units; needs units + 1"
            )

    def witness_text(self, siglum: str) -> str:
        """A witness's text rebuilt from the flow and its readings (whitespace folded).

        >>> Apparatus((), "A", (), ("One two.",)).witness_text("A")
        'One two.'
        """
        text = self.flow[0]
        for unit, after in zip(self.units, self.flow[1:], strict=True):
            reading = unit.reading_of(siglum)
            if reading is not None:  # a transposed block: at the base's place, once
                text = _join(text, reading.text)
            text = _join(text, after)
        return " ".join(text.split())

    def document(self, witness: str) -> DocumentText:
        """The marked text of the document *witness* (``D``, not ``D-ac``)."""
        for document in self.documents:
            if document.witness == witness:
                return document
        raise KeyError(f"no document {witness!r}")

    def token_list(self, siglum: str) -> TokenList:
        """The tokens of the text *siglum* (a ``ValueError`` for an apparatus read back)."""
        if self.tokens is None:
            raise ValueError("this apparatus was read back from a file and has no tokens")
        return self.tokens[self.sigla.index(siglum)]

    def _repr_html_(self) -> str:
        """The witnesses and the units (lemma, readings, sigla, hands), for Jupyter."""
        from collatio.apparatus.display import apparatus_html

        return apparatus_html(self)
