"""Tiny causal LMs for CPU tests: a word-level tokenizer trained with `tokenizers` and a
randomly initialised 2-layer GPT-2. Builds in well under a second."""
from __future__ import annotations

import torch
from tokenizers import Tokenizer, models, pre_tokenizers, trainers
from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

# Tiny tensors: thread fan-out costs more than it gains, and CI shares 2 cores (10x faster measured).
torch.set_num_threads(1)

WORDS = ("def return if else for in range print x y z a b c n i 0 1 2 3 4 5 6 7 8 9 "
         "+ - * = ( ) : , yes no red green blue cat dog").split()


def build_tokenizer(words=WORDS) -> PreTrainedTokenizerFast:
    tok = Tokenizer(models.WordLevel(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    trainer = trainers.WordLevelTrainer(special_tokens=["<pad>", "<eos>", "<unk>"])
    tok.train_from_iterator([" ".join(words)], trainer)
    return PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", eos_token="<eos>",
                                   unk_token="<unk>")


def build_model(tokenizer, n_layer: int = 2, n_embd: int = 64, seed: int = 0) -> GPT2LMHeadModel:
    torch.manual_seed(seed)
    config = GPT2Config(vocab_size=len(tokenizer), n_positions=128, n_embd=n_embd, n_layer=n_layer,
                        n_head=2, resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0,  # deterministic
                        bos_token_id=tokenizer.eos_token_id, eos_token_id=tokenizer.eos_token_id,
                        pad_token_id=tokenizer.pad_token_id)
    return GPT2LMHeadModel(config)


def save_tiny(path, seed: int = 0):
    """Write a tiny model + tokenizer directory loadable with from_pretrained; returns the path."""
    tok = build_tokenizer()
    model = build_model(tok, seed=seed)
    model.save_pretrained(path)
    tok.save_pretrained(path)
    return str(path)
