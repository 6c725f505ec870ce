"""The strict judge's handle on a candidate process, and the candidate's objects as the judge
sees them. Stdlib only."""
import builtins
import os
import select
import time

from sandboxes.runner.jobio import set_nonblocking
from sandboxes.runner.programs import JobClock, over_time
from sandboxes.runner.protocol import FrameReader, FrameWriter, UnsupportedValue, decode_plain, encode_plain
from sandboxes.runner.structs import blank_instance, decode_graph, encode_graph, is_graph
from sandboxes.runner.zygote import ZygoteGone

# Builtin types a test may pass as an argument (MBPP's `remove_datatype(t, int)`): sent by name.
TYPES_BY_NAME = {t.__name__: t for t in (int, float, str, bool, bytes, complex, list, tuple, dict, set, frozenset)}


MAX_REPLY = 16 << 20


class CandidateGone(BaseException):
    """The candidate died or overran its time; BaseException so test code cannot swallow it."""

    def __init__(self, reason: str, timeout: bool = False):
        super().__init__(reason)
        self.timeout = timeout


class CandidateError(Exception):
    """An exception raised inside the candidate that is not a builtin exception type."""


def _rebuild_exception(kind: str, message: str) -> BaseException:
    cls = getattr(builtins, kind, None)
    exc = None
    if isinstance(cls, type) and issubclass(cls, Exception):
        try:
            exc = cls(message)
        except Exception:
            pass
    exc = exc if exc is not None else CandidateError("%s: %s" % (kind, message))
    exc._from_candidate = True
    return exc


class Remote:
    """The judge's handle on one candidate process: a fresh child of the zygote (zygote.py), so
    it never shares memory with the judge. Every read and write on its pipes is non-blocking
    and bounded by the test's CPU and wall limits: a candidate that stalls half-way through a
    reply, or stops reading a large request, runs out of its own time."""

    def __init__(self, program: str, io):
        self.program, self.io = program, io
        self.structs: dict = {}   # trusted classes whose objects cross as structure (structs.py)
        self.pid = 0
        self.cpu_start, self.cpu_limit, self.wall_deadline = 0.0, 1e9, 0.0

    def spawn(self) -> dict:
        to_cand_r, to_cand_w = os.pipe()
        to_judge_r, to_judge_w = os.pipe()
        io = self.io
        try:
            pid = io.zygote.spawn("candidate", io.limits, io.work, io.nproc_base, None, io.out_w, io.err_w,
                                  keep=(to_cand_r, to_judge_w))
        finally:
            os.close(to_cand_r)
            os.close(to_judge_w)
        set_nonblocking(to_cand_w)
        set_nonblocking(to_judge_r)
        self.pid, self.wfd, self.rfd = pid, to_cand_w, to_judge_r
        self.clock = JobClock(pid, exclude=(io.zygote.pid,))
        self.cpu_start = self.clock.baseline()   # the program's import counts from its first instruction
        self.reader = FrameReader(to_judge_r, MAX_REPLY)
        self._send({"program": self.program})
        return self._receive()

    def alive(self) -> bool:
        return self.pid != 0

    def kill(self, wait: bool = True) -> None:
        if not self.pid:
            return
        try:
            self.io.zygote.kill(self.pid, wait)
        except ZygoteGone:
            pass
        for fd in (self.rfd, self.wfd):
            try:
                os.close(fd)
            except OSError:
                pass
        self.pid = 0

    def start_test(self, cpu_limit: float) -> None:
        self.cpu_start = self.clock.seconds(force=True) if self.pid else 0.0
        self.cpu_limit = cpu_limit
        self.wall_deadline = time.monotonic() + 3 * cpu_limit + 2

    def _watch(self, ready: list) -> None:
        for fd in ready:
            self.io.read(fd)
        if self.io.over_limit():
            self.kill()
            raise OutputExceeded()
        # Checked on every pass, not only when select times out: a candidate that drips
        # output keeps the pipes ready and would otherwise never hit its deadline.
        over = over_time(self.clock, self.cpu_start, self.cpu_limit, self.wall_deadline)
        if over:
            self.kill()
            raise CandidateGone(over, timeout=True)

    def _send(self, req: dict) -> None:
        writer = FrameWriter(self.wfd, req)
        while not writer.done:
            _, writable, _ = select.select([], [self.wfd], [], 0.05)
            if writable and not writer.step():
                self.kill()
                raise CandidateGone("candidate process exited")
            if not writer.done:
                ready, _, _ = select.select(self.io.fds(), [], [], 0)
                self._watch(ready)

    def _receive(self) -> dict:
        while True:
            try:
                frame = self.reader.take()
            except (ValueError, RecursionError):
                frame = {"raise": ["TypeError", "malformed reply from candidate"]}
                self.kill()
            if frame is not None:
                return frame if isinstance(frame, dict) else {"raise": ["TypeError", "malformed reply"]}
            if self.reader.eof:
                self.kill()
                raise CandidateGone("candidate process exited")
            ready, _, _ = select.select([self.rfd] + self.io.fds(), [], [], 0.05)
            if self.rfd in ready:
                try:
                    self.reader.feed()
                except ValueError:
                    self.kill()
                    raise CandidateGone("candidate sent a reply over %d bytes" % MAX_REPLY)
                continue
            self._watch(ready)

    def make_struct(self, name: str):
        cls = self.structs.get(name)
        if cls is None:
            raise UnsupportedValue("no trusted class %r" % name[:80])
        return blank_instance(cls)

    def request(self, req: dict):
        if not self.pid:
            raise CandidateGone("candidate process exited")
        if self.structs:
            req["structs"] = sorted(self.structs)
        self._send(req)
        reply = self._receive()
        try:
            if "value" in reply:
                value = reply["value"]
                return decode_graph(value, self.make_struct) if is_graph(value) else decode_plain(value)
            if "handle" in reply:
                return RemoteObject(self, int(reply["handle"]), str(reply.get("type", "object"))[:80])
            kind, message = (reply.get("raise") or ["RuntimeError", "malformed reply"])[:2]
        except (TypeError, ValueError, RecursionError, AttributeError, KeyError):  # a forged, malformed reply
            kind, message = "TypeError", "malformed reply from candidate"
        raise _rebuild_exception(str(kind)[:80], str(message)[:500])


