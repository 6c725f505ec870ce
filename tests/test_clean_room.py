"""Runner v2: the candidate starts from a clean room (a zygote forked before any job was read),
so it cannot read its answer key, nor an earlier sample's program, out of its own memory, for
any test kind; every read and write between judge and candidate has a deadline; cleanup of any
tree a job leaves cannot break the sandbox. Real sandboxes: Docker (runc) and bubblewrap."""
from __future__ import annotations

import pytest

from harness.core.judge import verdict
from sandboxes import Job, Limits, TestCase
from tests.conftest_docker import hostile_limits
from tests.hostile.thieves import AHEAD_THIEF, MEMORY, NEIGHBOUR_HONEST, NEIGHBOUR_THIEF
from tests.hostile.run import job_for

# The expected answer is a secret the candidate cannot compute: only theft gets it right.
SECRET = "ANSWER-" + "5e" + "c7e1"
# Finds any "ANSWER-xxxxxx" in its own process: frames, gc-tracked objects, then raw memory.
THIEF = MEMORY + r'''
import gc, re, sys
_PAT = re.compile("ANSW" + "ER-[0-9a-f]{6}")
def _search():
    found = set()
    f = sys._getframe()
    while f is not None:
        found |= set(_PAT.findall(repr(f.f_locals)[:1000000]))
        f = f.f_back
    for o in gc.get_objects():
        if isinstance(o, (dict, list, tuple)):
            try:
                found |= set(_PAT.findall(repr(o)[:1000000]))
            except Exception:
                pass
    for blob in _memory():
        found |= set(_PAT.findall(blob.decode("latin-1")))
    return sorted(found)
LOOT = _search()
def solve(x):
    return LOOT[0] if LOOT else "nothing"
'''
STDIO_THIEF = THIEF + "\nimport sys\nsys.stdin.read()\nprint(solve(0))\n"
# A reply started and never finished; a request the candidate stops reading halfway.
HALF_FRAME = "import os, time\nos.write(4, b'\\x00\\x00\\x10\\x00{\"value\"')\ntime.sleep(3600)\n"
STOP_READING = ("import os\nkeep = os.dup(3)\nr, w = os.pipe()\nos.dup2(r, 3)\n"
                "def solve(x):\n    return x\n")


def secret_jobs(judge="strict"):
    limits = hostile_limits()
    call = [TestCase("t0", kind="call", args=["q"], expected=SECRET)]
    code = [TestCase("t0", code="assert solve('q') == %r" % SECRET)]
    stdio = [TestCase("t0", kind="stdio", stdin="q\n", expected=SECRET + "\n")]
    return [
        ("call", Job(program=THIEF, tests=call, entry_point="solve", limits=limits, judge=judge, job_id="call")),
        ("code", Job(program=THIEF, tests=code, entry_point="solve", limits=limits, judge=judge, job_id="code")),
        ("stdio", Job(program=STDIO_THIEF, tests=stdio, limits=limits, judge=judge, job_id="stdio")),
    ]


def statuses(run_all, jobs):
    return {name: verdict(o, expected_tests=len(j.tests)).status for (name, j), o in zip(jobs, run_all([j for _, j in jobs]))}


def neighbour_rows(run_all):
    limits = hostile_limits()
    jobs = [job_for(NEIGHBOUR_HONEST, "strict", limits, "honest-with-marker"),
            job_for(NEIGHBOUR_THIEF, "strict", limits, "neighbour-thief")]
    return [verdict(o, expected_tests=1).status for o in run_all(jobs)]


def stall_rows(run_all):
    limits = Limits(cpu_time_s=1.0, memory_mb=256)
    big = "x" * (4 << 20)   # far over a pipe's buffer: the write must outlast the reader's silence
    jobs = [Job(program=HALF_FRAME, tests=[TestCase("t0", kind="call", args=[1], expected=1)], entry_point="solve",
                limits=limits, job_id="half-frame"),
            Job(program=STOP_READING, tests=[TestCase("t0", kind="call", args=[big], expected=big)],
                entry_point="solve", limits=limits, job_id="stop-reading"),
            job_for("def add(a, b):\n    return a + b\n", "strict", limits, "honest-after")]
    return [verdict(o, expected_tests=1) for o in run_all(jobs)]


@pytest.fixture(scope="module")
def one_worker_docker(hardening_client):
    from sandboxes import make_pool

    with make_pool("docker", workers=1, limits=hostile_limits(), client=hardening_client) as pool:
        yield pool


@pytest.fixture(scope="module")
def one_worker_bwrap():
    from sandboxes import make_pool
    from sandboxes.process_backend import bwrap_path

    if not bwrap_path():
        pytest.skip("bubblewrap (bwrap) not installed")
    with make_pool("process", workers=1, limits=hostile_limits()) as pool:
        yield pool


