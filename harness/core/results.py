"""results.jsonl: one line per input sample, in input order, written as results arrive.

Lines are written in input order (out-of-order completions wait in a small buffer), so
the file is always a prefix of the final one: a rerun resumes after its last full line.
They reach the kernel at least every FLUSH_S (and on close), not one write per line: a SIGKILL
loses at most that much work, which the rerun redoes.
"""
from __future__ import annotations

import dataclasses
import json
import os
import time
from dataclasses import dataclass, field
from typing import Any, Optional

from harness.errors import UserError

FLUSH_S = 0.1
SYNC_S = 1.0
_encode = json.JSONEncoder(ensure_ascii=False).encode   # json.dumps(..., ensure_ascii=False), built once


@dataclass
class SampleResult:
    task_id: str
    sample_index: int
    passed: bool
    status: str
    tests: list[dict] = field(default_factory=list)
    duration_s: float = 0.0
    detail: str = ""
    groups: dict[str, bool] = field(default_factory=dict)   # e.g. {"base": True, "plus": False}
    attempts: int = 1
    hack_flags: list[str] = field(default_factory=list)
    stdout_tail: str = ""
    stderr_tail: str = ""

    def to_json(self) -> str:
        # Fields hold plain data (tests: dicts of str/float): encoded as they are, no asdict deep copy.
        return _encode({f: getattr(self, f) for f in _FIELDS})

    @classmethod
    def from_dict(cls, d: dict) -> "SampleResult":
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in known})


_FIELDS = tuple(f.name for f in dataclasses.fields(SampleResult))


@dataclass(slots=True)
class Tally:
    """What the summary needs of a result (pass@k, status counts, groups), for a run that keeps its
    full results only in results.jsonl: the CLI's memory then grows by a few dozen bytes a sample."""
    task_id: str
    sample_index: int
    passed: bool
    status: str
    groups: dict

    @classmethod
    def of(cls, r: SampleResult) -> "Tally":
        return cls(r.task_id, r.sample_index, r.passed, r.status, r.groups or _NO_GROUPS)


_NO_GROUPS: dict = {}


class ResultsWriter:
    """Append-only, input-ordered writer with resume."""

    def __init__(self, path: str, expected: list[tuple[str, int]], keep: bool = True):
        self.path = path
        self.expected = expected            # (task_id, sample_index) per input line
        self.keep = keep                    # False: `done` holds Tally records, the rest is only on disk
        self.done: list = self._load_existing()
        self.expected = None                # only a resume needed it
        self.next_index = len(self.done)
        self.pending: dict[int, SampleResult] = {}
        self.f = open(path, "a", encoding="utf-8")
        self._synced = self._flushed = 0.0

    def _load_existing(self) -> list[SampleResult]:
        if not os.path.exists(self.path):
            return []
        with open(self.path, "rb") as f:
            data = f.read()
        good_end, rows = 0, []
        for line in data.split(b"\n")[:-1] if data.endswith(b"\n") else data.split(b"\n")[:-1]:
            try:
                row = SampleResult.from_dict(json.loads(line))
            except (ValueError, TypeError):
                break
            i = len(rows)
            if i >= len(self.expected) or (row.task_id, row.sample_index) != self.expected[i]:
                raise UserError(f"{self.path}:{i + 1}: does not match the samples being evaluated "
                                "(use a fresh --output-dir, or --overwrite)")
            rows.append(row if self.keep else Tally.of(row))
            good_end += len(line) + 1
        if good_end != len(data):  # a line cut short by a kill: drop it, it will be redone
            with open(self.path, "r+b") as f:
                f.truncate(good_end)
        return rows

    def add(self, index: int, result: SampleResult) -> None:
        self.pending[index] = result
        wrote = False
        while self.next_index in self.pending:
            row = self.pending.pop(self.next_index)
            self.f.write(row.to_json() + "\n")
            self.done.append(row if self.keep else Tally.of(row))
            self.next_index += 1
            wrote = True
        if not wrote:
            return
        now = time.monotonic()
        if now - self._flushed >= FLUSH_S:   # in the kernel: a killed process loses at most FLUSH_S of work
            self.f.flush()
            self._flushed = now
            if now - self._synced > SYNC_S:  # on disk at least once a second, against power loss
                os.fsync(self.f.fileno())
                self._synced = now

    def close(self) -> None:
        self.f.flush()
        os.fsync(self.f.fileno())
        self.f.close()


def read_results(path: str) -> list[SampleResult]:
    rows = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if line.strip():
                try:
                    rows.append(SampleResult.from_dict(json.loads(line)))
                except (ValueError, TypeError) as e:
                    raise UserError(f"{path}:{lineno}: not a result line ({e})") from None
    return rows


def write_json_atomic(path: str, obj: Any) -> None:
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=2, ensure_ascii=False, default=str)
        f.write("\n")
    os.replace(tmp, path)


def read_json(path: str) -> Optional[dict]:
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        return None
