"""`codeharness generate`: sample a model on a benchmark into a samples JSONL (see harness/generation/generate.py)."""
from __future__ import annotations

import argparse

from harness.generation.base import Backend, GenerationConfig, make_backend
from harness.cli.options import add_out_argument
from harness.generation.generate import DEFAULT_STOP, generate, load_problems


def add_model_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags shared by `generate` and `run`: which model, which backend, how to sample."""
    g = parser.add_argument_group("model and sampling")
    g.add_argument("--model", required=True, help="checkpoint path or hub id (hf, vllm), or served model name (openai)")
    g.add_argument("--backend", choices=["hf", "openai", "vllm"], default="hf")
    g.add_argument("--chat", action="store_true",
                   help="prompt with the problem statement as a chat turn; samples hold full solutions")
    g.add_argument("--n", type=int, default=1, help="samples per problem (default 1)")
    g.add_argument("--temperature", type=float, default=None, help="default 0 (greedy) when n=1, else 0.8")
    g.add_argument("--top-p", type=float, default=0.95)
    g.add_argument("--max-new-tokens", type=int, default=512)
    g.add_argument("--batch-size", type=int, default=16, help="sequences per forward pass (hf) / requests in flight (openai)")
    g.add_argument("--seed", type=int, default=None)
    g.add_argument("--stop", action="append", default=None,
                   help="stop sequence (repeatable); default: the benchmark's, else " + repr(DEFAULT_STOP))
    g.add_argument("--base-url", default=None, help="openai backend: server URL ending in /v1 (env OPENAI_BASE_URL); "
                   "the key is read from env OPENAI_API_KEY")
    g.add_argument("--device", default=None, help="hf backend: cuda, cuda:1, cpu (default: cuda when available)")
    g.add_argument("--dtype", default=None, help="hf backend: bfloat16 | float16 | float32")
    g.add_argument("--limit", type=int, default=None, help="only the first N problems (smoke tests)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_model_arguments(parser)
    parser.add_argument("--benchmark", required=True, help="benchmark name, e.g. humaneval")
    parser.add_argument("--data-dir", default=None, help="benchmark data file or dir (env CODEHARNESS_DATA_DIR)")
    parser.add_argument("--split", default=None)
    add_out_argument(parser, "samples JSONL to write (appended to; a rerun resumes)", required=True)


def config_from_args(args) -> GenerationConfig:
    temperature = args.temperature if args.temperature is not None else (0.0 if args.n == 1 else 0.8)
    return GenerationConfig(n=args.n, temperature=temperature, top_p=args.top_p,
                            max_new_tokens=args.max_new_tokens, stop=list(args.stop or []), seed=args.seed,
                            batch_size=args.batch_size)


def backend_from_args(args) -> Backend:
    options: dict = {}
    if args.backend == "openai":
        options["base_url"] = args.base_url
        options["concurrency"] = args.batch_size
    elif args.backend == "hf":
        options.update(device=args.device, dtype=args.dtype)
    return make_backend(args.backend, args.model, chat=args.chat, **options)


def run(args) -> int:
    config = config_from_args(args)
    benchmark, problems = load_problems(args.benchmark, args.data_dir, args.split, args.limit)
    backend = backend_from_args(args)
    try:
        rep = generate(args.model, backend, problems, args.n, config, args.out, chat=args.chat, benchmark=benchmark)
    finally:
        backend.close()
    print(f"{rep.path}: {rep.written} samples written, {rep.skipped} already there ({rep.seconds:.1f} s)")
    return 0
