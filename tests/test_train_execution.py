"""A tiny policy learns from execution reward alone: the sandbox runs `assert f() == 7` on each sample.

The problems come from a JSONL file with tests inline (the `--data file.jsonl` path of `codeharness
train`), the reward is CodeReward through VerdictReward, the actual score is the full-test verdict.
Nothing but the verdict tells the model that 7 is the answer."""
import json

import numpy as np
import pytest

from harness.core.executor import ExecConfig, Executor
from harness.training.data import load_data, parse_data_spec
from harness.training.rewards import VerdictReward, VerdictScore
from tiny_lm import build_model, build_tokenizer
from trainers.config import PPOConfig
from trainers.ppo import PPOTrainer

NAMES = "x y z a b c n i".split()


def write_toy(path):
    with open(path, "w") as f:
        for name in NAMES:
            f.write(json.dumps({"task_id": f"toy/{name}", "prompt": f"def {name}():\n    return ",
                                "tests": [f"assert {name}() == 7"]}) + "\n")
    return str(path)


def learn_constant(tmp_path, sandbox: str, steps: int):
    data = load_data(parse_data_spec(write_toy(tmp_path / "toy.jsonl")), need_tests=True)
    records = [{"prompt": p.prompt, "task_id": p.task_id} for p in data.problems]
    executor = Executor(ExecConfig(sandbox=sandbox, workers=2, timeout_s=2, memory_mb=256), warn=lambda m: None)
    reward = VerdictReward(data.benchmark, executor, "binary")
    score = VerdictScore(data.benchmark, executor, reward=reward)
    tok = build_tokenizer()
    cfg = PPOConfig(output_dir=str(tmp_path / "out"), total_steps=steps, prompts_per_step=8, samples_per_prompt=8,
                    max_new_tokens=1, policy_lr=3e-3, critic_lr=3e-3, ppo_epochs=2, minibatch_size=16,
                    kl_coef=0.01, bf16=False, filter_strategy="none", seed=0)
    try:
        trainer = PPOTrainer(cfg, policy=build_model(tok, seed=1), tokenizer=tok, reward_fn=reward, score_fn=score)
        history = trainer.train(records)
    finally:
        executor.close()
    return history, score


def check_learned(history, score):
    first = np.mean([h["reward/mean"] for h in history[:5]])
    last = np.mean([h["reward/mean"] for h in history[-5:]])
    assert first < 0.2 and last > first + 0.4, (first, last)
    final = history[-1]
    # The verdict reached the logs: statuses of the last batch, and the score read off the same run.
    assert sum(v for k, v in final.items() if k.startswith("exec/")) == 64
    assert final["exec/passed"] == round(final["reward/mean"] * 64)
    assert final["score/mean"] == final["reward/mean"] and score.reused
    for key in ("time/generation", "time/execution", "time/training", "time/execution_share"):
        assert final[key] >= 0


def test_policy_learns_constant_from_sandbox_verdicts(tmp_path):
    history, score = learn_constant(tmp_path, "process", steps=30)
    check_learned(history, score)


@pytest.mark.docker
def test_policy_learns_constant_in_docker(tmp_path, docker_client):
    history, score = learn_constant(tmp_path, "docker", steps=30)
    check_learned(history, score)
