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
    """eval_fn(model, tokenizer, step) -> {"pass@1", "n_problems", "sandbox_errors", "seconds"}."""

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
        rewards = self.reward(None, completions, task_id=[p.task_id for p in self.problems])
        scored = [r for r in rewards if r is not None]
        self.last = {"pass@1": sum(scored) / len(scored) if scored else float("nan"),
                     "n_problems": len(self.problems), "sandbox_errors": len(rewards) - len(scored),
                     "seconds": time.perf_counter() - start}
        return dict(self.last)
