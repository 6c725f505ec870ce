"""Atomic functions: bit manipulation."""
from __future__ import annotations

from benchmarks_data.atomic.spec import Registry

atomic = Registry("bits")


@atomic(tests=["assert popcount(7) == 3", "assert popcount(-8) == 1", "assert popcount(0) == 0"])
def popcount(n: int) -> int:
    """Return the number of 1 bits in the binary representation of the absolute value of n."""
    return bin(abs(n)).count("1")


@atomic(tests=["assert to_binary(5) == '101'", "assert to_binary(-6) == '-110'", "assert to_binary(0) == '0'"])
def to_binary(n: int) -> str:
    """Return the binary representation of n without a prefix ('101' for 5), with a leading '-' for a
    negative n."""
    return ("-" if n < 0 else "") + bin(abs(n))[2:]


@atomic(tests=["assert from_binary('101') == 5", "assert from_binary('1x1') == 3", "assert from_binary('') == 0",
               "assert from_binary('-110') == 6"])
def from_binary(s: str) -> int:
    """Read the characters '0' and '1' of s, in order and ignoring every other character, as the bits of
    a non-negative binary number and return its value (no bits gives 0)."""
    v = 0
    for c in s:
        if c in "01":
            v = 2 * v + (c == "1")
    return v


@atomic(tests=["assert is_power_of_two(64)", "assert not is_power_of_two(0)", "assert not is_power_of_two(12)",
               "assert not is_power_of_two(-4)"],
        gen=lambda rng: (2 ** rng.randint(0, 20) + rng.choice([0, 0, 1, -1]),))
def is_power_of_two(n: int) -> bool:
    """Return True when n is a positive power of two (1, 2, 4, 8, ...)."""
    return n > 0 and n & (n - 1) == 0


@atomic(tests=["assert lowest_set_bit(12) == 4", "assert lowest_set_bit(0) == 0", "assert lowest_set_bit(-6) == 2"])
def lowest_set_bit(n: int) -> int:
    """Return the value of the lowest 1 bit of the absolute value of n (12 gives 4), or 0 when n is 0."""
    n = abs(n)
    return n & -n


@atomic(tests=["assert bit_length(8) == 4", "assert bit_length(0) == 0", "assert bit_length(-255) == 8"])
def bit_length(n: int) -> int:
    """Return the number of bits needed to write the absolute value of n in binary (0 needs 0 bits)."""
    return abs(n).bit_length()


@atomic(tests=["assert xor_all([1, 2, 3]) == 0", "assert xor_all([]) == 0", "assert xor_all([5, 1]) == 4"])
def xor_all(xs: list[int]) -> int:
    """Return the bitwise XOR of all the integers in xs (0 for an empty list)."""
    out = 0
    for x in xs:
        out ^= x
    return out


@atomic(tests=["assert hamming_distance(1, 4) == 2", "assert hamming_distance(7, 7) == 0",
               "assert hamming_distance(-1, 1) == 0"])
def hamming_distance(a: int, b: int) -> int:
    """Return the number of bit positions in which the absolute values of a and b differ."""
    return bin(abs(a) ^ abs(b)).count("1")


@atomic(tests=["assert gray_code(3) == 2", "assert gray_code(4) == 6", "assert gray_code(-5) == 7"])
def gray_code(n: int) -> int:
    """Return the reflected binary Gray code of the absolute value of n, that is m XOR (m >> 1) with
    m = abs(n)."""
    m = abs(n)
    return m ^ (m >> 1)


@atomic(tests=["assert reverse_bits_8(1) == 128", "assert reverse_bits_8(6) == 96", "assert reverse_bits_8(256) == 0",
               "assert reverse_bits_8(-1) == 128"])
def reverse_bits_8(n: int) -> int:
    """Take the lowest 8 bits of the absolute value of n as an 8-bit number and return the number with
    those 8 bits in reverse order (1 gives 128)."""
    m, out = abs(n) & 0xFF, 0
    for _ in range(8):
        out = (out << 1) | (m & 1)
        m >>= 1
    return out
