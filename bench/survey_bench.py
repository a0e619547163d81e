"""The survey benchmark: seeded synthetic archives (``survey_synth.py``) surveyed by
``collatio survey``, scored against their truth, timed; results into docs/performance.md.

Usage::

    python bench/survey_bench.py                    # full run: 1k, 2k, 5k, 10k documents,
                                                    # LocalCluster at 10k, all-pairs at 1k
    python bench/survey_bench.py --sizes 300 --cluster 300 --baseline 300 --no-write  # smoke
    python bench/survey_bench.py --keep /tmp/archives   # keep the generated archives
    python bench/survey_bench.py --baseline-cap 900     # stop the all-pairs baseline at 15 min

The full run's largest costs on a quiet 2-core machine: the 10k survey and its LocalCluster
twin (a few minutes each) and the all-pairs baseline at 1k (507,528 pairs at about 2 ms of
CPU each over two processes: about 8 minutes, stopped and reported at its cap otherwise).

Each survey is a whole process (``python -m collatio survey ARCHIVE --out OUT``, the
default engine: local processes, one per core) timed by ``_measure.py``; the cluster run
starts a ``distributed.LocalCluster`` of two single-threaded worker processes in this
process and passes ``--scheduler`` its address. The all-pairs baseline (``survey_baseline.py``)
aligns every pair of documents and judges it by the survey's own measure, without the
survey's candidates or bounds, on one process per core, up to a time cap
(``--baseline-cap``): the same families mean the survey's candidates missed nothing.
"""

from __future__ import annotations

import argparse
import datetime
import itertools
import json
import math
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
# bench/ last on the path: a bench module named like a standard one (as html.py once did)
# must not hide it, here or in the worker processes, which inherit this path
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != str(BENCH)] + [str(BENCH)]
import survey_baseline  # noqa: E402
import survey_synth  # noqa: E402
from run import snapshot_source, source_fingerprint  # noqa: E402

MEASURE = BENCH / "_measure.py"
PERFORMANCE = ROOT / "docs" / "performance.md"
SECTION = "## Survey (an archive)"
FULL_SIZES = (1000, 2000, 5000, 10000)
TARGET_SECONDS = 600.0
TARGET_FAMILY = 0.98
TARGET_REUSE = 0.95
TARGET_CLUSTER = 1.3
LINEAR_MAX = 1.2
FINGERPRINT = ""


