"""What a training run learns from and what it is judged by, both from sandbox verdicts.

`VerdictReward` is the reward a trainer optimises (CodeReward binary or fraction, TRL contract).
`VerdictScore` is the *actual score*: 1.0 when every test passes, else 0.0 (None on sandbox
failure), always logged next to the reward. When the reward just ran the same completions (binary
or fraction mode both run to a full verdict), the score is read off those results instead of
running the programs twice; otherwise (a reward model is the reward) it runs them.

Reward specs (`--reward`):  binary | fraction | rm:PATH | mix:W  (mix: r = (1-W) exec + W rm).
"""
from __future__ import annotations

import os
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any, Optional, Sequence

from benchmarks_data.base import Benchmark
from harness.errors import UserError
from harness.core.executor import Executor
from harness.rewards.code_reward import CodeReward

EXEC_MODES = ("binary", "fraction")


@dataclass(frozen=True)
class RewardSpec:
    source: str                    # "fn" (execution) | "rm" (reward model) | "mix"
    exec_mode: str = "binary"      # the execution reward's mode (fn, mix)
    rm_path: Optional[str] = None
    rm_weight: float = 0.0


def parse_reward_spec(text: str, reward_model: Optional[str] = None, exec_mode: str = "binary") -> RewardSpec:
    kind, _, arg = text.partition(":")
    if kind in EXEC_MODES and not arg:
        return RewardSpec("fn", exec_mode=kind)
    if kind == "rm" and arg:
        return RewardSpec("rm", rm_path=arg)
    if kind == "mix" and arg:
        try:
            weight = float(arg)
        except ValueError:
            raise UserError(f"--reward {text!r}: W in mix:W must be a number in [0, 1]") from None
        if not 0 <= weight <= 1:
            raise UserError(f"--reward {text!r}: W in mix:W must be in [0, 1]")
        if not reward_model:
            raise UserError(f"--reward {text!r} needs --reward-model PATH (the learned half of the mix)")
        if exec_mode not in EXEC_MODES:
            raise UserError(f"--exec-reward must be one of {', '.join(EXEC_MODES)}")
        return RewardSpec("mix", exec_mode=exec_mode, rm_path=reward_model, rm_weight=weight)
    raise UserError(f"--reward {text!r}: use binary, fraction, rm:PATH or mix:W")


def _inputs_key(completions: Sequence, columns: dict) -> tuple:
    return (list(completions), {k: list(v) for k, v in columns.items() if isinstance(v, (list, tuple))})


class VerdictReward:
    """CodeReward as the trainer's reward; remembers its last inputs so VerdictScore can reuse the run."""

    def __init__(self, benchmark: Optional[Benchmark], executor: Executor, mode: str = "binary"):
        if mode not in EXEC_MODES:
            raise UserError(f"execution reward mode must be one of {', '.join(EXEC_MODES)}, got {mode!r}")
        self.code_reward = CodeReward(benchmark, mode=mode, executor=executor, name=f"exec_{mode}")
        self.__name__ = self.code_reward.__name__
        self.last_key: Optional[tuple] = None

    def __call__(self, prompts, completions, **columns) -> list[Optional[float]]:
        rewards = self.code_reward(prompts, completions, **columns)
        self.last_key = _inputs_key(completions, columns)
        return rewards

    @property
    def last_counts(self) -> dict[str, int]:
        return self.code_reward.last_counts


class VerdictScore:
    """The full-test verdict as a score (1.0 / 0.0 / None). `last_counts`, `seconds`, `reused` describe
    the last call."""

    def __init__(self, benchmark: Optional[Benchmark], executor: Executor,
                 reward: Optional[VerdictReward] = None):
        self.reward = reward
        self._binary: Optional[CodeReward] = None
        self._benchmark, self._executor = benchmark, executor
        self.__name__ = "score"
        self.last_counts: dict[str, int] = {}
        self.seconds = 0.0
        self.reused = False

    def __call__(self, prompts, completions, **columns) -> list[Optional[float]]:
        start = time.perf_counter()
        r = self.reward
        if r is not None and r.last_key == _inputs_key(completions, columns):
            results, self.reused = r.code_reward.last_results, True
        else:
            if self._binary is None:
                self._binary = CodeReward(self._benchmark, mode="binary", executor=self._executor, name="score")
            batch = self._binary.score(prompts, completions, **columns)
            results, self.reused = batch.results, False
        self.last_counts = dict(Counter(x.status for x in results))
        self.seconds = time.perf_counter() - start
        return [None if x.status == "sandbox_error" else float(x.passed) for x in results]


def reward_model_callable(path: str, max_seq_len: int = 1024):
    import torch
    from transformers import AutoTokenizer

    from trainers.reward_model import reward_fn_from_model
    from trainers.scalar_head import ScalarHeadModel

    if not os.path.isdir(path):
        raise UserError(f"reward model {path!r}: not a directory (train one with `codeharness train rm`)")
    model = ScalarHeadModel.from_pretrained(path, squash="tanh")
    tokenizer = AutoTokenizer.from_pretrained(path)
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    model.to("cuda" if torch.cuda.is_available() else "cpu").requires_grad_(False)
    return reward_fn_from_model(model, tokenizer, max_seq_len=max_seq_len)


def build_ppo_rewards(spec, bench, executor) -> dict[str, Any]:
    """PPOTrainer keyword arguments (reward_fn, reward_model, score_fn) for a RewardSpec."""
    reward_fn = VerdictReward(bench, executor, spec.exec_mode) if spec.source in ("fn", "mix") else None
    reward_model = reward_model_callable(spec.rm_path) if spec.source in ("rm", "mix") else None
    return {"reward_fn": reward_fn, "reward_model": reward_model,
            "score_fn": VerdictScore(bench, executor, reward=reward_fn)}


# -- train rm ------------------------------------------------------------------------------------
def execution_pairs(problems, groups: list[list[str]], scores: list[Optional[float]], max_pairs: int, seed: int):
    """Preference pairs per problem from execution scores (higher score = chosen)."""
    from trainers.reward_model import pairs_from_scores

    out, start = [], 0
    for i, (p, comps) in enumerate(zip(problems, groups)):
        out.append(pairs_from_scores(p.prompt, comps, scores[start:start + len(comps)], max_pairs, seed + i))
        start += len(comps)
    return out
