"""EvalPlus semantics that are data, not code paths: input types, special oracles, time limits.

Semantics follow evalplus (evalplus/eval/__init__.py `unsafe_execute`, evalplus/eval/_special_oracle.py,
evalplus/data/mbpp.py `mbpp_deserialize_inputs`, evalplus/config.py), re-expressed here.
"""
from __future__ import annotations

# evalplus/config.py: per-test limit = max(MIN, FACTOR * reference time); a task gets at most
# CAP seconds in all (EVALPLUS_TIMEOUT_PER_TASK).
GT_TIME_LIMIT_FACTOR = 4.0
MIN_TIME_LIMIT_S = 1.0
TASK_TIME_CAP_S = 60.0


def time_limits(ref_times: list[float]) -> list[float]:
    return [max(MIN_TIME_LIMIT_S, GT_TIME_LIMIT_FACTOR * t) for t in ref_times]


def is_floats(x) -> bool:
    """EvalPlus's test for an expected value compared with tolerance: a float, or a non-empty list or
    tuple of floats only."""
    return isinstance(x, float) or isinstance(x, (list, tuple)) and len(x) > 0 and all(isinstance(v, float) for v in x)


_INT64_MIN, _UINT64_END = -2 ** 63, 2 ** 64


def allclose_applies(x) -> bool:
    """Whether numpy.allclose, EvalPlus's tolerant comparison, can take `x` at all: a number, or a
    rectangular nest of lists/tuples of numbers whose ints fit 64 bits. Otherwise (None, strings, ints
    beyond 64 bits, ragged lists) numpy makes an object array and raises, and the input fails unless
    equal. Checked against numpy in tests/test_benchmarks_units.py."""
    if isinstance(x, (bool, int, float, complex)):
        return True
    if not isinstance(x, (list, tuple)):
        return False

    def shape(v):
        if isinstance(v, (list, tuple)):
            inner = [shape(i) for i in v]
            if any(s is None for s in inner) or len(set(inner)) > 1:
                return None
            return (len(v),) + (inner[0] if inner else ())
        if isinstance(v, bool) or isinstance(v, (float, complex)):
            return ()
        if isinstance(v, int):
            return () if _INT64_MIN <= v < _UINT64_END else None
        return None

    return shape(x) is not None


def published_atols(expected: list, atol: float) -> list[float]:
    """The atol EvalPlus compares each input of one group with, in order. Where the problem's is 0, its
    loop sets 1e-6 at the first expected value that `is_floats` and keeps it for the rest of the group
    (it reassigns `atol` inside the loop), so a later mixed list of ints and floats is compared with
    tolerance too; an expected value numpy.allclose cannot take is compared for equality only (0)."""
    out = []
    for exp in expected:
        if atol == 0 and is_floats(exp):
            atol = 1e-6
        out.append(atol if allclose_applies(exp) else 0.0)
    return out


def group_wall_s(test_limits: list[float]) -> float:
    """Wall clock EvalPlus gives one group's process (evalplus/eval `untrusted_check`, fast_check as
    `evaluate` runs it): killed min(cap, sum of its tests' limits) + 1 s after it starts, joined 1 s more."""
    return min(TASK_TIME_CAP_S, sum(test_limits)) + 2.0


# --- MBPP+: JSON stores every sequence as a list; EvalPlus turns some arguments back into tuples/sets.
EACH_ARG_TUPLE = {2, 116, 132, 143, 222, 261, 273, 394, 399, 421, 424, 429, 470, 560, 579, 596, 616,
                  630, 726, 740, 744, 809}
EACH_ARG_LIST_OF_TUPLES = {63, 64, 70, 94, 120, 237, 272, 299, 400, 409, 417, 438, 473, 614, 780}
FIRST_ARG_LIST_OF_TUPLES = {75, 413, 444, 753}
SECOND_ARG_TUPLE = {106, 750}
FIRST_ARG_TUPLE = {250, 307, 405, 446, 617, 720, 763, 808}
EACH_ARG_TUPLE_OF_TUPLES = {259, 401, 445}
ALL_LISTS_TUPLES = {580, 615, 791}


def _deep_tuple(x):
    return tuple(_deep_tuple(v) for v in x) if isinstance(x, list) else x


def mbpp_plus_args(task_num: int, args: list) -> list:
    """One MBPP+ input (the argument list) with the argument types the reference expects."""
    a = list(args)
    if task_num in EACH_ARG_TUPLE:
        return [tuple(x) for x in a]
    if task_num in EACH_ARG_LIST_OF_TUPLES:
        return [[tuple(y) for y in x] for x in a]
    if task_num in FIRST_ARG_LIST_OF_TUPLES:
        return [[tuple(y) for y in a[0]], a[1]]
    if task_num in SECOND_ARG_TUPLE:
        return [a[0], tuple(a[1])]
    if task_num in FIRST_ARG_TUPLE:
        return [tuple(a[0])] + a[1:]
    if task_num in EACH_ARG_TUPLE_OF_TUPLES:
        return [tuple(tuple(y) for y in x) for x in a]
    if task_num in ALL_LISTS_TUPLES:
        return list(_deep_tuple(a))
    if task_num == 115:   # EvalPlus maps an empty list to {} (an empty dict), kept as is
        return [[set(x) if isinstance(x, list) and x else {} for x in a[0]]]
    if task_num == 124:
        return [float(a[0]), complex(a[1])]
    if task_num == 252:
        return [complex(a[0])]
    if task_num == 278:
        return [tuple(tuple(x) if isinstance(x, list) else x for x in a[0])]
    if task_num == 722:
        return [{k: tuple(v) for k, v in a[0].items()}] + a[1:]
    return a


