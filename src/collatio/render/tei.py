"""The apparatus as TEI P5 XML (parallel segmentation, apparatus inside the text), and back.

:class:`TEIRenderer` writes one ``<TEI>`` document: the witnesses in the header's
``listWit`` (a document with revision states as a ``witness`` holding its states), the base
text in ``<body>`` with one ``<app>`` per variation unit, and in ``<back>`` each document's
marked text, the fates of its hand revisions and the diagnostics. :func:`load_tei` reads it
back into an equal :class:`~collatio.apparatus.model.Apparatus` (the alignment table and the
tokens excepted, as for JSON). ``docs/tei.md`` describes the encoding.
"""

from __future__ import annotations

import bisect
import datetime
import itertools
import re
import string
from collections.abc import Callable, Iterable, Iterator, Sequence

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
    Fate,
    Place,
    Reading,
    RevisionFate,
    Run,
    UnitType,
    VariationUnit,
)
from collatio.diagnostics import Diagnostic, Severity
from collatio.errors import CollatioError
from collatio.markup.tree import SpanKind
from collatio.render.base import Renderer

__all__ = [
    "FORMAT",
    "TEI_NS",
    "TEIRenderer",
    "escape_name",
    "is_collatio_tei",
    "load_tei",
    "siglum_of_id",
    "unescape_name",
    "witness_id",
]

TEI_NS = "http://www.tei-c.org/ns/1.0"
#: Named on ``<application n=...>``; a reader refuses other versions of the encoding.
FORMAT = "collatio-tei/1"
SCHEMA_URL = "https://www.tei-c.org/release/xml/tei/custom/schema/relaxng/tei_all.rng"

_XML_ID = "{http://www.w3.org/XML/1998/namespace}id"
_NS = {"t": TEI_NS}


def _tag(name: str) -> str:
    return f"{{{TEI_NS}}}{name}"


# --- identifiers --------------------------------------------------------------------------------

_NAME_SAFE = frozenset(string.ascii_letters + string.digits + "-")
_ESCAPE = re.compile(r"_([0-9a-f]{1,6})_")
_PLAIN_UNIT = re.compile(r"u[0-9]+")


def escape_name(value: str) -> str:
    """*value* spelt with ASCII letters, digits and ``-`` only, every other character as
    ``_hex_``: it fits inside an XML name and :func:`unescape_name` restores it.

    >>> escape_name("002_82ee: A")
    '002_5f_82ee_3a__20_A'
    >>> unescape_name(escape_name("002_82ee: A"))
    '002_82ee: A'
    """
    return "".join(c if c in _NAME_SAFE else f"_{ord(c):x}_" for c in value)


def unescape_name(token: str) -> str:
    """The value :func:`escape_name` spelt as *token*; ValueError if it is not such a
    spelling."""
    parts: list[str] = []
    position = 0
    for match in _ESCAPE.finditer(token):
        parts.append(_plain(token[position : match.start()]))
        parts.append(chr(int(match.group(1), 16)))
        position = match.end()
    parts.append(_plain(token[position:]))
    return "".join(parts)


def _plain(piece: str) -> str:
    if any(c not in _NAME_SAFE for c in piece):
        raise ValueError(f"not an escaped name: {piece!r}")
    return piece


def witness_id(siglum: str) -> str:
    """The ``xml:id`` of the witness (or document) *siglum*: ``w-`` and the escaped siglum.

    >>> witness_id("D-ac"), witness_id("002_82ee7afc6dc33c74")
    ('w-D-ac', 'w-002_5f_82ee7afc6dc33c74')
    """
    return "w-" + escape_name(siglum)


def siglum_of_id(xml_id: str) -> str:
    """The siglum whose :func:`witness_id` is *xml_id*."""
    if not xml_id.startswith("w-"):
        raise ValueError(f"not a witness id: {xml_id!r}")
    return unescape_name(xml_id[2:])


def _unit_xml_id(unit_id: str) -> str:
    """collatio's own unit ids (``u12``) as they are; any other one escaped after ``app-``."""
    return unit_id if _PLAIN_UNIT.fullmatch(unit_id) else "app-" + escape_name(unit_id)


