"""The rule engine: one registry, a single AST pass with a dispatch table, and a pattern fallback.

Rules are small functions registered with :func:`rule`. An AST rule names the node types it wants
and receives a :class:`Ctx` with resolved facts (qualified call names through import aliases,
parents, the enclosing function, the file's role, the problem's kind and visible tests), the way
bandit's checks see a context rather than raw syntax. Code is never executed.
"""

from __future__ import annotations

import ast
import bisect
import builtins
import collections
import dataclasses
import io
import itertools
import re
import tokenize
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from foulplay._util.pyparse import parse_module
from foulplay.vocab import Confidence, Finding, Severity

_INTEGER = re.compile(r"-?[0-9]+")
SUPPRESS = re.compile(r"#\s*foulplay:\s*ignore(?:\[([A-Z0-9, ]+)\])?", re.I)


@dataclass
class Hit:
    """What a rule reports; the engine turns it into a :class:`Finding`."""

    node: Any
    message: str
    confidence: Confidence | None = None
    severity: Severity | None = None
    technique: str | None = None
    line: int | None = None


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    family: str
    technique: str | None
    severity: Severity
    confidence: Confidence
    summary: str
    kind: str  # "ast" | "file" | "text" | "pattern"
    nodes: tuple[type, ...] = ()
    check: Callable[..., Any] | None = None
    requires: tuple[str, ...] = ()
    """Substrings of which at least one must occur in the source for the rule to run (a fast pre-filter)."""

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "family": self.family, "technique": self.technique,
                "severity": self.severity.value, "confidence": self.confidence.value, "summary": self.summary,
                "kind": self.kind}


_RULES: dict[str, Rule] = {}


