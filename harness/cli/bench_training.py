"""`codeharness bench-training`: SFT -> PPO -> PF-PPO on execution rewards, one table (see harness/bench/training.py).

With `--preset ci|cpu|gpu` it runs the papers' comparisons instead (harness/bench/reproduce/): it
synthesizes its own data, builds its own model, runs every arm for every seed and writes
OUT/reproduce.md, OUT/reproduce.json and OUT/curves.png; the other training flags do not apply.
"""
from __future__ import annotations

import argparse
import json
import os
from typing import Any

from harness.bench.training import build_base_model, markdown, run_stage_ppo, run_stage_sft
from harness.cli.options import add_exec_arguments, add_out_argument, exec_config
from harness.errors import UserError


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--preset", choices=("ci", "cpu", "gpu"), default=None,
                   help="reproduce the papers' orderings (SFT atomic vs atomic+synthetic, PPO vs PF-PPO "
                        "BoN/BR/BW, RL from base), 3 seeds: ci = minutes (the test), cpu = <= 60 min on 2 "
                        "cores, gpu = one GPU. Default sandbox: docker")
    p.add_argument("--seeds", type=int, default=None, help="with --preset: seeds per arm (default: the preset's)")
    p.add_argument("--arms", default=None,
                   help="with --preset: only these arms, comma-separated (sft-atomic, sft-both, ppo, pf-bon, pf-br, "
                        "pf-bw, rl-base); RL arms need the SFT arms, run before or in the same call")
    p.add_argument("--jobs", type=int, default=None,
                   help="with --preset: (arm, seed) runs at once as processes, one torch thread each "
                        "(default: the preset's; cpu: 2)")
    p.add_argument("--data", default="atomic", help="training problems (as `train --data`; default atomic)")
    p.add_argument("--data-dir", default=None)
    add_out_argument(p, "output directory: bench_training.md, bench_training.json", required=True)
    p.add_argument("--model", default=None, help="start from this model instead of building one")
    m = p.add_argument_group("model built from scratch")
    m.add_argument("--arch", choices=("gpt2", "llama"), default="llama")
    m.add_argument("--hidden", type=int, default=512)
    m.add_argument("--layers", type=int, default=8)
    m.add_argument("--heads", type=int, default=8)
    m.add_argument("--vocab", type=int, default=8192, help="BPE vocabulary trained on Python stdlib sources")
    m.add_argument("--max-positions", type=int, default=2048)
    m.add_argument("--corpus-chars", type=int, default=3_000_000, help="characters the tokenizer is trained on")
    s = p.add_argument_group("training")
    s.add_argument("--sft-steps", type=int, default=2000)
    s.add_argument("--sft-lr", type=float, default=3e-4)
    s.add_argument("--sft-batch", type=int, default=16)
    s.add_argument("--max-seq-len", type=int, default=1024)
    s.add_argument("--ppo-steps", type=int, default=100)
    s.add_argument("--ppo-lr", type=float, default=1e-5)
    s.add_argument("--critic-lr", type=float, default=5e-5)
    s.add_argument("--n-samples", type=int, default=5, help="responses per prompt")
    s.add_argument("--prompts-per-step", type=int, default=16)
    s.add_argument("--max-new-tokens", type=int, default=256)
    s.add_argument("--strategies", default="none,br,bw", help="PPO filtration strategies to compare")
    s.add_argument("--eval-problems", type=int, default=50, help="held-out problems (when --data has no test split)")
    s.add_argument("--seed", type=int, default=0)
    add_exec_arguments(p)


def run_preset(args) -> int:
    from harness.bench.reproduce import RL_ARMS, SFT_ARMS, preset_with, run_reproduction
    from harness.core.executor import Executor

    arms = [a.strip() for a in args.arms.split(",") if a.strip()] if args.arms else None
    unknown = [a for a in arms or [] if a not in SFT_ARMS and a not in RL_ARMS]
    if unknown:
        raise UserError(f"--arms: unknown {', '.join(unknown)}; choose from {', '.join([*SFT_ARMS, *RL_ARMS])}")
    if args.seeds is not None and args.seeds < 1:
        raise UserError("--seeds must be at least 1")
    if args.jobs is not None and args.jobs < 1:
        raise UserError("--jobs must be at least 1")
    preset = preset_with(args.preset, seeds=args.seeds, jobs=args.jobs)
    executor = Executor(exec_config(args))
    try:
        result = run_reproduction(preset, args.out, executor, arms=arms, jobs=preset.jobs)
    except ValueError as e:
        raise UserError(f"bench-training --preset {args.preset}: {e}") from None
    finally:
        executor.close()
    print(result["markdown"])
    print(f"wrote {os.path.join(args.out, 'reproduce.md')}, reproduce.json"
          + (", curves.png" if result.get("plot") else " (no plot: matplotlib not installed)"))
    return 0


def run(args) -> int:
    if args.preset:
        return run_preset(args)
    import torch

    from harness.core.executor import Executor
    from harness.training.data import held_out_spec, hold_out, load_data, parse_data_spec
    from harness.training.pass_at_1 import PassAt1Eval

    strategies = [s.strip() for s in args.strategies.split(",") if s.strip()]
    if not strategies:
        raise UserError("--strategies: give at least one")
    os.makedirs(args.out, exist_ok=True)
    data = load_data(parse_data_spec(args.data, args.data_dir), need_response=True, need_tests=True)
    own = held_out_spec(data.spec)
    if own is not None:
        ev = load_data(own, need_tests=True)
        held, eval_bench = ev.problems[:args.eval_problems], ev.benchmark
    else:
        data, held = hold_out(data, args.eval_problems, args.seed)
        eval_bench = data.benchmark
    executor = Executor(exec_config(args))
    rows: list[dict[str, Any]] = []
    try:
        evaluate = PassAt1Eval(eval_bench, held, executor, max_new_tokens=args.max_new_tokens)
        base = build_base_model(args)
        print(f"bench-training: {len(data.records)} SFT examples, {len(held)} held-out problems, base {base}",
              flush=True)
        init, sft = run_stage_sft(args, base, data.records)
        rows.append({"stage": "SFT", "pass@1": evaluate(sft.pop("model"), sft.pop("tokenizer"))["pass@1"], **sft})
        for strategy in strategies:
            ppo = run_stage_ppo(args, init, strategy, data, executor)
            label = "PPO" if strategy == "none" else f"PF-PPO ({strategy.upper()})"
            rows.append({"stage": label, "pass@1": evaluate(ppo.pop("model"), ppo.pop("tokenizer"))["pass@1"],
                         **ppo})
    finally:
        executor.close()
    ppo_rows = [r for r in rows if "execution_share" in r]
    extra = {"sft_tokens_per_s": rows[0]["tokens_per_s"], "sft_loss_tokens_per_s": rows[0]["loss_tokens_per_s"],
             "ppo_execution_share": sum(r["execution_share"] for r in ppo_rows) / max(1, len(ppo_rows)),
             "n_eval_problems": len(held),
             "device": torch.cuda.get_device_name(0) if torch.cuda.is_available() else "cpu",
             "config": {k: v for k, v in vars(args).items() if not callable(v) and not k.startswith("_")}}
    table = markdown(rows, extra)
    with open(os.path.join(args.out, "bench_training.json"), "w", encoding="utf-8") as f:
        json.dump({"rows": rows, **extra}, f, indent=2, default=str)
    with open(os.path.join(args.out, "bench_training.md"), "w", encoding="utf-8") as f:
        f.write(table)
    print(table)
    return 0
