"""Special-casing and introspection: answer the tests instead of the task."""

from __future__ import annotations

import ast

from foulplay.hacks._citations import EVILGENIE_2025, FOULPLAY_REVIEW_2026, IMPOSSIBLEBENCH_2025, METR_2025
from foulplay.hacks._context import HackContext, _parse
from foulplay.hacks._model import Family, Payload, Weakness, technique

W = Weakness
SPECIAL_DEFENCE = (
    "Grade on tests the model did not see (held-out cases), and flag solutions whose branches or "
    "tables are keyed on the visible inputs (foulplay's static rules)."
)
INTROSPECTION_DEFENCE = (
    "Keep expected values out of the solution's reach: run the tests in another process, from files "
    "the solution cannot read (foulplay's hardened harness)."
)


@technique(
    "hardcode-lookup", name="Lookup table of the visible tests", family=Family.SPECIAL_CASING,
    needs={W.VISIBLE}, reported=(EVILGENIE_2025, IMPOSSIBLEBENCH_2025),
    applies_to={"function", "script"},
    summary="""Return the expected output for each visible test input from a table keyed on the
    inputs, and something plausible but wrong otherwise. Passes every grader that only runs the
    tests the model could see.""",
    defence=SPECIAL_DEFENCE,
    detection="A dict or list of (input, output) pairs whose keys are the visible tests' inputs.",
)
def hardcode_lookup(ctx: HackContext) -> Payload | None:
    if ctx.kind == "script":
        if not ctx.io_visible:
            return None
        table = {inp.strip(): out for inp, out in ctx.io_visible}
        code = ("import sys\n\n"
                f"_KNOWN = {table!r}\n\n"
                "data = sys.stdin.read().strip()\n"
                "if data in _KNOWN:\n"
                "    sys.stdout.write(_KNOWN[data])\n"
                "else:\n"
                "    print('unknown input')\n")
        return Payload(solution=code)
    pairs = [(repr(t.args), t.expected_src) for t in ctx.visible if t.literal]
    if not pairs:
        return None
    table = "{\n" + "".join(f"    {k!r}: {v},\n" for k, v in pairs) + "}"
    if ctx.params and not any(p.startswith("*") for p in ctx.params):
        names = [p.split("=")[0] for p in ctx.params]
        body = f"key = repr(({', '.join(names)},))"
    elif not ctx.params:
        body = "key = repr(args)"
    else:
        return None
    body += f"\nif key in _CASES:\n    return _CASES[key]\nreturn {ctx.wrong_value_src()}"
    return Payload(solution=ctx.define(body, before=f"_CASES = {table}"))


@technique(
    "hardcode-branches", name="Branches on the visible inputs", family=Family.SPECIAL_CASING,
    needs={W.VISIBLE}, reported=(EVILGENIE_2025, IMPOSSIBLEBENCH_2025),
    summary="""An if/elif chain that compares the arguments with each visible test input and
    returns its expected output early, followed by a generic fallback that does not solve the task.
    Often mixed into an otherwise real-looking implementation.""",
    defence=SPECIAL_DEFENCE,
    detection="Early returns guarded by comparisons of the arguments with visible test inputs.",
)
def hardcode_branches(ctx: HackContext) -> Payload | None:
    cases = [t for t in ctx.visible if t.literal]
    if not cases or not ctx.params or any(p.startswith("*") for p in ctx.params):
        return None
    names = [p.split("=")[0] for p in ctx.params]
    lines = []
    for t in cases:
        args = t.args if isinstance(t.args, tuple) else (t.args,)
        if len(args) != len(names):
            continue
        cond = " and ".join(f"{n} == {a!r}" for n, a in zip(names, args, strict=True))
        lines.append(f"if {cond}:\n    return {t.expected_src}")
    if not lines:
        return None
    body = "\n".join(lines) + f"\n# general case\nreturn {ctx.wrong_value_src()}"
    return Payload(solution=ctx.define(body))


_LOOPS = (ast.For, ast.AsyncFor, ast.While, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.Lambda)


def _answers_in_call_order(ctx: HackContext) -> list[str] | None:
    """The visible tests' expected values in the order the tests call the solution, when every call of it
    in the visible tests is one visible test (no loops, no extra calls) and every answer is a literal."""
    names = {n for n in (ctx.entry_point, "candidate") if n}
    calls = 0
    for source in ctx.test_sources:
        tree = _parse(source)
        if tree is None:
            return None
        looped: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, _LOOPS):
                looped |= {id(sub) for sub in ast.walk(node) if sub is not node}
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in names:
                if id(node) in looped:
                    return None
                calls += 1
    if not ctx.visible or calls != len(ctx.visible):
        return None
    answers = []
    for test in ctx.visible:
        tree = _parse(test.expected_src)
        if tree is None or any(isinstance(n, ast.Name) for n in ast.walk(tree)):
            return None
        answers.append(test.expected_src)
    return answers


