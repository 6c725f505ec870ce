"""`bench-training --preset ci`: the reproduction pipeline end to end at CI size, Docker rewards.

One seed, SFT on atomic + synthetic and one PF-PPO BW step from it (sandbox rewards), then the
report: markdown, JSON, plot, one verdict per paper ordering ("not run" for the arms left out).
Checks that SFT learns what the untrained model cannot: held-out compositions (part tuples never
trained on), greedy pass@1. The full comparison (every arm, 3 seeds) is `--preset cpu`, a benchmark.
"""
import argparse
import json
import os

import pytest

from harness.bench.reproduce import PRESETS
from harness.bench.reproduce.report import orderings
from harness.bench.reproduce.run import best_sft_arm
from harness.cli import bench_training

CI_ARMS = ("sft-both", "pf-bw")


@pytest.fixture(scope="module")
def ci_run(docker_client, tmp_path_factory):
    parser = argparse.ArgumentParser()
    bench_training.add_arguments(parser)
    out = tmp_path_factory.mktemp("repro") / "out"
    # Two seeds as two processes at once (`--jobs 2`, as the cpu preset runs), sharing OUT/runs.jsonl.
    args = parser.parse_args(["--preset", "ci", "--out", str(out), "--arms", ",".join(CI_ARMS), "--workers", "2",
                              "--seeds", "2", "--jobs", "2"])
    assert bench_training.run(args) == 0
    return out, json.loads((out / "reproduce.json").read_text())


@pytest.mark.docker
def test_ci_preset_runs_sft_then_rl_and_writes_the_report(ci_run):
    out, result = ci_run
    assert [r["arm"] for r in result["summary"]] == ["untrained", *CI_ARMS]
    # Every (arm, seed) once in runs.jsonl, each a whole JSON line, though two processes appended to it.
    lines = (out / "runs.jsonl").read_text().splitlines()
    assert sorted((json.loads(x)["arm"], json.loads(x)["seed"]) for x in lines) == sorted(
        [("untrained", 0)] + [(a, s) for a in CI_ARMS for s in (0, 1)])
    assert [r["seeds"] for r in result["summary"]] == [1, 2, 2]
    # The stages hand over models by path: SFT's OUT/final is what the RL arm starts from, and the
    # base model is read back with from_pretrained like a user's checkpoint.
    assert result["best_sft"] == "sft-both"
    for seed in (0, 1):   # each seed's RL run starts from that seed's SFT model
        rl = next(r for r in result["runs"] if r["arm"] == "pf-bw" and r["seed"] == seed)
        assert rl["init"] == str(out / "sft-both" / f"seed{seed}" / "final")
    assert (out / "base" / "config.json").exists() and (out / "base" / "tokenizer.json").exists()
    for row in result["summary"]:
        for metric in ("heldout_pass@1", "heldout_pass@2", "train_pass@1"):
            assert 0.0 <= row[metric] <= 1.0
    curves = {r["arm"]: r["curve"] for r in result["runs"]}
    ci = PRESETS["ci"]
    assert [s for s, _ in curves["sft-both"]] == list(range(0, ci.sft_steps + 1, ci.sft_eval_every))
    assert [s for s, _ in curves["pf-bw"]] == list(range(ci.ppo_steps + 1))
    assert rl["reward_first"] == rl["reward_first"], "the RL step got no sandbox reward"
    verdicts = {o["claim"]: o["verdict"] for o in result["orderings"]}
    # Every arm-vs-arm ordering needs an arm left out here; R^2 (BW vs BR vs PPO vs BoN) is measured.
    assert len(verdicts) == 7 and sum(v == "not run" for v in verdicts.values()) == 6
    assert {r["strategy"] for r in result["r2"]} == {"none", "bon", "br", "bw"}
    table = (out / "reproduce.md").read_text()
    assert "| SFT -> PF-PPO BW |" in table and "| paper ordering | at this scale |" in table
    import importlib.util
    if importlib.util.find_spec("matplotlib"):
        assert (out / "curves.png").stat().st_size > 0


@pytest.mark.docker
def test_sft_raises_held_out_pass_at_1_above_the_untrained_model(ci_run):
    # Fails with lr=0 (the SFT model is then the untrained one: 0.0 on every held-out problem).
    _, result = ci_run
    sft = next(r for r in result["summary"] if r["arm"] == "sft-both")
    assert result["untrained"]["heldout_pass@1"] == 0.0
    assert sft["heldout_pass@1"] >= 0.1, sft


def _row(arm, held, train, std=0.0):
    return {"arm": arm, "heldout_pass@1": held, "heldout_pass@1_std": std, "train_pass@1": train,
            "train_pass@1_std": std, "gap": train - held}


def test_orderings_say_held_not_held_and_not_run():
    summary = [_row("sft-atomic", 0.0, 0.1), _row("sft-both", 0.4, 0.9, 0.05), _row("ppo", 0.42, 0.9, 0.05),
               _row("pf-br", 0.6, 0.9), _row("rl-base", 0.0, 0.0)]
    preset = PRESETS["cpu"]
    verdicts = [o["verdict"] for o in orderings(summary, [], preset)]
    assert verdicts == ["held", "not held (within noise over seeds)", "held", "held", "not run", "not run"]


def test_best_sft_arm_is_the_best_mean_and_a_tie_goes_to_atomic_plus_synthetic():
    done = {("sft-atomic", 0): {"heldout_pass@1": 0.5}, ("sft-both", 0): {"heldout_pass@1": 0.2}}
    assert best_sft_arm(done, 1) == "sft-atomic"
    done[("sft-both", 0)]["heldout_pass@1"] = 0.5
    assert best_sft_arm(done, 1) == "sft-both"
    assert best_sft_arm({("sft-both", 0): {"heldout_pass@1": 0.1}}, 2) is None


def test_atomic_names_are_whole_tokens_inside_a_composed_name():
    from benchmarks_data.atomic import ATOMICS
    from harness.generation.random_model import train_tokenizer

    tok = train_tokenizer(300, 20_000, whole_words=[f.name for f in ATOMICS])
    text = "def symmetric_difference_of_sort_ascending_and_dense_rank(xs):"
    pieces = [tok.decode([i]) for i in tok(text, add_special_tokens=False)["input_ids"]]
    assert "".join(pieces) == text
    # the longest name wins: `symmetric_difference`, not `symmetric_` + `difference`
    assert {"symmetric_difference", "sort_ascending", "dense_rank"} <= set(pieces), pieces
    # Ids in (-length, name) order, not set order (which changes with PYTHONHASHSEED between runs).
    names = sorted({f.name for f in ATOMICS}, key=lambda w: (-len(w), w))
    ids = tok.convert_tokens_to_ids(names)
    assert ids == sorted(ids)
