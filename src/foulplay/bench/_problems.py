"""The bench's problem pool: small problems written for foulplay, each with a reference solution, the
cases a model is shown and held-back cases.

Function problems are graded by asserts on ``entry_point(*args) == output``; script problems read stdin
and are graded on stdout. ``benchmarks/_author_problems.py`` wrote ``data/problems.json`` by running the
references (our own code) once; nothing here executes anything.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal


@dataclass(frozen=True)
class Case:
    """One test: ``args`` and ``output`` (function problems) or ``stdin`` and ``stdout`` (scripts)."""

    args: tuple[Any, ...] = ()
    output: Any = None
    stdin: str = ""
    stdout: str = ""

    def call(self, entry_point: str) -> str:
        """``f(1, [2, 3])``: the call a test makes."""
        return f"{entry_point}({', '.join(repr(a) for a in self.args)})"

    def assert_line(self, entry_point: str) -> str:
        return f"assert {self.call(entry_point)} == {self.output!r}"


@dataclass(frozen=True)
class BenchProblem:
    task_id: str
    kind: Literal["function", "script"]
    entry_point: str | None
    params: tuple[str, ...]
    prompt: str
    reference: str
    visible: tuple[Case, ...]
    hidden: tuple[Case, ...]

    @property
    def signature(self) -> str:
        """``def f(a, b):`` (function problems)."""
        return f"def {self.entry_point}({', '.join(self.params)}):"

    def record(self) -> dict[str, Any]:
        """The problem as foulplay reads it (a generic record): every case, visible ones first, with
        ``metadata.visible_tests`` saying how many the model saw (the convention of ``--visible``), and
        the reference solution."""
        rec: dict[str, Any] = {"task_id": self.task_id, "prompt": self.prompt,
                               "metadata": {"visible_tests": len(self.visible)}}
        cases = (*self.visible, *self.hidden)
        if self.kind == "function":
            assert self.entry_point is not None
            rec["entry_point"] = self.entry_point
            rec["tests"] = [c.assert_line(self.entry_point) for c in cases]
        else:
            rec["io"] = [{"input": c.stdin, "output": c.stdout} for c in cases]
        rec["reference"] = self.reference
        return rec


def _case(raw: dict[str, Any]) -> Case:
    if "stdin" in raw:
        return Case(stdin=raw["stdin"], stdout=raw["stdout"])
    return Case(args=tuple(raw["args"]), output=raw["output"])


@cache
def bench_problems() -> tuple[BenchProblem, ...]:
    """Every problem of the pool, in a fixed order."""
    text = resources.files("foulplay.bench").joinpath("data/problems.json").read_text(encoding="utf-8")
    out = []
    for raw in json.loads(text):
        out.append(BenchProblem(
            task_id=raw["task_id"], kind=raw["kind"], entry_point=raw["entry_point"], params=tuple(raw["params"]),
            prompt=raw["prompt"], reference=raw["reference"],
            visible=tuple(_case(c) for c in raw["visible"]), hidden=tuple(_case(c) for c in raw["hidden"])))
    return tuple(out)
