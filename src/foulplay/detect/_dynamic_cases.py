"""The cases the dynamic check runs, built without executing anything: the held-back part of a problem, small
perturbations of the visible inputs, and the examples a problem statement gives.

Everything here reads problem text and literal values only. Model-written code and reference solutions run in
the sandbox (:mod:`foulplay.detect._dynamic`); values reach this module as data.
"""

from __future__ import annotations

import ast
import math
import re
import warnings
from dataclasses import dataclass, field
from typing import Any

from foulplay._util.constexpr import literal_value

_MISSING: Any = object()
MAX_VISIBLE_CALLS = 8
"""Visible calls (or stdin inputs) that are perturbed; the rest are left alone (cost)."""
PER_CALL = 3
"""Perturbations per visible call or input."""
MAX_PERTURBED = 24
MAX_EXAMPLES = 16
"""Statement examples kept per problem."""
MAX_LITERAL_CHARS = 20_000
"""A value whose text is longer is not carried into a generated test."""


@dataclass(frozen=True)
class Call:
    """One call of the entry point with literal arguments."""

    args: tuple[Any, ...]
    kwargs: tuple[tuple[str, Any], ...] = ()

    def source(self, entry: str) -> str:
        parts = [repr(a) for a in self.args] + [f"{k}={v!r}" for k, v in self.kwargs]
        return f"{entry}({', '.join(parts)})"

    def key(self) -> str:
        return repr((self.args, self.kwargs))


@dataclass
class FnExample:
    """A call and the answer someone says it has (the statement, or the reference solution)."""

    call: Call
    expected: Any
    text: str = ""
    """Where it came from (the statement's line), for messages."""
    decimals: int | None = None
    """For a float written with this many decimals in the statement: the tolerance it implies."""
    conflicts_visible: bool = False
    """The statement gives this input a different answer than a visible test does."""


@dataclass
class IoExample:
    input: str
    output: str
    text: str = ""
    conflicts_visible: bool = False


@dataclass
class Cases:
    """What a problem offers beyond its visible tests."""

    function: bool
    entry: str | None
    visible_calls: list[Call] = field(default_factory=list)
    visible_answers: dict[str, Any] = field(default_factory=dict)
    """Visible call key -> the answer the visible test expects (when literal)."""
    visible_inputs: list[str] = field(default_factory=list)
    visible_outputs: list[str] = field(default_factory=list)
    fn_examples: list[FnExample] = field(default_factory=list)
    io_examples: list[IoExample] = field(default_factory=list)


def quiet_parse(source: str, mode: str = "exec") -> ast.AST | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return ast.parse(source, mode=mode)
        except (SyntaxError, ValueError, MemoryError, RecursionError):
            return None


def round_trips(value: Any) -> bool:
    """Whether ``repr(value)`` reads back as an equal value of the same type (so it can be written into a test)."""
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001 - a value that cannot be written is not carried
        return False
    if len(text) > MAX_LITERAL_CHARS:
        return False
    try:
        back = ast.literal_eval(text)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False
    return type(back) is type(value) and back == value


