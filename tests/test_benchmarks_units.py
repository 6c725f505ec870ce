"""Comparison semantics, capture mode, per-test detail and custom problem files."""
import json
from collections import Counter

import pytest

from benchmarks_data.base import DataError
from benchmarks_data.registry import get_benchmark
from sandboxes.job import Job, Limits
from sandboxes.job import TestCase as Case
from sandboxes.runner.compare import stdout_match, values_match
from sandboxes.runner.protocol import decode_plain, encode_plain


# --- float tolerance (EvalPlus semantics) --------------------------------------------------------
def test_floats_compare_within_default_atol():
    assert values_match(0.1 + 0.2, 0.3)                 # 1e-6 is implied for float expectations
    assert values_match([1.0, 2.0000001], [1.0, 2.0])
    assert not values_match(0.31, 0.3)
    assert not values_match([1.0], [1.0, 2.0])


def test_explicit_atol_and_type_check():
    assert values_match(1.00009, 1.0, atol=1e-4)
    assert not values_match(1.0002, 1.0, atol=1e-4)
    assert not values_match(1, 1.0000001, atol=1e-4)     # EvalPlus: types must agree for tolerance
    assert values_match(1, 1.0)                          # but exact equality needs no tolerance
    assert not values_match(True, 1.0000001, atol=1e-4)


def test_numbers_inside_sequences_compare_as_numbers():
    import numpy

    # numpy.allclose (EvalPlus) converts a sequence's elements: a numpy float inside one is a number;
    # at the top level the types must agree
    assert values_match((numpy.float64(2.0000001), 1), (2.0, 1), atol=1e-6)
    assert not values_match(numpy.float64(2.0000001), 2.0)
    assert not values_match([numpy.float64(2.1)], [2.0])


def test_stdio_compare_token_wise():
    assert stdout_match("1 2\n3\n", "1 2 3")
    assert stdout_match("0.3333333\n", "0.333333333")
    assert not stdout_match("1 2", "1 2 3")
    assert not stdout_match("yes", "YES")


def test_big_ints_cross_as_plain_data():
    x = 7 ** 9000   # past Python's 4300-digit str limit
    assert decode_plain(json.loads(json.dumps(encode_plain([x, -x])))) == [x, -x]


# --- through the runner -----------------------------------------------------------------------
def run_one(run_jobs, job):
    return run_jobs([job])[0]


@pytest.mark.parametrize("judge", ["strict", "compat"])
def test_per_test_detail(run_jobs, judge):
    job = Job(program="def f(x):\n    return x * 2 if x < 3 else 0\n", entry_point="f", judge=judge,
              stop_on_failure=False,
              tests=[Case("ok", kind="call", args=[1], expected=2),
                     Case("wrong", kind="call", args=[5], expected=10),
                     Case("assert", code="assert f(2) == 5"),
                     Case("raises", code="f(None)")])
    o = run_one(run_jobs, job)
    by = {t.name: t for t in o.tests}
    assert by["ok"].status == "passed"
    assert by["wrong"].status == "failed" and "expected 10, got 0" in by["wrong"].message
    assert by["assert"].status == "failed" and by["assert"].error_type == "AssertionError"
    assert by["raises"].status == "error" and by["raises"].error_type == "TypeError"


def test_compat_test_clock_wall_times_sleeping_calls(run_jobs):
    """EvalPlus's per-input limit is wall clock: a call that sleeps past it times out; by CPU it passes."""
    program = "import time\ndef f(x):\n    time.sleep(1.5)\n    return x\n"
    outcomes = run_jobs([Job(program=program, entry_point="f", judge="compat",
                             limits=Limits(cpu_time_s=10, test_clock=clock),
                             tests=[Case("slow", kind="call", args=[1], expected=1, time_limit_s=1.0)])
                         for clock in ("wall", "cpu")])
    assert [o.tests[0].status for o in outcomes] == ["timeout", "passed"], outcomes
    assert "wall" in outcomes[0].tests[0].message


def test_evalplus_published_budget_is_each_groups_deadline(data_dir):
    """Under EvalPlus semantics a job gets, per group, min(60 s, its inputs' limits) + 2 s of wall clock."""
    from benchmarks_data.base import Problem

    bench = get_benchmark("humaneval-plus", data_dir)
    base = [Case(f"b{i}", kind="call", args=[i], time_limit_s=1.0) for i in range(3)]
    plus = [Case(f"p{i}", kind="call", args=[i], time_limit_s=4.0) for i in range(20)]
    p = Problem(task_id="t", prompt="", entry_point="f", tests=base + plus,
                test_groups={"base": base, "plus": plus}, cpu_time_s=61)
    job = bench.make_job(p, "def f(x): return x", bench.published.limits(Limits()), "compat")
    assert job.limits.test_clock == "wall"
    assert job.limits.wall_time_s == job.limits.cpu_time_s == (3 + 2) + (60 + 2)
    ours = bench.make_job(p, "def f(x): return x", Limits(), "compat")   # --no-parity, strict: CPU limits
    assert ours.limits.test_clock == "cpu" and ours.limits.cpu_time_s == 61


