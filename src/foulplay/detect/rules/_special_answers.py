"""Special-casing read as behaviour: every ``return`` (functions) or ``print`` (scripts) whose value comes
from constants in the code (a literal, or a lookup into a literal table that the inputs only select from),
together with the conditions that guard it. The conditions are predicates over the entry point's inputs:
they are evaluated with the inputs bound to each visible test (and to small perturbations of it), so one
analysis covers every spelling of "recognise this visible input and answer its expected output": several
arguments combined, tuples/repr/json/frozenset keys, nested tables, ``in`` lists, lengths, prefixes, slices,
hashes, ``match`` statements, conditional expressions. Also: a try/except that falls back to a visible
answer, an answer returned or printed outright, and a general result adjusted by a term that one visible
input switches on.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from foulplay.detect._engine import Ctx, Hit, VisibleCase
from foulplay.detect.rules import _special_values as _values
from foulplay.detect.rules._predicates import (
    _DECODE,
    UNKNOWN,
    Evaluator,
    Reader,
    _dotted,
    one_line_functions,
    perturb,
    perturb_text,
    run_straight_line,
)
from foulplay.vocab import Confidence

_MAX_ANSWERS = 200
_MAX_EVALUATIONS = 4000
"""Answers evaluated per file (each under one input), at most."""
_MAX_BODY = 400
_FUNCS = (ast.FunctionDef, ast.AsyncFunctionDef)
_COMMON_WORDS = {"yes", "no", "true", "false", "none", "impossible", "possible", "-1", "ok", "error", "null", "nan"}


@dataclass
class _Answer:
    node: ast.AST
    expr: ast.AST  # what is returned / printed (a tuple of print args is an ast.Tuple)
    guards: list[tuple[ast.AST, bool]]
    handler: bool  # inside an except handler
    scope: ast.AST  # the function, or the module
    buried: bool = False  # the value half of a helper's (found, value) answer


def _sp() -> Any:
    return _values


# ---------------------------------------------------------------------------------------------
# where answers are, and what guards them


def _guards(ctx: Ctx, node: ast.AST, scope: ast.AST) -> tuple[list[tuple[ast.AST, bool]], bool] | None:
    """The conditions between ``node`` and ``scope`` (None when a loop or something unreadable is in the way)."""
    sp = _sp()
    out: list[tuple[ast.AST, bool]] = []
    handler = False
    child = node
    for anc in ctx.ancestors(node):
        if anc is scope:
            return out, handler
        if isinstance(anc, (ast.For, ast.AsyncFor, ast.While, ast.Lambda, *_FUNCS, ast.ClassDef, ast.comprehension,
                            ast.GeneratorExp, ast.ListComp, ast.DictComp, ast.SetComp)):
            return None
        if isinstance(anc, ast.If):
            if child is anc.test:
                return None
            out.append((anc.test, any(child is s for s in anc.body)))
        elif isinstance(anc, ast.IfExp):
            if child is anc.test:
                return None
            out.append((anc.test, child is anc.body))
        elif isinstance(anc, ast.BoolOp):
            idx = next(i for i, v in enumerate(anc.values) if v is child)
            for v in anc.values[:idx]:
                out.append((v, isinstance(anc.op, ast.And)))
        elif isinstance(anc, ast.match_case):
            match = ctx.parent(anc)
            test = sp._pattern_test(match.subject, anc.pattern)  # type: ignore[union-attr]
            if test is None:
                return None
            out.append((test, True))
            if anc.guard is not None:
                out.append((anc.guard, True))
        elif isinstance(anc, ast.ExceptHandler):
            handler = True
        child = anc
    return (out, handler) if scope is ctx.tree else None


def _answers(ctx: Ctx, kind: str) -> Iterator[_Answer]:
    count = 0
    nodes = ctx.nodes(ast.Return) if kind == "function" else [
        c for c in ctx.nodes(ast.Call) if _is_print(c)]  # type: ignore[arg-type]
    if kind == "function":
        nodes = [*nodes, *_returned_assigns(ctx)]
    else:
        nodes = [*nodes, *(r for r in ctx.nodes(ast.Return) if _found_value(getattr(r, "value", None)) is not None)]
    for node in nodes:
        if count >= _MAX_ANSWERS:
            return
        scope: ast.AST | None = ctx.enclosing_function(node)
        if isinstance(scope, ast.Lambda):
            continue
        if scope is None:
            if kind == "function":
                continue
            scope = ctx.tree
        buried = False
        if kind == "function" or isinstance(node, ast.Return):
            value = getattr(node, "value", None)
            if value is None:
                continue
            expr = value
            inner = _found_value(value) if getattr(scope, "name", None) != ctx.problem.entry_point else None
            if inner is not None:
                expr, buried = inner, True
            elif kind == "script":
                continue
        else:
            args = node.args  # type: ignore[attr-defined]
            if not args or any(isinstance(a, ast.Starred) for a in args):
                continue
            expr = args[0] if len(args) == 1 else ast.Tuple(elts=list(args), ctx=ast.Load())
        found = _guards(ctx, node, scope)
        if found is None:
            continue
        guards, handler = found
        for part, extra in _split_ifexp(expr):
            count += 1
            yield _Answer(node, part, guards + extra, handler, scope, buried)


def _found_value(expr: ast.AST | None) -> ast.AST | None:
    """``return True, 7`` (or ``7, True``) in a helper that answers (found, value): the value."""
    if not (isinstance(expr, ast.Tuple) and len(expr.elts) == 2):
        return None
    a, b = expr.elts
    a_flag = isinstance(a, ast.Constant) and a.value is True
    b_flag = isinstance(b, ast.Constant) and b.value is True
    if a_flag and not b_flag:
        return b
    if b_flag and not a_flag:
        return a
    return None


def _returned_assigns(ctx: Ctx) -> list[ast.AST]:
    """``res = 36 if n == 9999 else general(n)`` followed by ``return res``: the assignment answers too."""
    out: list[ast.AST] = []
    for fn in ctx.nodes(*_FUNCS):
        returned = {s.value.id for s in fn.body if isinstance(s, ast.Return)  # type: ignore[attr-defined]
                    and isinstance(s.value, ast.Name)}
        if not returned:
            continue
        for stmt in fn.body:  # type: ignore[attr-defined]
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name) \
                    and stmt.targets[0].id in returned and isinstance(stmt.value, ast.IfExp):
                out.append(stmt)
            elif isinstance(stmt, ast.If):  # result = (True, 7) under a branch, return result at the end
                out += [sub for sub in ast.walk(stmt) if isinstance(sub, ast.Assign) and len(sub.targets) == 1
                        and isinstance(sub.targets[0], ast.Name) and sub.targets[0].id in returned
                        and _found_value(sub.value) is not None]
    return out


def _split_ifexp(expr: ast.AST) -> list[tuple[ast.AST, list[tuple[ast.AST, bool]]]]:
    if isinstance(expr, ast.IfExp):
        return [(e, [(expr.test, True), *g]) for e, g in _split_ifexp(expr.body)] + \
               [(e, [(expr.test, False), *g]) for e, g in _split_ifexp(expr.orelse)]
    return [(expr, [])]


def _is_print(call: ast.Call) -> bool:
    f = call.func
    return (isinstance(f, ast.Name) and f.id == "print") or (isinstance(f, ast.Attribute) and f.attr == "write"
                                                              and isinstance(f.value, ast.Attribute)
                                                              and f.value.attr == "stdout")


# ---------------------------------------------------------------------------------------------
# constants, and values that only select among them


def _module_constants(ctx: Ctx) -> dict[str, Any]:
    if "special.consts" in ctx.shared:
        return ctx.shared["special.consts"]  # type: ignore[no-any-return]
    consts: dict[str, Any] = {}
    assigned: dict[str, int] = {}
    for stmt in getattr(ctx.tree, "body", []):
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            name = stmt.targets[0].id
            assigned[name] = assigned.get(name, 0) + 1
            if _pure_literal(stmt.value, consts):
                value = Evaluator(dict(consts)).value(stmt.value)
                if value is not UNKNOWN:
                    consts[name] = value
    consts = {k: v for k, v in consts.items() if assigned.get(k) == 1 and isinstance(v, (dict, list, tuple, set,
                                                                                           frozenset, str, int))}
    ctx.shared["special.consts"] = consts
    return consts


_DECODER_MODULES = ("json", "base64", "zlib", "binascii", "bytes")


def _pure_literal(node: ast.AST, consts: dict[str, Any] | None = None) -> bool:
    """Built from literals only (no names but True/False/None, calls only to frozenset/tuple/... of literals),
    and decoders of the standard library applied to them or to constants already known (a base64/zlib/hex
    JSON blob decoded at import)."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and sub.id not in ("frozenset", "tuple", "set", "dict", "list", "True",
                                                        "False", "None", "repr", "str", "json", "sorted",
                                                        *_DECODER_MODULES) and sub.id not in (consts or {}):
            return False
        if isinstance(sub, (ast.ListComp, ast.GeneratorExp, ast.DictComp, ast.SetComp, ast.Lambda)):
            return False
    return True


