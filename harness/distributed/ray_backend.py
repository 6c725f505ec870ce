"""Sandbox work spread over a Ray cluster.

One actor per node owns that node's warm `SandboxPool` (Docker, sized to the node's CPUs).
The driver hands jobs to actors in batches, keeps at most `per_worker` jobs in flight per
sandbox worker (back-pressure: a slow node is never buried), and streams outcomes back
as they complete: each actor answers a long poll with everything finished since the last
one, so one round trip carries many outcomes when the node is busy and one when it is not.

Faults: an actor (or its node) that dies has its unfinished jobs re-run on the others, and
one replacement actor is started on its node if the node is still alive. Every job gets
exactly one outcome: a job is owed by exactly one live actor at a time, and whatever a
dead actor might still send is ignored. A sample that kills its own sandbox is the node's
local pool's business (it replaces the worker), so it never takes a node down.

This lives in `harness`, not `sandboxes`: it is orchestration across hosts with an optional
dependency, while `sandboxes` stays a plain single-host library that every node runs.
Ray is imported only when a RayPool is made.
"""
from __future__ import annotations

import collections
import itertools
import logging
import os
import queue
import socket
import sys
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, Optional

from sandboxes.job import Job, Limits, Outcome
from sandboxes.pool import in_input_order

from harness.errors import UserError
from harness.distributed.ray_node import NodeRunner

INSTALL_HINT = "pip install 'codeharness[ray]'"


def import_ray():
    try:
        import ray
    except ImportError:
        raise UserError(f"--backend ray needs Ray, which is not installed: {INSTALL_HINT}") from None
    return ray


@dataclass
class _Owed:
    """A job the driver owes one outcome for."""
    job: Job
    future: Future
    lost: int = 0                     # actors that died while holding it


@dataclass
class NodeState:
    node_id: str
    workers: int                      # sandbox workers on the node (0 until started)
    handle: Any = None
    state: str = "starting"           # starting | ready | dead
    info: dict = field(default_factory=dict)
    in_flight: dict[int, _Owed] = field(default_factory=dict)
    polling: bool = False
    respawns: int = 0


