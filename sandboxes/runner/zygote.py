"""The clean room candidates start from. Stdlib only.

The runner forks the zygote once, at start, before it reads any job; the zygote never
receives a test, an expected output or test code, only "spawn a child with these limits
in this directory, on these fds". Each candidate (and each stdin/stdout program) is a
fresh fork of the zygote that then reads its own program from a pipe. So a candidate's
memory holds its program and nothing else: no answer key to find by walking frames, gc
or raw heap, and no earlier sample's program or output.

Both the runner and each job's judge (a child of the runner) hold the socket, one at a time.
The zygote also does what needs a process other than the judge: killing every job
process after a job (kill(-1) spares only the caller and PID 1), reaping its children and
reporting their exit status and CPU time.
"""
import json
import os
import resource
import select
import signal
import socket
import time

from sandboxes.runner import preload
from sandboxes.runner.jobio import become_job, job_uid
from sandboxes.runner.procs import processes_of

MAX_MSG = 1 << 16
CALL_TIMEOUT_S = 5.0
# numpy takes about 0.1 s, far more on a loaded machine or under gVisor; under the host's grace
# (pool.HOST_GRACE_S), so a stuck import recycles the sandbox rather than timing the worker out.
PRELOAD_TIMEOUT_S = 20.0


class ZygoteGone(Exception):
    """The zygote died or stopped answering: the sandbox cannot make clean processes any more."""


class Zygote:
    """The runner's (and the judge's) handle on the zygote process."""

    def __init__(self, contained: bool):
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        pid = os.fork()
        if pid == 0:
            try:
                parent.close()
                serve(child, contained)
            finally:
                os._exit(0)
        child.close()
        self.sock, self.pid = parent, pid
        self.dead = ""

    def call(self, msg: dict, fds=(), timeout: float = CALL_TIMEOUT_S) -> dict:
        """One request, one answer. The zygote answers in milliseconds; one that does not (a job
        stopped or killed it, where jobs share its uid) is dead for good: the runner recycles."""
        if self.dead:
            raise ZygoteGone(self.dead)
        try:
            self._drop_stale_replies()
            socket.send_fds(self.sock, [json.dumps(msg).encode()], [f for f in fds if f is not None and f >= 0])
            ready, _, _ = select.select([self.sock], [], [], timeout)
            data = self.sock.recv(MAX_MSG) if ready else b""
        except OSError as e:
            self.dead = "zygote unreachable: %s" % e
            raise ZygoteGone(self.dead)
        if not data:
            self.dead = "zygote gone" if ready else "zygote did not answer"
            raise ZygoteGone(self.dead)
        return json.loads(data)

    def _drop_stale_replies(self) -> None:
        """A judge killed while it waited for an answer leaves that answer behind: it must not
        be taken for the answer to the next request."""
        while True:
            try:
                if not self.sock.recv(MAX_MSG, socket.MSG_DONTWAIT):
                    return
            except BlockingIOError:
                return

    def spawn(self, kind: str, limits: dict, work: str, nproc_base: int, stdin_fd, out_w: int, err_w: int,
              keep=()) -> int:
        """A fresh child of the zygote running `kind` ("candidate" or "stdio"); returns its pid."""
        fds = [out_w, err_w] + list(keep) + ([stdin_fd] if stdin_fd is not None else [])
        reply = self.call({"op": "spawn", "kind": kind, "limits": limits, "work": work, "nproc_base": nproc_base,
                           "n_keep": len(keep), "stdin": stdin_fd is not None}, fds)
        if "pid" not in reply:
            raise ZygoteGone("spawn failed: %s" % reply.get("error"))
        return int(reply["pid"])

    def kill(self, pid: int, wait: bool = True):
        """SIGKILL the child's process group and reap the child: its wait status (None if it is
        not the zygote's), in one round trip. wait=False: do not wait for it to die (the next
        kill_all reaps it)."""
        return self.call({"op": "kill", "pid": pid, "wait": wait}).get("status")

    def preload(self, names) -> list:
        """Have the zygote import these libraries (preload.ON_DEMAND) for the candidates it forks."""
        return self.call({"op": "preload", "names": list(names)}, timeout=PRELOAD_TIMEOUT_S).get("loaded", [])

    def kill_all(self, spare_judge: bool = False) -> dict:
        """Kill every job process; returns the zygote's children's cumulative CPU seconds and max
        RSS. spare_judge: kill only what runs as the job's uid (the judge has its own), so a judge
        kept for the next job survives."""
        return self.call({"op": "kill_all", "spare_judge": bool(spare_judge)}, timeout=4 * CALL_TIMEOUT_S)

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass


