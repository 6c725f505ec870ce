"""The R^2 diagnostic PF-PPO uses to choose a filtration strategy (the paper's Table 1).

Sample N responses per prompt from the policy, compute for each a *reward* (what PPO would
train on) and an *actual score* (the ground truth), filter with a strategy, then:
  1. bin the kept samples by reward into `n_bins` equal-width bins spanning [min, max] of all
     valid rewards (the same edges for every strategy, so the strategies are comparable);
  2. per non-empty bin take the mean reward and the mean score;
  3. regress mean score on mean reward by ordinary least squares (unweighted, with intercept);
  4. R^2 = 1 - SS_res / SS_tot of that fit.
A high R^2 says the rewards the strategy keeps indicate real performance. The paper reports on
its SFT policy: no filter .886, BoN .454, BR .922, BW .952.

The reward must be a *proxy*: a reward model, or execution on a visible subset of tests; the
score must be the full hidden tests. With a binary execution reward equal to the score, every
bin's mean score equals its mean reward and R^2 is trivially 1 for every strategy, which
tells nothing.
"""
from __future__ import annotations

from typing import Any, Callable, Optional, Sequence

import numpy as np
import pandas as pd

from trainers.filtration import filter_batch

PAPER_STRATEGIES = ("none", "bon", "br", "bw")

RewardFn = Callable[..., list]   # reward(prompts, completions, **columns) -> list[float | None]


def r_squared(x: Sequence[float], y: Sequence[float]) -> tuple[float, float, float]:
    """OLS of y on x with intercept; returns (r2, slope, intercept). NaN when undefined
    (fewer than 2 distinct x, or y constant)."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if len(x) < 2 or np.ptp(x) == 0:
        return float("nan"), float("nan"), float("nan")
    slope, intercept = np.polyfit(x, y, 1)
    ss_tot = float(((y - y.mean()) ** 2).sum())
    if ss_tot == 0:
        return float("nan"), float(slope), float(intercept)
    ss_res = float(((y - (slope * x + intercept)) ** 2).sum())
    return 1.0 - ss_res / ss_tot, float(slope), float(intercept)


def binned_means(rewards: np.ndarray, scores: np.ndarray, edges: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean reward and mean score per non-empty bin (the last bin is closed on the right)."""
    bins = np.clip(np.searchsorted(edges, rewards, side="right") - 1, 0, len(edges) - 2)
    used = np.unique(bins)
    return (np.array([rewards[bins == b].mean() for b in used]),
            np.array([scores[bins == b].mean() for b in used]))


def diagnose_r2(rewards: Sequence[Sequence[Optional[float]]], scores: Sequence[Sequence[Optional[float]]],
                strategies: Sequence[str] = PAPER_STRATEGIES, n_bins: int = 10, seed: int = 0,
                k: int = 1) -> pd.DataFrame:
    """R^2 per strategy. rewards[p][i] and scores[p][i] belong to response i of prompt p.

    A sample whose reward or score is None (sandbox failure) is left out of everything.
    Returns one row per strategy (index `strategy`): r2, slope, intercept, n_kept,
    kept_fraction, n_bins_used, mean_reward, mean_score.
    """
    if len(rewards) != len(scores) or any(len(r) != len(s) for r, s in zip(rewards, scores)):
        raise ValueError("rewards and scores must have the same shape (prompts x responses)")
    clean = [[r if (r is not None and s is not None) else None for r, s in zip(rs, ss)]
             for rs, ss in zip(rewards, scores)]
    all_r = np.array([r for rs in clean for r in rs if r is not None], dtype=float)
    if all_r.size == 0:
        raise ValueError("no sample has both a reward and a score")
    edges = np.linspace(all_r.min(), all_r.max(), n_bins + 1)
    rows = []
    for strategy in strategies:
        result = filter_batch(clean, strategy, k=k, mode="drop", seed=seed)
        kr = np.array([clean[p][i] for p, kept in enumerate(result.kept) for i in kept], dtype=float)
        ks = np.array([scores[p][i] for p, kept in enumerate(result.kept) for i in kept], dtype=float)
        bin_r, bin_s = binned_means(kr, ks, edges) if kr.size else (np.array([]), np.array([]))
        r2, slope, intercept = r_squared(bin_r, bin_s)
        rows.append({"strategy": strategy, "r2": r2, "slope": slope, "intercept": intercept,
                     "n_kept": int(kr.size), "kept_fraction": result.stats.kept_fraction,
                     "n_bins_used": int(bin_r.size),
                     "mean_reward": float(kr.mean()) if kr.size else float("nan"),
                     "mean_score": float(ks.mean()) if ks.size else float("nan")})
    return pd.DataFrame(rows).set_index("strategy")


def diagnose_r2_from_model(prompts: Sequence[str], generate: Callable[[list[str], int], list[list[str]]],
                           reward: RewardFn, score: RewardFn, n_samples: int = 8,
                           strategies: Sequence[str] = PAPER_STRATEGIES, n_bins: int = 10, seed: int = 0,
                           columns: Optional[dict[str, Sequence[Any]]] = None, k: int = 1) -> pd.DataFrame:
    """Sample `n_samples` completions per prompt with `generate(prompts, n)` (-> one list of n
    completions per prompt), compute `reward` (the proxy) and `score` (the full hidden tests),
    both with the TRL contract f(prompts, completions, **columns) -> list[float | None], and
    return `diagnose_r2` on them. `columns` holds per-prompt extra fields (e.g. task_id)."""
    groups = generate(list(prompts), n_samples)
    if len(groups) != len(prompts):
        raise ValueError(f"generate returned {len(groups)} groups for {len(prompts)} prompts")
    flat_prompts = [p for p, g in zip(prompts, groups) for _ in g]
    flat_completions = [c for g in groups for c in g]
    flat_columns = {name: [v for v, g in zip(values, groups) for _ in g] for name, values in (columns or {}).items()}
    flat_rewards = reward(flat_prompts, flat_completions, **flat_columns)
    flat_scores = score(flat_prompts, flat_completions, **flat_columns)
    rewards, scores, start = [], [], 0
    for g in groups:
        rewards.append(list(flat_rewards[start:start + len(g)]))
        scores.append(list(flat_scores[start:start + len(g)]))
        start += len(g)
    return diagnose_r2(rewards, scores, strategies, n_bins, seed, k)
