"""One logger for every trainer: a JSONL line per step, a short console line, TensorBoard if installed."""
from __future__ import annotations

import json
import math
import os
import sys
import time
from typing import Any, Optional, TextIO


# Shown on the console whenever a step has them, whatever the trainer's console keys: pass@1 means little
# without the share of samples the sandbox failed to judge (counted as failures in it).
EVAL_CONSOLE_KEYS = ("eval/pass@1", "eval/sandbox_error_rate")


class MetricsLogger:
    def __init__(self, output_dir: Optional[str], console: bool = True, tensorboard: bool = True,
                 console_keys: tuple[str, ...] = (), stream: Optional[TextIO] = None):
        self.path = os.path.join(output_dir, "metrics.jsonl") if output_dir else None
        self.console = console
        self.console_keys = console_keys
        self.stream = stream   # None: whatever sys.stderr is when a line is printed
        self.history: list[dict[str, Any]] = []
        self._tb = None
        if output_dir:
            os.makedirs(output_dir, exist_ok=True)
            if tensorboard:
                try:   # optional: tensorboard is not a dependency
                    from torch.utils.tensorboard import SummaryWriter
                    self._tb = SummaryWriter(os.path.join(output_dir, "tb"))
                except ImportError:
                    self._tb = None

    def log(self, step: int, metrics: dict[str, Any]) -> None:
        row = {"step": step, "time": time.time(), **{k: _plain(v) for k, v in metrics.items()}}
        self.history.append(row)
        if self.path:
            with open(self.path, "a", encoding="utf-8") as fh:
                fh.write(json.dumps(row) + "\n")
        if self._tb is not None:
            for k, v in row.items():
                if isinstance(v, (int, float)) and k not in ("step", "time") and not math.isnan(v):
                    self._tb.add_scalar(k, v, step)
        if self.console:
            keys = self.console_keys or tuple(k for k in row if k not in ("step", "time"))[:8]
            keys += tuple(k for k in EVAL_CONSOLE_KEYS if k not in keys)
            parts = [f"{k}={_fmt(row[k])}" for k in keys if k in row]
            print(f"step {step}: " + " ".join(parts), file=self.stream or sys.stderr, flush=True)

    def close(self) -> None:
        if self._tb is not None:
            self._tb.close()


def _plain(v: Any) -> Any:
    if hasattr(v, "item"):
        v = v.item()
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return None if math.isnan(v) else v
    return v


def _fmt(v: Any) -> str:
    return f"{v:.4g}" if isinstance(v, float) else str(v)
