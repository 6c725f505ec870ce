"""The one job runner every path uses (CLI evaluate, reward API, server, data synthesis):
a configured sandbox pool plus the judge mode and limits jobs run under."""
from __future__ import annotations

import os
import sys
from concurrent.futures import Future, as_completed
from dataclasses import dataclass
from typing import Iterable, Iterator, Optional

from sandboxes import SHARES, Job, Limits, Outcome, SandboxPool, make_pool
from sandboxes.engine import SandboxUnavailable
from sandboxes.pool import in_input_order

from harness.errors import UserError


@dataclass
class ExecConfig:
    sandbox: str = "docker"           # docker | process (process = NO isolation, development only)
    workers: Optional[int] = None     # default: number of cores
    timeout_s: float = 10.0           # CPU seconds per sample (wall-clock backstop: 3x + 5 s)
    memory_mb: int = 1024
    judge: str = "strict"             # strict | compat
    parity: bool = True               # compat: the benchmark's published limits and preamble (Benchmark.published)
    image: Optional[str] = None
    runtime: Optional[str] = None     # e.g. runsc (gVisor)
    rerun_timeouts: bool = True       # run a timeout once more when load may explain it (load_suspect)
    backend: str = "local"            # local | ray (sandboxes on every node of a Ray cluster; workers = per node)
    ray_address: Optional[str] = None # Ray cluster address (default: initialised Ray, $RAY_ADDRESS, or a local one)
    share: str = "process"            # process (a pool of its own) | node (one pool per machine, shared by processes)

    def limits(self) -> Limits:
        return Limits(cpu_time_s=self.timeout_s, memory_mb=self.memory_mb)


def load_suspect(outcome: Outcome, job: Job) -> bool:
    """A timeout the machine's load, not the sample, may have caused: the wall-clock backstop
    fired (the sample may simply not have been scheduled), or the CPU limit was hit while the
    machine was oversubscribed (contention inflates CPU time a little). Verdicts must not
    depend on load, so such samples get one more run."""
    if outcome.error:
        return False
    timeouts = [t for t in outcome.tests if t.status == "timeout"]
    if outcome.limit == "wall" or any("wall" in t.message for t in timeouts):
        return True
    if outcome.limit == "cpu" or timeouts:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        return os.getloadavg()[0] > cores
    return False


class Executor:
    def __init__(self, config: Optional[ExecConfig] = None, pool: Optional[SandboxPool] = None, warn=None):
        self.config = config or ExecConfig()
        if self.config.judge not in ("strict", "compat"):
            raise UserError(f"unknown judge mode {self.config.judge!r}; use strict or compat")
        if self.config.share not in SHARES:
            raise UserError(f"unknown pool sharing {self.config.share!r}; use process (a pool of its own) or node "
                            "(one pool per machine, shared by its processes)")
        self._own_pool = pool is None
        self.pool = pool
        self.warn = warn or (lambda msg: print(msg, file=sys.stderr))

    def start(self) -> "Executor":
        if self.pool is None:
            cfg = self.config
            pool = self._make_pool()
            if cfg.sandbox == "process":
                from sandboxes.process_backend import LIMITATIONS, bwrap_path

                if bwrap_path():
                    self.warn("WARNING: --sandbox process uses bubblewrap namespaces (no network, private /tmp and "
                              f"pids, read-only system files) but is weaker than docker: {LIMITATIONS}")
                else:
                    self.warn("WARNING: --sandbox process runs untrusted code on this machine WITHOUT isolation "
                              "(install bubblewrap for namespaces); use it for development only")
            self.pool = pool
            try:
                self.pool.start()
            except (SandboxUnavailable, UserError):
                self.pool = None
                raise
            except Exception as e:
                self.pool = None
                where = " on Ray" if cfg.backend == "ray" else ""
                raise SandboxUnavailable(f"could not start the {cfg.sandbox} sandbox pool{where}: "
                                         f"{type(e).__name__}: {e}") from None
        return self

    def _make_pool(self):
        cfg = self.config
        if cfg.backend == "ray":
            if cfg.sandbox not in ("docker", "process"):
                raise UserError(f"unknown sandbox backend {cfg.sandbox!r}; known: docker, process")
            from harness.distributed.ray_backend import RayPool  # Ray is optional: imported only here

            return RayPool(cfg.sandbox, workers_per_node=cfg.workers, limits=cfg.limits(), image=cfg.image,
                           runtime=cfg.runtime, address=cfg.ray_address, share=cfg.share, warn=self.warn)
        if cfg.backend != "local":
            raise UserError(f"unknown execution backend {cfg.backend!r}; use local or ray")
        try:
            return make_pool(cfg.sandbox, workers=cfg.workers, limits=cfg.limits(), image=cfg.image,
                             runtime=cfg.runtime, share=cfg.share)
        except ValueError as e:
            raise UserError(str(e)) from None

    @property
    def image_id(self) -> str:
        return getattr(self.pool, "image_id", "") or ""

    @property
    def limits(self) -> Limits:
        return self.config.limits()

    def iter_jobs(self, jobs: Iterable[Job]) -> Iterator[tuple[int, Outcome]]:
        """(index, outcome) in completion order; a timeout that load may explain is run once more
        (see load_suspect) and reported from its second run."""
        if self.pool is None:
            self.start()
        seen: dict[int, Job] = {}

        def remember():
            for i, job in enumerate(jobs):
                seen[i] = job
                yield job

        reruns = {}
        for i, outcome in self.pool.run(remember()):
            job = seen.pop(i)
            if self.config.rerun_timeouts and load_suspect(outcome, job):
                reruns[self.pool.submit(job)] = (i, outcome)
            else:
                yield i, outcome
        for fut in as_completed(reruns):
            i, first = reruns[fut]
            second = fut.result()
            second.attempts += first.attempts
            yield i, second

    def run_jobs(self, jobs: Iterable[Job]) -> list[Outcome]:
        jobs = list(jobs)
        return in_input_order(self.iter_jobs(jobs), len(jobs))

    __call__ = run_jobs  # an Executor is a `run_jobs(jobs) -> outcomes` callable

    def submit(self, job: Job) -> "Future[Outcome]":
        """One job, without blocking: for callers that wait on many batches at once (the server)."""
        if self.pool is None:
            self.start()
        return self.pool.submit(job)

    def close(self) -> None:
        if self._own_pool and self.pool is not None:
            self.pool.close()
            self.pool = None

    def __enter__(self) -> "Executor":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()
