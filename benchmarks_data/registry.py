"""Benchmark names -> classes. `get_benchmark("humaneval")` is the one way in."""
from __future__ import annotations

from typing import Optional

from benchmarks_data.atomic.benchmark import AtomicBenchmark
from benchmarks_data.base import Benchmark, DataError
from benchmarks_data.humaneval import HumanEval
from benchmarks_data.synthetic import SyntheticBenchmark

BENCHMARKS: dict[str, type[Benchmark]] = {
    HumanEval.name: HumanEval,
    AtomicBenchmark.name: AtomicBenchmark,
    SyntheticBenchmark.name: SyntheticBenchmark,
}


def get_benchmark(name: str, data_path: Optional[str] = None, split: Optional[str] = None) -> Benchmark:
    try:
        cls = BENCHMARKS[name]
    except KeyError:
        raise DataError(f"unknown benchmark {name!r}; known: {', '.join(sorted(BENCHMARKS))}") from None
    return cls(data_path=data_path, split=split)
