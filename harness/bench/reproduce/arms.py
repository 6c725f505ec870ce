"""One arm = one training run from a model path, with the same budget as the other arms of its kind."""
from __future__ import annotations

import os
import time

from harness.bench.reproduce.evaluation import Evaluator
from harness.bench.reproduce.presets import Preset

SFT_ARMS = {"sft-atomic": "SFT atomic only", "sft-both": "SFT atomic + synthetic"}
# arm -> (starts from, filtration strategy, label); "sft" = the best SFT arm's OUT/final of the same seed.
RL_ARMS = {"ppo": ("sft", "none", "SFT -> PPO"), "pf-bon": ("sft", "bon", "SFT -> PF-PPO BoN"),
           "pf-br": ("sft", "br", "SFT -> PF-PPO BR"), "pf-bw": ("sft", "bw", "SFT -> PF-PPO BW"),
           "rl-base": ("base", "none", "RL from base (no SFT)")}


def label(arm: str) -> str:
    return {"untrained": "untrained base model", **SFT_ARMS, **{a: v[2] for a, v in RL_ARMS.items()}}[arm]


def run_sft_arm(preset: Preset, base: str, records: list[dict], out: str, seed: int, ev: Evaluator) -> dict:
    from trainers.config import SFTConfig
    from trainers.metrics_log import MetricsLogger
    from trainers.sft import train_sft

    # The same budget for every SFT arm: sft_steps optimizer steps of sft_batch sequences (a smaller
    # dataset is seen for more epochs).
    cfg = SFTConfig(model_name_or_path=base, output_dir=out, seed=seed, lr=preset.sft_lr,
                    warmup_steps=max(1, preset.sft_steps // 10), max_steps=preset.sft_steps,
                    batch_size=preset.sft_batch, max_seq_len=preset.max_seq_len, log_every=25,
                    eval_every=preset.sft_eval_every, keep_checkpoints=1, resume=False)
    first = ev.curve_point(*_load(base))["pass@1"]
    start = time.perf_counter()
    result = train_sft(cfg, records, eval_fn=ev.curve_point,
                       logger=MetricsLogger(out, console=False, tensorboard=False))
    curve = [(0, first)] + [(h["step"], h["eval/pass@1"]) for h in result.history if "eval/pass@1" in h]
    return {"curve": curve, "init": os.path.join(out, "final"), "train_seconds": time.perf_counter() - start,
            **ev.final(result.model, result.tokenizer, seed)}


def run_rl_arm(preset: Preset, init: str, strategy: str, train, out: str, seed: int, ev: Evaluator,
               executor) -> dict:
    from harness.training.rewards import VerdictReward, VerdictScore
    from trainers.config import PPOConfig
    from trainers.metrics_log import MetricsLogger
    from trainers.ppo import PPOTrainer

    # The same budget for every RL arm: ppo_steps x prompts_per_step x n_samples sampled responses;
    # filtration (PF-PPO eq. 5's weights, `drop` mode) then chooses which of them train.
    cfg = PPOConfig(model_name_or_path=init, output_dir=out, seed=seed, total_steps=preset.ppo_steps,
                    prompts_per_step=preset.prompts_per_step, samples_per_prompt=preset.n_samples,
                    max_new_tokens=preset.max_new_tokens, policy_lr=preset.ppo_lr, critic_lr=preset.critic_lr,
                    kl_coef=preset.kl_coef, filter_strategy=strategy, eval_every=preset.ppo_eval_every,
                    minibatch_size=max(1, preset.prompts_per_step * preset.n_samples // 4), log_every=1)
    reward = VerdictReward(train.benchmark, executor, "binary")
    trainer = PPOTrainer(cfg, reward_fn=reward, score_fn=VerdictScore(train.benchmark, executor, reward=reward),
                         logger=MetricsLogger(out, console=False, tensorboard=False))
    first = ev.curve_point(trainer.policy, trainer.tokenizer)["pass@1"]
    start = time.perf_counter()
    history = trainer.train([{"prompt": p.prompt, "task_id": p.task_id} for p in train.problems],
                            eval_fn=ev.curve_point)
    curve = [(0, first)] + [(i, h["eval/pass@1"]) for i, h in enumerate(history, 1) if "eval/pass@1" in h]
    rewards = [h["reward/mean"] for h in history if isinstance(h.get("reward/mean"), (int, float))]
    return {"curve": curve, "train_seconds": time.perf_counter() - start,
            "reward_first": rewards[0] if rewards else float("nan"),
            "reward_last": rewards[-1] if rewards else float("nan"),
            **ev.final(trainer.policy, trainer.tokenizer, seed)}


def _load(path: str):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    return AutoModelForCausalLM.from_pretrained(path), AutoTokenizer.from_pretrained(path)
