"""Formats read back into the model: CollateX JSON witnesses, collatio's own TEI apparatus."""

from collatio.interop.collatex import is_collatex_json, read_collatex_witnesses

__all__ = ["is_collatex_json", "read_collatex_witnesses"]
