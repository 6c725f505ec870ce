"""`codeharness bench-training`: SFT -> PPO -> PF-PPO (BR, BW) on execution rewards, one table.

A small model is built from scratch (architecture from the flags; no download) or given with
--model, fine-tuned on reference solutions (atomic or synthetic data), then trained further with
PPO under each filtration strategy from the same SFT checkpoint. Every stage is scored by greedy
pass@1 on held-out problems in the sandbox. Also measured: SFT tokens/s (response + prompt tokens
through forward and backward) and the share of a PPO step spent waiting on the sandbox.

    codeharness bench-training --data atomic --out out/bench-training              # a GPU: defaults
    codeharness bench-training --data synthetic:DIR --hidden 512 --layers 8 --sft-steps 2000 ...

Writes OUT/bench_training.json and OUT/bench_training.md (the table the README shows).
"""
from __future__ import annotations

import os
import time



def build_base_model(args) -> str:
    if args.model:
        return args.model
    from harness.generation.random_model import build_random_model

    path = os.path.join(args.out, "base")
    if not os.path.exists(os.path.join(path, "config.json")):
        build_random_model(path, arch=args.arch, vocab_size=args.vocab, hidden=args.hidden, layers=args.layers,
                           heads=args.heads, max_positions=args.max_positions, corpus_chars=args.corpus_chars,
                           seed=args.seed)
    return path


def sft_tokens_per_s(history: list[dict], key: str = "input_tokens") -> float:
    """Tokens per second between the first and the last logged step (the first step pays for warm-up)."""
    rows = [h for h in history if key in h]
    if len(rows) < 2 or rows[-1]["time"] <= rows[0]["time"]:
        return float("nan")
    return sum(h[key] for h in rows[1:]) / (rows[-1]["time"] - rows[0]["time"])


def run_stage_sft(args, base: str, records: list[dict]) -> tuple[str, dict]:
    from trainers.config import SFTConfig
    from trainers.sft import train_sft

    cfg = SFTConfig(model_name_or_path=base, output_dir=os.path.join(args.out, "sft"), seed=args.seed,
                    lr=args.sft_lr, warmup_steps=min(100, args.sft_steps // 10), max_steps=args.sft_steps,
                    batch_size=args.sft_batch, max_seq_len=args.max_seq_len, log_every=1, resume=False)
    start = time.perf_counter()
    result = train_sft(cfg, records)
    seconds = time.perf_counter() - start
    # input_tokens: whole sequences through forward + backward (what the hardware does); tokens: the
    # response tokens the loss is on.
    return os.path.join(cfg.output_dir, f"checkpoint-{result.step}"), {
        "seconds": seconds, "steps": result.step, "final_loss": result.history[-1]["loss"],
        "tokens_per_s": sft_tokens_per_s(result.history),
        "loss_tokens_per_s": sft_tokens_per_s(result.history, "tokens"),
        "model": result.model, "tokenizer": result.tokenizer}


def run_stage_ppo(args, init: str, strategy: str, data, executor) -> dict:
    from harness.training.rewards import VerdictReward, VerdictScore
    from trainers.config import PPOConfig
    from trainers.ppo import PPOTrainer

    cfg = PPOConfig(model_name_or_path=init, output_dir=os.path.join(args.out, f"ppo-{strategy}"), seed=args.seed,
                    total_steps=args.ppo_steps, prompts_per_step=args.prompts_per_step,
                    samples_per_prompt=args.n_samples, max_new_tokens=args.max_new_tokens,
                    policy_lr=args.ppo_lr, critic_lr=args.critic_lr, filter_strategy=strategy,
                    minibatch_size=max(1, args.prompts_per_step * args.n_samples // 4), log_every=1)
    reward = VerdictReward(data.benchmark, executor, "binary")
    trainer = PPOTrainer(cfg, reward_fn=reward, score_fn=VerdictScore(data.benchmark, executor, reward=reward))
    start = time.perf_counter()
    history = trainer.train([{"prompt": p.prompt, "task_id": p.task_id} for p in data.problems])

    def mean(key):
        vals = [h[key] for h in history if isinstance(h.get(key), (int, float))]
        return sum(vals) / len(vals) if vals else float("nan")

    return {"seconds": time.perf_counter() - start, "steps": len(history), "model": trainer.policy,
            "tokenizer": trainer.tokenizer, "reward_first": history[0]["reward/mean"],
            "reward_last": history[-1]["reward/mean"], "execution_share": mean("time/execution_share"),
            "step_seconds": mean("time/step"), "execution_seconds": mean("time/execution")}


def markdown(rows: list[dict], extra: dict) -> str:
    lines = ["| stage | pass@1 | train steps | train seconds |", "|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['stage']} | {r['pass@1']:.3f} | {r.get('steps', 0)} | {r.get('seconds', 0):.0f} |")
    lines.append("")
    lines.append(f"SFT: {extra['sft_tokens_per_s']:.0f} tokens/s ({extra['sft_loss_tokens_per_s']:.0f} response "
                 f"tokens/s). PPO: sandbox wait "
                 f"{extra['ppo_execution_share']:.1%} of a step (mean over strategies and steps). "
                 f"{extra['n_eval_problems']} held-out problems, device {extra['device']}.")
    return "\n".join(lines) + "\n"
