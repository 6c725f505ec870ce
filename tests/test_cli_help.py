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


def test_a_command_line_imports_only_its_own_verb():
    """`codeharness evaluate ...` builds the flags of evaluate alone: importing every verb's module
    (training, serving, data synthesis, the atomic library) cost each run about 0.4 s of start-up."""
    code = ("import sys; from harness.cli.commands import main\n"
            "try:\n    main(['evaluate', '--help'])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.startswith(('harness.cli.', 'benchmarks_data.atomic'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    loaded = eval(out.strip().splitlines()[-1])
    assert "harness.cli.evaluate" in loaded
    assert not [m for m in loaded if m.split(".")[-1] in ("train", "serve", "data", "bench_training", "atomic")], loaded


@pytest.mark.parametrize("argv", [["evaluate", "--help"], ["--help"], ["train", "sft", "--help"]])
def test_help_of_a_verb_alone_still_shows_its_flags(argv, capsys):
    from harness.cli.commands import main

    with pytest.raises(SystemExit) as e:
        main(argv)
    assert e.value.code == 0
    out = capsys.readouterr().out
    assert {"evaluate": "--samples", "--help": "bench-training", "train": "--model"}[argv[0]] in out, out[:500]