def _unit_id_of(xml_id: str) -> str:
    if xml_id.startswith("app-"):
        return unescape_name(xml_id[4:])
    if _PLAIN_UNIT.fullmatch(xml_id):
        return xml_id
    raise ValueError(f"not a unit id: {xml_id!r}")


def _hand_id(document: str) -> str:
    return "hand-" + escape_name(document)


def _state_id(state: str) -> str:
    return "state-" + escape_name(state)


def _token(value: str) -> str:
    """A label as one attribute token (``_`` for the empty label)."""
    return escape_name(value) if value else "_"


def _untoken(token: str) -> str:
    return "" if token == "_" else unescape_name(token)


# --- text ------------------------------------------------------------------------------------

#: Characters XML 1.0 cannot hold: C0 controls but tab, LF and CR; U+FFFE, U+FFFF; surrogates.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_CODE_POINT = re.compile(r"U\+([0-9A-F]{4,6})")
_BREAK = "\n\n"


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


# --- marks: runs of text as nested elements ---------------------------------------------------

#: Span kind -> the TEI element and the attribute that carries the span's label.
_KIND_ELEMENTS: dict[str, tuple[str, str]] = {
    "add": ("add", "type"),
    "del": ("del", "type"),
    "supplied": ("supplied", "reason"),
    "note": ("note", "type"),
    "gap": ("gap", "reason"),
    "unclear": ("unclear", "reason"),
    "sic": ("sic", "n"),
    "hi": ("hi", "rend"),
}
_ELEMENT_KINDS = {element: kind for kind, (element, _) in _KIND_ELEMENTS.items()}
#: Editorial matter: not part of any state's text, so not of readings or the base text.
_ANNOTATIONS = frozenset({"note", "supplied", "gap"})
#: Marks made by the document's own hand, pointing to its ``handNote``.
_HANDED = frozenset({"add", "del"})
#: What each revision state leaves out (see :mod:`collatio.witness`).
_DROPPED = {"ante": frozenset({"add"}), "post": frozenset({"del"})}


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

    def render(self, apparatus: Apparatus) -> str:
        """UTF-8 XML with its declaration and a pointer to the TEI schema; deterministic."""
        root = _Writer(apparatus).build()
        model = etree.ProcessingInstruction(
            "xml-model",
            f'href="{SCHEMA_URL}" type="application/xml" '
            'schematypens="http://relaxng.org/ns/structure/1.0"',
        )
        # one node a line: lxml puts a processing instruction and the root on one line
        parts = [etree.tostring(node, encoding="unicode") for node in (model, root)]
        return "\n".join([_DECLARATION, *parts]) + "\n"


_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'


# --- reading it back ---------------------------------------------------------------------------


class _Malformed(Exception):
    """A piece of the document that is missing or wrong, with the element it was read at."""

    def __init__(self, message: str, element: etree._Element | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line: int | None = element.sourceline if element is not None else None


def _parse(text: str | bytes, path: str) -> etree._Element:
    """Parse *text* safely: no entities resolved, no DTD loaded, no network, no huge trees."""
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False,
        encoding="utf-8" if isinstance(text, str) else None,
    )
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (exc.lineno, None)
        message = re.sub(r"(, line \d+)?, column \d+$", "", exc.msg or "")  # said by the error
        raise CollatioError(f"malformed XML: {message}", path=path, line=line,
                            column=column) from None


def is_collatio_tei(text: str | bytes) -> bool:
    """True when *text* is a TEI document written by collatio's ``tei`` renderer."""
    head = text[:200].decode("utf-8", "replace") if isinstance(text, bytes) else text[:200]
    if not head.lstrip("\ufeff \t\r\n").startswith("<"):
        return False
    try:
        root = _parse(text, "<tei>")
    except CollatioError:
        return False
    return root.tag == _tag("TEI") and bool(
        root.xpath("t:teiHeader/t:encodingDesc/t:appInfo/t:application[@ident='collatio']",
                   namespaces=_NS)
    )


def load_tei(text: str | bytes, path: str = "<tei>") -> Apparatus:
    """Read back what :class:`TEIRenderer` wrote; malformed XML or a missing piece is a
    :class:`~collatio.errors.CollatioError` naming *path* and the line."""
    root = _parse(text, path)
    try:
        return _Reader(root).apparatus()
    except _Malformed as exc:
        raise CollatioError(exc.message, path=path, line=exc.line) from None


