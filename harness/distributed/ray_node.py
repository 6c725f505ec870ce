"""The Ray actor body of --backend ray: one per node, owning that node's warm sandbox pool
and the outcomes the driver has not collected yet (see harness/distributed/ray_backend.py)."""
from __future__ import annotations

import os
import threading
from concurrent.futures import Future
from typing import Optional

from sandboxes.job import Job, Limits, Outcome


def _normal_priority() -> int:
    """Ray runs workers at nice 15 (RAY_worker_niceness): on a busy node the sandboxes and the
    threads relaying their results would then wait behind everything else. Back to 0 where
    allowed (Linux niceness is per thread; new threads and processes inherit it)."""
    try:
        if os.getpriority(os.PRIO_PROCESS, 0) > 0:
            os.setpriority(os.PRIO_PROCESS, 0, 0)
        return os.getpriority(os.PRIO_PROCESS, 0)
    except OSError:
        return os.getpriority(os.PRIO_PROCESS, 0)


class NodeRunner:
    """The actor body: a node's sandbox pool plus the outcomes not yet collected by the driver."""

    def __init__(self, sandbox: str, workers: int, limits: Limits, image: Optional[str], runtime: Optional[str],
                 share: str = "process"):
        self.spec = (sandbox, workers, limits, image, runtime, share)
        self.pool = None
        self.tag = ""
        self._done: list[tuple[int, Outcome]] = []
        self._cond = threading.Condition()

    def start(self) -> dict:
        import ray

        from sandboxes import make_pool

        nice = _normal_priority()  # before the pool's threads and runners exist: they inherit it
        sandbox, workers, limits, image, runtime, share = self.spec
        # share="node": the actors of every driver on this node use the node's one pool
        self.pool = make_pool(sandbox, workers=workers, limits=limits, image=image, runtime=runtime, share=share)
        self.pool.start()
        node_id = ray.get_runtime_context().get_node_id()
        self.tag = node_id[:8]
        return {"node_id": node_id, "ip": ray.util.get_node_ip_address(), "workers": self.pool.size,
                "image_id": getattr(self.pool, "image_id", "") or "", "description": self.pool.description,
                "nice": nice, "service_pid": getattr(self.pool, "service_pid", None)}

    def submit(self, batch: list[tuple[int, Job]]) -> int:
        _normal_priority()
        for ticket, job in batch:
            self.pool.submit(job).add_done_callback(lambda f, t=ticket: self._finished(t, f))
        return len(batch)

    def _finished(self, ticket: int, fut: Future) -> None:
        try:
            outcome = fut.result()
        except BaseException as e:  # the pool never raises for a job; be safe rather than lose it
            outcome = Outcome.infra_failure(f"{type(e).__name__}: {e}")
        outcome.worker = f"{self.tag}/{outcome.worker}"
        with self._cond:
            self._done.append((ticket, outcome))
            self._cond.notify_all()

    def poll(self, wait_s: float, linger_s: float, enough: int) -> list[tuple[int, Outcome]]:
        """Everything finished since the last poll: waits up to wait_s for the first outcome, then
        up to linger_s more for `enough` of them, so that one round trip carries a batch."""
        _normal_priority()
        with self._cond:
            if self._cond.wait_for(lambda: self._done, timeout=wait_s) and linger_s > 0:
                self._cond.wait_for(lambda: len(self._done) >= enough, timeout=linger_s)
            out, self._done = self._done, []
        return out

    def exchange(self, batch: list[tuple[int, Job]], wait_s: float, linger_s: float,
                 enough: int) -> list[tuple[int, Outcome]]:
        """submit + poll in one round trip: the steady state, where each answer brings the refill."""
        self.submit(batch)
        return self.poll(wait_s, linger_s, enough)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool = None
