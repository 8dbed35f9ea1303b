"""The hardened boundary, proved from the trusted side: no code of the submission runs there.

A profile hook in the trusted process (the broker, and its forked pytest runner) records the file of every
Python function that runs while a hostile submission is graded; none may be the submission's.
"""

from __future__ import annotations

import os
import sys

import pytest

from foulplay.grading import Grader, Outcome, extract, problem_from_record
from foulplay.grading._grade import _payload
from foulplay.grading._harness import Harness

CHECK = problem_from_record({
    "task_id": "b/check", "entry_point": "add", "prompt": "def add(a, b):\n    '''a + b'''\n",
    "test": "def check(candidate):\n    assert candidate(1, 2) == 3\n    assert abs(candidate(0.5, 0.25) - 0.75) < 1e-9\n"
            "    assert all(map(lambda a, e: candidate(a, 1) == e, [1, 2], [2, 3]))\n"})
ASSERTS = problem_from_record({
    "task_id": "b/asserts", "entry_point": "add",
    "tests": ["assert add(1, 2) == 3", "assert math.isclose(add(0.1, 0.2), 0.3)", "assert add(2, 2) >= 4",
              "assert sorted([add(1, 1), 1]) == [1, 2]"]})
PYTEST = problem_from_record({
    "task_id": "b/pytest", "entry_point": "add",
    "tests": "import math\nimport pytest\nfrom solution import *\n\n"
             "def test_add():\n    assert add(1, 2) == 3\n\n"
             "def test_close():\n    assert math.isclose(add(0.1, 0.2), 0.3)\n\n"
             "def test_approx():\n    assert add(0.1, 0.2) == pytest.approx(0.3)\n"})

HOSTILE = {
    "always-equal": "class A:\n    def __eq__(s, o): return True\n    def __ne__(s, o): return False\n"
                    "    def __lt__(s, o): return True\n    def __sub__(s, o): return 0\n"
                    "    def __rsub__(s, o): return 0\n    def __abs__(s): return 0\n    def __bool__(s): return True\n"
                    "    __hash__ = object.__hash__\n"
                    "def add(a, b):\n    return A()\n",
    "float-costume": "class Z(float):\n    def __eq__(s, o): return True\n    def __lt__(s, o): return True\n"
                     "    def __ge__(s, o): return True\n    __hash__ = float.__hash__\n"
                     "    def __sub__(s, o): return Z(0.0)\n    def __rsub__(s, o): return Z(0.0)\n"
                     "    def __abs__(s): return Z(0.0)\n"
                     "def add(a, b):\n    return Z(-1.0)\n",
    "lying-list": "class L(list):\n    def __eq__(s, o): return True\n    __hash__ = None\n"
                  "    def __iter__(s): return iter([1, 2])\n"
                  "def add(a, b):\n    return L([9])\n",
    "stop-iteration": "def add(a, b):\n    raise StopIteration\n",
    "patch-channel": "import sys\nfor name, mod in list(sys.modules.items()):\n"
                     "    if name.startswith(('fpbox', 'fpgrade')):\n"
                     "        for attr in list(vars(mod)):\n"
                     "            if 'compare' in attr or attr in ('same', '_lies'):\n"
                     "                setattr(mod, attr, lambda *a, **k: True)\n"
                     "import math\nclass math:\n    isclose = staticmethod(lambda *a, **k: True)\n"
                     "class pytest:\n    approx = staticmethod(lambda x: x)\n"
                     "def add(a, b):\n    return -1\n",
    "callback-object": "class Trap:\n    def __call__(s, *a): return 3\n    def __eq__(s, o): return True\n"
                       "    __hash__ = object.__hash__\n"
                       "def add(a, b):\n    return (Trap(), Trap())\n",
}
HONEST = "def add(a, b):\n    return a + b\n"


@pytest.fixture(scope="module")
def grader():
    with Grader(workers=1) as g:
        yield g


def audited(grader, problem, code):
    sub = extract(f"```python\n{code}\n```", problem)
    payload = dict(_payload(problem, sub, Harness.parse("hardened")), audit=True)
    job = grader.sandbox.run(("fpgrade_drivers", "hardened"), payload, limits=grader.limits)
    assert isinstance(job.value, dict), job.error
    return job.value


def foreign(value):
    """Files of functions that ran in the trusted process and are not the grader's own code."""
    roots = value["audit_roots"]
    trusted_prefixes = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
    trusted_prefixes |= {os.path.realpath(p) for p in roots["inside"]}
    trusted_prefixes |= {"/usr/lib", "/usr/local/lib"}
    bad = []
    for name in value["audit"]:
        if name.startswith("<"):
            if name in ("<test>", "<prompt>", "<setup>", "<string>") or name.startswith(("<assert ", "<frozen ")):
                continue
            bad.append(name)
            continue
        real = os.path.realpath(name)
        if roots["work"] and real.startswith(os.path.realpath(roots["work"])):
            bad.append(name)  # the submission's own files live under the work root
        elif roots["trusted"] and real.startswith(os.path.realpath(roots["trusted"])):
            continue  # the grader's pristine copy of the tests
        elif not any(real.startswith(p) for p in trusted_prefixes):
            bad.append(name)
    return bad


@pytest.mark.parametrize("problem", [CHECK, ASSERTS, PYTEST], ids=["check", "asserts", "pytest"])
@pytest.mark.parametrize("attack", sorted(HOSTILE))
def test_no_submission_code_runs_on_the_trusted_side(grader, problem, attack):
    value = audited(grader, problem, HOSTILE[attack])
    assert value["audit"], "the profile hook saw nothing: the audit itself is broken"
    assert foreign(value) == []
    result = grader.grade(problem, f"```python\n{HOSTILE[attack]}\n```", "hardened")
    assert result.outcome is not Outcome.SOLVED, result.reason


@pytest.mark.parametrize("problem", [CHECK, ASSERTS, PYTEST], ids=["check", "asserts", "pytest"])
def test_the_honest_solution_is_solved_and_audited_clean(grader, problem):
    value = audited(grader, problem, HONEST)
    assert foreign(value) == []
    assert value["tests_total"] > 0 and value["tests_passed"] == value["tests_total"], value
    assert "replayed" in value.get("calls", "")
    assert grader.grade(problem, f"```python\n{HONEST}\n```", "hardened").outcome is Outcome.SOLVED


def test_the_audit_would_see_submission_code(grader):
    """Control: the same hook does record code when it runs trusted-side (the trusted test's own code)."""
    value = audited(grader, CHECK, HONEST)
    assert "<test>" in value["audit"]
