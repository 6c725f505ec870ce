"""Framing and plain-data encoding shared by the host and the in-sandbox runner. Stdlib only.

Frames: 4-byte big-endian length + UTF-8 JSON.

Plain data: values of exact builtin types only (no subclasses, no custom objects), so a
value that crosses from the candidate to the judge cannot carry behaviour (a custom
__eq__, __bool__, __abs__...). JSON objects are reserved for tagged values:
{"__t": "tuple" | "set" | "frozenset" | "dict" | "bytes" | "complex" | "float" | "int", "v": ...}.
"""
import base64
import hashlib
import json
import math
import os
import struct

FRAME = struct.Struct(">I")
MAX_FRAME = 256 << 20
MAX_DEPTH = 200
BIG_INT_BITS = 4000 * 3   # well under 4300 decimal digits


class UnsupportedValue(TypeError):
    """A value that is not plain data of an exact builtin type."""


def encode_plain(value, _depth=0):
    if _depth > MAX_DEPTH:
        raise UnsupportedValue("value nested too deeply")
    t = type(value)
    if t is int and value.bit_length() > BIG_INT_BITS:
        # JSON text of ints past ~4300 digits is refused by Python (int_max_str_digits); hex is not.
        return {"__t": "int", "v": format(value, "x")}
    if value is None or t is bool or t is int or t is str:
        return value
    if t is float:
        if math.isfinite(value):
            return value
        return {"__t": "float", "v": repr(value)}
    d = _depth + 1
    if t is list:
        return [encode_plain(v, d) for v in value]
    if t is tuple:
        return {"__t": "tuple", "v": [encode_plain(v, d) for v in value]}
    if t is set or t is frozenset:
        return {"__t": t.__name__, "v": [encode_plain(v, d) for v in value]}
    if t is dict:
        return {"__t": "dict", "v": [[encode_plain(k, d), encode_plain(v, d)] for k, v in value.items()]}
    if t is bytes:
        return {"__t": "bytes", "v": base64.b64encode(value).decode("ascii")}
    if t is complex:
        return {"__t": "complex", "v": [encode_plain(value.real, d), encode_plain(value.imag, d)]}
    raise UnsupportedValue("not plain data: %s" % t.__name__)


def decode_plain(node, _depth=0):
    if _depth > MAX_DEPTH:
        raise UnsupportedValue("value nested too deeply")
    t = type(node)
    if node is None or t in (bool, int, float, str):
        return node
    d = _depth + 1
    if t is list:
        return [decode_plain(v, d) for v in node]
    if t is dict:
        tag, v = node.get("__t"), node.get("v")
        if tag == "tuple":
            return tuple(decode_plain(x, d) for x in v)
        if tag == "set":
            return set(decode_plain(x, d) for x in v)
        if tag == "frozenset":
            return frozenset(decode_plain(x, d) for x in v)
        if tag == "dict":
            return {decode_plain(k, d): decode_plain(x, d) for k, x in v}
        if tag == "bytes":
            return base64.b64decode(v)
        if tag == "int" and type(v) is str:
            return int(v, 16)
        if tag == "complex":
            return complex(float(v[0]), float(v[1]))
        if tag == "float" and v in ("nan", "inf", "-inf"):
            return float(v)
    raise UnsupportedValue("malformed plain-data node")


def plain_digest(value) -> str:
    """sha256 of a plain value's canonical encoding: lets a judge compare a large answer with an
    expected value it only knows by digest. Exact comparison; only for values without sets/dicts
    (their iteration order varies between processes)."""
    data = json.dumps(encode_plain(value), separators=(",", ":"), allow_nan=False).encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def pack(obj) -> bytes:
    data = json.dumps(obj, separators=(",", ":"), allow_nan=False).encode("utf-8")
    return FRAME.pack(len(data)) + data


def read_exact(fd: int, n: int) -> bytes:
    chunks, got = [], 0
    while got < n:
        chunk = os.read(fd, min(n - got, 1 << 20))
        if not chunk:
            raise EOFError("channel closed")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def read_frame(fd: int, max_bytes: int = MAX_FRAME):
    (n,) = FRAME.unpack(read_exact(fd, FRAME.size))
    if n > max_bytes:
        raise ValueError("frame too large: %d bytes" % n)
    return json.loads(read_exact(fd, n).decode("utf-8"))


def write_frame(fd: int, obj) -> None:
    data = pack(obj)
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


class FrameWriter:
    """One frame written to a non-blocking fd a piece at a time, so the writer can keep its
    own deadlines while a slow (or stalled) reader drains it."""

    def __init__(self, fd: int, obj):
        self.fd, self.view = fd, memoryview(pack(obj))

    @property
    def done(self) -> bool:
        return not self.view

    def step(self) -> bool:
        """Write what the pipe takes now; False when the reader is gone."""
        try:
            n = os.write(self.fd, self.view)
        except BlockingIOError:
            return True
        except OSError:
            return False
        self.view = self.view[n:]
        return True


class FrameReader:
    """Frames assembled from non-blocking reads: never waits for the rest of a frame."""

    def __init__(self, fd: int, max_bytes: int = MAX_FRAME):
        self.fd, self.max_bytes, self.buf, self.eof = fd, max_bytes, bytearray(), False

    def feed(self) -> None:
        """Read what is there (raises ValueError for a frame over max_bytes)."""
        while True:
            try:
                data = os.read(self.fd, 1 << 16)
            except BlockingIOError:
                break
            except OSError:
                data = b""
            if not data:
                self.eof = True
                break
            self.buf += data
            if len(self.buf) >= FRAME.size and FRAME.unpack(self.buf[:FRAME.size])[0] > self.max_bytes:
                raise ValueError("frame too large")

    def take(self):
        """The next complete frame, decoded, or None."""
        if len(self.buf) < FRAME.size:
            return None
        (n,) = FRAME.unpack(self.buf[:FRAME.size])
        if n > self.max_bytes:
            raise ValueError("frame too large")
        if len(self.buf) < FRAME.size + n:
            return None
        data = bytes(self.buf[FRAME.size:FRAME.size + n])
        del self.buf[:FRAME.size + n]
        return json.loads(data.decode("utf-8"))
