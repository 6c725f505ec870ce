"""`codeharness bench-training --preset ci|cpu|gpu`: the papers' comparisons at small scale.

One module per stage, read in this order:
  presets.py     the sizes (`Preset`: data, model, budgets per arm, seeds) and the three presets;
  build.py       synthetic functions (depth <= 2, the parts as a trusted library, so a response is a
                 few calls; held-out compositions) and a llama-style model built from scratch
                 (tokenizer trained here), saved and read back through `from_pretrained`;
  evaluation.py  held-out pass@1 (greedy), pass@k (sampled), train pass@1; `diagnose r2`;
  arms.py        one arm = one training run: SFT (atomic only | atomic + synthetic) or RL
                 (PPO | PF-PPO BoN / BR / BW from the best SFT arm; RL from the base model);
  run.py         every arm for every seed, rows kept in OUT/runs.jsonl (a rerun skips finished ones);
  report.py      mean +- std over seeds, each paper ordering held / not held, markdown, JSON, plot.

Paper 1: the atomic / synthetic function study (SFT needs both the atomic functions and their
compositions to generalise to unseen compositions; RL after SFT on the same prompts improves
held-out pass@1; RL from the base model over-fits less). Paper 2: PF-PPO (Shen & Zhang 2024,
policy filtration: BR and BW beat PPO, BoN does not; R^2 of Table 1).
"""
from harness.bench.reproduce.arms import RL_ARMS, SFT_ARMS
from harness.bench.reproduce.presets import PRESETS, Preset, preset_with
from harness.bench.reproduce.run import run_reproduction

__all__ = ["PRESETS", "Preset", "RL_ARMS", "SFT_ARMS", "preset_with", "run_reproduction"]
