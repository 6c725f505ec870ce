"""`codeharness serve`: the HTTP API for batch evaluation and rewards (see harness/rewards/serve.py)."""
from __future__ import annotations

import argparse
import os
import sys

from harness.cli.options import add_exec_arguments, exec_config
from harness.errors import UserError
from harness.rewards.serve import ServeConfig, allowed_roots, create_app


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--token", default=None, help="require 'Authorization: Bearer T' (default: $CODEHARNESS_TOKEN)")
    p.add_argument("--benchmark", default=None, help="benchmark for task_id columns in /v1/rewards (e.g. humaneval)")
    p.add_argument("--allow-benchmark", action="append", default=[], metavar="PATH",
                   help="a problems file, or a dir of them, that requests may name as their benchmark "
                        "(repeatable; default: registered names only)")
    p.add_argument("--data-dir", default=None, help="benchmark data path")
    p.add_argument("--split", default=None)
    p.add_argument("--mode", choices=["binary", "fraction", "shaped"], default="binary", help="default reward mode")
    p.add_argument("--openrlhf-sandbox-error-reward", type=float, default=None, metavar="V",
                   help="reward /v1/openrlhf gives a sample whose sandbox failed after its retry (logged, and "
                        "counted in extra_logs sandbox_error); OpenRLHF crashes on null, so that endpoint "
                        "needs it, here or as ?sandbox_error_reward=V in the URL")
    p.add_argument("--max-body-mb", type=float, default=16.0, help="largest request body (413 above)")
    p.add_argument("--max-request-samples", type=int, default=4096, help="most samples in one request (413 above)")
    p.add_argument("--max-queue", type=int, default=16384, help="samples waiting at once (429 above)")
    add_exec_arguments(p)


def run(args) -> int:
    try:
        import uvicorn
    except ImportError:
        raise UserError("`codeharness serve` needs fastapi and uvicorn: pip install 'codeharness[serve]'") from None
    from harness.core.executor import Executor

    if args.max_request_samples < 1 or args.max_queue < args.max_request_samples:
        raise UserError("--max-queue must be at least --max-request-samples, and both positive")
    config = ServeConfig(host=args.host, port=args.port, token=args.token or os.environ.get("CODEHARNESS_TOKEN"),
                         benchmark=args.benchmark, data_dir=args.data_dir, split=args.split, mode=args.mode,
                         max_body_bytes=int(args.max_body_mb * (1 << 20)),
                         max_request_samples=args.max_request_samples, max_queue=args.max_queue,
                         allowed_benchmarks=allowed_roots(args.allow_benchmark),
                         openrlhf_sandbox_error_reward=args.openrlhf_sandbox_error_reward)
    if config.openrlhf_sandbox_error_reward is not None:
        from harness.rewards.adapters import sandbox_error_fill

        sandbox_error_fill(config.openrlhf_sandbox_error_reward, "--openrlhf-sandbox-error-reward")
    if config.benchmark:  # a bad name fails now, not at the first request
        from benchmarks_data.registry import get_benchmark

        get_benchmark(config.benchmark, data_path=config.data_dir, split=config.split)
    executor = Executor(exec_config(args))
    app = create_app(config, executor)
    print(f"codeharness: serving on http://{config.host}:{config.port} ({executor.config.sandbox} sandbox"
          f"{', token required' if config.token else ''})", file=sys.stderr, flush=True)
    uvicorn.run(app, host=config.host, port=config.port, log_level="warning", access_log=False,
                timeout_graceful_shutdown=5, timeout_keep_alive=75)
    return 0
