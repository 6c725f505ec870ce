"""User-supplied problems: a JSONL file given as `--benchmark path/to/problems.jsonl`.

One JSON object per line. Fields:
  task_id      str, required, unique
  prompt       str, required: what a base model continues (function problems: code, e.g. a signature
               and docstring; the program is prompt + completion) or the statement (stdio problems)
  entry_point  str: the function under test; required with "io"
  instruction  str: chat prompt (default: derived from prompt)
  canonical_solution  str: a full reference program (check-dataset runs it)
  setup        str: trusted code run before the tests (helpers, imports)
  time_limit_s number > 0: CPU seconds per test
  metadata     object: copied to Problem.metadata
and exactly one way to test:
  tests        [str]: Python statements, each one test, e.g. "assert add(1, 2) == 3"
  io           [{"input": [args...], "output": value, "atol"?: number}]: call entry_point(*input),
               compare with output (floats within atol)
  stdio        [{"input": "stdin text", "output": "expected stdout"}]: run the program as __main__;
               stdout is compared token by token (integers exactly, float literals within 1e-6)
A malformed file is a DataError naming file:line and the field.
"""
from __future__ import annotations

import math
from typing import Any, Optional

from benchmarks_data.base import Benchmark, DataError, Problem, free_names
from benchmarks_data.humaneval import FUNCTION_BODY_STOPS, instruction_for_function
from benchmarks_data.sources import numbered_jsonl
from sandboxes.job import TestCase
from sandboxes.runner.protocol import UnsupportedValue, encode_plain

TEST_FIELDS = ("tests", "io", "stdio")
KNOWN_FIELDS = {"task_id", "prompt", "entry_point", "instruction", "canonical_solution", "setup",
                "time_limit_s", "metadata", *TEST_FIELDS}


def _field(row: dict, key: str, kind: type, where: str, required: bool = False, default: Any = None):
    if key not in row or row[key] is None:
        if required:
            raise DataError(f"{where}: field {key!r}: missing")
        return default
    value = row[key]
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise DataError(f"{where}: field {key!r}: expected {kind.__name__}, got {type(value).__name__}")
    if kind is float and not math.isfinite(value):   # JSON's NaN, Infinity, 1e999
        raise DataError(f"{where}: field {key!r}: must be a finite number, got {value}")
    return value


def _plain(value, where: str, key: str):
    try:
        encode_plain(value)
    except UnsupportedValue as e:
        raise DataError(f"{where}: field {key!r}: {e}") from None
    return value


def _tests(row: dict, where: str, limit: Optional[float]) -> tuple[str, list[TestCase]]:
    present = [k for k in TEST_FIELDS if k in row]
    if len(present) != 1:
        raise DataError(f"{where}: field 'tests': give exactly one of {', '.join(TEST_FIELDS)} "
                        f"(found {', '.join(present) or 'none'})")
    kind = present[0]
    items = _field(row, kind, list, where)
    if not items:
        raise DataError(f"{where}: field {kind!r}: empty")
    tests = []
    for i, item in enumerate(items):
        at = f"{kind}[{i}]"
        if kind == "tests":
            if not isinstance(item, str) or not item.strip():
                raise DataError(f"{where}: field {at!r}: expected a non-empty string of Python")
            try:
                compile(item, f"{where}:{at}", "exec")
            except SyntaxError as e:
                raise DataError(f"{where}: field {at!r}: not valid Python ({e.msg})") from None
            tests.append(TestCase(name=f"test_{i}", code=item, time_limit_s=limit))
            continue
        if not isinstance(item, dict) or "input" not in item or "output" not in item:
            raise DataError(f"{where}: field {at!r}: expected an object with 'input' and 'output'")
        if kind == "io":
            args = _field(item, "input", list, f"{where}: {at}")
            atol = _field(item, "atol", float, f"{where}: {at}", default=0.0)
            if atol < 0:
                raise DataError(f"{where}: {at}: field 'atol': must be >= 0, got {atol}")
            tests.append(TestCase(name=f"test_{i}", kind="call", args=_plain(args, where, at + ".input"),
                                  expected=_plain(item["output"], where, at + ".output"), atol=atol,
                                  time_limit_s=limit))
        else:
            stdin = _field(item, "input", str, f"{where}: {at}")
            out = _field(item, "output", str, f"{where}: {at}")
            tests.append(TestCase(name=f"test_{i}", kind="stdio", stdin=stdin, expected=out, time_limit_s=limit))
    return kind, tests


def custom_problem(row: dict, where: str) -> Problem:
    unknown = sorted(set(row) - KNOWN_FIELDS)
    if unknown:
        raise DataError(f"{where}: field {unknown[0]!r}: unknown (known: {', '.join(sorted(KNOWN_FIELDS))})")
    task_id = _field(row, "task_id", str, where, required=True)
    prompt = _field(row, "prompt", str, where, required=True)
    entry = _field(row, "entry_point", str, where)
    limit = _field(row, "time_limit_s", float, where)
    if limit is not None and limit <= 0:
        raise DataError(f"{where}: field 'time_limit_s': must be > 0")
    kind, tests = _tests(row, where, limit)
    if kind == "io" and not entry:
        raise DataError(f"{where}: field 'entry_point': required with 'io' tests")
    if entry and not entry.isidentifier():
        raise DataError(f"{where}: field 'entry_point': not a Python name: {entry!r}")
    setup = _field(row, "setup", str, where, default="")
    try:
        compile(setup, f"{where}:setup", "exec")
    except (SyntaxError, ValueError) as e:   # ValueError: a null byte
        detail = f"{e.msg}, line {e.lineno} of the setup" if isinstance(e, SyntaxError) else str(e)
        raise DataError(f"{where}: field 'setup': not valid Python ({detail})") from None
    instruction = _field(row, "instruction", str, where) or (
        prompt if kind == "stdio" else instruction_for_function(prompt))
    return Problem(
        task_id=task_id, prompt=prompt, entry_point=entry,
        canonical_solution=_field(row, "canonical_solution", str, where),
        tests=tests, test_setup=setup, exports=free_names([t.code for t in tests] + [setup], [entry]),
        instruction=instruction,
        metadata={**_field(row, "metadata", dict, where, default={}), "test_kind": kind},
    )


class CustomProblems(Benchmark):
    name = "custom"
    stop_sequences = FUNCTION_BODY_STOPS

    def load_problems(self) -> list[Problem]:
        if not self.data_path:
            raise DataError("custom benchmark: give the problems file as --benchmark PATH.jsonl")
        problems, seen = [], {}
        for i, row in numbered_jsonl(self.data_path):
            where = f"{self.data_path}:{i}"
            p = custom_problem(row, where)
            if p.task_id in seen:
                raise DataError(f"{where}: field 'task_id': duplicate of line {seen[p.task_id]}")
            seen[p.task_id] = i
            problems.append(p)
        if not problems:
            raise DataError(f"{self.data_path}: no problems")
        return problems

    def program_for(self, problem: Problem, completion, solution) -> str:
        # A stdio program is the whole answer; a function answer continues its code prompt.
        if solution is None and problem.metadata.get("test_kind") == "stdio":
            return completion
        return super().program_for(problem, completion, solution)
