"""A tiny random-init checkpoint on disk, loaded by path exactly like a user's model.

Reuse it in any test that needs a model: `build_tiny_model(tmp_path / "m", arch="llama")`, or the
session-scoped fixtures in fixtures_model.py.
"""
from __future__ import annotations

import os

from harness.generation.random_model import build_random_model


def build_tiny_model(path, arch: str = "gpt2", vocab_size: int = 512, hidden: int = 64, layers: int = 2,
                     heads: int = 2, max_positions: int = 1024, seed: int = 0) -> str:
    """Build (seconds on CPU) a `arch` ("gpt2" | "llama") model + byte-level BPE tokenizer with a chat template."""
    return build_random_model(os.fspath(path), arch=arch, vocab_size=vocab_size, hidden=hidden, layers=layers,
                              heads=heads, max_positions=max_positions, corpus_chars=200_000, seed=seed)
