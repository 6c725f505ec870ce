"""Output comparison used by the judge. Stdlib only.

Function outputs follow EvalPlus semantics: equal, or, for floats, close within
`atol` (1e-6 when the expected value holds floats and no atol is given) with rtol 1e-7.
As numpy's isclose (EvalPlus's allclose), a non-finite expected float matches only itself:
inf only the same inf, and NaN nothing (allclose's equal_nan is off; NaN != NaN).
Program outputs (stdin/stdout problems) are compared token by token: exactly, except that
a float literal expected may be answered by a number within tolerance.
"""
import math
import numbers
import re

RTOL = 1e-7
# ASCII only: float() would also take "1_000", "nan", "infinity", " ٣ " (other scripts' digits).
_INT_TOKEN = re.compile(r"[+-]?[0-9]+")
_NUMBER_TOKEN = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")


def _holds_floats(x) -> bool:
    if type(x) is float:
        return True
    if type(x) in (list, tuple) and x:
        return all(type(v) is float for v in x)
    return False


def _number_close(got, exp, atol: float) -> bool:
    if got == exp:
        return True
    if any(type(v) is float and not math.isfinite(v) for v in (got, exp)):
        return False
    try:
        return abs(got - exp) <= atol + RTOL * abs(exp)
    except OverflowError:  # an int too large for a float
        return False


def _close(got, exp, atol: float) -> bool:
    # Inside a sequence any real number is compared as a number, as numpy.allclose converts it
    # (a numpy float in a tuple, under compat); only the top-level types must agree (values_match).
    if type(exp) in (int, float) and isinstance(got, numbers.Real):
        return _number_close(got, exp, atol)
    if type(exp) in (list, tuple) and type(got) in (list, tuple):
        return len(got) == len(exp) and all(_close(g, e, atol) for g, e in zip(got, exp))
    return got == exp


def values_match(got, exp, atol: float = 0.0) -> bool:
    """`got` and `exp` must both be plain data (see protocol.decode_plain)."""
    if got == exp:
        return True
    if atol == 0 and _holds_floats(exp):
        atol = 1e-6
    # EvalPlus checks the top-level types agree before comparing with tolerance (2 != 2.0000001).
    return atol != 0 and type(got) is type(exp) and _close(got, exp, atol)


def _token_match(got: str, exp: str, atol: float) -> bool:
    if got == exp:
        return True
    if _INT_TOKEN.fullmatch(exp) or not _NUMBER_TOKEN.fullmatch(exp) or not _NUMBER_TOKEN.fullmatch(got):
        return False
    g, e = float(got), float(exp)
    return math.isfinite(g) and math.isfinite(e) and abs(g - e) <= max(atol, 1e-6) + RTOL * abs(e)


def stdout_match(got: str, exp: str, atol: float = 0.0) -> bool:
    g, e = got.split(), exp.split()
    return len(g) == len(e) and all(_token_match(a, b, atol) for a, b in zip(g, e))


def short(value, limit: int = 200) -> str:
    try:
        text = repr(value)
    except Exception:  # a repr that raises must not take the judge down
        text = "<unrepresentable>"
    return text if len(text) <= limit else text[: limit - 3] + "..."
