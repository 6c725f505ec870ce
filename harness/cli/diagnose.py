"""`codeharness diagnose r2`: which PF-PPO filtration strategy keeps rewards that mean something.

Sample --n responses per problem from the model, give each a *reward* (a proxy: a reward model,
or the share of the first K tests it passes) and an *actual score* (every test passes), filter
with each strategy, bin the kept samples by reward, regress mean score on mean reward, and print
R^2 per strategy (PF-PPO, Zhang et al. 2024, Table 1; trainers/r2.py).

Why a proxy: with the binary full-test verdict as both reward and score every bin's mean score
equals its mean reward, so R^2 = 1 for every strategy and says nothing. Visible tests model what a
reward sees in practice (the tests in a problem statement) against hidden ones; take K >= 3, since
a reward with only two values fills two bins, and a line through two points always fits (R^2 = 1).
Problems with K tests or fewer give the proxy the whole suite; their share is printed.
"""
from __future__ import annotations

import argparse
import os

from harness.errors import UserError

PAPER_R2 = {"none": 0.886, "bon": 0.454, "br": 0.922, "bw": 0.952}   # PF-PPO Table 1, SFT policy + RM


def add_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="diagnose_cmd", required=True)
    r2 = sub.add_parser("r2", help="R^2 of actual score on reward per filtration strategy (PF-PPO Table 1)")
    add_r2_arguments(r2)


def add_r2_arguments(p: argparse.ArgumentParser) -> None:
    from harness.cli.options import add_exec_arguments, add_out_argument

    p.add_argument("--model", required=True, help="the policy to sample (model path or id)")
    p.add_argument("--benchmark", required=True,
                   help="problems: NAME[:SPLIT] | synthetic:DIR[:SPLIT] | file.jsonl with tests (as train --data)")
    p.add_argument("--data-dir", default=None)
    p.add_argument("--n", type=int, default=10, help="responses per problem (default 10)")
    p.add_argument("--reward", default="visible-tests:3",
                   help="the proxy reward: visible-tests:K (share of the first K tests passed; default K=3) "
                        "or rm:PATH (a reward model from `train rm`)")
    p.add_argument("--strategies", default="none,bon,br,bw", help="comma-separated (default the paper's four)")
    p.add_argument("--bins", type=int, default=10, help="equal-width reward bins (default 10)")
    p.add_argument("--k", type=int, default=1, help="k for top / top_rand / top_bott")
    p.add_argument("--max-problems", type=int, default=None, help="use only the first N problems")
    p.add_argument("--temperature", type=float, default=1.0)
    p.add_argument("--max-new-tokens", type=int, default=256)
    p.add_argument("--seed", type=int, default=0)
    add_out_argument(p, "also write the table to this file (.csv or .json)")
    add_exec_arguments(p)


def parse_proxy(text: str) -> tuple[str, str]:
    kind, _, arg = text.partition(":")
    if kind == "visible-tests" and arg.isdigit() and int(arg) >= 1:
        return kind, arg
    if kind == "rm" and arg:
        return kind, arg
    raise UserError(f"--reward {text!r}: use visible-tests:K (K >= 1) or rm:PATH")


def parse_strategies(text: str) -> list[str]:
    from trainers.filtration import STRATEGIES

    names = [s.strip() for s in text.split(",") if s.strip()]
    bad = [s for s in names if s not in STRATEGIES]
    if not names or bad:
        raise UserError(f"--strategies {text!r}: choose from {', '.join(STRATEGIES)}")
    return names


def format_table(table) -> str:
    shown = table[["r2", "slope", "n_kept", "kept_fraction", "n_bins_used", "mean_reward", "mean_score"]].copy()
    shown.insert(1, "paper_r2", [PAPER_R2.get(s, float("nan")) for s in shown.index])
    return shown.to_string(float_format=lambda v: f"{v:.3f}", na_rep="-")


def run(args) -> int:
    return run_r2(args)


def run_r2(args) -> int:
    from benchmarks_data.views import VisibleTests
    from harness.cli.options import exec_config
    from harness.core.executor import Executor
    from harness.generation.generate import stop_sequences
    from harness.generation.base import GenerationConfig, make_backend
    from harness.rewards.code_reward import CodeReward
    from harness.training.rewards import reward_model_callable
    from harness.training.data import load_data, parse_data_spec
    from trainers.r2 import diagnose_r2_from_model

    proxy, arg = parse_proxy(args.reward)
    strategies = parse_strategies(args.strategies)
    if args.n < 2:
        raise UserError("--n must be at least 2: filtration ranks several responses per problem")
    if args.bins < 2:
        raise UserError("--bins must be at least 2")
    data = load_data(parse_data_spec(args.benchmark, args.data_dir), need_tests=True)
    problems = data.problems[:args.max_problems] if args.max_problems else data.problems
    executor = Executor(exec_config(args))
    note = ""
    if proxy == "visible-tests":
        k = int(arg)
        reward = CodeReward(VisibleTests(data.benchmark, k), mode="fraction", executor=executor, name="visible")
        whole = sum(len(p.tests) <= k for p in problems)
        note = f"proxy: share of the first {k} tests passed; it sees every test on {whole}/{len(problems)} problems"
    else:
        reward = reward_model_callable(arg)
        note = f"proxy: reward model {arg}"
    score = CodeReward(data.benchmark, mode="binary", executor=executor, name="score")
    backend = make_backend("hf", args.model)
    config = GenerationConfig(temperature=args.temperature, max_new_tokens=args.max_new_tokens,
                              stop=stop_sequences(data.benchmark, chat=False), seed=args.seed)

    def generate(prompts, n):
        return backend.generate(prompts, config.with_n(n))

    try:
        table = diagnose_r2_from_model([p.prompt for p in problems], generate, reward, score, n_samples=args.n,
                                       strategies=strategies, n_bins=args.bins, seed=args.seed,
                                       columns={"task_id": [p.task_id for p in problems]}, k=args.k)
    except ValueError as e:
        raise UserError(f"diagnose r2: {e}") from None
    finally:
        backend.close()
        executor.close()
    print(f"R^2 of actual score (all tests pass) on reward, {len(problems)} problems x {args.n} samples, "
          f"{args.bins} bins; {note}")
    print(format_table(table))
    if args.out:
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        if args.out.endswith(".json"):
            table.reset_index().to_json(args.out, orient="records", indent=2)
        else:
            table.to_csv(args.out)
    return 0
