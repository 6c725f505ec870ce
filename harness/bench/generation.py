"""Tokens/s of the hf generation backend at several batch sizes (default 1, 16, 64).

Run it on the GPU machine you will generate on: `codeharness bench-generation --build-model DIR` builds a
random-init ~100M-parameter Llama (throughput does not depend on the weights' values, so no download is
needed) and measures it; `--model PATH` measures a real checkpoint instead. Every row is forced to generate
exactly `new_tokens` tokens (min_new_tokens), so tokens/s counts the same work for every batch size.
"""
from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from typing import Optional, Sequence

from harness.generation.base import GenerationConfig

# ~97M parameters: 12 x (4 * 768^2 attention + 3 * 768 * 2048 MLP) + 16384 * 768 tied embeddings.
BENCH_MODEL = dict(arch="llama", vocab_size=16384, hidden=768, layers=12, heads=12, intermediate=2048,
                   max_positions=2048, corpus_chars=4_000_000)


@dataclass
class Throughput:
    batch_size: int
    prompt_tokens: int
    new_tokens: int           # per row
    generated_tokens: int     # counted from the output tensor, all rows
    seconds: float
    tokens_per_s: float
    device: str
    dtype: str


def build_bench_model(path: str) -> str:
    from harness.generation.random_model import build_random_model
    return build_random_model(path, **BENCH_MODEL)


def measure_throughput(model_path: str, batch_sizes: Sequence[int] = (1, 16, 64), prompt_tokens: int = 128,
                       new_tokens: int = 256, temperature: float = 0.8, repeats: int = 2,
                       device: Optional[str] = None, dtype: Optional[str] = None) -> list[Throughput]:
    """Best-of-`repeats` time per batch size, after one warm-up generation (CUDA kernels, allocator)."""
    import torch

    from harness.generation.hf import HFBackend
    from harness.generation.random_model import code_corpus

    backend = HFBackend(model_path, device=device, dtype=dtype)
    tok = backend.tokenizer
    ids = tok("".join(code_corpus(20 * prompt_tokens)), add_special_tokens=False)["input_ids"][:prompt_tokens]
    config = GenerationConfig(temperature=temperature, top_p=0.95, max_new_tokens=new_tokens, seed=0)
    kwargs = {**backend.generate_kwargs(config, prompt_tokens), "min_new_tokens": new_tokens}
    sync = torch.cuda.synchronize if backend.device.startswith("cuda") else (lambda: None)
    results = []
    try:
        for bs in batch_sizes:
            input_ids = torch.tensor([ids] * bs, device=backend.device)
            mask = torch.ones_like(input_ids)
            best, generated = float("inf"), 0
            for rep in range(repeats + 1):
                sync()
                start = time.perf_counter()
                with torch.inference_mode():
                    out = backend.lm.generate(input_ids=input_ids, attention_mask=mask, **kwargs)
                sync()
                if rep > 0:   # rep 0 is the warm-up
                    best = min(best, time.perf_counter() - start)
                generated = (out.shape[1] - input_ids.shape[1]) * bs
            results.append(Throughput(bs, len(ids), new_tokens, generated, best, generated / best, backend.device,
                                      str(backend.lm.dtype).replace("torch.", "")))
    finally:
        backend.close()
    return results
