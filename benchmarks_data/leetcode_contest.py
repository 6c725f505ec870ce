"""LeetCode Contest (DeepSeek-Coder, 180 problems from contests 2023-07 to 2024-01); no reference solutions.

Each problem's test string is `my_solution = Solution()` followed by 100 blocks of
`test_input = {...}; assert my_solution.<method>(**test_input) == <expected>`: each block is one
"code" test, the preamble (and the ListNode helpers `_f1`/`_f2`) is trusted setup.
The program is DeepSeek's import preamble + the candidate's code, as in their harness.
"""
from __future__ import annotations

import re

from benchmarks_data.base import Benchmark, DataError, Problem, Published
from benchmarks_data.sources import from_url, locate, read_jsonl, required
from sandboxes.job import TestCase

# Imports DeepSeek's LeetCode harness puts before the generated code (numpy is optional in a sandbox).
IMPORTS = """import math
import re
import sys
import copy
import datetime
import itertools
import collections
import heapq
import statistics
import functools
import hashlib
import string
import bisect
from typing import *
from collections import *
from functools import *
from itertools import *
from heapq import *
from bisect import *
try:
    import numpy
    import numpy as np
except ImportError:
    pass
"""
# The narrower preamble of DeepSeek-Coder's own checker (Evaluation/LeetCode, IMPORT_HELPER["python"]):
# no `from itertools/heapq/bisect import *`, no bisect or statistics, so an answer that uses
# `pairwise` or `bisect_left` without importing it fails there. The compat judge uses it.
DEEPSEEK_IMPORTS = """import math
import re
import sys
import copy
import datetime
import itertools
import collections
import heapq
import functools
import hashlib
try:
    import numpy
    import numpy as np
except ImportError:
    pass
import string
from typing import *
from collections import *
from functools import *
"""
FILES = {"en": "20240121-Jul.jsonl", "zh": "20240121-Jul-zh.jsonl"}
RAW_URL = "https://raw.githubusercontent.com/deepseek-ai/DeepSeek-Coder/main/Evaluation/LeetCode/data/{file}"
CLASS_STOPS = ("\nclass ", "\nif __name__", "\nprint(", "\nassert ", "\n```", "\n# Test")
LISTNODE_RE = re.compile(r"^class ListNode\b.*?(?=^\S)", re.S | re.M)


def split_tests(test: str, where: str) -> tuple[str, list[str]]:
    """(setup, blocks): the code before the first `test_input =`, and one block per assert."""
    parts = re.split(r"\n(?=test_input\s*=)", test.replace("\r\n", "\n"))
    setup, blocks = parts[0], [p.strip() for p in parts[1:] if p.strip()]
    if not blocks or any("assert " not in b for b in blocks):
        raise DataError(f"{where}: field 'test': expected `test_input = ...` / `assert ...` blocks")
    return setup, blocks


def contest_problem(row: dict, where: str) -> Problem:
    prompt = required(row, "prompt", where)
    setup, blocks = split_tests(required(row, "test", where), where)
    meta = row.get("meta") or {}
    method = re.search(r"my_solution\.(\w+)\(", blocks[0])
    listnode = LISTNODE_RE.search(prompt)
    return Problem(
        task_id=required(row, "task_id", where),
        prompt=prompt,
        entry_point="Solution",
        tests=[TestCase(name=f"test_{i}", code=b) for i, b in enumerate(blocks)],
        test_setup=setup,
        test_context=IMPORTS,
        exports=["ListNode"] if re.search(r"\bListNode\b", setup) else [],
        instruction=row.get("prompt_sft") or prompt,
        metadata={"difficulty": meta.get("difficulty", ""), "title": row.get("title", ""),
                  "method": method.group(1) if method else "", "start_time": row.get("start_time"),
                  "url": row.get("url", ""),
                  # a chat answer may leave out the ListNode class the prompt defines: supply it
                  "listnode": listnode.group(0) if listnode else ""},
    )


class LeetCodeContest(Benchmark):
    name = "leetcode-contest"
    splits = ("en", "zh")          # statement language; the tests are the same
    stop_sequences = CLASS_STOPS
    has_references = False
    # Their checker: preamble + answer + all the asserts in one exec, 10 s of wall clock in all.
    published = Published("deepseek-coder-leetcode", wall_time_s=10.0)

    def load_problems(self) -> list[Problem]:
        file = FILES[self.split]
        relative = f"leetcode_contest/{file}"
        path = locate(self.data_path, relative) or from_url(RAW_URL.format(file=file), file, self.name)
        return [contest_problem(r, f"{path}:{i}") for i, r in enumerate(read_jsonl(path), 1)]

    def program_for(self, problem: Problem, completion, solution) -> str:
        if solution is not None:
            return IMPORTS + problem.metadata.get("listnode", "") + "\n" + solution
        return IMPORTS + super().program_for(problem, completion, None)

    def published_program(self, problem: Problem, completion, solution) -> str:
        """Their program: their preamble and the answer as it is (no ListNode supplied)."""
        return DEEPSEEK_IMPORTS + (solution if solution is not None else super().program_for(problem, completion, None))

    def stub_program(self, problem: Problem) -> str:
        """The prompt's own stub, completed with `pass`: a program every test must fail."""
        return self.program_for(problem, "pass\n", None)
