"""Fuzz the collate-and-render path with atheris.

    mkdir -p fuzz/corpus/collate
    python fuzz/fuzz_collate.py fuzz/corpus/collate fuzz/seed-corpus/collate -max_total_time=600

A crash writes ``crash-<hash>``: copy it to ``tests/data/fuzz-regressions/collate-<what>`` so
the test suite replays it forever.
"""

import os
import sys

import atheris

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

with atheris.instrument_imports():
    import targets

atheris.Setup(sys.argv, targets.check_collate)
atheris.Fuzz()
