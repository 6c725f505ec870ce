"""One warm pool per node, shared by every process of one user that asks for the same pool.

The first process to attach starts a service (`python -m sandboxes.node_pool`, detached) that owns
the SandboxPool and listens on a unix socket in a per-user runtime directory; later processes
connect to it. Jobs and outcomes travel over multiprocessing.connection, multiplexed by ticket.
The service counts its connections and exits, closing its sandboxes, `grace_s` after the last
one closed. An flock on the pool's lock file orders attaching against the service's exit, so a
client never connects to a service that is going away. A client whose service died starts a new
one and resends the jobs it was waiting for (once each).
"""
from __future__ import annotations

import dataclasses
import fcntl
import hashlib
import itertools
import json
import os
import pathlib
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import Future
from multiprocessing.connection import Client, Connection, Listener
from typing import Optional

from sandboxes.engine import SandboxUnavailable
from sandboxes.job import Job, Limits, Outcome
from sandboxes.pool import PoolBase

DEFAULT_GRACE_S = 5.0
PACKAGE = pathlib.Path(__file__).resolve().parent


def runtime_dir() -> pathlib.Path:
    """$XDG_RUNTIME_DIR/codeharness, else /tmp/codeharness-<uid>: private to this user (0700)."""
    xdg = os.environ.get("XDG_RUNTIME_DIR")
    if xdg and os.path.isdir(xdg) and os.access(xdg, os.W_OK):
        path = pathlib.Path(xdg) / "codeharness"
    else:
        path = pathlib.Path(f"/tmp/codeharness-{os.getuid()}")
    path.mkdir(mode=0o700, exist_ok=True)
    st = path.lstat()
    if not path.is_dir() or path.is_symlink() or st.st_uid != os.getuid() or st.st_mode & 0o077:
        raise SandboxUnavailable(f"{path} must be a directory of this user's only (mode 0700) to hold the "
                                 "node pool's socket")
    return path


def pool_key(spec: dict) -> str:
    """Processes share a service only for the same pool configuration and the same sandboxes code."""
    h = hashlib.sha256(json.dumps(spec, sort_keys=True).encode())
    h.update(str(PACKAGE).encode())
    for f in sorted(PACKAGE.rglob("*.py")):
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


def _shutdown(conn: Connection) -> None:
    """Close a connection another thread may be blocked reading (close alone would not wake it)."""
    try:
        with socket.socket(fileno=os.dup(conn.fileno())) as s:
            s.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    conn.close()


class NodePool(PoolBase):
    """A client of the node's shared pool, used like a SandboxPool (start, submit, run, close)."""

    def __init__(self, backend: str = "docker", workers: Optional[int] = None, limits: Optional[Limits] = None,
                 image: Optional[str] = None, runtime: Optional[str] = None, grace_s: Optional[float] = None,
                 start_timeout_s: float = 300.0):
        self.spec = {"backend": backend, "workers": workers, "limits": dataclasses.asdict(limits or Limits()),
                     "image": image, "runtime": runtime}
        base = runtime_dir() / f"pool-{pool_key(self.spec)}"
        self.socket_path, self._lock_path, self._log_path = (f"{base}.sock", f"{base}.lock", f"{base}.log")
        if grace_s is None:
            grace_s = float(os.environ.get("CODEHARNESS_POOL_GRACE_S", DEFAULT_GRACE_S))
        self.grace_s, self.start_timeout_s = grace_s, start_timeout_s
        self.size = workers or 1
        self.description = f"node-shared {backend}"
        self.image_id = ""
        self.service_pid = 0
        self.restarts = 0             # services this client found dead and replaced
        self._conn: Optional[Connection] = None
        self._pending: dict[int, tuple[Job, Future, int]] = {}   # ticket -> (job, future, sends)
        self._lock = threading.RLock()
        self._tickets = itertools.count()
        self._closed = False

    # -- attaching --
    def start(self) -> "NodePool":
        with self._lock:
            if self._closed:
                raise RuntimeError("pool is closed")
            if self._conn is None:
                self._attach()
        return self

    def _attach(self) -> None:
        with open(self._lock_path, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # held until the service has counted us
            conn = None
            try:
                conn = Client(self.socket_path, family="AF_UNIX")
                hello = self._hello(conn)
            except (OSError, EOFError):       # no service, or a dead one's socket
                if conn is not None:
                    conn.close()
                conn = self._spawn()
                hello = self._hello(conn)
        self._conn = conn
        self.size, self.image_id = hello["size"], hello["image_id"]
        self.description, self.service_pid = hello["description"], hello["pid"]
        threading.Thread(target=self._read, args=(conn,), name="node-pool-reader", daemon=True).start()

    @staticmethod
    def _hello(conn: Connection) -> dict:
        conn.send({"op": "hello", "pid": os.getpid()})
        if not conn.poll(30):
            conn.close()
            raise EOFError("the node pool service did not answer")
        return conn.recv()

    def _spawn(self) -> Connection:
        try:
            os.unlink(self.socket_path)
        except FileNotFoundError:
            pass
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PACKAGE.parent), env.get("PYTHONPATH")]))
        with open(self._log_path, "wb") as log:
            proc = subprocess.Popen([sys.executable, "-m", "sandboxes.node_pool", self.socket_path, self._lock_path,
                                     json.dumps(self.spec), str(self.grace_s)],
                                    stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env,
                                    start_new_session=True)
        deadline = time.monotonic() + self.start_timeout_s
        while True:
            try:
                conn = Client(self.socket_path, family="AF_UNIX")
                break
            except (FileNotFoundError, ConnectionRefusedError):
                pass
            if proc.poll() is not None:
                tail = pathlib.Path(self._log_path).read_text(errors="replace").strip().splitlines()[-1:] or [""]
                raise SandboxUnavailable(f"the node pool service exited ({proc.returncode}) while starting: "
                                         f"{tail[0]} (log: {self._log_path})")
            if time.monotonic() > deadline:
                proc.kill()
                raise SandboxUnavailable(f"the node pool service did not start in {self.start_timeout_s:.0f} s "
                                         f"(log: {self._log_path})")
            time.sleep(0.05)
        threading.Thread(target=proc.wait, daemon=True).start()  # reap it if it exits before us
        return conn

    # -- jobs --
    def submit(self, job: Job) -> "Future[Outcome]":
        fut: Future = Future()
        with self._lock:
            self.start()
            ticket = next(self._tickets)
            self._pending[ticket] = (job, fut, 1)
            self._send(ticket, job)
        return fut

    def _send(self, ticket: int, job: Job) -> None:
        try:
            self._conn.send((ticket, job))
        except OSError:
            pass  # the service is gone: the reader sees it and resends what is pending

    def _read(self, conn: Connection) -> None:
        while True:
            try:
                ticket, outcome = conn.recv()
            except (EOFError, OSError):
                break
            with self._lock:
                item = self._pending.pop(ticket, None)
            if item is not None:
                item[1].set_result(outcome)
        self._service_lost(conn)

    def _service_lost(self, conn: Connection) -> None:
        with self._lock:
            if self._closed or self._conn is not conn:
                return
            conn.close()
            self._conn = None
            try:
                self._attach()
                self.restarts += 1
            except Exception as e:
                self._fail_pending(f"the node pool service died and could not be restarted: {e}")
                return
            for ticket, (job, fut, sends) in list(self._pending.items()):
                if sends > 1:  # the service died twice while this job waited: report, don't loop
                    del self._pending[ticket]
                    fut.set_result(Outcome.infra_failure("the node pool service died twice while running this job",
                                                         attempts=sends))
                else:
                    self._pending[ticket] = (job, fut, sends + 1)
                    self._send(ticket, job)

    def _fail_pending(self, message: str) -> None:
        pending, self._pending = self._pending, {}
        for _, fut, sends in pending.values():
            fut.set_result(Outcome.infra_failure(message, attempts=sends))

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            conn, self._conn = self._conn, None
            self._fail_pending("the pool was closed before this job finished")
        if conn is not None:
            _shutdown(conn)

    def __enter__(self) -> "NodePool":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()


