"""The fork floor: the least any process-per-sample evaluator can cost on this machine.

A bare loop keeps `workers` children running; each child is a plain os.fork() of this small
process that execs program + tests and reports pass/fail through a pipe. No isolation, no
limits but an alarm, no results file: a bench contender only, never a way to score samples.

    python -m harness.bench.fork_floor PROGRAMS.json WORKERS TIMEOUT   -> {"seconds": .., "passed": ..}
"""
from __future__ import annotations

import json
import math
import os
import signal
import sys
import time


def floor_program(program: str, setup: str, test_codes: list[str]) -> str:
    """One script: the candidate's program, the trusted test setup, then the test statements."""
    return "\n".join([program, setup, *test_codes, ""])


def _child(source: str, timeout: float, w: int) -> None:
    ok = b"0"
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        signal.alarm(max(1, math.ceil(timeout)))   # the default action ends the child: a failure
        exec(compile(source, "<sample>", "exec"), {"__name__": "__main__"})
        ok = b"1"
    except BaseException:
        pass
    finally:
        os.write(w, ok)
        os._exit(0)


def run_floor(sources: list[str], workers: int, timeout: float) -> tuple[float, int]:
    """Seconds for the whole loop, and how many samples passed."""
    running: dict[int, int] = {}    # pid -> read end of its pipe
    passed, todo = 0, iter(sources)
    t0 = time.perf_counter()
    while True:
        while len(running) < workers:
            source = next(todo, None)
            if source is None:
                break
            r, w = os.pipe()
            pid = os.fork()
            if pid == 0:
                os.close(r)
                _child(source, timeout, w)
            os.close(w)
            running[pid] = r
        if not running:
            break
        pid, _ = os.wait()
        r = running.pop(pid, None)
        if r is not None:
            passed += os.read(r, 1) == b"1"
            os.close(r)
    return time.perf_counter() - t0, passed


def main(argv: list[str]) -> int:
    path, workers, timeout = argv[0], int(argv[1]), float(argv[2])
    with open(path, encoding="utf-8") as f:
        sources = json.load(f)
    seconds, passed = run_floor(sources, workers, timeout)
    print(json.dumps({"seconds": seconds, "passed": passed, "samples": len(sources)}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
