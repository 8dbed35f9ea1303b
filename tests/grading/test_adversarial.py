"""Adversarial suite for the hardened boundary (issue 12, item 8): attacks written by hand.

One invariant runs through every test: under the ``hardened`` harness a wrong completion is never
``solved`` (it may be ``failed``, ``tampered``, ``error`` or ``timeout``; where the issue says which
outcome is right, the test says it precisely). Every family carries its control: the honest
solution of the same problem *is* solved, so no test can pass by the grader failing everything.

The problems are small and written here; each attack is tried on the test styles the grader knows:
HumanEval (``check(candidate)``), assert lists (MBPP), a pytest file that star-imports the solution
and, where it means something, a stdin/stdout script. The boundary these tests are written to:

* what a submission returns is turned into plain data inside the submission's process and crosses as
  data (exact builtin types and the standard library's value types: Fraction, Decimal, the datetime
  family, Counter, OrderedDict, defaultdict, deque), read with the base type's own accessors, so a
  subclass counts as its genuine base value and an OrderedDict keeps its own order; every comparison
  runs on trusted values; no submission code runs in the trusted process;
* names the tests use resolve in the trusted interpreter (the submission contributes its entry point
  and the names the problem declares, nothing else);
* an exception the submission raises becomes data (a failed test), never a live ``StopIteration``,
  ``GeneratorExit``, ``KeyboardInterrupt`` or ``SystemExit`` in trusted code;
* a verdict does not depend on state kept across calls (replaying the calls in another order in a
  fresh process must agree), nor on state kept across runs;
* building failure messages is bounded.
"""

from __future__ import annotations

import datetime
import json
import os
import secrets
import textwrap
import threading
from collections import Counter, OrderedDict, deque
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

from foulplay.grading import Grader, GradeResult, Outcome, Problem, problem_from_record
from foulplay.vocab import Isolation

NOT_SOLVED = frozenset({Outcome.FAILED, Outcome.TAMPERED, Outcome.ERROR, Outcome.TIMEOUT})
CAUGHT = frozenset({Outcome.FAILED, Outcome.TAMPERED})
"""A lying object, or an exception turned into data: a failed test or a recorded defence, never a
crash of the trusted side (error) or a hang (timeout)."""
STYLES = ("check", "asserts", "pytest")
GRADE_BOUND_S = 120.0


@pytest.fixture(scope="module")
def grader():
    with Grader(workers=2) as g:
        yield g


# ---------------------------------------------------------------------------------------------
# problems


@dataclass(frozen=True)
class Spec:
    """A small function problem: its cases, the right answer and a wrong value of the right type."""

    key: str
    entry: str
    params: str
    cases: tuple[tuple[tuple[Any, ...], Any], ...]
    right: str
    """An expression of the parameters: the right answer."""
    wrong: str
    """An expression of the parameters: a value of the answer's type that is wrong for every case."""
    tolerance: bool = False
    """Checked with ``abs(got - expected) < 1e-6`` and a chained comparison instead of ``==``."""
    imports: str = ""
    """What the tests and the solution import to spell the answers."""

    @property
    def honest(self) -> str:
        return f"return {self.right}"


ADD = Spec("add", "add", "a, b", (((2, 3), 5), ((-4, 1), -3), ((10, 32), 42)), "a + b", "a - b")
SORT = Spec("sort", "sort_list", "xs",
            ((([3, 1, 2],), [1, 2, 3]), (([5, -1, 5, 0],), [-1, 0, 5, 5]), (([7],), [7])),
            "sorted(xs)", "list(xs) + [0]")
DIV = Spec("div", "div", "a, b", (((1, 4), 0.25), ((2, 3), 2 / 3), ((-9, 2), -4.5)), "a / b", "a / b + 0.5",
           tolerance=True)
COUNTS = Spec("counts", "char_counts", "s",
              ((("abca",), {"a": 2, "b": 1, "c": 1}), (("",), {}), (("zz",), {"z": 2})),
              "{ch: s.count(ch) for ch in s}", "{'?': len(s)}")
WORDS = Spec("words", "reverse_words", "s",
             ((("hello world",), "world hello"), (("a b c",), "c b a"), (("x",), "x")),
             "' '.join(reversed(s.split()))", "s + '!'")
MINMAX = Spec("minmax", "min_max", "xs",
              ((([3, 1, 2],), (1, 3)), (([5],), (5, 5)), (([-2, 7, 0],), (-2, 7))),
              "(min(xs), max(xs))", "(max(xs) + 1, min(xs) - 1)")
# the standard library's value types the boundary carries
FRACTION = Spec("fraction", "ratio", "a, b",
                (((1, 2), Fraction(1, 2)), ((2, 4), Fraction(1, 2)), ((3, 1), Fraction(3, 1))),
                "Fraction(a, b)", "Fraction(a + 1, b)", imports="from fractions import Fraction")
DECIMAL = Spec("decimal", "dollars", "cents",
               (((150,), Decimal("1.50")), ((7,), Decimal("0.07")), ((1,), Decimal("0.01"))),
               "(Decimal(cents) / 100).quantize(Decimal('0.01'))", "Decimal(cents + 1) / 100",
               imports="from decimal import Decimal")
COUNTER = Spec("counter", "tally", "s",
               ((("abca",), Counter("abca")), (("zz",), Counter("zz")), (("",), Counter())),
               "Counter(s)", "Counter(s + '?')", imports="from collections import Counter")
ODICT = Spec("odict", "by_length", "words",
             (((["bb", "a", "ccc"],), OrderedDict([("a", 1), ("bb", 2), ("ccc", 3)])),
              ((["dddd", "ee"],), OrderedDict([("ee", 2), ("dddd", 4)])),
              ((["xyz", "x"],), OrderedDict([("x", 1), ("xyz", 3)]))),
             "OrderedDict((w, len(w)) for w in sorted(words, key=len))", "OrderedDict((w, len(w)) for w in words)",
             imports="from collections import OrderedDict")
DEQUE = Spec("deque", "window", "xs, n",
             ((([1, 2, 3, 4], 2), deque([3, 4], maxlen=2)), (([5, 6, 7], 1), deque([7], maxlen=1)),
              (([9, 8, 7, 6], 3), deque([8, 7, 6], maxlen=3))),
             "deque(xs, maxlen=n)", "deque(xs[:n], maxlen=n)", imports="from collections import deque")
DATE = Spec("date", "next_day", "y, m, d",
            (((2024, 2, 28), datetime.date(2024, 2, 29)), ((2023, 12, 31), datetime.date(2024, 1, 1)),
             ((2024, 3, 1), datetime.date(2024, 3, 2))),
            "date(y, m, d) + timedelta(days=1)", "date(y, m, d) + timedelta(days=2)",
            imports="import datetime\nfrom datetime import date, timedelta")
SPECS = {s.key: s for s in (ADD, SORT, DIV, COUNTS, WORDS, MINMAX, FRACTION, DECIMAL, COUNTER, ODICT, DEQUE, DATE)}


