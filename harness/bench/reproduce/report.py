"""The report of a reproduction: mean +- std over seeds per arm, each paper ordering held or not,
OUT/reproduce.md, OUT/reproduce.json, OUT/curves.png."""
from __future__ import annotations

import json
import os
from typing import Any, Optional

from harness.bench.reproduce.arms import RL_ARMS, SFT_ARMS, label
from harness.bench.reproduce.presets import Preset


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
        row["train_seconds"] = float(part["train_seconds"].fillna(0).mean()) if "train_seconds" in part else 0.0
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
