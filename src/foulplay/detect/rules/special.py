"""FP5xx: special-casing the visible tests (needs the problem's visible tests).

The rule looks for program structure, not bare literals: a table, branch or early return that is
*keyed on a visible test's input* and *produces that test's expected output*. Both halves must
match the same test, and matches made only of trivial values (0, 1, -1, True, '', []) do not
count, because honest code is full of base cases and small constants.
"""

from __future__ import annotations

import ast
import re
from typing import Any

from foulplay.detect._engine import Ctx, Hit, VisibleCase, rule
from foulplay.vocab import Confidence, Severity

FAMILY = "special-casing"
_MISSING = object()


def literal(node: ast.AST | None) -> Any:
    if node is None:
        return _MISSING
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return _MISSING


def trivial(value: Any) -> bool:
    if value is None or isinstance(value, bool):
        return True
    if isinstance(value, (int, float)):
        return -2 <= value <= 2
    if isinstance(value, (str, bytes)):
        return len(value.strip()) <= 1
    if isinstance(value, (list, tuple, set, frozenset, dict)):
        return len(value) == 0 or (all(trivial(v) for v in value) and len(value) <= 1)
    return False


def distinctive(value: Any) -> bool:
    """A value unlikely to appear in honest code by coincidence."""
    if trivial(value):
        return False
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return abs(value) >= 10 or (isinstance(value, float) and value != int(value))
    if isinstance(value, (str, bytes)):
        return len(value.strip()) >= 3
    if isinstance(value, (list, tuple, set, frozenset)):
        return len(value) >= 2 or any(distinctive(v) for v in value)
    if isinstance(value, dict):
        return len(value) >= 1
    return True


def same(a: Any, b: Any) -> bool:
    try:
        if a == b and type(a) is type(b):
            return True
        if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
            return list(a) == list(b)
        if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool) \
                and not isinstance(b, bool):
            return a == b
    except Exception:  # noqa: BLE001 - odd values are simply not equal
        return False
    return False


def _case_keys(case: VisibleCase) -> list[Any]:
    keys: list[Any] = [case.inputs, repr(case.inputs)]
    if len(case.inputs) == 1:
        keys += [case.inputs[0], repr(case.inputs[0])]
        if isinstance(case.inputs[0], list):
            keys.append(tuple(case.inputs[0]))
    return keys


def _key_matches(key: Any, case: VisibleCase) -> bool:
    return any(same(key, k) for k in _case_keys(case))


# ---------------------------------------------------------------------------------------------
# function problems


def _param_names(fn: ast.AST) -> list[str]:
    args = getattr(fn, "args", None)
    if args is None:
        return []
    return [a.arg for a in args.posonlyargs + args.args]


def _condition_bindings(test: ast.AST, params: list[str]) -> dict[int, Any] | None:
    """``a == 3 and b == 'x'`` -> {0: 3, 1: 'x'}; ``(a, b) == (3, 'x')`` too. None when not of that shape."""
    parts = test.values if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And) else [test]
    bound: dict[int, Any] = {}
    for part in parts:
        if not (isinstance(part, ast.Compare) and len(part.ops) == 1 and isinstance(part.ops[0], (ast.Eq, ast.Is))):
            return None
        left, right = part.left, part.comparators[0]
        if literal(left) is not _MISSING:
            left, right = right, left
        value = literal(right)
        if value is _MISSING:
            return None
        if isinstance(left, ast.Name) and left.id in params:
            bound[params.index(left.id)] = value
        elif isinstance(left, ast.Tuple) and all(isinstance(e, ast.Name) and e.id in params for e in left.elts) \
                and isinstance(value, tuple) and len(value) == len(left.elts):
            for e, v in zip(left.elts, value, strict=True):
                bound[params.index(e.id)] = v  # type: ignore[union-attr]
        elif isinstance(left, ast.Name) and left.id == "args" and isinstance(value, tuple):
            bound.update(dict(enumerate(value)))
        else:
            return None
    return bound or None


