"""EvalPlus benchmarks (HumanEval+, MBPP+; Liu et al. 2023, arXiv 2305.01210): tests from input lists.

The release files hold inputs, not outputs. As EvalPlus does, the expected output of each input is what
the canonical solution returns on it, and each test's time limit is scaled from the reference's time.
This package never runs code itself, so:

  1. `prepare(run_jobs)` runs each reference as a Job of "capture" tests (the runner
     reports each "call" test's return value and time instead of judging it) through the injected
     `run_jobs` (the harness's sandbox pool), and caches outputs and times in
     `$CODEHARNESS_CACHE_DIR/expected/<benchmark>-<version>-<sha256 of the data file>.json.gz`;
  2. `load_problems()` reads that cache and builds "call" tests (args, expected, atol, time limit),
     in two groups: "base" (base_input) and "plus" (plus_input). Problems with a special oracle
     (HumanEval/32 find_zero, a few MBPP+ tasks) get "code" tests applying that oracle instead.

Precomputing once keeps every later evaluation as cheap as a plain comparison, and the limits follow
EvalPlus (max(1 s, 4 x reference time); at most 60 s per task) rather than a guess.
Inputs violating the problem's contract are already excluded from the release files.
"""
from __future__ import annotations

import dataclasses
import gzip
import hashlib
import json
import os
from pathlib import Path
from typing import Optional

from benchmarks_data import evalplus_oracles as ep
from benchmarks_data.base import Benchmark, DataError, Problem, Published, RunJobs
from benchmarks_data.sources import cache_dir, from_url, locate, read_jsonl, required
from sandboxes.job import Job, Limits, TestCase
from sandboxes.runner.protocol import decode_plain

CACHE_FORMAT = 2
GROUPS = ("base", "plus")
# Reference runs are trusted and may be slow on the largest inputs: generous limits.
CAPTURE_LIMITS = Limits(cpu_time_s=900.0, memory_mb=4096, max_output_bytes=16 << 20)
CAPTURE_TEST_LIMIT_S = 60.0
CAPTURE_CHUNK = 200


