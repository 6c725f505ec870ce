"""Every arm for every seed: data and base model once, SFT arms, then RL arms from the best SFT arm.

Rows are appended to OUT/runs.jsonl as they finish (and `diagnose r2` goes to OUT/r2.json): a run
cut short keeps them and a rerun skips them, so rerunning a finished run only rewrites the report.
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import asdict
from typing import Optional, Sequence

from benchmarks_data.sources import read_jsonl
from harness.bench.reproduce.arms import RL_ARMS, SFT_ARMS, _load, run_rl_arm, run_sft_arm
from harness.bench.reproduce.build import build_model, synthesize_data
from harness.bench.reproduce.evaluation import Evaluator, run_r2
from harness.bench.reproduce.presets import Preset
from harness.bench.reproduce.report import orderings, summarise, write_report
from harness.core.results import read_json, write_json_atomic


def run_reproduction(preset: Preset, out: str, executor, progress: bool = True,
                     arms: Optional[Sequence[str]] = None, jobs: int = 1) -> dict:
    """`arms` limits the run to some arms (a timed slice; the CI test). With `jobs` > 1 the runs go
    as that many processes at once (one arm for one seed per process; the SFT runs before the RL
    runs), each with its own sandbox pool, sharing OUT/runs.jsonl; this process then writes the report."""
    started = time.perf_counter()
    done, ctx = _run_arms(preset, out, executor, progress, arms, jobs)
    chosen, best_sft, train, test, atomic, untrained = ctx
    return _report(preset, out, executor, started, done, chosen, best_sft, train, test, atomic, untrained)


def _run_arms(preset: Preset, out: str, executor, progress: bool, arms: Optional[Sequence[str]], jobs: int = 1,
              only_seed: Optional[int] = None):
    import torch
    from tqdm import tqdm

    from harness.training.data import load_data, parse_data_spec

    if preset.threads:
        torch.set_num_threads(preset.threads)
    os.makedirs(out, exist_ok=True)
    data_dir = synthesize_data(preset, out, executor, progress)
    atomic = load_data(parse_data_spec("atomic"), need_response=True)
    train = load_data(parse_data_spec(f"synthetic:{data_dir}:train"), need_response=True, need_tests=True)
    base = build_model(preset, out, [r["prompt"] + r["response"] for r in train.records])
    test = load_data(parse_data_spec(f"synthetic:{data_dir}:test"), need_tests=True)
    ev = Evaluator(preset, test, train, executor)
    chosen = list(arms) if arms else list(SFT_ARMS) + list(RL_ARMS)
    runs_path = os.path.join(out, "runs.jsonl")
    done = {(r["arm"], r["seed"]): r for r in (read_jsonl(runs_path) if os.path.exists(runs_path) else [])}
    if ("untrained", 0) not in done:
        done[("untrained", 0)] = _record(runs_path, {"arm": "untrained", "seed": 0, "curve": [],
                                                     **ev.final(*_load(base), 0)})
    untrained = done[("untrained", 0)]
    seeds = range(preset.seeds) if only_seed is None else [only_seed]
    todo = lambda names: [(a, s) for s in seeds for a in names if a in chosen and (a, s) not in done]
    bar = tqdm(total=len(todo(SFT_ARMS) + todo(RL_ARMS)), desc="reproduce", unit="run", disable=not progress)
    if jobs > 1:    # each phase's runs as processes; the loops below then find their rows done
        for phase in (SFT_ARMS, RL_ARMS):
            in_parallel(preset, out, executor.config, todo(phase), jobs, bar)
        done = {(r["arm"], r["seed"]): r for r in read_jsonl(runs_path)}
    sft_records = {"sft-atomic": atomic.records, "sft-both": atomic.records + train.records}
    for arm in [a for a in SFT_ARMS if a in chosen]:
        for seed in seeds:
            bar.set_postfix(arm=arm, seed=seed)
            if (arm, seed) not in done:
                res = run_sft_arm(preset, base, sft_records[arm], os.path.join(out, arm, f"seed{seed}"), seed, ev)
                done[(arm, seed)] = _record(runs_path, {"arm": arm, "seed": seed, **res})
                bar.update()
    best_sft = best_sft_arm(done, preset.seeds)
    # Seed-major: a run cut short has every RL arm for its first seeds, not every seed of a few arms.
    for seed in seeds:
        for arm in [a for a in RL_ARMS if a in chosen]:
            start_from, strategy, _ = RL_ARMS[arm]
            bar.set_postfix(arm=arm, seed=seed)
            if (arm, seed) not in done:
                if start_from == "sft" and best_sft is None:
                    raise ValueError(f"{arm} starts from the best SFT arm: run the SFT arms first")
                init = base if start_from == "base" else done[(best_sft, seed)]["init"]
                res = run_rl_arm(preset, init, strategy, train, os.path.join(out, arm, f"seed{seed}"), seed, ev,
                                 executor)
                done[(arm, seed)] = _record(runs_path, {"arm": arm, "seed": seed, "init": init, **res})
                bar.update()
    bar.close()
    return done, (chosen, best_sft, train, test, atomic, untrained)


def _report(preset, out, executor, started, done, chosen, best_sft, train, test, atomic, untrained) -> dict:
    r2 = []
    if best_sft is not None and any(a in chosen for a in ("pf-bon", "pf-br", "pf-bw", "ppo")):
        r2_path = os.path.join(out, "r2.json")    # kept like runs.jsonl: a rerun rewrites the report only
        r2 = read_json(r2_path)
        if not r2:
            r2 = run_r2(preset, done[(best_sft, 0)]["init"], train, executor, seed=0)
            write_json_atomic(r2_path, r2)
    rows = [r for (a, _), r in done.items() if a in chosen or a == "untrained"]
    summary = summarise(rows, preset)
    result = {"preset": asdict(preset), "best_sft": best_sft, "wall_seconds": time.perf_counter() - started,
              "n_train": len(train.problems), "n_test": len(test.problems), "n_atomic": len(atomic.problems),
              "summary": summary, "orderings": orderings(summary, r2, preset), "r2": r2, "runs": rows,
              "untrained": {k: v for k, v in untrained.items() if k != "curve"}}
    write_report(result, out)
    return result


def best_sft_arm(done: dict, seeds: int) -> Optional[str]:
    """The SFT arm with the best mean held-out pass@1 over seeds (the PF-PPO arms start from it); of
    arms that tie, atomic + synthetic (the later one in SFT_ARMS). None before any SFT arm finished."""
    finished = [a for a in SFT_ARMS if all((a, s) in done for s in range(seeds))]
    mean = {a: sum(done[(a, s)]["heldout_pass@1"] for s in range(seeds)) / seeds for a in finished}
    return max(reversed(finished), key=lambda a: mean[a], default=None)


def in_parallel(preset: Preset, out: str, config, runs: Sequence[tuple[str, int]], jobs: int, bar) -> None:
    """One process per (arm, seed), `jobs` at a time, spawned (not forked from a process that holds
    torch threads); each appends its row to OUT/runs.jsonl when it finishes."""
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    if not runs:
        return
    with ProcessPoolExecutor(max_workers=min(jobs, len(runs)), mp_context=multiprocessing.get_context("spawn")) as pool:
        running = {pool.submit(_one_run, preset, out, config, arm, seed): (arm, seed) for arm, seed in runs}
        while running:
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for fut in finished:
                arm, seed = running.pop(fut)
                try:
                    fut.result()
                except Exception as e:
                    for other in running:
                        other.cancel()
                    raise ValueError(f"arm {arm} seed {seed} failed: {type(e).__name__}: {e}") from None
                bar.set_postfix(arm=arm, seed=seed)
                bar.update()


def _one_run(preset: Preset, out: str, config, arm: str, seed: int) -> None:
    """In a spawned process: one arm for one seed, with a sandbox pool of its own."""
    from transformers.utils import logging as hf_logging

    from harness.core.executor import Executor

    hf_logging.disable_progress_bar()    # one bar for the run, the parent's
    executor = Executor(config)
    try:
        _run_arms(preset, out, executor, False, [arm], only_seed=seed)
    finally:
        executor.close()


def _record(path: str, row: dict) -> dict:
    # One write(2) on an O_APPEND descriptor: processes running arms side by side append whole lines.
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, (json.dumps(row) + "\n").encode("utf-8"))
    finally:
        os.close(fd)
    return row
