"""The sizes of a reproduction run: data, model, per-arm budgets, seeds; the ci / cpu / gpu presets."""
from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Preset:
    name: str
    n_functions: int = 400          # synthetic functions, train + test
    test_fraction: float = 0.2
    max_depth: int = 2
    prompt_style: str = "brief"     # `data synthesize --prompt-style`: brief = the signature names the parts
    hidden: int = 128
    layers: int = 2
    heads: int = 4
    vocab: int = 1024               # BPE merges; the atomic names are added as whole tokens on top
    corpus_chars: int = 300_000     # stdlib characters the BPE tokenizer is trained on
    max_positions: int = 512
    library_repeats: int = 3        # copies of the training text in the tokenizer's corpus
    # Held-out pass@1 jumps once the model learns to copy the parts' names (seed 0, 400-step schedule:
    # 0 at 100 steps, 0.10 at 200, 0.65 at 300, 0.71 at 400; a 300-step schedule ended at 0.04-0.25).
    sft_steps: int = 400
    sft_batch: int = 16
    sft_lr: float = 3e-3
    sft_eval_every: int = 100
    max_seq_len: int = 384
    ppo_steps: int = 16
    prompts_per_step: int = 8
    n_samples: int = 4              # responses per prompt, before filtration (the same for every arm)
    ppo_lr: float = 1e-4            # 16 steps x 2 epochs x 4 minibatches: 2e-5 barely moves a 128-wide model
    critic_lr: float = 3e-4
    kl_coef: float = 0.02
    ppo_eval_every: int = 8
    max_new_tokens: int = 48
    seeds: int = 3
    eval_problems: int = 48         # held-out synthetic problems
    train_eval_problems: int = 48   # synthetic train problems (over-fitting)
    k: int = 5                      # pass@k: k samples per held-out problem at temperature 1
    r2_problems: int = 24
    r2_samples: int = 8
    # torch CPU threads. 1 on a shared 2-core machine: two threads wait on each other whenever the other
    # core is busy (measured 0.11 s/step idle, 1.3 s/step loaded; one thread: 0.16 s/step either way).
    threads: int = 1
    # (arm, seed) runs at once, each a process with `threads` torch threads and its own sandbox pool.
    jobs: int = 1


PRESETS = {
    # CI: one seed, small evaluations, one RL step (the test runs SFT atomic + synthetic, then PF-PPO BW);
    # checks the pipeline and that SFT learns, not the papers.
    "ci": Preset("ci", sft_eval_every=200, ppo_steps=1, prompts_per_step=4, n_samples=2,
                 ppo_eval_every=1, seeds=1, eval_problems=24, train_eval_problems=16, k=2, r2_problems=8,
                 r2_samples=3),
    # 2 CPU cores, <= 60 minutes (measured: see the README).
    "cpu": Preset("cpu", jobs=2),
    # One GPU: a ~30M model, more data, the steps docstrings, longer runs.
    "gpu": Preset("gpu", n_functions=2000, prompt_style="steps", hidden=512, layers=8, heads=8, vocab=8192,
                  corpus_chars=3_000_000, max_positions=1024, library_repeats=5, sft_steps=3000, sft_batch=32,
                  sft_lr=5e-4, sft_eval_every=250, max_seq_len=512, ppo_steps=200, prompts_per_step=32,
                  n_samples=5, ppo_lr=5e-6, critic_lr=5e-5, ppo_eval_every=20, max_new_tokens=96,
                  eval_problems=200, train_eval_problems=200, k=10, r2_problems=200, r2_samples=10, threads=0),
}


def preset_with(name: str, **overrides) -> Preset:
    return replace(PRESETS[name], **{k: v for k, v in overrides.items() if v is not None})