def _branch_output(body: list[ast.stmt]) -> Any:
    for stmt in body:
        if isinstance(stmt, ast.Return):
            return literal(stmt.value)
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and \
                getattr(stmt.value.func, "id", None) == "print" and stmt.value.args:
            return literal(stmt.value.args[0])
    return _MISSING


def _matching_case(bound: dict[int, Any], output: Any, cases: list[VisibleCase]) -> tuple[VisibleCase, bool] | None:
    """The visible case this branch answers, and whether the match is strong (not a coincidence)."""
    for case in cases:
        if len(bound) != len(case.inputs) or any(i >= len(case.inputs) for i in bound):
            continue
        if all(same(case.inputs[i], v) for i, v in bound.items()) and same(case.output, output):
            if all(trivial(v) for v in bound.values()) and trivial(output):
                continue
            strong = distinctive(output) or (not trivial(output) and any(distinctive(v) for v in bound.values()))
            return case, strong
    return None


def _specific(value: Any) -> bool:
    """An input so particular that branching on it means recognising that exact test."""
    if isinstance(value, (list, tuple, set, frozenset)):
        return len(value) >= 3 or (len(value) >= 2 and any(distinctive(v) for v in value))
    if isinstance(value, str):
        return len(value.strip()) >= 6
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return abs(value) >= 100 or (isinstance(value, float) and value != int(value))
    return False


def _weak_but_specific(bound: dict[int, Any], output: Any, cases: list[VisibleCase]) -> VisibleCase | None:
    """A trivial answer (True, 0, None) returned for a very particular visible input."""
    for case in cases:
        if len(bound) == len(case.inputs) and all(i < len(case.inputs) for i in bound) \
                and all(same(case.inputs[i], v) for i, v in bound.items()) and same(case.output, output) \
                and any(_specific(v) for v in bound.values()):
            return case
    return None


def _literal_equality(test: ast.AST) -> bool:
    parts = test.values if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And) else [test]
    return all(isinstance(p, ast.Compare) and len(p.ops) == 1 and isinstance(p.ops[0], (ast.Eq, ast.Is))
               for p in parts)


@rule("FP501", "visible-test-branch", family=FAMILY, technique="hardcode-branches", severity=Severity.HIGH,
      confidence=Confidence.MEDIUM, nodes=(ast.Module,),
      summary="A branch or early return keyed on a visible test's exact input that returns that test's "
              "expected output.")
def visible_test_branch(ctx: Ctx, node: ast.Module) -> Hit | None:
    cases = ctx.problem.cases
    if not cases or ctx.role != "solution" or ctx.kind != "function" or not ctx.problem.mentioned_in(ctx.source):
        return None
    per_function: dict[int, tuple[ast.AST, list[ast.If]]] = {}
    for sub in ctx.nodes(ast.If):
        if not _literal_equality(sub.test):
            continue
        fn = ctx.enclosing_function(sub)
        if fn is not None:
            per_function.setdefault(id(fn), (fn, []))[1].append(sub)
    best: Hit | None = None
    for fn, ifs in per_function.values():
        hit = _branches_in(fn, ifs, cases)
        if hit is not None and (best is None or (hit.confidence or Confidence.LOW).rank >
                                (best.confidence or Confidence.LOW).rank):
            best = hit
    return best