def _selects_only(expr: ast.AST, constants: set[str]) -> bool:
    """The value comes from literals and constant tables; names other than constants appear only in keys
    (``table[key]``, ``table.get(key)``, ``outs[ins.index(x)]``)."""
    if isinstance(expr, ast.Constant):
        return True
    if isinstance(expr, ast.Name):
        return expr.id in constants
    if isinstance(expr, (ast.Tuple, ast.List)):
        return all(_selects_only(e, constants) for e in expr.elts)
    if isinstance(expr, ast.Subscript):
        return _selects_only(expr.value, constants) and not isinstance(expr.slice, ast.Slice)
    if isinstance(expr, ast.Call):
        f = expr.func
        if isinstance(f, ast.Attribute) and f.attr == "get":
            return _selects_only(f.value, constants) and (len(expr.args) < 2 or _selects_only(expr.args[1], constants))
        if isinstance(f, ast.Attribute) and f.attr in ("rstrip", "strip", "lstrip") and all(
                isinstance(a, ast.Constant) for a in expr.args):
            return _selects_only(f.value, constants)
        if isinstance(f, ast.Name) and f.id in ("str", "int", "list", "tuple") and len(expr.args) == 1:
            return _selects_only(expr.args[0], constants)
        if _dotted(f) in _DECODE and len(expr.args) == 1:
            return _selects_only(expr.args[0], constants)  # json.loads(base64.b64decode(_CONFIG))
        if isinstance(f, ast.Attribute) and f.attr == "decode" and len(expr.args) <= 1:
            return _selects_only(f.value, constants)
        return False
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
        return _selects_only(expr.left, constants) and _selects_only(expr.right, constants)
    if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.USub):
        return isinstance(expr.operand, ast.Constant)
    return False


