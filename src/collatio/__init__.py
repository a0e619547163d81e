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
from collections.abc import Iterable, Mapping, Sequence
from os import PathLike, fspath
from typing import TYPE_CHECKING, Any

import attrs

import collatio.apparatus.build as _build
from collatio._version import __version__
from collatio._workers import fork_map
from collatio.apparatus import (
    Apparatus,
    CollationOptions,
    Reading,
    UnitType,
    VariationUnit,
    collate_tokens,
    collate_witnesses,
)
from collatio.diagnostics import Diagnostic, Severity
from collatio.errors import (
    CollatioError,
    CollationError,
    ConventionError,
    InputError,
    LimitError,
    ManifestError,
    MarkupError,
    OptionError,
    RenderError,
)
from collatio.interop import ApparatusReader
from collatio.markup import Convention, Span, SpanKind, get_convention, parse_markup
from collatio.normalize import Normalization, load_equivalents
from collatio.progress import stage
from collatio.readers import (
    HEAD_BYTES,
    Reader,
    ReaderError,
    ReadOptions,
    choose_reader,
    get_reader,
    reader_names,
)
from collatio.readers.base import name_witnesses
from collatio.render import get_renderer, renderer_for_filename, renderer_names
from collatio.sources import (
    Document,
    Manifest,
    Metadata,
    Source,
    display_name,
    load_manifest,
    load_source,
    read_bytes,
    split_source,
)
from collatio.witness import (
    ParseResult,
    State,
    StateName,
    Witness,
    merge_results,
    parse_sources,
)

if TYPE_CHECKING:
    from collatio.survey import SurveyOptions, SurveyResult
    from collatio.survey import facade as survey

#: Names given by the survey package, imported when first asked for: a collation never
#: needs them, and their import costs every run its start-up time.
_SURVEY_NAMES = ("survey", "SurveyOptions", "SurveyResult")