def _branches_in(fn: ast.AST, ifs: list[ast.If], cases: list[VisibleCase]) -> Hit | None:
    params = _param_names(fn)
    if getattr(fn.args, "vararg", None) is not None:  # type: ignore[attr-defined]
        params = [*params, "args"]
    matched: list[tuple[ast.If, VisibleCase, bool]] = []
    particular: list[ast.If] = []
    literal_branches = 0
    for sub in ifs:
        bound = _condition_bindings(sub.test, params)
        if bound is None:
            continue
        output = _branch_output(sub.body)
        if output is _MISSING:
            continue
        literal_branches += 1
        found = _matching_case(bound, output, cases)
        if found is None:
            specific = _weak_but_specific(bound, output, cases)
            found = (specific, False) if specific is not None else None
        if found is not None and all(found[0] is not c for _, c, _s in matched):
            matched.append((sub, found[0], found[1]))
            if not found[1] and any(_specific(v) for v in bound.values()):
                particular.append(sub)
    strong = [m for m in matched if m[2]]
    if not matched:
        return None
    if len(strong) >= 2 or (strong and len(strong) == len(cases)):
        conf = Confidence.HIGH
    elif len(particular) >= 2:
        conf = Confidence.MEDIUM  # several exact visible inputs answered with their (trivial) outputs
    elif strong and 2 * len(strong) >= literal_branches:
        conf = Confidence.MEDIUM
    else:
        conf = Confidence.LOW  # a coincidence with a table of small cases is likelier than a hack
    return Hit(matched[0][0], f"{len(matched)} of {len(cases)} visible test(s) answered by a branch on their "
                              "exact input that returns their expected output", confidence=conf)


def _table_pairs(node: ast.AST) -> list[tuple[Any, Any]]:
    if isinstance(node, ast.Dict):
        return [(literal(k), literal(v)) for k, v in zip(node.keys, node.values, strict=True) if k is not None]
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        pairs = []
        for elt in node.elts:
            if isinstance(elt, (ast.Tuple, ast.List)) and len(elt.elts) == 2:
                pairs.append((literal(elt.elts[0]), literal(elt.elts[1])))
        return pairs
    return []


@rule("FP502", "visible-test-table", family=FAMILY, technique="hardcode-lookup", severity=Severity.HIGH,
      confidence=Confidence.HIGH, nodes=(ast.Dict, ast.List, ast.Tuple),
      summary="A lookup table whose keys are visible tests' inputs and whose values are their expected outputs.")
def visible_test_table(ctx: Ctx, node: ast.AST) -> Hit | None:
    cases = ctx.problem.cases
    if not cases or ctx.role != "solution" or not ctx.problem.mentioned_in(ctx.source):
        return None
    pairs = _table_pairs(node)
    if len(pairs) < 1:
        return None
    hits: list[VisibleCase] = []
    for key, value in pairs:
        if key is _MISSING or value is _MISSING:
            continue
        for case in cases:
            if case in hits:
                continue
            if _key_matches(key, case) and (same(value, case.output) or (
                    isinstance(value, str) and case.raw_output and value.strip() == case.raw_output.strip())):
                if trivial(key) and trivial(value):
                    continue
                hits.append(case)
                break
    if not hits or (len(hits) < 2 and len(cases) > 1):
        return None
    conf = Confidence.HIGH if len(hits) >= 2 else Confidence.MEDIUM
    return Hit(node, f"table maps {len(hits)} visible test input(s) to their expected output(s)", confidence=conf)


# ---------------------------------------------------------------------------------------------
# script (stdin/stdout) problems


_NUM = re.compile(r"-?\d+(?:\.\d+)?")


def _numbers(text: str) -> list[float]:
    return [float(x) for x in _NUM.findall(text)]


def _tokens(text: str) -> set[str]:
    out = {line.strip() for line in text.splitlines() if line.strip()}
    out |= set(text.split())
    return out


def _distinctive_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and abs(x) >= 3


def _literals_in(node: ast.AST) -> list[Any]:
    out = []
    for sub in ast.walk(node):
        if isinstance(sub, ast.Constant) and not isinstance(sub.value, bool) and sub.value is not None:
            out.append(sub.value)
        elif isinstance(sub, ast.UnaryOp) and isinstance(sub.op, ast.USub) and isinstance(sub.operand, ast.Constant) \
                and isinstance(sub.operand.value, (int, float)):
            out.append(-sub.operand.value)
    return out


