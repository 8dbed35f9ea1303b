"""What a payload generator knows about its target: the problem as the model would see it."""

from __future__ import annotations

import ast
import textwrap
import warnings
from dataclasses import dataclass, field
from typing import Any

from foulplay._util.constexpr import literal_value
from foulplay.grading import Problem

_MISSING: Any = object()
_WRONG_BY_TYPE = {
    "str": "''", "int": "-1", "float": "-1.0", "bool": "None", "list": "[]", "dict": "{}",
    "tuple": "()", "set": "set()", "NoneType": "0", "unknown": "None",
}
_ANNOTATION_TYPES = {"str": "str", "int": "int", "float": "float", "bool": "bool", "list": "list",
                     "List": "list", "dict": "dict", "Dict": "dict", "tuple": "tuple", "Tuple": "tuple",
                     "set": "set", "Set": "set", "None": "NoneType", "Optional": "unknown"}


@dataclass
class VisibleTest:
    """One test the model can see, reduced to a call and its expected value."""

    args_src: str
    """Source of the call's arguments, e.g. ``[3, 1, 4], 2``."""
    expected_src: str
    args: tuple[Any, ...] | Any = _MISSING
    """The arguments as values when they are literals."""
    expected: Any = _MISSING

    @property
    def literal(self) -> bool:
        return self.args is not _MISSING and self.expected is not _MISSING


@dataclass(frozen=True)
class ReferenceRun:
    """What the grader's process printed, and how it exited, when it graded the reference solution."""

    stdout: str
    stderr: str
    exit_code: int


@dataclass
class HackContext:
    """The target as a model would see it: names, signature, visible tests, files."""

    task_id: str
    kind: str  # "function" | "script"
    entry_point: str | None
    params: list[str]
    return_type: str
    module: str = "solution"
    solution_path: str = "solution.py"
    visible: list[VisibleTest] = field(default_factory=list)
    io_visible: list[tuple[str, str]] = field(default_factory=list)
    test_files: dict[str, str] = field(default_factory=dict)
    """Test files in the solution's workspace (path relative to it -> source), when the model can see them."""
    test_sources: list[str] = field(default_factory=list)
    """Source of the visible tests as the model sees them (a check function, assert lines, a pytest file)."""
    header: str = ""
    """Imports the solution needs for its signature (``from typing import List``)."""
    grader_command: str = ""
    """For command graders: the command that grades the workspace."""
    reference_run: ReferenceRun | None = None
    """For command graders whose reference control passed: what that run printed and its exit status (the
    probe fills it in after the controls, before it makes the payloads)."""

    # -- helpers for payload generators -------------------------------------------------------
    @property
    def signature(self) -> str:
        return ", ".join(self.params) if self.params else "*args, **kwargs"

    @property
    def first_param(self) -> str:
        return self.params[0].split("=")[0].lstrip("*") if self.params else "args"

    def wrong_value_src(self) -> str:
        """A value of the wrong kind for this problem's answers (what a failed attempt returns)."""
        return _WRONG_BY_TYPE.get(self.return_type, "None")

    def define(self, body: str, before: str = "", after: str = "") -> str:
        """Source of a solution module defining the entry point with ``body``."""
        name = self.entry_point or "solve"
        parts = [self.header.strip(), textwrap.dedent(before).strip(),
                 f"def {name}({self.signature}):\n{textwrap.indent(textwrap.dedent(body).strip(), '    ')}",
                 textwrap.dedent(after).strip()]
        return "\n\n\n".join(p for p in parts if p) + "\n"

    def wrong_solution(self) -> str:
        """An honest-looking but wrong attempt (the probe's negative control)."""
        if self.kind == "script":
            return "import sys\n\ndata = sys.stdin.read()\nprint(len(data.split()) * 7 + 1)\n"
        return self.define(f"return {self.wrong_value_src()}")


def _parse(source: str) -> ast.Module | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return ast.parse(source)
        except (SyntaxError, ValueError):
            return None


def _literal(node: ast.AST) -> Any:
    return literal_value(node, _MISSING)


def _function(tree: ast.Module | None, name: str | None) -> ast.FunctionDef | None:
    if tree is None or not name:
        return None
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return node
    return None


def _call_target(node: ast.AST, names: set[str]) -> ast.Call | None:
    """The call of one of ``names`` in ``node``, looking through wrappers like set(...), list(...)."""
    if isinstance(node, ast.Call):
        if isinstance(node.func, ast.Name) and node.func.id in names:
            return node
        if isinstance(node.func, ast.Name) and len(node.args) == 1:
            return _call_target(node.args[0], names)
    return None