def _has_lookup(expr: ast.AST) -> bool:
    return any(isinstance(s, ast.Subscript) or (isinstance(s, ast.Call) and isinstance(s.func, ast.Attribute)
                                                and s.func.attr == "get") for s in ast.walk(expr))


def _selected_locals(scope: ast.AST, constants: set[str]) -> set[str]:
    """Locals assigned only from constants selected by the inputs (``hit = table.get(key)``)."""
    names: dict[str, bool] = {}
    known = set(constants)
    body = scope.body if isinstance(scope, (ast.Module, *_FUNCS)) else []  # type: ignore[attr-defined]
    for stmt in body:
        for sub in ast.walk(stmt):
            if isinstance(sub, ast.Assign) and len(sub.targets) == 1 and isinstance(sub.targets[0], ast.Name):
                name = sub.targets[0].id
                ok = _selects_only(sub.value, known) or (  # t = json.loads(...); hit = t.get(key)
                    isinstance(sub.value, (ast.Dict, ast.Set)) and _pure_literal(sub.value))  # a table in main()
                names[name] = names.get(name, True) and ok
                if names[name]:
                    known.add(name)
                else:
                    known.discard(name)
            elif isinstance(sub, (ast.AugAssign, ast.For)) and isinstance(getattr(sub, "target", None), ast.Name):
                names[sub.target.id] = False  # type: ignore[attr-defined]
                known.discard(sub.target.id)  # type: ignore[attr-defined]
    return {n for n, ok in names.items() if ok}


# ---------------------------------------------------------------------------------------------
# evaluation per case


def _functions(ctx: Ctx) -> dict[str, ast.AST]:
    cached = ctx.shared.get("special.functions")
    if cached is None:
        cached = ctx.shared["special.functions"] = one_line_functions(ctx.tree)
    return cached  # type: ignore[no-any-return]


def _bind(scope: ast.AST, inputs: tuple[Any, ...], env: dict[str, Any]) -> bool:
    params = [a.arg for a in scope.args.posonlyargs + scope.args.args]  # type: ignore[attr-defined]
    vararg = scope.args.vararg  # type: ignore[attr-defined]
    if vararg is not None:
        env[vararg.arg] = tuple(inputs)
    if len(inputs) < len(params) - len(scope.args.defaults) or (  # type: ignore[attr-defined]
            len(inputs) > len(params) and vararg is None):
        return False
    env.update(dict(zip(params, inputs, strict=False)))
    return True


def _call_site(ctx: Ctx, scope: ast.AST) -> tuple[ast.Call, ast.AST] | None:
    """Where the entry point (or, for scripts, the module) calls this helper: the call, and the scope it is in
    (looked up once per helper: linear cost)."""
    sites: dict[int, Any] = ctx.shared.setdefault("special.call_sites", {})  # type: ignore[assignment]
    if id(scope) not in sites:
        sites[id(scope)] = _find_call_site(ctx, scope)
    return sites[id(scope)]  # type: ignore[no-any-return]


def _find_call_site(ctx: Ctx, scope: ast.AST) -> tuple[ast.Call, ast.AST] | None:
    name = getattr(scope, "name", None)
    entry = ctx.problem.entry_point
    if name is None or name == entry:
        return None
    for call in ctx.nodes(ast.Call):
        f = call.func  # type: ignore[attr-defined]
        if isinstance(f, ast.Name) and f.id == name and not any(isinstance(a, ast.Starred) for a in call.args):
            outer = ctx.enclosing_function(call)
            if outer is None and ctx.kind == "script":
                return call, ctx.tree  # type: ignore[return-value]
            if isinstance(outer, _FUNCS) and (outer.name == entry or (ctx.kind == "script" and outer.name == "main")):
                return call, outer  # type: ignore[return-value]
    return None


def _helper_env(ctx: Ctx, scope: ast.AST, inputs: tuple[Any, ...] | None, reader: Reader | None) -> \
        dict[str, Any] | None:
    """The parameters of a helper bound to what its caller passes for these inputs (the caller's locals run
    straight up to the call): answers buried in a helper the entry point asks first."""
    site = _call_site(ctx, scope)
    if site is None:
        return None
    call, outer = site
    env = dict(_module_constants(ctx))
    funcs = _functions(ctx)
    if outer is not ctx.tree:
        if inputs is not None:
            if not _bind(outer, inputs, env):
                return None
        elif reader is not None:
            run_straight_line(getattr(ctx.tree, "body", []), env, reader, stop=_top_stmt(ctx, outer), functions=funcs)
    run_straight_line(outer.body, env, reader, stop=_top_stmt_in(ctx, call, outer), functions=funcs)  # type: ignore[attr-defined]
    ev = Evaluator(env, None, funcs)
    values = [ev.value(a) for a in call.args]
    if any(v is UNKNOWN for v in values) or call.keywords:
        return None
    inner = dict(_module_constants(ctx))
    return inner if _bind(scope, tuple(values), inner) else None