class RayPool:
    """Same interface as sandboxes.SandboxPool (start, run, run_all, submit, close, context
    manager), with the sandboxes on every node of a Ray cluster.

    workers_per_node: sandbox workers per node (default: the node's CPUs in Ray).
    address: a Ray cluster address (default: an already initialised Ray, else $RAY_ADDRESS,
    else a new local one). share="node": each node's actor attaches to that node's shared pool, so the
    actors of several drivers (veRL/OpenRLHF processes) use one pool per node instead of one each.
    per_worker: jobs in flight per sandbox worker.
    """

    def __init__(self, sandbox: str = "docker", workers_per_node: Optional[int] = None,
                 limits: Optional[Limits] = None, image: Optional[str] = None, runtime: Optional[str] = None,
                 address: Optional[str] = None, share: str = "process", per_worker: int = 8, max_lost: int = 2, respawns: int = 1,
                 poll_s: float = 1.0, linger_s: float = 0.05, warn: Optional[Callable[[str], None]] = None):
        self.ray = import_ray()
        self.sandbox, self.workers_per_node = sandbox, workers_per_node
        self.limits, self.image, self.runtime, self.address = limits or Limits(), image, runtime, address
        self.share = share
        self.per_worker, self.max_lost, self.respawns = per_worker, max_lost, respawns
        self.poll_s, self.linger_s = poll_s, linger_s
        self.warn = warn or (lambda msg: print(msg, file=sys.stderr))
        self.size = 0
        self.image_id = ""
        self.description = f"ray {sandbox}"
        self.lost_actors = 0          # actors that died mid-run
        self.requeued = 0             # jobs re-run elsewhere because their actor died
        self.polls = 0                # round trips that brought outcomes back (outcomes / polls = batching)
        self._nodes: dict[str, NodeState] = {}
        self._refs: dict[Any, tuple[str, NodeState]] = {}   # outstanding ref -> (kind, node)
        self._pending: collections.deque = collections.deque()  # (ticket, _Owed), not yet given to a node
        self._inbox: queue.Queue = queue.Queue()
        self._tickets = itertools.count()
        self._thread: Optional[threading.Thread] = None
        self._owns_ray = False
        self._closed = False
        self._actor_cls = None
        self._broken = ""

    # -- start-up --
    def start(self) -> "RayPool":
        ray = self.ray
        if not ray.is_initialized():
            check_reachable(self.address or os.environ.get("RAY_ADDRESS"))
            kwargs: dict = {"logging_level": logging.WARNING}
            if self.address is None and not os.environ.get("RAY_ADDRESS"):
                kwargs["include_dashboard"] = False
            ray.init(address=self.address, **kwargs)
            self._owns_ray = True
        nodes = [n for n in ray.nodes() if n.get("Alive") and n.get("Resources", {}).get("CPU", 0) >= 1]
        if not nodes:
            self._shutdown_ray()
            raise UserError("the Ray cluster has no live node with a CPU")
        for n in nodes:
            workers = self.workers_per_node or int(n["Resources"]["CPU"])
            node = self._nodes[n["NodeID"]] = NodeState(n["NodeID"], workers)
            self._spawn(node)
        errors = []
        for ref, (_, node) in list(self._refs.items()):
            self._refs.pop(ref, None)
            try:
                self._started(node, ray.get(ref))
            except Exception as e:
                errors.append(f"node {node.node_id[:8]}: {_one_line(e)}")
                self._forget(node)
        ready = [n for n in self._nodes.values() if n.state == "ready"]
        if not ready:
            self.close()
            raise RuntimeError(f"no Ray node could start a {self.sandbox} sandbox pool ({errors[0]})")
        for e in errors:
            self.warn(f"WARNING: Ray node left out: {e}")
        if any(n.info.get("nice", 0) > 0 for n in ready):
            self.warn("WARNING: Ray sandbox actors run at low CPU priority (nice > 0) and could not raise it; "
                      "start the Ray nodes with RAY_worker_niceness=0 for full speed on busy nodes")
        images = {n.info["image_id"] for n in ready}
        if len(images) > 1:
            self.close()
            raise RuntimeError(f"Ray nodes run different sandbox images ({', '.join(sorted(images))}); "
                               "verdicts must not depend on the node: build the same image everywhere")
        self.image_id = images.pop()
        self.size = sum(n.workers for n in ready)
        self.description = f"ray {len(ready)} node(s) x {ready[0].info['description']}"
        self._thread = threading.Thread(target=self._loop, name="ray-dispatch", daemon=True)
        self._thread.start()
        return self

    def _spawn(self, node: NodeState) -> None:
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        if self._actor_cls is None:
            # num_cpus=0: the actor only supervises; the sandboxes it starts are what use the CPUs.
            # Threaded (max_concurrency) so that submits are served while a poll waits.
            self._actor_cls = self.ray.remote(num_cpus=0, max_concurrency=4, max_restarts=0)(NodeRunner)
        node.handle = self._actor_cls.options(
            scheduling_strategy=NodeAffinitySchedulingStrategy(node.node_id, soft=False),
        ).remote(self.sandbox, node.workers, self.limits, self.image, self.runtime, self.share)
        node.state, node.polling = "starting", False
        self._refs[node.handle.start.remote()] = ("start", node)

    def _started(self, node: NodeState, info: dict) -> None:
        node.info, node.workers, node.state = info, info["workers"], "ready"

    # -- the dispatcher thread: the only one that touches node state and Ray refs --
    def _loop(self) -> None:
        try:
            self._dispatch()
        except BaseException as e:  # e.g. Ray shut down under us: owe no one a result forever
            self._broken = f"Ray dispatcher failed: {_one_line(e)}"
            for node in self._nodes.values():
                for owed in node.in_flight.values():
                    owed.future.set_result(Outcome.infra_failure(self._broken, attempts=owed.lost + 1))
                node.in_flight.clear()
            while not self._closed:
                self._drain_inbox(block=True)
                self._fail_pending(self._broken)

    def _dispatch(self) -> None:
        ray = self.ray
        while not self._closed:
            self._drain_inbox(block=not self._refs and not self._pending)
            self._assign()
            self._ensure_polls()
            if not self._refs:
                continue
            # New submissions cannot wake ray.wait: look at the inbox often only while it matters,
            # i.e. while nodes have room for jobs that nobody has asked for yet.
            ready, _ = ray.wait(list(self._refs), num_returns=1, timeout=0.1 if self._pending else 0.01)
            if ready:
                ready, _ = ray.wait(list(self._refs), num_returns=len(self._refs), timeout=0)
            for ref in ready:
                kind, node = self._refs.pop(ref, (None, None))
                if node is None or node.state == "dead":
                    continue
                try:
                    value = ray.get(ref)
                except Exception as e:
                    self._node_died(node, e)
                    continue
                if kind == "start":
                    self._started(node, value)
                elif kind == "poll":
                    node.polling = False
                    self.polls += 1
                    self._collect(node, value)

    def _drain_inbox(self, block: bool) -> None:
        try:
            item = self._inbox.get(timeout=0.05) if block else self._inbox.get_nowait()
            while True:
                if item is not None:
                    job, fut = item
                    if fut.set_running_or_notify_cancel():
                        self._pending.append((next(self._tickets), _Owed(job, fut)))
                item = self._inbox.get_nowait()
        except queue.Empty:
            pass

    def _assign(self) -> None:
        """First one job per idle sandbox worker, spread over nodes; then fill up to the in-flight cap."""
        if not self._pending:
            return
        ready = [n for n in self._nodes.values() if n.state == "ready"]
        if not ready and not any(n.state == "starting" for n in self._nodes.values()):
            self._fail_pending("no live Ray sandbox actor left")
            return
        batches: dict[str, list] = collections.defaultdict(list)
        for cap in (lambda n: n.workers, lambda n: n.workers * self.per_worker):
            for node in sorted(ready, key=lambda n: len(n.in_flight) / n.workers):
                room = cap(node) - len(node.in_flight)
                while room > 0 and self._pending:
                    ticket, owed = self._pending.popleft()
                    node.in_flight[ticket] = owed
                    batches[node.node_id].append((ticket, owed.job))
                    room -= 1
        for node_id, batch in batches.items():
            node = self._nodes[node_id]
            if node.polling:
                self._refs[node.handle.submit.remote(batch)] = ("submit", node)
            else:
                self._refs[node.handle.exchange.remote(batch, *self._poll_args(node))] = ("poll", node)
                node.polling = True

    def _poll_args(self, node: NodeState) -> tuple[float, float, int]:
        # Answer once half the node's queue is done: it still holds a round trip's worth of work.
        enough = max(1, min(len(node.in_flight), node.workers * self.per_worker // 2))
        return self.poll_s, self.linger_s, enough

    def _ensure_polls(self) -> None:
        for node in self._nodes.values():
            if node.state == "ready" and node.in_flight and not node.polling:
                self._refs[node.handle.poll.remote(*self._poll_args(node))] = ("poll", node)
                node.polling = True

    def _collect(self, node: NodeState, results: list[tuple[int, Outcome]]) -> None:
        for ticket, outcome in results:
            owed = node.in_flight.pop(ticket, None)
            if owed is None:
                continue
            outcome.attempts += owed.lost
            owed.future.set_result(outcome)

    def _node_died(self, node: NodeState, error: BaseException) -> None:
        self._forget(node)
        orphans = list(node.in_flight.items())
        node.in_flight.clear()
        self.lost_actors += 1
        for ticket, owed in reversed(orphans):
            owed.lost += 1
            if owed.lost > self.max_lost:
                owed.future.set_result(Outcome.infra_failure(
                    f"{owed.lost} Ray actors died while running this job (last: {_one_line(error)})",
                    attempts=owed.lost))
            else:
                self._pending.appendleft((ticket, owed))
                self.requeued += 1
        self.warn(f"WARNING: Ray sandbox actor on node {node.node_id[:8]} died ({_one_line(error)}); "
                  f"re-running its {len(orphans)} unfinished job(s) elsewhere")
        if node.respawns < self.respawns and self._node_alive(node.node_id):
            node.respawns += 1
            self._spawn(node)

    def _forget(self, node: NodeState) -> None:
        node.state = "dead"
        for ref in [r for r, (_, n) in self._refs.items() if n is node]:
            del self._refs[ref]
        if node.handle is not None:
            try:
                self.ray.kill(node.handle)
            except Exception:
                pass

    def _node_alive(self, node_id: str) -> bool:
        try:
            return any(n["NodeID"] == node_id and n.get("Alive") for n in self.ray.nodes())
        except Exception:
            return False

    def _fail_pending(self, message: str) -> None:
        self._drain_inbox(block=False)
        while self._pending:
            _, owed = self._pending.popleft()
            owed.future.set_result(Outcome.infra_failure(message, attempts=owed.lost + 1))

    # -- SandboxPool interface --
    def submit(self, job: Job) -> "Future[Outcome]":
        if self._closed or self._thread is None:
            raise RuntimeError("pool is closed" if self._closed else "pool is not started")
        fut: Future = Future()
        self._inbox.put((job, fut))
        return fut

    def run(self, jobs: Iterable[Job], max_in_flight: Optional[int] = None) -> Iterator[tuple[int, Outcome]]:
        """Yield (index, outcome) in completion order. The default bound keeps every node's
        in-flight cap full plus one job per worker waiting on the driver, ready to go."""
        limit = max_in_flight or self.size * (self.per_worker + 1)
        done: queue.Queue = queue.Queue()
        it = iter(enumerate(jobs))
        in_flight = 0
        while True:
            for idx, job in itertools.islice(it, max(0, limit - in_flight)):
                self.submit(job).add_done_callback(lambda f, idx=idx: done.put((idx, f.result())))
                in_flight += 1
            if not in_flight:
                return
            idx, outcome = done.get()
            in_flight -= 1
            yield idx, outcome

    def run_all(self, jobs: Iterable[Job]) -> list[Outcome]:
        jobs = list(jobs)
        return in_input_order(self.run(jobs), len(jobs))

    def node_states(self) -> list[NodeState]:
        """A snapshot for monitoring and tests (the dispatcher owns the live objects)."""
        return [NodeState(n.node_id, n.workers, n.handle, n.state, dict(n.info), dict(n.in_flight), n.polling,
                          n.respawns) for n in list(self._nodes.values())]

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._inbox.put(None)
        if self._thread is not None:
            self._thread.join()
        for node in self._nodes.values():
            for owed in node.in_flight.values():
                owed.future.set_result(Outcome.infra_failure("pool closed before the job finished"))
            node.in_flight.clear()
        self._fail_pending("pool closed before the job finished")
        live = [n for n in self._nodes.values() if n.state != "dead" and n.handle is not None]
        closing = [n.handle.close.remote() for n in live]
        try:
            self.ray.wait(closing, num_returns=len(closing), timeout=30)
        except Exception:
            pass
        for n in live:
            self._forget(n)
        self._refs.clear()
        self._shutdown_ray()

    def _shutdown_ray(self) -> None:
        if self._owns_ray:
            self._owns_ray = False
            self.ray.shutdown()

    def __enter__(self) -> "RayPool":
        return self.start() if self._thread is None else self

    def __exit__(self, *exc) -> None:
        self.close()


def check_reachable(address: Optional[str], timeout_s: float = 5.0) -> None:
    """ray.init waits minutes on an address nobody answers at: fail in seconds instead."""
    if not address or "://" in address or address in ("auto", "local"):
        return
    host, _, port = address.rpartition(":")
    try:
        socket.create_connection((host or "127.0.0.1", int(port)), timeout=timeout_s).close()
    except ValueError:
        raise UserError(f"--ray-address {address!r}: expected HOST:PORT (or auto, or ray://HOST:PORT)") from None
    except OSError as e:
        raise UserError(f"no Ray cluster answers at {address} ({e.strerror or e}); "
                        "start one with `ray start --head`, or check --ray-address") from None


def _one_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return f"{type(e).__name__}: {text[-1] if text else ''}"[:300]
