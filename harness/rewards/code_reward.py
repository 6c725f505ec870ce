"""Verdicts as rewards: one callable every trainer, the server and the CLI share.

    from harness.rewards.code_reward import CodeReward
    reward = CodeReward("humaneval", mode="binary", sandbox="docker")       # configured once
    trainer = GRPOTrainer(model=..., reward_funcs=reward, train_dataset=ds)  # ds has a task_id column
    reward(prompts, completions, task_id=[...])  -> [1.0, 0.0, None, ...]

Problems come from a benchmark (`task_id` column) or inline columns (`tests` asserts,
`test` + `entry_point`, `inputs`/`outputs`). A reward is None when the sandbox failed
after its retries (status sandbox_error): never a silent 0 a policy would learn from.
TRL turns None into NaN and leaves that completion out of the group baseline; but beside other
reward functions, TRL sums a None as 0 (it drops a completion only when every function returns None).
"""
from __future__ import annotations

import atexit
import dataclasses
import math
import threading
from collections import Counter
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Optional, Sequence, Union

from benchmarks_data.base import Benchmark
from sandboxes import Outcome

from harness.errors import UserError
from harness.core.executor import ExecConfig, Executor
from harness.core.results import SampleResult
from harness.rewards.inputs import (ProblemSource, check_lengths, completion_text, per_sample_columns,
                                   prepare_completion)
from harness.core.scoring import Prepared, prepare, to_result

MODES = ("binary", "fraction", "shaped")


@dataclass
class ShapedValues:
    """Reward per verdict status for mode="shaped". Defaults follow CodeRL (Le et al., 2022, Sec. 3.2):
    compile error -1, runtime error -0.6, failed unit test -0.3, all tests pass +1."""
    passed: float = 1.0
    failed: float = -0.3
    runtime_error: float = -0.6
    timeout: float = -0.6
    memory_exceeded: float = -0.6
    output_exceeded: float = -0.6
    syntax_error: float = -1.0

    def value(self, status: str) -> float:
        return getattr(self, status)


@dataclass
class GroupScore:
    """The N completions of one prompt, scored together. PF-PPO filters on these (all_tie: no signal)."""
    task_id: str
    rewards: list[Optional[float]]
    n: int
    n_scored: int                      # rewards that are not None
    pass_count: int
    mean: Optional[float]              # over scored rewards; None when none was scored
    std: Optional[float]               # population std (GRPO's group normalisation uses the same spread)
    all_tie: bool                      # every scored reward equal: the group carries no ranking signal
    sandbox_errors: int


@dataclass
class RewardBatch:
    rewards: list[Optional[float]]
    results: list[SampleResult]

    @property
    def statuses(self) -> list[str]:
        return [r.status for r in self.results]


@dataclass
class PreparedBatch:
    """Jobs ready for the executor; `finish` turns their outcomes into rewards."""
    items: list[tuple[str, Prepared]]  # (task_id, prepared job) per completion

    @property
    def jobs(self):
        return [p.job for _, p in self.items]