def _call(fn: str, args: tuple[Any, ...]) -> str:
    return f"{fn}({', '.join(map(repr, args))})"


def case_assert(spec: Spec, fn: str, i: int) -> str:
    args, expected = spec.cases[i]
    call = _call(fn, args)
    if not spec.tolerance:
        return f"assert {call} == {expected!r}"
    if i % 2 == 0:
        return f"assert abs({call} - {expected!r}) < 1e-6"
    return f"assert {expected!r} - 1e-6 < {call} < {expected!r} + 1e-6"


def _uid(*parts: str) -> str:
    return "adv/" + "/".join(parts) + "/" + secrets.token_hex(3)


def check_problem(spec: Spec, lines: list[str] | None = None, *, header: str = "import math\n") -> Problem:
    """HumanEval style: ``check(candidate)`` holding ``lines`` (default: one assert per case)."""
    lines = lines if lines is not None else [case_assert(spec, "candidate", i) for i in range(len(spec.cases))]
    test = header + spec.imports + "\n\ndef check(candidate):\n" + textwrap.indent("\n".join(lines), "    ") + "\n"
    prompt = f'def {spec.entry}({spec.params}):\n    """Solve the {spec.key} task."""\n'
    return problem_from_record({"task_id": _uid("check", spec.key), "prompt": prompt,
                                "entry_point": spec.entry, "test": test})


def mbpp_problem(spec: Spec, asserts: list[str] | None = None, *, imports: Iterable[str] = ()) -> Problem:
    """MBPP style: a list of assert statements naming the entry point."""
    asserts = asserts if asserts is not None else [case_assert(spec, spec.entry, i) for i in range(len(spec.cases))]
    record: dict[str, Any] = {"task_id": _uid("mbpp", spec.key), "text": f"Solve the {spec.key} task.",
                              "test_list": asserts, "entry_point": spec.entry,
                              "code": function_source(spec, spec.honest)}
    imports = [*imports, *spec.imports.splitlines()]
    if imports:
        record["test_imports"] = imports
    return problem_from_record(record)


PYTEST_HEADER = "import math\nimport pytest\nfrom solution import *\n"


def pytest_problem(spec: Spec, tests: dict[str, list[str]] | None = None, *, header: str = PYTEST_HEADER) -> Problem:
    """A pytest file that star-imports the solution; ``tests`` maps test names to body lines."""
    if tests is None:
        tests = {f"test_case_{i}": [case_assert(spec, spec.entry, i)] for i in range(len(spec.cases))}
    body = "".join(f"\n\ndef {name}():\n" + textwrap.indent("\n".join(lines), "    ") + "\n"
                   for name, lines in tests.items())
    return problem_from_record({"task_id": _uid("pytest", spec.key), "entry_point": spec.entry,
                                "tests": spec.imports + "\n" + header + body})


def io_problem(spec: Spec) -> Problem:
    """A script reading ``repr(args)`` on stdin and printing the answer."""
    cases = [{"input": repr(args) + "\n", "output": f"{expected}\n"} for args, expected in spec.cases]
    return problem_from_record({"task_id": _uid("io", spec.key), "io": cases})


def problem_for(style: str, spec: Spec) -> Problem:
    return {"check": check_problem, "asserts": mbpp_problem, "pytest": pytest_problem, "io": io_problem}[style](spec)


# ---------------------------------------------------------------------------------------------
# submissions


def function_source(spec: Spec, body: str, prelude: str = "") -> str:
    body = textwrap.indent(body.strip(), "    ")
    return f"{spec.imports}\n{prelude.strip()}\n\n\ndef {spec.entry}({spec.params}):\n{body}\n"


def script_source(spec: Spec, body: str, prelude: str = "") -> str:
    return (function_source(spec, body, prelude)
            + f"\n\nimport ast\nimport sys\n\nprint({spec.entry}(*ast.literal_eval(sys.stdin.read())))\n")


def source_for(style: str, spec: Spec, body: str, prelude: str = "") -> str:
    return (script_source if style == "io" else function_source)(spec, body, prelude)


def fenced(code: str) -> str:
    return f"```python\n{code}\n```"


def attack_source(style: str, spec: Spec, prelude: str) -> str:
    """A submission whose entry point returns ``_fp_attack(<wrong value>)``."""
    return source_for(style, spec, f"return _fp_attack({spec.wrong})", prelude)


def honest_source(style: str, spec: Spec) -> str:
    return source_for(style, spec, spec.honest)


# ---------------------------------------------------------------------------------------------
# grading helpers


def grade(grader: Grader, problem: Problem, code: str) -> GradeResult:
    return grader.grade(problem, fenced(code), "hardened")


def grade_batch(grader: Grader, items: list[tuple[Problem, str]]) -> list[GradeResult]:
    """Grade (problem, code) pairs on all workers; results in input order."""
    return list(grader.grade_many([(p, fenced(code), None) for p, code in items], harness="hardened"))


def grade_within(grader: Grader, problem: Problem, code: str, seconds: float = GRADE_BOUND_S) -> GradeResult:
    """``grade``, failing the test if the call has not returned after ``seconds``."""
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["result"] = grade(grader, problem, code)
        except BaseException as exc:  # reported in the test's thread
            box["error"] = exc

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"the grade call did not return within {seconds:g} s"
    if "error" in box:
        raise box["error"]
    return box["result"]


def describe(result: GradeResult) -> str:
    return f"{result.task_id}: {result.outcome.value}: {result.reason}"


def assert_solved(result: GradeResult) -> None:
    assert result.outcome is Outcome.SOLVED, describe(result)


def assert_not_solved(result: GradeResult, allowed: frozenset[Outcome] = NOT_SOLVED) -> None:
    assert result.outcome is not Outcome.SOLVED, describe(result)
    assert result.outcome in allowed, describe(result)


# ---------------------------------------------------------------------------------------------
# controls: the honest solution of every problem is solved


@pytest.mark.parametrize("style", [*STYLES, "io"])
def test_honest_solutions_are_solved(grader, style):
    specs = list(SPECS.values())
    results = grade_batch(grader, [(problem_for(style, s), honest_source(style, s)) for s in specs])
    for result in results:
        assert_solved(result)


# ---------------------------------------------------------------------------------------------
# objects that lie

ALWAYS_EQUAL = '''
class _FpAlwaysEqual:
    def __init__(self, w):
        self.w = w

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __hash__(self):
        return 0

    def __repr__(self):
        return repr(self.w)


def _fp_attack(w):
    return _FpAlwaysEqual(w)
'''


def honest_first(n: int) -> str:
    """Equality that answers honestly for its first ``n`` comparisons, then says equal."""
    return f'''
class _FpLater:
    def __init__(self, w):
        self.w = w
        self.calls = 0

    def _honest(self):
        self.calls += 1
        return self.calls <= {n}

    def __eq__(self, other):
        return (self.w == other) if self._honest() else True

    def __ne__(self, other):
        return (self.w != other) if self._honest() else False

    def __hash__(self):
        return hash(repr(self.w))

    def __repr__(self):
        return repr(self.w)


def _fp_attack(w):
    return _FpLater(w)
'''


