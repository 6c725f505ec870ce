"""Run Jobs through the in-sandbox runner as local subprocesses (no isolation): enough to check
benchmark data against reference solutions in tests, until the sandbox pool is plugged in."""
from __future__ import annotations

import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

from sandboxes.job import Job, Outcome
from sandboxes.runner import BOOTSTRAP, bundle
from sandboxes.runner.protocol import encode_plain, read_frame, write_frame


class LocalRunner:
    """One long-lived runner process; jobs run one at a time."""

    def __init__(self):
        self.proc = subprocess.Popen([sys.executable, "-I", "-c", BOOTSTRAP],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.proc.stdin.write(bundle())
        self.proc.stdin.flush()
        read_frame(self.proc.stdout.fileno())  # hello

    def run(self, job: Job) -> Outcome:
        d = job.to_dict()
        for t in d["tests"]:
            t["args"] = encode_plain(t["args"])
            t["expected"] = encode_plain(t["expected"])
        write_frame(self.proc.stdin.fileno(), {"op": "job", "job": d})
        return Outcome.from_dict(read_frame(self.proc.stdout.fileno())["outcome"])

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


class LocalPool:
    """`run_jobs(jobs) -> outcomes` over a few LocalRunners, in input order."""

    def __init__(self, workers: int = 2):
        self.runners = [LocalRunner() for _ in range(workers)]
        self.free = list(self.runners)
        self.lock = threading.Lock()

    def _run_one(self, job: Job) -> Outcome:
        with self.lock:
            runner = self.free.pop()
        try:
            return runner.run(job)
        finally:
            with self.lock:
                self.free.append(runner)

    def __call__(self, jobs: list[Job]) -> list[Outcome]:
        with ThreadPoolExecutor(len(self.runners)) as ex:
            return list(ex.map(self._run_one, jobs))

    def close(self) -> None:
        for r in self.runners:
            r.close()
