"""CodeReward behind the reward contracts of veRL and OpenRLHF (TRL takes CodeReward itself).

Both frameworks load a function from a file and call it with their own arguments; the
configuration therefore travels as keyword arguments (veRL: reward_kwargs) or through a factory
(OpenRLHF). One CodeReward per configuration per process, all of a machine's processes sharing
one sandbox pool (see shared_reward).

A sandbox failure (status sandbox_error) has no honest float. veRL: by default compute_score
raises SandboxFailure, so the step fails loudly instead of training on a fake 0;
on_sandbox_error="nan" returns NaN (but veRL's GRPO then computes NaN advantages for the whole
group: only for a trainer that masks NaN itself), a number substitutes that value on purpose.
OpenRLHF swallows exceptions and crashes later on None, so its reward_func needs a number.

Ground truth / labels name the problem, as JSON (string or already parsed):
    "HumanEval/0", 11                               a task_id (data_source, extra_info["benchmark"] or
                                                    benchmark= names the benchmark; 11 -> "Mbpp/11")
    {"task_id": "HumanEval/0"}
    ["assert add(1, 2) == 3", ...]                  asserts; also {"tests": [...]} / {"assert_case": [...]}
    {"tests": [...], "entry_point": "add"}          or {"test": "def check(candidate): ...", "entry_point": ...}
    {"inputs": ["1 2\\n"], "outputs": ["3\\n"]}        stdin/stdout
    {"inputs": ["1\\n2"], "outputs": ["3"], "fn_name": "add"}    calls, APPS/TACO style (JSON lines per input)
    {"inputs": [[1, 2]], "outputs": [3], "fn_name": "add"}       calls, argument lists
Any other key is an error naming it (see benchmarks_data/inline.py for the forms in detail).
"""
from __future__ import annotations

import asyncio
import json
import logging
import math
import os
import threading
from typing import Any, Optional, Sequence, Union

from benchmarks_data.inline import INLINE_FIELDS

from harness.errors import UserError
from harness.rewards.code_reward import CodeReward, RewardBatch

log = logging.getLogger("codeharness.rewards")
_REWARDS: dict[tuple, CodeReward] = {}
_REWARDS_LOCK = threading.Lock()
ADAPTER_OPTIONS = ("mode", "shaping", "sandbox", "workers", "timeout_s", "memory_mb", "judge", "image", "runtime",
                   "data_path", "split", "share")


class SandboxFailure(RuntimeError):
    """The sandbox failed (after retries) on some completions: their reward is unknown, not 0."""


def shared_reward(benchmark: Optional[str] = None, **options) -> CodeReward:
    """The process-wide CodeReward for this configuration (made once: frameworks call per sample).

    Its pool is the node's shared one unless share= or $CODEHARNESS_POOL says "process": veRL's reward
    workers and OpenRLHF's actors are many processes per machine, and one pool each would oversubscribe it."""
    unknown = set(options) - set(ADAPTER_OPTIONS)
    if unknown:
        raise UserError(f"unknown reward options: {', '.join(sorted(unknown))}; known: {', '.join(ADAPTER_OPTIONS)}")
    options.setdefault("share", os.environ.get("CODEHARNESS_POOL") or "node")
    key = (benchmark, json.dumps(options, sort_keys=True, default=str))
    with _REWARDS_LOCK:
        reward = _REWARDS.get(key)
        if reward is None:
            reward = _REWARDS[key] = CodeReward(benchmark, **options)
    return reward


GROUND_TRUTH_KEYS = ("task_id",) + INLINE_FIELDS

# Hugging Face dataset names (veRL's data_source is often one) -> registered benchmarks.
DATASET_BENCHMARKS = {
    "openai/openai_humaneval": "humaneval", "openai_humaneval": "humaneval",
    "evalplus/humanevalplus": "humaneval-plus",
    "mbpp": "mbpp", "google-research-datasets/mbpp": "mbpp", "evalplus/mbppplus": "mbpp-plus",
    "newfacade/leetcodedataset": "leetcodedataset",
}


