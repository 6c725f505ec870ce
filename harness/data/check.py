"""`codeharness check-dataset`: run every problem's reference solution through the sandbox and report.

A benchmark is only as good as its tests: references must pass all of them (in the judge mode used
for scoring), and for a dataset without references (LeetCode contest) a stub answer must fail every
problem. Every problem runs in the judge mode asked for: no problem is compat-only (`compat_only`
lists any job that ran in another mode, and must stay empty).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional

from benchmarks_data.base import Benchmark, Problem
from sandboxes.job import Job, Limits, Outcome

RunJobs = Callable[[list[Job]], list[Outcome]]


@dataclass
class ProblemCheck:
    task_id: str
    ok: bool                   # behaved as expected (reference passed / stub failed)
    judge: str                 # the mode it actually ran in
    detail: str = ""           # first failing test, or the program/sandbox error
    flaky: str = ""            # the dataset marks this problem's tests as not deterministic (why)


@dataclass
class DatasetReport:
    benchmark: str
    judge: str
    expect: str                # "pass" (references) | "fail" (stub answers)
    total: int = 0
    ok: int = 0
    compat_only: list[str] = field(default_factory=list)
    problems: list[ProblemCheck] = field(default_factory=list)

    @property
    def failures(self) -> list[ProblemCheck]:
        return [p for p in self.problems if not p.ok and not p.flaky]

    @property
    def flaky_failures(self) -> list[ProblemCheck]:
        return [p for p in self.problems if not p.ok and p.flaky]

    def summary(self) -> str:
        what = "references pass" if self.expect == "pass" else "stub answers fail"
        line = f"{self.benchmark} [{self.judge}]: {self.ok}/{self.total} {what}"
        if self.judge == "strict" or self.compat_only:
            line += f"; {len(self.compat_only)} compat-only"
        if self.flaky_failures:
            line += f"; {len(self.flaky_failures)} known-flaky problem(s) failed"
        return line


def _all_passed(outcome: Outcome, n_tests: int) -> tuple[bool, str]:
    if outcome.error:
        return False, f"sandbox error: {outcome.error}"
    if outcome.compile_error:
        return False, f"compile error: {outcome.compile_error}"
    if outcome.program_error_type:
        return False, f"{outcome.program_error_type}: {outcome.program_error}"
    bad = next((t for t in outcome.tests if t.status != "passed"), None)
    if bad is not None:
        return False, f"{bad.name}: {bad.status} {bad.error_type} {bad.message}".strip()
    if outcome.limit:
        return False, f"limit exceeded: {outcome.limit}"
    if len(outcome.tests) != n_tests or not outcome.finished:
        return False, f"ran {len(outcome.tests)} of {n_tests} tests"
    return True, ""


def program_to_check(benchmark: Benchmark, problem: Problem) -> Optional[str]:
    if benchmark.has_references:
        return problem.canonical_solution
    stub = getattr(benchmark, "stub_program", None)
    return stub(problem) if stub else None


def check_dataset(benchmark: Benchmark, run_jobs: RunJobs, judge: str = "strict",
                  limits: Optional[Limits] = None, task_ids: Optional[set[str]] = None) -> DatasetReport:
    benchmark.prepare(run_jobs)
    problems = [p for p in benchmark.load_problems() if task_ids is None or p.task_id in task_ids]
    expect = "pass" if benchmark.has_references else "fail"
    report = DatasetReport(benchmark=benchmark.name, judge=judge, expect=expect, total=len(problems))
    jobs, checked = [], []
    for p in problems:
        program = program_to_check(benchmark, p)
        if program is None:
            report.problems.append(ProblemCheck(p.task_id, False, judge, "no reference solution"))
            continue
        job = benchmark.make_job(p, program, limits or Limits(), judge)
        job.stop_on_failure = expect == "pass"
        if job.judge != judge:
            report.compat_only.append(p.task_id)
        jobs.append(job)
        checked.append(p)
    for p, job, outcome in zip(checked, jobs, run_jobs(jobs)):
        passed, detail = _all_passed(outcome, len(job.tests))
        if expect == "fail":
            # A stub must fail for the right reason: a wrong answer, not a broken test.
            wrong = bool(outcome.tests) and outcome.tests[0].status == "failed" and not outcome.error
            ok, detail = wrong, ("" if wrong else detail or "stub passed")
        else:
            ok = passed
        report.problems.append(ProblemCheck(p.task_id, ok, job.judge, detail, p.metadata.get("flaky", "")))
    report.ok = sum(p.ok for p in report.problems)
    return report


# --- CLI: `codeharness check-dataset` ----------------------------------------------------------
