"""TEI transcriptions: one document's text with its revisions, namespaced TEI P5 or the
un-namespaced project XML of the Frankenstein Variorum and HyperCollate's samples.

The body (``<text>``, else the root) becomes a witness whose span tree tiles a transcript of
it (:mod:`collatio.readers._transcribe`): ``add``/``del`` (also ``mdel``, ``del-INNER``,
``add-INNER``, ``sga-add`` milestones, ``delSpan``/``addSpan`` to their ``spanTo``) are hand
revisions with their ``@hand`` and a layer; ``app``/``rdg`` inside the one document are
alternatives that become states; ``choice`` collates one child (``-I choice=corr,expan,reg``
chooses); ``gap`` is a lacuna; ``note``, ``fw``, ``metamark`` are set aside; ``pb``/``lb``/
``cb`` are kept as positions (:attr:`collatio.witness.Witness.milestones`). The header
(``teiHeader``, or the project's ``header``) gives the metadata: title, author, date, hands.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, ClassVar

from collatio.diagnostics import Diagnostic, Severity
from collatio.readers._tei_names import CHOICE_DEFAULT, TEI_NS
from collatio.readers.base import Reader, ReaderError, ReadOptions
from collatio.sources import (
    Document,
    Metadata,
    Region,
    RegionKind,
    Source,
    parse_date,
)
from collatio.textpos import LineIndex
from collatio.witness import ParseResult, Witness, states_for

if TYPE_CHECKING:
    # the XML parser and the transcriber are imported when a file is read, not when the
    # registry asks every reader to sniff a file (a plain text pays nothing for them)
    from collatio.readers._transcribe import Settings, Transcript
    from collatio.readers._xml import Chars, Element

_ROOT = re.compile(rb"<([A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)[\s/>]")
_LAYERS = ("declared", "hands", "nesting", "none")
#: Roots of files that are TEI or TEI-like transcriptions (without a namespace).
TEI_ROOTS = frozenset({"TEI", "teiCorpus", "text", "xml", "body", "div", "p", "s", "lg", "l"})


def root_of(head: bytes) -> tuple[str, bool] | None:
    """The root element's local name in an XML *head* and whether it is in the TEI
    namespace; None when *head* is not XML."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text.startswith(b"<"):
        return None
    position = 0
    while True:
        start = text.find(b"<", position)
        if start < 0:
            return None
        if text.startswith(b"<?", start):
            position = text.find(b"?>", start) + 2
        elif text.startswith(b"<!--", start):
            position = text.find(b"-->", start) + 3
        elif text.startswith(b"<!", start):
            position = text.find(b">", start) + 1
        else:
            match = _ROOT.match(text, start)
            if match is None:
                return None
            name = match.group(2).decode("ascii", "replace")
            tag_end = text.find(b">", start)
            tag = text[start : tag_end if tag_end > 0 else len(text)]
            return name, TEI_NS.encode() in tag
        if position <= start:  # an unterminated comment or declaration
            return None


def is_parallel(head: bytes) -> bool:
    """A head that declares or shows parallel segmentation (readings that name witnesses)."""
    return (b"parallel-segmentation" in head or b"<rdg wit=" in head
            or b"<lem wit=" in head or re.search(rb"<rdg\s[^>]*\bwit=", head) is not None)


def _text(element: Element, source: str, path: str) -> str:
    """The element's character data, references decoded, whitespace collapsed."""
    from collatio.readers._xml import Chars, decode_references

    parts: list[str] = []
    stack: list[Element | Chars] = [element]
    while stack:
        node = stack.pop()
        if isinstance(node, Chars):
            if node.kind in ("text", "cdata"):
                raw = source[node.start : node.end]
                if node.kind == "cdata":
                    parts.append(raw[9:-3])
                    continue
                position = 0
                for start, end, value in decode_references(raw, path, 1):
                    parts.append(raw[position:start])
                    parts.append(value)
                    position = end
                parts.append(raw[position:])
            continue
        stack.extend(reversed(node.children))
    return " ".join("".join(parts).split())