def normalise_output(text: str) -> str:
    """As the grader compares stdout: trailing spaces of each line and trailing blank lines do not count."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# the held-back part


def _check_function(tree: ast.Module) -> ast.FunctionDef | None:
    return next((n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "check"), None)


def held_back_part(problem: Any) -> Any | None:
    """The problem with only the tests beyond ``problem.visible_count()`` (None when there are none)."""
    k = problem.visible_count()
    n = problem.test_count()
    if n <= k:
        return None
    if problem.kind == "asserts":
        return problem.model_copy(update={"asserts": problem.asserts[k:]})
    if problem.kind == "io":
        return problem.model_copy(update={"io": problem.io[k:]})
    if problem.kind == "check":
        tree = quiet_parse(problem.check)
        if not isinstance(tree, ast.Module):
            return None
        fn = _check_function(tree)
        if fn is None:
            return None
        seen = 0

        class Cut(ast.NodeTransformer):
            def visit_Assert(self, node: ast.Assert) -> ast.AST:
                nonlocal seen
                seen += 1
                return node if seen > k else ast.Pass()

        Cut().visit(fn)
        return problem.model_copy(update={"check": ast.unparse(ast.fix_missing_locations(tree))})
    if problem.kind == "pytest":
        tree = quiet_parse(problem.pytest_source)
        if not isinstance(tree, ast.Module):
            return None
        tests = [node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
                 and node.name.startswith("test")]
        drop = {id(node) for node in tests[:k]}
        tree.body = [node for node in tree.body if id(node) not in drop]
        return problem.model_copy(update={"pytest_source": ast.unparse(tree)})
    return None


# ---------------------------------------------------------------------------------------------
# visible calls


def _literal_call(node: ast.AST, names: set[str]) -> Call | None:
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in names):
        return None
    if any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
        return None
    args = tuple(literal_value(a, _MISSING) for a in node.args)
    kwargs = tuple((k.arg or "", literal_value(k.value, _MISSING)) for k in node.keywords)
    if any(v is _MISSING for v in args) or any(v is _MISSING for _, v in kwargs):
        return None
    call = Call(args, kwargs)
    if not all(round_trips(v) for v in (*args, *(v for _, v in kwargs))):
        return None
    return call


def _visible_sources(problem: Any) -> list[str]:
    shown = problem.visible_part()
    if problem.kind == "check":
        return [shown.check]
    if problem.kind == "asserts":
        return list(shown.asserts)
    if problem.kind == "pytest":
        return [shown.pytest_source]
    return []


def visible_calls(problem: Any) -> list[Call]:
    """The entry point's calls with literal arguments in the visible tests, in order, without repeats."""
    entry = problem.entry_point
    if not entry:
        return []
    names = {entry, "candidate"} if problem.kind == "check" else {entry}
    out: dict[str, Call] = {}
    for src in _visible_sources(problem):
        tree = quiet_parse(src)
        if tree is None:
            continue
        nodes = sorted((n for n in ast.walk(tree) if isinstance(n, ast.Call)),
                       key=lambda n: (n.lineno, n.col_offset))
        for node in nodes:
            call = _literal_call(node, names)
            if call is not None:
                out.setdefault(call.key(), call)
    return list(out.values())


def visible_answers(problem: Any) -> dict[str, Any]:
    """Visible call key -> expected answer, for the visible tests written as ``f(args) == answer``."""
    from foulplay.hacks import context_for

    try:
        ctx = context_for(problem)
    except Exception:  # noqa: BLE001 - tests that cannot be read give no answers
        return {}
    out: dict[str, Any] = {}
    for t in ctx.visible:
        if t.literal:
            args = t.args if isinstance(t.args, tuple) else (t.args,)
            out.setdefault(Call(tuple(args)).key(), t.expected)
    return out


# ---------------------------------------------------------------------------------------------
# perturbations


def _next_char(c: str) -> str:
    if c.isdigit():
        return str((int(c) + 1) % 10)
    if "a" <= c <= "z":
        return chr((ord(c) - ord("a") + 1) % 26 + ord("a"))
    if "A" <= c <= "Z":
        return chr((ord(c) - ord("A") + 1) % 26 + ord("A"))
    return c


def _string_variants(s: str) -> list[str]:
    for i in range(len(s) - 1, -1, -1):
        if s[i].isascii() and s[i].isalnum():
            return [s[:i] + _next_char(s[i]) + s[i + 1:]]
    return ["a"] if not s else []


def _int_variants(x: int) -> list[int]:
    out = [x + 1]
    if x > 1 or x < 0:
        out.append(x - 1)  # never across zero: 1 -> 0 may leave the task's domain
    return out


def value_variants(value: Any, depth: int = 0) -> list[Any]:
    """Small changes to one value: ints +-1, floats +1, one character of a string, one element of a list
    changed, the last one dropped, or one appended. Bools, None and dicts are left alone."""
    if depth > 3 or isinstance(value, bool) or value is None:
        return []
    if isinstance(value, int):
        return _int_variants(value)
    if isinstance(value, float):
        return [value + 1.0] if math.isfinite(value) else []
    if isinstance(value, str):
        return _string_variants(value)
    if isinstance(value, (list, tuple)):
        seq = list(value)
        out: list[list[Any]] = []
        if seq:
            changed = value_variants(seq[-1], depth + 1)
            if changed:
                out.append([*seq[:-1], changed[0]])
            nested = any(isinstance(v, (list, tuple, dict, set)) for v in seq)
            if not nested:  # a grid keeps its shape
                if len(seq) > 1:
                    out.append(seq[:-1])
                if changed:
                    out.append([*seq, changed[0]])
        elif depth == 0:
            return []
        return [type(value)(v) for v in out]
    return []


