"""The apparatus as one self-contained HTML page, for reading on screen and on paper.

The page (template ``templates/apparatus.html.j2`` and its partials, Jinja2 with
autoescaping) holds: the sigla; the base text as a heat map (every variation unit shaded by
how many texts read otherwise, a variation histogram above it) linked to a numbered
apparatus; every text in full side by side; a synopsis with one column per collated text;
each document with its hand revisions, notes and gaps as an editor prints them; the fate of
each hand revision in the base; the diagnostics. CSS is inline and scoped under the root
``.collatio``; one static script (``partials/edition.js``, no data in it) scrolls the
side-by-side columns together, and the page is whole without it; there are no fonts,
images or outside links. The views' data comes from :mod:`collatio.render._html_views`.
Size and build time are linear in the apparatus.

Witness text is data, never markup: autoescaping covers ``<``, ``&`` and quotes, and
:func:`visible` replaces the characters HTML forbids (control characters other than tab
and newline, noncharacters, lone surrogates) and the bidi overrides with visible escapes
such as ``\\x07``.
Readings stand in ``<bdi>`` so right-to-left text cannot reorder what is around it.
See ``docs/html.md``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from importlib import resources
from typing import Any

import attrs
import jinja2
from markupsafe import Markup

from collatio._version import __version__
from collatio.apparatus.model import (
    HAND_LABELS,
    Apparatus,
    CollatedWitness,
    DocumentText,
    Fate,
    Place,
    Reading,
    RevisionFate,
    Run,
    UnitType,
    VariationUnit,
)
from collatio.render._html_views import (
    Seg,
    heat_legend,
    heat_level,
    histogram,
    unit_stats,
    witness_paragraphs,
)
from collatio.render.base import Option, Renderer
from collatio.render.text import genesis_words

__all__ = ["HTMLRenderer", "visible"]

_NONCHARACTERS = "".join(
    chr(plane + low) for plane in range(0, 0x110000, 0x10000) for low in (0xFFFE, 0xFFFF)
)
#: Characters HTML forbids in text (controls but tab and newline, noncharacters, lone
#: surrogates) and the invisible bidi embeddings, overrides and isolates, which could make
#: text display as other text (U+202A-U+202E, U+2066-U+2069).
_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufdd0-\ufdef\ud800-\udfff"
    + _NONCHARACTERS + "]"
)
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)*")
_IDENT = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*")
_STATES = {"ante": "ante correctionem", "post": "post correctionem"}
_FATE_CLASS = {
    Fate.ADOPTED: "yes", Fate.REAPPEARS: "yes", Fate.PARTLY_ADOPTED: "part",
    Fate.PARTLY_REAPPEARS: "part", Fate.NOT_ADOPTED: "no", Fate.CARRIED: "no",
    Fate.UNKNOWN: "unknown", Fate.IN_NO_STATE: "unknown",
}


def _escape_char(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def visible(text: str) -> str:
    """*text* with every character HTML forbids, and every bidi override, shown as a
    visible escape.

    Tab and newline stay; other control characters (C0, DEL, C1), noncharacters, lone
    surrogates and the bidi embeddings, overrides and isolates become ``\\xNN``,
    ``\\uNNNN`` or ``\\UNNNNNNNN``. Right-to-left letters and the weak marks (LRM, RLM)
    stay.

    >>> visible("bell\\x07 tab\\t ok")
    'bell\\\\x07 tab\\t ok'
    """
    return _FORBIDDEN.sub(_escape_char, text)


def _finalize(value: Any) -> Any:
    """Every ``{{ value }}`` of the template passes here before autoescaping."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return visible(value)
    return value


