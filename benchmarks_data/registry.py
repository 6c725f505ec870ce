"""Benchmark names -> classes. `get_benchmark("humaneval")` is the one way in.

A name that is a path to a .jsonl file loads it as custom problems (see benchmarks_data/custom.py).
"""
from __future__ import annotations

import os
from typing import Optional

from benchmarks_data.atomic.benchmark import AtomicBenchmark
from benchmarks_data.base import Benchmark, DataError
from benchmarks_data.custom import CustomProblems
from benchmarks_data.humaneval import HumanEval
from benchmarks_data.humaneval_plus import HumanEvalPlus
from benchmarks_data.leetcode_contest import LeetCodeContest
from benchmarks_data.leetcodedataset import LeetCodeDataset
from benchmarks_data.mbpp import Mbpp, MbppSanitized
from benchmarks_data.mbpp_plus import MbppPlus
from benchmarks_data.synthetic import SyntheticBenchmark

BENCHMARKS: dict[str, type[Benchmark]] = {
    cls.name: cls for cls in (HumanEval, HumanEvalPlus, Mbpp, MbppSanitized, MbppPlus, LeetCodeContest,
                              LeetCodeDataset, AtomicBenchmark, SyntheticBenchmark)
}


def is_problems_file(name: str) -> bool:
    return name.endswith((".jsonl", ".jsonl.gz")) or os.path.isfile(name)


def get_benchmark(name: str, data_path: Optional[str] = None, split: Optional[str] = None,
                  version: Optional[str] = None) -> Benchmark:
    if name not in BENCHMARKS and is_problems_file(name):
        if not os.path.isfile(name):
            raise DataError(f"{name}: no such problems file")
        return CustomProblems(data_path=name, split=split, version=version)
    try:
        cls = BENCHMARKS[name]
    except KeyError:
        raise DataError(f"unknown benchmark {name!r}; known: {', '.join(sorted(BENCHMARKS))}, "
                        "or a path to a problems .jsonl file") from None
    return cls(data_path=data_path, split=split, version=version)
