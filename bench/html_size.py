"""How the HTML edition grows: page size and build time against the apparatus, up to 1M words.

Usage::

    python bench/html_size.py                 # 10k, 100k, 1M words x 3 texts (a few minutes)
    python bench/html_size.py --quick         # 5k, 20k words (seconds)
    python bench/html_size.py --sizes 10k,100k --witnesses 5

Witnesses come from :mod:`synth` (seeded: a base and variants with ~5% word edits and a moved
sentence each). Each size is collated once in this process (not timed), then rendered as
HTML (best of ``--repeats``, process time). The report prints, per size, the units, the
page's bytes, the render time, and bytes and microseconds per word and per unit, then the
growth from each size to the next: a linear page has a size exponent near 1 (the exponent
``log(size ratio) / log(words ratio)``), a quadratic one near 2.
"""

from __future__ import annotations

import argparse
import itertools
import math
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import synth

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent / "src"))

import collatio  # noqa: E402
from collatio.render import get_renderer  # noqa: E402

FULL = (10_000, 100_000, 1_000_000)
QUICK = (5_000, 20_000)
SEED = 20240601


def parse_size(text: str) -> int:
    text = text.strip().lower()
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text.rstrip("km")) * scale)


def measure(words: int, witnesses: int, repeats: int, work: Path) -> dict[str, float]:
    files = synth.write_witnesses(work / f"w{words}", words, witnesses, SEED).paths
    start = time.perf_counter()
    apparatus = collatio.collate([str(p) for p in files], convention="plain")
    collate_s = time.perf_counter() - start
    renderer = get_renderer("html")
    best = math.inf
    size = 0
    for _ in range(repeats):
        start = time.process_time()
        page = renderer.render(apparatus)
        best = min(best, time.process_time() - start)
        size = len(page.encode("utf-8"))
        del page
    return {"words": words, "units": len(apparatus.units), "bytes": size, "render_s": best,
            "collate_s": collate_s}


def report(rows: Sequence[dict[str, float]], witnesses: int) -> str:
    lines = [
        f"HTML edition, {witnesses} texts (synthetic, ~5% word edits each)",
        "",
        "| words | units | page | render | bytes/word | µs/word | collate (not in render) |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['words']:,.0f} | {r['units']:,.0f} | {r['bytes'] / 1e6:.2f} MB | "
            f"{r['render_s']:.2f} s | {r['bytes'] / r['words']:.0f} | "
            f"{1e6 * r['render_s'] / r['words']:.1f} | {r['collate_s']:.1f} s |"
        )
    lines.append("")
    for a, b in itertools.pairwise(rows):
        ratio = math.log(b["words"] / a["words"])
        size_exp = math.log(b["bytes"] / a["bytes"]) / ratio
        time_exp = math.log(max(b["render_s"], 1e-6) / max(a["render_s"], 1e-6)) / ratio
        lines.append(f"{a['words']:,.0f} -> {b['words']:,.0f} words: size exponent "
                     f"{size_exp:.2f}, time exponent {time_exp:.2f} (1 = linear, 2 = quadratic)")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes only")
    parser.add_argument("--sizes", help="comma-separated word counts (10k,100k,1M)")
    parser.add_argument("--witnesses", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args(argv)
    sizes = ([parse_size(s) for s in args.sizes.split(",")] if args.sizes
             else QUICK if args.quick else FULL)
    rows = []
    with tempfile.TemporaryDirectory(prefix="collatio-bench-html-") as work:
        for words in sizes:
            rows.append(measure(words, args.witnesses, args.repeats, Path(work)))
            print(f"  {words:,} words done", file=sys.stderr)
    print(report(rows, args.witnesses))


if __name__ == "__main__":
    main()