def run_in_fresh_process(planted: str, program: str, call: str) -> str:
    """repr(call) after `planted` (what a job would leave in memory) and `program` ran in a new,
    single-threaded interpreter: scanning raw memory of a process with other threads (pytest's,
    with torch loaded) can fault on a region unmapped between /proc/self/maps and the read."""
    import subprocess
    import sys

    code = planted + "\n" + program + "\nprint(repr(" + call + "))\n"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          check=True).stdout.strip()


def test_the_thief_works_where_the_key_is_in_memory():
    """The attack is real: run where the test data sits in its process, it finds the secret."""
    planted = "keep = {'expected': %r}" % SECRET   # the answer key, as a job dict holds it
    assert run_in_fresh_process(planted, THIEF, "solve('q')") == repr(SECRET)


@pytest.fixture(params=[pytest.param("docker", marks=pytest.mark.docker), "bwrap"])
def one_worker(request):
    """A one-worker pool on each real backend: Docker (runc) and bubblewrap."""
    return request.getfixturevalue("one_worker_" + request.param)


def test_no_answer_key_in_the_candidate(one_worker):
    assert statuses(one_worker.run_all, secret_jobs()) == {"call": "failed", "code": "failed", "stdio": "failed"}


def test_no_neighbour_program_in_the_candidate(one_worker):
    assert neighbour_rows(one_worker.run_all) == ["passed", "failed"]


def test_the_ahead_thief_finds_a_program_in_its_memory_or_on_its_stdin():
    """The attack is real: it finds the marked program planted in its memory, or waiting on its stdin."""
    import subprocess
    import sys

    assert run_in_fresh_process("keep = %r" % NEIGHBOUR_HONEST, AHEAD_THIEF, "add(1, 2)") == "3"
    code = AHEAD_THIEF + "\nprint(add(1, 2))\n"
    out = subprocess.run([sys.executable, "-c", code], input=NEIGHBOUR_HONEST, capture_output=True, text=True,
                         timeout=120, check=True).stdout.strip()
    assert out == "3"


def test_the_job_sent_ahead_is_out_of_the_running_candidates_reach(one_worker):
    """The pool sends a worker its next job while the current one runs (pipelining): that job waits
    in the runner's channel, which the running candidate can neither read nor drain."""
    limits = hostile_limits()
    worker, events = one_worker._workers[0], []
    send, receive = worker.send, worker.receive
    worker.send = lambda job, *frame: (events.append(("send", job.job_id)), send(job, *frame))[1]
    worker.receive = lambda job, idle=None: (receive(job, idle), events.append(("received", job.job_id)))[0]
    try:
        outcomes = one_worker.run_all([job_for(AHEAD_THIEF, "strict", limits, "ahead-thief"),
                                       job_for(NEIGHBOUR_HONEST, "strict", limits, "honest-with-marker")])
    finally:
        del worker.send, worker.receive
    assert events.index(("send", "honest-with-marker")) < events.index(("received", "ahead-thief")), events
    assert [verdict(o, expected_tests=1).status for o in outcomes] == ["failed", "passed"]


def test_a_large_job_waiting_behind_a_large_outcome_does_not_deadlock(one_worker):
    """Both directions of a runner's channel are bounded buffers: a large job sent ahead, blocking
    until the runner reads it, while the runner blocks writing a large outcome nobody reads, would
    hang both forever. Large jobs are not sent ahead; both jobs finish."""
    import threading

    many = Job(program="def add(a, b):\n    return a + b\n", entry_point="add", job_id="large-outcome",
               tests=[TestCase(f"t{i}", code="assert add(1, 2) == 3") for i in range(3000)],
               limits=Limits(cpu_time_s=20, memory_mb=512))
    large = job_for("# " + "x" * (256 << 10) + "\ndef add(a, b):\n    return a + b\n", "strict", hostile_limits(),
                    "large-job")
    done: list = []
    runner = threading.Thread(target=lambda: done.extend(one_worker.run_all([many, large])), daemon=True)
    runner.start()
    runner.join(120)
    assert done, "the pool hung: a large job sent ahead while the runner wrote a large outcome"
    assert [verdict(o, expected_tests=len(j.tests)).status for j, o in zip([many, large], done)] == ["passed", "passed"]


def test_stalled_pipes_end_in_the_samples_own_time(one_worker):
    half, stop, honest = stall_rows(one_worker.run_all)
    assert (half.status, stop.status, honest.status) == ("timeout", "timeout", "passed")
    assert one_worker.replaced == 0


# Compat shares the candidate's process, so it may be fooled by design, but what the job writes
# on the event channel can neither crash the runner nor bloat results nor claim a sandbox error.
FORGER = r'''
import json, os, struct
def frame(obj_text):
    data = obj_text.encode()
    os.write(3, struct.pack(">I", len(data)) + data)
frame('{"event": "test", "name": "t0", "status": "passed", "time_s": NaN}')
for i in range(60000):
    frame(json.dumps({"event": "test", "name": "fake%d" % i, "status": "passed", "message": "x" * 100}))
frame('{"event": "judge_error", "message": "blame the sandbox"}')
def solve(x):
    return "wrong"
'''
SOLUTION_SETUP = "my_solution = Solution()\n"
SOLUTION_TEST = [TestCase("t0", code="assert my_solution.twice(2) == 4")]
NO_SOLUTION = "def twice(x):\n    return 2 * x\n"
RAISING_INIT = "class Solution:\n    def __init__(self):\n        raise ValueError('no')\n    def twice(self, x):\n        return 2 * x\n"
GOOD_SOLUTION = "class Solution:\n    def twice(self, x):\n        return 2 * x\n"


