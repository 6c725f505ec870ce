"""Sanitizing real-looking model output: chat answers in markdown and base-model completions that run on."""
import ast

import pytest

from harness.generation.sanitize import (code_blocks, cut_at_stop, entry_name, extract_code, names_tests_need,
                                         parse_prefix, sanitize_completion, sanitize_solution)

HE_PROMPT = '''from typing import List


def has_close_elements(numbers: List[float], threshold: float) -> bool:
    """ Check if in given list of numbers, are any two numbers closer to each other than
    given threshold.
    >>> has_close_elements([1.0, 2.0, 3.0], 0.5)
    False
    """
'''

BODY = '''    for i, a in enumerate(numbers):
        for j, b in enumerate(numbers):
            if i != j and abs(a - b) < threshold:
                return True
    return False
'''


def run(program: str, call: str):
    env: dict = {}
    exec(compile(program, "<candidate>", "exec"), env)
    return eval(call, env)


# ---------------------------------------------------------------- chat answers

CHAT_ANSWER = '''Sure! Let's think about it step by step.

First, a quick example of how it is called:

```python
print(is_palindrome("abba"))
```

Here is the implementation:

```python
import re
import os

PUNCT = re.compile(r"[^a-z0-9]")


def _normalize(s):
    return PUNCT.sub("", s.lower())


def is_palindrome(s: str) -> bool:
    t = _normalize(s)
    return t == t[::-1]


def unrelated():
    os.remove("notes.txt")


assert is_palindrome("A man, a plan, a canal: Panama")
print(is_palindrome("abc"))

if __name__ == "__main__":
    import sys
    print(is_palindrome(sys.argv[1]))
```

And a shell command to run it:

```bash
python palindrome.py racecar
```
The function runs in O(n).'''


def test_chat_answer_keeps_entry_point_helpers_and_imports_only():
    code = sanitize_solution(CHAT_ANSWER, "is_palindrome")
    assert run(code, 'is_palindrome("A man, a plan, a canal: Panama")') is True
    assert run(code, 'is_palindrome("abc")') is False
    # test code, prints, main guard, unrelated functions and unused imports are gone
    for gone in ("print(", "assert ", "__main__", "unrelated", "import os", "bash"):
        assert gone not in code, gone
    assert code.index("import re") < code.index("PUNCT =") < code.index("def _normalize") < code.index("def is_palindrome")


def test_picks_the_block_that_defines_the_entry_point_even_when_shorter():
    text = ("Wrong language first:\n```cpp\nint add(int a, int b) { return a + b; }\n```\n"
            "A long usage block:\n```python\n" + "x = add(1, 2)\n" * 20 + "```\n"
            "The answer:\n```py\ndef add(a, b):\n    return a + b\n```\n")
    code = sanitize_solution(text, "add")
    assert code.strip() == "def add(a, b):\n    return a + b"


def test_last_defining_block_wins_when_the_answer_revises_itself():
    text = ("First try:\n```python\ndef f(x):\n    return x\n```\nOops, that ignores the sign; fixed:\n"
            "```python\ndef f(x):\n    return abs(x)\n```\n")
    assert run(sanitize_solution(text, "f"), "f(-3)") == 3


def test_missing_closing_fence_takes_the_rest_of_the_answer():
    text = "Here you go:\n\n```python\ndef square(x):\n    return x * x\n\nprint(square(3))\n"
    blocks = code_blocks(text)
    assert len(blocks) == 1 and not blocks[0].closed
    code = sanitize_solution(text, "square")
    assert run(code, "square(4)") == 16 and "print" not in code


def test_answer_without_fences_starts_at_the_first_code_line_and_drops_trailing_prose():
    text = ("Of course. The trick is to use a set.\n\nimport math\n\ndef dist(a, b):\n"
            "    return math.hypot(a[0] - b[0], a[1] - b[1])\n\nThis runs in constant time, since hypot is O(1).\n")
    code = sanitize_solution(text, "dist")
    assert run(code, "dist((0, 0), (3, 4))") == 5.0
    assert "constant time" not in code


def test_class_entry_point_for_leetcode_style_problems():
    text = ("```python\nfrom typing import List\nfrom collections import Counter\n\nMOD = 10**9 + 7\n\n"
            "class Solution:\n    def countPairs(self, nums: List[int]) -> int:\n"
            "        c = Counter(nums)\n        return sum(v * (v - 1) // 2 for v in c.values()) % MOD\n\n"
            "sol = Solution()\nprint(sol.countPairs([1, 1, 1]))\n```")
    assert entry_name("Solution().countPairs") == "Solution"
    code = sanitize_solution(text, "Solution().countPairs")
    assert run(code, "Solution().countPairs([1, 1, 1, 2, 2])") == 4
    assert "sol = " not in code and "print" not in code and "MOD = " in code


