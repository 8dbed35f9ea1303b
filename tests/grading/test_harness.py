"""Harness specifications: ``hardened`` and ``vulnerable[:switches]``."""

from __future__ import annotations

import pytest

from foulplay.errors import InputError
from foulplay.grading import DEFAULT_VULNERABLE, HARDENED, SWITCHES, VULNERABLE, Harness


@pytest.mark.parametrize("spec", ["hardened", "HARDENED", "  hardened  ", "hardened:"])
def test_hardened(spec: str) -> None:
    h = Harness.parse(spec)
    assert h.hardened
    assert h.switches == frozenset()
    assert str(h) == "hardened"
    assert h == HARDENED


def test_hardened_takes_no_switches() -> None:
    with pytest.raises(InputError, match="no switches"):
        Harness.parse("hardened:eq")


def test_vulnerable_default_switches() -> None:
    h = Harness.parse("vulnerable")
    assert not h.hardened
    assert h.switches == frozenset({"eq", "exit", "conftest", "inprocess"}) == DEFAULT_VULNERABLE
    assert str(h) == "vulnerable:conftest,eq,exit,inprocess"
    assert h == VULNERABLE


def test_vulnerable_one_switch() -> None:
    h = Harness.parse("vulnerable:eq")
    assert h.name == "vulnerable" and not h.hardened
    assert h.switches == frozenset({"eq"})
    assert str(h) == "vulnerable:eq"


def test_vulnerable_empty_switches() -> None:
    h = Harness.parse("vulnerable:")
    assert not h.hardened
    assert h.switches == frozenset()
    assert str(h) == "vulnerable:"


def test_switches_are_trimmed_lowercased_and_sorted() -> None:
    h = Harness.parse(" Vulnerable: exit , EQ,, ")
    assert h.switches == frozenset({"eq", "exit"})
    assert str(h) == "vulnerable:eq,exit"


def test_script_switch() -> None:
    h = Harness.parse("vulnerable:script,eq,exit")
    assert h.switches == frozenset({"script", "eq", "exit"})


@pytest.mark.parametrize("spec", ["vulnerable:zz", "vulnerable:eq,nope"])
def test_unknown_switch(spec: str) -> None:
    with pytest.raises(InputError, match="unknown switch") as info:
        Harness.parse(spec)
    for known in SWITCHES:
        assert known in str(info.value)


def test_script_and_conftest_conflict() -> None:
    with pytest.raises(InputError, match=r"conftest.*script"):
        Harness.parse("vulnerable:script,conftest")


@pytest.mark.parametrize("spec", ["", "bogus", "hard", "vulnerable-eq"])
def test_unknown_harness(spec: str) -> None:
    with pytest.raises(InputError, match="unknown harness"):
        Harness.parse(spec)


@pytest.mark.parametrize("spec", [
    "hardened", "vulnerable", "vulnerable:", "vulnerable:eq", "vulnerable:exit,eq",
    "vulnerable:conftest", "vulnerable:script", "vulnerable:eq,exit,script", "vulnerable:conftest,eq,exit",
])
def test_str_round_trip(spec: str) -> None:
    h = Harness.parse(spec)
    again = Harness.parse(str(h))
    assert again == h
    assert str(again) == str(h)


def test_parse_accepts_a_harness() -> None:
    assert Harness.parse(VULNERABLE) is VULNERABLE
