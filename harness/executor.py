"""The one job runner every path uses (CLI evaluate, reward API, server, data synthesis):
a configured sandbox pool plus the judge mode and limits jobs run under."""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Iterable, Iterator, Optional

from sandboxes import Job, Limits, Outcome, SandboxPool, make_pool
from sandboxes.engine import SandboxUnavailable

from harness.errors import UserError


@dataclass
class ExecConfig:
    sandbox: str = "docker"           # docker | process (process = NO isolation, development only)
    workers: Optional[int] = None     # default: number of cores
    timeout_s: float = 10.0           # CPU seconds per sample (wall-clock backstop: 3x + 5 s)
    memory_mb: int = 1024
    judge: str = "strict"             # strict | compat
    image: Optional[str] = None
    runtime: Optional[str] = None     # e.g. runsc (gVisor)
    backend: str = "local"            # local | ray (sandboxes on every node of a Ray cluster; workers = per node)
    ray_address: Optional[str] = None # Ray cluster address (default: initialised Ray, $RAY_ADDRESS, or a local one)

    def limits(self) -> Limits:
        return Limits(cpu_time_s=self.timeout_s, memory_mb=self.memory_mb)


class Executor:
    def __init__(self, config: Optional[ExecConfig] = None, pool: Optional[SandboxPool] = None, warn=None):
        self.config = config or ExecConfig()
        if self.config.judge not in ("strict", "compat"):
            raise UserError(f"unknown judge mode {self.config.judge!r}; use strict or compat")
        self._own_pool = pool is None
        self.pool = pool
        self.warn = warn or (lambda msg: print(msg, file=sys.stderr))

    def start(self) -> "Executor":
        if self.pool is None:
            cfg = self.config
            pool = self._make_pool()
            if cfg.sandbox == "process":
                self.warn("WARNING: --sandbox process runs untrusted code on this machine WITHOUT isolation; "
                          "use it for development only")
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
            from harness.ray_backend import RayPool  # Ray is optional: imported only here

            return RayPool(cfg.sandbox, workers_per_node=cfg.workers, limits=cfg.limits(), image=cfg.image,
                           runtime=cfg.runtime, address=cfg.ray_address, warn=self.warn)
        if cfg.backend != "local":
            raise UserError(f"unknown execution backend {cfg.backend!r}; use local or ray")
        try:
            return make_pool(cfg.sandbox, workers=cfg.workers, limits=cfg.limits(), image=cfg.image,
                             runtime=cfg.runtime)
        except ValueError as e:
            raise UserError(str(e)) from None

    @property
    def image_id(self) -> str:
        return getattr(self.pool, "image_id", "") or ""

    @property
    def limits(self) -> Limits:
        return self.config.limits()

    def iter_jobs(self, jobs: Iterable[Job]) -> Iterator[tuple[int, Outcome]]:
        if self.pool is None:
            self.start()
        return self.pool.run(jobs)

    def run_jobs(self, jobs: Iterable[Job]) -> list[Outcome]:
        if self.pool is None:
            self.start()
        return self.pool.run_all(jobs)

    def close(self) -> None:
        if self._own_pool and self.pool is not None:
            self.pool.close()
            self.pool = None

    def __enter__(self) -> "Executor":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()
