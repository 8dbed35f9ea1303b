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


def always_true(expr: ast.AST | None) -> bool:
    """True whatever the operands: ``True``, ``1``, ``x or True``, ``not False``, ``a or len(a) >= 0``."""
    if expr is None:
        return False
    if isinstance(expr, ast.Constant):
        return expr.value is True or (type(expr.value) is int and expr.value != 0)
    if isinstance(expr, ast.BoolOp):
        if isinstance(expr.op, ast.Or):
            return any(always_true(v) for v in expr.values)
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


# ---------------------------------------------------------------------------------------------
# a tiny evaluator: conditions over a visible test's argument values, never running the code


class _Unknown(Exception):
    pass


UNKNOWN = object()
_SAFE_CALLS = {"len": len, "abs": abs, "set": set, "sorted": sorted, "min": min, "max": max, "sum": sum,
               "list": list, "tuple": tuple, "str": str, "int": int, "bool": bool, "any": any, "all": all}
_TYPES = {"int": int, "str": str, "list": list, "tuple": tuple, "dict": dict, "float": float, "bool": bool,
          "set": set}
_BIN = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
        ast.FloorDiv: lambda a, b: a // b, ast.Mod: lambda a, b: a % b,
        ast.Pow: lambda a, b: a ** b if abs(b) <= 64 and abs(a) <= 10**6 else _too_big()}


def _too_big() -> object:
    raise _Unknown
_CMP = {ast.Eq: lambda a, b: a == b, ast.NotEq: lambda a, b: a != b, ast.Lt: lambda a, b: a < b,
        ast.LtE: lambda a, b: a <= b, ast.Gt: lambda a, b: a > b, ast.GtE: lambda a, b: a >= b,
        ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b, ast.Is: lambda a, b: a is b,
        ast.IsNot: lambda a, b: a is not b}


def evaluate(expr: ast.AST, bindings: dict[str, object]) -> object:
    """The value of a small side-effect-free expression (comparisons, arithmetic, len/set/sorted, isinstance)
    over literal bindings; ``UNKNOWN`` for anything else. Interprets the AST, never executes code."""
    try:
        return _eval(expr, bindings, 0)
    except _Unknown:
        return UNKNOWN
    except Exception:  # noqa: BLE001 - a TypeError on odd values just means we cannot tell
        return UNKNOWN


def _eval(node: ast.AST, env: dict[str, object], depth: int) -> object:
    if depth > 30:
        raise _Unknown
    d = depth + 1
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        if node.id in env:
            return env[node.id]
        if node.id in ("True", "False", "None"):
            return {"True": True, "False": False, "None": None}[node.id]
        raise _Unknown
    if isinstance(node, (ast.Tuple, ast.List)):
        items = [_eval(e, env, d) for e in node.elts]
        return tuple(items) if isinstance(node, ast.Tuple) else items
    if isinstance(node, ast.BoolOp):
        values = [_eval(v, env, d) for v in node.values]
        return all(values) if isinstance(node.op, ast.And) else any(values)
    if isinstance(node, ast.UnaryOp):
        operand = _eval(node.operand, env, d)
        if isinstance(node.op, ast.Not):
            return not operand
        if isinstance(node.op, ast.USub) and isinstance(operand, (int, float)):
            return -operand
        raise _Unknown
    if isinstance(node, ast.BinOp) and type(node.op) in _BIN:
        left, right = _eval(node.left, env, d), _eval(node.right, env, d)
        numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) and abs(v) < 10**12
                      for v in (left, right))
        joined = isinstance(node.op, ast.Add) and type(left) is type(right) and isinstance(left, (str, list, tuple)) \
            and len(left) + len(right) < 10_000  # type: ignore[arg-type]
        if not (numbers or joined):
            raise _Unknown
        return _BIN[type(node.op)](left, right)  # type: ignore[no-untyped-call]
    if isinstance(node, ast.Compare):
        left = _eval(node.left, env, d)
        for op, comp in zip(node.ops, node.comparators, strict=True):
            right = _eval(comp, env, d)
            if type(op) not in _CMP or not _CMP[type(op)](left, right):  # type: ignore[no-untyped-call]
                return False
            left = right
        return True
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
        if node.func.id == "isinstance" and len(node.args) == 2:
            value = _eval(node.args[0], env, d)
            kinds = node.args[1].elts if isinstance(node.args[1], ast.Tuple) else [node.args[1]]
            types = [_TYPES[k.id] for k in kinds if isinstance(k, ast.Name) and k.id in _TYPES]
            if len(types) != len(kinds):
                raise _Unknown
            return isinstance(value, tuple(types))
        if node.func.id in _SAFE_CALLS:
            args = [_eval(a, env, d) for a in node.args]
            if any(isinstance(a, (list, tuple, str, set)) and len(a) > 10_000 for a in args):
                raise _Unknown
            return _SAFE_CALLS[node.func.id](*args)  # type: ignore[operator]
    if isinstance(node, ast.Subscript):
        value = _eval(node.value, env, d)
        index = _eval(node.slice, env, d)
        if isinstance(index, int) and isinstance(value, (list, tuple, str)):
            return value[index]
        raise _Unknown
    raise _Unknown