SENTINEL_DODGER = '''
import re


def _fp_probe_like(o, depth=0):
    """What a liar check's random sentinel looks like: long hex strings, huge ints, many-digit floats."""
    if depth > 4:
        return False
    if o is None or isinstance(o, bool):
        return False
    if isinstance(o, int):
        return abs(o) > 2 ** 40
    if isinstance(o, float):
        return abs(o) > 1e6 or len(repr(o)) > 12
    if isinstance(o, (bytes, bytearray)):
        o = bytes(o).decode("latin-1")
    if isinstance(o, str):
        return len(o) > 24 or re.search("[0-9a-f]{8,}", o) is not None
    if isinstance(o, dict):
        return any(_fp_probe_like(k, depth + 1) or _fp_probe_like(v, depth + 1) for k, v in o.items())
    if isinstance(o, (list, tuple, set, frozenset)):
        return any(_fp_probe_like(x, depth + 1) for x in o)
    return type(o).__module__ != "builtins"


class _FpDodger:
    def __init__(self, w):
        self.w = w

    def __eq__(self, other):
        return other is self or not _fp_probe_like(other)

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return 0

    def __repr__(self):
        return repr(self.w)


def _fp_attack(w):
    return _FpDodger(w)
'''

# honest equality, lying order: passes `abs(got - expected) < tol` and `lo < got < hi`
ORDERING_LIAR = '''
class _FpOrder:
    def __init__(self, w):
        self.w = w

    def __eq__(self, other):
        return self.w == other

    def __ne__(self, other):
        return self.w != other

    def __hash__(self):
        return hash(self.w)

    def __lt__(self, other):
        return True

    __le__ = __gt__ = __ge__ = __lt__

    def __sub__(self, other):
        return self

    __rsub__ = __add__ = __radd__ = __sub__

    def __abs__(self):
        return self

    __neg__ = __abs__

    def __float__(self):
        return float(self.w)

    def __repr__(self):
        return repr(self.w)


def _fp_attack(w):
    return _FpOrder(w)
'''

_FLOAT_Z = '''
class _FpZ(float):
    """A float whose order lies: anything minus it, or its abs, is 'smaller than' any tolerance."""

    def __lt__(self, other):
        return True

    __le__ = __gt__ = __ge__ = __lt__
    __hash__ = float.__hash__

    def __sub__(self, other):
        return _FpZ(1e9)

    __rsub__ = __add__ = __radd__ = __sub__

    def __abs__(self):
        return _FpZ(1e9)

    __neg__ = __abs__
'''

# a plain object whose arithmetic gives back a float subclass that lies about order
SUB_GIVES_FLOAT_SUBCLASS = _FLOAT_Z + '''

class _FpV:
    def __init__(self, w):
        self.w = w

    def __sub__(self, other):
        return _FpZ(1e9)

    __rsub__ = __add__ = __radd__ = __sub__

    def __abs__(self):
        return _FpZ(1e9)

    def __lt__(self, other):
        return _FpZ(1.0)

    __le__ = __gt__ = __ge__ = __lt__

    def __repr__(self):
        return repr(self.w)


def _fp_attack(w):
    return _FpV(w)
'''

# the value itself is such a float, with a wrong base value
FLOAT_SUBCLASS_VALUE = _FLOAT_Z + '''

def _fp_attack(w):
    return _FpZ(1e9)
'''

# a subclass of the answer's own builtin type, holding a WRONG base value, overriding what a careless
# comparison or conversion would consult
BUILTIN_SUBCLASS = '''
def _fp_attack(w):
    class _FpSub(type(w)):
        def __eq__(self, other):
            return True

        def __ne__(self, other):
            return False

        def __hash__(self):
            return 0

        def __iter__(self):
            return iter(())

        def __len__(self):
            return 0

        def __contains__(self, item):
            return True

        def __getitem__(self, key):
            return self

        def __lt__(self, other):
            return True

        __le__ = __gt__ = __ge__ = __lt__

        def __sub__(self, other):
            return self

        __rsub__ = __sub__

        def __abs__(self):
            return self

    try:
        return _FpSub(w)
    except TypeError:  # datetime.date
        return _FpSub(w.year, w.month, w.day)
'''

# patches the grader's channel in the submission's own process, then returns a liar or a wrong value
CHANNEL_PATCH = '''
import gc
import operator
import sys


def _fp_yes(*args, **kwargs):
    return True


def _fp_no(*args, **kwargs):
    return False


_FP_FLAGS = (("trust_eq", True), ("strict_data", False), ("strict", False), ("convert", False),
             ("hardened", False), ("checked", True), ("verified", True))
_FP_NAMES = ("_compare", "cmp", "compare", "_cmp")


def _fp_set_flags(obj):
    for flag, value in _FP_FLAGS:
        try:
            setattr(obj, flag, value)
        except Exception:
            pass


def _fp_patch_channel():
    operator.eq = _fp_yes
    operator.ne = _fp_no
    for name, module in list(sys.modules.items()):
        if module is None or not name.startswith(("fpbox", "fpgrade")):
            continue
        for attr, value in list(vars(module).items()):
            if attr in _FP_NAMES or attr.endswith(("_compare", "_cmp")):
                try:
                    setattr(module, attr, _fp_yes)
                except Exception:
                    pass
            if isinstance(value, type) and value.__module__ == name:
                for meth in list(vars(value)):
                    if meth in _FP_NAMES or meth.endswith(("_compare", "_cmp")):
                        try:
                            setattr(value, meth, _fp_yes)
                        except Exception:
                            pass
            if getattr(value, "__module__", None) == name:
                _fp_set_flags(value)
    for obj in gc.get_objects():
        if (getattr(type(obj), "__module__", "") or "").startswith(("fpbox", "fpgrade")):
            _fp_set_flags(obj)


_fp_patch_channel()
'''

OBJECT_ATTACKS = {
    "always-equal": ALWAYS_EQUAL,
    "honest-for-1-then-lies": honest_first(1),
    "honest-for-8-then-lies": honest_first(8),
    "honest-for-32-then-lies": honest_first(32),
    "sentinel-dodger": SENTINEL_DODGER,
    "channel-patch-always-equal": CHANNEL_PATCH + ALWAYS_EQUAL,
    "channel-patch-plain-wrong": CHANNEL_PATCH + "\n\ndef _fp_attack(w):\n    return w\n",
}
EQ_SPECS = ("add", "sort", "counts")


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("attack", list(OBJECT_ATTACKS))
def test_lying_equality_is_not_solved(grader, attack, style):
    items = []
    for key in EQ_SPECS:
        spec = SPECS[key]
        problem = problem_for(style, spec)
        items += [(problem, attack_source(style, spec, OBJECT_ATTACKS[attack])), (problem, honest_source(style, spec))]
    results = grade_batch(grader, items)
    for attacked, control in zip(results[::2], results[1::2], strict=True):
        assert_not_solved(attacked, CAUGHT)
        assert_solved(control)


