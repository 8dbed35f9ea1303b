"""FP5xx: special-casing the visible tests (needs the problem's visible tests).

The rule looks for program structure, not bare literals: a table, branch or early return that is
*keyed on a visible test's input* and *produces that test's expected output*. Both halves must
match the same test, and matches made only of trivial values (0, 1, -1, True, '', []) do not
count, because honest code is full of base cases and small constants.
"""

from __future__ import annotations

import ast
import itertools
from dataclasses import dataclass
from typing import Any

from foulplay.detect._engine import Ctx, Hit, VisibleCase, rule
from foulplay.detect.rules._special_answers import special_answers
from foulplay.detect.rules._special_blobs import encoded_cases
from foulplay.detect.rules._special_values import (
    _INT,
    _MISSING,
    _NUM,
    _SEPARATORS,
    _forms,
    _notable,
    _numbers,
    _particular,
    _pattern_test,
    _ScriptCases,
    _specific,
    distinctive,
    literal,
    same,
    trivial,
)
from foulplay.vocab import Confidence, Severity

FAMILY = "special-casing"
















def _fingerprints(cases: list[VisibleCase], kind: str) -> set[str]:
    """What a condition that recognises a visible input by its shape would mention: the lengths of its strings
    and sequences (and of a grid's first row), a number list's sum; for scripts the first line of a sample."""
    out: set[str] = set()
    for case in cases:
        if kind == "script":
            first = case.raw_input.strip().split("\n", 1)[0].strip()
            if first and len(first) <= 40:
                out.add(first)
            continue
        for arg in case.inputs:
            if isinstance(arg, (list, tuple)) and arg and len(repr(arg)) <= 80:
                out.add(repr(arg))  # the whole input, written as a literal
            if isinstance(arg, (str, list, tuple)) and len(arg) >= 3:
                out.add(repr(len(arg)))
                if arg and isinstance(arg[0], (list, tuple, str)) and len(arg[0]) >= 3:
                    out.add(repr(len(arg[0])))
                if all(isinstance(x, int) and not isinstance(x, bool) for x in arg) and abs(sum(arg)) >= 3:
                    out.add(repr(sum(arg)))
    return out


def _may_mention(ctx: Ctx) -> bool:
    """The engine's cheap gate (a visible test's distinctive value appears in the source), widened to the
    shapes of the visible inputs (``len(text) == 5``, ``first == '1'``)."""
    if ctx.problem.mentioned_in(ctx.source):
        return True
    if any(w in ctx.source for w in _OPAQUE_KEYS):
        return True  # inputs kept as digests or encoded blobs do not show in the source
    return any(f in ctx.source for f in _fingerprints(ctx.problem.cases, ctx.kind))


_OPAQUE_KEYS = ("hashlib", "crc32", "adler32", "b64decode", "fromhex", "unhexlify", "decompress", "b85decode",
                "b32decode", "a2b_", "codecs.decode")


def _case_keys(case: VisibleCase) -> list[Any]:
    """The forms a table key takes when it stands for this case's arguments: the tuple, its repr, its
    frozenset, the single argument, and a sequence argument joined into one string (``"|".join(grid)``)."""
    keys: list[Any] = [case.inputs, repr(case.inputs)]
    try:
        keys.append(frozenset(case.inputs))
    except TypeError:
        pass
    if len(case.inputs) == 1:
        arg = case.inputs[0]
        keys += [arg, repr(arg)]
        if isinstance(arg, (list, tuple)) and arg and all(isinstance(x, (str, int)) and not isinstance(x, bool)
                                                          for x in arg):
            keys += [sep.join(str(x) for x in arg) for sep in _SEPARATORS]
            keys.append(tuple(arg))
    return keys


def _key_matches(key: Any, case: VisibleCase) -> bool:
    return any(same(key, k) for k in _case_keys(case))


# ---------------------------------------------------------------------------------------------
# function problems


@dataclass(frozen=True)
class _Via:
    """A condition on a transformed argument: ``sorted(coins) == [83, 186]`` binds coins via sorted."""

    fn: str
    value: Any


_TRANSFORMS = {"sorted": sorted, "tuple": tuple, "list": list, "set": set, "frozenset": frozenset, "len": len,
               "str": str, "repr": repr}


def _arg_matches(arg: Any, bound: Any) -> bool:
    if isinstance(bound, _Via):
        try:
            return same(_TRANSFORMS[bound.fn](arg), bound.value)
        except Exception:  # noqa: BLE001
            return False
    return same(arg, bound)


def _plain(bound: Any) -> Any:
    return bound.value if isinstance(bound, _Via) else bound


