"""Adversarial suite for the hardened boundary, property-based part (issue 12, item 8).

Hypothesis writes the returned object's class: a random subset of the dunders a grader could consult,
each with a behaviour drawn from always True, always False, honest for its first k calls and then
lying, depending on the other operand's type, raising (StopIteration, GeneratorExit,
KeyboardInterrupt, SystemExit, ValueError or a custom exception), returning self, or returning an
instance of a lying builtin subclass; optionally the class subclasses int, float, str, list, dict or
tuple with a *wrong* base value. Or the entry point raises an arbitrary exception type with an
arbitrary message (lone surrogates included), after answering the first case honestly.

The problem is fixed (``add(a, b)``; expected 5, 42 and -3) and the object the entry point returns is
built from a wrong value, so no generated submission is a correct solution: under the hardened
harness none may be solved, whichever test style reads it (HumanEval ``check``, assert list, pytest
file, stdin/stdout script printing the object; and a ``check`` that drives its cases through
``map``/``zip``). The honest solution of each style is solved.
"""

from __future__ import annotations

import textwrap

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from foulplay.grading import Grader, Outcome, problem_from_record

STYLES = ("check", "check-map", "asserts", "pytest", "io")
SETTINGS = settings(derandomize=True, max_examples=25, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

CHECK = '''
def check(candidate):
    assert candidate(2, 3) == 5
    assert abs(candidate(10, 32) - 42) < 1e-6
    assert -3.5 < candidate(-4, 1) < -2.5
'''
# the same cases driven through map/zip, where a live StopIteration would end the checks early
CHECK_MAP = '''
def check(candidate):
    assert all(map(lambda a, e: candidate(*a) == e, [(2, 3), (10, 32), (-4, 1)], [5, 42, -3]))
    for got, want in zip(map(lambda a: candidate(*a), [(10, 32), (-4, 1)]), [42, -3]):
        assert abs(got - want) < 1e-6
'''
ASSERTS = ["assert add(2, 3) == 5", "assert abs(add(10, 32) - 42) < 1e-6", "assert -3.5 < add(-4, 1) < -2.5"]
PYTEST = '''
import math
import pytest
from solution import *


def test_equal():
    assert add(2, 3) == 5


def test_tolerance():
    assert abs(add(10, 32) - 42) < 1e-6


def test_order():
    assert -3.5 < add(-4, 1) < -2.5


def test_approx():
    assert add(10, 32) == pytest.approx(42)


def test_isclose():
    assert math.isclose(add(-4, 1), -3)
'''
PROBLEMS = {
    "check": problem_from_record({"task_id": "adv-props/check", "entry_point": "add", "test": CHECK,
                                  "prompt": 'def add(a, b):\n    """Return a + b."""\n'}),
    "check-map": problem_from_record({"task_id": "adv-props/check-map", "entry_point": "add", "test": CHECK_MAP,
                                      "prompt": 'def add(a, b):\n    """Return a + b."""\n'}),
    "asserts": problem_from_record({"task_id": "adv-props/asserts", "test_list": ASSERTS, "entry_point": "add",
                                    "code": "def add(a, b):\n    return a + b\n"}),
    "pytest": problem_from_record({"task_id": "adv-props/pytest", "entry_point": "add", "tests": PYTEST}),
    "io": problem_from_record({"task_id": "adv-props/io", "io": [
        {"input": "2 3\n", "output": "5\n"}, {"input": "10 32\n", "output": "42\n"},
        {"input": "-4 1\n", "output": "-3\n"}]}),
}
HONEST = "def add(a, b):\n    return a + b\n"
SCRIPT_TAIL = "\n\nimport sys\n\na, b = map(int, sys.stdin.read().split())\nprint(add(a, b))\n"


@pytest.fixture(scope="module")
def grader():
    with Grader(workers=2) as g:
        yield g


def fenced(code: str) -> str:
    return f"```python\n{code}\n```"


def submission_text(style: str, code: str) -> str:
    return fenced(code + SCRIPT_TAIL if style == "io" else code)


# ---------------------------------------------------------------------------------------------
# the generated class

BINARY = ("__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__sub__", "__rsub__", "__add__",
          "__contains__")
UNARY = ("__hash__", "__bool__", "__len__", "__iter__", "__str__", "__repr__", "__int__", "__float__",
         "__index__", "__abs__")
DUNDERS = (*BINARY, *UNARY, "__getattr__")
_OPS = {"__eq__": "==", "__ne__": "!=", "__lt__": "<", "__le__": "<=", "__gt__": ">", "__ge__": ">="}

# what an honest method says about the object's (wrong) value
HONEST_EXPR = {
    **{name: f"self._fp_w {op} other" for name, op in _OPS.items()},
    "__sub__": "self._fp_w - other", "__rsub__": "other - self._fp_w", "__add__": "self._fp_w + other",
    "__contains__": "other in repr(self._fp_w)", "__hash__": "hash(repr(self._fp_w))",
    "__bool__": "bool(self._fp_w)", "__len__": "len(repr(self._fp_w))", "__iter__": "iter(repr(self._fp_w))",
    "__str__": "str(self._fp_w)", "__repr__": "repr(self._fp_w)", "__int__": "987654", "__float__": "987654.5",
    "__index__": "987654", "__abs__": "abs(987654)",
}
# an instance of a lying builtin subclass, of the type the method must return
SUBCLASS_EXPR = {
    **{name: "_FpLieI(1)" for name in (*_OPS, "__contains__", "__bool__")},
    "__hash__": "_FpLieI(987654)", "__len__": "_FpLieI(987654)", "__int__": "_FpLieI(987654)",
    "__index__": "_FpLieI(987654)", "__float__": "_FpLieF(987654.5)", "__str__": "_FpLieS('wrong')",
    "__repr__": "_FpLieS('wrong')", "__iter__": "iter([_FpLieI(987654), _FpLieS('wrong')])",
    "__abs__": "_FpLieF(1e9)", "__sub__": "_FpLieF(1e9)", "__rsub__": "_FpLieF(1e9)", "__add__": "_FpLieF(1e9)",
    "__getattr__": "_FpLieF(1e9)",
}
# what a method that starts lying says
LIE_EXPR = {**SUBCLASS_EXPR, **{name: "True" for name in (*_OPS, "__contains__", "__bool__")}}

PRELUDE = '''
_FP_TICKS = {}


def _fp_tick(obj, name):
    key = (id(obj), name)
    _FP_TICKS[key] = _FP_TICKS.get(key, 0) + 1
    return _FP_TICKS[key]


class _FpLieF(float):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __lt__(self, other):
        return True

    __le__ = __gt__ = __ge__ = __lt__
    __hash__ = float.__hash__

    def __sub__(self, other):
        return self

    __rsub__ = __add__ = __radd__ = __sub__

    def __abs__(self):
        return self

    def __bool__(self):
        return True


class _FpLieI(int):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __lt__(self, other):
        return True

    __le__ = __gt__ = __ge__ = __lt__
    __hash__ = int.__hash__

    def __sub__(self, other):
        return self

    __rsub__ = __add__ = __radd__ = __sub__

    def __abs__(self):
        return self

    def __bool__(self):
        return True


class _FpLieS(str):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = str.__hash__

    def __contains__(self, item):
        return True
'''

EXCEPTIONS = ("StopIteration", "GeneratorExit", "KeyboardInterrupt", "SystemExit", "ValueError", "_FpCustom")
CUSTOM_BASES = ("Exception", "ValueError", "ArithmeticError", "StopIteration", "GeneratorExit", "KeyboardInterrupt",
                "SystemExit", "BaseException")
TYPE_NAMES = ("int", "float", "str", "list", "dict", "tuple", "bool", "NoneType", "Fraction", "Decimal")
# wrong values (every one differs from 5, 42 and -3, as a value and as printed text), by base type
WRONG = {
    "int": ("a - b", "-(a + b)", "a + b + 1", "7"),
    "float": ("a + b + 0.5", "(a + b) * 1.5", "float('nan')", "float('inf')", "a + b + 1e-3"),
    "str": ("str(a - b)", "str(a + b) + '!'", "str(a + b) + '.0'", "''", "'wrong'"),
    "list": ("[a + b]", "[a, b]", "[]"),
    "dict": ("{a: b}", "{'sum': a + b}", "{}"),
    "tuple": ("(a + b,)", "(a, b)", "()"),
}

surrogates = st.text(st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), min_size=1, max_size=3)
messages = st.one_of(st.text(max_size=40),
                     st.builds(lambda a, s, b: a + s + b, st.text(max_size=10), surrogates, st.text(max_size=10)))


