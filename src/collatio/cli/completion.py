"""``collatio completion SHELL``: a tab-completion script for bash, zsh or tcsh, generated
from the command line's own parser by shtab (so it always knows every command and option).

    collatio completion bash > ~/.local/share/bash-completion/completions/collatio
    collatio completion zsh > ~/.zfunc/_collatio     # with fpath+=~/.zfunc before compinit
"""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from collatio.cli._args import EXIT_OK

SHELLS = ("bash", "zsh", "tcsh")


def register(commands: Any) -> None:
    completion = commands.add_parser(
        "completion", help="print a shell completion script (bash, zsh, tcsh)",
        description="Print a tab-completion script for SHELL. Install it with, for bash: "
        "collatio completion bash > ~/.local/share/bash-completion/completions/collatio; "
        "for zsh: collatio completion zsh > ~/.zfunc/_collatio (with fpath+=~/.zfunc "
        "before compinit).",
    )
    completion.add_argument("shell", choices=SHELLS)
    completion.set_defaults(handler=run)


def run(args: argparse.Namespace, stdout: TextIO) -> int:
    import shtab

    from collatio.cli import build_parser

    stdout.write(shtab.complete(build_parser(), shell=args.shell))
    return EXIT_OK
