"""The all-pairs baseline of the survey benchmark: every pair of documents aligned, no
sketches, no candidates, no bounds.

Each of the n(n-1)/2 pairs is aligned word by word and judged exactly as the survey judges
a candidate (:func:`collatio.survey.verify.measured`: an exact longest common subsequence,
bit-parallel, of all words and of content words, the move search among the leftovers,
lacunae, blocks, both thresholds), but without the survey's bounds that skip hopeless
pairs: every pair is aligned. Families are the connected
components of the version and rewrite pairs, as in the survey. So the baseline asks the
survey's question of every pair, where the survey asks it only of its LSH candidates: the
same families mean the candidates missed nothing the measure would accept.

It runs on worker processes (one per core; each gets every document's keys once, at start)
and stops at a time cap: then it reports how many pairs it aligned, in what time, and what
the whole would take at that rate, and compares the answers only where it can (the pairs
it aligned).

Usage: ``python bench/survey_baseline.py ARCHIVE [--cap SECONDS] [--workers N]``
(``survey_bench.py`` calls :func:`run` on its 1,000-document archive).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import time
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from pathlib import Path
from typing import Any

import numpy as np

#: Pairs one task aligns (a few seconds of work).
PAIRS_PER_TASK = 2000
#: The default time cap (seconds of wall time for the alignments).
CAP = 1800.0

_STATE: dict[str, Any] = {}


def document_keys(codes: np.ndarray[Any, Any], common: np.ndarray[Any, Any]
                  ) -> tuple[list[int], list[int], list[int], list[int]]:
    """One document's keys as the survey's judge makes them
    (:func:`collatio.survey.verify.keys`): all words as side a, as side b, content words
    as a, as b (each side's gaps keys of their own)."""
    from collatio.survey.verify import content_mask, keys

    mask = content_mask(codes, common)
    return keys(codes, 0), keys(codes, 1), keys(codes, 0, mask), keys(codes, 1, mask)


def _init(keys: list[tuple[list[int], list[int], list[int], list[int]]],
          options: Any) -> None:
    _STATE["keys"], _STATE["options"] = keys, options


def _align(segments: list[tuple[int, int, int]]) -> tuple[list[tuple[Any, ...]], int, float]:
    """Align and judge the pairs ``(i, j)`` for ``j`` in ``[lo, hi)`` of each segment
    ``(i, lo, hi)``; the accepted pairs, the pairs done, the CPU seconds."""
    from collatio.survey.model import LinkKind
    from collatio.survey.verify import measured

    keys, options = _STATE["keys"], _STATE["options"]
    started = time.process_time()
    found, done = [], 0
    for i, lo, hi in segments:
        ta, _, ca, _ = keys[i]
        for j in range(lo, hi):
            _, tb, _, cb = keys[j]
            result, _runs = measured(ta, tb, ca, cb, options)
            done += 1
            if result.kind is not LinkKind.NONE:
                found.append((i, j, result.kind.value, result.coverage_a, result.coverage_b,
                              result.content_coverage_a, result.content_coverage_b))
    return found, done, time.process_time() - started


def tasks(n: int, per_task: int = PAIRS_PER_TASK) -> Iterator[list[tuple[int, int, int]]]:
    """The pairs ``i < j < n`` in order, cut into tasks of at most *per_task* pairs, each a
    list of row segments ``(i, lo, hi)``.

    >>> list(tasks(4, 4))
    [[(0, 1, 4), (1, 2, 3)], [(1, 3, 4), (2, 3, 4)]]
    """
    task: list[tuple[int, int, int]] = []
    room = per_task
    for i in range(n):
        lo = i + 1
        while lo < n:
            hi = min(n, lo + room)
            task.append((i, lo, hi))
            room -= hi - lo
            lo = hi
            if room == 0:
                yield task
                task, room = [], per_task
    if task:
        yield task


def run(archive: Path, cap: float = CAP, workers: int | None = None) -> dict[str, Any]:
    """Align every pair of the documents under *archive* (see the module docstring)."""
    from collatio.survey.documents import SurveyText, discover, read_files
    from collatio.survey.engine import Engine, chunked
    from collatio.survey.families import components
    from collatio.survey.model import SurveyOptions
    from collatio.survey.pipeline import common_words

    options = SurveyOptions()
    started = time.perf_counter()
    with Engine(workers) as engine:
        paths = discover([str(archive)])
        texts = [t for t in engine.map(read_files, chunked(paths, engine.parts(len(paths))))
                 if isinstance(t, SurveyText)]
        workers = engine.workers
    common = common_words(texts, options.content_df)
    keys = [document_keys(t.codes, common) for t in texts]
    n = len(texts)
    total = n * (n - 1) // 2
    prepared = time.perf_counter() - started
    found: list[tuple[Any, ...]] = []
    done, cpu, capped = 0, 0.0, False
    clock = time.perf_counter()
    deadline = clock + cap
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_init,
                               initargs=(keys, options))
    try:
        queue = tasks(n)
        running: set[Future[Any]] = set()
        for task in queue:  # a few tasks ahead of the workers, not all 250 at once
            running.add(pool.submit(_align, task))
            if len(running) >= 3 * workers:
                break
        while running:
            left = deadline - time.perf_counter()
            if left <= 0:
                capped = True
                break
            finished, running = wait(running, timeout=left, return_when=FIRST_COMPLETED)
            for future in finished:
                part, count, seconds = future.result()
                found.extend(part)
                done += count
                cpu += seconds
                task = next(queue, None)
                if task is not None:
                    running.add(pool.submit(_align, task))
    finally:
        # the workers this pool started, taken before shutdown forgets them: past the cap
        # their running tasks are abandoned and they are ended, not waited for
        started = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=not capped, cancel_futures=True)
        if capped:
            for process in started:
                process.terminate()
                process.join(5)
    aligning = time.perf_counter() - clock
    groups = components(n, [(i, j) for i, j, *_ in found])
    return {
        "documents": n, "pairs": total, "pairs_aligned": done, "capped": capped,
        "cap": cap, "workers": workers,
        "prepare_seconds": round(prepared, 2), "align_seconds": round(aligning, 2),
        "seconds": round(prepared + aligning, 2), "align_cpu": round(cpu, 1),
        # at the rate it went (None if not one task finished before the cap)
        "projected_seconds": (round(prepared + aligning * total / done, 1) if done else None),
        "accepted": [[texts[i].key, texts[j].key, kind, *rest]
                     for i, j, kind, *rest in found],
        "families": sorted(sorted(texts[m].key for m in g) for g in groups),
    }


