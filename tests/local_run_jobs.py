"""A `run_jobs` for tests: the real in-sandbox runner as local subprocesses (no isolation).

Stands in for the warm pool (sandboxes/pool.py) so benchmark and synthesizer tests run
without Docker: each worker is one long-lived runner process fed jobs over its pipes,
exactly the protocol a container's runner speaks.
"""
from __future__ import annotations

import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

from sandboxes.job import Job, Outcome
from sandboxes.runner import BOOTSTRAP, bundle
from sandboxes.runner.protocol import encode_plain, read_frame, write_frame


class _Runner:
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


class LocalRunJobs:
    """Callable `run_jobs(jobs) -> outcomes`, outcomes in the order of `jobs`."""

    def __init__(self, workers: int = 2):
        self.runners = [_Runner() for _ in range(workers)]
        self.free = list(self.runners)
        self.lock = threading.Lock()
        self.executor = ThreadPoolExecutor(max_workers=workers)
        self.jobs_run = 0

    def _one(self, job: Job) -> Outcome:
        with self.lock:
            runner = self.free.pop()
        try:
            return runner.run(job)
        finally:
            with self.lock:
                self.free.append(runner)

    def __call__(self, jobs: list[Job]) -> list[Outcome]:
        self.jobs_run += len(jobs)
        return list(self.executor.map(self._one, jobs))

    def close(self) -> None:
        self.executor.shutdown()
        for r in self.runners:
            r.close()
