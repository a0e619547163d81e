"""``collatio survey``: an archive's families of versions and reused passages, every
family collated (``docs/survey.md``)."""

from __future__ import annotations

import argparse
import sys
from typing import Any, TextIO

from collatio.cli._args import EXIT_OK, UsageError, add_debug
from collatio.cli.style import show_progress
from collatio.errors import RenderError


def register(commands: Any) -> None:
    survey = commands.add_parser(
        "survey",
        help="find the families of versions and the reused passages in an archive, and "
        "collate every family",
        description="Read every document under the given folders, find the documents that "
        "are versions of one text (families) and the passages reused between documents, "
        "and collate every family into OUT (survey.json, survey.parquet, index.html, "
        "families/). Runs on Dask: local processes by default, or a running "
        "dask.distributed cluster with --scheduler.",
    )
    survey.add_argument("roots", nargs="+", metavar="DIR", help="folders (or files) to survey")
    survey.add_argument("--out", required=True, metavar="OUT",
                        help="output folder (a rerun with the same OUT reuses finished "
                        "families)")
    survey.add_argument("--format", default="json,html", metavar="LIST",
                        help="formats of each family's apparatus, comma-separated "
                        "(default: json,html)")
    survey.add_argument("--workers", type=int, default=None, metavar="N",
                        help="local worker processes (default: one per core; 1: in this "
                        "process)")
    survey.add_argument("--scheduler", metavar="ADDRESS",
                        help="run on the dask.distributed cluster at ADDRESS "
                        "(tcp://HOST:PORT)")
    survey.add_argument("--no-collate", action="store_true",
                        help="find families and reuse only; write no apparatus")
    survey.add_argument("--family-threshold", type=float, default=None, metavar="X",
                        help="share of each text's words that must align for a version "
                        "pair (default 0.4)")
    survey.add_argument("--rewrite-threshold", type=float, default=None, metavar="X",
                        help="share of each text's content words that must align for a "
                        "rewrite pair (default 0.3)")
    survey.add_argument("--min-reuse-words", type=int, default=None, metavar="N",
                        help="aligned words a reused passage needs (default 15)")
    survey.add_argument("--no-progress", action="store_true",
                        help="no progress bars (they are shown only on a terminal's standard "
                        "error, never under CI or with TERM=dumb)")
    add_debug(survey)
    survey.set_defaults(handler=run)


def run(args: argparse.Namespace, stdout: TextIO) -> int:
    from collatio.render import get_renderer
    from collatio.survey import missing_packages, survey

    if args.workers is not None and args.workers < 1:
        raise UsageError("--workers must be at least 1")
    if args.workers is not None and args.scheduler:
        raise UsageError("--workers is for local runs; a --scheduler has its own workers")
    formats = [name.strip() for name in args.format.split(",") if name.strip()]
    if not formats:
        raise UsageError("--format needs at least one format")
    for name in formats:
        try:
            get_renderer(name)
        except RenderError as exc:
            raise UsageError(exc.message) from None
    thresholds: dict[str, Any] = {}
    for option in ("family_threshold", "rewrite_threshold", "min_reuse_words"):
        value = getattr(args, option)
        if value is not None:
            thresholds[option] = value
    for option in ("family_threshold", "rewrite_threshold"):
        if option in thresholds and not 0.0 <= thresholds[option] <= 1.0:
            raise UsageError(f"--{option.replace('_', '-')} must be between 0 and 1")
    if thresholds.get("min_reuse_words", 2) < 2:
        raise UsageError("--min-reuse-words must be at least 2")
    missing = missing_packages()
    if missing:
        raise UsageError(
            f"collatio survey needs {', '.join(missing)}: pip install 'collatio[survey]'"
        )
    err = sys.stderr
    show = show_progress(err, not args.no_progress)
    result = survey(
        args.roots, args.out, formats=formats, workers=args.workers,
        scheduler=args.scheduler, progress=err if show else None,
        collate=not args.no_collate, **thresholds,
    )
    from collatio.survey.outputs import summary

    stdout.write(summary(result, args.out))
    return EXIT_OK
