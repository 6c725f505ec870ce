"""Synthetic functions: atomic functions composed, screened in the sandbox, split cleanly.

`Synthesizer` draws well-typed compositions (compose.py), assigns each to train or test
by a split policy (splits.py), runs the composed references through the injected
`run_jobs` to learn their outputs (screening.py), rejects the bad ones with a reason,
deduplicates by behaviour on a fixed probe set (also against the atomic functions
themselves), and returns problems with input/output tests. `SyntheticBenchmark` reads
what harness/data/synthesize.py wrote, so synthetic splits evaluate like any benchmark.
"""
from __future__ import annotations

import json
import os
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Optional, Sequence

from benchmarks_data.atomic import ATOMICS, AtomicFunction
from benchmarks_data.atomic.benchmark import instruction_for
from benchmarks_data.atomic.typevocab import type_inputs
from benchmarks_data.base import Benchmark, DataError, Problem
from benchmarks_data.compose import PROMPT_STYLES, Composition, CompositionSampler, render, test_inputs
from benchmarks_data.screening import Candidate, RunJobs, ScreenLimits, Screened, fingerprint, screen
from benchmarks_data.splits import TEST, TRAIN, SplitItem, SplitPolicy, seeded_unit, check_no_contamination
from sandboxes.job import TestCase
from sandboxes.runner.protocol import decode_plain, encode_plain


HELPERS = ("inline", "library")


@dataclass(frozen=True)
class SynthesisConfig:
    n: int                            # validated functions wanted, train + test
    seed: int = 0
    test_fraction: float = 0.2        # share of `n` that is test
    split: str = "tuple"              # split policy: tuple | pair | depth (see splits.py)
    max_depth: int = 3
    # Where the parts' definitions live. "inline": the reference response writes the body and then
    # every part's definition (the model must reproduce them). "library": the parts are trusted code
    # the sandbox puts before the program (row field `library`), so the response is the body alone,
    # a few lines that call them: what a small model can learn.
    helpers: str = "inline"
    # The prompt's docstring: "steps" describes each part in words; "brief" is one line, so the
    # signature's name (which lists the parts) is the whole task (compose.render).
    prompt_style: str = "steps"
    n_tests: int = 10                 # generated inputs per function, on top of the probe inputs
    n_probes: int = 12                # fixed inputs per signature: behaviour fingerprint (dedup)
    batch_size: int = 64              # candidates per run_jobs call
    max_candidates: Optional[int] = None   # give up after screening this many (default 40 * n)
    dedup_against_atomics: bool = True
    limits: ScreenLimits = field(default_factory=ScreenLimits)

    def __post_init__(self):
        if self.helpers not in HELPERS:
            raise ValueError("helpers must be one of %s, not %r" % (", ".join(HELPERS), self.helpers))
        if self.prompt_style not in PROMPT_STYLES:
            raise ValueError("prompt style must be one of %s, not %r" % (", ".join(PROMPT_STYLES), self.prompt_style))

    def quotas(self) -> dict:
        n_test = round(self.n * self.test_fraction)
        return {TRAIN: self.n - n_test, TEST: n_test}


@dataclass
class SyntheticRecord:
    """One emitted problem; `to_row` is its dataset / JSONL row."""
    task_id: str
    split: str
    entry_point: str
    prompt: str                       # signature + docstring
    response: str                     # reference completion: prompt + response is the program
    tests: list                       # [(args tuple, expected), ...]
    composition: Composition
    params: tuple
    returns: str
    fingerprint: str
    library: str = ""                 # trusted definitions the program runs after ("library" helpers)

    @property
    def solution(self) -> str:
        return self.prompt + self.response

    def split_item(self) -> SplitItem:
        c = self.composition
        return SplitItem(self.task_id, c.key, tuple(c.edges()), c.depth, self.fingerprint)

    def to_row(self) -> dict:
        c = self.composition
        return {
            "task_id": self.task_id, "split": self.split, "entry_point": self.entry_point,
            "prompt": self.prompt, "response": self.response, "solution": self.solution,
            "instruction": instruction_for(self.prompt),
            "tests": json.dumps([[encode_plain(list(a)), encode_plain(e)] for a, e in self.tests]),
            "shape": c.shape, "parts": list(c.parts), "depth": c.depth,
            "params": [p for p, _ in self.params], "param_types": [t for _, t in self.params],
            "returns": self.returns, "fingerprint": self.fingerprint, "library": self.library,
        }


