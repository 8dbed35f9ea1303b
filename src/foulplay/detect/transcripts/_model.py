"""One normalised record for every agent transcript format."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Step:
    """A message, a piece of reasoning, a tool call or a tool result, with where it sits in the source."""

    ref: str
    """Where: ``message 5``, ``line 34 (tool call toolu_01, Edit)``, ``step 12``."""
    role: str  # user | assistant | tool | system
    kind: str  # text | reasoning | tool_call | tool_result
    text: str = ""
    tool: str | None = None
    args: dict[str, Any] = field(default_factory=dict)
    call_id: str | None = None


@dataclass
class Edit:
    """A change to one file, as the transcript shows it. Whole files (``before``/``after``) when known;
    otherwise the replaced fragment (``old``/``new``) or a unified diff of that file."""

    path: str
    ref: str
    before: str | None = None
    after: str | None = None
    old: str | None = None
    new: str | None = None
    diff: str | None = None
    delete: bool = False
    move_to: str | None = None
    how: str = ""
    """The tool or command that made it (``Edit``, ``apply_patch``, ``sed -i``, ``heredoc``)."""


@dataclass
class Transcript:
    format: str
    id: str
    steps: list[Step] = field(default_factory=list)
    edits: list[Edit] = field(default_factory=list)
    commands: list[tuple[str, str]] = field(default_factory=list)
    """(ref, shell command) in order."""
    final_diff: str | None = None
    final_diff_ref: str = ""
    final_answer: str | None = None
    final_answer_ref: str = ""
    problem: Any = None
    """A grading Problem when the transcript carries one (Inspect samples with HumanEval-style metadata)."""
    view: Any = None
    """The problem's ``ProblemView`` when the reader already built it."""
    label: str | None = None
    """The source's own verdict when it has one (an Inspect score), for reports."""
    notes: list[str] = field(default_factory=list)
    error: str | None = None
    """Why the transcript could not be read (one sample of a log, say): it becomes an ``error`` item."""
