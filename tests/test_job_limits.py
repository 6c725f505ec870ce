"""A job's CPU limit covers its whole process tree: work done in child processes (waited for,
left running, or moved to a session of their own) counts toward the test's CPU time, so it ends
as a CPU timeout in the test's own CPU time, not at the wall-clock backstop. Real sandboxes."""
from __future__ import annotations

import pytest

from harness.core.judge import verdict
from sandboxes import Job, Limits, TestCase

SPIN = "def _spin():\n    while True:\n        pass\n"
# The entry point sleeps while children burn CPU: its own CPU time stays near zero.
CHILD_WORKS = "import os, time\n" + SPIN + '''
def add(a, b):
    pid = os.fork()
    if pid == 0:
        _spin()
    os.waitpid(pid, 0)
    return a + b
'''
ESCAPED_CHILDREN = "import os, time\n" + SPIN + '''
def add(a, b):
    for _ in range(2):
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                _spin()
            os._exit(0)
    time.sleep(60)
    return a + b
'''
HONEST_CHILD = "import os\n" + '''
def add(a, b):
    pid = os.fork()
    if pid == 0:
        sum(i for i in range(100000))
        os._exit(0)
    os.waitpid(pid, 0)
    return a + b
'''


def rows(run):
    limits = Limits(cpu_time_s=1.0, memory_mb=256)   # wall backstop per test: 3 x 1 + 2 = 5 s
    test = [TestCase("t0", code="assert add(1, 2) == 3")]
    jobs = [Job(program=p, tests=test, entry_point="add", limits=limits, job_id=n)
            for n, p in (("child-works", CHILD_WORKS), ("escaped", ESCAPED_CHILDREN), ("honest", HONEST_CHILD))]
    return [(verdict(o, 1).status, o.tests[0].message if o.tests else "", o.duration_s) for o in run(jobs)]


@pytest.fixture(params=[pytest.param("docker", marks=pytest.mark.docker), "bwrap"])
def run(request):
    if request.param == "docker":
        return request.getfixturevalue("hostile_pool").run_all
    return request.getfixturevalue("run_jobs")


def test_cpu_used_by_child_processes_counts(run):
    (child, child_msg, child_s), (esc, esc_msg, esc_s), (honest, _, _) = rows(run)
    assert (child, esc, honest) == ("timeout", "timeout", "passed")
    # The CPU limit ended them, not the wall backstop (whose message names the wall clock; on a
    # loaded machine a second of CPU can take longer than the backstop's 5 s of wall to burn).
    assert "cpu" in child_msg and "cpu" in esc_msg, (child_msg, esc_msg)


@pytest.mark.docker
def test_sandbox_cpu_counts_work_not_waiting(hardening_client):
    """`bench` reports the sandboxes' CPU per sample: it must count what jobs compute (in any
    process of the sandbox) and not the time they spend waiting."""
    from sandboxes import make_pool

    limits = Limits(cpu_time_s=5.0, memory_mb=256)
    burn = "import time\ndef add(a, b):\n    t = time.process_time()\n    while time.process_time() - t < 0.6:\n        pass\n    return a + b\n"
    wait = "import time\ndef add(a, b):\n    time.sleep(0.6)\n    return a + b\n"
    test = [TestCase("t0", code="assert add(1, 2) == 3")]
    with make_pool("docker", workers=1, limits=limits, client=hardening_client) as pool:
        used = []
        for name, program in (("burn", burn), ("wait", wait)):
            before = pool.sandbox_cpu_seconds()
            (outcome,) = pool.run_all([Job(program=program, tests=test, entry_point="add", limits=limits, job_id=name)])
            assert verdict(outcome, 1).status == "passed"
            used.append(pool.sandbox_cpu_seconds() - before)
    assert used[0] >= 0.55, used
    assert used[1] < 0.3, used


def test_every_field_of_a_test_and_of_the_limits_goes_over_the_wire():
    """Job.to_dict is written field by field (for speed): a field added to TestCase or Limits and not
    to its to_dict would silently never reach the runner."""
    import dataclasses

    from sandboxes.job import Limits, TestCase as Case

    case = Case("t", kind="call", code="x", args=[(1, 2)], expected={3}, stdin="in", atol=0.5, time_limit_s=2.0)
    assert set(case.to_dict()) == {f.name for f in dataclasses.fields(Case)}
    assert {k: v for k, v in case.to_dict().items() if k not in ("args", "expected")} == {
        "name": "t", "kind": "call", "code": "x", "stdin": "in", "atol": 0.5, "time_limit_s": 2.0}
    limits = Limits(cpu_time_s=2, memory_mb=300, max_processes=5, max_output_bytes=7, max_file_bytes=9,
                    test_clock="wall")
    assert limits.to_dict() == {**dataclasses.asdict(limits), "wall_time_s": limits.wall()}
