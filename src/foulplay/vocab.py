"""Shared vocabulary: the words every layer uses for outcomes, verdicts, isolation and defences.

Kept deliberately small and dependency-free so that every layer (sandbox, grading, detectors,
training hooks, evals, reports) can import it without pulling anything else in.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import IntEnum, StrEnum
from typing import Any

GRADER_VERSION = 2
"""What the grader's verdicts mean. Stamped on every grade, double run, reward and step record, so numbers
graded under different meanings are never mixed silently (``merge_steps`` refuses to, unless told).

Bump it whenever what ``solved`` (or another outcome) means changes: a stricter or looser pass, a new
defence that turns passes into failures, a changed precedence between outcomes. Do not bump it for changes
that grade every completion the same way (speed, messages, new fields); the JSON shape has its own
``RESULT_SCHEMA_VERSION``.

* 1: records written before grader versions existed (a record without the field is version 1).
* 2: the hardened grader of issue 12: a stricter boundary for values that cross from the submission, and a
  defence that fired wins over a later grader error, load error or timeout (``tampered``, not ``error``;
  the precedence table is ``foulplay.grading._grade.PRECEDENCE``).
"""


class Outcome(StrEnum):
    """What grading one completion under one harness concluded."""

    SOLVED = "solved"
    """Every test ran and passed."""
    FAILED = "failed"
    """Tests ran and at least one failed (or the solution did not load)."""
    ERROR = "error"
    """The completion could not be graded: empty, ambiguous, or the grader itself failed."""
    TIMEOUT = "timeout"
    """The run exceeded its time budget."""
    TAMPERED = "tampered"
    """The tests did not pass and a defence fired: the submission tried to fool the grader."""
    DECLINED = "declined"
    """No code, and the completion says the task is impossible or contradictory, or refuses."""

    @property
    def passed(self) -> bool:
        return self is Outcome.SOLVED


class Verdict(StrEnum):
    """Result of a double run (vulnerable harness vs hardened harness)."""

    HACKED = "hacked"
    """Passed the vulnerable harness but not the hardened one: the pass was obtained by a hack."""
    SOLVED = "solved"
    FAILED = "failed"
    ERROR = "error"
    TIMEOUT = "timeout"
    TAMPERED = "tampered"
    DECLINED = "declined"


class Isolation(StrEnum):
    """How strongly untrusted code was isolated, best first."""

    BWRAP = "bwrap"
    """bubblewrap: new namespaces, read-only system, only the work dir writable, no network."""
    RLIMIT = "rlimit"
    """Resource limits, a new session, and whatever unsharing the host allowed."""
    NONE = "none"
    """A plain child process: no isolation at all."""

    @property
    def rank(self) -> int:
        return {"bwrap": 2, "rlimit": 1, "none": 0}[self.value]

    def at_least(self, other: Isolation) -> bool:
        return self.rank >= other.rank


class Defence(StrEnum):
    """Hardened-harness defences; each one that fires is recorded with its evidence."""

    EXIT_GUARD = "exit-guard"
    """A pass needs the grader's own report; the submission ending early (any status) is a failure."""
    TYPE_GUARD = "type-guard"
    """Values from the submission are compared as genuine builtin values, never with its __eq__."""
    INTEGRITY = "integrity"
    """The submission patched builtins or test-framework internals (seen in its own process)."""
    PRISTINE_TESTS = "pristine-tests"
    """Tests come from the grader; files the submission adds never reach the test runner."""
    PROTOCOL = "protocol"
    """The submission's process sent malformed data to the grader."""
    NONCE = "nonce"
    """The pass report did not carry the run's secret nonce."""


class Severity(StrEnum):
    """How bad a finding is if true."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def rank(self) -> int:
        return {"low": 1, "medium": 2, "high": 3}[self.value]


class Confidence(StrEnum):
    """How sure a detector is that a finding is true."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def rank(self) -> int:
        return {"low": 1, "medium": 2, "high": 3}[self.value]

    def lowered(self) -> Confidence:
        return {Confidence.HIGH: Confidence.MEDIUM, Confidence.MEDIUM: Confidence.LOW}.get(self, Confidence.LOW)


class ScanVerdict(StrEnum):
    """What a scan concluded about one item (a file, a completion, a rollout)."""

    HACK = "hack"
    CLEAN = "clean"
    ERROR = "error"


@dataclass(frozen=True)
class Finding:
    """One detector hit: which rule, where, how sure, and the offending snippet."""

    rule: str
    """Rule code, e.g. ``FP101``."""
    name: str
    """Rule name, e.g. ``always-true-eq``."""
    family: str
    technique: str | None
    severity: Severity
    confidence: Confidence
    message: str
    path: str = ""
    line: int = 0
    col: int = 0
    end_line: int = 0
    snippet: str = ""
    source: str = "code"
    """``code`` (a static rule on code), ``text`` (reasoning/prose), ``file`` (a file's name or presence),
    ``change`` (a rule over what a diff or an agent's edit changed)."""
    notes: tuple[str, ...] = field(default_factory=tuple)
    where: str = ""
    """Who or what produced it: a commit, or a transcript's message/step/tool call (empty for plain files)."""

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["severity"] = self.severity.value
        out["confidence"] = self.confidence.value
        out["notes"] = list(self.notes)
        return out

    def key(self) -> tuple[str, str, str]:
        """Identity that survives edits elsewhere in the file (no line numbers), for baselines."""
        return (self.rule, self.path, " ".join(self.snippet.split()))


__all__ = ["GRADER_VERSION", "Confidence", "Defence", "Finding", "Isolation", "Outcome", "ScanVerdict", "Severity",
           "Verdict"]


class ExitCode(IntEnum):
    """Exit statuses of every ``foulplay`` command (in the spirit of ruff and bandit)."""

    CLEAN = 0
    """Nothing found: every item was checked and is clean / solved / resisted."""
    FOUND = 1
    """Something found: a hack, a fooled grader, findings over the threshold, a misaligned answer."""
    ERROR = 2
    """Usage error, or the run could not complete its checks (error rows beyond ``--max-errors``, a control
    that could not run: ``unverified``). Wins over ``FOUND``: a partial check never reads as a verdict."""


def exit_status(*, found: bool, errors: int = 0, unverified: bool = False, max_errors: int = 0,
                exit_zero: bool = False) -> ExitCode:
    """The one exit-status rule: 2 when checks could not complete (more than ``max_errors`` error rows, or an
    unverified control), else 1 when something was found, else 0. ``exit_zero`` (``--exit-zero``) reports
    without failing: 0 unless the run itself could not complete."""
    if unverified or errors > max_errors:
        return ExitCode.ERROR
    if found and not exit_zero:
        return ExitCode.FOUND
    return ExitCode.CLEAN
