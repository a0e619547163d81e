"""collatio: revision-aware collation of archival transcriptions.

The pipeline, one stage a module: sources (files -> documents) -> markup (span tree) ->
witness (witnesses and their revision states) -> tokens -> alignment -> apparatus -> renderers.

>>> import collatio
>>> result = collatio.parse_text("I sent [it] *them* today.", convention="hand-revision")
>>> w = result.witnesses[0]
>>> w.state("ante").text, w.state("post").text
('I sent it today.', 'I sent them today.')
"""

from __future__ import annotations

from collections.abc import Iterable
from os import PathLike

from collatio._version import __version__
from collatio.diagnostics import Diagnostic, Severity
from collatio.errors import (
    CollatioError,
    CollationError,
    ConventionError,
    InputError,
    ManifestError,
    MarkupError,
    RenderError,
)
from collatio.markup import Convention, Span, SpanKind, get_convention, parse_markup
from collatio.sources import (
    Document,
    Manifest,
    Metadata,
    Source,
    load_manifest,
    load_source,
    split_source,
)
from collatio.witness import (
    ParseResult,
    State,
    StateName,
    Witness,
    parse_sources,
)


def parse(
    paths: Iterable[str | PathLike[str]] = (),
    *,
    manifest: str | PathLike[str] | Manifest | None = None,
    convention: str | Convention | None = None,
    encoding: str = "utf-8",
    strict: bool = False,
) -> ParseResult:
    """Read transcription files (and/or a manifest's sources) into witnesses.

    Files named by the manifest but not in *paths* are read too, in manifest order.
    """
    loaded = manifest if isinstance(manifest, Manifest) or manifest is None else load_manifest(
        manifest
    )
    ordered: list[str] = [str(path) for path in paths]
    if loaded is not None:
        for spec in loaded.witnesses:
            if spec.path not in ordered and spec.source not in ordered:
                ordered.append(spec.path)
    sources = [load_source(path, encoding, manifest=loaded) for path in dict.fromkeys(ordered)]
    return parse_sources(sources, convention=convention, strict=strict)


def parse_text(
    text: str,
    *,
    path: str = "<text>",
    convention: str | Convention | None = None,
    strict: bool = False,
) -> ParseResult:
    """Parse a transcription given as a string."""
    return parse_sources([split_source(text, path)], convention=convention, strict=strict)


__all__ = [
    "CollatioError",
    "CollationError",
    "Convention",
    "ConventionError",
    "Diagnostic",
    "Document",
    "InputError",
    "Manifest",
    "ManifestError",
    "MarkupError",
    "Metadata",
    "ParseResult",
    "RenderError",
    "Severity",
    "Source",
    "Span",
    "SpanKind",
    "State",
    "StateName",
    "Witness",
    "__version__",
    "get_convention",
    "load_manifest",
    "load_source",
    "parse",
    "parse_markup",
    "parse_sources",
    "parse_text",
    "split_source",
]