def forged_and_setup_rows(run_all, judge):
    limits = hostile_limits()
    jobs = [Job(program=FORGER, tests=[TestCase("t0", kind="call", args=["q"], expected="right")],
                entry_point="solve", limits=limits, judge=judge, job_id="forger")]
    jobs += [Job(program=p, tests=SOLUTION_TEST, setup=SOLUTION_SETUP, entry_point="Solution", limits=limits,
                 judge=judge, job_id=n)
             for n, p in (("no-solution", NO_SOLUTION), ("raising-init", RAISING_INIT), ("good", GOOD_SOLUTION))]
    outcomes = run_all(jobs)
    return outcomes, [verdict(o, expected_tests=len(j.tests)).status for j, o in zip(jobs, outcomes)]


@pytest.mark.parametrize("judge", ["strict", "compat"])
def test_forged_events_and_candidate_setup_failures_are_the_samples_own(one_worker, judge):
    outcomes, statuses = forged_and_setup_rows(one_worker.run_all, judge)
    assert len(outcomes[0].tests) <= 1 and not outcomes[0].error
    assert statuses[0] in (("failed", "runtime_error") if judge == "strict" else ("passed", "failed", "runtime_error"))
    assert statuses[1:] == ["runtime_error", "runtime_error", "passed"]


# Inline tests are data from a client (an HTTP request, an RL dataset row): one client's test code
# patches everything of the judge it can reach, so that any later failure would read as a pass.
POISON = r'''
import sys
for _name, _mod in list(sys.modules.items()):
    if _name.startswith("sandboxes.runner"):
        for _attr in ("classify", "values_match", "stdout_match", "compare_call"):
            if hasattr(_mod, _attr):
                setattr(_mod, _attr, lambda *a, **k: ("passed", "", "") if _attr != "values_match" else True)
import builtins
builtins.abs = lambda x: 0
'''


def poisoning_rows(run_all):
    limits = hostile_limits()
    wrong = "def solve(x):\n    return x + 1\n"
    jobs = [Job(program="def solve(x):\n    return x\n", tests=[TestCase("t0", code=POISON + "assert solve(1) == 1")],
                entry_point="solve", limits=limits, job_id="poisoner"),
            Job(program=wrong, tests=[TestCase("t0", kind="call", args=[1], expected=1)], entry_point="solve",
                limits=limits, job_id="victim-call"),
            Job(program=wrong, tests=[TestCase("t0", code="assert solve(1) == 1")], entry_point="solve",
                limits=limits, job_id="victim-code"),
            Job(program="def solve(x):\n    return x + 0.5\n",
                tests=[TestCase("t0", code="assert abs(solve(1) - 1) < 1e-6")], entry_point="solve",
                limits=limits, job_id="victim-abs")]
    return [verdict(o, expected_tests=1).status for o in run_all(jobs)]


def test_one_jobs_test_code_cannot_reach_the_next_job(one_worker):
    """A job with other test code gets a fresh judge: what a job's test code patches is gone after it
    (test_judge_reuse.py: the next sample of the same problem may keep the judge)."""
    assert poisoning_rows(one_worker.run_all) == ["passed", "failed", "failed", "failed"]


JUDGE_OOM_PROBE = '''
import os
def _uid(pid):
    for line in open("/proc/%s/status" % pid):
        if line.startswith("Uid:"):
            return int(line.split()[1])
def add(a, b):
    me = os.getuid()
    scores = {}
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                scores.setdefault(_uid(pid), set()).add(open("/proc/%s/oom_score_adj" % pid).read().strip())
            except OSError:
                pass
    judges = [v for uid, v in scores.items() if uid not in (0, me)]
    return [sorted(v) for v in judges] + [sorted(scores[me])]
'''


@pytest.mark.docker
def test_the_judge_is_the_oom_victim_before_the_runner(one_worker_docker):
    """Memory exhaustion must take the job's processes first, then the job's judge, never the
    runner: seen from the candidate, the judge (the one other uid but root) has 500, we 1000."""
    limits = hostile_limits()
    job = Job(program=JUDGE_OOM_PROBE, tests=[TestCase("t0", kind="call", args=[1, 2], expected=[["500"], ["1000"]])],
              entry_point="add", limits=limits, job_id="oom")
    (outcome,) = one_worker_docker.run_all([job])
    assert verdict(outcome, expected_tests=1).status == "passed", outcome.tests