def survey_process(archive: Path, out: Path, extra: list[str]) -> dict[str, Any]:
    command = [sys.executable, "-m", "collatio", "survey", str(archive), "--out", str(out),
               "--no-progress", *extra]
    measured = subprocess.run(
        [sys.executable, str(MEASURE), "--timeout", "3600", "--", *command],
        capture_output=True, text=True, cwd=ROOT,
    )
    try:
        report = json.loads(measured.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        raise SystemExit(f"measure failed: {measured.stdout}\n{measured.stderr}") from None
    if report.get("status") != "ok":
        raise SystemExit(f"survey failed: {report}")
    report["seconds"] = report["wall_s"]
    report["cpu"] = report["cpu_s"]
    return dict(report)


def _line_starts(path: Path, cache: dict[Path, list[int]]) -> list[int]:
    if path not in cache:
        text = path.read_text(encoding="utf-8")
        cache[path] = [0, *(m.end() for m in re.finditer("\n", text))]
    return cache[path]


def _offset(archive: Path, rel: str, line: int, column: int, cache: dict[Path, list[int]]
            ) -> int:
    return _line_starts(archive / rel, cache)[line - 1] + column - 1


def score(archive: Path, data: dict[str, Any], truth: dict[str, Any]) -> dict[str, Any]:
    """Precision and recall of family pairs and of reused passages (seeds left out)."""
    docs = {d["id"]: d for d in data["documents"]}
    rel = {i: os.path.relpath(d["path"], archive) for i, d in docs.items()}

    def synthetic(name: str) -> bool:
        return not name.startswith("seeds/")

    planted = {frozenset(p) for fam in truth["families"] for p in itertools.combinations(fam, 2)}
    found = set()
    for family in data["families"]:
        names = [rel[m] for m in family["members"]]
        found.update(frozenset(p) for p in itertools.combinations(names, 2)
                     if all(map(synthetic, p)))
    hit = planted & found
    family_precision = len(hit) / len(found) if found else 1.0
    family_recall = len(hit) / len(planted) if planted else 1.0
    # passages: every two occurrences of one planted passage make a planted link
    cache: dict[Path, list[int]] = {}
    wanted: dict[frozenset[tuple[str, int]], bool] = {}
    where: dict[str, list[tuple[int, int, int, int]]] = {}  # file -> (pid, occ, lo, hi)
    for pid, occurrences in enumerate(truth["passages"]):
        for k, (name, lo, hi) in enumerate(occurrences):
            where.setdefault(name, []).append((pid, k, lo, hi))
        for x, y in itertools.combinations(range(len(occurrences)), 2):
            wanted[frozenset({(str(pid), x), (str(pid), y)})] = False
    correct = 0
    considered = 0
    for link in data["reuse"]:
        a, b = rel[link["a"]["document"]], rel[link["b"]["document"]]
        if not (synthetic(a) and synthetic(b)):
            continue
        considered += 1
        spans = []
        for side, name in (("a", a), ("b", b)):
            ext = link[side]
            lo = _offset(archive, name, ext["start"]["line"], ext["start"]["column"], cache)
            hi = _offset(archive, name, ext["end"]["line"], ext["end"]["column"], cache)
            spans.append({(pid, k) for pid, k, plo, phi in where.get(name, [])
                          if lo < phi and plo < hi})
        matched = False
        for (pa, ka), (pb, kb) in itertools.product(spans[0], spans[1]):
            if pa == pb and ka != kb:
                key = frozenset({(str(pa), ka), (str(pb), kb)})
                if key in wanted:
                    wanted[key] = True
                    matched = True
        correct += matched
    reuse_precision = correct / considered if considered else 1.0
    reuse_recall = sum(wanted.values()) / len(wanted) if wanted else 1.0
    return {
        "family_pairs": len(planted), "family_pairs_found": len(found),
        "family_precision": round(family_precision, 4),
        "family_recall": round(family_recall, 4),
        "passage_links": len(wanted), "reuse_links_found": considered,
        "reuse_precision": round(reuse_precision, 4), "reuse_recall": round(reuse_recall, 4),
    }


def seed_findings(archive: Path, data: dict[str, Any], truth: dict[str, Any]) -> dict[str, Any]:
    docs = {d["id"]: d for d in data["documents"]}
    rel = {i: os.path.relpath(d["path"], archive) for i, d in docs.items()}
    out: dict[str, Any] = {}
    fams = [[f"{rel[m]}#{docs[m]['siglum']}" for m in f["members"]] for f in data["families"]]
    out["002 F and D one family"] = any(
        set(expected) <= set(f) for expected in truth.get("seed_families", []) for f in fams)
    links = [(rel[r["a"]["document"]], rel[r["b"]["document"]], r) for r in data["reuse"]]
    for a, b in truth.get("expected_seed_links", []):
        # 004 forwards the telegram: the reader may give the quoted telegram as a document
        # of its own (then a version of the copy: one family) or leave it inside 004 (then
        # reuse); either is found
        hits = [r for x, y, r in links if {x, y} == {a, b}]
        together = [sorted(m.split("#", 1)[1] for m in f if m.startswith(b + "#"))
                    for f in fams if any(m.startswith(a + "#") for m in f)]
        out[f"{a} and 004"] = {
            "reuse": [f"{r['aligned_words']} words, {r['a']['start']['line']}:"
                      f"{r['a']['start']['column']} <-> {r['b']['start']['line']}:"
                      f"{r['b']['start']['column']}" for r in hits],
            "family with 004's": [s for group in together for s in group],
        }
    seed_links = [(x, y, r["aligned_words"]) for x, y, r in links
                  if x.startswith("seeds/0") and y.startswith("seeds/0")]
    out["links among the five seeds"] = seed_links
    return out


def between_000_001() -> dict[str, Any]:
    """What the aligner says of seeds 000 and 001 (the reply and the telegram it answers)."""
    import numpy as np

    from collatio.survey.documents import read_files, word_code
    from collatio.survey.model import SurveyOptions
    from collatio.survey.pipeline import common_words
    from collatio.survey.verify import verify

    texts = [t for t in read_files(sorted(str(p) for p in survey_synth.SEEDS.glob("*.txt")))
             if not isinstance(t, str)]
    texts = [t for t in texts if hasattr(t, "codes")]
    common = common_words(texts, 0.05)
    a, b = texts[0], texts[1]
    result = verify(a, b, ("000", "001"), common, SurveyOptions(), prefilter=False)
    assert result is not None
    def forms(t: Any) -> set[str]:
        return {re.sub(r"\W+", "", t.text[s:e]).casefold()
                for s, e in zip(t.starts.tolist(), t.ends.tolist(), strict=True) if e > s}

    shared = forms(a) & forms(b) - {""}
    content = sorted(w for w in shared if not np.isin(np.uint64(word_code(w)), common))
    return {
        "kind": result.kind.value, "coverage": [result.coverage_a, result.coverage_b],
        "content_coverage": [result.content_coverage_a, result.content_coverage_b],
        "aligned_words": result.aligned_words, "shared_forms": len(shared),
        "shared_content_words": content,
        "words": [a.words, b.words],
    }


def run_cluster(archive: Path, out: Path) -> dict[str, Any]:
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=":0") as cluster:
        return survey_process(archive, out, ["--scheduler", cluster.scheduler_address])


