"""`codeharness train sft | ppo | rm`: the built-in training loops on execution verdicts.

Configuration: defaults <- `--config file.yaml` <- `--set key=value` <- dedicated flags (--model,
--out, --strategy, ...); keys are the fields of trainers.config.SFTConfig / PPOConfig / RMConfig.
Execution runs in the sandbox the --sandbox flags choose (Docker by default). torch and the
trainers are imported only when a subcommand runs, so `codeharness --help` stays fast.

Multi-GPU SFT: `accelerate launch --multi_gpu --num_processes N -m harness.cli train sft ...` or
`torchrun --nproc_per_node N -m harness.cli train sft ...` (DDP; process 0 writes checkpoints and
logs and runs the pass@1 eval). PPO and the reward model run on one process.
"""
from __future__ import annotations

import argparse
import json
import math
import os
from typing import Any

from harness.errors import UserError
from harness.cli.options import add_exec_arguments, add_out_argument, exec_config

STRATEGIES = ("none", "bon", "br", "bw", "top", "top_rand", "top_bott", "pow")  # trainers.filtration.STRATEGIES


def _is_main_process() -> bool:
    return int(os.environ.get("RANK", "0")) == 0   # set by accelerate launch / torchrun


def say(msg: str) -> None:
    if _is_main_process():
        print(msg, flush=True)


# -- arguments ---------------------------------------------------------------------------------
def _common(p: argparse.ArgumentParser, eval_default: int) -> None:
    p.add_argument("--model", required=True, help="model path or id to start from (from_pretrained)")
    p.add_argument("--data", required=True,
                   help="synthetic:DIR | atomic | NAME:SPLIT (e.g. mbpp:train) | NAME:PATH[:SPLIT] | file.jsonl")
    add_out_argument(p, "output directory: checkpoints, metrics.jsonl, tb/", required=True)
    p.add_argument("--config", default=None, help="YAML mapping of config fields")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="override one config field (repeatable); dedicated flags win over it")
    p.add_argument("--data-dir", default=None, help="benchmark data path (default: $CODEHARNESS_DATA_DIR)")
    p.add_argument("--eval-data", default=None,
                   help="held-out problems for pass@1 (default: the data's own test split, else --eval-problems "
                        "problems held out of --data)")
    p.add_argument("--eval-problems", type=int, default=eval_default,
                   help=f"problems held out of --data for eval when it has no test split (default {eval_default}; "
                        "0 = no eval)")
    p.add_argument("--eval-max-new-tokens", type=int, default=256)
    add_exec_arguments(p)


def add_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="train_cmd", required=True)
    sft = sub.add_parser("sft", help="supervised fine-tuning on reference solutions, with periodic pass@1")
    _common(sft, eval_default=10)
    sft.add_argument("--eval-every", type=int, default=None, help="optimizer steps between evals (eval_every)")

    ppo = sub.add_parser("ppo", help="PPO / PF-PPO on execution rewards")
    _common(ppo, eval_default=0)
    ppo.add_argument("--strategy", choices=STRATEGIES, default=None, help="policy filtration (filter_strategy)")
    ppo.add_argument("--n-samples", type=int, default=None, help="responses per prompt (samples_per_prompt)")
    ppo.add_argument("--reward", default="binary",
                     help="binary | fraction (sandbox verdicts) | rm:PATH (reward model) | mix:W "
                          "((1-W) execution + W reward model; needs --reward-model)")
    ppo.add_argument("--reward-model", default=None, help="reward model directory for --reward mix:W")
    ppo.add_argument("--exec-reward", choices=("binary", "fraction"), default="binary",
                     help="the execution half of mix:W (default binary)")
    ppo.add_argument("--eval-every", type=int, default=None, help="PPO steps between evals (eval_every)")

    rm = sub.add_parser("rm", help="Bradley-Terry reward model on pairs labelled by execution")
    _common(rm, eval_default=0)
    rm.add_argument("--rm-init", default=None, help="backbone to start the reward model from (default --model)")
    rm.add_argument("--n-samples", type=int, default=8, help="responses sampled per prompt (default 8)")
    rm.add_argument("--temperature", type=float, default=1.0)
    rm.add_argument("--max-new-tokens", type=int, default=256)
    rm.add_argument("--label", choices=("binary", "fraction"), default="fraction",
                    help="execution score that orders a pair (default fraction: share of tests passed)")
    rm.add_argument("--eval-fraction", type=float, default=0.1, help="share of prompts whose pairs are held out")


def config_from_args(cls: type, args, flags: dict[str, Any]):
    from trainers.config import load_config, parse_overrides

    overrides = parse_overrides(args.set)
    overrides.update({k: v for k, v in flags.items() if v is not None})
    return load_config(cls, args.config, overrides)


