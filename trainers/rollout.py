"""Rollouts: sample N completions per prompt, and the forward passes PPO needs on them.

Layout of a batch row: [left-padded prompt | right-padded response]. The response mask is 1
up to and including the first EOS. Position ids count real tokens only, so left padding does not
shift them, and every forward (rollout, reference, update) sees exactly the same inputs.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable, Optional, Sequence

import torch

from trainers.scalar_head import ScalarHeadModel, position_ids_from_mask

RewardFn = Callable[..., list]   # TRL contract: f(prompts, completions, **columns) -> list[float | None]


@dataclass
class RolloutBatch:
    prompts: list[str]            # one per row (each prompt repeated N times)
    completions: list[str]
    group: list[int]              # index of the row's prompt in the step's prompt list
    query_ids: torch.Tensor       # [B, Q] left-padded
    query_mask: torch.Tensor      # [B, Q] long
    response_ids: torch.Tensor    # [B, R] right-padded
    response_mask: torch.Tensor   # [B, R] float, 1 through the first EOS

    def __len__(self) -> int:
        return len(self.prompts)

    def select(self, rows: Sequence[int]) -> "RolloutBatch":
        idx = torch.as_tensor(list(rows), dtype=torch.long, device=self.query_ids.device)
        return RolloutBatch([self.prompts[i] for i in rows], [self.completions[i] for i in rows],
                            [self.group[i] for i in rows], self.query_ids[idx], self.query_mask[idx],
                            self.response_ids[idx], self.response_mask[idx])

    def model_inputs(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        input_ids = torch.cat([self.query_ids, self.response_ids], dim=1)
        attention = torch.cat([self.query_mask, self.response_mask.long()], dim=1)
        return input_ids, attention, position_ids_from_mask(attention)


def response_mask_from_ids(response_ids: torch.Tensor, eos_id: int) -> torch.Tensor:
    is_eos = response_ids == eos_id
    # Tokens strictly after the first EOS are padding; the EOS itself is a real action.
    after_first_eos = (is_eos.long().cumsum(-1) - is_eos.long()) > 0
    return (~after_first_eos).float()


@torch.no_grad()
def generate_rollouts(policy, tokenizer, prompts: Sequence[str], n_samples: int, max_new_tokens: int,
                      temperature: float = 1.0, top_p: float = 1.0) -> RolloutBatch:
    device = next(policy.parameters()).device
    rows = [p for p in prompts for _ in range(n_samples)]
    side, tokenizer.padding_side = tokenizer.padding_side, "left"
    enc = tokenizer(rows, return_tensors="pt", padding=True, add_special_tokens=False)
    tokenizer.padding_side = side
    query_ids, query_mask = enc["input_ids"].to(device), enc["attention_mask"].to(device)
    was_training = policy.training
    policy.eval()
    out = policy.generate(input_ids=query_ids, attention_mask=query_mask, do_sample=True,
                          temperature=temperature, top_p=top_p, top_k=0, max_new_tokens=max_new_tokens,
                          pad_token_id=tokenizer.pad_token_id, eos_token_id=tokenizer.eos_token_id)
    policy.train(was_training)
    response_ids = out[:, query_ids.shape[1]:]
    mask = response_mask_from_ids(response_ids, tokenizer.eos_token_id)
    response_ids = torch.where(mask.bool(), response_ids, torch.full_like(response_ids, tokenizer.pad_token_id))
    completions = [tokenizer.decode(ids[:int(m.sum())], skip_special_tokens=True)
                   for ids, m in zip(response_ids, mask)]
    group = [i for i in range(len(prompts)) for _ in range(n_samples)]
    return RolloutBatch(rows, completions, group, query_ids, query_mask, response_ids, mask)


def logprobs_from_logits(logits: torch.Tensor, ids: torch.Tensor) -> torch.Tensor:
    return torch.log_softmax(logits.float(), dim=-1).gather(-1, ids.unsqueeze(-1)).squeeze(-1)


def policy_forward(policy, batch: RolloutBatch, temperature: float = 1.0,
                   value_head: Optional[torch.nn.Module] = None) -> tuple[torch.Tensor, Optional[torch.Tensor]]:
    """Logits over the response positions (divided by the sampling temperature, so log-probs are
    those of the distribution that sampled them) and, with a shared value head, the values."""
    input_ids, attention, positions = batch.model_inputs()
    out = policy(input_ids=input_ids, attention_mask=attention, position_ids=positions,
                 output_hidden_states=value_head is not None)
    q, r = batch.query_ids.shape[1], batch.response_ids.shape[1]
    # The token at position q + t is predicted from position q + t - 1.
    logits = out.logits[:, q - 1:q + r - 1] / temperature
    values = None
    if value_head is not None:
        hidden = out.hidden_states[-1][:, q - 1:q + r - 1]
        values = value_head(hidden.to(value_head.weight.dtype)).squeeze(-1)
    return logits, values


def critic_forward(critic: ScalarHeadModel, batch: RolloutBatch) -> torch.Tensor:
    """V(s_t) for each response token t, read where the token is about to be generated."""
    input_ids, attention, positions = batch.model_inputs()
    q, r = batch.query_ids.shape[1], batch.response_ids.shape[1]
    return critic(input_ids, attention_mask=attention, position_ids=positions)[:, q - 1:q + r - 1].float()


def call_reward(fn: RewardFn, prompts: list[str], completions: list[str],
                columns: dict[str, list[Any]]) -> tuple[list[Optional[float]], float]:
    """Call a TRL-contract reward and check its answer; returns (rewards, seconds)."""
    start = time.perf_counter()
    rewards = list(fn(prompts, completions, **columns))
    if len(rewards) != len(prompts):
        raise ValueError(f"reward function returned {len(rewards)} values for {len(prompts)} completions")
    return [None if r is None else float(r) for r in rewards], time.perf_counter() - start
