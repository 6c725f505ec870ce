"""Synthesizer: well-typed compositions, rejection reasons, determinism, contamination-free splits."""
from __future__ import annotations

import dataclasses
import random

import pytest

from benchmarks_data.atomic import ATOMICS, BY_NAME
from benchmarks_data.atomic.spec import from_function
from benchmarks_data.atomic.typevocab import accepts
from benchmarks_data.compose import CHAIN, FANIN, Composition, CompositionSampler, check_types, render
from benchmarks_data.screening import ScreenLimits
from benchmarks_data.splits import ContaminationError, SplitPolicy, check_no_contamination
from benchmarks_data.synthetic import SynthesisConfig, Synthesizer
from local_run_jobs import LocalRunJobs


@pytest.fixture(scope="module")
def run_jobs():
    runner = LocalRunJobs(workers=2)
    yield runner
    runner.close()


# --- planted bad parts ------------------------------------------------------------------------
def returns_none(n: int) -> int:
    """Return nothing at all."""
    return None


def noisy(n: int) -> int:
    """Add a random number to n."""
    import random
    return n + random.randint(0, 10**9)


def spin(n: int) -> int:
    """Count up from n forever."""
    while True:
        n += 1


def hog(n: int) -> int:
    """Allocate a huge list."""
    return len([n] * (10**9))


def explode(n: int) -> int:
    """Divide n by zero."""
    return n // 0


def as_text(n: int) -> int:
    """Claim an int, return a str."""
    return str(n)


PLANTED = [from_function(f, "arithmetic", [], (), None, {}) for f in (returns_none, noisy, spin, hog, explode, as_text)]


def test_sampler_only_draws_well_typed_compositions():
    sampler = CompositionSampler(ATOMICS)
    rng = random.Random(0)
    comps = [c for c in (sampler.sample(rng) for _ in range(500)) if c is not None]
    assert {c.shape for c in comps} == {CHAIN, FANIN} and {c.depth for c in comps} == {2, 3}
    for c in comps:
        check_types(c, BY_NAME)   # raises if ill-typed
        fs = [BY_NAME[p] for p in c.parts]
        if c.shape == CHAIN:
            assert all(accepts(b.param_types[0], a.returns) for a, b in zip(fs, fs[1:]))


def test_ill_typed_compositions_are_refused():
    with pytest.raises(ValueError, match="returns"):
        check_types(Composition(CHAIN, ("split_words", "digit_sum")), BY_NAME)
    with pytest.raises(ValueError, match="unknown"):
        check_types(Composition(CHAIN, ("digit_sum", "no_such_fn")), BY_NAME)
    with pytest.raises(ValueError):   # a date parser cannot take an arbitrary str
        check_types(Composition(CHAIN, ("reverse_string", "day_of_week")), BY_NAME)


def test_rendered_program_composes_the_parts():
    cf = render(Composition(FANIN, ("sort_ascending", "reverse_list", "merge_sorted", "list_sum")), BY_NAME)
    assert cf.prompt.startswith("def list_sum_of_merge_sorted_of_sort_ascending_and_reverse_list(xs: list[int]) -> int:")
    for part in ("sort_ascending", "reverse_list", "merge_sorted", "list_sum"):
        assert "def %s(" % part in cf.completion and BY_NAME[part].description[:40] in " ".join(cf.prompt.split())
    ns: dict = {}
    exec(cf.program, ns)
    assert ns[cf.name]([3, 1, 2]) == 12


def test_planted_bad_compositions_are_rejected_for_the_right_reason(run_jobs):
    config = SynthesisConfig(n=1, limits=ScreenLimits(per_call_s=0.3, job_cpu_s=5, memory_mb=256))
    synth = Synthesizer(run_jobs, config, library=list(ATOMICS) + PLANTED)
    synth.remember_atomics()
    cases = {
        ("count_digits", "returns_none"): "returns_none",
        ("sort_ascending", "is_sorted"): "constant",
        ("digit_sum", "noisy"): "nondeterministic",
        ("digit_sum", "spin"): "timeout",
        ("digit_sum", "hog"): "memory",
        ("digit_sum", "explode"): "error",
        ("digit_sum", "as_text"): "wrong_type",
        ("reverse_list", "reverse_list"): "identity",
        ("sort_ascending", "sort_ascending"): "duplicate",   # behaves like the atomic sort_ascending
        ("reverse_list", "running_sum"): None,
        ("running_sum", "reverse_list"): None,
    }
    results = synth.screen_compositions([Composition(CHAIN, parts) for parts in cases])
    got = {r.candidate.name: r.reason for r in results}
    want = {"_then_".join(parts): reason for parts, reason in cases.items()}
    assert got == want
    ok = next(r for r in results if r.accepted)
    assert ok.outputs[ok.candidate.inputs.index(([3, -1, 2, -1],))] == [-1, 1, 0, 3]


