"""`codeharness data ...`: dataset-making commands."""
from __future__ import annotations

import argparse


def add_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="data_cmd", required=True)
    from harness.data import synthesize

    synthesize.add_arguments(sub.add_parser(
        "synthesize", help="compose atomic functions into validated synthetic functions (train/test)"))


def run(args) -> int:
    from harness.data import synthesize

    return synthesize.run(args)
