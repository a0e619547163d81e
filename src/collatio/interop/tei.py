"""collatio's own TEI apparatus, read back into an equal
:class:`~collatio.apparatus.model.Apparatus` (the alignment table and the tokens excepted,
as for JSON): what :class:`collatio.render.tei.TEIRenderer` wrote, :func:`load_tei` reads.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence

from lxml import etree

from collatio.apparatus.model import (  # the spacing rule of Apparatus.witness_text
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
from collatio.render._tei_encoding import (
    _ANNOTATIONS,
    _BREAK,
    _CODE_POINT,
    _ELEMENT_KINDS,
    _KIND_ELEMENTS,
    _NS,
    _XML_ID,
    FORMAT,
    TEI_NS,
    _tag,
    _unit_id_of,
    _untoken,
    siglum_of_id,
    unescape_name,
)
from collatio.sources import decode_text

__all__ = ["is_collatio_tei", "load_tei"]


class _Malformed(Exception):
    """A piece of the document that is missing or wrong, with the element it was read at."""

    def __init__(self, message: str, element: etree._Element | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line: int | None = element.sourceline if element is not None else None


#: Elements nested deeper than this are refused (libxml2's own limit; collatio writes under
#: 50: its document view stops at 32 marks).
MAX_XML_DEPTH = 256
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_DECLARATION = re.compile(r"\A\ufeff?<\?xml[^>]*\?>")


def _parse(text: str | bytes, path: str, encoding: str | None = None) -> etree._Element:
    """Parse *text* safely: no entities resolved, no DTD loaded, no network; libxml2's
    message, line and column for anything malformed.

    A document without a DOCTYPE (every one collatio writes) may hold text nodes over
    libxml2's 10 MB (a long paragraph the texts share); nesting is still limited to
    :data:`MAX_XML_DEPTH`. One with a DOCTYPE keeps all of libxml2's limits. *encoding*
    (``--encoding``) overrides what the bytes declare.
    """
    if isinstance(text, bytes) and encoding is not None:
        # decoded here (libxml2 knows fewer encodings than Python), the declaration that
        # --encoding overrides dropped (its line kept, so lines stay the file's)
        text = _DECLARATION.sub("", decode_text(text, path, encoding), count=1)
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False,
        huge_tree=_DOCTYPE.search(data, 0, 4096) is None,
        encoding="utf-8" if isinstance(text, str) else None,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (exc.lineno, None)
        message = re.sub(r"(, line \d+)?, column \d+$", "", exc.msg or "")  # said by the error
        message = " ".join(message.split())
        if "encoding" in message.lower() and isinstance(text, bytes):
            message += ("; if the file is in another encoding and does not declare it, pass "
                        "--encoding (e.g. --encoding cp1252)")
        raise CollatioError(f"malformed XML: {message}", path=path, line=line,
                            column=column) from None
    deepest = _too_deep(root)
    if deepest is not None:
        raise CollatioError(f"malformed XML: elements nested more than {MAX_XML_DEPTH} deep",
                            path=path, line=deepest.sourceline)
    return root


def _too_deep(root: etree._Element) -> etree._Element | None:
    """The first element nested deeper than :data:`MAX_XML_DEPTH`, or None (iteratively)."""
    stack: list[tuple[etree._Element, int]] = [(root, 1)]
    while stack:
        element, depth = stack.pop()
        if depth > MAX_XML_DEPTH:
            return element
        stack.extend((child, depth + 1) for child in element)
    return None


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


def load_tei(text: str | bytes, path: str = "<tei>", *, encoding: str | None = None) -> Apparatus:
    """Read back what :class:`TEIRenderer` wrote; malformed XML or a missing piece is a
    :class:`~collatio.errors.CollatioError` naming *path* and the line. *encoding*
    overrides what the bytes declare."""
    root = _parse(text, path, encoding)
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
    code = int(match.group(1), 16)
    if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:  # a surrogate is half of a UTF-16 pair
        raise _Malformed(f"<g n={match.group()!r}>: no such character", element)
    return chr(code)


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
        if value is not None and len(value) > 19:
            raise ValueError(value)
        return int(value or "")
    except ValueError:
        raise _Malformed(f"{what}: not a number: {value!r}", element) from None


_PLACE = re.compile(
    r"paragraph (-?\d{1,18}); words (-?\d{1,18})-(-?\d{1,18}); "
    r"tokens (-?\d{1,18})-(-?\d{1,18}); line (-?\d{1,18}), column (-?\d{1,18}); "
    r"offsets (-?\d{1,18})-(-?\d{1,18})(?:; hand (\S+))?"
)  # numbers of at most 18 digits (4,300 digits made int() raise)
_COLUMNS = re.compile(r"columns (-?\d{1,18})-(-?\d{1,18})")


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
            shown = text[:80] + ("…" if len(text) > 80 else "")
            raise _Malformed(f"malformed place {shown!r}", element)
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
        where = re.fullmatch(r"(-?\d{1,18}):(-?\d{1,18})", item.get("n", ""))
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

