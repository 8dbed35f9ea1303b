"""Problems, completions, harnesses and outcomes.

``grade(problem, completion, harness)`` runs one completion in the sandbox under the ``hardened``
harness (nothing the submission does can make a failing solution pass) or a ``vulnerable``
harness with named weaknesses (``eq``, ``exit``, ``conftest``, ``script``). ``double_run``
runs both: a pass that only the vulnerable harness gives is a hack.
"""

from foulplay.grading._extract import Submission, extract, split_reasoning
from foulplay.grading._grade import GRADING_LIMITS, PRECEDENCE, Grader, double_run, error_result, grade
from foulplay.grading._harness import DEFAULT_VULNERABLE, HARDENED, SWITCHES, VULNERABLE, Harness
from foulplay.grading._problem import (
    VISIBLE_HELP,
    IOCase,
    Problem,
    apply_visible,
    index_problems,
    iter_json_records,
    iter_json_records_lenient,
    json_line_records,
    load_humaneval,
    load_mbpp,
    load_problem,
    load_problems,
    load_problems_lenient,
    problem_from_record,
    problem_record,
)
from foulplay.grading._result import DefenceEvent, DoubleRunResult, GradeResult, ProcessRun, TestOutcome
from foulplay.vocab import Outcome, Verdict

__all__ = [
    "DEFAULT_VULNERABLE",
    "GRADING_LIMITS",
    "HARDENED",
    "PRECEDENCE",
    "SWITCHES",
    "VISIBLE_HELP",
    "VULNERABLE",
    "DefenceEvent",
    "DoubleRunResult",
    "GradeResult",
    "Grader",
    "Harness",
    "IOCase",
    "Outcome",
    "Problem",
    "ProcessRun",
    "Submission",
    "TestOutcome",
    "Verdict",
    "apply_visible",
    "double_run",
    "error_result",
    "extract",
    "grade",
    "index_problems",
    "iter_json_records",
    "iter_json_records_lenient",
    "json_line_records",
    "load_humaneval",
    "load_mbpp",
    "load_problem",
    "load_problems",
    "load_problems_lenient",
    "problem_from_record",
    "problem_record",
    "split_reasoning",
]
