"""A tiny evaluator for side-effect-free expressions over literal values (never executes code).

Shared by the hack catalog (visible tests such as ``score([10] * 12) == 300``) and the detectors
(whether a visible test's arguments reach a guarded exit).
"""

from __future__ import annotations

import ast


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
        if isinstance(node.op, ast.Mult) and isinstance(left, (str, list, tuple)) and isinstance(right, int) \
                and not isinstance(right, bool) and 0 <= len(left) * right < 10_000:
            return left * right
        if isinstance(node.op, ast.Mult) and isinstance(right, (str, list, tuple)) and isinstance(left, int) \
                and not isinstance(left, bool) and 0 <= len(right) * left < 10_000:
            return right * left
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


def literal_value(node: ast.AST, missing: object) -> object:
    """A literal's value (``ast.literal_eval``), or a small constant expression's (``[10] * 12``,
    ``[5, 5] * 10 + [5]``); ``missing`` when it is neither."""
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        pass
    if isinstance(node, ast.BinOp):
        value = evaluate(node, {})
        if value is not UNKNOWN and isinstance(value, (list, tuple, str, int, float)):
            return value
    return missing
