"""Views of a benchmark that change which tests run, not how a program is built.

`VisibleTests(bench, k)` keeps the first k tests of every problem: a proxy reward computed on
tests a model could see, against which the full hidden tests are the actual score (PF-PPO's R^2
diagnostic needs a reward that is not the score itself).
"""
from __future__ import annotations

import dataclasses
from typing import Optional

from benchmarks_data.base import Benchmark, DataError, Problem
from sandboxes.job import Job, Limits, TestCase


class VisibleTests(Benchmark):
    def __init__(self, base: Benchmark, k: int):
        if k < 1:
            raise DataError(f"visible tests: k must be >= 1, got {k}")
        super().__init__(data_path=base.data_path, split=base.split)
        self.base, self.k = base, k
        self.name = f"{base.name}[visible:{k}]"
        self.completion_appends_to_prompt = base.completion_appends_to_prompt

    def __getattr__(self, attr: str):
        # Anything else a benchmark may carry (stop sequences, chat stops): the base's.
        if attr in ("base", "k"):
            raise AttributeError(attr)
        return getattr(self.base, attr)

    def load_problems(self) -> list[Problem]:
        return [dataclasses.replace(p, tests=list(p.tests[:self.k]), test_groups={})
                for p in self.base.load_problems()]

    def program_for(self, problem: Problem, completion: Optional[str], solution: Optional[str]) -> str:
        return self.base.program_for(problem, completion, solution)

    def test_groups(self, problem: Problem) -> dict[str, list[TestCase]]:
        return {"base": problem.tests}

    def make_job(self, problem: Problem, program: str, limits: Limits, judge: str = "strict",
                 group: Optional[str] = None) -> Job:
        return self.base.make_job(problem, program, limits, judge, None)
