"""The apparatus as TEI P5 XML (parallel segmentation, apparatus inside the text).

:class:`TEIRenderer` writes one ``<TEI>`` document: the witnesses in the header's
``listWit`` (a document with revision states as a ``witness`` holding its states), the base
text in ``<body>`` with one ``<app>`` per variation unit, and in ``<back>`` each document's
marked text, the fates of its hand revisions and the diagnostics.
:func:`collatio.interop.tei.load_tei` reads it back. ``docs/tei.md`` describes the encoding.
"""

from __future__ import annotations

import bisect
import datetime
import itertools
import re
from collections.abc import Iterable, Iterator, Sequence

import attrs
from lxml import etree

from collatio._version import __version__
from collatio.align.pairwise import diff
from collatio.apparatus.model import (  # the spacing rule of Apparatus.witness_text
    NO_SPACE_AFTER,
    NO_SPACE_BEFORE,
    Apparatus,
    CollatedWitness,
    DocumentText,
    Place,
    Reading,
    RevisionFate,
    Run,
    UnitType,
    VariationUnit,
)
from collatio.diagnostics import Diagnostic
from collatio.errors import RenderError
from collatio.render._tei_encoding import (
    _ANNOTATIONS,
    _BREAK,
    _DROPPED,
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


# --- marks inside the base text and the readings ----------------------------------------------

_WORDISH = re.compile(r"\w+|\s|[^\w\s]")
_SPACES = re.compile(r"\s+")
_CHUNKS = re.compile(r"\s+|\S+")

_Path = tuple[tuple[str, ...], tuple[str | None, ...]]


@attrs.frozen(slots=True)
class _Marks:
    """Runs (with the document's marks) for the pieces of the body that have any: flow
    pieces by index (the base's marks), readings by (unit index, siglum)."""

    flow: dict[int, list[Run]] = attrs.Factory(dict)
    readings: dict[tuple[int, str], list[Run]] = attrs.Factory(dict)
    #: The document whose hand each siglum's marks point to.
    documents: dict[str, str] = attrs.Factory(dict)


def _common(a: _Path | None, b: _Path | None) -> _Path:
    if a is None or b is None:
        found = a if b is None else b
        return found if found is not None else ((), ())
    depth = 0
    while (depth < len(a[0]) and depth < len(b[0])
           and (a[0][depth], a[1][depth]) == (b[0][depth], b[1][depth])):
        depth += 1
    return a[0][:depth], a[1][:depth]


def _anchor(apparatus: Apparatus, unit: VariationUnit) -> str | None:
    """The witness at whose place a transposition unit stands (the base if it has one)."""
    if apparatus.base in unit.witnesses:
        return apparatus.base
    return unit.readings[0].witnesses[0] if unit.readings and unit.readings[0].witnesses else None


def _marks(apparatus: Apparatus) -> _Marks:
    """Where each witness's document marks its text, carried onto the body.

    A witness's text is rebuilt from the flow and its readings and aligned (whitespace
    folded, word by word) with its state's text as the document's runs give it; each
    character then has the marks of the run it came from, and editorial matter (notes,
    supplied words, gaps) is placed after the word it follows. Marks reach the flow only
    from the base witness. A reading none of whose characters align keeps the mark its
    place records (``hand``), if any.
    """
    marks = _Marks()
    documents = {document.witness: document for document in apparatus.documents}
    for witness in apparatus.witnesses:
        document = documents.get(witness.witness)
        if document is None or not any(run.kinds for run in document.runs):
            continue
        marks.documents[witness.siglum] = document.witness
        _mark_witness(apparatus, witness, document, marks)
    return marks


def _fold(texts: Iterable[str]) -> tuple[str, list[int], list[int]]:
    """*texts* concatenated with each stretch of whitespace folded to one space (as reading
    texts are); the start of each text's folded piece, and whether its leading space was
    dropped (1) because the text before ended in one."""
    pieces: list[str] = []
    starts: list[int] = []
    leads: list[int] = []
    total = 0
    space = False
    for text in texts:
        folded = _SPACES.sub(" ", text)
        lead = 1 if space and folded.startswith(" ") else 0
        starts.append(total)
        leads.append(lead)
        pieces.append(folded[lead:])
        total += len(folded) - lead
        if len(folded) > lead:
            space = folded.endswith(" ")
    return "".join(pieces), starts, leads


def _word_starts(text: str) -> tuple[list[str], list[int]]:
    """*text* as words, single spaces and single other characters, with their offsets."""
    words = _WORDISH.findall(text)
    return words, list(itertools.accumulate((len(w) for w in words), initial=0))


@attrs.frozen(slots=True)
class _Blocks:
    """Stretches aligned between two folded texts: ``a[a0+k] == b[b0+k]`` for ``k < n``."""

    a0: list[int]
    b0: list[int]
    n: list[int]

    @classmethod
    def between(cls, a: str, b: str) -> _Blocks:
        a_words, a_at = _word_starts(a)
        b_words, b_at = _word_starts(b)
        blocks = cls([], [], [])
        for op in diff(a_words, b_words):
            if op.tag == "equal":
                blocks.a0.append(a_at[op.a_start])
                blocks.b0.append(b_at[op.b_start])
                blocks.n.append(a_at[op.a_end] - a_at[op.a_start])
        return blocks

    def a_to_b(self, a: int) -> int | None:
        i = bisect.bisect_right(self.a0, a) - 1
        return self.b0[i] + a - self.a0[i] if i >= 0 and a < self.a0[i] + self.n[i] else None

    def b_to_a(self, b: int) -> int | None:
        i = bisect.bisect_right(self.b0, b) - 1
        return self.a0[i] + b - self.b0[i] if i >= 0 and b < self.b0[i] + self.n[i] else None

    def images(self, start: int, end: int) -> Iterator[tuple[int, int]]:
        """The ranges of b that ``a[start:end]`` aligns with."""
        i = max(bisect.bisect_right(self.a0, start) - 1, 0)
        while i < len(self.a0) and self.a0[i] < end:
            lo, hi = max(start, self.a0[i]), min(end, self.a0[i] + self.n[i])
            if lo < hi:
                yield self.b0[i] + lo - self.a0[i], self.b0[i] + hi - self.a0[i]
            i += 1


def _mark_witness(
    apparatus: Apparatus, witness: CollatedWitness, document: DocumentText, marks: _Marks
) -> None:
    siglum = witness.siglum
    is_base = siglum == apparatus.base
    dropped = _DROPPED.get(witness.state, frozenset())
    runs = document.runs
    # the state's text as the document's runs give it (r), and editorial matter in it
    kept: list[int] = []
    annotations: list[tuple[int, int]] = []  # (number of kept runs before it, run index)
    for index, run in enumerate(runs):
        if dropped.intersection(run.kinds):
            continue
        if _ANNOTATIONS.intersection(run.kinds):
            annotations.append((len(kept), index))
        else:
            kept.append(index)
    r_text, r_starts, _ = _fold(runs[i].text for i in kept)
    r_ends = [*r_starts[1:], len(r_text)]
    # the run each stretch of r comes from; the stretches that carry marks
    owner_at: list[int] = []
    owner: list[int] = []
    marked_at: list[int] = []
    marked_end: list[int] = []
    for k, index in enumerate(kept):
        if r_ends[k] > r_starts[k]:
            owner_at.append(r_starts[k])
            owner.append(index)
            if runs[index].kinds:
                marked_at.append(r_starts[k])
                marked_end.append(r_ends[k])
    # the witness's text as the apparatus gives it (q): flow pieces and its readings
    segments: list[tuple[bool, int, str]] = []  # (is a reading, unit or flow index, text)
    for i, piece in enumerate(apparatus.flow):
        segments.append((False, i, piece))
        if i < len(apparatus.units):
            unit = apparatus.units[i]
            reading = unit.reading_of(siglum)
            if reading is not None and (
                unit.type is not UnitType.TRANSPOSITION or _anchor(apparatus, unit) == siglum
            ):
                segments.append((True, i, reading.text))
    q_text, q_starts, q_leads = _fold(text for _, _, text in segments)
    q_ends = [*q_starts[1:], len(q_text)]
    blocks = _Blocks.between(q_text, r_text)
    # editorial matter goes after the word before it (or before the first word)
    inserts: dict[int, list[tuple[int, bool, int]]] = {}  # segment -> (q, after, run)
    for k, index in annotations:
        position = r_starts[k] if k < len(r_starts) else len(r_text)
        before = position - 1
        if before >= 0 and r_text[before] == " ":
            before -= 1
        anchor, after = (before, True) if before >= 0 else (position, False)
        if not after and anchor < len(r_text) and r_text[anchor] == " ":
            anchor += 1
        q = blocks.b_to_a(anchor) if anchor < len(r_text) else None
        if q is not None:
            s = bisect.bisect_right(q_starts, q) - 1
            inserts.setdefault(s, []).append((q, after, index))
    for s, (is_reading, i, text) in enumerate(segments):
        if not is_reading and not is_base:
            continue  # the flow is the base's text: only the base's marks belong there
        images = list(blocks.images(q_starts[s], q_ends[s]))
        marked = s in inserts or any(_overlaps(marked_at, marked_end, lo, hi)
                                     for lo, hi in images)
        if is_reading and text and not images:
            pieces = _fallback(apparatus.units[i], siglum, text)
        elif marked:
            origin = q_starts[s] - q_leads[s]
            pieces = _segment_runs(text, _sources(text, origin, blocks, owner_at, owner), runs,
                                   _offsets(text, origin, inserts.get(s, [])))
        else:
            continue
        if any(piece.kinds for piece in pieces):
            if is_reading:
                marks.readings[(i, siglum)] = pieces
            else:
                marks.flow[i] = pieces


def _overlaps(starts: list[int], ends: list[int], lo: int, hi: int) -> bool:
    """Whether ``[lo, hi)`` meets one of the sorted, disjoint ranges ``starts``/``ends``."""
    i = bisect.bisect_right(starts, hi - 1) - 1
    return i >= 0 and ends[i] > lo


def _folded_positions(text: str, origin: int) -> list[int | None]:
    """For each character of *text*, its position in the folded text (*origin*: where the
    text's folded form would start, a dropped leading space included); None for the
    second and later characters of a stretch of whitespace."""
    out: list[int | None] = []
    position = origin
    for match in _CHUNKS.finditer(text):
        chunk = match.group()
        if chunk[0].isspace():
            out.append(position)
            out.extend([None] * (len(chunk) - 1))
            position += 1
        else:
            out.extend(range(position, position + len(chunk)))
            position += len(chunk)
    return out


def _sources(
    text: str, origin: int, blocks: _Blocks, owner_at: list[int], owner: list[int]
) -> list[int | None]:
    """The run each character of a segment came from (None where it did not align)."""
    out: list[int | None] = []
    for q in _folded_positions(text, origin):
        r = blocks.a_to_b(q) if q is not None and q >= 0 else None
        out.append(owner[bisect.bisect_right(owner_at, r) - 1] if r is not None else None)
    return out


def _offsets(
    text: str, origin: int, inserts: list[tuple[int, bool, int]]
) -> dict[int, list[int]]:
    """Editorial matter by the offset of the segment's text it goes in at."""
    if not inserts:
        return {}
    at = {q: o for o, q in enumerate(_folded_positions(text, origin)) if q is not None}
    out: dict[int, list[int]] = {}
    for q, after, index in inserts:
        if q in at:
            out.setdefault(at[q] + 1 if after else at[q], []).append(index)
    return out


def _fallback(unit: VariationUnit, siglum: str, text: str) -> list[Run]:
    """A reading the alignment could not place: marked as a whole by its place's hand."""
    reading = unit.reading_of(siglum)
    hand = reading.place(siglum).hand if reading is not None else None
    if hand in _HANDED:
        assert hand is not None
        return [Run(text, (hand,), (None,))]
    return [Run(text)]


def _segment_runs(
    text: str, sources: list[int | None], runs: Sequence[Run], inserts: dict[int, list[int]]
) -> list[Run]:
    """*text* cut into runs by the marks of its characters, editorial matter inserted."""
    paths: list[_Path | None] = [
        (runs[src].kinds, _labels(runs[src])) if src is not None else None for src in sources
    ]
    # characters that did not align take the marks their neighbours share
    left: _Path | None = None
    lefts: list[_Path | None] = []
    for path in paths:
        lefts.append(left if path is None else path)
        left = path if path is not None else left
    right: _Path | None = None
    for k in range(len(paths) - 1, -1, -1):
        if paths[k] is None:
            edge = text[k].isspace() and (lefts[k] is None or right is None)
            paths[k] = ((), ()) if edge else _common(lefts[k], right)
        else:
            right = paths[k]
    out: list[Run] = []
    start = 0
    for k in range(len(text) + 1):
        cut = k == len(text) or k in inserts or (k > start and paths[k] != paths[k - 1])
        if cut and k > start:
            kinds, labels = paths[start] or ((), ())
            out.append(Run(text[start:k], kinds, labels))
            start = k
        if k in inserts:
            out.extend(runs[index] for index in inserts[k])
    return out


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
        self.marks = _marks(apparatus)
        self.ids: set[str] = set()

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
            _append_runs(paragraphs, self.marks.flow.get(i, [Run(piece)]), base_hand)
            if i < len(app.units):
                self.unit(paragraphs.p, i, app.units[i])

    def hand(self, document: str) -> _Hand:
        return _Hand(document, self.used_hands)

    def hands_of(self, siglum: str) -> _Hand | None:
        """The hand of the document whose marks *siglum*'s readings carry."""
        document = self.marks.documents.get(siglum)
        return self.hand(document) if document is not None else None

    def unit(self, parent: etree._Element, index: int, unit: VariationUnit) -> None:
        unit_id = _unit_xml_id(unit.id)
        element = _sub(parent, "app", xml_id=unit_id, type=unit.type.value,
                       n=f"columns {unit.columns[0]}-{unit.columns[1]}")
        if unit.minor:
            element.set("subtype", "minor")
        details: list[tuple[str, str, Place]] = []
        for k, reading in enumerate(unit.readings, 1):
            is_lemma = reading is unit.lemma
            reading_id = f"{unit_id}.r{k}"
            pieces = self.reading_pieces(index, reading)
            # the base's own spacing is in the flow, except around a moved block
            padded = not is_lemma or unit.type is UnitType.TRANSPOSITION
            spaces = self.spaces(index, reading.text) if padded else ("", "")
            if len(pieces) == 1:
                self.reading(element, reading_id, is_lemma, unit.minor, pieces[0], spaces)
                details.extend((reading_id, s, reading.place(s)) for s in pieces[0].sigla)
                continue
            # witnesses that mark the text apart: one rdgGrp, the base's piece first (a
            # rdgGrp's lem leads); witDetail keeps the order of the reading's witnesses
            group = _sub(element, "rdgGrp", xml_id=reading_id, type="same-reading")
            if is_lemma:
                pieces.sort(key=lambda piece: self.apparatus.base not in piece.sigla)
            for j, piece in enumerate(pieces, 1):
                self.reading(group, f"{reading_id}.{j}", is_lemma and j == 1, unit.minor, piece,
                             spaces)
                details.extend((f"{reading_id}.{j}", s, reading.place(s)) for s in piece.sigla)
        if unit.lacunose:
            lacuna = _sub(element, "rdg", wit=self.pointers(unit.lacunose), type="lacunose")
            _sub(lacuna, "gap", reason="editorial")
        order = {s: n for n, s in enumerate(s for r in unit.readings for s in r.witnesses)}
        for target, siglum, place in sorted(details, key=lambda d: order[d[1]]):
            _sub(element, "witDetail", _place_text(place), type="place",
                 wit="#" + witness_id(siglum), target="#" + target)

    def reading_pieces(self, index: int, reading: Reading) -> list[_Piece]:
        """The reading's witnesses grouped by how their documents mark its text (a reading
        the base shares may be a hand's insertion in the draft): one group, usually."""
        pieces: dict[tuple[tuple[Run, ...], str | None], list[str]] = {}
        for siglum in reading.witnesses:
            runs = tuple(self.marks.readings.get((index, siglum), [Run(reading.text)]))
            handed = any(_HANDED.intersection(run.kinds) for run in runs)
            document = self.marks.documents.get(siglum) if handed else None
            pieces.setdefault((runs, document), []).append(siglum)
        if not pieces:
            return [_Piece((), (Run(reading.text),), None)]
        return [_Piece(tuple(sigla), runs, document)
                for (runs, document), sigla in pieces.items()]

    def spaces(self, index: int, text: str) -> tuple[str, str]:
        """The spaces a reading needs around it to read as part of the text where the flow
        (the base's text, with the base's spacing) has none, as
        :meth:`Apparatus.witness_text` joins them: for readings other than the lemma, and
        for a moved block's. Readings never begin or end with whitespace themselves (the
        model folds it), so the reader strips these."""
        if not text:
            return "", ""
        flow = self.apparatus.flow
        before, after = flow[index], flow[index + 1]
        # right after another unit (before == ""), that unit's lemma may end in a word
        lead = " " if (text[0] not in NO_SPACE_BEFORE and (
            (not before and index > 0)
            or (before and not before[-1].isspace() and before[-1] not in NO_SPACE_AFTER))) else ""
        last = index + 1 == len(self.apparatus.units)
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
            lambda index, reading: [(p.sigla, p.runs)
                                    for p in writer.reading_pieces(index, reading)],
            writer.spaces,
            writer.marks.flow.get,
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


