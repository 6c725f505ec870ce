"""The 100 atomic functions and the `atomic` benchmark: catalogue, prompts, and their tests in the runner."""
from __future__ import annotations

import copy
import random
from collections import Counter

import pytest

from benchmarks_data.atomic import ATOMICS, BY_NAME, TOPICS
from benchmarks_data.atomic.benchmark import AtomicBenchmark, atomic_problem, io_cases
from benchmarks_data.atomic.typevocab import TYPES, conforms, type_inputs
from benchmarks_data.base import DataError
from benchmarks_data.registry import get_benchmark
from local_run_jobs import LocalRunJobs
from sandboxes.job import Limits


@pytest.fixture(scope="module")
def run_jobs():
    runner = LocalRunJobs(workers=2)
    yield runner
    runner.close()


def test_catalogue_is_100_functions_over_10_topics():
    assert len(ATOMICS) == 100 and len(BY_NAME) == 100
    assert Counter(f.topic for f in ATOMICS) == {t: 10 for t in TOPICS}
    for f in ATOMICS:
        assert f.description and len(f.tests) >= 1, f.name
        assert all(t in TYPES for t in f.param_types + (f.returns,)), f.name
        assert f.source.startswith("def %s(" % f.name)
        assert "@" not in f.source.splitlines()[0]


def test_prompt_plus_completion_is_a_self_contained_program():
    for f in ATOMICS:
        ns: dict = {}
        exec(compile(f.prompt() + f.completion(), f.name, "exec"), ns)  # no module-level helpers needed
        assert callable(ns[f.name])
        assert f.prompt().startswith(f.signature())


def test_references_are_total_typed_and_do_not_mutate_inputs():
    # Compositions feed any value of a parameter's type, so each function must handle all of them.
    rng = random.Random(7)
    for f in ATOMICS:
        for args in type_inputs(f.param_types, rng, 40) + f.inputs(rng, 10):
            before = copy.deepcopy(args)
            out = f.fn(*args)
            assert args == before, "%s mutated its input" % f.name
            assert conforms(out, f.returns), (f.name, args, out)


def test_generated_cases_are_deterministic():
    f = BY_NAME["rotate_left"]
    assert io_cases(f) == io_cases(f)
    assert io_cases(f, seed=1) != io_cases(f, seed=2)
    p1, p2 = atomic_problem(f), atomic_problem(f)
    assert [(t.args, t.expected) for t in p1.tests] == [(t.args, t.expected) for t in p2.tests]


def test_every_atomic_passes_its_own_tests_in_the_runner(run_jobs):
    bench = get_benchmark("atomic")
    problems = bench.load_problems()
    assert len(problems) == 100
    assert all(any(t.kind == "code" for t in p.tests) and sum(t.kind == "call" for t in p.tests) >= 5
               for p in problems)
    jobs = [bench.make_job(p, p.canonical_solution, Limits(cpu_time_s=5)) for p in problems]
    for p, o in zip(problems, run_jobs(jobs)):
        assert not o.error and o.finished, (p.task_id, o)
        failed = [t for t in o.tests if t.status != "passed"]
        assert not failed and len(o.tests) == len(p.tests), (p.task_id, failed)


def test_wrong_solutions_fail_their_tests(run_jobs):
    bench = AtomicBenchmark()
    p = atomic_problem(BY_NAME["caesar_shift"])
    wrong_wrap = p.prompt + "    return ''.join(chr(ord(c) + k) if c.isalpha() else c for c in s)\n"
    p2 = atomic_problem(BY_NAME["median"])
    wrong_type = p2.prompt + "    return sorted(xs)[len(xs) // 2] if xs else 0\n"
    outcomes = run_jobs([bench.make_job(p, wrong_wrap, Limits()), bench.make_job(p2, wrong_type, Limits())])
    for o in outcomes:
        assert any(t.status in ("failed", "error") for t in o.tests)


def test_split_selects_a_topic():
    assert {p.metadata["topic"] for p in AtomicBenchmark(split="bits").load_problems()} == {"bits"}
    assert len(AtomicBenchmark(split="all").load_problems()) == 100
    with pytest.raises(DataError, match="unknown split"):
        AtomicBenchmark(split="poetry").load_problems()
