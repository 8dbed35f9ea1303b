"""The data-only channel between trusted tests and a submission's process (fpbox_rpc)."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from foulplay.sandbox import Sandbox
from foulplay.sandbox._inside import fpbox_wire as wire

DRIVERS = Path(__file__).resolve().parent / "drivers"


@pytest.fixture(scope="module")
def box():
    with Sandbox(driver_dirs=[DRIVERS]) as sandbox:
        yield sandbox


def call(box, code: str, trusted: str, strict: bool = True) -> dict:
    result = box.run(("fptest_rpc", "run"), {"code": code, "trusted": trusted, "strict": strict})
    assert result.error is None, result.error
    return result.value


def test_plain_values_arrive_as_genuine_builtins(box):
    out = call(box, "def f():\n    import collections\n"
                    "    return [1, 2.5, 'x', b'y', (1, 2), {'k': {1, 2}}, None, True, collections.Counter('aab')]",
               "v = mod.f()\nout['types'] = [type(x).__name__ for x in v]\nout['v'] = v[:8]\n"
               "out['counter'] = dict(v[8])")
    assert out["types"] == ["int", "float", "str", "bytes", "tuple", "dict", "NoneType", "bool", "Counter"]
    assert out["v"][5] == {"k": {1, 2}}
    assert out["counter"] == {"a": 2, "b": 1}


def test_builtin_subclass_is_compared_by_its_genuine_value(box):
    out = call(box, "class S(str):\n    def __eq__(self, o): return True\n    def strip(self): return self\n"
                    "    __hash__ = str.__hash__\ndef f():\n    return S('abc')",
               "v = mod.f()\nout['eq_other'] = (v == 'zzz')\nout['eq_same'] = (v == 'abc')\n"
               "out['strip'] = ' a '.__class__ is str and v.strip()\nout['isstr'] = isinstance(v, str)")
    assert out["eq_other"] is False
    assert out["eq_same"] is True
    assert out["isstr"] is True


def test_foreign_object_never_equals_trusted_data_and_is_probed(box):
    out = call(box, "class A:\n    def __eq__(self, o): return True\n    def __ne__(self, o): return False\n"
                    "def f():\n    return A()",
               "v = mod.f()\nout['eq'] = (v == 5)\nout['ne'] = (v != 5)\nout['eq_rev'] = (5 == v)")
    assert out == {**out, "eq": False, "ne": True, "eq_rev": False}
    assert any(e["defence"] == "type-guard" for e in out["events"])


def test_strict_mode_refuses_truthiness_and_arithmetic_of_foreign_objects(box):
    out = call(box, "class A:\n    def __bool__(self): return True\n    def __sub__(self, o): return 0\n"
                    "    def __abs__(self): return 0\n"
                    "def f():\n    return A()",
               "v = mod.f()\n"
               "try:\n    bool(v)\nexcept TypeError:\n    out['bool'] = 'refused'\n"
               "try:\n    v - 1.5\nexcept TypeError:\n    out['sub'] = 'refused'\n"
               "try:\n    abs(v)\nexcept TypeError:\n    out['abs'] = 'refused'\n")
    assert out["bool"] == "refused" and out["sub"] == "refused" and out["abs"] == "refused"


def test_strict_mode_lets_value_classes_do_their_own_arithmetic(box):
    code = ("class V:\n    def __init__(self, x, y): self.x, self.y = x, y\n"
            "    def __add__(self, o): return V(self.x + o.x, self.y + o.y)\n"
            "    def __mul__(self, k): return V(self.x * k, self.y * k)\n"
            "    def __rmul__(self, k): return self * k\n"
            "    def __lt__(self, o): return (self.x, self.y) < (o.x, o.y)\n"
            "    def __eq__(self, o):\n        if isinstance(o, V): return (self.x, self.y) == (o.x, o.y)\n"
            "        if isinstance(o, tuple): return (self.x, self.y) == o\n        return NotImplemented\n"
            "    __hash__ = None\n"
            "def v(x, y):\n    return V(x, y)")
    trusted = ("a, b = mod.v(1, 2), mod.v(3, 4)\nout['add'] = (a + b == mod.v(4, 6))\n"
               "out['scale'] = (2 * a == mod.v(2, 4)) and (a * 3 == (3, 6))\n"
               "out['order'] = sorted([b, a])[0] == (1, 2)\nout['ne'] = (a != b)\nout['tuple_ne'] = (a == (9, 9))\n")
    out = call(box, code, trusted)
    assert {k: out[k] for k in ("add", "scale", "order", "ne", "tuple_ne")} == {
        "add": True, "scale": True, "order": True, "ne": True, "tuple_ne": False}
    assert not any(e["defence"] == "type-guard" for e in out["events"])


def test_lenient_mode_supports_objects_methods_and_callbacks(box):
    code = ("class Stack:\n    def __init__(self): self.items = []\n    def push(self, x): self.items.append(x)\n"
            "    def pop(self): return self.items.pop()\n    def __len__(self): return len(self.items)\n"
            "def apply(fn, xs):\n    return [fn(x) for x in xs]\n"
            "def gen(n):\n    return (i * i for i in range(n))\n")
    trusted = ("s = mod.Stack()\ns.push(1)\ns.push(2)\nout['len'] = len(s)\nout['pop'] = s.pop()\n"
               "out['apply'] = mod.apply(lambda x: x + 100, [1, 2])\nout['gen'] = list(mod.gen(4))\n"
               "class Node:\n    def __init__(self, v): self.v = v\n"
               "out['shadow'] = mod.apply(lambda n: n, [Node(3)]) is not None\n")
    out = call(box, code, trusted, strict=False)
    assert out["len"] == 2 and out["pop"] == 2
    assert out["apply"] == [101, 102]
    assert out["gen"] == [0, 1, 4, 9]


def test_exceptions_cross_as_equivalent_types(box):
    out = call(box, "class MyError(ValueError):\n    pass\ndef f(x):\n    raise MyError('bad ' + str(x))\n"
                    "def g():\n    raise KeyError('k')",
               "try:\n    mod.f(1)\nexcept ValueError as e:\n    out['f'] = (type(e).__name__, str(e))\n"
               "try:\n    mod.g()\nexcept KeyError as e:\n    out['g'] = type(e) is KeyError\n")
    assert out["f"] == ["MyError", "bad 1"] or out["f"] == ("MyError", "bad 1")
    assert out["g"] is True


def test_system_exit_in_a_call_becomes_an_error_and_evidence(box):
    out = call(box, "import sys\ndef f():\n    sys.exit(0)",
               "try:\n    mod.f()\nexcept rpc.CandidateExit as e:\n    out['code'] = e.code\n")
    assert out["code"] == 0
    assert any(e["defence"] == "exit-guard" for e in out["events"])


def test_process_death_is_reported(box):
    out = call(box, "import os\ndef f():\n    os._exit(0)",
               "try:\n    mod.f()\nexcept rpc.CandidateGone as e:\n    out['gone'] = str(e)\n")
    assert "ended" in out["gone"]
    assert any(e["defence"] == "exit-guard" for e in out["events"])


def test_safe_unpickler_refuses_code():
    evil = pickle.dumps(__import__("os").system)
    with pytest.raises(wire.WireError):
        wire.safe_loads(evil)
    assert wire.safe_loads(pickle.dumps({"a": [1, (2, 3)], "b": {4}})) == {"a": [1, (2, 3)], "b": {4}}


def test_oversized_message_is_refused():
    import os

    r, w = os.pipe()
    os.write(w, wire.HEADER.pack(wire.MAX_MESSAGE + 1))
    with pytest.raises(wire.WireError):
        wire.recv_bytes(r)
    os.close(r)
    os.close(w)
