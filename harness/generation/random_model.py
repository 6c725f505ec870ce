"""Build a randomly initialised causal LM checkpoint, with a BPE tokenizer trained on Python source.

The checkpoint is saved with `save_pretrained`, so it loads by path exactly like a user's model. Tests use
tiny ones (seconds on CPU); `bench_generation` uses a ~100M-parameter one to measure throughput without
downloading weights (throughput does not depend on what the weights are).
"""
from __future__ import annotations

import itertools
import os
from typing import Iterator, Sequence

EOS, PAD = "<|endoftext|>", "<|pad|>"
CHAT_TEMPLATE = ("{% for m in messages %}<|{{ m['role'] }}|>\n{{ m['content'] }}\n{% endfor %}"
                 "{% if add_generation_prompt %}<|assistant|>\n{% endif %}")


def code_corpus(max_chars: int) -> Iterator[str]:
    """Python standard-library sources: real code, available offline, no data files in the repo."""
    stdlib = os.path.dirname(os.__file__)
    total = 0
    for name in sorted(os.listdir(stdlib)):
        if not name.endswith(".py"):
            continue
        try:
            with open(os.path.join(stdlib, name), encoding="utf-8") as f:
                text = f.read()
        except (OSError, UnicodeDecodeError):
            continue
        yield text[:max_chars - total]
        total += len(text)
        if total >= max_chars:
            return


def train_tokenizer(vocab_size: int, corpus_chars: int, extra_corpus: Sequence[str] = (),
                    whole_words: Sequence[str] = ()):
    """Byte-level BPE: every string round-trips exactly, which code (whitespace!) needs. `extra_corpus`:
    texts trained on besides the stdlib (e.g. a task's function library, so its names get tokens).
    `whole_words`: strings that are always one token, wherever they occur (a task's function names:
    inside `sort_by_abs_then_flatten` too, so that calling a part named in the signature is copying
    one token, not re-spelling the name from BPE pieces that straddle `_then_`)."""
    from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=[EOS, PAD], show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(itertools.chain(extra_corpus, code_corpus(corpus_chars)), trainer)
    # Longest match first (`symmetric_difference` stays whole, not `symmetric_` + `difference`); ties by
    # name, never set order: that varies with the hash seed, and with it every name's token id.
    tok.add_tokens([AddedToken(w, normalized=False) for w in sorted(set(whole_words), key=lambda w: (-len(w), w))])
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, eos_token=EOS, bos_token=EOS, pad_token=PAD)
    fast.chat_template = CHAT_TEMPLATE
    return fast


def model_config(arch: str, vocab_size: int, hidden: int, layers: int, heads: int, intermediate: int | None,
                 max_positions: int, **token_ids):
    """A transformers config for a small `arch` ("gpt2" | "llama") model."""
    from transformers import GPT2Config, LlamaConfig

    if arch == "gpt2":
        return GPT2Config(vocab_size=vocab_size, n_embd=hidden, n_layer=layers, n_head=heads,
                          n_positions=max_positions, n_inner=intermediate, **token_ids)
    if arch == "llama":
        return LlamaConfig(vocab_size=vocab_size, hidden_size=hidden, num_hidden_layers=layers,
                           num_attention_heads=heads, num_key_value_heads=heads,
                           intermediate_size=intermediate or 4 * hidden, max_position_embeddings=max_positions,
                           tie_word_embeddings=True, **token_ids)
    raise ValueError(f"arch must be gpt2 or llama, not {arch!r}")


def build_random_model(path: str, arch: str = "gpt2", vocab_size: int = 512, hidden: int = 64, layers: int = 2,
                       heads: int = 2, intermediate: int | None = None, max_positions: int = 1024,
                       corpus_chars: int = 200_000, seed: int = 0, extra_corpus: Sequence[str] = (),
                       whole_words: Sequence[str] = ()) -> str:
    """Save a random-init `arch` ("gpt2" | "llama") model and its tokenizer under `path`; returns `path`."""
    import torch
    from transformers import AutoModelForCausalLM

    tokenizer = train_tokenizer(vocab_size, corpus_chars, extra_corpus, whole_words)
    config = model_config(arch, len(tokenizer), hidden, layers, heads, intermediate, max_positions,
                          bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
                          pad_token_id=tokenizer.pad_token_id)
    torch.manual_seed(seed)
    model = AutoModelForCausalLM.from_config(config)
    os.makedirs(path, exist_ok=True)
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path
