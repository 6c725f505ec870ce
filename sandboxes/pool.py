"""A warm pool of sandbox workers: each worker is a long-lived runner that forks one
process per job. Jobs go in, Outcomes come out; a worker that dies is replaced and its
job retried once, then reported as an infrastructure failure (never as the model's).
"""
from __future__ import annotations

import itertools
import queue
import threading
import time
from concurrent.futures import Future
from typing import Callable, Iterable, Iterator, Optional

from sandboxes.job import Job, Outcome
from sandboxes.runner import bundle
from sandboxes.runner.protocol import FRAME, pack

# Host-side grace on top of a job's wall limit before its worker is declared dead.
HOST_GRACE_S = 30.0
# Largest job frame sent ahead while another job runs: it must fit, unread, in the channel's buffer
# (a pipe holds 64 KiB, a degraded one 4 KiB per page; a socket more).
AHEAD_MAX_BYTES = 16 << 10


def job_frame(job: Job) -> bytes:
    return pack({"op": "job", "job": job.to_dict()})


def in_input_order(results: Iterable[tuple[int, Outcome]], n: int) -> list[Outcome]:
    """Outcomes yielded as (index, outcome) in completion order, back in input order."""
    out: list[Optional[Outcome]] = [None] * n
    for idx, outcome in results:
        out[idx] = outcome
    return out  # type: ignore[return-value]


class WorkerDied(Exception):
    pass


class Worker:
    """A runner behind a byte channel. Subclasses implement _open, _write, _read_some, _close."""

    name = "worker"

    def __init__(self):
        self._buf = bytearray()

    # -- channel (subclasses) --
    def _open(self) -> None:
        raise NotImplementedError

    def _write(self, data: bytes) -> None:
        raise NotImplementedError

    def _read_some(self, timeout: float) -> bytes:
        """Bytes of the runner's stdout; b"" on timeout; raises WorkerDied on EOF."""
        raise NotImplementedError

    def _close(self) -> None:
        raise NotImplementedError

    # -- protocol --
    def start(self, timeout: float = 60.0) -> None:
        self._open()
        self._write(bundle())
        hello = self._recv(time.monotonic() + timeout)
        if hello.get("event") != "hello":
            raise WorkerDied(f"unexpected greeting from runner: {hello!r:.200}")

    def _recv(self, deadline: float, idle: Optional[Callable[[], bool]] = None) -> dict:
        """The next frame. While none comes, `idle()` is called every few tens of ms until it
        returns True (the pool sends a job ahead from there)."""
        import json

        while True:
            if len(self._buf) >= FRAME.size:
                (n,) = FRAME.unpack(self._buf[:FRAME.size])
                if len(self._buf) >= FRAME.size + n:
                    data = bytes(self._buf[FRAME.size:FRAME.size + n])
                    del self._buf[:FRAME.size + n]
                    return json.loads(data)
            left = deadline - time.monotonic()
            if left <= 0:
                raise WorkerDied("runner did not answer in time")
            data = self._read_some(min(left, 0.05 if idle else 1.0))
            if not data and idle and idle():
                idle = None
            self._buf += data

    def cpu_seconds(self) -> Optional[float]:
        """CPU the sandbox has used since it started, everything in it counted (runner, judges,
        candidates); None where the backend cannot tell."""
        return None

    def execute(self, job: Job) -> Outcome:
        self.send(job)
        return self.receive(job)

    def send(self, job: Job, frame: Optional[bytes] = None) -> None:
        """Put a job in the runner's channel. The runner reads one frame at a time, exactly (no
        read-ahead), so a job sent while another runs waits in the pipe, in no process's memory."""
        self._write(frame if frame is not None else job_frame(job))

    def receive(self, job: Job, idle: Optional[Callable[[], bool]] = None) -> Outcome:
        """The outcome of the oldest job sent and not yet received (the runner answers in order)."""
        reply = self._recv(time.monotonic() + job.limits.wall() + HOST_GRACE_S, idle)
        if reply.get("event") != "outcome":
            raise WorkerDied(f"unexpected reply from runner: {reply!r:.200}")
        outcome = Outcome.from_dict(reply["outcome"])
        outcome.worker = self.name
        # The runner could not bring itself back to clean and has exited: this outcome stands,
        # and the pool replaces the worker before its next job.
        self.recycle = bool(reply["outcome"].get("recycle"))
        return outcome

    def close(self) -> None:
        try:
            self._close()
        except Exception:
            pass


