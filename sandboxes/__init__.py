"""Isolated execution of Jobs. Knows nothing of benchmarks.

    from sandboxes import make_pool, Job, TestCase, Limits
    with make_pool("docker", workers=4) as pool:
        outcome = pool.run_all([Job(program="def f(): return 1", tests=[TestCase("t", code="assert f() == 1")])])[0]
"""
from __future__ import annotations

import os
from typing import Optional

from sandboxes.job import Job, Limits, Outcome, TestCase, TestResult
from sandboxes.pool import SandboxPool, Worker, WorkerDied

BACKENDS = ("docker", "process")
SHARES = ("process", "node")


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def make_pool(backend: str = "docker", workers: Optional[int] = None, limits: Optional[Limits] = None,
              image: Optional[str] = None, runtime: Optional[str] = None, client=None,
              share: str = "process") -> SandboxPool:
    """A pool, not yet started (use it as a context manager, or call .start()).

    share="node": attach to the one pool this user's processes on this machine share for the same
    configuration (started on first use, gone a few seconds after its last user; see node_pool)."""
    if share == "node":
        from sandboxes.node_pool import NodePool

        if backend not in BACKENDS:
            raise ValueError(f"unknown sandbox backend {backend!r}; known: {', '.join(BACKENDS)}")
        return NodePool(backend, workers=workers, limits=limits, image=image, runtime=runtime)
    if share != "process":
        raise ValueError(f"unknown pool sharing {share!r}; use process (a pool of its own) or node")
    workers = workers or default_workers()
    limits = limits or Limits()
    if backend == "process":
        from sandboxes.process_backend import LIMITATIONS, ProcessWorker, bwrap_path
        if bwrap_path():
            return SandboxPool(lambda i: ProcessWorker(i), workers,
                               description=f"process + bubblewrap namespaces (weaker than docker: {LIMITATIONS})")
        return SandboxPool(lambda i: ProcessWorker(i, namespaces=False), workers, description="process (NO isolation)")
    if backend != "docker":
        raise ValueError(f"unknown sandbox backend {backend!r}; known: {', '.join(BACKENDS)}")
    from sandboxes import docker_backend, engine
    from sandboxes import image as image_mod

    client = client or engine.connect()
    tag = image or image_mod.default_tag()
    if image_mod.find(client, tag) is None:
        raise engine.SandboxUnavailable(f"sandbox image {tag} not found: run `codeharness sandbox build`")
    docker_backend.remove_stale(client)
    config = docker_backend.DockerConfig(image=tag, runtime=runtime, limits=limits)
    pool_id = docker_backend.new_pool_id()
    factory = lambda i: docker_backend.DockerWorker(client, config, i, pool_id, docker_backend.uid_for(pool_id, i))
    pool = SandboxPool(factory, workers, description=f"docker {tag}" + (f" runtime={runtime}" if runtime else ""))
    pool.image_id = image_mod.find(client, tag).id
    return pool


__all__ = ["Job", "Limits", "Outcome", "TestCase", "TestResult", "SandboxPool", "Worker", "WorkerDied",
           "make_pool", "default_workers", "BACKENDS", "SHARES"]
