"""CodeReward behind the reward contracts of veRL and OpenRLHF (TRL takes CodeReward itself).

Both frameworks load a function from a file and call it with their own arguments; the
configuration therefore travels as keyword arguments (veRL: custom_reward_function.reward_kwargs)
or through a factory (OpenRLHF). One CodeReward (one sandbox pool) per configuration per process.

A sandbox failure (status sandbox_error) has no honest float. By default the adapters raise
SandboxFailure, so the step fails loudly instead of training on a fake 0; on_sandbox_error="nan"
returns NaN instead (the trainer must then mask it), a float (e.g. 0.0) substitutes that value
on purpose, and the count is always in the logs.

Ground truth / labels name the problem, as JSON (string or already parsed):
    "HumanEval/0"                                   a task_id (data_source / benchmark names the benchmark)
    {"task_id": "HumanEval/0"}
    ["assert add(1, 2) == 3", ...]                  asserts
    {"tests": [...], "entry_point": "add"}          or {"test": "def check(candidate): ...", "entry_point": ...}
    {"inputs": ["1 2\\n"], "outputs": ["3\\n"]}        stdin/stdout
"""
from __future__ import annotations

import json
import math
import threading
from typing import Any, Optional, Sequence, Union

from harness.errors import UserError
from harness.rewards.code_reward import CodeReward, RewardBatch

_REWARDS: dict[tuple, CodeReward] = {}
_REWARDS_LOCK = threading.Lock()
ADAPTER_OPTIONS = ("mode", "shaping", "sandbox", "workers", "timeout_s", "memory_mb", "judge", "image", "runtime",
                   "data_path", "split")


class SandboxFailure(RuntimeError):
    """The sandbox failed (after retries) on some completions: their reward is unknown, not 0."""


def shared_reward(benchmark: Optional[str] = None, **options) -> CodeReward:
    """The process-wide CodeReward for this configuration (made once: frameworks call per sample)."""
    unknown = set(options) - set(ADAPTER_OPTIONS)
    if unknown:
        raise UserError(f"unknown reward options: {', '.join(sorted(unknown))}; known: {', '.join(ADAPTER_OPTIONS)}")
    key = (benchmark, json.dumps(options, sort_keys=True, default=str))
    with _REWARDS_LOCK:
        reward = _REWARDS.get(key)
        if reward is None:
            reward = _REWARDS[key] = CodeReward(benchmark, **options)
    return reward


def parse_ground_truth(value: Any) -> dict:
    """A label / ground truth as reward columns (task_id or inline tests)."""
    if isinstance(value, (bytes, bytearray)):
        value = value.decode()
    if isinstance(value, str):
        text = value.strip()
        if text[:1] in "[{\"":
            try:
                value = json.loads(text)
            except json.JSONDecodeError as e:
                raise UserError(f"ground truth is not valid JSON ({e.msg}): {text[:80]!r}") from None
        else:
            return {"task_id": text}
    if isinstance(value, str):
        return {"task_id": value}
    if isinstance(value, (list, tuple)):
        return {"tests": list(value)}
    if hasattr(value, "tolist"):  # numpy arrays from parquet columns
        return {"tests": value.tolist()}
    if isinstance(value, dict):
        return {k: (v.tolist() if hasattr(v, "tolist") else v) for k, v in value.items()}
    raise UserError(f"ground truth must be a task_id, a list of asserts or a JSON object, got {type(value).__name__}")


def _columns(labels: Sequence[Any]) -> dict[str, list]:
    rows = [parse_ground_truth(x) for x in labels]
    names = sorted({k for r in rows for k in r})
    return {k: [r.get(k) for r in rows] for k in names}


def _resolve_failures(batch: RewardBatch, on_sandbox_error: Union[str, float]) -> list[float]:
    failed = [i for i, r in enumerate(batch.rewards) if r is None]
    if failed and on_sandbox_error == "raise":
        first = batch.results[failed[0]]
        raise SandboxFailure(f"sandbox failed on {len(failed)} of {len(batch.rewards)} completions "
                             f"(first: {first.task_id}: {first.detail}); their rewards are unknown. "
                             "Fix the sandbox, or pass on_sandbox_error='nan' to mask them yourself")
    if on_sandbox_error == "nan":
        fill = math.nan
    elif isinstance(on_sandbox_error, (int, float)) and not isinstance(on_sandbox_error, bool):
        fill = float(on_sandbox_error)
    elif on_sandbox_error != "raise":
        raise UserError(f"on_sandbox_error must be 'raise', 'nan' or a number, got {on_sandbox_error!r}")
    return [fill if r is None else r for r in batch.rewards]


def _benchmark_for(data_source: Optional[str], benchmark: Optional[str]) -> Optional[str]:
    """veRL's data_source names the benchmark when it is a registered one (e.g. "humaneval")."""
    if benchmark is not None:
        return benchmark
    from benchmarks_data.registry import BENCHMARKS

    return data_source if data_source in BENCHMARKS else None