class CodeReward:
    """Scores completions by running their tests in the sandbox.

    benchmark: a registered name ("humaneval"), a Benchmark, or None for inline problems only.
    mode: binary (1 if every test passes), fraction (share of tests passed; every test runs),
          shaped (a value per status, see ShapedValues).
    executor: share one Executor (one pool) between rewards, the server and evaluate; otherwise
          one is made from exec_config / the ExecConfig fields given (sandbox, workers, timeout_s,
          memory_mb, judge, image, runtime) and started on first use.
    """

    def __init__(self, benchmark: Union[str, Benchmark, None] = None, *, mode: str = "binary",
                 shaping: Optional[Union[ShapedValues, dict]] = None, data_path: Optional[str] = None,
                 split: Optional[str] = None, exec_config: Optional[ExecConfig] = None,
                 executor: Optional[Executor] = None, name: str = "code_reward", **exec_options):
        if mode not in MODES:
            raise UserError(f"unknown reward mode {mode!r}; use one of {', '.join(MODES)}")
        self.mode = mode
        if isinstance(shaping, dict):
            unknown = set(shaping) - {f.name for f in dataclasses.fields(ShapedValues)}
            if unknown:
                raise UserError(f"unknown shaped-reward statuses: {', '.join(sorted(unknown))}")
            shaping = ShapedValues(**shaping)
        self.shaping = shaping or ShapedValues()
        if isinstance(benchmark, str):
            from benchmarks_data.registry import get_benchmark

            benchmark = get_benchmark(benchmark, data_path=data_path, split=split)
        self.source = ProblemSource(benchmark, run_jobs=lambda jobs: self.start().executor.run_jobs(jobs))
        if executor is not None and (exec_config is not None or exec_options):
            raise UserError("give either an executor or its configuration, not both")
        self._own_executor = executor is None
        self.executor = executor or Executor(exec_config or ExecConfig(**exec_options))
        self.__name__ = name           # TRL logs rewards/<__name__>/mean
        self._lock = threading.Lock()
        self.last_results: list[SampleResult] = []
        self.last_rewards: list[Optional[float]] = []
        # Verdict statuses of the last call ({"passed": 5, "timeout": 1, ...}): trainers log them as
        # exec/<status>, so sandbox timeouts and errors are visible in training logs.
        self.last_counts: dict[str, int] = {}

    # -- lifecycle --
    def start(self) -> "CodeReward":
        with self._lock:
            if self.executor.pool is None:
                self.executor.start()
                if self._own_executor:
                    atexit.register(self.close)  # trainers rarely close what they were given
        return self

    def close(self) -> None:
        if self._own_executor:
            self.executor.close()

    def __enter__(self) -> "CodeReward":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def benchmark(self) -> Optional[Benchmark]:
        return self.source.benchmark

    # -- scoring --
    def prepare(self, prompts: Optional[Sequence], completions: Sequence, **columns) -> PreparedBatch:
        check_lengths(prompts, completions)
        rows = per_sample_columns(len(completions), columns)
        limits, judge = self.executor.limits, self.executor.config.judge
        items = []
        for i, (completion, row) in enumerate(zip(completions, rows)):
            where = f"completion {i}"
            bench, problem = self.source.resolve(row, where)
            code_completion, solution = prepare_completion(completion_text(completion), problem, bench)
            p = prepare(bench, problem, code_completion, solution, limits, judge)
            if self.mode == "fraction":
                p.job.stop_on_failure = False  # the share of tests passed needs every test run
            items.append((problem.task_id, p))
        return PreparedBatch(items=items)

    def finish(self, batch: PreparedBatch, outcomes: Sequence[Outcome]) -> RewardBatch:
        results = [to_result(tid, i, p, o) for i, ((tid, p), o) in enumerate(zip(batch.items, outcomes))]
        rewards = [self.reward_of(r, len(p.job.tests)) for r, (_, p) in zip(results, batch.items)]
        return RewardBatch(rewards=rewards, results=results)

    def reward_of(self, result: SampleResult, n_tests: int) -> Optional[float]:
        if result.status == "sandbox_error":
            return None
        if self.mode == "binary":
            return 1.0 if result.passed else 0.0
        if self.mode == "fraction":
            if result.passed:
                return 1.0
            # Tests that never ran (a syntax error, a crash that killed the run) count as not passed.
            return sum(1 for t in result.tests if t.get("status") == "passed") / max(1, n_tests)
        return self.shaping.value(result.status)

    def score(self, prompts: Optional[Sequence], completions: Sequence, **columns) -> RewardBatch:
        """Rewards and full results; does not touch last_* (safe from many threads at once)."""
        batch, futures = self.submit(prompts, completions, **columns)
        # All jobs at once (a trainer's batch is bounded): the pool interleaves them with other callers'.
        return self.finish(batch, [f.result() for f in futures])

    def submit(self, prompts: Optional[Sequence], completions: Sequence,
               **columns) -> tuple[PreparedBatch, list["Future[Outcome]"]]:
        """Non-blocking: the prepared batch and one Future per job (the server awaits these)."""
        batch = self.prepare(prompts, completions, **columns)
        self.start()
        return batch, [self.executor.submit(j) for j in batch.jobs]

    def __call__(self, prompts: Optional[Sequence] = None, completions: Sequence = (),
                 **columns) -> list[Optional[float]]:
        """TRL's reward-function contract: one float (or None) per completion."""
        batch = self.score(prompts, completions, **columns)
        self._remember(batch)
        log_extra, log_metric = columns.get("log_extra"), columns.get("log_metric")
        if callable(log_extra):  # TRL >= 0.24: extra columns in the completions table
            log_extra(f"{self.__name__}/status", batch.statuses)
        if callable(log_metric) and batch.results:
            n = len(batch.results)
            log_metric(f"{self.__name__}/pass_rate", sum(r.passed for r in batch.results) / n)
            log_metric(f"{self.__name__}/sandbox_error_rate", sum(x is None for x in batch.rewards) / n)
        return batch.rewards

    def _remember(self, batch: RewardBatch) -> None:
        self.last_results, self.last_rewards = batch.results, batch.rewards
        self.last_counts = dict(Counter(batch.statuses))

    @property
    def last_verdicts(self) -> list[str]:
        return [r.status for r in self.last_results]

    def score_groups(self, prompts: Optional[Sequence], completions: Sequence, group_size: int,
                     **columns) -> list[GroupScore]:
        """Score N = group_size consecutive completions per prompt (TRL/veRL rollout layout) together."""
        if group_size < 1 or len(completions) % group_size:
            raise UserError(f"{len(completions)} completions do not split into groups of {group_size}")
        batch = self.score(prompts, completions, **columns)
        self._remember(batch)
        return group_scores(batch, group_size)


def group_scores(batch: RewardBatch, group_size: int) -> list[GroupScore]:
    out = []
    for start in range(0, len(batch.rewards), group_size):
        rewards = batch.rewards[start:start + group_size]
        results = batch.results[start:start + group_size]
        scored = [r for r in rewards if r is not None]
        mean = sum(scored) / len(scored) if scored else None
        std = math.sqrt(sum((r - mean) ** 2 for r in scored) / len(scored)) if scored else None
        out.append(GroupScore(
            task_id=results[0].task_id, rewards=rewards, n=len(rewards), n_scored=len(scored),
            pass_count=sum(r.passed for r in results), mean=mean, std=std,
            all_tie=bool(scored) and max(scored) == min(scored),
            sandbox_errors=len(rewards) - len(scored)))
    return out
