"""One interface for every generation backend: prompts in, `n` samples per prompt out.

A backend is built once per model (loading weights is the slow part) and asked for batches of prompts.
`chat=True` makes it wrap each prompt as a user message (chat template / chat endpoint); otherwise the
prompt is continued as plain text.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Optional

from harness.errors import UserError
from harness.generation.sanitize import cut_at_stop


@dataclass
class GenerationConfig:
    n: int = 1                       # samples per prompt
    temperature: float = 0.0         # 0 = greedy (then all n samples are the same)
    top_p: float = 1.0
    max_new_tokens: int = 512
    stop: list[str] = field(default_factory=list)   # cut each sample at the first of these (dropped)
    seed: Optional[int] = None
    batch_size: int = 16             # sequences per forward pass (hf, vllm) / requests in flight (openai)

    def __post_init__(self) -> None:
        if self.n < 1:
            raise UserError(f"n must be >= 1, got {self.n}")
        if self.temperature < 0:
            raise UserError(f"temperature must be >= 0, got {self.temperature}")
        if not 0 < self.top_p <= 1:
            raise UserError(f"top_p must be in (0, 1], got {self.top_p}")
        if self.max_new_tokens < 1 or self.batch_size < 1:
            raise UserError("max_new_tokens and batch_size must be >= 1")

    @property
    def greedy(self) -> bool:
        return self.temperature == 0

    def with_n(self, n: int) -> "GenerationConfig":
        return replace(self, n=n)


class Backend:
    """Subclasses implement `_generate`; `generate` checks the shape and applies stop sequences once for all."""

    name = ""

    def __init__(self, model: str, chat: bool = False):
        self.model = model
        self.chat = chat

    def generate(self, prompts: list[str], config: GenerationConfig) -> list[list[str]]:
        """`config.n` samples for each prompt, in prompt order, each cut at the first stop sequence."""
        if not prompts:
            return []
        out = self._generate(prompts, config)
        if len(out) != len(prompts) or any(len(s) != config.n for s in out):
            raise RuntimeError(f"{self.name} backend returned {[len(s) for s in out]} samples "
                               f"for {len(prompts)} prompts x n={config.n}")
        return [[cut_at_stop(s, config.stop) for s in samples] for samples in out]

    def _generate(self, prompts: list[str], config: GenerationConfig) -> list[list[str]]:
        raise NotImplementedError

    def close(self) -> None:
        """Free what the backend holds (GPU memory, HTTP sessions)."""


def make_backend(kind: str, model: str, chat: bool = False, **options) -> Backend:
    """`kind` is hf | openai | vllm; options go to that backend's constructor."""
    if kind == "hf":
        from harness.generation.hf import HFBackend
        return HFBackend(model, chat=chat, **options)
    if kind == "openai":
        from harness.generation.openai_compat import OpenAICompatBackend
        return OpenAICompatBackend(model, chat=chat, **options)
    if kind == "vllm":
        from harness.generation.vllm import VLLMBackend
        return VLLMBackend(model, chat=chat, **options)
    raise UserError(f"unknown backend {kind!r}; choose hf, openai or vllm")