# ---------------------------------------------------------------- veRL
def compute_score(data_source: str, solution_str: str, ground_truth: Any, extra_info: Optional[dict] = None,
                  benchmark: Optional[str] = None, on_sandbox_error: Union[str, float] = "raise",
                  **options) -> float:
    """veRL custom reward function (NaiveRewardManager calls it once per response).

    Example (veRL config, Hydra overrides):

        custom_reward_function.path=$(python -c "import harness.rewards.adapters as a; print(a.__file__)")
        custom_reward_function.name=compute_score
        +custom_reward_function.reward_kwargs.sandbox=docker
        +custom_reward_function.reward_kwargs.mode=binary
        +custom_reward_function.reward_kwargs.timeout_s=5

    with each parquet row holding data_source="humaneval" and reward_model.ground_truth="HumanEval/0",
    or any data_source and ground_truth='{"tests": ["assert add(1, 2) == 3"]}'. For throughput prefer
    reward_model.reward_manager=batch with custom_reward_function.name=compute_score_batch: the whole
    batch then runs on the pool at once.

    Raises SandboxFailure when the sandbox failed (see the module docstring for on_sandbox_error).
    """
    return compute_score_batch([data_source], [solution_str], [ground_truth], [extra_info], benchmark=benchmark,
                               on_sandbox_error=on_sandbox_error, **options)[0]


def compute_score_batch(data_sources: Sequence[str], solution_strs: Sequence[str], ground_truths: Sequence[Any],
                        extra_infos: Optional[Sequence[Optional[dict]]] = None, benchmark: Optional[str] = None,
                        on_sandbox_error: Union[str, float] = "raise", **options) -> list[float]:
    """veRL BatchRewardManager contract: lists in, one float per response out (same config as compute_score)."""
    rewards: list[Optional[float]] = [None] * len(solution_strs)
    # One CodeReward per benchmark; rows of different data sources are scored in their own batches.
    by_bench: dict[Optional[str], list[int]] = {}
    for i, source in enumerate(data_sources):
        by_bench.setdefault(_benchmark_for(source, benchmark), []).append(i)
    for bench, idx in by_bench.items():
        reward = shared_reward(bench, **options)
        batch = reward.score(None, [solution_strs[i] for i in idx], **_columns([ground_truths[i] for i in idx]))
        for i, value in zip(idx, _resolve_failures(batch, on_sandbox_error)):
            rewards[i] = value
    return rewards  # type: ignore[return-value]


# ---------------------------------------------------------------- OpenRLHF
def _response_of(query: str, prompt: str) -> str:
    """OpenRLHF passes query = prompt + response (decoded with special tokens); keep the response."""
    return query[len(prompt):] if prompt and query.startswith(prompt) else query


def make_openrlhf_reward_func(benchmark: Optional[str] = None, on_sandbox_error: Union[str, float] = "raise",
                              **options):
    """An OpenRLHF `reward_func(queries, prompts, labels)` bound to one configuration.

    Example: reward_func.py, passed as `--remote_rm_url reward_func.py --label_key tests`:

        from harness.rewards.adapters import make_openrlhf_reward_func
        reward_func = make_openrlhf_reward_func(benchmark="humaneval", sandbox="docker", mode="binary")

    where each label is a task_id ("HumanEval/0") or inline tests (see the module docstring).
    Returns {"rewards": tensor, "scores": tensor, "extra_logs": {...}} (torch imported on call).
    The HTTP form of the same contract is `codeharness serve` at POST /v1/openrlhf.
    """

    def reward_func(queries: Sequence[str], prompts: Sequence[str], labels: Sequence[Any]) -> dict:
        import torch

        values, batch = openrlhf_rewards(queries, prompts, labels, benchmark, on_sandbox_error, **options)
        logs = openrlhf_logs(batch)
        return {"rewards": torch.tensor(values, dtype=torch.float32),
                "scores": torch.tensor(values, dtype=torch.float32),
                "extra_logs": {k: torch.tensor(v, dtype=torch.float32) for k, v in logs.items()}}

    reward_func.__name__ = "reward_func"
    return reward_func


def openrlhf_rewards(queries: Sequence[str], prompts: Sequence[str], labels: Sequence[Any],
                     benchmark: Optional[str] = None, on_sandbox_error: Union[str, float] = "raise",
                     **options) -> tuple[list[float], RewardBatch]:
    if not (len(queries) == len(prompts) == len(labels)):
        raise UserError(f"{len(queries)} queries, {len(prompts)} prompts and {len(labels)} labels: lengths differ")
    reward = shared_reward(benchmark, **options)
    responses = [_response_of(q, p) for q, p in zip(queries, prompts)]
    batch = reward.score(None, responses, **_columns(labels))
    return _resolve_failures(batch, on_sandbox_error), batch


def openrlhf_logs(batch: RewardBatch) -> dict[str, list[float]]:
    """Per-sample values OpenRLHF averages into its logs."""
    return {"pass": [float(r.passed) for r in batch.results],
            "sandbox_error": [float(r.status == "sandbox_error") for r in batch.results],
            "syntax_error": [float(r.status == "syntax_error") for r in batch.results],
            "timeout": [float(r.status == "timeout") for r in batch.results]}


reward_func = make_openrlhf_reward_func()
"""OpenRLHF reward_func with defaults (docker sandbox, binary mode, inline tests or no benchmark)."""