def rule(
    code: str,
    name: str,
    *,
    family: str,
    technique: str | None,
    severity: Severity,
    confidence: Confidence,
    summary: str,
    nodes: tuple[type, ...] = (),
    kind: str = "ast",
    requires: tuple[str, ...] = (),
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a rule. Codes are stable and never reused; ``nodes`` feed the dispatch table."""

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        if code in _RULES:
            raise ValueError(f"duplicate rule code {code}")
        if kind == "ast" and not nodes:
            raise ValueError(f"rule {code} must name the AST node types it inspects")
        _RULES[code] = Rule(code, name, family, technique, severity, confidence, " ".join(summary.split()),
                            kind, nodes, fn, tuple(requires))
        return fn

    return register


def rules() -> list[Rule]:
    return sorted(_RULES.values(), key=lambda r: r.code)


# ---------------------------------------------------------------------------------------------
# what rules see


@dataclass
class VisibleCase:
    """A visible test reduced to values: arguments (function) or stdin (script), and the answer."""

    inputs: tuple[Any, ...]
    output: Any
    raw_input: str = ""
    raw_output: str = ""


@dataclass
class ProblemView:
    """The parts of a problem the detectors use."""

    kind: str | None = None  # "function" | "script" | None (unknown)
    entry_point: str | None = None
    cases: list[VisibleCase] = field(default_factory=list)
    expected_outputs: list[str] = field(default_factory=list)
    """Raw expected outputs (script problems), so required text is not mistaken for spoofing."""
    prompt: str = ""
    """The task statement, for rules whose verdict depends on what was asked."""
    _needles: tuple[str, ...] | None = None

    @property
    def needles(self) -> tuple[str, ...]:
        """Text fragments of the visible tests' non-trivial values: source without any of them cannot
        special-case those tests, so the special-casing rules skip it."""
        if self._needles is None:
            found: set[str] = set()

            def leaves(value: Any) -> None:
                if isinstance(value, bool) or value is None:
                    return
                if isinstance(value, (int, float)):
                    if abs(value) >= 3:
                        found.add(repr(value))
                elif isinstance(value, str):
                    for line in value.splitlines():
                        if line.strip():
                            found.add(line.strip()[:40])
                elif isinstance(value, (list, tuple, set, frozenset)):
                    for v in value:
                        leaves(v)
                elif isinstance(value, dict):
                    for k, v in value.items():
                        leaves(k)
                        leaves(v)

            for case in self.cases:
                leaves(case.inputs)
                leaves(case.output)
                if case.raw_input and self.kind == "script":
                    found.update(t for t in case.raw_input.split() if _INTEGER.fullmatch(t)
                                 and (len(t) > 20 or abs(int(t)) >= 3))
            self._needles = tuple(sorted(found))
        return self._needles

    def mentioned_in(self, source: str) -> bool:
        """Whether the source could mention a visible test at all (True when the tests have no
        distinctive values to look for: then only the rules themselves can tell)."""
        return not self.needles or any(n in source for n in self.needles)


def role_of(path: str) -> str:
    p = PurePosixPath(path.replace("\\", "/"))
    name = p.name
    if name == "conftest.py":
        return "conftest"
    if name in ("sitecustomize.py", "usercustomize.py") or name.endswith(".pth"):
        return "startup"
    if name in ("pytest.ini", ".pytest.ini", "tox.ini", "setup.cfg", "pyproject.toml", "pytest.toml"):
        return "config"
    if name.endswith(".py") and (name.startswith("test_") or name.endswith("_test.py")
                                 or "tests" in p.parts[:-1] or "test" in p.parts[:-1]):
        return "test"
    return "solution" if name.endswith(".py") else "other"


SNIPPET_WINDOW = 4096
"""At most this many characters of a node's source are read to make its snippet (a snippet shows 160)."""


class SourceText:
    """One file's text with its line structure computed once, so that every finding costs the size of its
    snippet and not the size of the file (a 5 MB single-line completion with thousands of findings)."""

    __slots__ = ("_ascii", "_ast_lines", "_bytes", "_lines", "_newlines", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._lines: list[str] | None = None
        self._newlines: list[int] | None = None
        self._ast_lines: list[str] | None = None
        self._ascii: dict[int, bool] = {}
        self._bytes: dict[int, bytes] = {}

    @property
    def lines(self) -> list[str]:
        """``text.splitlines()`` (what rules index by line number)."""
        if self._lines is None:
            self._lines = self.text.splitlines()
        return self._lines

    def line_of(self, offset: int) -> int:
        """The 1-based line of a character offset (lines end at ``\n``)."""
        if self._newlines is None:
            self._newlines = [m.start() for m in re.finditer("\n", self.text)]
        return bisect.bisect_left(self._newlines, offset) + 1

    def line_span(self, line: int) -> tuple[int, int]:
        """Start and end offsets of a 1-based line (lines end at ``\n``)."""
        self.line_of(0)
        nl = self._newlines or []
        start = nl[line - 2] + 1 if 1 < line <= len(nl) + 1 else 0
        end = nl[line - 1] if 0 < line <= len(nl) else len(self.text)
        return start, end

    def segment(self, node: ast.AST, limit: int = SNIPPET_WINDOW) -> str | None:
        """The start of ``node``'s source (at most ``limit`` characters): what ``ast.get_source_segment`` gives,
        without re-splitting the whole file for every node."""
        try:
            l1, l2 = node.lineno, node.end_lineno  # type: ignore[attr-defined]
            c1, c2 = node.col_offset, node.end_col_offset  # type: ignore[attr-defined]
        except AttributeError:
            return None
        if l2 is None or c2 is None:
            return None
        if self._ast_lines is None:  # the parser's own line breaks: \r\n, \r and \n (not \f, \v, ...)
            self._ast_lines = re.split("\r\n|\r|\n", self.text)
        lines = self._ast_lines
        if not 0 < l1 <= l2 <= len(lines):
            return None
        if l1 == l2:
            return self._slice(l1, c1, c2, limit)
        parts = [self._slice(l1, c1, None, limit)]
        total = len(parts[0])
        for number in range(l1 + 1, l2):
            if total >= limit:
                return "\n".join(parts)
            parts.append(lines[number - 1][:limit - total])
            total += len(parts[-1]) + 1
        if total < limit:
            parts.append(self._slice(l2, 0, c2, limit - total))
        return "\n".join(parts)

    def _slice(self, number: int, start: int, end: int | None, limit: int) -> str:
        """Characters of a line between two UTF-8 byte offsets (the AST's column unit), at most ``limit``."""
        line = self._ast_lines[number - 1]  # type: ignore[index]
        ascii_only = self._ascii.get(number)
        if ascii_only is None:
            ascii_only = self._ascii[number] = line.isascii()
        if ascii_only:
            stop = start + limit if end is None else min(end, start + limit)
            return line[start:stop]
        raw = self._bytes.get(number)
        if raw is None:
            raw = self._bytes[number] = line.encode("utf-8", "surrogatepass")
        stop = start + 4 * limit if end is None else min(end, start + 4 * limit)
        return raw[start:stop].decode("utf-8", "replace")[:limit]


class Ctx:
    """Facts about the file being scanned, shared by every rule."""

    def __init__(self, tree: ast.AST, source: str, path: str, role: str, problem: ProblemView | None,
                 text: SourceText | None = None) -> None:
        self.tree = tree
        self.source = source
        self.text = text if text is not None and text.text is source else SourceText(source)
        self.path = path
        self.role = role
        self.problem = problem or ProblemView()
        self._parents: dict[int, ast.AST] | None = None
        self.index: dict[type, list[ast.AST]] = {}
        self.aliases: dict[str, str] = {}
        self.defined_functions: dict[str, ast.AST] = {}
        self.shared: dict[str, Any] = {}
        self._kind: str | None = None

    # -- resolution -----------------------------------------------------------------------------
    @property
    def parents(self) -> dict[int, ast.AST]:
        if self._parents is None:  # built on first use: most files never need it
            parents: dict[int, ast.AST] = {}
            for node in ast.walk(self.tree):
                for child in ast.iter_child_nodes(node):
                    parents[id(child)] = node
            self._parents = parents
        return self._parents

    def nodes(self, *types: type) -> list[ast.AST]:
        """Every node of these types in the file (from the single indexing pass)."""
        if len(types) == 1:
            return self.index.get(types[0], [])
        return [n for t in types for n in self.index.get(t, [])]

    def parent(self, node: ast.AST) -> ast.AST | None:
        return self.parents.get(id(node))

    def ancestors(self, node: ast.AST) -> Iterator[ast.AST]:
        cur = self.parent(node)
        while cur is not None:
            yield cur
            cur = self.parent(cur)

    def enclosing_function(self, node: ast.AST) -> ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | None:
        """The innermost function whose *body* holds ``node`` (found by source spans: no parent map needed)."""
        pos = (getattr(node, "lineno", None), getattr(node, "col_offset", 0))
        if pos[0] is None:
            for anc in self.ancestors(node):
                if isinstance(anc, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                    return anc
            return None
        best = None
        best_start = (0, -1)
        for fn in self.nodes(ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda):
            if fn is node:
                continue
            first = fn.body if isinstance(fn, ast.Lambda) else fn.body[0]  # type: ignore[union-attr]
            start = (first.lineno, first.col_offset)
            end = (fn.end_lineno or 0, fn.end_col_offset or 0)
            if start <= pos < end and start > best_start:  # type: ignore[operator]
                best, best_start = fn, start
        return best  # type: ignore[return-value]

    def enclosing_class(self, node: ast.AST) -> ast.ClassDef | None:
        for anc in self.ancestors(node):
            if isinstance(anc, ast.ClassDef):
                return anc
        return None

    def dotted(self, node: ast.AST) -> str | None:
        """``a.b.c`` for a Name/Attribute chain, without alias resolution."""
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if isinstance(node, ast.Name):
            parts.append(node.id)
            return ".".join(reversed(parts))
        module = _module_expr(node)
        if module is not None:
            parts.append(module)
            return ".".join(reversed(parts))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr" \
                and 2 <= len(node.args) <= 3:  # getattr(os, "_exit") is os._exit; "_" + "exit" too
            attr = const_str(node.args[1])
            base = self.dotted(node.args[0])
            if base is not None and attr is not None:
                parts.append(f"{base}.{attr}")
                return ".".join(reversed(parts))
        return None

    def qualname(self, node: ast.AST) -> str | None:
        """Fully qualified name of a Name/Attribute chain, resolved through imports."""
        dotted = self.dotted(node)
        if dotted is None:
            return None
        head, _, rest = dotted.partition(".")
        if head in self.aliases:
            base = self.aliases[head]
            return f"{base}.{rest}" if rest else base
        return dotted

    def call_name(self, node: ast.AST) -> str | None:
        return self.qualname(node.func) if isinstance(node, ast.Call) else None

    def in_main_guard(self, node: ast.AST) -> bool:
        """Whether ``node`` only runs when the file is executed as a script (``if __name__ == "__main__"``
        body, or the ``else`` of ``!=``); code under ``if __name__ != "__main__"`` runs on import."""
        child = node
        for anc in self.ancestors(node):
            if isinstance(anc, ast.If) and anc.test is not child:
                sense = _main_sense(anc.test)
                if sense is not None:
                    in_body = any(child is stmt for stmt in anc.body)
                    return in_body == sense
            child = anc
        return False

    def snippet(self, node: ast.AST) -> str:
        seg = self.text.segment(node) if hasattr(node, "lineno") else None
        if seg is None:
            line = getattr(node, "lineno", 0)
            seg = self.lines[line - 1][:SNIPPET_WINDOW] if 0 < line <= len(self.lines) else ""
        return short(seg)

    @property
    def lines(self) -> list[str]:
        """The file's lines (``source.splitlines()``, computed once per file)."""
        return self.text.lines

    def line_of(self, offset: int) -> int:
        """The 1-based line of a character offset in the source."""
        return self.text.line_of(offset)

    # -- light data flow ------------------------------------------------------------------------
    def bindings(self, name: str) -> list[ast.expr]:
        """Every value the file binds to ``name`` with a plain assignment (``name = v``, ``name: T = v``,
        ``(name := v)``, pairwise tuple unpacking), in any scope, plus the ``def``/``class`` statements of
        that name (computed once per file)."""
        table = self.shared.get("_bindings")
        if table is None:
            table = {}
            for node in self.nodes(ast.Assign, ast.AnnAssign, ast.NamedExpr):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if node.value is None:
                    continue
                for target in targets:
                    for bound, value in _unpacked(target, node.value):
                        table.setdefault(bound, []).append(value)
            for node in self.nodes(ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef):
                table.setdefault(node.name, []).append(node)
            self.shared["_bindings"] = table
        return table.get(name, [])

    def callable_of(self, value: ast.AST | None, depth: int = 0) -> tuple[ast.AST, tuple[ast.expr, ...]] | None:
        """The function a value will call, and the positional arguments bound to it first: a lambda, a
        ``def`` named by a name (or a name bound once to a lambda), seen through ``functools.partial``/
        ``partialmethod``, ``types.MethodType(f, obj)``, ``staticmethod``/``classmethod``. None when unknown."""
        if value is None or depth > 4:
            return None
        if isinstance(value, (ast.Lambda, ast.FunctionDef, ast.AsyncFunctionDef)):
            return value, ()
        if isinstance(value, ast.Name):
            found = self.bindings(value.id)
            if len(found) == 1 and not isinstance(found[0], ast.ClassDef):
                return self.callable_of(found[0], depth + 1)
            return None
        if isinstance(value, ast.Call) and value.args:
            name = (self.call_name(value) or "").rsplit(".", 1)[-1]
            if name in ("partial", "partialmethod"):
                inner = self.callable_of(value.args[0], depth + 1)
                return (inner[0], (*inner[1], *value.args[1:])) if inner else None
            if name in ("staticmethod", "classmethod", "MethodType", "wraps"):
                return self.callable_of(value.args[0], depth + 1)
        return None

    def always_truthy_callable(self, value: ast.AST | None) -> bool:
        """Whether calling ``value`` (see :meth:`callable_of`) answers something truthy on every path that
        answers: ``lambda *a: True``, ``def f(s, o): return "yes"``, ``partial(f, True)`` with ``f`` returning
        its first parameter. ``return NotImplemented`` does not count as an answer."""
        found = self.callable_of(value)
        if found is None:
            return False
        fn, bound = found
        args = getattr(fn, "args", None)
        params = [a.arg for a in (args.posonlyargs + args.args)] if args is not None else []
        env = dict(zip(params, bound, strict=False))

        def truthy(expr: ast.AST | None) -> bool:
            if isinstance(expr, ast.Name) and expr.id in env:
                return always_truthy(env[expr.id])
            return always_truthy(expr)

        if isinstance(fn, ast.Lambda):
            return truthy(fn.body)
        answers = [r.value for r in own_returns(fn)
                   if not (isinstance(r.value, ast.Name) and r.value.id == "NotImplemented")]
        return bool(answers) and all(truthy(v) for v in answers)

    def class_dunders(self, name: str) -> dict[str, ast.AST]:
        """Methods a class of this file gets, by name, wherever they come from: its ``class`` statement,
        the namespace of a ``type(name, bases, ns)`` call, ``setattr(C, "__eq__", f)``, ``C.__eq__ = f``
        anywhere in the file, and (for names it does not define) the classes of this file it derives from."""
        cache = self.shared.setdefault("_dunders", {})
        if name in cache:
            return cache[name]
        cache[name] = {}  # cycles: class A(B) / class B(A)
        own: dict[str, ast.AST] = {}
        bases: list[ast.expr] = []
        for value in self.bindings(name):
            if isinstance(value, ast.ClassDef):
                bases += value.bases
                for stmt in value.body:
                    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        own[stmt.name] = stmt
                    elif isinstance(stmt, ast.Assign):
                        for t in stmt.targets:
                            if isinstance(t, ast.Name):
                                own[t.id] = stmt.value
            elif isinstance(value, ast.Call) and (self.call_name(value) or "") in (
                    "type", "builtins.type", "types.new_class") and len(value.args) == 3:
                if isinstance(value.args[1], (ast.Tuple, ast.List)):
                    bases += value.args[1].elts
                own.update(namespace_entries(self, value.args[2]))
        for attr, value in self._attached().get(name, {}).items():
            own.setdefault(attr, value)
        merged: dict[str, ast.AST] = {}
        for base in bases:
            base_name = base.id if isinstance(base, ast.Name) else None
            if base_name and base_name != name and self.bindings(base_name):
                for attr, value in self.class_dunders(base_name).items():
                    merged.setdefault(attr, value)
        merged.update(own)
        cache[name] = merged
        return merged

    def _attached(self) -> dict[str, dict[str, ast.AST]]:
        """``setattr(C, "__eq__", f)`` and ``C.__eq__ = f`` anywhere in the file: class name -> attr -> value."""
        found = self.shared.get("_attached")
        if found is not None:
            return found
        found = {}
        for node in self.nodes(ast.Call):
            if (self.call_name(node) or "") in ("setattr", "builtins.setattr") and len(node.args) == 3 \
                    and isinstance(node.args[0], ast.Name):
                for attr in _setattr_names(self, node, node.args[1]):
                    found.setdefault(node.args[0].id, {})[attr] = node.args[2]
        for node in self.nodes(ast.Assign):
            for t in node.targets:
                if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.attr.startswith("__"):
                    found.setdefault(t.value.id, {})[t.attr] = node.value
        self.shared["_attached"] = found
        return found

    def always_equal_classes(self) -> dict[str, ast.AST]:
        """Classes of this file (statements, ``type()`` calls) whose ``__eq__``, own, attached later or
        inherited, answers something truthy whatever it is compared with: name -> the ``__eq__`` value."""
        found = self.shared.get("_always_equal")
        if found is not None:
            return found
        found = {}
        names = {c.name for c in self.nodes(ast.ClassDef)}
        names |= {t.id for a in self.nodes(ast.Assign) if isinstance(a.value, ast.Call)
                  and (self.call_name(a.value) or "") in ("type", "builtins.type", "types.new_class")
                  for t in a.targets if isinstance(t, ast.Name)}
        for name in sorted(names):
            eq = self.class_dunders(name).get("__eq__")
            if eq is not None and self.always_truthy_callable(eq):
                found[name] = eq
        self.shared["_always_equal"] = found
        return found

    # -- the file's nature ----------------------------------------------------------------------
    @property
    def kind(self) -> str:
        """``function`` or ``script``: from the problem when known, else inferred from the code."""
        if self.problem.kind:
            return self.problem.kind
        if self._kind is None:
            self._kind = "script" if _looks_like_script(self.tree, self) else "function"
        return self._kind

    @property
    def kind_known(self) -> bool:
        return self.problem.kind is not None


def short(text: str, width: int = 160) -> str:
    """Whitespace collapsed, at most ``width`` characters (reading no more than a snippet window)."""
    cut = len(text) > SNIPPET_WINDOW
    flat = " ".join(text[:SNIPPET_WINDOW].split())
    return flat if len(flat) <= width and not cut else flat[:width - 3] + "..."


def _main_sense(test: ast.AST) -> bool | None:
    """True for ``__name__ == "__main__"``, False for ``!=``, None for anything else."""
    if isinstance(test, ast.Compare) and len(test.comparators) == 1 and isinstance(test.ops[0], (ast.Eq, ast.NotEq)):
        sides = [test.left, test.comparators[0]]
        names = [s for s in sides if isinstance(s, ast.Name) and s.id == "__name__"]
        consts = [s for s in sides if isinstance(s, ast.Constant) and s.value == "__main__"]
        if names and consts:
            return isinstance(test.ops[0], ast.Eq)
    return None


def _is_main_test(test: ast.AST) -> bool:
    return _main_sense(test) is True


_MODULE_HEADS = {"os", "sys", "builtins", "posix", "signal", "atexit", "operator", "time", "math", "unittest",
                 "pytest", "_pytest", "inspect", "gc", "traceback", "subprocess", "shutil"}


def const_str(node: ast.AST | None, depth: int = 0) -> str | None:
    """A string the code spells out at run time from constants: ``"_" + "exit"``, ``"__%s__" % "eq"``,
    ``"".join(["ex", "it"])``, ``f"{'ex'}it"``; None when it depends on anything else."""
    if node is None or depth > 8:
        return None
    if isinstance(node, ast.Constant):
        return node.value if isinstance(node.value, str) else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = const_str(node.left, depth + 1), const_str(node.right, depth + 1)
        return left + right if left is not None and right is not None else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        fmt = const_str(node.left, depth + 1)
        args = node.right.elts if isinstance(node.right, ast.Tuple) else [node.right]
        values = [const_str(a, depth + 1) for a in args]
        if fmt is not None and all(v is not None for v in values):
            try:
                return fmt % tuple(values)
            except (TypeError, ValueError):
                return None
        return None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):  # "_" * 2
        for text, times in ((node.left, node.right), (node.right, node.left)):
            if isinstance(times, ast.Constant) and type(times.value) is int and 0 <= times.value <= 16:
                inner = const_str(text, depth + 1)
                if inner is not None:
                    return inner * times.value
        return None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format" \
            and not node.keywords:  # "__{}__".format("eq")
        fmt = const_str(node.func.value, depth + 1)
        values = [const_str(a, depth + 1) for a in node.args]
        if fmt is not None and all(v is not None for v in values):
            try:
                return fmt.format(*values)
            except (IndexError, KeyError, ValueError):
                return None
        return None
    if isinstance(node, ast.JoinedStr):
        out = []
        for part in node.values:
            if isinstance(part, ast.Constant) and isinstance(part.value, str):
                out.append(part.value)
            elif isinstance(part, ast.FormattedValue) and part.format_spec is None and part.conversion == -1:
                inner = const_str(part.value, depth + 1)
                if inner is None:
                    return None
                out.append(inner)
            else:
                return None
        return "".join(out)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "join" \
            and len(node.args) == 1 and isinstance(node.args[0], (ast.List, ast.Tuple)):
        sep = const_str(node.func.value, depth + 1)
        items = [const_str(e, depth + 1) for e in node.args[0].elts]
        if sep is not None and all(i is not None for i in items):
            return sep.join(items)  # type: ignore[arg-type]
    return None


def always_truthy(expr: ast.AST | None) -> bool:
    """True whatever the operands: ``True``, a non-zero number, a non-empty string or container display
    (``"yes"``, ``[0]``, ``(1,)``), ``not None``, ``bool(1)``, ``x or True``, a constant-only comparison that
    holds (``len("x") > 0``), or a tautology (``x == x``)."""
    return _truth(expr, 0) is True


def always_falsy(expr: ast.AST | None) -> bool:
    """False whatever the operands: ``False``, ``0``, ``None``, ``""``, ``[]``, ``not True``, ``x != x``."""
    return _truth(expr, 0) is False


def _truth(expr: ast.AST | None, depth: int) -> bool | None:
    if expr is None or depth > 12:
        return None
    d = depth + 1
    if isinstance(expr, ast.Constant):
        return bool(expr.value) if not isinstance(expr.value, type(...)) else True
    if isinstance(expr, (ast.List, ast.Tuple, ast.Set)):
        return bool(expr.elts) or (None if isinstance(expr, ast.Set) else False)
    if isinstance(expr, ast.Dict):
        return bool(expr.keys)
    if isinstance(expr, ast.JoinedStr):
        return True if any(isinstance(v, ast.Constant) and v.value for v in expr.values) else None
    if isinstance(expr, ast.BoolOp):
        parts = [_truth(v, d) for v in expr.values]
        if isinstance(expr.op, ast.Or):
            if any(p is True for p in parts):
                return True
            if all(p is False for p in parts):
                return False
        else:
            if any(p is False for p in parts):
                return False
            if all(p is True for p in parts):
                return True
    elif isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.Not):
        inner = _truth(expr.operand, d)
        return None if inner is None else not inner
    elif isinstance(expr, ast.IfExp):
        body, orelse = _truth(expr.body, d), _truth(expr.orelse, d)
        if body is not None and body == orelse:
            return body
    elif isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and expr.func.id == "bool" \
            and len(expr.args) == 1:
        return _truth(expr.args[0], d)
    elif isinstance(expr, ast.NamedExpr):
        return _truth(expr.value, d)
    if not any(isinstance(n, ast.Name) and n.id not in ("True", "False", "None", "len", "abs", "bool", "int",
                                                           "str", "list", "tuple", "set", "sorted", "min", "max",
                                                           "sum", "any", "all")
               for n in ast.walk(expr)):
        from foulplay._util.constexpr import UNKNOWN, evaluate

        value = evaluate(expr, {})
        if value is not UNKNOWN:
            return bool(value)
    from foulplay.detect.rules._logic import always_false, always_true

    if always_true(expr):
        return True
    if always_false(expr):
        return False
    return None


def own_returns(fn: ast.AST) -> list[ast.Return]:
    """The return statements of ``fn`` itself (not of functions or classes nested in it)."""
    out = []
    stack = list(getattr(fn, "body", []))
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Return):
            out.append(node)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        stack.extend(ast.iter_child_nodes(node))
    return out


