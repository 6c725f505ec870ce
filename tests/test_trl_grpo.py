"""TRL's GRPOTrainer, for real, with CodeReward as its reward function: 2 steps on CPU with a tiny
random model whose vocabulary is whole lines of Python, so sampled completions pass, fail and
fail to parse. The rewards TRL logs must be the verdicts' rewards. Docker when available, else
the process backend (the sandbox id is in the test id)."""
import os

import pytest

trl = pytest.importorskip("trl")
transformers = pytest.importorskip("transformers")
pytest.importorskip("tokenizers")

LINES = ["def f():\n    return 1\n", "def f():\n    return 2\n", "def f(:\n", "def f():\n    return 1 / 0\n",
         "x = 1\n"]


def sandbox_kind() -> str:
    try:
        from sandboxes import engine, image

        if image.find(engine.connect()) is not None:
            return "docker"
    except Exception:
        pass
    if os.environ.get("CI"):
        raise RuntimeError("CI must run the TRL test in Docker")
    return "process"


def expected_reward(text: str) -> float:
    """Independent oracle for this vocabulary (benign lines only, so exec here is safe)."""
    ns = {}
    try:
        exec(compile(text, "<c>", "exec"), ns)
        return 1.0 if ns["f"]() == 1 else 0.0
    except Exception:
        return 0.0


def tiny_model(path):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers

    vocab = {"<unk>": 0, "<pad>": 1, "</s>": 2, "Write f.\n": 3}
    vocab.update({line: i + 4 for i, line in enumerate(LINES)})
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Split("\n", behavior="merged_with_previous")
    tok.decoder = decoders.Fuse()
    fast = transformers.PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="<unk>", pad_token="<pad>",
                                                eos_token="</s>")
    fast.save_pretrained(path)
    config = transformers.GPT2Config(vocab_size=len(vocab), n_positions=64, n_embd=16, n_layer=2, n_head=2,
                                     bos_token_id=2, eos_token_id=2, pad_token_id=1)
    transformers.set_seed(0)
    transformers.GPT2LMHeadModel(config).save_pretrained(path)
    return str(path)


SANDBOX = sandbox_kind()


@pytest.mark.parametrize("sandbox", [pytest.param(SANDBOX, marks=[pytest.mark.docker] if SANDBOX == "docker" else [])])
def test_grpo_two_steps_with_code_reward(tmp_path, sandbox):
    from datasets import Dataset
    from trl import GRPOConfig, GRPOTrainer

    from harness.rewards import CodeReward

    class RecordingReward(CodeReward):
        calls = []

        def __call__(self, prompts=None, completions=(), **columns):
            rewards = super().__call__(prompts, completions, **columns)
            self.calls.append((list(completions), list(rewards), list(self.last_verdicts)))
            return rewards

    model_path = tiny_model(tmp_path / "model")
    data = Dataset.from_list([{"prompt": "Write f.\n", "tests": ["assert f() == 1"]}] * 8)
    args = GRPOConfig(output_dir=str(tmp_path / "out"), max_steps=2, per_device_train_batch_size=4,
                      num_generations=4, max_completion_length=3, learning_rate=1e-3, logging_steps=1,
                      use_cpu=True, bf16=False, report_to=[], save_strategy="no", seed=0, temperature=1.0)
    with RecordingReward(sandbox=sandbox, workers=2, timeout_s=2, name="code_reward") as reward:
        trainer = GRPOTrainer(model=model_path, reward_funcs=reward, args=args, train_dataset=data)
        trainer.train()

    assert len(reward.calls) == 2
    logged = [h["rewards/code_reward/mean"] for h in trainer.state.log_history if "rewards/code_reward/mean" in h]
    assert len(logged) == 2
    seen_statuses = set()
    for (completions, rewards, verdicts), mean in zip(reward.calls, logged):
        assert rewards == [1.0 if v == "passed" else 0.0 for v in verdicts]
        assert rewards == [expected_reward(c) for c in completions]
        assert mean == pytest.approx(sum(rewards) / len(rewards))
        seen_statuses |= set(verdicts)
    assert len(seen_statuses) >= 2, seen_statuses  # the check is not vacuous: verdicts differ