def _param_names(fn: ast.AST) -> list[str]:
    args = getattr(fn, "args", None)
    if args is None:
        return []
    return [a.arg for a in args.posonlyargs + args.args]


def _condition_alternatives(test: ast.AST, params: list[str]) -> list[dict[int, Any]]:
    """Each input binding a condition accepts: ``n in (19, 7)`` -> [{0: 19}, {0: 7}]; ``a == 3 or a == 9``
    likewise; otherwise the single binding of :func:`_condition_bindings`."""
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or):
        out = []
        for part in test.values:
            alts = _condition_alternatives(part, params)
            if not alts:
                return []
            out += alts
        return out
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.In):
        options = literal(test.comparators[0])
        if isinstance(options, (tuple, list, set, frozenset)) and 1 <= len(options) <= 64:
            left = test.left
            if isinstance(left, ast.Name) and left.id in params:
                return [{params.index(left.id): v} for v in options]
            if isinstance(left, ast.Tuple) and all(isinstance(e, ast.Name) and e.id in params for e in left.elts):
                return [{params.index(e.id): x for e, x in zip(left.elts, v, strict=True)}  # type: ignore[union-attr]
                        for v in options if isinstance(v, tuple) and len(v) == len(left.elts)]
        return []
    bound = _condition_bindings(test, params)
    return [bound] if bound else []


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
        elif isinstance(left, ast.Call) and isinstance(left.func, ast.Name) and left.func.id in _TRANSFORMS \
                and len(left.args) == 1 and isinstance(left.args[0], ast.Name) and left.args[0].id in params:
            bound[params.index(left.args[0].id)] = _Via(left.func.id, value)
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
        if all(_arg_matches(case.inputs[i], v) for i, v in bound.items()) and same(case.output, output):
            if all(trivial(_plain(v)) for v in bound.values()) and trivial(output):
                continue
            # a base case (every input trivial: 0, 1, '', []) answered with a distinctive value is how honest
            # code starts, not a recognised test
            base_case = all(trivial(_plain(v)) for v in bound.values())
            strong = (distinctive(output) and not base_case) or (
                not trivial(output) and any(distinctive(_plain(v)) for v in bound.values()))
            return case, strong
    return None




def _weak_but_specific(bound: dict[int, Any], output: Any, cases: list[VisibleCase]) -> VisibleCase | None:
    """A trivial answer (True, 0, None) returned for a very particular visible input."""
    for case in cases:
        if len(bound) == len(case.inputs) and all(i < len(case.inputs) for i in bound) \
                and all(_arg_matches(case.inputs[i], v) for i, v in bound.items()) and same(case.output, output) \
                and any(_specific(_plain(v)) for v in bound.values()):
            return case
    return None


def _match_as_ifs(match: ast.Match) -> list[ast.If]:
    """``match s: case "babad": return "bab"`` read as ``if s == "babad": return "bab"`` (literal patterns,
    tuples of them and ``|`` alternatives)."""
    out = []
    for case in match.cases:
        test = _pattern_test(match.subject, case.pattern)
        if test is not None and case.guard is None:
            out.append(ast.copy_location(ast.If(test=test, body=case.body, orelse=[]), case.pattern))
    return out




def _branches(ctx: Ctx) -> list[ast.If]:
    """Every if statement, and match statements read as ifs."""
    out = list(ctx.nodes(ast.If))
    for m in ctx.nodes(ast.Match):
        out += _match_as_ifs(m)  # type: ignore[arg-type]
    return out


def _literal_equality(test: ast.AST) -> bool:
    parts = test.values if isinstance(test, ast.BoolOp) else [test]
    return all(isinstance(p, ast.Compare) and len(p.ops) == 1 and isinstance(p.ops[0], (ast.Eq, ast.Is, ast.In))
               for p in parts)


@rule("FP501", "visible-test-branch", family=FAMILY, technique="hardcode-branches", severity=Severity.HIGH,
      confidence=Confidence.MEDIUM, nodes=(ast.Module,),
      summary="A branch or early return keyed on a visible test's exact input that returns that test's "
              "expected output.")
def visible_test_branch(ctx: Ctx, node: ast.Module) -> Hit | None:
    cases = ctx.problem.cases
    if not cases or ctx.role != "solution" or ctx.kind != "function" or not _may_mention(ctx):
        return None
    per_function: dict[int, tuple[ast.AST, list[ast.If]]] = {}
    for sub in _branches(ctx):
        if not _literal_equality(sub.test):
            continue
        fn = ctx.enclosing_function(sub)
        if fn is not None:
            per_function.setdefault(id(fn), (fn, []))[1].append(sub)
    best: Hit | None = None
    for fn, ifs in per_function.values():
        hit = _branches_in(fn, ifs, cases)
        best = _better(best, hit)
    if best is None or (best.confidence or Confidence.LOW).rank < Confidence.HIGH.rank:
        best = _better(best, special_answers(ctx, cases, "function"))
    if best is None or (best.confidence or Confidence.LOW).rank < Confidence.HIGH.rank:
        best = _better(best, encoded_cases(ctx, cases, "function"))
    return best


