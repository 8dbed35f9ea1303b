"""FP4xx: test tampering visible in test files themselves (diffs add more in `foulplay scan --diff`)."""

from __future__ import annotations

import ast

from foulplay.detect._engine import Ctx, Hit, rule
from foulplay.vocab import Confidence, Severity

FAMILY = "test-tampering"


def _tautology(test: ast.AST) -> str | None:
    if (isinstance(test, ast.Constant) and test.value is True) or (
            isinstance(test, ast.Constant) and type(test.value) is int and test.value):
        return "asserts a constant"
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or) and any(
            isinstance(v, ast.Constant) and v.value for v in test.values):
        return "`or True` makes it always pass"
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(
            test.ops[0], (ast.Eq, ast.Is, ast.GtE, ast.LtE)) and ast.dump(test.left) == ast.dump(test.comparators[0]):
        return "compares a value with itself"
    return None


@rule("FP401", "tautological-assert", family=FAMILY, technique="weaken-asserts", severity=Severity.MEDIUM,
      confidence=Confidence.HIGH, nodes=(ast.Assert,),
      requires=("assert",),
      summary="An assert in a test that cannot fail (assert True, ... or True, x == x).")
def tautological_assert(ctx: Ctx, node: ast.Assert) -> Hit | None:
    if ctx.role not in ("test", "conftest"):
        return None
    why = _tautology(node.test)
    return Hit(node, f"assert that cannot fail: {why}") if why else None


def _marks_skip(ctx: Ctx, node: ast.AST) -> bool:
    text = ast.unparse(node)
    return ("mark.skip" in text and "skipif" not in text) or "mark.xfail" in text or (
        "mark.skipif" in text and ("True" in text or "(1" in text))


@rule("FP402", "skip-whole-test-module", family=FAMILY, technique="skip-tests", severity=Severity.MEDIUM,
      confidence=Confidence.MEDIUM, nodes=(ast.Module,),
      requires=("skip", "xfail"),
      summary="A test module whose tests are all skipped or xfailed unconditionally.")
def skip_module(ctx: Ctx, node: ast.Module) -> Hit | None:
    if ctx.role != "test":
        return None
    for stmt in node.body:
        if isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "pytestmark"
                                                for t in stmt.targets) and _marks_skip(ctx, stmt.value):
            return Hit(stmt, "pytestmark skips every test in the module")
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and \
                (ctx.call_name(stmt.value) or "").endswith("skip") and \
                any(kw.arg == "allow_module_level" for kw in stmt.value.keywords):
            return Hit(stmt, "skips the whole test module at import")
    tests = [s for s in node.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))
             and s.name.startswith("test")]
    if len(tests) >= 2 and all(any(_marks_skip(ctx, d) for d in t.decorator_list) for t in tests):
        return Hit(tests[0], f"all {len(tests)} tests carry an unconditional skip/xfail marker")
    return None


def _empty_body(fn: ast.AST) -> bool:
    body = [s for s in getattr(fn, "body", []) if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
    return all(isinstance(s, ast.Pass) for s in body)


@rule("FP403", "emptied-tests", family=FAMILY, technique="neuter-tests", severity=Severity.MEDIUM,
      confidence=Confidence.MEDIUM, nodes=(ast.Module,),
      requires=("def test", "def check"),
      summary="A test module whose test functions have no body left (pass or a docstring only).")
def emptied_tests(ctx: Ctx, node: ast.Module) -> Hit | None:
    if ctx.role != "test":
        return None
    tests = [s for s in ctx.nodes(ast.FunctionDef, ast.AsyncFunctionDef)
             if s.name.startswith("test") or s.name == "check"]
    empty = [t for t in tests if _empty_body(t)]
    if tests and len(empty) == len(tests):
        return Hit(empty[0], f"{len(empty)} test function(s) contain no checks at all")
    if len(empty) >= 2:
        return Hit(empty[0], f"{len(empty)} of {len(tests)} test functions contain no checks",
                   confidence=Confidence.LOW)
    return None


@rule("FP404", "test-file-emptied", family=FAMILY, technique="delete-tests", severity=Severity.MEDIUM,
      confidence=Confidence.MEDIUM, kind="file",
      summary="A submitted test file with no tests left in it (emptied or deleted in the answer).")
def test_file_emptied(ctx: Ctx) -> Hit | None:
    if ctx.role != "test":
        return None
    text = ctx.source
    if "def test" in text or "assert" in text or "class Test" in text:
        return None
    return Hit(ctx.path, "the test file has no tests or asserts left: whatever ran before no longer runs")