def __getattr__(name: str) -> Any:
    if name in _SURVEY_NAMES:
        import collatio.survey as package

        # the import bound collatio.survey to the package, itself callable as survey()
        return package if name == "survey" else getattr(package, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def parse(
    paths: Iterable[str | PathLike[str]] = (),
    *,
    manifest: str | PathLike[str] | Manifest | None = None,
    convention: str | Convention | None = None,
    encoding: str = "utf-8",
    strict: bool = False,
    max_bytes: int | None = None,
    from_: str | None = None,
    sigla: Sequence[str] = (),
    options: Mapping[str, str] | Iterable[tuple[str, str]] = (),
) -> ParseResult:
    """Read files in any input format (``-``: standard input) into witnesses.

    Each file's reader is chosen by its content, then its name (``docs/inputs.md``);
    *from_* names one reader for every file, *options* are its settings (``choice=corr``).
    Files named by the manifest but not in *paths* are read too, in manifest order.
    *sigla* name the witnesses, in order, or rename some (``"D=Draft"``). An apparatus
    written by collatio gives the witnesses it collated.
    """
    _check_limits(max_bytes=max_bytes)
    loaded = _manifest(manifest)
    read_options = ReadOptions(encoding, convention, loaded, _options(options))
    names, twice = _input_names(paths, loaded)
    with stage(_reading(names)):
        results = [
            reader.read(data, path, read_options)
            for path, data, reader in _read_inputs(names, from_, max_bytes)
        ]
    return name_witnesses(_merged(results, twice), sigla, strict=strict)


def _reading(names: Sequence[str]) -> str:
    """The progress line for reading *names*."""
    return f"reading {len(names)} file{'s' if len(names) != 1 else ''}"


def _merged(results: Iterable[ParseResult], twice: Sequence[Diagnostic]) -> ParseResult:
    merged = merge_results(results)
    if twice:
        merged = attrs.evolve(merged, diagnostics=(*twice, *merged.diagnostics))
    return merged


def _once_each(paths: list[str]) -> tuple[list[str], list[Diagnostic]]:
    """*paths* without repeats of one file (by device and inode, else resolved path), and a
    warning for each repeat: the same file given twice is read once, and says so."""
    kept: list[str] = []
    seen: dict[object, str] = {}
    warnings: list[Diagnostic] = []
    for path in paths:
        if path == "-":  # standard input is no file to compare
            kept.append(path)
            continue
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
    near: float | None = None,
    encoding: str = "utf-8",
    strict: bool = False,
    max_bytes: int | None = None,
    max_texts: int = 1000,
    max_tokens: int = 30_000_000,
    from_: str | None = None,
    sigla: Sequence[str] = (),
    options: Mapping[str, str] | Iterable[tuple[str, str]] = (),
    workers: int = 1,
) -> Apparatus:
    """Collate files in any input format (``-``: standard input) into an apparatus.

    Every witness takes part with its states (a draft with hand revisions as ``D-ac`` and
    ``D-pc``); *base* names the lemma's witness (default: the latest dated); *normalize*
    adds normalizers (``case``, ``punctuation``, ``accents``; see
    :mod:`collatio.normalize`); *equivalents* maps variant forms to one (or names a file
    of ``variant = canonical`` lines); *near* (a threshold in (0, 1], e.g. 0.8) places
    readings spelled nearly alike ("Bulganiin" / "Bulganin") side by side as variants
    (:mod:`collatio.align.near`). One apparatus written by collatio (TEI or JSON),
    given alone, is read back as it was (re-rendering needs no collation); beside other
    inputs its witnesses are collated again. *from_*, *sigla* and *options* as for
    :func:`parse`. *workers* above 1 lets that many processes read and tokenize long texts
    side by side (forked children, only in a process running one thread; the same apparatus).
    """
    _check_limits(max_bytes=max_bytes, max_texts=max_texts, max_tokens=max_tokens,
                  workers=workers)
    table = load_equivalents(equivalents) if isinstance(equivalents, str) else equivalents
    collation = CollationOptions(
        base=base,
        normalization=Normalization.from_names(normalize, table),
        join=join,
        transpositions=transpositions,
        near=near,
        max_texts=max_texts,
        max_tokens=max_tokens,
        workers=workers,
    )
    loaded = _manifest(manifest)
    read_options = ReadOptions(encoding, convention, loaded, _options(options))
    names, twice = _input_names(paths, loaded)
    with stage(_reading(names)):
        inputs = _read_inputs(names, from_, max_bytes)
        if len(inputs) == 1 and loaded is None and not sigla:
            path, data, reader = inputs[0]
            if isinstance(reader, ApparatusReader):
                apparatus = reader.read_apparatus(data, path, read_options)
                _within_limits(apparatus, collation, path)
                return apparatus
        parsed = name_witnesses(_merged(_read_all(inputs, read_options, workers), twice),
                                sigla, strict=strict)
    return collate_witnesses(parsed.witnesses, collation, parsed.diagnostics)


def _read_all(inputs: Sequence[tuple[str, bytes, Reader]], read_options: ReadOptions,
              workers: int) -> list[ParseResult]:
    """Each input read by its reader; the files of
    :data:`~collatio.apparatus.build.PARALLEL_CHARS` bytes or more shared out among
    *workers* processes, as texts are for tokenizing (a parse result is plain data: it comes
    back equal)."""
    return fork_map(lambda job: job[2].read(job[1], job[0], read_options), inputs, workers,
                    worth=lambda job: len(job[1]) >= _build.PARALLEL_CHARS)


def _check_limits(**limits: int | None) -> None:
    """Refuse a limit below 1 (it would refuse every input, blaming the input)."""
    for name, value in limits.items():
        if value is not None and (isinstance(value, bool) or value < 1):
            raise OptionError(f"{name} is at least 1, not {value!r}")


def _within_limits(apparatus: Apparatus, options: CollationOptions, path: str) -> None:
    """An apparatus read back is held to the limits a collation is (--max-texts,
    --max-tokens): it is rendered as a whole."""
    texts = len(apparatus.witnesses)
    if texts > options.max_texts:
        raise LimitError(f"the apparatus holds {texts} texts, over the limit of "
                         f"{options.max_texts}; raise it with --max-texts", path=path)
    words = sum(len(apparatus.witness_text(w.siglum).split()) for w in apparatus.witnesses)
    if words > options.max_tokens:
        raise LimitError(f"the apparatus holds {words:,} words, over the limit of "
                         f"{options.max_tokens:,}; raise it with --max-tokens", path=path)


def _manifest(manifest: str | PathLike[str] | Manifest | None) -> Manifest | None:
    if isinstance(manifest, Manifest) or manifest is None:
        return manifest
    return load_manifest(manifest)


