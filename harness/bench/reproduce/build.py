"""What a reproduction trains on and starts from: the synthetic data and the base model, built once per OUT."""
from __future__ import annotations

import os
from typing import Sequence

from harness.bench.reproduce.presets import Preset


def synthesize_data(preset: Preset, out: str, executor, progress: bool) -> str:
    """`data synthesize --split-by tuple --helpers library`: test compositions are part tuples never
    trained on; the parts run before the program as trusted code, so a response is a few calls."""
    from harness.data.synthesize import synthesize

    path = os.path.join(out, "data")
    if not os.path.exists(os.path.join(path, "test.jsonl")):
        synthesize(preset.n_functions, 0, path, executor, test_fraction=preset.test_fraction, split="tuple",
                   max_depth=preset.max_depth, helpers="library", prompt_style=preset.prompt_style,
                   progress=progress, overwrite=True)
    return path


def build_model(preset: Preset, out: str, train_texts: Sequence[str] = ()) -> str:
    """The tokenizer is trained on the stdlib plus the training text (the atomic library's sources and
    the synthetic train rows, never the held-out ones), repeated so that the template's words become
    tokens; the atomic names are whole tokens, so a call to a part named in the signature is one
    copied token. Saved with `save_pretrained`: every arm loads it by path, like a user's model."""
    from benchmarks_data.atomic import ATOMICS
    from harness.generation.random_model import build_random_model

    path = os.path.join(out, "base")
    if not os.path.exists(os.path.join(path, "config.json")):
        library = ([f.source for f in ATOMICS] + list(train_texts)) * preset.library_repeats
        build_random_model(path, arch="llama", vocab_size=preset.vocab, hidden=preset.hidden, layers=preset.layers,
                           heads=preset.heads, max_positions=preset.max_positions, corpus_chars=preset.corpus_chars,
                           seed=0, extra_corpus=library, whole_words=[f.name for f in ATOMICS])
    return path
