"""The TEI output in the Versioning Machine's flavour (``-O flavour=vm``).

The Versioning Machine (VM; bleierr/v-machine, ``src/vmachine.xsl``) shows every
``witness[@xml:id]`` of a file as a version, and in each ``app`` the readings whose ``@wit``
names that version. Its schema (``schema/vmachine.rng``) is a TEI subset; this flavour writes
only what the VM's own sample files use, in the places they use it:

* the header: ``titleStmt`` (``title``, ``respStmt``), ``publicationStmt`` (``publisher``,
  ``availability/p``), ``notesStmt/note[@type='critIntro']`` (the VM's critical introduction
  panel: the base, the units, the states of one document, the moved passages),
  ``sourceDesc/p``, and
  ``encodingDesc`` (``editorialDecl/p``, ``variantEncoding``);
* ``text/front/div/listWit``: one flat ``witness`` per collated text (so a document collated
  in two states is two versions, ``D-ac`` and ``D-pc``, and never a third, text-less ``D``),
  its label, date and document as its text;
* ``text/body``: the base text in ``p``; each variation unit an ``app`` (``@loc`` its id)
  with one ``rdg`` per reading, ``@wit`` only, the base's reading first (the VM has no
  lemma); the hand's insertions and deletions as ``add``/``del`` in the reading, editorial
  notes as ``note`` (the base's notes in the shared text in an ``app`` of their own, read by
  the base only), a paragraph break inside a reading as ``lb``; a text lacunose from one unit
  on reads ``[…]`` there (the VM shows each text's own words only); the base's lacuna that
  ends a paragraph in its source (the final's "reply [...]") stands at that paragraph's end;
  a transposition unit, a report whose text the units at the block's places already hold,
  has no ``app`` (each version would read the block twice): the critical introduction
  names it.

None of ``lem``, ``witDetail``, ``rdgGrp``, ``gap``, nested ``listWit``, ``witness/label``,
``appInfo``, ``handNotes``, ``back`` or ``div`` in the body, which the VM's schema rejects or its
samples never use. The file is TEI P5 too (valid against ``tei_all.rng``). It is a view for
the VM: :func:`collatio.interop.tei.load_tei` does not read it back (write the standard
flavour for that).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from lxml import etree

from collatio._version import __version__
from collatio.apparatus.model import Apparatus, Reading, Run, UnitType, VariationUnit
from collatio.render._tei_encoding import _BREAK, _UNSAFE, TEI_NS, _tag, escape_name

__all__ = ["VM_SCHEMA", "VM_STYLESHEET", "vm_document", "vm_witness_ids"]

#: Where a file in the VM's ``samples/`` folder finds its stylesheet and schema.
VM_STYLESHEET = "../src/vmachine.xsl"
VM_SCHEMA = "../schema/vmachine.rng"
_PLAIN_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
#: Span kinds and the VM element each becomes (with the attribute its label goes in).
_ELEMENTS = {"add": ("add", None), "del": ("del", None), "note": ("note", "type"),
             "hi": ("hi", None)}


def vm_witness_ids(sigla: Sequence[str]) -> dict[str, str]:
    """Each siglum's ``xml:id``: the siglum itself where it is a plain name (the VM shows it
    and uses it as a CSS class), else ``w-`` and its escaped form; unique either way."""
    ids: dict[str, str] = {}
    used: set[str] = set()
    for siglum in sigla:
        ident = siglum if _PLAIN_ID.fullmatch(siglum) else "w-" + escape_name(siglum)
        while ident in used:
            ident += "_"
        used.add(ident)
        ids[siglum] = ident
    return ids


def _clean(text: str) -> str:
    """*text* with each character XML cannot hold as U+FFFD, or as a space where it is
    whitespace, a form feed between words say (the VM flavour is a view)."""
    return _UNSAFE.sub(lambda m: " " if m.group().isspace() else "\ufffd", text)


def _sub(parent: etree._Element, name: str, text: str | None = None,
         **attributes: str) -> etree._Element:
    element = etree.SubElement(parent, _tag(name))
    for key, value in attributes.items():
        element.set(key, _clean(value))
    if text:
        element.text = _clean(text)
    return element


def _append(parent: etree._Element, text: str) -> None:
    """Text at the end of *parent*'s content."""
    if not text:
        return
    text = _clean(text)
    if len(parent):
        parent[-1].tail = (parent[-1].tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def _write_runs(parent: etree._Element, runs: Sequence[Run]) -> None:
    """Runs as nested ``add``/``del``/``note``/``hi``; supplied words in ⟨ ⟩, any other mark
    as plain text; a paragraph break as ``lb``. Gaps are left out: a text lacunose from a
    unit on has its own ``rdg`` there, ``[…]``."""
    stack: list[tuple[tuple[str, str | None], etree._Element]] = []
    for run in runs:
        labels = (*run.labels[: len(run.kinds)], *([None] * (len(run.kinds) - len(run.labels))))
        path = [(k, label) for k, label in zip(run.kinds, labels, strict=True)
                if k in _ELEMENTS]
        if any(k == "note" for k, _ in path):  # a note stands on its own, as in the samples
            path = [step for step in path if step[0] == "note"][-1:]
        depth = 0
        while depth < len(stack) and depth < len(path) and stack[depth][0] == path[depth]:
            depth += 1
        del stack[depth:]
        for kind, label in path[depth:]:
            name, attribute = _ELEMENTS[kind]
            element = _sub(stack[-1][1] if stack else parent, name)
            if attribute and label:
                element.set(attribute, _clean(label))
            if kind == "hi":
                element.set("rend", "italic")
            stack.append(((kind, label), element))
        text = run.text
        if "gap" in run.kinds:  # a lacuna shows as the lacunose text's own rdg, […]
            continue
        if "supplied" in run.kinds:
            text = f"⟨{text}⟩"
        into = stack[-1][1] if stack else parent
        first, *rest = text.split(_BREAK)
        _append(into, first)
        for piece in rest:
            _sub(into, "lb")
            _append(into, piece)


#: A reading's text as runs, per group of its witnesses whose documents mark it alike
#: (unit index, reading) -> [(sigla, runs)]: the standard writer's reading pieces.
Pieces = Callable[[int, Reading], Sequence[tuple[tuple[str, ...], tuple[Run, ...]]]]
#: The spaces a reading needs around it where the flow has none: (unit index, text) ->
#: (before, after), the standard writer's rule.
Spaces = Callable[[int, str], tuple[str, str]]
#: The base's marks in a flow piece, as runs (None where it has none).
FlowMarks = Callable[[int], Sequence[Run] | None]


def vm_document(apparatus: Apparatus, pieces: Pieces, spaces: Spaces,
                flow_marks: FlowMarks) -> etree._Element:
    """The ``<TEI>`` tree of *apparatus* in the VM's flavour. *pieces*, *spaces* and
    *flow_marks* are the standard writer's (how each document marks a reading's text, the
    spaces around a reading, the base's marks in the shared text), so both flavours carry
    the same marks."""
    ids = vm_witness_ids(apparatus.sigla)
    root = etree.Element(_tag("TEI"), nsmap={None: TEI_NS})
    _header(_sub(root, "teiHeader"), apparatus)
    text = _sub(root, "text")
    list_wit = _sub(_sub(_sub(text, "front"), "div"), "listWit")
    for w in apparatus.witnesses:
        label = w.label + (f", {w.date}" if w.date else "")
        if w.witness != w.siglum:
            label += f" (document {w.witness})"
        element = _sub(list_wit, "witness", label)
        element.set("{http://www.w3.org/XML/1998/namespace}id", ids[w.siglum])
    if not apparatus.witnesses:
        _sub(list_wit, "witness", "No texts were collated.").set(
            "{http://www.w3.org/XML/1998/namespace}id", "none")
    _Body(apparatus, ids, pieces, spaces, flow_marks).write(_sub(text, "body"))
    return root


def _header(header: etree._Element, app: Apparatus) -> None:
    file_desc = _sub(header, "fileDesc")
    title_stmt = _sub(file_desc, "titleStmt")
    names: dict[str, str] = {}
    documents = {d.witness: d.label for d in app.documents}
    for w in app.witnesses:
        names.setdefault(w.witness, documents.get(w.witness, w.label))
    title = "Collation of " + "; ".join(f"{label} ({name})" for name, label in names.items())
    _sub(title_stmt, "title", title if names else "Collation")
    resp = _sub(title_stmt, "respStmt")
    _sub(resp, "resp", "collated by")
    _sub(resp, "name", f"collatio {__version__}")
    publication = _sub(file_desc, "publicationStmt")
    _sub(publication, "publisher", "collatio")
    _sub(_sub(publication, "availability"), "p",
         f"Generated by collatio {__version__} for the Versioning Machine; not published.")
    counts: dict[str, int] = {}
    for unit in app.units:
        counts[unit.type.value] = counts.get(unit.type.value, 0) + 1
    kinds = ", ".join(f"{n} {kind}" for kind, n in counts.items())
    intro = (f"{len(app.witnesses)} texts collated ({', '.join(app.sigla)}); base text: "
             f"{app.base}; {len(app.units)} variation units" + (f" ({kinds})." if kinds else "."))
    states: dict[str, list[str]] = {}
    for w in app.witnesses:
        states.setdefault(w.witness, []).append(w.siglum)
    for document, sigla in states.items():
        if len(sigla) > 1:
            intro += (f" {' and '.join(sigla)} are states of one document, {document}: its "
                      "text as first written and as revised by hand.")
    moves = [u for u in app.units if u.type is UnitType.TRANSPOSITION]
    if moves:  # the VM has no place for a report unit in the body: said here
        intro += " Moved passages (each version reads them at its own place): " + "; ".join(
            f"{u.id} " + ", ".join(f"“{r.text}” ({', '.join(r.witnesses)})" for r in u.readings)
            for u in moves) + "."
    note = _sub(_sub(file_desc, "notesStmt"), "note", type="critIntro")
    _sub(note, "p", intro)
    sources = sorted({w.path for w in app.witnesses})
    _sub(_sub(file_desc, "sourceDesc"), "p",
         "Transcriptions: " + "; ".join(sources) + "." if sources else "No sources.")
    encoding = _sub(header, "encodingDesc")
    _sub(_sub(encoding, "editorialDecl"), "p",
         f"Each variation unit is an app, one rdg per reading, the base text's ({app.base}) "
         "first; an empty rdg is an omission; a text lacunose from a unit on reads […] there. "
         "Words the document's hand inserted or deleted are add and del.")
    _sub(encoding, "variantEncoding", method="parallel-segmentation", location="internal")


class _Body:
    """The base text with one ``app`` per unit, paragraph by paragraph."""

    def __init__(self, apparatus: Apparatus, ids: dict[str, str], pieces: Pieces,
                 spaces: Spaces, flow_marks: FlowMarks) -> None:
        self.app, self.ids, self.pieces, self.spaces = apparatus, ids, pieces, spaces
        self.flow_marks = flow_marks

    def pointers(self, sigla: Sequence[str]) -> str:
        return " ".join("#" + self.ids[s] for s in sigla)

    def write(self, body: etree._Element) -> None:
        app = self.app
        paragraph = _sub(body, "p")
        shown: VariationUnit | None = None  # the last unit written
        for i, piece in enumerate(app.flow):
            for run in self.flow_marks(i) or (Run(piece),):
                if "note" in run.kinds:  # the base's own note: in its reading only
                    note = _sub(_sub(paragraph, "app"), "rdg", wit=self.pointers([app.base]))
                    _write_runs(note, [run])
                    continue
                first, *rest = run.text.split(_BREAK)
                _append(paragraph, first)
                for more in rest:
                    if len(paragraph) or (paragraph.text or "").strip():
                        paragraph = _sub(body, "p")
                    _append(paragraph, more)
            # a transposition unit is a report: its readings repeat what the units at the
            # block's places hold, so each version would show the block twice
            if i < len(app.units) and app.units[i].type is not UnitType.TRANSPOSITION:
                previous = paragraph.getprevious()
                ends = self.gap_ends_paragraph(i)
                if previous is not None and ends:
                    # the base's [...] ended the paragraph before (its source's place)
                    _sub(_sub(previous, "app"), "rdg", " […]", wit=self.pointers([app.base]))
                self.unit(paragraph, i, app.units[i], shown, skip_base=ends)
                shown = app.units[i]
        for p in list(body):  # a paragraph left empty by a break at the very end
            if not len(p) and not (p.text or "").strip() and len(body) > 1:
                body.remove(p)

    def gap_ends_paragraph(self, index: int) -> bool:
        """Whether the base's lacuna beginning at unit *index* stands, in its source, at the
        end of the paragraph before: the flow breaks the paragraph just before the unit,
        and the text after the lacuna is glued to it (the space before the break was the
        gap's)."""
        app, units, flow = self.app, self.app.units, self.app.flow
        unit = units[index]
        if app.base not in unit.lacunose or _BREAK not in flow[index]:
            return False
        if flow[index].rsplit(_BREAK, 1)[1].strip() or (
                index and app.base in units[index - 1].lacunose):
            return False
        end = index
        while end + 1 < len(units) and app.base in units[end + 1].lacunose \
                and not flow[end + 1].strip():
            end += 1
        after = flow[end + 1]
        return bool(after) and not after[0].isspace()

    def unit(self, parent: etree._Element, index: int, unit: VariationUnit,
             before: VariationUnit | None, skip_base: bool = False) -> None:
        """Unit *index* as an ``app``; *before*: the last unit written before it (a lacuna
        that begins in a report unit, which is not written, is shown where it is next
        read)."""
        element = _sub(parent, "app", loc=unit.id)
        base_first = sorted(unit.readings, key=lambda r: r is not unit.lemma)
        for reading in base_first:
            padded = reading is not unit.lemma or unit.type is UnitType.TRANSPOSITION
            lead, trail = self.spaces(index, reading.text) if padded else ("", "")
            for sigla, runs in self.pieces(index, reading) or [(reading.witnesses,
                                                                 (Run(reading.text),))]:
                rdg = _sub(element, "rdg", wit=self.pointers(sigla))
                _append(rdg, lead)
                _write_runs(rdg, runs)
                _append(rdg, trail)
        # a text lacunose here and not in the unit before: the gap, once, where it begins
        starting = [s for s in unit.lacunose
                    if (before is None or s not in before.lacunose
                        or self.app.flow[index].strip())
                    and not (skip_base and s == self.app.base)]
        if starting:
            _sub(element, "rdg", " […] ", wit=self.pointers(starting))
