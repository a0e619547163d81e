"""``python -m collatio``."""

from collatio.cli import run

run()
