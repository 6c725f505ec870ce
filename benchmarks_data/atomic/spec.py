"""What an atomic function is, and the decorator the topic modules declare them with.

An atomic function is written once, as ordinary Python in a topic module: its
docstring is its description, its annotations (plus `types=` refinements) its typed
signature, its source text the reference implementation shipped into the sandbox.
The source must be self-contained (imports inside the body, no module-level helpers)
because it runs alone, and it must not mutate its arguments, because a composition
may pass the same value to two functions.
"""
from __future__ import annotations

import ast
import inspect
import random
import textwrap
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from benchmarks_data.atomic.typevocab import TYPES, python_annotation, random_value, type_inputs

TOPICS = ("arithmetic", "strings", "lists", "sorting", "counting", "sets", "number_theory", "bits",
          "dates", "matrices")


@dataclass(frozen=True)
class AtomicFunction:
    name: str
    topic: str
    params: tuple            # ((param name, vocabulary type), ...)
    returns: str             # vocabulary type
    description: str         # one paragraph, names the parameters
    source: str              # full reference implementation (signature, docstring, body)
    tests: tuple = ()        # hand-written assert statements
    edge_cases: tuple = ()   # argument tuples always included in generated tests
    gen: Optional[Callable[[random.Random], tuple]] = None   # random argument tuples
    fn: Optional[Callable] = field(default=None, compare=False, repr=False)

    @property
    def param_types(self) -> tuple:
        return tuple(t for _, t in self.params)

    @property
    def arity(self) -> int:
        return len(self.params)

    def signature(self, name: Optional[str] = None) -> str:
        args = ", ".join("%s: %s" % (p, python_annotation(t)) for p, t in self.params)
        return "def %s(%s) -> %s:" % (name or self.name, args, python_annotation(self.returns))

    def prompt(self) -> str:
        """Signature and docstring: what a model completes."""
        return self.signature() + "\n" + docstring_block(self.description) + "\n"

    def completion(self) -> str:
        """The reference body, as a continuation of `prompt()`."""
        return function_body(self.source)

    def random_args(self, rng: random.Random) -> tuple:
        if self.gen is not None:
            return tuple(self.gen(rng))
        return tuple(random_value(t, rng) for t in self.param_types)

    def inputs(self, rng: random.Random, n: int, with_edges: bool = True) -> list[tuple]:
        """Up to `n` distinct argument tuples: the declared edge cases, then random ones."""
        out: list[tuple] = []
        seen: set = set()

        def add(args: tuple) -> None:
            key = repr(args)
            if key not in seen and len(out) < n:
                seen.add(key)
                out.append(args)

        for args in (self.edge_cases if with_edges else ()):
            add(tuple(args))
        for _ in range(20 * n):
            if len(out) >= n:
                break
            add(self.random_args(rng))
        if len(out) < n and self.gen is None:  # tiny domains (bool): type-level edges fill in
            for args in type_inputs(self.param_types, rng, n):
                add(args)
        return out


def docstring_block(text: str, indent: str = "    ") -> str:
    paragraphs = [textwrap.fill(p, width=96, initial_indent=indent, subsequent_indent=indent)
                  for p in text.strip().split("\n\n")]
    body = ("\n\n").join(paragraphs)
    return '%s"""%s\n%s"""' % (indent, body.lstrip(), indent)


def function_body(source: str) -> str:
    """Everything in a function's source after its docstring (the source has one)."""
    tree = ast.parse(source)
    fn = tree.body[0]
    assert isinstance(fn, ast.FunctionDef) and ast.get_docstring(fn) is not None
    lines = source.splitlines(keepends=True)
    return "".join(lines[fn.body[0].end_lineno:])


def _normalize(annotation: Any) -> str:
    return str(annotation).replace(" ", "").replace("typing.", "")


class Registry:
    """Collects one topic module's atomic functions: `atomic = Registry("strings")`, then `@atomic(...)`."""

    def __init__(self, topic: str):
        assert topic in TOPICS, topic
        self.topic = topic
        self.functions: list[AtomicFunction] = []

    def __call__(self, tests: list[str], edge: tuple = (), gen: Optional[Callable] = None,
                 types: Optional[dict] = None) -> Callable:
        def register(fn: Callable) -> Callable:
            self.functions.append(from_function(fn, self.topic, tests, edge, gen, types or {}))
            return fn
        return register


def from_function(fn: Callable, topic: str, tests: list[str], edge: tuple, gen: Optional[Callable],
                  types: dict) -> AtomicFunction:
    sig = inspect.signature(fn)
    params = []
    for p in sig.parameters.values():
        params.append((p.name, types.get(p.name, _normalize(p.annotation))))
    returns = types.get("return", _normalize(sig.return_annotation))
    for _, t in params + [("return", returns)]:
        if t not in TYPES:
            raise ValueError("%s: type %r is not in the vocabulary" % (fn.__name__, t))
    lines = textwrap.dedent(inspect.getsource(fn)).splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith("def "))
    description = " ".join(inspect.getdoc(fn).split())
    return AtomicFunction(name=fn.__name__, topic=topic, params=tuple(params), returns=returns,
                          description=description, source="".join(lines[start:]), tests=tuple(tests),
                          edge_cases=tuple(tuple(e) for e in edge), gen=gen, fn=fn)