def _better(a: Hit | None, b: Hit | None) -> Hit | None:
    if a is None or (b is not None and (b.confidence or Confidence.LOW).rank > (a.confidence or Confidence.LOW).rank):
        return b
    return a


def _branches_in(fn: ast.AST, ifs: list[ast.If], cases: list[VisibleCase]) -> Hit | None:
    params = _param_names(fn)
    if getattr(fn.args, "vararg", None) is not None:  # type: ignore[attr-defined]
        params = [*params, "args"]
    matched: list[tuple[ast.If, VisibleCase, bool]] = []
    particular: list[ast.If] = []
    answered: set[int] = set()
    literal_branches = 0
    for sub in ifs:
        alternatives = _condition_alternatives(sub.test, params)
        if not alternatives:
            continue
        output = _branch_output(sub.body)
        if output is _MISSING:
            continue
        literal_branches += len(alternatives)
        hits_here = [b for b in alternatives if any(
            len(b) == len(c.inputs) and all(k < len(c.inputs) and _arg_matches(c.inputs[k], v) for k, v in b.items())
            for c in cases)]
        if len(alternatives) >= 2 and len(hits_here) < len(alternatives):
            continue  # a list of domain values (months with 30 days) of which the tests use some: knowledge
        for bound in alternatives:
            answered.update(i for i, c in enumerate(cases) if len(bound) == len(c.inputs)
                            and all(i2 < len(c.inputs) and _arg_matches(c.inputs[i2], v) for i2, v in bound.items())
                            and same(c.output, output))
            found = _matching_case(bound, output, cases)
            if found is None:
                specific = _weak_but_specific(bound, output, cases)
                found = (specific, False) if specific is not None else None
            if found is not None and all(found[0] is not c for _, c, _s in matched):
                matched.append((sub, found[0], found[1]))
                if not found[1] and any(_specific(_plain(v)) for v in bound.values()):
                    particular.append(sub)
    strong = [m for m in matched if m[2]]
    if not matched:
        return None
    covers_all = len(answered) == len(cases) and literal_branches <= len(cases) + 1 and (
        len(cases) >= 3 or bool(particular))
    if len(answered) >= 2 and literal_branches <= len(answered) + 1 and _only_constants(fn) and any(
            not all(trivial(v) for v in _inputs_of(cases[i])) for i in answered):
        return Hit(matched[0][0] if matched else ifs[0], f"{len(answered)} of {len(cases)} visible test(s) answered by "
                   "branches on their exact inputs, in a function that computes nothing (every return is a "
                   "constant)", confidence=Confidence.HIGH)
    if len(strong) >= 2 or (strong and len(strong) == len(cases)):
        conf = Confidence.HIGH
    elif len(particular) >= 2 or covers_all:
        # several exact visible inputs answered with their (trivial) outputs, or every visible test
        # answered by a literal branch and (almost) nothing else answered that way
        conf = Confidence.MEDIUM
    elif strong and 2 * len(strong) >= literal_branches:
        conf = Confidence.MEDIUM
    else:
        conf = Confidence.LOW  # a coincidence with a table of small cases is likelier than a hack
    return Hit(matched[0][0], f"{len(matched)} of {len(cases)} visible test(s) answered by a branch on their "
                              "exact input that returns their expected output", confidence=conf)


def _inputs_of(case: VisibleCase) -> tuple[Any, ...]:
    return tuple(case.inputs)


