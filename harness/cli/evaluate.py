"""CLI glue for `codeharness evaluate` and `codeharness demo`."""
from __future__ import annotations

import argparse
import json
import os

from harness.cli.options import add_exec_arguments, add_out_argument, exec_config, parse_ks


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--benchmark", required=True, help="humaneval, ... or a path to a custom problems JSONL")
    p.add_argument("--samples", required=True, help="JSONL: task_id + completion (or solution) per line")
    add_out_argument(p, "directory for results.jsonl and summary.json (a rerun resumes)", required=True)
    p.add_argument("--data-dir", default=None, help="benchmark data path (default: $CODEHARNESS_DATA_DIR, package data)")
    p.add_argument("--split", default=None, help="benchmark split, where it has several")
    p.add_argument("--version", default=None, help="dataset version (humaneval-plus, mbpp-plus, leetcodedataset)")
    p.add_argument("--k", default="1,10,100", help="pass@k values (default 1,10,100)")
    p.add_argument("--allow-missing", action="store_true", help="allow problems with no sample")
    p.add_argument("--overwrite", action="store_true", help="discard results already in --out")
    p.add_argument("--quiet", action="store_true", help="no progress bar or table")
    add_exec_arguments(p)


def run(args) -> int:
    from harness.core.evaluation import evaluate, format_summary

    result = evaluate(args.benchmark, args.samples, args.out, data_path=args.data_dir, split=args.split,
                      version=args.version,
                      k=parse_ks(args.k), exec_config=exec_config(args), allow_missing=args.allow_missing,
                      overwrite=args.overwrite, quiet=args.quiet, keep_results=False)
    if not args.quiet:
        print(format_summary(result.summary))
        print(f"results: {os.path.join(args.out, 'results.jsonl')}  "
              f"summary: {os.path.join(args.out, 'summary.json')}")
    return 0


def add_demo_arguments(p: argparse.ArgumentParser) -> None:
    add_out_argument(p, "where the demo writes (default out/demo)", default="out/demo")
    p.add_argument("--no-install", action="store_true", help="do not install or start a Docker engine")
    add_exec_arguments(p)


def run_demo(args) -> int:
    """Set up Docker + image, write HumanEval's canonical solutions as samples, score them."""
    from benchmarks_data.registry import get_benchmark
    from harness.sandbox_setup import setup

    if args.sandbox == "docker":
        setup(install=not args.no_install)
    os.makedirs(args.out, exist_ok=True)
    samples = os.path.join(args.out, "samples.jsonl")
    problems = get_benchmark("humaneval").load_problems()
    with open(samples, "w") as f:
        for p in problems:
            f.write(json.dumps({"task_id": p.task_id, "completion": p.canonical_solution[len(p.prompt):]}) + "\n")
    args.benchmark, args.samples, args.data_dir, args.split, args.version = "humaneval", samples, None, None, None
    args.k, args.allow_missing, args.overwrite, args.quiet = "1", False, True, False
    return run(args)
