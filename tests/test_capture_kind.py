"""The runner's "capture" test kind: return values come back as plain data in TestResult.output."""
from __future__ import annotations

import pytest

from local_run_jobs import LocalRunJobs
from sandboxes.job import Job, TestCase as Case
from sandboxes.runner.protocol import decode_plain

PROGRAM = """
def f(x):
    if x == 'boom':
        raise KeyError(x)
    if x == 'obj':
        return object()
    return None if x == 0 else (x, [x] * 2, {'k': x}, {x})
"""


@pytest.fixture(scope="module")
def run_jobs():
    runner = LocalRunJobs(workers=1)
    yield runner
    runner.close()


@pytest.mark.parametrize("judge", ["strict", "compat"])
def test_capture_reports_values_and_errors(run_jobs, judge):
    tests = [Case(name=str(i), kind="capture", args=[a]) for i, a in enumerate([3, 0, "boom", "obj"])]
    job = Job(program=PROGRAM, tests=tests, entry_point="f", judge=judge, stop_on_failure=False)
    (o,) = run_jobs([job])
    assert [t.status for t in o.tests] == ["passed", "passed", "error", "error"]
    assert decode_plain(o.tests[0].output["v"]) == (3, [3, 3], {"k": 3}, {3})
    assert o.tests[1].output == {"v": None}
    assert o.tests[2].error_type == "KeyError"
    assert o.tests[3].error_type == "UnsupportedValue" and o.tests[3].output is None


def test_call_tests_carry_no_value(run_jobs):
    job = Job(program=PROGRAM, entry_point="f", tests=[Case(name="c", kind="call", args=[1], expected=None)])
    (o,) = run_jobs([job])
    assert o.tests[0].status == "failed" and o.tests[0].output is None and "(1, [1, 1]" in o.tests[0].message