def _compared_literals(node: ast.AST) -> list[Any]:
    """Constants a condition compares something *against* (``n == 15``, ``(a, b) == (3, 4)``, ``n in (5, 7)``),
    not constants inside arithmetic (``i % 15 == 0`` compares against 0 only)."""
    out: list[Any] = []
    for sub in ast.walk(node):
        if isinstance(sub, ast.Compare):
            for operand in (sub.left, *sub.comparators):
                items = operand.elts if isinstance(operand, (ast.Tuple, ast.List, ast.Set)) else [operand]
                for item in items:
                    out += _literals_in(item) if isinstance(item, (ast.Constant, ast.UnaryOp)) else []
    return out


def _printed(body: list[ast.stmt]) -> list[str]:
    out = []
    for stmt in body:
        for sub in ast.walk(stmt):
            if isinstance(sub, ast.Call) and (getattr(sub.func, "id", None) == "print" or
                                              getattr(sub.func, "attr", None) == "write"):
                for arg in sub.args:
                    value = literal(arg)
                    if value is not _MISSING and value is not None:
                        out.append(str(value))
    return out


@rule("FP503", "visible-case-matching", family=FAMILY, technique="hardcode-lookup", severity=Severity.HIGH,
      confidence=Confidence.MEDIUM, nodes=(ast.Module,),
      summary="A stdin/stdout program that recognises the visible inputs (whole text, or each case's numbers) "
              "and prints their expected outputs.")
def visible_case_matching(ctx: Ctx, node: ast.Module) -> Hit | None:
    cases = ctx.problem.cases
    if not cases or ctx.role != "solution" or ctx.kind != "script" or not ctx.problem.mentioned_in(ctx.source):
        return None
    inputs = [c.raw_input for c in cases]
    outputs = [c.raw_output for c in cases]
    in_numbers = {x for text in inputs for x in _numbers(text)}
    out_tokens = {t for text in outputs for t in _tokens(text)}
    strong: list[ast.AST] = []
    weak: list[ast.AST] = []
    for sub in ctx.nodes(ast.If, ast.IfExp):
        lits = _literals_in(sub.test)
        body = sub.body if isinstance(sub.body, list) else [ast.Expr(sub.body)]
        printed = [p for p in _printed(body)]
        if not lits or not printed:
            continue
        whole = [x for x in lits if isinstance(x, str) and len(x.strip()) >= 3
                 and any(x.strip() == i.strip() or x.strip() in i.splitlines() for i in inputs)]
        nums = [x for x in _compared_literals(sub.test) if isinstance(x, (int, float)) and not isinstance(x, bool)
                and float(x) in in_numbers]
        prints_output = [p for p in printed if p.strip() in out_tokens or
                         any(p.strip() == o.strip() for o in outputs)]
        if not prints_output:
            continue
        distinctive_out = any((len(p.strip()) >= 2 and not p.strip().lstrip("-").isdigit()) or
                              (p.strip().lstrip("-").isdigit() and abs(int(p.strip())) >= 3) or "\n" in p.strip()
                              for p in prints_output)
        if whole:
            strong.append(sub)
        elif len([n for n in nums if _distinctive_number(n)]) >= 2 or (
                len([n for n in nums if _distinctive_number(n)]) >= 1 and distinctive_out):
            weak.append(sub)
    for sub in ctx.nodes(ast.Dict):  # tables keyed on the whole input text
        if isinstance(sub, ast.Dict):
            keys = [literal(k) for k in sub.keys if k is not None]
            vals = [literal(v) for v in sub.values]
            pairs = [(k, v) for k, v in zip(keys, vals, strict=False) if isinstance(k, str) and isinstance(v, str)]
            matched = sum(1 for k, v in pairs for i, o in zip(inputs, outputs, strict=True)
                          if k.strip() == i.strip() and v.strip() == o.strip() and len(k.strip()) >= 3)
            if matched >= 1:
                strong.append(sub)
    if strong:
        return Hit(strong[0], "recognises a visible test's whole input and prints its expected output",
                   confidence=Confidence.HIGH)
    if len(weak) >= 2:
        return Hit(weak[0], f"{len(weak)} branches match numbers from the visible inputs and print the visible "
                            "outputs", confidence=Confidence.MEDIUM)
    return None
