"""collatio's own TEI apparatus, read back into an equal
:class:`~collatio.apparatus.model.Apparatus` (the alignment table and the tokens excepted,
as for JSON): what :class:`collatio.render.tei.TEIRenderer` wrote, :func:`load_tei` reads.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence

import attrs
from lxml import etree

from collatio.apparatus.model import (
    Apparatus,
    CollatedWitness,
    DocumentText,
    Fate,
    Genesis,
    Moved,
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


def _items(element: etree._Element) -> list[tuple[str, etree._Element | str]]:
    """An element's content as items for :func:`_runs_of_items`."""
    items: list[tuple[str, etree._Element | str]] = [("text", element.text or "")]
    for child in _elements(element):
        items.append(("node", child))
        items.append(("text", child.tail or ""))
    return items


def _runs_of_items(items: Sequence[tuple[str, etree._Element | str]]) -> tuple[Run, ...]:
    """Runs from a piece of mixed content (text, and elements as :func:`_append_runs`
    writes them)."""
    holder = etree.Element(_tag("p"))
    last: etree._Element | None = None
    for kind, value in items:
        if kind == "text":
            assert isinstance(value, str)
            if last is None:
                holder.text = (holder.text or "") + value
            else:
                last.tail = (last.tail or "") + value
        else:
            assert not isinstance(value, str)
            copy = etree.fromstring(etree.tostring(value, with_tail=False))
            holder.append(copy)
            last = copy
    runs = [run for run in _runs_of([holder]) if run.text or run.kinds]
    return tuple(runs)


def _flow_text(runs: Sequence[Run]) -> str:
    """The text of flow runs: editorial matter left out."""
    return "".join(run.text for run in runs if not _ANNOTATIONS.intersection(run.kinds))


def _unpad(runs: Sequence[Run], start: bool = True, end: bool = True) -> tuple[Run, ...]:
    """Runs without the one space the writer put before and after a reading."""
    out = list(runs)
    if start and out and out[0].text.startswith(" ") and not out[0].kinds:
        out[0] = Run(out[0].text[1:], out[0].kinds, out[0].labels)
    if end and out and out[-1].text.endswith(" ") and not out[-1].kinds:
        out[-1] = Run(out[-1].text[:-1], out[-1].kinds, out[-1].labels)
    return tuple(run for run in out if run.text or run.kinds)


def _drop_lead(runs: Sequence[Run], count: int) -> tuple[Run, ...]:
    """*runs* without their first *count* characters (whitespace of unmarked text)."""
    out = list(runs)
    while count and out:
        first = out[0]
        if len(first.text) <= count:
            count -= len(first.text)
            out.pop(0)
        else:
            out[0] = Run(first.text[count:], first.kinds, first.labels)
            count = 0
    return tuple(out)


def _reading_text(runs: Sequence[Run], genesis: Sequence[Genesis]) -> str:
    """A reading's text from its runs: editorial matter and the hand's unread words (its
    genesis) left out, whitespace folded."""
    wanted = {(g.text, g.kinds) for g in genesis}
    parts = []
    for run in runs:
        if _ANNOTATIONS.intersection(run.kinds):
            continue
        if (run.text.strip(), run.kinds) in wanted:
            continue
        parts.append(run.text)
    return " ".join("".join(parts).split())


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
_MOVED = re.compile(r"characters (\d{1,18})-(\d{1,18}) moved: (.+)", re.DOTALL)
_GENESIS = re.compile(
    r"((?:\S+:\S+ ?)+) at (\d{1,18}); line (\d{1,18}), column (\d{1,18}); "
    r"offsets (\d{1,18})-(\d{1,18}); text: (.*)", re.DOTALL
)


