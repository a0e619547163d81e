"""The apparatus model: collated witnesses, variation units, readings and their places.

A *positive* apparatus: every top-level :class:`VariationUnit` accounts for every collated
witness exactly once, either in one of its readings or in its ``lacunose`` list. A reading
that several witnesses share apart from small differences (a draft's two states, or texts
that differ only in case or punctuation) holds those differences as **sub-units**
(:attr:`Reading.subunits`); each sub-unit accounts, in the same way, for every witness of
the reading that holds it. Every reading is one contiguous stretch of each of its
witnesses' text (:attr:`Place.tokens`).
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
class Genesis:
    """Words the document's hand wrote inside a reading that the reading's state does not
    read: struck inside an insertion (``kinds == ("add", "del")``: *against China* in the
    draft's inserted sentence), added inside a passage struck later (``("del", "add")``:
    *the factors*), or a deletion inside a stretch the state reads around it.

    ``at`` is the character offset in the witness's reading text where they stood;
    ``line``/``column`` (1-based) locate the mark of the revision they belong to (as the
    revision report does), ``start``/``end`` the words themselves in the source.
    """

    kinds: tuple[str, ...]
    labels: tuple[str | None, ...]
    text: str
    at: int
    line: int
    column: int
    start: int
    end: int


@attrs.frozen(slots=True)
class Moved:
    """A moved block inside a reading: characters ``start:end`` of the witness's reading
    text are the block that the transposition unit *unit* reports at each of its places.
    The reading keeps the block's words (a reading is always a contiguous stretch of its
    witness); this says where they went."""

    start: int
    end: int
    unit: str


@attrs.frozen(slots=True)
class Place:
    """Where a reading stands in one witness.

    ``tokens`` and ``words`` are half-open index ranges into the witness's tokens and words
    (words count words and numbers, not punctuation); for an empty reading both are the
    insertion point. ``paragraph`` is 1-based. ``line``/``column`` (1-based) and
    ``start``/``end`` (offsets) locate the reading in the source file; ``hand`` says
    whether the document's hand added (``add``) or deleted (``del``) it, ``mixed`` for part
    of it, None for text as typed.

    ``runs`` is the reading as its document marks it (empty when the stretch holds no
    mark): its text with the marks around each piece, editorial matter (notes) in place and
    the hand's words that the state does not read (``genesis``) where they stood; the runs'
    text without those is the reading's text. ``genesis`` lists the latter with their
    offsets; ``moved`` the blocks of the reading that moved elsewhere in another witness.
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
    runs: tuple[Run, ...] = ()
    genesis: tuple[Genesis, ...] = ()
    moved: tuple[Moved, ...] = ()


@attrs.frozen(slots=True)
class Reading:
    """A text and the witnesses that read it (one :class:`Place` per witness, same order).

    A reading with ``subunits`` is shared by witnesses whose texts differ only inside them:
    ``flow`` holds the text they share around the sub-units (``len(flow) ==
    len(subunits) + 1``, whitespace kept, as the base has it if it is among them, else as
    the first witness has it; ``flow_runs``, when not empty, the same pieces with that
    witness's marks), and :meth:`text_of` gives each witness's own text; ``text`` is the
    first witness's.
    """

    text: str
    witnesses: tuple[str, ...]
    places: tuple[Place, ...]
    subunits: tuple[VariationUnit, ...] = ()
    flow: tuple[str, ...] = ()
    flow_runs: tuple[tuple[Run, ...], ...] = ()

    def __attrs_post_init__(self) -> None:
        if len(self.places) != len(self.witnesses):
            raise ValueError(f"{len(self.places)} places for {len(self.witnesses)} witnesses")
        if self.subunits and len(self.flow) != len(self.subunits) + 1:
            raise ValueError(f"a reading with {len(self.subunits)} sub-units needs "
                             f"{len(self.subunits) + 1} flow pieces, not {len(self.flow)}")
        if self.flow_runs and len(self.flow_runs) != len(self.flow):
            raise ValueError("flow_runs must be empty or parallel to flow")

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

    def text_of(self, siglum: str) -> str:
        """The reading as witness *siglum* has it (its sub-units' readings in place),
        whitespace folded; texts that differ only in typographic or compatibility forms
        (``“``/``”``, ``ﬁ``/``fi``) are one reading, in its first text's forms.

        >>> Reading("one two", ("A",), (Place("A", (0, 2), (0, 2), 1, 1, 1, 0, 7),)).text_of("A")
        'one two'
        """
        if not self.subunits or siglum == self.witnesses[0]:
            return self.text
        if siglum not in self.witnesses:
            raise KeyError(siglum)
        return self.rebuilt(siglum)

    def rebuilt(self, siglum: str, *, own: bool = False) -> str:
        """The reading as witness *siglum* has it, made from the flow and the sub-units'
        readings (what :meth:`text_of` gives for any but the first witness; for the first,
        a check of :attr:`text` or its making where only the parts are known). *own*: the
        flow is *siglum*'s own text (the base's, or the first witness's where the base does
        not read here), so its pieces and sub-readings laid end to end are exact, spacing
        and all (``<`` + ``b>`` is ``<b>``); for another witness, pieces are joined as words."""
        text = self.flow[0]
        for unit, after in zip(self.subunits, self.flow[1:], strict=True):
            reading = unit.reading_of(siglum)
            if own:
                text += (reading.text_of(siglum) if reading is not None else "") + after
                continue
            if reading is not None:
                text = _join(text, reading.text_of(siglum))
            text = _join(text, after)
        return " ".join(text.split())


