"""TEI parallel segmentation: one file, several witnesses (the Versioning Machine's files,
Juxta's TEI exports, collatio's own TEI read by its readings).

Each witness's text is the body read once for it: the text outside any ``<app>`` is every
witness's; inside an ``<app>``, the ``<rdg>`` (or ``<lem>``) whose ``@wit`` names the witness
is read and the others are set aside (a ``<lem>`` without ``@wit`` is the reading of the
witnesses no ``<rdg>`` names); nested ``<app>`` are read the same way. Everything else is read
as in a TEI transcription (:mod:`collatio.readers.tei`), so a witness's own revisions, notes
and positions are kept. The witnesses are those of the ``listWit`` (in its order, with its
descriptions as labels), then any other witness a ``@wit`` names.

CollateX's own XML apparatus (``<cx:apparatus>``) names its witnesses the same way, but a
reading holds the witness's tokens as text, and when CollateX collated XML those tokens are
tags written as text: each witness's readings are joined (a space between) and the result is
read as a TEI transcription, so no tag becomes a word. Its positions are those of the
readings in the apparatus file.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, ClassVar

import attrs

from collatio.diagnostics import Diagnostic
from collatio.errors import InputError
from collatio.readers.base import Reader, ReadOptions
from collatio.readers.tei import (
    TEIReader,
    _find,
    _text,
    body_of,
    file_regions,
    header_of,
    is_parallel,
    metadata_of,
    root_of,
    settings_from,
    witness_of,
)
from collatio.sources import Document, Metadata, Region, RegionKind, Source
from collatio.textpos import LineIndex, OffsetMap, TranscriptBuilder
from collatio.witness import ParseResult, Witness

if TYPE_CHECKING:
    from collatio.readers._xml import Element


class ParallelReader(Reader):
    """TEI parallel segmentation: each witness rebuilt from its readings."""

    name: ClassVar[str] = "tei-parallel"
    aliases: ClassVar[tuple[str, ...]] = ("parallel-segmentation", "vm", "juxta")
    filenames: ClassVar[tuple[str, ...]] = ("*.xml",)  # the content tells it from a transcription
    media_type: ClassVar[str] = "application/tei+xml"
    summary: ClassVar[str] = "TEI parallel segmentation (several witnesses in one file)"
    settings: ClassVar[dict[str, str]] = TEIReader.settings

    @classmethod
    def sniff(cls, head: bytes) -> float:
        return 0.9 if root_of(head) is not None and is_parallel(head) else 0.0

    def read(self, data: bytes, path: str, options: ReadOptions) -> ParseResult:
        from collatio.readers._transcribe import transcribe
        from collatio.readers._xml import parse

        self.check_options(options)
        document = parse(data, path)
        text, root = document.text, document.root
        index = LineIndex.of(text)
        if root.namespace == COLLATEX_NS:
            return self._collatex(text, root, path, options, index)
        header = header_of(root)
        metadata, hands = metadata_of(header, text, path)
        body = body_of(root)
        declared: dict[str, str] = {}
        for listed in _find(root, "witness"):
            ident = listed.get("xml:id")
            if ident:
                declared[ident] = _text(listed, text, path) or ident
        # a first pass finds every witness the readings name, in order
        probe = transcribe(text, body, path, settings_from(options, hands, "\x00", type(self)),
                           index)
        sigla = list(declared) + [w for w in probe.witnesses_seen if w not in declared]
        if not sigla:
            raise InputError("no witnesses: no listWit and no reading names a witness "
                             "(@wit); read it as a transcription with --from tei", path=path,
                             line=body.line)
        witnesses: list[Witness] = []
        documents: list[Document] = []
        diagnostics: list[Diagnostic] = []
        for k, siglum in enumerate(sigla):
            transcript = transcribe(text, body, path,
                                    settings_from(options, hands, siglum, type(self)), index)
            label = declared.get(siglum, siglum)
            own = metadata
            witness = witness_of(transcript, siglum, label, path, own, text,
                                 "read from a TEI parallel segmentation", "tei-parallel")
            witnesses.append(witness)
            documents.append(Document(k, siglum, label, own, body.start, body.end, body.start,
                                      body.end, ""))
            if k == 0:
                diagnostics.extend(witness.diagnostics)
        regions = file_regions(text, root, body, header, index, document=None)
        source = Source(path, text, regions, tuple(documents), (), reader=self.name)
        return ParseResult((source,), tuple(witnesses), tuple(diagnostics))


    def _collatex(self, text: str, root: Element, path: str, options: ReadOptions,
                  index: LineIndex) -> ParseResult:
        """CollateX's XML apparatus: each witness's readings joined and read as XML."""
        from collatio.readers._transcribe import transcribe
        from collatio.readers._xml import parse

        readings: dict[str, list[Element]] = {}
        for reading in _find(root, "rdg"):
            for siglum in (reading.get("wit") or "").split():
                readings.setdefault(siglum.lstrip("#"), []).append(reading)
        if not readings:
            raise InputError("a CollateX apparatus with no readings", path=path, line=root.line)
        witnesses: list[Witness] = []
        documents: list[Document] = []
        for k, (siglum, found) in enumerate(readings.items()):
            builder = TranscriptBuilder(text)
            builder.replace(0, 0, "<collatex-witness>")
            for reading in found:
                content = _raw_text(reading, text, path)
                # CollateX wrote its tokens' text once decoded: a bare & was &amp; in the XML
                content = _BARE_AMPERSAND.sub("&amp;", content)
                builder.replace(reading.open_end, reading.close_start, content + " ")
            builder.replace(len(text), len(text), "</collatex-witness>")
            joined, to_file = builder.build()
            inner = parse(joined.encode("utf-8"), path)
            inner_index = LineIndex.of(joined)
            transcript = transcribe(joined, inner.root, path,
                                    settings_from(options, (), None, type(self)), inner_index)
            mapped = _compose(transcript.origin, to_file)
            witness = witness_of(attrs.evolve(transcript, origin=mapped), siglum, siglum, path,
                                 Metadata(), text, "read from a CollateX apparatus (its readings "
                                 "joined and read as XML)", "tei-parallel")
            witnesses.append(witness)
            documents.append(Document(k, siglum, siglum, Metadata(), 0, len(text), 0,
                                      len(text), ""))
        regions = (Region(RegionKind.BODY, 0, len(text), 1, "collatex-apparatus", None),)
        source = Source(path, text, regions, tuple(documents), (), reader=self.name)
        return ParseResult((source,), tuple(witnesses), ())


COLLATEX_NS = "http://interedition.eu/collatex/ns/1.0"
_BARE_AMPERSAND = re.compile(r"&(?!#[0-9]+;|#x[0-9a-fA-F]+;|[A-Za-z][\w.-]*;)")


def _raw_text(element: Element, text: str, path: str) -> str:
    """An element's character data, references decoded (its child elements left out)."""
    from collatio.readers._xml import Chars, decode_references

    parts: list[str] = []
    for child in element.children:
        if isinstance(child, Chars) and child.kind == "text":
            raw = text[child.start : child.end]
            position = 0
            for start, end, value in decode_references(raw, path, element.line):
                parts.append(raw[position:start])
                parts.append(value)
                position = end
            parts.append(raw[position:])
    return "".join(parts)


def _compose(inner: OffsetMap, outer: OffsetMap) -> OffsetMap:
    """Offsets of a transcript of a text made from the file -> the file's offsets: each
    segment of *inner* maps to where *outer* takes its start (to the reading's start)."""
    return OffsetMap(inner.starts, tuple(outer.file_offset(t) for t in inner.targets),
                     tuple(0 for _ in inner.targets))
