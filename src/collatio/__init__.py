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

import os
from collections.abc import Iterable, Mapping
from os import PathLike

import attrs

from collatio._version import __version__
from collatio.apparatus import (
    Apparatus,
    CollationOptions,
    Reading,
    UnitType,
    VariationUnit,
    collate_tokens,
    collate_witnesses,
)
from collatio.diagnostics import Diagnostic, Severity, raise_if_strict
from collatio.errors import (
    CollatioError,
    CollationError,
    ConventionError,
    InputError,
    LimitError,
    ManifestError,
    MarkupError,
    RenderError,
)
from collatio.interop import is_collatex_json, read_collatex_witnesses
from collatio.markup import Convention, Span, SpanKind, get_convention, parse_markup
from collatio.normalize import Normalization, load_equivalents
from collatio.render import get_renderer, renderer_for_filename, renderer_names
from collatio.sources import (
    Document,
    Manifest,
    Metadata,
    Source,
    load_manifest,
    load_source,
    read_text,
    split_source,
)
from collatio.survey import SurveyOptions, SurveyResult, survey
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
    max_bytes: int | None = None,
) -> ParseResult:
    """Read transcription files (and/or a manifest's sources) into witnesses.

    Files named by the manifest but not in *paths* are read too, in manifest order.
    """
    loaded = manifest if isinstance(manifest, Manifest) or manifest is None else load_manifest(
        manifest
    )
    ordered, twice = _once_each([str(path) for path in paths])
    if loaded is not None:
        for spec in loaded.witnesses:
            if spec.path not in ordered and spec.source not in ordered:
                ordered.append(spec.path)
    raise_if_strict(twice, strict)
    sources = [
        load_source(path, encoding, manifest=loaded, max_bytes=max_bytes)
        for path in dict.fromkeys(ordered)
    ]
    result = parse_sources(sources, convention=convention, strict=strict)
    if twice:
        result = attrs.evolve(result, diagnostics=(*twice, *result.diagnostics))
    return result


def _once_each(paths: list[str]) -> tuple[list[str], list[Diagnostic]]:
    """*paths* without repeats of one file (by device and inode, else resolved path), and a
    warning for each repeat: the same file given twice is read once, and says so."""
    kept: list[str] = []
    seen: dict[object, str] = {}
    warnings: list[Diagnostic] = []
    for path in paths:
        try:
            info = os.stat(path)
            key: object = (info.st_dev, info.st_ino)
        except (OSError, ValueError):
            key = os.path.realpath(path)
        if key in seen:
            also = "" if seen[key] == path else f" (as {seen[key]!r})"
            warnings.append(Diagnostic(
                Severity.WARNING, "same-file-twice",
                f"this file is given twice{also}; it is read once", path=path,
            ))
            continue
        seen[key] = path
        kept.append(path)
    return kept, warnings


def collate(
    paths: Iterable[str | PathLike[str]] = (),
    *,
    manifest: str | PathLike[str] | Manifest | None = None,
    convention: str | Convention | None = None,
    base: str | None = None,
    normalize: Iterable[str] = (),
    equivalents: Mapping[str, str] | str | None = None,
    join: int = 2,
    transpositions: bool = True,
    encoding: str = "utf-8",
    strict: bool = False,
    max_bytes: int | None = None,
    max_texts: int = 1000,
    max_tokens: int = 30_000_000,
) -> Apparatus:
    """Collate transcription files (or CollateX JSON witness files) into an apparatus; a
    TEI file written by collatio is read back instead.

    Every witness takes part with its states (a draft with hand revisions as ``D-ac`` and
    ``D-pc``); *base* names the lemma's witness (default: the latest dated); *normalize*
    adds normalizers (``case``, ``punctuation``, ``accents``; see
    :mod:`collatio.normalize`); *equivalents* maps variant forms to one (or names a file
    of ``variant = canonical`` lines).
    """
    table = load_equivalents(equivalents) if isinstance(equivalents, str) else equivalents
    options = CollationOptions(
        base=base,
        normalization=Normalization.from_names(normalize, table),
        join=join,
        transpositions=transpositions,
        max_texts=max_texts,
        max_tokens=max_tokens,
    )
    names = [str(path) for path in paths]
    tei_inputs = [name for name in names if name.lower().endswith(".xml")]
    if tei_inputs:
        return _read_tei(names, tei_inputs, manifest, max_bytes)
    json_inputs = [name for name in names if name.lower().endswith(".json")]
    if json_inputs:
        if len(json_inputs) != len(names) or manifest is not None:
            raise CollationError(
                "CollateX JSON witness files cannot be mixed with transcriptions or a manifest"
            )
        entries = []
        for name in names:
            text = read_text(name, encoding, max_bytes=max_bytes)
            entries.extend(read_collatex_witnesses(text, name,
                                                   options.normalization))
        return collate_tokens(
            [e[0] for e in entries], [e[1] for e in entries], [e[2] for e in entries], options
        )
    parsed = parse(names, manifest=manifest, convention=convention, encoding=encoding,
                   strict=strict, max_bytes=max_bytes)
    return collate_witnesses(parsed.witnesses, options, parsed.diagnostics)


def _read_tei(
    names: list[str], tei: list[str], manifest: object, max_bytes: int | None
) -> Apparatus:
    """An apparatus saved as collatio's TEI, read back (re-rendering it needs no collation)."""
    from collatio.interop.tei import is_collatio_tei, load_tei

    if len(names) != 1 or manifest is not None:
        raise CollationError(
            "a TEI apparatus is read on its own: give one .xml file, without other inputs"
        )
    (name,) = tei
    data = read_text(name, "utf-8", max_bytes=max_bytes)
    if not is_collatio_tei(data.encode("utf-8")):
        raise InputError("not a TEI apparatus written by collatio", path=name)
    return load_tei(data.encode("utf-8"), name)


def render(apparatus: Apparatus, format: str = "text", **options: object) -> str:
    """The apparatus in *format* (``text``, ``json``, ``collatex``, ...)."""
    return get_renderer(format, **options).render(apparatus)


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
    "Apparatus",
    "CollatioError",
    "CollationError",
    "CollationOptions",
    "Convention",
    "ConventionError",
    "Diagnostic",
    "Document",
    "InputError",
    "LimitError",
    "Manifest",
    "ManifestError",
    "MarkupError",
    "Metadata",
    "Normalization",
    "ParseResult",
    "Reading",
    "RenderError",
    "Severity",
    "Source",
    "Span",
    "SpanKind",
    "State",
    "StateName",
    "SurveyOptions",
    "SurveyResult",
    "UnitType",
    "VariationUnit",
    "Witness",
    "__version__",
    "collate",
    "collate_tokens",
    "collate_witnesses",
    "get_convention",
    "is_collatex_json",
    "load_manifest",
    "load_source",
    "parse",
    "parse_markup",
    "parse_sources",
    "parse_text",
    "render",
    "renderer_for_filename",
    "renderer_names",
    "split_source",
    "survey",
]
