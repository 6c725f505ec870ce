"""The strict judge's process, as the runner sees it. Stdlib only.

A judge is forked by the runner for a job and runs its test code under its own uid,
non-dumpable. Forking it costs more than the job's own test work (each fork pays for the
pages it touches), so a judge may serve the next job too, but only when that job's trusted
part is exactly the same (the same tests, setup, context, entry point, exports and limits:
the next sample of the same problem), the sandbox gives the judge and the jobs distinct uids
(so the runner can kill every job process and spare the judge), and the judge's last job
ended cleanly. Whatever one job's test code could leave behind is then what the same test
code would do anyway; a job with different test code always gets a fresh judge, so nothing
one client's tests do reaches another's. Each job still gets a fresh namespace for its test
code, fresh builtins, a fresh candidate and a fresh directory.
"""
import builtins
import ctypes
import os
import resource
import select
import signal
import time

from sandboxes.runner import judge
from sandboxes.runner.events import record
from sandboxes.runner.jobio import drop_to, job_uid, set_nonblocking, set_oom_score_adj
from sandboxes.runner.protocol import FrameReader, read_frame, write_frame

MAX_RESULT_BYTES = 64 << 20
PR_SET_DUMPABLE = 4
JUDGE_OOM_SCORE = 500   # after the job's processes (1000), before the runner (0)
MAX_JOBS = 200          # jobs one judge serves at most
MAX_GROWTH_KB = 32 << 10   # a judge whose peak memory grew more than this since its first job is not reused
# What a job shares with the next for one judge to serve both: everything but these.
PER_JOB = ("job_id", "program")


def judge_uid() -> int:
    """The uid the per-job judge runs as: distinct from the job's, so a candidate cannot signal
    or trace it even where it could reach a same-uid process. -1: keep ours."""
    try:
        return int(os.environ.get("CODEHARNESS_JUDGE_UID", "-1"))
    except ValueError:
        return -1


def reuse_possible(contained: bool) -> bool:
    """Only where killing every job process can spare the judge: job and judge have uids of
    their own (a container), so the zygote can kill(-1) as the job's uid."""
    juid, cuid = judge_uid(), job_uid()
    return contained and juid >= 0 and cuid >= 0 and juid != cuid


def make_nondumpable() -> None:
    """Same-uid processes may not ptrace us or open /proc/<pid>/{mem,fd} once we are non-dumpable."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    except Exception:
        pass


def become_judge() -> None:
    """In the freshly forked judge: its own uid, non-dumpable, an OOM victim before the runner;
    the runner's stdin/stdout (the host's channel) closed."""
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)
    os.close(null)
    set_oom_score_adj(JUDGE_OOM_SCORE)   # before the uid change
    uid = judge_uid()
    if uid >= 0 and os.getuid() != uid:
        drop_to(uid)
    make_nondumpable()   # a uid change makes us non-dumpable too; be explicit


def trusted_part(job: dict) -> dict:
    return {k: v for k, v in job.items() if k not in PER_JOB}


def serve(job: dict, io, job_r: int, ev_w: int) -> None:
    """The judge's life: judge `job`, then each next program the runner sends, until it closes
    the pipe or kills us."""
    become_judge()
    emit = lambda ev: write_frame(ev_w, ev)
    clean_builtins = dict(builtins.__dict__)
    while True:
        judge.run_strict(job, io, emit)
        io.drain()
        if io.over_limit():
            emit({"event": "limit", "limit": "output"})
        emit({"event": "tails", "stdout": io.tail("stdout"), "stderr": io.tail("stderr"),
              "max_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss})
        try:
            msg = read_frame(job_r)
        except EOFError:
            return
        builtins.__dict__.clear()
        builtins.__dict__.update(clean_builtins)
        job = dict(job, program=msg["program"], job_id=msg["job_id"])
        io.restart(msg["work"])


class JudgeProcess:
    """The runner's handle on a judge: fork it for a job, hand it the next program of the same
    problem, read what it reports within each job's wall limit."""

    def __init__(self, job: dict, io):
        self.io, self.trusted = io, trusted_part(job)
        self.jobs, self.base_rss_kb, self.cpu_s = 1, 0, 0.0
        job_r, self.job_w = os.pipe()
        self.ev_r, ev_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                os.close(self.ev_r)
                os.close(self.job_w)
                serve(job, io, job_r, ev_w)
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        os.close(job_r)
        os.close(ev_w)
        set_nonblocking(self.ev_r)
        self.pid = pid
        self.reader = FrameReader(self.ev_r, MAX_RESULT_BYTES)

    def takes(self, job: dict) -> bool:
        return self.pid != 0 and self.jobs < MAX_JOBS and trusted_part(job) == self.trusted

    def send(self, job: dict, work: str) -> bool:
        """The next job's program for this judge; False if the judge cannot take it."""
        try:
            write_frame(self.job_w, {"program": job["program"], "job_id": job.get("job_id", ""), "work": work})
        except OSError:
            return False
        self.jobs += 1
        return True

    def collect(self, outcome: dict, deadline: float) -> bool:
        """Record the job's events until the judge reports its tails; False when it did not end
        the job cleanly (it died, overran the wall limit, or sent something malformed)."""
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                outcome["limit"] = outcome["limit"] or "wall"
                return False
            ready, _, _ = select.select([self.ev_r], [], [], min(left, 1.0))
            if not ready:
                continue
            try:
                self.reader.feed()
                while True:
                    ev = self.reader.take()
                    if ev is None:
                        break
                    if isinstance(ev, dict) and ev.get("event") == "tails":
                        outcome["judge_tails"] = ev
                        return self.healthy(ev)
                    if isinstance(ev, dict):
                        record(outcome, ev)
            except (ValueError, RecursionError, TypeError, AttributeError) as e:
                outcome["error"] = "judge sent a malformed report: %s" % type(e).__name__
                return False
            if self.reader.eof:
                return False

    def healthy(self, tails: dict) -> bool:
        rss = tails.get("max_rss_kb")
        if not isinstance(rss, int):
            return False
        if not self.base_rss_kb:
            self.base_rss_kb = rss
        return rss - self.base_rss_kb <= MAX_GROWTH_KB

    def kill(self) -> tuple:
        """Kill and reap the judge: (wait status or None, its CPU seconds)."""
        status = None
        if self.pid:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            try:
                _, status, usage = os.wait4(self.pid, 0)
                self.cpu_s = usage.ru_utime + usage.ru_stime
            except ChildProcessError:   # reaped already, among the runner's orphans
                pass
            self.pid = 0
        for fd in (self.ev_r, self.job_w):
            try:
                os.close(fd)
            except OSError:
                pass
        return status, self.cpu_s
