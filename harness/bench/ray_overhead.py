"""`codeharness bench-ray`: what scheduling through Ray costs, against the local pool, on
the same machine, with the same sandbox workers and the same HumanEval "mix" workload, in
the same run (rounds alternate local / ray so that drift in a shared machine's load hits
both alike). Target: Ray's throughput per sandbox worker within 15% of the local pool's.

With --ray-address the Ray side runs on that cluster; the per-worker ratio then tells
how much of the cluster's extra workers turned into throughput.
"""
from __future__ import annotations

import time


TARGET_OVERHEAD = 0.15


def timed_evaluate(samples: list[dict], config) -> tuple[float, float, int, list[tuple[str, bool]], int]:
    """(pool start seconds, run seconds, sandbox workers, (status, passed) per sample, Ray polls)."""
    from harness.core.evaluation import evaluate
    from harness.core.executor import Executor

    t0 = time.perf_counter()
    with Executor(config, warn=lambda m: None) as ex:
        start_s = time.perf_counter() - t0
        workers = ex.pool.size
        t1 = time.perf_counter()
        result = evaluate("humaneval", samples, executor=ex, exec_config=config, k=[1], quiet=True,
                          allow_missing=True)
        run_s = time.perf_counter() - t1
        polls = getattr(ex.pool, "polls", 0)
    return start_s, run_s, workers, [(r.status, r.passed) for r in result.results], polls
