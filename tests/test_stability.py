"""Verdicts do not depend on load or worker count: limits are CPU time (not wall time), and
a timeout that load may explain is run once more (harness.core.executor.load_suspect)."""
from __future__ import annotations

import pytest

from harness.core.executor import ExecConfig, Executor, load_suspect
from harness.core.judge import verdict
from sandboxes import Job, Outcome
from sandboxes import TestCase as Case
from sandboxes import TestResult as Result
from tests.hostile.run import job_for

# ~0.6-1 s of CPU on a laptop-class core: slow but well inside a 3 s limit.
SLOW_BUT_CORRECT = '''
def add(a, b):
    s = 0
    for i in range(%d):
        s += i * i
    return a + b
'''
FOREVER = "def add(a, b):\n    while True:\n        pass\n"


def workload(limits, n: int = 8) -> list[Job]:
    jobs = [job_for(SLOW_BUT_CORRECT % (1_200_000 + 100_000 * (k % 8)), "strict", limits, f"slow-{k}")
            for k in range(n)]
    jobs.insert(4, job_for(FOREVER, "strict", limits, "forever"))
    return jobs


def statuses(workers: int, hardening_client, n: int = 8) -> list[str]:
    from sandboxes import make_pool

    cfg = ExecConfig(sandbox="docker", workers=workers, timeout_s=3.0, memory_mb=256)
    pool = make_pool("docker", workers=workers, limits=cfg.limits(), client=hardening_client)
    with Executor(cfg, pool=pool.start()) as ex:
        try:
            jobs = workload(cfg.limits(), n)
            return [verdict(o, 1).status for o in ex.run_jobs(jobs)]
        finally:
            pool.close()


@pytest.fixture
def cpu_hog():
    """Other work using every core beside the evaluation (busy loops in separate processes)."""
    import multiprocessing as mp
    import os

    ctx = mp.get_context("spawn")
    hogs = [ctx.Process(target=_spin, daemon=True) for _ in range(len(os.sched_getaffinity(0)))]
    for h in hogs:
        h.start()
    yield
    for h in hogs:
        h.kill()
        h.join()


def _spin():
    while True:
        pass


@pytest.mark.docker
def test_same_verdicts_with_1_and_8_workers(hardening_client):
    one = statuses(1, hardening_client)
    eight = statuses(8, hardening_client)
    expected = ["passed"] * 4 + ["timeout"] + ["passed"] * 4
    assert one == expected
    assert eight == expected


@pytest.mark.docker
def test_same_verdicts_with_the_machine_loaded(hardening_client, cpu_hog):
    """A CPU hog on every core beside 8 workers: slow-but-correct samples still pass (CPU time
    decides; the wall-clock backstop waits while a sample is getting CPU), the endless one times out."""
    expected = ["passed"] * 4 + ["timeout"] + ["passed"] * 36
    assert statuses(8, hardening_client, n=40) == expected


def _timeout(message: str, limit: str = "") -> Outcome:
    return Outcome(tests=[Result("check", "timeout", error_type="Timeout", message=message)], limit=limit,
                   finished=True)


def test_wall_clock_timeouts_are_rerun_cpu_timeouts_only_under_load(monkeypatch):
    job = Job(program="", tests=[Case("check")])
    assert load_suspect(_timeout("wall time limit exceeded"), job)
    assert load_suspect(Outcome(limit="wall"), job)
    monkeypatch.setattr("os.getloadavg", lambda: (0.1, 0.1, 0.1))
    assert not load_suspect(_timeout("cpu time limit exceeded"), job)
    monkeypatch.setattr("os.getloadavg", lambda: (64.0, 64.0, 64.0))
    assert load_suspect(_timeout("cpu time limit exceeded"), job)
    assert not load_suspect(Outcome(tests=[Result("check", "failed")], finished=True), job)
    assert not load_suspect(Outcome(error="container died"), job)


class _FakePool:
    """Runs a scripted outcome per (job, attempt): enough to see the rerun wiring."""

    def __init__(self, script):
        self.script, self.calls = script, []

    def run(self, jobs):
        for i, job in enumerate(jobs):
            self.calls.append(job.job_id)
            yield i, self.script[job.job_id].pop(0)

    def submit(self, job):
        from concurrent.futures import Future

        self.calls.append(job.job_id)
        fut = Future()
        fut.set_result(self.script[job.job_id].pop(0))
        return fut


def test_executor_reruns_a_suspect_timeout_once_and_reports_the_rerun():
    ok = lambda: Outcome(tests=[Result("check", "passed")], finished=True)
    pool = _FakePool({"a": [_timeout("wall time limit exceeded"), ok()],
                      "b": [_timeout("wall time limit exceeded"), _timeout("wall time limit exceeded")],
                      "c": [ok()]})
    ex = Executor(ExecConfig(sandbox="docker"), pool=pool)
    jobs = [Job(program="", tests=[Case("check")], job_id=n) for n in "abc"]
    out = ex.run_jobs(jobs)
    assert [verdict(o, 1).status for o in out] == ["passed", "timeout", "passed"]
    assert [o.attempts for o in out] == [2, 2, 1]
    assert sorted(pool.calls) == ["a", "a", "b", "b", "c"]
    off = Executor(ExecConfig(sandbox="docker", rerun_timeouts=False),
                   pool=_FakePool({"a": [_timeout("wall time limit exceeded")]}))
    assert off.run_jobs(jobs[:1])[0].attempts == 1
