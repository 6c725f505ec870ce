"""The "capture" test kind: report what trusted reference code returns, instead of judging it
(EvalPlus expected outputs, synthetic-function tests). Stdlib only."""
from sandboxes.runner.candidate import _as_builtin
from sandboxes.runner.compare import short
from sandboxes.runner.protocol import UnsupportedValue, encode_plain, plain_digest

CAPTURE_INLINE_VALUES = 50_000     # larger captured values are reported by digest
CAPTURE_MAX_VALUES = 2_000_000


def _count_values(value, limit: int) -> int:
    """How many scalars `value` holds, a string counting one per 16 characters; stops past `limit`."""
    count, stack = 0, [value]
    while stack and count <= limit:
        v = stack.pop()
        count += 1 + (len(v) >> 4 if isinstance(v, (str, bytes)) else 0)
        if isinstance(v, (list, tuple, set, frozenset)):
            stack.extend(v)
        elif isinstance(v, dict):
            stack.extend(v.keys())
            stack.extend(v.values())
    return count


def _digestible(value) -> bool:
    """Exact comparison by digest is right only without floats (tolerance) and sets/dicts (order)."""
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, (list, tuple)):
            stack.extend(v)
        elif isinstance(v, (float, complex, set, frozenset, dict)):
            return False
    return True


def capture(got) -> tuple:
    """A "capture" test (running trusted reference code to learn its outputs) passes when the call
    returned plain data; the value rides in the event: {"v": value} or, when large, {"digest": sha256}."""
    got = _as_builtin(got)
    size = _count_values(got, CAPTURE_MAX_VALUES)
    try:
        if size <= CAPTURE_INLINE_VALUES:
            return "passed", "", "", {"v": encode_plain(got)}
        if size <= CAPTURE_MAX_VALUES and _digestible(got):
            # Large exact-match values travel as a digest (a cache of them would reach gigabytes).
            return "passed", "", "", {"digest": plain_digest(got)}
    except UnsupportedValue as e:
        return "error", "UnsupportedValue", short(str(e), 300), None
    return "error", "OutputTooLarge", "more than %d values" % CAPTURE_INLINE_VALUES, None
