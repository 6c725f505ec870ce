"""Bradley-Terry reward model on preference pairs labelled by execution.

Pairs: for one prompt, a completion with a higher execution score (passes more tests) is
`chosen` over one with a lower score. Model: a causal-LM backbone with a scalar head read at
the last token (EOS appended): a raw score u(x, y); the reward is tanh(u) in [-1, 1]. Loss
(Bradley-Terry) on the raw scores:
    -log sigmoid(s * (u(x, y_chosen) - u(x, y_rejected))),   s = margin_scale
Training on u rather than tanh(u) matters: through tanh, both scores of a pair can saturate at the
same end where the gradient vanishes and the model stops learning. tanh is monotone, so the
preferences the model expresses are the same.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Any, Optional, Sequence

import torch
import torch.nn.functional as F

from trainers.config import RMConfig
from trainers.metrics_log import MetricsLogger
from trainers.scalar_head import ScalarHeadModel, position_ids_from_mask


@dataclass(frozen=True)
class PreferencePair:
    prompt: str
    chosen: str
    rejected: str


@dataclass
class RewardModelResult:
    model: ScalarHeadModel
    tokenizer: Any
    history: list[dict] = field(default_factory=list)


def pairs_from_scores(prompt: str, completions: Sequence[str], scores: Sequence[Optional[float]],
                      max_pairs: int = 8, seed: int = 0) -> list[PreferencePair]:
    """Every (higher, lower) score combination for one prompt, subsampled to max_pairs.
    Completions with score None (sandbox failure) carry no label and are skipped."""
    valid = [(c, s) for c, s in zip(completions, scores) if s is not None]
    pairs = [PreferencePair(prompt, a, b) for a, sa in valid for b, sb in valid if sa > sb]
    random.Random(seed).shuffle(pairs)
    return pairs[:max_pairs]


def encode(tokenizer, prompts: Sequence[str], completions: Sequence[str], max_seq_len: int):
    """Right-padded prompt+completion+EOS; over-long sequences lose their prompt's start."""
    rows = []
    for p, c in zip(prompts, completions):
        ids = tokenizer(p, add_special_tokens=False)["input_ids"] + tokenizer(c, add_special_tokens=False)["input_ids"]
        rows.append((ids + [tokenizer.eos_token_id])[-max_seq_len:])
    width = max(len(r) for r in rows)
    input_ids = torch.full((len(rows), width), tokenizer.pad_token_id, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, r in enumerate(rows):
        input_ids[i, :len(r)] = torch.tensor(r)
        mask[i, :len(r)] = 1
    return input_ids, mask


def sequence_rewards(model: ScalarHeadModel, input_ids: torch.Tensor, mask: torch.Tensor,
                     raw: bool = False) -> torch.Tensor:
    values = model(input_ids, attention_mask=mask, position_ids=position_ids_from_mask(mask), raw=raw)
    return values[torch.arange(len(values), device=values.device), mask.sum(-1) - 1]


def bradley_terry_loss(r_chosen: torch.Tensor, r_rejected: torch.Tensor, margin_scale: float = 1.0) -> torch.Tensor:
    return -F.logsigmoid(margin_scale * (r_chosen - r_rejected)).mean()


@torch.no_grad()
def score_completions(model: ScalarHeadModel, tokenizer, prompts: Sequence[str], completions: Sequence[str],
                      batch_size: int = 16, max_seq_len: int = 1024) -> list[float]:
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    out: list[float] = []
    for s in range(0, len(prompts), batch_size):
        ids, mask = encode(tokenizer, prompts[s:s + batch_size], completions[s:s + batch_size], max_seq_len)
        out.extend(sequence_rewards(model, ids.to(device), mask.to(device)).float().tolist())
    model.train(was_training)
    return out


def reward_fn_from_model(model: ScalarHeadModel, tokenizer, batch_size: int = 16, max_seq_len: int = 1024):
    """The reward model as a TRL-contract callable: f(prompts, completions, **columns) -> list[float]."""
    def reward(prompts, completions, **columns):
        return score_completions(model, tokenizer, prompts, completions, batch_size, max_seq_len)
    return reward


def pairwise_accuracy(model: ScalarHeadModel, tokenizer, pairs: Sequence[PreferencePair], max_seq_len: int = 1024) -> float:
    prompts = [p.prompt for p in pairs]
    chosen = score_completions(model, tokenizer, prompts, [p.chosen for p in pairs], max_seq_len=max_seq_len)
    rejected = score_completions(model, tokenizer, prompts, [p.rejected for p in pairs], max_seq_len=max_seq_len)
    return sum(c > r for c, r in zip(chosen, rejected)) / max(1, len(pairs))


def train_reward_model(cfg: RMConfig, pairs: Sequence[PreferencePair], model: Optional[ScalarHeadModel] = None,
                       tokenizer=None, eval_pairs: Sequence[PreferencePair] = (),
                       logger: Optional[MetricsLogger] = None) -> RewardModelResult:
    from transformers import AutoTokenizer

    if not pairs:
        raise ValueError("reward model training needs at least one preference pair")
    torch.manual_seed(cfg.seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    model = model or ScalarHeadModel.from_pretrained(cfg.model_name_or_path, squash="tanh")
    tokenizer = tokenizer or AutoTokenizer.from_pretrained(cfg.model_name_or_path)
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    model.to(device).train()
    if cfg.gradient_checkpointing:
        model.backbone.gradient_checkpointing_enable()
    use_bf16 = cfg.bf16 and device.type == "cuda"
    optimizer = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    logger = logger or MetricsLogger(cfg.output_dir, console_keys=("loss", "accuracy", "margin"))
    total_steps = max(1, int(cfg.num_epochs * math.ceil(len(pairs) / cfg.batch_size)))
    order: list[int] = []
    rng = random.Random(cfg.seed)
    for step in range(1, total_steps + 1):
        if len(order) < cfg.batch_size:
            fresh = list(range(len(pairs)))
            rng.shuffle(fresh)
            order += fresh
        batch = [pairs[i] for i in order[:cfg.batch_size]]
        del order[:cfg.batch_size]
        prompts = [p.prompt for p in batch] * 2
        ids, mask = encode(tokenizer, prompts, [p.chosen for p in batch] + [p.rejected for p in batch], cfg.max_seq_len)
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=use_bf16):
            rewards = sequence_rewards(model, ids.to(device), mask.to(device), raw=True).float()
        r_chosen, r_rejected = rewards[:len(batch)], rewards[len(batch):]
        loss = bradley_terry_loss(r_chosen, r_rejected, cfg.margin_scale)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.max_grad_norm)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        if step % cfg.log_every == 0 or step == total_steps:
            metrics = {"loss": loss.item(), "accuracy": (r_chosen > r_rejected).float().mean().item(),
                       "margin": (r_chosen - r_rejected).mean().item()}
            if eval_pairs:
                metrics["eval/accuracy"] = pairwise_accuracy(model, tokenizer, eval_pairs, cfg.max_seq_len)
            logger.log(step, metrics)
    model.save_pretrained(cfg.output_dir)
    tokenizer.save_pretrained(cfg.output_dir)
    return RewardModelResult(model=model, tokenizer=tokenizer, history=logger.history)
