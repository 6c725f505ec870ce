"""MBPP (Austin et al. 2021, arXiv 2108.07732): the full 974-problem set and the 427-problem sanitized set.

Task ids are "Mbpp/<n>", as in EvalPlus, so MBPP, MBPP-sanitized and MBPP+ samples share ids.
Each `assert` of `test_list` is one "code" test. Prompts follow EvalPlus/bigcode: a docstring holding
the statement and the first test, which a base model continues with the function.
"""
from __future__ import annotations

import ast
import re
import warnings
from typing import Optional

from benchmarks_data.base import Benchmark, DataError, Problem
from benchmarks_data.sources import from_hub, read_json_list, required, rows_from
from sandboxes.job import TestCase

# google-research/mbpp README: the official split by task id.
SPLIT_RANGES = {
    "prompt": range(1, 11),
    "test": range(11, 511),
    "validation": range(511, 601),
    "train": range(601, 975),
}

# A base model writes the function after the docstring; stop when it starts testing or printing.
PROGRAM_STOPS = ("\nif __name__", "\ndef main(", "\nprint(", "\nassert ", '\n"""', "\n```")


def in_split(task_num: int, split: str) -> bool:
    return split == "all" or task_num in SPLIT_RANGES[split]


def top_level_names(tree: ast.Module) -> set[str]:
    return {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))}


def exports_of(code: str, trusted: list[str], entry: Optional[str]) -> list[str]:
    """The reference's names besides the entry point that the tests or their setup use (Mbpp/367's
    setup builds a tree of the candidate's `Node` objects): the strict judge lets test code reach
    those of the candidate's names, and no other."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            defined = top_level_names(ast.parse(code.replace("\r\n", "\n")))
    except SyntaxError:
        return []
    used = set(re.findall(r"[A-Za-z_]\w*", "\n".join(trusted)))
    return sorted((defined & used) - {entry})


def entry_point_of(code: str, tests: list[str]) -> Optional[str]:
    """The function the tests call: the first name called in the first test that the code defines."""
    try:
        with warnings.catch_warnings():   # old MBPP code has invalid escapes in plain strings
            warnings.simplefilter("ignore")
            tree = ast.parse(code.replace("\r\n", "\n"))
    except SyntaxError:
        return None
    defined = top_level_names(tree)
    for test in tests:
        for name in re.findall(r"([A-Za-z_]\w*)\s*\(", test):
            if name in defined:
                return name
    return None


def docstring_prompt(text: str, first_test: str) -> str:
    return f'"""\n{text.strip()}\n{first_test.strip()}\n"""\n'


def mbpp_instruction(text: str, tests: list[str]) -> str:
    # The MBPP paper's prompt (Austin et al. 2021, sec. 2.1), asking for a fenced answer.
    shown = "\n".join(t.strip() for t in tests)
    return (f"You are an expert Python programmer, and here is your task: {text.strip()} "
            f"Your code should pass these tests:\n\n{shown}\n\n"
            "Reply with the complete solution in a ```python code block.")


def assert_tests(tests: list[str], prefix: str = "test") -> list[TestCase]:
    return [TestCase(name=f"{prefix}_{i}", code=t.replace("\r\n", "\n")) for i, t in enumerate(tests)]


def mbpp_problem(row: dict, where: str) -> Problem:
    num = int(required(row, "task_id", where))
    tests = list(required(row, "test_list", where))
    code = required(row, "code", where)
    text = required(row, "text", where)
    setup = (row.get("test_setup_code") or "").replace("\r\n", "\n")
    entry = entry_point_of(code, tests)
    problem = Problem(
        task_id=f"Mbpp/{num}",
        prompt=docstring_prompt(text, tests[0]),
        entry_point=entry,
        canonical_solution=code,
        tests=assert_tests(tests),
        test_setup=setup,
        instruction=mbpp_instruction(text, tests),
        metadata={"mbpp_id": num},
        exports=exports_of(code, tests + list(row.get("challenge_test_list") or []) + [setup], entry),
    )
    challenge = row.get("challenge_test_list") or []
    if challenge:
        problem.test_groups = {"base": problem.tests, "challenge": assert_tests(challenge, "challenge")}
    return problem


class Mbpp(Benchmark):
    name = "mbpp"
    splits = ("test", "train", "validation", "prompt", "all")
    stop_sequences = PROGRAM_STOPS
    relative = "mbpp/mbpp.jsonl"

    def _rows(self) -> list[dict]:
        return rows_from(self.data_path, self.relative,
                         lambda: from_hub("mbpp", "train+test+validation+prompt", "full", self.name))

    def load_problems(self) -> list[Problem]:
        out = []
        for i, row in enumerate(self._rows(), 1):
            where = f"{self.relative}:{i}"
            p = mbpp_problem(row, where)
            if in_split(p.metadata["mbpp_id"], self.split):
                out.append(p)
        if not out:
            raise DataError(f"{self.name}: no problems in split {self.split!r}")
        return sorted(out, key=lambda p: p.metadata["mbpp_id"])


def sanitized_problem(row: dict, where: str) -> Problem:
    num = int(required(row, "task_id", where))
    tests = list(required(row, "test_list", where))
    code = required(row, "code", where)
    text = required(row, "prompt", where)
    setup = "\n".join(row.get("test_imports") or [])
    entry = entry_point_of(code, tests)
    return Problem(
        task_id=f"Mbpp/{num}",
        prompt=docstring_prompt(text, tests[0]),
        entry_point=entry,
        canonical_solution=code,
        tests=assert_tests(tests),
        test_setup=setup,
        instruction=mbpp_instruction(text, tests),
        metadata={"mbpp_id": num, "source_file": row.get("source_file", "")},
        exports=exports_of(code, tests + [setup], entry),
    )


class MbppSanitized(Benchmark):
    """The hand-verified subset (427 problems). Default split "all"; the paper's test split has 257."""

    name = "mbpp-sanitized"
    splits = ("all", "test", "train", "validation", "prompt")
    stop_sequences = PROGRAM_STOPS
    relative = "mbpp/sanitized-mbpp.json"

    def _rows(self) -> list[dict]:
        return rows_from(self.data_path, self.relative,
                         lambda: from_hub("mbpp", "train+test+validation+prompt", "sanitized", self.name),
                         reader=read_json_list)

    def load_problems(self) -> list[Problem]:
        out = []
        for i, row in enumerate(self._rows()):
            if not isinstance(row, dict):
                raise DataError(f"{self.relative}: item {i}: expected a JSON object")
            p = sanitized_problem(row, f"{self.relative}: item {i}")
            if in_split(p.metadata["mbpp_id"], self.split):
                out.append(p)
        return sorted(out, key=lambda p: p.metadata["mbpp_id"])