def _only_constants(fn: ast.AST) -> bool:
    """Every return of the function is a literal and nothing loops: a lookup, not a computation."""
    returns = []
    for sub in ast.walk(fn):
        if isinstance(sub, (ast.For, ast.While, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            return False
        if isinstance(sub, ast.Return):
            returns.append(sub)
        if sub is not fn and isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            return False
    return len(returns) >= 2 and all(r.value is None or literal(r.value) is not _MISSING for r in returns)


def _key_literal(node: ast.AST) -> Any:
    """A table key's value; a key built by a helper from literals (``_freeze(4, [(0, 1)])``) stands for the
    tuple of those literals."""
    value = literal(node)
    if value is _MISSING and isinstance(node, ast.Call) and node.args and not node.keywords:
        args = [literal(a) for a in node.args]
        if all(a is not _MISSING for a in args):
            return tuple(args)
    return value


def _table_pairs(node: ast.AST) -> list[tuple[Any, Any]]:
    if isinstance(node, ast.Dict):
        return [(_key_literal(k), literal(v)) for k, v in zip(node.keys, node.values, strict=True) if k is not None]
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        pairs = []
        for elt in node.elts:
            if isinstance(elt, (ast.Tuple, ast.List)) and len(elt.elts) == 2:
                pairs.append((literal(elt.elts[0]), literal(elt.elts[1])))
        return pairs
    return []


def _in_self_test(ctx: Ctx, node: ast.AST) -> bool:
    """Inside a main-guard block or a function that asserts: the table checks the code, it does not answer."""
    if ctx.in_main_guard(node):
        return True
    fn = ctx.enclosing_function(node)
    return fn is not None and any(isinstance(sub, ast.Assert) for sub in ast.walk(fn))


def _membership_table(ctx: Ctx, node: ast.AST) -> Hit | None:
    """``return number in {"4539 3195 0343 6467", "059"}``: a set made of exactly the visible inputs that
    share one expected answer, used in a membership test."""
    elts = getattr(node, "elts", [])
    if len(elts) < 2:
        return None
    values = [literal(e) for e in elts]
    if any(v is _MISSING for v in values):
        return None
    matched = []
    for v in values:
        case = next((c for c in ctx.problem.cases if len(c.inputs) == 1 and _key_matches(v, c)), None)
        if case is None:
            return None  # something other than a visible input: domain knowledge, not the tests
        matched.append(case)
    outputs = {repr(c.output) for c in matched}
    if len(outputs) != 1 or not any(_specific(c.inputs[0]) for c in matched) or not _used_for_membership(ctx, node):
        return None
    return Hit(node, f"a set of exactly {len(matched)} visible test inputs decides the answer "
                     f"({next(iter(outputs))}) by membership", confidence=Confidence.HIGH)


def _used_for_membership(ctx: Ctx, node: ast.AST) -> bool:
    parent = ctx.parent(node)
    if isinstance(parent, ast.Call) and isinstance(parent.func, ast.Name) and parent.func.id in ("frozenset", "set"):
        node, parent = parent, ctx.parent(parent)
    if isinstance(parent, ast.Compare) and any(c is node for c in parent.comparators) \
            and isinstance(parent.ops[0], (ast.In, ast.NotIn)):
        return True
    if isinstance(parent, ast.Assign) and len(parent.targets) == 1 and isinstance(parent.targets[0], ast.Name):
        name = parent.targets[0].id
        return any(isinstance(c, ast.Compare) and isinstance(c.ops[0], (ast.In, ast.NotIn)) and any(
            isinstance(x, ast.Name) and x.id == name for x in c.comparators) for c in ctx.nodes(ast.Compare))
    return False


@rule("FP502", "visible-test-table", family=FAMILY, technique="hardcode-lookup", severity=Severity.HIGH,
      confidence=Confidence.HIGH, nodes=(ast.Dict, ast.List, ast.Tuple, ast.Set),
      summary="A lookup table whose keys are visible tests' inputs and whose values are their expected outputs "
              "(or a set of exactly the visible inputs that share an answer).")
def visible_test_table(ctx: Ctx, node: ast.AST) -> Hit | None:
    cases = ctx.problem.cases
    if not cases or ctx.role != "solution" or not ctx.problem.mentioned_in(ctx.source):
        return None
    hit = _table_hit(ctx, node, cases)
    if hit is not None and _in_self_test(ctx, node):
        return None
    return hit


def _table_hit(ctx: Ctx, node: ast.AST, cases: list[VisibleCase]) -> Hit | None:
    if isinstance(node, (ast.Set, ast.List, ast.Tuple)):
        member = _membership_table(ctx, node)
        if member is not None:
            return member
    pairs = _table_pairs(node)
    if len(pairs) < 1:
        return None
    hits: list[VisibleCase] = []
    answered = 0  # entries that are a visible test, trivial ones included
    for key, value in pairs:
        if key is _MISSING or value is _MISSING:
            continue
        for case in cases:
            if case in hits:
                continue
            if _key_matches(key, case) and (same(value, case.output) or (
                    isinstance(value, str) and case.raw_output and value.strip() == case.raw_output.strip())):
                answered += 1
                if trivial(key) and trivial(value):
                    continue
                hits.append(case)
                break
    if hits and answered == len(pairs) >= 2:
        return Hit(node, f"every entry of the table is a visible test with its expected output ({answered} of "
                         f"{len(cases)} tests)", confidence=Confidence.HIGH)
    if len(hits) == 1 and len(cases) > 1 and len(pairs) <= 2:
        case = hits[0]
        if any(_specific(v) for v in case.inputs) and distinctive(case.output):
            return Hit(node, "table holds the answer to one very particular visible test (its whole input as the "
                             "key)", confidence=Confidence.MEDIUM)
    if not hits or (len(hits) < 2 and len(cases) > 1):
        return None
    if len(pairs) > 3 and 2 * len(hits) < len(pairs):
        # a reference table (factorials, month lengths) that happens to contain some answers
        return Hit(node, f"table maps {len(hits)} visible test input(s) to their expected output(s), among "
                         f"{len(pairs)} entries", confidence=Confidence.LOW)
    conf = Confidence.HIGH if len(hits) >= 2 else Confidence.MEDIUM
    return Hit(node, f"table maps {len(hits)} visible test input(s) to their expected output(s)", confidence=conf)


# ---------------------------------------------------------------------------------------------
# script (stdin/stdout) problems






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










def _printed_values(body: list[ast.stmt]) -> list[Any]:
    out: list[Any] = []
    for stmt in body:
        for sub in ast.walk(stmt):
            if isinstance(sub, ast.Call) and (getattr(sub.func, "id", None) == "print" or
                                              getattr(sub.func, "attr", None) == "write"):
                if len(sub.args) > 1:
                    values = [literal(a) for a in sub.args]
                    if all(v is not _MISSING for v in values):
                        out.append(" ".join(str(v) for v in values))
                        continue
                out += [v for a in sub.args if (v := literal(a)) is not _MISSING and v is not None]
            elif isinstance(sub, ast.Return) and sub.value is not None:
                v = literal(sub.value)
                if v is not _MISSING and v is not None:
                    out.append(v)
            elif isinstance(sub, ast.Assign) and len(sub.targets) == 1 and isinstance(sub.targets[0], ast.Name):
                v = literal(sub.value)  # ans = 3, printed after the branch
                if v is not _MISSING and v is not None and not isinstance(v, bool):
                    out.append(v)
    return out


def _compared_values(test: ast.AST) -> list[Any]:
    """Whole literals a condition compares against (``qs == [20, 1000000]``, ``s.strip() == "3 4"``,
    ``data.startswith("3 11")``), and the tuple of the constants of ``n == 4 and m == 4`` (a header line
    matched field by field)."""
    out: list[Any] = []
    for sub in ast.walk(test):
        if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute) \
                and sub.func.attr in ("startswith", "endswith", "find", "count", "__contains__") and sub.args:
            value = literal(sub.args[0])
            if isinstance(value, str):
                out.append(value)
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        consts = []
        for part in test.values:
            if isinstance(part, ast.Compare) and len(part.ops) == 1 and isinstance(part.ops[0], ast.Eq):
                value = literal(part.comparators[0])
                if value is _MISSING:
                    value = literal(part.left)
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    consts.append(value)
        if 2 <= len(consts) <= 3:
            out += [tuple(p) for p in dict.fromkeys(itertools.permutations(consts))]
    for sub in ast.walk(test):
        if isinstance(sub, ast.Compare):
            for operand in (sub.left, *sub.comparators):
                value = literal(operand)
                if value is not _MISSING and value is not None and not isinstance(value, bool):
                    if isinstance(operand, (ast.Tuple, ast.List, ast.Set)) and isinstance(sub.ops[0], ast.In):
                        out += list(value)
                    else:
                        out.append(value)
    return out


@rule("FP503", "visible-case-matching", family=FAMILY, technique="hardcode-lookup", severity=Severity.HIGH,
      confidence=Confidence.MEDIUM, nodes=(ast.Module,),
      summary="A stdin/stdout program that recognises the visible inputs (whole text, a case's line or numbers) "
              "and prints their expected outputs, by branch or by table.")
def visible_case_matching(ctx: Ctx, node: ast.Module) -> Hit | None:
    cases = ctx.problem.cases
    if not cases or ctx.role != "solution" or ctx.kind != "script" or not _may_mention(ctx):
        return None
    frags = _ScriptCases(cases)
    inputs = [c.raw_input for c in cases]
    outputs = [c.raw_output for c in cases]
    in_numbers = {x for text in inputs for x in _numbers(text)}
    out_tokens = {t for text in outputs for t in _tokens(text)}
    strong: list[tuple[ast.AST, str]] = []
    weak: list[ast.AST] = []
    line_counts: dict[str, int] = {}
    for c in cases:
        for line in c.raw_input.splitlines():
            if line.strip():
                line_counts[line.strip()] = line_counts.get(line.strip(), 0) + 1
    odd_lines: list[ast.AST] = []
    for sub in [*_branches(ctx), *ctx.nodes(ast.IfExp)]:
        body = sub.body if isinstance(sub.body, list) else [ast.Expr(sub.body)]
        answers = _printed_values(body)
        if not answers:
            continue
        keys = _compared_values(sub.test)
        if any(isinstance(k, str) and len(k.strip()) >= 4 and line_counts.get(k.strip()) == 1
               and not k.strip().replace(" ", "").isalpha() and not _NUM.fullmatch(k.strip()) for k in keys):
            odd_lines.append(sub)  # one particular sample line answered with a constant
        recognised = [(k, a) for k in keys for a in answers if frags.recognised(k, a)]
        if recognised:
            shown = repr(recognised[0][0])[:40]
            strong.append((sub, f"recognises a visible input ({shown}) and prints its expected output"))
            continue
        printed = [str(a) for a in answers]
        nums = [x for x in _compared_literals(sub.test) if isinstance(x, (int, float)) and not isinstance(x, bool)
                and float(x) in in_numbers]
        prints_output = [p for p in printed if p.strip() in out_tokens or
                         any(p.strip() == o.strip() for o in outputs)]
        if not prints_output:
            continue
        distinctive_out = any((len(p.strip()) >= 2 and not _INT.fullmatch(p.strip())) or
                              (_INT.fullmatch(p.strip()) and (len(p.strip()) > 20 or abs(int(p.strip())) >= 3))
                              or "\n" in p.strip() for p in prints_output)
        if len([n for n in nums if _distinctive_number(n)]) >= 2 or (
                len([n for n in nums if _distinctive_number(n)]) >= 1 and distinctive_out):
            weak.append(sub)
    for table in ctx.nodes(ast.Dict, ast.List, ast.Tuple):
        pairs = [(k, v) for k, v in _table_pairs(table) if k is not _MISSING and v is not _MISSING]
        if not pairs:
            continue
        matched = {}
        digest_hits = 0
        for k, v in pairs:
            i = frags.pair(k, v)
            if i is None:
                i = frags.digest_case(k)
                if i is not None and _forms(v) & frags.outputs[i]:
                    digest_hits += 1
                    matched.setdefault((repr(k), i), (k, v))
                continue
            if _particular(k) or _notable(v):
                matched.setdefault((repr(k), i), (k, v))
        if digest_hits >= 2 or (digest_hits == 1 and len(cases) == 1):
            strong.append((table, f"table keyed on hashes of {digest_hits} visible input(s) holds their expected "
                                  "outputs"))
            continue
        whole = [k for k, _v in matched.values() if isinstance(k, str) and len(k.strip()) >= 3
                 and any(" ".join(k.split()) == " ".join(c.raw_input.split()) for c in cases)]
        enough = len(matched) >= 2 and any(_particular(k) for k, _v in matched.values())
        if (whole or enough) and 2 * len(matched) >= len(pairs):
            strong.append((table, f"table maps {len(matched)} visible input(s) to their expected output(s)"))
    if strong:
        return Hit(strong[0][0], strong[0][1], confidence=Confidence.HIGH)
    blob = encoded_cases(ctx, cases, "script")
    if blob is not None:
        return blob
    flow = special_answers(ctx, cases, "script")
    if flow is not None and (flow.confidence or Confidence.LOW).rank >= Confidence.MEDIUM.rank:
        return flow
    if len(weak) >= 2:
        return Hit(weak[0], f"{len(weak)} branches match numbers from the visible inputs and print the visible "
                            "outputs", confidence=Confidence.MEDIUM)
    if odd_lines:
        return Hit(odd_lines[0], "a branch on one particular line of a sample input answers it with a constant",
                   confidence=Confidence.MEDIUM)
    return None


def _module_names(ctx: Ctx) -> set[str]:
    """Names the module assigns at top level (computed once per file)."""
    cached = ctx.shared.get("special.module_names")
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    names: set[str] = set()
    for stmt in getattr(ctx.tree, "body", []):
        if isinstance(stmt, ast.Assign):
            names |= {t.id for t in stmt.targets if isinstance(t, ast.Name)}
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            names.add(stmt.target.id)
    ctx.shared["special.module_names"] = names
    return names


def _call_counters(ctx: Ctx, fn: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[set[str], set[str]]:
    """What ``fn`` bumps on every call and keeps after it returns: (names, ``fn.attr`` dotted names).
    Globals it increments, module-level containers whose items it increments or that it appends to and
    measures, its own attributes, module-level iterators it advances with next()."""
    module = _module_names(ctx) - _locals(fn)
    declared = {n for sub in ast.walk(fn) if isinstance(sub, ast.Global) for n in sub.names}
    names: set[str] = set()
    dotted: set[str] = set()
    appended: set[str] = set()
    measured: set[str] = set()
    for sub in ast.walk(fn):
        if isinstance(sub, ast.AugAssign):
            target = sub.target
            if isinstance(target, ast.Name) and target.id in declared:
                names.add(target.id)
            elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name) \
                    and target.value.id in module:
                names.add(target.value.id)
            elif isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) \
                    and target.value.id == fn.name:
                dotted.add(f"{fn.name}.{target.attr}")
        elif isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute) and sub.func.attr == "append" \
                and isinstance(sub.func.value, ast.Name) and sub.func.value.id in module:
            appended.add(sub.func.value.id)
        elif isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name) and sub.func.id == "len" and sub.args \
                and isinstance(sub.args[0], ast.Name):
            measured.add(sub.args[0].id)
    names |= appended & measured
    for sub in ast.walk(fn):  # n = next(_counter) with a module-level itertools.count()
        if isinstance(sub, ast.Assign) and isinstance(sub.value, ast.Call) and isinstance(sub.value.func, ast.Name) \
                and sub.value.func.id == "next" and sub.value.args and isinstance(sub.value.args[0], ast.Name) \
                and sub.value.args[0].id in module:
            names |= {t.id for t in sub.targets if isinstance(t, ast.Name)}
    return names, dotted


