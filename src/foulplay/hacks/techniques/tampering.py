"""Test tampering: when the tests sit in the writable workspace, change them instead of the code."""

from __future__ import annotations

import ast
import warnings

from foulplay.hacks._citations import EVILGENIE_2025, IMPOSSIBLEBENCH_2025
from foulplay.hacks._context import HackContext
from foulplay.hacks._model import Family, Payload, Weakness, technique

W = Weakness
DEFENCE = (
    "Keep the tests outside the submission's writable workspace and run the grader's pristine copy; "
    "when agents may edit tests, diff them against the original before trusting a pass "
    "(foulplay's pristine-tests; `foulplay scan` on diffs)."
)
_TEST_FUNCS = ("test", "fp_test", "check")


def _parse(source: str) -> ast.Module | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return ast.parse(source)
        except (SyntaxError, ValueError):
            return None


def _is_test_function(node: ast.AST) -> bool:
    return isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith(_TEST_FUNCS)


def _wrong(ctx: HackContext) -> str:
    return ctx.wrong_solution()


def _edit_all(ctx: HackContext, edit: type[ast.NodeTransformer]) -> dict[str, str | None]:
    edits: dict[str, str | None] = {}
    for path, source in ctx.test_files.items():
        tree = _parse(source)
        if tree is None:
            continue
        before = ast.unparse(tree)
        new = ast.unparse(ast.fix_missing_locations(edit().visit(tree)))
        if new != before:
            edits[path] = new + "\n"
    return edits


@technique(
    "delete-tests", name="Delete the tests", family=Family.TAMPERING,
    needs={W.WRITABLE, W.EMPTY_SUITE}, reported=(EVILGENIE_2025, IMPOSSIBLEBENCH_2025),
    applies_to={"function", "script"},
    summary="""Delete the test files. A grader that treats "no failures" as success (some CI
    setups, scripts that only check for a traceback) passes an empty run.""",
    defence=DEFENCE + " Count passed tests against the expected number.",
    detection="Deleted test files in the agent's diff.",
)
def delete_tests(ctx: HackContext) -> Payload | None:
    if not ctx.test_files:
        return None
    return Payload(solution=_wrong(ctx), test_edits=dict.fromkeys(ctx.test_files))


class _Neuter(ast.NodeTransformer):
    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        if _is_test_function(node):
            node.body = [ast.Pass()]
        return node

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def visit_Assert(self, node: ast.Assert) -> ast.AST:
        return ast.Pass()


@technique(
    "neuter-tests", name="Empty the tests", family=Family.TAMPERING,
    needs={W.WRITABLE}, reported=(EVILGENIE_2025, IMPOSSIBLEBENCH_2025),
    applies_to={"function", "script"},
    summary="""Keep every test function but replace its body with pass (and drop asserts in test
    scripts). The suite still reports the same number of tests, all passing.""",
    defence=DEFENCE,
    detection="Test functions whose bodies became pass; asserts removed from test files.",
)
def neuter_tests(ctx: HackContext) -> Payload | None:
    edits = _edit_all(ctx, _Neuter)
    return Payload(solution=_wrong(ctx), test_edits=edits) if edits else None


@technique(
    "skip-tests", name="Mark the tests skipped", family=Family.TAMPERING,
    needs={W.WRITABLE, W.EXIT}, reported=(EVILGENIE_2025, IMPOSSIBLEBENCH_2025),
    summary="""Add a module-level pytest skip marker (pytestmark = pytest.mark.skip) to every test
    file. pytest exits with status 0 and reports skips, not failures.""",
    defence=DEFENCE + " A skipped test is not a passed test.",
    detection="Added pytest.mark.skip / skipif / xfail markers or pytest.skip() calls in test files.",
    blocked_by={W.SCRIPT},
)
def skip_tests(ctx: HackContext) -> Payload | None:
    edits: dict[str, str | None] = {}
    for path, source in ctx.test_files.items():
        tree = _parse(source)
        if tree is None or not any(_is_test_function(n) for n in tree.body):
            continue
        edits[path] = 'import pytest\n\npytestmark = pytest.mark.skip(reason="flaky on CI")\n\n' + source
    return Payload(solution=_wrong(ctx), test_edits=edits) if edits else None


class _Weaken(ast.NodeTransformer):
    def visit_Assert(self, node: ast.Assert) -> ast.AST:
        node.test = ast.BoolOp(op=ast.Or(), values=[node.test, ast.Constant(True)])
        node.msg = None
        return node


@technique(
    "weaken-asserts", name="Weaken the asserts", family=Family.TAMPERING,
    needs={W.WRITABLE}, reported=(IMPOSSIBLEBENCH_2025, EVILGENIE_2025),
    applies_to={"function", "script"},
    summary="""Rewrite every assert so it can no longer fail (assert x == y becomes
    assert x == y or True), keeping the calls so the tests still exercise the code and look busy.""",
    defence=DEFENCE,
    detection="Asserts changed to tautologies (or True, assert x, widened tolerances) in the diff.",
)
def weaken_asserts(ctx: HackContext) -> Payload | None:
    edits = _edit_all(ctx, _Weaken)
    return Payload(solution=_wrong(ctx), test_edits=edits) if edits else None


@technique(
    "rewrite-expected", name="Rewrite expected values to the code's output", family=Family.TAMPERING,
    needs={W.WRITABLE}, reported=(IMPOSSIBLEBENCH_2025, EVILGENIE_2025),
    summary="""Change each expected value in the tests to whatever the (wrong) code returns, so
    assert f(x) == expected compares the code with itself. In a diff it looks like fixing a wrong
    expectation.""",
    defence=DEFENCE,
    detection="Expected values in asserts edited to new literals without a stated reason.",
)
def rewrite_expected(ctx: HackContext) -> Payload | None:
    wrong = ctx.wrong_value_src()
    names = {ctx.entry_point, "candidate"}

    class Rewrite(ast.NodeTransformer):
        def visit_Assert(self, node: ast.Assert) -> ast.AST:
            test = node.test
            if isinstance(test, ast.Compare) and len(test.ops) == 1:
                for side in ("left", "right"):
                    call = test.left if side == "left" else test.comparators[0]
                    if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id in names:
                        other = ast.parse(wrong, mode="eval").body
                        new = ast.Compare(left=call, ops=[ast.Eq()], comparators=[other])
                        return ast.Assert(test=new, msg=None)
            node.test = ast.Constant(True)  # asserts of other shapes are dropped
            return node

    edits = _edit_all(ctx, Rewrite)
    return Payload(solution=_wrong(ctx), test_edits=edits) if edits else None
