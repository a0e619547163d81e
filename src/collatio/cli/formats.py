"""``collatio formats``: every output format (plugins included), the file names that select
it, and the options ``-O`` takes for it."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from collatio.cli._args import EXIT_OK
from collatio.render.base import renderer_classes
from collatio.terminal import printable


def register(commands: Any) -> None:
    formats = commands.add_parser(
        "formats", help="list the output formats and the -O options each takes",
        description="The output formats of 'collatio collate': the name --format takes, its "
        "other names, the file names that select it for -o, and its -O KEY=VALUE options.",
    )
    formats.add_argument("name", nargs="?", help="show only this format")
    formats.set_defaults(handler=run)


def run(args: argparse.Namespace, stdout: TextIO) -> int:
    from collatio.render import get_renderer

    classes = renderer_classes()
    if args.name is not None:
        classes = [type(get_renderer(args.name))]  # an unknown name lists the valid ones
    for cls in classes:
        doc = " ".join((cls.__doc__ or "").strip().split("\n\n")[0].split())
        aliases = f" (also {', '.join(cls.aliases)})" if cls.aliases else ""
        # a plugin's names and docstring are shown as they are, escaped
        lines = [f"{cls.name}{aliases}: {doc}",
                 f"  -o {' '.join(cls.filenames) or '(no file name)'}; --out writes "
                 f"*{cls.extension}; {cls.media_type}",
                 *(f"  -O {option.name}: {option.help} ({option.values()})"
                   for option in cls.options_declared)]
        stdout.write("".join(printable(line) + "\n" for line in lines))
    return EXIT_OK