class OutputExceeded(BaseException):
    pass


def is_trusted_struct(value) -> bool:
    """An instance of a class the job's trusted code defined (its module is the judge's namespace)."""
    return type(value).__module__ == "__judge__" and not isinstance(value, type)


def _encode_arg(value):
    if isinstance(value, RemoteObject):
        return {"__t": "handle", "v": value._handle}
    if is_trusted_struct(value):
        return encode_graph(value, is_trusted_struct)
    t = type(value)
    if t is type and TYPES_BY_NAME.get(value.__name__) is value:
        return {"__t": "type", "v": value.__name__}
    if t in (list, tuple, set, frozenset):
        items = [_encode_arg(v) for v in value]
        return items if t is list else {"__t": t.__name__, "v": items}
    if t is dict:
        return {"__t": "dict", "v": [[encode_plain(k), _encode_arg(v)] for k, v in value.items()]}
    return encode_plain(value)


class RemoteObject:
    """A candidate-side object that is not plain data (a function, a Solution instance).
    Attribute reads and calls go to the candidate; comparing it is identity only."""

    def __init__(self, remote: Remote, handle, type_name: str = "function"):
        self._remote, self._handle, self._type = remote, handle, type_name

    def __call__(self, *args, **kwargs):
        return self._remote.request({"op": "call", "target": self._handle,
                                     "args": _encode_arg(list(args)), "kwargs": _encode_arg(kwargs)})

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        return self._remote.request({"op": "getattr", "target": self._handle, "name": name})

    def __setattr__(self, name: str, value) -> None:
        # Trusted setup building a tree of the candidate's own objects (MBPP's `root.left = Node(2)`).
        if name.startswith("_"):
            object.__setattr__(self, name, value)
            return
        self._remote.request({"op": "setattr", "target": self._handle, "name": name, "value": _encode_arg(value)})

    def __repr__(self) -> str:
        return "<candidate %s>" % self._type
