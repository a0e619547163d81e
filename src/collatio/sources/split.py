"""A text into its :class:`Source`: detection, then the manifest's decisions."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence

from collatio.errors import InputError
from collatio.sources.detection import _Detector
from collatio.sources.files import _same_file, read_text
from collatio.sources.manifests import Manifest, _apply_manifest
from collatio.sources.model import Source
from collatio.sources.regions import _Span, _tile
from collatio.textpos import LineIndex

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def split_source(text: str, path: str = "<input>", *, manifest: Manifest | None = None) -> Source:
    """Classify *text* (the contents of *path*) into regions and documents.

    Without a manifest entry for *path*, the default rules decide (``docs/sources.md``);
    with entries, the documents are exactly those entries, in manifest order.

    >>> text = "Skip to content\\n\\nMay 14, 1950\\n\\nLetter from A to B\\n\\nDear B.\\n"
    >>> source = split_source(text, "page.txt")
    >>> doc = source.documents[0]
    >>> doc.metadata.date, doc.metadata.sender, doc.metadata.recipient, source.body(doc)
    ('1950-05-14', 'A', 'B', 'Dear B.')
    """
    # (an all-ASCII text, checked at memory speed, has none: the scan costs 50 ms a million words)
    surrogate = None if text.isascii() else _LONE_SURROGATE.search(text)
    if surrogate is not None:
        line, column = LineIndex.of(text).position(surrogate.start())
        raise InputError(
            f"the text holds a lone surrogate code point U+{ord(surrogate.group()):04X}, which "
            "is not a character (broken UTF-16?); repair the text before collating it",
            path=path, line=line, column=column,
        )
    detector = _Detector(text, path)
    detected = detector.run()
    spans: Sequence[_Span] = detected.spans
    documents = detected.documents
    diagnostics = list(detected.diagnostics)
    if manifest is not None:
        entries = [
            (k, spec) for k, spec in enumerate(manifest.witnesses, 1) if _same_file(spec.path, path)
        ]
        if entries:
            spans, documents, added = _apply_manifest(text, path, detected, manifest.path, entries)
            # The manifest decides where the bodies are: auto-detection's complaint is moot.
            diagnostics = [d for d in diagnostics if d.code != "no-body"] + added
    # the detector's line index serves every later position (made once: 0.1 s a million words)
    return Source(path, text, _tile(text, spans, documents), documents, tuple(diagnostics),
                  lines=detector.index)


def load_source(
    path: str | os.PathLike[str],
    encoding: str = "utf-8",
    *,
    manifest: Manifest | None = None,
    max_bytes: int | None = None,
) -> Source:
    """:func:`read_text` then :func:`split_source`."""
    text = read_text(path, encoding, max_bytes=max_bytes)
    return split_source(text, os.fspath(path), manifest=manifest)
