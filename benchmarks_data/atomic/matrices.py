"""Atomic functions: matrices and nested lists. A "matrix" has rows of equal length (see typevocab)."""
from __future__ import annotations

from benchmarks_data.atomic.spec import Registry
from benchmarks_data.atomic.typevocab import rand_int_list

atomic = Registry("matrices")
M = {"m": "matrix"}


def _compatible_pair(rng):
    n, k, p = rng.randint(1, 3), rng.randint(1, 3), rng.randint(1, 3)
    a = [[rng.randint(-5, 5) for _ in range(k)] for _ in range(n)]
    b = [[rng.randint(-5, 5) for _ in range(p)] for _ in range(k if rng.random() < 0.8 else k + 1)]
    return (a, b)


@atomic(tests=["assert transpose([[1, 2, 3], [4, 5, 6]]) == [[1, 4], [2, 5], [3, 6]]", "assert transpose([]) == []"],
        types={"m": "matrix", "return": "matrix"})
def transpose(m: list[list[int]]) -> list[list[int]]:
    """Return the transpose of the matrix m (row i of the result is column i of m); an empty matrix or
    one with empty rows gives []."""
    if not m or not m[0]:
        return []
    return [[row[j] for row in m] for j in range(len(m[0]))]


@atomic(tests=["assert matrix_trace([[1, 2], [3, 4]]) == 5", "assert matrix_trace([[1, 2, 3]]) == 1",
               "assert matrix_trace([]) == 0"],
        types=M)
def matrix_trace(m: list[list[int]]) -> int:
    """Return the sum of the main-diagonal entries m[i][i] of the matrix m, for every i that is both a
    valid row and a valid column index (0 for an empty matrix)."""
    if not m:
        return 0
    return sum(m[i][i] for i in range(min(len(m), len(m[0]))))


@atomic(tests=["assert nested_sum([[1, 2], [], [3]]) == 6", "assert nested_sum([]) == 0"])
def nested_sum(rows: list[list[int]]) -> int:
    """Return the sum of all integers in all the lists of rows."""
    return sum(sum(r) for r in rows)


@atomic(tests=["assert row_sums([[1, 2], [], [3]]) == [3, 0, 3]", "assert row_sums([]) == []"])
def row_sums(rows: list[list[int]]) -> list[int]:
    """Return a list with the sum of each list in rows, in order (an empty list sums to 0)."""
    return [sum(r) for r in rows]


@atomic(tests=["assert flatten([[1, 2], [], [3]]) == [1, 2, 3]", "assert flatten([]) == []"])
def flatten(rows: list[list[int]]) -> list[int]:
    """Return all integers of the lists in rows concatenated into one list, in order."""
    return [x for r in rows for x in r]


@atomic(tests=["assert chunk([1, 2, 3, 4, 5], 2) == [[1, 2], [3, 4], [5]]", "assert chunk([1, 2], 0) == [[1], [2]]",
               "assert chunk([], 3) == []"],
        gen=lambda rng: (rand_int_list(rng), rng.randint(-1, 5)))
def chunk(xs: list[int], k: int) -> list[list[int]]:
    """Split xs into consecutive pieces of k elements (the last piece may be shorter), with k first
    raised to at least 1, and return the list of pieces."""
    k = max(1, k)
    return [xs[i:i + k] for i in range(0, len(xs), k)]


@atomic(tests=["assert identity_matrix(2) == [[1, 0], [0, 1]]", "assert identity_matrix(-1) == []",
               "assert len(identity_matrix(100)) == 6"],
        types={"return": "matrix"}, gen=lambda rng: (rng.randint(-2, 8),))
def identity_matrix(n: int) -> list[list[int]]:
    """Return the n by n identity matrix (ones on the diagonal, zeros elsewhere), with n first clamped
    to the range 0..6 (n of 0 or less gives [])."""
    n = max(0, min(6, n))
    return [[1 if i == j else 0 for j in range(n)] for i in range(n)]


@atomic(tests=["assert matrix_multiply([[1, 2], [3, 4]], [[5], [6]]) == [[17], [39]]",
               "assert matrix_multiply([[1, 2]], [[1, 2]]) == []", "assert matrix_multiply([], [[1]]) == []"],
        types={"a": "matrix", "b": "matrix", "return": "matrix"}, gen=_compatible_pair)
def matrix_multiply(a: list[list[int]], b: list[list[int]]) -> list[list[int]]:
    """Return the matrix product of a and b; return [] when either is empty or when the number of columns
    of a differs from the number of rows of b."""
    if not a or not b or len(a[0]) != len(b):
        return []
    return [[sum(a[i][k] * b[k][j] for k in range(len(b))) for j in range(len(b[0]))] for i in range(len(a))]


@atomic(tests=["assert rotate_clockwise([[1, 2], [3, 4]]) == [[3, 1], [4, 2]]",
               "assert rotate_clockwise([[1, 2, 3]]) == [[1], [2], [3]]", "assert rotate_clockwise([]) == []"],
        types={"m": "matrix", "return": "matrix"})
def rotate_clockwise(m: list[list[int]]) -> list[list[int]]:
    """Return the matrix m rotated by 90 degrees clockwise (its first column, read bottom to top, becomes
    the first row); an empty matrix or one with empty rows gives []."""
    if not m or not m[0]:
        return []
    return [[m[i][j] for i in range(len(m) - 1, -1, -1)] for j in range(len(m[0]))]


@atomic(tests=["assert outer_product([1, 2], [3, 4, 5]) == [[3, 4, 5], [6, 8, 10]]",
               "assert outer_product([], [1]) == []", "assert outer_product([1], []) == []"],
        types={"return": "matrix"},
        gen=lambda rng: (rand_int_list(rng, -5, 5, 4), rand_int_list(rng, -5, 5, 4)))
def outer_product(a: list[int], b: list[int]) -> list[list[int]]:
    """Return the outer product of a and b: the matrix whose entry (i, j) is a[i] * b[j], keeping only the
    first 20 elements of each list; it is [] when a or b is empty."""
    a, b = a[:20], b[:20]
    if not a or not b:
        return []
    return [[x * y for y in b] for x in a]