def compare(base: dict[str, Any], survey: dict[str, Any]) -> dict[str, Any]:
    """The baseline's answers against a survey's (``survey.json`` as loaded): the same
    families, and the family pairs each found that the other did not (pairs inside a
    family; for a capped baseline only the pairs it aligned can be compared, so its
    families are then partial and only the survey's pairs it missed are told)."""
    import itertools

    docs = {d["id"]: f"{d['path']}#{d['siglum']}" for d in survey["documents"]}
    survey_families = sorted(sorted(docs[m] for m in f["members"]) for f in survey["families"])
    survey_pairs = {frozenset(p) for fam in survey_families
                    for p in itertools.combinations(fam, 2)}
    base_pairs = {frozenset(p) for fam in base["families"]
                  for p in itertools.combinations(fam, 2)}
    return {
        "same_families": (not base["capped"]) and base["families"] == survey_families,
        "survey_families": len(survey_families), "baseline_families": len(base["families"]),
        "family_pairs_only_survey": len(survey_pairs - base_pairs),
        "family_pairs_only_baseline": len(base_pairs - survey_pairs),
        "examples_only_baseline": sorted(sorted(p) for p in base_pairs - survey_pairs)[:3],
        "examples_only_survey": sorted(sorted(p) for p in survey_pairs - base_pairs)[:3],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("archive", type=Path)
    parser.add_argument("--cap", type=float, default=CAP, help="seconds (default %(default)s)")
    parser.add_argument("--workers", type=int)
    parser.add_argument("--survey", type=Path, help="a survey.json to compare with")
    args = parser.parse_args()
    base = run(args.archive, args.cap, args.workers)
    shown = {k: v for k, v in base.items() if k not in ("accepted", "families")}
    if args.survey:
        shown.update(compare(base, json.loads(args.survey.read_text("utf-8"))))
    print(json.dumps(shown, indent=1))


if __name__ == "__main__":
    main()