def _find(element: Element, *names: str) -> Iterator[Element]:
    """Descendants (document order) whose local name is one of *names*."""
    stack = list(reversed(list(element.elements())))
    while stack:
        node = stack.pop()
        if node.local in names:
            yield node
        stack.extend(reversed(list(node.elements())))


def body_of(root: Element) -> Element:
    """The element read as the document's text: the first ``<text>`` of the root, else the
    root itself."""
    if root.local == "text":
        return root
    for child in root.elements():
        if child.local == "text":
            return child
    return root


def header_of(root: Element) -> Element | None:
    for child in root.elements():
        if child.local in ("teiHeader", "header"):
            return child
    return None


def metadata_of(header: Element | None, source: str, path: str) -> tuple[Metadata, tuple[str, ...]]:
    """Title, author, date and hands from a TEI header (or the project XML's header)."""
    if header is None:
        return Metadata(), ()
    title = next((_text(t, source, path) for t in _find(header, "title")), None) or None
    extra: list[tuple[str, str]] = []
    for author in _find(header, "author"):
        if (name := _text(author, source, path)):
            extra.append(("author", name))
    date_text = date = None
    for place in ("creation", "sourceDesc", "publicationStmt", "titleStmt", "edition"):
        for container in _find(header, place):
            for found in _find(container, "date"):
                written = found.get("when") or _text(found, source, path)
                if written:
                    date_text = _text(found, source, path) or written
                    date = parse_date(found.get("when") or "") or parse_date(written)
                    break
            if date_text:
                break
        if date_text:
            break
    hands: list[str] = []
    for note in _find(header, "handNote"):
        ident = note.get("xml:id") or note.get("scribeRef") or note.get("scribe")
        if ident:
            hands.append(ident.lstrip("#"))
            described = _text(note, source, path)
            extra.append((f"hand {ident.lstrip('#')}", described or ident))
    languages = [lang.get("ident") for lang in _find(header, "language")]
    language = next((lang for lang in languages if lang), None)
    return Metadata(title=title, date=date, date_text=date_text, language=language,
                    extra=tuple(extra)), tuple(hands)


def settings_from(options: ReadOptions, hands: tuple[str, ...], witness: str | None = None,
                  reader: type[Reader] | None = None) -> Settings:
    """The reading settings from ``-I`` options (``choice``, ``supplied``, ``layers``)."""
    cls = reader or TEIReader
    choice = tuple(c.strip() for c in cls.option(options, "choice", "").split(",") if c.strip())
    for name in choice:
        if name not in ("sic", "corr", "abbr", "expan", "orig", "reg", "seg"):
            raise ReaderError(f"-I choice: unknown child {name!r} of <choice>; use sic, corr, "
                              "abbr, expan, orig, reg")
    if choice:  # what is not named keeps the default order after the named ones
        choice = (*choice, *(c for c in CHOICE_DEFAULT if c not in choice))
    supplied = cls.option(options, "supplied", "keep")
    if supplied not in ("keep", "drop"):
        raise ReaderError(f"-I supplied: 'keep' or 'drop', not {supplied!r}")
    layers = cls.option(options, "layers", "declared")
    if layers not in _LAYERS:
        raise ReaderError(f"-I layers: one of {', '.join(_LAYERS)}, not {layers!r}")
    from collatio.readers._transcribe import Settings

    return Settings(choice or CHOICE_DEFAULT, supplied == "keep", layers, hands, witness)