def family_keys(data: dict[str, Any]) -> list[list[str]]:
    docs = {d["id"]: d for d in data["documents"]}
    return sorted(sorted(f"{docs[m]['path']}#{docs[m]['siglum']}" for m in f["members"])
                  for f in data["families"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default=",".join(map(str, FULL_SIZES)))
    parser.add_argument("--cluster", type=int, default=10000,
                        help="archive size for the LocalCluster comparison (0: none)")
    parser.add_argument("--baseline", type=int, default=1000,
                        help="archive size for the all-pairs baseline (0: none)")
    parser.add_argument("--baseline-cap", type=float, default=survey_baseline.CAP,
                        help="seconds the baseline may align for (default %(default)s)")
    parser.add_argument("--seed", type=int, default=1950)
    parser.add_argument("--keep", type=Path, help="keep archives and outputs here")
    parser.add_argument("--no-write", action="store_true", help="print, do not edit docs")
    parser.add_argument("--resume", action="store_true",
                        help="with --keep: reuse the rows of sizes already measured there")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    work = args.keep or Path(tempfile.mkdtemp(prefix="collatio-survey-bench-"))
    # every run measures a snapshot of src/, whatever is edited meanwhile; the survey's
    # worker processes (and the LocalCluster's) inherit the path
    src = snapshot_source(work)
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [str(src), *filter(None, [os.environ.get("PYTHONPATH")])])
    sys.path.insert(0, str(src))
    global FINGERPRINT
    FINGERPRINT = source_fingerprint(src)
    started = time.time()
    rows = []
    results: dict[int, dict[str, Any]] = {}
    for size in sizes:
        archive = work / f"archive-{size}"
        saved = work / f"row-{size}.json"
        if args.resume and saved.exists() and (work / f"out-{size}" / "survey.json").exists():
            rows.append(json.loads(saved.read_text("utf-8")))
            results[size] = json.loads((work / f"out-{size}" / "survey.json").read_text("utf-8"))
            print(json.dumps(rows[-1]), flush=True)
            continue
        truth = survey_synth.write_archive(archive, size, args.seed)
        out = work / f"out-{size}"
        load = os.getloadavg()[0]
        report = survey_process(archive, out, [])
        data = json.loads((out / "survey.json").read_text(encoding="utf-8"))
        row = {"documents": len(data["documents"]), "words": data["summary"]["words"],
               "seconds": report["seconds"], "cpu": report.get("cpu"),
               "peak_mib": round(report.get("peak_kb", 0) / 1024),
               "families": data["summary"]["families"],
               "reuse": data["summary"]["reuse_links"],
               "candidates": data["summary"]["candidate_pairs"],
               "stages": data["summary"]["stages"], "load": round(load, 2),
               **score(archive, data, truth)}
        row["seeds"] = seed_findings(archive, data, truth)
        saved.write_text(json.dumps(row), encoding="utf-8")
        rows.append(row)
        results[size] = data
        print(json.dumps(row), flush=True)
    cluster = None
    if args.cluster:
        archive = work / f"archive-{args.cluster}"
        if not archive.exists():
            survey_synth.write_archive(archive, args.cluster, args.seed)
        if args.cluster not in results:
            out = work / f"out-{args.cluster}"
            report = survey_process(archive, out, [])
            results[args.cluster] = json.loads((out / "survey.json").read_text("utf-8"))
            rows.append({"documents": args.cluster, "seconds": report["seconds"]})
        local = next(r for r in rows if r["documents"] >= args.cluster)
        report = run_cluster(archive, work / f"out-{args.cluster}-cluster")
        data = json.loads((work / f"out-{args.cluster}-cluster" / "survey.json")
                          .read_text("utf-8"))
        cluster = {"documents": args.cluster, "seconds": report["seconds"],
                   "local_seconds": local["seconds"],
                   "ratio": round(report["seconds"] / local["seconds"], 3),
                   "same_families": family_keys(data) == family_keys(results[args.cluster]),
                   "same_reuse": len(data["reuse"]) == len(results[args.cluster]["reuse"])}
        print(json.dumps(cluster), flush=True)
    baseline = None
    if args.baseline:
        archive = work / f"archive-{args.baseline}"
        if not archive.exists():
            survey_synth.write_archive(archive, args.baseline, args.seed)
        base = survey_baseline.run(archive, args.baseline_cap)
        survey_data = results.get(args.baseline)
        if survey_data is None:
            out = work / f"out-{args.baseline}"
            report = survey_process(archive, out, [])
            survey_data = json.loads((out / "survey.json").read_text("utf-8"))
            rows.append({"documents": args.baseline, "seconds": report["seconds"]})
        survey_row = next(r for r in rows if r["documents"] >= args.baseline)
        baseline = {k: v for k, v in base.items() if k not in ("accepted", "families")}
        baseline.update(survey_baseline.compare(base, survey_data))
        baseline["survey_seconds"] = survey_row["seconds"]
        print(json.dumps(baseline), flush=True)
    report = render_report(rows, cluster, baseline, between_000_001(), time.time() - started)
    if args.no_write:
        print(report)
    else:
        write_section(report)
        print(f"wrote {PERFORMANCE}")


