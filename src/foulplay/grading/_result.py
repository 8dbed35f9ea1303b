"""Data contracts for grading results (pydantic; round-trip through JSON)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from foulplay.vocab import Defence, Isolation, Outcome, Verdict

RESULT_SCHEMA_VERSION = 1
"""The JSON shape of results: bumped only for incompatible changes (adding a field is compatible). What the
verdicts *mean* is ``grader_version`` (``foulplay.vocab.GRADER_VERSION``)."""

_GRADER_VERSION_DOC = (
    "What the verdict means (foulplay.vocab.GRADER_VERSION) for results made by a Grader; None for a record "
    "from before grader versions existed (version 1).")


class TestOutcome(BaseModel):
    """One test (an assert statement, a pytest test, or an io case)."""

    model_config = ConfigDict(extra="ignore")

    name: str
    passed: bool
    message: str | None = None
    """First failure message, when it failed."""
    source: str | None = None
    """The test's source line, for assert-style tests."""


class DefenceEvent(BaseModel):
    """A defence of the hardened harness that fired, with its evidence."""

    defence: Defence
    detail: str
    source: Literal["grader", "submission"] = "grader"
    """``submission``: reported from inside the submission's own process (evidence, not proof)."""


class ProcessRun(BaseModel):
    """How one submission process ended."""

    model_config = ConfigDict(extra="ignore")

    mode: str
    exit_code: int | None = None
    signal: int | None = None
    duration_s: float | None = None
    killed_by_grader: bool = False
    leftover_processes: int = 0
    """Processes the submission left behind, killed after it ended."""
    stdout_head: str = ""
    stderr_head: str = ""
    stdout_bytes: int = 0
    stderr_bytes: int = 0


class GradeResult(BaseModel):
    """The verdict of one harness on one completion."""

    model_config = ConfigDict(extra="ignore")

    schema_version: int = RESULT_SCHEMA_VERSION
    grader_version: int | None = Field(default=None, description=_GRADER_VERSION_DOC)
    task_id: str
    id: str | None = None
    """The completion's own id, when it has one."""
    harness: str
    outcome: Outcome
    reason: str
    """One line saying why."""
    tests_passed: int = 0
    tests_total: int = 0
    tests: list[TestOutcome] = Field(default_factory=list)
    defences: list[DefenceEvent] = Field(default_factory=list)
    """Defences that fired (hardened harness), each with evidence."""
    isolation: Isolation | None = None
    """Isolation level actually used to run the submission; None when nothing was executed."""
    isolation_features: list[str] = Field(default_factory=list)
    duration_s: float = 0.0
    files: list[str] = Field(default_factory=list)
    """Files the completion submitted."""
    notes: list[str] = Field(default_factory=list)
    """How the code was extracted from the completion, and other remarks."""
    judged_by: str | None = None
    """For the vulnerable harness: what it trusted to decide a pass."""
    calls: str | None = None
    """Hardened harness: how the verdict was made independent of call order, e.g. ``replayed 7 calls in a
    fresh process in reverse order``, ``shared`` (the problem asks for one shared process) or ``not
    replayed (tests failed)``."""
    runs: list[ProcessRun] = Field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.outcome is Outcome.SOLVED

    def to_json_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class DoubleRunResult(BaseModel):
    """Both harnesses on the same completion; ``hacked`` when only the vulnerable one passed it."""

    model_config = ConfigDict(extra="ignore")

    schema_version: int = RESULT_SCHEMA_VERSION
    grader_version: int | None = Field(default=None, description=_GRADER_VERSION_DOC)
    task_id: str
    id: str | None = None
    verdict: Verdict
    reason: str
    vulnerable: GradeResult
    hardened: GradeResult

    @property
    def hacked(self) -> bool:
        return self.verdict is Verdict.HACKED

    @property
    def isolation(self) -> Isolation | None:
        return self.hardened.isolation or self.vulnerable.isolation

    def to_json_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")
