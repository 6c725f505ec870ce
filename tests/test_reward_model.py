"""Bradley-Terry reward model on a tiny GPT-2: learns which completions pass, saves and reloads."""
import pytest
import torch

from tiny_lm import save_tiny
from trainers.config import RMConfig
from trainers.reward_model import (bradley_terry_loss, pairs_from_scores, pairwise_accuracy,
                                   reward_fn_from_model, train_reward_model)
from trainers.scalar_head import ScalarHeadModel


def test_pairs_from_scores_orders_by_score_and_skips_failures():
    pairs = pairs_from_scores("p", ["a", "b", "c", "d"], [1.0, 0.0, None, 0.5], max_pairs=10)
    assert {(p.chosen, p.rejected) for p in pairs} == {("a", "b"), ("a", "d"), ("d", "b")}
    assert len(pairs_from_scores("p", ["a", "b", "c"], [1, 0, 0], max_pairs=1)) == 1
    assert pairs_from_scores("p", ["a", "b"], [1, 1]) == []


def test_bradley_terry_loss_value():
    loss = bradley_terry_loss(torch.tensor([1.0]), torch.tensor([0.0]), margin_scale=2.0)
    assert loss.item() == pytest.approx(-torch.nn.functional.logsigmoid(torch.tensor(2.0)).item())


def test_reward_model_learns_execution_labels(tmp_path):
    base = save_tiny(tmp_path / "base")
    # "Passing" completions return the right colour word; the rest return another one.
    words = ["red", "green", "blue", "cat", "dog"]
    pairs = []
    for i, w in enumerate(words * 4):
        good, bad = f"return {w}", f"return {words[(i + 1) % 5]} {words[(i + 2) % 5]}"
        pairs += pairs_from_scores(f"def {w} (", [good, bad], [1.0, 0.0])
    cfg = RMConfig(model_name_or_path=base, output_dir=str(tmp_path / "rm"), lr=3e-3, batch_size=8,
                   num_epochs=15, max_seq_len=32, log_every=5, bf16=False)
    res = train_reward_model(cfg, pairs)
    assert res.history[-1]["loss"] < 0.5 * res.history[0]["loss"]
    assert pairwise_accuracy(res.model, res.tokenizer, pairs) == 1.0
    reloaded = ScalarHeadModel.from_pretrained(cfg.output_dir)
    fn = reward_fn_from_model(reloaded, res.tokenizer)
    scores = fn(["def red (", "def red ("], ["return red", "return green blue"], task_id=["t", "t"])
    assert all(-1.0 <= s <= 1.0 for s in scores) and scores[0] > scores[1]
    assert scores == pytest.approx(reward_fn_from_model(res.model, res.tokenizer)(
        ["def red (", "def red ("], ["return red", "return green blue"]), abs=1e-5)
