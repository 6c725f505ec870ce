"""LeetCodeDataset (newfacade/LeetCodeDataset, arXiv 2504.14655): `class Solution` problems with references.

Versions: v0.1.0 (splits train 1570 / test 175) and v0.3.1 (test 228). Records follow human-eval:
`prompt` is an import/helper preamble, `completion` the reference, `entry_point` e.g.
`Solution().longestEqualSubarray`, `test` a `def check(candidate)` of asserts. Each assert of check()
becomes one "code" test, with check()'s other statements kept in front of it.
Tests that build ListNode/TreeNode values judge-side (`list_node(...)`, `tree_node(...)`) run under
the strict judge like any other: the preamble's classes are trusted, and their objects cross to the
candidate and back as structure (sandboxes/runner/structs.py).
"""
from __future__ import annotations

import ast
import re

from benchmarks_data.base import Benchmark, DataError, Problem
from benchmarks_data.leetcode_contest import CLASS_STOPS
from benchmarks_data.sources import from_hub, locate, read_jsonl, required
from sandboxes.job import TestCase

FILES = {("v0.3.1", "test"): "LeetCodeDataset-v0.3.1-test.jsonl.gz",
         ("v0.1.0", "test"): "LeetCodeDataset-v0.1.0-test.jsonl.gz",
         ("v0.1.0", "train"): "LeetCodeDataset-v0.1.0-train.jsonl.gz"}
HUB_ID = "newfacade/LeetCodeDataset"
# A few references need ~1 s per assert on v0.3.1's largest inputs; a stuck answer still stops at
# the per-test limit.
TEST_TIME_LIMIT_S = 10.0
JOB_TIME_LIMIT_S = 60.0
# References whose answer order depends on set iteration (string hashing differs per process) while
# the test compares lists: they pass or fail by chance. LeetCode itself accepts any order here.
ORDER_DEPENDENT = {"word-ladder-ii": "answer order follows set iteration; the test compares ordered lists"}


def check_asserts(test: str, where: str) -> tuple[list[str], str]:
    """(one source per assert, the check() body's other statements) of a `def check(candidate)`."""
    try:
        tree = ast.parse(test)
    except SyntaxError as e:
        raise DataError(f"{where}: field 'test': not valid Python ({e.msg})") from None
    check = next((n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "check"), None)
    if check is None:
        raise DataError(f"{where}: field 'test': no `def check(candidate)`")
    lines = test.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def source(node) -> str:   # ast.get_source_segment re-splits the text per call: quadratic here
        text = test.encode("utf-8")
        a = len(test[:starts[node.lineno - 1]].encode("utf-8")) + node.col_offset
        b = len(test[:starts[node.end_lineno - 1]].encode("utf-8")) + node.end_col_offset
        return text[a:b].decode("utf-8")

    if test.isascii():
        def source(node) -> str:  # noqa: F811 - offsets are characters when the text is ASCII
            return test[starts[node.lineno - 1] + node.col_offset:starts[node.end_lineno - 1] + node.end_col_offset]
    asserts = [source(n) for n in check.body if isinstance(n, ast.Assert)]
    others = [source(n) for n in check.body if not isinstance(n, ast.Assert)]
    return asserts, "\n".join(others)


def leetcode_problem(row: dict, where: str, split: str) -> Problem:
    entry = required(row, "entry_point", where)
    m = re.fullmatch(r"Solution\(\)\.(\w+)", entry)
    if not m:
        raise DataError(f"{where}: field 'entry_point': expected `Solution().<method>`, got {entry!r}")
    preamble = required(row, "prompt", where)
    test = required(row, "test", where)
    asserts, others = check_asserts(test, where)
    meta = row.get("meta") or row
    # Each test: candidate bound to a fresh Solution().method, check()'s helpers, one assert.
    head = f"candidate = Solution().{m.group(1)}\n" + (others + "\n" if others else "")
    problem = Problem(
        task_id=required(row, "task_id", where),
        prompt=preamble + "\n" + (meta.get("lang_code") or row.get("starter_code") or "").rstrip() + "\n",
        entry_point="Solution",
        canonical_solution=preamble + "\n" + required(row, "completion", where),
        tests=[TestCase(name=f"test_{i}", code=head + a, time_limit_s=TEST_TIME_LIMIT_S)
               for i, a in enumerate(asserts)],
        cpu_time_s=JOB_TIME_LIMIT_S,
        test_context=preamble,
        instruction=row.get("query") or "",
        metadata={"difficulty": meta.get("difficulty", ""), "question_id": meta.get("question_id"),
                  "method": m.group(1), "split": split, "tags": row.get("tags") or []},
    )
    if problem.task_id in ORDER_DEPENDENT:
        problem.metadata["flaky"] = ORDER_DEPENDENT[problem.task_id]
    return problem


class LeetCodeDataset(Benchmark):
    name = "leetcodedataset"
    splits = ("test", "train")
    versions = ("v0.3.1", "v0.1.0")
    stop_sequences = CLASS_STOPS

    def load_problems(self) -> list[Problem]:
        key = (self.version, self.split)
        if key not in FILES:
            raise DataError(f"{self.name}: version {self.version} has no {self.split!r} split "
                            f"(known: {', '.join(f'{v}/{s}' for v, s in FILES)})")
        relative = f"leetcodedataset/{FILES[key]}"
        path = locate(self.data_path, relative)
        rows = read_jsonl(path) if path else from_hub(HUB_ID, self.split, name=self.name)
        return [leetcode_problem(r, f"{path or HUB_ID}:{i}", self.split) for i, r in enumerate(rows, 1)]

    def program_for(self, problem: Problem, completion, solution) -> str:
        # The preamble (imports, ListNode/TreeNode helpers) comes before any answer, as in the dataset's
        # own evaluation; the base-model prompt already holds it.
        if solution is not None:
            return problem.test_context + "\n" + solution
        return super().program_for(problem, completion, None)
