import itertools
import math

import pytest

from harness.core.metrics import pass_at_k, pass_at_ks


def brute_force_pass_at_k(n, c, k):
    """Probability that a random k-subset of n samples (c correct) holds a correct one."""
    subsets = list(itertools.combinations(range(n), k))
    return sum(any(i < c for i in s) for s in subsets) / len(subsets)


@pytest.mark.parametrize("n,c,k", [(5, 0, 1), (5, 2, 1), (5, 2, 3), (6, 5, 2), (7, 7, 4), (8, 1, 8), (10, 3, 5)])
def test_pass_at_k_matches_its_definition(n, c, k):
    assert math.isclose(pass_at_k(n, c, k), brute_force_pass_at_k(n, c, k), rel_tol=1e-12)


def test_pass_at_k_skips_k_larger_than_some_n():
    per_task = {"a": [True, False, False], "b": [False] * 10}
    out = pass_at_ks(per_task, [1, 3, 10])
    assert set(out) == {"pass@1", "pass@3"}
    assert math.isclose(out["pass@1"], (1 / 3 + 0) / 2)
    assert math.isclose(out["pass@3"], (1.0 + 0) / 2)
