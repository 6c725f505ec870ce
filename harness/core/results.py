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
from typing import Any, Callable, Optional, Sequence

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


class ResultsWriter:
    """Append-only, input-ordered writer with resume."""

    def __init__(self, path: str, expected: Sequence[tuple[str, int]], keep: bool = True,
                 sink: Optional[Callable[[SampleResult], None]] = None):
        self.path = path
        self.expected = expected            # (task_id, sample_index) per input line
        # Each result in input order, resumed ones first: kept in `done` (keep=False: only on disk)
        # and handed to `sink` (a run's tally).
        self.keep, self.sink = keep, sink
        self.done: list[SampleResult] = []
        self.next_index = self._load_existing()
        self.expected = None                # only a resume needed it
        self.pending: dict[int, SampleResult] = {}
        self.f = open(path, "a", encoding="utf-8")
        self._synced = self._flushed = 0.0

    def _take(self, row: SampleResult) -> None:
        if self.keep:
            self.done.append(row)
        if self.sink is not None:
            self.sink(row)

    def _load_existing(self) -> int:
        if not os.path.exists(self.path):
            return 0
        with open(self.path, "rb") as f:
            data = f.read()
        good_end, n = 0, 0
        for line in data.split(b"\n")[:-1] if data.endswith(b"\n") else data.split(b"\n")[:-1]:
            try:
                row = SampleResult.from_dict(json.loads(line))
            except (ValueError, TypeError):
                break
            i = n
            if i >= len(self.expected) or (row.task_id, row.sample_index) != self.expected[i]:
                raise UserError(f"{self.path}:{i + 1}: does not match the samples being evaluated "
                                "(use a fresh --output-dir, or --overwrite)")
            self._take(row)
            n += 1
            good_end += len(line) + 1
        if good_end != len(data):  # a line cut short by a kill: drop it, it will be redone
            with open(self.path, "r+b") as f:
                f.truncate(good_end)
        return n

    def add(self, index: int, result: SampleResult) -> None:
        self.pending[index] = result
        wrote = False
        while self.next_index in self.pending:
            row = self.pending.pop(self.next_index)
            self.f.write(row.to_json() + "\n")
            self._take(row)
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