# --- special oracles: problems judged by a property, not by equality with the reference output.
# Name of the entry point -> the oracle function (defined in ORACLE_SETUP) that decides `exact`.
MBPP_ORACLES = {
    "are_equivalent": "_exact_always",        # Mbpp/164: any answer that does not raise
    "sum_div": "_exact_or_zero",              # Mbpp/295
    "surface_Area": "_exact_surface_area",    # Mbpp/581
    "digit_distance_nums": "_exact_digit_distance",  # Mbpp/558
    "check_str": "_exact_not_none",           # regex-match results: only None-ness is compared
    "text_match_three": "_exact_not_none",
    "text_starta_endb": "_exact_not_none",
}
for _name in ("similar_elements", "find_char_long", "common_in_nested_lists", "extract_singly",
              "larg_nnum", "intersection_array", "find_dissimilar", "Diff"):
    MBPP_ORACLES[_name] = "_exact_as_sets"
NOT_NONE_ENTRY_POINTS = {"check_str", "text_match_three", "text_starta_endb"}
HUMANEVAL_ORACLES = {"find_zero": "_find_zero_ok"}   # HumanEval/32: |poly(xs, x)| <= atol

# Large expected values are known by digest only; the runner's protocol module is importable
# wherever test code runs (judge process, or the compat process).
DIGEST_SETUP = "from sandboxes.runner.protocol import plain_digest as _plain_digest\n"

# Trusted test code: runs in the judge (strict) or beside the program (compat), never on the host.
ORACLE_SETUP = '''
import math
inf, nan = float("inf"), float("nan")

def _is_floats(x):
    if isinstance(x, float):
        return True
    return isinstance(x, (list, tuple)) and len(x) > 0 and all(isinstance(i, float) for i in x)

def _allclose(a, b, atol, rtol=1e-07):
    if isinstance(b, (list, tuple)):
        return isinstance(a, (list, tuple)) and len(a) == len(b) and all(
            _allclose(x, y, atol, rtol) for x, y in zip(a, b))
    if a == b:
        return True
    # numpy's isclose: a non-finite expected value matches only itself (inf <= inf is no match)
    return not (isinstance(b, float) and not math.isfinite(b)) and abs(a - b) <= atol + rtol * abs(b)

def _match(out, exp, atol, exact):
    if atol == 0 and _is_floats(exp):
        atol = 1e-6
    if not exact and atol != 0:
        if type(out) != type(exp) or (isinstance(exp, (list, tuple)) and len(out) != len(exp)):
            return False
        return _allclose(out, exp, atol)
    return bool(exact)

def _exact_always(out, exp, inp, atol):
    return True

def _exact_or_zero(out, exp, inp, atol):
    return out == exp or out == 0

def _surface_area_ref(base_edge, height):
    slant = math.sqrt((base_edge / 2) ** 2 + height ** 2)
    return round(base_edge ** 2 + 4 * (base_edge * slant) / 2)

def _exact_surface_area(out, exp, inp, atol):
    return out == exp or abs(out - _surface_area_ref(*inp)) <= atol

def _digit_distance_ref(a, b):
    x, y = str(a), str(b)
    n = max(len(x), len(y))
    return sum(abs(int(p) - int(q)) for p, q in zip(x.zfill(n), y.zfill(n)))

def _exact_digit_distance(out, exp, inp, atol):
    return out == exp or out == _digit_distance_ref(*inp)

def _exact_as_sets(out, exp, inp, atol):
    return set(out) == set(exp)

def _exact_not_none(out, exp, inp, atol):
    return out == exp if isinstance(out, bool) else exp == (out is not None)

def _poly(xs, x):
    return sum(c * math.pow(x, i) for i, c in enumerate(xs))

def _find_zero_ok(out, exp, inp, atol):
    return abs(_poly(*inp, out)) <= atol
'''


def oracle_test_code(entry_point: str, oracle: str, args: list, expected, atol: float) -> str:
    """A "code" test applying `oracle` to the candidate's answer on `args` (literals via repr)."""
    call = f"_out = {entry_point}(*{args!r})\n"
    if oracle == "_find_zero_ok":  # decided by the property alone, as in EvalPlus
        check = f"_find_zero_ok(_out, None, {args!r}, {atol!r})"
    else:
        check = f"_match(_out, {expected!r}, {atol!r}, {oracle}(_out, {expected!r}, {args!r}, {atol!r}))"
    return call + f"assert {check}, 'expected %.200r, got %.200r' % ({expected!r}, _out)\n"