@dataclass
class SynthesisResult:
    train: list
    test: list
    rejections: Counter               # reason -> count
    screened: int                     # candidates run in the sandbox
    config: SynthesisConfig
    surplus: int = 0                  # accepted, but their split was already full (dropped)

    @property
    def accepted(self) -> int:
        return len(self.train) + len(self.test)

    @property
    def passed(self) -> int:
        """Candidates that passed screening: kept, plus surplus dropped because their split was full."""
        return self.accepted + self.surplus

    @property
    def acceptance_rate(self) -> float:
        return self.passed / self.screened if self.screened else 0.0


def probe_inputs(param_types: tuple, n: int) -> list[tuple]:
    """The fixed probe set of a signature; independent of the seed so fingerprints compare across runs."""
    return type_inputs(param_types, random.Random("probe:%s" % ",".join(param_types)), n)


def _merge_inputs(*groups: Sequence[tuple]) -> list[tuple]:
    out, seen = [], set()
    for group in groups:
        for args in group:
            if repr(args) not in seen:
                seen.add(repr(args))
                out.append(args)
    return out


_ATOMIC_FINGERPRINTS: dict = {}
OVERSAMPLE = 1.25   # candidates screened per missing function (acceptance is about 85%)


class Synthesizer:
    def __init__(self, run_jobs: RunJobs, config: SynthesisConfig, library: Sequence[AtomicFunction] = ATOMICS):
        self.run_jobs, self.config = run_jobs, config
        self.lib = {f.name: f for f in library}
        self.sampler = CompositionSampler(library, config.max_depth)
        self.policy = SplitPolicy(config.split, config.seed, config.test_fraction)
        self.seen_behaviour: dict = {}    # fingerprint -> name of the first function with it

    # --- building and screening candidates ---------------------------------------------------
    def candidate(self, comp: Composition) -> Candidate:
        cf = render(comp, self.lib)
        rng = random.Random(int(seeded_unit(self.config.seed, "inputs", *comp.key) * 2 ** 53))
        inputs = _merge_inputs(probe_inputs(cf.param_types, self.config.n_probes),
                               test_inputs(cf, self.lib, rng, self.config.n_tests))
        return Candidate(cf.name, cf.program, cf.param_types, cf.returns, inputs)

    def screen_compositions(self, comps: Sequence[Composition]) -> list[Screened]:
        """Screen compositions and apply behaviour dedup; accepted ones are remembered."""
        results = screen([self.candidate(c) for c in comps], self.run_jobs, self.config.limits)
        for r in results:
            if r.accepted:
                fp = self._fingerprint(r)
                if fp in self.seen_behaviour:
                    r.reason, r.detail = "duplicate", "behaves like %s" % self.seen_behaviour[fp]
                else:
                    self.seen_behaviour[fp] = r.candidate.name
        return results

    def _fingerprint(self, r: Screened) -> str:
        n_probe = len(probe_inputs(r.candidate.param_types, self.config.n_probes))
        return fingerprint(r.candidate.param_types, r.outputs[:n_probe])

    def remember_atomics(self) -> None:
        """Seed the behaviour set with the atomic functions, so a composition equal to one is a duplicate."""
        key = (tuple(sorted((f.name, f.source) for f in self.lib.values())), self.config.n_probes, self.config.limits)
        if key not in _ATOMIC_FINGERPRINTS:   # the same for every run: screen the library once per process
            cands = [Candidate(f.name, f.source, f.param_types, f.returns,
                               probe_inputs(f.param_types, self.config.n_probes)) for f in self.lib.values()]
            _ATOMIC_FINGERPRINTS[key] = [(self._fingerprint(r), r.candidate.name)
                                         for r in screen(cands, self.run_jobs, self.config.limits) if r.accepted]
        for fp, name in _ATOMIC_FINGERPRINTS[key]:
            self.seen_behaviour.setdefault(fp, name)

    # --- the main loop -------------------------------------------------------------------------
    def run(self, on_progress: Optional[Callable[[int, int, int], None]] = None) -> SynthesisResult:
        """`on_progress(kept, screened, passed)` after each batch: functions kept for the dataset, candidates
        screened, candidates that passed screening (kept + surplus: the acceptance rate's numerator)."""
        cfg = self.config
        quotas = cfg.quotas()
        out: dict = {TRAIN: [], TEST: []}
        rejections: Counter = Counter()
        rng = random.Random(cfg.seed)
        sampled: set = set()
        screened, draws, surplus = 0, 0, 0
        max_candidates = cfg.max_candidates or 40 * cfg.n
        if cfg.dedup_against_atomics:
            self.remember_atomics()
        max_draws = 200 * cfg.n + 1000
        while any(len(out[s]) < quotas[s] for s in out) and screened < max_candidates and draws < max_draws:
            # Ask for a little more than is missing: some candidates get rejected, and surplus
            # accepted ones are dropped in order, which keeps the result a function of the seed.
            want = {s: int((quotas[s] - len(out[s])) * OVERSAMPLE) + 2 if len(out[s]) < quotas[s] else 0
                    for s in out}
            pending: Counter = Counter()
            batch: list = []
            while (len(batch) < min(cfg.batch_size, max_candidates - screened) and draws < max_draws
                   and any(pending[s] < want[s] for s in out)):
                draws += 1
                comp = self.sampler.sample(rng)
                if comp is None or comp.key in sampled:
                    continue
                split = self.policy.assign(comp.key, comp.edges(), comp.depth)
                if pending[split] < want[split]:
                    sampled.add(comp.key)
                    pending[split] += 1
                    batch.append((comp, split))
            if not batch:
                break
            screened += len(batch)
            for (comp, split), r in zip(batch, self.screen_compositions([c for c, _ in batch])):
                if not r.accepted:
                    rejections[r.reason] += 1
                elif len(out[split]) < quotas[split]:
                    out[split].append(self._record(comp, split, r))
                else:
                    surplus += 1
            if on_progress:
                kept = len(out[TRAIN]) + len(out[TEST])
                on_progress(kept, screened, kept + surplus)
        check_no_contamination([r.split_item() for r in out[TRAIN]], [r.split_item() for r in out[TEST]],
                               self.policy)
        return SynthesisResult(out[TRAIN], out[TEST], rejections, screened, cfg, surplus)

    def _record(self, comp: Composition, split: str, r: Screened) -> SyntheticRecord:
        cf = render(comp, self.lib, self.config.prompt_style)
        library = self.config.helpers == "library"
        return SyntheticRecord(
            task_id="synthetic/%s" % cf.name, split=split, entry_point=cf.name, prompt=cf.prompt,
            response=cf.body if library else cf.completion, tests=list(zip(r.candidate.inputs, r.outputs)),
            composition=comp, params=cf.params, returns=cf.returns, fingerprint=self._fingerprint(r),
            library=cf.helpers if library else "")