# -- shared pieces -------------------------------------------------------------------------------
def load_training_data(args, need_response: bool, need_tests: bool):
    from harness.training.data import load_data, parse_data_spec

    return load_data(parse_data_spec(args.data, args.data_dir), need_response, need_tests)


def eval_problems(args, data, seed: int):
    """(training data without held-out problems, eval benchmark, eval problems)."""
    from harness.training.data import held_out_spec, hold_out, load_data, parse_data_spec

    if args.eval_data:
        ev = load_data(parse_data_spec(args.eval_data, args.data_dir), need_tests=True)
        return data, ev.benchmark, ev.problems
    own = held_out_spec(data.spec)
    if own is not None and args.eval_problems:
        ev = load_data(own, need_tests=True)
        return data, ev.benchmark, ev.problems[:max(args.eval_problems, 0)]
    if not args.eval_problems or data.benchmark is None:
        return data, None, []
    rest, held = hold_out(data, args.eval_problems, seed)
    return rest, data.benchmark, held


def make_executor(args):
    from harness.core.executor import Executor

    return Executor(exec_config(args))


def make_eval(args, bench, problems, executor):
    if not problems:
        return None
    from harness.training.pass_at_1 import PassAt1Eval

    return PassAt1Eval(bench, problems, executor, max_new_tokens=args.eval_max_new_tokens)