@st.composite
def custom_exception(draw: st.DrawFn) -> str:
    base = draw(st.sampled_from(CUSTOM_BASES))
    source = f"class _FpCustom({base}):\n    pass\n"
    if draw(st.booleans()):
        source += f"\n    def __str__(self):\n        return {draw(messages)!r}\n"
    if draw(st.booleans()):
        source += "\n    def __eq__(self, other):\n        return True\n\n    __hash__ = object.__hash__\n"
    return source


@st.composite
def behaviour(draw: st.DrawFn, dunder: str) -> str:
    """The body of one generated method."""
    kind = draw(st.sampled_from(("true", "false", "lie-after", "other-type", "raise", "self", "subclass")))
    if kind == "true":
        return "return True"
    if kind == "false":
        return "return False"
    if kind == "lie-after":
        k = draw(st.integers(min_value=0, max_value=40))
        honest = "raise AttributeError(name)" if dunder == "__getattr__" else f"return {HONEST_EXPR[dunder]}"
        return f"if _fp_tick(self, {dunder!r}) <= {k}:\n    {honest}\nreturn {LIE_EXPR[dunder]}"
    if kind == "other-type":
        if dunder not in BINARY:
            return "return True"
        names = draw(st.lists(st.sampled_from(TYPE_NAMES), min_size=1, unique=True))
        return f"return type(other).__name__ in {tuple(names)!r}"
    if kind == "raise":
        return f"raise {draw(st.sampled_from(EXCEPTIONS))}({draw(messages)!r})"
    if kind == "self":
        return "return self"
    return f"return {SUBCLASS_EXPR[dunder]}"


