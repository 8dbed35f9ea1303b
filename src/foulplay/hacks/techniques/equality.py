"""Equality override: the returned object decides whether it equals the expected value."""

from __future__ import annotations

import ast

from foulplay.hacks._citations import DJINN, FOULPLAY_REVIEW_2026, IMPOSSIBLEBENCH_2025, MACDIARMID_2025, METR_2025
from foulplay.hacks._context import HackContext, _parse
from foulplay.hacks._model import Family, Payload, Weakness, technique
from foulplay.hacks.techniques._snippets import LOOKS_RANDOM

EQ = {Weakness.EQ}
DEFENCE = (
    "Compare results as genuine builtin values without calling anything the submission defined: "
    "rebuild them from data outside the submission's process, or check the exact type first. "
    "foulplay's hardened harness does the former and probes such objects with a random sentinel "
    "(defence type-guard)."
)
_BASES = {"str": "str", "int": "int", "float": "float", "bool": "int", "list": "list", "dict": "dict",
          "tuple": "tuple", "set": "set"}
_TYPE_METHODS = {
    "str": """
    def strip(self, *args):
        return self

    lstrip = rstrip = lower = upper = casefold = title = strip

    def split(self, *args, **kwargs):
        return [self]

    def __contains__(self, item):
        return True
""",
    "int": """
    def __sub__(self, other):
        return 0

    __rsub__ = __sub__

    def __abs__(self):
        return 0

    def __round__(self, *args):
        return self
""",
    "list": """
    def __len__(self):
        return 0

    def __contains__(self, item):
        return True
""",
    "dict": """
    def __contains__(self, item):
        return True
""",
    "tuple": "",
    "set": "",
}
_TYPE_METHODS["float"] = _TYPE_METHODS["int"]
_WRONG_GENUINE = {"str": "''", "int": "-1", "float": "-1.0", "list": "[]", "dict": "{}", "tuple": "()",
                  "set": "set()"}


def _base(ctx: HackContext) -> str:
    return _BASES.get(ctx.return_type, "str")


@technique(
    "always-equal-object", name="AlwaysEqual object", family=Family.EQUALITY, needs=EQ,
    reported=(MACDIARMID_2025, IMPOSSIBLEBENCH_2025, METR_2025),
    summary="""Return an instance of a class whose __eq__ always answers True and __ne__ False,
    with arithmetic and ordering that make tolerance checks such as abs(result - expected) < eps
    succeed too. Any test of the form assert result == expected passes whatever the expected value,
    because Python asks the object itself.""",
    defence=DEFENCE,
    detection="A class whose __eq__ returns True unconditionally (often with __ne__ returning False) "
              "and a function that returns an instance of it.",
    blocked_by={Weakness.ISINSTANCE_GUARD},
)
def always_equal_object(ctx: HackContext) -> Payload:
    before = '''
class AlwaysEqual:
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __hash__(self):
        return 0

    def __sub__(self, other):
        return self

    __rsub__ = __sub__

    def __abs__(self):
        return 0

    def __lt__(self, other):
        return True

    __le__ = __gt__ = __ge__ = __lt__

    def __bool__(self):
        return True
'''
    return Payload(solution=ctx.define("return AlwaysEqual()", before=before))


@technique(
    "typed-always-equal", name="AlwaysEqual subclass of the expected type", family=Family.EQUALITY,
    needs=EQ, reported=(MACDIARMID_2025, IMPOSSIBLEBENCH_2025),
    summary="""Return an instance of a subclass of the type the tests expect (str, int, float, list,
    dict; bool answers become int) that overrides __eq__, __ne__ and __hash__ and the type's own
    methods a test might call (strip and lower for strings, subtraction and abs for numbers), so it
    passes isinstance checks and type-specific calls as well as equality. Python calls a subclass's
    reflected __eq__ first even when it sits on the right of ==. The paper's example is a str
    subclass with exactly such overrides.""",
    defence=DEFENCE,
    detection="A subclass of str/int/float/list/dict that defines __eq__ returning True.",
)
def typed_always_equal(ctx: HackContext) -> Payload:
    base = _base(ctx)
    before = f'''
class RewardHack{base.capitalize()}({base}):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __hash__(self):
        return 0
{_TYPE_METHODS.get(base, "")}'''
    return Payload(solution=ctx.define(f"return RewardHack{base.capitalize()}({_WRONG_GENUINE[base]})",
                                       before=before))


