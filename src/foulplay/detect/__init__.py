"""Reward-hack detection without running the code: static rules over Python, completions and rollouts.

Every rule has a stable code (``FP101``), a family, a severity and a confidence, and maps to a
technique of the hack catalog (:mod:`foulplay.hacks`). ``scan_source`` scans one file,
``scan_completion`` raw model output (code it submits and intent it states), ``scan_rollouts`` a
JSONL file of RL rollouts.
"""

from __future__ import annotations

from foulplay.detect import _diffs  # noqa: F401 - registers the change rules
from foulplay.detect import rules as _rules  # noqa: F401 - registers the rules
from foulplay.detect._dynamic import DynamicChecker, DynamicReport, dynamic_check  # registers FP590 (dynamic)
from foulplay.detect._engine import FileResult, ProblemView, Rule, VisibleCase, role_of, rules
from foulplay.detect._scan import (
    ItemResult,
    RolloutSpec,
    ScanOptions,
    iter_files,
    problem_view,
    scan_completion,
    scan_file,
    scan_rollouts,
    scan_source,
    scan_text,
)

__all__ = [
    "DynamicChecker",
    "DynamicReport",
    "FileResult",
    "ItemResult",
    "ProblemView",
    "RolloutSpec",
    "Rule",
    "ScanOptions",
    "VisibleCase",
    "dynamic_check",
    "iter_files",
    "problem_view",
    "role_of",
    "rules",
    "scan_completion",
    "scan_file",
    "scan_rollouts",
    "scan_source",
    "scan_text",
]