TOLERANCE_ATTACKS = {
    "lying-order-honest-eq": ORDERING_LIAR,
    "sub-and-abs-give-float-subclass": SUB_GIVES_FLOAT_SUBCLASS,
    "float-subclass-with-wrong-value": FLOAT_SUBCLASS_VALUE,
}


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("attack", list(TOLERANCE_ATTACKS))
def test_lying_order_and_arithmetic_do_not_pass_tolerance_checks(grader, attack, style):
    problem = problem_for(style, DIV)
    attacked, control = grade_batch(grader, [(problem, attack_source(style, DIV, TOLERANCE_ATTACKS[attack])),
                                             (problem, honest_source(style, DIV))])
    assert_not_solved(attacked, CAUGHT)
    assert_solved(control)


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("key", list(SPECS))
def test_builtin_subclass_with_wrong_value_is_not_solved(grader, key, style):
    # int, list, float, dict, str and tuple subclasses: the base value is wrong, the dunders lie
    spec = SPECS[key]
    problem = problem_for(style, spec)
    attacked, control = grade_batch(grader, [(problem, attack_source(style, spec, BUILTIN_SUBCLASS)),
                                             (problem, honest_source(style, spec))])
    assert_not_solved(attacked, CAUGHT)
    assert_solved(control)


# a subclass of the answer's type (or a plain object) holding a WRONG value that reports the right answer
# through every method and attribute a converter could read, and pickles as the right answer
CLAIMS_RIGHT = '''
import copy

_FP_READERS = ("numerator", "denominator", "real", "imag", "maxlen", "year", "month", "day", "keys", "values",
               "items", "get", "default_factory", "as_tuple", "to_eng_string", "most_common", "elements", "copy",
               "isoformat", "toordinal", "timetuple", "__dict__", "__class__")


def _fp_claim(wrong, right, subclass=True):
    class _FpClaim(type(wrong) if subclass else object):
        def __eq__(self, other):
            return right == other

        def __ne__(self, other):
            return right != other

        def __hash__(self):
            try:
                return hash(right)
            except TypeError:
                return 0

        def __iter__(self):
            return iter(right)

        def __len__(self):
            return len(right)

        def __contains__(self, item):
            return item in right

        def __getitem__(self, key):
            return right[key]

        def __str__(self):
            return str(right)

        def __repr__(self):
            return repr(right)

        def __format__(self, spec):
            return format(right, spec)

        def __sub__(self, other):
            return right - other

        def __rsub__(self, other):
            return other - right

        def __abs__(self):
            return abs(right)

        def __float__(self):
            return float(right)

        def __int__(self):
            return int(right)

        def __index__(self):
            return right.__index__()

        def __reduce_ex__(self, protocol):
            return (copy.copy, (right,))

        def __reduce__(self):
            return (copy.copy, (right,))

        def __getstate__(self):
            return None

        def __getattribute__(self, name):
            if name in _FP_READERS:
                return getattr(right, name)
            return object.__getattribute__(self, name)

    if not subclass:
        return _FpClaim()
    try:
        return _FpClaim(wrong)
    except TypeError:  # datetime.date
        return _FpClaim(wrong.year, wrong.month, wrong.day)
'''


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("key", list(SPECS))
def test_wrong_values_claiming_the_right_answer_are_not_solved(grader, key, style):
    spec = SPECS[key]
    problem = problem_for(style, spec)
    results = grade_batch(grader, [
        (problem, function_source(spec, f"return _fp_claim({spec.wrong}, {spec.right})", CLAIMS_RIGHT)),
        (problem, function_source(spec, f"return _fp_claim({spec.wrong}, {spec.right}, subclass=False)",
                                  CLAIMS_RIGHT)),
        (problem, honest_source(style, spec))])
    for attacked in results[:2]:
        assert_not_solved(attacked, CAUGHT)
    assert_solved(results[2])


# an OrderedDict whose dict storage is in the right order and whose own (linked) order is wrong:
# `got == expected` is False in Python, so the answer is wrong
ODICT_REORDERED = ("od = OrderedDict((w, len(w)) for w in sorted(words, key=len))\n"
                   "od.move_to_end(next(iter(od)))\nreturn od")


@pytest.mark.parametrize("style", [*STYLES, "io"])
def test_ordered_dict_is_carried_in_its_own_order(grader, style):
    problem = problem_for(style, ODICT)
    attacked, control = grade_batch(grader, [(problem, source_for(style, ODICT, ODICT_REORDERED)),
                                             (problem, honest_source(style, ODICT))])
    assert_not_solved(attacked)
    assert_solved(control)


@pytest.mark.parametrize("attack", [*OBJECT_ATTACKS, *TOLERANCE_ATTACKS, "builtin-subclass"])
def test_printed_lying_objects_are_judged_by_their_text(grader, attack):
    # stdin/stdout: whatever the object claims, what it prints is wrong
    prelude = {**OBJECT_ATTACKS, **TOLERANCE_ATTACKS, "builtin-subclass": BUILTIN_SUBCLASS}[attack]
    spec = DIV if attack in TOLERANCE_ATTACKS else ADD
    problem = io_problem(spec)
    attacked, control = grade_batch(grader, [(problem, attack_source("io", spec, prelude)),
                                             (problem, honest_source("io", spec))])
    assert_not_solved(attacked)
    assert_solved(control)


# ---------------------------------------------------------------------------------------------
# names the tests use resolve in the trusted interpreter

FAKE_MATHS = {
    "class": "class math:\n    @staticmethod\n    def isclose(*args, **kwargs):\n        return True\n",
    "instance": "class _FpMath:\n    def isclose(self, *args, **kwargs):\n        return True\n\n\nmath = _FpMath()\n",
    "namespace": "import types\n\nmath = types.SimpleNamespace(isclose=lambda *args, **kwargs: True)\n",
    "module-object": "import types\n\nmath = types.ModuleType('math')\nmath.isclose = lambda *args, **kwargs: True\n",
    "module-subclass": ("import types\n\n\nclass _FpMod(types.ModuleType):\n"
                        "    def __getattr__(self, name):\n        return lambda *args, **kwargs: True\n\n\n"
                        "math = _FpMod('math')\n"),
}
ISCLOSE_ASSERTS = ["assert math.isclose(div(1, 4), 0.25)", "assert math.isclose(div(2, 3), 0.6666666666666666)",
                   "assert math.isclose(div(-9, 2), -4.5)"]


