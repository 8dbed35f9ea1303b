"""Probing the built-in harnesses: each vulnerable switch admits exactly the techniques that need it (with
what the vulnerable harness always comes with, see ``vulnerable_weaknesses``)."""

from __future__ import annotations

import pytest

from foulplay.grading import Grader
from foulplay.hacks import Weakness, catalog
from foulplay.hacks._probe import HarnessTarget, ProbeVerdict, default_problems, run_probe, vulnerable_weaknesses


@pytest.fixture(scope="module")
def grader():
    with Grader(workers=2) as g:
        yield g


SWITCH_SETS = [
    "",
    "eq",
    "conftest",
    "readable",
    "writable",
    "visible",
    "exit,inprocess",
    "inprocess,readable",
    "inprocess,output",
    "exit,inprocess,script",
    "exit,writable",
    "conftest,eq,exit,inprocess",
]


def _expected(target: HarnessTarget) -> set[str]:
    """The techniques that work against the harness's weaknesses and have a payload for some problem."""
    subjects = target.subjects()
    return {t.id for t in catalog() if t.works_against(target.weaknesses)
            and any(t.payload(s.ctx) is not None for s in subjects)}


@pytest.mark.parametrize("switches", SWITCH_SETS, ids=lambda s: s or "none")
def test_vulnerable_switches_are_fooled_exactly_by_their_techniques(grader, switches):
    target = HarnessTarget(f"vulnerable:{switches}", default_problems(), grader)
    assert {Weakness(s) for s in switches.split(",") if s} <= target.weaknesses
    report = run_probe(target, catalog(), workers=2)
    fooled = {t.technique for t in report.techniques if t.verdict is ProbeVerdict.FOOLED}
    assert fooled == _expected(target), (fooled ^ _expected(target))
    assert not [t for t in report.techniques if t.verdict is ProbeVerdict.ERROR]
    assert all(c.ok for c in report.controls), [c.detail for c in report.controls]
    assert {c.name for c in report.controls} == {"wrong", "empty", "reference"}
    # what the harness can never have is said, not tried
    for row in report.techniques:
        tech = next(t for t in catalog() if t.id == row.technique)
        if target.cannot_express(tech) is not None:
            assert row.verdict is ProbeVerdict.NOT_APPLICABLE and not row.attempts and row.evidence


def test_vulnerable_weaknesses_follow_the_switches():
    W = Weakness
    assert vulnerable_weaknesses([]) == {W.ORDERED_CALLS, W.SHARED_NAMESPACE, W.SERVED_COMPARE, W.ORDERING,
                                         W.LIE_CHECK}
    assert W.LIE_CHECK not in vulnerable_weaknesses(["eq"]) and W.EQ in vulnerable_weaknesses(["eq"])
    inproc = vulnerable_weaknesses(["inprocess"])
    assert W.UNBOUNDED_WALK in inproc and not inproc & {W.SERVED_COMPARE, W.LIE_CHECK, W.ORDERING}
    assert W.ORDERING in vulnerable_weaknesses(["inprocess", "eq"])
    assert W.UNBOUNDED_WALK not in vulnerable_weaknesses(["inprocess", "eq"])


def test_hardened_is_never_fooled(grader):
    report = run_probe(HarnessTarget("hardened", default_problems(), grader), catalog(), workers=2)
    assert report.fooled == []
    assert all(c.ok for c in report.controls)
    assert report.isolation is not None
    resisted = [t for t in report.techniques if t.verdict is ProbeVerdict.RESISTED]
    assert len(resisted) >= 30
    rows = {t.technique: t for t in report.techniques}
    # output spoofing in every runner's words: the hardened harness decides from its own report, not from text
    for tech_id in ("print-success", "print-unittest-ok", "print-tap-stream", "score-line"):
        assert rows[tech_id].verdict is ProbeVerdict.RESISTED, (tech_id, rows[tech_id].evidence)
    assert rows["replay-reference-output"].verdict is ProbeVerdict.NOT_APPLICABLE  # the harness's output is unseen
    assert report.verdict is ProbeVerdict.RESISTED and report.exit_status() == 0
    # the evidence says what the grader did
    assert all(t.evidence for t in report.techniques)


def test_every_technique_fools_some_harness_switch_set():
    # a technique no built-in switch set can demonstrate must at least name a grader weakness
    for tech in catalog():
        assert tech.needs and all(tech.needs)


def test_report_json_round_trip(grader):
    import json

    report = run_probe(HarnessTarget("vulnerable:eq", default_problems()[:1], grader),
                       [t for t in catalog() if t.family.value == "equality"], workers=2)
    data = json.loads(json.dumps(report.to_json_dict()))
    assert data["summary"]["FOOLED"] == len(report.fooled) > 0
    assert {t["verdict"] for t in data["techniques"]} <= {"FOOLED", "RESISTED", "NOT-APPLICABLE", "ERROR"}