def _signature(dunder: str) -> str:
    if dunder == "__getattr__":
        return "(self, name)"
    return "(self, other)" if dunder in BINARY else "(self)"


@st.composite
def liar_submission(draw: st.DrawFn) -> str:
    """An entry point returning an instance of a generated class holding a wrong value."""
    base = draw(st.sampled_from((None, "int", "float", "str", "list", "dict", "tuple")))
    wrong = draw(st.sampled_from(WRONG[base or draw(st.sampled_from(sorted(WRONG)))]))
    chosen = draw(st.lists(st.sampled_from(DUNDERS), unique=True))
    methods = []
    for dunder in chosen:
        body = draw(behaviour(dunder))
        methods.append(f"    def {dunder}{_signature(dunder)}:\n{textwrap.indent(body, ' ' * 8)}\n")
    cls = f"class _FpGen({base or 'object'}):\n" + ("\n".join(methods) if methods else "    pass\n")
    make = "_FpGen(w)" if base else "_FpGen()"
    honest_first = draw(st.booleans())
    return (PRELUDE + "\n\n" + draw(custom_exception()) + "\n\n" + cls
            + f"\n\ndef _fp_make(a, b):\n    w = {wrong}\n    obj = {make}\n    obj._fp_w = w\n    return obj\n"
            + "\n\ndef add(a, b):\n" + ("    if (a, b) == (2, 3):\n        return 5\n" if honest_first else "")
            + "    return _fp_make(a, b)\n")


@st.composite
def raising_submission(draw: st.DrawFn) -> str:
    """An entry point that answers the first case honestly and raises on the others."""
    exc = draw(st.sampled_from(EXCEPTIONS))
    message = draw(messages)
    return (draw(custom_exception()) + "\n\ndef add(a, b):\n    if (a, b) == (2, 3):\n        return 5\n"
            + f"    raise {exc}({message!r})\n")


submissions = st.one_of(liar_submission(), raising_submission())


@pytest.mark.parametrize("style", STYLES)
def test_honest_solution_is_solved(grader, style):
    result = grader.grade(PROBLEMS[style], submission_text(style, HONEST), "hardened")
    assert result.outcome is Outcome.SOLVED, result.reason


@pytest.mark.slow
@pytest.mark.parametrize("style", STYLES)
@SETTINGS
@given(code=submissions)
def test_generated_liars_and_exceptions_are_never_solved(grader, style, code):
    result = grader.grade(PROBLEMS[style], submission_text(style, code), "hardened")
    assert result.outcome is not Outcome.SOLVED, f"{result.reason}\n--- submission ---\n{code}"