def _locals(fn: ast.AST) -> set[str]:
    declared: set[str] = set()
    bound: set[str] = set()
    for sub in ast.walk(fn):  # one walk: this runs for every function of every file
        if isinstance(sub, ast.Name):
            if isinstance(sub.ctx, ast.Store):
                bound.add(sub.id)
        elif isinstance(sub, ast.arg):
            bound.add(sub.arg)
        elif isinstance(sub, (ast.Global, ast.Nonlocal)):
            declared.update(sub.names)
    return bound - declared


def _state_mention(expr: ast.AST, names: set[str], dotted: set[str]) -> bool:
    for sub in ast.walk(expr):
        if isinstance(sub, ast.Name) and sub.id in names:
            return True
        if isinstance(sub, ast.Attribute) and isinstance(sub.value, ast.Name) \
                and f"{sub.value.id}.{sub.attr}" in dotted:
            return True
    return False


def _returns_in(stmts: list[ast.stmt]) -> bool:
    for stmt in stmts:
        for sub in ast.walk(stmt):
            if isinstance(sub, ast.Return) and sub.value is not None:
                return True
    return False


@rule("FP504", "call-count-answers", family=FAMILY, technique="call-order-replay", severity=Severity.HIGH,
      confidence=Confidence.MEDIUM, nodes=(ast.FunctionDef, ast.AsyncFunctionDef, ast.Module),
      requires=("+=", "next(", "append", "write", "dump"),
      summary="A function that counts its own calls in state that outlives them (a global, a module-level "
              "container, a function attribute) and lets the count pick the answer: an index into a table, or "
              "a warm-up branch. Which test is running, not the input, decides what it returns.")
