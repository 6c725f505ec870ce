"""Screening candidate functions by running them in the sandbox: outputs, or why not.

Each candidate runs twice through the injected `run_jobs` (this package never executes
code itself), as the "candidate" of a compat-judge job whose tests are all "capture"
tests (sandboxes/job.py): the runner reports each call's return value as plain data.
The second run takes the inputs in reverse order, so a function that draws random
numbers sees a different stream for the same input and shows up as non-deterministic
(two forks of one runner otherwise inherit the same random state).

Rejection reasons, in the order they are checked:
  sandbox_error, compile_error, program_error, memory, timeout, output_limit, error,
  incomplete, returns_none, wrong_type, output_too_large, nondeterministic, constant, identity
("duplicate", behaviour already seen, is decided by the synthesizer, which holds the state).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from benchmarks_data.atomic.typevocab import conforms
from sandboxes.job import Job, Limits, Outcome, TestCase
from sandboxes.runner.protocol import decode_plain, encode_plain

RunJobs = Callable[[list[Job]], list[Outcome]]

REASONS = ("sandbox_error", "compile_error", "program_error", "memory", "timeout", "output_limit", "error",
           "incomplete", "returns_none", "wrong_type", "output_too_large", "nondeterministic", "constant",
           "identity", "duplicate")


@dataclass(frozen=True)
class ScreenLimits:
    per_call_s: float = 1.0           # CPU seconds per call; the atomic functions need milliseconds
    job_cpu_s: float = 10.0
    memory_mb: int = 512
    max_output_chars: int = 4000      # encoded size of one return value; keeps problems small

    def job_limits(self) -> Limits:
        return Limits(cpu_time_s=self.job_cpu_s, memory_mb=self.memory_mb, max_output_bytes=64 << 10)


@dataclass
class Candidate:
    name: str                         # the entry point
    program: str
    param_types: tuple
    returns: str
    inputs: list                      # argument tuples; outputs come back in this order


@dataclass
class Screened:
    candidate: Candidate
    reason: Optional[str] = None      # None = accepted
    detail: str = ""
    outputs: list = field(default_factory=list)   # decoded return values, one per input

    @property
    def accepted(self) -> bool:
        return self.reason is None


def capture_job(c: Candidate, order: list[int], limits: ScreenLimits) -> Job:
    tests = [TestCase(name="in_%d" % i, kind="capture", args=list(c.inputs[i]), time_limit_s=limits.per_call_s)
             for i in order]
    return Job(program=c.program, tests=tests, entry_point=c.name, limits=limits.job_limits(), judge="compat",
               stop_on_failure=True, job_id="screen:" + c.name)


def _failure(o: Outcome, n: int) -> Optional[tuple]:
    """(reason, detail) for an outcome that did not produce `n` values, else None."""
    if o.error:
        return "sandbox_error", o.error
    if o.compile_error:
        return "compile_error", o.compile_error
    bad = [t for t in o.tests if t.status != "passed"]
    if o.limit == "memory" or any(t.error_type == "MemoryError" for t in bad):
        return "memory", o.limit or "MemoryError"
    if o.limit in ("cpu", "wall") or any(t.status == "timeout" for t in bad):
        return "timeout", o.limit or bad[0].name
    if o.program_error:
        return "program_error", "%s: %s" % (o.program_error_type, o.program_error)
    if o.limit:
        return "output_limit", o.limit
    if bad:
        return "error", "%s: %s" % (bad[0].error_type, bad[0].message)
    if len(o.tests) != n or not o.finished:
        return "incomplete", "%d of %d results" % (len(o.tests), n)
    return None


def canonical(value: Any) -> str:
    """A text that is equal for equal values of the same types (dict order ignored)."""
    def norm(node):
        if isinstance(node, list):
            return [norm(v) for v in node]
        if isinstance(node, dict):
            items = [norm(v) for v in node["v"]] if isinstance(node.get("v"), list) else node["v"]
            if node.get("__t") in ("dict", "set", "frozenset"):
                items = sorted(items, key=lambda v: json.dumps(v, sort_keys=True))
            return {"__t": node.get("__t"), "v": items}
        return node
    return json.dumps(norm(encode_plain(value)), sort_keys=True, separators=(",", ":"))


def fingerprint(param_types: tuple, outputs: list) -> str:
    """Behaviour of a function on a fixed probe set: equal fingerprints = same outputs there."""
    text = json.dumps([list(param_types), [canonical(v) for v in outputs]])
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def judge_runs(c: Candidate, first: Outcome, second: Outcome,
               max_chars: int = ScreenLimits.max_output_chars) -> Screened:
    n = len(c.inputs)
    for o in (first, second):
        failed = _failure(o, n)
        if failed:
            return Screened(c, failed[0], failed[1][:300])
    if any("v" not in (t.output or {}) for t in first.tests + second.tests):
        return Screened(c, "output_too_large")   # reported by digest only: far past max_chars anyway
    outs1 = [decode_plain(t.output["v"]) for t in first.tests]
    outs2 = [decode_plain(t.output["v"]) for t in reversed(second.tests)]   # back to input order
    if any(v is None for v in outs1 + outs2):
        return Screened(c, "returns_none")
    wrong = [v for v in outs1 if not conforms(v, c.returns)]
    if wrong:
        return Screened(c, "wrong_type", "expected %s, got %r" % (c.returns, wrong[0])[:300])
    text1 = [canonical(v) for v in outs1]
    if max(len(t) for t in text1) > max_chars:
        return Screened(c, "output_too_large")
    if text1 != [canonical(v) for v in outs2]:
        return Screened(c, "nondeterministic")
    if len(set(text1)) == 1 and n > 1:
        return Screened(c, "constant", text1[0][:100])
    if len(c.param_types) == 1 and all(canonical(a[0]) == t for a, t in zip(c.inputs, text1)):
        return Screened(c, "identity")
    return Screened(c, None, outputs=outs1)


def screen(candidates: list[Candidate], run_jobs: RunJobs,
           limits: ScreenLimits = ScreenLimits()) -> list[Screened]:
    """Run every candidate twice (second time in reverse input order) and judge the outputs."""
    jobs = []
    for c in candidates:
        order = list(range(len(c.inputs)))
        jobs += [capture_job(c, order, limits), capture_job(c, order[::-1], limits)]
    outcomes = run_jobs(jobs)
    if len(outcomes) != len(jobs):
        raise RuntimeError("run_jobs returned %d outcomes for %d jobs" % (len(outcomes), len(jobs)))
    return [judge_runs(c, outcomes[2 * i], outcomes[2 * i + 1], limits.max_output_chars)
            for i, c in enumerate(candidates)]
