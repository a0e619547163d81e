"""Reproducible benchmark: collatio against CollateX on seeded synthetic witnesses.

Usage::

    python bench/run.py                      # full run, writes docs/performance.md
    python bench/run.py --quick              # smoke run (< 1 min), prints the report only
    python bench/run.py --sizes 1k,10k --witnesses 2 --out /tmp/perf.md

Witnesses come from :mod:`synth` (seeded; written to a temporary directory, removed at the
end unless ``--keep DIR``). Every measurement is a whole process, ``python -m collatio
collate FILE... --format json -o OUT`` or the CollateX script ``_collatex_run.py``, run under
a fresh ``_measure.py`` wrapper that reports wall time and the child's peak RSS. CollateX
(GPLv3) is installed into its own virtualenv (``bench/.venv-collatex`` by default, created on
first use) and never imported here.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import importlib.metadata
import itertools
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import rows as suites
import synth

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
MEASURE = BENCH / "_measure.py"
COLLATEX_RUN = BENCH / "_collatex_run.py"
COLLATEX_PACKAGES = ("collatex==2.3", "python-Levenshtein")

FULL_SIZES = (1_000, 2_000, 5_000, 10_000, 100_000, 1_000_000)
QUICK_SIZES = (1_000, 2_000, 5_000, 10_000)
WITNESS_COUNTS = (2, 3, 5)
REPEAT_LIMIT_S = 30.0
"""A first run longer than this is not repeated (best of 1 instead of best of 3)."""
SINGLE_RUN_WORDS = 1_000_000
"""Sizes from this one up are run once."""

TARGET_SPEEDUP = 200.0
TARGET_1M_SECONDS = 5.0
TARGET_1M_BYTES = 1_000_000_000
LINEAR_SLOPE_MAX = 1.2
WITNESS_SLACK = 1.25


# --------------------------------------------------------------------------- measuring


@dataclass
class Measurement:
    """The best of one or more runs of one tool on one witness set."""

    status: str  # "ok", "timeout", "crashed" or "not run (...)"
    seconds: float | None = None
    cpu: float | None = None
    """User + system CPU seconds of the run with the best wall time."""
    peak_kb: int | None = None
    runs: int = 0
    units: int | None = None
    transpositions: int | None = None
    detail: str = ""
    extra: dict[str, object] = field(default_factory=dict)
    load: float = 0.0
    """The 1-minute load average just before the first run."""

    @property
    def ok(self) -> bool:
        """Whether the tool finished successfully."""
        return self.status == "ok"


@dataclass
class Row:
    """One line of the results table."""

    words: int
    witnesses: int
    edits: int
    collatio: Measurement
    collatex: Measurement


def measure_once(command: Sequence[str], timeout: float | None,
                 env: dict[str, str] | None = None) -> dict[str, object]:
    """Run *command* under a fresh ``_measure.py`` process and return its report."""
    wrapper = [sys.executable, str(MEASURE)]
    if timeout is not None:
        wrapper += ["--timeout", str(timeout)]
    done = subprocess.run([*wrapper, "--", *command], capture_output=True, text=True,
                          env=env, check=True)
    report: dict[str, object] = json.loads(done.stdout)
    return report


def measure_best(command: Sequence[str], repeats: int, timeout: float | None,
                 env: dict[str, str] | None = None) -> Measurement:
    """Best wall time of up to *repeats* runs (one only if the first is slow); max peak."""
    best: float | None = None
    cpu: float | None = None
    peak = 0
    runs = 0
    load = os.getloadavg()[0]
    for _ in range(repeats):
        report = measure_once(command, timeout, env)
        runs += 1
        peak = max(peak, int(report["peak_kb"]))  # type: ignore[call-overload]
        if report["status"] != "ok":
            tail = str(report["stderr"]).strip().splitlines()[-1:] or [""]
            return Measurement(str(report["status"]), float(report["wall_s"]),  # type: ignore[arg-type]
                               None, peak, runs, detail=tail[0][:200], load=load)
        wall = float(report["wall_s"])  # type: ignore[arg-type]
        if best is None or wall < best:
            best, cpu = wall, float(report["cpu_s"])  # type: ignore[arg-type]
        if wall > REPEAT_LIMIT_S:
            break
    return Measurement("ok", best, cpu, peak, runs, load=load)


def snapshot_source(work: Path) -> Path:
    """Copy this checkout's ``src/`` into *work*, so that every row measures the same code
    even while ``src/`` is being edited; returns the copy's path."""
    target = work / "src"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(ROOT / "src", target,
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc"))
    # Byte-compile it as an installation would: with PYTHONDONTWRITEBYTECODE set, every run
    # would otherwise compile collatio's modules from source again (~0.1 s per process).
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(target)], check=True,
                   stdout=subprocess.DEVNULL)
    return target