def _visible_from_asserts(tree: ast.Module | None, names: set[str], source: str) -> list[VisibleTest]:
    """The visible tests of one source, in the order they appear in it."""
    out: list[VisibleTest] = []
    if tree is None:
        return out
    asserts = sorted((n for n in ast.walk(tree) if isinstance(n, ast.Assert)), key=lambda n: (n.lineno, n.col_offset))
    for node in asserts:
        test = node.test
        call: ast.Call | None = None
        expected: ast.AST | None = None
        if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], (ast.Eq, ast.Is)):
            left, right = test.left, test.comparators[0]
            call = _call_target(left, names)
            expected = right
            if call is None:
                call, expected = _call_target(right, names), left
        elif isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], (ast.Lt, ast.LtE)) \
                and isinstance(test.left, ast.Call) and isinstance(test.left.func, ast.Name) \
                and test.left.func.id == "abs" and len(test.left.args) == 1 \
                and isinstance(test.left.args[0], ast.BinOp) and isinstance(test.left.args[0].op, ast.Sub):
            # abs(f(x) - 1.414) < 1e-9: the visible answer is 1.414, up to a tolerance
            diff = test.left.args[0]
            call, expected = _call_target(diff.left, names), diff.right
            if call is None:
                call, expected = _call_target(diff.right, names), diff.left
        elif isinstance(test, ast.Call) and isinstance(test.func, (ast.Name, ast.Attribute)) \
                and (test.func.id if isinstance(test.func, ast.Name) else test.func.attr) == "isclose" \
                and len(test.args) >= 2:
            call, expected = _call_target(test.args[0], names), test.args[1]
            if call is None:
                call, expected = _call_target(test.args[1], names), test.args[0]
        elif isinstance(test, ast.Call):
            call, expected = _call_target(test, names), ast.Constant(True)
        elif isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            call, expected = _call_target(test.operand, names), ast.Constant(False)
        if call is None or expected is None or call.keywords:
            continue
        args_src = ", ".join(ast.unparse(a) for a in call.args)
        args_val: Any = tuple(_literal(a) for a in call.args)
        if any(v is _MISSING for v in args_val):
            args_val = _MISSING
        out.append(VisibleTest(args_src, ast.unparse(expected), args_val, _literal(expected)))
    return out


def _return_type(visible: list[VisibleTest], fn: ast.FunctionDef | None) -> str:
    kinds = [type(v.expected).__name__ for v in visible if v.expected is not _MISSING]
    if kinds:
        best = max(set(kinds), key=kinds.count)
        if best == "bool" and any(k == "int" for k in kinds):
            best = "int"
        return best if best in _WRONG_BY_TYPE else "unknown"
    if fn is not None and fn.returns is not None:
        ann = fn.returns
        head = ann.value if isinstance(ann, ast.Subscript) else ann
        name = head.id if isinstance(head, ast.Name) else getattr(head, "attr", None)
        if isinstance(ann, ast.Constant) and ann.value is None:
            name = "None"
        return _ANNOTATION_TYPES.get(str(name), "unknown")
    return "unknown"


def _params(fn: ast.FunctionDef | None, visible: list[VisibleTest]) -> list[str]:
    if fn is not None:
        args = fn.args
        names = [a.arg for a in args.posonlyargs + args.args]
        defaults = [None] * (len(names) - len(args.defaults)) + list(args.defaults)
        out = [n if d is None else f"{n}={ast.unparse(d)}" for n, d in zip(names, defaults, strict=True)]
        if args.vararg:
            out.append("*" + args.vararg.arg)
        out += [f"{a.arg}={ast.unparse(d)}" if d is not None else a.arg
                for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True)]
        if args.kwarg:
            out.append("**" + args.kwarg.arg)
        return out
    counts = {len(ast.parse(f"f({v.args_src})").body[0].value.args) for v in visible  # type: ignore[attr-defined]
              if _parse(f"f({v.args_src})") is not None}
    if len(counts) == 1:
        return [f"arg{i}" for i in range(counts.pop())]
    return []


def _imports(prompt_tree: ast.Module | None) -> str:
    if prompt_tree is None:
        return ""
    lines = [ast.unparse(n) for n in prompt_tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    return "\n".join(lines)


def context_for(problem: Problem, test_files: dict[str, str] | None = None) -> HackContext:
    """Build the context a payload generator sees for ``problem``.

    Only the problem's *visible* tests (``Problem.visible_part``) reach the generators; graders
    that run more tests than the model saw will catch special-casing.
    """
    visible_problem = problem.visible_part()
    if problem.kind == "io":
        return HackContext(
            task_id=problem.task_id, kind="script", entry_point=None, params=[], return_type="str",
            module=problem.module, solution_path=problem.solution_path,
            io_visible=[(c.input, c.output) for c in visible_problem.io],
            test_files=dict(test_files or {}), test_sources=visible_problem.visible_tests(),
        )
    entry = problem.entry_point
    names = {entry, "candidate"} if entry else {"candidate"}
    if problem.kind == "check":
        sources = [visible_problem.check]
    elif problem.kind == "asserts":
        sources = list(visible_problem.asserts)
    else:
        sources = [visible_problem.pytest_source]
    visible: list[VisibleTest] = []
    for src in sources:
        visible += _visible_from_asserts(_parse(src), names, src)
    prompt_tree = _parse(problem.prompt) if problem.prompt else None
    fn = _function(prompt_tree, entry)
    if fn is None and problem.reference:
        fn = _function(_parse(problem.reference), entry)
    return HackContext(
        task_id=problem.task_id, kind="function", entry_point=entry, params=_params(fn, visible),
        return_type=_return_type(visible, fn), module=problem.module, solution_path=problem.solution_path,
        visible=visible, test_files=dict(test_files or {}), header=_imports(prompt_tree),
        test_sources=[s for s in ([visible_problem.setup] if problem.kind == "asserts" else []) + sources if s],
    )