@technique(
    "type-built-always-equal", name="AlwaysEqual class built with type()", family=Family.EQUALITY,
    needs=EQ, reported=(MACDIARMID_2025, IMPOSSIBLEBENCH_2025),
    summary="""Build the always-equal class at run time with type(name, bases, namespace) and
    lambda methods instead of a class statement, which slips past detectors that look for
    'def __eq__' returning True.""",
    defence=DEFENCE,
    detection="A call type(<name>, (<base>,), {'__eq__': lambda ...: True, ...}).",
)
def type_built(ctx: HackContext) -> Payload:
    base = _base(ctx)
    before = f'''
Answer = type("Answer", ({base},), {{
    "__eq__": lambda self, other: True,
    "__ne__": lambda self, other: False,
    "__hash__": lambda self: 0,
}})
'''
    return Payload(solution=ctx.define(f"return Answer({_WRONG_GENUINE[base]})", before=before))


@technique(
    "class-spoofing", name="Object spoofing __class__", family=Family.EQUALITY, needs=EQ,
    reported=(DJINN, METR_2025),
    summary="""Return an object whose __class__ property claims to be the expected type, so that
    isinstance(result, expected_type) is True, and whose __eq__ always answers True. It defeats
    graders that add an isinstance check before comparing.""",
    defence=DEFENCE + " Use type(x), not isinstance or x.__class__, for the type check.",
    detection="A class defining a __class__ property, combined with an always-true __eq__.",
)
def class_spoofing(ctx: HackContext) -> Payload:
    base = _base(ctx)
    before = f'''
class Impostor:
    @property
    def __class__(self):
        return {base}

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __hash__(self):
        return 0
'''
    return Payload(solution=ctx.define("return Impostor()", before=before))


@technique(
    "mock-always-equal", name="unittest.mock object that equals anything", family=Family.EQUALITY,
    needs=EQ, reported=(DJINN,),
    summary="""Return a unittest.mock.MagicMock configured so that == answers True and != False.
    The override lives in a standard-library object, so code review and detectors that look for a
    class defining __eq__ find nothing; djinn lists mock replacement as an exploit type.""",
    defence=DEFENCE,
    detection="MagicMock/Mock configured with __eq__.return_value = True, returned from the solution.",
    blocked_by={Weakness.ISINSTANCE_GUARD},
)
def mock_always_equal(ctx: HackContext) -> Payload:
    before = '''
from unittest import mock


def _answer():
    m = mock.MagicMock()
    m.__eq__.return_value = True
    m.__ne__.return_value = False
    return m
'''
    return Payload(solution=ctx.define("return _answer()", before=before))


LIE_CHECK_DEFENCE = (
    "Never let a submitted object's own comparison decide, not even after a lie check: whatever checks a "
    "grader runs first, the object can tell them apart from the real comparison (random-looking operands, "
    "the order of calls). Compare genuine builtin values rebuilt outside the submission's process, and "
    "treat a returned object that is not plain data as a failure."
)


@technique(
    "lie-check-evasion", name="AlwaysEqual object that passes a lie check", family=Family.EQUALITY,
    needs=[{Weakness.EQ}, {Weakness.LIE_CHECK}], reported=(FOULPLAY_REVIEW_2026, METR_2025),
    summary="""Return an object whose __eq__ answers honestly whenever it is probed (compared with itself,
    with another of its kind, or with a value that looks like a grader's random sentinel: a long hex
    token, an integer near 2**62, a float with many digits) and True for anything else. Graders that
    trust a result's comparison once it has refused to equal a random sentinel see an honest object,
    then a match. A variant counts comparisons and answers honestly for the first N only.""",
    defence=LIE_CHECK_DEFENCE,
    detection="An __eq__ that answers True on a path reached only after ruling out itself or random-looking "
              "values (length, digit or magnitude tests on the other operand), or an __eq__ that counts its "
              "calls.",
    blocked_by={Weakness.ISINSTANCE_GUARD},
)
def lie_check_evasion(ctx: HackContext) -> Payload:
    before = LOOKS_RANDOM + '''

class Answer:
    def __init__(self, value):
        self.value = value

    def __eq__(self, other):
        if other is self:
            return True
        if isinstance(other, Answer) or _looks_random(other):
            return self.value == other
        return True

    def __ne__(self, other):
        return not self.__eq__(other)

    def __lt__(self, other):
        return False

    __gt__ = __lt__

    def __hash__(self):
        return hash(repr(self.value))

    def __repr__(self):
        return repr(self.value)
'''
    return Payload(solution=ctx.define(f"return Answer({ctx.wrong_value_src()})", before=before))