@attrs.frozen(slots=True)
class VariationUnit:
    """One place of variation.

    ``lemma`` is the base witness's reading (None where the base is lacunose); ``readings``
    holds every reading, the lemma's first. ``columns`` is the half-open range of alignment
    columns from the unit's first word to its last (its readings are token ranges: a
    punctuation mark of a word in it may stand in another column). A ``transposition`` unit
    reports one moved block at each of its places; the units around those places hold the
    block's words too (marked :class:`Moved`), so it adds no text of its own.
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
    def subunits(self) -> tuple[VariationUnit, ...]:
        """The sub-units of every reading, in text order of the reading that holds them."""
        return tuple(sub for reading in self.readings for sub in reading.subunits)

    def walk(self) -> Iterator[VariationUnit]:
        """This unit and every unit inside it, depth first (iteratively)."""
        stack: list[VariationUnit] = [self]
        while stack:
            unit = stack.pop()
            yield unit
            stack.extend(reversed(unit.subunits))

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
    RECAST = "recast"
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
    witness has it, whitespace and paragraph breaks included; ``flow_runs``, when not empty,
    holds the same pieces with the base document's marks. Interleaving ``flow`` with one
    witness's readings gives that witness's text (whitespace folded; a transposed block
    stands at the base's place). ``documents`` holds each document's text with its marks.
    """

    witnesses: tuple[CollatedWitness, ...]
    base: str
    units: tuple[VariationUnit, ...]
    flow: tuple[str, ...] = attrs.field(default=("",))
    documents: tuple[DocumentText, ...] = ()
    flow_runs: tuple[tuple[Run, ...], ...] = ()
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

    def __attrs_post_init__(self) -> None:
        if self.flow_runs and len(self.flow_runs) != len(self.flow):
            raise ValueError("flow_runs must be empty or parallel to flow")

    def all_units(self) -> Iterator[VariationUnit]:
        """Every unit and sub-unit, in text order, each before the units inside it."""
        for unit in self.units:
            yield from unit.walk()

    def unit(self, unit_id: str) -> VariationUnit:
        """The unit or sub-unit called *unit_id* (``u5``, ``u5.2``)."""
        for unit in self.all_units():
            if unit.id == unit_id:
                return unit
        raise KeyError(f"no unit {unit_id!r}")

    def witness_text(self, siglum: str) -> str:
        """A witness's text rebuilt from the flow and its readings (whitespace folded; where
        the texts agree, in the base's typographic and compatibility forms); a
        transposition unit is a report (its readings repeat what the units at the block's
        places hold) and adds nothing.

        >>> Apparatus((), "A", (), ("One two.",)).witness_text("A")
        'One two.'
        """
        text = self.flow[0]
        for unit, after in zip(self.units, self.flow[1:], strict=True):
            reading = unit.reading_of(siglum)
            if reading is not None and unit.type is not UnitType.TRANSPOSITION:
                text = _join(text, reading.text_of(siglum))
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
