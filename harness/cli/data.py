"""`codeharness data synthesize`: compose atomic functions into a validated synthetic dataset
(see harness/data/synthesize.py)."""
from __future__ import annotations

import argparse

from benchmarks_data.splits import POLICIES
from harness.cli.options import add_exec_arguments, add_out_argument, exec_config
from harness.core.executor import Executor
from harness.data.synthesize import acceptance_text, synthesize


def add_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="data_cmd", required=True)
    add_synthesize_arguments(sub.add_parser(
        "synthesize", help="compose atomic functions into validated synthetic functions (train/test)"))


# --- CLI: `codeharness data synthesize` ---------------------------------------------------------
def add_synthesize_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--n", type=int, default=1000, help="validated functions to produce, train + test")
    parser.add_argument("--seed", type=int, default=0)
    add_out_argument(parser, "output directory: train.jsonl, test.jsonl, hf/, stats.json", required=True)
    parser.add_argument("--test-fraction", type=float, default=0.2, help="share of --n in the test split")
    parser.add_argument("--split-by", choices=POLICIES, default="tuple",
                        help="tuple: test part tuples never in train; pair: held-out function pairs; "
                             "depth: depth-3 test, shallower train")
    parser.add_argument("--max-depth", type=int, choices=(2, 3), default=3)
    parser.add_argument("--helpers", choices=("inline", "library"), default="inline",
                        help="inline: the reference response defines every part after the body; library: the "
                             "parts run before the program as trusted code (row field `library`) and the "
                             "response is the body alone, calls to them (short: what a small model can learn)")
    parser.add_argument("--prompt-style", choices=("steps", "brief"), default="steps",
                        help="steps: the docstring describes each part in words; brief: a one-line docstring, "
                             "the signature's name lists the parts (what a 2-layer model learns on CPU)")
    parser.add_argument("--tests-per-function", type=int, default=10,
                        help="generated inputs per function, besides the fixed probe inputs")
    parser.add_argument("--batch-size", type=int, default=64, help="candidates per sandbox batch")
    parser.add_argument("--overwrite", action="store_true")
    parser.add_argument("--no-progress", action="store_true")
    add_exec_arguments(parser)


def make_run_jobs(args):
    """The sandbox pool as a `run_jobs(list[Job]) -> list[Outcome]` callable (an Executor)."""
    return Executor(exec_config(args)).start()


def run_synthesize(args) -> int:
    run_jobs = make_run_jobs(args)
    try:
        report = synthesize(args.n, args.seed, args.out, run_jobs, test_fraction=args.test_fraction,
                            split=args.split_by, max_depth=args.max_depth, n_tests=args.tests_per_function,
                            helpers=args.helpers, prompt_style=args.prompt_style,
                            batch_size=args.batch_size, progress=not args.no_progress, overwrite=args.overwrite)
    finally:
        close = getattr(run_jobs, "close", None)
        if callable(close):
            close()
    print("wrote %d train + %d test functions to %s (screened %d, accepted %s, %.1fs); rejections: %s"
          % (report.train, report.test, report.out_dir, report.screened,
             acceptance_text(report.passed, report.screened),
             report.elapsed_s, ", ".join("%s=%d" % kv for kv in report.rejections.items()) or "none"))
    return 0


def run(args) -> int:
    return {"synthesize": run_synthesize}[args.data_cmd](args)
