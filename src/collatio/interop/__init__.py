"""Other tools' formats: CollateX JSON witnesses as input."""

from collatio.interop.collatex import is_collatex_json, read_collatex_witnesses

__all__ = ["is_collatex_json", "read_collatex_witnesses"]