def test_decorators_and_recursion_limit_are_kept():
    text = ("```python\nimport sys\nfrom functools import lru_cache\nsys.setrecursionlimit(10000)\n\n"
            "@lru_cache(maxsize=None)\ndef fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\n\n"
            "print(fib(30))\n```")
    code = sanitize_solution(text, "fib")
    assert "@lru_cache" in code and "setrecursionlimit" in code and "print" not in code
    assert run(code, "fib(300)") > 0


def test_output_cut_at_the_token_limit_keeps_the_parsable_prefix():
    text = ("```python\ndef helper(x):\n    return x + 1\n\ndef solve(x):\n    return helper(x) * 2\n\n"
            "def extra(y):\n    return (y +")
    code = sanitize_solution(text, "solve")
    assert run(code, "solve(1)") == 4 and "extra" not in code


def test_code_that_never_parses_is_returned_so_the_sandbox_reports_a_syntax_error():
    text = "```python\ndef broken(x)\n    return x\n```"
    code = sanitize_solution(text, "broken")
    assert "def broken(x)" in code
    try:
        ast.parse(code)
    except SyntaxError:
        pass
    else:
        raise AssertionError("a syntax error was hidden")


def test_without_entry_point_a_stdin_program_is_kept_whole():
    text = "```python\nimport sys\n\ndef main():\n    print(sum(map(int, sys.stdin.read().split())))\n\nif __name__ == '__main__':\n    main()\n```"
    assert "__main__" in sanitize_solution(text, None)


def test_nested_fence_in_list_item_is_dedented():
    text = "1. Do this:\n\n   ```python\n   def g():\n       return 7\n   ```\n"
    assert run(extract_code(text, "g"), "g()") == 7


# ---------------------------------------------------------------- base-model completions

def test_completion_that_runs_on_into_tests_and_main_is_cut_to_the_body():
    raw = BODY + '\n\ndef check(candidate):\n    assert candidate([1.0, 1.05], 0.1)\n\ncheck(has_close_elements)\n' \
                 'if __name__ == "__main__":\n    print(has_close_elements([1.0], 0.3))\n'
    body = sanitize_completion(HE_PROMPT, raw, "has_close_elements")
    assert body.rstrip() == BODY.rstrip()
    assert run(HE_PROMPT + body, "has_close_elements([1.0, 1.05], 0.1)") is True


def test_completion_keeps_a_helper_the_function_calls_and_drops_print():
    raw = ("    return any(_close(a, b, threshold) for i, a in enumerate(numbers) for b in numbers[i + 1:])\n\n\n"
           "def _close(a, b, t):\n    return abs(a - b) < t\n\n\nprint(has_close_elements([1.0, 2.0], 0.5))\n")
    body = sanitize_completion(HE_PROMPT, raw, "has_close_elements")
    assert "def _close" in body and "print(" not in body
    assert run(HE_PROMPT + body, "has_close_elements([1.0, 2.0, 2.1], 0.5)") is True


def test_completion_stop_sequences_and_markdown_fence_cut():
    raw = BODY + "```\n\nThis function compares all pairs."
    assert sanitize_completion(HE_PROMPT, raw, "has_close_elements").rstrip() == BODY.rstrip()
    assert cut_at_stop("abc\ndef x\nprint(1)", ["\nprint(", "\ndef "]) == "abc"
    assert cut_at_stop("abc", None) == "abc"


def test_completion_cut_mid_statement_by_the_token_limit():
    raw = BODY + "\n\ndef another(x):\n    return [x for x in ra"
    body = sanitize_completion(HE_PROMPT, raw, "has_close_elements")
    assert body.rstrip() == BODY.rstrip()


def test_completion_that_never_parses_is_returned_as_written():
    raw = "    return (numbers[0] +\n"
    assert sanitize_completion(HE_PROMPT, raw, "has_close_elements") == raw


def test_parse_prefix_never_trims_kept_lines():
    tree, text = parse_prefix("x = 1\ny = (\n", keep_lines=1)
    assert text == "x = 1\n" and tree is not None
    tree, text = parse_prefix("x = (\n", keep_lines=1)
    assert tree is None


