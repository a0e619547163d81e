"""Stage 1 of the pipeline: source files -> documents.

A source file (an archive web-page capture, a plain transcription, a file holding several
documents) is classified into :class:`Region` objects that tile its text exactly, in order.
The regions of each document are gathered into a :class:`Document`: its metadata, its header
(title and headnote, from which the next stage detects the markup convention) and the offsets
of its body, the text that the next stage parses into a witness.

Detection is a set of named rules; each region records the rule that decided it (see
``docs/sources.md``). Page boilerplate and archive field labels are data
(:data:`CHROME_PATTERNS`, :data:`FIELD_LABELS`), not code. A manifest (:func:`load_manifest`)
overrides detection where it guesses wrong.

The package, one seam a module: ``model`` (the values), ``dates``, ``rules`` (the rule
tables and what a line is), ``detection`` (the default rules over a file's lines),
``metadata`` (facts folded into :class:`Metadata`), ``regions`` (tiling), ``manifests``,
``files`` (reading bytes) and ``split`` (:func:`split_source`, the composition).

Invariants (checked on construction of :class:`Source`): the regions tile ``text`` with no
gap or overlap; every document satisfies
``0 <= start <= body_start <= body_end <= end <= len(text)``.

>>> source = split_source("The quick brown fox.\\n", "fox.txt")
>>> [(d.siglum, source.text[d.body_start : d.body_end]) for d in source.documents]
[('fox', 'The quick brown fox.')]
>>> [(r.kind.value, r.rule) for r in source.regions]
[('body', 'plain-body'), ('blank', 'blank')]
"""

from collatio.sources.dates import parse_date
from collatio.sources.files import (
    MAX_FILE_BYTES,
    STDIN,
    decode_text,
    display_name,
    read_bytes,
    read_text,
)
from collatio.sources.manifests import Manifest, WitnessSpec, load_manifest
from collatio.sources.model import (
    MARK_KINDS,
    Document,
    MarkOverride,
    Metadata,
    Region,
    RegionKind,
    Source,
)
from collatio.sources.rules import CHROME_PATTERNS, CORRESPONDENCE_NOUNS, FIELD_LABELS
from collatio.sources.split import load_source, split_source

__all__ = [
    "CHROME_PATTERNS",
    "CORRESPONDENCE_NOUNS",
    "FIELD_LABELS",
    "MARK_KINDS",
    "MAX_FILE_BYTES",
    "STDIN",
    "Document",
    "Manifest",
    "MarkOverride",
    "Metadata",
    "Region",
    "RegionKind",
    "Source",
    "WitnessSpec",
    "decode_text",
    "display_name",
    "load_manifest",
    "load_source",
    "parse_date",
    "read_bytes",
    "read_text",
    "split_source",
]