class _Reader:
    """Rebuilds the apparatus from a ``<TEI>`` tree written by :class:`TEIRenderer`."""

    def __init__(self, root: etree._Element) -> None:
        self.root = root
        self.sigla: dict[str, str] = {}  # witness xml:id -> siglum
        self.base: str | None = None  # the base's siglum, once read

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
        base = self.base = self.referred(div)
        flow, flow_runs, units = self.body(div)
        back = root.find(_tag("text") + "/" + _tag("back"))
        documents: tuple[DocumentText, ...] = ()
        revisions: tuple[RevisionFate, ...] = ()
        diagnostics: tuple[Diagnostic, ...] = ()
        if back is not None:
            for holder in back.xpath("t:div[@type='transpositions']/t:ab[@type='transposition']",
                                     namespaces=_NS):
                app_element = holder.find(_tag("app"))
                if app_element is None:
                    raise _Malformed("a transposition holds no app", holder)
                self.insert(units, flow, flow_runs, holder.get("n", ""),
                            self.unit(app_element), holder)
            documents = tuple(self.document(d) for d in back.xpath(
                "t:div[@type='documents']/t:div[@type='document']", namespaces=_NS))
            revisions = tuple(self.revision(i) for i in back.xpath(
                "t:div[@type='revisions']/t:list/t:item", namespaces=_NS))
            diagnostics = tuple(self.diagnostic(i) for i in back.xpath(
                "t:div[@type='diagnostics']/t:list/t:item", namespaces=_NS))
        try:
            marked = any(run.kinds for runs in flow_runs for run in runs)
            return Apparatus(witnesses=witnesses, base=base, units=tuple(units),
                             flow=tuple(flow), flow_runs=tuple(flow_runs) if marked else (),
                             documents=documents, revisions=revisions,
                             diagnostics=diagnostics)
        except (ValueError, TypeError) as exc:
            raise _Malformed(f"inconsistent apparatus: {exc}", div) from None

    @staticmethod
    def insert(units: list[VariationUnit], flow: list[str], flow_runs: list[tuple[Run, ...]],
               where: str, unit: VariationUnit, element: etree._Element) -> None:
        """Put a transposition unit back where it stood (``after u6`` / ``at start``): the
        base text's piece there splits at its leading whitespace."""
        if where == "at start":
            k = 0
        else:
            name = where.removeprefix("after ")
            k = next((i + 1 for i, u in enumerate(units) if u.id == name), -1)
            if not where.startswith("after ") or k < 0:
                raise _Malformed(f"a transposition stands after no unit ({where!r})", element)
        piece = flow[k]
        lead = len(piece) - len(piece.lstrip())
        flow[k:k + 1] = [piece[:lead], piece[lead:]]
        runs = flow_runs[k]
        flow_runs[k:k + 1] = [(Run(piece[:lead]),) if lead else (),
                              _drop_lead(runs, lead)]
        units.insert(k, unit)

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

    def body(self, div: etree._Element) -> tuple[list[str], list[tuple[Run, ...]],
                                                 list[VariationUnit]]:
        """The base text's pieces (and their runs) around the units, and the units."""
        paragraphs = [p for p in _elements(div) if p.tag == _tag("p")]
        pieces: list[list[tuple[str, etree._Element | str]]] = [[]]
        units: list[VariationUnit] = []
        for n, p in enumerate(paragraphs):
            if n:
                pieces[-1].append(("text", _BREAK))
            pieces[-1].append(("text", p.text or ""))
            for child in _elements(p):
                if child.tag == _tag("app"):
                    units.append(self.unit(child))
                    pieces.append([])
                else:
                    pieces[-1].append(("node", child))
                pieces[-1].append(("text", child.tail or ""))
        flow: list[str] = []
        flow_runs: list[tuple[Run, ...]] = []
        for items in pieces:
            runs = _runs_of_items(items)
            flow.append(_flow_text(runs))
            flow_runs.append(runs)
        return flow, flow_runs, units

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
        # the places and genesis first: a reading's text leaves its genesis out
        places: dict[str, list[tuple[str, Place]]] = {}
        genesis: dict[tuple[str, str], list[Genesis]] = {}
        moves: dict[tuple[str, str], list[Moved]] = {}
        for child in _elements(app):
            if _local(child) != "witDetail":
                continue
            target = (child.get("target") or "")[1:]
            siglum = self.pointer(child, child.get("wit", ""))
            if child.get("type") == "place":
                places.setdefault(target, []).append((siglum, self.place(child, siglum)))
            elif child.get("type") == "genesis":
                genesis.setdefault((target, siglum), []).append(self.genesis(child))
            elif child.get("type") == "moved":
                moves.setdefault((target, siglum), []).append(self.moved(child))
        for (target, siglum), found in moves.items():
            entries = places.get(target, [])
            for k, (s, place) in enumerate(entries):
                if s == siglum:
                    entries[k] = (s, attrs.evolve(place, moved=tuple(found)))
        readings: list[Reading] = []
        lemma_index: int | None = None
        lacunose: list[str] = []
        for child in _elements(app):
            local = _local(child)
            if local == "rdg" and child.get("type") == "lacunose":
                lacunose.extend(self.pointers(child, "wit"))
            elif local in ("lem", "rdg", "rdgGrp"):
                pieces = [c for c in _elements(child) if _local(c) in ("lem", "rdg")] \
                    if local == "rdgGrp" else [child]
                if not pieces:
                    raise _Malformed(f"unit {unit_id}: an empty rdgGrp", child)
                is_lemma = any(_local(piece) == "lem" for piece in pieces)
                padded = not is_lemma
                reading = self.reading(unit_id, pieces, places, genesis, padded)
                if is_lemma:
                    lemma_index = len(readings)
                readings.append(reading)
        return VariationUnit(
            id=unit_id, type=kind, minor=app.get("subtype") == "minor",
            lemma=readings[lemma_index] if lemma_index is not None else None,
            readings=tuple(readings), lacunose=tuple(lacunose),
            columns=(int(columns.group(1)), int(columns.group(2))),
        )

    def reading(
        self,
        unit_id: str,
        pieces: list[etree._Element],
        places: dict[str, list[tuple[str, Place]]],
        genesis: dict[tuple[str, str], list[Genesis]],
        padded: bool,
    ) -> Reading:
        """One reading from its element (or the pieces of its ``rdgGrp``)."""
        sigla: list[str] = []
        found: dict[str, Place] = {}
        text: str | None = None
        for piece in pieces:
            piece_sigla = self.pointers(piece, "wit")
            mine = dict(places.get(piece.get(_XML_ID, ""), []))
            if set(mine) != set(piece_sigla) or len(mine) != len(piece_sigla):
                raise _Malformed(f"unit {unit_id}: the places (witDetail) do not match the "
                                 f"witnesses of a reading", piece)
            if any(child.tag == _tag("app") for child in _elements(piece)):
                if len(pieces) > 1:
                    raise _Malformed(f"unit {unit_id}: a reading with sub-units in a rdgGrp",
                                     piece)
                return self.shared(piece, piece_sigla, mine, padded)
            runs = _runs_of_items(_items(piece))
            if padded and runs:
                runs = _unpad(runs)
            unread = [g for s in piece_sigla for g in genesis.get((piece.get(_XML_ID, ""), s), [])]
            piece_text = _reading_text(runs, unread)
            if text is None:
                text = piece_text
            elif "".join(text.split()) != "".join(piece_text.split()):
                # the states of one document read alike may space differently where one
                # dropped a struck passage ("c ." / "c."): the first rdg's text is the reading's
                raise _Malformed(f"unit {unit_id}: a rdgGrp holds different texts", piece)
            plain = all(not r.kinds for r in runs)
            for s in piece_sigla:
                own = [g for g in genesis.get((piece.get(_XML_ID, ""), s), [])]
                found[s] = attrs.evolve(mine[s], runs=() if plain else runs,
                                        genesis=tuple(own))
                sigla.append(s)
        order = [s for s in self.reading_order(places, pieces)]
        ordered = [s for s in order if s in found]
        return Reading(text or "", tuple(ordered), tuple(found[s] for s in ordered))

    def reading_order(self, places: dict[str, list[tuple[str, Place]]],
                      pieces: list[etree._Element]) -> list[str]:
        """The reading's witnesses in the order their places were written."""
        out: list[str] = []
        targets = {piece.get(_XML_ID, "") for piece in pieces}
        for target, entries in places.items():
            if target in targets:
                out.extend(s for s, _ in entries)
        return out

    def shared(self, element: etree._Element, sigla: list[str], places: dict[str, Place],
               padded: bool) -> Reading:
        """A reading with sub-units: the text its witnesses share, the sub-units' apps."""
        pieces: list[list[tuple[str, etree._Element | str]]] = [[("text", element.text or "")]]
        subunits: list[VariationUnit] = []
        for child in _elements(element):
            if child.tag == _tag("app"):
                subunits.append(self.unit(child))
                pieces.append([])
            else:
                pieces[-1].append(("node", child))
            pieces[-1].append(("text", child.tail or ""))
        runs = [_runs_of_items(items) for items in pieces]
        if padded:
            if runs[0]:
                runs[0] = _unpad(runs[0], end=False)
            if runs[-1]:
                runs[-1] = _unpad(runs[-1], start=False)
        flow = tuple(_flow_text(r) for r in runs)
        marked = any(run.kinds for r in runs for run in r)
        ordered = tuple(places[s] for s in sigla)
        reading = Reading("", tuple(sigla), ordered, tuple(subunits), flow,
                          tuple(tuple(r) for r in runs) if marked else ())
        # the flow follows the base where it reads here, else the first witness
        first = reading.witnesses[0]
        own = first == self.base or self.base not in reading.witnesses
        return attrs.evolve(reading, text=reading.rebuilt(first, own=own))

    def moved(self, element: etree._Element) -> Moved:
        text = _text(element, False)
        match = _MOVED.fullmatch(text)
        if match is None:
            raise _Malformed(f"malformed moved block {text!r}", element)
        unit = self.decode(element, match.group(3), lambda u: u)
        return Moved(int(match.group(1)), int(match.group(2)), unit)

    def genesis(self, element: etree._Element) -> Genesis:
        text = _text(element, False)
        match = _GENESIS.fullmatch(text)
        if match is None:
            raise _Malformed(f"malformed genesis {text!r}", element)
        kinds: list[str] = []
        labels: list[str | None] = []
        for pair in match.group(1).split():
            kind, _, label = pair.partition(":")
            kinds.append(self.decode(element, kind, _untoken))
            labels.append(self.decode(element, label, _untoken) or None)
        n = [int(g) for g in match.groups()[1:6]]
        return Genesis(tuple(kinds), tuple(labels), match.group(7), n[0], n[1], n[2], n[3], n[4])

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

