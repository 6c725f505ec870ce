"""Training data sources for `codeharness train` / `diagnose`: one `--data` spec, problems and SFT rows.

    synthetic:DIR          the directory `codeharness data synthesize` wrote (train split; DIR:test for the other)
    atomic                 a registered benchmark, all of it
    NAME:SPLIT             a registered benchmark's split: get_benchmark(NAME, split=SPLIT) (mbpp:train, ...)
    NAME:PATH[:SPLIT]      a benchmark read from PATH (a directory or file that exists)
    file.jsonl             rows with `prompt` + `response` (SFT) and/or tests inline (`tests` asserts,
                           `test` + `entry_point`, `inputs`/`outputs`: see benchmarks_data/inline.py)

A benchmark problem's SFT row is prompt = Problem.prompt, response = canonical_solution minus the
prompt when it starts with it (the body a base model continues with), else the whole solution.
"""
from __future__ import annotations

import dataclasses
import os
import random
from dataclasses import dataclass, field
from typing import Optional

from benchmarks_data.base import Benchmark, DataError, Problem
from benchmarks_data.inline import has_inline_tests, problem_from_fields
from benchmarks_data.registry import BENCHMARKS, get_benchmark
from benchmarks_data.sources import numbered_jsonl

# Split a training role reads when the spec names none (synthetic's own default is its test split).
DEFAULT_TRAIN_SPLIT = {"synthetic": "train"}
# A benchmark with a held-out split of its own: SFT/PPO evaluate on it unless --eval-data says otherwise.
HELD_OUT_SPLIT = {"synthetic": ("train", "test")}


@dataclass(frozen=True)
class DataSpec:
    text: str
    kind: str                        # "benchmark" | "file"
    name: Optional[str] = None       # benchmark name
    split: Optional[str] = None
    path: Optional[str] = None       # the benchmark's data path, or the JSONL file

    def with_split(self, split: str) -> "DataSpec":
        return dataclasses.replace(self, split=split, text=f"{self.text} (split {split})")


@dataclass
class TrainingData:
    spec: DataSpec
    benchmark: Optional[Benchmark]   # runs the problems' tests; None when no row carries tests
    problems: list[Problem] = field(default_factory=list)
    records: list[dict] = field(default_factory=list)   # SFT rows: prompt, response (+ task_id)


class FileBenchmark(Benchmark):
    """Problems read from a JSONL file's inline test columns; a completion continues the row's prompt."""

    name = "file"

    def __init__(self, path: str, problems: list[Problem]):
        super().__init__(data_path=path)
        self._problems = problems

    def load_problems(self) -> list[Problem]:
        return list(self._problems)


def _looks_like_path(text: str) -> bool:
    return os.path.exists(text) or os.sep in text or text.startswith(".")


def parse_data_spec(text: str, data_dir: Optional[str] = None) -> DataSpec:
    """`--data` text -> DataSpec; a one-line UserError-style DataError for anything unknown."""
    text = text.strip()
    if not text:
        raise DataError("--data is empty; give synthetic:DIR, a benchmark NAME[:SPLIT] or a .jsonl file")
    if text.endswith((".jsonl", ".json")) or os.path.isfile(text):
        return DataSpec(text, "file", path=text)
    name, _, rest = text.partition(":")
    if name not in BENCHMARKS:
        raise DataError(f"--data {text!r}: unknown benchmark {name!r} (known: {', '.join(sorted(BENCHMARKS))}) "
                        "and not a .jsonl file")
    path, split = data_dir, None
    if rest:
        first, _, second = rest.partition(":")
        if _looks_like_path(first):
            path, split = first, second or None
        else:
            split = rest
    return DataSpec(text, "benchmark", name=name, split=split or DEFAULT_TRAIN_SPLIT.get(name), path=path)


def response_for(problem: Problem) -> Optional[str]:
    sol = problem.canonical_solution
    if sol is None:
        return None
    return sol[len(problem.prompt):] if problem.prompt and sol.startswith(problem.prompt) else sol


def sft_records(problems: list[Problem]) -> list[dict]:
    """{prompt, response, task_id} per problem that has a reference solution."""
    return [{"prompt": p.prompt, "response": r, "task_id": p.task_id}
            for p in problems if (r := response_for(p)) is not None]


def _read_rows(path: str) -> list[tuple[int, dict]]:
    rows = numbered_jsonl(path)
    if not rows:
        raise DataError(f"{path}: no rows")
    return rows


def _string_field(row: dict, name: str, where: str) -> str:
    if name not in row:
        raise DataError(f"{where}: field '{name}' missing")
    if not isinstance(row[name], str):
        raise DataError(f"{where}: field '{name}' must be a string, got {type(row[name]).__name__}")
    return row[name]


def load_file(path: str, need_response: bool, need_tests: bool) -> TrainingData:
    stem = os.path.splitext(os.path.basename(path))[0]
    records, problems = [], []
    for lineno, row in _read_rows(path):
        where = f"{path}:{lineno}"
        prompt = _string_field(row, "prompt", where)
        task_id = str(row.get("task_id") or f"{stem}/{lineno}")
        response = _string_field(row, "response", where) if need_response or "response" in row else None
        if response is not None:
            records.append({"prompt": prompt, "response": response, "task_id": task_id})
        if has_inline_tests(row):
            p = problem_from_fields({**row, "task_id": task_id}, where)
            problems.append(dataclasses.replace(p, prompt=prompt, canonical_solution=(
                prompt + response if response is not None else None)))
        elif need_tests:
            raise DataError(f"{where}: no tests: give 'tests' (asserts), 'test' + 'entry_point' or 'inputs'/'outputs'")
    bench = FileBenchmark(path, problems) if problems else None
    return TrainingData(DataSpec(path, "file", path=path), bench, problems, records)


def load_data(spec: DataSpec, need_response: bool = False, need_tests: bool = False) -> TrainingData:
    """Problems (and SFT rows) of a spec. need_response: every row must train SFT; need_tests: every
    row must be runnable (PPO, reward model, diagnostics)."""
    if spec.kind == "file":
        return load_file(spec.path, need_response, need_tests)
    bench = get_benchmark(spec.name, data_path=spec.path, split=spec.split)
    problems = bench.load_problems()
    if not problems:
        raise DataError(f"--data {spec.text}: no problems")
    records = sft_records(problems)
    if need_response and not records:
        raise DataError(f"--data {spec.text}: no problem has a reference solution to train on")
    return TrainingData(spec, bench, problems, records)


def held_out_spec(spec: DataSpec) -> Optional[DataSpec]:
    """The benchmark's own held-out split for a training spec (synthetic train -> test), if it has one."""
    pair = HELD_OUT_SPLIT.get(spec.name or "")
    return spec.with_split(pair[1]) if spec.kind == "benchmark" and pair and spec.split == pair[0] else None


def hold_out(data: TrainingData, n: int, seed: int = 0) -> tuple[TrainingData, list[Problem]]:
    """Move `n` seeded-random problems out of `data` (their SFT rows too); returns (rest, held out)."""
    if n <= 0 or not data.problems:
        return data, []
    if n >= len(data.problems):
        raise DataError(f"--data {data.spec.text}: cannot hold out {n} of {len(data.problems)} problems for eval")
    order = list(range(len(data.problems)))
    random.Random(seed).shuffle(order)
    held = [data.problems[i] for i in sorted(order[:n])]
    held_ids = {p.task_id for p in held}
    rest = dataclasses.replace(data, problems=[p for p in data.problems if p.task_id not in held_ids],
                               records=[r for r in data.records if r.get("task_id") not in held_ids])
    return rest, held