class PoolBase:
    """What every pool offers on top of `submit`: batches, with a bounded number of jobs queued."""

    size = 1

    def submit(self, job: Job) -> "Future[Outcome]":
        raise NotImplementedError

    def run(self, jobs: Iterable[Job], max_in_flight: Optional[int] = None) -> Iterator[tuple[int, Outcome]]:
        """Yield (index, outcome) in completion order, with at most max_in_flight jobs queued."""
        limit = max_in_flight or self.size * 4
        done: queue.SimpleQueue = queue.SimpleQueue()   # C-level: a lock round trip less per job than Queue
        it = iter(enumerate(jobs))
        in_flight = 0

        def feed() -> bool:
            nonlocal in_flight
            for idx, job in itertools.islice(it, 1):
                fut = self.submit(job)
                fut.add_done_callback(lambda f, idx=idx: done.put((idx, f.result())))
                in_flight += 1
                return True
            return False

        while in_flight < limit and feed():
            pass
        while in_flight:
            idx, outcome = done.get()
            in_flight -= 1
            yield idx, outcome
            while in_flight < limit and feed():
                pass

    def run_all(self, jobs: Iterable[Job]) -> list[Outcome]:
        jobs = list(jobs)
        return in_input_order(self.run(jobs), len(jobs))


class SandboxPool(PoolBase):
    """N workers made by `factory(index)`. Thread-safe: any thread may submit."""

    def __init__(self, factory: Callable[[int], Worker], workers: int, retries: int = 1,
                 description: str = "", pipeline: bool = True):
        self.factory, self.size, self.retries = factory, max(1, workers), retries
        # Send a worker its next job while its current one runs, so the runner never waits for the
        # host to turn an outcome around (a job sent ahead is not yet an attempt: if the sandbox
        # dies or recycles under the current job, it is sent again to the fresh one).
        self.pipeline = pipeline
        self.description = description
        self._tasks: queue.SimpleQueue = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._workers: list[Optional[Worker]] = [None] * self.size
        self._lock = threading.Lock()
        self._closed = False
        self.replaced = 0   # workers that died or broke protocol
        self.replace_errors: list[str] = []   # why, with the job that was running (the last 20)
        self.recycled = 0   # runners that could not make themselves clean after a job (its verdict stands)

    def start(self) -> "SandboxPool":
        errors: list[BaseException] = []

        def boot(i: int) -> None:
            try:
                self._workers[i] = self._new_worker(i)
            except BaseException as e:  # reported below, all at once
                errors.append(e)

        boots = [threading.Thread(target=boot, args=(i,)) for i in range(self.size)]
        for t in boots:
            t.start()
        for t in boots:
            t.join()
        if errors:
            self.close()
            raise errors[0]
        for i in range(self.size):
            t = threading.Thread(target=self._loop, args=(i,), name=f"sandbox-{i}", daemon=True)
            t.start()
            self._threads.append(t)
        return self

    def _new_worker(self, i: int) -> Worker:
        w = self.factory(i)
        try:
            w.start()
        except BaseException:
            w.close()
            raise
        return w

    def _loop(self, i: int) -> None:
        ahead: Optional[tuple] = None      # (job, future, in worker i's channel): the task sent ahead
        while True:
            if ahead is not None:
                (job, fut, sent), ahead = ahead, None
            else:
                item = self._tasks.get()
                if item is None:
                    return
                (job, fut), sent = item, False
                if not fut.set_running_or_notify_cancel():
                    continue
            outcome, ahead = self._execute(i, job, sent)
            fut.set_result(outcome)

    def _take_next(self) -> Optional[tuple]:
        """The next queued task, if one is waiting, marked running: (job, future)."""
        if not self.pipeline:
            return None
        try:
            item = self._tasks.get_nowait()
        except queue.Empty:
            return None
        if item is None:            # close(): the stop is for the loop
            self._tasks.put(None)
            return None
        return item if item[1].set_running_or_notify_cancel() else None

    def _execute(self, i: int, job: Job, sent: bool = False) -> tuple[Outcome, Optional[tuple]]:
        """Run `job` on worker i (already in its channel when `sent`). Returns the outcome and the
        task sent ahead of it, if any, as (job, future, still in worker i's channel)."""
        if self._closed:
            return Outcome.infra_failure("sandbox pool closed"), None
        error, died_running = "", 0
        ahead: Optional[tuple] = None   # (job, future): the next task, taken for this worker
        ahead_in = False        # whether `ahead` is in the channel of the worker now in slot i
        lost = lambda: None if ahead is None else (*ahead, False)
        for attempt in range(1, self.retries + 2):
            running = False
            try:
                worker = self._workers[i]
                if worker is None:
                    worker = self._workers[i] = self._new_worker(i)
                running = True
                if getattr(type(worker), "execute", None) is not Worker.execute:   # its own execute: one at a time
                    outcome = worker.execute(job)
                else:
                    if not sent:
                        worker.send(job)

                    def send_ahead() -> bool:   # now, or while the job runs if none is queued yet
                        # The next task is this worker's from here on, sent or not. Only a small job
                        # is sent now: a write the runner does not read yet could block while the
                        # runner blocks writing an outcome we are not reading (both directions of
                        # the channel are bounded buffers); a large one is sent when the worker is free.
                        nonlocal ahead, ahead_in
                        if ahead is None:
                            ahead = self._take_next()
                            frame = None if ahead is None else job_frame(ahead[0])
                            if frame is not None and len(frame) <= AHEAD_MAX_BYTES:
                                worker.send(ahead[0], frame)
                                ahead_in = True
                        return ahead is not None or not self.pipeline

                    outcome = worker.receive(job, None if send_ahead() else send_ahead)
                outcome.attempts = attempt
                if getattr(worker, "recycle", False):       # the runner exited after this job
                    worker.close()
                    self._workers[i] = None
                    with self._lock:
                        self.recycled += 1
                    return outcome, lost()
                return outcome, None if ahead is None else (*ahead, ahead_in)
            except Exception as e:  # the worker (container) died or broke protocol: replace it
                error = f"{type(e).__name__}: {e}"
                died_running += running
                if self._workers[i] is not None:
                    self._workers[i].close()
                self._workers[i] = None
                with self._lock:
                    self.replaced += 1
                    self.replace_errors = (self.replace_errors + [f"{job.job_id}: {error}"])[-20:]
                sent = ahead_in = False     # a retry goes to a fresh worker; a task sent ahead went down with it
                if self._closed:
                    break
        if died_running == attempt and not self._closed and self._healthy(i):
            return self.sandbox_killed(job, error, attempt), lost()
        return Outcome.infra_failure(f"sandbox failed after {attempt} attempt(s): {error}", attempts=attempt), lost()

    def _healthy(self, i: int) -> bool:
        """Whether a fresh worker starts: then the sandbox is fine and the job is what brought it down."""
        try:
            self._workers[i] = self._new_worker(i)
            return True
        except Exception:
            self._workers[i] = None
            return False

    @staticmethod
    def sandbox_killed(job: Job, error: str, attempts: int) -> Outcome:
        """A job that took its sandbox down on every attempt, while fresh sandboxes start fine (a
        fork bomb or memory bomb the kernel answered by killing the whole container): the
        sample's own failure, never an infrastructure error it could hide behind."""
        if "did not answer in time" in error:
            return Outcome(limit="wall", attempts=attempts)
        return Outcome(program_error_type="SandboxKilled", attempts=attempts,
                       program_error=f"the program brought its sandbox down on each of {attempts} attempt(s) "
                                     f"({error[:200]})")

    def sandbox_cpu_seconds(self) -> Optional[float]:
        """CPU used so far by the sandboxes now running (a replaced sandbox's is not counted);
        None where the backend cannot tell. Unlike wall time, it hardly moves with the load
        other work puts on the machine."""
        used = [w.cpu_seconds() for w in list(self._workers) if w is not None]
        return None if not used or None in used else sum(used)

    def submit(self, job: Job) -> "Future[Outcome]":
        if self._closed:
            raise RuntimeError("pool is closed")
        fut: Future = Future()
        self._tasks.put((job, fut))
        return fut

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        for _ in self._threads:
            self._tasks.put(None)
        closers = [threading.Thread(target=w.close) for w in self._workers if w is not None]
        for t in closers:
            t.start()
        for t in closers:
            t.join()
        self._workers = [None] * self.size

    def __enter__(self) -> "SandboxPool":
        return self.start() if not self._threads else self

    def __exit__(self, *exc) -> None:
        self.close()
