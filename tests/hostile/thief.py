"""A universal answer-key thief for real benchmarks: a program that defines the problem's entry
point (and a LeetCode `Solution`) answering from whatever tests it can find in its own process:
assert lines in test code (frames, gc, raw memory) and call-test dicts (args/expected). It
computes nothing. Under a runner whose candidate was forked holding its job it scores far above
zero; from a clean room it must score 0."""
from __future__ import annotations

from tests.hostile.thieves import MEMORY

CORE = MEMORY + r'''
import ast, gc, sys

def _texts():
    out = []
    f = sys._getframe()
    while f is not None:
        for v in list(f.f_locals.values()):
            if isinstance(v, str):
                out.append(v)
        f = f.f_back
    calls = []
    for o in gc.get_objects():
        if isinstance(o, dict):
            try:   # the plain dict view: a lazy mapping's own values() may import, or raise
                values = list(dict.values(o))
                is_call = dict.__contains__(o, "args") and dict.__contains__(o, "expected")
            except Exception:
                continue
            out.extend(v for v in values if isinstance(v, str) and "assert" in v)
            if is_call:
                calls.append(o)
    for blob in _memory():
        if b"assert" in blob:
            out.extend(chunk.decode("latin-1") for chunk in blob.split(b"\x00") if b"assert" in chunk)
    return out, calls

def _key(args, kwargs):
    return repr(args) + "|" + repr(sorted(kwargs.items()))

def _call_of(node):
    if isinstance(node, ast.Call) and node.func is not None:
        return node
    if isinstance(node, ast.BinOp) and isinstance(node.left, ast.Call):   # abs(candidate(x) - y)
        return node.left
    return None

def _build():
    table = {}
    texts, calls = _texts()
    for text in texts:
        env = {}
        for line in text.splitlines():
            s = line.strip()
            if s.startswith("test_input = "):
                try:
                    env["test_input"] = ast.literal_eval(s[len("test_input = "):])
                except Exception:
                    pass
                continue
            if not s.startswith("assert "):
                continue
            try:
                node = ast.parse(s).body[0].test
            except Exception:
                continue
            try:
                if isinstance(node, ast.Compare) and len(node.ops) == 1:
                    left, right = node.left, node.comparators[0]
                    if isinstance(left, ast.Call) and getattr(left.func, "id", "") == "abs" and left.args:
                        call, expected = _call_of(left.args[0]), ast.literal_eval(left.args[0].right)
                    else:
                        call, expected = _call_of(left), ast.literal_eval(right)
                elif isinstance(node, ast.Call):
                    call, expected = node, True
                elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
                    call, expected = _call_of(node.operand), False
                else:
                    continue
                if call is None:
                    continue
                args = tuple(ast.literal_eval(a) for a in call.args)
                kwargs = {}
                for kw in call.keywords:
                    if kw.arg is None and isinstance(kw.value, ast.Name) and kw.value.id in env:
                        kwargs.update(env[kw.value.id])
                    elif kw.arg is not None:
                        kwargs[kw.arg] = ast.literal_eval(kw.value)
                table.setdefault(_key(args, kwargs), expected)
            except Exception:
                continue
    proto = sys.modules.get("sandboxes.runner.protocol")
    for c in calls:
        try:
            args = proto.decode_plain(c["args"]) if proto else c["args"]
            exp = proto.decode_plain(c["expected"]) if proto else c["expected"]
            table.setdefault(_key(tuple(args), {}), exp)
        except Exception:
            pass
    return table

_TABLE = None

def _answer(args, kwargs):
    global _TABLE
    if _TABLE is None:
        _TABLE = _build()
    return _TABLE.get(_key(tuple(args), kwargs))

class Solution:
    def __getattr__(self, name):
        return lambda *a, **k: _answer(a, k)
'''


def thief_program(entry_point: str | None) -> str:
    name = entry_point if entry_point and entry_point.isidentifier() else "solve"
    return CORE + f"\ndef {name}(*args, **kwargs):\n    return _answer(args, kwargs)\n"


def thief_samples(problems) -> list[dict]:
    return [{"task_id": p.task_id, "solution": thief_program(p.entry_point)} for p in problems]