def _first_last(history: list[dict], key: str, n: int = 3) -> tuple[float, float]:
    vals = [h[key] for h in history if isinstance(h.get(key), (int, float)) and not math.isnan(h[key])]
    if not vals:
        return float("nan"), float("nan")
    k = max(1, min(n, len(vals) // 2))
    return sum(vals[:k]) / k, sum(vals[-k:]) / k


def eval_note(final: dict) -> str:
    if not final:
        return ""
    errors = final.get("sandbox_errors") or 0
    return (f"; pass@1 {final['pass@1']:.3f} on {final['n_problems']} held-out problems"
            + (f" ({errors} not judged: sandbox errors, counted as failures)" if errors else ""))


# -- train sft -----------------------------------------------------------------------------------
def run_sft(args) -> int:
    from trainers.config import SFTConfig
    from trainers.sft import train_sft

    cfg = config_from_args(SFTConfig, args, {"model_name_or_path": args.model, "output_dir": args.out,
                                             "eval_every": args.eval_every})
    data = load_training_data(args, need_response=True, need_tests=False)
    data, bench, held = eval_problems(args, data, cfg.seed)
    if not data.records:
        raise UserError(f"--data {args.data}: no {{prompt, response}} rows left to train on")
    executor = make_executor(args)
    try:
        eval_fn = make_eval(args, bench, held, executor)
        say(f"sft: {len(data.records)} examples from {args.data}; eval: "
            f"{len(held)} held-out problems" if eval_fn else f"sft: {len(data.records)} examples; no eval")
        try:
            result = train_sft(cfg, data.records, eval_fn=eval_fn)
        except ValueError as e:   # the loop's checks on its input (e.g. nothing left to train on)
            raise UserError(f"train sft: {e}") from None
        final = {}
        if eval_fn is not None and _is_main_process() and not (cfg.eval_every and result.step % cfg.eval_every == 0):
            final = eval_fn(result.model, result.tokenizer, result.step)
        elif eval_fn is not None:
            final = eval_fn.last
    finally:
        executor.close()
    first, last = _first_last(result.history, "loss")
    say(f"sft: {result.step} steps, loss {first:.4g} -> {last:.4g}; final model "
        f"{os.path.join(cfg.output_dir, 'final')} (checkpoint-{result.step} beside it)"
        + eval_note(final))
    if final and _is_main_process():
        with open(os.path.join(cfg.output_dir, "eval.json"), "w", encoding="utf-8") as f:
            json.dump({"step": result.step, **final}, f, indent=2)
    return 0


def run_ppo(args) -> int:
    from harness.training.rewards import build_ppo_rewards, parse_reward_spec
    from trainers.config import PPOConfig
    from trainers.ppo import PPOTrainer

    spec = parse_reward_spec(args.reward, args.reward_model, args.exec_reward)
    flags = {"model_name_or_path": args.model, "output_dir": args.out, "filter_strategy": args.strategy,
             "samples_per_prompt": args.n_samples, "eval_every": args.eval_every, "reward_source": spec.source}
    if spec.source == "mix":
        flags["rm_weight"] = spec.rm_weight
    cfg = config_from_args(PPOConfig, args, flags)
    data = load_training_data(args, need_response=False, need_tests=True)
    data, bench, held = eval_problems(args, data, cfg.seed)
    records = [{"prompt": p.prompt, "task_id": p.task_id} for p in data.problems]
    executor = make_executor(args)
    try:
        try:
            trainer = PPOTrainer(cfg, **build_ppo_rewards(spec, data.benchmark, executor))
        except ValueError as e:
            raise UserError(f"train ppo: {e}") from None
        eval_fn = make_eval(args, bench, held, executor)
        say(f"ppo: {len(records)} prompts from {args.data}, strategy {cfg.filter_strategy}, "
            f"{cfg.samples_per_prompt} samples/prompt, reward {args.reward}")
        history = trainer.train(records, eval_fn=eval_fn)
        final = eval_fn(trainer.policy, trainer.tokenizer, trainer.step_count) if eval_fn else {}
    finally:
        executor.close()
    r0, r1 = _first_last(history, "reward/mean")
    s0, s1 = _first_last(history, "score/mean")
    share = [h["time/execution_share"] for h in history if "time/execution_share" in h]
    say(f"ppo: {len(history)} steps, reward {r0:.3f} -> {r1:.3f}, score (all tests) {s0:.3f} -> {s1:.3f}, "
        f"sandbox share of a step {sum(share) / max(1, len(share)):.1%}; saved {cfg.output_dir}"
        + eval_note(final))
    return 0


def run_rm(args) -> int:
    from harness.generation.generate import stop_sequences
    from harness.generation.base import GenerationConfig, make_backend
    from harness.rewards.code_reward import CodeReward
    from harness.training.rewards import execution_pairs
    from trainers.config import RMConfig
    from trainers.reward_model import train_reward_model

    cfg = config_from_args(RMConfig, args, {"model_name_or_path": args.rm_init or args.model,
                                            "output_dir": args.out})
    data = load_training_data(args, need_response=False, need_tests=True)
    backend = make_backend("hf", args.model)
    try:
        groups = backend.generate([p.prompt for p in data.problems], GenerationConfig(
            n=args.n_samples, temperature=args.temperature, max_new_tokens=args.max_new_tokens,
            stop=stop_sequences(data.benchmark, chat=False), seed=cfg.seed))
    finally:
        backend.close()
    executor = make_executor(args)
    try:
        reward = CodeReward(data.benchmark, mode=args.label, executor=executor)
        flat = [c for g in groups for c in g]
        scores = reward(None, flat, task_id=[p.task_id for p, g in zip(data.problems, groups) for _ in g])
        counts = reward.last_counts
    finally:
        executor.close()
    per_problem = execution_pairs(data.problems, groups, scores, cfg.max_pairs_per_prompt, cfg.seed)
    with_pairs = [i for i, ps in enumerate(per_problem) if ps]
    if not with_pairs:
        raise UserError("train rm: no preference pairs: every prompt's samples scored alike; sample more "
                        "(--n-samples), raise --temperature, or use --label fraction")
    n_eval = int(len(with_pairs) * args.eval_fraction) if len(with_pairs) > 1 else 0
    eval_ids = set(with_pairs[len(with_pairs) - n_eval:]) if n_eval else set()
    train_pairs = [pr for i in with_pairs if i not in eval_ids for pr in per_problem[i]]
    eval_pairs = [pr for i in eval_ids for pr in per_problem[i]]
    os.makedirs(cfg.output_dir, exist_ok=True)
    with open(os.path.join(cfg.output_dir, "pairs.jsonl"), "w", encoding="utf-8") as f:
        for i in with_pairs:
            for pr in per_problem[i]:
                f.write(json.dumps({"task_id": data.problems[i].task_id, "split": "eval" if i in eval_ids
                                    else "train", "chosen": pr.chosen, "rejected": pr.rejected}) + "\n")
    say(f"rm: {len(flat)} samples ({', '.join(f'{k}={v}' for k, v in sorted(counts.items()))}) -> "
        f"{len(train_pairs)} train / {len(eval_pairs)} eval pairs")
    result = train_reward_model(cfg, train_pairs, eval_pairs=eval_pairs)
    last = result.history[-1] if result.history else {}
    say(f"rm: saved {cfg.output_dir}; last loss {last.get('loss', float('nan')):.4g}, train accuracy "
        f"{last.get('accuracy', float('nan')):.3f}"
        + (f", eval accuracy {last['eval/accuracy']:.3f}" if "eval/accuracy" in last else ""))
    return 0


def run(args) -> int:
    return {"sft": run_sft, "ppo": run_ppo, "rm": run_rm}[args.train_cmd](args)