def _setattr_names(ctx: Ctx, node: ast.AST, attr: ast.AST) -> set[str]:
    """The attribute names a setattr can set: a string spelled from constants, or the loop variable of an
    enclosing ``for name in ("__eq__", "__le__"): setattr(cls, name, ...)``."""
    text = const_str(attr)
    if text is not None:
        return {text}
    if isinstance(attr, ast.Name):
        for anc in ctx.ancestors(node):
            if isinstance(anc, ast.For) and isinstance(anc.target, ast.Name) and anc.target.id == attr.id \
                    and isinstance(anc.iter, (ast.Tuple, ast.List, ast.Set)):
                return {v for v in (const_str(e) for e in anc.iter.elts) if v is not None}
    return set()


def ctx_str(ctx: Ctx | None, node: ast.AST | None) -> str | None:
    """:func:`const_str`, seeing through a name bound once (anywhere in the file) to such a string."""
    text = const_str(node)
    if text is None and ctx is not None and isinstance(node, ast.Name):
        values = ctx.bindings(node.id)
        if len(values) == 1:
            text = const_str(values[0])
    return text


def namespace_entries(ctx: Ctx | None, node: ast.AST, depth: int = 0) -> dict[str, ast.AST]:
    """String keys of a class namespace spelled as a dict display, ``dict(k=v)``, ``{n: v for n in (...)}``,
    or a name bound to one (``ns = {}; ns["__eq__"] = f``, ``ns.update({...})``, ``ns.setdefault(k, f)``
    included), the dict a function of this file returns (``type("C", (), make())``), or a parameter of the
    function around ``node`` (``def make(name, **ns): return type(name, (), ns)``: the keywords its callers
    pass): key -> value expression."""
    out: dict[str, ast.AST] = {}
    if depth > 3:
        return out
    if isinstance(node, ast.Dict):
        for k, v in zip(node.keys, node.values, strict=True):
            key = ctx_str(ctx, k) if k is not None else None
            if key is not None:
                out[key] = v
            elif k is None and ctx is not None:
                out.update(namespace_entries(ctx, v, depth + 1))
    elif isinstance(node, ast.DictComp) and len(node.generators) == 1:
        it = node.generators[0].iter
        if isinstance(it, (ast.Tuple, ast.List, ast.Set)):
            for elt in it.elts:
                key = const_str(elt)
                if key is not None:
                    out[key] = node.value
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict":
        for kw in node.keywords:
            if kw.arg:
                out[kw.arg] = kw.value
            elif ctx is not None:
                out.update(namespace_entries(ctx, kw.value, depth + 1))
    elif isinstance(node, ast.Call) and ctx is not None and isinstance(node.func, ast.Name):
        for fn in ctx.bindings(node.func.id):
            if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for ret in own_returns(fn):
                    if ret.value is not None:
                        out.update(namespace_entries(ctx, ret.value, depth + 1))
    elif isinstance(node, ast.Name) and ctx is not None:
        for stmt in ctx.nodes(ast.Assign):
            for t in stmt.targets:
                if isinstance(t, ast.Name) and t.id == node.id:
                    out.update(namespace_entries(ctx, stmt.value, depth + 1))
                elif isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name) and t.value.id == node.id:
                    key = ctx_str(ctx, t.slice)
                    if key is not None:
                        out[key] = stmt.value
        for call in ctx.nodes(ast.Call):  # ns.update({...}) / ns.update(k=v) / ns.setdefault(k, v)
            func = call.func
            if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == node.id):
                continue
            if func.attr == "update":
                for arg in call.args[:1]:
                    out.update(namespace_entries(ctx, arg, depth + 1))
                out.update({kw.arg: kw.value for kw in call.keywords if kw.arg})
            elif func.attr == "setdefault" and len(call.args) == 2:
                key = ctx_str(ctx, call.args[0])
                if key is not None:
                    out.setdefault(key, call.args[1])
        out.update(_parameter_entries(ctx, node, depth))
    return out