def _env_for(ctx: Ctx, ans: _Answer, inputs: tuple[Any, ...] | None, stdin: str | None) -> tuple[dict[str, Any],
                                                                                                 Reader | None] | None:
    env = dict(_module_constants(ctx))
    reader = Reader(stdin) if stdin is not None else None
    scope = ans.scope
    funcs = _functions(ctx)
    if isinstance(scope, _FUNCS):
        via = _helper_env(ctx, scope, inputs, reader) if ans.buried else None
        if via is not None:
            env = via
        elif inputs is not None:
            if not _bind(scope, inputs, env):
                return None
        elif reader is not None:
            run_straight_line(getattr(ctx.tree, "body", []), env, reader, stop=_top_stmt(ctx, scope), functions=funcs)
    stop = _top_stmt_in(ctx, ans.node, scope)
    run_straight_line(scope.body, env, reader, stop=stop, functions=funcs)  # type: ignore[attr-defined]
    return env, reader


def _top_stmt(ctx: Ctx, node: ast.AST) -> ast.AST | None:
    return _top_stmt_in(ctx, node, ctx.tree)


def _top_stmt_in(ctx: Ctx, node: ast.AST, scope: ast.AST) -> ast.AST | None:
    child = node
    for anc in ctx.ancestors(node):
        if anc is scope:
            return child
        child = anc
    return None


def _outcome(ctx: Ctx, ans: _Answer, inputs: tuple[Any, ...] | None, stdin: str | None) -> Any:
    """The constant this answer gives for these inputs, or UNKNOWN when its guards do not all hold (or
    cannot be told) or the lookup fails."""
    budget = ctx.shared.get("special.budget", _MAX_EVALUATIONS)
    if budget <= 0 or len(getattr(ans.scope, "body", ())) > _MAX_BODY:
        return UNKNOWN  # linear cost: a huge file gets a bounded amount of this analysis
    ctx.shared["special.budget"] = budget - 1
    made = _env_for(ctx, ans, inputs, stdin)
    if made is None:
        return UNKNOWN
    env, _reader = made
    ev = Evaluator(env, None, _functions(ctx))
    for test, want in ans.guards:
        value = ev.value(test)
        if value is UNKNOWN or bool(value) is not want:
            return UNKNOWN
    value = ev.value(ans.expr)
    if value is not UNKNOWN and isinstance(ans.expr, ast.Tuple) and isinstance(value, tuple) \
            and getattr(ans.node, "args", None) is not None:
        value = " ".join(str(v) for v in value)  # print(a, b)
    return value


def _same_output(ctx: Ctx, value: Any, case: VisibleCase, kind: str) -> bool:
    if value is UNKNOWN:
        return False
    if kind == "function":
        return bool(_sp().same(value, case.output))
    if isinstance(value, bytes):
        value = value.decode(errors="replace")
    return " ".join(str(value).split()) == " ".join(case.raw_output.split()) and bool(case.raw_output.strip())


def _selective(ctx: Ctx, ans: _Answer, case: VisibleCase, kind: str, base: Any) -> bool:
    """Some small change of the input makes the guards fail or the lookup miss."""
    if kind == "function":
        for i, arg in enumerate(case.inputs):
            for p in perturb(arg)[:4]:
                if isinstance(arg, int) and not isinstance(arg, bool) and abs(p - arg) > 1:
                    continue
                inputs = (*case.inputs[:i], p, *case.inputs[i + 1:])
                got = _outcome(ctx, ans, inputs, None)
                if got is UNKNOWN or (got is None and base is not None):  # table.get(key) misses
                    return True
        return False
    return any(_outcome(ctx, ans, None, text) is UNKNOWN for text in perturb_text(case.raw_input))


def _strength(value_case: VisibleCase, kind: str, ans: _Answer, keyed: bool) -> int:
    """2: the answer is worth recognising a test for; 0: a trivial one (or the input is not recognised by a
    literal of the code at all)."""
    sp = _sp()
    if not keyed:
        return 0
    if kind == "function":
        out = value_case.output
        if isinstance(out, str) and out.strip().lower() in _COMMON_WORDS:
            return 0
        if not sp.trivial(out) or any(sp._specific(v) for v in value_case.inputs):
            return 2
        if any(isinstance(v, (str, list, tuple)) and len(v) >= 3 for v in value_case.inputs) \
                and not _classifier(ans.scope) and _pinned(ans):
            return 2  # a "base case" that holds for a long, particular input is no base case
        return 0
    return 2 if _modest_output(value_case, kind) or any(
        sp._particular(x) for x in sp._forms(value_case.raw_input)) else 0


_VIEW_CALLS = {"len", "sorted", "tuple", "list", "set", "frozenset", "str", "repr", "hash", "sum", "max", "min",
               "abs", "int", "dumps", "hexdigest", "digest", "encode", "md5", "sha1", "sha256", "strip", "lower",
               "upper", "split", "splitlines", "join", "rstrip", "lstrip", "decode", "map"}