def parse_ground_truth(value: Any) -> dict:
    """A label / ground truth as reward columns (task_id or inline tests)."""
    if isinstance(value, (bytes, bytearray)):
        value = value.decode()
    if hasattr(value, "item") and getattr(value, "ndim", None) == 0:  # a numpy scalar from parquet
        value = value.item()
    if isinstance(value, int) and not isinstance(value, bool):
        return {"task_id": value}
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return {}  # the problem is named elsewhere (extra_info's task_id) or nowhere: resolve says so
        if text[0] in "[{\"":
            try:
                value = json.loads(text)
            except json.JSONDecodeError as e:
                raise UserError(f"ground truth is not valid JSON ({e.msg}): {text[:80]!r}") from None
        else:
            return {"task_id": text}
    if isinstance(value, str):
        return {"task_id": value}
    if hasattr(value, "tolist"):  # numpy arrays from parquet columns
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return {"tests": list(value)}
    if isinstance(value, dict):
        unknown = sorted(str(k) for k in value if k not in GROUND_TRUTH_KEYS)
        if unknown:
            raise UserError(f"ground truth: unknown key {', '.join(map(repr, unknown))}; "
                            f"known: {', '.join(GROUND_TRUTH_KEYS)}")
        return {k: (v.tolist() if hasattr(v, "tolist") else v) for k, v in value.items()}
    raise UserError(f"ground truth must be a task_id, a list of asserts or a JSON object, got {type(value).__name__}")


def _columns(labels: Sequence[Any], extra_infos: Optional[Sequence[Optional[dict]]] = None) -> dict[str, list]:
    rows = [parse_ground_truth(x) for x in labels]
    for row, info in zip(rows, extra_infos or ()):
        if isinstance(info, dict) and info.get("task_id") is not None:
            row.setdefault("task_id", info["task_id"])
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


def _benchmark_for(data_source: Optional[str], benchmark: Optional[str], extra_info: Optional[dict]) -> Optional[str]:
    """benchmark= (reward_kwargs), else extra_info["benchmark"], else veRL's data_source when it names a
    registered benchmark or a known dataset ("humaneval", "openai/openai_humaneval"); else inline tests."""
    from benchmarks_data.registry import BENCHMARKS

    if benchmark is None and isinstance(extra_info, dict) and extra_info.get("benchmark"):
        benchmark = str(extra_info["benchmark"])
        benchmark = DATASET_BENCHMARKS.get(benchmark.lower(), benchmark)
        if benchmark not in BENCHMARKS:
            raise UserError(f"extra_info['benchmark']: unknown benchmark {benchmark!r}; "
                            f"known: {', '.join(sorted(BENCHMARKS))}")
    if benchmark is not None:
        return benchmark
    source = str(data_source or "")
    if source in BENCHMARKS:
        return source
    return DATASET_BENCHMARKS.get(source.lower())


# ---------------------------------------------------------------- veRL
def compute_score(data_source: str, solution_str: str, ground_truth: Any, extra_info: Optional[dict] = None,
                  benchmark: Optional[str] = None, on_sandbox_error: Union[str, float] = "raise",
                  return_dict: bool = False, **options) -> Union[float, dict]:
    """veRL custom reward function (its reward manager calls it once per response).

    veRL >= 0.7 (reward loop), Hydra overrides:

        reward.custom_reward_function.path=$(python -c "import harness.adapters as a; print(a.__file__)")
        reward.custom_reward_function.name=compute_score        # or compute_score_async
        +reward.custom_reward_function.reward_kwargs.sandbox=process
        +reward.custom_reward_function.reward_kwargs.return_dict=true

    veRL <= 0.6: the same keys without the `reward.` prefix; reward_model.reward_manager=batch with
    custom_reward_function.name=compute_score_batch scores a whole batch at once.

    Each parquet row holds data_source (a benchmark or dataset name, or anything for inline tests)
    and reward_model.ground_truth (see the module docstring); extra_info's task_id and benchmark are
    read when present. return_dict=True returns {"score", "passed", "status"}: veRL logs the extra keys.
    Raises SandboxFailure when the sandbox failed (see the module docstring for on_sandbox_error).
    """
    return _verl_batch([data_source], [solution_str], [ground_truth], [extra_info], benchmark, on_sandbox_error,
                       return_dict, options)[0]


