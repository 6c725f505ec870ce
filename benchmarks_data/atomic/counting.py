"""Atomic functions: dictionaries and counting."""
from __future__ import annotations

from benchmarks_data.atomic.spec import Registry
from benchmarks_data.atomic.typevocab import RANDOM

atomic = Registry("counting")


def _dict_and_int(rng):
    return (RANDOM["dict[str,int]"](rng), rng.randint(-2, 6))


@atomic(tests=["assert char_frequency('abca') == {'a': 2, 'b': 1, 'c': 1}", "assert char_frequency('') == {}"])
def char_frequency(s: str) -> dict[str, int]:
    """Return a dictionary mapping each character of s to the number of times it occurs in s."""
    counts: dict = {}
    for c in s:
        counts[c] = counts.get(c, 0) + 1
    return counts


@atomic(tests=["assert word_frequency(['a', 'b', 'a']) == {'a': 2, 'b': 1}", "assert word_frequency([]) == {}"])
def word_frequency(words: list[str]) -> dict[str, int]:
    """Return a dictionary mapping each distinct string in words to the number of times it occurs."""
    counts: dict = {}
    for w in words:
        counts[w] = counts.get(w, 0) + 1
    return counts


@atomic(tests=["assert word_lengths(['hi', 'sky', 'hi']) == {'hi': 2, 'sky': 3}", "assert word_lengths([]) == {}"])
def word_lengths(words: list[str]) -> dict[str, int]:
    """Return a dictionary mapping each distinct string in words to its length."""
    return {w: len(w) for w in words}


@atomic(tests=["assert sorted_keys({'b': 1, 'a': 2}) == ['a', 'b']", "assert sorted_keys({}) == []"])
def sorted_keys(d: dict[str, int]) -> list[str]:
    """Return the keys of the dictionary d as a list sorted in ascending (alphabetical) order."""
    return sorted(d)


@atomic(tests=["assert values_sum({'a': 3, 'b': -1}) == 2", "assert values_sum({}) == 0"])
def values_sum(d: dict[str, int]) -> int:
    """Return the sum of the values of the dictionary d (0 when d is empty)."""
    return sum(d.values())


@atomic(tests=["assert most_common_key({'b': 3, 'a': 3, 'c': 1}) == 'a'", "assert most_common_key({}) == ''",
               "assert most_common_key({'z': -1}) == 'z'"])
def most_common_key(d: dict[str, int]) -> str:
    """Return the key of d with the largest value; when several keys share the largest value return the
    alphabetically smallest of them, and return '' when d is empty."""
    if not d:
        return ""
    top = max(d.values())
    return min(k for k, v in d.items() if v == top)


@atomic(tests=["assert filter_min_count({'a': 3, 'b': 1, 'c': 2}, 2) == {'a': 3, 'c': 2}",
               "assert filter_min_count({}, 0) == {}"],
        gen=_dict_and_int)
def filter_min_count(d: dict[str, int], k: int) -> dict[str, int]:
    """Return a new dictionary with only the entries of d whose value is at least k."""
    return {key: v for key, v in d.items() if v >= k}


@atomic(tests=["assert merge_counts({'a': 1, 'b': 2}, {'b': 3, 'c': 4}) == {'a': 1, 'b': 5, 'c': 4}",
               "assert merge_counts({}, {}) == {}"])
def merge_counts(a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
    """Return a dictionary with every key of a or b, mapped to the sum of its values in a and b (a
    missing key counts as 0)."""
    out = dict(a)
    for k, v in b.items():
        out[k] = out.get(k, 0) + v
    return out


@atomic(tests=["assert format_counts({'b': 2, 'a': 1}) == 'a=1,b=2'", "assert format_counts({}) == ''"])
def format_counts(d: dict[str, int]) -> str:
    """Render the dictionary d as the string 'key=value' for each entry, entries sorted by key and
    separated by commas (an empty d gives '')."""
    return ",".join("%s=%d" % (k, d[k]) for k in sorted(d))


@atomic(tests=["assert mode([3, 1, 3, 1, 2]) == 1", "assert mode([]) == 0", "assert mode([-4]) == -4"])
def mode(xs: list[int]) -> int:
    """Return the most frequent element of xs; when several elements are equally frequent return the
    smallest of them, and return 0 when xs is empty."""
    if not xs:
        return 0
    counts: dict = {}
    for x in xs:
        counts[x] = counts.get(x, 0) + 1
    top = max(counts.values())
    return min(x for x, c in counts.items() if c == top)

