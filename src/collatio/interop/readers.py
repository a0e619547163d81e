"""collatio's own outputs as input: its TEI and its JSON apparatus.

Each reads two ways, and the caller picks by what it needs:

* as an **apparatus** (:meth:`ApparatusReader.read_apparatus`): the exact read-back of what
  collatio wrote (:func:`collatio.interop.tei.load_tei`,
  :func:`collatio.render.json.load_apparatus`), so that ``collatio collate x.tei.xml`` on
  its own re-renders the collation without collating again;
* as **witnesses** (:meth:`Reader.read`): each collated document rebuilt from the
  apparatus's documents (its text with the marks around every piece: hand additions and
  deletions, notes, gaps), so that ``collatio parse`` lists them and a collation that names
  the file beside other inputs collates them again, with their revision states. The
  documents keep more than the parallel segmentation's ``lem``/``rdg`` would (the hands'
  revisions, the editor's notes); ``--from tei-parallel`` reads collatio's TEI by its
  ``lem``/``rdg`` instead, as any parallel-segmentation file.
"""

from __future__ import annotations

from typing import ClassVar

from collatio.apparatus.model import Apparatus, DocumentText
from collatio.errors import CollatioError
from collatio.markup.tree import Delimiter, Node, Span, SpanKind, Text
from collatio.readers.base import Product, Reader, ReadOptions
from collatio.sources import Document, Metadata, Region, RegionKind, Source, decode_text
from collatio.textpos import LineIndex
from collatio.witness import ParseResult, Witness, states_for


class ApparatusReader(Reader):
    """A reader whose file is an apparatus already collated."""

    product: ClassVar[Product] = Product.APPARATUS

    def read_apparatus(self, data: bytes, path: str, options: ReadOptions) -> Apparatus:
        """The apparatus, exactly as it was written."""
        raise NotImplementedError

    def read(self, data: bytes, path: str, options: ReadOptions) -> ParseResult:
        return witnesses_of(self.read_apparatus(data, path, options), path, self.name)


_UTF8 = ("utf-8", "utf8")


def _head_text(head: bytes) -> bytes:
    return head.lstrip(b"\xef\xbb\xbf \t\r\n")


class CollatioTEIReader(ApparatusReader):
    """collatio's TEI apparatus (``collatio collate --format tei``)."""

    name: ClassVar[str] = "collatio-tei"
    filenames: ClassVar[tuple[str, ...]] = ("*.tei.xml",)
    media_type: ClassVar[str] = "application/tei+xml"
    summary: ClassVar[str] = "collatio's TEI apparatus"

    @classmethod
    def sniff(cls, head: bytes) -> float:
        text = _head_text(head)
        if not text.startswith(b"<") or b"<TEI" not in text:
            return 0.0
        return 0.95 if b"collatio-tei/" in text else 0.0

    def read_apparatus(self, data: bytes, path: str, options: ReadOptions) -> Apparatus:
        from collatio.interop.tei import load_tei

        self.check_options(options)
        # malformed XML gets libxml2's message, line and column; XML that is not collatio's
        # TEI says what is missing, where; --encoding overrides the XML declaration
        encoding = None if options.encoding.lower().replace("_", "-") in _UTF8 else \
            options.encoding
        return load_tei(data, path, encoding=encoding)


class CollatioJSONReader(ApparatusReader):
    """collatio's JSON apparatus (``collatio collate --format json``)."""

    name: ClassVar[str] = "collatio-json"
    aliases: ClassVar[tuple[str, ...]] = ("apparatus-json",)
    filenames: ClassVar[tuple[str, ...]] = ("*.apparatus.json",)
    media_type: ClassVar[str] = "application/json"
    summary: ClassVar[str] = "collatio's JSON apparatus"

    @classmethod
    def sniff(cls, head: bytes) -> float:
        text = _head_text(head)
        return 0.95 if text.startswith(b"{") and b'"collatio-apparatus/' in text else 0.0

    def read_apparatus(self, data: bytes, path: str, options: ReadOptions) -> Apparatus:
        from collatio.render.json import load_apparatus

        self.check_options(options)
        return load_apparatus(decode_text(data, path, options.encoding), path)


