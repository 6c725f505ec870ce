"""The long-lived runner inside a sandbox. Stdlib only.

Reads jobs as frames on stdin and writes one outcome frame per job on stdout. Three kinds of
process serve a job:
- the runner (this process; PID 1 in a container) only supervises and cleans: it never runs
  test code or compares values;
- the zygote (zygote.py), forked before the first job is read: the clean room every candidate
  and stdin/stdout program is forked from, so no candidate starts with a job in its memory;
- a judge per strict job, forked for the job and thrown away after it: it runs the job's test
  code and comparisons under its own uid (where the sandbox gives one), non-dumpable, so the
  candidate can neither signal, trace nor read it, and nothing one job's test code does (a
  patched builtin, a poisoned module) reaches the next job.
Each job gets a fresh working directory; after each job every job process is killed and the
writable directories emptied. When that cannot be done (the zygote died, a tree will not go
away) the outcome says "recycle" and the runner exits after sending it: the pool starts a
fresh sandbox.
"""
import ctypes
import os
import resource
import select
import signal
import sys
import tempfile
import time

from sandboxes.runner import judge, preload
from sandboxes.runner.cleanup import any_sysv_ipc, remove_sysv_ipc, remove_tree
from sandboxes.runner.events import parse_events, record
from sandboxes.runner.jobio import TAIL, JobIO, drop_to, job_uid, set_nonblocking, set_oom_score_adj
from sandboxes.runner.procs import cgroup_oom_kills, children_of, count_own_processes
from sandboxes.runner.protocol import FrameReader, read_frame, write_frame
from sandboxes.runner.zygote import Zygote, ZygoteGone

MAX_RESULT_BYTES = 64 << 20
PR_SET_DUMPABLE = 4
JUDGE_OOM_SCORE = 500   # after the job's processes (1000), before the runner (0)


def judge_uid() -> int:
    """The uid the per-job judge runs as: distinct from the job's, so a candidate cannot signal
    or trace it even where it could reach a same-uid process. -1: keep ours."""
    try:
        return int(os.environ.get("CODEHARNESS_JUDGE_UID", "-1"))
    except ValueError:
        return -1


