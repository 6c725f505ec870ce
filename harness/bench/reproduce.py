"""`codeharness bench-training --preset ci|cpu|gpu`: the papers' comparisons at small scale.

Reads top to bottom, one section per stage:
  1. data    synthetic functions (depth <= 2, the parts as a trusted library so a response is a
             few calls) with held-out compositions (`data synthesize --split-by tuple`);
  2. model   a llama-style model built from scratch (tokenizer trained here), saved and read back
             through `from_pretrained`, the path a user's checkpoint takes;
  3. arms    per seed, the same budget per arm (SFT: steps x batch; RL: steps x prompts x samples):
               SFT atomic only | SFT atomic + synthetic                     (paper 1, finding 1)
               from the best SFT arm: PPO | PF-PPO BoN | BR | BW            (paper 2)
               RL from the base model (no SFT)                              (paper 1, finding 3)
             "SFT -> PPO" is also finding 2's arm: RL on the same prompts SFT trained on;
  4. report  held-out pass@1 (greedy) and pass@k (sampled), train pass@1, mean +- std over seeds;
             `diagnose r2` of the filtration strategies with a visible-tests proxy; each paper
             ordering marked held / not held; OUT/reproduce.md, OUT/reproduce.json, OUT/curves.png.

Paper 1: the atomic / synthetic function study (SFT needs both the atomic functions and their
compositions to generalise to unseen compositions; RL after SFT on the same prompts improves
held-out pass@1; RL from the base model over-fits less). Paper 2: PF-PPO (Shen & Zhang 2024,
policy filtration: BR and BW beat PPO, BoN does not; R^2 of Table 1).
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass, replace
from typing import Any, Optional, Sequence

# -- presets -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Preset:
    name: str
    n_functions: int = 400          # synthetic functions, train + test
    test_fraction: float = 0.2
    max_depth: int = 2
    hidden: int = 128
    layers: int = 2
    heads: int = 4
    vocab: int = 2048
    corpus_chars: int = 1_000_000   # stdlib characters the BPE tokenizer is trained on
    max_positions: int = 512
    library_repeats: int = 5        # copies of the training text in the tokenizer's corpus
    sft_steps: int = 400
    sft_batch: int = 16
    sft_lr: float = 2e-3
    sft_eval_every: int = 100
    max_seq_len: int = 384
    ppo_steps: int = 30
    prompts_per_step: int = 8
    n_samples: int = 4              # responses per prompt, before filtration (the same for every arm)
    ppo_lr: float = 2e-5
    critic_lr: float = 1e-4
    kl_coef: float = 0.02
    ppo_eval_every: int = 10
    max_new_tokens: int = 48
    seeds: int = 3
    eval_problems: int = 48         # held-out synthetic problems
    train_eval_problems: int = 48   # synthetic train problems (over-fitting)
    k: int = 5                      # pass@k: k samples per held-out problem at temperature 1
    r2_problems: int = 48
    r2_samples: int = 8
    threads: int = 2                # torch CPU threads (2 cores: more only adds contention)


PRESETS = {
    # CI: one seed, minutes on 2 cores; checks the pipeline, not the papers.
    "ci": Preset("ci", n_functions=300, corpus_chars=300_000, sft_steps=250, sft_lr=3e-3, sft_eval_every=125,
                 ppo_steps=2, prompts_per_step=4, n_samples=2, ppo_eval_every=1, seeds=1, eval_problems=16,
                 train_eval_problems=24, k=2, r2_problems=8, r2_samples=3),
    # 2 CPU cores, <= 60 minutes (measured: see the README).
    "cpu": Preset("cpu"),
    # One GPU: a ~30M model, more data, longer runs.
    "gpu": Preset("gpu", n_functions=2000, hidden=512, layers=8, heads=8, vocab=8192, corpus_chars=3_000_000,
                  max_positions=1024, sft_steps=3000, sft_batch=32, sft_lr=5e-4, sft_eval_every=250,
                  max_seq_len=512, ppo_steps=200, prompts_per_step=32, n_samples=5, ppo_lr=5e-6, critic_lr=5e-5,
                  ppo_eval_every=20, max_new_tokens=96, eval_problems=200, train_eval_problems=200, k=10,
                  r2_problems=200, r2_samples=10, threads=0),
}

SFT_ARMS = {"sft-atomic": "SFT atomic only", "sft-both": "SFT atomic + synthetic"}
RL_ARMS = {"ppo": ("sft", "none", "SFT -> PPO"), "pf-bon": ("sft", "bon", "SFT -> PF-PPO BoN"),
           "pf-br": ("sft", "br", "SFT -> PF-PPO BR"), "pf-bw": ("sft", "bw", "SFT -> PF-PPO BW"),
           "rl-base": ("base", "none", "RL from base (no SFT)")}
PAPER_R2 = {"none": 0.886, "bon": 0.454, "br": 0.922, "bw": 0.952}     # PF-PPO Table 1


# -- evaluation ----------------------------------------------------------------------------------
class Evaluator:
    """Greedy pass@1 on held-out and on train problems, sampled pass@k on held-out, in the sandbox."""

    def __init__(self, preset: Preset, test, train, executor):
        from harness.training.pass_at_1 import PassAt1Eval

        self.preset, self.test = preset, test
        self.held = PassAt1Eval(test.benchmark, test.problems[:preset.eval_problems], executor,
                                max_new_tokens=preset.max_new_tokens)
        self.train = PassAt1Eval(train.benchmark, train.problems[:preset.train_eval_problems], executor,
                                 max_new_tokens=preset.max_new_tokens)

    def curve_point(self, model, tokenizer, step: int = 0) -> dict:
        return {"pass@1": self.held(model, tokenizer, step)["pass@1"]}

    def pass_at_k(self, model, tokenizer, seed: int) -> float:
        from harness.core.metrics import pass_at_k
        from harness.generation.base import GenerationConfig
        from harness.generation.hf import HFBackend

        k, problems = self.preset.k, self.held.problems
        backend = HFBackend.from_model(model, tokenizer)
        was_training = model.training
        model.eval()
        try:
            groups = backend.generate([p.prompt for p in problems], GenerationConfig(
                n=k, temperature=1.0, max_new_tokens=self.preset.max_new_tokens, stop=self.held.stop, seed=seed))
        finally:
            model.train(was_training)
        flat = [c for g in groups for c in g]
        ok = self.held.reward(None, flat, task_id=[p.task_id for p, g in zip(problems, groups) for _ in g])
        per_problem = [ok[i * k:(i + 1) * k] for i in range(len(problems))]
        return sum(pass_at_k(k, sum(1 for r in rs if r), k) for rs in per_problem) / max(1, len(problems))

    def final(self, model, tokenizer, seed: int) -> dict:
        return {"heldout_pass@1": self.held(model, tokenizer)["pass@1"],
                f"heldout_pass@{self.preset.k}": self.pass_at_k(model, tokenizer, seed),
                "train_pass@1": self.train(model, tokenizer)["pass@1"]}


# -- stages ----------------------------------------------------------------------------------------
def synthesize_data(preset: Preset, out: str, executor, progress: bool) -> str:
    from harness.data.synthesize import synthesize

    path = os.path.join(out, "data")
    if not os.path.exists(os.path.join(path, "test.jsonl")):
        synthesize(preset.n_functions, 0, path, executor, test_fraction=preset.test_fraction, split="tuple",
                   max_depth=preset.max_depth, helpers="library", progress=progress, overwrite=True)
    return path


def build_model(preset: Preset, out: str, train_texts: Sequence[str] = ()) -> str:
    """The tokenizer is trained on the stdlib plus the training text (the atomic library's sources and
    the synthetic train rows, never the held-out ones), repeated so that the function names become
    tokens and a response is a few tokens to copy from the signature."""
    from benchmarks_data.atomic import ATOMICS
    from harness.generation.random_model import build_random_model

    path = os.path.join(out, "base")
    if not os.path.exists(os.path.join(path, "config.json")):
        library = ([f.source for f in ATOMICS] + list(train_texts)) * preset.library_repeats
        build_random_model(path, arch="llama", vocab_size=preset.vocab, hidden=preset.hidden, layers=preset.layers,
                           heads=preset.heads, max_positions=preset.max_positions, corpus_chars=preset.corpus_chars,
                           seed=0, extra_corpus=library)
    return path


def run_sft_arm(preset: Preset, base: str, records: list[dict], out: str, seed: int, ev: Evaluator) -> dict:
    from trainers.config import SFTConfig
    from trainers.metrics_log import MetricsLogger
    from trainers.sft import train_sft

    # The same budget for every SFT arm: sft_steps optimizer steps of sft_batch sequences (a smaller
    # dataset is seen for more epochs).
    cfg = SFTConfig(model_name_or_path=base, output_dir=out, seed=seed, lr=preset.sft_lr,
                    warmup_steps=max(1, preset.sft_steps // 10), max_steps=preset.sft_steps,
                    batch_size=preset.sft_batch, max_seq_len=preset.max_seq_len, log_every=25,
                    eval_every=preset.sft_eval_every, keep_checkpoints=1, resume=False)
    start = time.perf_counter()
    result = train_sft(cfg, records, eval_fn=ev.curve_point,
                       logger=MetricsLogger(out, console=False, tensorboard=False))
    curve = [(0, 0.0)] + [(h["step"], h["eval/pass@1"]) for h in result.history if "eval/pass@1" in h]
    return {"curve": curve, "init": os.path.join(out, "final"), "train_seconds": time.perf_counter() - start,
            **ev.final(result.model, result.tokenizer, seed)}


def run_rl_arm(preset: Preset, init: str, strategy: str, train, out: str, seed: int, ev: Evaluator,
               executor) -> dict:
    from harness.training.rewards import VerdictReward, VerdictScore
    from trainers.config import PPOConfig
    from trainers.metrics_log import MetricsLogger
    from trainers.ppo import PPOTrainer

    # The same budget for every RL arm: ppo_steps x prompts_per_step x n_samples sampled responses;
    # filtration (PF-PPO eq. 5's weights, `drop` mode) then chooses which of them train.
    cfg = PPOConfig(model_name_or_path=init, output_dir=out, seed=seed, total_steps=preset.ppo_steps,
                    prompts_per_step=preset.prompts_per_step, samples_per_prompt=preset.n_samples,
                    max_new_tokens=preset.max_new_tokens, policy_lr=preset.ppo_lr, critic_lr=preset.critic_lr,
                    kl_coef=preset.kl_coef, filter_strategy=strategy, eval_every=preset.ppo_eval_every,
                    minibatch_size=max(1, preset.prompts_per_step * preset.n_samples // 4), log_every=1)
    reward = VerdictReward(train.benchmark, executor, "binary")
    trainer = PPOTrainer(cfg, reward_fn=reward, score_fn=VerdictScore(train.benchmark, executor, reward=reward),
                         logger=MetricsLogger(out, console=False, tensorboard=False))
    first = ev.curve_point(trainer.policy, trainer.tokenizer)["pass@1"]
    start = time.perf_counter()
    history = trainer.train([{"prompt": p.prompt, "task_id": p.task_id} for p in train.problems],
                            eval_fn=ev.curve_point)
    curve = [(0, first)] + [(i, h["eval/pass@1"]) for i, h in enumerate(history, 1) if "eval/pass@1" in h]
    rewards = [h["reward/mean"] for h in history if isinstance(h.get("reward/mean"), (int, float))]
    return {"curve": curve, "train_seconds": time.perf_counter() - start,
            "reward_first": rewards[0] if rewards else float("nan"),
            "reward_last": rewards[-1] if rewards else float("nan"),
            **ev.final(trainer.policy, trainer.tokenizer, seed)}


def run_r2(preset: Preset, model_path: str, train, executor, seed: int) -> list[dict]:
    """`diagnose r2` on the RL prompts: proxy reward = share of the first 3 tests passed."""
    from benchmarks_data.views import VisibleTests
    from harness.generation.base import GenerationConfig, make_backend
    from harness.generation.generate import stop_sequences
    from harness.rewards.code_reward import CodeReward
    from trainers.r2 import diagnose_r2_from_model

    problems = train.problems[:preset.r2_problems]
    reward = CodeReward(VisibleTests(train.benchmark, 3), mode="fraction", executor=executor, name="visible")
    score = CodeReward(train.benchmark, mode="binary", executor=executor, name="score")
    backend = make_backend("hf", model_path)
    config = GenerationConfig(temperature=1.0, max_new_tokens=preset.max_new_tokens,
                              stop=stop_sequences(train.benchmark, chat=False), seed=seed)
    try:
        table = diagnose_r2_from_model([p.prompt for p in problems], lambda ps, n: backend.generate(ps, config.with_n(n)),
                                       reward, score, n_samples=preset.r2_samples, strategies=list(PAPER_R2),
                                       columns={"task_id": [p.task_id for p in problems]})
    finally:
        backend.close()
    return [{"strategy": s, "r2": float(row["r2"]), "paper_r2": PAPER_R2[s], "n_kept": int(row["n_kept"]),
             "mean_reward": float(row["mean_reward"]), "mean_score": float(row["mean_score"])}
            for s, row in table.iterrows()]


# -- the whole run ------------------------------------------------------------------------------------
def run_reproduction(preset: Preset, out: str, executor, progress: bool = True,
                     arms: Optional[Sequence[str]] = None) -> dict:
    """Every arm for every seed; rows are appended to OUT/runs.jsonl as they finish (a run cut short
    keeps them and a rerun skips them). `arms` limits the run to some arms (a timed slice)."""
    import torch
    from tqdm import tqdm

    from harness.training.data import load_data, parse_data_spec

    if preset.threads:
        torch.set_num_threads(preset.threads)
    os.makedirs(out, exist_ok=True)
    started = time.perf_counter()
    data_dir = synthesize_data(preset, out, executor, progress)
    atomic = load_data(parse_data_spec("atomic"), need_response=True)
    train = load_data(parse_data_spec(f"synthetic:{data_dir}:train"), need_response=True, need_tests=True)
    base = build_model(preset, out, [r["prompt"] + r["response"] for r in train.records])
    test = load_data(parse_data_spec(f"synthetic:{data_dir}:test"), need_tests=True)
    ev = Evaluator(preset, test, train, executor)
    chosen = list(arms) if arms else list(SFT_ARMS) + list(RL_ARMS)
    runs_path = os.path.join(out, "runs.jsonl")
    done = {(r["arm"], r["seed"]): r for r in _read_jsonl(runs_path)}
    untrained = done.get(("untrained", 0)) or _record(runs_path, {"arm": "untrained", "seed": 0, "curve": [],
                                                                  **ev.final(*_load(base), 0)})
    n_jobs = preset.seeds * len(chosen)
    bar = tqdm(total=n_jobs, desc="reproduce", unit="arm", disable=not progress)
    sft_records = {"sft-atomic": atomic.records, "sft-both": atomic.records + train.records}
    for arm in [a for a in SFT_ARMS if a in chosen]:
        for seed in range(preset.seeds):
            bar.set_postfix(arm=arm, seed=seed)
            if (arm, seed) not in done:
                res = run_sft_arm(preset, base, sft_records[arm], os.path.join(out, arm, f"seed{seed}"), seed, ev)
                done[(arm, seed)] = _record(runs_path, {"arm": arm, "seed": seed, **res})
            bar.update()
    # The best SFT arm (mean held-out pass@1 over seeds) is where the filtration arms start.
    sft_done = [a for a in SFT_ARMS if all((a, s) in done for s in range(preset.seeds))]
    best_sft = max(reversed(sft_done),   # a tie goes to atomic + synthetic key=lambda a: _mean([done[(a, s)]["heldout_pass@1"] for s in range(preset.seeds)]),
                   default=None)
    for arm in [a for a in RL_ARMS if a in chosen]:
        start_from, strategy, _ = RL_ARMS[arm]
        for seed in range(preset.seeds):
            bar.set_postfix(arm=arm, seed=seed)
            if (arm, seed) not in done:
                if start_from == "sft" and best_sft is None:
                    raise ValueError(f"{arm} starts from the best SFT arm: run the SFT arms first")
                init = base if start_from == "base" else done[(best_sft, seed)]["init"]
                res = run_rl_arm(preset, init, strategy, train, os.path.join(out, arm, f"seed{seed}"), seed, ev,
                                 executor)
                done[(arm, seed)] = _record(runs_path, {"arm": arm, "seed": seed, "init": init, **res})
            bar.update()
    bar.close()
    r2 = []
    if best_sft is not None and any(a in chosen for a in ("pf-bon", "pf-br", "pf-bw", "ppo")):
        r2 = run_r2(preset, done[(best_sft, 0)]["init"], train, executor, seed=0)
    rows = [r for (a, _), r in done.items() if a in chosen or a == "untrained"]
    summary = summarise(rows, preset)
    result = {"preset": asdict(preset), "best_sft": best_sft, "wall_seconds": time.perf_counter() - started,
              "n_train": len(train.problems), "n_test": len(test.problems), "n_atomic": len(atomic.problems),
              "summary": summary, "orderings": orderings(summary, r2, preset), "r2": r2, "runs": rows,
              "untrained": {k: v for k, v in untrained.items() if k != "curve"}}
    write_report(result, out)
    return result


def _load(path: str):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    return AutoModelForCausalLM.from_pretrained(path), AutoTokenizer.from_pretrained(path)


def _read_jsonl(path: str) -> list[dict]:
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _record(path: str, row: dict) -> dict:
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(row) + "\n")
    return row


def _mean(xs: Sequence[float]) -> float:
    return sum(xs) / len(xs) if xs else float("nan")


# -- the report --------------------------------------------------------------------------------------
def label(arm: str) -> str:
    return {"untrained": "untrained base model", **SFT_ARMS, **{a: v[2] for a, v in RL_ARMS.items()}}[arm]


def summarise(rows: list[dict], preset: Preset) -> list[dict]:
    """mean and std over seeds per arm, in arm order."""
    import pandas as pd

    frame = pd.DataFrame(rows)
    metrics = ["heldout_pass@1", f"heldout_pass@{preset.k}", "train_pass@1"]
    out = []
    for arm in ["untrained", *SFT_ARMS, *RL_ARMS]:
        part = frame[frame["arm"] == arm] if not frame.empty else frame
        if part.empty:
            continue
        row: dict[str, Any] = {"arm": arm, "label": label(arm), "seeds": int(len(part))}
        for m in metrics:
            row[m] = float(part[m].mean())
            row[m + "_std"] = float(part[m].std(ddof=0))
        row["gap"] = row["train_pass@1"] - row["heldout_pass@1"]     # over-fitting: train minus held-out
        row["train_seconds"] = float(part["train_seconds"].mean()) if "train_seconds" in part else 0.0
        out.append(row)
    return out


def _verdict(diff: float, noise: float) -> str:
    if diff != diff:   # nan: an arm missing
        return "not run"
    if diff == 0:
        return "not held (tie)"
    if diff > noise:
        return "held"
    return "not held" if diff < -noise else "not held (within noise over seeds)"


def orderings(summary: list[dict], r2: list[dict], preset: Preset) -> list[dict]:
    """Each paper ordering as (claim, left - right, verdict); noise = the larger std over seeds."""
    by = {r["arm"]: r for r in summary}

    def compare(claim, left, right, metric, lower_is_better=False):
        if left not in by or right not in by:
            return {"claim": claim, "diff": float("nan"), "verdict": "not run"}
        sign = -1.0 if lower_is_better else 1.0
        diff = sign * (by[left][metric] - by[right][metric])
        std = "_std" if metric != "gap" else None
        noise = max(by[left].get(metric + "_std", 0), by[right].get(metric + "_std", 0)) if std else 0.0
        if metric == "gap":   # gap = train - held-out: its spread is at most the sum of both spreads
            noise = max(by[a]["train_pass@1_std"] + by[a]["heldout_pass@1_std"] for a in (left, right))
        return {"claim": claim, "metric": metric, "left": by[left][metric], "right": by[right][metric],
                "diff": diff, "noise": noise, "verdict": _verdict(diff, noise if preset.seeds > 1 else 0.0)}

    out = [compare("paper 1, finding 1: SFT on atomic + synthetic generalises better than on atomic only "
                   "(held-out pass@1)", "sft-both", "sft-atomic", "heldout_pass@1"),
           compare("paper 1, finding 2: RL after SFT on the same prompts beats SFT alone (held-out pass@1)",
                   "ppo", "sft-both", "heldout_pass@1"),
           compare("paper 1, finding 3: RL from the base model over-fits less than SFT (smaller train - "
                   "held-out gap)", "rl-base", "sft-both", "gap", lower_is_better=True),
           compare("paper 2: PF-PPO BR beats PPO (held-out pass@1)", "pf-br", "ppo", "heldout_pass@1"),
           compare("paper 2: PF-PPO BW beats PPO (held-out pass@1)", "pf-bw", "ppo", "heldout_pass@1"),
           compare("paper 2: PF-PPO BoN does not beat PPO (held-out pass@1)", "ppo", "pf-bon", "heldout_pass@1")]
    if r2:
        val = {r["strategy"]: r["r2"] for r in r2}
        held = val["bw"] >= val["br"] > val["none"] > val["bon"]
        undefined = any(v != v for v in val.values())
        out.append({"claim": "paper 2, Table 1: R^2 of score on reward BW >= BR > none > BoN (visible-tests "
                             "proxy)", "diff": float("nan"),
                    "verdict": ("not measurable (R^2 undefined: the kept rewards do not vary)" if undefined
                                else "held" if held else "not held"),
                    "values": {k: round(v, 3) for k, v in val.items()}})
    return out


def _md(frame) -> str:
    from harness.reports.report import markdown_table

    return markdown_table([str(c) for c in frame.columns], [[str(v) for v in row] for row in frame.values.tolist()])


def markdown(result: dict) -> str:
    import pandas as pd

    p = result["preset"]
    k = p["k"]
    table = pd.DataFrame([{
        "arm": r["label"], "seeds": r["seeds"],
        "held-out pass@1": f"{r['heldout_pass@1']:.3f} +- {r['heldout_pass@1_std']:.3f}",
        f"held-out pass@{k}": f"{r[f'heldout_pass@{k}']:.3f} +- {r[f'heldout_pass@{k}_std']:.3f}",
        "train pass@1": f"{r['train_pass@1']:.3f} +- {r['train_pass@1_std']:.3f}",
        "train - held-out": f"{r['gap']:+.3f}", "train s": f"{r['train_seconds']:.0f}"} for r in result["summary"]])
    lines = [f"## Reproduction, preset `{p['name']}`", "",
             f"llama {p['hidden']}x{p['layers']} (vocab {p['vocab']}) built from scratch; {result['n_atomic']} atomic "
             f"+ {result['n_train']} synthetic train functions, {result['n_test']} held-out compositions "
             f"(depth <= {p['max_depth']}; first {p['eval_problems']} evaluated); SFT {p['sft_steps']} steps x "
             f"{p['sft_batch']}; RL {p['ppo_steps']} steps x {p['prompts_per_step']} prompts x {p['n_samples']} "
             f"samples; best SFT arm for PF-PPO: {result['best_sft']}; wall time {result['wall_seconds'] / 60:.1f} "
             "min.", "", _md(table), "", "| paper ordering | at this scale |", "|---|---|"]
    for o in result["orderings"]:
        extra = f" ({o['left']:.3f} vs {o['right']:.3f})" if "left" in o else (
            f" ({', '.join(f'{s} {v}' for s, v in o['values'].items())})" if "values" in o else "")
        lines.append(f"| {o['claim']} | {o['verdict']}{extra} |")
    if result["r2"]:
        r2 = pd.DataFrame(result["r2"]).rename(columns={"r2": "R^2 here", "paper_r2": "R^2 paper"})
        lines += ["", "`diagnose r2` on the best SFT model (seed 0), proxy reward: share of the first 3 tests "
                  "passed; score: all tests pass.", "", _md(r2.round(3))]
    return "\n".join(lines) + "\n"


def plot_curves(result: dict, path: str) -> Optional[str]:
    """Held-out pass@1 over training steps, one line per arm (mean over seeds); SFT and RL side by side."""
    try:
        from harness.reports.plots import _pyplot
        plt = _pyplot()
    except ImportError:
        return None
    import numpy as np

    fig, axes = plt.subplots(1, 2, figsize=(11, 4), squeeze=False)
    for ax, arms, title in ((axes[0][0], SFT_ARMS, "SFT (from the base model)"),
                            (axes[0][1], RL_ARMS, "RL (step 0 = its starting model)")):
        for arm in arms:
            curves = [r["curve"] for r in result["runs"] if r["arm"] == arm and r["curve"]]
            if not curves:
                continue
            steps = [s for s, _ in curves[0]]
            vals = np.array([[v for _, v in c] for c in curves if len(c) == len(steps)])
            mean, std = vals.mean(0), vals.std(0)
            ax.plot(steps, mean, marker="o", label=label(arm))
            ax.fill_between(steps, mean - std, mean + std, alpha=0.15)
        ax.set_title(title)
        ax.set_xlabel("optimizer step" if arms is SFT_ARMS else "PPO step")
        ax.set_ylabel("held-out pass@1 (greedy)")
        ax.set_ylim(0, 1)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def write_report(result: dict, out: str) -> None:
    text = markdown(result)
    result["plot"] = plot_curves(result, os.path.join(out, "curves.png"))
    with open(os.path.join(out, "reproduce.md"), "w", encoding="utf-8") as f:
        f.write(text)
    with open(os.path.join(out, "reproduce.json"), "w", encoding="utf-8") as f:
        json.dump(result, f, indent=2, default=str)
    result["markdown"] = text


def preset_with(name: str, **overrides) -> Preset:
    return replace(PRESETS[name], **{k: v for k, v in overrides.items() if v is not None})