def _parameter_entries(ctx: Ctx, node: ast.Name, depth: int) -> dict[str, ast.AST]:
    """``node`` is a parameter of the function around it: the namespace entries its callers pass."""
    fn = ctx.enclosing_function(node)
    if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return {}
    positional = [a.arg for a in fn.args.posonlyargs + fn.args.args]
    is_kwargs = fn.args.kwarg is not None and fn.args.kwarg.arg == node.id
    if not is_kwargs and node.id not in positional:
        return {}
    out: dict[str, ast.AST] = {}
    for call in ctx.nodes(ast.Call):
        if not (isinstance(call.func, ast.Name) and call.func.id == fn.name):
            continue
        if is_kwargs:
            for kw in call.keywords:
                if kw.arg and kw.arg not in positional:
                    out[kw.arg] = kw.value
                elif kw.arg is None:
                    out.update(namespace_entries(ctx, kw.value, depth + 1))
            continue
        index = positional.index(node.id)
        value = call.args[index] if index < len(call.args) else next(
            (kw.value for kw in call.keywords if kw.arg == node.id), None)
        if value is not None and not (isinstance(value, ast.Name) and value.id == node.id):
            out.update(namespace_entries(ctx, value, depth + 1))
    return out


def _module_expr(node: ast.AST) -> str | None:
    """``__import__("m")``, ``importlib.import_module("m")``, ``sys.modules["m"]`` or
    ``sys.modules.get("m")``: the module name."""
    if isinstance(node, ast.Call) and node.args:
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if name in ("__import__", "import_module"):
            return const_str(node.args[0])
        if name == "get" and isinstance(func, ast.Attribute) and isinstance(func.value, ast.Attribute) \
                and func.value.attr == "modules" and isinstance(func.value.value, ast.Name) \
                and func.value.value.id == "sys":
            return const_str(node.args[0])
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) and node.value.attr == "modules" \
            and isinstance(node.value.value, ast.Name) and node.value.value.id == "sys":
        return const_str(node.slice)
    return None