def perturbed_calls(calls: list[Call]) -> list[Call]:
    """Up to :data:`PER_CALL` perturbations of each visible call (one argument changed at a time), none equal to
    a visible call, at most :data:`MAX_PERTURBED` in all."""
    seen = {c.key() for c in calls}
    out: list[Call] = []
    for call in calls[:MAX_VISIBLE_CALLS]:
        per_arg = [value_variants(a) for a in call.args]
        picked = 0
        for round_ in range(3):
            for i, variants in enumerate(per_arg):
                if round_ >= len(variants) or picked >= PER_CALL:
                    continue
                args = (*call.args[:i], variants[round_], *call.args[i + 1:])
                new = Call(args, call.kwargs)
                if new.key() in seen or not round_trips(variants[round_]):
                    continue
                seen.add(new.key())
                out.append(new)
                picked += 1
        if len(out) >= MAX_PERTURBED:
            break
    return out[:MAX_PERTURBED]


_TOKEN = re.compile(r"\S+")
_INT_TOKEN = re.compile(r"-?[0-9]{1,18}")


def perturbed_inputs(inputs: list[str]) -> list[str]:
    """Stdin texts with one token changed: the last number +-1, a middle number +1 (never the first line's
    numbers of a multi-line input, which usually count what follows), else one character of the last word."""
    seen = set(inputs)
    out: list[str] = []
    for text in inputs[:MAX_VISIBLE_CALLS]:
        tokens = list(_TOKEN.finditer(text))
        first_line_end = text.find("\n") if "\n" in text.strip("\n") else -1
        eligible = [m for m in tokens if first_line_end < 0 or m.start() > first_line_end]
        numbers = [m for m in eligible if _INT_TOKEN.fullmatch(m.group())]
        candidates: list[str] = []
        if numbers:
            last = numbers[-1]
            for v in _int_variants(int(last.group())):
                candidates.append(text[:last.start()] + str(v) + text[last.end():])
            if len(numbers) > 2:
                mid = numbers[len(numbers) // 2]
                candidates.append(text[:mid.start()] + str(int(mid.group()) + 1) + text[mid.end():])
        elif eligible:
            last = eligible[-1]
            for v in _string_variants(last.group()):
                candidates.append(text[:last.start()] + v + text[last.end():])
        picked = 0
        for c in candidates:
            if c not in seen and picked < PER_CALL:
                seen.add(c)
                out.append(c)
                picked += 1
        if len(out) >= MAX_PERTURBED:
            break
    return out[:MAX_PERTURBED]


# ---------------------------------------------------------------------------------------------
# statement examples

_DOCTEST = re.compile(r"^\s*>>>\s?(?P<code>.*)$")
_CONTINUE = re.compile(r"^\s*\.\.\.\s?(?P<code>.*)$")
_SEPARATOR = re.compile(r"^\s*(?:==|->|=>|➞|→|⟶|⇒|returns?\b|should\s+return\b|should\s+be\b|gives?\b|"
                        r"outputs?\b|is\s+expected\s+to\s+be\b)\s*:?\s*", re.I)


def statement_text(problem: Any) -> str:
    parts = [problem.prompt or ""]
    if problem.description and problem.description.strip() not in (problem.prompt or ""):
        parts.append(problem.description)
    return "\n".join(p for p in parts if p)


def _decimals(text: str) -> int | None:
    m = re.fullmatch(r"\s*-?\d*\.(\d+)\s*", text)
    return len(m.group(1)) if m else None


def _literal_text(text: str) -> Any:
    tree = quiet_parse(text.strip(), "eval")
    if not isinstance(tree, ast.Expression):
        return _MISSING
    value = literal_value(tree.body, _MISSING)
    return value if value is _MISSING or round_trips(value) else _MISSING


def _balanced_end(text: str, open_at: int) -> int | None:
    """Index just past the parenthesis that closes the one at ``open_at`` (quotes respected)."""
    depth = 0
    quote: str | None = None
    i = open_at
    while i < len(text):
        c = text[i]
        if quote:
            if c == "\\":
                i += 2
                continue
            if c == quote:
                quote = None
        elif c in "'\"":
            quote = c
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return None


_JSON_WORDS = {"true": "True", "false": "False", "null": "None"}


def _rhs_literal(rest: str) -> tuple[Any, str]:
    """The longest leading literal of ``rest`` (an answer followed by prose or punctuation)."""
    rest = rest.strip().strip("`").strip()
    if len(rest) > 400:
        rest = rest[:400]
    cuts = [len(rest), *[m.start() for m in re.finditer(r"[\s,;.`#(]", rest)][::-1]]
    for cut in cuts:
        piece = rest[:cut].strip().rstrip("`").strip()
        if not piece:
            continue
        value = _literal_text(_JSON_WORDS.get(piece, piece))
        if value is not _MISSING:
            return value, piece
    return _MISSING, ""


def _call_of(text: str, entry: str) -> Call | None:
    tree = quiet_parse(text.strip(), "eval")
    if not isinstance(tree, ast.Expression):
        return None
    return _literal_call(tree.body, {entry})


def function_examples(statement: str, entry: str) -> list[FnExample]:
    """``>>> f(x)`` followed by the answer, and ``f(x) == y`` / ``f(x) -> y`` / ``f(x) ➞ y`` lines (test lines
    starting with ``assert`` are tests, not examples, and are left out)."""
    out: dict[str, FnExample] = {}
    lines = statement.splitlines()
    i = 0
    while i < len(lines) and len(out) < MAX_EXAMPLES:
        m = _DOCTEST.match(lines[i])
        if m:
            code = m.group("code")
            j = i + 1
            while j < len(lines) and _CONTINUE.match(lines[j]):
                code += "\n" + _CONTINUE.match(lines[j]).group("code")  # type: ignore[union-attr]
                j += 1
            answer: list[str] = []
            while j < len(lines) and lines[j].strip() and not _DOCTEST.match(lines[j]):
                answer.append(lines[j].strip())
                j += 1
            text = " ".join(answer)
            for quote in ('"""', "'''"):
                text = text.split(quote, 1)[0]
            call = _call_of(code, entry)
            if call is not None and text.strip():
                value = _literal_text(text)
                if value is not _MISSING:
                    out.setdefault(call.key(), FnExample(call, value, f">>> {code.strip()} -> {text.strip()}",
                                                         _decimals(text) if isinstance(value, float) else None))
            i = max(j, i + 1)
            continue
        line = lines[i]
        stripped = line.strip()
        i += 1
        if stripped.startswith(("assert ", "assert(")) or f"{entry}(" not in line:
            continue
        for start in [mm.start() for mm in re.finditer(rf"(?<![\w.]){re.escape(entry)}\s*\(", line)]:
            open_at = line.index("(", start)
            end = _balanced_end(line, open_at)
            if end is None:
                continue
            call = _call_of(line[start:end], entry)
            if call is None:
                continue
            sep = _SEPARATOR.match(line[end:].lstrip("`"))
            if not sep:
                continue
            value, piece = _rhs_literal(line[end:].lstrip("`")[sep.end():])
            if value is _MISSING:
                continue
            out.setdefault(call.key(), FnExample(call, value, " ".join(stripped.split())[:200],
                                                 _decimals(piece) if isinstance(value, float) else None))
    return list(out.values())[:MAX_EXAMPLES]


_IO_HEADER = re.compile(r"^\s*(?:[#*_>\-]+\s*)*(?P<prefix>sample|example)?\s*(?P<what>input|output)s?\s*"
                        r"(?:#?\s*\d+)?\s*(?:[*_]+\s*)?(?::|\uff1a)?\s*(?:[*_]+\s*)?(?P<rest>.*)$", re.I)
_PROSE = re.compile(r"\b(the|contains?|integers?|print|lines?|each|denot\w*|number of|consists?|first|second|"
                    r"given|should|must|separated|if|you)\b", re.I)


def _is_prose(block: str) -> bool:
    for line in block.splitlines():
        words = line.split()
        if len(words) >= 5 and len(_PROSE.findall(line)) >= 2:
            return True
    return False


def _block_after(lines: list[str], i: int) -> tuple[str, int]:
    """The example text that starts at line ``i``: a fenced block, or lines up to a blank line or a header."""
    j = i
    while j < len(lines) and not lines[j].strip():
        j += 1
    if j < len(lines) and lines[j].strip().startswith(("```", "~~~")):
        fence = lines[j].strip()[:3]
        k = j + 1
        body: list[str] = []
        while k < len(lines) and not lines[k].strip().startswith(fence):
            body.append(lines[k])
            k += 1
        return "\n".join(body), k + 1
    body = []
    k = j
    while k < len(lines) and lines[k].strip():
        hm = _IO_HEADER.match(lines[k])
        if hm and (hm.group("prefix") or not hm.group("rest").strip() or ":" in lines[k]) and k > j:
            break
        body.append(lines[k].strip() if not lines[k].startswith("    ") else lines[k][4:])
        k += 1
    return "\n".join(body), k


def io_examples(statement: str) -> list[IoExample]:
    """``Input:``/``Output:`` (or ``Sample Input``/``Sample Output``, ``Example Input 1``...) blocks, paired in
    order; a block that reads like a description of the format is not an example."""
    lines = statement.splitlines()
    pending: str | None = None
    out: list[IoExample] = []
    i = 0
    while i < len(lines) and len(out) < MAX_EXAMPLES:
        m = _IO_HEADER.match(lines[i])
        if not m or len(lines[i]) > 80:
            i += 1
            continue
        rest = m.group("rest").strip()
        if rest and not m.group("prefix") and ":" not in lines[i]:
            i += 1  # a sentence that starts with the word "Input"
            continue
        if rest:
            block, nxt = rest.strip("`").strip(), i + 1
        else:
            block, nxt = _block_after(lines, i + 1)
        if m.group("what").lower() == "input":
            pending = None if _is_prose(block) or not block.strip() else block
        elif pending is not None:
            if block.strip() and not _is_prose(block):
                out.append(IoExample(pending if pending.endswith("\n") else pending + "\n", block,
                                     f"input {pending[:60]!r} -> output {block[:60]!r}"))
            pending = None
        i = max(nxt, i + 1)
    return out


def build_cases(problem: Any) -> Cases:
    """Everything a problem offers beyond its visible tests, read from its text (nothing runs)."""
    statement = statement_text(problem)
    if problem.kind == "io":
        k = problem.visible_count()
        shown = problem.io[:k]
        cases = Cases(function=False, entry=None, visible_inputs=[c.input for c in shown],
                      visible_outputs=[c.output for c in shown])
        visible = {normalise_output(c.input): normalise_output(c.output) for c in shown}
        for ex in io_examples(statement):
            known = visible.get(normalise_output(ex.input))
            ex.conflicts_visible = known is not None and known != normalise_output(ex.output)
            cases.io_examples.append(ex)
        return cases
    entry = problem.entry_point
    cases = Cases(function=True, entry=entry)
    if not entry:
        return cases
    cases.visible_calls = visible_calls(problem)
    cases.visible_answers = visible_answers(problem)
    for ex in function_examples(statement, entry):
        known = cases.visible_answers.get(ex.call.key(), _MISSING)
        ex.conflicts_visible = known is not _MISSING and not same_value(known, ex.expected, ex.decimals)
        cases.fn_examples.append(ex)
    return cases


def same_value(got: Any, want: Any, decimals: int | None = None) -> bool:
    """Equality as a test would judge it, with floats compared to a tolerance (the statement's printed precision
    when it gives one, else 1e-6 relative)."""
    if isinstance(want, float) and isinstance(got, (int, float)) and not isinstance(got, bool):
        if math.isnan(want) or math.isnan(got):
            return False
        tol = 0.5 * 10 ** -decimals + 1e-12 if decimals is not None else 1e-6 * max(1.0, abs(want))
        return abs(got - want) <= tol
    if isinstance(want, (list, tuple)):
        return (type(got) is type(want) and len(got) == len(want)
                and all(same_value(a, b, decimals) for a, b in zip(got, want, strict=True)))
    if isinstance(want, dict):
        return (isinstance(got, dict) and got.keys() == want.keys()
                and all(same_value(got[k], want[k], decimals) for k in want))
    try:
        return bool(got == want)
    except Exception:  # noqa: BLE001
        return False


def has_float(value: Any) -> bool:
    if isinstance(value, float):
        return True
    if isinstance(value, (list, tuple, set, frozenset)):
        return any(has_float(v) for v in value)
    if isinstance(value, dict):
        return any(has_float(v) for v in value.values())
    return False


SAME_HELPER = '''
def _fp_dyn_same(got, want, decimals=None):
    if isinstance(want, float) and isinstance(got, (int, float)) and not isinstance(got, bool):
        if want != want or got != got:
            return False
        tol = 0.5 * 10 ** -decimals + 1e-12 if decimals is not None else 1e-6 * max(1.0, abs(want))
        return abs(got - want) <= tol
    if isinstance(want, (list, tuple)):
        return (type(got) is type(want) and len(got) == len(want)
                and all(_fp_dyn_same(a, b, decimals) for a, b in zip(got, want)))
    if isinstance(want, dict):
        return (isinstance(got, dict) and set(got) == set(want)
                and all(_fp_dyn_same(got[k], want[k], decimals) for k in want))
    return got == want
'''
"""Trusted test code (the generated tests' setup): float answers compared to a tolerance."""


def assert_line(entry: str, call: Call, expected: Any, decimals: int | None = None) -> str:
    """A test line for a generated case: ``==`` for exact answers, a tolerance for floats."""
    if has_float(expected):
        return f"assert _fp_dyn_same({call.source(entry)}, {expected!r}, {decimals!r})"
    return f"assert {call.source(entry)} == {expected!r}"
