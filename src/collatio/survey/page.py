"""``index.html``: the survey as one self-contained page (no script, no external file): a
small network picture (inline SVG: each family a box linking its HTML edition, its members
as dots, version and rewrite pairs as lines, reuse links as dotted lines between boxes),
then the families and the reused passages as tables. Every string is escaped by Jinja2's
autoescaping."""

from __future__ import annotations

import math
import os
from typing import Any

import jinja2

from collatio._version import __version__
from collatio.survey.atomic import write_atomic
from collatio.survey.model import LinkKind, SurveyResult

#: Families drawn in the picture (the largest first); the tables always list everything.
PICTURE_FAMILIES = 120
#: Documents outside any family drawn in the picture (those with most reuse links first).
PICTURE_SINGLES = 120
_CELL = 110
_COLUMNS = 8
_EXCERPT = 240


def _environment() -> jinja2.Environment:
    folder = os.path.join(os.path.dirname(__file__), "templates")
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
    )


def _picture(result: SurveyResult) -> dict[str, Any]:
    docs = {d.id: d for d in result.documents}
    shown = sorted(result.families, key=lambda f: (-len(f.members), f.id))[:PICTURE_FAMILIES]
    place: dict[str, tuple[float, float]] = {}
    boxes = []
    for k, family in enumerate(shown):
        x0, y0 = (k % _COLUMNS) * _CELL + 5, (k // _COLUMNS) * _CELL + 5
        size = _CELL - 10
        boxes.append({
            "x": x0, "y": y0, "w": size, "h": size,
            "href": family.files.get("html", f"#{family.id}"),
            "label": family.id.replace("family-", "#"),
            "title": f"{family.id}: " + "; ".join(
                f"{docs[m].siglum} ({docs[m].path})" for m in family.members),
        })
        radius = size * 0.3
        for n, member in enumerate(family.members):
            angle = 2 * math.pi * n / len(family.members) - math.pi / 2
            place[member] = (round(x0 + size / 2 + radius * math.cos(angle), 1),
                             round(y0 + size / 2 + 6 + radius * math.sin(angle), 1))
    rows = math.ceil(len(shown) / _COLUMNS)
    linked: dict[str, int] = {}
    for link in result.reuse:
        for end in (link.a.document, link.b.document):
            if docs[end].family is None:
                linked[end] = linked.get(end, 0) + 1
    singles = sorted(linked, key=lambda d: (-linked[d], d))[:PICTURE_SINGLES]
    per_row = _COLUMNS * 4
    top = rows * _CELL + 20
    for k, doc in enumerate(sorted(singles)):
        place[doc] = (k % per_row * (_CELL / 4) + 15, top + (k // per_row) * 30)
    edges = []
    for family in shown:
        for pair in family.pairs:
            if pair.kind is LinkKind.NONE:
                continue
            (x1, y1), (x2, y2) = place[pair.a], place[pair.b]
            edges.append({"kind": pair.kind.value, "x1": x1, "y1": y1, "x2": x2, "y2": y2,
                          "title": f"{pair.a}-{pair.b}: {pair.kind.value}, "
                                   f"similarity {pair.similarity:.2f}"})
    for link in result.reuse:
        a, b = link.a.document, link.b.document
        if a in place and b in place:
            (x1, y1), (x2, y2) = place[a], place[b]
            edges.append({"kind": "reuse", "x1": x1, "y1": y1, "x2": x2, "y2": y2,
                          "title": f"{link.id}: {link.aligned_words} words"})
    nodes = [
        {"x": x, "y": y, "kind": "member" if docs[d].family else "alone",
         "title": f"{d} {docs[d].siglum}: {docs[d].label} ({docs[d].path})"}
        for d, (x, y) in place.items()
    ]
    height = top + (math.ceil(len(singles) / per_row) * 30 if singles else 0) + 10
    return {
        "width": _COLUMNS * _CELL + 10, "height": max(height, 40), "boxes": boxes,
        "edges": edges, "nodes": nodes, "families": len(shown),
        "truncated": len(shown) < len(result.families) or len(singles) < len(linked),
    }


def render_index(result: SurveyResult) -> str:
    """The page's HTML."""
    docs = {d.id: d for d in result.documents}
    sizes = result.families_by_size()
    families = []
    for family in result.families:
        similarities = [p.similarity for p in family.pairs if p.kind is not LinkKind.NONE]
        families.append({
            "id": family.id,
            "edition": family.files.get("html"),
            "members": [docs[m] for m in family.members],
            "similarity": (f"{min(similarities):.2f}-{max(similarities):.2f}"
                           if similarities else ""),
            "files": sorted(family.files.items()),
            "error": family.error,
            "units": family.units,
        })
    reuse = [
        {
            "id": link.id,
            "a_name": f"{link.a.document} {docs[link.a.document].siglum}",
            "a_place": f"{docs[link.a.document].path}:{link.a.line}:{link.a.column}",
            "b_name": f"{link.b.document} {docs[link.b.document].siglum}",
            "b_place": f"{docs[link.b.document].path}:{link.b.line}:{link.b.column}",
            "words": link.aligned_words,
            "similarity": f"{link.similarity:.2f}",
            "excerpt": link.a.text if len(link.a.text) <= _EXCERPT
            else link.a.text[:_EXCERPT] + "…",
        }
        for link in result.reuse
    ]
    template = _environment().get_template("index.html")
    return template.render(
        version=__version__,
        roots=", ".join(result.roots),
        engine=result.engine,
        summary={
            "documents": f"{len(result.documents):,}",
            "words": f"{sum(d.words for d in result.documents):,}",
            "families": f"{len(result.families):,}",
            "by_size": ", ".join(f"{n} of {s} members" for s, n in sizes.items()) or "none",
            "reuse": f"{len(result.reuse):,}",
            "seconds": f"{result.seconds:.1f}",
        },
        picture=_picture(result),
        families=families,
        reuse=reuse,
        skipped=result.skipped,
    )


def write_index(result: SurveyResult, out: str) -> str:
    path = os.path.join(out, "index.html")
    write_atomic(path, render_index(result))
    return path