def test_prompt_functions_are_kept_because_tests_may_call_them():
    prompt = "def encode(s):\n    return s[::-1]\n\n\ndef decode(s):\n    \"\"\"Inverse of encode.\"\"\"\n"
    text = f"```python\n{prompt}    return s[::-1]\n\nprint(decode('ab'))\n```"
    code = sanitize_solution(text, "decode", prompt)
    assert run(code, "encode(decode('abc'))") == "abc" and "print" not in code


def test_every_humaneval_reference_solution_survives_both_modes():
    from benchmarks_data.humaneval import default_path, read_jsonl
    for row in read_jsonl(default_path()):
        prompt, ref, ep = row["prompt"], row["canonical_solution"], row["entry_point"]
        noisy = ref + "\n\ndef check_it():\n    pass\n\nprint(" + ep + ")\n"
        assert sanitize_completion(prompt, noisy, ep).rstrip() == ref.rstrip(), row["task_id"]
        answer = f"Here is my solution:\n```python\n{prompt}{ref}\n\nprint({ep})\n```\nIt is correct."
        env: dict = {}
        exec(sanitize_solution(answer, ep, prompt), env)
        exec(row["test"], env)
        env["check"](env[ep])


# ---------------------------------------------------------------- what the entry point needs (issue 14)

NEEDS = {
    "a class the entry point builds": ('''class Point:
    def __init__(self, x, y):
        self.x, self.y = x, y

def norm1(a, b):
    return abs(Point(a, b).x) + abs(Point(a, b).y)
''', "norm1(-2, 3)", 5, "class Point"),
    "a helper nested in a helper": ('''def solve(xs):
    return total(xs)

def total(xs):
    def add(a, b):
        return a + b
    out = 0
    for x in xs:
        out = add(out, x)
    return out
''', "solve([1, 2, 3])", 6, "def total"),
    "a decorator the answer defines": ('''def memo(fn):
    cache = {}
    def wrap(n):
        if n not in cache:
            cache[n] = fn(n)
        return cache[n]
    return wrap

@memo
def solve(n):
    return n if n < 2 else solve(n - 1) + solve(n - 2)
''', "solve(80)", 23416728348467685, "def memo"),
    "a constant above the first def, in an answer without fences": ('''MOD = 10 ** 9 + 7

def solve(n):
    return pow(2, n, MOD)
''', "solve(100)", pow(2, 100, 10 ** 9 + 7), "MOD = "),
    "a table a top-level loop fills": ('''PRIMES = []
for n in range(2, 60):
    if all(n % p for p in PRIMES):
        PRIMES.append(n)
SQUARES = {}
SQUARES[3] = 9

def solve(i):
    return PRIMES[i] + SQUARES[3]

print(solve(0))
''', "solve(4)", 20, "PRIMES.append"),
    "a global the function assigns": ('''calls = 0

def solve(x):
    global calls
    calls += 1
    return x * calls
''', "solve(5)", 5, "calls = 0"),
    "an import inside the function": ('''def solve(x):
    import math
    return math.isqrt(x)

import os
os.remove("answers.txt")
''', "solve(17)", 4, "import math"),
    "main blocks, either way round": ('''LIMIT = 10

def solve(x):
    return min(x, LIMIT)

if __name__ == "__main__":
    print(solve(5))

if "__main__" == __name__:
    LIMIT = 0
    print(solve(5))
''', "solve(20)", 10, "LIMIT = 10"),
}


@pytest.mark.parametrize("case", NEEDS, ids=list(NEEDS))
def test_everything_the_entry_point_needs_is_kept_and_scripts_are_dropped(case):
    code, call, want, kept = NEEDS[case]
    for answer in (code, f"Here is the solution:\n```python\n{code}```\nDone."):
        program = sanitize_solution(answer, "solve")
        assert kept in program, program
        assert run(program, call) == want
        assert "__main__" not in program and "print(" not in program and "os.remove" not in program


def test_names_the_test_setup_uses_are_kept_though_the_entry_point_never_names_them():
    answer = ("```python\nclass Node:\n    def __init__(self, data):\n        self.data = data\n"
              "        self.left = self.right = None\n\ndef depth(root):\n"
              "    return 0 if root is None else 1 + max(depth(root.left), depth(root.right))\n\n"
              "def unrelated():\n    return 1\n```")
    setup = "root = Node(1)\nroot.left = Node(2)\n"
    keep = names_tests_need(setup, ["assert depth(root) == 2"])
    assert "Node" in keep and "root" not in keep
    program = sanitize_solution(answer, "depth", keep=keep)
    assert "class Node" in program and "unrelated" not in program
    assert run(program + setup, "depth(root)") == 2
    assert "class Node" not in sanitize_solution(answer, "depth")   # nothing asks for it without the setup
