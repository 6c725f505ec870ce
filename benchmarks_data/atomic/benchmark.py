"""The `atomic` benchmark: the 100 basis functions as problems.

Tests are the hand-written asserts (kind "code") plus input/output pairs (kind "call")
on seeded generated inputs. Expected outputs come from calling the reference functions,
which are this package's own trusted code (not dataset or model code); the test suite
checks that the same references pass these tests inside the runner.
"""
from __future__ import annotations

import copy
import random
import zlib
from typing import Optional

from benchmarks_data.atomic import ATOMICS, TOPICS, AtomicFunction
from benchmarks_data.base import Benchmark, DataError, Problem
from sandboxes.job import TestCase

IO_TESTS = 10
IO_SEED = 20240501


def io_cases(fn: AtomicFunction, n: int = IO_TESTS, seed: int = IO_SEED) -> list[tuple]:
    """(args, expected) pairs: the edge cases, then seeded random inputs; stable per function name."""
    rng = random.Random(seed ^ zlib.crc32(fn.name.encode()))
    assert fn.fn is not None, fn.name
    return [(args, fn.fn(*copy.deepcopy(args))) for args in fn.inputs(rng, n)]


def instruction_for(prompt: str) -> str:
    return "Complete the following Python function:\n```python\n" + prompt + "```"


def atomic_problem(fn: AtomicFunction) -> Problem:
    tests = [TestCase(name="assert_%d" % i, kind="code", code=code) for i, code in enumerate(fn.tests)]
    tests += [TestCase(name="io_%d" % i, kind="call", args=list(args), expected=expected)
              for i, (args, expected) in enumerate(io_cases(fn))]
    prompt = fn.prompt()
    return Problem(
        task_id="atomic/%s" % fn.name,
        prompt=prompt,
        entry_point=fn.name,
        canonical_solution=prompt + fn.completion(),
        tests=tests,
        instruction=instruction_for(prompt),
        metadata={"topic": fn.topic, "params": [list(p) for p in fn.params], "returns": fn.returns},
    )


class AtomicBenchmark(Benchmark):
    """`split` selects one topic (e.g. "strings"); None or "all" gives all 100 functions."""

    name = "atomic"
    # References may define helpers after the entry point (synthetic: the parts), so no "\ndef " stop.
    stop_sequences = ("\nif __name__", "\nprint(", "\nassert ", "\n```")

    def load_problems(self) -> list[Problem]:
        if self.split not in (None, "all") and self.split not in TOPICS:
            raise DataError("atomic: unknown split %r; use one of: all, %s" % (self.split, ", ".join(TOPICS)))
        chosen: Optional[str] = None if self.split in (None, "all") else self.split
        return [atomic_problem(f) for f in ATOMICS if chosen is None or f.topic == chosen]
