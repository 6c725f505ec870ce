"""`codeharness check-dataset`: run a benchmark's reference solutions and report (see harness/data/check.py)."""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from typing import Optional

from benchmarks_data.base import DataError
from benchmarks_data.screening import RunJobs
from harness.cli.options import add_exec_arguments, exec_config
from harness.data.check import check_dataset
from harness.errors import UserError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--benchmark", required=True, help="benchmark name, or a problems .jsonl path")
    parser.add_argument("--data-dir", default=None, help="data file or dir (default: $CODEHARNESS_DATA_DIR)")
    parser.add_argument("--split", default=None)
    parser.add_argument("--version", default=None, help="dataset version (humaneval-plus, mbpp-plus, leetcodedataset)")
    parser.add_argument("--judge", choices=("strict", "compat", "both"), default="strict")
    parser.add_argument("--task-id", action="append", default=None, help="check only these (repeatable)")
    parser.add_argument("--json", action="store_true", help="print the full report as JSON")
    add_exec_arguments(parser, judge=False)


def run(args, run_jobs: Optional[RunJobs] = None) -> int:
    """Exit 0 when every problem behaved as expected. `run_jobs` is the sandbox pool (the CLI passes it)."""
    from benchmarks_data.registry import get_benchmark
    if run_jobs is None:
        from harness.core.executor import Executor

        with Executor(exec_config(args)) as executor:
            return run(args, run_jobs=executor.run_jobs)
    try:
        bench = get_benchmark(args.benchmark, args.data_dir, args.split, args.version)
        judges = ("strict", "compat") if args.judge == "both" else (args.judge,)
        reports = [check_dataset(bench, run_jobs, j, task_ids=set(args.task_id) if args.task_id else None)
                   for j in judges]
    except DataError as e:
        raise UserError(str(e)) from None
    for r in reports:
        if args.json:
            print(json.dumps({**asdict(r), "failures": len(r.failures)}))
            continue
        print(r.summary())
        for p in r.failures[:50]:
            print(f"  {p.task_id}: {p.detail}", file=sys.stderr)
        for p in r.flaky_failures:
            print(f"  {p.task_id} (known flaky: {p.flaky}): {p.detail}", file=sys.stderr)
        if r.compat_only:
            print(f"  compat only: {', '.join(r.compat_only)}")
    return 0 if all(not r.failures for r in reports) else 1