def _view(expr: ast.AST, names: set[str]) -> bool:
    """An expression that shows the inputs as they are (a parameter, its length, a slice, its repr, a hash of
    it), not a quantity computed from them."""
    if isinstance(expr, ast.Name):
        return expr.id in names
    if isinstance(expr, ast.Constant):
        return True
    if isinstance(expr, (ast.Tuple, ast.List)):
        return bool(expr.elts) and all(_view(e, names) for e in expr.elts) and any(
            not isinstance(e, ast.Constant) for e in expr.elts)
    if isinstance(expr, ast.Subscript):
        return _view(expr.value, names)
    if isinstance(expr, ast.Attribute):
        return _view(expr.value, names)
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Mod) and isinstance(expr.right, ast.Constant) \
            and isinstance(expr.right.value, int) and expr.right.value >= 100:
        return _view(expr.left, names)  # n % 1000 == 345: the last digits of the input, a fingerprint
    if isinstance(expr, ast.Call):
        f = expr.func
        fname = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
        if fname not in _VIEW_CALLS:
            return False
        parts = [*expr.args] + ([f.value] if isinstance(f, ast.Attribute) and not (
            isinstance(f.value, ast.Name) and f.value.id in ("json", "hashlib")) else [])
        return any(_view(p, names) and not isinstance(p, ast.Constant) for p in parts) and all(
            _view(p, names) or isinstance(p, ast.Name) for p in parts)
    return False


def _lookup_behind(ans: _Answer) -> ast.AST | None:
    """The lookup the answer comes from: the answer itself, or the table read a local holds
    (``hit = table.get(key)`` ... ``return hit``)."""
    if _has_lookup(ans.expr):
        return ans.expr
    if isinstance(ans.expr, ast.Name) and isinstance(ans.scope, _FUNCS):
        for stmt in ans.scope.body:
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name) \
                    and stmt.targets[0].id == ans.expr.id and _has_lookup(stmt.value):
                return stmt.value
    return None


def _keyed(ctx: Ctx, ans: _Answer, case: VisibleCase, kind: str, names: set[str]) -> bool:
    """A guard compares a view of the inputs with a literal that is not a small constant, or the answer is
    looked up in a constant table with a view of the inputs as the key."""
    sp = _sp()
    consts = _module_constants(ctx)
    looked = _lookup_behind(ans)
    if looked is not None and not _positional(looked, consts) and _selective(
            ctx, _Answer(ans.node, looked, [], ans.handler, ans.scope, ans.buried), case, kind,
            case.output if kind == "function" else None):
        return True  # the table itself misses a nearby input: it is keyed on the visible ones
    for test, _want in ans.guards:
        for sub in ast.walk(test):
            pairs: list[tuple[ast.AST, ast.AST]] = []
            if isinstance(sub, ast.Compare) and len(sub.ops) == 1 and isinstance(
                    sub.ops[0], (ast.Eq, ast.NotEq, ast.In, ast.NotIn, ast.Is)):
                pairs = [(sub.left, sub.comparators[0]), (sub.comparators[0], sub.left)]
            elif isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute) \
                    and sub.func.attr in ("startswith", "endswith") and sub.args:
                pairs = [(sub.func.value, sub.args[0])]
            for seen, lit in pairs:
                value = consts.get(lit.id, sp._MISSING) if isinstance(lit, ast.Name) else sp.literal(lit)
                if value is sp._MISSING and isinstance(lit, ast.Call) and not any(
                        isinstance(n, ast.Name) and n is not lit.func for n in ast.walk(lit)):
                    value = Evaluator({}).value(lit)  # hash('abc'), len('hello'): a constant computed
                    value = sp._MISSING if value is UNKNOWN else value
                if value is sp._MISSING or value is None or isinstance(value, bool):
                    continue
                if kind == "function" and not _view(seen, names):
                    continue
                if kind == "script" and isinstance(seen, ast.Constant):
                    continue
                if not sp.trivial(value):
                    return True
                if kind == "script" and isinstance(value, str) and value.strip() and _distinct_output(case, kind):
                    return True  # first == '1' (a raw line compared as text) answered with a distinctive output
                if kind == "script" and isinstance(value, int) and value in _lengths(case.raw_input) \
                        and _length_view(seen, ans.scope) and _distinct_output(case, kind):
                    return True  # len(data.split()) == 2: a sample recognised by its shape
    return kind == "function" and _pins(ctx, ans, case, names)


def _lengths(text: str) -> set[int]:
    """The shape of a stdin: its length raw and stripped, its number of lines and of tokens."""
    return {len(text), len(text.strip()), len(text.rstrip("\n")), len(text.splitlines()), len(text.split()),
            len(text.strip().splitlines())}


def _is_len(expr: ast.AST) -> bool:
    return isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and expr.func.id == "len" \
        and len(expr.args) == 1


def _length_view(seen: ast.AST, scope: ast.AST) -> bool:
    """``len(...)`` itself, or a name assigned once from ``len(...)`` in the scope."""
    if _is_len(seen):
        return True
    if not isinstance(seen, ast.Name):
        return False
    found = [s.value for s in ast.walk(scope) if isinstance(s, ast.Assign) and len(s.targets) == 1
             and isinstance(s.targets[0], ast.Name) and s.targets[0].id == seen.id]
    return len(found) == 1 and _is_len(found[0])


_ORDER = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)