def _one(element: etree._Element, xpath: str) -> etree._Element:
    found = element.xpath(xpath, namespaces=_NS)
    if not found:
        raise _Malformed(f"missing {xpath.replace('t:', '')} in <{_local(element)}>", element)
    result: etree._Element = found[0]
    return result


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else "?"


def _elements(element: etree._Element) -> Iterator[etree._Element]:
    """Child elements (comments and processing instructions left out)."""
    for child in element:
        if isinstance(child, etree._Entity):
            raise _Malformed("entity references are not accepted", element)
        if isinstance(child.tag, str):
            yield child


def _kind_of(element: etree._Element) -> tuple[str, str | None] | None:
    """The span kind and label an element stands for, or None if it is not a mark."""
    local = _local(element)
    try:
        if element.tag == _tag("seg") and element.get("type") not in (None, "reached",
                                                                       "message"):
            subtype = element.get("subtype")
            return _untoken(element.get("type", "")), _untoken(subtype) if subtype else None
        kind = _ELEMENT_KINDS.get(local) if element.tag == _tag(local) else None
        if kind is None:
            return None
        label = element.get(_KIND_ELEMENTS[kind][1])
        return kind, _untoken(label) if label is not None else None
    except ValueError as exc:
        raise _Malformed(f"<{local}>: {exc}", element) from None


def _char(element: etree._Element) -> str:
    """The character a ``<g>`` stands for (its code point if recorded, else its text)."""
    match = _CODE_POINT.fullmatch(element.get("n", ""))
    if match is None:
        return element.text or ""
    try:
        return chr(int(match.group(1), 16))
    except ValueError:
        raise _Malformed(f"<g n={match.group()!r}>: no such character", element) from None


def _text(element: etree._Element, skip_annotations: bool = True) -> str:
    """The text of a reading (or any text container): editorial matter left out, ``<g>``
    characters restored, paragraph milestones as blank lines."""
    parts: list[str] = []
    stack: list[etree._Element | str] = [element]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            parts.append(item)
            continue
        if item is not element:
            if item.tag == _tag("g"):
                parts.append(_char(item))
                continue
            if item.tag == _tag("milestone"):
                parts.append(_BREAK)
                continue
            kind = _kind_of(item)
            if skip_annotations and kind is not None and kind[0] in _ANNOTATIONS:
                continue
        pending: list[etree._Element | str] = [item.text or ""]
        for child in item:
            if isinstance(child, etree._Entity):
                raise _Malformed("entity references are not accepted", item)
            if isinstance(child.tag, str):
                pending.append(child)
            pending.append(child.tail or "")
        stack.extend(reversed(pending))
    return "".join(parts)


def _runs_of(paragraphs: Sequence[etree._Element]) -> list[Run]:
    """The runs :func:`_append_runs` wrote into *paragraphs* (a paragraph break between
    two of them belongs to the unmarked text there)."""
    runs: list[Run] = []
    text: list[str] = []
    path: list[tuple[str, str | None]] = []

    def flush(force: bool = False) -> None:
        joined = "".join(text)
        if joined or force:
            runs.append(Run(joined, tuple(k for k, _ in path), tuple(lab for _, lab in path)))
        text.clear()

    # ("text", str) | ("content", element) | ("child", element) | ("close", runs before it)
    items: list[tuple[str, etree._Element | str | int]] = []
    for n, p in enumerate(paragraphs):
        if n:
            items.append(("text", _BREAK))
        items.append(("content", p))
    stack = list(reversed(items))
    while stack:
        action, payload = stack.pop()
        if action == "text":
            assert isinstance(payload, str)
            text.append(payload)
        elif action == "close":
            assert isinstance(payload, int)
            flush(force=len(runs) == payload)  # an empty mark is an empty run
            path.pop()
        elif action == "content":
            pending: list[tuple[str, etree._Element | str | int]] = [("text", payload.text or "")]
            for child in _elements(payload):
                pending.append(("child", child))
                pending.append(("text", child.tail or ""))
            stack.extend(reversed(pending))
        else:
            child = payload
            assert not isinstance(child, (str, int))
            if child.tag == _tag("g"):
                text.append(_char(child))
                continue
            if child.tag == _tag("milestone"):
                text.append(_BREAK)
                continue
            kind = _kind_of(child)
            if kind is not None:
                flush()
                path.append(kind)
                stack.append(("close", len(runs)))
            # a gap's desc, and anything unknown, is transparent
            stack.append(("content", child))
    flush()
    return runs


