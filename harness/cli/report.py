"""`codeharness report DIR [DIR...]`: compare evaluated runs side by side (see harness/reports/report.py)."""
from __future__ import annotations

import argparse
import os

from harness.cli.options import add_out_argument
from harness.reports.report import write_report


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dirs", nargs="+", metavar="DIR", help="run dirs (one per checkpoint), in the order to compare")
    add_out_argument(parser, "where report.md, scores.csv, status.csv and the plots go (default: the first DIR)")
    parser.add_argument("--no-plots", action="store_true")


def run(args) -> int:
    out = args.out or args.dirs[0]
    text = write_report(args.dirs, out, plots=not args.no_plots)
    print(text)
    print(f"\nwritten to {os.path.join(out, 'report.md')}")
    return 0
