"""The small type vocabulary atomic functions are typed in, so that they compose.

A type is a string. Most are Python annotations ("int", "list[int]"); two are
refinements of a Python type with a stated format, so a parser only receives what
it can parse:
  "date"    a str "YYYY-MM-DD" (a valid calendar date, years 1..9999)
  "matrix"  a list[list[int]] whose rows all have the same length
A refinement's values are also values of its base type ("date" feeds a "str"
parameter), never the other way round.

Generators here are type-level: they give varied values of a type (edge cases
first) and are what probe inputs and default test inputs are drawn from.
"""
from __future__ import annotations

import datetime
import random
from typing import Any, Callable

TYPES = ("int", "float", "bool", "str", "date", "list[int]", "list[str]", "dict[str,int]",
         "list[list[int]]", "matrix")
BASE = {"date": "str", "matrix": "list[list[int]]"}


def python_annotation(t: str) -> str:
    """How a vocabulary type is written in a Python signature."""
    return {"dict[str,int]": "dict[str, int]"}.get(BASE.get(t, t), BASE.get(t, t))


def accepts(param: str, value: str) -> bool:
    """Can a value of type `value` be passed where `param` is expected?"""
    return param == value or BASE.get(value) == param


def _is_date(v: Any) -> bool:
    if type(v) is not str or len(v) != 10:
        return False
    try:
        datetime.date.fromisoformat(v)
    except ValueError:
        return False
    return True


def conforms(value: Any, t: str) -> bool:
    """Is `value` (plain data) of vocabulary type `t`? Exact builtin types; bool is not an int."""
    if t == "int":
        return type(value) is int
    if t == "float":
        return type(value) is float
    if t == "bool":
        return type(value) is bool
    if t == "str":
        return type(value) is str
    if t == "date":
        return _is_date(value)
    if t == "list[int]":
        return type(value) is list and all(type(v) is int for v in value)
    if t == "list[str]":
        return type(value) is list and all(type(v) is str for v in value)
    if t == "dict[str,int]":
        return type(value) is dict and all(type(k) is str and type(v) is int for k, v in value.items())
    if t in ("list[list[int]]", "matrix"):
        if type(value) is not list or not all(conforms(r, "list[int]") for r in value):
            return False
        return t != "matrix" or len({len(r) for r in value}) <= 1
    raise ValueError("unknown type %r" % t)


# --- type-level generators ------------------------------------------------------------------
WORDS = ("apple", "banana", "kiwi", "level", "radar", "tree", "sky", "moon", "data", "code",
         "noon", "stats", "python", "a", "ab", "queue")
EDGE = {
    "int": [0, 1, -1, 2, 7, 10, -13, 100, 1024],
    "float": [0.0, 1.5, -2.25, 100.0, 0.1],
    "bool": [True, False],
    "str": ["", "a", "Hello World", "racecar", "aaabccdd", "  two  spaces ", "MCMXCIV", "1h 30m 15s",
            "x1y-22z333", "10110"],
    "date": ["2000-02-29", "1999-12-31", "2024-01-01", "1970-01-01"],
    "list[int]": [[], [0], [5, 5, 5], [3, -1, 2, -1], [1, 2, 3, 4, 5, 6]],
    "list[str]": [[], ["a"], ["kiwi", "apple", "kiwi"], ["moon", "noon", "sky", "data"]],
    "dict[str,int]": [{}, {"a": 1}, {"apple": 3, "kiwi": 1, "moon": 3}],
    "list[list[int]]": [[], [[]], [[1, 2], [3]], [[1, 2, 3], [4, 5, 6]]],
    "matrix": [[], [[7]], [[1, 2], [3, 4]], [[1, 2, 3], [4, 5, 6]]],
}


def _rand_str(rng: random.Random) -> str:
    kind = rng.randrange(7)
    if kind == 0:
        return " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 4)))
    if kind == 1:
        return "".join(rng.choice("abcXYZ 019-") for _ in range(rng.randint(0, 12)))
    if kind == 2:
        return "".join(rng.choice("MDCLXVI") for _ in range(rng.randint(1, 6)))
    if kind == 3:
        return " ".join("%d%s" % (rng.randint(0, 90), rng.choice("hms")) for _ in range(rng.randint(1, 3)))
    if kind == 4:
        return "".join(rng.choice("01") for _ in range(rng.randint(1, 10)))
    if kind == 5:
        return rand_date(rng)
    return "".join(rng.choice("aabbcde") for _ in range(rng.randint(0, 10)))


def rand_date(rng: random.Random) -> str:
    start = datetime.date(1950, 1, 1).toordinal()
    return datetime.date.fromordinal(start + rng.randrange(365 * 100)).isoformat()


def rand_int_list(rng: random.Random, lo: int = -20, hi: int = 20, max_len: int = 8) -> list:
    return [rng.randint(lo, hi) for _ in range(rng.randint(0, max_len))]


def _rand_matrix(rng: random.Random) -> list:
    rows, cols = rng.randint(1, 4), rng.randint(1, 4)
    return [[rng.randint(-9, 9) for _ in range(cols)] for _ in range(rows)]


RANDOM: dict[str, Callable[[random.Random], Any]] = {
    "int": lambda r: r.randint(-50, 50) if r.random() < 0.8 else r.randint(-1000, 1000),
    "float": lambda r: round(r.uniform(-100, 100), 2),
    "bool": lambda r: r.random() < 0.5,
    "str": _rand_str,
    "date": rand_date,
    "list[int]": rand_int_list,
    "list[str]": lambda r: [r.choice(WORDS) for _ in range(r.randint(0, 6))],
    "dict[str,int]": lambda r: {r.choice(WORDS): r.randint(-3, 10) for _ in range(r.randint(0, 5))},
    "list[list[int]]": lambda r: [rand_int_list(r, -9, 9, 4) for _ in range(r.randint(0, 4))],
    "matrix": _rand_matrix,
}


def random_value(t: str, rng: random.Random) -> Any:
    return RANDOM[t](rng)


def edge_values(t: str) -> list:
    return list(EDGE[t])


def type_inputs(types: tuple, rng: random.Random, n: int) -> list[tuple]:
    """`n` argument tuples for parameters of `types`: edge cases (zipped) first, then random ones."""
    edges = [edge_values(t) for t in types]
    out = [tuple(e[i % len(e)] for e in edges) for i in range(max(len(e) for e in edges))]
    while len(out) < n:
        out.append(tuple(random_value(t, rng) for t in types))
    return out[:n]