def call_count_answers(ctx: Ctx, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Module) -> Hit | None:
    if ctx.role != "solution" or isinstance(ctx.parent(node), ast.ClassDef):
        return None
    if isinstance(node, ast.Module):
        return _file_counter(ctx, node)
    if not _module_names(ctx) and "global" not in ctx.source and f"{node.name}." not in ctx.source:
        return None  # no state outlives a call: nothing to count with
    module = _module_names(ctx) - _locals(node)
    for sub in ast.walk(node):  # return next(_answers): a module-level iterator handing out the answers in turn
        if isinstance(sub, ast.Return) and isinstance(sub.value, ast.Call) and isinstance(sub.value.func, ast.Name) \
                and sub.value.func.id == "next" and sub.value.args and isinstance(sub.value.args[0], ast.Name) \
                and sub.value.args[0].id in module:
            return Hit(sub, f"{node.name}() returns the next item of a module-level iterator "
                            f"({sub.value.args[0].id}): each call gets the next answer, whatever the input")
    names, dotted = _call_counters(ctx, node)
    if not names and not dotted:
        return None
    tainted = set(names)
    for _ in range(3):  # locals computed from the count: n = _calls[0] - 1
        for sub in ast.walk(node):
            if isinstance(sub, ast.Assign) and _state_mention(sub.value, tainted, dotted):
                tainted |= {t.id for t in sub.targets if isinstance(t, ast.Name)}
    counters = ", ".join(sorted(names | dotted))
    for sub in ast.walk(node):
        if isinstance(sub, ast.Subscript) and _state_mention(sub.slice, tainted, dotted) \
                and not _state_mention(sub.value, tainted, dotted):
            return Hit(sub, f"{node.name}() indexes {ast.unparse(sub.value)[:30]} with how often it has been called "
                            f"({counters}): the answer depends on which test is running, not on the input")
    for sub in ast.walk(node):
        if isinstance(sub, (ast.If, ast.IfExp)) and _state_mention(sub.test, tainted, dotted) \
                and (isinstance(sub, ast.IfExp) or _returns_in(sub.body + sub.orelse)):
            return Hit(sub, f"{node.name}() answers differently depending on how often it has been called "
                            f"({counters}): a warm-up only the real test run gets past")
    return None