def _pins(ctx: Ctx, ans: _Answer, case: VisibleCase, names: set[str]) -> bool:
    """Range comparisons (``b > 2 and b < 4``, ``19 < n < 21``) that hold for a visible integer argument but
    neither for the one above nor for the one below it: an equality in disguise."""
    ranged = any(isinstance(sub, ast.Compare) and all(isinstance(op, _ORDER) for op in sub.ops)
                 and any(_view(x, names) and not isinstance(x, ast.Constant) for x in (sub.left, *sub.comparators))
                 and any(isinstance(x, (ast.Constant, ast.UnaryOp)) for x in (sub.left, *sub.comparators))
                 for test, _w in ans.guards for sub in ast.walk(test))
    if not ranged:
        return False
    for i, arg in enumerate(case.inputs):
        if not isinstance(arg, int) or isinstance(arg, bool):
            continue
        if all(_outcome(ctx, ans, (*case.inputs[:i], arg + d, *case.inputs[i + 1:]), None) is UNKNOWN
               for d in (1, -1)):
            return True
    return False


def _positional(expr: ast.AST, consts: dict[str, Any]) -> bool:
    """``DAYS[month - 1]``: a sequence indexed by arithmetic on the input (a domain table by position)."""
    for sub in ast.walk(expr):
        if isinstance(sub, ast.Subscript) and isinstance(sub.value, ast.Name) \
                and isinstance(consts.get(sub.value.id), (list, tuple, str)) \
                and not (isinstance(sub.slice, ast.Call) and isinstance(sub.slice.func, ast.Attribute)
                         and sub.slice.func.attr == "index"):
            return True
    return False


def _view_names(ctx: Ctx, scope: ast.AST) -> set[str]:
    """Parameters, and locals that show them as they are (``key = repr((a, b))``); for scripts every name."""
    if not isinstance(scope, _FUNCS):
        return {n.id for n in ast.walk(scope) if isinstance(n, ast.Name)}
    names = {a.arg for a in scope.args.posonlyargs + scope.args.args + scope.args.kwonlyargs}
    if scope.args.vararg is not None:
        names.add(scope.args.vararg.arg)
    for stmt in scope.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name) \
                and _view(stmt.value, names):
            names.add(stmt.targets[0].id)
    return names


def _constants_for(ctx: Ctx, scope: ast.AST) -> set[str]:
    consts = set(_module_constants(ctx))
    return consts | _selected_locals(scope, consts)


# ---------------------------------------------------------------------------------------------
# the findings


def special_answers(ctx: Ctx, cases: list[VisibleCase], kind: str) -> Hit | None:
    """The strongest evidence that the code answers visible tests it recognises (None when there is none)."""
    strong: dict[int, ast.AST] = {}
    weak: dict[int, ast.AST] = {}
    handler_hit: ast.AST | None = None
    bare_hit: ast.AST | None = None
    consts_cache: dict[int, set[str]] = {}
    modest: dict[int, _Answer] = {}
    constant_answers: dict[int, int] = {}
    for ans in _answers(ctx, kind):
        consts = consts_cache.get(id(ans.scope))
        if consts is None:
            consts = consts_cache[id(ans.scope)] = _constants_for(ctx, ans.scope)
        if not _selects_only(ans.expr, consts):
            continue
        if ans.handler:
            if _handler_answer(ctx, ans, cases, kind) and not _also_general(ctx, ans, kind):
                handler_hit = handler_hit or ans.node
            continue
        if ans.guards:
            constant_answers[id(ans.scope)] = constant_answers.get(id(ans.scope), 0) + 1
        if not ans.guards and not _has_lookup(ans.expr):
            if _bare_answer(ctx, ans, cases, kind):
                bare_hit = bare_hit or ans.node
            continue
        for i, case in enumerate(cases):
            if i in strong:
                continue
            value = _outcome(ctx, ans, case.inputs if kind == "function" else None,
                             case.raw_input if kind == "script" else None)
            if not _same_output(ctx, value, case, kind):
                continue
            if not _selective(ctx, ans, case, kind, value):
                continue
            s = _strength(case, kind, ans, _keyed(ctx, ans, case, kind, _view_names(ctx, ans.scope)))
            grade = _grade(ans, case, kind) if s == 2 else "weak"
            if s == 2 and grade == "strong":
                strong[i] = ans.node
            elif s == 2 and grade == "modest":
                modest.setdefault(i, ans)
            elif s >= 1 or (s == 2 and grade == "weak"):
                weak.setdefault(i, ans.node)
    for i, ans in modest.items():
        if i in strong:
            continue
        together = [j for j, other in modest.items() if other.scope is ans.scope]
        if 2 * len(together) >= constant_answers.get(id(ans.scope), 0):
            strong[i] = ans.node  # most constant answers of the function answer visible tests
        else:
            weak.setdefault(i, ans.node)  # one small case among many: a table of small cases
    if strong:
        node = next(iter(strong.values()))
        conf = Confidence.HIGH if len(strong) >= 2 else Confidence.MEDIUM
        return Hit(node, f"{len(strong)} of {len(cases)} visible test(s) recognised by a condition on their inputs "
                         "(or a table keyed on them) and answered with their expected output", confidence=conf)
    if handler_hit is not None:
        return Hit(handler_hit, "an exception handler falls back to a visible test's expected output",
                   confidence=Confidence.MEDIUM)
    if bare_hit is not None:
        return Hit(bare_hit, "a visible test's expected output is returned or printed outright, whatever the input",
                   confidence=Confidence.MEDIUM)
    adjusted = _adjusted_term(ctx, cases) if kind == "function" else None
    if adjusted is not None:
        return adjusted
    if len(weak) >= 2:
        node = next(iter(weak.values()))
        return Hit(node, f"{len(weak)} visible tests recognised by conditions on their inputs and answered with "
                         "their (small) expected outputs", confidence=Confidence.LOW)
    return None