async def compute_score_async(data_source: str, solution_str: str, ground_truth: Any,
                              extra_info: Optional[dict] = None, benchmark: Optional[str] = None,
                              on_sandbox_error: Union[str, float] = "raise", return_dict: bool = False,
                              **options) -> Union[float, dict]:
    """compute_score as a coroutine: veRL's reward loop awaits it instead of holding a thread per sample."""
    bench = _benchmark_for(data_source, benchmark, extra_info)
    reward = shared_reward(bench, **options)
    batch, futures = await asyncio.to_thread(reward.submit, None, [solution_str],
                                             **_columns([ground_truth], [extra_info]))
    outcomes = await asyncio.gather(*(asyncio.wrap_future(f) for f in futures))
    done = reward.finish(batch, outcomes)
    return _verl_values(done, _resolve_failures(done, on_sandbox_error), return_dict)[0]


def compute_score_batch(data_sources: Sequence[str], solution_strs: Sequence[str], ground_truths: Sequence[Any],
                        extra_infos: Optional[Sequence[Optional[dict]]] = None, benchmark: Optional[str] = None,
                        on_sandbox_error: Union[str, float] = "raise", return_dict: bool = False,
                        **options) -> list:
    """veRL <= 0.6 BatchRewardManager contract: lists in, one value per response out (as compute_score)."""
    return _verl_batch(data_sources, solution_strs, ground_truths, extra_infos, benchmark, on_sandbox_error,
                       return_dict, options)


def _verl_values(batch: RewardBatch, values: list[float], return_dict: bool) -> list:
    if not return_dict:
        return values
    return [{"score": v, "passed": float(r.passed), "status": r.status} for v, r in zip(values, batch.results)]


def _verl_batch(data_sources, solution_strs, ground_truths, extra_infos, benchmark, on_sandbox_error,
                return_dict: bool, options: dict) -> list:
    if not (len(data_sources) == len(solution_strs) == len(ground_truths)):
        raise UserError(f"{len(data_sources)} data sources, {len(solution_strs)} solutions and "
                        f"{len(ground_truths)} ground truths: lengths differ")
    infos = list(extra_infos) if extra_infos is not None else [None] * len(solution_strs)
    out: list = [None] * len(solution_strs)
    # One CodeReward per benchmark; rows of different data sources are scored in their own batches.
    by_bench: dict[Optional[str], list[int]] = {}
    for i, source in enumerate(data_sources):
        by_bench.setdefault(_benchmark_for(source, benchmark, infos[i]), []).append(i)
    for bench, idx in by_bench.items():
        reward = shared_reward(bench, **options)
        batch = reward.score(None, [solution_strs[i] for i in idx],
                             **_columns([ground_truths[i] for i in idx], [infos[i] for i in idx]))
        for i, value in zip(idx, _verl_values(batch, _resolve_failures(batch, on_sandbox_error), return_dict)):
            out[i] = value
    return out


# ---------------------------------------------------------------- OpenRLHF
def _response_of(query: str, prompt: str) -> str:
    """OpenRLHF passes query = prompt + response (decoded with special tokens); keep the response."""
    return query[len(prompt):] if prompt and query.startswith(prompt) else query


