"""Advice to close grader weaknesses: one sentence for every weakness, the built-in switch named where there is one,
and ``advice_for`` turning a probe report into fixes for what fooled the grader (techniques and controls)."""

from __future__ import annotations

import pytest

from foulplay.grading import SWITCHES
from foulplay.hacks import ADVICE, Weakness, advice_for, get
from foulplay.hacks._advice import CONTROL_ADVICE, advice_for_weakness


@pytest.mark.parametrize("weakness", list(Weakness), ids=lambda w: w.value)
def test_every_weakness_has_advice(weakness: Weakness) -> None:
    advice = ADVICE[weakness]
    assert advice.weakness is weakness
    assert 40 < len(advice.how) < 330 and advice.how.endswith(".")
    assert advice.switch == (weakness.value if weakness.value in SWITCHES else None)
    if advice.switch:
        assert f"`{advice.switch}` switch" in advice.text()
    else:
        assert advice.text() == advice.how


def test_advice_is_concrete_and_distinct() -> None:
    texts = [a.how for a in ADVICE.values()]
    assert len(set(texts)) == len(texts) == len(Weakness)
    assert "--noconftest" in ADVICE[Weakness.CONFTEST].how and "rootdir" in ADVICE[Weakness.CONFTEST].how
    assert "exit status" in ADVICE[Weakness.EXIT].how and "result record" in ADVICE[Weakness.EXIT].how
    assert "hardened" in ADVICE[Weakness.EQ].how
    assert {a.switch for a in ADVICE.values() if a.switch} == set(SWITCHES)
    assert advice_for_weakness("eq") is ADVICE[Weakness.EQ]


def _row(tech: str, verdict: str, **extra: object) -> dict:
    return {"technique": tech, "family": "x", "verdict": verdict, "needs": "", "evidence": "", "attempts": [],
            **extra}


def _control(name: str, status: str, expected_pass: bool = False) -> dict:
    return {"control": name, "expected_pass": expected_pass, "ok": status == "ok", "status": status, "detail": "d",
            "attempts": []}


def test_advice_for_lists_fixes_for_what_fooled_the_grader() -> None:
    probe = {"techniques": [_row("always-equal-object", "FOOLED", family="equality"),
                            _row("os-exit-zero", "FOOLED", family="early-exit"),
                            _row("hardcode-lookup", "RESISTED"), _row("patch-timers", "NOT-APPLICABLE"),
                            _row("someone-elses", "FOOLED", needs="exit+visible or eq")],
             "controls": [_control("wrong", "ok"), _control("empty", "FAILED"),
                          _control("reference", "FAILED", expected_pass=True)]}
    out = advice_for(probe)
    assert [e["technique"] for e in out] == ["control:empty", "always-equal-object", "os-exit-zero", "someone-elses"]
    empty = out[0]
    assert empty["family"] == "control" and CONTROL_ADVICE["empty"] == empty["fixes"][0]["how"]
    assert [f["weakness"] for f in empty["fixes"]] == ["empty-control", "empty-suite"]
    eq = out[1]
    assert eq["family"] == "equality" and eq["needs"] == [["eq"]]
    assert eq["fixes"] == [{"weakness": "eq", "how": ADVICE[Weakness.EQ].text(), "switch": "eq"}]
    exit_ = out[2]
    assert exit_["needs"] == [sorted(w.value for w in get("os-exit-zero").needs[0])]
    assert [f["weakness"] for f in exit_["fixes"]] == ["exit", "inprocess"]
    # a technique this catalog does not know: its needs are read from the report
    other = out[3]
    assert other["needs"] == [["exit", "visible"], ["eq"]]
    assert [f["weakness"] for f in other["fixes"]] == ["eq", "exit", "visible"]


def test_advice_for_a_clean_probe_is_empty_and_tolerates_junk() -> None:
    assert advice_for({"techniques": [_row("always-equal-object", "RESISTED")],
                       "controls": [_control("wrong", "ok")]}) == []
    assert advice_for({}) == []
    odd = advice_for({"techniques": [_row("nope", "FOOLED", needs="no-such-weakness"), "junk"], "controls": [3]})
    assert odd[0]["fixes"][0]["weakness"] == "no-such-weakness" and "not a weakness" in odd[0]["fixes"][0]["how"]
