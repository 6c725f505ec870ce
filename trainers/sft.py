"""Supervised fine-tuning on {prompt, response} records; reads top to bottom.

The loss is next-token cross-entropy on response tokens only (prompt tokens are labelled -100),
averaged over all response tokens of an optimizer step so that gradient accumulation gives the
same update as one big batch. Prompt and response are tokenised separately (the response as the
model would generate it) and the response ends with EOS.

Checkpoints: `<output_dir>/checkpoint-<step>/` holds the model and tokenizer (`save_pretrained`,
reloadable with `from_pretrained`) and `trainer_state.pt` (optimizer, scheduler, step). With
`resume=True` training continues from the newest checkpoint, skipping the batches it consumed.
At the end `<output_dir>/final/` holds the last model and tokenizer alone (no optimizer state):
the path to give the next stage (`train ppo --model OUT/final`); it is rewritten by every run.

Data parallel: launched with `accelerate launch --multi_gpu --num_processes N` or `torchrun
--nproc_per_node N` (on CPU too; `accelerate launch --cpu` alone starts one process), every process
builds the same seeded micro-batch stream and takes every N-th micro-batch of an optimizer step's
window (N x grad_accum_steps micro-batches), the model is wrapped in DDP by `accelerate`, and the
loss is normalised by the token count of the whole window on every process, so the averaged
gradient equals that of one process running the whole window. Process 0 alone writes logs and
checkpoints and runs eval_fn; the others wait for it.
"""
from __future__ import annotations

import contextlib
import math
import os
import random
import re
import shutil
import sys
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Sequence

import torch

from trainers.config import SFTConfig
from trainers.metrics_log import MetricsLogger

IGNORE = -100
EvalFn = Callable[[Any, Any, int], dict]   # eval_fn(model, tokenizer, step) -> {"pass@1": ...}


@dataclass
class SFTResult:
    model: Any
    tokenizer: Any
    step: int
    history: list[dict] = field(default_factory=list)


def tokenize_example(tokenizer, prompt: str, response: str, max_seq_len: int) -> tuple[list[int], list[int]]:
    p = tokenizer(prompt, add_special_tokens=False)["input_ids"]
    r = tokenizer(response, add_special_tokens=False)["input_ids"] + [tokenizer.eos_token_id]
    ids, labels = (p + r)[:max_seq_len], ([IGNORE] * len(p) + r)[:max_seq_len]
    return ids, labels


def pack_examples(examples: Sequence[tuple[list[int], list[int]]], seq_len: int) -> list[tuple[list[int], list[int]]]:
    """Concatenate examples and cut into seq_len blocks. Attention is not masked between the
    examples sharing a block (cheap; fine when examples end with EOS)."""
    ids = [t for ex in examples for t in ex[0]]
    labels = [t for ex in examples for t in ex[1]]
    return [(ids[i:i + seq_len], labels[i:i + seq_len]) for i in range(0, len(ids), seq_len)
            if any(l != IGNORE for l in labels[i:i + seq_len])]


def collate(batch: Sequence[tuple[list[int], list[int]]], pad_id: int) -> dict[str, torch.Tensor]:
    width = max(len(ids) for ids, _ in batch)
    input_ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
    labels = torch.full((len(batch), width), IGNORE, dtype=torch.long)
    attention = torch.zeros((len(batch), width), dtype=torch.long)
    for row, (ids, lab) in enumerate(batch):
        input_ids[row, :len(ids)] = torch.tensor(ids)
        labels[row, :len(lab)] = torch.tensor(lab)
        attention[row, :len(ids)] = 1
    return {"input_ids": input_ids, "attention_mask": attention, "labels": labels}


def cosine_with_warmup(step: int, total: int, warmup: int, min_ratio: float) -> float:
    """lr multiplier: linear warm-up over `warmup` steps, then cosine decay to min_ratio at `total`."""
    if step < warmup:
        return (step + 1) / warmup
    progress = min(1.0, (step - warmup) / max(1, total - warmup))
    return min_ratio + (1.0 - min_ratio) * 0.5 * (1.0 + math.cos(math.pi * progress))


