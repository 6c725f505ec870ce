"""Problems carried inline with the data (RL dataset columns, a veRL ground truth, an HTTP request)
instead of read from a benchmark file.

Accepted fields (any one test form is enough):
    tests        list of assert statements, e.g. ["assert add(1, 2) == 3"], or a JSON string of one
    assert_case  the same (veRL sandbox_fusion's name); inputs/outputs, if given, must be empty
    test         human-eval style test code defining check(candidate); needs entry_point
    inputs/outputs  stdin/stdout pairs (APPS / CodeContests style), or with fn_name call tests:
                 each input is a list of arguments or, as APPS/TACO/veRL store them, a string with one
                 JSON-encoded argument per line; each output is the return value (a JSON string when
                 the input is one). As in APPS, a return value also matches its one-element list.
                 The function is a top-level `def fn_name` or, failing that, `Solution().fn_name`.
    fn_name      the function call tests call (APPS/TACO); alias of entry_point for them
    entry_point  the function the tests call (inferred from the first assert when missing)
    test_setup   trusted code run before the tests (imports, helpers); alias: test_imports
    task_id      optional label, used in results
The model output is always the whole program: there is no prompt to append it to.
"""
from __future__ import annotations

import ast
import hashlib
import json
from typing import Any, Optional

from benchmarks_data.base import Benchmark, DataError, Problem, free_names
from sandboxes.job import Job, Limits, TestCase

INLINE_FIELDS = ("tests", "assert_case", "test", "inputs", "outputs", "fn_name", "entry_point", "test_setup",
                 "test_imports")
TEST_FIELDS = ("tests", "assert_case", "test", "inputs")

# Trusted helpers of call tests: APPS compares tuples as lists and accepts `[x]` for `x`.
_CALL_SETUP = """import json as _json


def _plain(x):
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    return x


def _same(got, want):
    got = _plain(got)
    return got == want or (isinstance(want, list) and len(want) == 1 and got == want[0])
"""


class InlineBenchmark(Benchmark):
    """Problems come from the caller; the completion is the full program."""

    name = "inline"
    completion_appends_to_prompt = False

    def load_problems(self) -> list[Problem]:
        return []

    def make_job(self, problem: Problem, program: str, limits: Limits, judge: str = "strict",
                 group: Optional[str] = None) -> Job:
        job = super().make_job(problem, program, limits, judge, group)
        fn = problem.metadata.get("call_fn")
        if fn and not _defines(program, fn) and _defines(program, "Solution"):
            job.entry_point, job.tests = "Solution", list(problem.metadata["method_tests"])
        return job


def _defines(program: str, name: str) -> bool:
    try:
        tree = ast.parse(program)
    except (SyntaxError, ValueError):
        return False
    return any(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and n.name == name
               for n in tree.body)


def has_inline_tests(fields: dict) -> bool:
    return any(fields.get(k) not in (None, "", []) for k in TEST_FIELDS)


def _string_list(value: Any, name: str, where: str) -> list[str]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            value = [value]  # one test given as a plain string
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise DataError(f"{where}: field '{name}' must be a list of strings")
    return list(value)


def infer_entry_point(asserts: list[str]) -> Optional[str]:
    """The first called plain name in the tests that is not a builtin: `assert add(1, 2) == 3` -> add."""
    import builtins

    for text in asserts:
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                    and not hasattr(builtins, node.func.id):
                return node.func.id
    return None


def _call_args(value: Any, i: int, where: str) -> tuple[list, bool]:
    """(arguments, given as JSON text) of inputs[i] of a call test."""
    if isinstance(value, str):
        try:
            return [json.loads(line) for line in value.split("\n") if line.strip()], True
        except json.JSONDecodeError as e:
            raise DataError(f"{where}: inputs[{i}] is not one JSON value per line ({e.msg}): {value[:60]!r}") \
                from None
    if isinstance(value, (list, tuple)):
        return list(value), False
    raise DataError(f"{where}: inputs[{i}] must be a list of arguments or a string of JSON lines, "
                    f"got {type(value).__name__}")


def _call_tests(fn: str, inputs: list, outputs: list, where: str) -> tuple[list[TestCase], list[TestCase]]:
    """Call tests against `fn` and against `Solution().fn` (LeetCode-style answers)."""
    plain, method = [], []
    for i, (x, y) in enumerate(zip(inputs, outputs)):
        args, as_text = _call_args(x, i, where)
        if as_text and isinstance(y, str):
            try:
                y = json.loads(y)
            except json.JSONDecodeError:
                pass  # a string return value written as it prints (veRL sandbox_fusion compares stdout)
        try:
            data = json.dumps(args), json.dumps(y)
        except (TypeError, ValueError):
            raise DataError(f"{where}: inputs[{i}]/outputs[{i}] must be JSON data") from None
        call = "(*_json.loads({!r})), _json.loads({!r}))".format(*data)
        plain.append(TestCase(name=f"call_{i}", code=f"assert _same({fn}" + call))
        method.append(TestCase(name=f"call_{i}", code=f"assert _same(Solution().{fn}" + call))
    return plain, method


