"""The PPO update, one short function per equation.

Shapes: per-token tensors are [batch, response_len]; `mask` is 1.0 on real response tokens
(up to and including EOS) and 0.0 on padding. Every reduction is a masked mean over real tokens.

References:
  PPO  = Schulman et al. 2017, "Proximal Policy Optimization Algorithms" (arXiv 1707.06347)
  GAE  = Schulman et al. 2016, "High-Dimensional Continuous Control Using GAE" (arXiv 1506.02438)
  k3   = Schulman 2020, "Approximating KL divergence", http://joschu.net/blog/kl-approx.html
  Ziegler et al. 2019, "Fine-Tuning Language Models from Human Preferences" (arXiv 1909.08593)
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F


def masked_mean(x: torch.Tensor, mask: torch.Tensor, dim: int | None = None) -> torch.Tensor:
    if dim is None:
        return (x * mask).sum() / mask.sum().clamp(min=1.0)
    return (x * mask).sum(dim) / mask.sum(dim).clamp(min=1.0)


def masked_var(x: torch.Tensor, mask: torch.Tensor, unbiased: bool = True) -> torch.Tensor:
    mean = masked_mean(x, mask)
    var = masked_mean((x - mean) ** 2, mask)
    if unbiased:
        n = mask.sum()
        if n > 1:
            var = var * n / (n - 1)
    return var


def whiten(x: torch.Tensor, mask: torch.Tensor, shift_mean: bool = True, eps: float = 1e-8) -> torch.Tensor:
    """Normalise advantages over real tokens only; padding must not pull the statistics.

    shift_mean=False keeps the sign of the batch mean (useful when a batch holds one group).
    Padded positions come back as 0 so they cannot leak into a loss even without the mask.
    """
    mean, var = masked_mean(x, mask), masked_var(x, mask)
    out = (x - mean) * torch.rsqrt(var + eps)
    if not shift_mean:
        out = out + mean
    return out * mask


def gae_advantages(rewards: torch.Tensor, values: torch.Tensor, mask: torch.Tensor,
                   gamma: float = 1.0, lam: float = 0.95) -> tuple[torch.Tensor, torch.Tensor]:
    """Generalised advantage estimation; returns (advantages, returns).

    delta_t = r_t + gamma V(s_{t+1}) - V(s_t); A_t = sum_l (gamma lam)^l delta_{t+l}   (GAE eq. 16)
    The value after the last real token is 0 (the episode ends at EOS). Returns = A + V are the
    critic's regression targets. Assumes each row's real tokens are a prefix (right padding).
    """
    T = rewards.shape[-1]
    advantages = torch.zeros_like(rewards)
    last = torch.zeros_like(rewards[:, 0])
    for t in reversed(range(T)):
        next_mask = mask[:, t + 1] if t + 1 < T else torch.zeros_like(mask[:, 0])
        next_value = values[:, t + 1] * next_mask if t + 1 < T else torch.zeros_like(last)
        delta = rewards[:, t] + gamma * next_value - values[:, t]
        last = delta + gamma * lam * next_mask * last
        advantages[:, t] = last
    advantages = advantages * mask
    returns = (advantages + values) * mask
    return advantages, returns


def token_rewards(scores: torch.Tensor, kl: torch.Tensor, kl_coef: float, mask: torch.Tensor) -> torch.Tensor:
    """Per-token reward: -beta * KL on every token, plus the sequence score on the last real token.

    This is Ziegler et al.'s R(x, y) = r(x, y) - beta log(pi(y|x) / rho(y|x)) spread over tokens.
    """
    rewards = -kl_coef * kl * mask
    last = (mask.sum(-1).long() - 1).clamp(min=0)
    rewards[torch.arange(rewards.shape[0], device=rewards.device), last] += scores
    return rewards


def policy_loss(logprobs: torch.Tensor, old_logprobs: torch.Tensor, advantages: torch.Tensor,
                mask: torch.Tensor, clip_range: float = 0.2) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """Clipped surrogate, PPO eq. 7: L = -E[min(r A, clip(r, 1-eps, 1+eps) A)], r = pi/pi_old.

    Also returns the clip fraction (tokens where the clipped term is the active one) and the
    approximate KL(pi_old || pi) via the k3 estimator E[(r - 1) - log r] (always >= 0).
    """
    log_ratio = logprobs - old_logprobs
    ratio = torch.exp(log_ratio)
    unclipped = -advantages * ratio
    clipped = -advantages * torch.clamp(ratio, 1.0 - clip_range, 1.0 + clip_range)
    loss = masked_mean(torch.maximum(unclipped, clipped), mask)
    with torch.no_grad():
        clipfrac = masked_mean((clipped > unclipped).float(), mask)
        approx_kl = masked_mean((ratio - 1.0) - log_ratio, mask)
    return loss, {"clipfrac": clipfrac, "approx_kl": approx_kl}


def value_loss(values: torch.Tensor, old_values: torch.Tensor, returns: torch.Tensor,
               mask: torch.Tensor, clip_range_value: float = 0.2) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """Clipped value loss (the PPO2 baselines / Ziegler et al. form):
    0.5 * max((V - R)^2, (V_old + clip(V - V_old, -eps, eps) - R)^2). Keeps the critic from
    moving further than the policy's trust region in one update.
    """
    v_clipped = old_values + torch.clamp(values - old_values, -clip_range_value, clip_range_value)
    err = (values - returns) ** 2
    err_clipped = (v_clipped - returns) ** 2
    loss = 0.5 * masked_mean(torch.maximum(err, err_clipped), mask)
    with torch.no_grad():
        clipfrac = masked_mean((err_clipped > err).float(), mask)
    return loss, {"vf_clipfrac": clipfrac}


def kl_k1(logprobs: torch.Tensor, ref_logprobs: torch.Tensor) -> torch.Tensor:
    """Per-token k1 = log pi(y) - log pi_ref(y): unbiased for KL(pi||ref) with y ~ pi, can be negative."""
    return logprobs - ref_logprobs


def kl_k3(logprobs: torch.Tensor, ref_logprobs: torch.Tensor) -> torch.Tensor:
    """Per-token k3 = (rho - 1) - log rho, rho = pi_ref/pi (Schulman's k3): unbiased, >= 0, low variance."""
    log_rho = (ref_logprobs - logprobs).clamp(-20.0, 20.0)   # exp() overflow guard
    return torch.exp(log_rho) - 1.0 - log_rho


KL_ESTIMATORS = {"k1": kl_k1, "k3": kl_k3}


def entropy_from_logits(logits: torch.Tensor) -> torch.Tensor:
    """H = logsumexp(z) - sum softmax(z) z, per position; stable for large logits."""
    probs = F.softmax(logits, dim=-1)
    return torch.logsumexp(logits, dim=-1) - (probs * logits).sum(-1)


def explained_variance(predicted: torch.Tensor, target: torch.Tensor, mask: torch.Tensor) -> float:
    """1 - Var[target - predicted] / Var[target]: 1 = perfect critic, 0 = no better than a constant."""
    var_y = masked_var(target, mask, unbiased=False)
    if var_y.item() == 0.0:
        return float("nan")
    return float(1.0 - masked_var(target - predicted, mask, unbiased=False) / var_y)


@dataclass
class FixedKLController:
    value: float

    def update(self, current_kl: float, n_steps: int) -> None:
        pass


@dataclass
class AdaptiveKLController:
    """Ziegler et al. 2019, section 2.2: e = clip(KL/target - 1, -0.2, 0.2); beta <- beta (1 + K e).

    K (their K_beta = 0.1) is expressed as n_steps / horizon so the adaptation speed does not
    depend on the batch size.
    """
    value: float
    target: float = 6.0
    horizon: int = 10000

    def update(self, current_kl: float, n_steps: int) -> None:
        error = min(max(current_kl / self.target - 1.0, -0.2), 0.2)
        self.value *= 1.0 + error * n_steps / self.horizon
