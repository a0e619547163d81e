"""Fuzzing: the crashes fuzzers found stay fixed, and a short fuzz run finds nothing new."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FUZZ = ROOT / "fuzz"
REGRESSIONS = sorted((ROOT / "tests" / "data" / "fuzz-regressions").iterdir())

sys.path.insert(0, str(FUZZ))
import targets  # noqa: E402


@pytest.mark.parametrize("path", REGRESSIONS, ids=lambda p: p.name)
def test_fuzz_regressions_stay_fixed(path: Path) -> None:
    targets.TARGETS[path.name.split("-", 1)[0]](path.read_bytes())


@pytest.mark.parametrize("target", sorted(targets.TARGETS))
def test_seed_corpora_pass(target: str) -> None:
    seeds = sorted((FUZZ / "seed-corpus" / target).iterdir())
    assert seeds, f"no seed corpus for {target}"
    for path in seeds:
        targets.TARGETS[target](path.read_bytes())


def mutations(seed: bytes, rng: random.Random) -> bytes:
    """*seed* with a few random byte-level edits (as a fuzzer makes them, uninstrumented)."""
    data = bytearray(seed)
    for _ in range(rng.randint(1, 8)):
        choice = rng.random()
        at = rng.randrange(len(data) + 1)
        if choice < 0.3 and data:
            data[min(at, len(data) - 1)] = rng.randrange(256)
        elif choice < 0.5:
            data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 6)))
        elif choice < 0.7 and data:
            del data[at : at + rng.randint(1, 40)]
        elif choice < 0.85 and data:
            start = rng.randrange(len(data))
            data[at:at] = data[start : start + rng.randint(1, 60)]
        else:
            data[at:at] = rng.choice([b"\\ud800", b"\xff\xfe", b"\xed\xa0\x80", b"[[[[", b"]]",
                                      b'"id": "A", ', b"<del>", b"</p>", b"&a;", b"9" * 50,
                                      b"\x00", b"\x1b[2J", "\u202e".encode()])
    return bytes(data)


@pytest.mark.parametrize("target", ["read", "manifest", "convention", "write"])
def test_mutated_seeds_keep_every_guarantee(target: str) -> None:
    """The byte-level targets on a few hundred mutations of their seeds, in this process (a
    fixed seed: the same inputs every run)."""
    rng = random.Random(1950)
    seeds = [p.read_bytes() for p in sorted((FUZZ / "seed-corpus" / target).iterdir())]
    check = targets.TARGETS[target]
    for _ in range(150 if target == "write" else 300):
        check(mutations(rng.choice(seeds), rng))


@pytest.mark.parametrize(("target", "runs"), [("parse", 2500), ("collate", 1200), ("read", 600)])
def test_short_fuzz_run_finds_nothing(tmp_path: Path, target: str, runs: int) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(FUZZ)]))
    result = subprocess.run(
        [sys.executable, str(FUZZ / "fuzz.py"), target, str(corpus),
         str(FUZZ / "seed-corpus" / target), f"-runs={runs}", "-seed=1950",
         "-timeout=60",  # an input that hangs is a finding (saved as timeout-...), not a stall
         f"-artifact_prefix={tmp_path}/"],
        capture_output=True, text=True, env=env, timeout=600, cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"Done {runs} runs" in result.stderr
