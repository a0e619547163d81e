"""Surveying an archive: the families of versions among its documents, the passages reused
between them, and every family collated (see ``docs/survey.md``).

The package is itself callable: ``collatio.survey(folder, out)`` is :func:`survey`. This
package's own import is light (the model only); numpy, Dask and pyarrow are imported
when a survey runs. They come with the ``survey`` extra: ``pip install 'collatio[survey]'``.
"""

from __future__ import annotations

import os
import sys
import types
from collections.abc import Iterable
from typing import Any, TextIO, cast

from collatio.errors import CollatioError
from collatio.survey.model import (
    DocumentInfo,
    Extent,
    Family,
    LinkKind,
    PairResult,
    ReuseLink,
    Segment,
    Skipped,
    SurveyOptions,
    SurveyResult,
)

#: What the survey needs beyond collatio's own dependencies (the ``survey`` extra).
REQUIRED = ("numpy", "dask", "distributed", "pyarrow")


def missing_packages() -> list[str]:
    """The packages of :data:`REQUIRED` that cannot be imported here."""
    import importlib.util

    return [name for name in REQUIRED if importlib.util.find_spec(name) is None]


def survey(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    out: str | os.PathLike[str] | None = None,
    *,
    formats: Iterable[str] = ("json", "html"),
    workers: int | None = None,
    scheduler: str | None = None,
    progress: TextIO | None = None,
    collate: bool = True,
    **thresholds: Any,
) -> SurveyResult:
    """Survey the documents under *paths* (folders or files): families of versions,
    reused passages, and, given *out*, every family collated into ``OUT/families/`` in
    *formats*, with ``survey.json``, ``survey.parquet``, ``documents.parquet`` and
    ``index.html`` written there.

    *workers*: local processes (default: one per core; 1 runs in this process);
    *scheduler*: the address of a running ``dask.distributed`` scheduler to run on instead;
    *progress*: a stream for progress lines; *thresholds*: any field of
    :class:`SurveyOptions` (``family_threshold=0.6``, ``min_reuse_words=20`` ...).
    """
    missing = missing_packages()
    if missing:
        raise CollatioError(
            f"the survey needs {', '.join(missing)}: pip install 'collatio[survey]'"
        )
    from collatio.render import get_renderer
    from collatio.survey.engine import Engine
    from collatio.survey.outputs import write_json, write_parquet
    from collatio.survey.page import write_index
    from collatio.survey.pipeline import run_survey

    roots = [os.fspath(paths)] if isinstance(paths, (str, os.PathLike)) else [
        os.fspath(p) for p in paths
    ]
    chosen = tuple(dict.fromkeys(get_renderer(name).name for name in formats))
    try:
        options = SurveyOptions(formats=chosen, collate=collate, **thresholds)
    except (TypeError, ValueError) as exc:
        raise CollatioError(f"survey options: {exc}") from None
    folder = os.fspath(out) if out is not None else None
    if folder is not None:
        try:
            os.makedirs(folder, exist_ok=True)
        except OSError as exc:
            raise CollatioError(f"cannot create output folder: {exc.strerror or exc}",
                                path=folder) from None
    with Engine(workers, scheduler, progress) as engine:
        result = run_survey(roots, folder, options, engine)
    if folder is not None:
        write_json(result, folder)
        write_parquet(result, folder)
        write_index(result, folder)
    return result


class _Package(types.ModuleType):
    """``collatio.survey``, this package, which is also callable as :func:`survey`: the
    function and the package share one name (``collatio.survey(folder)``,
    ``collatio.survey.SurveyOptions``, ``import collatio.survey.verify as verify``), and
    whichever import of the package binds the name on ``collatio``, it binds this one
    object."""

    def __call__(
        self,
        paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
        out: str | os.PathLike[str] | None = None,
        *,
        formats: Iterable[str] = ("json", "html"),
        workers: int | None = None,
        scheduler: str | None = None,
        progress: TextIO | None = None,
        collate: bool = True,
        **thresholds: Any,
    ) -> SurveyResult:
        return survey(paths, out, formats=formats, workers=workers, scheduler=scheduler,
                      progress=progress, collate=collate, **thresholds)


sys.modules[__name__].__class__ = _Package
#: What ``collatio.survey`` is: this package, callable (see :class:`_Package`).
facade = cast(_Package, sys.modules[__name__])

__all__ = [
    "REQUIRED",
    "DocumentInfo",
    "Extent",
    "Family",
    "LinkKind",
    "PairResult",
    "ReuseLink",
    "Segment",
    "Skipped",
    "SurveyOptions",
    "SurveyResult",
    "facade",
    "missing_packages",
    "survey",
]