def _exponent(rows: list[dict[str, Any]], key: str = "seconds") -> float | None:
    usable = [r for r in rows if "words" in r and r.get(key)]
    if len(usable) < 2:
        return None
    first, last = usable[0], usable[-1]
    return math.log(last[key] / first[key]) / math.log(last["documents"] / first["documents"])


def render_report(rows: list[dict[str, Any]], cluster: dict[str, Any] | None,
                  baseline: dict[str, Any] | None, seeds: dict[str, Any],
                  total: float) -> str:
    from collatio._version import __version__

    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, cwd=ROOT).stdout.strip()
    lines = [SECTION, "",
             f"Generated by `python bench/survey_bench.py` on {now} (total {total / 60:.1f} "
             f"min), collatio {__version__} at commit {commit} (snapshot of `src/` "
             f"{FINGERPRINT}), Python {platform.python_version()}, "
             f"{os.cpu_count()} cores. Do not edit by hand: rerun the benchmark.", "",
             "| documents | words | time (s) | CPU (s) | peak (MiB) | candidates | families "
             "| family pairs P / R | reuse links | passages P / R | load |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        if "words" not in r:
            continue
        lines.append(
            f"| {r['documents']:,} | {r['words']:,} | {r['seconds']:.1f} | "
            f"{(r['cpu'] or 0):.1f} | {r['peak_mib']:,} | {r['candidates']:,} | "
            f"{r['families']:,} | {r['family_precision']:.3f} / {r['family_recall']:.3f} | "
            f"{r['reuse']:,} | {r['reuse_precision']:.3f} / {r['reuse_recall']:.3f} | "
            f"{r['load']} |")
    lines += ["", "Stage times (s, wall, in the survey process) of the largest run: "
              + ", ".join(f"{k} {v}" for k, v in rows[-1]["stages"].items()) if rows else "",
              "", "### Targets", ""]
    largest = max((r for r in rows if "words" in r), key=lambda r: r["documents"], default=None)
    if largest:
        ok = largest["seconds"] < TARGET_SECONDS
        lines.append(f"- {largest['documents']:,} documents surveyed and every family collated "
                     f"in under {TARGET_SECONDS / 60:.0f} minutes: "
                     f"**{'met' if ok else 'not met'}** ({largest['seconds']:.0f} s).")
        fam = min(largest["family_precision"], largest["family_recall"])
        reu = min(largest["reuse_precision"], largest["reuse_recall"])
        lines.append(f"- Family pairs, precision and recall >= {TARGET_FAMILY}: "
                     f"**{'met' if fam >= TARGET_FAMILY else 'not met'}** "
                     f"({largest['family_precision']:.3f} / {largest['family_recall']:.3f}).")
        lines.append(f"- Reused passages, precision and recall >= {TARGET_REUSE}: "
                     f"**{'met' if reu >= TARGET_REUSE else 'not met'}** "
                     f"({largest['reuse_precision']:.3f} / {largest['reuse_recall']:.3f}).")
    exponent = _exponent(rows)
    if exponent is not None:
        lines.append(f"- Time close to linear (log-log exponent <= {LINEAR_MAX} from the "
                     f"smallest to the largest archive): "
                     f"**{'met' if exponent <= LINEAR_MAX else 'not met'}** "
                     f"(exponent {exponent:.2f} in wall time, "
                     f"{_exponent(rows, 'cpu') or 0:.2f} in CPU time).")
    if cluster:
        ok = cluster["ratio"] <= TARGET_CLUSTER and cluster["same_families"]
        lines.append(f"- Two-worker LocalCluster no slower than {TARGET_CLUSTER}x the local "
                     f"default, same answers: **{'met' if ok else 'not met'}** "
                     f"({cluster['seconds']:.1f} s vs {cluster['local_seconds']:.1f} s = "
                     f"{cluster['ratio']:.2f}x; same families: {cluster['same_families']}, "
                     f"same number of reuse links: {cluster['same_reuse']}).")
    if baseline:
        lines.append(baseline_line(baseline))
    lines += ["", "### The seeds", ""]
    for row in rows[-1:]:
        for key, value in row.get("seeds", {}).items():
            lines.append(f"- {key}: {value}")
    lines.append(f"- 000 and 001 (the reply and the telegram it answers), aligned directly: "
                 f"{json.dumps(seeds)}")
    return "\n".join(lines) + "\n"


def baseline_line(b: dict[str, Any]) -> str:
    """The all-pairs baseline's line of the report: what it did, in what time, and whether
    it found the survey's families (or, capped, how far it got)."""
    head = (f"- All-pairs baseline at {b['documents']:,} documents "
            f"({b['pairs']:,} pairs, each aligned and judged by the survey's measure "
            f"without its bounds, on {b['workers']} processes; `bench/survey_baseline.py`): ")
    if b["capped"] and not b["pairs_aligned"]:
        return head + (f"**stopped at its cap** of {b['cap']:.0f} s before any task of "
                       f"{survey_baseline.PAIRS_PER_TASK:,} pairs finished.")
    if b["capped"]:
        return head + (
            f"**stopped at its cap** of {b['cap']:.0f} s after aligning "
            f"{b['pairs_aligned']:,} pairs ({100 * b['pairs_aligned'] / b['pairs']:.1f}%); "
            f"the whole would take about {b['projected_seconds']:,.0f} s against the "
            f"survey's {b['survey_seconds']:.1f} s. Among the pairs it aligned it accepted "
            f"{b['family_pairs_only_baseline']} family pairs the survey does not have "
            f"(examples: {b['examples_only_baseline']}); families not compared whole.")
    same = b["same_families"]
    return head + (
        f"{b['seconds']:.1f} s ({b['align_cpu']:,.0f} s of CPU aligning) against the "
        f"survey's {b['survey_seconds']:.1f} s "
        f"({b['seconds'] / b['survey_seconds']:.1f}x); same families: **{same}** "
        f"({b['baseline_families']} baseline, {b['survey_families']} survey; family pairs "
        f"only in the baseline {b['family_pairs_only_baseline']}, only in the survey "
        f"{b['family_pairs_only_survey']}"
        + ("" if same else f"; e.g. baseline only {b['examples_only_baseline']}, "
           f"survey only {b['examples_only_survey']}") + ").")


def write_section(report: str) -> None:
    text = PERFORMANCE.read_text(encoding="utf-8")
    if SECTION in text:
        head, _, rest = text.partition(SECTION)
        following = rest.find("\n## ")
        tail = rest[following + 1:] if following >= 0 else ""
        text = head + report + ("\n" + tail if tail else "")
    else:
        text = text.rstrip("\n") + "\n\n" + report
    PERFORMANCE.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
