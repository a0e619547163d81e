"""Fuzzing: the crashes fuzzers found stay fixed, and a short fuzz run finds nothing new."""

from __future__ import annotations

import os
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
    check = targets.check_parse if path.name.startswith("parse-") else targets.check_collate
    check(path.read_bytes())


def test_seed_corpora_pass() -> None:
    for path in sorted((FUZZ / "seed-corpus" / "parse").iterdir()):
        targets.check_parse(path.read_bytes())
    for path in sorted((FUZZ / "seed-corpus" / "collate").iterdir()):
        targets.check_collate(path.read_bytes())


@pytest.mark.parametrize(("target", "runs"), [("parse", 2500), ("collate", 1200)])
def test_short_fuzz_run_finds_nothing(tmp_path: Path, target: str, runs: int) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(FUZZ)]))
    result = subprocess.run(
        [sys.executable, str(FUZZ / f"fuzz_{target}.py"), str(corpus),
         str(FUZZ / "seed-corpus" / target), f"-runs={runs}", "-seed=1950",
         f"-artifact_prefix={tmp_path}/"],
        capture_output=True, text=True, env=env, timeout=600, cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"Done {runs} runs" in result.stderr
