"""Running the corpus: each hostile sample followed by an honest one, so a sample that
damages its worker shows up as a failing honest neighbour."""
from __future__ import annotations

from harness.core.judge import verdict
from sandboxes import Job, Limits, TestCase

from tests.hostile.cases import CASES, CHECK, HONEST, Case


def job_for(program: str, judge: str, limits: Limits, name: str) -> Job:
    return Job(program=program, tests=[TestCase("check", code="check(add)")], entry_point="add", setup=CHECK,
               limits=limits, judge=judge, job_id=name)


def run_corpus(run_all, judge: str, limits: Limits, cases=CASES) -> list[tuple[str, Case, str, str]]:
    """[(job name, case or None for honest, status, detail)] in submission order."""
    jobs, owners = [], []
    for c in cases:
        jobs.append(job_for(c.program, judge, limits, c.name))
        owners.append(c)
        jobs.append(job_for(HONEST, judge, limits, "honest-after-" + c.name))
        owners.append(None)
    rows = []
    for job, case, outcome in zip(jobs, owners, run_all(jobs)):
        v = verdict(outcome, expected_tests=1)
        rows.append((job.job_id, case, v.status, (v.detail or outcome.error)[:200]))
    return rows


def mismatches(rows, allowed_of) -> list[str]:
    bad = []
    for name, case, status, detail in rows:
        allowed = ("passed",) if case is None else allowed_of(case)
        if allowed is not None and status not in allowed:
            bad.append(f"{name}: got {status} ({detail}), allowed {allowed}")
    return bad