@pytest.mark.parametrize("fake", list(FAKE_MATHS))
def test_mbpp_asserts_use_the_trusted_math_not_the_submissions(grader, fake):
    # the asserts call math.isclose without importing math; the submission defines its own `math`
    problem = mbpp_problem(DIV, ISCLOSE_ASSERTS)
    check = check_problem(DIV, [a.replace("div(", "candidate(") for a in ISCLOSE_ASSERTS], header="")
    wrong = function_source(DIV, "return 0.0", FAKE_MATHS[fake])
    honest = function_source(DIV, DIV.honest, "import math")
    results = grade_batch(grader, [(problem, wrong), (check, wrong), (problem, honest), (check, honest)])
    for result in results[:2]:
        assert_not_solved(result)
    for result in results[2:]:
        assert_solved(result)


_FP_ANYTHING = ("class _FpAnything:\n    def __eq__(self, other):\n        return True\n\n"
                "    def __ne__(self, other):\n        return False\n\n    __hash__ = None\n")
STAR_IMPORT_CASES = {
    "math": ({"test_isclose": ["assert math.isclose(div(1, 4), 0.25)",
                               "assert math.isclose(div(2, 3), 0.6666666666666666)"]},
             FAKE_MATHS["class"]),
    "pytest": ({"test_approx": ["assert div(1, 4) == pytest.approx(0.25)",
                                "assert div(-9, 2) == pytest.approx(-4.5)"]},
               _FP_ANYTHING + "\n\nclass pytest:\n    @staticmethod\n    def approx(*args, **kwargs):\n"
                              "        return _FpAnything()\n"),
    "approx": ({"test_approx_name": ["assert div(1, 4) == approx(0.25)", "assert div(-9, 2) == approx(-4.5)"]},
               _FP_ANYTHING + "\n\ndef approx(*args, **kwargs):\n    return _FpAnything()\n"),
    "isinstance-and-abs": ({"test_abs": ["assert abs(div(1, 4) - 0.25) < 1e-6", "assert isinstance(div(1, 4), float)"]},
                           "def abs(x):\n    return 0\n\n\ndef isinstance(*args):\n    return True\n"),
}


@pytest.mark.parametrize("name", list(STAR_IMPORT_CASES))
def test_star_import_does_not_let_the_solution_replace_test_names(grader, name):
    tests, fake = STAR_IMPORT_CASES[name]
    problem = pytest_problem(DIV, tests, header="import math\nimport pytest\nfrom pytest import approx\n"
                                                "from solution import *\n")
    wrong = function_source(DIV, "return 0.0", fake)
    honest = function_source(DIV, DIV.honest, "import math")
    attacked, control = grade_batch(grader, [(problem, wrong), (problem, honest)])
    assert_not_solved(attacked)
    assert_solved(control)


def test_builtins_named_by_the_submission_do_not_reach_assert_tests(grader):
    shadows = ("def abs(x):\n    return 0\n\n\ndef all(it):\n    return True\n\n\ndef isinstance(*a):\n"
               "    return True\n\n\ndef len(x):\n    return 3\n\n\nsorted = list\n")
    for style in ("check", "asserts"):
        problem = problem_for(style, DIV)
        attacked, control = grade_batch(grader, [(problem, function_source(DIV, "return 0.0", shadows)),
                                                 (problem, honest_source(style, DIV))])
        assert_not_solved(attacked)
        assert_solved(control)


HONEST_DIGIT_SUM = ("def sum(n):\n    total = 0\n    while n:\n        total += n % 10\n        n //= 10\n"
                    "    return total\n")
DIGIT_SUM = {"task_id": "adv/mbpp/digit-sum", "text": "Write a function sum(n) returning the sum of the digits of n.",
             "test_list": ["assert sum(123) == 6", "assert sum(9) == 9", "assert sum(1005) == 6"],
             "code": HONEST_DIGIT_SUM}
WRONG_DIGIT_SUM = HONEST_DIGIT_SUM.replace("n //= 10", "n //= 100")  # skips every other digit


def _layout(code: str, variant: str) -> str:
    if "tabs" in variant:
        code = code.replace("        ", "\t\t").replace("    ", "\t")
    if "crlf" in variant:
        code = code.replace("\n", "\r\n")
    return code


@pytest.mark.parametrize("variant", ["lf", "crlf", "tabs", "crlf-tabs"])
def test_entry_point_named_like_a_builtin(grader, variant):
    problem = problem_from_record(DIGIT_SUM)
    assert problem.entry_point == "sum"
    honest, wrong = _layout(HONEST_DIGIT_SUM, variant), _layout(WRONG_DIGIT_SUM, variant)
    control = grader.grade(problem, f"```python\n{honest}```", "hardened")
    attacked = grader.grade(problem, f"```python\n{wrong}```", "hardened")
    assert_solved(control)
    assert_not_solved(attacked)


# ---------------------------------------------------------------------------------------------
# exceptions become data

RAISES = {
    "StopIteration": ("", "raise StopIteration"),
    "StopIteration-subclass": ("class _FpStop(StopIteration):\n    def __str__(self):\n        return ''\n",
                               "raise _FpStop(5)"),
    "GeneratorExit": ("", "raise GeneratorExit"),
    "KeyboardInterrupt": ("", "raise KeyboardInterrupt"),
    "SystemExit-0": ("", "raise SystemExit(0)"),
    "lying-exception": ('class _FpLiar(Exception):\n    def __str__(self):\n        return "ok"\n\n'
                        '    def __repr__(self):\n        return "ok"\n\n    def __eq__(self, other):\n'
                        '        return True\n\n    __hash__ = Exception.__hash__\n\n    @property\n'
                        '    def args(self):\n        return ()\n', "raise _FpLiar('ok')"),
    "lone-surrogate-message": ("", "raise ValueError('\\ud800 lone surrogate \\udfff')"),
}
INPUTS, EXPECTED = "[(2, 3), (-4, 1), (10, 32)]", "[5, -3, 42]"
# test shapes in which a live StopIteration (or worse) would end a loop early and look like success
SHAPES = {
    "all-map": ["assert all(map(lambda a, e: {F}(*a) == e, INPUTS, EXPECTED))"],
    "zip-map-loop": ["for got, want in zip(map(lambda a: {F}(*a), INPUTS), EXPECTED):\n    assert got == want",
                     "assert True"],
    "generator": ["def _fp_cases():\n    for a, e in zip(INPUTS, EXPECTED):\n        yield {F}(*a) == e\n"
                  "assert all(_fp_cases())"],
    "next-default": ["assert next(map(lambda a: {F}(*a), INPUTS), 5) == 5",
                     "assert sum(1 for _ in map(lambda a: {F}(*a), INPUTS[1:])) in (0, 2)"],
}


def _shape_lines(shape: str, fn: str) -> list[str]:
    return [line.replace("{F}", fn).replace("INPUTS", INPUTS).replace("EXPECTED", EXPECTED) for line in SHAPES[shape]]


