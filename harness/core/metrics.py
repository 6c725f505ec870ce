"""pass@k and the numbers a summary holds."""
from __future__ import annotations

import math
from collections import Counter, defaultdict
from typing import Iterable, Optional

# Plain floats, no numpy: `evaluate` computes a handful of these, and importing numpy for them
# cost a third of a second of every run's CPU.


def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased estimator of pass@k from n samples with c correct (Chen et al. 2021, eq. 1):
    1 - C(n-c, k) / C(n, k), computed as a stable product."""
    if n - c < k:
        return 1.0
    return 1.0 - math.prod(1.0 - k / i for i in range(n - c + 1, n + 1))


def pass_at_ks(per_task: dict[str, list[bool]], ks: Iterable[int]) -> dict[str, float]:
    """Mean pass@k over tasks; a k larger than some task's n is skipped (not estimable)."""
    out = {}
    counts = [(len(v), sum(v)) for v in per_task.values()]
    for k in ks:
        if counts and all(n >= k for n, _ in counts):
            out[f"pass@{k}"] = math.fsum(pass_at_k(n, c, k) for n, c in counts) / len(counts)
    return out


def group_by_task(rows: Iterable[tuple[str, bool]]) -> dict[str, list[bool]]:
    per_task: dict[str, list[bool]] = defaultdict(list)
    for task_id, passed in rows:
        per_task[task_id].append(bool(passed))
    return dict(per_task)


def status_counts(statuses: Iterable[str]) -> dict[str, int]:
    return dict(sorted(Counter(statuses).items()))


def breakdown(per_task: dict[str, list[bool]], labels: dict[str, Optional[str]], ks: Iterable[int]) -> dict:
    """pass@k per label (e.g. difficulty) for tasks that have one."""
    by_label: dict[str, dict[str, list[bool]]] = defaultdict(dict)
    for task_id, results in per_task.items():
        label = labels.get(task_id)
        if label:
            by_label[str(label)][task_id] = results
    return {label: {**pass_at_ks(tasks, ks), "n_problems": len(tasks)} for label, tasks in sorted(by_label.items())}
