"""A strict judge may serve the next sample of the same problem (the fork it saves is a third of
a sample's CPU), and only that: a job with other test code gets a fresh judge, what test code
does to builtins is undone between samples, and every process a sample leaves behind is killed
before the next sample runs while the judge is spared. Real Docker (runc, and gVisor when
registered): only there do the judge and the jobs have uids of their own, which reuse needs."""
from __future__ import annotations

import pytest

from harness.core.judge import verdict
from sandboxes import Job, Limits, TestCase, make_pool
from tests.conftest_docker import runsc_or_skip

pytestmark = pytest.mark.docker

LIMITS = Limits(cpu_time_s=2.0, memory_mb=256)
IDENTITY = "def solve(x):\n    return x\n"
# The judge's pid, as the message of a failing test (test code runs in the judge).
JUDGE_PID = TestCase("judge-pid", code="import os\nassert False, 'judge %d' % os.getpid()")
# A sample that leaves a process behind in a session of its own, out of its process group.
LEAVES_A_DAEMON = '''
import os, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        time.sleep(3600)
    os._exit(0)
os.wait()
def solve(x):
    return x
'''
# Counts the processes of its own uid other than itself: what an earlier sample left running.
COUNTS_LEFTOVERS = '''
import os
def _ruid(pid):
    for line in open("/proc/%s/status" % pid):
        if line.startswith("Uid:"):
            return int(line.split()[1])
def solve(x):
    me, n = os.getuid(), 0
    for pid in os.listdir("/proc"):
        if pid.isdigit() and int(pid) != os.getpid():
            try:
                n += _ruid(pid) == me
            except OSError:
                pass
    return x + n
'''


def job(program: str, tests: list, name: str) -> Job:
    return Job(program=program, tests=tests, entry_point="solve", limits=LIMITS, stop_on_failure=False, job_id=name)


def judge_pid(outcome) -> str:
    (probe,) = [t for t in outcome.tests if t.name == "judge-pid"]
    assert probe.message.startswith("'judge "), probe
    return probe.message


@pytest.fixture(scope="module", params=["runc", "runsc"])
def one_worker(request, hardening_client):
    runtime = None
    if request.param == "runsc":
        runsc_or_skip(hardening_client)
        runtime = "runsc"
    with make_pool("docker", workers=1, limits=LIMITS, client=hardening_client, runtime=runtime) as pool:
        yield pool


def test_the_next_sample_of_a_problem_keeps_the_judge_and_other_tests_get_a_fresh_one(one_worker):
    same = [TestCase("t0", kind="call", args=[1], expected=1), JUDGE_PID]
    other = [TestCase("t0", kind="call", args=[2], expected=2), JUDGE_PID]
    a, b, c, d = one_worker.run_all([job(IDENTITY, same, "a"), job("def solve(x):\n    return 1\n", same, "b"),
                                     job(IDENTITY, other, "c"), job(IDENTITY, same, "d")])
    assert judge_pid(a) == judge_pid(b)              # the same problem: the same judge
    assert [t.status for t in b.tests] == ["passed", "failed"]
    assert judge_pid(c) != judge_pid(b)              # other test code: a fresh judge
    assert judge_pid(d) != judge_pid(b)              # and never the one from before that
    assert [t.status for t in c.tests] == ["passed", "failed"]
    assert all(o.cpu_time_s > 0 and o.cpu_time_s < LIMITS.cpu_time_s for o in (a, b, c, d))


def test_what_test_code_does_to_builtins_is_gone_before_the_next_sample(one_worker):
    """Test code that patches a builtin (here, a marker) cannot make one sample's verdict depend
    on the sample judged before it."""
    marks = TestCase("t0", code="import builtins\nassert not hasattr(builtins, 'mark')\nbuiltins.mark = 1\n"
                                "assert solve(3) == 3")
    outcomes = one_worker.run_all([job(IDENTITY, [marks, JUDGE_PID], "m%d" % i) for i in range(3)])
    assert len({judge_pid(o) for o in outcomes}) == 1
    assert [o.tests[0].status for o in outcomes] == ["passed"] * 3


def test_what_a_sample_leaves_running_is_killed_before_the_next_while_the_judge_lives(one_worker):
    tests = [TestCase("t0", kind="call", args=[0], expected=0), JUDGE_PID]
    first, second = one_worker.run_all([job(LEAVES_A_DAEMON, tests, "daemon"), job(COUNTS_LEFTOVERS, tests, "counter")])
    assert judge_pid(first) == judge_pid(second)
    assert first.tests[0].status == "passed", first.tests
    assert second.tests[0].status == "passed", second.tests   # got 0 + the leftovers it saw
    assert verdict(second, expected_tests=2).status == "failed"   # the probe test, as written

