"""The 100 atomic (basis) functions, written for this project, ten per topic.

After "Unlock the Correlation between Supervised Fine-Tuning and Reinforcement
Learning in Training Code Large Language Models": hand-written basis functions that
the synthesizer (benchmarks_data/synthetic.py) composes into new ones.
"""
from __future__ import annotations

from benchmarks_data.atomic import (arithmetic, bits, counting, dates, lists, matrices, number_theory, sets,
                                    sorting, strings)
from benchmarks_data.atomic.spec import TOPICS, AtomicFunction

_MODULES = (arithmetic, strings, lists, sorting, counting, sets, number_theory, bits, dates, matrices)

ATOMICS: tuple[AtomicFunction, ...] = tuple(f for m in _MODULES for f in m.atomic.functions)
BY_NAME: dict[str, AtomicFunction] = {f.name: f for f in ATOMICS}
assert len(BY_NAME) == len(ATOMICS), "atomic function names must be unique"
assert tuple(m.atomic.topic for m in _MODULES) == TOPICS

__all__ = ["ATOMICS", "BY_NAME", "AtomicFunction", "TOPICS"]