def sandbox_error_fill(value: Any, where: str) -> float:
    """The reward OpenRLHF gets for a sandbox failure: a finite number the operator chose. OpenRLHF
    turns an exception or a null into a crash far from the cause, and NaN poisons the advantages."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise UserError(f"{where}: OpenRLHF needs a finite number for a sandbox failure's reward "
                        f"(e.g. 0.0 or -1.0; counted in extra_logs sandbox_error), got {value!r}")
    return float(value)


def make_openrlhf_reward_func(benchmark: Optional[str] = None, *, on_sandbox_error: float, **options):
    """An OpenRLHF `reward_func(queries, prompts, labels)` bound to one configuration.

    Example: reward_func.py, passed as `--reward.remote_url reward_func.py --data.label_key label`
    (OpenRLHF >= 0.10; older: `--remote_rm_url`, `--label_key`):

        from harness.rewards.adapters import make_openrlhf_reward_func
        reward_func = make_openrlhf_reward_func(benchmark="humaneval", on_sandbox_error=0.0, sandbox="docker")

    where each label is a task_id ("HumanEval/0") or inline tests (see the module docstring).
    on_sandbox_error (required) is the reward of a sample whose sandbox failed after its retry: it is
    logged at error level and counted in extra_logs["sandbox_error"]. A bad label raises after an
    error-level log line (OpenRLHF itself logs the exception at info level only).
    Returns {"rewards": tensor, "scores": tensor, "extra_logs": {...}} (torch imported on call).
    The HTTP form of the same contract is `codeharness serve` at POST /v1/openrlhf[/BENCHMARK].
    """
    fill = sandbox_error_fill(on_sandbox_error, "make_openrlhf_reward_func(on_sandbox_error=...)")
    unknown = set(options) - set(ADAPTER_OPTIONS)
    if unknown:
        raise UserError(f"unknown reward options: {', '.join(sorted(unknown))}; known: {', '.join(ADAPTER_OPTIONS)}")

    def reward_func(queries: Sequence[str], prompts: Sequence[str], labels: Sequence[Any]) -> dict:
        import torch

        try:
            values, batch = openrlhf_rewards(queries, prompts, labels, benchmark, fill, **options)
        except Exception as e:
            log.error("codeharness reward_func failed (OpenRLHF will record no reward): %s", e)
            raise
        logs = openrlhf_logs(batch)
        return {"rewards": torch.tensor(values, dtype=torch.float32),
                "scores": torch.tensor(values, dtype=torch.float32),
                "extra_logs": {k: torch.tensor(v, dtype=torch.float32) for k, v in logs.items()}}

    reward_func.__name__ = "reward_func"
    return reward_func


def openrlhf_rewards(queries: Sequence[str], prompts: Sequence[str], labels: Sequence[Any],
                     benchmark: Optional[str] = None, fill: float = 0.0,
                     **options) -> tuple[list[float], RewardBatch]:
    if not (len(queries) == len(prompts) == len(labels)):
        raise UserError(f"{len(queries)} queries, {len(prompts)} prompts and {len(labels)} labels: lengths differ")
    reward = shared_reward(benchmark, **options)
    responses = [_response_of(q, p) for q, p in zip(queries, prompts)]
    batch = reward.score(None, responses, **_columns(labels))
    return fill_sandbox_errors(batch, fill), batch


def fill_sandbox_errors(batch: RewardBatch, fill: float) -> list[float]:
    """Rewards with `fill` for each sandbox failure, each one logged at error level."""
    for r, value in zip(batch.results, batch.rewards):
        if value is None:
            log.error("sandbox failed on %s after its retry: reward %s (extra_logs sandbox_error=1): %s",
                      r.task_id, fill, r.detail)
    return [fill if v is None else v for v in batch.rewards]


def openrlhf_logs(batch: RewardBatch) -> dict[str, list[float]]:
    """Per-sample values OpenRLHF averages into its logs."""
    return {"pass": [float(r.passed) for r in batch.results],
            "sandbox_error": [float(r.status == "sandbox_error") for r in batch.results],
            "syntax_error": [float(r.status == "syntax_error") for r in batch.results],
            "timeout": [float(r.status == "timeout") for r in batch.results]}