def test_behaviour_duplicates_are_dropped_within_a_run(run_jobs):
    synth = Synthesizer(run_jobs, SynthesisConfig(n=1, dedup_against_atomics=False))
    first, second = synth.screen_compositions([Composition(CHAIN, ("sort_descending", "list_max")),
                                               Composition(CHAIN, ("sort_ascending", "list_max"))])
    assert first.accepted and second.reason == "duplicate"


def _rows(result):
    return [r.to_row() for r in result.train + result.test]


def test_synthesis_is_deterministic_for_a_seed(run_jobs):
    a = Synthesizer(run_jobs, SynthesisConfig(n=24, seed=5)).run()
    b = Synthesizer(run_jobs, SynthesisConfig(n=24, seed=5)).run()
    c = Synthesizer(run_jobs, SynthesisConfig(n=24, seed=6)).run()
    assert _rows(a) == _rows(b)
    assert {r["task_id"] for r in _rows(a)} != {r["task_id"] for r in _rows(c)}
    assert (len(a.train), len(a.test)) == (19, 5)
    assert a.screened == sum(a.rejections.values()) + a.accepted + a.surplus


@pytest.mark.parametrize("policy", ["tuple", "pair", "depth"])
def test_splits_do_not_overlap(run_jobs, policy):
    res = Synthesizer(run_jobs, SynthesisConfig(n=30, seed=2, split=policy, test_fraction=0.3,
                                                      dedup_against_atomics=False)).run()
    train, test = [r.split_item() for r in res.train], [r.split_item() for r in res.test]
    assert len(train) == 21 and len(test) == 9
    assert not {i.key for i in train} & {i.key for i in test}
    assert not {i.fingerprint for i in train} & {i.fingerprint for i in test}
    pol = SplitPolicy(policy, 2, 0.3)
    if policy == "pair":
        assert not any(pol.held_out(e) for i in train for e in i.edges)
        assert all(any(pol.held_out(e) for e in i.edges) for i in test)
    if policy == "depth":
        assert {i.depth for i in train} == {2} and {i.depth for i in test} == {3}
    check_no_contamination(train, test, pol)


def test_contamination_check_catches_planted_overlaps(run_jobs):
    res = Synthesizer(run_jobs, SynthesisConfig(n=20, seed=9, test_fraction=0.3, dedup_against_atomics=False)).run()
    train, test = [r.split_item() for r in res.train], [r.split_item() for r in res.test]
    leaked_tuple = dataclasses.replace(train[0], task_id="synthetic/renamed", fingerprint="f" * 24)
    with pytest.raises(ContaminationError, match="ordered tuple"):
        check_no_contamination(train, test + [leaked_tuple])
    leaked_behaviour = dataclasses.replace(test[0], fingerprint=train[3].fingerprint)
    with pytest.raises(ContaminationError, match="behaviour"):
        check_no_contamination(train, test[1:] + [leaked_behaviour])
    pol = SplitPolicy("pair", 9, 0.3)
    held = next(i for i in test if any(pol.held_out(e) for e in i.edges)) if any(
        pol.held_out(e) for i in test for e in i.edges) else None
    planted = held or next(i for i in train + test if any(pol.held_out(e) for e in i.edges))
    with pytest.raises(ContaminationError, match="held-out pair"):
        check_no_contamination([dataclasses.replace(planted, task_id="synthetic/x", key=("chain", "x"),
                                                    fingerprint="0" * 24)], [], pol)
    with pytest.raises(ContaminationError, match="no deeper"):
        check_no_contamination([dataclasses.replace(test[0], depth=3)], [dataclasses.replace(test[1], depth=3)],
                               SplitPolicy("depth"))
