"""bench-training end to end at toy size on CPU: SFT -> PPO -> PF-PPO (BR, BW), one pass@1 table."""
import argparse
import json

from harness.cli import bench_training


def test_bench_training_writes_the_comparison_table(tmp_path, capsys):
    parser = argparse.ArgumentParser()
    bench_training.add_arguments(parser)
    out = tmp_path / "bt"
    args = parser.parse_args(
        ["--data", "atomic", "--out", str(out), "--arch", "gpt2", "--hidden", "32", "--layers", "1", "--heads", "2",
         "--vocab", "300", "--max-positions", "512", "--corpus-chars", "50000", "--sft-steps", "4", "--sft-batch", "4",
         "--max-seq-len", "384", "--ppo-steps", "1", "--n-samples", "2", "--prompts-per-step", "2",
         "--max-new-tokens", "8", "--eval-problems", "3", "--sandbox", "process", "--workers", "2"])
    assert bench_training.run(args) == 0
    result = json.loads((out / "bench_training.json").read_text())
    assert [r["stage"] for r in result["rows"]] == ["SFT", "PPO", "PF-PPO (BR)", "PF-PPO (BW)"]
    assert all(0 <= r["pass@1"] <= 1 for r in result["rows"])
    assert result["sft_tokens_per_s"] > 0 and 0 < result["ppo_execution_share"] < 1
    assert result["n_eval_problems"] == 3
    table = (out / "bench_training.md").read_text()
    assert "| PF-PPO (BW) |" in table and table in capsys.readouterr().out
