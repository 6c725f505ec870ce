"""`codeharness run`: score a checkpoint end to end — generate, evaluate, report — for several benchmarks.

Writes OUT/<benchmark>/samples.jsonl, then OUT/<benchmark>/results.jsonl + summary.json (evaluate), then
OUT/report.md (+ CSV, plots). Every step resumes: rerunning the same command after an interruption skips the
samples already generated (and evaluate skips the results already written).
"""
from __future__ import annotations

import argparse
import os
from typing import Callable, Optional

from harness.errors import UserError
from harness.cli.generate import add_model_arguments, backend_from_args, config_from_args
from harness.cli.options import add_exec_arguments, add_out_argument, exec_config, parse_ks
from harness.generation.generate import generate, load_problems


def parse_options(items: Optional[list[str]]) -> dict[str, object]:
    """KEY=VALUE pairs for evaluate; numbers and true/false are converted."""
    options: dict[str, object] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UserError(f"--eval-option {item!r}: expected KEY=VALUE")
        low = value.lower()
        if low in ("true", "false"):
            options[key.replace("-", "_")] = low == "true"
            continue
        for cast in (int, float):
            try:
                options[key.replace("-", "_")] = cast(value)
                break
            except ValueError:
                pass
        else:
            options[key.replace("-", "_")] = value
    return options


def run_pipeline(args, evaluate: Optional[Callable[..., object]] = None) -> str:
    """Generate + evaluate each benchmark of `args.benchmark` into args.out/<benchmark>/, then report.
    `evaluate(benchmark, samples_path, output_dir, **options)` defaults to harness.core.evaluation.evaluate."""
    if evaluate is None:
        from harness.core.evaluation import evaluate
    names = [b.strip() for b in args.benchmark.split(",") if b.strip()]
    if not names:
        raise UserError("--benchmark: give at least one benchmark name")
    config = config_from_args(args)
    loaded = [(name, *load_problems(name, args.data_dir, args.split, args.limit)) for name in names]
    samples = {name: os.path.join(args.out, name, "samples.jsonl") for name in names}
    # All generation first, then free the model: evaluation runs on CPU sandboxes and needs no GPU memory.
    backend = backend_from_args(args)
    try:
        for name, benchmark, problems in loaded:
            rep = generate(args.model, backend, problems, args.n, config, samples[name], chat=args.chat,
                           benchmark=benchmark)
            print(f"[{name}] {rep.written} samples generated, {rep.skipped} already there ({rep.seconds:.0f} s)")
    finally:
        backend.close()
    options = parse_options(args.eval_option)
    if args.data_dir:
        options.setdefault("data_path", args.data_dir)
    if args.split:
        options.setdefault("split", args.split)
    if getattr(args, "sandbox", None):  # the sandbox flags `evaluate` takes
        options.setdefault("exec_config", exec_config(args))
        options.setdefault("k", parse_ks(args.k))
    if args.limit:
        options.setdefault("allow_missing", True)
    for name in names:
        print(f"[{name}] evaluating {samples[name]}")
        evaluate(name, samples[name], os.path.join(args.out, name), **options)
    from harness.reports.report import write_report
    return write_report([args.out], args.out, plots=not args.no_plots)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_model_arguments(parser)
    parser.add_argument("--benchmark", required=True, help="comma-separated, e.g. humaneval,mbpp,leetcode-contest")
    parser.add_argument("--data-dir", default=None, help="benchmark data dir (env CODEHARNESS_DATA_DIR)")
    parser.add_argument("--split", default=None)
    add_out_argument(parser, "run directory: OUT/<benchmark>/ per benchmark, OUT/report.md", required=True)
    parser.add_argument("--eval-option", action="append", metavar="KEY=VALUE",
                        help="passed to evaluate (repeatable), e.g. --eval-option workers=8")
    parser.add_argument("--no-plots", action="store_true")
    parser.add_argument("--k", default="1,10,100", help="pass@k values (default 1,10,100)")
    add_exec_arguments(parser, backend_flag="--exec-backend")


def run(args) -> int:
    text = run_pipeline(args)
    print(text)
    print(f"\nreport: {os.path.join(args.out, 'report.md')}")
    return 0
