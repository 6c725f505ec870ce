"""PPO and PF-PPO on execution rewards. One `step` reads top to bottom:

  1. sample N completions per prompt with the current policy            (rollout.generate_rollouts)
  2. reward each: injected TRL-contract callable, reward model, or a mix; None = sandbox
     failure, dropped and counted, never a 0. The actual score (score_fn) is only logged.
  3. policy filtration per prompt (PF-PPO; strategy "none" = plain PPO)   (filtration.filter_batch)
  4. old log-probs, reference log-probs, values; per-token reward = score at EOS - beta * KL;
     GAE advantages, whitened                                              (ppo_math)
  5. `ppo_epochs` passes over shuffled minibatches: clipped policy loss, clipped value loss
  6. adapt beta, log everything (JSONL + console + TensorBoard when installed)

A reward callable may expose `last_counts: dict[str, int]` (e.g. verdict statuses such as
"timeout", "sandbox_error" of its last call); those are logged as `exec/<status>` (the score
callable's, when a reward model is the reward). Seconds spent generating, executing (reward and
score), and training are logged as time/*, with time/execution_share = execution / whole step.
"""
from __future__ import annotations

import copy
import random
import time
from typing import Any, Callable, Optional, Sequence

import numpy as np
import torch

from trainers import ppo_math as pm
from trainers.config import PPOConfig
from trainers.filtration import filter_batch
from trainers.metrics_log import MetricsLogger
from trainers.rollout import (RewardFn, RolloutBatch, call_reward, critic_forward, generate_rollouts,
                              logprobs_from_logits, policy_forward)
from trainers.scalar_head import ScalarHeadModel

CONSOLE_KEYS = ("reward/mean", "reward/kept_mean", "score/mean", "filter/kept_fraction", "kl",
                "entropy", "policy/clipfrac", "value/loss")


def _mean_std(xs: Sequence[Optional[float]]) -> tuple[float, float]:
    vals = [x for x in xs if x is not None]
    return (float(np.mean(vals)), float(np.std(vals))) if vals else (float("nan"), float("nan"))