def problem_from_fields(fields: dict, where: str = "problem") -> Problem:
    """An inline Problem; raises DataError naming `where` and the field when the fields do not make one."""
    setup = fields.get("test_setup") or fields.get("test_imports") or ""
    if isinstance(setup, (list, tuple)):
        setup = "\n".join(str(s) for s in setup)
    if not isinstance(setup, str):
        raise DataError(f"{where}: field 'test_setup' must be a string or a list of strings")
    entry_point = fields.get("entry_point") or None
    fn_name = fields.get("fn_name") or None
    for name, value in (("entry_point", entry_point), ("fn_name", fn_name)):
        if value is not None and not (isinstance(value, str) and value.isidentifier()):
            raise DataError(f"{where}: field '{name}' must be a Python identifier, got {value!r}")
    if fn_name and entry_point and fn_name != entry_point:
        raise DataError(f"{where}: fields 'fn_name' ({fn_name}) and 'entry_point' ({entry_point}) differ")
    entry_point = entry_point or fn_name
    present = lambda k: fields.get(k) not in (None, "", [])
    metadata: dict = {}

    if present("tests") and present("assert_case"):
        raise DataError(f"{where}: give 'tests' or 'assert_case', not both")
    if present("tests") or present("assert_case"):
        name = "tests" if present("tests") else "assert_case"
        asserts = _string_list(fields[name], name, where)
        extra = [k for k in ("inputs", "outputs") if any(v not in ("", None) for v in _as_list(fields.get(k), k, where))]
        if extra:
            raise DataError(f"{where}: '{name}' with non-empty '{extra[0]}': give one test form, not both")
        entry_point = entry_point or infer_entry_point(asserts)
        if entry_point is None:
            raise DataError(f"{where}: cannot tell which function the tests call; give 'entry_point'")
        tests = [TestCase(name=f"test_{i}", code=a) for i, a in enumerate(asserts)]
    elif present("test"):
        if not isinstance(fields["test"], str):
            raise DataError(f"{where}: field 'test' must be a string of test code")
        if entry_point is None:
            raise DataError(f"{where}: field 'test' needs 'entry_point' (the function check() is given)")
        setup = (setup + "\n" + fields["test"]).strip("\n")
        tests = [TestCase(name="check", code=f"check({entry_point})")]
    elif present("inputs"):
        inputs, outputs = _as_list(fields["inputs"], "inputs", where), _as_list(fields.get("outputs"), "outputs",
                                                                                 where)
        if len(inputs) != len(outputs):
            raise DataError(f"{where}: 'inputs' has {len(inputs)} items but 'outputs' has {len(outputs)}")
        if fn_name or any(isinstance(x, (list, tuple)) for x in inputs):
            if entry_point is None:
                raise DataError(f"{where}: 'inputs' are argument lists: give 'fn_name', the function to call")
            tests, metadata["method_tests"] = _call_tests(entry_point, inputs, outputs, where)
            metadata["call_fn"] = entry_point
            setup = (_CALL_SETUP + "\n" + setup).strip("\n")
        else:
            inputs = _string_list(inputs, "inputs", where)
            outputs = _string_list(outputs, "outputs", where)
            tests = [TestCase(name=f"io_{i}", kind="stdio", stdin=x, expected=y) for i, (x, y) in
                     enumerate(zip(inputs, outputs))]
    else:
        raise DataError(f"{where}: no tests: give 'tests' (asserts), 'test' (check code), 'inputs'/'outputs' "
                        "(stdin/stdout) or 'inputs'/'outputs' + 'fn_name' (calls)")

    task_id = fields.get("task_id")
    if task_id is None:
        key = json.dumps({k: fields.get(k) for k in INLINE_FIELDS}, sort_keys=True, default=str)
        task_id = "inline/" + hashlib.sha256(key.encode()).hexdigest()[:12]
    return Problem(task_id=str(task_id), prompt="", entry_point=entry_point, tests=tests, test_setup=setup,
                   metadata=metadata, exports=free_names([t.code for t in tests] + [setup], [entry_point]))


def _as_list(value: Any, name: str = "", where: str = "") -> list:
    """A list field, possibly JSON-encoded as a whole (APPS stores input_output as one JSON string)."""
    if value in (None, ""):
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            value = [value]
    if hasattr(value, "tolist"):
        value = value.tolist()
    if not isinstance(value, (list, tuple)):
        raise DataError(f"{where}: field '{name}' must be a list, got {type(value).__name__}")
    return list(value)
