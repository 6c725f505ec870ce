"""Reference solutions pass every test through the runner, in both judge modes; stubs fail.

The quick tests cover the small sets and a subset of the large ones; `-m slow` runs everything.
"""
import pytest

from benchmarks_data.registry import get_benchmark
from harness.data.check import check_dataset

EVALPLUS_SUBSET = {
    # plain "call" tests; find_zero's property oracle; helpers from the prompt; a 7 MB answer by digest
    "humaneval-plus": {"HumanEval/0", "HumanEval/32", "HumanEval/38", "HumanEval/15", "HumanEval/139"},
    # set-equality and not-None oracles, tuple/complex inputs, a huge-output task with inputs left out
    "mbpp-plus": {"Mbpp/2", "Mbpp/737", "Mbpp/581", "Mbpp/63", "Mbpp/124", "Mbpp/580"},
}


def assert_all_ok(report):
    assert report.total > 0
    assert not report.failures, [(p.task_id, p.detail) for p in report.failures[:5]]


@pytest.mark.parametrize("judge", ["strict", "compat"])
def test_mbpp_sanitized_references_pass(data_dir, run_jobs, judge):
    assert_all_ok(check_dataset(get_benchmark("mbpp-sanitized", data_dir), run_jobs, judge))


@pytest.mark.parametrize("judge", ["strict", "compat"])
def test_humaneval_references_pass(data_dir, run_jobs, judge):
    report = check_dataset(get_benchmark("humaneval", data_dir), run_jobs, judge)
    assert report.total == 164
    assert_all_ok(report)


@pytest.mark.parametrize("judge", ["strict", "compat"])
def test_leetcodedataset_v010_test_references_pass(data_dir, run_jobs, judge):
    report = check_dataset(get_benchmark("leetcodedataset", data_dir, "test", "v0.1.0"), run_jobs, judge)
    assert report.total == 175
    assert_all_ok(report)
    assert report.compat_only == [] and "0 compat-only" in report.summary() or judge == "compat"


def test_mbpp_once_compat_only_problems_pass_strict(data_dir, run_jobs):
    """Node trees built by the setup (367, 927), a type as an argument (533), Counter answers (40, 653)."""
    bench = get_benchmark("mbpp", data_dir, "all")
    ids = {"Mbpp/367", "Mbpp/533", "Mbpp/927", "Mbpp/40", "Mbpp/653"}
    report = check_dataset(bench, run_jobs, "strict", task_ids=ids)
    assert_all_ok(report)
    assert report.total == 5 and report.compat_only == []


@pytest.mark.parametrize("judge", ["strict", "compat"])
def test_leetcode_contest_stub_fails(data_dir, run_jobs, judge):
    bench = get_benchmark("leetcode-contest", data_dir)
    ids = {p.task_id for p in bench.load_problems()[:20]} | {
        "weekly-contest-358-double-a-number-represented-as-a-linked-list"}
    report = check_dataset(bench, run_jobs, judge, task_ids=ids)
    assert report.expect == "fail" and report.total == 21
    assert_all_ok(report)


def test_leetcode_contest_linked_list_solution_passes_strict(data_dir, run_jobs):
    bench = get_benchmark("leetcode-contest", data_dir)
    p = next(q for q in bench.load_problems() if q.task_id.endswith("double-a-number-represented-as-a-linked-list"))
    solution = (
        "class Solution:\n"
        "    def doubleIt(self, head):\n"
        "        vals = []\n"
        "        while head:\n"
        "            vals.append(head.val); head = head.next\n"
        "        n = int(''.join(map(str, vals))) * 2\n"
        "        out = None\n"
        "        for d in reversed(str(n)):\n"
        "            out = ListNode(int(d), out)\n"
        "        return out\n")
    from sandboxes.job import Limits
    for judge in ("strict", "compat"):
        job = bench.make_job(p, bench.program_for(p, None, solution), Limits(), judge)
        outcome = run_jobs([job])[0]
        assert outcome.finished and len(outcome.tests) == 100, outcome
        assert all(t.status == "passed" for t in outcome.tests), judge


@pytest.mark.parametrize("name", sorted(EVALPLUS_SUBSET))
@pytest.mark.parametrize("judge", ["strict", "compat"])
def test_evalplus_subset_references_pass(data_dir, run_jobs, cache_dir, name, judge):
    bench = get_benchmark(name, data_dir)
    ids = EVALPLUS_SUBSET[name]
    bench.prepare(run_jobs, task_ids=ids)
    problems = bench.load_problems(task_ids=ids)
    assert {p.task_id for p in problems} == ids
    for p in problems:
        assert set(p.test_groups) == {"base", "plus"} and p.test_groups["plus"]
        assert all(t.time_limit_s >= 1.0 for t in p.tests)
    from sandboxes.job import Limits
    outcomes = run_jobs([bench.make_job(p, p.canonical_solution, Limits(), judge) for p in problems])
    for p, o in zip(problems, outcomes):
        assert o.finished and len(o.tests) == len(p.tests), (p.task_id, o.error, o.limit)
        assert all(t.status == "passed" for t in o.tests), (p.task_id, [t for t in o.tests if t.status != "passed"][:2])


def test_evalplus_special_tests(data_dir, run_jobs, cache_dir):
    bench = get_benchmark("humaneval-plus", data_dir)
    bench.prepare(run_jobs, task_ids={"HumanEval/32", "HumanEval/15"})
    by_id = {p.task_id: p for p in bench.load_problems(task_ids={"HumanEval/32", "HumanEval/15"})}
    assert all(t.kind == "code" and "_find_zero_ok" in t.code for t in by_id["HumanEval/32"].tests)
    assert any("_plain_digest" in t.code for t in by_id["HumanEval/15"].tests)
    # A find_zero answer that is a root of the polynomial but not the reference's passes; a non-root fails.
    p = by_id["HumanEval/32"]
    from sandboxes.job import Limits
    wrong = p.prompt + "    return 0.123456\n"
    outcome = run_jobs([bench.make_job(p, wrong, Limits(), "strict")])[0]
    assert outcome.tests[0].status == "failed"


@pytest.mark.slow
@pytest.mark.parametrize("name, split, version", [
    ("humaneval-plus", None, None), ("mbpp", "all", None), ("mbpp-plus", None, None),
    ("leetcodedataset", "test", "v0.3.1"), ("leetcodedataset", "train", "v0.1.0"), ("leetcode-contest", None, None)])
@pytest.mark.parametrize("judge", ["strict", "compat"])
def test_full_dataset_check(data_dir, run_jobs, cache_dir, name, split, version, judge):
    report = check_dataset(get_benchmark(name, data_dir, split, version), run_jobs, judge)
    assert_all_ok(report)
