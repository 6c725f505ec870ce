"""Outcome -> Verdict: a pass needs an affirmative, complete report; nothing else counts."""
from harness.core.judge import verdict
from sandboxes.job import Outcome, TestResult


def passed(name="t"):
    return TestResult(name=name, status="passed")


def test_exit_code_zero_without_a_finished_report_is_not_a_pass():
    assert verdict(Outcome(tests=[passed()], exit_code=0, finished=False), 1).status == "runtime_error"


def test_missing_test_reports_are_not_a_pass():
    assert verdict(Outcome(tests=[passed("a")], finished=True), 2).status == "failed"


def test_infrastructure_failure_is_sandbox_error_not_a_model_failure():
    v = verdict(Outcome(error="container died", tests=[passed()], finished=True), 1)
    assert v.status == "sandbox_error" and not v.passed


def test_statuses():
    assert verdict(Outcome(compile_error="SyntaxError: x"), 1).status == "syntax_error"
    assert verdict(Outcome(limit="output"), 1).status == "output_exceeded"
    assert verdict(Outcome(limit="cpu"), 1).status == "timeout"
    assert verdict(Outcome(program_error="x", program_error_type="MemoryError"), 1).status == "memory_exceeded"
    assert verdict(Outcome(tests=[TestResult("t", "error", error_type="MemoryError")], finished=True),
                   1).status == "memory_exceeded"
    assert verdict(Outcome(tests=[TestResult("t", "timeout")], finished=True), 1).status == "timeout"
    assert verdict(Outcome(tests=[TestResult("t", "failed", error_type="AssertionError")], finished=True),
                   1).status == "failed"
    assert verdict(Outcome(tests=[passed()], finished=True), 1).status == "passed"
