"""FP1xx: equality override (AlwaysEqual and friends)."""

from __future__ import annotations

import ast
import re
from typing import Any

from foulplay.detect._engine import Ctx, Hit, line_hit, rule
from foulplay.detect.rules._logic import always_false, always_true
from foulplay.vocab import Confidence, Severity

FAMILY = "equality"
_BUILTIN_BASES = {"str", "int", "float", "list", "dict", "tuple", "set", "frozenset", "bytes", "complex", "bool"}


_always_true = always_true
_always_false = always_false


def _returns(fn: ast.AST) -> list[ast.Return]:
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


def _function_always(fn: ast.AST, predicate: Any) -> bool:
    """Every path of ``fn`` returns a value satisfying ``predicate`` (lambdas included)."""
    if isinstance(fn, ast.Lambda):
        return predicate(fn.body)
    returns = _returns(fn)
    return bool(returns) and all(predicate(r.value) for r in returns)


def _method_value(node: ast.AST) -> ast.AST | None:
    """The function a class-body statement binds to __eq__ (def, or __eq__ = lambda)."""
    return node


def _class_methods(cls: ast.ClassDef) -> dict[str, ast.AST]:
    found: dict[str, ast.AST] = {}
    for stmt in cls.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found[stmt.name] = stmt
        elif isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Lambda):
            for t in stmt.targets:
                if isinstance(t, ast.Name):
                    found[t.id] = stmt.value
    return found


def _bases(ctx: Ctx, cls: ast.ClassDef) -> list[str]:
    return [ctx.qualname(b) or "" for b in cls.bases]


@rule("FP101", "always-true-eq", family=FAMILY, technique="always-equal-object", severity=Severity.HIGH,
      confidence=Confidence.HIGH, nodes=(ast.ClassDef,),
      requires=("__eq__",),
      summary="A class whose __eq__ answers True whatever it is compared with (AlwaysEqual).")
def always_true_eq(ctx: Ctx, node: ast.ClassDef) -> Hit | None:
    methods = _class_methods(node)
    eq = methods.get("__eq__")
    if eq is None or not _function_always(eq, _always_true):
        return None
    bases = [b.split(".")[-1] for b in _bases(ctx, node)]
    builtin = next((b for b in bases if b in _BUILTIN_BASES), None)
    extras = []
    ne = methods.get("__ne__")
    if ne is not None and _function_always(ne, _always_false):
        extras.append("__ne__ always False")
    overridden = sorted(n for n in methods if n in ("strip", "lower", "split", "__sub__", "__abs__", "__hash__",
                                                   "__lt__", "__contains__", "__len__"))
    if overridden:
        extras.append("overrides " + ", ".join(overridden))
    what = f"subclass of {builtin}" if builtin else "class"
    technique = "typed-always-equal" if builtin else "always-equal-object"
    detail = f" ({'; '.join(extras)})" if extras else ""
    anchor = eq if hasattr(eq, "lineno") else node
    return Hit(anchor, f"{what} {node.name} defines __eq__ that always returns True{detail}: any "
                     "`assert result == expected` passes", technique=technique)


def _dict_entries(node: ast.AST, ctx: Ctx | None = None, depth: int = 0) -> dict[str, ast.AST]:
    """String keys of a dict display, ``dict(k=v)`` or ``{n: v for n in ("__eq__", ...)}``; ``**name`` is
    followed to the name's assignments (and ``name["k"] = v`` item assignments) in the same file."""
    out: dict[str, ast.AST] = {}
    if depth > 3:
        return out
    if isinstance(node, ast.Dict):
        for k, v in zip(node.keys, node.values, strict=True):
            if isinstance(k, ast.Constant) and isinstance(k.value, str):
                out[k.value] = v
            elif k is None and ctx is not None:
                out.update(_named_dict(v, ctx, depth))
    elif isinstance(node, ast.DictComp) and len(node.generators) == 1:
        it = node.generators[0].iter
        if isinstance(it, (ast.Tuple, ast.List, ast.Set)):
            for elt in it.elts:
                if isinstance(elt, ast.Constant) and isinstance(elt.value, str):
                    out[elt.value] = node.value
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict":
        for kw in node.keywords:
            if kw.arg:
                out[kw.arg] = kw.value
            elif ctx is not None:
                out.update(_named_dict(kw.value, ctx, depth))
    elif isinstance(node, ast.Name) and ctx is not None:
        out.update(_named_dict(node, ctx, depth))
    return out


def _named_dict(node: ast.AST, ctx: Ctx, depth: int) -> dict[str, ast.AST]:
    if not isinstance(node, ast.Name):
        return {}
    out: dict[str, ast.AST] = {}
    for stmt in ctx.nodes(ast.Assign):
        for t in stmt.targets:
            if isinstance(t, ast.Name) and t.id == node.id:
                out.update(_dict_entries(stmt.value, ctx, depth + 1))
            elif isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name) and t.value.id == node.id \
                    and isinstance(t.slice, ast.Constant) and isinstance(t.slice.value, str):
                out[t.slice.value] = stmt.value
    return out


