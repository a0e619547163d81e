"""What a survey writes: ``survey.json`` (schema: ``docs/schemas/survey.schema.json``),
the Parquet tables ``survey.parquet`` (one row per link: version, rewrite and reuse pairs)
and ``documents.parquet``, and the terminal summary. Files are written atomically."""

from __future__ import annotations

import io
import os
from collections.abc import Iterable
from typing import Any

import orjson

from collatio._version import __version__
from collatio.survey.atomic import write_atomic
from collatio.survey.model import Extent, PairResult, ReuseLink, SurveyResult
from collatio.terminal import printable

#: The value of ``format`` in ``survey.json`` (and the schema's ``$id``).
FORMAT = "collatio-survey/1"

def terminal_safe(text: str) -> str:
    r"""*text* as it may reach a terminal (:func:`collatio.terminal.printable`: every control
    character shown as an escape, ``\x1b`` for ESC).

    >>> terminal_safe("doc\x1b[31m.txt")
    'doc\\x1b[31m.txt'
    """
    return printable(text)


def _extent(extent: Extent) -> dict[str, Any]:
    return {
        "document": extent.document,
        "start": {"line": extent.line, "column": extent.column},
        "end": {"line": extent.end_line, "column": extent.end_column},
        "words": extent.words,
        "text": extent.text,
    }


def _pair(pair: PairResult) -> dict[str, Any]:
    return {
        "a": pair.a,
        "b": pair.b,
        "kind": pair.kind.value,
        "similarity": pair.similarity,
        "coverage": [pair.coverage_a, pair.coverage_b],
        "content_similarity": pair.content_similarity,
        "content_coverage": [pair.content_coverage_a, pair.content_coverage_b],
        "aligned_words": pair.aligned_words,
        "moved_words": pair.moved_words,
        "lacunose_words": pair.lacunose_words,
        "evidence": [[_extent(a), _extent(b)] for a, b in pair.evidence],
    }


def _reuse(link: ReuseLink) -> dict[str, Any]:
    return {
        "id": link.id,
        "a": _extent(link.a),
        "b": _extent(link.b),
        "aligned_words": link.aligned_words,
        "similarity": link.similarity,
        "segments": [{"tag": s.tag, "a": s.a, "b": s.b} for s in link.segments],
    }


def to_data(result: SurveyResult) -> dict[str, Any]:
    """The survey as plain data: what ``survey.json`` holds."""
    return {
        "format": FORMAT,
        "collatio": __version__,
        "roots": list(result.roots),
        "engine": result.engine,
        "options": result.options.thresholds(),
        "summary": {
            "documents": len(result.documents),
            "words": sum(d.words for d in result.documents),
            "families": len(result.families),
            "families_by_size": {str(k): v for k, v in result.families_by_size().items()},
            "documents_in_families": sum(len(f.members) for f in result.families),
            "reuse_links": len(result.reuse),
            "candidate_pairs": result.candidates,
            "seconds": result.seconds,
            "stages": dict(result.stages),
        },
        "documents": [
            {
                "id": d.id, "path": d.path, "siglum": d.siglum, "label": d.label,
                "date": d.date, "words": d.words, "states": list(d.states),
                "state": d.state, "family": d.family,
            }
            for d in result.documents
        ],
        "families": [
            {
                "id": f.id,
                "members": list(f.members),
                "size": len(f.members),
                "pairs": [_pair(p) for p in f.pairs],
                "files": dict(f.files),
                "units": f.units,
                "error": f.error,
                "reused": f.reused,
            }
            for f in result.families
        ],
        "reuse": [_reuse(link) for link in result.reuse],
        "skipped": [{"path": s.path, "message": s.message} for s in result.skipped],
    }


def write_json(result: SurveyResult, out: str) -> str:
    path = os.path.join(out, "survey.json")
    data = orjson.dumps(to_data(result), option=orjson.OPT_INDENT_2) + b"\n"
    write_atomic(path, "", binary=data)
    return path


