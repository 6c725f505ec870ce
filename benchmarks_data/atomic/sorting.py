"""Atomic functions: sorting, ranking and order statistics."""
from __future__ import annotations

from benchmarks_data.atomic.spec import Registry
from benchmarks_data.atomic.typevocab import rand_int_list

atomic = Registry("sorting")


def _two_sorted_lists(rng):
    return (sorted(rand_int_list(rng)), sorted(rand_int_list(rng)))


@atomic(tests=["assert sort_ascending([3, 1, 2]) == [1, 2, 3]", "assert sort_ascending([]) == []"])
def sort_ascending(xs: list[int]) -> list[int]:
    """Return the integers of xs sorted in ascending order (duplicates kept)."""
    return sorted(xs)


@atomic(tests=["assert sort_descending([3, 1, 2, 3]) == [3, 3, 2, 1]", "assert sort_descending([]) == []"])
def sort_descending(xs: list[int]) -> list[int]:
    """Return the integers of xs sorted in descending order (duplicates kept)."""
    return sorted(xs, reverse=True)


@atomic(tests=["assert sort_by_abs([-3, 2, -1, 1]) == [-1, 1, 2, -3]", "assert sort_by_abs([]) == []"])
def sort_by_abs(xs: list[int]) -> list[int]:
    """Return xs sorted by absolute value, ascending; elements with equal absolute value keep their
    original relative order."""
    return sorted(xs, key=abs)


@atomic(tests=["assert sort_by_length(['ccc', 'a', 'bb', 'b']) == ['a', 'b', 'bb', 'ccc']",
               "assert sort_by_length([]) == []"])
def sort_by_length(words: list[str]) -> list[str]:
    """Return the strings in words sorted by length, shortest first; strings of the same length are
    ordered alphabetically."""
    return sorted(words, key=lambda w: (len(w), w))


@atomic(tests=["assert kth_smallest([7, 1, 5, 3], 2) == 3", "assert kth_smallest([7, 1], 9) == 7",
               "assert kth_smallest([], 1) == 0", "assert kth_smallest([4, 2], 0) == 2"],
        gen=lambda rng: (rand_int_list(rng), rng.randint(-1, 9)))
def kth_smallest(xs: list[int], k: int) -> int:
    """Return the k-th smallest element of xs counting from 1 (duplicates count separately), with k
    first clamped to the range 1..len(xs); an empty xs gives 0."""
    if not xs:
        return 0
    k = max(1, min(len(xs), k))
    return sorted(xs)[k - 1]


@atomic(tests=["assert median([3, 1, 2]) == 2.0", "assert median([4, 1, 3, 2]) == 2.5", "assert median([]) == 0.0"])
def median(xs: list[int]) -> float:
    """Return the median of xs as a float: the middle element of the sorted list, or the mean of the two
    middle elements when the length is even; an empty xs gives 0.0."""
    if not xs:
        return 0.0
    s = sorted(xs)
    m = len(s) // 2
    return float(s[m]) if len(s) % 2 else (s[m - 1] + s[m]) / 2


@atomic(tests=["assert is_sorted([1, 2, 2, 5])", "assert not is_sorted([2, 1])", "assert is_sorted([])"],
        gen=lambda rng: (sorted(rand_int_list(rng)) if rng.random() < 0.5 else rand_int_list(rng),))
def is_sorted(xs: list[int]) -> bool:
    """Return True when xs is in non-decreasing order (an empty or one-element list is sorted)."""
    return all(a <= b for a, b in zip(xs, xs[1:]))


@atomic(tests=["assert count_inversions([3, 1, 2]) == 2", "assert count_inversions([1, 2, 3]) == 0",
               "assert count_inversions([2, 2]) == 0"])
def count_inversions(xs: list[int]) -> int:
    """Return the number of pairs of positions i < j with xs[i] > xs[j]."""
    return sum(1 for i in range(len(xs)) for j in range(i + 1, len(xs)) if xs[i] > xs[j])


@atomic(tests=["assert merge_sorted([1, 4, 9], [2, 3, 10]) == [1, 2, 3, 4, 9, 10]",
               "assert merge_sorted([], [5, 1]) == [1, 5]"],
        gen=_two_sorted_lists)
def merge_sorted(a: list[int], b: list[int]) -> list[int]:
    """Return all elements of a and b together in one list sorted in ascending order (duplicates
    kept)."""
    return sorted(a + b)


@atomic(tests=["assert dense_rank([40, 10, 40, 20]) == [3, 1, 3, 2]", "assert dense_rank([]) == []"])
def dense_rank(xs: list[int]) -> list[int]:
    """Replace each element of xs by its dense rank: the smallest distinct value has rank 1, the next
    distinct value rank 2, and equal values share a rank."""
    ranks = {v: i + 1 for i, v in enumerate(sorted(set(xs)))}
    return [ranks[x] for x in xs]