def latest_checkpoint(output_dir: str) -> Optional[str]:
    if not os.path.isdir(output_dir):
        return None
    steps = [int(m.group(1)) for d in os.listdir(output_dir) if (m := re.fullmatch(r"checkpoint-(\d+)", d))
             and os.path.exists(os.path.join(output_dir, d, "trainer_state.pt"))]
    return os.path.join(output_dir, f"checkpoint-{max(steps)}") if steps else None


def save_checkpoint(cfg: SFTConfig, model, tokenizer, optimizer, scheduler, step: int) -> str:
    path = os.path.join(cfg.output_dir, f"checkpoint-{step}")
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    # trainer_state.pt is written last: its presence marks the checkpoint complete.
    torch.save({"step": step, "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict()},
               os.path.join(path, "trainer_state.pt"))
    older = sorted((int(d.split("-")[1]) for d in os.listdir(cfg.output_dir) if re.fullmatch(r"checkpoint-\d+", d)))
    for old in older[:-cfg.keep_checkpoints] if cfg.keep_checkpoints > 0 else []:
        shutil.rmtree(os.path.join(cfg.output_dir, f"checkpoint-{old}"), ignore_errors=True)
    return path


def save_final(output_dir: str, model, tokenizer) -> str:
    """The finished model as a user's checkpoint: weights + tokenizer, written to a temporary
    directory then renamed, so `final/` is never half-written."""
    path, tmp = os.path.join(output_dir, "final"), os.path.join(output_dir, ".final.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(tmp)
    tokenizer.save_pretrained(tmp)
    shutil.rmtree(path, ignore_errors=True)
    os.replace(tmp, path)
    return path


def _micro_batches(examples: list, batch_size: int, seed: int, epoch: int) -> list[list]:
    order = list(range(len(examples)))
    random.Random(seed * 100003 + epoch).shuffle(order)
    return [[examples[i] for i in order[s:s + batch_size]] for s in range(0, len(order), batch_size)]


def train_sft(cfg: SFTConfig, records: Sequence[dict], model=None, tokenizer=None,
              eval_fn: Optional[EvalFn] = None, logger: Optional[MetricsLogger] = None) -> SFTResult:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from accelerate import Accelerator

    torch.manual_seed(cfg.seed)
    # One process: a no-op wrapper. Under `accelerate launch --multi_gpu` / torchrun: DDP (gloo when
    # there is no GPU: accelerate only takes the multi-CPU path when told the run is on CPU).
    acc = Accelerator(cpu=not torch.cuda.is_available())
    device, rank, world = acc.device, acc.process_index, acc.num_processes
    main = acc.is_main_process
    resume_from = latest_checkpoint(cfg.output_dir) if cfg.resume else None
    source = resume_from or cfg.model_name_or_path
    if model is None or resume_from:
        model = AutoModelForCausalLM.from_pretrained(source)
    if tokenizer is None:
        tokenizer = AutoTokenizer.from_pretrained(source)
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    model.to(device).train()
    if cfg.gradient_checkpointing:
        model.gradient_checkpointing_enable()
    use_bf16 = cfg.bf16 and device.type == "cuda"

    # Data: tokenise once; optional packing.
    examples = [tokenize_example(tokenizer, r["prompt"], r["response"], cfg.max_seq_len) for r in records]
    # A prompt that fills max_seq_len leaves no response token to learn from: such rows only cost time.
    trainable = [ex for ex in examples if any(label != IGNORE for label in ex[1])]
    if len(trainable) < len(examples) and main:
        print(f"sft: {len(examples) - len(trainable)} of {len(examples)} examples have no response token within "
              f"max_seq_len={cfg.max_seq_len}; skipped", file=sys.stderr)
    examples = trainable
    if cfg.packing:
        examples = pack_examples(examples, cfg.max_seq_len)
    if not examples:
        raise ValueError("SFT needs at least one {prompt, response} record with a response token within "
                         "max_seq_len")
    micro_per_step = cfg.grad_accum_steps * world      # micro-batches of one optimizer step, all processes
    steps_per_epoch = max(1, math.ceil(len(examples) / cfg.batch_size) // micro_per_step)
    total_steps = cfg.max_steps or max(1, int(cfg.num_epochs * steps_per_epoch))

    optimizer = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: cosine_with_warmup(s, total_steps, cfg.warmup_steps, cfg.min_lr_ratio))
    step = 0
    if resume_from:
        state = torch.load(os.path.join(resume_from, "trainer_state.pt"), map_location=device, weights_only=False)
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        step = state["step"]
    if logger is None:
        logger = (MetricsLogger(cfg.output_dir, console_keys=("loss", "lr", "tokens")) if main
                  else MetricsLogger(None, console=False, tensorboard=False))
    wrapped = acc.prepare_model(model) if world > 1 else model

    def micro_batch_stream(start_micro: int):
        epoch, seen = 0, 0
        while True:
            for mb in _micro_batches(examples, cfg.batch_size, cfg.seed, epoch):
                if seen >= start_micro:
                    yield mb
                seen += 1
            epoch += 1

    stream = micro_batch_stream(step * micro_per_step)
    while step < total_steps:
        window = [collate(next(stream), tokenizer.pad_token_id) for _ in range(micro_per_step)]
        n_tokens = sum(int((b["labels"][:, 1:] != IGNORE).sum()) for b in window)
        n_input = sum(int(b["attention_mask"].sum()) for b in window)    # all processes: throughput
        mine = window[rank::world]
        total_loss = 0.0
        for i, batch in enumerate(mine):
            batch = {k: v.to(device) for k, v in batch.items()}
            # DDP all-reduces gradients on the last backward of the window only.
            sync = contextlib.nullcontext() if world == 1 or i == len(mine) - 1 else acc.no_sync(wrapped)
            with sync:
                with torch.autocast(device.type, dtype=torch.bfloat16, enabled=use_bf16):
                    logits = wrapped(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
                # Summed token loss / tokens in the whole window = the mean over one big batch; x world
                # because DDP averages the processes' gradients.
                loss = torch.nn.functional.cross_entropy(
                    logits[:, :-1].float().reshape(-1, logits.shape[-1]), batch["labels"][:, 1:].reshape(-1),
                    ignore_index=IGNORE, reduction="sum") / max(1, n_tokens)
                (loss * world).backward()
            total_loss += loss.item()
        if world > 1:
            total_loss = float(acc.reduce(torch.tensor(total_loss, device=device), reduction="sum"))
        grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.max_grad_norm)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)
        step += 1

        metrics: dict[str, Any] = {}
        if step % cfg.log_every == 0 or step == total_steps:
            metrics.update(loss=total_loss, lr=scheduler.get_last_lr()[0], grad_norm=float(grad_norm), tokens=n_tokens,
                           input_tokens=n_input)
        if eval_fn is not None and cfg.eval_every and step % cfg.eval_every == 0:
            if main:
                model.eval()
                with torch.no_grad():
                    metrics.update({f"eval/{k}": v for k, v in eval_fn(model, tokenizer, step).items()})
                model.train()
            acc.wait_for_everyone()
        if metrics:
            logger.log(step, metrics)
        if (cfg.save_every and step % cfg.save_every == 0) or step == total_steps:
            if main:
                save_checkpoint(cfg, model, tokenizer, optimizer, scheduler, step)
            acc.wait_for_everyone()   # no process reads or resumes from a half-written checkpoint
    if main:
        save_final(cfg.output_dir, model, tokenizer)
    acc.wait_for_everyone()
    return SFTResult(model=model, tokenizer=tokenizer, step=step, history=logger.history)