def _looks_like_script(tree: ast.AST, ctx: Ctx) -> bool:
    """Top-level code that reads stdin or prints results, rather than a library of functions."""
    body = getattr(tree, "body", [])
    for node in body:
        if isinstance(node, ast.If) and _is_main_test(node.test):
            return True
        if isinstance(node, (ast.Expr, ast.Assign, ast.For, ast.While, ast.If, ast.With)):
            for sub in ast.walk(node):
                if isinstance(sub, ast.Call):
                    name = ctx.qualname(sub.func) or ""
                    if name in ("input", "print", "sys.stdin.read", "sys.stdin.readline", "sys.stdout.write",
                                "sys.stdin.readlines", "open") or name.startswith("sys.stdin"):
                        return True
    return False


# ---------------------------------------------------------------------------------------------
# the pass


def _resolve_imports(tree: ast.AST, ctx: Ctx) -> None:
    for node in ctx.nodes(ast.Assign):  # m = sys.modules["time"]; m = importlib.import_module("operator")
        if len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            module = _module_expr(node.value)
            if module is not None:
                ctx.aliases.setdefault(node.targets[0].id, module)
    for node in ctx.nodes(ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    ctx.aliases[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    ctx.aliases.setdefault(top, top)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                if alias.name != "*":
                    ctx.aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            ctx.defined_functions.setdefault(node.name, node)
    # bye = os._exit; stop = getattr(builtins, "exit"); s = sys; a, b = sys.exit, 0; E = SystemExit: names
    # bound (anywhere in the file, function bodies included) to a module, a module attribute or a builtin
    bound: dict[str, list[ast.expr]] = {}
    for node in ctx.nodes(ast.Assign, ast.AnnAssign, ast.NamedExpr):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        value = node.value
        if value is None:
            continue
        for target in targets:
            for name, part in _unpacked(target, value):
                bound.setdefault(name, []).append(part)
    for _ in range(2):  # twice, so that an alias of an alias resolves whatever the order
        for name, values in bound.items():
            if name in ctx.aliases and ctx.aliases[name] != name:
                continue
            targets = {_bound_target(ctx, v) for v in values}
            if len(targets) == 1:
                target = targets.pop()
                if target is not None and target != name:
                    ctx.aliases[name] = target


def _unpacked(target: ast.AST, value: ast.AST) -> list[tuple[str, ast.expr]]:
    """(name, value) pairs of an assignment, through tuple unpacking of a display of the same length; a
    name bound to something that cannot be paired is bound to an unknown (None-like) placeholder."""
    if isinstance(target, ast.Name):
        return [(target.id, value)]  # type: ignore[list-item]
    if isinstance(target, (ast.Tuple, ast.List)):
        if isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(target.elts) \
                and not any(isinstance(e, ast.Starred) for e in target.elts):
            return [pair for t, v in zip(target.elts, value.elts, strict=True) for pair in _unpacked(t, v)]
        return [(n.id, ast.Constant(None)) for n in ast.walk(target) if isinstance(n, ast.Name)]
    return []


def _bound_target(ctx: Ctx, value: ast.AST) -> str | None:
    """The qualified name an assigned value stands for when it is a module, a module's attribute or a
    builtin (``sys``, ``sys.exit``, ``getattr(os, "_" + "exit")``, ``SystemExit``), else None."""
    module = _module_expr(value)
    if module is not None:
        return module
    if isinstance(value, ast.Name):
        if value.id in ctx.aliases:
            return ctx.aliases[value.id]
        return value.id if value.id in _BUILTIN_NAMES else None
    if isinstance(value, (ast.Attribute, ast.Call)):
        target = ctx.qualname(value)
        head = (target or "").split(".")[0]
        if target and "." in target and (head in ctx.aliases.values() or head in _MODULE_HEADS):
            return target
    return None


_BUILTIN_NAMES = frozenset(n for n in dir(builtins) if not n.startswith("_") or n in ("__import__",))


def _index(tree: ast.AST) -> tuple[dict[type, list[ast.AST]], dict[int, ast.AST]]:
    """Every node by type, in ``ast.walk`` order (breadth first), and each node's parent: one pass."""
    index: dict[type, list[ast.AST]] = {}
    parents: dict[int, ast.AST] = {}
    queue = collections.deque([tree])
    node_type = ast.AST
    while queue:
        node = queue.popleft()
        kind = type(node)
        bucket = index.get(kind)
        if bucket is None:
            bucket = index[kind] = []
        bucket.append(node)
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, node_type):
                parents[id(value)] = node
                queue.append(value)
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, node_type):
                        parents[id(item)] = node
                        queue.append(item)
    return index, parents


