"""``collatio collate``: witnesses (and the revision states of drafts) into an apparatus, in
one format or in every format."""

from __future__ import annotations

import argparse
import contextlib
import os
from collections.abc import Sequence
from typing import Any, TextIO

import collatio
from collatio._workers import available_workers
from collatio.align.near import DEFAULT as NEAR_DEFAULT
from collatio.cli._args import (
    EXIT_OK,
    UsageError,
    add_color,
    add_debug,
    add_limits,
    keep_until_exit,
    limit,
    terminal_width,
)
from collatio.cli._inputs import FORMATS, add_input_options, input_arguments
from collatio.cli.output import Inputs, Outputs, check_target, is_terminal, note, stem, warn, write
from collatio.cli.style import progress, show_progress, use_color
from collatio.errors import CollatioError, RenderError, RenderOptionError
from collatio.markup.conventions import PRESETS, get_convention
from collatio.normalize import Normalization
from collatio.progress import stage
from collatio.readers import ReaderError
from collatio.render import renderer_names
from collatio.render.base import (
    Renderer,
    format_modules,
    renderer_class,
    renderer_class_for_filename,
    unknown_option,
)


def register(commands: Any) -> None:
    collate = commands.add_parser(
        "collate",
        help="collate witnesses (and the revision states of drafts) into an apparatus",
        description="Collate files in any input format (plain-text transcriptions, TEI, Word "
        "with tracked changes, Markdown, TEI parallel segmentation, CollateX JSON) into a "
        "critical apparatus. A draft with hand revisions takes part as two texts, as first "
        "written (SIGLUM-ac) and as revised (SIGLUM-pc), with any ordered layers between "
        "(SIGLUM-c1, ...). One apparatus written by collatio (TEI or JSON) is read back.",
        epilog=f"Input formats (--from): {FORMATS}. Conventions (--convention): "
        f"{', '.join(PRESETS)}, or a .toml file ('collatio conventions' shows them). Formats "
        "and their -O options: 'collatio formats'. Exit status: 0 done, 1 bad input, 2 bad "
        "usage.",
    )
    collate.add_argument(
        "files", nargs="*", metavar="FILE",
        help="files in any input format; - for standard input",
    )
    collate.add_argument(
        "-f", "--format", metavar="FORMAT",
        help=f"output format: {', '.join(format_modules())} "
        "(default: from the name given to -o, else text)",
    )
    collate.add_argument(
        "--base", metavar="SIGLUM", help="the lemma's witness (default: the latest dated)"
    )
    collate.add_argument("--manifest", metavar="M", help="TOML manifest overriding the defaults")
    collate.add_argument(
        "--convention", metavar="NAME",
        help=f"force a convention for every witness: {', '.join(PRESETS)} or a .toml file",
    )
    collate.add_argument(
        "--normalize", metavar="LIST", default="",
        help="comma-separated normalizers to compare with: case, punctuation, accents "
        "(unicode and typography are always on)",
    )
    collate.add_argument("--equivalents", metavar="FILE",
                         help="a table of equivalent forms, one 'variant = canonical' per line")
    collate.add_argument("--join", type=int, default=2, metavar="N",
                         help="absorb agreements of up to N words between larger differences")
    collate.add_argument("--no-transpositions", action="store_true",
                         help="report moved blocks as omission and addition")
    collate.add_argument(
        "--near", type=float, nargs="?", const=NEAR_DEFAULT, default=None, metavar="THRESHOLD",
        help="place words spelled nearly alike (Bulganiin / Bulganin) side by side as variants: "
        f"edit similarity from THRESHOLD, in (0, 1] (default {NEAR_DEFAULT})",
    )
    collate.add_argument(
        "--workers", type=limit, default=None, metavar="N",
        help="processes that may read and tokenize long texts side by side (default: one per core; "
        "1: this one only)",
    )
    collate.add_argument("--encoding", default="utf-8", help="text encoding of the files")
    collate.add_argument("--strict", action="store_true", help="fail on any warning")
    add_input_options(collate)
    add_limits(collate)
    collate.add_argument("--max-texts", type=limit, default=1000, metavar="N",
                         help="refuse to collate more texts than this (default 1000)")
    collate.add_argument("--max-tokens", type=limit, default=30_000_000, metavar="N",
                         help="refuse to collate more tokens in all than this (default 30M)")
    collate.add_argument(
        "-O", "--option", action="append", default=[], metavar="KEY=VALUE",
        help="an option for the output format, e.g. -O body_only=true (LaTeX), -O width=80 "
        "(text); repeatable; 'collatio formats' lists each format's options",
    )
    output = collate.add_mutually_exclusive_group()
    output.add_argument("-o", "--output", metavar="PATH", help="write to PATH instead of stdout")
    output.add_argument("--out", metavar="DIR", help="write every format into DIR")
    add_color(collate)
    add_debug(collate)
    collate.set_defaults(handler=run)