def _rows(result: SurveyResult) -> Iterable[dict[str, Any]]:
    paths = {d.id: d.path for d in result.documents}
    for family in result.families:
        for pair in family.pairs:
            first, second = pair.evidence[0] if pair.evidence else (None, None)
            yield {
                "kind": pair.kind.value, "family": family.id, "id": None,
                "a": pair.a, "b": pair.b, "a_path": paths[pair.a], "b_path": paths[pair.b],
                "similarity": pair.similarity, "coverage_a": pair.coverage_a,
                "coverage_b": pair.coverage_b, "content_similarity": pair.content_similarity,
                "aligned_words": pair.aligned_words,
                **_place("a", first), **_place("b", second),
            }
    for link in result.reuse:
        yield {
            "kind": "reuse", "family": None, "id": link.id,
            "a": link.a.document, "b": link.b.document,
            "a_path": paths[link.a.document], "b_path": paths[link.b.document],
            "similarity": link.similarity, "coverage_a": None, "coverage_b": None,
            "content_similarity": None, "aligned_words": link.aligned_words,
            **_place("a", link.a), **_place("b", link.b),
        }


def _place(side: str, extent: Extent | None) -> dict[str, Any]:
    return {
        f"{side}_line": extent.line if extent else None,
        f"{side}_column": extent.column if extent else None,
        f"{side}_end_line": extent.end_line if extent else None,
        f"{side}_end_column": extent.end_column if extent else None,
        f"{side}_text": extent.text if extent else None,
    }


def write_parquet(result: SurveyResult, out: str) -> list[str]:
    """``survey.parquet`` (links: the pairs inside families, with their longest shared
    passage, and every reuse link) and ``documents.parquet``."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([
        ("kind", pa.string()), ("family", pa.string()), ("id", pa.string()),
        ("a", pa.string()), ("b", pa.string()), ("a_path", pa.string()),
        ("b_path", pa.string()), ("similarity", pa.float64()), ("coverage_a", pa.float64()),
        ("coverage_b", pa.float64()), ("content_similarity", pa.float64()),
        ("aligned_words", pa.int64()),
        *[(f"{s}_{f}", pa.int64()) for s in "ab"
          for f in ("line", "column", "end_line", "end_column")],
        ("a_text", pa.string()), ("b_text", pa.string()),
    ])
    links = pa.Table.from_pylist(list(_rows(result)), schema=schema)
    documents = pa.Table.from_pylist(
        [{"id": d.id, "path": d.path, "siglum": d.siglum, "label": d.label, "date": d.date,
          "words": d.words, "state": d.state, "family": d.family} for d in result.documents],
        schema=pa.schema([("id", pa.string()), ("path", pa.string()),
                          ("siglum", pa.string()), ("label", pa.string()),
                          ("date", pa.string()), ("words", pa.int64()),
                          ("state", pa.string()), ("family", pa.string())]),
    )
    written = []
    for name, table in (("survey.parquet", links), ("documents.parquet", documents)):
        buffer = io.BytesIO()
        pq.write_table(table, buffer)
        path = os.path.join(out, name)
        write_atomic(path, "", binary=buffer.getvalue())
        written.append(path)
    return written


def summary(result: SurveyResult, out: str | None = None) -> str:
    """The terminal summary: documents, families by size, reuse links, time (escaped)."""
    sizes = result.families_by_size()
    by_size = ", ".join(f"{n} of {size}" for size, n in sizes.items()) or "none"
    words = sum(d.words for d in result.documents)
    errors = [f for f in result.families if f.error]
    reused = sum(1 for f in result.families if f.reused)
    lines = [
        f"survey: {len(result.documents):,} documents ({words:,} words) in "
        f"{result.seconds:.1f} s on {result.engine}",
        f"  families: {len(result.families):,} ({by_size} members); "
        f"{result.candidates:,} candidate pairs verified",
        f"  reuse links: {len(result.reuse):,}",
    ]
    if reused:
        lines.append(f"  collations reused from an earlier run: {reused:,}")
    for family in errors[:5]:
        lines.append(f"  {family.id} not collated: {family.error}")
    for skipped in result.skipped[:5]:
        lines.append(f"  skipped {skipped.path}: {skipped.message}")
    if len(result.skipped) > 5:
        lines.append(f"  ... and {len(result.skipped) - 5} more files skipped")
    if out is not None:
        lines.append(f"  wrote {os.path.join(out, 'index.html')}, survey.json, survey.parquet")
    return "".join(terminal_safe(line) + "\n" for line in lines)