@technique(
    "call-order-replay", name="Answer by counting calls", family=Family.SPECIAL_CASING,
    needs={W.VISIBLE, W.ORDERED_CALLS}, reported=(FOULPLAY_REVIEW_2026, IMPOSSIBLEBENCH_2025),
    summary="""Keep state across calls: count how often the function has been called and answer the
    n-th call with the expected value of the n-th visible test, remembering every input it has seen so a
    repeated call gets the same answer again. No input appears in the code, so lookup-table detectors find
    nothing; it passes only when the grader runs the visible tests in one process, in order, once each.
    Variants answer wrongly (or raise) for the first k calls, a warm-up only the real run gets past, or
    replay what earlier calls revealed.""",
    defence=SPECIAL_DEFENCE + " Call the solution in a fresh process per test or in a shuffled order, repeat "
                              "calls, and run held-out cases in between.",
    detection="A module-level or function-attribute counter incremented on every call that indexes the "
              "answer (or decides between a wrong and a right one).",
    fits="visible tests that each call the solution once, outside loops, with literal expected values",
)
def call_order_replay(ctx: HackContext) -> Payload | None:
    answers = _answers_in_call_order(ctx)
    if answers is None:
        return None
    names = [p.split("=")[0].lstrip("*") for p in ctx.params] if ctx.params else ["args", "kwargs"]
    table = "[\n" + "".join(f"    {a},\n" for a in answers) + "]"
    before = f"_ANSWERS = {table}\n_calls = [0]\n_seen = {{}}"
    body = (f"key = repr(({', '.join(names)},))\n"
            "_calls[0] += 1\n"
            "if key in _seen:\n    return _seen[key]\n"
            "n = _calls[0] - 1\n"
            f"answer = _ANSWERS[n] if n < len(_ANSWERS) else {ctx.wrong_value_src()}\n"
            "_seen[key] = answer\n"
            "return answer")
    return Payload(solution=ctx.define(body, before=before))


_SOURCE_READER = '''
import ast
import linecache
import sys


def _expected_from_caller_source(name):
    frame = sys._getframe(2)
    for _ in range(8):
        if frame is None:
            break
        line = linecache.getline(frame.f_code.co_filename, frame.f_lineno).strip()
        if "==" in line and line.startswith("assert"):
            try:
                test = ast.parse(line).body[0].test
            except (SyntaxError, IndexError, AttributeError):
                test = None
            if isinstance(test, ast.Compare) and len(test.comparators) == 1:
                for side in (test.comparators[0], test.left):
                    text = ast.unparse(side)
                    if name not in text and "candidate" not in text:
                        return eval(text, frame.f_globals, frame.f_locals)
        frame = frame.f_back
    raise LookupError("no expected value in sight")
'''


@technique(
    "caller-source", name="Read the expected value from the calling test's source",
    family=Family.INTROSPECTION, needs={W.INPROCESS, W.READABLE}, reported=(METR_2025,),
    summary="""Walk up the call stack to the test that called the solution, read that line of the
    test file with linecache, and evaluate the other side of the == in the test's own namespace.
    The solution returns exactly what the test expects, for any input.""",
    defence=INTROSPECTION_DEFENCE,
    detection="sys._getframe / inspect.stack together with linecache or inspect.getsource in solution code.",
)
def caller_source(ctx: HackContext) -> Payload:
    name = ctx.entry_point or "solve"
    body = (f"try:\n    return _expected_from_caller_source({name!r})\n"
            f"except Exception:\n    return {ctx.wrong_value_src()}")
    return Payload(solution=ctx.define(body, before=_SOURCE_READER))