# --- reading it back ---------------------------------------------------------------------------
def problem_from_row(row: dict, where: str) -> Problem:
    try:
        tests = [TestCase(name="io_%d" % i, kind="call", args=list(decode_plain(a)), expected=decode_plain(e))
                 for i, (a, e) in enumerate(json.loads(row["tests"]))]
        return Problem(
            task_id=row["task_id"], prompt=row["prompt"], entry_point=row["entry_point"],
            canonical_solution=row["solution"], tests=tests, instruction=row["instruction"],
            metadata={k: row[k] for k in ("split", "shape", "parts", "depth", "returns", "library") if row.get(k)})
    except (KeyError, TypeError, ValueError) as e:
        raise DataError("%s: malformed synthetic problem (%s: %s)" % (where, type(e).__name__, e)) from None


class SyntheticBenchmark(Benchmark):
    """`data_path`: the directory `codeharness data synthesize --out DIR` wrote (or one of its
    JSONL files); `split`: train or test (default test)."""

    name = "synthetic"
    # References may define helpers after the entry point (synthetic: the parts), so no "\ndef " stop.
    stop_sequences = ("\nif __name__", "\nprint(", "\nassert ", "\n```")

    def load_problems(self) -> list[Problem]:
        if not self.data_path:
            raise DataError("synthetic: give the directory written by `codeharness data synthesize` (--data DIR)")
        split = self.split or TEST
        path = self.data_path
        if os.path.isdir(path):
            if split not in (TRAIN, TEST):
                raise DataError("synthetic: split must be train or test, not %r" % split)
            path = os.path.join(path, split + ".jsonl")
        problems = []
        try:
            with open(path, encoding="utf-8") as f:
                for lineno, line in enumerate(f, 1):
                    if line.strip():
                        try:
                            row = json.loads(line)
                        except json.JSONDecodeError as e:
                            raise DataError("%s:%d: not valid JSON (%s)" % (path, lineno, e.msg)) from None
                        problems.append(problem_from_row(row, "%s:%d" % (path, lineno)))
        except OSError as e:
            raise DataError("cannot read %s: %s" % (path, e.strerror or e)) from None
        return problems

    def program_for(self, problem: Problem, completion: Optional[str], solution: Optional[str]) -> str:
        """A "library" dataset's parts run first, then the candidate (which calls them)."""
        program = super().program_for(problem, completion, solution)
        library = problem.metadata.get("library")
        return library + "\n\n" + program if library else program