class PPOTrainer:
    def __init__(self, cfg: PPOConfig, policy=None, tokenizer=None, reward_fn: Optional[RewardFn] = None,
                 reward_model: Optional[RewardFn] = None, score_fn: Optional[RewardFn] = None,
                 ref_policy=None, critic: Optional[ScalarHeadModel] = None,
                 logger: Optional[MetricsLogger] = None):
        from transformers import AutoModelForCausalLM, AutoTokenizer

        if cfg.reward_source in ("fn", "mix") and reward_fn is None:
            raise ValueError(f"reward_source={cfg.reward_source!r} needs a reward_fn")
        if cfg.reward_source in ("rm", "mix") and reward_model is None:
            raise ValueError(f"reward_source={cfg.reward_source!r} needs a reward_model callable")
        if cfg.temperature <= 0:
            raise ValueError("temperature must be > 0: PPO needs the sampling distribution's log-probs")
        if cfg.kl_estimator not in pm.KL_ESTIMATORS:
            raise ValueError(f"kl_estimator must be one of {sorted(pm.KL_ESTIMATORS)}, got {cfg.kl_estimator!r}")
        filter_batch([[0.0]], cfg.filter_strategy, cfg.filter_k, cfg.filter_mode)   # fail fast on a bad filter
        if cfg.value_mode not in ("separate", "shared"):
            raise ValueError(f"value_mode must be 'separate' or 'shared', got {cfg.value_mode!r}")
        self.cfg = cfg
        torch.manual_seed(cfg.seed)
        self.device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        self.policy = policy or AutoModelForCausalLM.from_pretrained(cfg.model_name_or_path)
        self.tokenizer = tokenizer or AutoTokenizer.from_pretrained(cfg.model_name_or_path)
        if self.tokenizer.pad_token_id is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        if ref_policy is None:
            ref_path = cfg.ref_model_name_or_path
            ref_policy = AutoModelForCausalLM.from_pretrained(ref_path) if ref_path else copy.deepcopy(self.policy)
        self.ref_policy = ref_policy.to(self.device).eval().requires_grad_(False)
        self.policy.to(self.device).train()
        if cfg.gradient_checkpointing:
            self.policy.gradient_checkpointing_enable()
        self.value_head, self.critic = None, None
        if cfg.value_mode == "shared":
            self.value_head = ScalarHeadModel(self.policy).head.to(self.device)   # a fresh head on the policy's width
            params = list(self.policy.parameters()) + list(self.value_head.parameters())
            self.policy_opt = torch.optim.AdamW(params, lr=cfg.policy_lr)
            self.critic_opt = None
        else:
            if critic is None:
                path = cfg.critic_model_name_or_path
                critic = ScalarHeadModel.from_pretrained(path) if path else ScalarHeadModel(copy.deepcopy(self.policy))
            self.critic = critic.to(self.device).train()
            self.policy_opt = torch.optim.AdamW(self.policy.parameters(), lr=cfg.policy_lr)
            self.critic_opt = torch.optim.AdamW(self.critic.parameters(), lr=cfg.critic_lr)
        self.kl_ctl = (pm.AdaptiveKLController(cfg.kl_coef, cfg.kl_target, cfg.kl_horizon) if cfg.adaptive_kl
                       else pm.FixedKLController(cfg.kl_coef))
        self.kl_fn = pm.KL_ESTIMATORS[cfg.kl_estimator]
        self.reward_fn, self.reward_model, self.score_fn = reward_fn, reward_model, score_fn
        self.logger = logger or MetricsLogger(cfg.output_dir, console_keys=CONSOLE_KEYS)
        self.step_count = 0
        self.use_bf16 = cfg.bf16 and self.device.type == "cuda"

    # -- 2. rewards ---------------------------------------------------------------------------
    def _rewards(self, prompts, completions, columns) -> tuple[list[Optional[float]], float, dict]:
        extra: dict[str, Any] = {}
        fn_r, seconds = ([None] * len(prompts), 0.0)
        if self.cfg.reward_source in ("fn", "mix"):
            fn_r, seconds = call_reward(self.reward_fn, prompts, completions, columns)
            extra.update({f"exec/{k}": v for k, v in (getattr(self.reward_fn, "last_counts", None) or {}).items()})
        if self.cfg.reward_source == "fn":
            return fn_r, seconds, extra
        rm_r, rm_seconds = call_reward(self.reward_model, prompts, completions, columns)
        extra["time/reward_model"] = rm_seconds
        if self.cfg.reward_source == "rm":
            return rm_r, seconds, extra
        w = self.cfg.rm_weight
        mixed = [None if (a is None or b is None) else (1 - w) * a + w * b for a, b in zip(fn_r, rm_r)]
        return mixed, seconds, extra

    # -- 4. experience ------------------------------------------------------------------------
    @torch.no_grad()
    def _experience(self, batch: RolloutBatch, scores: torch.Tensor) -> dict[str, torch.Tensor]:
        mask = batch.response_mask
        with torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=self.use_bf16):
            logits, values = policy_forward(self.policy, batch, self.cfg.temperature, self.value_head)
            ref_logits, _ = policy_forward(self.ref_policy, batch, self.cfg.temperature)
            if self.critic is not None:
                values = critic_forward(self.critic, batch)
        old_logprobs = logprobs_from_logits(logits, batch.response_ids)
        ref_logprobs = logprobs_from_logits(ref_logits, batch.response_ids)
        values = values.float() * mask
        kl = self.kl_fn(old_logprobs, ref_logprobs) * mask
        rewards = pm.token_rewards(scores, kl, self.kl_ctl.value, mask)
        advantages, returns = pm.gae_advantages(rewards, values, mask, self.cfg.gamma, self.cfg.lam)
        if self.cfg.whiten_advantages:
            advantages = pm.whiten(advantages, mask)
        return {"old_logprobs": old_logprobs, "values": values, "advantages": advantages, "returns": returns,
                "kl": kl, "mask": mask}

    # -- 5. update ----------------------------------------------------------------------------
    def _update(self, batch: RolloutBatch, exp: dict[str, torch.Tensor]) -> dict[str, float]:
        cfg, sums, n = self.cfg, {}, 0
        gen = torch.Generator().manual_seed(cfg.seed * 7919 + self.step_count)
        for _ in range(cfg.ppo_epochs):
            for rows in torch.randperm(len(batch), generator=gen).split(cfg.minibatch_size):
                mb, e = batch.select(rows.tolist()), {k: v[rows.to(self.device)] for k, v in exp.items()}
                mask = e["mask"]
                with torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=self.use_bf16):
                    logits, values = policy_forward(self.policy, mb, cfg.temperature, self.value_head)
                    if self.critic is not None:
                        values = critic_forward(self.critic, mb)
                logprobs = logprobs_from_logits(logits, mb.response_ids)
                pg_loss, info = pm.policy_loss(logprobs, e["old_logprobs"], e["advantages"], mask, cfg.clip_range)
                entropy = pm.masked_mean(pm.entropy_from_logits(logits.float()), mask)
                vf_loss, vinfo = pm.value_loss(values.float(), e["values"], e["returns"], mask, cfg.clip_range_value)
                policy_obj = pg_loss - cfg.entropy_coef * entropy
                if self.critic is None:                     # shared backbone: one loss, one optimizer
                    (policy_obj + cfg.vf_coef * vf_loss).backward()
                    torch.nn.utils.clip_grad_norm_(self.policy_opt.param_groups[0]["params"], cfg.max_grad_norm)
                else:
                    (policy_obj + vf_loss).backward()       # disjoint parameters: gradients do not mix
                    torch.nn.utils.clip_grad_norm_(self.policy.parameters(), cfg.max_grad_norm)
                    torch.nn.utils.clip_grad_norm_(self.critic.parameters(), cfg.max_grad_norm)
                    self.critic_opt.step()
                    self.critic_opt.zero_grad(set_to_none=True)
                self.policy_opt.step()
                self.policy_opt.zero_grad(set_to_none=True)
                for key, val in (("policy/loss", pg_loss), ("value/loss", vf_loss), ("entropy", entropy),
                                 ("policy/clipfrac", info["clipfrac"]), ("policy/approx_kl", info["approx_kl"]),
                                 ("value/clipfrac", vinfo["vf_clipfrac"])):
                    sums[key] = sums.get(key, 0.0) + float(val.detach())
                n += 1
        return {k: v / max(1, n) for k, v in sums.items()}

    # -- one iteration --------------------------------------------------------------------------
    def step(self, records: Sequence[dict]) -> dict[str, Any]:
        cfg = self.cfg
        self.step_count += 1
        t0 = time.perf_counter()
        prompts = [r["prompt"] for r in records]
        batch = generate_rollouts(self.policy, self.tokenizer, prompts, cfg.samples_per_prompt,
                                  cfg.max_new_tokens, cfg.temperature, cfg.top_p)
        t_gen = time.perf_counter() - t0
        columns = {k: [records[g][k] for g in batch.group] for k in records[0] if k != "prompt"}
        rewards, t_exec, extra = self._rewards(batch.prompts, batch.completions, columns)
        scores, t_score = (call_reward(self.score_fn, batch.prompts, batch.completions, columns) if self.score_fn
                           else (None, 0.0))
        if cfg.reward_source == "rm":   # execution happens only for the score: its statuses are the ones to see
            extra.update({f"exec/{k}": v for k, v in (getattr(self.score_fn, "last_counts", None) or {}).items()})

        rows_of = [[row for row, g in enumerate(batch.group) if g == p] for p in range(len(prompts))]
        result = filter_batch([[rewards[row] for row in rows] for rows in rows_of], cfg.filter_strategy,
                              cfg.filter_k, cfg.filter_mode, cfg.pow_exponent, seed=cfg.seed * 1000003 + self.step_count)
        kept_rows = [rows_of[p][i] for p, kept in enumerate(result.kept) for i in kept]
        lengths = batch.response_mask.sum(-1)
        metrics: dict[str, Any] = {
            "reward/mean": _mean_std(rewards)[0], "reward/std": _mean_std(rewards)[1],
            "reward/kept_mean": _mean_std([rewards[r] for r in kept_rows])[0],
            "reward/kept_std": _mean_std([rewards[r] for r in kept_rows])[1],
            **{f"filter/{k}": v for k, v in result.stats.as_dict().items()},
            "sandbox_failures": result.stats.n_failed, "response_length": float(lengths.mean()),
            "kl_coef": self.kl_ctl.value, "time/generation": t_gen, "time/execution": t_exec,
            "time/score": t_score, **extra}
        if scores is not None:
            metrics.update({"score/mean": _mean_std(scores)[0], "score/std": _mean_std(scores)[1],
                            "score/kept_mean": _mean_std([scores[r] for r in kept_rows])[0],
                            "score/kept_std": _mean_std([scores[r] for r in kept_rows])[1]})
        if kept_rows:
            t1 = time.perf_counter()
            kept = batch.select(kept_rows)
            exp = self._experience(kept, torch.tensor([rewards[r] for r in kept_rows], device=self.device))
            seq_kl = exp["kl"].sum(-1).mean().item()
            metrics.update(self._update(kept, exp))
            metrics.update({"kl": seq_kl, "kept_response_length": float(kept.response_mask.sum(-1).mean()),
                            "value/explained_variance": pm.explained_variance(exp["values"], exp["returns"], exp["mask"]),
                            "time/training": time.perf_counter() - t1})
            self.kl_ctl.update(seq_kl, len(kept_rows))
        metrics["time/step"] = time.perf_counter() - t0
        # The share of a step spent waiting on the sandbox (reward + score executions).
        metrics["time/execution_share"] = (t_exec + t_score) / max(1e-9, metrics["time/step"])
        if self.step_count % cfg.log_every == 0:
            self.logger.log(self.step_count, metrics)
        return metrics

    def train(self, records: Sequence[dict], eval_fn: Optional[Callable[[Any, Any, int], dict]] = None) -> list[dict]:
        """Run cfg.total_steps steps over `records` ({prompt, ...columns}) in seeded shuffled order."""
        if not records:
            raise ValueError("PPO needs at least one prompt record")
        rng, order, history = random.Random(self.cfg.seed), [], []
        while self.step_count < self.cfg.total_steps:
            if len(order) < self.cfg.prompts_per_step:
                fresh = list(range(len(records)))
                rng.shuffle(fresh)
                order += fresh
            chosen, order = order[:self.cfg.prompts_per_step], order[self.cfg.prompts_per_step:]
            metrics = self.step([records[i] for i in chosen])
            if eval_fn is not None and self.cfg.eval_every and self.step_count % self.cfg.eval_every == 0:
                self.policy.eval()
                metrics.update({f"eval/{k}": v for k, v in eval_fn(self.policy, self.tokenizer, self.step_count).items()})
                self.policy.train()
                self.logger.log(self.step_count, {k: v for k, v in metrics.items() if k.startswith("eval/")})
            if self.cfg.save_every and self.step_count % self.cfg.save_every == 0:
                self.save(f"{self.cfg.output_dir}/checkpoint-{self.step_count}")
            history.append(metrics)
        self.save(self.cfg.output_dir)
        return history

    def save(self, path: str) -> None:
        self.policy.save_pretrained(path)
        self.tokenizer.save_pretrained(path)
        if self.critic is not None:
            self.critic.save_pretrained(f"{path}/critic")
        else:
            torch.save(self.value_head.state_dict(), f"{path}/value_head.pt")
