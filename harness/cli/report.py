"""`codeharness report DIR [DIR...]`: compare evaluated runs side by side (see harness/reports/report.py)."""
from __future__ import annotations

import argparse
import os

from harness.reports.report import write_report


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dirs", nargs="+", metavar="DIR", help="run dirs (one per checkpoint), in the order to compare")
    parser.add_argument("--out", default="report", help="where report.md, scores.csv, status.csv, plots go")
    parser.add_argument("--no-plots", action="store_true")


def run(args) -> int:
    text = write_report(args.dirs, args.out, plots=not args.no_plots)
    print(text)
    print(f"\nwritten to {os.path.join(args.out, 'report.md')}")
    return 0
