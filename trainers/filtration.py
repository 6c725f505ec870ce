"""Policy filtration for PF-PPO (Zhang, Shen et al., arXiv 2409.06957).

For each prompt the policy samples N responses and a reward is computed for each. PF-PPO ranks
the N responses by reward and trains only on responses whose rewards are reliable. A strategy
is a weight vector mu over reward ranks (rank 0 = highest reward); the paper's three are

    bon  (best-of-N):    mu = (1, 0, ..., 0)
    br   (best-random):  mu = (1/2, 1/(2(N-1)), ..., 1/(2(N-1)))
    bw   (best-worst):   mu = (1/2, 0, ..., 0, 1/2)

and this module adds their k-generalisations plus veRL's reward-power weighting:

    none      uniform over all N (plain PPO)
    top       uniform over the k highest
    top_rand  1/2 uniform over the k highest, 1/2 uniform over the other N-k  (k=1: br)
    top_bott  1/2 uniform over the k highest, 1/2 uniform over the k lowest   (k=1: bw)
    pow       mu_i proportional to |r_i|^p (veRL `reweight_method="pow"`; p = pow_exponent)

Two ways to apply mu (`mode`):

  drop (default; the paper: filtered samples are removed and the batch shrinks)
      none: all; bon/top: the k best; br/top_rand: the k best + k drawn uniformly without
      replacement from the rest; bw/top_bott: the k best + the k worst; pow: response i is kept
      with probability w_i / max_j w_j (the largest |r| is always kept; if all w are 0, all kept).
  resample (veRL's behaviour: the filtered batch is re-drawn back to full size)
      each prompt's n valid responses are replaced by n i.i.d. draws from mu, so a response can
      appear several times and the batch keeps its size.

Ranking breaks ties at random with the seeded generator, so with binary execution rewards (which
tie often) the choice among equal rewards is uniform: if all N tie, bon keeps one at random and
br/bw keep two distinct responses at random. A reward of None (sandbox failure) is excluded before
ranking and counted; it is never treated as 0.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Sequence

import numpy as np

STRATEGIES = ("none", "bon", "br", "bw", "top", "top_rand", "top_bott", "pow")
MODES = ("drop", "resample")
# Strategies whose k is fixed to 1 by the paper's definition.
_K_IS_ONE = {"bon": "top", "br": "top_rand", "bw": "top_bott"}


@dataclass
class FiltrationStats:
    n_prompts: int = 0
    n_responses: int = 0          # including failed ones
    n_failed: int = 0             # reward None: sandbox/infrastructure failure
    n_valid: int = 0
    n_kept: int = 0               # rows handed to PPO (resample mode: after re-drawing)
    n_unique_kept: int = 0
    n_tie_decided: int = 0        # prompts where a tie straddled a keep/drop boundary
    n_all_tied: int = 0           # prompts (>= 2 valid) whose rewards are all equal

    @property
    def kept_fraction(self) -> float:
        return self.n_unique_kept / self.n_valid if self.n_valid else 0.0

    @property
    def tie_rate(self) -> float:
        return self.n_tie_decided / self.n_prompts if self.n_prompts else 0.0

    @property
    def all_tied_rate(self) -> float:
        return self.n_all_tied / self.n_prompts if self.n_prompts else 0.0

    def as_dict(self) -> dict[str, float]:
        return {"n_failed": self.n_failed, "n_valid": self.n_valid, "n_kept": self.n_kept,
                "kept_fraction": self.kept_fraction, "tie_rate": self.tie_rate,
                "all_tied_rate": self.all_tied_rate}


@dataclass
class FiltrationResult:
    kept: list[list[int]]   # per prompt: indices into that prompt's responses (may repeat in resample mode)
    stats: FiltrationStats = field(default_factory=FiltrationStats)


def rank_by_reward(rewards: Sequence[float], valid: Sequence[int], rng: np.random.Generator) -> list[int]:
    """Indices in `valid`, highest reward first, ties in a uniformly random order."""
    shuffled = [valid[i] for i in rng.permutation(len(valid))]
    return sorted(shuffled, key=lambda i: -rewards[i])   # sorted() is stable: keeps the shuffle among ties


def rank_weights(strategy: str, ranked_rewards: Sequence[float], k: int = 1,
                 pow_exponent: float = 2.0) -> np.ndarray:
    """The weight vector mu over ranks (rank 0 = best) for n = len(ranked_rewards) responses."""
    n = len(ranked_rewards)
    strategy, k = _canonical(strategy, k)
    k = min(k, n)
    mu = np.zeros(n)
    if strategy == "none" or n == 1:
        mu[:] = 1.0
    elif strategy == "top":
        mu[:k] = 1.0 / k
    elif strategy == "top_rand":
        mu[:k] = 0.5 / k if k < n else 1.0 / k
        if k < n:
            mu[k:] = 0.5 / (n - k)
    elif strategy == "top_bott":
        if 2 * k >= n:
            mu[:] = 1.0
        else:
            mu[:k] = 0.5 / k
            mu[n - k:] = 0.5 / k
    elif strategy == "pow":
        mu = np.abs(np.asarray(ranked_rewards, dtype=float)) ** pow_exponent
        if mu.sum() == 0:
            mu[:] = 1.0
    return mu / mu.sum()


def _canonical(strategy: str, k: int) -> tuple[str, int]:
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown filtration strategy {strategy!r}; choose one of {', '.join(STRATEGIES)}")
    if k < 1:
        raise ValueError(f"filtration k must be >= 1, got {k}")
    if strategy in _K_IS_ONE:
        return _K_IS_ONE[strategy], 1
    return strategy, k


def _drop(strategy: str, ranked: list[int], rewards: Sequence[float], k: int, pow_exponent: float,
          rng: np.random.Generator) -> list[int]:
    n = len(ranked)
    k = min(k, n)
    if strategy == "none":
        return list(ranked)
    if strategy == "top":
        return ranked[:k]
    if strategy == "top_rand":
        rest = ranked[k:]
        picked = rng.choice(len(rest), size=min(k, len(rest)), replace=False) if rest else []
        return ranked[:k] + [rest[i] for i in sorted(picked)]
    if strategy == "top_bott":
        return list(ranked) if 2 * k >= n else ranked[:k] + ranked[n - k:]
    # pow: Bernoulli(w_i / max w); the largest-|r| response has probability 1.
    w = np.abs(np.array([rewards[i] for i in ranked], dtype=float)) ** pow_exponent
    if w.max() == 0:
        return list(ranked)
    keep = rng.random(n) < w / w.max()
    keep[int(np.argmax(w))] = True
    return [i for i, kp in zip(ranked, keep) if kp]


def _boundaries(strategy: str, n: int, k: int) -> list[int]:
    """Rank positions b where the keep/drop decision separates rank b-1 from rank b."""
    if strategy in ("top", "top_rand") and k < n:
        return [k]
    if strategy == "top_bott" and 2 * k < n:
        return [k, n - k]
    return []


def filter_group(rewards: Sequence[Optional[float]], strategy: str = "bw", k: int = 1,
                 mode: str = "drop", pow_exponent: float = 2.0,
                 rng: Optional[np.random.Generator] = None) -> tuple[list[int], bool, bool]:
    """Filter one prompt's responses; returns (kept indices, tie decided the choice, all rewards tied)."""
    if mode not in MODES:
        raise ValueError(f"unknown filtration mode {mode!r}; choose one of {', '.join(MODES)}")
    strategy, k = _canonical(strategy, k)
    rng = rng if rng is not None else np.random.default_rng(0)
    valid = [i for i, r in enumerate(rewards) if r is not None]
    if not valid:
        return [], False, False
    ranked = rank_by_reward(rewards, valid, rng)
    ranked_rewards = [rewards[i] for i in ranked]
    n = len(ranked)
    all_tied = n >= 2 and ranked_rewards[0] == ranked_rewards[-1]
    tie_decided = any(ranked_rewards[b - 1] == ranked_rewards[b] for b in _boundaries(strategy, n, k))
    if mode == "resample":
        mu = rank_weights(strategy, ranked_rewards, k, pow_exponent)
        draws = rng.choice(n, size=n, replace=True, p=mu)
        return [ranked[j] for j in draws], tie_decided, all_tied
    return _drop(strategy, ranked, rewards, k, pow_exponent, rng), tie_decided, all_tied


def filter_batch(rewards_per_prompt: Sequence[Sequence[Optional[float]]], strategy: str = "bw",
                 k: int = 1, mode: str = "drop", pow_exponent: float = 2.0, seed: int = 0) -> FiltrationResult:
    """Filter every prompt's group of responses with one seeded generator (reproducible per call)."""
    rng = np.random.default_rng(seed)
    stats = FiltrationStats()
    kept_all: list[list[int]] = []
    for rewards in rewards_per_prompt:
        kept, tie_decided, all_tied = filter_group(rewards, strategy, k, mode, pow_exponent, rng)
        kept_all.append(kept)
        n_valid = sum(r is not None for r in rewards)
        stats.n_prompts += 1
        stats.n_responses += len(rewards)
        stats.n_failed += len(rewards) - n_valid
        stats.n_valid += n_valid
        stats.n_kept += len(kept)
        stats.n_unique_kept += len(set(kept))
        stats.n_tie_decided += int(tie_decided)
        stats.n_all_tied += int(all_tied)
    return FiltrationResult(kept=kept_all, stats=stats)