def _dispatch(selected: Iterable[Rule]) -> dict[type, list[Rule]]:
    table: dict[type, list[Rule]] = {}
    for r in selected:
        if r.kind == "ast":
            for node_type in r.nodes:
                table.setdefault(node_type, []).append(r)
    return table


def _finding(r: Rule, hit: Hit, ctx: Ctx, source: str = "code", notes: tuple[str, ...] = ()) -> Finding:
    node = hit.node
    line = hit.line or getattr(node, "lineno", 0) or 0
    return Finding(
        rule=r.code, name=r.name, family=r.family, technique=hit.technique or r.technique,
        severity=hit.severity or r.severity, confidence=hit.confidence or r.confidence,
        message=hit.message, path=ctx.path, line=line, col=(getattr(node, "col_offset", 0) or 0) + 1,
        end_line=getattr(node, "end_lineno", None) or line,
        snippet=ctx.snippet(node) if hasattr(node, "lineno") else (str(node)[:160] if node else ""),
        source=source, notes=notes,
    )


def _as_hits(result: Any) -> list[Hit]:
    if result is None:
        return []
    if isinstance(result, Hit):
        return [result]
    return [h for h in result if h is not None]


@dataclass
class FileResult:
    path: str
    role: str
    findings: list[Finding] = field(default_factory=list)
    parsed: bool = True
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _parse(source: str) -> tuple[ast.AST | None, SyntaxError | None]:
    return parse_module(source)


