"""How an arm is measured: greedy pass@1 (held-out and train), sampled pass@k, and `diagnose r2`."""
from __future__ import annotations

from harness.bench.reproduce.presets import Preset

PAPER_R2 = {"none": 0.886, "bon": 0.454, "br": 0.922, "bw": 0.952}     # PF-PPO Table 1


class Evaluator:
    """Greedy pass@1 on held-out and on train problems, sampled pass@k on held-out, in the sandbox."""

    def __init__(self, preset: Preset, test, train, executor):
        from harness.training.pass_at_1 import PassAt1Eval

        self.preset, self.test = preset, test
        self.held = PassAt1Eval(test.benchmark, test.problems[:preset.eval_problems], executor,
                                max_new_tokens=preset.max_new_tokens)
        self.train = PassAt1Eval(train.benchmark, train.problems[:preset.train_eval_problems], executor,
                                 max_new_tokens=preset.max_new_tokens)

    def curve_point(self, model, tokenizer, step: int = 0) -> dict:
        return {"pass@1": self.held(model, tokenizer, step)["pass@1"]}

    def pass_at_k(self, model, tokenizer, seed: int) -> float:
        from harness.core.metrics import pass_at_k
        from harness.generation.base import GenerationConfig
        from harness.generation.hf import HFBackend

        k, problems = self.preset.k, self.held.problems
        backend = HFBackend.from_model(model, tokenizer)
        was_training = model.training
        model.eval()
        try:
            groups = backend.generate([p.prompt for p in problems], GenerationConfig(
                n=k, temperature=1.0, max_new_tokens=self.preset.max_new_tokens, stop=self.held.stop, seed=seed))
        finally:
            model.train(was_training)
        flat = [c for g in groups for c in g]
        ok = self.held.reward(None, flat, task_id=[p.task_id for p, g in zip(problems, groups) for _ in g])
        per_problem = [ok[i * k:(i + 1) * k] for i in range(len(problems))]
        return sum(pass_at_k(k, sum(1 for r in rs if r), k) for rs in per_problem) / max(1, len(problems))

    def final(self, model, tokenizer, seed: int) -> dict:
        return {"heldout_pass@1": self.held(model, tokenizer)["pass@1"],
                f"heldout_pass@{self.preset.k}": self.pass_at_k(model, tokenizer, seed),
                "train_pass@1": self.train(model, tokenizer)["pass@1"]}


def run_r2(preset: Preset, model_path: str, train, executor, seed: int) -> list[dict]:
    """`diagnose r2` on the RL prompts: proxy reward = share of the first 3 tests passed."""
    from benchmarks_data.views import VisibleTests
    from harness.generation.base import GenerationConfig, make_backend
    from harness.generation.generate import stop_sequences
    from harness.rewards.code_reward import CodeReward
    from trainers.r2 import diagnose_r2_from_model

    problems = train.problems[:preset.r2_problems]
    reward = CodeReward(VisibleTests(train.benchmark, 3), mode="fraction", executor=executor, name="visible")
    score = CodeReward(train.benchmark, mode="binary", executor=executor, name="score")
    backend = make_backend("hf", model_path)
    config = GenerationConfig(temperature=1.0, max_new_tokens=preset.max_new_tokens,
                              stop=stop_sequences(train.benchmark, chat=False), seed=seed)
    try:
        table = diagnose_r2_from_model([p.prompt for p in problems], lambda ps, n: backend.generate(ps, config.with_n(n)),
                                       reward, score, n_samples=preset.r2_samples, strategies=list(PAPER_R2),
                                       columns={"task_id": [p.task_id for p in problems]})
    finally:
        backend.close()
    return [{"strategy": s, "r2": float(row["r2"]), "paper_r2": PAPER_R2[s], "n_kept": int(row["n_kept"]),
             "mean_reward": float(row["mean_reward"]), "mean_score": float(row["mean_score"])}
            for s, row in table.iterrows()]