class EvalPlusBenchmark(Benchmark):
    dataset = ""                     # "humaneval" | "mbpp": selects the special oracles
    file_stem = ""                   # e.g. "HumanEvalPlus"
    folder = ""                      # e.g. "humaneval_plus"
    release_url = ""                 # format(version=..., stem=...)
    # EvalPlus's `evaluate`: each test's limit is wall clock (a per-input alarm), and each group's process
    # has a wall budget of its own (make_job), with no CPU allowance beside it.
    published = Published("evalplus", test_clock="wall")

    def __init__(self, data_path: Optional[str] = None, split: Optional[str] = None,
                 version: Optional[str] = None):
        super().__init__(data_path, split, version)
        self._path: Optional[str] = None

    # --- data ---------------------------------------------------------------------------------
    def data_file(self) -> str:
        if self._path is None:
            relative = f"{self.folder}/{self.version}/{self.file_stem}.jsonl.gz"
            self._path = locate(self.data_path, relative) or from_url(
                self.release_url.format(version=self.version, stem=self.file_stem),
                f"{self.file_stem}-{self.version}.jsonl.gz", self.name)
        return self._path

    def records(self) -> list[dict]:
        rows = read_jsonl(self.data_file())
        for i, row in enumerate(rows, 1):
            where = f"{self.data_file()}:{i}"
            for key in ("task_id", "prompt", "entry_point", "canonical_solution", "base_input", "plus_input"):
                required(row, key, where)
            row["base_input"] = [self.input_args(row["task_id"], a) for a in row["base_input"]]
            row["plus_input"] = [self.input_args(row["task_id"], a) for a in row["plus_input"]]
        return rows

    def input_args(self, task_id: str, args: list) -> list:
        return list(args)

    def reference_program(self, row: dict) -> str:
        return row["prompt"] + row["canonical_solution"]

    def oracle_for(self, entry_point: str) -> Optional[str]:
        table = ep.MBPP_ORACLES if self.dataset == "mbpp" else ep.HUMANEVAL_ORACLES
        return table.get(entry_point)

    # --- expected outputs ---------------------------------------------------------------------
    def cache_path(self) -> Path:
        with open(self.data_file(), "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()[:16]
        return cache_dir() / "expected" / f"{self.name}-{self.version}-{digest}.json.gz"

    def read_cache(self) -> dict:
        path = self.cache_path()
        if not path.is_file():
            return {}
        try:
            with gzip.open(path, "rt", encoding="utf-8") as f:
                data = json.load(f)
        except (OSError, EOFError, ValueError):
            return {}  # a torn or foreign file: recompute
        return data.get("tasks", {}) if data.get("format") == CACHE_FORMAT else {}

    def write_cache(self, tasks: dict) -> None:
        path = self.cache_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
        with gzip.open(tmp, "wt", encoding="utf-8") as f:
            json.dump({"format": CACHE_FORMAT, "tasks": tasks}, f)
        tmp.replace(path)   # atomic: concurrent readers see the old or the new file

    def capture_jobs(self, row: dict) -> list[Job]:
        """Jobs running the reference on every input, CAPTURE_CHUNK inputs each (bounded result size)."""
        program, entry = self.reference_program(row), row["entry_point"]
        if self.dataset == "mbpp" and entry in ep.NOT_NONE_ENTRY_POINTS:
            # EvalPlus keeps only whether these return None (their results are regex match objects).
            program += f"\n\ndef _capture_not_none(*args):\n    return {entry}(*args) is not None\n"
            entry = "_capture_not_none"
        tests = [TestCase(name=f"{g}_{i}", kind="capture", args=list(a), time_limit_s=CAPTURE_TEST_LIMIT_S)
                 for g in GROUPS for i, a in enumerate(row[f"{g}_input"])]
        return [Job(program=program, tests=tests[i:i + CAPTURE_CHUNK], entry_point=entry, limits=CAPTURE_LIMITS,
                    judge="compat", stop_on_failure=False,
                    job_id=f"capture:{row['task_id']}:{i}")
                for i in range(0, max(len(tests), 1), CAPTURE_CHUNK)]

    def prepare(self, run_jobs: RunJobs, task_ids: Optional[set[str]] = None) -> None:
        """Compute (and cache) expected outputs for the tasks that lack them."""
        cached = self.read_cache()
        todo = [r for r in self.records() if r["task_id"] not in cached
                and (task_ids is None or r["task_id"] in task_ids)]
        if not todo:
            return
        per_row = [self.capture_jobs(r) for r in todo]
        outcomes = iter(run_jobs([j for jobs in per_row for j in jobs]))
        errors = []
        for row, jobs in zip(todo, per_row):
            entry = self.capture_entry(row, [next(outcomes) for _ in jobs])
            if isinstance(entry, str):
                errors.append(f"{row['task_id']}: {entry}")
            else:
                cached[row["task_id"]] = entry
        self.write_cache(cached)
        if errors:
            raise DataError(f"{self.name}: reference solutions failed, expected outputs incomplete: "
                            + "; ".join(errors[:5]))

    @staticmethod
    def capture_entry(row: dict, outcomes: list) -> dict | str:
        results = []
        for o in outcomes:
            if o.error or o.compile_error or o.program_error or o.limit:
                return o.error or o.compile_error or o.program_error or f"limit {o.limit}"
            results.extend(o.tests)
        n = {g: len(row[f"{g}_input"]) for g in GROUPS}
        if len(results) != sum(n.values()):
            return f"ran {len(results)} of {sum(n.values())} inputs"
        # Left out of the tests, like an output too large to move: an input the reference itself
        # cannot finish within CAPTURE_TEST_LIMIT_S (Mbpp/255 with n = 77: 1.7 million 77-tuples).
        left_out = ("OutputTooLarge", "Timeout")
        bad = [t for t in results if t.status != "passed" and t.error_type not in left_out]
        if bad:
            return f"{bad[0].name}: {bad[0].error_type} {bad[0].message}"
        entry, pos = {}, 0
        for g in GROUPS:
            part = results[pos:pos + n[g]]
            pos += n[g]
            # None: the reference's output is too large to move or to compute; the input is left out.
            entry[g] = [t.output if t.status == "passed" else None for t in part]
            entry[f"{g}_time"] = [t.time_s for t in part]
        return entry

    # --- problems -----------------------------------------------------------------------------
    def load_problems(self, task_ids: Optional[set[str]] = None) -> list[Problem]:
        """All problems, or only `task_ids` (those need only their own expected outputs prepared)."""
        cached = self.read_cache()
        rows = [r for r in self.records() if task_ids is None or r["task_id"] in task_ids]
        missing = [r["task_id"] for r in rows if r["task_id"] not in cached]
        if missing:
            raise DataError(
                f"{self.name} {self.version}: expected outputs not computed for {len(missing)} task(s) "
                f"(e.g. {missing[0]}); run `codeharness check-dataset --benchmark {self.name}` once, "
                f"or call Benchmark.prepare(run_jobs); cache dir {cache_dir()} (${'CODEHARNESS_CACHE_DIR'})")
        return [self.problem(r, cached[r["task_id"]]) for r in rows]

    def load_prompts(self) -> list[Problem]:
        return [Problem(task_id=r["task_id"], prompt=r["prompt"], entry_point=r["entry_point"],
                        canonical_solution=self.reference_program(r), instruction=self.instruction(r))
                for r in self.records()]

    def problem(self, row: dict, expected: dict) -> Problem:
        entry, atol = row["entry_point"], float(row.get("atol") or 0)
        oracle = self.oracle_for(entry)
        groups: dict[str, list[TestCase]] = {}
        skipped: dict[str, list[int]] = {}
        for g in GROUPS:
            limits = ep.time_limits(expected[f"{g}_time"])
            groups[g] = []
            for i, (args, out, lim) in enumerate(zip(row[f"{g}_input"], expected[g], limits)):
                test = self.test(f"{g}_{i}", entry, oracle, args, out, atol, lim)
                if test is None:
                    skipped.setdefault(g, []).append(i)
                else:
                    groups[g].append(test)
        all_tests = groups["base"] + groups["plus"]
        total = sum(t.time_limit_s or 0 for t in all_tests)
        return Problem(
            task_id=row["task_id"],
            prompt=row["prompt"],
            entry_point=entry,
            canonical_solution=self.reference_program(row),
            tests=all_tests,
            test_setup=ep.ORACLE_SETUP if oracle else (ep.DIGEST_SETUP if any(
                t.kind == "code" for t in all_tests) else ""),
            test_context=self.test_context(row),
            instruction=self.instruction(row),
            metadata={"atol": atol, "version": self.version, "oracle": oracle or "",
                      # inputs left out: the reference's output is too large to move (Mbpp/255)
                      "skipped_inputs": skipped},
            test_groups=groups,
            cpu_time_s=min(ep.TASK_TIME_CAP_S, total) + 1,
        )

    @staticmethod
    def test(name: str, entry: str, oracle: Optional[str], args: list, out: Optional[dict], atol: float,
             limit: float) -> Optional[TestCase]:
        """The test for one input, from its captured reference output; None to leave the input out."""
        if out is None or ("digest" in out and oracle):
            return None
        if "digest" in out:
            code = (f"_out = {entry}(*{args!r})\n"
                    f"assert _plain_digest(_out) == {out['digest']!r}, 'differs from the (large) expected value'\n")
            return TestCase(name=name, kind="code", code=code, time_limit_s=limit)
        expected = decode_plain(out["v"])
        if oracle:
            return TestCase(name=name, kind="code", code=ep.oracle_test_code(entry, oracle, args, expected, atol),
                            time_limit_s=limit)
        return TestCase(name=name, kind="call", args=list(args), expected=expected, atol=atol, time_limit_s=limit)

    def make_job(self, problem: Problem, program: str, limits: Limits, judge: str = "strict",
                 group: Optional[str] = None) -> Job:
        job = super().make_job(problem, program, limits, judge, group)
        if limits.test_clock == "wall":   # EvalPlus's published semantics (Benchmark.published)
            # EvalPlus runs base and plus each in a process of its own; here one process runs both
            # (plus only counts where base passed), with the two processes' budgets together.
            groups = self.test_groups(problem) if group is None else {group: self.test_groups(problem)[group]}
            wall = sum(ep.group_wall_s([t.time_limit_s or 0 for t in tests]) for tests in groups.values())
            job.limits = dataclasses.replace(job.limits, cpu_time_s=wall, wall_time_s=wall)
            job.tests = self.published_atol(job.tests, groups, float(problem.metadata.get("atol") or 0))
        return job

    @staticmethod
    def published_atol(tests: list[TestCase], groups: dict[str, list[TestCase]], atol: float) -> list[TestCase]:
        """`tests` with each "call" test's atol as EvalPlus has it for that input (ep.published_atols).
        The other tests' expected values never hold floats (oracles, digests): they change nothing."""
        carried: dict[str, float] = {}
        for members in groups.values():
            calls = [t for t in members if t.kind == "call"]
            carried.update(zip((t.name for t in calls), ep.published_atols([t.expected for t in calls], atol)))
        return [dataclasses.replace(t, atol=carried[t.name]) if t.name in carried and carried[t.name] != t.atol
                else t for t in tests]

    def test_context(self, row: dict) -> str:
        return ""

    def instruction(self, row: dict) -> str:
        raise NotImplementedError
