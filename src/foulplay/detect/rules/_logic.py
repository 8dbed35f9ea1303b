"""Small static truth analysis shared by the rules: expressions whose value never depends on the operands."""

from __future__ import annotations

import ast

_NON_NEGATIVE = {"len", "abs"}


def _same(a: ast.AST, b: ast.AST) -> bool:
    return ast.dump(a) == ast.dump(b)


def tautology(expr: ast.AST) -> str | None:
    """Why a comparison or call is always true (``x == x``, ``len(s) >= 0``, ``isinstance(o, object)``), or None."""
    if isinstance(expr, ast.Compare) and len(expr.ops) == 1:
        op, left, right = expr.ops[0], expr.left, expr.comparators[0]
        if isinstance(op, (ast.Eq, ast.Is, ast.GtE, ast.LtE)) and _same(left, right):
            return "compares a value with itself"
        if isinstance(op, ast.GtE) and isinstance(right, ast.Constant) and right.value == 0 \
                and isinstance(left, ast.Call) and isinstance(left.func, ast.Name) and left.func.id in _NON_NEGATIVE:
            return f"{left.func.id}(...) >= 0 always holds"
        if isinstance(op, ast.LtE) and isinstance(left, ast.Constant) and left.value == 0 \
                and isinstance(right, ast.Call) and isinstance(right.func, ast.Name) and right.func.id in _NON_NEGATIVE:
            return f"0 <= {right.func.id}(...) always holds"
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and len(expr.args) == 2:
        if expr.func.id == "isinstance" and isinstance(expr.args[1], ast.Name) and expr.args[1].id == "object":
            return "isinstance(..., object) always holds"
        if expr.func.id == "hasattr" and isinstance(expr.args[1], ast.Constant) \
                and expr.args[1].value in ("__class__", "__eq__", "__hash__", "__repr__"):
            return "every object has that attribute"
    return None


def _strip_bool(expr: ast.AST) -> ast.AST:
    while isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and expr.func.id == "bool" \
            and len(expr.args) == 1:
        expr = expr.args[0]
    return expr


def _complementary(values: list[ast.expr]) -> bool:
    """``x or not x`` (``bool(x)`` and ``not x`` too): one of them always holds."""
    plain = {ast.dump(_strip_bool(v)) for v in values if not (isinstance(v, ast.UnaryOp) and isinstance(v.op, ast.Not))}
    negated = {ast.dump(_strip_bool(v.operand)) for v in values
               if isinstance(v, ast.UnaryOp) and isinstance(v.op, ast.Not)}
    return bool(plain & negated)


def always_true(expr: ast.AST | None) -> bool:
    """True whatever the operands: ``True``, ``1``, ``x or True``, ``not False``, ``a or len(a) >= 0``,
    ``x or not x``."""
    if expr is None:
        return False
    if isinstance(expr, ast.Constant):
        return expr.value is True or (type(expr.value) is int and expr.value != 0)
    if isinstance(expr, ast.BoolOp):
        if isinstance(expr.op, ast.Or):
            return any(always_true(v) for v in expr.values) or _complementary(expr.values)
        return all(always_true(v) for v in expr.values)
    if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.Not):
        return always_false(expr.operand)
    if isinstance(expr, ast.IfExp):
        return always_true(expr.body) and always_true(expr.orelse)
    return tautology(expr) is not None


def always_false(expr: ast.AST | None) -> bool:
    if expr is None:
        return False
    if isinstance(expr, ast.Constant):
        return expr.value is False or expr.value == 0 or expr.value is None
    if isinstance(expr, ast.BoolOp):
        if isinstance(expr.op, ast.And):
            return any(always_false(v) for v in expr.values)
        return all(always_false(v) for v in expr.values)
    if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.Not):
        return always_true(expr.operand)
    if isinstance(expr, ast.IfExp):
        return always_false(expr.body) and always_false(expr.orelse)
    return isinstance(expr, ast.Compare) and len(expr.ops) == 1 and isinstance(expr.ops[0], (ast.NotEq, ast.IsNot)) \
        and _same(expr.left, expr.comparators[0])


from foulplay._util.constexpr import UNKNOWN, evaluate  # noqa: E402 - re-exported for the rules

__all__ = ["UNKNOWN", "always_false", "always_true", "evaluate", "tautology"]
