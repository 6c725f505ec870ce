"""Preloaded libraries (sandboxes/runner/preload.py): a sandbox imports small stdlib modules once at
start and numpy once a job names it, so job processes find them imported. That must change
nothing a job can observe but speed: not what is loaded where no job asked, not the random
numbers a candidate draws, not how much memory a job may use, not the clean room. Real
sandboxes: Docker (runc) and bubblewrap."""
from __future__ import annotations

import pytest

from harness.core.judge import verdict
from sandboxes import Job, Limits, TestCase
from tests.test_clean_room import SECRET, secret_jobs, statuses

# What the candidate found imported before its own first line ran, as the call test's answer.
# ('num' + 'py': a job that spells the name out asks for it.)
SEEN = ("import sys\nSEEN = sorted(m for m in ('typing', 'num' + 'py') if m in sys.modules)\n"
        "def seen():\n    return SEEN\n")
NAMES_NUMPY = "\nimport numpy\n"
# How many MiB one allocation may take: the job's memory headroom, printed.
HEADROOM = r'''
def headroom():
    low, high = 0, 1024
    while low < high:
        mid = (low + high + 1) // 2
        try:
            block = bytearray(mid << 20)
            del block
            low = mid
        except MemoryError:
            high = mid - 1
    return low
print("headroom", headroom())
'''
DRAWS = "import random\nimport numpy\nprint('draws', random.random(), numpy.random.random())\n"
LIMITS = Limits(cpu_time_s=5.0, memory_mb=256)


def fresh_pool(backend: str, request):
    """A one-worker pool no job has run in yet (what a sandbox has preloaded depends on its history)."""
    from sandboxes import make_pool
    from sandboxes.process_backend import bwrap_path

    if backend == "docker":
        pool = make_pool("docker", workers=1, limits=LIMITS, client=request.getfixturevalue("hardening_client"))
    else:
        if not bwrap_path():
            pytest.skip("bubblewrap (bwrap) not installed")
        pool = make_pool("process", workers=1, limits=LIMITS)
    request.addfinalizer(pool.close)
    pool.start()
    return pool


@pytest.fixture(params=[pytest.param("docker", marks=pytest.mark.docker), "bwrap"])
def pool(request):
    return fresh_pool(request.param, request)


def seen_job(program: str, expected: list, job_id: str) -> Job:
    return Job(program=program, tests=[TestCase("t0", kind="call", args=[], expected=expected)], entry_point="seen",
               limits=LIMITS, job_id=job_id)


def printed(outcome, key: str) -> list:
    line = next(l for l in outcome.stdout_tail.splitlines() if l.startswith(key + " "))
    return line.split()[1:]


def test_numpy_is_preloaded_only_once_a_job_names_it(pool):
    """typing is there from the start; numpy is not, until a job names it (it makes every later fork
    dearer); from then on it is there for that sandbox's candidates."""
    jobs = [seen_job(SEEN, ["typing"], "before"),
            seen_job(SEEN + NAMES_NUMPY, ["numpy", "typing"], "names-numpy"),
            seen_job(SEEN, ["numpy", "typing"], "after")]
    outcomes = pool.run_all(jobs)
    assert [verdict(o, expected_tests=1).status for o in outcomes] == ["passed"] * 3, [o.tests for o in outcomes]


def test_each_candidate_draws_its_own_random_numbers(pool):
    """Candidates forked from one zygote would replay its random streams (Python's and numpy's)."""
    jobs = [Job(program=DRAWS, tests=[TestCase("t0", code="assert True")], limits=LIMITS,
                job_id=f"draws-{i}") for i in range(3)]
    draws = [tuple(printed(o, "draws")) for o in pool.run_all(jobs)]
    assert len(draws) == 3
    assert len({d[0] for d in draws}) == 3 and len({d[1] for d in draws}) == 3, draws


def test_preloading_numpy_takes_nothing_from_a_jobs_memory(pool):
    """The memory limit counts from a process without the preloaded libraries: a job has the same
    headroom before numpy is preloaded and after (numpy maps about 35 MB)."""
    code = [TestCase("t0", code="assert True")]
    plain = Job(program=HEADROOM, tests=code, limits=LIMITS, job_id="plain")
    named = Job(program="import numpy\n" + HEADROOM, tests=code, limits=LIMITS, job_id="names-numpy")
    before, with_numpy, after = (int(printed(o, "headroom")[0]) for o in pool.run_all([plain, named, plain]))
    assert before > 150, before
    assert abs(after - before) <= 4, (before, after)
    # numpy's own import allocates a little: the job that imports it may have a few MiB less.
    assert before - 12 <= with_numpy <= before + 4, (before, with_numpy)


def test_no_answer_key_in_a_candidate_after_numpy_was_preloaded_for_it(pool):
    """The zygote preloads numpy when the runner, holding the job, asks: the request carries module
    names only, so the zygote, and every candidate forked from it, still never held the key."""
    jobs = [(name, Job(**{**job.__dict__, "program": job.program + NAMES_NUMPY})) for name, job in secret_jobs()]
    assert "numpy" in jobs[0][1].program and SECRET not in jobs[0][1].program
    assert statuses(pool.run_all, jobs) == {"call": "failed", "code": "failed", "stdio": "failed"}