# ---------------------------------------------------------------- the service
class Service:
    def __init__(self, pool, socket_path: str, lock_path: str, grace_s: float):
        self.pool, self.socket_path, self.lock_path, self.grace_s = pool, socket_path, lock_path, grace_s
        self.clients = 0
        self._cond = threading.Condition()

    def run(self) -> None:
        old = os.umask(0o177)  # the socket: this user only (the directory is 0700 too)
        try:
            listener = Listener(self.socket_path, family="AF_UNIX", backlog=16)
        finally:
            os.umask(old)
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        while True:
            with self._cond:
                while self.clients:
                    self._cond.wait(1.0)
                if self._cond.wait_for(lambda: self.clients > 0, timeout=self.grace_s):
                    continue
            with open(self.lock_path, "a") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)  # no client is between connecting and being counted
                with self._cond:
                    if self.clients == 0:
                        listener.close()  # unlinks the socket: the next client starts a new service
                        return

    def _accept(self, listener: Listener) -> None:
        while True:
            try:
                conn = listener.accept()
            except OSError:
                return
            threading.Thread(target=self._client, args=(conn,), daemon=True).start()

    def _client(self, conn: Connection) -> None:
        futures: dict[int, Future] = {}
        send_lock = threading.Lock()
        counted = False

        def reply(ticket: int, fut: Future) -> None:
            futures.pop(ticket, None)
            if fut.cancelled():
                return
            with send_lock:
                try:
                    conn.send((ticket, fut.result()))
                except OSError:
                    pass  # the client left

        try:
            conn.recv()  # hello
            with self._cond:
                self.clients += 1
                counted = True
                self._cond.notify_all()
            conn.send({"size": self.pool.size, "image_id": getattr(self.pool, "image_id", "") or "",
                       "description": f"node-shared {self.pool.description}", "pid": os.getpid()})
            while True:
                ticket, job = conn.recv()
                fut = futures[ticket] = self.pool.submit(job)
                fut.add_done_callback(lambda f, t=ticket: reply(t, f))
        except (EOFError, OSError):
            pass
        finally:
            for fut in list(futures.values()):
                fut.cancel()  # a departed client's queued jobs need not run
            with send_lock:
                conn.close()
            if counted:
                with self._cond:
                    self.clients -= 1
                    self._cond.notify_all()


def main(argv: list[str]) -> int:
    socket_path, lock_path, spec, grace_s = argv[0], argv[1], json.loads(argv[2]), float(argv[3])
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    from sandboxes import make_pool

    try:
        pool = make_pool(spec["backend"], workers=spec["workers"], limits=Limits(**spec["limits"]),
                         image=spec["image"], runtime=spec["runtime"])
        pool.start()
    except Exception as e:
        print(f"{type(e).__name__}: {e}", file=sys.stderr)
        return 1
    try:
        Service(pool, socket_path, lock_path, grace_s).run()
    finally:
        pool.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