def file_regions(text: str, root: Element, body: Element, header: Element | None,
                 index: LineIndex, document: int | None = 0) -> tuple[Region, ...]:
    """Regions tiling the file: prolog, the header (FIELD), the body (BODY), the rest."""
    cuts: list[tuple[int, int, RegionKind, str, int | None]] = []
    if header is not None and header.end <= body.start:
        cuts.append((header.start, header.end, RegionKind.FIELD, "tei-header", document))
    cuts.append((body.start, body.end, RegionKind.BODY, "tei-text", document))
    if header is not None and header.start >= body.end:
        cuts.append((header.start, header.end, RegionKind.FIELD, "tei-header", document))
    regions: list[Region] = []
    position = 0
    for start, end, kind, rule, owner in sorted(cuts):
        if start > position:
            gap = text[position:start]
            regions.append(Region(RegionKind.BLANK if gap.isspace() else RegionKind.CHROME,
                                  position, start, index.position(position)[0],
                                  "blank" if gap.isspace() else "xml-markup"))
        regions.append(Region(kind, start, end, index.position(start)[0], rule, owner))
        position = end
    if position < len(text):
        gap = text[position:]
        regions.append(Region(RegionKind.BLANK if gap.isspace() else RegionKind.CHROME,
                              position, len(text), index.position(position)[0],
                              "blank" if gap.isspace() else "xml-markup"))
    return tuple(regions)


def stem(path: str) -> str:
    name = os.path.splitext(os.path.basename(path))[0]
    return name if name and path != "<stdin>" else "A"


def witness_of(
    transcript: Transcript, siglum: str, label: str, path: str, metadata: Metadata,
    file_text: str, reason: str, convention: str,
) -> Witness:
    return Witness(
        siglum=siglum, label=label, path=path, metadata=metadata, convention=convention,
        convention_reason=reason, source=transcript.text, start=0, end=len(transcript.text),
        nodes=transcript.nodes, states=states_for(transcript.nodes),
        diagnostics=transcript.diagnostics,
        lines=LineIndex.of(file_text, transcript.origin), milestones=transcript.milestones,
    )


class TEIReader(Reader):
    """A TEI transcription of one document, with its revisions."""

    name: ClassVar[str] = "tei"
    aliases: ClassVar[tuple[str, ...]] = ("xml", "tei-transcription")
    filenames: ClassVar[tuple[str, ...]] = ("*.xml", "*.tei")
    media_type: ClassVar[str] = "application/tei+xml"
    summary: ClassVar[str] = "TEI transcription of one document"
    settings: ClassVar[dict[str, str]] = {
        "choice": "which <choice> child is collated, in order of preference (default "
                  "sic,abbr,orig: the document's own text)",
        "supplied": "keep (default) or drop the editor's <supplied> text",
        "layers": "how revisions are ordered into states: declared (default: @seq, then "
                  "hands declared in the header), hands, nesting, none",
    }

    @classmethod
    def sniff(cls, head: bytes) -> float:
        root = root_of(head)
        if root is None:
            return 0.0
        name, tei = root
        if is_parallel(head):
            return 0.3
        if tei or name in TEI_ROOTS:
            return 0.8
        # other XML, its elements read as structure around the text: sure when it says it
        # is XML, else a file's name may say otherwise (Markdown may start with a tag)
        return 0.55 if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<?xml") else 0.4

    def read(self, data: bytes, path: str, options: ReadOptions) -> ParseResult:
        from collatio.readers._transcribe import transcribe
        from collatio.readers._xml import parse

        self.check_options(options)
        document = parse(data, path)
        text, root = document.text, document.root
        index = LineIndex.of(text)
        header = header_of(root)
        metadata, hands = metadata_of(header, text, path)
        body = body_of(root)
        settings = settings_from(options, hands)
        transcript = transcribe(text, body, path, settings, index)
        siglum = stem(path)
        label = metadata.title or os.path.basename(path)
        where = "TEI P5" if root.namespace == TEI_NS else f"XML (root <{root.qname}>)"
        witness = witness_of(transcript, siglum, label, path, metadata, text,
                             f"read as a {where} transcription", "tei")
        diagnostics: list[Diagnostic] = []
        if not witness.states[0].text.strip():
            diagnostics.append(Diagnostic(Severity.WARNING, "no-body",
                                          "the document has no text", path, body.line))
        source = Source(path, text, file_regions(text, root, body, header, index),
                        (Document(0, siglum, label, metadata, body.start, body.end,
                                  body.start, body.end, ""),),
                        tuple(diagnostics), reader=self.name)
        return ParseResult((source,), (witness,), (*diagnostics, *witness.diagnostics))

