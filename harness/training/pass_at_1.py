"""pass@1 of a model in memory on held-out problems, between training steps.

Greedy-decode each problem's prompt with the hf generation backend (the code `codeharness generate`
runs), then score in the sandbox with CodeReward in binary mode (the reward path the trainers
use, which judges like `evaluate`). Greedy decoding makes pass@1 the share of problems whose one
sample passes every test.
"""
from __future__ import annotations

import time
from typing import Any, Callable, Optional, Sequence

from benchmarks_data.base import Benchmark, Problem
from harness.core.executor import Executor
from harness.rewards.code_reward import CodeReward

EvalFn = Callable[[Any, Any, int], dict]


class PassAt1Eval:
    """eval_fn(model, tokenizer, step) -> {"pass@1", "n_problems", "sandbox_errors", "sandbox_error_rate",
    "seconds"}. A problem whose sample the sandbox failed to judge counts as not passed in pass@1 (the
    model did not show it solves it); sandbox_error_rate says how much of pass@1 that may hide."""

    def __init__(self, benchmark: Benchmark, problems: Sequence[Problem], executor: Executor,
                 max_new_tokens: int = 256, batch_size: int = 16, stop: Optional[list[str]] = None):
        from harness.generation.generate import stop_sequences

        self.problems = list(problems)
        self.reward = CodeReward(benchmark, mode="binary", executor=executor, name="eval")
        self.stop = list(stop) if stop is not None else stop_sequences(benchmark, chat=False)
        self.max_new_tokens, self.batch_size = max_new_tokens, batch_size
        self.last: dict = {}

    def completions(self, model, tokenizer) -> list[str]:
        from harness.generation.base import GenerationConfig
        from harness.generation.hf import HFBackend

        backend = HFBackend.from_model(model, tokenizer)
        config = GenerationConfig(n=1, temperature=0.0, max_new_tokens=self.max_new_tokens, stop=self.stop,
                                  batch_size=self.batch_size)
        return [samples[0] for samples in backend.generate([p.prompt for p in self.problems], config)]

    def __call__(self, model, tokenizer, step: int = 0) -> dict:
        start = time.perf_counter()
        was_training = model.training
        model.eval()
        try:
            completions = self.completions(model, tokenizer)
        finally:
            model.train(was_training)
        return self.score(completions, start)

    def score(self, completions: Sequence[str], start: Optional[float] = None) -> dict:
        """The metrics of one completion per problem (in problem order)."""
        start = time.perf_counter() if start is None else start
        rewards = self.reward(None, list(completions), task_id=[p.task_id for p in self.problems])
        n = len(rewards)
        errors = sum(r is None for r in rewards)
        self.last = {"pass@1": sum(r or 0.0 for r in rewards) / n if n else float("nan"),
                     "n_problems": len(self.problems), "sandbox_errors": errors,
                     "sandbox_error_rate": errors / n if n else float("nan"),
                     "seconds": time.perf_counter() - start}
        return dict(self.last)
