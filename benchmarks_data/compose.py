"""Composing atomic functions into new ones: which compositions exist, and their text.

Two shapes, depth at most 3:
  chain  x -> p1 -> p2 (-> p3)       p1 may take two arguments; later parts take one
  fanin  h(f(x), g(x)) (-> k)        f, g unary on the same input type, h binary, k unary
A composition is identified by its shape and the ordered tuple of its parts; that
tuple is what the train/test splits keep apart (benchmarks_data/splits.py).
The prompt is rendered from the parts' descriptions, the reference program from their
sources: the composed function first, the parts' definitions after it, so that
prompt + completion is the whole program.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Optional, Sequence

from benchmarks_data.atomic.spec import AtomicFunction, docstring_block
from benchmarks_data.atomic.typevocab import accepts, python_annotation

CHAIN, FANIN = "chain", "fanin"


@dataclass(frozen=True)
class Composition:
    shape: str                # CHAIN | FANIN
    parts: tuple              # chain: in application order; fanin: (f, g, h) or (f, g, h, k)

    @property
    def key(self) -> tuple:
        return (self.shape,) + tuple(self.parts)

    @property
    def depth(self) -> int:
        return len(self.parts) if self.shape == CHAIN else len(self.parts) - 1

    def edges(self) -> list[tuple]:
        """(producer, consumer) pairs: whose output feeds whom."""
        p = self.parts
        if self.shape == CHAIN:
            return list(zip(p, p[1:]))
        out = [(p[0], p[2]), (p[1], p[2])]
        return out + [(p[2], p[3])] if len(p) == 4 else out

    @property
    def name(self) -> str:
        p = self.parts
        if self.shape == CHAIN:
            return "_then_".join(p)
        inner = "%s_of_%s_and_%s" % (p[2], p[0], p[1])
        return "%s_of_%s" % (p[3], inner) if len(p) == 4 else inner


@dataclass(frozen=True)
class ComposedFunction:
    composition: Composition
    params: tuple             # ((name, vocabulary type), ...) of the composed function
    returns: str
    prompt: str               # signature + docstring
    completion: str           # body, then the parts' definitions
    leaves: tuple             # the parts that read the input (their generators make test inputs)
    body: str = ""            # the composed function's body alone (it calls the parts)
    helpers: str = ""         # the parts' definitions alone

    @property
    def name(self) -> str:
        return self.composition.name

    @property
    def program(self) -> str:
        return self.prompt + self.completion

    @property
    def param_types(self) -> tuple:
        return tuple(t for _, t in self.params)


def check_types(comp: Composition, lib: dict) -> None:
    """Raise ValueError unless every part exists and each output fits the parameter it feeds."""
    missing = [p for p in comp.parts if p not in lib]
    if missing:
        raise ValueError("unknown atomic function(s): %s" % ", ".join(missing))
    fs = [lib[p] for p in comp.parts]
    if comp.shape == CHAIN:
        if not 1 <= len(fs) <= 3 or any(f.arity != 1 for f in fs[1:]):
            raise ValueError("a chain has 1..3 parts, all but the first unary")
        for a, b in zip(fs, fs[1:]):
            if not accepts(b.param_types[0], a.returns):
                raise ValueError("%s returns %s, %s takes %s" % (a.name, a.returns, b.name, b.param_types[0]))
        return
    if comp.shape != FANIN or len(fs) not in (3, 4):
        raise ValueError("a fan-in is (f, g, h) or (f, g, h, k)")
    f, g, h = fs[:3]
    if f.arity != 1 or g.arity != 1 or h.arity != 2 or f.param_types != g.param_types:
        raise ValueError("fan-in needs unary f, g on the same input type and a binary h")
    if not (accepts(h.param_types[0], f.returns) and accepts(h.param_types[1], g.returns)):
        raise ValueError("%s does not accept (%s, %s)" % (h.name, f.returns, g.returns))
    if len(fs) == 4 and (fs[3].arity != 1 or not accepts(fs[3].param_types[0], h.returns)):
        raise ValueError("%s does not accept %s" % (fs[3].name, h.returns))


def _return_type(comp: Composition, lib: dict) -> str:
    return lib[comp.parts[-1]].returns


def _step_text(i: int, fn: AtomicFunction, bindings: Sequence[str]) -> str:
    given = " and ".join("%s = %s" % (p, b) for (p, _), b in zip(fn.params, bindings))
    return "Step %d, with %s: %s" % (i, given, fn.description)


PROMPT_STYLES = ("steps", "brief")
BRIEF_DOCSTRING = '    """Call the functions its name lists; return the last result."""'


def render(comp: Composition, lib: dict, prompt_style: str = "steps") -> ComposedFunction:
    """The composed function's prompt and reference completion. `prompt_style` "steps": the docstring
    describes each step in words (the parts' descriptions, ~180 tokens); "brief": a one-line docstring,
    so the prompt is the signature, whose name lists the parts (a prompt a 2-layer model on 2 CPU
    cores learns to decompose in minutes: the copy distance is a few tokens, not two hundred)."""
    if prompt_style not in PROMPT_STYLES:
        raise ValueError("prompt style must be one of %s, not %r" % (", ".join(PROMPT_STYLES), prompt_style))
    check_types(comp, lib)
    fs = [lib[p] for p in comp.parts]
    params = fs[0].params
    names = [p for p, _ in params]
    steps, body = [], []
    if comp.shape == CHAIN:
        steps.append(_step_text(1, fs[0], ["the input %s" % n for n in names]))
        body.append("    step1 = %s(%s)" % (fs[0].name, ", ".join(names)))
        for i, f in enumerate(fs[1:], start=2):
            steps.append(_step_text(i, f, ["the result of step %d" % (i - 1)]))
            body.append("    step%d = %s(step%d)" % (i, f.name, i - 1))
        leaves = (fs[0].name,)
    else:
        f, g, h = fs[:3]
        steps.append(_step_text(1, f, ["the input %s" % names[0]]))
        steps.append(_step_text(2, g, ["the input %s" % names[0]]))
        steps.append(_step_text(3, h, ["the result of step 1", "the result of step 2"]))
        body += ["    step1 = %s(%s)" % (f.name, names[0]), "    step2 = %s(%s)" % (g.name, names[0]),
                 "    step3 = %s(step1, step2)" % h.name]
        if len(fs) == 4:
            steps.append(_step_text(4, fs[3], ["the result of step 3"]))
            body.append("    step4 = %s(step3)" % fs[3].name)
        leaves = (f.name, g.name)
    body.append("    return step%d" % len(steps))
    text = "Apply the following steps in order and return the result of the last one.\n\n" + "\n\n".join(steps)
    args = ", ".join("%s: %s" % (p, python_annotation(t)) for p, t in params)
    signature = "def %s(%s) -> %s:" % (comp.name, args, python_annotation(_return_type(comp, lib)))
    prompt = signature + "\n" + (docstring_block(text) if prompt_style == "steps" else BRIEF_DOCSTRING) + "\n"
    helpers, seen = [], set()
    for f in fs:
        if f.name not in seen:
            seen.add(f.name)
            helpers.append(f.source.rstrip() + "\n")
    body_text, helpers_text = "\n".join(body) + "\n", "\n\n".join(helpers)
    return ComposedFunction(composition=comp, params=params, returns=_return_type(comp, lib),
                            prompt=prompt, completion=body_text + "\n\n" + helpers_text, leaves=leaves,
                            body=body_text, helpers=helpers_text)


def test_inputs(cf: ComposedFunction, lib: dict, rng: random.Random, n: int) -> list[tuple]:
    """Up to `n` distinct argument tuples, drawn from the leaves' generators in turn."""
    per_leaf = [lib[name].inputs(rng, n) for name in cf.leaves]
    out, seen = [], set()
    for i in range(n):
        for inputs in per_leaf:
            if i < len(inputs) and repr(inputs[i]) not in seen and len(out) < n:
                seen.add(repr(inputs[i]))
                out.append(inputs[i])
    return out


class CompositionSampler:
    """Draws random well-typed compositions from a library of atomic functions."""

    # P(shape, depth); depth-3 shapes are favoured since they make the harder problems.
    SHAPES = ((CHAIN, 2, 0.25), (CHAIN, 3, 0.40), (FANIN, 2, 0.15), (FANIN, 3, 0.20))

    def __init__(self, library: Sequence[AtomicFunction], max_depth: int = 3):
        if not 2 <= max_depth <= 3:
            raise ValueError("max_depth must be 2 or 3")
        self.lib = {f.name: f for f in library}
        self.functions = sorted(self.lib.values(), key=lambda f: f.name)
        self.unary = [f for f in self.functions if f.arity == 1]
        self.binary = [f for f in self.functions if f.arity == 2]
        self.shapes = [(s, d, w) for s, d, w in self.SHAPES if d <= max_depth]

    def consumers(self, value_type: str) -> list[AtomicFunction]:
        return [f for f in self.unary if accepts(f.param_types[0], value_type)]

    def sample(self, rng: random.Random) -> Optional[Composition]:
        """A random well-typed composition, or None when the draw hit a dead end."""
        shape, depth, _ = rng.choices(self.shapes, weights=[w for _, _, w in self.shapes])[0]
        if shape == CHAIN:
            chain = [rng.choice(self.functions)]
            while len(chain) < depth:
                options = self.consumers(chain[-1].returns)
                if not options:
                    return None
                chain.append(rng.choice(options))
            return Composition(CHAIN, tuple(f.name for f in chain))
        h = rng.choice(self.binary)
        fs = [f for f in self.unary if accepts(h.param_types[0], f.returns)]
        if not fs:
            return None
        f = rng.choice(fs)
        gs = [g for g in self.unary if g is not f and g.param_types == f.param_types
              and accepts(h.param_types[1], g.returns)]
        if not gs:
            return None
        parts = [f.name, rng.choice(gs).name, h.name]
        if depth == 3:
            ks = self.consumers(h.returns)
            if not ks:
                return None
            parts.append(rng.choice(ks).name)
        return Composition(FANIN, tuple(parts))