_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("collatio.render", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    finalize=_finalize,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


#: The page's one script (an enhancement: the page is whole without it). Static: no data is
#: ever written into it; it reads the page's ``data-`` attributes.
_SCRIPT = Markup(
    resources.files("collatio.render").joinpath("templates", "partials", "edition.js")
    .read_text(encoding="utf-8")
)
if "</script" in _SCRIPT.lower() or "<!--" in _SCRIPT:
    raise RuntimeError("edition.js must not contain '</script' or '<!--'")


# --- the page's view of the apparatus -------------------------------------------------------


@attrs.frozen
class Sig:
    """A siglum as printed after a reading, with its text's label and the hand's part."""

    siglum: str
    label: str
    hand: str = ""


@attrs.frozen
class ReadingView:
    """One reading of an apparatus entry; ``long`` ones are folded in a ``<details>``."""

    text: str
    sigla: tuple[Sig, ...]
    words: int
    long: bool
    preview: str
    where: str = ""
    #: what the hand struck inside the reading, moved blocks in it: one line each
    notes: tuple[str, ...] = ()


@attrs.frozen
class UnitRef:
    """A unit's anchor name (``u4``, ``u4.2``) and its number in the apparatus (``4``,
    ``4.2`` for a sub-unit)."""

    ident: str
    number: int | str


@attrs.frozen
class Entry:
    """One numbered apparatus entry."""

    ref: UnitRef
    type: str
    minor: bool
    where: str
    where_title: str
    lemma: ReadingView | None
    readings: tuple[ReadingView, ...]
    lacunose: tuple[Sig, ...]
    #: the sub-units of the readings, in order (each an entry of its own, nested)
    subentries: tuple[Entry, ...] = ()
    #: the anchor of the base text's mark the entry links back to (its top-level unit's)
    mark: str = ""


@attrs.frozen
class Mark:
    """A unit's piece of a text (the base text's heat map, a side-by-side column).

    ``kind``: ``lemma`` (the text's words in the unit), ``insertion`` (it has nothing
    where others have words), ``lacuna`` (the text is lacunose: the mark stands where its
    source has the gap; several consecutive units in one mark) or ``gap`` (a gap of the
    source no unit accounts for). ``level`` is the heat shade (0-5: how many texts read
    otherwise), ``state`` ``agree`` or ``differ`` (from the base's reading), ``hand`` the
    document's hand (``add``/``del``/``mixed``). A reading cut by a paragraph break is
    several marks; the ``first`` carries the anchor, the ``last`` the unit's number.
    """

    kind: str
    type: str
    text: str
    refs: tuple[UnitRef, ...]
    level: int = 0
    state: str = ""
    hand: str = ""
    title: str = ""
    first: bool = True
    last: bool = True
    #: the entry the mark leads to when it is not its unit's (a sub-unit's, ``u4.1``)
    anchor: str = ""
    #: a transposition, or a unit that holds a moved block (in any text: the caret of the
    #: text that has the block elsewhere is marked too)
    moved: bool = False
    #: where the mark stands on the units' axis (``4.25``: a quarter into unit 4, its sub-units
    #: in order), for the columns to scroll level; ``""`` at its unit's start
    at: str = ""


@attrs.frozen
class Cell:
    """One witness's reading in a synopsis row; ``state`` is ``agree``, ``differ`` or
    ``lacunose``."""

    siglum: str
    state: str
    text: str
    hand: str


@attrs.frozen
class SynopsisRow:
    """A row of the synopsis: shared text (``cells`` empty) or one unit's readings."""

    ref: UnitRef | None
    type: str
    shared: tuple[str, ...]
    cells: tuple[Cell, ...]


@attrs.define
class Element:
    """A marked stretch of a document (insertion, deletion, note...) and what it holds."""

    tag: str
    cls: str
    title: str
    before: str
    after: str
    children: list[Element | str]


@attrs.frozen
class DocumentView:
    """A document's text as paragraphs of strings and :class:`Element` trees."""

    witness: str
    label: str
    sigla: tuple[str, ...]
    paragraphs: tuple[tuple[Element | str, ...], ...]


@attrs.frozen
class RevisionRow:
    """One hand revision and its fate."""

    number: int
    kind: str
    text: ReadingView
    line: int
    column: int
    fate: str
    fate_class: str
    found: int
    words: int
    units: tuple[UnitRef, ...]
    reached: str


@attrs.frozen
class RevisionGroup:
    """The revisions of one witness, judged against one target."""

    witness: str
    target: str
    summary: str
    rows: tuple[RevisionRow, ...]


@attrs.frozen
class Column:
    """One text of the side-by-side view, in full."""

    siglum: str
    label: str
    shown: bool
    paragraphs: tuple[tuple[Mark | str, ...], ...]


@attrs.frozen
class Bar:
    """One bar of the variation histogram: its height (percent), where it leads, what it
    says."""

    height: int
    ref: UnitRef | None
    label: str
    lacuna: bool


@attrs.frozen
class Legend:
    """A line of the table of sigla."""

    siglum: str
    label: str
    date: str
    path: str
    state: str


# --- building the view --------------------------------------------------------------------


def _idents(units: Sequence[VariationUnit]) -> list[UnitRef]:
    """Anchor names for the units, in order: their ids where usable in HTML, else ``uN``;
    unique either way."""
    refs: list[UnitRef] = []
    used: set[str] = set()
    for number, unit in enumerate(units, 1):
        ident = unit.id if _IDENT.fullmatch(unit.id) else f"u{number}"
        while ident in used:
            ident += "_"
        used.add(ident)
        refs.append(UnitRef(ident, number))
    return refs


def _ident(unit_id: str, fallback: str) -> str:
    """A sub-unit's anchor: its id where usable in HTML, else *fallback*."""
    return unit_id if _IDENT.fullmatch(unit_id) else fallback


def _paragraphs(text: str) -> list[str]:
    """*text* cut at blank lines (the first piece may be empty)."""
    return _PARAGRAPH_BREAK.split(text)


class _Builder:
    """The template's view of one apparatus, section by section."""

    def __init__(self, apparatus: Apparatus, long_words: int, preview_words: int) -> None:
        self.app = apparatus
        self.long_words = long_words
        self.preview_words = preview_words
        self.labels = {w.siglum: w.label for w in apparatus.witnesses}
        self.unit_refs = _idents(apparatus.units)
        self.refs: dict[str, UnitRef] = {}
        self.stats = unit_stats(apparatus)
        self.others = len(apparatus.witnesses) - 1
        for unit, ref in zip(apparatus.units, self.unit_refs, strict=True):
            self.refs.setdefault(unit.id, ref)
            # sub-units: numbered 4.1, 4.2 ... under their unit, anchored by their ids
            stack = [(unit, ref)]
            while stack:
                parent, parent_ref = stack.pop()
                for k, sub in enumerate(parent.subunits, 1):
                    sub_ref = UnitRef(_ident(sub.id, f"{parent_ref.ident}-{k}"),
                                      f"{parent_ref.number}.{k}")
                    self.refs.setdefault(sub.id, sub_ref)
                    stack.append((sub, sub_ref))

    def reading(self, reading: Reading, where: str = "",
                unit: VariationUnit | None = None) -> ReadingView:
        notes: list[str] = []
        for place in reading.places:
            for genesis in place.genesis:
                notes.append(f"{place.siglum}: “{genesis.text}” {genesis_words(genesis.kinds)} "
                             f"({genesis.line}:{genesis.column})")
            if unit is not None and unit.type is not UnitType.TRANSPOSITION:
                text = reading.text_of(place.siglum)
                for moved in place.moved:
                    notes.append(f"{place.siglum}: “{text[moved.start:moved.end]}” moved: "
                                 f"see unit {self.number(moved.unit)}")
        sigla = tuple(Sig(p.siglum, self.labels.get(p.siglum, p.siglum),
                          "" if reading.subunits else HAND_LABELS.get(p.hand or "", ""))
                      for p in reading.places)
        return attrs.evolve(self.text_view(reading.text), where=where, sigla=sigla,
                            notes=tuple(notes))

    def number(self, unit_id: str) -> str:
        ref = self.refs.get(unit_id)
        return str(ref.number) if ref is not None else unit_id

    def sig(self, place: Place) -> Sig:
        return Sig(place.siglum, self.labels.get(place.siglum, place.siglum),
                   HAND_LABELS.get(place.hand or "", ""))

    def text_view(self, text: str) -> ReadingView:
        words = text.split()
        long = 0 < self.long_words < len(words)
        preview = " ".join(words[: self.preview_words]) if long else ""
        return ReadingView(text, (), len(words), long, preview)

    def legend(self) -> tuple[Legend, ...]:
        return tuple(
            Legend(w.siglum, w.label, w.date or "", w.path, _STATES.get(w.state, ""))
            for w in self.app.witnesses
        )

    def states(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """Documents collated in more than one state, with their states' sigla."""
        by_document: dict[str, list[CollatedWitness]] = {}
        for w in self.app.witnesses:
            by_document.setdefault(w.witness, []).append(w)
        return tuple((doc, tuple(w.siglum for w in ws))
                     for doc, ws in by_document.items() if len(ws) > 1)

    def entries(self) -> tuple[Entry, ...]:
        return tuple(self.entry(unit, ref, ref.ident) for unit, ref in
                     zip(self.app.units, self.unit_refs, strict=True))

    def entry(self, unit: VariationUnit, ref: UnitRef, mark: str) -> Entry:
        """The entry of *unit*, its sub-units' entries nested in it; *mark*: the anchor of
        the base text's mark of its top-level unit."""
        shown = unit.lemma or next((r for r in unit.readings if r.text), unit.readings[0])
        anchor = shown.places[0]
        transposed = unit.type is UnitType.TRANSPOSITION
        subentries = []
        for k, sub in enumerate(unit.subunits, 1):
            sub_ref = self.refs.get(sub.id) or UnitRef(_ident(sub.id, f"{ref.ident}-{k}"),
                                                        f"{ref.number}.{k}")
            subentries.append(self.entry(sub, sub_ref, mark))
        return Entry(
            ref=ref,
            type=unit.type.value,
            minor=unit.minor,
            where=(f"¶{anchor.paragraph}" if anchor.siglum == self.app.base
                   else f"{anchor.siglum} ¶{anchor.paragraph}"),
            where_title=(f"{anchor.siglum}: paragraph {anchor.paragraph}, line "
                         f"{anchor.line}, column {anchor.column}"),
            lemma=self.reading(unit.lemma, _where(unit.lemma) if transposed else "", unit)
            if unit.lemma else None,
            readings=tuple(self.reading(r, _where(r) if transposed else "", unit)
                           for r in unit.readings if r is not unit.lemma),
            lacunose=tuple(Sig(s, self.labels.get(s, s)) for s in unit.lacunose),
            subentries=tuple(subentries),
            mark=mark,
        )

    def base_text(self) -> tuple[tuple[Mark | str, ...], ...]:
        """The base's paragraphs, every unit a :class:`Mark` shaded by how many of the
        other texts differ there (the heat map)."""
        return self.paragraphs_of(self.app.base, heat=True)

    def paragraphs_of(self, siglum: str, heat: bool = False
                      ) -> tuple[tuple[Mark | str, ...], ...]:
        """*siglum*'s text in full (its own order and paragraphs) with its units marked."""
        return tuple(tuple(self.mark(siglum, item, heat) if isinstance(item, Seg) else item
                           for item in paragraph)
                     for paragraph in witness_paragraphs(self.app, siglum, subunits=not heat))

    def mark(self, siglum: str, seg: Seg, heat: bool) -> Mark:
        refs = tuple(self.unit_refs[k] for k in seg.units)
        if seg.kind == "gap":
            return Mark("gap", "", "", ())
        if seg.kind == "lacuna":
            lacunose = " ".join(self.app.units[seg.units[0]].lacunose)
            return Mark("lacuna", "lacuna", lacunose, refs)
        if seg.kind == "moved":
            return Mark("moved", "transposition", "", refs, moved=True)
        k = seg.units[0]
        unit, stat = self.app.units[k], self.stats[k]
        differ = stat.differ.get(siglum)
        level = heat_level(differ, self.others)
        reading = unit.reading_of(siglum)
        hand = anchor = ""
        sub = self.app.unit(seg.sub) if seg.sub else None
        if sub is not None:  # a piece of a reading with sub-units: the sub-unit's reading
            reading = sub.reading_of(siglum)
            anchor = self.refs[sub.id].ident
        if reading is not None and not reading.subunits:
            hand = reading.place(siglum).hand or ""
        title = ""
        if heat:
            many = "text reads" if differ == 1 else "texts read"
            title = (f"unit {refs[0].number} ({unit.type.value}): {differ} of {self.others} "
                     f"other {many} otherwise")
            if stat.lacunose:
                title += f"; lacuna in {stat.lacunose}"
        # the base's passages are all where others differ; where the base is lacunose, the
        # others' words are text it lacks ("nobase"), compared among themselves
        if siglum == self.app.base or (sub is not None and reading is not None
                                       and not reading.subunits):
            state = "nobase differ" if unit.lemma is None and siglum != self.app.base else "differ"
        elif unit.lemma is None:
            state = "nobase " + stat.state(unit, siglum)
        else:
            state = stat.state(unit, siglum)
        return Mark("lemma" if seg.kind == "reading" else "insertion", unit.type.value,
                    seg.text, refs, level, state, hand, title, seg.first, seg.last, anchor,
                    unit.type is UnitType.TRANSPOSITION
                    or any(p.moved for r in unit.readings for p in r.places),
                    f"{k + 1 + seg.order:.4f}" if seg.order else "")

    def columns(self) -> tuple[Column, ...]:
        """The side-by-side view: every collated text in full (the first six shown)."""
        return tuple(Column(w.siglum, w.label, n < 6, self.paragraphs_of(w.siglum))
                     for n, w in enumerate(self.app.witnesses))

    def bars(self) -> tuple[tuple[Bar, ...], int]:
        """The variation histogram along the base text, and its tallest bar's share
        (percent)."""
        out = []
        bins = histogram(self.app, self.stats)
        peak = max((b.share for b in bins), default=0.0) or 1.0
        for b in bins:  # heights relative to the densest stretch, so the shape shows
            share = round(100 * b.share)
            ref = self.unit_refs[b.units[0]] if b.units else None
            label = f"{self.app.base} tokens {b.start + 1}–{b.end}: {share}% varies"
            if b.units:
                label += f", units {b.units[0] + 1}–{b.units[-1] + 1}" if len(b.units) > 1 \
                    else f", unit {b.units[0] + 1}"
            if b.lacuna:
                label += f"; a lacuna of {self.app.base}"
            height = 100 if b.lacuna else round(100 * b.share / peak)
            out.append(Bar(height, ref, label, b.lacuna))
        return tuple(out), round(100 * max((b.share for b in bins), default=0.0))

    def synopsis(self) -> tuple[SynopsisRow, ...]:
        rows: list[SynopsisRow] = []
        sigla = self.app.sigla

        def shared(text: str) -> None:
            pieces = tuple(p for p in (" ".join(x.split()) for x in _paragraphs(text)) if p)
            if pieces:
                rows.append(SynopsisRow(None, "", pieces, ()))

        shared(self.app.flow[0])
        for unit, ref, after in zip(self.app.units, self.unit_refs, self.app.flow[1:],
                                    strict=True):
            reference = unit.lemma or max(unit.readings, key=lambda r: len(r.witnesses))
            cells = []
            for siglum in sigla:
                reading = unit.reading_of(siglum)
                if reading is None:
                    state = "lacunose" if siglum in unit.lacunose else "absent"
                    cells.append(Cell(siglum, state, "", ""))
                    continue
                place = reading.place(siglum)
                cells.append(Cell(siglum, "agree" if reading is reference else "differ",
                                  reading.text_of(siglum),
                                  HAND_LABELS.get(place.hand or "", "")))
            rows.append(SynopsisRow(ref, unit.type.value, (), tuple(cells)))
            shared(after)
        return tuple(rows)

    def documents(self) -> tuple[DocumentView, ...]:
        return tuple(self.document(d) for d in self.app.documents)

    def document(self, document: DocumentText) -> DocumentView:
        paragraphs: list[list[Element | str]] = [[]]
        open_path: list[tuple[tuple[str, str | None], Element]] = []

        def container() -> list[Element | str]:
            return open_path[-1][1].children if open_path else paragraphs[-1]

        def reopen(path: Sequence[tuple[str, str | None]]) -> None:
            for step in path:
                element = _element(*step)
                container().append(element)
                open_path.append((step, element))

        for run in document.runs:
            path = list(zip(run.kinds, _padded(run), strict=True))
            keep = 0
            while (keep < len(open_path) and keep < len(path)
                   and open_path[keep][0] == path[keep]):
                keep += 1
            del open_path[keep:]
            reopen(path[keep:])
            pieces = _paragraphs(run.text)
            if run.kind == "gap":
                pieces = [_gap_text(" ".join(pieces))]
            for n, piece in enumerate(pieces):
                if n:
                    paragraphs.append([])
                    steps = [step for step, _ in open_path]
                    open_path.clear()
                    reopen(steps)
                if piece:
                    container().append(piece)
        sigla = tuple(w.siglum for w in self.app.witnesses if w.witness == document.witness)
        return DocumentView(
            witness=document.witness,
            label=document.label,
            sigla=sigla,
            paragraphs=tuple(tuple(p) for p in paragraphs if any(_has_text(x) for x in p)),
        )

    def revisions(self) -> tuple[RevisionGroup, ...]:
        groups: list[RevisionGroup] = []
        keys = dict.fromkeys((f.witness, f.target) for f in self.app.revisions)
        for witness, target in keys:
            fates = [f for f in self.app.revisions if (f.witness, f.target) == (witness, target)]
            counts: dict[str, int] = {}
            for f in fates:
                counts[f.fate.value] = counts.get(f.fate.value, 0) + 1
            summary = ", ".join(f"{n} {fate}" for fate, n in counts.items())
            rows = tuple(self.revision(n, f) for n, f in enumerate(fates, 1))
            groups.append(RevisionGroup(witness, target, summary, rows))
        return tuple(groups)

    def revision(self, number: int, fate: RevisionFate) -> RevisionRow:
        return RevisionRow(
            number=number,
            kind="insertion" if fate.kind.value == "add" else "deletion",
            text=self.text_view(fate.text),
            line=fate.line,
            column=fate.column,
            fate=fate.fate.value,
            fate_class=_FATE_CLASS.get(fate.fate, "unknown"),
            found=fate.found,
            words=fate.words,
            units=tuple(self.refs[u] for u in fate.units if u in self.refs),
            reached=fate.reached,
        )


def _where(reading: Reading) -> str:
    """Where a transposed reading stands in each of its witnesses."""
    return "; ".join(
        f"{p.siglum} ¶{p.paragraph}, words {p.words[0] + 1}–{p.words[1]}" for p in reading.places
    )


def _has_text(item: Element | Mark | str) -> bool:
    if isinstance(item, str):
        return bool(item.strip())
    if isinstance(item, Mark):
        return True
    return bool(item.before) or any(_has_text(c) for c in item.children)


def _padded(run: Run) -> tuple[str | None, ...]:
    """The run's labels, one per kind."""
    labels = run.labels[: len(run.kinds)]
    return (*labels, *([None] * (len(run.kinds) - len(labels))))


def _gap_text(text: str) -> str:
    """What a gap shows: an ellipsis for ``...``, else its own words."""
    return "…" if not text.strip(" .…\n\t") else " ".join(text.split())


def _element(kind: str, label: str | None) -> Element:
    """The HTML element that shows a mark of *kind* (``add``, ``del``, ``note``...)."""
    name = label or ""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    if kind == "add":
        return Element("ins", "add", "inserted by hand", "", "", [])
    if kind == "del":
        return Element("del", "del", "deleted by hand", "", "", [])
    if kind == "note":
        title = f"editorial note: {name}" if name else "editorial note"
        return Element("span", f"note note-{slug}" if slug else "note", title, "[", "]", [])
    if kind == "gap":
        title = f"gap in the source: {name}" if name else "gap in the source"
        return Element("span", "gap", title, "[", "]", [])
    if kind == "supplied":
        return Element("span", "supplied", "supplied by the editor", "⟨", "⟩", [])
    if kind == "hi":
        return Element("em", "hi", "highlighted in the source", "", "", [])
    kind_slug = re.sub(r"[^a-z0-9]+", "-", kind.lower()).strip("-") or "other"
    return Element("span", f"mark mark-{kind_slug}", kind, "", "", [])


class HTMLRenderer(Renderer):
    """One self-contained HTML page; ``long_words`` (default 60) is the length above which
    a reading is folded in a ``<details>`` showing its first ``preview_words`` (12)."""

    name = "html"
    aliases = ("htm",)
    filenames = ("*.html", "*.htm")
    media_type = "text/html"
    extension = ".html"
    options_declared = (
        Option("long_words", int, 60, "readings longer than this are folded (0: never)",
               minimum=0, maximum=10_000_000),
        Option("preview_words", int, 12, "how many words a folded reading shows", minimum=1,
               maximum=10_000),
    )

    def render(self, apparatus: Apparatus) -> str:
        builder = _Builder(apparatus, int(self.options.get("long_words", 60)),
                           int(self.options.get("preview_words", 12)))
        counts: dict[str, int] = {}
        for unit in apparatus.units:
            counts[unit.type.value] = counts.get(unit.type.value, 0) + 1
        base = next((w for w in apparatus.witnesses if w.siglum == apparatus.base), None)
        bars, peak = builder.bars()
        template = _ENV.get_template("apparatus.html.j2")
        return template.render(
            version=__version__,
            base=apparatus.base,
            base_label=base.label if base else apparatus.base,
            sigla=apparatus.sigla,
            labels=builder.labels,
            counts=tuple(counts.items()),
            legend=builder.legend(),
            states=builder.states(),
            text=builder.base_text(),
            heat=heat_legend(builder.others),
            bars=bars,
            peak=peak,
            columns=builder.columns(),
            script=_SCRIPT,
            entries=builder.entries(),
            synopsis=builder.synopsis(),
            documents=builder.documents(),
            revisions=builder.revisions(),
            diagnostics=tuple(apparatus.diagnostics),
        )
