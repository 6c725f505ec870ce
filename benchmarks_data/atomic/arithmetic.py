"""Atomic functions: arithmetic on ints and floats."""
from __future__ import annotations

from benchmarks_data.atomic.spec import Registry

atomic = Registry("arithmetic")


@atomic(tests=["assert abs_diff(3, 10) == 7", "assert abs_diff(-4, 4) == 8", "assert abs_diff(5, 5) == 0"])
def abs_diff(a: int, b: int) -> int:
    """Return the absolute difference between the integers a and b."""
    return abs(a - b)


@atomic(tests=["assert digit_sum(1234) == 10", "assert digit_sum(-905) == 14", "assert digit_sum(0) == 0"])
def digit_sum(n: int) -> int:
    """Return the sum of the decimal digits of the absolute value of n."""
    return sum(int(c) for c in str(abs(n)))


@atomic(tests=["assert reverse_digits(123) == 321", "assert reverse_digits(-450) == -54",
               "assert reverse_digits(0) == 0"])
def reverse_digits(n: int) -> int:
    """Return the integer whose decimal digits are those of n in reverse order, keeping the sign
    of n (leading zeros of the reversed number disappear, so 120 gives 21)."""
    r = int(str(abs(n))[::-1])
    return -r if n < 0 else r


@atomic(tests=["assert count_digits(0) == 1", "assert count_digits(-12345) == 5", "assert count_digits(9) == 1"])
def count_digits(n: int) -> int:
    """Return how many decimal digits the absolute value of n has (0 has one digit)."""
    return len(str(abs(n)))


@atomic(tests=["assert clamp_percent(150) == 100", "assert clamp_percent(-3) == 0", "assert clamp_percent(42) == 42"])
def clamp_percent(n: int) -> int:
    """Return n clamped to the range 0..100: values below 0 become 0, values above 100 become 100."""
    return max(0, min(100, n))


@atomic(tests=["assert mean([1, 2, 3, 4]) == 2.5", "assert mean([]) == 0.0", "assert mean([-3]) == -3.0"])
def mean(xs: list[int]) -> float:
    """Return the arithmetic mean of the integers in xs as a float, or 0.0 when xs is empty."""
    return sum(xs) / len(xs) if xs else 0.0


@atomic(tests=["assert sum_of_squares(3) == 14", "assert sum_of_squares(0) == 0", "assert sum_of_squares(-5) == 0"])
def sum_of_squares(n: int) -> int:
    """Return 1*1 + 2*2 + ... + n*n for a positive n, and 0 when n is zero or negative."""
    return n * (n + 1) * (2 * n + 1) // 6 if n > 0 else 0


@atomic(tests=["assert safe_divide(7, 2) == 3.5", "assert safe_divide(5, 0) == 0.0",
               "assert safe_divide(-9, 3) == -3.0"])
def safe_divide(a: int, b: int) -> float:
    """Return a divided by b as a float (true division), or 0.0 when b is zero."""
    return a / b if b != 0 else 0.0


@atomic(tests=["assert celsius_to_fahrenheit(100.0) == 212.0", "assert celsius_to_fahrenheit(-40.0) == -40.0",
               "assert celsius_to_fahrenheit(0.0) == 32.0"])
def celsius_to_fahrenheit(c: float) -> float:
    """Convert the temperature c from degrees Celsius to degrees Fahrenheit (multiply by 9/5, add 32)
    and round the result to 2 decimal places."""
    return round(c * 9 / 5 + 32, 2)


@atomic(tests=["assert round_half_up(2.5) == 3", "assert round_half_up(-2.5) == -2", "assert round_half_up(1.49) == 1"],
        edge=[(0.5,), (-0.5,), (3.0,)])
def round_half_up(x: float) -> int:
    """Round the float x to the nearest integer, with halves going up towards positive infinity
    (2.5 gives 3 and -2.5 gives -2), and return it as an int."""
    import math
    return math.floor(x + 0.5)