@pytest.mark.parametrize("value", [1.0, 10 ** 33, [1.0, 2], [[1, 2], [3, 4]], [], [True, 2], (1.0, 2 ** 64 - 1),
                                   [-2 ** 63], [2 ** 64], [-2 ** 63 - 1], [1.0, [2.0]], [[1], [2, 3]], ["a"],
                                   [None], None, "a", [1 + 2j], {1: 2}])
def test_allclose_applies_as_numpy_decides(value):
    import numpy
    from benchmarks_data.evalplus_oracles import allclose_applies

    try:
        numpy.allclose(value, value, rtol=1e-07, atol=1e-6)
        takes = True
    except Exception:
        takes = False
    assert allclose_applies(value) == takes


def test_evalplus_published_atol_carries_over_within_a_group(data_dir):
    """EvalPlus's loop keeps atol 1e-6 from the first expected float(s) of a group to its end."""
    from benchmarks_data.base import Problem

    bench = get_benchmark("humaneval-plus", data_dir)
    base = [Case("b0", kind="call", args=[0], expected=[1, 2]), Case("b1", kind="call", args=[1], expected=[0.5]),
            Case("b2", kind="call", args=[2], expected=[1, 2.5])]
    plus = [Case("p0", kind="call", args=[0], expected=[1, 2.5])]
    p = Problem(task_id="t", prompt="", entry_point="f", tests=base + plus, test_groups={"base": base, "plus": plus})
    job = bench.make_job(p, "def f(x): return x", bench.published.limits(Limits()), "compat")
    assert [t.atol for t in job.tests] == [0, 1e-6, 1e-6, 0]   # plus is a new process: 0 again
    assert [t.atol for t in bench.make_job(p, "", Limits(), "strict").tests] == [0, 0, 0, 0]
    big = [Case("b0", kind="call", args=[0], expected=0.5), Case("b1", kind="call", args=[1], expected=[10 ** 30])]
    p = Problem(task_id="t", prompt="", entry_point="f", tests=big, test_groups={"base": big, "plus": []})
    job = bench.make_job(p, "def f(x): return x", bench.published.limits(Limits()), "compat")
    assert [t.atol for t in job.tests] == [1e-6, 0]   # numpy.allclose raises on a 100-bit int: equality only


def test_strict_accepts_builtin_subclass_answers(run_jobs):
    program = "from collections import Counter, OrderedDict\ndef f(s):\n    return Counter(s)\n" \
              "def g():\n    return [OrderedDict(a=1)]\n"
    job = Job(program=program, entry_point="f", judge="strict", exports=["g"],
              tests=[Case("counter", kind="call", args=["aab"], expected={"a": 2, "b": 1}),
                     Case("nested", code="assert g() == [{'a': 1}]")])
    o = run_one(run_jobs, job)
    assert [t.status for t in o.tests] == ["passed", "passed"], o.tests


def test_capture_mode_reports_values_and_digests(run_jobs):
    job = Job(program="def f(n):\n    return list(range(n))\n", entry_point="f", judge="compat",
              stop_on_failure=False,
              tests=[Case("small", kind="capture", args=[3]), Case("large", kind="capture", args=[100000])])
    small, large = run_one(run_jobs, job).tests
    assert small.status == "passed" and decode_plain(small.output["v"]) == [0, 1, 2]
    assert large.status == "passed" and len(large.output["digest"]) == 64


@pytest.mark.parametrize("judge", ["strict", "compat"])
def test_stdio_problem(run_jobs, judge):
    job = Job(program="a, b = map(int, input().split())\nprint(a + b)\n", judge=judge, stop_on_failure=False,
              tests=[Case("t0", kind="stdio", stdin="1 2\n", expected="3\n"),
                     Case("t1", kind="stdio", stdin="2 2\n", expected="5\n")])
    o = run_one(run_jobs, job)
    assert [t.status for t in o.tests] == ["passed", "failed"]


# --- custom problem files ---------------------------------------------------------------------
def write(tmp_path, rows, name="problems.jsonl"):
    path = tmp_path / name
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n")
    return str(path)


GOOD = [
    {"task_id": "add", "prompt": "def add(a, b):\n", "entry_point": "add",
     "tests": ["assert add(1, 2) == 3", "assert add(-1, 1) == 0"], "canonical_solution": "def add(a, b):\n    return a + b\n"},
    {"task_id": "mean", "prompt": "def mean(xs):\n", "entry_point": "mean",
     "io": [{"input": [[1, 2]], "output": 1.5}, {"input": [[1, 2, 4]], "output": 2.3333333, "atol": 1e-6}],
     "canonical_solution": "def mean(xs):\n    return sum(xs) / len(xs)\n"},
    {"task_id": "echo-sum", "prompt": "Read two ints, print their sum.",
     "stdio": [{"input": "1 2\n", "output": "3\n"}],
     "canonical_solution": "print(sum(map(int, input().split())))\n"},
]


