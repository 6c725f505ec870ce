"""A `run_jobs` for tests that need no isolation: the real runner in the process-backend pool.

The same pool, runner and protocol a Docker container uses, minus the container; fast
enough for data-generation tests that run thousands of trusted reference programs.
"""
from __future__ import annotations

from harness.core.executor import ExecConfig, Executor


class LocalRunJobs(Executor):
    """Callable `run_jobs(jobs) -> outcomes` (in the order of `jobs`), closed with close()."""

    def __init__(self, workers: int = 2):
        super().__init__(ExecConfig(sandbox="process", workers=workers), warn=lambda msg: None)
        self.jobs_run = 0
        self.start()

    def __call__(self, jobs):
        jobs = list(jobs)
        self.jobs_run += len(jobs)
        return self.run_jobs(jobs)