def _child(kind: str, msg: dict, fds: list) -> None:
    out_w, err_w = fds[0], fds[1]
    n_keep = int(msg.get("n_keep", 0))
    keep = fds[2:2 + n_keep]
    stdin_fd = fds[2 + n_keep] if msg.get("stdin") else None
    become_job(msg["limits"], msg["work"], int(msg["nproc_base"]), stdin_fd, out_w, err_w, keep)
    if kind == "candidate":
        from sandboxes.runner.candidate import run_candidate_from_pipe
        run_candidate_from_pipe(3, 4)
    elif kind == "stdio":
        from sandboxes.runner.programs import run_stdio_child
        run_stdio_child(3, 4)


def _reap(statuses: dict) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        statuses[pid] = status


def _kill_all(contained: bool, statuses: dict, only_uid=None) -> None:
    if contained:  # our own pid namespace: kill(-1) reaches every job process, never PID 1 or us
        strays = 0
        for _ in range(500):
            try:
                os.kill(-1, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):   # none left that we may signal
                break
            try:   # wait for one of our children to die (all were just sent SIGKILL)
                pid, status = os.waitpid(-1, 0)
                statuses[pid] = status
                continue
            except ChildProcessError:
                pass
            # None of ours is left: kill(-1) still reaches the runner's children (orphans it
            # reaps, a zombie). They have SIGKILL pending; a few more rounds, then leave them.
            if only_uid is not None and not processes_of(only_uid):
                break   # kill(-1) succeeds while any process is there, even one we may not signal
            strays += 1
            if strays > 3:
                break
            time.sleep(0.001)
    _reap(statuses)


def _as_job_uid(fn) -> None:
    """Run fn with the job's uid as our effective uid (real and saved stay root, so we return
    to root after, and no job process may signal us meanwhile): without CAP_KILL, kill(-1)
    then reaches the job's processes only, not a judge under its own uid."""
    uid = job_uid()
    if uid < 0 or os.geteuid() != 0:
        raise RuntimeError("no job uid to kill as")
    os.setresuid(-1, uid, -1)
    try:
        fn(uid)
    finally:
        os.setresuid(0, 0, 0)


def serve(sock: socket.socket, contained: bool) -> None:
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGPIPE):
        signal.signal(sig, signal.SIG_DFL if contained else signal.SIG_IGN)
    statuses: dict = {}
    while True:
        try:
            data, fds, _, _ = socket.recv_fds(sock, MAX_MSG, 16)
        except OSError:
            return
        if not data:
            return
        try:
            msg = json.loads(data)
        except ValueError:
            msg = {}
        op = msg.get("op")
        reply: dict = {}
        try:
            if op == "spawn":
                pid = os.fork()
                if pid == 0:
                    try:
                        sock.close()
                        _child(msg.get("kind"), msg, fds)
                    finally:
                        os._exit(0)
                reply = {"pid": pid}
            elif op == "kill":
                pid = int(msg["pid"])
                try:
                    os.killpg(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
                if pid not in statuses and msg.get("wait", True):
                    try:
                        _, statuses[pid] = os.waitpid(pid, 0)
                    except ChildProcessError:
                        pass
                reply = {"status": statuses.pop(pid, None)}
            elif op == "preload":
                names = msg.get("names")
                reply = {"loaded": preload.load([n for n in names if isinstance(n, str)] if isinstance(names, list) else [])}
            elif op == "kill_all":
                if msg.get("spare_judge"):
                    _as_job_uid(lambda uid: _kill_all(contained, statuses, uid))
                else:
                    _kill_all(contained, statuses)
                statuses.clear()
                ru = resource.getrusage(resource.RUSAGE_CHILDREN)
                reply = {"cpu_s": ru.ru_utime + ru.ru_stime, "max_rss_kb": ru.ru_maxrss}
            else:
                reply = {"error": "unknown op %r" % op}
        except Exception as e:
            reply = {"error": "%s: %s" % (type(e).__name__, e)}
        finally:
            for fd in fds:
                try:
                    os.close(fd)
                except OSError:
                    pass
        _reap(statuses)
        try:
            sock.send(json.dumps(reply).encode())
        except OSError:
            return