def _salvage(source: str) -> list[tuple[int, ast.Module]]:
    """Parse the top-level blocks that do parse, when the whole file does not."""
    lines = source.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if line[:1] not in (" ", "\t", "\n", "\r", "#", "") or i == 0]
    starts.append(len(lines))
    blocks: list[tuple[int, ast.Module]] = []
    for a, b in itertools.pairwise(starts):
        chunk = "".join(lines[a:b])
        tree, err = _parse(chunk)
        if tree is not None and err is None:
            ast.increment_lineno(tree, a)
            blocks.append((a, tree))  # type: ignore[arg-type]
    return blocks


def suppressed_lines(source: str) -> dict[int, set[str] | None]:
    """Line -> codes suppressed there (None: all), from ``# foulplay: ignore[...]`` comments."""
    out: dict[int, set[str] | None] = {}
    try:
        tokens = tokenize.generate_tokens(io.StringIO(source).readline)
        for tok in tokens:
            if tok.type == tokenize.COMMENT:
                m = SUPPRESS.search(tok.string)
                if m:
                    codes = {c.strip().upper() for c in m.group(1).split(",")} if m.group(1) else None
                    out[tok.start[0]] = codes
    except (tokenize.TokenError, IndentationError, SyntaxError):
        for i, line in enumerate(source.splitlines(), 1):
            m = SUPPRESS.search(line)
            if m:
                out[i] = {c.strip().upper() for c in m.group(1).split(",")} if m.group(1) else None
    return out


def analyse(
    source: str,
    path: str,
    *,
    problem: ProblemView | None = None,
    selected: list[Rule] | None = None,
    role: str | None = None,
    _depth: int = 0,
) -> FileResult:
    """Run every selected rule over one file's source (and over code it builds and executes)."""
    selected = selected if selected is not None else rules()
    everything = selected  # embedded code gets its own pre-filter
    role = role or role_of(path)
    result = FileResult(path, role)
    selected = [r for r in selected if not r.requires or any(needle in source for needle in r.requires)]
    file_rules = [r for r in selected if r.kind == "file"]
    text_rules = [r for r in selected if r.kind == "pattern"]
    table = _dispatch(selected)
    text = SourceText(source)
    dummy = Ctx(ast.Module(body=[], type_ignores=[]), source, path, role, problem, text)
    for r in file_rules:
        try:
            for hit in _as_hits(r.check(dummy)):  # type: ignore[misc]
                result.findings.append(_finding(r, hit, dummy, source="file"))
        except Exception as exc:  # noqa: BLE001 - a crashing rule is reported, never fatal
            result.errors.append(f"{r.code} crashed: {type(exc).__name__}: {exc}")
    if role in ("config", "other", "startup") and not path.endswith(".py"):
        for r in text_rules:
            _run_pattern_rule(r, dummy, result, fallback=False)
        return result
    tree, err = _parse(source)
    trees: list[ast.AST] = []
    if tree is not None:
        trees = [tree]
    else:
        result.parsed = False
        blocks = _salvage(source)
        trees = [b for _, b in blocks]
        where = f"line {err.lineno}" if err is not None and err.lineno else "somewhere"
        result.notes.append(f"does not parse ({where}); scanned {len(blocks)} block(s) that do, "
                            "and matched patterns on the rest")
        for r in text_rules:
            _run_pattern_rule(r, dummy, result, fallback=True)
    executes = _depth < 2 and ("exec" in source or "eval" in source or "compile" in source)
    for t in trees:
        ctx = Ctx(t, source, path, role, problem, text)
        ctx.index, ctx._parents = _index(t)
        _resolve_imports(t, ctx)
        _walk(ctx, table, result)
        if executes:
            for line, code, how in _executed_strings(ctx):
                inner = analyse(code, f"{path}<exec@{line}>", problem=problem, selected=everything, role=role,
                                _depth=_depth + 1)
                note = f"in code the file {how} and executes (line {line})"
                result.findings += [dataclasses.replace(f, line=line, path=path, notes=(*f.notes, note))
                                    for f in inner.findings]
    return result


