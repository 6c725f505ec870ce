"""The long-lived runner inside a sandbox. Stdlib only.

Reads jobs as frames on stdin and writes one outcome frame per job on stdout. Three kinds of
process serve a job:
- the runner (this process; PID 1 in a container) only supervises and cleans: it never runs
  test code or compares values;
- the zygote (zygote.py), forked before the first job is read: the clean room every candidate
  and stdin/stdout program is forked from, so no candidate starts with a job in its memory;
- a judge per strict job (judge_process.py): it runs the job's test code and comparisons under
  its own uid (where the sandbox gives one), non-dumpable, so the candidate can neither signal,
  trace nor read it. It is thrown away after the job, or serves the next job when that job's
  trusted part is the same (the next sample of the same problem): nothing one job's test code
  does (a patched builtin, a poisoned module) reaches a job with other test code.
Each job gets a fresh working directory; after each job every job process is killed and the
writable directories emptied. When that cannot be done (the zygote died, a tree will not go
away) the outcome says "recycle" and the runner exits after sending it: the pool starts a
fresh sandbox.
"""
import os
import resource
import select
import signal
import sys
import tempfile
import time

from sandboxes.runner import judge, preload
from sandboxes.runner.judge_process import JudgeProcess, make_nondumpable, reuse_possible
from sandboxes.runner.cleanup import any_sysv_ipc, remove_sysv_ipc, remove_tree
from sandboxes.runner.events import parse_events, record
from sandboxes.runner.jobio import TAIL, JobIO, drop_to, job_uid, set_nonblocking
from sandboxes.runner.procs import cgroup_oom_kills, children_of, count_own_processes
from sandboxes.runner.protocol import read_frame, write_frame
from sandboxes.runner.zygote import Zygote, ZygoteGone

MAX_RESULT_BYTES = 64 << 20


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
        self.reuse = reuse_possible(contained)
        self.judge = None       # a JudgeProcess kept for the next job of the same problem
        self.judge_io = None    # its JobIO

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
        strict = job.get("judge") != "compat"
        outcome = {"tests": [], "finished": False, "limit": ""}
        ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        oom0 = cgroup_oom_kills() if self.watch_oom else 0
        t0 = time.monotonic()
        judge_cpu, keep = 0.0, False
        io = None
        try:
            if strict:
                io, judge_cpu, keep = self.run_judge(job, work, outcome, t0)
            else:
                io = JobIO(job["limits"], work, self.nproc_base)
                io.zygote = self.zygote
                self.run_compat(job, io, outcome, t0)
        finally:
            if not keep:
                judge_cpu += self.drop_judge(spare_io=io)   # this job's pipes: drained, then closed below
            zygote_cpu = self.kill_all()
            if io is not None:
                io.drain()
                if not keep:
                    io.close()
            self.cleanup(work)
        ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        tails = outcome.pop("judge_tails", None) or {}
        outcome.update(
            stdout_tail=(str(tails.get("stdout", "")) + io.tail("stdout"))[-TAIL:],
            stderr_tail=(str(tails.get("stderr", "")) + io.tail("stderr"))[-TAIL:],
            duration_s=round(time.monotonic() - t0, 6),
            # the judge's own work is not the job's
            cpu_time_s=round(max(0.0, (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime) - judge_cpu)
                             + zygote_cpu, 6),
            # strict: the job's processes are the zygote's children; compat: ours too
            max_rss_kb=max(ru1.ru_maxrss if not strict else 0, self.zygote_rss),
        )
        if self.broken:
            outcome["recycle"] = self.broken
        if self.watch_oom:
            outcome["oom_kills"] = max(0, cgroup_oom_kills() - oom0)
        return outcome

    def run_judge(self, job: dict, work: str, outcome: dict, t0: float) -> tuple:
        """Strict: the job's judge (the last job's, when it takes this one; else a fresh fork)
        and what it reports, within the job's wall limit. Returns (the job's JobIO, CPU seconds
        of judges reaped meanwhile, whether the judge may serve the next job)."""
        cpu = 0.0
        judge_ = self.judge
        if judge_ is not None and not (judge_.takes(job) and judge_.send(job, work)):
            cpu += self.drop_judge()
            judge_ = None
        if judge_ is not None:
            io = self.judge_io
            io.restart(work)
        else:
            io = JobIO(job["limits"], work, self.nproc_base)
            io.zygote = self.zygote
            judge_ = JudgeProcess(job, io)
            self.judge, self.judge_io = judge_, io
        clean = judge_.collect(outcome, t0 + float(job["limits"]["wall_time_s"]))
        keep = (clean and self.reuse and not self.broken and not outcome["limit"] and not outcome.get("error"))
        if not keep:
            status, used = judge_.kill()
            self.judge = None
            cpu += used
            if status is not None and os.WIFSIGNALED(status) and not outcome["finished"] and not clean:
                # Killed mid-job: by the memory cgroup's OOM killer (the job exhausted the
                # sandbox's memory) or by our wall limit. The job did not finish: its own failure.
                outcome["signal"] = os.WTERMSIG(status)
        return io, cpu, keep

    def drop_judge(self, spare_io=None) -> float:
        """Kill the kept judge, if any, and close its JobIO (unless it is `spare_io`, the running
        job's); the CPU seconds it used."""
        cpu = 0.0
        if self.judge is not None:
            cpu = self.judge.kill()[1]
            self.judge = None
        if self.judge_io is not None and self.judge_io is not spare_io:
            self.judge_io.close()
        self.judge_io = None
        return cpu

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
                usage = self.zygote.kill_all(spare_judge=self.judge is not None)
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
        ours = {self.zygote.pid, self.judge.pid if self.judge is not None else 0}
        while [p for p in children_of(os.getpid()) if p not in ours] and time.monotonic() < deadline:
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
