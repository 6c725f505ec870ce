"""PPO / PF-PPO end to end on a tiny random GPT-2 that must learn from a reward alone."""
import json

import numpy as np
import pytest
import torch

from tiny_lm import build_model, build_tokenizer
from trainers.config import PPOConfig
from trainers.ppo import PPOTrainer
from trainers.rollout import generate_rollouts, response_mask_from_ids

PROMPTS = [{"prompt": f"def {w} (", "task_id": f"t{i}"} for i, w in enumerate("x y z a b c n i".split())]


def starts_with_yes(prompts, completions, **columns):
    return [1.0 if c.split()[:1] == ["yes"] else 0.0 for c in completions]


def make_trainer(tmp_path, reward_fn=starts_with_yes, **kw):
    tok = build_tokenizer()
    base = dict(output_dir=str(tmp_path), total_steps=30, prompts_per_step=8, samples_per_prompt=8,
                max_new_tokens=3, policy_lr=3e-3, critic_lr=3e-3, ppo_epochs=2, minibatch_size=16,
                kl_coef=0.01, bf16=False, filter_strategy="none", seed=0)
    base.update(kw)
    return PPOTrainer(PPOConfig(**base), policy=build_model(tok, seed=1), tokenizer=tok, reward_fn=reward_fn)


def test_response_mask_stops_after_first_eos():
    ids = torch.tensor([[5, 1, 7, 1], [5, 6, 7, 8], [1, 0, 0, 0]])
    assert response_mask_from_ids(ids, eos_id=1).tolist() == [[1, 1, 0, 0], [1, 1, 1, 1], [1, 0, 0, 0]]


def test_rollouts_group_prompts_and_decode():
    tok = build_tokenizer()
    batch = generate_rollouts(build_model(tok), tok, ["def x (", "a"], n_samples=3, max_new_tokens=4)
    assert batch.group == [0, 0, 0, 1, 1, 1] and batch.prompts[3] == "a"
    assert batch.query_ids.shape[0] == 6 and batch.response_ids.shape[1] <= 4
    assert batch.query_mask[3].tolist()[0] == 0            # the short prompt is left-padded
    assert len(batch.completions) == 6


@pytest.mark.parametrize("strategy", ["none", "bw"])
def test_mean_reward_rises_from_reward_alone(tmp_path, strategy):
    trainer = make_trainer(tmp_path, filter_strategy=strategy)
    history = trainer.train(PROMPTS)
    first, last = np.mean([h["reward/mean"] for h in history[:5]]), np.mean([h["reward/mean"] for h in history[-5:]])
    assert first < 0.2 and last > first + 0.4, (first, last)
    rows = [json.loads(l) for l in open(tmp_path / "metrics.jsonl")]
    assert len(rows) == 30
    for key in ("reward/mean", "reward/kept_mean", "filter/kept_fraction", "filter/tie_rate", "kl", "entropy",
                "policy/clipfrac", "policy/approx_kl", "value/loss", "value/explained_variance",
                "response_length", "sandbox_failures", "time/generation", "time/execution", "time/training"):
        assert key in rows[-1], key
    if strategy == "bw":
        assert rows[-1]["filter/kept_fraction"] == pytest.approx(2 / 8)


def test_none_rewards_are_dropped_and_counted(tmp_path):
    seen = {}

    def flaky(prompts, completions, task_id):
        seen["task_id"] = task_id
        return [None if i % 4 == 0 else 1.0 for i in range(len(completions))]

    flaky.last_counts = {"timeout": 3}
    trainer = make_trainer(tmp_path, reward_fn=flaky, total_steps=1, prompts_per_step=2, samples_per_prompt=4)
    m = trainer.step(PROMPTS[:2])
    assert seen["task_id"] == ["t0"] * 4 + ["t1"] * 4
    assert m["sandbox_failures"] == 2 and m["filter/n_valid"] == 6 and m["filter/n_kept"] == 6
    assert m["reward/mean"] == 1.0                          # a failure is not a 0
    assert m["exec/timeout"] == 3


def test_score_fn_logged_and_shared_value_head_and_reward_model_mix(tmp_path):
    def rm(prompts, completions, **_):
        return [0.5] * len(completions)

    tok = build_tokenizer()
    cfg = PPOConfig(output_dir=str(tmp_path), total_steps=2, prompts_per_step=2, samples_per_prompt=4,
                    max_new_tokens=3, policy_lr=1e-3, minibatch_size=4, bf16=False, value_mode="shared",
                    reward_source="mix", rm_weight=0.5, filter_strategy="br", filter_mode="resample",
                    adaptive_kl=True, kl_estimator="k3")
    trainer = PPOTrainer(cfg, policy=build_model(tok), tokenizer=tok, reward_fn=lambda p, c, **k: [1.0] * len(c),
                         reward_model=rm, score_fn=lambda p, c, **k: [0.0] * len(c))
    history = trainer.train(PROMPTS)
    assert history[-1]["reward/mean"] == pytest.approx(0.75)
    assert history[-1]["score/mean"] == 0.0
    assert history[-1]["filter/n_kept"] == 8                # resample keeps the batch size
    assert all(np.isfinite(h["value/loss"]) and np.isfinite(h["policy/loss"]) for h in history)
    assert (tmp_path / "value_head.pt").exists()


def test_reward_length_mismatch_is_an_error(tmp_path):
    trainer = make_trainer(tmp_path, reward_fn=lambda p, c, **k: [1.0], total_steps=1)
    with pytest.raises(ValueError, match="returned 1 values"):
        trainer.step(PROMPTS[:2])


def test_bad_config_fails_before_any_generation(tmp_path):
    with pytest.raises(ValueError, match="unknown filtration strategy"):
        make_trainer(tmp_path, filter_strategy="best")
    with pytest.raises(ValueError, match="kl_estimator"):
        make_trainer(tmp_path, kl_estimator="k9")
