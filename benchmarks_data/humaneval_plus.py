"""HumanEval+ (EvalPlus): HumanEval's 164 problems with 80x more inputs; default release v0.1.10."""
from __future__ import annotations

from benchmarks_data.evalplus import EvalPlusBenchmark
from benchmarks_data.humaneval import FUNCTION_BODY_STOPS, instruction_for_function


class HumanEvalPlus(EvalPlusBenchmark):
    name = "humaneval-plus"
    versions = ("v0.1.10", "v0.1.9")
    stop_sequences = FUNCTION_BODY_STOPS
    dataset = "humaneval"
    folder = "humaneval_plus"
    file_stem = "HumanEvalPlus"
    release_url = "https://github.com/evalplus/humanevalplus_release/releases/download/{version}/{stem}.jsonl.gz"

    def test_context(self, row: dict) -> str:
        # The prompt's helpers (e.g. HumanEval/38's encode_cyclic) are part of the task, as in humaneval.
        return row["prompt"]

    def instruction(self, row: dict) -> str:
        return instruction_for_function(row["prompt"])
