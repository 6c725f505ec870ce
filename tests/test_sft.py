"""SFT on a tiny random GPT-2: the loss falls, checkpoints reload, resume continues exactly."""
import json

import pytest
import torch
from transformers import AutoModelForCausalLM

from tiny_lm import save_tiny
from trainers.config import SFTConfig
from trainers.sft import (IGNORE, collate, cosine_with_warmup, latest_checkpoint, pack_examples,
                          tokenize_example, train_sft)

RECORDS = [{"prompt": f"def {a} (", "response": f"{b} ) : return {c}"}
           for a, b, c in [("x", "y", "1"), ("y", "z", "2"), ("z", "a", "3"), ("a", "b", "4"),
                           ("b", "c", "5"), ("c", "n", "6"), ("n", "i", "7"), ("i", "x", "8")]]


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory):
    return save_tiny(tmp_path_factory.mktemp("tiny") / "model")


def cfg(tiny_dir, out, **kw):
    base = dict(model_name_or_path=tiny_dir, output_dir=str(out), lr=3e-3, batch_size=4, max_steps=40,
                max_seq_len=32, log_every=1, warmup_steps=2, bf16=False)
    base.update(kw)
    return SFTConfig(**base)


def test_labels_mask_the_prompt(tiny_dir):
    from transformers import AutoTokenizer
    tok = AutoTokenizer.from_pretrained(tiny_dir)
    ids, labels = tokenize_example(tok, "def x (", "y ) : return 1", 32)
    assert labels[:3] == [IGNORE] * 3 and labels[3:] == ids[3:]
    assert ids[-1] == tok.eos_token_id
    packed = pack_examples([(ids, labels)] * 3, 10)
    assert [len(p[0]) for p in packed] == [10, 10, 7]   # 3 x 9 tokens
    batch = collate([(ids, labels), (ids[:4], labels[:4])], tok.pad_token_id)
    assert batch["attention_mask"][1].tolist() == [1] * 4 + [0] * 5
    assert batch["labels"][1, 4:].eq(IGNORE).all()


def test_cosine_schedule():
    assert cosine_with_warmup(0, 100, 10, 0.1) == pytest.approx(0.1)
    assert cosine_with_warmup(9, 100, 10, 0.1) == pytest.approx(1.0)
    assert cosine_with_warmup(55, 100, 10, 0.1) == pytest.approx(0.55)
    assert cosine_with_warmup(100, 100, 10, 0.1) == pytest.approx(0.1)


def test_loss_falls_checkpoint_reloads_and_eval_hook_runs(tiny_dir, tmp_path):
    calls = []

    def eval_fn(model, tok, step):
        calls.append(step)
        return {"pass@1": 0.5}

    res = train_sft(cfg(tiny_dir, tmp_path, eval_every=20, grad_accum_steps=2), RECORDS, eval_fn=eval_fn)
    losses = [h["loss"] for h in res.history]
    assert losses[-1] < 0.3 * losses[0]
    assert calls == [20, 40]
    rows = [json.loads(l) for l in open(tmp_path / "metrics.jsonl")]
    assert rows[19]["eval/pass@1"] == 0.5 and len(rows) == 40
    ckpt = latest_checkpoint(str(tmp_path))
    assert ckpt.endswith("checkpoint-40")
    reloaded = AutoModelForCausalLM.from_pretrained(ckpt)
    x = torch.tensor([[3, 4, 5, 6]])
    with torch.no_grad():
        assert torch.allclose(reloaded(x).logits, res.model.cpu()(x).logits, atol=1e-5)


def test_packing_trains(tiny_dir, tmp_path):
    res = train_sft(cfg(tiny_dir, tmp_path, packing=True, batch_size=2, max_steps=30), RECORDS)
    assert res.history[-1]["loss"] < 0.5 * res.history[0]["loss"]


def test_resume_matches_uninterrupted_run(tiny_dir, tmp_path):
    flat = dict(warmup_steps=0, min_lr_ratio=1.0, save_every=5, max_steps=12)
    full = train_sft(cfg(tiny_dir, tmp_path / "a", **flat), RECORDS)
    train_sft(cfg(tiny_dir, tmp_path / "b", **{**flat, "max_steps": 7}), RECORDS)
    assert latest_checkpoint(str(tmp_path / "b")).endswith("checkpoint-7")
    resumed = train_sft(cfg(tiny_dir, tmp_path / "b", **flat), RECORDS)
    assert resumed.history[0]["step"] == 8 and resumed.step == 12
    for p, q in zip(full.model.parameters(), resumed.model.parameters()):
        assert torch.allclose(p, q, atol=1e-6)