def _resolves_always_true(ctx: Ctx, value: ast.AST) -> bool:
    if isinstance(value, ast.Lambda):
        return _always_true(value.body)
    if isinstance(value, ast.Name) and value.id in ctx.defined_functions:
        return _function_always(ctx.defined_functions[value.id], _always_true)
    return False


@rule("FP102", "dynamic-always-eq", family=FAMILY, technique="type-built-always-equal",
      severity=Severity.HIGH, confidence=Confidence.HIGH, nodes=(ast.Call, ast.Assign),
      requires=("__eq__",),
      summary="An always-true __eq__ attached at run time: type(name, bases, {'__eq__': ...}), setattr or "
              "Cls.__eq__ = lambda ...: True.")
def dynamic_always_eq(ctx: Ctx, node: ast.AST) -> Hit | None:
    if isinstance(node, ast.Call):
        name = ctx.call_name(node)
        if name in ("type", "builtins.type", "types.new_class") and len(node.args) == 3:
            eq = _dict_entries(node.args[2], ctx).get("__eq__")
            if eq is not None and _resolves_always_true(ctx, eq):
                return Hit(node, "class built with type(...) whose __eq__ always returns True")
        if name in ("setattr", "builtins.setattr") and len(node.args) == 3:
            attr = node.args[1]
            if isinstance(attr, ast.Constant) and attr.value == "__eq__" and _resolves_always_true(ctx, node.args[2]):
                return Hit(node, "setattr installs an __eq__ that always returns True")
        return None
    assert isinstance(node, ast.Assign)
    for target in node.targets:
        if isinstance(target, ast.Attribute) and target.attr == "__eq__" and _resolves_always_true(ctx, node.value):
            return Hit(node, f"{ctx.dotted(target) or '__eq__'} replaced by a function that always returns True")
    return None


@rule("FP103", "class-spoofing", family=FAMILY, technique="class-spoofing", severity=Severity.HIGH,
      confidence=Confidence.MEDIUM, nodes=(ast.ClassDef,),
      requires=("__class__",),
      summary="A class that fakes its own type through a __class__ property or attribute.")
def class_spoofing(ctx: Ctx, node: ast.ClassDef) -> Hit | None:
    for stmt in node.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name == "__class__":
            decorated = any((ctx.dotted(d) or "").endswith("property") for d in stmt.decorator_list)
            if decorated:
                methods = _class_methods(node)
                eq = methods.get("__eq__")
                conf = Confidence.HIGH if eq is not None and _function_always(eq, _always_true) else None
                return Hit(stmt, f"{node.name} defines a __class__ property, so isinstance() checks see a "
                                 "different type", confidence=conf)
        if isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__class__" for t in stmt.targets):
            return Hit(stmt, f"{node.name} assigns __class__ in its body to fake its type")
    return None


@rule("FP104", "mock-equals-anything", family=FAMILY, technique="mock-always-equal", severity=Severity.HIGH,
      confidence=Confidence.HIGH, nodes=(ast.Assign, ast.Call),
      requires=("__eq__",),
      summary="A unittest.mock object configured so that == answers True.")
def mock_equals_anything(ctx: Ctx, node: ast.AST) -> Hit | None:
    if isinstance(node, ast.Assign):
        for t in node.targets:
            dotted = ctx.dotted(t) or ""
            if dotted.endswith("__eq__.return_value") and _always_true(node.value):
                return Hit(node, "a mock's __eq__ is set to return True, so it equals anything")
            if dotted.endswith("__eq__.side_effect") and isinstance(node.value, ast.Lambda) \
                    and _always_true(node.value.body):
                return Hit(node, "a mock's __eq__ side effect always returns True")
        return None
    assert isinstance(node, ast.Call)
    for kw in node.keywords:
        if kw.arg is None and isinstance(kw.value, ast.Dict):
            entries = _dict_entries(kw.value)
            val = entries.get("__eq__.return_value")
            if val is not None and _always_true(val):
                return Hit(node, "a mock configured with __eq__.return_value=True equals anything")
    return None


_EQ_PATTERN = re.compile(r"def\s+__eq__\s*\([^)]*\)\s*(?:->\s*\w+\s*)?:\s*(?:\n\s*)?return\s+(True|1)\b")
_EQ_LAMBDA = re.compile(r"__eq__\s*[=:]\s*(?:\w+\.)?lambda[^:]*:\s*(True|1)\b")


@rule("FP190", "always-true-eq-pattern", family=FAMILY, technique="always-equal-object",
      severity=Severity.HIGH, confidence=Confidence.HIGH, kind="pattern",
      requires=("__eq__",),
      summary="Pattern fallback for code that does not parse: an __eq__ that returns True.")
def eq_pattern(ctx: Ctx) -> list[Hit]:
    hits = [line_hit(ctx, m, "__eq__ returns True unconditionally (pattern match)")
            for m in _EQ_PATTERN.finditer(ctx.source)]
    hits += [line_hit(ctx, m, "__eq__ bound to a lambda returning True (pattern match)")
             for m in _EQ_LAMBDA.finditer(ctx.source)]
    return hits
