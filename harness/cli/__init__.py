"""The `codeharness` command: one module per verb (argument parsing and printing only), shared flags in options.py."""
from harness.cli.commands import main

__all__ = ["main"]
