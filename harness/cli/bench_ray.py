"""`codeharness bench-ray`: what scheduling through Ray costs against the local pool (see harness/bench/ray_overhead.py)."""
from __future__ import annotations

import argparse
import json
import statistics

from harness.bench.ray_overhead import TARGET_OVERHEAD, timed_evaluate
from harness.errors import UserError
from harness.cli.options import add_out_argument


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--workers", type=int, default=None,
                   help="sandbox workers, for the local pool and per Ray node (default: cores)")
    p.add_argument("--sandbox", choices=["docker", "process"], default="docker")
    p.add_argument("--judge", choices=["strict", "compat"], default="strict")
    p.add_argument("--timeout", type=float, default=3.0, help="per-sample timeout")
    p.add_argument("--problems", type=int, default=None, help="use only the first N HumanEval problems")
    p.add_argument("--rounds", type=int, default=3,
                   help="paired local/ray rounds; the overhead is the median of the paired ratios")
    p.add_argument("--ray-address", default=None,
                   help="an existing Ray cluster (default: a one-node local Ray sized to --workers)")
    add_out_argument(p, "also write the numbers as JSON to this file", aliases=("--output",))


def run(args) -> int:
    import pandas as pd

    from benchmarks_data.registry import get_benchmark
    from sandboxes import default_workers

    from harness.bench.throughput import mix_samples
    from harness.core.executor import ExecConfig
    from harness.distributed.ray_backend import import_ray

    if args.rounds < 1:
        raise UserError("--rounds must be at least 1")
    ray = import_ray()
    workers = args.workers or default_workers()
    samples = mix_samples(get_benchmark("humaneval").load_problems()[: args.problems])
    common = dict(sandbox=args.sandbox, workers=workers, timeout_s=args.timeout, judge=args.judge)
    owns_ray = not ray.is_initialized()
    if owns_ray:
        import logging

        if args.ray_address:
            ray.init(address=args.ray_address, logging_level=logging.WARNING)
        else:  # one node with exactly the local pool's workers: the difference is Ray alone
            ray.init(num_cpus=workers, include_dashboard=False, logging_level=logging.WARNING)
    try:
        runs: dict[str, list] = {"local": [], "ray": []}
        for _ in range(args.rounds):
            for backend in ("local", "ray"):
                runs[backend].append(timed_evaluate(samples, ExecConfig(backend=backend, **common)))
    finally:
        if owns_ray:
            ray.shutdown()

    rows, verdicts = [], {}
    for backend, measured in runs.items():
        run_s = statistics.median(m[1] for m in measured)
        n_workers = measured[0][2]
        rows.append({"backend": backend, "samples": len(samples), "workers": n_workers, "seconds": round(run_s, 2),
                     "samples_per_s": round(len(samples) / run_s, 1),
                     "per_worker": round(len(samples) / run_s / n_workers, 2),
                     "pool_start_s": round(statistics.median(m[0] for m in measured), 2),
                     "outcomes_per_call": round(len(samples) / measured[0][4], 1) if measured[0][4] else None})
        verdicts[backend] = [m[3] for m in measured]
    # Rounds are paired (local then ray, back to back): the median of the paired ratios cancels
    # the drift of a shared machine's load better than a ratio of medians.
    overhead = 1 - statistics.median((loc[1] * loc[2]) / (ray_[1] * ray_[2])
                                     for loc, ray_ in zip(runs["local"], runs["ray"]))
    identical = all(v == verdicts["local"][0] for vs in verdicts.values() for v in vs)
    print(f"mix workload: {len(samples)} samples, {args.sandbox} sandbox, {args.judge} judge, "
          f"{args.rounds} round(s), medians")
    print(pd.DataFrame(rows).set_index("backend").to_string())
    print(f"Ray scheduling overhead (throughput per worker, median of paired rounds): {100 * overhead:.1f}% "
          f"({'within' if overhead <= TARGET_OVERHEAD else 'OVER'} the {100 * TARGET_OVERHEAD:.0f}% target); "
          f"verdicts identical across backends: {'yes' if identical else 'NO'}")
    if args.out:
        with open(args.out, "w") as f:
            json.dump({"rows": rows, "overhead": overhead, "identical": identical}, f, indent=2)
    return 0 if identical else 1
