"""Samples that look for what they must not see in their own process: the answer key (by frames,
gc or raw memory), an earlier sample's program, the job waiting in the runner's channel. Each
returns wrong answers unless it finds what it looks for, so a `passed` verdict means theft worked."""
from __future__ import annotations

# LOOT, the answer-key thief: reads the tests out of its own process (frames, gc, raw heap) and
# answers with the expected values it finds; without a find it answers wrong. Under a judge
# whose candidate was forked with the job in memory it passes; from a clean room it cannot.
# MEMORY: every readable region of the sample's own address space, as bytes (the raw-heap search).
MEMORY = r"""
import ctypes

def _memory():
    try:
        with open("/proc/self/maps") as m:
            regions = m.read().splitlines()
    except OSError:
        return
    for line in regions:
        parts = line.split()
        lo, hi = (int(x, 16) for x in parts[0].split("-"))
        if "r" not in parts[1] or (len(parts) > 5 and parts[5].startswith("[v")) or hi - lo > (256 << 20):
            continue
        try:
            yield ctypes.string_at(lo, hi - lo)
        except Exception:
            pass
"""
LOOT = MEMORY + r"""
import gc, re, sys

def _loot():
    texts = []
    f = sys._getframe()
    while f is not None:                       # by frames
        for v in list(f.f_locals.values()):
            try:
                texts.append(repr(v)[:200000])
            except Exception:
                pass
        f = f.f_back
    for o in gc.get_objects():                 # by gc
        if isinstance(o, (dict, list, tuple)):
            try:
                texts.append(repr(o)[:200000])
            except Exception:
                pass
    if MODE == "heap":                         # by raw heap, where no Python reference is left
        texts = [blob.decode("latin-1") for blob in _memory()]
    return "\n".join(texts)

_NUM = r"(-?[0-9][0-9.]*)"
_KEY = {}
for _m in re.finditer("candidate" + r"\(" + _NUM + ", " + _NUM + r"\)(?: == | - )" + _NUM, _loot()):
    _KEY[(float(_m.group(1)), float(_m.group(2)))] = float(_m.group(3))

def add(a, b):
    got = _KEY.get((float(a), float(b)))
    return got if got is not None else a - b - 1
"""
NEIGHBOUR_MARK = "N31GHB0UR"   # an honest sample's program carries it; a thief looks for it in its own memory
NEIGHBOUR_HONEST = "# " + NEIGHBOUR_MARK + "\ndef add(a, b):\n    return a + b\n"
NEIGHBOUR_THIEF = MEMORY + r"""
def _find():
    mark = ("# " + "N31GHB" + "0UR" + "\n").encode()
    for blob in _memory():
        i = blob.find(mark)
        while i >= 0:   # the needle itself sits in memory too: take a copy that is a program
            text = blob[i:i + 200].split(b"\x00")[0]
            if b"def add" in text:
                return text.decode("latin-1")
            i = blob.find(mark, i + 1)
    return None
_src = _find()
if _src:
    exec(_src)
else:
    def add(a, b):
        return a - b - 1
"""
# Runs while the next job waits in the runner's channel (the pool sends it ahead): looks for that
# job's program through the runner's stdin, every descriptor it holds, and its own raw memory.
AHEAD_THIEF = MEMORY + r"""
import os, time
time.sleep(0.5)
def _find():
    mark = ("# " + "N31GHB" + "0UR" + "\n").encode()
    blobs = []
    mine = (3, 4)   # its own channel to the judge: draining it would only fail its own test
    for path in ["/proc/1/fd/0", "/proc/1/fd/1"] + ["/proc/self/fd/%d" % i for i in range(64) if i not in mine]:
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
            blobs.append(os.read(fd, 1 << 20))
        except OSError:
            pass
    for fd in (fd for fd in range(64) if fd not in mine):
        try:
            os.set_blocking(fd, False)
            blobs.append(os.read(fd, 1 << 20))
        except OSError:
            pass
    blobs += list(_memory())
    for blob in blobs:
        i = blob.find(mark)
        while i >= 0:
            if b"def add" in blob[i:i + 200].split(b"\x00")[0]:
                return True
            i = blob.find(mark, i + 1)
    return False
_seen = _find()
def add(a, b):
    return a + b if _seen else a - b - 1
"""
