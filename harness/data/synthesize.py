"""`codeharness data synthesize`: write a synthetic-function dataset (train/test) to a directory.

Output, all deterministic for a seed except stats.json's timings:
  DIR/train.jsonl, DIR/test.jsonl   one problem per line (what the `synthetic` benchmark reads)
  DIR/hf/                           the same rows as a `datasets.DatasetDict` (save_to_disk)
  DIR/stats.json                    configuration, counts, acceptance rate, rejections by reason
Rows carry SFT fields: `prompt` + `response` is the reference program (with `--helpers library`,
the program after the row's `library`, the parts' definitions the sandbox runs first, so the
response is only calls to them); `instruction` is the chat form of the prompt; `tests` is JSON
[[args, expected], ...] in protocol plain encoding.
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass
from typing import Optional, Sequence

from benchmarks_data.screening import RunJobs
from benchmarks_data.splits import TEST, TRAIN
from benchmarks_data.synthetic import SynthesisConfig, SynthesisResult, Synthesizer
from harness.errors import UserError

COLUMNS = {"task_id": "string", "split": "string", "entry_point": "string", "prompt": "string",
           "response": "string", "solution": "string", "instruction": "string", "tests": "string",
           "shape": "string", "parts": ["string"], "depth": "int64", "params": ["string"],
           "param_types": ["string"], "returns": "string", "fingerprint": "string", "library": "string"}


@dataclass
class SynthesisReport:
    out_dir: str
    train: int
    test: int
    screened: int                  # candidates run in the sandbox
    passed: int                    # of those, passed screening (kept + surplus); acceptance = passed / screened
    surplus: int
    acceptance_rate: float
    rejections: dict
    elapsed_s: float


def _features():
    from datasets import Features, Sequence as Seq, Value
    return Features({k: Seq(Value(v[0])) if isinstance(v, list) else Value(v) for k, v in COLUMNS.items()})


def write_dataset(result: SynthesisResult, out_dir: str) -> None:
    from datasets import Dataset, DatasetDict  # heavy: only when writing
    rows = {TRAIN: [r.to_row() for r in result.train], TEST: [r.to_row() for r in result.test]}
    for split, split_rows in rows.items():
        with open(os.path.join(out_dir, split + ".jsonl"), "w", encoding="utf-8") as f:
            for row in split_rows:
                f.write(json.dumps(row, sort_keys=True) + "\n")
    features = _features()
    DatasetDict({split: Dataset.from_dict({k: [r[k] for r in split_rows] for k in COLUMNS}, features=features)
                 for split, split_rows in rows.items()}).save_to_disk(os.path.join(out_dir, "hf"))


def acceptance_text(passed: int, screened: int) -> str:
    return "%.1f%%" % (100.0 * passed / screened if screened else 0.0)


def synthesize(n: int, seed: int, out_dir: str, run_jobs: RunJobs, *, test_fraction: float = 0.2,
               split: str = "tuple", max_depth: int = 3, n_tests: int = 10, helpers: str = "inline",
               prompt_style: str = "steps", batch_size: int = 64, progress: bool = True,
               overwrite: bool = False, library: Optional[Sequence] = None) -> SynthesisReport:
    """Synthesize `n` validated functions (train + test) and write them to `out_dir`."""
    if n < 1:
        raise UserError("--n must be at least 1")
    if os.path.exists(os.path.join(out_dir, TRAIN + ".jsonl")) and not overwrite:
        raise UserError("%s already holds a dataset; pass --overwrite to replace it" % out_dir)
    try:
        config = SynthesisConfig(n=n, seed=seed, test_fraction=test_fraction, split=split, max_depth=max_depth,
                                 n_tests=n_tests, helpers=helpers, prompt_style=prompt_style, batch_size=batch_size)
        synth = Synthesizer(run_jobs, config, **({"library": library} if library is not None else {}))
    except ValueError as e:
        raise UserError("data synthesize: %s" % e) from None
    os.makedirs(out_dir, exist_ok=True)
    t0 = time.monotonic()
    from tqdm import tqdm
    with tqdm(total=n, desc="synthesize", unit="fn", disable=not progress) as bar:
        def on_progress(kept: int, screened: int, passed: int) -> None:
            bar.update(kept - bar.n)
            # the same figure the summary and stats.json report: share of screened candidates that passed
            bar.set_postfix(screened=screened, accept=acceptance_text(passed, screened))
        result = synth.run(on_progress)
    elapsed = time.monotonic() - t0
    write_dataset(result, out_dir)
    report = SynthesisReport(out_dir=out_dir, train=len(result.train), test=len(result.test),
                             screened=result.screened, passed=result.passed, surplus=result.surplus, acceptance_rate=round(result.acceptance_rate, 4),
                             rejections=dict(sorted(result.rejections.items())), elapsed_s=round(elapsed, 2))
    stats = {**asdict(report), "config": {k: v for k, v in asdict(config).items() if k != "limits"},
             "limits": asdict(config.limits)}
    with open(os.path.join(out_dir, "stats.json"), "w", encoding="utf-8") as f:
        json.dump(stats, f, indent=2, sort_keys=True)
    return report
