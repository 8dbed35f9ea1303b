"""Grading as a unit of work: each worker holds a warm :class:`~foulplay.grading.Grader` (a sandbox pool),
items are ``(problem, completion, id)`` or ``(problem, completion, id, harness)``."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from foulplay.executors._base import Work
from foulplay.grading import VULNERABLE, DoubleRunResult, Grader, GradeResult, Harness, Problem, error_result
from foulplay.sandbox import Limits
from foulplay.vocab import Isolation

GradeItem = tuple[Any, ...]
"""``(problem, completion, id)``, or with a fourth element naming the harness for that item."""


@dataclass(frozen=True)
class GradeWork(Work[GradeItem, "GradeResult | DoubleRunResult"]):
    """Grade completions under ``harness`` (or both harnesses with ``double_run``) in the sandbox.

    The grading itself is :meth:`Grader.grade` / :meth:`Grader.double_run`, unchanged: which executor runs
    it only decides where the warm pool lives. Every result records the isolation its worker used."""

    harness: str = "hardened"
    double_run: bool = False
    vulnerable: str = VULNERABLE
    limits: Limits | None = None
    isolation: str | None = None
    require_isolation: str | None = None

    threads = True

    def setup_key(self) -> Hashable:
        return ("grade", self.limits, self.isolation, self.require_isolation)

    def open(self, slots: int) -> Grader:
        return Grader(limits=self.limits, isolation=self.isolation, require_isolation=self.require_isolation,
                      workers=slots)

    def run(self, state: Grader, item: GradeItem) -> GradeResult | DoubleRunResult:
        problem, completion, item_id = item[0], item[1], item[2]
        if not isinstance(problem, Problem):  # an item that was already an error when read (its task id)
            return self.failed(item, str(item[3]) if len(item) > 3 else "no problem")
        if self.double_run:
            return state.double_run(problem, completion, vulnerable=self.vulnerable, id=item_id)
        harness = item[3] if len(item) > 3 and item[3] else self.harness
        return state.grade(problem, completion, harness, id=item_id)

    def failed(self, item: GradeItem, message: str) -> GradeResult | DoubleRunResult:
        problem = item[0]
        task_id = problem.task_id if isinstance(problem, Problem) else str(problem)
        harness = item[3] if len(item) > 3 and item[3] and isinstance(problem, Problem) else self.harness
        reason = message if message.startswith("grader error") or not isinstance(problem, Problem) \
            else f"grader error: {message}"
        return error_result(task_id, reason, harness=harness, double_run=self.double_run,
                            vulnerable=self.vulnerable, id=item[2] if len(item) > 2 else None)

    def close(self, state: Grader) -> None:
        state.close()

    def describe(self, state: Grader) -> dict[str, Any]:
        return {"isolation": state.isolation.value, "sandbox_workers": state.sandbox.workers}


class ExecutorGrader:
    """A :class:`Grader` look-alike whose ``grade`` runs on an executor: for callers that grade one item
    at a time from many threads (``foulplay probe``). Thread-safe; each call is one single-item map."""

    def __init__(self, executor: Any, work: GradeWork | None = None) -> None:
        self.executor = executor
        self.work = work or GradeWork()
        facts = executor.start(self.work)
        levels = sorted((Isolation(f["isolation"]) for f in facts if f.get("isolation")), key=lambda i: i.rank)
        self.isolation = levels[0] if levels else Isolation.NONE
        """The weakest isolation among the workers (each result records its own)."""

    def grade(self, problem: Problem, completion: str | None, harness: Any = "hardened", *,
              id: str | None = None) -> GradeResult:
        item = (problem, completion, id, str(Harness.parse(harness)))
        return next(iter(self.executor.map(self.work, [item])))

    def close(self) -> None:
        self.executor.close()

