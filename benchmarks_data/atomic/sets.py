"""Atomic functions: set operations. Results are sorted lists, so they do not depend on hash order."""
from __future__ import annotations

from benchmarks_data.atomic.spec import Registry
from benchmarks_data.atomic.typevocab import rand_int_list

atomic = Registry("sets")


def _overlapping_lists(rng):
    return (rand_int_list(rng, -6, 6), rand_int_list(rng, -6, 6))


@atomic(tests=["assert unique_sorted([3, 1, 3, 2, 1]) == [1, 2, 3]", "assert unique_sorted([]) == []"])
def unique_sorted(xs: list[int]) -> list[int]:
    """Return the distinct values of xs in ascending order."""
    return sorted(set(xs))


@atomic(tests=["assert intersection([1, 2, 2, 3], [2, 3, 4]) == [2, 3]", "assert intersection([1], []) == []"],
        gen=_overlapping_lists)
def intersection(a: list[int], b: list[int]) -> list[int]:
    """Return the distinct values that occur in both a and b, in ascending order."""
    return sorted(set(a) & set(b))


@atomic(tests=["assert union([3, 1], [2, 3]) == [1, 2, 3]", "assert union([], []) == []"], gen=_overlapping_lists)
def union(a: list[int], b: list[int]) -> list[int]:
    """Return the distinct values that occur in a or in b (or both), in ascending order."""
    return sorted(set(a) | set(b))


@atomic(tests=["assert difference([1, 2, 3, 3], [2]) == [1, 3]", "assert difference([], [1]) == []"],
        gen=_overlapping_lists)
def difference(a: list[int], b: list[int]) -> list[int]:
    """Return the distinct values of a that do not occur in b, in ascending order."""
    return sorted(set(a) - set(b))


@atomic(tests=["assert symmetric_difference([1, 2, 3], [3, 4]) == [1, 2, 4]",
               "assert symmetric_difference([1], [1]) == []"],
        gen=_overlapping_lists)
def symmetric_difference(a: list[int], b: list[int]) -> list[int]:
    """Return the distinct values that occur in exactly one of a and b, in ascending order."""
    return sorted(set(a) ^ set(b))


@atomic(tests=["assert is_subset([2, 2, 1], [1, 2, 3])", "assert not is_subset([4], [1, 2])",
               "assert is_subset([], [])"],
        gen=lambda rng: (rand_int_list(rng, 0, 4, 3), rand_int_list(rng, 0, 4, 6)))
def is_subset(a: list[int], b: list[int]) -> bool:
    """Return True when every value that occurs in a also occurs in b (an empty a is a subset of
    anything)."""
    return set(a) <= set(b)


@atomic(tests=["assert has_duplicates([1, 2, 1])", "assert not has_duplicates([1, 2, 3])",
               "assert not has_duplicates([])"])
def has_duplicates(xs: list[int]) -> bool:
    """Return True when some value occurs more than once in xs."""
    return len(set(xs)) != len(xs)


@atomic(tests=["assert jaccard([1, 2, 3], [2, 3, 4]) == 0.5", "assert jaccard([], []) == 1.0",
               "assert jaccard([1], [2]) == 0.0"],
        gen=_overlapping_lists)
def jaccard(a: list[int], b: list[int]) -> float:
    """Return the Jaccard similarity of the sets of values of a and b: the size of their intersection
    divided by the size of their union, rounded to 4 decimal places; two empty lists give 1.0."""
    sa, sb = set(a), set(b)
    if not sa and not sb:
        return 1.0
    return round(len(sa & sb) / len(sa | sb), 4)


@atomic(tests=["assert common_chars('hello', 'world') == 'lo'", "assert common_chars('abc', '') == ''"],
        gen=lambda rng: ("".join(rng.choice("abcdefg") for _ in range(rng.randint(0, 8))),
                         "".join(rng.choice("defghij") for _ in range(rng.randint(0, 8)))))
def common_chars(s: str, t: str) -> str:
    """Return the distinct characters that occur in both s and t, sorted by character code and joined
    into one string."""
    return "".join(sorted(set(s) & set(t)))


@atomic(tests=["assert missing_numbers([5, 1, 3]) == [2, 4]", "assert missing_numbers([]) == []",
               "assert missing_numbers([0, 1000]) == list(range(1, 101))"])
def missing_numbers(xs: list[int]) -> list[int]:
    """Return, in ascending order, the integers strictly between min(xs) and max(xs) that do not occur
    in xs, keeping at most the first 100 of them; an empty xs gives []."""
    if not xs:
        return []
    present, out, hi = set(xs), [], max(xs)
    v = min(xs) + 1
    while v < hi and len(out) < 100:
        if v not in present:
            out.append(v)
        v += 1
    return out
