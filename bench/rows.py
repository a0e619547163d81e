"""The alignment rows of the benchmark: inputs that are hard for an aligner, and real texts.

Each *suite* is selectable on its own (``python bench/run.py --only drastic``):

* ``drastic``: the ordinary synthetic pair beside two hard pairs of the same size: seed 002's
  text repeated and its rewrite (paragraphs shuffled, a fifth of the words replaced), and two
  texts with no word in common. Targets at 100k words: the hard pair at most 4x the ordinary
  one, and doubling it (200k) at most 2.5x.
* ``many``: 100, 400 and 1,000 short texts (100 words each: a base and its variants). Target:
  1,000 texts in under 10 s.
* ``million``: the ordinary 1,000,000-word pair. Target: under 5 s whole process, under 1 GB.
* ``darwin``: Darwin, *Origin* ch. 1, six editions (``../shared/corpora/darwin``): the
  chapter as six texts, and its 47 paragraphs one process each (times summed), where CollateX
  finishes too.
* ``frankenstein``: the whole *Frankenstein* in four editions (1818, 1823, 1831, Thomas copy;
  ``../shared/corpora/frankenstein/novel-prelim``), tags stripped by :func:`strip_xml` (a
  bench-only conversion: the files are the Variorum's preliminary XML, not TEI).
* ``interrupt``: how long collatio takes to stop after SIGINT in the middle of aligning a hard
  pair (target: within a second).

CollateX runs beside collatio on the same files wherever it can finish within the time limit
(and on a small size of each hard input, so that every row has a comparison). Each collatio
row is the best of three runs (one, when a run takes over 30 s: ``run.REPEAT_LIMIT_S``): this
machine's speed drifts by a fifth and more within minutes, and the best run is the one least
disturbed.

``python bench/rows.py`` runs every one of these suites (not the synthetic grid of
``bench/run.py``) beside CollateX, merges their section into ``docs/performance.md`` and prints
the targets; it exits with status 1 when a target is missed (a run that failed or timed out
counts as missed). Any option of ``bench/run.py`` may follow (``--only drastic
--drastic-sizes 2k,10k`` for a small run, whose report goes to stdout).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import synth

BENCH = Path(__file__).resolve().parent
SHARED = Path(os.environ.get("COLLATIO_SHARED") or BENCH.parent.parent / "shared")

SUITES = ("grid", "drastic", "many", "million", "darwin", "frankenstein", "interrupt")
ALIGNMENT_SUITES = SUITES[1:]
"""The suites of this module (``grid`` is ``bench/run.py``'s own)."""
DRASTIC_SIZES = (2_000, 50_000, 100_000, 200_000)
MANY_COUNTS = (100, 400, 1_000)
MANY_WORDS = 100
DRASTIC_RATIO_MAX = 4.0
DOUBLING_MAX = 2.5
MANY_SECONDS = 10.0
MILLION_SECONDS = 5.0
MILLION_BYTES = 1_000_000_000
INTERRUPT_SECONDS = 1.0


@dataclass
class Case:
    """One input set measured by both tools."""

    suite: str
    label: str
    words: int
    texts: int
    collatio: Any = None  # run.Measurement
    collatex: Any = None
    extra: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------- inputs


def write_pair(directory: Path, texts: tuple[str, str]) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = [directory / "A.txt", directory / "B.txt"]
    for path, text in zip(paths, texts, strict=True):
        path.write_text(text, encoding="utf-8")
    return paths


def write_many(directory: Path, count: int, words: int, seed: int,
               vocabulary: synth.Vocabulary) -> list[Path]:
    """A base text of *words* words and *count* - 1 variants, named W0000.txt ..."""
    directory.mkdir(parents=True, exist_ok=True)
    base = synth.base_text(words, vocabulary, seed)
    paths = [directory / "W0000.txt"]
    paths[0].write_text(synth.render(base), encoding="utf-8")
    for k in range(1, count):
        text, _ = synth.variant_text(base, vocabulary, seed, words, k)
        path = directory / f"W{k:04d}.txt"
        path.write_text(synth.render(text), encoding="utf-8")
        paths.append(path)
    return paths


def darwin(directory: Path) -> list[Path]:
    """The six editions of Darwin's chapter 1 as plain texts (paragraphs joined)."""
    data = json.loads((SHARED / "corpora" / "darwin" / "origin-ch1-paragraphs.json")
                      .read_text(encoding="utf-8"))
    editions: dict[str, list[str]] = {}
    for paragraph in data:
        for witness in paragraph["witnesses"]:
            editions.setdefault(witness["id"], []).append(witness["content"])
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for siglum, texts in editions.items():
        path = directory / f"{siglum}.txt"
        path.write_text("\n\n".join(texts) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def darwin_paragraphs(directory: Path) -> list[list[Path]]:
    """Each of the chapter's 47 paragraphs in its editions, as plain texts (one set each)."""
    data = json.loads((SHARED / "corpora" / "darwin" / "origin-ch1-paragraphs.json")
                      .read_text(encoding="utf-8"))
    sets = []
    for k, paragraph in enumerate(data):
        place = directory / f"p{k + 1:02d}"
        place.mkdir(parents=True, exist_ok=True)
        paths = []
        for witness in paragraph["witnesses"]:
            path = place / f"{witness['id']}.txt"
            path.write_text(witness["content"] + "\n", encoding="utf-8")
            paths.append(path)
        sets.append(paths)
    return sets


def best(parts: Sequence[Any]) -> Any:
    """One measurement of runs of one input: the one with the best wall time, the peak the
    largest, the runs counted; the first failure (if any) stands for the whole."""
    failed = next((m for m in parts if not m.ok), None)
    if failed is not None:
        return failed
    out = replace(min(parts, key=lambda m: m.seconds))
    out.peak_kb = max(m.peak_kb or 0 for m in parts)
    out.runs = sum(m.runs for m in parts)
    out.load = max(m.load for m in parts)
    return out


def summed(parts: Sequence[Any]) -> Any:
    """One measurement of a series of runs: times, CPU, units and transpositions summed, the
    peak the largest; the first failure (if any) stands for the whole."""
    failed = next((m for m in parts if not m.ok), None)
    if failed is not None:
        return failed
    total = replace(parts[0])
    total.seconds = sum(m.seconds or 0 for m in parts)
    total.cpu = sum(m.cpu or 0 for m in parts)
    total.peak_kb = max(m.peak_kb or 0 for m in parts)
    total.runs = min(m.runs for m in parts)
    total.load = max(m.load for m in parts)
    if all(m.units is not None for m in parts):
        total.units = sum(m.units for m in parts)
    if all(m.transpositions is not None for m in parts):
        total.transpositions = sum(m.transpositions for m in parts)
    total.extra = dict(parts[0].extra)
    counts = [m.extra.get("approximations") for m in parts]
    if all(isinstance(c, int) for c in counts):
        total.extra["approximations"] = sum(counts)
    return total


def strip_xml(path: Path) -> str:
    """The text of a Frankenstein Variorum edition file: its paragraphs, headings and lines of
    verse, without the editorial header, deletions (the Thomas copy's revised state is kept)
    or notes; one block a paragraph."""
    from xml.etree import ElementTree as ET

    skipped, blocks_tags = {"header", "del", "note"}, {"p", "l", "head"}

    def local(node: ET.Element) -> str:
        return node.tag.rsplit("}", 1)[-1] if isinstance(node.tag, str) else ""

    def text_of(element: ET.Element) -> str:
        parts: list[str] = [element.text or ""]
        for child in element:
            if local(child) not in skipped:
                parts.append(text_of(child))
            parts.append(child.tail or "")
        return "".join(parts)

    blocks: list[str] = []
    stack = [ET.parse(path).getroot()]
    while stack:
        node = stack.pop()
        tag = local(node)
        if tag in skipped:
            continue
        if tag in blocks_tags:
            text = " ".join(text_of(node).split())
            if text:
                blocks.append(text)
            continue
        stack.extend(reversed(list(node)))
    return "\n\n".join(blocks) + "\n"


def frankenstein(directory: Path) -> list[Path]:
    """The four printed witnesses of the novel as plain texts."""
    source = SHARED / "corpora" / "frankenstein" / "novel-prelim"
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in ("1818", "1823", "1831", "Thomas"):
        path = directory / f"{name}.txt"
        path.write_text(strip_xml(source / f"{name}_full_prelim.xml"), encoding="utf-8")
        paths.append(path)
    return paths


def word_count(paths: Sequence[Path]) -> int:
    """Words (whitespace-separated) in the longest file."""
    return max(len(p.read_text(encoding="utf-8").split()) for p in paths)


# --------------------------------------------------------------------------- measuring


def interrupt_latency(src: Path, files: Sequence[Path], after: float, env: dict[str, str]
                      ) -> dict[str, Any]:
    """Start collatio on *files*, send SIGINT after *after* seconds, time until it exits."""
    command = [sys.executable, "-m", "collatio", "collate", *map(str, files), "--convention",
               "plain", "--format", "json", "-o", os.devnull]
    # SIGINT as a terminal's Ctrl-C finds it: a benchmark started in the background (``&``
    # from a script) passes SIGINT on ignored, and Python then never raises
    # KeyboardInterrupt: the run would finish as if no signal had come
    child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, env=env,
                             preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    time.sleep(after)
    if child.poll() is not None:
        return {"status": "finished before the signal", "seconds": None,
                "returncode": child.returncode}
    sent = time.perf_counter()
    child.send_signal(signal.SIGINT)
    try:
        code = child.wait(timeout=60)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()
        return {"status": "did not stop in 60 s", "seconds": None, "returncode": None}
    if code == 0:  # it finished its work: the signal was not acted on
        return {"status": "not interrupted (exit status 0)",
                "seconds": time.perf_counter() - sent, "returncode": code}
    return {"status": "ok", "seconds": time.perf_counter() - sent, "returncode": code}


def run_suites(args: Any, work: Path, src: Path, python: Path | None,
               measure: Callable[..., Any], collatex: Callable[..., Any],
               log: Callable[[str], None], reference: Callable[..., Any] | None = None
               ) -> list[Case]:
    """Every selected suite but the grid; *measure* (files, extra args, repeats) times
    collatio, *collatex* (files) times CollateX (or says why not), *reference* (as
    *measure*) times the code of ``--reference`` on the million pair."""
    cases: list[Case] = []
    vocabulary = synth.Vocabulary(args.seed)
    plain = ["--convention", "plain"]

    def both(case: Case, files: Sequence[Path], run_collatex: bool, repeats: int = 3) -> None:
        case.collatio = measure(files, plain, repeats)
        log(f"  collatio {case.suite} {case.label}: {case.collatio.status} "
            f"{case.collatio.seconds or 0:.2f} s")
        if run_collatex and python is not None:
            case.collatex = collatex(files)
            log(f"  CollateX {case.suite} {case.label}: {case.collatex.status} "
                f"{case.collatex.seconds or 0:.2f} s")
        cases.append(case)

    if "drastic" in args.only:
        for words in args.drastic_sizes:
            small = words <= args.collatex_max_words
            base = synth.write_witnesses(work / f"ord{words}", words, 2, args.seed, vocabulary)
            both(Case("drastic", "ordinary", words, 2), base.files(2), small)
            files = write_pair(work / f"rep{words}", synth.repetitive_pair(words, args.seed))
            both(Case("drastic", "repetitive", words, 2), files, small)
            files = write_pair(work / f"dis{words}",
                               synth.disjoint_pair(words, args.seed, vocabulary))
            both(Case("drastic", "disjoint", words, 2), files, small)
    if "many" in args.only:
        for count in args.many_counts:
            files = write_many(work / f"many{count}", count, MANY_WORDS, args.seed, vocabulary)
            both(Case("many", f"{count} x {MANY_WORDS}", MANY_WORDS, count), files,
                 count == min(args.many_counts))
    if "million" in args.only:
        base = synth.write_witnesses(work / "million", 1_000_000, 2, args.seed, vocabulary)
        if reference is None:
            both(Case("million", "ordinary pair", 1_000_000, 2), base.files(2), False)
        else:
            # one run each in turn: this machine drifts within minutes, so the two codes
            # see the same machine
            mine, theirs = [], []
            for _ in range(args.repeats):
                mine.append(measure(base.files(2), plain, 1))
                theirs.append(reference(base.files(2), plain, 1))
                log(f"  million pair: {mine[-1].seconds or 0:.2f} s, at {args.reference}: "
                    f"{theirs[-1].seconds or 0:.2f} s")
            today = Case("million", "ordinary pair", 1_000_000, 2, best(mine))
            then = Case("million", f"ordinary pair, the code at {args.reference}", 1_000_000,
                        2, best(theirs), extra={"reference": args.reference})
            cases.extend((today, then))
    if "darwin" in args.only:
        files = darwin(work / "darwin")
        both(Case("darwin", "Origin ch. 1, six editions", word_count(files), len(files)),
             files, True)
        # paragraph by paragraph, one process each (as CollateX's demo does): CollateX finishes
        sets = darwin_paragraphs(work / "darwin-paragraphs")
        case = Case("darwin", f"the {len(sets)} paragraphs, one run each",
                    max(map(word_count, sets)), max(map(len, sets)))
        case.collatio = summed([measure(paths, plain, 1) for paths in sets])
        log(f"  collatio darwin paragraphs: {case.collatio.status} "
            f"{case.collatio.seconds or 0:.2f} s")
        if python is not None:
            case.collatex = summed([collatex(paths) for paths in sets])
            log(f"  CollateX darwin paragraphs: {case.collatex.status} "
                f"{case.collatex.seconds or 0:.2f} s")
        cases.append(case)
    if "frankenstein" in args.only:
        files = frankenstein(work / "frankenstein")
        both(Case("frankenstein", "the novel, four editions", word_count(files), len(files)),
             files, True)
    if "interrupt" in args.only:
        env = dict(os.environ)
        env["PYTHONPATH"] = str(src) + (os.pathsep + env["PYTHONPATH"]
                                        if env.get("PYTHONPATH") else "")
        for label, texts in (
            ("disjoint 200k", synth.disjoint_pair(200_000, args.seed, vocabulary)),
            ("repetitive 200k", synth.repetitive_pair(200_000, args.seed)),
        ):
            files = write_pair(work / f"int-{label.split()[0]}", texts)
            for k in (1, 2, 3):  # early, middle and late in the run: the worst counts
                case = Case("interrupt", label, 200_000, 2)
                case.extra = interrupt_latency(src, files, k * args.interrupt_after, env)
                case.extra["after"] = k * args.interrupt_after
                log(f"  interrupt {label} after {k * args.interrupt_after:g} s: {case.extra}")
                cases.append(case)
    return cases


# --------------------------------------------------------------------------- the report


def _seconds(m: Any) -> str:
    if m is None:
        return "not run"
    if m.ok and m.seconds is not None:
        return f"{m.seconds:.2f}" + (f" (best of {m.runs})" if m.runs > 1 else "")
    if m.status == "timeout":
        return f"timeout ({m.seconds:.0f} s)"
    return m.status


def _mib(m: Any) -> str:
    return f"{(m.peak_kb or 0) / 1024:,.0f}" if m is not None and m.ok and m.peak_kb else "–"


def _cpu(m: Any) -> str:
    return f"{m.cpu:.2f}" if m is not None and m.ok and m.cpu is not None else "–"


def tables(cases: Sequence[Case]) -> str:
    """The Markdown tables of the suites that ran."""
    out: list[str] = []
    measured = [c for c in cases if c.suite != "interrupt"]
    if measured:
        out.append("| suite | input | words (longest text) | texts | collatio time (s) "
                   "| collatio CPU (s) | collatio peak (MiB) | units (transp.) "
                   "| approximated stretches | CollateX time (s) | CollateX peak (MiB) |")
        out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for c in measured:
            units = (f"{c.collatio.units:,} ({c.collatio.transpositions})"
                     if c.collatio is not None and c.collatio.units is not None else "–")
            approx = c.collatio.extra.get("approximations", "–") if c.collatio else "–"
            out.append(f"| {c.suite} | {c.label} | {c.words:,} | {c.texts:,} "
                       f"| {_seconds(c.collatio)} | {_cpu(c.collatio)} | {_mib(c.collatio)} "
                       f"| {units} | {approx} | {_seconds(c.collatex)} | {_mib(c.collatex)} |")
    stops = [c for c in cases if c.suite == "interrupt"]
    if stops:
        out.append("")
        out.append("| interrupted run | SIGINT after (s) | stopped after (s) | exit status |")
        out.append("|---|---:|---:|---:|")
        for c in stops:
            seconds = c.extra.get("seconds")
            out.append(f"| {c.label} | {c.extra.get('after', '–')} "
                       f"| {'–' if seconds is None else f'{seconds:.2f}'} "
                       f"| {c.extra.get('returncode')} ({c.extra.get('status')}) |")
    return "\n".join(out)


def _cost(m: Any) -> float | None:
    """CPU time of a measurement (less sensitive to a shared machine than wall time)."""
    if m is None or not m.ok:
        return None
    value = m.cpu or m.seconds
    return float(value) if value else None


def _failed(case: Case | None) -> str | None:
    """Why collatio did not measure *case* (it ran: its failure misses the target), or None."""
    if case is None or case.collatio is None or case.collatio.ok:
        return None
    return f"collatio on {case.label} at {case.words:,} words: {_seconds(case.collatio)}"


def targets(cases: Sequence[Case]) -> list[str]:
    """One bullet per alignment target: **met**, **MISSED** (a run that failed or timed out
    misses it too), or not measured (its suite or size was not run)."""
    out: list[str] = []

    def find(suite: str, label: str, words: int | None = None) -> Case | None:
        return next((c for c in cases if c.suite == suite and c.label == label
                     and (words is None or c.words == words)), None)

    def verdict(ok: bool | None) -> str:
        return "not measured" if ok is None else ("**met**" if ok else "**MISSED**")

    for kind in ("repetitive", "disjoint"):
        hard, ordinary = find("drastic", kind, 100_000), find("drastic", "ordinary", 100_000)
        double = find("drastic", kind, 200_000)
        failures = [f for f in map(_failed, (hard, ordinary, double)) if f]
        a = _cost(hard.collatio) if hard else None
        b = _cost(ordinary.collatio) if ordinary else None
        c = _cost(double.collatio) if double else None
        ok: bool | None
        if failures:
            ok, text = False, "; ".join(failures)
        elif a and b:
            ratio = a / b
            text = f"{ratio:.2f}x the ordinary pair's CPU time at 100k (bound {DRASTIC_RATIO_MAX}x)"
            ok = ratio <= DRASTIC_RATIO_MAX
            if c:
                growth = c / a
                text += f"; 100k to 200k: {growth:.2f}x (bound {DOUBLING_MAX}x)"
                ok = ok and growth <= DOUBLING_MAX
            else:
                text += "; the 200k pair was not measured"
        else:
            ok, text = None, "the 100k pairs were not measured"
        name = {"repetitive": "The repetitive shuffled rewrite",
                "disjoint": "Two texts with no word in common"}[kind]
        out.append(f"- {name} costs like an ordinary pair: {verdict(ok)} ({text}).")

    thousand = find("many", f"1000 x {MANY_WORDS}")
    title = f"- 1,000 texts of {MANY_WORDS} words in under {MANY_SECONDS:g} s"
    if _failed(thousand):
        out.append(f"{title}: **MISSED** ({_failed(thousand)}).")
    elif thousand and thousand.collatio:
        m = thousand.collatio
        out.append(f"{title}: {verdict(m.seconds < MANY_SECONDS)} ({m.seconds:.1f} s wall, "
                   f"{m.cpu or 0:.1f} s CPU).")
    else:
        out.append(f"{title}: not measured.")

    million = find("million", "ordinary pair")
    title = (f"- The ordinary 1,000,000-word pair in under {MILLION_SECONDS:g} s whole "
             f"process and under 1 GB")
    if _failed(million):
        out.append(f"{title}: **MISSED** ({_failed(million)}).")
    elif million and million.collatio:
        m = million.collatio
        peak = (m.peak_kb or 0) * 1024
        ok = m.seconds < MILLION_SECONDS and peak < MILLION_BYTES
        text = f"{m.seconds:.2f} s wall, {m.cpu or 0:.2f} s CPU, peak {peak / 1e9:.2f} GB"
        then = next((c for c in cases if c.suite == "million" and "reference" in c.extra
                     and c.collatio is not None and c.collatio.ok), None)
        if then is not None:
            r = then.collatio
            text += (f"; the code at {then.extra['reference']}, in turn with it on this "
                     f"machine: {r.seconds:.2f} s wall, {r.cpu or 0:.2f} s CPU, today's "
                     f"{m.seconds / r.seconds:.2f}x its time")
        out.append(f"{title}: {verdict(ok)} ({text}).")
    else:
        out.append(f"{title}: not measured.")

    for case in cases:  # no target: collatio must finish, beside CollateX
        if case.suite not in ("darwin", "frankenstein"):
            continue
        if _failed(case):
            out.append(f"- {case.label}: collatio **MISSED** ({_failed(case)}).")
        elif case.collatio is not None:
            out.append(f"- {case.label}: collatio {_seconds(case.collatio)} s, "
                       f"CollateX {_seconds(case.collatex)}.")

    stops = [c for c in cases if c.suite == "interrupt"]
    if stops:
        stopped = [c for c in stops if c.extra.get("status") == "ok"]
        # a run that finished before the signal proves nothing; one that did not stop, or
        # finished its work as if no signal had come, fails
        failed = ("did not stop in 60 s", "not interrupted (exit status 0)")
        ok = bool(stopped) and all(c.extra["seconds"] <= INTERRUPT_SECONDS for c in stopped) \
            and not any(c.extra.get("status") in failed for c in stops)
        text = "; ".join(f"{c.label} at {c.extra['after']:g} s: "
                         + (f"{c.extra['seconds']:.2f} s" if c.extra.get("status") == "ok"
                            else str(c.extra.get("status")))
                         for c in stops)
        out.append(f"- SIGINT acts within {INTERRUPT_SECONDS:g} s while aligning: "
                   f"{verdict(ok)} ({text}).")
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """``python bench/rows.py [run.py options]``: every alignment suite beside CollateX, its
    section merged into docs/performance.md (unless ``--only`` or ``--out`` says otherwise);
    the targets printed; 1 if any is missed."""
    import run  # run imports this module: imported here, once both are loaded

    given = list(sys.argv[1:] if argv is None else argv)
    names = {a.split("=", 1)[0] for a in given}
    command = list(given)
    if "--only" not in names:
        command = ["--only", ",".join(ALIGNMENT_SUITES), *command]
        if "--out" not in names:
            command += ["--out", str(run.ROOT / "docs" / "performance.md")]
    report = run.main(command, shown=" ".join(["python bench/rows.py",
                                               *run.shown_options(given)]))
    missed = [line for line in report.splitlines() if "**MISSED**" in line]
    section = report.split(f"## {run.HARD_SECTION}", 1)[-1].split("\n## ", 1)[0]
    print("\n".join(line for line in section.splitlines() if line.startswith("- ")), flush=True)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