def make_nondumpable() -> None:
    """Same-uid processes may not ptrace us or open /proc/<pid>/{mem,fd} once we are non-dumpable."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    except Exception:
        pass


def become_judge() -> None:
    """In the freshly forked per-job judge: its own uid, non-dumpable, an OOM victim before the
    runner; the runner's stdin/stdout (the host's channel) closed."""
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)
    os.close(null)
    set_oom_score_adj(JUDGE_OOM_SCORE)   # before the uid change
    uid = judge_uid()
    if uid >= 0 and os.getuid() != uid:
        drop_to(uid)
    make_nondumpable()   # a uid change makes us non-dumpable too; be explicit


class Supervisor:
    def __init__(self, contained: bool, work_root: str):
        self.contained = contained
        self.work_root = work_root
        uid = job_uid()
        self.nproc_base = count_own_processes(uid if uid >= 0 else os.getuid()) + 4
        try:  # the uid's processes outside our pid namespace, when the launcher counted them
            self.nproc_base = max(self.nproc_base, int(os.environ.get("CODEHARNESS_NPROC_BASE", "0")))
        except ValueError:
            pass
        # Only where the memory cgroup is the sandbox's own (a container) does its OOM count mean "this job".
        self.watch_oom = contained and os.environ.get("CODEHARNESS_CGROUP_OOM") == "1"
        self.zygote = Zygote(contained)   # now, before any job is read
        self.zygote_cpu, self.zygote_rss = 0.0, 0
        self.broken = ""

    def preload_for(self, job: dict) -> None:
        """The heavy libraries the job names, imported here (for its judge) and in the zygote (for
        its candidate) before either is forked; once per sandbox."""
        wanted = preload.named_by(job)
        if not wanted:
            return
        preload.load(wanted)
        try:
            self.zygote.preload(wanted)
        except ZygoteGone as e:
            self.broken = "zygote: %s" % e

    def run(self, job: dict) -> dict:
        self.preload_for(job)
        work = tempfile.mkdtemp(prefix="job-", dir=self.work_root)
        os.chmod(work, 0o777)
        io = JobIO(job["limits"], work, self.nproc_base)
        io.zygote = self.zygote
        outcome = {"tests": [], "finished": False, "limit": ""}
        ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        oom0 = cgroup_oom_kills() if self.watch_oom else 0
        t0 = time.monotonic()
        try:
            if job.get("judge") == "compat":
                self.run_compat(job, io, outcome, t0)
            else:
                self.run_judge(job, io, outcome, t0)
        finally:
            zygote_cpu = self.kill_all()
            io.drain()
            io.close()
            self.cleanup(work)
        ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        judge_cpu = outcome.pop("judge_cpu_s", 0.0)   # the judge's own work is not the job's
        tails = outcome.pop("judge_tails", None) or {}
        outcome.update(
            stdout_tail=(str(tails.get("stdout", "")) + io.tail("stdout"))[-TAIL:],
            stderr_tail=(str(tails.get("stderr", "")) + io.tail("stderr"))[-TAIL:],
            duration_s=round(time.monotonic() - t0, 6),
            cpu_time_s=round(max(0.0, (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime) - judge_cpu)
                             + zygote_cpu, 6),
            # strict: the job's processes are the zygote's children; compat: ours too
            max_rss_kb=max(ru1.ru_maxrss if job.get("judge") == "compat" else 0, self.zygote_rss),
        )
        if self.broken:
            outcome["recycle"] = self.broken
        if self.watch_oom:
            outcome["oom_kills"] = max(0, cgroup_oom_kills() - oom0)
        return outcome

    def run_judge(self, job: dict, io: JobIO, outcome: dict, t0: float) -> None:
        """Strict: fork the job's judge and record what it reports, within the job's wall limit."""
        ev_r, ev_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                os.close(ev_r)
                become_judge()
                emit = lambda ev: write_frame(ev_w, ev)
                judge.run_strict(job, io, emit)
                io.drain()
                if io.over_limit():
                    emit({"event": "limit", "limit": "output"})
                emit({"event": "tails", "stdout": io.tail("stdout"), "stderr": io.tail("stderr")})
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        os.close(ev_w)
        set_nonblocking(ev_r)
        reader = FrameReader(ev_r, MAX_RESULT_BYTES)
        deadline = t0 + float(job["limits"]["wall_time_s"])
        try:
            while not reader.eof:
                left = deadline - time.monotonic()
                if left <= 0:
                    outcome["limit"] = outcome["limit"] or "wall"
                    break
                ready, _, _ = select.select([ev_r], [], [], min(left, 1.0))
                if not ready:
                    continue
                try:
                    reader.feed()
                    while True:
                        ev = reader.take()
                        if ev is None:
                            break
                        if isinstance(ev, dict) and ev.get("event") == "tails":
                            outcome["judge_tails"] = ev
                        elif isinstance(ev, dict):
                            record(outcome, ev)
                except (ValueError, RecursionError, TypeError, AttributeError) as e:
                    outcome["error"] = "judge sent a malformed report: %s" % type(e).__name__
                    break
        finally:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            _, status, usage = os.wait4(pid, 0)
            os.close(ev_r)
        outcome["judge_cpu_s"] = usage.ru_utime + usage.ru_stime
        if os.WIFSIGNALED(status) and not outcome["finished"]:
            # Killed mid-job: by the memory cgroup's OOM killer (the job exhausted the sandbox's
            # memory) or by our wall limit. The job did not finish, which is its own failure.
            outcome["signal"] = os.WTERMSIG(status)

    def run_compat(self, job: dict, io: JobIO, outcome: dict, t0: float) -> None:
        res_r, res_w = os.pipe()
        set_nonblocking(res_r)
        pid = io.fork(lambda: judge.run_compat(job, io, 3), keep=(res_w,))
        os.close(res_w)
        try:
            pidfd = os.pidfd_open(pid)  # readable when the job process exits: no polling
        except OSError:  # ENOSYS under gVisor: poll the child instead
            pidfd = None
        deadline = t0 + float(job["limits"]["wall_time_s"])
        result, status, usage = bytearray(), None, None
        try:
            while status is None:
                left = deadline - time.monotonic()
                if left <= 0:
                    outcome["limit"] = "wall"
                    break
                watch = [res_r] + io.fds() + ([pidfd] if pidfd is not None else [])
                ready, _, _ = select.select(watch, [], [], min(left, 1.0 if pidfd is not None else 0.005))
                for fd in ready:
                    if fd == res_r:
                        result += self.read_available(res_r)
                    elif fd != pidfd:
                        io.read(fd)
                if io.over_limit() or len(result) > MAX_RESULT_BYTES:
                    outcome["limit"] = "output"
                    break
                if pidfd is None:
                    wpid, st, ru = os.wait4(pid, os.WNOHANG)
                    if wpid:
                        status, usage = st, ru
                elif pidfd in ready:
                    _, status, usage = os.wait4(pid, 0)
            try:
                os.killpg(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            if status is None:
                _, status, usage = os.wait4(pid, 0)
            result += self.read_available(res_r)
        finally:
            os.close(res_r)
            if pidfd is not None:
                os.close(pidfd)
        parse_events(bytes(result), outcome, [t.get("name") for t in job["tests"]])
        if os.WIFSIGNALED(status):
            outcome["signal"] = os.WTERMSIG(status)
            cpu = usage.ru_utime + usage.ru_stime
            # SIGXCPU, or SIGKILL at the hard RLIMIT_CPU when the job ignores SIGXCPU.
            if not outcome["limit"] and (outcome["signal"] == signal.SIGXCPU or (
                    outcome["signal"] == signal.SIGKILL and cpu >= float(job["limits"]["cpu_time_s"]))):
                outcome["limit"] = "cpu"
            elif not outcome["limit"] and outcome["signal"] == signal.SIGXFSZ:
                outcome["limit"] = "file"
        else:
            outcome["exit_code"] = os.WEXITSTATUS(status)

    @staticmethod
    def read_available(fd: int) -> bytes:
        chunks = []
        while True:
            try:
                data = os.read(fd, 1 << 16)
            except BlockingIOError:
                break
            if not data:
                break
            chunks.append(data)
        return b"".join(chunks)

    def kill_all(self) -> float:
        """Kill every job process; returns the CPU seconds the zygote's children used since last time."""
        used = 0.0
        if not self.broken:
            try:
                usage = self.zygote.kill_all()
                used = max(0.0, float(usage["cpu_s"]) - self.zygote_cpu)
                self.zygote_cpu, self.zygote_rss = float(usage["cpu_s"]), int(usage["max_rss_kb"])
            except (ZygoteGone, KeyError, TypeError, ValueError) as e:
                self.broken = "zygote: %s" % e
        if self.broken:
            self.kill_everything()
        else:
            self.reap()   # orphans of job processes are ours (PID 1) once their parents die
        self.wait_until_gone()
        return used

    def wait_until_gone(self, limit_s: float = 1.0) -> None:
        """Reap until no killed orphan of a job is left among our children (as PID 1 we inherit
        them): one that had not died yet when we reaped would stay a zombie, seen by the next job."""
        if not self.contained:
            return
        deadline = time.monotonic() + limit_s
        while [p for p in children_of(os.getpid()) if p != self.zygote.pid] and time.monotonic() < deadline:
            time.sleep(0.0005)
            self.reap()

    def kill_everything(self) -> None:
        if not self.contained:
            self.reap()
            return
        # PID 1 of the container: kill(-1) reaches every process a job left, whatever its session.
        for _ in range(200):
            try:
                os.kill(-1, signal.SIGKILL)
            except ProcessLookupError:
                break
            self.reap()
            time.sleep(0.001)
        self.reap()

    @staticmethod
    def reap() -> None:
        while True:
            try:
                wpid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if wpid == 0:
                return

    @staticmethod
    def remove_ipc_as_job_user() -> None:
        """IPC_RMID needs the owner's uid (we lack CAP_SYS_ADMIN, on purpose): a short-lived
        child becomes the job user and removes what jobs created. Most jobs make none, and a
        fork costs milliseconds of CPU: look first."""
        if not any_sysv_ipc():
            return
        uid = job_uid()
        pid = os.fork()
        if pid == 0:
            try:
                if uid >= 0 and os.getuid() != uid:
                    drop_to(uid)
                remove_sysv_ipc()
            finally:
                os._exit(0)
        os.waitpid(pid, 0)

    def cleanup(self, work: str) -> None:
        if not remove_tree(work):
            self.broken = self.broken or "could not remove %s" % work
        if not self.contained:
            return
        self.remove_ipc_as_job_user()
        for root in (self.work_root, "/dev/shm", "/dev/mqueue"):
            try:
                entries = os.listdir(root)
            except OSError:
                continue
            for name in entries:
                path = os.path.join(root, name)
                if os.path.isdir(path) and not os.path.islink(path):
                    if not remove_tree(path):
                        self.broken = self.broken or "could not remove %s" % path
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
    if contained:
        # PID 1 of a pid namespace with no handlers: the kernel drops every signal sent from
        # inside the namespace (a job's kill(1, SIGTERM), kill(-1, SIGINT)), while the engine
        # can still stop us from outside. Any handler -- Python's own SIGINT one included --
        # would let a job kill us or raise KeyboardInterrupt inside the judge.
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2):
            signal.signal(sig, signal.SIG_DFL)
    else:
        signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
        signal.signal(signal.SIGINT, lambda *_: os._exit(0))
    preload.load(preload.STARTUP)   # before the zygote is forked
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
        try:
            outcome = sup.run(job)
        except Exception as e:  # a runner bug must surface as an infrastructure error, not a verdict
            outcome = {"error": "runner error: %s: %s" % (type(e).__name__, e)}
        try:
            write_frame(1, {"event": "outcome", "job_id": job.get("job_id", ""), "outcome": outcome})
        except BrokenPipeError:   # the host gave up on us (and is starting a fresh sandbox)
            return
        if outcome.get("recycle"):
            return   # the pool replaces a runner that could not make itself clean
