"""Fuzz the parser with atheris.

    mkdir -p fuzz/corpus/parse
    python fuzz/fuzz_parse.py fuzz/corpus/parse fuzz/seed-corpus/parse -max_total_time=600

A crash writes ``crash-<hash>``: copy it to ``tests/data/fuzz-regressions/parse-<what>`` so
the test suite replays it forever.
"""

import os
import sys

import atheris

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

with atheris.instrument_imports():
    import targets

atheris.Setup(sys.argv, targets.check_parse)
atheris.Fuzz()