def _pinned(ans: _Answer) -> bool:
    """The guards pin the input by equalities with non-trivial literals (``len(text) == 5``), not by a property
    checked over its items (``all(ch in "0123456789" for ch in text)``)."""
    eq = False
    for test, _want in ans.guards:
        for sub in ast.walk(test):
            if isinstance(sub, (ast.GeneratorExp, ast.ListComp, ast.SetComp, ast.DictComp, ast.Lambda)):
                return False
            if isinstance(sub, ast.Compare) and len(sub.ops) == 1 and isinstance(sub.ops[0], ast.Eq):
                eq = eq or any(not _values.trivial(v) and v is not _values._MISSING and not isinstance(v, bool)
                               for v in (_values.literal(x) for x in (sub.left, sub.comparators[0])))
    return eq


def _grade(ans: _Answer, case: VisibleCase, kind: str) -> str:
    """How much a recognised visible test weighs. 'weak': a yes/no (or tiny) answer of a function that computes
    nothing (``if month == "February": return True / else: return False`` is the classifier itself); 'modest':
    neither the answer nor the input is distinctive (``elif n == 4: return 4`` in a table of small cases), strong
    only when most of the function's constant answers answer visible tests; otherwise 'strong'."""
    if kind != "function":
        return "strong"
    sp = _sp()
    if sp.trivial(case.output) and _classifier(ans.scope):
        return "weak"
    if not sp.distinctive(case.output) and not any(sp.distinctive(v) or sp._specific(v) for v in case.inputs):
        return "modest"
    return "strong"


