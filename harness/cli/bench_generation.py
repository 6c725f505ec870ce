"""`codeharness bench-generation`: tokens/s of the hf backend at several batch sizes (see harness/bench/generation.py)."""
from __future__ import annotations

import argparse
import json
from dataclasses import asdict

from harness.bench.generation import build_bench_model, measure_throughput
from harness.cli.options import add_out_argument


def add_arguments(parser: argparse.ArgumentParser) -> None:
    src = parser.add_mutually_exclusive_group(required=True)
    src.add_argument("--model", help="checkpoint to measure")
    src.add_argument("--build-model", metavar="DIR", help="build a random ~100M-parameter Llama in DIR and measure it")
    parser.add_argument("--batch-sizes", default="1,16,64")
    parser.add_argument("--prompt-tokens", type=int, default=128)
    parser.add_argument("--new-tokens", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--device", default=None)
    parser.add_argument("--dtype", default=None)
    add_out_argument(parser, "also write the results as JSON to this file", aliases=("--json",))


def run(args) -> int:
    path = args.model or build_bench_model(args.build_model)
    sizes = [int(b) for b in args.batch_sizes.split(",") if b.strip()]
    results = measure_throughput(path, sizes, args.prompt_tokens, args.new_tokens, repeats=args.repeats,
                                 device=args.device, dtype=args.dtype)
    print(f"{'batch':>6} {'tokens':>8} {'seconds':>9} {'tokens/s':>10}  device/dtype")
    for r in results:
        print(f"{r.batch_size:>6} {r.generated_tokens:>8} {r.seconds:>9.3f} {r.tokens_per_s:>10.1f}  {r.device}/{r.dtype}")
    if args.out:
        with open(args.out, "w") as f:
            json.dump([asdict(r) for r in results], f, indent=2)
    return 0
