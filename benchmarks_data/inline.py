"""Problems carried inline with the data (RL dataset columns, a veRL ground truth, an HTTP request)
instead of read from a benchmark file.

Accepted fields (any one test form is enough):
    tests        list of assert statements, e.g. ["assert add(1, 2) == 3"], or a JSON string of one
    test         human-eval style test code defining check(candidate); needs entry_point
    inputs/outputs  stdin/stdout pairs (APPS / CodeContests style)
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
from sandboxes.job import TestCase

INLINE_FIELDS = ("tests", "test", "inputs", "outputs", "entry_point", "test_setup", "test_imports")
TEST_FIELDS = ("tests", "test", "inputs")


class InlineBenchmark(Benchmark):
    """Problems come from the caller; the completion is the full program."""

    name = "inline"
    completion_appends_to_prompt = False

    def load_problems(self) -> list[Problem]:
        return []


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


def problem_from_fields(fields: dict, where: str = "problem") -> Problem:
    """An inline Problem; raises DataError naming `where` and the field when the fields do not make one."""
    setup = fields.get("test_setup") or fields.get("test_imports") or ""
    if isinstance(setup, (list, tuple)):
        setup = "\n".join(str(s) for s in setup)
    if not isinstance(setup, str):
        raise DataError(f"{where}: field 'test_setup' must be a string or a list of strings")
    entry_point = fields.get("entry_point") or None
    if entry_point is not None and not (isinstance(entry_point, str) and entry_point.isidentifier()):
        raise DataError(f"{where}: field 'entry_point' must be a Python identifier, got {entry_point!r}")

    if fields.get("tests") not in (None, "", []):
        asserts = _string_list(fields["tests"], "tests", where)
        entry_point = entry_point or infer_entry_point(asserts)
        if entry_point is None:
            raise DataError(f"{where}: cannot tell which function the tests call; give 'entry_point'")
        tests = [TestCase(name=f"test_{i}", code=a) for i, a in enumerate(asserts)]
    elif fields.get("test") not in (None, ""):
        if not isinstance(fields["test"], str):
            raise DataError(f"{where}: field 'test' must be a string of test code")
        if entry_point is None:
            raise DataError(f"{where}: field 'test' needs 'entry_point' (the function check() is given)")
        setup = (setup + "\n" + fields["test"]).strip("\n")
        tests = [TestCase(name="check", code=f"check({entry_point})")]
    elif fields.get("inputs") not in (None, "", []):
        inputs = _string_list(fields["inputs"], "inputs", where)
        outputs = _string_list(fields.get("outputs") or [], "outputs", where)
        if len(inputs) != len(outputs):
            raise DataError(f"{where}: 'inputs' has {len(inputs)} items but 'outputs' has {len(outputs)}")
        tests = [TestCase(name=f"io_{i}", kind="stdio", stdin=x, expected=y) for i, (x, y) in
                 enumerate(zip(inputs, outputs))]
    else:
        raise DataError(f"{where}: no tests: give 'tests' (asserts), 'test' (check code) or 'inputs'/'outputs'")

    task_id = fields.get("task_id")
    if task_id is None:
        key = json.dumps({k: fields.get(k) for k in INLINE_FIELDS}, sort_keys=True, default=str)
        task_id = "inline/" + hashlib.sha256(key.encode()).hexdigest()[:12]
    return Problem(task_id=str(task_id), prompt="", entry_point=entry_point, tests=tests, test_setup=setup,
                   exports=free_names([t.code for t in tests] + [setup], [entry_point]))
