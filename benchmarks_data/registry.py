"""Benchmark names -> classes. `get_benchmark("humaneval")` is the one way in.

A name that is a path to a .jsonl file loads it as custom problems (see benchmarks_data/custom.py).
"""
from __future__ import annotations

import importlib
import os
from typing import Optional

from benchmarks_data.base import Benchmark, DataError


class _Registry(dict):
    """name -> Benchmark class, each module imported on first use: `evaluate --benchmark humaneval`
    need not import (and pay start-up for) the atomic library or the LeetCode loaders."""

    def __getitem__(self, name: str) -> type[Benchmark]:
        value = dict.__getitem__(self, name)
        if isinstance(value, str):
            module, _, attr = value.partition(":")
            value = getattr(importlib.import_module(module), attr)
            dict.__setitem__(self, name, value)
        return value

    def get(self, name, default=None):
        return self[name] if name in self else default

    def values(self):
        return [self[k] for k in self]

    def items(self):
        return [(k, self[k]) for k in self]


BENCHMARKS: dict[str, type[Benchmark]] = _Registry({
    "humaneval": "benchmarks_data.humaneval:HumanEval",
    "humaneval-plus": "benchmarks_data.humaneval_plus:HumanEvalPlus",
    "mbpp": "benchmarks_data.mbpp:Mbpp",
    "mbpp-sanitized": "benchmarks_data.mbpp:MbppSanitized",
    "mbpp-plus": "benchmarks_data.mbpp_plus:MbppPlus",
    "leetcode-contest": "benchmarks_data.leetcode_contest:LeetCodeContest",
    "leetcodedataset": "benchmarks_data.leetcodedataset:LeetCodeDataset",
    "atomic": "benchmarks_data.atomic.benchmark:AtomicBenchmark",
    "synthetic": "benchmarks_data.synthetic:SyntheticBenchmark",
})


def is_problems_file(name: str) -> bool:
    return name.endswith((".jsonl", ".jsonl.gz")) or os.path.isfile(name)


def get_benchmark(name: str, data_path: Optional[str] = None, split: Optional[str] = None,
                  version: Optional[str] = None) -> Benchmark:
    if name not in BENCHMARKS and is_problems_file(name):
        if not os.path.isfile(name):
            raise DataError(f"{name}: no such problems file")
        from benchmarks_data.custom import CustomProblems

        return CustomProblems(data_path=name, split=split, version=version)
    try:
        cls = BENCHMARKS[name]
    except KeyError:
        raise DataError(f"unknown benchmark {name!r}; known: {', '.join(sorted(BENCHMARKS))}, "
                        "or a path to a problems .jsonl file") from None
    return cls(data_path=data_path, split=split, version=version)
