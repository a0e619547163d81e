"""Where a survey's wall time goes, stage by stage, on the default engine (local processes).

Usage::

    python bench/survey_profile.py ARCHIVE [--out OUT] [--workers N]
    python bench/survey_profile.py --generate 1000 [--seed 1950]   # a planted archive first

For each stage (and for the start-up and the output files) it reports, from the kernel's
per-thread scheduler accounting (``/proc/PID/task/TID/schedstat``: time on a CPU, time
runnable but waiting for one), for the calling process and for the worker processes
together:

* **on CPU**: work (including pickling and unpickling what travels between processes);
* **waiting for a CPU**: runnable, but another process had the core (the machine's load);
* **idle** (workers only): neither; a worker with nothing to do (start-up, a stage's last
  task running on the other worker, the calling process's own work between steps, data
  in transit through the pipes).

Linux only (it reads ``/proc``). On a quiet machine *waiting* is near zero and the wall time
is about ``(calling process's CPU) + (workers' CPU) / workers``; what it adds beyond that is
idleness, which is what the engine can still remove.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != str(BENCH)] + [str(BENCH)]


def _schedstat(pid: int) -> dict[int, tuple[float, float]]:
    """For each thread of *pid*: seconds on a CPU and seconds runnable but waiting."""
    out: dict[int, tuple[float, float]] = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat", encoding="ascii") as handle:
                fields = handle.read().split()
        except OSError:
            continue
        out[int(tid)] = (int(fields[0]) / 1e9, int(fields[1]) / 1e9)
    return out


def _children(pid: int) -> list[int]:
    import psutil  # comes with distributed

    try:
        return [c.pid for c in psutil.Process(pid).children(recursive=True)]
    except psutil.Error:
        return []


class Clock:
    """Per-stage wall time and scheduler accounting of this process and its workers (a
    thread or a process that has ended keeps its last reading)."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self.parent: dict[int, tuple[float, float]] = {}
        self.workers: dict[tuple[int, int], tuple[float, float]] = {}
        self.last = self._read()

    def _read(self) -> dict[str, float]:
        self.parent.update(_schedstat(os.getpid()))
        for pid in _children(os.getpid()):
            for tid, reading in _schedstat(pid).items():
                self.workers[pid, tid] = reading
        return {"wall": time.perf_counter(),
                "on": sum(r for r, _ in self.parent.values()),
                "wait": sum(w for _, w in self.parent.values()),
                "won": sum(r for r, _ in self.workers.values()),
                "wwait": sum(w for _, w in self.workers.values())}

    def lap(self, name: str, workers: int) -> None:
        now = self._read()
        prev = self.last
        wall = now["wall"] - prev["wall"]
        row = {
            "stage": name, "wall": wall,
            "parent_cpu": now["on"] - prev["on"], "parent_wait": now["wait"] - prev["wait"],
            "workers_cpu": now["won"] - prev["won"], "workers_wait": now["wwait"] - prev["wwait"],
        }
        row["workers_idle"] = max(0.0, workers * wall - row["workers_cpu"] - row["workers_wait"])
        self.rows.append(row)
        self.last = now


def profile(archive: Path, out: Path, workers: int | None) -> dict[str, Any]:
    from collatio.survey import pipeline
    from collatio.survey.engine import Engine
    from collatio.survey.model import SurveyOptions
    from collatio.survey.outputs import write_json, write_parquet
    from collatio.survey.page import write_index

    clock = Clock()
    load = os.getloadavg()
    original = pipeline.Survey.lap
    engine_box: list[Any] = []

    def lap(self: Any, name: str) -> None:
        original(self, name)
        clock.lap(name, engine_box[0].workers if engine_box[0].workers > 1 else 0)

    pipeline.Survey.lap = lap  # type: ignore[method-assign]
    try:
        with Engine(workers, None, None) as engine:
            engine_box.append(engine)
            result = pipeline.run_survey([str(archive)], str(out),
                                         SurveyOptions(formats=("json", "html")), engine)
            clock.lap("(last stage's tail)", engine.workers if engine.workers > 1 else 0)
        clock.lap("pool shut down", 0)
        write_json(result, str(out))
        write_parquet(result, str(out))
        write_index(result, str(out))
        clock.lap("outputs", 0)
    finally:
        pipeline.Survey.lap = original  # type: ignore[method-assign]
    return {"documents": len(result.documents), "load_before": load,
            "load_after": os.getloadavg(), "rows": clock.rows,
            "workers": engine_box[0].workers}


def report(data: dict[str, Any]) -> str:
    rows = data["rows"]
    lines = [f"{data['documents']:,} documents, {data['workers']} workers; load average "
             f"{data['load_before'][0]:.1f} before, {data['load_after'][0]:.1f} after", "",
             "| stage | wall (s) | parent CPU | parent waiting | workers CPU "
             "| workers waiting | workers idle |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    total = {k: 0.0 for k in rows[0] if k != "stage"} if rows else {}
    for row in rows:
        lines.append(f"| {row['stage']} | {row['wall']:.2f} | {row['parent_cpu']:.2f} | "
                     f"{row['parent_wait']:.2f} | {row['workers_cpu']:.2f} | "
                     f"{row['workers_wait']:.2f} | {row['workers_idle']:.2f} |")
        for key in total:
            total[key] += row[key]
    if rows:
        lines.append(f"| **total** | {total['wall']:.2f} | {total['parent_cpu']:.2f} | "
                     f"{total['parent_wait']:.2f} | {total['workers_cpu']:.2f} | "
                     f"{total['workers_wait']:.2f} | {total['workers_idle']:.2f} |")
        quiet = total["parent_cpu"] + total["workers_cpu"] / max(1, data["workers"])
        lines += ["", f"On a quiet machine (no waiting, no idleness): about {quiet:.0f} s."]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("archive", nargs="?", type=Path)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--workers", type=int)
    parser.add_argument("--generate", type=int, metavar="N",
                        help="generate a planted archive of N documents (in a temporary folder)")
    parser.add_argument("--seed", type=int, default=1950)
    parser.add_argument("--json", action="store_true", help="print the rows as JSON too")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="collatio-survey-profile-"))
    archive = args.archive
    if args.generate:
        import survey_synth

        archive = work / f"archive-{args.generate}"
        survey_synth.write_archive(archive, args.generate, args.seed)
    if archive is None:
        parser.error("give an ARCHIVE or --generate N")
    data = profile(archive, args.out or work / "out", args.workers)
    print(report(data))
    if args.json:
        print(json.dumps(data))


if __name__ == "__main__":
    main()
