"""`codeharness bench-rewards`: reward latency and throughput, callable against server (see harness/bench/rewards.py)."""
from __future__ import annotations

import argparse
import json

from harness.bench.rewards import bench
from harness.cli.options import add_out_argument


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--sandbox", choices=["docker", "process"], default="docker")
    p.add_argument("--workers", type=int, default=None, help="sandbox workers (default: cores)")
    p.add_argument("--repeats", type=int, default=5, help="times the 512-completion workload runs per path")
    p.add_argument("--concurrency", type=int, default=8, help="concurrent group calls in the groups shape")
    p.add_argument("--timeout", type=float, default=3.0, help="CPU seconds per sample")
    add_out_argument(p, "also write the rows as JSON to this file", aliases=("--output",))


def run(args) -> int:
    import pandas as pd

    rows = bench(args.sandbox, args.workers, args.repeats, args.concurrency, args.timeout)
    print(f"rewards: 64 HumanEval prompts x 8 completions, {args.sandbox} sandbox, repeats {args.repeats}")
    print(pd.DataFrame(rows).set_index(["path", "shape"]).to_string())
    worst = max(r["overhead"] for r in rows if "overhead" in r)
    print(f"server overhead over the callable: {100 * worst:.1f}% (worst shape; target < 10%)")
    if args.out:
        with open(args.out, "w") as f:
            json.dump(rows, f, indent=2)
    return 0