_DECODERS = {"base64.b64decode", "base64.standard_b64decode", "base64.urlsafe_b64decode", "base64.b32decode",
             "base64.b16decode", "base64.a85decode", "base64.b85decode", "binascii.a2b_base64", "binascii.unhexlify",
             "bytes.fromhex", "zlib.decompress", "codecs.decode", "gzip.decompress", "bz2.decompress",
             "lzma.decompress"}


def _decoded(ctx: Ctx, node: ast.AST | None, depth: int = 0) -> tuple[str | bytes, str] | None:
    """The text a constant expression decodes to (base64, hex, zlib, rot13, str concatenation), and how."""
    if node is None or depth > 6:
        return None
    text = const_str(node)
    if text is not None:
        return text, "spells out"
    if isinstance(node, ast.Constant) and isinstance(node.value, bytes):
        return node.value, "spells out"
    if isinstance(node, ast.Name):
        for stmt in ctx.nodes(ast.Assign):
            if len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name) and stmt.targets[0].id == node.id:
                return _decoded(ctx, stmt.value, depth + 1)
        return None
    if isinstance(node, ast.Call):
        name = ctx.call_name(node) or ""
        if isinstance(node.func, ast.Attribute) and node.func.attr == "decode" and not node.args[1:]:
            inner = _decoded(ctx, node.func.value, depth + 1)
            if inner is not None and isinstance(inner[0], bytes):
                try:
                    return inner[0].decode("utf-8"), inner[1]
                except UnicodeDecodeError:
                    return None
            if inner is not None and isinstance(inner[0], str) and node.args:
                codec = const_str(node.args[0])
                if codec and codec.replace("_", "").lower() == "rot13":
                    import codecs

                    return codecs.decode(inner[0], "rot13"), "decodes (rot13)"
            return inner
        if name in _DECODERS and node.args:
            inner = _decoded(ctx, node.args[0], depth + 1)
            if inner is None:
                return None
            import base64
            import binascii
            import bz2
            import codecs
            import gzip
            import lzma
            import zlib

            raw = inner[0].encode() if isinstance(inner[0], str) and "decompress" not in name else inner[0]
            try:
                if name == "codecs.decode":
                    codec = const_str(node.args[1]) if len(node.args) > 1 else None
                    out: str | bytes = codecs.decode(raw, codec or "utf-8")  # type: ignore[arg-type]
                elif name in ("bytes.fromhex", "binascii.unhexlify"):
                    out = bytes.fromhex(raw.decode() if isinstance(raw, bytes) else raw)
                else:
                    fn = {"base64.b64decode": base64.b64decode, "base64.standard_b64decode": base64.standard_b64decode,
                          "base64.urlsafe_b64decode": base64.urlsafe_b64decode, "base64.b32decode": base64.b32decode,
                          "base64.b16decode": base64.b16decode, "base64.a85decode": base64.a85decode,
                          "base64.b85decode": base64.b85decode, "binascii.a2b_base64": binascii.a2b_base64,
                          "zlib.decompress": zlib.decompress, "gzip.decompress": gzip.decompress,
                          "bz2.decompress": bz2.decompress, "lzma.decompress": lzma.decompress}[name]
                    out = fn(raw)  # type: ignore[operator]
            except Exception:  # noqa: BLE001 - not decodable: nothing to scan
                return None
            if isinstance(out, bytes) and len(out) > 1 << 20:
                return None
            return out, f"decodes ({name})"
    return None


def _executed_strings(ctx: Ctx) -> list[tuple[int, str, str]]:
    """Code the file builds from constants and hands to exec/eval/compile: (line, source, how)."""
    out = []
    for call in ctx.nodes(ast.Call):
        name = ctx.call_name(call) or ""
        if name.split(".")[-1] not in ("exec", "eval", "compile") or not call.args:
            continue
        found = _decoded(ctx, call.args[0])
        if found is None:
            continue
        code = found[0]
        if isinstance(code, bytes):
            try:
                code = code.decode("utf-8")
            except UnicodeDecodeError:
                continue
        if code.strip():
            out.append((call.lineno, code, found[1]))
    return out


def _walk(ctx: Ctx, table: dict[type, list[Rule]], result: FileResult) -> None:
    for node_type, wanted in table.items():
        for node in ctx.index.get(node_type, ()):
            for r in wanted:
                try:
                    hits = _as_hits(r.check(ctx, node))  # type: ignore[misc]
                except Exception as exc:  # noqa: BLE001
                    result.errors.append(f"{r.code} crashed on line {getattr(node, 'lineno', '?')}: "
                                         f"{type(exc).__name__}: {exc}")
                    continue
                for hit in hits:
                    result.findings.append(_finding(r, hit, ctx))


def _run_pattern_rule(r: Rule, ctx: Ctx, result: FileResult, *, fallback: bool) -> None:
    try:
        hits = _as_hits(r.check(ctx))  # type: ignore[misc]
    except Exception as exc:  # noqa: BLE001
        result.errors.append(f"{r.code} crashed: {type(exc).__name__}: {exc}")
        return
    for hit in hits:
        conf = (hit.confidence or r.confidence).lowered() if fallback else (hit.confidence or r.confidence)
        hit.confidence = conf
        notes = ("pattern match on code that does not parse",) if fallback else ()
        result.findings.append(_finding(r, hit, ctx, source="code", notes=notes))


def line_hit(ctx: Ctx, match: re.Match[str], message: str, **kw: Any) -> Hit:
    line = ctx.line_of(match.start())
    return Hit(line_text(ctx, line, match.start(), match.end()), message, line=line, **kw)


def line_text(ctx: Ctx, line: int, start: int, end: int) -> str:
    """The line a match sits on, or (on a very long line) the part of it around the match."""
    a, b = ctx.text.line_span(line)
    if b - a <= SNIPPET_WINDOW:
        return ctx.source[a:b].strip()
    return short(ctx.source[max(a, start - 40):min(b, max(end, start + 120))])
