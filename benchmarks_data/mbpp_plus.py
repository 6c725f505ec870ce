"""MBPP+ (EvalPlus): 378 sanitized MBPP problems with many more inputs; default release v0.2.0."""
from __future__ import annotations

from benchmarks_data import evalplus_oracles as ep
from benchmarks_data.evalplus import EvalPlusBenchmark
from benchmarks_data.mbpp import PROGRAM_STOPS


class MbppPlus(EvalPlusBenchmark):
    name = "mbpp-plus"
    versions = ("v0.2.0", "v0.1.0")
    stop_sequences = PROGRAM_STOPS
    dataset = "mbpp"
    folder = "mbpp_plus"
    file_stem = "MbppPlus"
    release_url = "https://github.com/evalplus/mbppplus_release/releases/download/{version}/{stem}.jsonl.gz"

    def input_args(self, task_id: str, args: list) -> list:
        return ep.mbpp_plus_args(int(task_id.split("/")[-1]), args)

    def instruction(self, row: dict) -> str:
        # The prompt is a docstring holding the statement and one example assert.
        statement = row["prompt"].strip().strip('"').strip()
        return (f"{statement}\n\nWrite the Python function `{row['entry_point']}`. Reply with the "
                "complete solution in a ```python code block.")