@pytest.mark.parametrize("judge", ["strict", "compat"])
def test_custom_problems_run(tmp_path, run_jobs, judge):
    from harness.data.check import check_dataset
    path = write(tmp_path, GOOD)
    bench = get_benchmark(path)
    problems = bench.load_problems()
    assert [p.metadata["test_kind"] for p in problems] == ["tests", "io", "stdio"]
    assert bench.program_for(problems[2], "print(3)", None) == "print(3)"   # stdio: the answer is the program
    assert bench.program_for(problems[0], "    return 0\n", None) == "def add(a, b):\n    return 0\n"
    report = check_dataset(bench, run_jobs, judge)
    assert report.total == 3 and not report.failures, report.failures


@pytest.mark.parametrize("row, message", [
    ({"prompt": "x", "tests": ["assert 1"]}, ":2: field 'task_id': missing"),
    ({"task_id": "t", "prompt": "x"}, ":2: field 'tests': give exactly one of"),
    ({"task_id": "t", "prompt": "x", "tests": ["assert 1"], "io": []}, "found tests, io"),
    ({"task_id": "t", "prompt": "x", "tests": ["assert (1"]}, "field 'tests[0]': not valid Python"),
    ({"task_id": "t", "prompt": "x", "io": [{"input": [1], "output": 2}]}, "field 'entry_point': required"),
    ({"task_id": "t", "prompt": "x", "entry_point": "f", "io": [{"input": 1, "output": 2}]},
     "field 'input': expected list"),
    ({"task_id": "t", "prompt": "x", "stdio": [{"input": "1"}]}, "field 'stdio[0]': expected an object"),
    ({"task_id": "t", "prompt": 3, "tests": ["assert 1"]}, "field 'prompt': expected str, got int"),
    ({"task_id": "t", "prompt": "x", "tests": ["assert 1"], "time_limit_s": -1}, "'time_limit_s': must be > 0"),
    ({"task_id": "t", "prompt": "x", "tests": ["assert 1"], "oops": 1}, "field 'oops': unknown"),
    ({"task_id": "add", "prompt": "x", "tests": ["assert 1"]}, ":2: field 'task_id': duplicate of line 1"),
])
def test_bad_custom_files(tmp_path, row, message):
    path = write(tmp_path, [GOOD[0], row])
    with pytest.raises(DataError) as e:
        get_benchmark(path).load_problems()
    assert message in str(e.value) and path in str(e.value) and "\n" not in str(e.value)


def test_bad_json_line_and_missing_file(tmp_path):
    path = write(tmp_path, [GOOD[0], "", "{not json"])
    with pytest.raises(DataError, match=r"problems.jsonl:3: not valid JSON"):
        get_benchmark(path).load_problems()
    with pytest.raises(DataError, match="no such problems file"):
        get_benchmark(str(tmp_path / "missing.jsonl"))


def test_check_dataset_cli(tmp_path, run_jobs, capsys):
    import argparse
    from harness.cli import check_dataset as cli
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    bad = dict(GOOD[0], canonical_solution="def add(a, b):\n    return a - b\n")
    args = parser.parse_args(["--benchmark", write(tmp_path, [GOOD[1], bad]), "--judge", "both"])
    assert cli.run(args, run_jobs=run_jobs) == 1
    out = capsys.readouterr()
    assert "1/2 references pass" in out.out and "add: test_0: failed AssertionError" in out.err


def test_reference_inputs_it_cannot_finish_are_left_out_but_its_errors_fail_the_data():
    """Expected outputs for EvalPlus sets: an input whose reference overruns the capture limit
    (Mbpp/255 with n = 77) is left out like one whose output is too large; a reference that
    raises or fails is a data error, never a silently smaller test set."""
    from benchmarks_data.evalplus import EvalPlusBenchmark
    from sandboxes import Outcome
    from sandboxes.job import TestResult

    row = {"base_input": [[1]], "plus_input": [[2], [3], [4]]}
    def outcome(*plus):
        return [Outcome(tests=[TestResult("base_0", "passed", 0.01, output=1)] + list(plus), finished=True)]
    ok = TestResult("plus_0", "passed", 0.02, output=2)
    slow = TestResult("plus_1", "timeout", 60.0, "Timeout", "cpu time limit exceeded")
    big = TestResult("plus_2", "failed", 0.5, "OutputTooLarge", "too large")
    entry = EvalPlusBenchmark.capture_entry(row, outcome(ok, slow, big))
    assert entry["base"] == [1] and entry["plus"] == [2, None, None]
    raised = TestResult("plus_1", "error", 0.01, "ValueError", "boom")
    assert "ValueError" in EvalPlusBenchmark.capture_entry(row, outcome(ok, raised, big))


def test_the_registry_names_each_benchmark_by_its_own_name_and_imports_it_only_when_asked():
    import subprocess
    import sys

    from benchmarks_data.registry import BENCHMARKS

    assert all(cls.name == name for name, cls in BENCHMARKS.items())
    # `evaluate --benchmark humaneval` does not pay for importing the atomic library or the LeetCode loaders.
    code = ("import sys; from benchmarks_data.registry import get_benchmark; get_benchmark('humaneval'); "
            "print(sorted(m for m in sys.modules if m.startswith('benchmarks_data.')))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "benchmarks_data.humaneval'" in loaded and "atomic" not in loaded and "leetcode" not in loaded, loaded
