"""Atomic functions: lists of integers."""
from __future__ import annotations

from benchmarks_data.atomic.spec import Registry
from benchmarks_data.atomic.typevocab import rand_int_list

atomic = Registry("lists")


def _list_and_small_int(rng):
    return (rand_int_list(rng), rng.randint(-3, 10))


@atomic(tests=["assert list_sum([1, 2, 3]) == 6", "assert list_sum([]) == 0", "assert list_sum([-5, 5]) == 0"])
def list_sum(xs: list[int]) -> int:
    """Return the sum of the integers in xs (0 for an empty list)."""
    return sum(xs)


@atomic(tests=["assert list_max([3, 9, -2]) == 9", "assert list_max([]) == 0", "assert list_max([-7, -3]) == -3"])
def list_max(xs: list[int]) -> int:
    """Return the largest integer in xs, or 0 when xs is empty."""
    return max(xs) if xs else 0


@atomic(tests=["assert list_min([3, 9, -2]) == -2", "assert list_min([]) == 0", "assert list_min([4]) == 4"])
def list_min(xs: list[int]) -> int:
    """Return the smallest integer in xs, or 0 when xs is empty."""
    return min(xs) if xs else 0


@atomic(tests=["assert running_sum([1, 2, 3]) == [1, 3, 6]", "assert running_sum([]) == []",
               "assert running_sum([5, -5, 2]) == [5, 0, 2]"])
def running_sum(xs: list[int]) -> list[int]:
    """Return the list of prefix sums of xs: element i is xs[0] + ... + xs[i]."""
    out, total = [], 0
    for x in xs:
        total += x
        out.append(total)
    return out


@atomic(tests=["assert reverse_list([1, 2, 3]) == [3, 2, 1]", "assert reverse_list([]) == []"])
def reverse_list(xs: list[int]) -> list[int]:
    """Return a new list with the elements of xs in reverse order."""
    return xs[::-1]


@atomic(tests=["assert remove_negatives([3, -1, 0, -7, 2]) == [3, 0, 2]", "assert remove_negatives([-1]) == []"])
def remove_negatives(xs: list[int]) -> list[int]:
    """Return the elements of xs that are not negative, in their original order."""
    return [x for x in xs if x >= 0]


@atomic(tests=["assert pairwise_diff([1, 4, 9, 16]) == [3, 5, 7]", "assert pairwise_diff([5]) == []",
               "assert pairwise_diff([]) == []"])
def pairwise_diff(xs: list[int]) -> list[int]:
    """Return the differences between neighbours of xs: element i is xs[i + 1] - xs[i], so the result
    has one element fewer than xs (and is empty when xs has fewer than two elements)."""
    return [b - a for a, b in zip(xs, xs[1:])]


@atomic(tests=["assert rotate_left([1, 2, 3, 4], 1) == [2, 3, 4, 1]", "assert rotate_left([1, 2, 3], -1) == [3, 1, 2]",
               "assert rotate_left([], 5) == []", "assert rotate_left([1, 2], 4) == [1, 2]"],
        gen=_list_and_small_int)
def rotate_left(xs: list[int], k: int) -> list[int]:
    """Rotate xs to the left by k positions (a negative k rotates to the right; k wraps around the
    length of xs) and return the new list; an empty xs gives []."""
    if not xs:
        return []
    k %= len(xs)
    return xs[k:] + xs[:k]


@atomic(tests=["assert range_list(4) == [0, 1, 2, 3]", "assert range_list(-2) == []",
               "assert range_list(1000) == list(range(50))"],
        gen=lambda rng: (rng.randint(-3, 60),), edge=[(0,), (1,), (50,), (51,)])
def range_list(n: int) -> list[int]:
    """Return the list [0, 1, ..., n - 1], where n is first clamped to the range 0..50 (so a negative n
    gives [] and any n above 50 gives the 50 numbers 0..49)."""
    return list(range(max(0, min(50, n))))


@atomic(tests=["assert take_first([5, 6, 7], 2) == [5, 6]", "assert take_first([5, 6], 9) == [5, 6]",
               "assert take_first([1, 2], -1) == []"],
        gen=_list_and_small_int)
def take_first(xs: list[int], n: int) -> list[int]:
    """Return the first n elements of xs (all of xs when it is shorter than n, and [] when n is zero
    or negative)."""
    return xs[:max(0, n)]
