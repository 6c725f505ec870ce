"""Libraries the runner and the zygote import once, so that job processes (forked from them) do
not import them again for every job. Stdlib only.

A fresh process pays for each import: `typing` (HumanEval's `from typing import List`) costs
1-2 ms of CPU, numpy (the LeetCode preamble) about 60 ms, in the candidate and again in the judge.
Forked from a process that has them, a job process finds them in sys.modules. Only libraries are
preloaded, never anything of a job: a zygote that imports numpy is as clean as before.

STARTUP modules are small and imported before the zygote is forked. ON_DEMAND ones make every
later fork dearer (numpy: about 10 MB more to map and tear down), so a sandbox imports one only
once a job names it, in the runner and by request in the zygote (zygote.py).
"""
import gc
import os
import sys

STARTUP = ("typing", "collections", "itertools", "functools", "heapq", "bisect", "string", "statistics",
           "datetime", "operator", "contextlib")
ON_DEMAND = ("numpy",)
ALLOWED = frozenset(STARTUP + ON_DEMAND)
THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")

_tried: set = set()
_extra_vm = 0


def vm_bytes() -> int:
    """This process's address space (VmSize)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) << 10
    except (OSError, ValueError, IndexError):
        pass
    return 0


def extra_vm_bytes() -> int:
    """Address space our preloads take. A job's memory limit counts from a process without them,
    so preloading neither adds to nor takes from what a job may allocate."""
    return _extra_vm


def load(names) -> list:
    """Import those of `names` that are allowed and not tried yet; returns the ones imported.
    Then freeze the heap: objects every job process shares with us are left out of their
    garbage collections, whose writes would copy the pages they live on."""
    global _extra_vm
    todo = [n for n in names if n in ALLOWED and n not in _tried]
    if not todo:
        return []
    before = vm_bytes()
    for var in THREAD_VARS:   # numpy's BLAS starts one thread, not one per core
        os.environ[var] = "1"
    loaded = []
    for name in todo:
        _tried.add(name)
        try:
            __import__(name)
            loaded.append(name)
        except Exception:   # not installed, or broken: a job that imports it fails on its own
            pass
    _extra_vm += max(0, vm_bytes() - before)
    gc.collect()
    gc.freeze()
    return loaded


def named_by(job: dict) -> list:
    """ON_DEMAND modules the job's program or trusted code names that we have not tried yet."""
    text = [job.get(k) or "" for k in ("program", "context", "setup")]
    return [n for n in ON_DEMAND if n not in _tried and any(n in t for t in text if isinstance(t, str))]
