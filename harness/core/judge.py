"""Outcome (what happened in the sandbox) -> Verdict (what it means).

Decided here, outside the candidate's reach: a sample passes only when the runner
reports that the test driver finished and every expected test passed. Exit codes,
output and missing reports never count as a pass.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sandboxes.job import Outcome, TestResult

STATUSES = ("passed", "failed", "syntax_error", "runtime_error", "timeout", "memory_exceeded",
            "output_exceeded", "sandbox_error")
MEMORY_ERRORS = ("MemoryError",)


@dataclass
class Verdict:
    status: str
    tests: list[TestResult] = field(default_factory=list)
    detail: str = ""

    @property
    def passed(self) -> bool:
        return self.status == "passed"


def _first_bad(tests: list[TestResult]):
    return next((t for t in tests if t.status != "passed"), None)


def verdict(outcome: Outcome, expected_tests: int) -> Verdict:
    v = _verdict(outcome, expected_tests)
    # A job process the container's memory cgroup OOM-killed shows up as a crash or a stall
    # (a SIGKILLed helper, a parent waiting for it): name the cause.
    if v.status in ("runtime_error", "timeout") and getattr(outcome, "oom_kills", 0):
        return Verdict("memory_exceeded", v.tests, f"out of memory ({outcome.oom_kills} process(es) OOM-killed); "
                       + v.detail)
    return v


def _verdict(outcome: Outcome, expected_tests: int) -> Verdict:
    tests = outcome.tests
    if outcome.error:
        return Verdict("sandbox_error", tests, outcome.error)
    if outcome.compile_error:
        return Verdict("syntax_error", tests, outcome.compile_error)
    if outcome.limit == "output":
        return Verdict("output_exceeded", tests, "output limit exceeded")
    if outcome.limit == "memory":
        return Verdict("memory_exceeded", tests, "memory limit exceeded")
    if outcome.limit in ("cpu", "wall"):
        return Verdict("timeout", tests, f"{outcome.limit} time limit exceeded")
    if outcome.program_error or outcome.program_error_type:  # MemoryError's message is empty
        status = "memory_exceeded" if outcome.program_error_type in MEMORY_ERRORS else "runtime_error"
        return Verdict(status, tests, f"{outcome.program_error_type}: {outcome.program_error}".rstrip(": "))
    bad = _first_bad(tests)
    if bad is not None:
        detail = f"{bad.name}: {bad.error_type}: {bad.message}".strip(": ")
        if bad.status == "timeout":
            return Verdict("timeout", tests, detail)
        if bad.status == "error":
            status = "memory_exceeded" if bad.error_type in MEMORY_ERRORS else "runtime_error"
            return Verdict(status, tests, detail)
        return Verdict("failed", tests, detail)
    if outcome.limit == "file":
        return Verdict("runtime_error", tests, "file size limit exceeded")
    if not outcome.finished:
        how = f"signal {outcome.signal}" if outcome.signal else f"exit code {outcome.exit_code}"
        return Verdict("runtime_error", tests, f"the test run did not finish ({how})")
    if len(tests) != expected_tests:
        return Verdict("failed", tests, f"{len(tests)} of {expected_tests} tests reported")
    return Verdict("passed", tests)