def reference_source(work: Path, revision: str) -> Path:
    """The ``src/`` of git revision *revision* of this repository, byte-compiled, in *work*
    (the code a target was set against, measured beside today's on today's machine)."""
    target = work / "reference"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision, "src"],
                             capture_output=True, check=False)
    if archive.returncode != 0:
        raise SystemExit(f"--reference {revision}: git archive failed: "
                         f"{archive.stderr.decode(errors='replace').strip()}")
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(target / "src")], check=True,
                   stdout=subprocess.DEVNULL)
    return target / "src"


def collatio_env(src: Path) -> dict[str, str]:
    """The environment for collatio's child processes: *src* first on the path."""
    env = dict(os.environ)
    path = str(src)
    env["PYTHONPATH"] = path + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def run_collatio(src: Path, files: Sequence[Path], out: Path, repeats: int,
                 timeout: float | None, extra: Sequence[str] = ()) -> Measurement:
    """Time ``python -m collatio collate FILES --format json -o OUT``; count its units (and
    the stretches it aligned approximately)."""
    command = [sys.executable, "-m", "collatio", "collate", *map(str, files), *extra,
               "--format", "json", "-o", str(out)]
    result = measure_best(command, repeats, timeout, collatio_env(src))
    if result.ok:
        data = json.loads(out.read_text(encoding="utf-8"))
        kinds = Counter(unit["type"] for unit in data["apparatus"])
        result.units = len(data["apparatus"])
        result.transpositions = kinds.get("transposition", 0)
        result.extra["approximations"] = sum(
            1 for d in data.get("diagnostics", ()) if d.get("code") == "approximate-alignment")
        if len(data["witnesses"]) != len(files):
            result.detail = f"{len(data['witnesses'])} witnesses in the output"
    out.unlink(missing_ok=True)
    return result


def collatex_python(venv: Path) -> Path:
    """The CollateX virtualenv's interpreter, creating the venv and installing it if missing."""
    python = venv / "bin" / "python"
    check = [str(python), "-c", "import collatex, Levenshtein"]
    if python.exists() and subprocess.run(check, capture_output=True).returncode == 0:
        return python
    print(f"creating {venv} with {', '.join(COLLATEX_PACKAGES)} ...", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    *COLLATEX_PACKAGES], check=True)
    subprocess.run(check, check=True)
    return python


def collatex_version(python: Path) -> str:
    """CollateX's and python-Levenshtein's versions in its venv."""
    code = ("import importlib.metadata as m;"
            "print(m.version('collatex'), m.version('python-Levenshtein'))")
    done = subprocess.run([str(python), "-c", code], capture_output=True, text=True)
    versions = done.stdout.split()
    if len(versions) != 2:
        return "unknown"
    return f"collatex {versions[0]}, python-Levenshtein {versions[1]}"


def variant_runs(table: list[list[object]]) -> int:
    """Maximal runs of adjacent columns of a CollateX table where the witnesses differ."""
    runs = 0
    inside = False
    for cells in zip(*table, strict=True):
        readings = {
            None if cell is None else " ".join(str(t["n"]) for t in cell)  # type: ignore[attr-defined]
            for cell in cells
        }
        differs = len(readings) > 1
        if differs and not inside:
            runs += 1
        inside = differs
    return runs


def run_collatex(python: Path, files: Sequence[Path], out: Path, repeats: int,
                 timeout: float) -> Measurement:
    """Time the CollateX script on *files*; count the variant runs of its table."""
    command = [str(python), str(COLLATEX_RUN), str(out), *map(str, files)]
    result = measure_best(command, repeats, timeout)
    if result.ok:
        data = json.loads(out.read_text(encoding="utf-8"))
        result.units = variant_runs(data["table"])
    out.unlink(missing_ok=True)
    return result


# --------------------------------------------------------------------------- the run


def parse_size(text: str) -> int:
    """``1k`` -> 1000, ``1M`` -> 1000000, ``2500`` -> 2500."""
    text = text.strip().replace("_", "").replace(",", "")
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1:].lower(), 1)
    number = text[:-1] if factor > 1 else text
    return int(float(number) * factor)


def size_label(words: int) -> str:
    """1000 -> ``1k``, 1000000 -> ``1M``."""
    if words % 1_000_000 == 0:
        return f"{words // 1_000_000}M"
    if words % 1_000 == 0:
        return f"{words // 1_000}k"
    return f"{words:,}"