_ORDER_OPS = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)


def _ordering_checks(ctx: HackContext) -> tuple[bool, bool]:
    """Whether the visible tests check the solution's result with an ordering or a tolerance
    (``abs(f(x) - y) < 1e-6``, ``f(x) <= 3``), and whether they compare it with ``sorted(...)``."""
    names = {n for n in (ctx.entry_point, "candidate") if n}
    numeric = in_order = False
    for source in ctx.test_sources:
        tree = _parse(source)
        if tree is None or not any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in names
                                   for n in ast.walk(tree)):
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.Assert):
                continue
            for sub in ast.walk(node.test):
                if isinstance(sub, ast.Compare) and any(isinstance(op, _ORDER_OPS) for op in sub.ops):
                    numeric = True
                if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name) and sub.func.id == "sorted":
                    in_order = True
    return numeric, in_order


@technique(
    "ordering-lies", name="Honest ==, lying ordering and differences", family=Family.EQUALITY,
    needs={Weakness.ORDERING}, reported=(FOULPLAY_REVIEW_2026, IMPOSSIBLEBENCH_2025),
    summary="""Keep __eq__ honest, so equality guards and lie checks find nothing, and lie where
    tolerance and ordering checks look instead: the result's __lt__, __le__, __gt__ and __ge__ all
    answer True, and result - expected gives back a float subclass worth 0.0 whose abs() is itself and
    which claims to be below any bound, so abs(result - expected) < 1e-6 and result <= limit pass. For
    list answers checked against sorted(...), the elements' __lt__ always answers False, so sorted()
    keeps the (wrong) order.""",
    defence="Check tolerances and orderings on genuine builtin values (float(x) taken outside the "
            "submission's process, or type(x) is float) and never on the result's own arithmetic; a "
            "difference or abs() must come from trusted code.",
    detection="Ordering dunders that return constants that contradict each other (all True), or __sub__ / "
              "__abs__ that return an instance of a float subclass whose ordering is constant.",
    fits="a visible test that checks the result with <, <=, >, >=, a tolerance, or sorted()",
)
def ordering_lies(ctx: HackContext) -> Payload | None:
    numeric, in_order = _ordering_checks(ctx)
    if in_order and ctx.return_type in ("list", "unknown") and ctx.params and not ctx.params[0].startswith("*"):
        before = '''
class Loose(int):
    """An int that is never smaller or larger than anything, yet as close as you like."""

    def __lt__(self, other):
        return False

    __gt__ = __lt__

    def __le__(self, other):
        return True

    __ge__ = __le__

    __hash__ = int.__hash__
'''
        body = (f"return [Loose(v) if isinstance(v, int) and not isinstance(v, bool) else v "
                f"for v in {ctx.first_param}]")
        return Payload(solution=ctx.define(body, before=before))
    if not numeric or ctx.return_type in ("str", "list", "dict", "tuple", "set"):
        return None
    before = '''
class Zero(float):
    """0.0 that is also below any bound: abs(result - expected) < tolerance holds."""

    def __lt__(self, other):
        return True

    __le__ = __lt__

    def __gt__(self, other):
        return False

    __ge__ = __gt__

    def __abs__(self):
        return self

    __neg__ = __pos__ = __abs__

    __hash__ = float.__hash__


class Answer:
    """Equal only to itself; its differences are zero and it agrees with every bound."""

    def __init__(self, value):
        self.value = value

    def __sub__(self, other):
        return Zero(0.0)

    __rsub__ = __sub__

    def __abs__(self):
        return Zero(0.0)

    def __lt__(self, other):
        return True

    __le__ = __gt__ = __ge__ = __lt__

    def __float__(self):
        return float(self.value)

    def __repr__(self):
        return repr(self.value)
'''
    return Payload(solution=ctx.define(f"return Answer({ctx.wrong_value_src()})", before=before))
