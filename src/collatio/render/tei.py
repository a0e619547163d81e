"""The apparatus as TEI P5 XML (parallel segmentation, apparatus inside the text).

:class:`TEIRenderer` writes one ``<TEI>`` document: the witnesses in the header's
``listWit`` (a document with revision states as a ``witness`` holding its states), the base
text in ``<body>`` with one ``<app>`` per variation unit (a reading with sub-units holds
their ``<app>`` elements, nested where they stand in it), and in ``<back>`` the moved
blocks (transposition units), each document's marked text, the fates of its hand revisions
and the diagnostics. Every mark comes from the apparatus (the places' runs and the flow's):
the writer aligns nothing.
:func:`collatio.interop.tei.load_tei` reads it back. ``docs/tei.md`` describes the encoding.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence

import attrs
from lxml import etree

from collatio._version import __version__
from collatio.apparatus.model import (  # the spacing rule of Apparatus.witness_text
    NO_SPACE_AFTER,
    NO_SPACE_BEFORE,
    Apparatus,
    CollatedWitness,
    Genesis,
    Place,
    Reading,
    RevisionFate,
    Run,
    UnitType,
    VariationUnit,
)
from collatio.diagnostics import Diagnostic
from collatio.errors import RenderError
from collatio.normalize import minor_form
from collatio.render._tei_encoding import (
    _BREAK,
    _HANDED,
    _KIND_ELEMENTS,
    _UNSAFE,
    _XML_ID,
    FORMAT,
    SCHEMA_URL,
    TEI_NS,
    _hand_id,
    _state_id,
    _tag,
    _token,
    _unit_xml_id,
    escape_name,
    siglum_of_id,
    unescape_name,
    witness_id,
)
from collatio.render._tei_vm import VM_SCHEMA, VM_STYLESHEET, vm_document
from collatio.render.base import Option, Renderer

__all__ = [
    "FORMAT",
    "TEI_NS",
    "TEIRenderer",
    "escape_name",
    "siglum_of_id",
    "unescape_name",
    "witness_id",
]

def _raw(parent: etree._Element, text: str) -> None:
    """Append *text* at the end of *parent*'s content (after its last child)."""
    if not text:
        return
    if len(parent):
        last = parent[-1]
        last.tail = (last.tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def _append_text(parent: etree._Element, text: str) -> None:
    """Append *text* to *parent*; each character XML cannot hold becomes
    ``<g type="control" n="U+0007">␇</g>`` (the code point kept, a visible stand-in shown)."""
    position = 0
    for match in _UNSAFE.finditer(text):
        _raw(parent, text[position : match.start()])
        code = ord(match.group())
        kind = "control" if code < 0x20 else "surrogate" if code < 0xE000 else "noncharacter"
        g = etree.SubElement(parent, _tag("g"), type=kind, n=f"U+{code:04X}")
        g.text = chr(0x2400 + code) if code < 0x20 else "\ufffd"
        position = match.end()
    _raw(parent, text[position:])


def _attr(text: str) -> str:
    """*text* for an attribute shown to people only (what XML cannot hold becomes U+FFFD)."""
    return _UNSAFE.sub("\ufffd", text)


def _sub(
    parent: etree._Element,
    name: str,
    text: str | None = None,
    xml_id: str | None = None,
    **attributes: str,
) -> etree._Element:
    element = etree.SubElement(parent, _tag(name))
    if xml_id is not None:
        element.set(_XML_ID, xml_id)
    for key, value in attributes.items():
        element.set(key, value)
    if text is not None:
        _append_text(element, text)
    return element


class _Paragraphs:
    """The ``<p>`` elements of a division, a new one at each paragraph break of plain text."""

    def __init__(self, div: etree._Element) -> None:
        self.div = div
        self.p = _sub(div, "p")

    def next(self) -> etree._Element:
        self.p = _sub(self.div, "p")
        return self.p


@attrs.frozen(slots=True)
class _Hand:
    """The hand of one document, declared (a ``handNote``) once an element points to it."""

    document: str
    used: dict[str, None]

    def pointer(self) -> str:
        self.used.setdefault(self.document, None)
        return "#" + _hand_id(self.document)


def _labels(run: Run) -> tuple[str | None, ...]:
    labels = tuple(run.labels[: len(run.kinds)])
    return labels + (None,) * (len(run.kinds) - len(labels))


def _needs_seg(runs: Sequence[Run], index: int, level: int) -> bool:
    """Whether a gap opened at *runs[index]*, depth *level*, holds more than plain text
    (``<gap>`` takes only a ``<desc>``, which cannot hold marks, breaks or ``<g>``)."""
    path = runs[index].kinds[: level + 1]
    for run in runs[index:]:
        if run.kinds[: level + 1] != path:
            break
        if len(run.kinds) > level + 1 or _BREAK in run.text or _UNSAFE.search(run.text):
            return True
    return False


def _open(
    parent: etree._Element, kind: str, label: str | None, hand: _Hand | None, seg: bool
) -> etree._Element:
    """An element for a span of *kind*; returns the element its text goes into."""
    spec = _KIND_ELEMENTS.get(kind)
    if spec is None or seg:
        element = _sub(parent, "seg", type=_token(kind))
        if label is not None:
            element.set("subtype", _token(label))
        return element
    name, attribute = spec
    element = _sub(parent, name)
    if label is not None:
        element.set(attribute, _token(label))
    if kind in _HANDED and hand is not None:
        element.set("hand", hand.pointer())
    if kind == "gap":  # a gap holds no text: its words go into its description
        return _sub(element, "desc")
    return element


def _write(target: etree._Element | _Paragraphs, container: etree._Element | None,
           text: str) -> None:
    """Text into *container*, or into the target's paragraphs when unmarked: a paragraph
    break opens a new ``<p>`` there, and is a ``<milestone unit="paragraph"/>`` elsewhere."""
    if container is None and isinstance(target, _Paragraphs):
        first, *rest = text.split(_BREAK)
        _append_text(target.p, first)
        for piece in rest:
            _append_text(target.next(), piece)
        return
    into = container if container is not None else target
    assert isinstance(into, etree._Element)
    first, *rest = text.split(_BREAK)
    _append_text(into, first)
    for piece in rest:
        _sub(into, "milestone", unit="paragraph")
        _append_text(into, piece)


def _append_runs(
    target: etree._Element | _Paragraphs, runs: Sequence[Run], hand: _Hand | None
) -> None:
    """Runs as nested elements, one per mark, sharing the marks two neighbours share: runs
    ``add`` / ``add, del`` / ``add`` give ``<add>..<del>..</del>..</add>``. Two neighbours
    with the same marks stay two elements. Elements never cross a paragraph break."""
    stack: list[tuple[str, str | None, etree._Element]] = []
    previous: tuple[tuple[str, ...], tuple[str | None, ...]] | None = None
    for index, run in enumerate(runs):
        kinds, labels = run.kinds, _labels(run)
        depth = 0
        while (depth < len(stack) and depth < len(kinds)
               and stack[depth][:2] == (kinds[depth], labels[depth])):
            depth += 1
        if kinds and previous == (kinds, labels) and depth == len(kinds):
            depth -= 1  # the same marks as the run before: a second span, not the first one
        del stack[depth:]
        for level in range(depth, len(kinds)):
            if stack:
                parent = stack[-1][2]
            else:
                parent = target.p if isinstance(target, _Paragraphs) else target
            seg = kinds[level] == "gap" and _needs_seg(runs, index, level)
            container = _open(parent, kinds[level], labels[level], hand, seg)
            stack.append((kinds[level], labels[level], container))
        _write(target, stack[-1][2] if stack else None, run.text)
        previous = (kinds, labels)


# --- the document ---------------------------------------------------------------------------

#: Elements that hold only elements: indented; everything else is text and left as it is.
_STRUCTURAL = frozenset(
    _tag(name)
    for name in (
        "TEI", "teiHeader", "fileDesc", "titleStmt", "respStmt", "publicationStmt",
        "sourceDesc", "listWit", "witness", "encodingDesc", "appInfo", "application",
        "editorialDecl", "classDecl", "taxonomy", "category", "profileDesc", "handNotes",
        "handNote", "text", "body", "back", "div", "list", "item", "app", "rdgGrp",
    )
)

_STATE_NAMES = {
    "text": "the witness's text (no revision states)",
    "ante": "ante correctionem: as first written, before the hand's revisions",
    "post": "post correctionem: as revised by hand",
}
_VERSION = re.compile(r"[\d]+[a-z]*[\d]*(\.[\d]+[a-z]*[\d]*){0,3}")


def _indent(root: etree._Element, step: str = "  ") -> None:
    """Indent the elements that hold only elements; text containers are left untouched, so
    no whitespace is added to any text."""
    stack = [(root, 0)]
    while stack:
        element, level = stack.pop()
        children = [child for child in element if isinstance(child.tag, str)]
        if element.tag in _STRUCTURAL and children:
            inner = "\n" + step * (level + 1)
            element.text = inner
            for child in element:
                child.tail = inner
            element[-1].tail = "\n" + step * level
        stack.extend((child, level + 1) for child in children)


def _w3c_date(value: str) -> str | None:
    """*value* if it is a valid ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` date."""
    if value.startswith("0000"):  # XML Schema has no year zero
        return None
    if re.fullmatch(r"[0-9]{4}(-(0[1-9]|1[0-2]))?", value):
        return value
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        try:
            datetime.date.fromisoformat(value)
        except ValueError:
            return None
        return value
    return None


def _genesis_text(genesis: Genesis) -> str:
    kinds = " ".join(f"{_token(k)}:{_token(label or '')}" for k, label in
                     zip(genesis.kinds, genesis.labels, strict=True))
    return (f"{kinds} at {genesis.at}; line {genesis.line}, column {genesis.column}; offsets "
            f"{genesis.start}-{genesis.end}; text: {genesis.text}")


def _read(runs: Sequence[Run], genesis: Sequence[Genesis]) -> tuple[Run, ...]:
    """*runs* without the passages the reading's state does not read (its genesis: words
    struck inside an insertion, added inside a deletion), for a flavour that shows each
    witness's text as it reads."""
    if not genesis:
        return tuple(runs)
    unread = {(g.text, g.kinds) for g in genesis}
    return tuple(run for run in runs if (run.text.strip(), run.kinds) not in unread)


def _place_text(place: Place) -> str:
    text = (
        f"paragraph {place.paragraph}; words {place.words[0]}-{place.words[1]}; "
        f"tokens {place.tokens[0]}-{place.tokens[1]}; line {place.line}, column "
        f"{place.column}; offsets {place.start}-{place.end}"
    )
    return text if place.hand is None else f"{text}; hand {_token(place.hand)}"


@attrs.frozen(slots=True)
class _Piece:
    """Witnesses of one reading whose documents mark its text alike."""

    sigla: tuple[str, ...]
    runs: tuple[Run, ...]
    #: The document whose hand the runs' add/del point to.
    document: str | None


class _Writer:
    """Builds the ``<TEI>`` tree of one apparatus."""

    def __init__(self, apparatus: Apparatus) -> None:
        self.apparatus = apparatus
        self.used_hands: dict[str, None] = {}
        self.ids: set[str] = set()
        self.documents = {w.siglum: w.witness for w in apparatus.witnesses}

    def build(self) -> etree._Element:
        root = etree.Element(_tag("TEI"), nsmap={None: TEI_NS})
        header = _sub(root, "teiHeader")
        self.header(header)
        text = _sub(root, "text")
        self.body(_sub(text, "body"))
        back = etree.Element(_tag("back"))
        self.back(back)
        if len(back):
            text.append(back)
        if self.used_hands:  # known only once the text is written
            hand_notes = _sub(_sub(header, "profileDesc"), "handNotes")
            for document in self.used_hands:
                note = _sub(hand_notes, "handNote", xml_id=_hand_id(document))
                _sub(note, "p", f"The hand that revised {document}: its insertions (add) and "
                                "deletions (del).")
        _indent(root)
        return root

    # header

    def header(self, header: etree._Element) -> None:
        app = self.apparatus
        file_desc = _sub(header, "fileDesc")
        title_stmt = _sub(file_desc, "titleStmt")
        documents = {d.witness: d.label for d in app.documents}
        names: dict[str, str] = {}
        for w in app.witnesses:
            names.setdefault(w.witness, documents.get(w.witness, w.label))
        title = "Collation of " + "; ".join(f"{label} ({name})" for name, label in names.items())
        _sub(title_stmt, "title", title if names else "Collation")
        resp = _sub(title_stmt, "respStmt")
        _sub(resp, "resp", "collated by")
        _sub(resp, "name", f"collatio {__version__}")
        _sub(_sub(file_desc, "publicationStmt"), "p",
             f"Generated by collatio {__version__} (format {FORMAT}); not published.")
        source_desc = _sub(file_desc, "sourceDesc")
        if app.witnesses:
            self.list_wit(_sub(source_desc, "listWit"), documents)
        else:
            _sub(source_desc, "p", "No witnesses.")
        encoding = _sub(header, "encodingDesc")
        application = _sub(_sub(encoding, "appInfo"), "application", ident="collatio",
                           version=__version__ if _VERSION.fullmatch(__version__) else "0",
                           n=FORMAT)
        _sub(application, "label", "collatio")
        _sub(_sub(encoding, "editorialDecl"), "p",
             f"Base text (lemma): {app.base}. Each variation unit is an app: the base's reading "
             "in lem, the others in rdg (an empty rdg for an omission, a gap for a witness "
             "that is lacunose); witDetail gives each witness's place.")
        states = list(dict.fromkeys(w.state for w in app.witnesses))
        if states:
            taxonomy = _sub(_sub(encoding, "classDecl"), "taxonomy", xml_id="states")
            for state in states:
                category = _sub(taxonomy, "category", xml_id=_state_id(state))
                _sub(category, "catDesc", _attr(_STATE_NAMES.get(state, state)))
        _sub(encoding, "variantEncoding", method="parallel-segmentation", location="internal")

    def list_wit(self, list_wit: etree._Element, labels: dict[str, str]) -> None:
        """One ``witness`` per collated text; the states of one document inside a
        ``witness`` for the document (when its id is free)."""
        witnesses = self.apparatus.witnesses
        text_ids = {witness_id(w.siglum) for w in witnesses}
        self.ids |= text_ids
        groups: list[list[CollatedWitness]] = []
        for w in witnesses:
            if groups and groups[-1][0].witness == w.witness:
                groups[-1].append(w)
            else:
                groups.append([w])
        for group in groups:
            name = group[0].witness
            group_id = witness_id(name)
            if (len(group) == 1 and group[0].siglum == name) or group_id in self.ids:
                for w in group:
                    self.witness(list_wit, w)
                continue
            self.ids.add(group_id)
            element = _sub(list_wit, "witness", xml_id=group_id, n=_attr(name))
            _sub(element, "label", labels.get(name, name))
            inner = _sub(element, "listWit")
            for w in group:
                self.witness(inner, w)

    def witness(self, parent: etree._Element, w: CollatedWitness) -> None:
        element = _sub(parent, "witness", xml_id=witness_id(w.siglum), n=_attr(w.siglum),
                       ana="#" + _state_id(w.state))
        _sub(element, "label", w.label)
        if w.date is not None:
            when = _w3c_date(w.date)
            date = _sub(element, "date", w.date)
            if when is not None:
                date.set("when", when)
        _sub(element, "idno", w.path, type="path")
        if w.witness != w.siglum:
            _sub(element, "idno", w.witness, type="document")

    # body

    def body(self, body: etree._Element) -> None:
        app = self.apparatus
        div = _sub(body, "div", type="edition")
        self.refer(div, app.base)
        paragraphs = _Paragraphs(div)
        base_hand = self.hands_of(app.base)
        for i, piece in enumerate(app.flow):
            runs = app.flow_runs[i] if app.flow_runs else (Run(piece),)
            _append_runs(paragraphs, runs, base_hand)
            if i < len(app.units) and app.units[i].type is not UnitType.TRANSPOSITION:
                self.unit(paragraphs.p, app.units[i], app.flow, i)

    def hand(self, document: str) -> _Hand:
        return _Hand(document, self.used_hands)

    def hands_of(self, siglum: str) -> _Hand | None:
        """The hand of the document whose marks *siglum*'s text carries."""
        document = self.documents.get(siglum)
        return self.hand(document) if document is not None else None

    def unit(self, parent: etree._Element, unit: VariationUnit, flow: Sequence[str],
             index: int) -> None:
        """*unit* as an ``<app>`` in *parent*, where it stands in *flow* at *index* (the
        base text, or the shared text of the reading that holds it)."""
        unit_id = _unit_xml_id(unit.id)
        element = _sub(parent, "app", xml_id=unit_id, type=unit.type.value,
                       n=f"columns {unit.columns[0]}-{unit.columns[1]}")
        if unit.minor:
            element.set("subtype", "minor")
        details: list[tuple[str, str, Place]] = []
        lemma = unit.lemma
        for k, reading in enumerate(unit.readings, 1):
            is_lemma = reading is lemma
            reading_id = f"{unit_id}.r{k}"
            minor = not is_lemma and (unit.minor or (
                lemma is not None and bool(reading.text) and reading.text != lemma.text
                and minor_form(reading.text) == minor_form(lemma.text)))
            # the base's own spacing is in the flow; other readings need theirs
            spaces = ("", "") if is_lemma else self.spaces(flow, index, reading.text)
            if reading.subunits:
                self.shared(element, reading_id, is_lemma, minor, reading, spaces)
                details.extend((reading_id, s, reading.place(s)) for s in reading.witnesses)
                continue
            pieces = self.reading_pieces(reading)
            if len(pieces) == 1:
                self.reading(element, reading_id, is_lemma, minor, pieces[0], spaces)
                details.extend((reading_id, s, reading.place(s)) for s in pieces[0].sigla)
                continue
            # witnesses that mark the text apart: one rdgGrp, the base's piece first (a
            # rdgGrp's lem leads); witDetail keeps the order of the reading's witnesses
            group = _sub(element, "rdgGrp", xml_id=reading_id, type="same-reading")
            if is_lemma:
                pieces.sort(key=lambda piece: self.apparatus.base not in piece.sigla)
            for j, piece in enumerate(pieces, 1):
                self.reading(group, f"{reading_id}.{j}", is_lemma and j == 1, minor, piece,
                             spaces)
                details.extend((f"{reading_id}.{j}", s, reading.place(s)) for s in piece.sigla)
        if unit.lacunose:
            lacuna = _sub(element, "rdg", wit=self.pointers(unit.lacunose), type="lacunose")
            _sub(lacuna, "gap", reason="editorial")
        self.details(element, unit, details)

    def details(self, element: etree._Element, unit: VariationUnit,
                details: list[tuple[str, str, Place]]) -> None:
        """One ``witDetail`` per witness of each reading (its place), then one per word of
        the hand's that the reading's state does not read (its genesis)."""
        order = {s: n for n, s in enumerate(s for r in unit.readings for s in r.witnesses)}
        ordered = sorted(details, key=lambda d: order[d[1]])
        for target, siglum, place in ordered:
            _sub(element, "witDetail", _place_text(place), type="place",
                 wit="#" + witness_id(siglum), target="#" + target)
        for target, siglum, place in ordered:
            for genesis in place.genesis:
                _sub(element, "witDetail", _genesis_text(genesis), type="genesis",
                     wit="#" + witness_id(siglum), target="#" + target)
            for moved in place.moved:
                _sub(element, "witDetail", f"characters {moved.start}-{moved.end} moved: "
                     f"{moved.unit}", type="moved", wit="#" + witness_id(siglum),
                     target="#" + target, corresp="#" + _unit_xml_id(moved.unit))

    def shared(self, parent: etree._Element, xml_id: str, is_lemma: bool, minor: bool,
               reading: Reading, spaces: tuple[str, str]) -> None:
        """A reading with sub-units: its witnesses' shared text with the sub-units'
        ``<app>`` elements where they stand."""
        element = _sub(parent, "lem" if is_lemma else "rdg", xml_id=xml_id,
                       wit=self.pointers(reading.witnesses))
        if minor:
            element.set("type", "orthographic")
        reference = (self.apparatus.base if self.apparatus.base in reading.witnesses
                     else reading.witnesses[0])
        hand = self.hands_of(reference)
        element.text = spaces[0] or None
        for i, piece in enumerate(reading.flow):
            runs = reading.flow_runs[i] if reading.flow_runs else (Run(piece),)
            _append_runs(element, runs, hand)
            if i < len(reading.subunits):
                self.unit(element, reading.subunits[i], reading.flow, i)
        _raw(element, spaces[1])

    def reading_pieces(self, reading: Reading) -> list[_Piece]:
        """The reading's witnesses grouped by how their documents mark its text (a reading
        the base shares may be a hand's insertion in the draft): one group, usually."""
        pieces: dict[tuple[tuple[Run, ...], str | None], list[str]] = {}
        for place in reading.places:
            runs = place.runs or (Run(reading.text),)
            handed = any(_HANDED.intersection(run.kinds) for run in runs)
            document = self.documents.get(place.siglum) if handed else None
            pieces.setdefault((runs, document), []).append(place.siglum)
        if not pieces:
            return [_Piece((), (Run(reading.text),), None)]
        return [_Piece(tuple(sigla), runs, document)
                for (runs, document), sigla in pieces.items()]

    def flat_pieces(self, reading: Reading) -> list[tuple[tuple[str, ...], tuple[Run, ...]]]:
        """The reading's witnesses with their marked text, for a flavour without nested
        apps: a reading with sub-units gives each witness its own whole text."""
        if not reading.subunits:
            return [(p.sigla, _read(p.runs, [g for s in p.sigla
                                             for g in reading.place(s).genesis]))
                    for p in self.reading_pieces(reading)]
        return [((siglum,), tuple(self.witness_runs(reading, siglum)))
                for siglum in reading.witnesses]

    def witness_runs(self, reading: Reading, siglum: str) -> list[Run]:
        """*siglum*'s whole text through *reading*, with its marks: the shared flow's and
        its own in each sub-unit (iteratively over the nesting)."""
        out: list[Run] = []
        stack: list[Reading | Run] = [reading]
        while stack:
            item = stack.pop()
            if isinstance(item, Run):
                out.append(item)
                continue
            if not item.subunits:
                place = item.place(siglum)
                stack.extend(reversed(_read(place.runs or (Run(item.text_of(siglum)),),
                                            place.genesis)))
                continue
            pending: list[Reading | Run] = []
            for i, piece in enumerate(item.flow):
                pending.extend(item.flow_runs[i] if item.flow_runs else (Run(piece),))
                if i < len(item.subunits):
                    sub = item.subunits[i].reading_of(siglum)
                    if sub is not None and sub.text_of(siglum):
                        pending.extend((Run(" "), sub, Run(" ")))
            stack.extend(reversed(pending))
        return out

    def spaces(self, flow: Sequence[str], index: int, text: str) -> tuple[str, str]:
        """The spaces a reading needs around it to read as part of the text where the flow
        (the base's text, or a shared reading's, with its spacing) has none, as
        :meth:`Apparatus.witness_text` joins them: for readings other than the lemma.
        Readings never begin or end with whitespace themselves (the model folds it), so
        the reader strips these."""
        if not text:
            return "", ""
        before, after = flow[index], flow[index + 1]
        # right after another unit (before == ""), that unit's lemma may end in a word
        lead = " " if (text[0] not in NO_SPACE_BEFORE and (
            (not before and index > 0)
            or (before and not before[-1].isspace() and before[-1] not in NO_SPACE_AFTER))) else ""
        last = index + 2 == len(flow)
        trail = " " if (text[-1] not in NO_SPACE_AFTER and (
            (not after and not last)
            or (after and not after[0].isspace() and after[0] not in NO_SPACE_BEFORE))) else ""
        return lead, trail

    def reading(
        self,
        parent: etree._Element,
        xml_id: str,
        is_lemma: bool,
        minor: bool,
        piece: _Piece,
        spaces: tuple[str, str],
    ) -> etree._Element:
        element = _sub(parent, "lem" if is_lemma else "rdg", xml_id=xml_id)
        if piece.sigla:
            element.set("wit", self.pointers(piece.sigla))
        if minor and not is_lemma:
            element.set("type", "orthographic")
        hand = self.hand(piece.document) if piece.document is not None else None
        element.text = spaces[0] or None
        _append_runs(element, piece.runs, hand)
        _raw(element, spaces[1])
        return element

    @staticmethod
    def pointers(sigla: Iterable[str]) -> str:
        return " ".join("#" + witness_id(s) for s in sigla)

    # back

    def back(self, back: etree._Element) -> None:
        app = self.apparatus
        moves = [(i, u) for i, u in enumerate(app.units) if u.type is UnitType.TRANSPOSITION]
        if moves:
            div = _sub(back, "div", type="transpositions")
            _sub(div, "head", "Moved blocks: each at its places in the witnesses")
            for i, unit in moves:
                # where it stands among the units: after the unit before it
                before = next((app.units[k].id for k in range(i - 1, -1, -1)), None)
                holder = _sub(div, "ab", type="transposition",
                              n=f"after {before}" if before is not None else "at start")
                self.unit(holder, unit, ("", ""), 0)
        if app.documents:
            documents = _sub(back, "div", type="documents")
            for document in app.documents:
                div = _sub(documents, "div", type="document")
                self.refer(div, document.witness)
                _sub(div, "head", document.label)
                if document.runs:
                    _append_runs(_Paragraphs(div), document.runs, self.hand(document.witness))
        if app.revisions:
            div = _sub(back, "div", type="revisions")
            _sub(div, "head", "Hand revisions and what became of them")
            items = _sub(div, "list")
            for fate in app.revisions:
                self.revision(items, fate)
        if app.diagnostics:
            div = _sub(back, "div", type="diagnostics")
            _sub(div, "head", "Diagnostics")
            items = _sub(div, "list")
            for diagnostic in app.diagnostics:
                self.diagnostic(items, diagnostic)

    def refer(self, element: etree._Element, siglum: str) -> None:
        """Point *element* to the witness *siglum* (``@corresp``), or, if no witness has
        that siglum, name it (``@n``, escaped)."""
        if witness_id(siglum) in self.ids:
            element.set("corresp", "#" + witness_id(siglum))
        else:
            element.set("n", _token(siglum))

    def name(self, parent: etree._Element, kind: str, name: str) -> None:
        element = _sub(parent, "name", name, type=kind)
        if witness_id(name) in self.ids:
            element.set("ref", "#" + witness_id(name))

    def revision(self, items: etree._Element, fate: RevisionFate) -> None:
        item = _sub(items, "item", n=f"{fate.line}:{fate.column}")
        if fate.units:
            item.set("corresp", " ".join("#" + _unit_xml_id(u) for u in fate.units))
        self.name(item, "witness", fate.witness)
        _append_runs(item, [Run(fate.text, (fate.kind.value,), (None,))],
                     self.hand(fate.witness))
        self.name(item, "target", fate.target)
        _sub(item, "label", fate.fate.value, type="fate")
        _sub(item, "num", str(fate.found), type="found", value=str(fate.found))
        _sub(item, "num", str(fate.words), type="words", value=str(fate.words))
        if fate.reached:
            _sub(item, "seg", fate.reached, type="reached")

    def diagnostic(self, items: etree._Element, diagnostic: Diagnostic) -> None:
        item = _sub(items, "item")
        _sub(item, "label", diagnostic.severity.value, type="severity")
        _sub(item, "label", diagnostic.code, type="code")
        if diagnostic.path is not None:
            _sub(item, "idno", diagnostic.path, type="path")
        for kind, number in (("line", diagnostic.line), ("column", diagnostic.column)):
            if number is not None:
                _sub(item, "num", str(number), type=kind, value=str(number))
        _sub(item, "seg", diagnostic.message, type="message")


class TEIRenderer(Renderer):
    """The apparatus as TEI P5: parallel segmentation of the base text, ``<app>`` per unit,
    witnesses and revision states declared in the header (see ``docs/tei.md``)."""

    name = "tei"
    aliases = ("tei-xml", "xml")
    filenames = ("*.tei.xml", "*.xml")
    media_type = "application/tei+xml"
    extension = ".tei.xml"
    options_declared = (
        Option("flavour", str, "standard", "standard (read back by collatio) or vm (the "
               "Versioning Machine's)", choices=("standard", "tei", "vm", "versioning-machine"),
               aliases=("flavor",)),
        Option("vm_stylesheet", str, VM_STYLESHEET, "the VM flavour's stylesheet",
               maximum=2_000),
        Option("vm_schema", str, VM_SCHEMA, "the VM flavour's schema", maximum=2_000),
    )

    def render(self, apparatus: Apparatus) -> str:
        """UTF-8 XML with its declaration and a pointer to the TEI schema; deterministic.

        ``flavour=vm`` writes the Versioning Machine's flavour instead
        (:mod:`collatio.render._tei_vm`), pointing to its stylesheet and schema
        (``vm_stylesheet``, ``vm_schema``: paths as a file in the VM's ``samples/`` sees
        them).
        """
        flavour = str(self.options.get("flavour", "standard"))  # "flavor" is its alias
        if flavour.lower() in ("vm", "versioning-machine"):
            return self.render_vm(apparatus)
        if flavour.lower() not in ("standard", "tei", ""):
            raise RenderError(f"unknown TEI flavour {flavour!r}; flavours: standard, vm")
        root = _Writer(apparatus).build()
        return _serialize([_model_pi(SCHEMA_URL)], root)

    def render_vm(self, apparatus: Apparatus) -> str:
        """The Versioning Machine's flavour (see :mod:`collatio.render._tei_vm`)."""
        writer = _Writer(apparatus)
        root = vm_document(
            apparatus,
            lambda index, reading: writer.flat_pieces(reading),
            lambda index, text: writer.spaces(apparatus.flow, index, text),
            lambda index: apparatus.flow_runs[index] if apparatus.flow_runs else None,
        )
        _indent(root)
        stylesheet = str(self.options.get("vm_stylesheet", VM_STYLESHEET))
        schema = str(self.options.get("vm_schema", VM_SCHEMA))
        style = etree.ProcessingInstruction(
            "xml-stylesheet", f'href="{_pi_value(stylesheet)}" type="text/xsl"')
        return _serialize([style, _model_pi(schema)], root)


def _pi_value(value: str) -> str:
    """*value* fit for a pseudo-attribute of a processing instruction."""
    return _UNSAFE.sub("", value).replace("&", "&amp;").replace('"', "&quot;").replace(
        "?>", "?&gt;").replace("<", "&lt;")


def _model_pi(href: str) -> etree._ProcessingInstruction:
    return etree.ProcessingInstruction(
        "xml-model",
        f'href="{_pi_value(href)}" type="application/xml" '
        'schematypens="http://relaxng.org/ns/structure/1.0"',
    )


def _serialize(instructions: Sequence[etree._Element], root: etree._Element) -> str:
    # one node a line: lxml puts a processing instruction and the root on one line
    parts = [etree.tostring(node, encoding="unicode") for node in (*instructions, root)]
    return "\n".join([_DECLARATION, *parts]) + "\n"


_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'


# --- reading it back ---------------------------------------------------------------------------