def benchmark(args: argparse.Namespace, work: Path
              ) -> tuple[list[Row], list[suites.Case], dict[str, str]]:
    """Generate every witness set, run both tools on each, and return the rows (the grid's,
    and the other suites' cases)."""
    info: dict[str, str] = {}
    src = snapshot_source(work)
    info["fingerprint"] = source_fingerprint(src)
    python = None
    if args.collatex_max_words > 0:
        python = collatex_python(Path(args.collatex_venv))
        info["collatex"] = collatex_version(python)
    vocabulary = synth.Vocabulary(args.seed)
    rows: list[Row] = []
    timed_out: dict[int, int] = {}  # witnesses -> smallest size where CollateX did not finish
    most = max(args.witnesses)
    for words in args.sizes if "grid" in args.only else ():
        start = time.perf_counter()
        witness_set = synth.write_witnesses(work / size_label(words), words, most, args.seed,
                                            vocabulary)
        log(f"{size_label(words)}: generated {most} witnesses in "
            f"{time.perf_counter() - start:.1f} s")
        for k in args.witnesses:
            files = witness_set.files(k)
            repeats = 1 if words >= SINGLE_RUN_WORDS else args.repeats
            mine = run_collatio(src, files, work / "collatio.json", repeats,
                                args.collatio_timeout)
            log(f"  collatio {size_label(words)} x{k}: {describe(mine)}")
            theirs = skip_collatex(words, k, args, timed_out)
            if theirs is None and python is not None:
                theirs = run_collatex(python, files, work / "collatex.json",
                                      1 if args.quick else repeats, args.timeout)
                if not theirs.ok:
                    timed_out.setdefault(k, words)
                log(f"  CollateX {size_label(words)} x{k}: {describe(theirs)}")
            rows.append(Row(words, k, witness_set.edits(k), mine,
                            theirs or Measurement("not run")))
        if not args.keep:
            shutil.rmtree(work / size_label(words), ignore_errors=True)

    def measure(files: Sequence[Path], extra: Sequence[str], repeats: int) -> Measurement:
        return run_collatio(src, files, work / "collatio.json", min(repeats, args.repeats),
                            args.collatio_timeout, extra)

    def collatex(files: Sequence[Path]) -> Measurement:
        assert python is not None
        return run_collatex(python, files, work / "collatex.json", 1, args.timeout)

    reference: Callable[[Sequence[Path], Sequence[str], int], Measurement] | None = None
    if args.reference and "million" in args.only:
        reference_src = reference_source(work, args.reference)

        def measure_reference(files: Sequence[Path], extra: Sequence[str], repeats: int
                              ) -> Measurement:
            return run_collatio(reference_src, files, work / "collatio.json",
                                min(repeats, args.repeats), args.collatio_timeout, extra)

        reference = measure_reference

    cases = suites.run_suites(args, work / "suites", src, python, measure, collatex, log,
                              reference)
    return rows, cases, info


def skip_collatex(words: int, k: int, args: argparse.Namespace, timed_out: dict[int, int]
                  ) -> Measurement | None:
    """Why CollateX is not run on this set, or None if it is run."""
    if args.quick and (words > 1_000 or k > 2):
        return Measurement("not run (--quick: only the 1k pair)")
    if k in timed_out and words > timed_out[k]:
        return Measurement(f"not run (too slow: >{args.timeout:g} s at "
                           f"{size_label(timed_out[k])})")
    if args.collatex_max_words <= 0:
        return Measurement("not run (--collatex-max-words 0)")
    if words > args.collatex_max_words:
        if 2 in timed_out:
            return Measurement(f"not run (too slow: >{args.timeout:g} s at "
                               f"{size_label(timed_out[2])} for a pair)")
        return Measurement(f"not run (above {size_label(args.collatex_max_words)} words)")
    return None


def describe(m: Measurement) -> str:
    """A one-line summary of a measurement for the progress log."""
    if m.seconds is None:
        return m.status
    text = f"{m.status} {m.seconds:.2f} s"
    if m.cpu is not None:
        text += f" (CPU {m.cpu:.2f} s)"
    text += f", {mib(m.peak_kb):.0f} MiB, {m.runs} run(s)"
    if m.units is not None:
        text += f", {m.units} units"
    return text + (f" [{m.detail}]" if m.detail else "")


def log(message: str) -> None:
    """Progress on stderr."""
    print(message, file=sys.stderr, flush=True)


def mib(kb: int | None) -> float:
    """KiB -> MiB."""
    return (kb or 0) / 1024


# --------------------------------------------------------------------------- the report


