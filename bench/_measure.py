"""Run one command and report its wall time and peak memory as one JSON line on stdout.

Usage: ``python bench/_measure.py [--timeout SECONDS] -- COMMAND...``

Run it as a fresh process for every measurement: the peak resident set size is read from
``getrusage(RUSAGE_CHILDREN).ru_maxrss``, the largest of this wrapper's waited-for children,
which is here just the one command. Wall time is ``time.perf_counter()`` from just before the
child is started to just after it has been reaped, so it covers the whole process: interpreter
start-up, imports, reading, work and writing. On timeout the child's process group is killed.

Output: ``{"status": "ok" | "timeout" | "crashed", "returncode": int | null, "wall_s": float,
"cpu_s": float, "peak_kb": int, "stderr": "<last 2,000 characters>"}`` (``cpu_s``: the
child's user + system CPU time, less sensitive than wall time to other load on the machine).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import subprocess
import tempfile
import threading
import time


def measure(command: list[str], timeout: float | None) -> dict[str, object]:
    """Run *command*; return status, exit code, wall and CPU seconds, peak RSS (KiB), stderr."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
            start_new_session=True,
        )
        # A blocking wait returns the moment the child ends; Popen.wait(timeout=...) polls
        # with sleeps of up to 50 ms, which would round short runs up. A timer kills instead.
        expired = threading.Event()

        def kill() -> None:
            expired.set()
            os.killpg(child.pid, signal.SIGKILL)

        timer = threading.Timer(timeout, kill) if timeout is not None else None
        if timer is not None:
            timer.start()
        code: int | None = child.wait()
        wall = time.perf_counter() - start
        if timer is not None:
            timer.cancel()
        if expired.is_set():
            code, status = None, "timeout"
        else:
            status = "ok" if code == 0 else "crashed"
        err.seek(0)
        tail = err.read().decode("utf-8", "replace")[-2000:]
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"status": status, "returncode": code, "wall_s": wall,
            "cpu_s": usage.ru_utime + usage.ru_stime, "peak_kb": usage.ru_maxrss,  # KiB
            "stderr": tail}


def main() -> None:
    """Parse ``[--timeout S] -- COMMAND...`` and print the measurement."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=None)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command given")
    print(json.dumps(measure(command, args.timeout)))


if __name__ == "__main__":
    main()