def _inline(element: etree._Element) -> str:
    """The text an element inside a ``<p>`` of the base text contributes to the flow."""
    if element.tag == _tag("g"):
        return _char(element)
    if element.tag == _tag("milestone"):
        return _BREAK
    kind = _kind_of(element)
    if kind is not None and kind[0] in _ANNOTATIONS:
        return ""
    return _text(element)


def _int(element: etree._Element, value: str | None, what: str) -> int:
    try:
        return int(value or "")
    except ValueError:
        raise _Malformed(f"{what}: not a number: {value!r}", element) from None


_PLACE = re.compile(
    r"paragraph (-?\d+); words (-?\d+)-(-?\d+); tokens (-?\d+)-(-?\d+); "
    r"line (-?\d+), column (-?\d+); offsets (-?\d+)-(-?\d+)(?:; hand (\S+))?"
)
_COLUMNS = re.compile(r"columns (-?\d+)-(-?\d+)")


class _Reader:
    """Rebuilds the apparatus from a ``<TEI>`` tree written by :class:`TEIRenderer`."""

    def __init__(self, root: etree._Element) -> None:
        self.root = root
        self.sigla: dict[str, str] = {}  # witness xml:id -> siglum

    def apparatus(self) -> Apparatus:
        root = self.root
        if root.tag != _tag("TEI"):
            namespace = etree.QName(root).namespace
            raise _Malformed(f"not a TEI document: the root element is <{_local(root)}> "
                             f"{f'in namespace {namespace}' if namespace else 'in no namespace'}"
                             f", not <TEI> in {TEI_NS}", root)
        header = _one(root, "t:teiHeader")
        application = root.xpath(
            "t:teiHeader/t:encodingDesc/t:appInfo/t:application[@ident='collatio']",
            namespaces=_NS)
        if not application:
            raise _Malformed("not written by collatio (no application 'collatio' in the "
                             "header's appInfo)", header)
        if application[0].get("n") != FORMAT:
            raise _Malformed(f"unsupported format {application[0].get('n')!r}, expected "
                             f"{FORMAT!r}", application[0])
        witnesses = self.witnesses(header)
        div = _one(root, "t:text/t:body/t:div[@type='edition']")
        base = self.referred(div)
        flow, units = self.body(div)
        back = root.find(_tag("text") + "/" + _tag("back"))
        documents: tuple[DocumentText, ...] = ()
        revisions: tuple[RevisionFate, ...] = ()
        diagnostics: tuple[Diagnostic, ...] = ()
        if back is not None:
            documents = tuple(self.document(d) for d in back.xpath(
                "t:div[@type='documents']/t:div[@type='document']", namespaces=_NS))
            revisions = tuple(self.revision(i) for i in back.xpath(
                "t:div[@type='revisions']/t:list/t:item", namespaces=_NS))
            diagnostics = tuple(self.diagnostic(i) for i in back.xpath(
                "t:div[@type='diagnostics']/t:list/t:item", namespaces=_NS))
        try:
            return Apparatus(witnesses=witnesses, base=base, units=tuple(units),
                             flow=tuple(flow), documents=documents, revisions=revisions,
                             diagnostics=diagnostics)
        except (ValueError, TypeError) as exc:
            raise _Malformed(f"inconsistent apparatus: {exc}", div) from None

    # header

    def witnesses(self, header: etree._Element) -> tuple[CollatedWitness, ...]:
        out = []
        for element in header.iter(_tag("witness")):
            if element.find(_tag("listWit")) is not None:
                continue  # a document holding its states
            xml_id = element.get(_XML_ID)
            if xml_id is None:
                raise _Malformed("a witness has no xml:id", element)
            siglum = self.decode(element, xml_id, siglum_of_id)
            self.sigla[xml_id] = siglum
            label = _text(_one(element, "t:label"), skip_annotations=False)
            date_element = element.find(_tag("date"))
            date = _text(date_element, False) if date_element is not None else None
            path = _text(_one(element, "t:idno[@type='path']"), False)
            document = element.find(_tag("idno") + "[@type='document']")
            witness = _text(document, False) if document is not None else siglum
            ana = element.get("ana", "")
            if not ana.startswith("#state-"):
                raise _Malformed(f"witness {siglum!r}: no state (@ana='#state-...')", element)
            state = self.decode(element, ana[len("#state-"):], unescape_name)
            out.append(CollatedWitness(siglum, witness, state, label, date, path))
        return tuple(out)

    @staticmethod
    def decode(element: etree._Element, value: str, how: Callable[[str], str]) -> str:
        """*value* decoded by *how*; a value it rejects is a located error."""
        try:
            return how(value)
        except ValueError:
            raise _Malformed(f"malformed identifier {value!r}", element) from None

    def pointer(self, element: etree._Element, value: str, declared: bool = True) -> str:
        """The siglum a ``#w-...`` pointer names (a declared witness, if *declared*)."""
        if not value.startswith("#"):
            raise _Malformed(f"not a pointer: {value!r}", element)
        if declared:
            if value[1:] not in self.sigla:
                raise _Malformed(f"pointer {value} names no witness", element)
            return self.sigla[value[1:]]
        return self.decode(element, value[1:], siglum_of_id)

    def referred(self, element: etree._Element) -> str:
        """The siglum :meth:`_Writer.refer` recorded on *element*."""
        corresp = element.get("corresp")
        if corresp is not None:
            return self.pointer(element, corresp, declared=False)
        if element.get("n") is None:
            raise _Malformed(f"<{_local(element)}> names no witness (@corresp or @n)", element)
        return self.decode(element, element.get("n", ""), _untoken)

    def pointers(self, element: etree._Element, attribute: str) -> list[str]:
        return [self.pointer(element, p) for p in (element.get(attribute) or "").split()]

    # body

    def body(self, div: etree._Element) -> tuple[list[str], list[VariationUnit]]:
        flow: list[str] = []
        units: list[VariationUnit] = []
        current: list[str] = []
        paragraphs = [p for p in _elements(div) if p.tag == _tag("p")]
        for n, p in enumerate(paragraphs):
            if n:
                current.append(_BREAK)
            current.append(p.text or "")
            for child in _elements(p):
                if child.tag == _tag("app"):
                    flow.append("".join(current))
                    current = []
                    units.append(self.unit(child))
                else:
                    current.append(_inline(child))
                current.append(child.tail or "")
        flow.append("".join(current))
        return flow, units

    def unit(self, app: etree._Element) -> VariationUnit:
        xml_id = app.get(_XML_ID) or ""
        unit_id = self.decode(app, xml_id, _unit_id_of)
        try:
            kind = UnitType(app.get("type"))
        except ValueError:
            raise _Malformed(f"unit {unit_id}: unknown type {app.get('type')!r}", app) from None
        columns = _COLUMNS.fullmatch(app.get("n", ""))
        if columns is None:
            raise _Malformed(f"unit {unit_id}: no columns (@n='columns A-B')", app)
        texts: list[str] = []
        holders: dict[str, int] = {}  # reading element id -> reading index
        declared: list[set[str]] = []
        lemma_index: int | None = None
        lacunose: list[str] = []
        details: list[tuple[int, str, Place]] = []
        for child in _elements(app):
            local = _local(child)
            if local == "rdg" and child.get("type") == "lacunose":
                lacunose.extend(self.pointers(child, "wit"))
            elif local in ("lem", "rdg", "rdgGrp"):
                pieces = list(_elements(child)) if local == "rdgGrp" else [child]
                index = len(texts)
                sigla: set[str] = set()
                for piece in pieces:
                    if _local(piece) not in ("lem", "rdg"):
                        continue
                    text = _text(piece)
                    if len(texts) == index:
                        texts.append(text)
                    elif texts[index] != text:
                        raise _Malformed(f"unit {unit_id}: a rdgGrp holds different texts",
                                         piece)
                    holders[piece.get(_XML_ID, "")] = index
                    sigla.update(self.pointers(piece, "wit"))
                    if _local(piece) == "lem":
                        lemma_index = index
                if len(texts) == index:
                    raise _Malformed(f"unit {unit_id}: an empty rdgGrp", child)
                if lemma_index != index or kind is UnitType.TRANSPOSITION:  # _Writer.spaces
                    texts[index] = texts[index].removeprefix(" ").removesuffix(" ")
                declared.append(sigla)
            elif local == "witDetail" and child.get("type") == "place":
                target = (child.get("target") or "")[1:]
                if target not in holders:
                    raise _Malformed(f"unit {unit_id}: witDetail target #{target} is no "
                                     "reading of this unit", child)
                siglum = self.pointer(child, child.get("wit", ""))
                details.append((holders[target], siglum, self.place(child, siglum)))
        readings = []
        for index, text in enumerate(texts):
            mine = [(s, place) for i, s, place in details if i == index]
            if {s for s, _ in mine} != declared[index] or len(mine) != len(declared[index]):
                raise _Malformed(f"unit {unit_id}: the places (witDetail) do not match the "
                                 f"witnesses of reading {index + 1}", app)
            readings.append(Reading(text, tuple(s for s, _ in mine),
                                    tuple(place for _, place in mine)))
        return VariationUnit(
            id=unit_id, type=kind, minor=app.get("subtype") == "minor",
            lemma=readings[lemma_index] if lemma_index is not None else None,
            readings=tuple(readings), lacunose=tuple(lacunose),
            columns=(int(columns.group(1)), int(columns.group(2))),
        )

    def place(self, element: etree._Element, siglum: str) -> Place:
        text = _text(element, False)
        match = _PLACE.fullmatch(text)
        if match is None:
            raise _Malformed(f"malformed place {text!r}", element)
        n = [int(g) for g in match.groups()[:9]]
        hand = self.decode(element, match.group(10), _untoken) if match.group(10) else None
        return Place(siglum, (n[3], n[4]), (n[1], n[2]), n[0], n[5], n[6], n[7], n[8], hand)

    # back

    def document(self, div: etree._Element) -> DocumentText:
        name = self.referred(div)
        label = _text(_one(div, "t:head"), False)
        paragraphs = [p for p in _elements(div) if p.tag == _tag("p")]
        runs = _runs_of(paragraphs)
        if paragraphs and not runs:
            runs.append(Run(""))
        return DocumentText(name, label, tuple(runs))

    def revision(self, item: etree._Element) -> RevisionFate:
        where = re.fullmatch(r"(-?\d+):(-?\d+)", item.get("n", ""))
        if where is None:
            raise _Malformed("a revision has no line:column (@n)", item)
        units = [self.decode(item, p[1:], _unit_id_of)
                 for p in (item.get("corresp") or "").split()]
        mark = next((c for c in _elements(item) if _kind_of(c) is not None), None)
        if mark is None:
            raise _Malformed("a revision has no add/del element", item)
        kind = _kind_of(mark)
        assert kind is not None
        try:
            span_kind = SpanKind(kind[0])
            fate = Fate(_text(_one(item, "t:label[@type='fate']"), False))
        except ValueError as exc:
            raise _Malformed(f"revision: {exc}", item) from None
        reached = item.find(_tag("seg") + "[@type='reached']")
        return RevisionFate(
            witness=_text(_one(item, "t:name[@type='witness']"), False),
            target=_text(_one(item, "t:name[@type='target']"), False),
            kind=span_kind,
            text=_text(mark, False),
            line=int(where.group(1)),
            column=int(where.group(2)),
            fate=fate,
            found=_int(item, _one(item, "t:num[@type='found']").get("value"), "found"),
            words=_int(item, _one(item, "t:num[@type='words']").get("value"), "words"),
            units=tuple(units),
            reached=_text(reached, False) if reached is not None else "",
        )

    def diagnostic(self, item: etree._Element) -> Diagnostic:
        try:
            severity = Severity(_text(_one(item, "t:label[@type='severity']"), False))
        except ValueError as exc:
            raise _Malformed(f"diagnostic: {exc}", item) from None
        path = item.find(_tag("idno") + "[@type='path']")
        numbers: dict[str, int | None] = {}
        for kind in ("line", "column"):
            found = item.find(_tag("num") + f"[@type='{kind}']")
            numbers[kind] = _int(found, found.get("value"), kind) if found is not None else None
        return Diagnostic(
            severity,
            _text(_one(item, "t:label[@type='code']"), False),
            _text(_one(item, "t:seg[@type='message']"), False),
            _text(path, False) if path is not None else None,
            numbers["line"],
            numbers["column"],
        )