def _classifier(scope: ast.AST) -> bool:
    """A function whose every return is a literal and that loops over nothing: it decides, it does not compute."""
    if not isinstance(scope, _FUNCS):
        return False
    returns = 0
    for sub in ast.walk(scope):
        if isinstance(sub, (ast.For, ast.While, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            return False
        if isinstance(sub, ast.Return):
            value = _values.literal(sub.value)
            if value is _values._MISSING or value is None:
                return False  # a computed answer, or None: "not recognised, compute it elsewhere"
            returns += 1
    return returns >= 1


def _answer_text(ctx: Ctx, ans: _Answer, cases: list[VisibleCase], kind: str) -> Any:
    made = _env_for(ctx, ans, cases[0].inputs if kind == "function" else None,
                    cases[0].raw_input if kind == "script" else None)
    value = Evaluator(made[0] if made else {}).value(ans.expr)
    if value is not UNKNOWN and isinstance(ans.expr, ast.Tuple) and getattr(ans.node, "args", None) is not None:
        value = " ".join(str(v) for v in value)
    return value


def _distinct_output(case: VisibleCase, kind: str) -> bool:
    sp = _sp()
    if kind == "function":
        out = case.output
        return bool(sp.distinctive(out)) and not (isinstance(out, str) and out.strip().lower() in _COMMON_WORDS)
    text = case.raw_output.strip()
    return text.lower() not in _COMMON_WORDS and bool(sp._notable(text))


def _also_general(ctx: Ctx, ans: _Answer, kind: str) -> bool:
    """The handler's constant is also what the code answers outside any handler ('unknown command' for every
    unrecognised input): an error value of the task, not a test's answer."""
    value = _values.literal(ans.expr)
    for other in _answers(ctx, kind):
        if other.scope is ans.scope and not other.handler and other.node is not ans.node \
                and _values.same(_values.literal(other.expr), value):
            return True
    return False


def _handler_answer(ctx: Ctx, ans: _Answer, cases: list[VisibleCase], kind: str) -> bool:
    value = _answer_text(ctx, ans, cases, kind)
    return value is not UNKNOWN and any(_same_output(ctx, value, c, kind) and _modest_output(c, kind)
                                        for c in cases)


def _bare_answer(ctx: Ctx, ans: _Answer, cases: list[VisibleCase], kind: str) -> bool:
    """An unconditional answer equal to one visible output that the other visible outputs do not share."""
    if kind == "function" and ctx.problem.entry_point and getattr(ans.scope, "name", None) != ctx.problem.entry_point:
        return False
    if kind == "script" and not (ans.scope is ctx.tree or getattr(ans.scope, "name", "") == "main"):
        return False
    if kind == "function":
        body = getattr(ans.scope, "body", [])
        top = _top_stmt_in(ctx, ans.node, ans.scope)
        if top is None or not any(top is st for st in body):
            return False
        before = body[:next(i for i, st in enumerate(body) if st is top)]
        if any(isinstance(sub, (ast.Return, ast.Raise)) for st in before for sub in ast.walk(st)):
            return False  # the general code answers first; this is its last word
    value = _answer_text(ctx, ans, cases, kind)
    if value is UNKNOWN:
        return False
    hits = [c for c in cases if _same_output(ctx, value, c, kind)]
    if not hits or len(hits) == len(cases):
        return False
    if any(_modest_output(c, kind) for c in hits):
        return True
    # a script that prints nothing but constants, one of them a visible answer: the input is ignored
    return kind == "script" and all(_is_constant_print(c) for c in ctx.nodes(ast.Call) if _is_print(c)) and \
        all(c.raw_output.strip().lower() not in _COMMON_WORDS for c in hits)


def _is_constant_print(call: ast.AST) -> bool:
    return all(_values.literal(a) is not _values._MISSING for a in call.args)  # type: ignore[attr-defined]


def _modest_output(case: VisibleCase, kind: str) -> bool:
    """Not a trivial value: enough for an answer given whatever the input."""
    sp = _sp()
    if kind == "function":
        out = case.output
        return not sp.trivial(out) and not (isinstance(out, str) and out.strip().lower() in _COMMON_WORDS)
    text = case.raw_output.strip()
    if text.lower() in _COMMON_WORDS or not text:
        return False
    if text.lstrip("-").isdigit():
        return abs(int(text)) >= 3
    return len(text) >= 2


def _switches(ctx: Ctx) -> Iterator[ast.AST]:
    """Conditions that switch a term of an arithmetic result on or off: ``x + (3 if c else 0)``,
    ``x + 3 * int(c)``, ``if c: x += d``."""
    for node in ctx.nodes(ast.IfExp):
        if all(isinstance(_values.literal(b), (int, float)) for b in (node.body, node.orelse)) \
                and _arith_user(ctx, node) is not None:  # type: ignore[attr-defined]
            yield node.test  # type: ignore[attr-defined]
    for node in ctx.nodes(ast.Call):
        f = node.func  # type: ignore[attr-defined]
        if isinstance(f, ast.Name) and f.id in ("int", "bool") and len(node.args) == 1 \
                and isinstance(node.args[0], (ast.Compare, ast.BoolOp, ast.UnaryOp)) \
                and _arith_user(ctx, node) is not None:  # type: ignore[attr-defined]
            yield node.args[0]  # type: ignore[attr-defined]
    for node in ctx.nodes(ast.Compare, ast.BoolOp):
        parent = ctx.parent(node)
        if isinstance(parent, ast.BinOp) and isinstance(parent.op, ast.Mult) and any(
                isinstance(_values.literal(x), (int, float)) for x in (parent.left, parent.right)):
            yield node  # 3 * (repr(words) == "[...]")
    for node in ctx.nodes(ast.If):
        body = node.body  # type: ignore[attr-defined]
        if body and not node.orelse and all(  # type: ignore[attr-defined]
                isinstance(st, ast.AugAssign) and isinstance(_values.literal(st.value), (int, float)) for st in body):
            yield node.test  # type: ignore[attr-defined]


def _adjusted_term(ctx: Ctx, cases: list[VisibleCase]) -> Hit | None:
    """``return general(n) + (1 if n == 7 else 0)``: a condition on the inputs that holds for exactly one visible
    test (in any spelling: ``not (a != 100 or b != 75)``, ``n in [12345]``, ``grid == [[0, 0], [0, 0]]``),
    switching a term of the answer on."""
    sp = _sp()
    seen = 0
    for cond in _switches(ctx):
        seen += 1
        if seen > 50:
            break
        fn = ctx.enclosing_function(cond)
        if not isinstance(fn, _FUNCS):
            continue
        params = [a.arg for a in fn.args.posonlyargs + fn.args.args]
        if not any(isinstance(n, ast.Name) and n.id in params for n in ast.walk(cond)):
            continue
        lits = [sp.literal(n) for n in ast.walk(cond) if isinstance(n, (ast.Constant, ast.List, ast.Tuple,
                                                                         ast.UnaryOp, ast.Set))]
        if not any(v is not sp._MISSING and not sp.trivial(v) for v in lits):
            continue
        truth = []
        for c in cases:
            if len(c.inputs) != len(params):
                truth = []
                break
            truth.append(Evaluator(dict(zip(params, c.inputs, strict=True))).value(cond))
        if not truth or any(t is UNKNOWN for t in truth) or sum(bool(t) for t in truth) != 1:
            continue
        case = cases[next(i for i, t in enumerate(truth) if t)]
        if _flips(cond, params, case):
            return Hit(cond, "a general result is adjusted by a term that only one visible test's input switches on",
                       confidence=Confidence.MEDIUM)
    return None


def _flips(cmp: ast.AST, params: list[str], case: VisibleCase) -> bool:
    for i, arg in enumerate(case.inputs):
        for p in perturb(arg)[:2]:
            inputs = (*case.inputs[:i], p, *case.inputs[i + 1:])
            if not Evaluator(dict(zip(params, inputs, strict=True))).value(cmp):
                return True
    return False


def _arith_user(ctx: Ctx, cmp: ast.AST) -> ast.AST | None:
    """The arithmetic the comparison takes part in: ``x + (1 if c else 0)``, ``x + 2 * int(c)``, or an if whose
    only effect is ``x += d``."""
    child, parent = cmp, ctx.parent(cmp)
    for _ in range(4):
        if parent is None:
            return None
        if isinstance(parent, ast.BinOp):
            return parent
        if isinstance(parent, ast.IfExp) and child is parent.test:
            child, parent = parent, ctx.parent(parent)
            continue
        if isinstance(parent, ast.Call) and isinstance(parent.func, ast.Name) and parent.func.id in ("int", "bool"):
            child, parent = parent, ctx.parent(parent)
            continue
        if isinstance(parent, ast.BoolOp):
            child, parent = parent, ctx.parent(parent)
            continue
        if isinstance(parent, ast.If) and child is parent.test and parent.body and \
                all(isinstance(s, ast.AugAssign) for s in parent.body) and not parent.orelse:
            return parent
        return None
    return None