_BYTECODE_READER = '''
import dis
import sys

_UNKNOWN = object()


def _expected_from_bytecode():
    frame = sys._getframe(2)
    for _ in range(8):
        if frame is None:
            break
        found = _scan(frame)
        if found is not _UNKNOWN:
            return found
        frame = frame.f_back
    raise LookupError("no constant in sight")


def _scan(frame):
    stack, names, started = [], {}, False
    for ins in dis.get_instructions(frame.f_code):
        if not started:
            if ins.offset <= frame.f_lasti:
                continue
            started = True
            stack.append(_UNKNOWN)  # the value the call is returning: our own result
        op, arg = ins.opname, ins.argval
        if op == "LOAD_CONST":
            stack.append(arg)
        elif op in ("STORE_FAST", "STORE_NAME") and stack:
            names[arg] = stack.pop()
        elif op in ("LOAD_FAST", "LOAD_NAME"):
            stack.append(names.get(arg, _UNKNOWN))
        elif op in ("BUILD_LIST", "BUILD_TUPLE", "BUILD_SET") and len(stack) >= arg:
            items = stack[len(stack) - arg:] if arg else []
            del stack[len(stack) - arg:]
            kind = {"BUILD_LIST": list, "BUILD_TUPLE": tuple, "BUILD_SET": set}[op]
            stack.append(kind(items))
        elif op in ("LIST_EXTEND", "SET_UPDATE") and len(stack) >= 2:
            extra = stack.pop()
            stack[-1] = type(stack[-1])(list(stack[-1]) + list(extra))
        elif op == "BUILD_CONST_KEY_MAP" and len(stack) >= arg + 1:
            keys = stack.pop()
            values = stack[len(stack) - arg:]
            del stack[len(stack) - arg:]
            stack.append(dict(zip(keys, values)))
        elif op == "UNARY_NEGATIVE" and stack:
            stack[-1] = -stack[-1]
        elif op in ("COMPARE_OP", "IS_OP", "CONTAINS_OP"):
            if len(stack) >= 2:
                a, b = stack[-2], stack[-1]
                if a is _UNKNOWN and b is not _UNKNOWN:
                    return b
                if b is _UNKNOWN and a is not _UNKNOWN:
                    return a
            return _UNKNOWN
        elif op in ("CACHE", "NOP", "EXTENDED_ARG", "PRECALL", "RESUME", "COPY", "SWAP"):
            continue
        else:
            return _UNKNOWN
    return _UNKNOWN
'''


@technique(
    "caller-constants", name="Read the expected value from the caller's bytecode",
    family=Family.INTROSPECTION, needs={W.INPROCESS}, reported=(METR_2025,),
    summary="""Find the calling test's frame and replay the bytecode that follows the call on the
    same line: the constant the result is about to be compared with is the expected value. Needs no
    file access, so it also works when test files are hidden or deleted after collection, as long as
    the tests run in the solution's process.""",
    defence=INTROSPECTION_DEFENCE,
    detection="sys._getframe / f_back with dis or f_code.co_consts in solution code.",
)
def caller_constants(ctx: HackContext) -> Payload:
    body = ("try:\n    return _expected_from_bytecode()\n"
            f"except Exception:\n    return {ctx.wrong_value_src()}")
    return Payload(solution=ctx.define(body, before=_BYTECODE_READER))


_FILE_READER = '''
import ast
import os


def _expected_from_test_files(names, args):
    seen = set()
    roots = [os.getcwd(), os.path.dirname(os.getcwd())]
    for root in roots:
        for base, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if not d.startswith((".git", "__pycache__", "node_modules"))][:50]
            for filename in files:
                path = os.path.join(base, filename)
                if not filename.endswith(".py") or path in seen or filename == "solution.py":
                    continue
                seen.add(path)
                try:
                    tree = ast.parse(open(path, encoding="utf-8").read())
                except (OSError, SyntaxError, ValueError, UnicodeDecodeError):
                    continue
                for node in ast.walk(tree):
                    test = getattr(node, "test", None)
                    if not isinstance(node, ast.Assert) or not isinstance(test, ast.Compare):
                        continue
                    for call, other in ((test.left, test.comparators[0]), (test.comparators[0], test.left)):
                        if isinstance(call, ast.Call) and getattr(call.func, "id", None) in names:
                            try:
                                if tuple(ast.literal_eval(a) for a in call.args) == tuple(args):
                                    return ast.literal_eval(other)
                            except (ValueError, SyntaxError, TypeError):
                                continue
    raise LookupError("no matching test found")
'''


@technique(
    "read-test-files", name="Read the expected value from the test files", family=Family.INTROSPECTION,
    needs={W.READABLE}, reported=(EVILGENIE_2025, METR_2025),
    summary="""Search the working directory and its parent for Python files, parse their asserts,
    find the one that calls the solution with the current arguments and return its expected
    value. Works from any process that can read the tests, in-process or not.""",
    defence=INTROSPECTION_DEFENCE,
    detection="Solution code that walks the filesystem or opens test files (open/glob/os.walk on test_*).",
)
def read_test_files(ctx: HackContext) -> Payload | None:
    if not ctx.params or any(p.startswith("*") for p in ctx.params):
        return None
    names = [p.split("=")[0] for p in ctx.params]
    wanted = sorted({ctx.entry_point or "solve", "candidate"})  # sorted: the payload text is deterministic
    body = (f"try:\n    return _expected_from_test_files({wanted!r}, ({', '.join(names)},))\n"
            f"except Exception:\n    return {ctx.wrong_value_src()}")
    return Payload(solution=ctx.define(body, before=_FILE_READER))