# --- witnesses rebuilt from an apparatus's documents -------------------------------------------


def _nodes(document: DocumentText, offset: int, index: LineIndex) -> tuple[list[Node], int]:
    """The document's runs as a span tree over the transcript from *offset*: each mark a
    span with empty delimiters (the transcript holds only the text). Runs sharing their
    outer marks share those spans, as the renderers wrote them."""
    root: list[Node] = []
    # open spans: (kind, label, children list, opening offset)
    stack: list[tuple[str, str | None, list[Node], int]] = []

    def close_to(depth: int, at: int) -> None:
        while len(stack) > depth:
            kind, label, children, opened = stack.pop()
            line, column = index.position(opened)
            span = Span(SpanKind(kind), Delimiter(opened, opened, ""), Delimiter(at, at, ""),
                        tuple(children), line, column, "collatio-apparatus", label)
            (stack[-1][2] if stack else root).append(span)

    position = offset
    for run in document.runs:
        labels = tuple(run.labels[: len(run.kinds)]) + (None,) * (len(run.kinds) - len(run.labels))
        depth = 0
        while (depth < len(stack) and depth < len(run.kinds)
               and stack[depth][:2] == (run.kinds[depth], labels[depth])):
            depth += 1
        close_to(depth, position)
        for kind, label in zip(run.kinds[depth:], labels[depth:], strict=True):
            stack.append((kind, label, [], position))
        end = position + len(run.text)
        if run.text:
            (stack[-1][2] if stack else root).append(Text(position, end, run.text))
        position = end
    close_to(0, position)
    return root, position


def witnesses_of(apparatus: Apparatus, path: str, reader: str) -> ParseResult:
    """The apparatus's documents as witnesses, over one transcript holding their texts one
    after another (a blank line between); metadata from the collated witnesses."""
    parts: list[str] = []
    spans: list[tuple[DocumentText, int, int]] = []
    position = 0
    for document in apparatus.documents:
        text = "".join(run.text for run in document.runs)
        if parts:
            parts.append("\n\n")
            position += 2
        spans.append((document, position, position + len(text)))
        parts.append(text)
        position += len(text)
    transcript = "".join(parts)
    index = LineIndex.of(transcript)
    try:
        return _result(apparatus, path, reader, transcript, index, spans)
    except ValueError as error:  # a run's kind no span kind has
        raise CollatioError(f"cannot rebuild the witnesses: {error}", path=path) from None


def _result(
    apparatus: Apparatus, path: str, reader: str, transcript: str, index: LineIndex,
    spans: list[tuple[DocumentText, int, int]],
) -> ParseResult:
    witnesses: list[Witness] = []
    documents: list[Document] = []
    regions: list[Region] = []
    position = 0
    for k, (document, start, end) in enumerate(spans):
        collated = [w for w in apparatus.witnesses if w.witness == document.witness]
        dates = sorted({w.date for w in collated if w.date})
        metadata = Metadata(title=document.label, date=dates[-1] if dates else None,
                            date_text=dates[-1] if dates else None,
                            extra=tuple(("source_path", p) for p in
                                        dict.fromkeys(w.path for w in collated if w.path)))
        nodes, _ = _nodes(document, start, index)
        witnesses.append(Witness(
            siglum=document.witness, label=document.label, path=path, metadata=metadata,
            convention=reader, convention_reason=f"rebuilt from the {reader} apparatus",
            source=transcript, start=start, end=end, nodes=tuple(nodes),
            states=states_for(nodes),
        ))
        documents.append(Document(k, document.witness, document.label, metadata, start, end,
                                  start, end, ""))
        if start > position:
            regions.append(Region(RegionKind.BLANK, position, start,
                                  index.position(position)[0], "blank"))
        if end > start:
            regions.append(Region(RegionKind.BODY, start, end, index.position(start)[0],
                                  "apparatus-document", k))
        position = max(position, end)
    if position < len(transcript):
        regions.append(Region(RegionKind.BLANK, position, len(transcript),
                              index.position(position)[0], "blank"))
    source = Source(path, transcript, tuple(regions), tuple(documents), (), reader=reader)
    return ParseResult((source,), tuple(witnesses), ())