def run(args: argparse.Namespace, stdout: TextIO) -> int:
    if not args.files and not args.manifest:
        raise UsageError("collate needs at least one FILE or a --manifest")
    if args.out and args.format:
        raise UsageError("--out writes every format; it cannot be combined with --format")
    if args.join < 0:
        raise UsageError("--join must be 0 or more")
    if args.near is not None and not 0.0 < args.near <= 1.0:
        raise UsageError(f"--near takes a threshold in (0, 1], not {args.near:g}")
    normalizers = [name.strip() for name in args.normalize.split(",") if name.strip()]
    Normalization.from_names(normalizers)  # an unknown name is a usage error, before any work
    if args.convention is not None:
        get_convention(args.convention)  # likewise; a broken .toml file is an input error
    options = render_options(args.option)
    err: TextIO = args.stderr
    renderer = None if args.out else _one_format(args, options, stdout)
    manifest = collatio.load_manifest(args.manifest) if args.manifest else None
    inputs = Inputs.of([
        *args.files, args.manifest, args.equivalents,
        *(spec.path for spec in (manifest.witnesses if manifest else ())),
    ])
    if args.convention and os.path.isfile(args.convention):
        inputs.add([args.convention])
    if args.output:
        check_target(args.output, inputs, f"-o {args.output}")
    plan = _every_format(args, options, inputs) if args.out else []
    reading = input_arguments(args)
    with progress(err, show_progress(err, not args.no_progress)) as display:
        try:
            apparatus = _collate(args, manifest, normalizers, reading)
        except ReaderError as error:
            raise UsageError(str(error)) from None
        keep_until_exit(apparatus)
        # warnings reach the terminal even when the output goes elsewhere; a text apparatus
        # shown on the terminal lists them already
        shown = renderer is not None and renderer.name == "text" and not args.output \
            and is_terminal(stdout)
        if not shown:
            warn(apparatus.diagnostics, err, use_color(err, args.color))
        if renderer is None:
            with stage(f"writing {len(plan)} files into {args.out}"):
                _write_every_format(args.out, apparatus, inputs, plan)
        else:
            if display is not None and not args.output:
                display.stop()  # the output goes to the terminal the progress is drawn on
            # the text apparatus escapes its own text (and must keep its colours)
            escape = False if renderer.terminal_safe else None
            with stage(f"writing {args.output or 'the output'}"):
                write(renderer.chunks(apparatus), args.output, stdout, inputs=inputs,
                      escape=escape)
    for target, _ in plan:
        note(stdout, f"wrote {target}")
    return EXIT_OK


def _write_every_format(
    directory: str, apparatus: collatio.Apparatus, inputs: Inputs,
    plan: list[tuple[str, Renderer]],
) -> None:
    """Every format of *plan* into *directory*, all or none (a directory made for them is
    removed again when none could be written)."""
    created = not os.path.isdir(directory)
    try:
        os.makedirs(directory, exist_ok=True)
    except OSError as exc:
        raise CollatioError(f"cannot create output directory: {exc.strerror or exc}",
                            path=directory) from None
    try:
        with Outputs(inputs) as outputs:  # every format or none
            for target, chosen in plan:
                outputs.add(target, chosen.chunks(apparatus))
            outputs.commit()
    except BaseException:
        if created:
            with contextlib.suppress(OSError):
                os.rmdir(directory)  # only if still empty
        raise


def _one_format(
    args: argparse.Namespace, options: dict[str, object], stdout: TextIO
) -> Renderer:
    """The format asked for (by --format, else by -o's file name, else text) with its
    options; an unknown format or option, or a bad value, is a usage error."""
    try:
        if args.format:
            cls = renderer_class(args.format)
        elif args.output and args.output != "-":
            cls = renderer_class_for_filename(args.output)
        else:
            cls = renderer_class("text")
    except RenderError as exc:
        if args.format:
            raise UsageError(exc.message) from None
        raise
    to_stdout = not (args.output and args.output != "-")
    if cls.takes("color"):
        options.setdefault("color", to_stdout and use_color(stdout, args.color))
    if cls.takes("width") and to_stdout and is_terminal(stdout) and "width" not in options:
        # $COLUMNS may say anything: keep it inside what the option takes
        options["width"] = min(max(terminal_width(), 40), 10_000)
    try:
        return cls(**options)
    except RenderOptionError as exc:
        raise UsageError(f"-O: {exc.message}") from None


def _every_format(
    args: argparse.Namespace, options: dict[str, object], inputs: Inputs
) -> list[tuple[str, Renderer]]:
    """What ``--out DIR`` writes: each format's file name in DIR and its renderer, every name
    checked before any work is done (none may be an input, no two the same). Each format
    gets the options it takes; one that no format takes is a usage error."""
    name_stem = stem(args.files, args.manifest)
    classes = [renderer_class(name) for name in renderer_names()]
    for key in options:
        if not any(cls.takes(key) for cls in classes):
            every = [option for cls in classes for option in cls.options_declared]
            raise UsageError(f"-O: {unknown_option(key, None, every)}")
    plan: list[tuple[str, Renderer]] = []
    for cls in classes:
        taken = {key: value for key, value in options.items() if cls.takes(key)}
        try:
            chosen = cls(**taken)
        except RenderOptionError as exc:
            raise UsageError(f"-O: {exc.message}") from None
        target = os.path.join(args.out, f"{name_stem}{chosen.extension}")
        check_target(target, inputs, f"--out {args.out} ({target})", "another directory")
        plan.append((target, chosen))
    return plan


def render_options(pairs: Sequence[str]) -> dict[str, object]:
    """``KEY=VALUE`` pairs as renderer options (the values as written: each renderer parses
    and checks its own)."""
    options: dict[str, object] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"-O takes KEY=VALUE, not {pair!r}")
        options[key.strip()] = raw
    return options


def _collate(
    args: argparse.Namespace, manifest: collatio.Manifest | None, normalizers: list[str],
    inputs: dict[str, Any],
) -> collatio.Apparatus:
    return collatio.collate(
        args.files,
        manifest=manifest,
        convention=args.convention,
        base=args.base,
        normalize=normalizers,
        equivalents=args.equivalents,
        join=args.join,
        transpositions=not args.no_transpositions,
        near=args.near,
        workers=args.workers if args.workers is not None else available_workers(),
        encoding=args.encoding,
        strict=args.strict,
        max_bytes=args.max_bytes,
        max_texts=args.max_texts,
        max_tokens=args.max_tokens,
        **inputs,
    )
