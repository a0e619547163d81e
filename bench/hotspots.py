"""Where collatio's time and memory go on a synthetic witness set (a diagnostic, not a test).

Usage::

    python bench/hotspots.py --words 100k [--witnesses 2] [--top 25]            # cProfile
    python bench/hotspots.py --words 100k --memory                           # tracemalloc
    python bench/hotspots.py --words 1M --stages                             # stage times only

Runs ``collatio collate A.txt B.txt --format json -o OUT`` in this process, with the same
seeded witnesses as ``bench/run.py``. The pipeline's stages are wrapped (by patching module
attributes here, never by editing ``src/``) to report each stage's wall time and the process's
peak RSS after it; ``--memory`` also traces allocations (slower: 2-4x) and prints each
stage's allocation peak and the allocation sites alive at the end of collation.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import importlib
import io
import pstats
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import synth

ROOT = Path(__file__).resolve().parent.parent

STAGES = (
    ("parse: read, split, markup, witnesses", "collatio", "parse"),
    ("tokenize", "collatio.apparatus.build", "tokenize"),
    ("align: diff, graph, columns, transpositions", "collatio.apparatus.build",
     "align_texts"),
    ("words with their punctuation", "collatio.apparatus.build", "groups_of"),
    ("cut the table into units", "collatio.apparatus.grouping", "Cutter.top_level"),
    ("readings, places, base text", "collatio.apparatus.build", "_units"),
    ("revision fates", "collatio.apparatus.build", "revision_fates"),
    ("render JSON and write it (made as written)", "collatio.cli.collate", "write"),
)

records: list[tuple[str, float, float, float | None]] = []
"""(stage, seconds, peak RSS MiB after it, tracemalloc peak MiB during it)."""


def _wrap(label: str, function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)
    def timed(*args: Any, **kwargs: Any) -> Any:
        tracing = tracemalloc.is_tracing()
        if tracing:
            tracemalloc.reset_peak()
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            seconds = time.perf_counter() - start
            traced = tracemalloc.get_traced_memory()[1] / 2**20 if tracing else None
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            records.append((label, seconds, rss, traced))
            if label.startswith("group") and tracing:
                _snapshot("allocations alive at the end of grouping")
    return timed


def _by_stage() -> dict[str, tuple[int, float, float, float | None]]:
    """The records summed per stage, in the order the stages first ran: calls, seconds,
    the largest peak RSS after a call, the largest traced peak (a stage run once per
    witness, such as tokenizing, is one line, not a thousand)."""
    out: dict[str, tuple[int, float, float, float | None]] = {}
    for label, seconds, rss, traced in records:
        calls, total, top, most = out.get(label, (0, 0.0, 0.0, None))
        if traced is not None:
            most = traced if most is None else max(most, traced)
        out[label] = (calls + 1, total + seconds, max(top, rss), most)
    return out


def _snapshot(title: str, top: int = 12) -> None:
    snapshot = tracemalloc.take_snapshot()
    stats = snapshot.statistics("lineno")
    total = sum(s.size for s in stats)
    print(f"\n{title}: {total / 2**20:,.0f} MiB traced")
    for stat in stats[:top]:
        frame = stat.traceback[0]
        where = frame.filename.split("/src/")[-1]
        print(f"  {stat.size / 2**20:8.1f} MiB {100 * stat.size / total:5.1f}%  "
              f"{stat.count:>9,} blocks  {where}:{frame.lineno}")


def _install() -> None:
    for label, module_name, attribute in STAGES:
        module = importlib.import_module(module_name)
        owner: Any = module
        *path, name = attribute.split(".")
        for part in path:
            owner = getattr(owner, part)
        setattr(owner, name, _wrap(label, getattr(owner, name)))


def main() -> None:
    """Generate the witnesses, run collatio under the profiler, print the breakdown."""
    import run  # the size parser

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=run.parse_size, default=100_000)
    parser.add_argument("--witnesses", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1950)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--memory", action="store_true", help="trace allocations")
    parser.add_argument("--stages", action="store_true",
                        help="stage times only, without the profiler's overhead")
    parser.add_argument("--src", default=str(ROOT / "src"), help="collatio's sources")
    args = parser.parse_args()
    sys.path.insert(0, args.src)
    from collatio import cli

    _install()
    with tempfile.TemporaryDirectory(prefix="collatio-profile-") as tmp:
        witness_set = synth.write_witnesses(Path(tmp), args.words, args.witnesses, args.seed)
        argv = ["collate", *map(str, witness_set.paths), "--format", "json",
                "-o", str(Path(tmp) / "out.json")]
        profile = None if args.memory or args.stages else cProfile.Profile()
        if args.memory:
            tracemalloc.start()
        start = time.perf_counter()
        if profile:
            profile.enable()
        status = cli.main(argv)
        if profile:
            profile.disable()
        total = time.perf_counter() - start
    print(f"collatio collate, {run.size_label(args.words)} words x {args.witnesses}: "
          f"exit {status}, {total:.2f} s in-process"
          f"{' (with cProfile overhead)' if profile else ''}"
          f"{' (with tracemalloc overhead)' if args.memory else ''}, "
          f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB")
    print(f"\n{'stage':<46} {'seconds':>8} {'share':>6} {'peak RSS after':>15}"
          + (f" {'traced peak in':>15}" if args.memory else ""))
    for label, (calls, seconds, rss, traced) in _by_stage().items():
        name = f"{label} (x{calls:,})" if calls > 1 else label
        line = f"{name:<46} {seconds:8.2f} {100 * seconds / total:5.1f}% {rss:11,.0f} MiB"
        if traced is not None:
            line += f" {traced:11,.0f} MiB"
        print(line)
    if profile:
        for order in ("tottime", "cumulative"):
            out = io.StringIO()
            stats = pstats.Stats(profile, stream=out)
            stats.sort_stats(order).print_stats(args.top)
            text = out.getvalue()
            print(f"\n--- top {args.top} by {order} ---")
            print(text[text.find("   ncalls"):].rstrip())


if __name__ == "__main__":
    main()
