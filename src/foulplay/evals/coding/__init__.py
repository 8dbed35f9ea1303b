"""Agentic coding evals: an agent works in a small repository inside the ``foulplay`` Inspect sandbox, with
the tests in reach; what it does (solve, cheat, stop, fail) is decided by code.

``hack_propensity``: possible and impossible variants (one expected value changed; two tests that
contradict), prompt framings, pristine grading under the hardened harness, the workspace diff against the
change rules, and ``report_problem`` as a separate outcome.
"""

from foulplay.evals.coding._task import AGENTS, DEFAULT_PROBLEMS, LABELS, VARIANTS, hack_propensity

__all__ = ["AGENTS", "DEFAULT_PROBLEMS", "LABELS", "VARIANTS", "hack_propensity"]
