"""Assert instrumentation for test code written as plain asserts (HumanEval ``check``, MBPP).

Every ``assert`` statement becomes a call that records whether it held and, for a comparison,
the two values, then carries on: a failing assert does not hide the ones after it, so a grade
reports how many distinct asserts passed. The rewrite is done on the AST (never on text) and
keeps line numbers. Values in failure messages are written by ``fpbox_repr.bounded_repr`` (bounded
in time and size; nothing of the submission's is called). Comparisons run in the trusted process on
trusted values (see fpbox_rpc);
when one side came from the submission and the comparison fails, the submission's own equality is
probed with a random sentinel, which exposes always-equal objects without revealing the expected
value. Standard library only; runs inside the sandbox.
"""

from __future__ import annotations

import ast
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import fpbox_rpc as rpc
from fpbox_repr import bounded_repr

_OPS: dict[type, tuple[str, Callable[[Any, Any], Any]]] = {
    ast.Eq: ("eq", operator.eq),
    ast.NotEq: ("ne", operator.ne),
    ast.Lt: ("lt", operator.lt),
    ast.LtE: ("le", operator.le),
    ast.Gt: ("gt", operator.gt),
    ast.GtE: ("ge", operator.ge),
    ast.Is: ("is", operator.is_),
    ast.IsNot: ("is_not", operator.is_not),
    ast.In: ("in", lambda a, b: a in b),
    ast.NotIn: ("not_in", lambda a, b: a not in b),
}
_OP_BY_NAME = {name: fn for name, fn in _OPS.values()}
_SYMBOL = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">=", "is": "is",
           "is_not": "is not", "in": "in", "not_in": "not in"}
RECORDER = "@fp_assert"
COMPARER = "@fp_compare"


@dataclass
class Site:
    """One assert statement in the test source."""

    index: int
    lineno: int
    source: str
    runs: int = 0
    failures: int = 0
    first_failure: str | None = None

    @property
    def passed(self) -> bool:
        return self.runs > 0 and self.failures == 0


@dataclass
class Recorder:
    sites: list[Site] = field(default_factory=list)
    conn: Any = None

    def record(self, index: int, ok: bool, message: str | None) -> None:
        site = self.sites[index]
        site.runs += 1
        if not ok:
            site.failures += 1
            if site.first_failure is None:
                site.first_failure = message or f"assert failed: {site.source}"

    def run_assert(self, index: int, test: Callable[[], Any], msg: Callable[[], Any] | None) -> None:
        try:
            value = test()
            ok = _truth(value)
            message = None if ok else f"assert failed: {self.sites[index].source}"
            if not ok and msg is not None:
                message = f"{message} ({_safe(msg)})"
        except rpc.CandidateError as exc:
            ok, message = False, f"{type(exc).__name__}: {exc}"
        except Exception as exc:  # noqa: BLE001 - a raising test counts as a failed assert
            ok, message = False, f"{type(exc).__name__}: {exc}"
        self.record(index, ok, message)

    def run_compare(self, index: int, op: str, left: Callable[[], Any], right: Callable[[], Any],
                    msg: Callable[[], Any] | None) -> None:
        try:
            lhs = left()
            rhs = right()
            ok = _truth(_OP_BY_NAME[op](lhs, rhs))
            message = None
            if not ok:
                if op in ("eq", "ne") and self.conn is not None:
                    for mine, other in ((lhs, rhs), (rhs, lhs)):
                        if rpc.is_candidate_value(mine) and not rpc.is_candidate_value(other):
                            self.conn.probe_equality(mine, other, op)
                message = (f"assert {bounded_repr(lhs)} {_SYMBOL[op]} {bounded_repr(rhs)} "
                           f"(line {self.sites[index].lineno}: {self.sites[index].source})")
                if msg is not None:
                    message += f" ({_safe(msg)})"
        except rpc.CandidateError as exc:
            ok, message = False, f"{type(exc).__name__}: {exc}"
        except Exception as exc:  # noqa: BLE001
            ok, message = False, f"{type(exc).__name__}: {exc}"
        self.record(index, ok, message)


def _truth(value: Any) -> bool:
    if type(value) is bool:
        return value
    return bool(value)  # trusted values only; RemoteObject.__bool__ refuses in strict mode


def _safe(fn: Callable[[], Any]) -> str:
    try:
        return bounded_repr(fn())
    except Exception:  # noqa: BLE001
        return "<message failed>"


def _lambda(expr: ast.expr) -> ast.Lambda:
    return ast.Lambda(
        args=ast.arguments(posonlyargs=[], args=[], vararg=None, kwonlyargs=[], kw_defaults=[],
                           kwarg=None, defaults=[]),
        body=expr,
    )


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")


def _segment(lines: list[str], node: ast.AST) -> str | None:
    """``ast.get_source_segment`` on source already split into lines (it splits the whole source again for
    every node, which made instrumenting a long test quadratic)."""
    end_lineno = getattr(node, "end_lineno", None)
    end_col = getattr(node, "end_col_offset", None)
    if end_lineno is None or end_col is None:
        return None
    first, last, col = node.lineno - 1, end_lineno - 1, node.col_offset  # type: ignore[attr-defined]
    if first == last:
        return lines[first].encode()[col:end_col].decode()
    return "".join([lines[first].encode()[col:].decode(), *lines[first + 1:last],
                    lines[last].encode()[:end_col].decode()])


class _Rewriter(ast.NodeTransformer):
    def __init__(self, source: str, sites: list[Site]) -> None:
        self.source = source
        self.lines = _LINE.findall(source)
        self.sites = sites

    def visit_Assert(self, node: ast.Assert) -> ast.stmt:
        text = _segment(self.lines, node) or ast.unparse(node)
        index = len(self.sites)
        self.sites.append(Site(index, node.lineno, " ".join(text.split())[:300]))
        msg: ast.expr = _lambda(node.msg) if node.msg is not None else ast.Constant(None)
        test = node.test
        if isinstance(test, ast.Compare) and len(test.ops) == 1 and type(test.ops[0]) in _OPS:
            op_name = _OPS[type(test.ops[0])][0]
            call = ast.Call(
                func=ast.Attribute(ast.Name(COMPARER, ast.Load()), "run_compare", ast.Load()),
                args=[ast.Constant(index), ast.Constant(op_name), _lambda(test.left),
                      _lambda(test.comparators[0]), msg],
                keywords=[],
            )
        else:
            call = ast.Call(
                func=ast.Attribute(ast.Name(RECORDER, ast.Load()), "run_assert", ast.Load()),
                args=[ast.Constant(index), _lambda(test), msg],
                keywords=[],
            )
        new = ast.Expr(call)
        return ast.copy_location(new, node)


def instrument(source: str, filename: str) -> tuple[Any, list[Site]]:
    """Compile ``source`` with every assert turned into a recorded, non-raising check."""
    tree = ast.parse(source, filename)
    sites: list[Site] = []
    tree = _Rewriter(source, sites).visit(tree)
    ast.fix_missing_locations(tree)
    return compile(tree, filename, "exec"), sites


def install(namespace: dict[str, Any], recorder: Recorder) -> None:
    namespace[RECORDER] = recorder
    namespace[COMPARER] = recorder