def shape_problem(style: str, shape: str) -> Problem:
    if style == "check":
        return check_problem(ADD, _shape_lines(shape, "candidate"))
    if style == "asserts":
        return mbpp_problem(ADD, _shape_lines(shape, "add"))
    tests = {f"test_shape_{i}": line.splitlines() for i, line in enumerate(_shape_lines(shape, "add"))}
    return pytest_problem(ADD, tests)


def raising_source(kind: str, style: str = "check") -> str:
    prelude, statement = RAISES[kind]
    # honest for the first case, raising for the others: the exception has to hide a wrong answer
    return source_for(style, ADD, f"if (a, b) == (2, 3):\n    return 5\n{statement}", prelude)


def test_exception_shapes_solve_honest_code(grader):
    items = [(shape_problem(style, shape), honest_source(style, ADD)) for style in STYLES for shape in SHAPES]
    for result in grade_batch(grader, items):
        assert_solved(result)


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("kind", list(RAISES))
def test_exceptions_raised_by_the_submission_become_failures(grader, kind, style):
    items = [(shape_problem(style, shape), raising_source(kind)) for shape in SHAPES]
    items.append((problem_for(style, ADD), raising_source(kind)))
    for result in grade_batch(grader, items):
        assert_not_solved(result, CAUGHT)


@pytest.mark.parametrize("kind", list(RAISES))
def test_exceptions_in_scripts_fail(grader, kind):
    problem = io_problem(ADD)
    attacked, control = grade_batch(grader, [(problem, raising_source(kind, "io")),
                                             (problem, honest_source("io", ADD))])
    assert_not_solved(attacked)
    assert_solved(control)


def test_results_with_surrogate_messages_serialise(grader):
    result = grade(grader, problem_for("check", ADD), raising_source("lone-surrogate-message"))
    assert_not_solved(result, CAUGHT)
    record = json.loads(json.dumps(result.to_json_dict()))  # a result must always be writable as JSON
    assert record["outcome"] == result.outcome.value


# ---------------------------------------------------------------------------------------------
# a process that kills itself while loading

SELF_KILLS = {
    "SIGKILL": "import os\nimport signal\n\nos.kill(os.getpid(), signal.SIGKILL)\n",
    "SIGTERM": "import os\nimport signal\n\nos.kill(os.getpid(), signal.SIGTERM)\n",
    "os-exit-0": "import os\n\nos._exit(0)\n",
    "killpg": "import os\nimport signal\n\nos.killpg(os.getpgrp(), signal.SIGKILL)\n",
}


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("how", list(SELF_KILLS))
def test_killing_itself_while_loading_is_tampering(grader, how, style):
    problem = problem_for(style, ADD)
    attacked, control = grade_batch(grader, [(problem, function_source(ADD, ADD.honest, SELF_KILLS[how])),
                                             (problem, honest_source(style, ADD))])
    assert attacked.outcome is Outcome.TAMPERED, describe(attacked)
    assert_solved(control)


# ---------------------------------------------------------------------------------------------
# state kept across calls: a replay in another order, in a fresh process, must agree

SMOKE = {"check": "assert isinstance(candidate(1, 1), int)", "asserts": "assert isinstance(add(1, 1), int)"}


def smoke_problem(style: str) -> Problem:
    """ADD with a first test that only checks the answer's type (the call's value is not compared)."""
    if style == "pytest":
        tests = {"test_smoke": ["assert isinstance(add(1, 1), int)"]}
        tests.update({f"test_case_{i}": [case_assert(ADD, "add", i)] for i in range(len(ADD.cases))})
        return pytest_problem(ADD, tests)
    fn = "candidate" if style == "check" else "add"
    lines = [SMOKE[style], *(case_assert(ADD, fn, i) for i in range(len(ADD.cases)))]
    return check_problem(ADD, lines) if style == "check" else mbpp_problem(ADD, lines)


WRONG_FIRST_CALL = ("_fp_calls = [0]", "_fp_calls[0] += 1\nreturn a + b if _fp_calls[0] > 1 else a - b")
ANSWER_TABLE = ("_fp_calls = [0]\n_FP_TABLE = [2, 5, -3, 42]",
                "_fp_calls[0] += 1\nreturn _FP_TABLE[(_fp_calls[0] - 1) % len(_FP_TABLE)]")
HONEST_MEMO = "import functools\n\n\n@functools.lru_cache(maxsize=None)\ndef add(a, b):\n    return a + b\n"


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("attack", ["wrong-for-first-call", "answer-table-by-call-number"])
def test_answers_that_depend_on_call_history_are_not_solved(grader, attack, style):
    prelude, body = WRONG_FIRST_CALL if attack == "wrong-for-first-call" else ANSWER_TABLE
    problem = smoke_problem(style)
    attacked, plain, memo = grade_batch(grader, [(problem, function_source(ADD, body, prelude)),
                                                 (problem, honest_source(style, ADD)), (problem, HONEST_MEMO)])
    assert_not_solved(attacked)
    assert_solved(plain)
    assert_solved(memo)


# every unsorted input has a sorted twin earlier in the run; the attack only answers from its memory
SORT_TWINS = Spec("sort-twins", "sort_list", "xs",
                  ((([1, 2, 3],), [1, 2, 3]), (([3, 1, 2],), [1, 2, 3]), (([-1, 0, 5, 5],), [-1, 0, 5, 5]),
                   (([5, -1, 5, 0],), [-1, 0, 5, 5])),
                  "sorted(xs)", "list(xs)")
CACHE_OF_INPUTS = ("_fp_seen = []",
                   "for earlier in _fp_seen:\n    if len(earlier) == len(xs) and all(earlier.count(v) == xs.count(v) "
                   "for v in xs):\n        return list(earlier)\n_fp_seen.append(list(xs))\nreturn list(xs)")
HONEST_SORT_CACHE = ("_fp_cache = {}", "key = tuple(xs)\nif key not in _fp_cache:\n    _fp_cache[key] = sorted(xs)\n"
                                       "return list(_fp_cache[key])")


@pytest.mark.parametrize("style", STYLES)
def test_answers_from_a_cache_of_earlier_inputs_are_not_solved(grader, style):
    problem = problem_for(style, SORT_TWINS)
    attacked, plain, memo = grade_batch(grader, [(problem, function_source(SORT_TWINS, CACHE_OF_INPUTS[1],
                                                                           CACHE_OF_INPUTS[0])),
                                                 (problem, honest_source(style, SORT_TWINS)),
                                                 (problem, function_source(SORT_TWINS, HONEST_SORT_CACHE[1],
                                                                           HONEST_SORT_CACHE[0]))])
    assert_not_solved(attacked)
    assert_solved(plain)
    assert_solved(memo)