def source_fingerprint(src: Path) -> str:
    """A short SHA-256 of the collatio sources under *src* (names and contents; symlinked
    directories followed, as the snapshot's copy follows them; build metadata left out)."""
    digest = hashlib.sha256()
    files = sorted(Path(root, name) for root, _, names in os.walk(src, followlinks=True)
                   for name in names)
    for path in files:
        parts = path.relative_to(src).parts
        if "__pycache__" not in parts and path.suffix != ".pyc" \
                and not any(part.endswith(".egg-info") for part in parts):
            digest.update(str(path.relative_to(src)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def machine_info() -> dict[str, str]:
    """Cores, memory, CPU, OS, Python and the checkout's commit."""
    info = {"nproc": str(len(os.sched_getaffinity(0)))}
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemTotal:"):
                info["memory"] = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    info["os"] = platform.platform()
    info["python"] = f"{platform.python_implementation()} {platform.python_version()}"
    for package in ("fast-diff-match-patch", "diff-match-patch", "regex", "attrs"):
        try:
            info[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            info[package] = "not installed"
    git = shutil.which("git")
    if git:
        head = subprocess.run([git, "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run([git, "-C", str(ROOT), "status", "--porcelain", "--", "src"],
                               capture_output=True, text=True).stdout.strip()
        info["commit"] = head + (" plus uncommitted changes in src/" if dirty else "")
    return info


def fmt_time(m: Measurement) -> str:
    """Seconds for the table, or the reason there are none."""
    if m.ok and m.seconds is not None:
        best = "" if m.runs == 1 else f" (best of {m.runs})"
        return f"{m.seconds:.2f}{best}"
    if m.status in ("timeout", "crashed"):
        return f"{m.status} ({m.seconds:.0f} s)" if m.seconds is not None else m.status
    return m.status


def fmt_peak(m: Measurement) -> str:
    """Peak RSS in MiB, or a dash."""
    return f"{mib(m.peak_kb):,.0f}" if m.peak_kb and m.status != "timeout" else "–"


def speedup(row: Row, timeout: float) -> str:
    """CollateX time / collatio time, a lower bound when CollateX timed out."""
    mine, theirs = row.collatio, row.collatex
    if not mine.ok or not mine.seconds:
        return "–"
    if theirs.ok and theirs.seconds:
        return f"{theirs.seconds / mine.seconds:,.0f}x"
    if theirs.status == "timeout":
        return f"> {timeout / mine.seconds:,.0f}x"
    return "–"


def table(rows: Sequence[Row], timeout: float) -> str:
    """The Markdown results table."""
    lines = [
        "| words | witnesses | collatio time (s) | collatio CPU (s) | collatio peak (MiB) "
        "| units (transp.) | word edits made | CollateX time (s) | CollateX peak (MiB) "
        "| CollateX variant runs | speed-up |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        mine, theirs = row.collatio, row.collatex
        units = f"{mine.units:,} ({mine.transpositions})" if mine.units is not None else "–"
        lines.append(
            f"| {size_label(row.words)} | {row.witnesses} | {fmt_time(mine)} "
            f"| {'–' if mine.cpu is None else f'{mine.cpu:.2f}'} | {fmt_peak(mine)} "
            f"| {units} | {row.edits:,} | {fmt_time(theirs)} | {fmt_peak(theirs)} "
            f"| {theirs.units if theirs.units is not None else '–'} "
            f"| {speedup(row, timeout)} |"
        )
    return "\n".join(lines)


def find(rows: Sequence[Row], words: int, witnesses: int) -> Row | None:
    """The row for *words* and *witnesses*, if measured."""
    return next((r for r in rows if r.words == words and r.witnesses == witnesses), None)


def slope(x1: float, y1: float, x2: float, y2: float) -> float:
    """The log-log slope between two points (1.0 is linear growth)."""
    return math.log(y2 / y1) / math.log(x2 / x1)


def verdict(met: bool | None) -> str:
    """**met** / **MISSED** / not measured."""
    return "not measured" if met is None else ("**met**" if met else "**MISSED**")


def targets(rows: Sequence[Row], timeout: float) -> list[str]:
    """One bullet per project target, with the measured numbers and the verdict."""
    out: list[str] = []

    pair = find(rows, 2_000, 2)
    if pair and pair.collatio.ok and pair.collatio.seconds:
        mine, theirs = pair.collatio, pair.collatex
        if theirs.ok and theirs.seconds:
            factor = theirs.seconds / mine.seconds
            met: bool | None = factor >= TARGET_SPEEDUP
            text = (f"CollateX {theirs.seconds:.1f} s / collatio {mine.seconds:.2f} s = "
                    f"{factor:,.0f}x")
            if not met:
                text += f", {TARGET_SPEEDUP / factor:.1f}x short of the target"
            if theirs.cpu and mine.cpu:
                text += (f"; in CPU time {theirs.cpu:.1f} s / {mine.cpu:.2f} s = "
                         f"{theirs.cpu / mine.cpu:,.0f}x")
        elif theirs.status == "timeout":
            factor = timeout / mine.seconds
            met = True if factor >= TARGET_SPEEDUP else None
            text = f"CollateX did not finish in {timeout:g} s; collatio {mine.seconds:.2f} s: " \
                   f"> {factor:,.0f}x"
        else:
            met, text = None, f"CollateX {theirs.status}"
    else:
        met, text = None, "2k pair not run"
    out.append(f"- At least {TARGET_SPEEDUP:.0f}x faster than CollateX on a 2,000-word pair, "
               f"whole process: {verdict(met)} ({text}).")

    big = find(rows, 1_000_000, 2)
    if big and big.collatio.ok and big.collatio.seconds and big.collatio.peak_kb:
        seconds, peak = big.collatio.seconds, big.collatio.peak_kb * 1024
        time_ok, mem_ok = seconds < TARGET_1M_SECONDS, peak < TARGET_1M_BYTES
        over = "under" if time_ok else f"{seconds / TARGET_1M_SECONDS:.1f}x"
        text = (f"{seconds:.1f} s wall ({over} the {TARGET_1M_SECONDS:g} s limit), "
                f"{big.collatio.cpu or 0:.1f} s CPU, peak "
                f"{peak / 1e9:.2f} GB ({'under' if mem_ok else 'over'} "
                f"{TARGET_1M_BYTES / 1e9:g} GB)")
        met = time_ok and mem_ok
    else:
        met = None
        text = f"1M pair {big.collatio.status}" if big else "1M pair not run"
    out.append(f"- A 1,000,000-word pair collated to JSON in under {TARGET_1M_SECONDS:g} s with "
               f"under {TARGET_1M_BYTES / 1e9:g} GB peak: {verdict(met)} ({text}).")

    def cost(m: Measurement) -> float:
        return m.cpu or m.seconds or 0.0

    points = [(r.words, r.collatio) for r in rows
              if r.witnesses == 2 and r.words >= 10_000 and r.collatio.ok and cost(r.collatio)]
    if len(points) >= 2:
        steps = []
        for (w1, m1), (w2, m2) in itertools.pairwise(points):
            steps.append(f"{size_label(w1)}→{size_label(w2)}: time exponent "
                         f"{slope(w1, cost(m1), w2, cost(m2)):.2f}, memory exponent "
                         f"{slope(w1, m1.peak_kb or 1, w2, m2.peak_kb or 1):.2f}")
        (w1, m1), (w2, m2) = points[-2], points[-1]
        last = slope(w1, cost(m1), w2, cost(m2))
        per = ", ".join(f"{size_label(w)} {1e6 * cost(m) / w:.1f} ms" for w, m in points)
        met = last <= LINEAR_SLOPE_MAX
        text = "; ".join(steps) + f"; CPU time per 1,000 words: {per}"
    else:
        met, text = None, "fewer than two pair sizes of 10k words or more"
    out.append(f"- Growth close to linear (log-log exponent of the pair's CPU time at most "
               f"{LINEAR_SLOPE_MAX} between the two largest sizes; below 100k words start-up "
               f"dominates): {verdict(met)} ({text}).")

    largest = [r.words for r in rows if r.witnesses == 2 and r.collatio.ok]
    notes = []
    met = None
    for words in sorted({w for w in largest if w >= 10_000}, reverse=True)[:2]:
        base = find(rows, words, 2)
        for k in (3, 5):
            row = find(rows, words, k)
            if not (base and row and cost(base.collatio) and row.collatio.ok
                    and cost(row.collatio)):
                continue
            ratio = cost(row.collatio) / cost(base.collatio)
            mem = (row.collatio.peak_kb or 0) / (base.collatio.peak_kb or 1)
            ok = ratio <= WITNESS_SLACK * (k - 1)
            met = ok if met is None else (met and ok)
            notes.append(f"{size_label(words)} x{k}: {ratio:.2f}x the pair's CPU time "
                         f"(bound {WITNESS_SLACK * (k - 1):.2f}x), {mem:.2f}x its memory")
    out.append(f"- 3 and 5 witnesses costing roughly linearly more (CPU time at most "
               f"{WITNESS_SLACK} x (witnesses - 1) x the pair's, at the two largest sizes): "
               f"{verdict(met)} ({'; '.join(notes) or 'not enough sizes'}).")
    return out


#: Options whose values are paths of the machine the benchmark ran on, as the report names
#: them: a path inside the checkout relative to it, any other by what it stands for.
_PATH_OPTIONS = {"--collatex-venv": "VENV", "--out": "PATH", "--results": "PATH",
                 "--keep": "DIR"}


def shown_options(argv: Sequence[str]) -> list[str]:
    """*argv* as the report names it: no path of this machine outside the checkout.

    >>> shown_options(["--only", "grid", "--collatex-venv=/opt/v", "--out", str(ROOT / "x.md")])
    ['--only', 'grid', '--collatex-venv=VENV', '--out', 'x.md']
    """
    out: list[str] = []
    pending: str | None = None
    for arg in argv:
        name, eq, value = arg.partition("=")
        if pending is not None:
            out.append(_shown_path(arg, pending))
            pending = None
        elif eq and name in _PATH_OPTIONS:
            out.append(f"{name}={_shown_path(value, _PATH_OPTIONS[name])}")
        else:
            out.append(arg)
            pending = _PATH_OPTIONS.get(arg)
    return out


def _shown_path(value: str, stands_for: str) -> str:
    path = Path(value).resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else stands_for


def report(rows: Sequence[Row], args: argparse.Namespace, info: dict[str, str],
           elapsed: float, cases: Sequence[suites.Case] = ()) -> str:
    """The whole Markdown document."""
    m = args.machine
    command = args.shown or " ".join(["python bench/run.py", *shown_options(args.argv)])
    loads = [x.load for r in rows for x in (r.collatio, r.collatex) if x.runs]
    loads += [x.load for c in cases for x in (c.collatio, c.collatex) if x is not None and x.runs]
    load = f"{min(loads):.2f} to {max(loads):.2f}" if loads else "?"
    mix = ", ".join(f"{name} {share:.0%}" for name, share in synth.EDIT_MIX)
    method = [
        f"Machine: {m.get('nproc')} cores (`nproc`), {m.get('memory', '?')} memory, "
        f"{m.get('cpu', '?')}; {m.get('os')}; {m.get('python')}.",
        f"collatio: this checkout at commit {m.get('commit', '?')}; {info['source']}. "
        f"fast-diff-match-patch {m.get('fast-diff-match-patch')}, diff-match-patch "
        f"{m.get('diff-match-patch')}, regex {m.get('regex')}, attrs {m.get('attrs')}. Command: "
        "`python -m collatio collate A.txt B.txt [...] --format json -o out.json` (defaults: "
        "transposition detection on, `--join 2`, `--workers` one per core: files and texts of "
        "500,000 characters or more are read and tokenized side by side in forked processes, "
        "whose time the CPU figures include).",
        f"CollateX: {info.get('collatex', 'not run')}, in its own virtualenv "
        "(`bench/.venv-collatex`, created by the script: CollateX is GPLv3 and never a "
        "dependency of collatio). `bench/_collatex_run.py` adds each file with "
        "`add_plain_witness` and runs `collate(collation, output=\"json\", "
        "segmentation=False)` with the other defaults (no near matching; its transposition "
        "detection crashes, so it is off), writing the JSON to a file. Time limit "
        f"{args.timeout:g} s per run; not run above "
        f"{size_label(args.collatex_max_words) if args.collatex_max_words else '0'} words, "
        "nor on sets larger than one where it already hit the limit.",
        "Time: wall clock of the whole child process (interpreter start-up, imports, reading, "
        "collation, JSON writing; collatio's modules byte-compiled beforehand, as in an "
        "installation), taken by a fresh wrapper process (`bench/_measure.py`) "
        "around `subprocess.Popen(...).wait()`; "
        + (f"best of {args.repeats} runs, or one run when the first took over "
           f"{REPEAT_LIMIT_S:g} s, and " if args.repeats > 1 else "")
        + f"one run at {size_label(SINGLE_RUN_WORDS)} words"
        + ("." if args.repeats > 1 else " and below."),
        "Memory: peak resident set size of the child, "
        "`resource.getrusage(RUSAGE_CHILDREN).ru_maxrss` read by that wrapper after reaping "
        "it; the largest over the runs. MiB = 2^20 bytes, GB = 10^9 bytes.",
        f"Load: the machine may be shared (other work on its {m.get('nproc')} cores); the "
        f"1-minute load average before each measurement ranged from {load} in this run. A "
        "load near the core count inflates times.",
        f"Witnesses (`bench/synth.py`, seed {args.seed}): a base text of exactly N words drawn "
        f"from {synth.VOCABULARY_SIZE:,} word forms ({len(synth.FUNCTION_WORDS)} common "
        "English words ranked first, then invented syllabic forms) with a Zipf-Mandelbrot "
        f"distribution 1 / (rank + {synth.ZIPF_SHIFT})^{synth.ZIPF_EXPONENT}; log-normal "
        "sentence lengths (3-45 words, median about 16), a comma after ~7% of words, "
        "`.`/`?`/`!` endings, paragraphs of 3-9 sentences separated by blank lines, lines "
        f"wrapped at {synth.LINE_WIDTH} characters. Each variant is derived from the base "
        f"independently (its own sub-seed): every word is edited with probability "
        f"{synth.EDIT_RATE:.0%} ({mix}; an insertion adds 1-2 words), then one sentence of "
        f"{synth.MOVED_WORDS[0]}-{synth.MOVED_WORDS[1]} words is moved to a sentence boundary "
        "in another paragraph. Witness A is the base and B, C, ... the variants; a set of k "
        "witnesses is A plus the first k-1 variants (the pair is part of the triple, the "
        "triple of the five). The files go to a temporary directory and are deleted.",
        f"Sizes: {', '.join(size_label(w) for w in args.sizes)}; witnesses per set: "
        f"{', '.join(map(str, args.witnesses))}.",
        f"Suites run: {', '.join(args.only)}. The hard inputs (`bench/rows.py`, "
        "`bench/synth.py`): *repetitive*, seed 002's prose repeated to N words against a "
        "rewrite with its paragraphs shuffled and a fifth of its words replaced by words of "
        "the same text; *disjoint*, two synthetic texts whose word forms share nothing (only "
        "punctuation); *many*, a 100-word base text and its variants; *darwin*, the six "
        "editions of Darwin's chapter 1 (CollateX's demo data); *frankenstein*, the novel in "
        "four editions, its preliminary XML reduced to paragraphs (deletions left out) by a "
        "bench-only conversion; *interrupt*, SIGINT sent to collatio 1, 2 and 3 times "
        f"{args.interrupt_after:g} s after it started on a 200k-word hard pair, timed until "
        "it exits. Hard inputs and real texts run with `--convention plain`.",
    ]
    if getattr(args, "reference", None) and "million" in args.only:
        method.append(
            f"Reference: the million pair also run with the code of revision {args.reference} "
            "(its `src/` from git, byte-compiled), one run of each code in turn, so that both "
            "meet the machine in the same state; the best run of each is shown.")
    bullets = "\n".join(f"- {line}" for line in method)
    grid = f"""## Results

{table(rows, args.timeout)}
""" if rows else "## Results\n\n(the synthetic grid was not run: `--only` left it out)\n"
    hard = f"""
## {HARD_SECTION}

Generated by `{command}` on {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC:
collatio at commit {m.get('commit', '?')} ({info['source']}),
{info.get('collatex', 'CollateX not run')};
{m.get('nproc')} cores, {m.get('cpu', '?')}, {m.get('python')}; 1-minute load average {load} before
the measurements (a load near the core count inflates wall times; the targets on two sizes
compare CPU times).

{suites.tables(cases)}

*approximated stretches*: stretches that the aligner placed by its bounded windowed fallback
(no anchor at any scale in a stretch too costly to diff exactly), each reported as an
`approximate-alignment` diagnostic. CollateX runs on the small sizes (and on what it can finish
within {args.timeout:g} s); "not run" where it was not tried.

{chr(10).join(suites.targets(cases))}
""" if cases else ""
    return f"""# Performance

Generated by `{command}` on {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC
(total {elapsed / 60:.1f} min). Do not edit by hand: rerun the benchmark.

{grid}

*collatio CPU*: user + system CPU time of that best run, its forked processes included
(close to the wall time when the machine is otherwise idle, since collatio runs on one core but
where it reads and tokenizes texts of 500,000 characters or more side by side: above it there;
much lower when other work competes).
*units*: variation units in collatio's JSON apparatus (in brackets: how many of them are
transpositions). *word edits made*: substitutions, deletions and insertions the generator made
in the variants (each variant also has one moved sentence); units should be of the same order
(adjacent edits share a unit, agreements of up to 2 words between edits are absorbed).
*CollateX variant runs*: maximal runs of adjacent columns of CollateX's alignment table in which
the witnesses differ, a comparable count. *speed-up*: CollateX time / collatio time; "> N x"
where CollateX hit the time limit.

## Targets

{chr(10).join(targets(rows, args.timeout))}
{hard}
## Method

{bullets}

## Reproduce

<!-- not-run: the benchmark takes minutes (CollateX alone) and rewrites this file; it is run
     on a quiet machine, never inside the tests -->
```bash
python bench/run.py            # full run (CollateX alone takes several minutes); rewrites this file
python bench/run.py --quick    # smoke run under a minute: no 100k/1M, CollateX only on the 1k pair
python bench/run.py --only drastic --drastic-sizes 2k,10k   # one suite, small, report to stdout
python bench/rows.py           # every alignment suite beside CollateX; merges its section here
```

Options: `--sizes 1k,10k,1M`, `--witnesses 2,3`, `--timeout 120` (CollateX, per run),
`--collatio-timeout 900`, `--collatex-max-words 5k` (0 skips CollateX), `--repeats 3`,
`--seed 1950`, `--out PATH`, `--keep DIR` (keep the witness files and the source snapshot),
`--results PATH` (the raw measurements as JSON), `--only grid,drastic,many,million,darwin,
frankenstein,interrupt` (default: all but million), `--drastic-sizes`, `--many-counts`,
`--interrupt-after`, `--reference REV` (the million pair also timed with the code of git
revision REV, the runs taking turns: how this machine compares with the one a target was set
on). `python bench/hotspots.py --words 100k` shows where collatio's time goes (`--memory`:
its allocations).
"""


# --------------------------------------------------------------------------- command line


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: sizes up to 10k, CollateX only on the 1k pair, "
                        "report to stdout unless --out is given")
    parser.add_argument("--sizes", help="comma-separated word counts, e.g. 1k,2k,1M")
    parser.add_argument("--witnesses", default=",".join(map(str, WITNESS_COUNTS)),
                        help="comma-separated witness counts (default: 2,3,5)")
    parser.add_argument("--out", help="Markdown report (default: docs/performance.md; "
                        "with --quick: stdout only)")
    parser.add_argument("--seed", type=int, default=1950)
    parser.add_argument("--repeats", type=int, default=3, help="runs per measurement (best of)")
    parser.add_argument("--timeout", type=float, default=120.0,
                        help="CollateX time limit per run, in seconds (default 120)")
    parser.add_argument("--collatio-timeout", type=float, default=900.0,
                        help="collatio time limit per run, in seconds (default 900)")
    parser.add_argument("--collatex-max-words", type=parse_size, default=5_000,
                        help="largest size CollateX is run on (default 5k; 0: never)")
    parser.add_argument("--collatex-venv", default=str(BENCH / ".venv-collatex"))
    parser.add_argument("--keep", metavar="DIR", help="write the witnesses into DIR and keep them")
    parser.add_argument("--results", metavar="PATH", help="also write the raw rows as JSON")
    parser.add_argument("--only", help="comma-separated suites to run: "
                        f"{', '.join(suites.SUITES)} (default: all but million, which the "
                        "grid's 1M pair covers); a subset prints its report unless --out")
    parser.add_argument("--drastic-sizes", default=",".join(map(str, suites.DRASTIC_SIZES)),
                        help="word counts of the drastic suite (default 2k,50k,100k,200k)")
    parser.add_argument("--many-counts", default=",".join(map(str, suites.MANY_COUNTS)),
                        help="text counts of the many suite (default 100,400,1000)")
    parser.add_argument("--reference", metavar="REV",
                        help="also time the million pair with the code of git revision REV "
                        "(the code its target was set against), runs taking turns with "
                        "today's: how this machine compares with the one the target was set on")
    parser.add_argument("--interrupt-after", type=float, default=3.0,
                        help="seconds before SIGINT in the interrupt suite (default 3)")
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    every = [name for name in suites.SUITES if name != "million"]
    args.only = [n.strip() for n in args.only.split(",")] if args.only else every
    unknown = sorted(set(args.only) - set(suites.SUITES))
    if unknown:
        parser.error(f"--only: unknown suite {', '.join(unknown)}; "
                     f"choose from {', '.join(suites.SUITES)}")
    args.drastic_sizes = [parse_size(t) for t in args.drastic_sizes.split(",")]
    args.many_counts = [int(t) for t in args.many_counts.split(",")]
    if args.quick:
        args.only = ["grid"]
    default_sizes = QUICK_SIZES if args.quick else FULL_SIZES
    args.sizes = [parse_size(s) for s in args.sizes.split(",")] if args.sizes else default_sizes
    args.witnesses = sorted({int(k) for k in args.witnesses.split(",")})
    if min(args.witnesses) < 2:
        parser.error("--witnesses: at least 2")
    if args.quick:
        args.collatex_max_words = min(args.collatex_max_words, 1_000)
    if args.out is None and not args.quick and set(args.only) == set(every):
        args.out = str(ROOT / "docs" / "performance.md")
    return args


HARD_SECTION = "Hard inputs, many texts, real texts"


def _sections(text: str) -> tuple[str, list[tuple[str, str]]]:
    """A Markdown document as its preamble and its ``## `` sections (heading, whole text)."""
    parts = text.split("\n## ")
    return parts[0], [(part.split("\n", 1)[0].strip(), "## " + part) for part in parts[1:]]


def merged(old: str, new: str, produced: set[str]) -> str:
    """*new*, whose sections not in *produced* are taken from *old* where it has them, with
    *old*'s other sections (another benchmark's, such as the survey's) kept after them."""
    old_preamble, old_sections = _sections(old)
    preamble, new_sections = _sections(new)
    if "Results" not in produced:  # the preamble dates the grid's run
        preamble = old_preamble
    kept = dict(old_sections)
    out = [preamble.rstrip("\n") + "\n"]
    for heading, body in new_sections:
        out.append(body if heading in produced or heading not in kept else kept[heading])
    names = {heading for heading, _ in new_sections}
    out.extend(body for heading, body in old_sections if heading not in names)
    return "\n".join(part.rstrip("\n") + "\n" for part in out)


def main(argv: Sequence[str] | None = None, shown: str | None = None) -> str:
    """Run the benchmark, write the report and return it (*shown*: the command named in it,
    by default ``python bench/run.py`` and *argv*)."""
    args = parse_args(argv)
    args.shown = shown
    start = time.perf_counter()
    args.machine = machine_info()  # the commit and the state of src/ when the snapshot is taken
    if args.keep:
        work = Path(args.keep)
        work.mkdir(parents=True, exist_ok=True)
        rows, cases, info = benchmark(args, work)
    else:
        with tempfile.TemporaryDirectory(prefix="collatio-bench-") as tmp:
            rows, cases, info = benchmark(args, Path(tmp))
    changed = source_fingerprint(ROOT / "src") != info["fingerprint"]
    info["source"] = f"snapshot of `src/` taken at the start, fingerprint {info['fingerprint']}"
    if changed:
        info["source"] += " (`src/` was edited during the run; every row measured the snapshot)"
    text = report(rows, args, info, time.perf_counter() - start, cases)
    if args.results:
        raw = {"info": info, "machine": args.machine, "rows": [asdict(row) for row in rows],
               "cases": [asdict(case) for case in cases]}
        Path(args.results).write_text(json.dumps(raw, indent=1), encoding="utf-8")
    if args.out:
        target = Path(args.out)
        produced = {"Reproduce"}
        if rows:  # the grid's method; a run of other suites only keeps it as it was
            produced |= {"Results", "Targets", "Method"}
        if cases:
            produced.add(HARD_SECTION)
        if target.exists():  # keep what this run did not measure, and others' sections
            text = merged(target.read_text(encoding="utf-8"), text, produced)
        target.write_text(text, encoding="utf-8")
        log(f"wrote {args.out}")
    else:
        print(text)
    return text


if __name__ == "__main__":
    main()
