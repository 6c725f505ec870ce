"""Train/test splits of synthetic functions without contamination.

Policies (how a composition is assigned; every one also keeps ordered part tuples and
behaviours disjoint, which `check_no_contamination` verifies):
  tuple  a seeded hash of the ordered tuple of parts decides; the same tuple can never
         land on both sides.
  pair   some (producer -> consumer) pairs of atomic functions are held out: a
         composition using any held-out pair is test, all others train, so training never
         sees those two functions wired together.
  depth  depth-3 compositions are test, shallower ones train (length generalisation).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Iterable, Optional, Sequence

POLICIES = ("tuple", "pair", "depth")
TRAIN, TEST = "train", "test"


class ContaminationError(Exception):
    """A test problem shares what the split policy promises to keep apart with a training problem."""


def seeded_unit(seed: int, *key) -> float:
    """A seeded, platform-independent hash of `key` in [0, 1)."""
    digest = hashlib.sha256(repr((seed,) + tuple(key)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2.0 ** 64


@dataclass(frozen=True)
class SplitPolicy:
    mode: str = "tuple"
    seed: int = 0
    test_fraction: float = 0.2        # tuple: P(test); pair: P(a pair is held out)

    def __post_init__(self):
        if self.mode not in POLICIES:
            raise ValueError("split policy must be one of %s, not %r" % (", ".join(POLICIES), self.mode))
        if not 0.0 < self.test_fraction < 1.0:
            raise ValueError("test_fraction must be between 0 and 1")

    def held_out(self, edge: tuple) -> bool:
        return self.mode == "pair" and seeded_unit(self.seed, "pair", *edge) < self.test_fraction

    def assign(self, key: tuple, edges: Sequence[tuple], depth: int) -> str:
        if self.mode == "tuple":
            return TEST if seeded_unit(self.seed, "tuple", *key) < self.test_fraction else TRAIN
        if self.mode == "pair":
            return TEST if any(self.held_out(e) for e in edges) else TRAIN
        return TEST if depth >= 3 else TRAIN


@dataclass(frozen=True)
class SplitItem:
    """What the contamination check needs to know about one problem."""
    task_id: str
    key: tuple                        # (shape, part1, part2, ...)
    edges: tuple                      # ((producer, consumer), ...)
    depth: int
    fingerprint: str                  # behaviour on the probe set


def check_no_contamination(train: Iterable[SplitItem], test: Iterable[SplitItem],
                           policy: Optional[SplitPolicy] = None) -> None:
    """Raise ContaminationError when a test problem overlaps training: same ordered tuple of atomic
    functions, same behaviour, same task id, or (by policy) a held-out pair / depth seen in training."""
    train, test = list(train), list(test)
    problems = []
    for what, get in (("task id", lambda i: i.task_id), ("ordered tuple of parts", lambda i: i.key),
                      ("behaviour fingerprint", lambda i: i.fingerprint)):
        seen = {get(i): i.task_id for i in train}
        for item in test:
            if get(item) in seen:
                problems.append("%s shares its %s with training problem %s" % (item.task_id, what, seen[get(item)]))
    if policy is not None and policy.mode == "pair":
        for item in train:
            bad = [e for e in item.edges if policy.held_out(e)]
            if bad:
                problems.append("training problem %s uses held-out pair %s -> %s" % ((item.task_id,) + bad[0]))
    if policy is not None and policy.mode == "depth":
        train_max = max((i.depth for i in train), default=0)
        low = [i.task_id for i in test if i.depth <= train_max]
        if low:
            problems.append("test problem %s is no deeper than training (depth %d)" % (low[0], train_max))
    if problems:
        more = " (and %d more)" % (len(problems) - 1) if len(problems) > 1 else ""
        raise ContaminationError(problems[0] + more)
