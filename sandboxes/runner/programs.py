"""Processes the judge watches: CPU time from /proc, and stdin/stdout programs run one per test.
Stdlib only."""
import builtins
import os
import select
import signal
import sys
import time

from sandboxes.runner.compare import short, stdout_match

CLK_TCK = os.sysconf("SC_CLK_TCK")


def proc_cpu_seconds(pid: int) -> float:
    try:
        with open("/proc/%d/stat" % pid, "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK
    except (OSError, IndexError, ValueError):
        return 0.0


def over_time(pid: int, cpu_start: float, cpu_limit: float, wall_deadline: float) -> str:
    """"" or why the process is out of time. The message names the clock (the harness reruns
    wall-clock timeouts once: they can come from load, not from the candidate)."""
    if proc_cpu_seconds(pid) - cpu_start > cpu_limit:
        return "cpu time limit exceeded"
    if time.monotonic() > wall_deadline:
        return "wall time limit exceeded"
    return ""


def run_stdio(program: str, test: dict, io, limits: dict) -> tuple:
    """A fresh process runs the program as __main__ on the test's stdin; stdout is compared."""
    path = os.path.join(io.work, "stdin-%d.txt" % id(test))
    with open(path, "w") as f:
        f.write(test.get("stdin") or "")
    out_r, out_w = os.pipe()
    fd_in = os.open(path, os.O_RDONLY)

    def body():
        os.dup2(3, 1)
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

    pid = io.fork(body, keep=(out_w,), stdin_fd=fd_in)
    os.close(out_w)
    os.close(fd_in)
    chunks, size, cap = [], 0, int(limits["max_output_bytes"])
    cpu_limit = float(test.get("time_limit_s") or limits["cpu_time_s"])
    deadline = time.monotonic() + 3 * cpu_limit + 2
    verdict = None
    while verdict is None:
        ready, _, _ = select.select([out_r] + io.fds(), [], [], 0.05)
        for fd in ready:
            io.read(fd)
        if out_r in ready:
            data = os.read(out_r, 1 << 16)
            if not data:
                break
            size += len(data)
            chunks.append(data)
            if size > cap:
                verdict = ("error", "OutputLimitExceeded", "stdout over %d bytes" % cap)
        over = over_time(pid, 0.0, cpu_limit, deadline) if verdict is None else ""
        if over:
            verdict = ("timeout", "Timeout", over)
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    _, status = os.waitpid(pid, 0)
    os.close(out_r)
    os.unlink(path)
    if verdict:
        return verdict
    if os.WIFSIGNALED(status) or os.WEXITSTATUS(status) != 0:
        code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else -os.WTERMSIG(status)
        return "error", "RuntimeError", "exit status %d" % code
    got = b"".join(chunks).decode("utf-8", "replace")
    if stdout_match(got, str(test.get("expected") or ""), float(test.get("atol") or 0)):
        return "passed", "", ""
    return "failed", "WrongAnswer", "expected %s, got %s" % (short(test.get("expected")), short(got))