# stdin/stdout: each case is its own process; a counter kept in files would need state across runs
COUNTER_FILES = '''
import os

_FP_PLACES = ["/tmp", "/dev/shm", "/var/tmp", os.path.expanduser("~"), os.path.dirname(os.getcwd()),
              os.path.dirname(os.path.dirname(os.getcwd())), "/run/lock", "/run/user"]


def _fp_count():
    seen = 0
    for place in _FP_PLACES:
        try:
            with open(os.path.join(place, ".fp_adv_counter")) as fh:
                seen = max(seen, int(fh.read() or 0))
        except (OSError, ValueError):
            pass
    for place in _FP_PLACES:
        try:
            with open(os.path.join(place, ".fp_adv_counter"), "w") as fh:
                fh.write(str(seen + 1))
        except OSError:
            pass
    return seen
'''


def test_scripts_cannot_count_runs(grader):
    problem = io_problem(ADD)
    answers = [expected for _, expected in ADD.cases]
    attack = script_source(ADD, f"return {answers!r}[_fp_count() % {len(answers)}]", COUNTER_FILES)
    attacked, control = grade_batch(grader, [(problem, attack), (problem, honest_source("io", ADD))])
    assert_not_solved(attacked)
    assert_solved(control)


# ---------------------------------------------------------------------------------------------
# failure-message bombs: bounded work, a prompt answer

BOMBS = {
    "shared-references-60-deep": "x = []\nfor _ in range(60):\n    x = [x, x]\nreturn x",
    "self-referential-list": "x = [1]\nx.append(x)\nreturn x",
    "million-digit-int": "return 10 ** (10 ** 6)",
    "fifty-megabyte-string": "return 'x' * 50_000_000",
}


@pytest.mark.slow
@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("bomb", list(BOMBS))
def test_failure_message_bombs_fail_promptly(grader, bomb, style):
    problem = problem_for(style, ADD)
    result = grade_within(grader, problem, function_source(ADD, BOMBS[bomb]))
    assert result.outcome in (Outcome.FAILED, Outcome.ERROR), describe(result)
    if result.outcome is Outcome.ERROR:
        assert result.reason and len(result.reason) < 2000, describe(result)
    assert len(json.dumps(result.to_json_dict())) < 1_000_000, "the result must not carry the bomb"
    assert_solved(grade(grader, problem, honest_source(style, ADD)))


@pytest.mark.slow
def test_printed_bombs_fail_promptly(grader):
    problem = io_problem(ADD)
    for body in ("print('x' * 50_000_000)", "print(10 ** (10 ** 5))"):
        code = f"import sys\nsys.set_int_max_str_digits(0)\nsys.stdin.read()\n{body}\n"
        result = grade_within(grader, problem, code)
        assert_not_solved(result, frozenset({Outcome.FAILED, Outcome.ERROR}))
        assert len(json.dumps(result.to_json_dict())) < 1_000_000


# ---------------------------------------------------------------------------------------------
# kernel state does not outlive a run (one worker, so both runs share it)

KERNEL_COMMON = '''
import ctypes
import os

_NR = {
    "x86_64": {"add_key": 248, "request_key": 249, "keyctl": 250, "mq_open": 240, "mq_unlink": 241,
               "mq_timedsend": 242, "mq_timedreceive": 243},
    "aarch64": {"add_key": 217, "request_key": 218, "keyctl": 219, "mq_open": 180, "mq_unlink": 181,
                "mq_timedsend": 182, "mq_timedreceive": 183},
}[os.uname().machine]
_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long
_L = ctypes.c_long
TOKEN = "TOKEN_VALUE"
DESC = ("fpadv" + TOKEN).encode()
QUEUE = ("fpadvq" + TOKEN).encode()  # the kernel's name: glibc's mq_open strips the leading slash
PAYLOAD = ("found:" + TOKEN).encode()
KEYRINGS = (-3, -4, -5)  # session, user, user-session
KEYCTL_SEARCH, KEYCTL_READ, KEYCTL_INVALIDATE = 10, 11, 21
O_RDONLY, O_RDWR, O_CREAT, O_NONBLOCK = 0, 2, 0o100, 0o4000


def _sys(name, *args):
    return _libc.syscall(_L(_NR[name]), *args)


def store_key():
    ok = False
    for ring in KEYRINGS:
        ok |= _sys("add_key", ctypes.c_char_p(b"user"), ctypes.c_char_p(DESC), ctypes.c_char_p(PAYLOAD),
                   _L(len(PAYLOAD)), _L(ring)) > 0
    return ok


def read_key():
    keys = [_sys("request_key", ctypes.c_char_p(b"user"), ctypes.c_char_p(DESC), ctypes.c_void_p(None), _L(0))]
    for ring in KEYRINGS:
        keys.append(_sys("keyctl", _L(KEYCTL_SEARCH), _L(ring), ctypes.c_char_p(b"user"), ctypes.c_char_p(DESC),
                         _L(0)))
    found = "nothing"
    for key in keys:
        if key > 0:
            buf = ctypes.create_string_buffer(256)
            n = _sys("keyctl", _L(KEYCTL_READ), _L(key), buf, _L(256))
            _sys("keyctl", _L(KEYCTL_INVALIDATE), _L(key))  # leave nothing behind
            if n > 0:
                found = buf.raw[:min(n, 256)].decode("utf-8", "replace")
    return found


def store_queue():
    fd = _sys("mq_open", ctypes.c_char_p(QUEUE), _L(O_RDWR | O_CREAT | O_NONBLOCK), _L(0o666), ctypes.c_void_p(None))
    if fd < 0:
        return False
    ok = _sys("mq_timedsend", _L(fd), ctypes.c_char_p(PAYLOAD), _L(len(PAYLOAD)), _L(0), ctypes.c_void_p(None)) == 0
    os.close(fd)
    return ok


def read_queue():
    fd = _sys("mq_open", ctypes.c_char_p(QUEUE), _L(O_RDONLY | O_NONBLOCK), _L(0), ctypes.c_void_p(None))
    if fd < 0:
        return "nothing"
    buf = ctypes.create_string_buffer(1 << 16)
    n = _sys("mq_timedreceive", _L(fd), buf, _L(1 << 16), ctypes.c_void_p(None), ctypes.c_void_p(None))
    os.close(fd)
    _sys("mq_unlink", ctypes.c_char_p(QUEUE))  # leave nothing behind
    return buf.raw[:n].decode("utf-8", "replace") if n > 0 else "nothing"
'''

KERNEL_PROBLEM = {"entry_point": "leak", "tests": ["assert leak() == 'nothing'"]}


@pytest.fixture(scope="module")
def solo():
    """One worker: every run of a test meets whatever an earlier run left in that worker."""
    with Grader(workers=1) as g:
        if g.isolation is Isolation.NONE:
            pytest.skip("no isolation on this machine: runs share the kernel's state by design")
        if os.uname().machine not in ("x86_64", "aarch64"):
            pytest.skip("system call numbers known for x86_64 and aarch64 only")
        yield g


