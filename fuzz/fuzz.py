"""Fuzz one target of ``targets.py`` with atheris: ``parse``, ``collate``, ``read`` (every
reader, byte-level), ``manifest``, ``convention`` or ``write`` (the command line's outputs).

    mkdir -p fuzz/corpus/read
    python fuzz/fuzz.py read fuzz/corpus/read fuzz/seed-corpus/read -max_total_time=600

A crash writes ``crash-<hash>``: copy it to ``tests/data/fuzz-regressions/<target>-<what>``
so the test suite replays it forever.
"""

import os
import sys

import atheris

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

with atheris.instrument_imports():
    import targets

if len(sys.argv) < 2 or sys.argv[1] not in targets.TARGETS:
    sys.exit(f"usage: fuzz.py TARGET [libFuzzer options]; targets: {', '.join(targets.TARGETS)}")
target = targets.TARGETS[sys.argv.pop(1)]
atheris.Setup(sys.argv, target)
atheris.Fuzz()