def _options(options: Mapping[str, str] | Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    pairs = options.items() if isinstance(options, Mapping) else options
    return tuple((str(key), str(value)) for key, value in pairs)


def _input_names(
    paths: Iterable[str | PathLike[str]], manifest: Manifest | None
) -> tuple[list[str], list[Diagnostic]]:
    """The files to read, in order, each once (*paths*, then the manifest's other sources),
    and a warning for each file given twice."""
    given = [fspath(path) for path in paths]
    if given.count("-") > 1:
        raise ReaderError("standard input ('-') can be read only once")
    ordered, twice = _once_each(given)
    if manifest is not None:
        for spec in manifest.witnesses:
            if spec.path not in ordered and spec.source not in ordered:
                ordered.append(spec.path)
    return list(dict.fromkeys(ordered)), twice


def _read_inputs(
    names: Sequence[str], from_: str | None, max_bytes: int | None
) -> list[tuple[str, bytes, Reader]]:
    """Each file's name (``<stdin>`` for ``-``), bytes and reader."""
    out: list[tuple[str, bytes, Reader]] = []
    for name in names:
        data = read_bytes(name, max_bytes=max_bytes)
        path = display_name(name)
        out.append((path, data, choose_reader(data[:HEAD_BYTES], path, from_).reader))
    return out


def collate_texts(
    texts: Mapping[str, str] | Iterable[tuple[str, str]],
    *,
    convention: str | Convention | None = None,
    base: str | None = None,
    normalize: Iterable[str] = (),
    equivalents: Mapping[str, str] | str | None = None,
    join: int = 2,
    transpositions: bool = True,
    near: float | None = None,
    strict: bool = False,
) -> Apparatus:
    """Collate texts given as strings, each named by its siglum.

    *texts* maps sigla to transcriptions (``{"F": final, "D": draft}``), in order; each text
    is read as a file would be (its marks by *convention*, else by what its header states,
    else ``editorial``), so a draft with hand revisions takes part as ``D-ac`` and ``D-pc``.
    A text that holds several documents gives one witness each, named as :func:`parse`
    names them. The other options are :func:`collate`'s.

    >>> app = collate_texts({"A": "The black cat sat.", "B": "The white cat sat down."})
    >>> [(u.type.value, [(r.text, r.witnesses) for r in u.readings]) for u in app]
    [('substitution', [('black', ('A',)), ('white', ('B',))]), ('addition', [('', ('A',)), \
('down', ('B',))])]
    >>> collate_texts({"F": "I sent them.", "D": "I sent [it] *them*."},
    ...               convention="hand-revision").sigla
    ('F', 'D-ac', 'D-pc')
    """
    import attrs

    pairs = list(texts.items() if isinstance(texts, Mapping) else texts)
    sigla = [siglum for siglum, _ in pairs]
    if len(set(sigla)) != len(sigla):
        raise CollationError(f"two texts are called the same: {', '.join(sigla)}")
    witnesses: list[Witness] = []
    diagnostics: list[Diagnostic] = []
    for siglum, text in pairs:
        if not isinstance(text, str):
            raise TypeError(f"the text of {siglum!r} is a {type(text).__name__}, not a str")
        parsed = parse_text(text, path=siglum, convention=convention, strict=strict)
        found = parsed.witnesses
        if len(found) == 1 and found[0].siglum != siglum:
            found = (attrs.evolve(found[0], siglum=siglum),)
        witnesses.extend(found)
        diagnostics.extend(parsed.diagnostics)
    table = load_equivalents(equivalents) if isinstance(equivalents, str) else equivalents
    options = CollationOptions(base=base, normalization=Normalization.from_names(normalize, table),
                               join=join, transpositions=transpositions, near=near)
    return collate_witnesses(witnesses, options, tuple(diagnostics))


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
    "OptionError",
    "ParseResult",
    "ReadOptions",
    "Reader",
    "ReaderError",
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
    "collate_texts",
    "collate_tokens",
    "collate_witnesses",
    "get_convention",
    "get_reader",
    "load_manifest",
    "load_source",
    "parse",
    "parse_markup",
    "parse_sources",
    "parse_text",
    "reader_names",
    "render",
    "renderer_for_filename",
    "renderer_names",
    "split_source",
    "survey",
]
