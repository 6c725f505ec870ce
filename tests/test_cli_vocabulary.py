"""One CLI vocabulary: every verb that writes takes `--out`, and `--output-dir` means the same
thing wherever `--out` is accepted."""
import argparse

import pytest

from harness.cli.commands import build_parser


def leaf_parsers(parser: argparse.ArgumentParser, path=()):
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        yield path, parser
        return
    for name, child in subs[0].choices.items():
        yield from leaf_parsers(child, path + (name,))


LEAVES = list(leaf_parsers(build_parser()))


def test_writing_verbs_are_all_covered():
    writers = {" ".join(path) for path, p in LEAVES if any("--out" in a.option_strings for a in p._actions)}
    assert {"evaluate", "demo", "generate", "run", "report", "data synthesize", "train sft", "train ppo", "train rm",
            "bench", "bench-training", "bench-rewards", "bench-ray", "bench-generation", "diagnose r2"} <= writers


@pytest.mark.parametrize("path,parser", LEAVES, ids=[" ".join(p) for p, _ in LEAVES])
def test_out_and_output_dir_are_one_flag(path, parser):
    flags = {s: a for a in parser._actions for s in a.option_strings}
    if "--out" not in flags and "--output-dir" not in flags:
        pytest.skip("writes nothing")
    assert flags.get("--out") is flags.get("--output-dir"), "--out and --output-dir must be the same option"
    assert flags["--out"].dest == "out"