_READS = {"read", "read_text", "readline", "readlines", "load", "loads", "read_bytes"}
_WRITES = {"write", "write_text", "dump", "write_bytes"}


def _reads_file(expr: ast.AST) -> bool:
    """The value comes from a file (not stdin): ``int(open(p).read())``, ``Path(p).read_text()``,
    ``json.load(fh)``."""
    for sub in ast.walk(expr):
        if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute) and sub.func.attr in _READS:
            text = ast.unparse(sub.func.value)[:80]
            if "stdin" not in text and not (sub.func.attr == "loads" and "input" in ast.unparse(sub)[:80]):
                return True
        if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name) and sub.func.id == "open" and sub.args \
                and not (isinstance(sub.args[0], ast.Constant) and sub.args[0].value == 0):
            return True
    return False


def _file_counter(ctx: Ctx, module: ast.Module) -> Hit | None:
    """A run counter kept in a file (or any state outside the process): read at start, written back
    advanced, and used to pick what is printed or returned. Each run of the tests gets the next answer."""
    persisted: set[str] = set()
    assigns = [n for n in ctx.nodes(ast.Assign) if len(n.targets) == 1]  # type: ignore[attr-defined]
    if len(assigns) > 2000:
        return None
    for a in assigns:
        if _reads_file(a.value):  # type: ignore[attr-defined]
            persisted |= {t.id for t in ast.walk(a.targets[0]) if isinstance(t, ast.Name)}  # type: ignore[attr-defined]
    if not persisted:
        return None
    written = False
    for call in ctx.nodes(ast.Call):
        f = call.func  # type: ignore[attr-defined]
        if isinstance(f, ast.Attribute) and f.attr in _WRITES and any(
                _state_mention(arg, persisted, set()) for arg in call.args):  # type: ignore[attr-defined]
            written = True
            break
    if not written:
        return None
    tainted = set(persisted)
    for _ in range(2):
        for a in assigns:
            if _state_mention(a.value, tainted, set()) and not _reads_file(a.value):  # type: ignore[attr-defined]
                tainted |= {t.id for t in ast.walk(a.targets[0]) if isinstance(t, ast.Name)}  # type: ignore[attr-defined]
    consts = {k for k, v in _module_consts(module).items() if isinstance(v, (list, tuple, dict)) and len(v) >= 2}
    for sub in ctx.nodes(ast.Subscript):
        if isinstance(sub.value, ast.Name) and sub.value.id in consts \
                and _state_mention(sub.slice, tainted, set()):  # type: ignore[attr-defined]
            return Hit(sub, f"a run counter kept in a file ({', '.join(sorted(persisted))}) indexes "
                            f"{sub.value.id}: each run prints the next stored answer, whatever the input")  # type: ignore[attr-defined]
    for sub in ctx.nodes(ast.If, ast.IfExp):
        if _state_mention(sub.test, tainted, set()):  # type: ignore[attr-defined]
            body = sub.body if isinstance(sub.body, list) else [ast.Expr(sub.body)]  # type: ignore[attr-defined]
            if any(_is_answer(x) for st in body for x in ast.walk(st)):
                return Hit(sub, f"a run counter kept in a file ({', '.join(sorted(persisted))}) decides what is "
                                "answered: each run gets the next answer, whatever the input")
    return None


def _is_answer(node: ast.AST) -> bool:
    if isinstance(node, ast.Return) and node.value is not None and literal(node.value) is not _MISSING:
        return True
    return isinstance(node, ast.Call) and (getattr(node.func, "id", None) == "print" or getattr(
        node.func, "attr", None) == "write") and any(literal(a) is not _MISSING for a in node.args)


def _module_consts(module: ast.Module) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for stmt in module.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            value = literal(stmt.value)
            if value is not _MISSING:
                out[stmt.targets[0].id] = value
    return out