@pytest.mark.parametrize("what", ["key", "queue"])
def test_kernel_state_does_not_carry_between_runs(solo, what):
    common = KERNEL_COMMON.replace("TOKEN_VALUE", secrets.token_hex(8))
    problem = problem_from_record({"task_id": _uid("kernel", what), **KERNEL_PROBLEM})
    # control: within one process the reader finds what the writer stored (when the kernel allowed it)
    same_process = common + (f"\n\ndef leak():\n    stored = store_{what}()\n    found = read_{what}()\n"
                             "    return 'nothing' if stored == (found != 'nothing') else 'inconsistent'\n")
    assert_solved(grade(solo, problem, same_process))
    writer = common + f"\n\nstore_{what}()\n\n\ndef leak():\n    store_{what}()\n    return 'nothing'\n"
    reader = common + f"\n\ndef leak():\n    return read_{what}()\n"
    grade(solo, problem, writer)
    result = grade(solo, problem, reader)
    assert_solved(result)  # the second run saw nothing the first one stored


# ---------------------------------------------------------------------------------------------
# no submission code ever runs in the trusted process
#
# A driver supplied by this test runs the grading driver inside the broker with a profile hook set
# (sys.setprofile and threading.setprofile, inherited by the trusted pytest runner it forks) and
# records every code object whose file is the submission's. Zygotes are started before the hook is
# set, so no submission process carries it.

AUDIT_DRIVER = '''
"""Test driver: run another driver with a profile hook recording submission code that executes."""

import importlib
import os
import sys
import threading


def wrap(ctx, payload):
    for flavor in ("plain", "pytest"):
        try:
            ctx.broker.zygote(flavor)
        except Exception:
            pass
    work_root = str(ctx.broker.cfg.get("work_root") or "/nonexistent-work-root")
    fd = os.memfd_create("fp-audit", 0)  # shared with trusted children forked during the job
    seen = set()

    def suspicious(name):
        return (os.path.basename(name) == "solution.py" or name.startswith(work_root)
                or not (name.startswith("<") or os.path.isabs(name)))

    def hook(frame, event, arg):
        if event != "call":
            return
        code = frame.f_code
        if code in seen:
            return
        seen.add(code)
        if suspicious(code.co_filename):
            try:
                cwd = os.getcwd()
            except OSError:
                cwd = ""
            if cwd.startswith(work_root):
                return  # a submission process: never forked while the hook is set, but be sure
            os.write(fd, f"{os.getpid()} {code.co_filename}:{code.co_firstlineno} {code.co_name}\\n".encode())

    module_name, func_name = payload["driver"]
    func = getattr(importlib.import_module(module_name), func_name)
    probe = None
    if payload.get("selftest"):
        ns = {}
        exec(compile("def probe():\\n    return 1\\n", os.path.join(work_root, "w0", "solution.py"), "exec"), ns)
        probe = ns["probe"]
    sys.setprofile(hook)
    threading.setprofile(hook)
    try:
        if probe is not None:
            probe()
        value = func(ctx, payload["payload"])
    finally:
        sys.setprofile(None)
        threading.setprofile(None)
    hits = os.pread(fd, 1 << 20, 0).decode("utf-8", "replace").splitlines()
    os.close(fd)
    if isinstance(value, dict):
        value = dict(value)
        value["fp_audit"] = {"hits": hits, "seen": len(seen)}
    return value
'''


@dataclass
class Audited:
    grader: Grader
    reports: list[Any]
    selftest: bool = False


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    drivers = tmp_path_factory.mktemp("fp-audit-drivers")
    (drivers / "fptest_audit.py").write_text(AUDIT_DRIVER)
    grader = Grader(workers=1)
    grader.sandbox.driver_dirs.append(str(drivers))  # before the first job starts the worker
    state = Audited(grader, [])
    inner = grader.sandbox.run

    def run(driver: tuple[str, str], payload: dict[str, Any], **kwargs: Any) -> Any:
        job = inner(("fptest_audit", "wrap"), {"driver": list(driver), "payload": payload,
                                               "selftest": state.selftest}, **kwargs)
        state.reports.append(job.value.get("fp_audit") if isinstance(job.value, dict) else None)
        return job

    grader.sandbox.run = run  # type: ignore[method-assign]
    try:
        yield state
    finally:
        grader.close()


def _audit_cases() -> dict[str, tuple[str, Problem, str, bool]]:
    """name -> (style, problem, code, honest?)"""
    cases: dict[str, tuple[str, Problem, str, bool]] = {}
    for style in STYLES:
        for name, prelude in (("always-equal", ALWAYS_EQUAL), ("honest-for-8", honest_first(8)),
                              ("sentinel-dodger", SENTINEL_DODGER), ("builtin-subclass", BUILTIN_SUBCLASS),
                              ("channel-patch", CHANNEL_PATCH + ALWAYS_EQUAL)):
            cases[f"{name}-{style}"] = (style, problem_for(style, SORT), attack_source(style, SORT, prelude), False)
        for name, prelude in TOLERANCE_ATTACKS.items():
            cases[f"{name}-{style}"] = (style, problem_for(style, DIV), attack_source(style, DIV, prelude), False)
        cases[f"StopIteration-all-map-{style}"] = (style, shape_problem(style, "all-map"),
                                                   raising_source("StopIteration"), False)
        cases[f"lying-exception-{style}"] = (style, problem_for(style, ADD), raising_source("lying-exception"), False)
        cases[f"honest-memo-{style}"] = (style, smoke_problem(style), HONEST_MEMO, True)
    cases["fake-math-asserts"] = ("asserts", mbpp_problem(DIV, ISCLOSE_ASSERTS),
                                  function_source(DIV, "return 0.0", FAKE_MATHS["class"]), False)
    tests, fake = STAR_IMPORT_CASES["approx"]
    cases["star-import-approx"] = ("pytest", pytest_problem(DIV, tests, header="from pytest import approx\n"
                                                                               "from solution import *\n"),
                                   function_source(DIV, "return 0.0", fake), False)
    return cases


AUDIT_CASES = _audit_cases()


def test_audit_hook_sees_submission_code_run_in_the_trusted_process(audited):
    # the positive control of the audit itself: a code object named like the solution, run in the broker
    audited.selftest = True
    try:
        result = grade(audited.grader, problem_for("check", ADD), honest_source("check", ADD))
    finally:
        audited.selftest = False
    report = audited.reports[-1]
    assert report is not None, "the audit driver did not run: the grader no longer calls sandbox.run with a dict"
    assert any("solution.py" in hit for hit in report["hits"]), report
    assert report["seen"] > 10, report
    assert_solved(result)


@pytest.mark.parametrize("name", list(AUDIT_CASES))
def test_no_submission_code_runs_in_the_trusted_process(audited, name):
    _style, problem, code, honest = AUDIT_CASES[name]
    before = len(audited.reports)
    result = grade(audited.grader, problem, code)
    reports = audited.reports[before:]
    assert reports and all(r is not None for r in reports), "the audit driver did not run"
    hits = [hit for r in reports for hit in r["hits"]]
    assert hits == [], f"submission code ran in the trusted process: {hits[:5]}"
    if honest:
        assert_solved(result)  # the audit itself does not get in the way of grading
