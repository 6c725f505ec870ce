"""Every subcommand parses (flag clashes between shared argument groups show up here) and
`codeharness --help` stays fast: no torch, transformers or ray at import."""
import subprocess
import sys

import pytest

from harness.cli.commands import COMMANDS, build_parser


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_subcommand_help(name, capsys):
    with pytest.raises(SystemExit) as e:
        build_parser().parse_args([name, "--help"])
    assert e.value.code == 0
    assert "usage: codeharness" in capsys.readouterr().out


def test_help_imports_no_heavy_library():
    code = ("import sys; from harness.cli.commands import build_parser; build_parser(); "
            "print(sorted(m for m in ('torch', 'transformers', 'ray', 'trl') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
