"""Atomic functions: number theory. Each one bounds its work, so any int input stays fast."""
from __future__ import annotations

from benchmarks_data.atomic.spec import Registry

atomic = Registry("number_theory")


@atomic(tests=["assert is_prime(97)", "assert not is_prime(1)", "assert not is_prime(-7)",
               "assert is_prime(1000000007)", "assert not is_prime(561)"],
        gen=lambda rng: (rng.randint(-10, 200),))
def is_prime(n: int) -> bool:
    """Return True when n is a prime number (an integer greater than 1 whose only positive divisors are
    1 and itself); zero, one and negative numbers are not prime."""
    if n < 2:
        return False
    small = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37)
    for p in small:
        if n % p == 0:
            return n == p
    d, s = n - 1, 0
    while d % 2 == 0:
        d, s = d // 2, s + 1
    for a in small:  # Miller-Rabin with these bases is exact below 3.3e24
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


@atomic(tests=["assert gcd(12, 18) == 6", "assert gcd(-4, 6) == 2", "assert gcd(0, 0) == 0", "assert gcd(0, -5) == 5"])
def gcd(a: int, b: int) -> int:
    """Return the greatest common divisor of a and b, which is never negative (gcd(0, 0) is 0)."""
    a, b = abs(a), abs(b)
    while b:
        a, b = b, a % b
    return a


@atomic(tests=["assert lcm(4, 6) == 12", "assert lcm(-3, 5) == 15", "assert lcm(0, 7) == 0"])
def lcm(a: int, b: int) -> int:
    """Return the least common multiple of a and b, which is never negative; it is 0 when a or b is 0."""
    if a == 0 or b == 0:
        return 0
    x, y = abs(a), abs(b)
    while y:
        x, y = y, x % y
    return abs(a * b) // x


@atomic(tests=["assert prime_factors(360) == [2, 2, 2, 3, 3, 5]", "assert prime_factors(-13) == [13]",
               "assert prime_factors(1) == []", "assert prime_factors(10**12) == []"],
        gen=lambda rng: (rng.randint(-100, 5000),))
def prime_factors(n: int) -> list[int]:
    """Return the prime factors of the absolute value of n in ascending order, repeated by multiplicity
    (360 gives [2, 2, 2, 3, 3, 5]); return [] when the absolute value is below 2 or above 10**9."""
    n = abs(n)
    if n < 2 or n > 10**9:
        return []
    out, p = [], 2
    while p * p <= n:
        while n % p == 0:
            out.append(p)
            n //= p
        p += 1
    if n > 1:
        out.append(n)
    return out


@atomic(tests=["assert divisors(12) == [1, 2, 3, 4, 6, 12]", "assert divisors(-7) == [1, 7]",
               "assert divisors(0) == []", "assert divisors(10**10) == []"],
        gen=lambda rng: (rng.randint(-100, 1000),))
def divisors(n: int) -> list[int]:
    """Return the positive divisors of the absolute value of n in ascending order; return [] when n is 0
    or its absolute value is above 10**9."""
    n = abs(n)
    if n == 0 or n > 10**9:
        return []
    small, large, d = [], [], 1
    while d * d <= n:
        if n % d == 0:
            small.append(d)
            if d != n // d:
                large.append(n // d)
        d += 1
    return small + large[::-1]


@atomic(tests=["assert is_perfect_square(49)", "assert not is_perfect_square(50)", "assert is_perfect_square(0)",
               "assert not is_perfect_square(-4)"],
        gen=lambda rng: (rng.randint(0, 30) ** 2 + rng.choice([0, 0, 1, -1]),))
def is_perfect_square(n: int) -> bool:
    """Return True when n is the square of an integer (0 is; negative numbers are not)."""
    import math
    return n >= 0 and math.isqrt(n) ** 2 == n


@atomic(tests=["assert fibonacci_mod(10) == 55", "assert fibonacci_mod(0) == 0", "assert fibonacci_mod(-3) == 0",
               "assert fibonacci_mod(100) == 687995182"],
        gen=lambda rng: (rng.randint(-5, 300),))
def fibonacci_mod(n: int) -> int:
    """Return the n-th Fibonacci number (F(0) = 0, F(1) = 1, F(k) = F(k-1) + F(k-2)) modulo
    1000000007; a negative n gives 0."""
    if n < 0:
        return 0
    m = 1000000007

    def pair(k):  # fast doubling: (F(k), F(k+1))
        if k == 0:
            return 0, 1
        a, b = pair(k // 2)
        c = a * (2 * b - a) % m
        d = (a * a + b * b) % m
        return (d, (c + d) % m) if k % 2 else (c, d)
    return pair(n)[0]


@atomic(tests=["assert factorial_mod(5) == 120", "assert factorial_mod(-1) == 1", "assert factorial_mod(0) == 1",
               "assert factorial_mod(5000) == factorial_mod(1000)"],
        gen=lambda rng: (rng.randint(-3, 40),))
def factorial_mod(n: int) -> int:
    """Return n! modulo 1000000007, where n is first clamped to the range 0..1000 (so a negative n
    gives 0! = 1 and any n above 1000 gives 1000!)."""
    n = max(0, min(1000, n))
    out = 1
    for i in range(2, n + 1):
        out = out * i % 1000000007
    return out


@atomic(tests=["assert digital_root(9875) == 2", "assert digital_root(0) == 0", "assert digital_root(-38) == 2"])
def digital_root(n: int) -> int:
    """Repeatedly replace the absolute value of n by the sum of its decimal digits until a single digit
    remains, and return that digit."""
    n = abs(n)
    return 0 if n == 0 else 1 + (n - 1) % 9


@atomic(tests=["assert collatz_steps(6) == 8", "assert collatz_steps(1) == 0", "assert collatz_steps(-5) == 0"],
        gen=lambda rng: (rng.randint(-5, 500),))
def collatz_steps(n: int) -> int:
    """Return how many steps the Collatz process takes to reach 1 from n (halve an even number, replace
    an odd number m by 3m + 1); n of 1 or less gives 0."""
    steps = 0
    while n > 1:
        n = n // 2 if n % 2 == 0 else 3 * n + 1
        steps += 1
    return steps
