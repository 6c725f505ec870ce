"""A sample against its problem: the Job to run, and the result its Outcome makes.
Shared by evaluate, the reward API and the server, so all judge alike."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from benchmarks_data.base import Benchmark, Problem, Published
from sandboxes import Job, Limits, Outcome

from harness.core.hack_flags import hack_flags
from harness.core.judge import Verdict, verdict
from harness.core.results import SampleResult


@dataclass
class Prepared:
    job: Job
    groups: dict[str, list[str]]      # group name -> test names, in order (cumulative: plus includes base)


def published(benchmark: Benchmark, judge: str, parity: bool = True) -> Optional[Published]:
    """The published harness whose verdicts a run reproduces: the benchmark's, under compat with parity."""
    return benchmark.published if judge == "compat" and parity else None


def semantics(benchmark: Benchmark, judge: str, parity: bool = True) -> str:
    """What produced a run's verdicts, for summary.json: the peer reproduced, else our judge."""
    peer = published(benchmark, judge, parity)
    return peer.peer if peer else f"codeharness-{judge}"


def prepare(benchmark: Benchmark, problem: Problem, code_completion: Optional[str], code_solution: Optional[str],
            limits: Limits, judge: str, parity: bool = True) -> Prepared:
    peer = published(benchmark, judge, parity)
    if peer:
        program = benchmark.published_program(problem, code_completion, code_solution)
        limits = peer.limits(limits)
    else:
        program = benchmark.program_for(problem, code_completion, code_solution)
    groups = benchmark.test_groups(problem)
    job = benchmark.make_job(problem, program, limits, judge=judge)
    if len(groups) > 1:
        # One run covers every group; later groups only count if the earlier ones passed. Each test as
        # make_job has it (published semantics may adjust one: EvalPlus's carried atol).
        made = {t.name: t for t in job.tests}
        job.tests = [made.get(t.name, t) for tests in groups.values() for t in tests]
    names = {g: [t.name for t in tests] for g, tests in groups.items()}
    return Prepared(job=job, groups=names)


def group_results(v: Verdict, groups: dict[str, list[str]]) -> dict[str, bool]:
    if len(groups) <= 1:
        return {}
    status = {t.name: t.status for t in v.tests}
    out, ok = {}, v.status in ("passed", "failed", "runtime_error", "timeout", "memory_exceeded")
    for g, names in groups.items():
        ok = ok and all(status.get(n) == "passed" for n in names)
        out[g] = ok
    return out


def to_result(task_id: str, sample_index: int, prepared: Prepared, outcome: Outcome) -> SampleResult:
    v = verdict(outcome, expected_tests=len(prepared.job.tests))
    groups = group_results(v, prepared.groups)
    return SampleResult(
        task_id=task_id,
        sample_index=sample_index,
        passed=v.passed,
        status=v.status,
        tests=[dict(t.__dict__) for t in v.tests],   # TestResult's fields (plain data): no deep copy
        duration_s=outcome.duration_s,
        detail=v.detail[:500],
        groups=groups,
        attempts=outcome.attempts,
        hack_flags=hack_flags(prepared.job.program),
        stdout_tail=outcome.stdout_tail[-500:],
        stderr_tail=outcome.stderr_tail[-500:],
    )
