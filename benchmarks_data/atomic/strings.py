"""Atomic functions: strings."""
from __future__ import annotations

from benchmarks_data.atomic.spec import Registry

atomic = Registry("strings")


def _repeat_args(rng):
    from benchmarks_data.atomic.typevocab import WORDS
    return (rng.choice(WORDS), rng.randint(-2, 12))


@atomic(tests=["assert reverse_string('abc') == 'cba'", "assert reverse_string('') == ''"])
def reverse_string(s: str) -> str:
    """Return the string s with its characters in reverse order."""
    return s[::-1]


@atomic(tests=["assert count_vowels('Hello World') == 3", "assert count_vowels('xyz') == 0",
               "assert count_vowels('AEIOUaeiou') == 10"])
def count_vowels(s: str) -> int:
    """Return how many characters of s are vowels (a, e, i, o, u, in either case)."""
    return sum(1 for c in s if c in "aeiouAEIOU")


@atomic(tests=["assert is_palindrome('A man, a plan, a canal: Panama')", "assert not is_palindrome('abca')",
               "assert is_palindrome('')"])
def is_palindrome(s: str) -> bool:
    """Return True when s reads the same forwards and backwards once only its letters and digits are
    kept and letters are lower-cased (the empty string is a palindrome)."""
    t = [c.lower() for c in s if c.isalnum()]
    return t == t[::-1]


@atomic(tests=["assert capitalize_words('hello big world') == 'Hello Big World'",
               "assert capitalize_words('  a  b ') == 'A B'", "assert capitalize_words('') == ''"])
def capitalize_words(s: str) -> str:
    """Split s into words on whitespace, make the first character of each word upper case and the
    rest lower case, and join the words with single spaces."""
    return " ".join(w[:1].upper() + w[1:].lower() for w in s.split())


@atomic(tests=["assert run_length_encode('aaabcc') == 'a3b1c2'", "assert run_length_encode('') == ''",
               "assert run_length_encode('abab') == 'a1b1a1b1'"])
def run_length_encode(s: str) -> str:
    """Run-length encode s: each maximal run of a repeated character becomes the character followed
    by the run's length in decimal ('aaabcc' becomes 'a3b1c2'); the empty string gives ''."""
    out, i = [], 0
    while i < len(s):
        j = i
        while j < len(s) and s[j] == s[i]:
            j += 1
        out.append("%s%d" % (s[i], j - i))
        i = j
    return "".join(out)


@atomic(tests=["assert caesar_shift('abc xyz', 3) == 'def abc'", "assert caesar_shift('Hello!', -1) == 'Gdkkn!'",
               "assert caesar_shift('Zz', 27) == 'Aa'"])
def caesar_shift(s: str, k: int) -> str:
    """Shift every ASCII letter of s by k positions in the alphabet, wrapping around and keeping its
    case (k may be negative or larger than 26); all other characters stay unchanged."""
    out = []
    for c in s:
        if "a" <= c <= "z":
            out.append(chr((ord(c) - 97 + k) % 26 + 97))
        elif "A" <= c <= "Z":
            out.append(chr((ord(c) - 65 + k) % 26 + 65))
        else:
            out.append(c)
    return "".join(out)


@atomic(tests=["assert longest_word('the quick brown fox') == 'quick'", "assert longest_word('') == ''",
               "assert longest_word('ab cd') == 'ab'"])
def longest_word(s: str) -> str:
    """Return the longest of the whitespace-separated words of s; among words of equal length the
    first one wins, and a string without words gives ''."""
    best = ""
    for w in s.split():
        if len(w) > len(best):
            best = w
    return best


@atomic(tests=["assert split_words(' to be  or ') == ['to', 'be', 'or']", "assert split_words('') == []"])
def split_words(s: str) -> list[str]:
    """Return the list of words of s, where words are separated by any amount of whitespace."""
    return s.split()


@atomic(tests=["assert join_words(['a', 'bc']) == 'a bc'", "assert join_words([]) == ''"])
def join_words(words: list[str]) -> str:
    """Return the strings in words joined into one string with a single space between them."""
    return " ".join(words)


@atomic(tests=["assert repeat_string('ab', 3) == 'ababab'", "assert repeat_string('x', -2) == ''",
               "assert repeat_string('z', 50) == 'z' * 10"],
        gen=_repeat_args, edge=[("ab", 0), ("", 5), ("q", 11)])
def repeat_string(s: str, n: int) -> str:
    """Return s repeated n times, where n is first clamped to the range 0..10 (a negative n gives ''
    and any n above 10 counts as 10)."""
    return s * max(0, min(10, n))
