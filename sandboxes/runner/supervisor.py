"""The long-lived runner inside a sandbox. Stdlib only.

Reads jobs as frames on stdin, forks one process per job (limits set, own session,
fresh working directory), captures its output with a cap, and writes one Outcome frame
per job on stdout. In a container it runs as PID 1: the kernel ignores SIGKILL sent to
it from inside, and after each job it kills every other process and empties the
writable directories, so nothing a job leaves behind reaches the next one.
"""
import ctypes
import math
import os
import resource
import select
import shutil
import signal
import sys
import tempfile
import time

from sandboxes.runner import judge
from sandboxes.runner.protocol import read_frame, write_frame

TAIL = 2048
MAX_RESULT_BYTES = 64 << 20
PR_SET_DUMPABLE = 4


def make_nondumpable() -> None:
    """Same-uid processes may not ptrace us or open /proc/<pid>/{mem,fd} once we are non-dumpable."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    except Exception:
        pass


def count_own_processes() -> int:
    uid, n = os.getuid(), 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.stat("/proc/" + entry).st_uid == uid:
                    n += 1
            except OSError:
                pass
    return n


def set_limits(limits: dict, nproc_base: int) -> None:
    cpu = int(math.ceil(float(limits["cpu_time_s"]))) + 1
    mem = int(limits["memory_mb"]) << 20
    for res, value in (
        (resource.RLIMIT_CPU, (cpu, cpu + 1)),
        (resource.RLIMIT_AS, (mem, mem)),
        (resource.RLIMIT_FSIZE, (int(limits["max_file_bytes"]),) * 2),
        (resource.RLIMIT_CORE, (0, 0)),
        (resource.RLIMIT_NPROC, (nproc_base + int(limits["max_processes"]),) * 2),
        (resource.RLIMIT_NOFILE, (256, 256)),
    ):
        try:
            resource.setrlimit(res, value)
        except (ValueError, OSError):
            pass


JOB_ENV = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "LANG": "C.UTF-8",
    "PYTHONDONTWRITEBYTECODE": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}


class Supervisor:
    def __init__(self, contained: bool, work_root: str):
        self.contained = contained
        self.work_root = work_root
        self.nproc_base = count_own_processes() + 4

    def child(self, job: dict, work: str, out_w: int, err_w: int, res_w: int) -> None:
        try:
            os.setsid()
            devnull = os.open(os.devnull, os.O_RDONLY)
            os.dup2(devnull, 0)
            os.dup2(out_w, 1)
            os.dup2(err_w, 2)
            res = os.dup2(res_w, 5) if res_w != 5 else 5
            os.closerange(6, 65536)
            for fd in (3, 4):
                try:
                    os.close(fd)
                except OSError:
                    pass
            os.chdir(work)
            os.environ.clear()
            os.environ.update(JOB_ENV, HOME=work, TMPDIR=work)
            sys.stdout = os.fdopen(1, "w", buffering=1, closefd=False)
            sys.stderr = os.fdopen(2, "w", buffering=1, closefd=False)
            sys.stdin = open(os.devnull)
            set_limits(job["limits"], self.nproc_base)
            signal.signal(signal.SIGPIPE, signal.SIG_DFL)
            judge.run_job(job, res)
        finally:
            os._exit(0)

    def run(self, job: dict) -> dict:
        limits = job["limits"]
        work = tempfile.mkdtemp(prefix="job-", dir=self.work_root)
        os.chmod(work, 0o700)
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        res_r, res_w = os.pipe()
        ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.monotonic()
        pid = os.fork()
        if pid == 0:
            for fd in (out_r, err_r, res_r):
                os.close(fd)
            self.child(job, work, out_w, err_w, res_w)
        for fd in (out_w, err_w, res_w):
            os.close(fd)

        tails = {out_r: bytearray(), err_r: bytearray()}
        result = bytearray()
        out_total, limit, status = 0, "", None
        deadline = t0 + float(limits["wall_time_s"])
        open_fds = {out_r, err_r, res_r}
        exited_at = None
        while True:
            now = time.monotonic()
            if status is None:
                wpid, st = os.waitpid(pid, os.WNOHANG)
                if wpid:
                    status, exited_at = st, now
            if status is not None and (not open_fds or now - exited_at > 0.2):
                break  # done, or the job's leftovers still hold the pipes open
            if now > deadline:
                limit = limit or "wall"
                break
            ready, _, _ = select.select(list(open_fds), [], [], 0.05) if open_fds else ([], [], time.sleep(0.01))
            for fd in ready:
                data = os.read(fd, 1 << 16)
                if not data:
                    open_fds.discard(fd)
                    continue
                if fd == res_r:
                    if len(result) + len(data) > MAX_RESULT_BYTES:
                        limit = limit or "output"
                        self.kill_job(pid)
                    result += data
                    continue
                out_total += len(data)
                tail = tails[fd]
                tail += data
                del tail[:-TAIL]
                if out_total > int(limits["max_output_bytes"]) and not limit:
                    limit = "output"
                    self.kill_job(pid)

        self.kill_job(pid)
        if status is None:
            _, status = os.waitpid(pid, 0)
        for fd in (out_r, err_r, res_r):
            os.close(fd)
        self.cleanup(work)
        ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        outcome = self.parse_events(bytes(result))
        if os.WIFSIGNALED(status):
            outcome["signal"] = os.WTERMSIG(status)
            if not limit and outcome["signal"] == signal.SIGXCPU:
                limit = "cpu"
            elif not limit and outcome["signal"] == signal.SIGXFSZ:
                limit = "file"
        else:
            outcome["exit_code"] = os.WEXITSTATUS(status)
        outcome.update(
            limit=outcome.get("limit") or limit,
            stdout_tail=bytes(tails[out_r]).decode("utf-8", "replace"),
            stderr_tail=bytes(tails[err_r]).decode("utf-8", "replace"),
            duration_s=round(time.monotonic() - t0, 6),
            cpu_time_s=round((ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime), 6),
            max_rss_kb=ru1.ru_maxrss,
        )
        return outcome

    @staticmethod
    def parse_events(data: bytes) -> dict:
        import json
        outcome = {"tests": [], "finished": False}
        pos = 0
        while pos + 4 <= len(data):
            n = int.from_bytes(data[pos:pos + 4], "big")
            if pos + 4 + n > len(data):
                break
            try:
                ev = json.loads(data[pos + 4:pos + 4 + n])
            except ValueError:
                break
            pos += 4 + n
            kind = ev.get("event")
            if kind == "test":
                test = {k: ev.get(k) for k in ("name", "status", "error_type", "message", "time_s")}
                if isinstance(ev.get("output"), dict):
                    test["output"] = ev["output"]   # capture mode: {"v": plain value} or {"digest": sha256}
                outcome["tests"].append(test)
            elif kind == "compile_error":
                outcome["compile_error"] = str(ev.get("message") or "SyntaxError")
            elif kind == "program_error":
                err = ev.get("error") or ["Exception", ""]
                outcome["program_error_type"], outcome["program_error"] = str(err[0]), str(err[1])
            elif kind == "limit":
                outcome["limit"] = str(ev.get("limit"))
            elif kind == "judge_error":
                outcome["error"] = "judge error: %s" % ev.get("message")
            elif kind == "done":
                outcome["finished"] = True
        return outcome

    def kill_job(self, pid: int) -> None:
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if self.contained:
            # PID 1 of the container: kill(-1) reaches every process the job left, whatever its session.
            for _ in range(50):
                try:
                    os.kill(-1, signal.SIGKILL)
                except ProcessLookupError:
                    break
                self.reap()
                time.sleep(0.002)

    def reap(self) -> None:
        while True:
            try:
                wpid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if wpid == 0:
                return

    def cleanup(self, work: str) -> None:
        shutil.rmtree(work, ignore_errors=True)
        if self.contained:
            for root in (self.work_root, "/dev/shm"):
                try:
                    entries = os.listdir(root)
                except OSError:
                    continue
                for name in entries:
                    path = os.path.join(root, name)
                    if os.path.isdir(path) and not os.path.islink(path):
                        shutil.rmtree(path, ignore_errors=True)
                    else:
                        try:
                            os.unlink(path)
                        except OSError:
                            pass


def main(argv=None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    contained = "--contained" in argv
    work_root = os.environ.get("CODEHARNESS_WORK_ROOT") or tempfile.gettempdir()
    make_nondumpable()
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    signal.signal(signal.SIGINT, lambda *_: os._exit(0))
    sup = Supervisor(contained, work_root)
    write_frame(1, {"event": "hello", "pid": os.getpid(), "python": sys.version.split()[0]})
    while True:
        try:
            req = read_frame(0)
        except EOFError:
            return
        if req.get("op") == "ping":
            write_frame(1, {"event": "pong"})
            continue
        job = req["job"]
        outcome = sup.run(job)
        write_frame(1, {"event": "outcome", "job_id": job.get("job_id", ""), "outcome": outcome})
