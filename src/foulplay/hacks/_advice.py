"""How to close each grader weakness: one concrete sentence per :class:`Weakness`, and :func:`advice_for`, which
turns a probe report (``foulplay probe --format json``) into the fixes for every hole it found.

A technique works when the grader has every weakness of one of its alternative sets (``Technique.needs``), so
closing any one weakness of each set stops it; the advice lists them all and the reader picks the cheapest."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from foulplay.hacks._model import Weakness, registry

W = Weakness


@dataclass(frozen=True)
class Advice:
    """How to close one weakness in a grader, and the built-in harness switch that opens it (if any)."""

    weakness: Weakness
    how: str
    switch: str | None = None

    def text(self) -> str:
        """The sentence, plus which switch of the built-in harness opens it."""
        if self.switch is None:
            return self.how
        return (f"{self.how} In foulplay's built-in harness this is the `{self.switch}` switch: leave it out of "
                f"`vulnerable:...` (the `hardened` harness has none open).")


_HOW: dict[Weakness, str] = {
    W.EQ: "Compare results by value on the trusted side: convert what the solution returns to plain builtin data "
          "(a JSON round trip, or an exact-type check of every element) and never call a method of the returned "
          "object; foulplay's hardened harness does this (its type guard).",
    W.EXIT: "Decide from a per-test result record the test runner writes (carrying a per-run secret), never from "
            "the exit status of the process the solution runs in; a run that ends without that record fails.",
    W.SCRIPT: "Run the tests under a runner that catches SystemExit and reports every test on its own, not as a "
              "plain script whose quiet end is taken for success.",
    W.CONFTEST: "Run pytest with `-p no:cacheprovider --noconftest`, a fixed `--rootdir` and only the grader's own "
                "ini file (`-c grader.ini`), or copy only the solution file into a fresh test folder.",
    W.INPROCESS: "Run the solution in its own process, apart from the tests and the test framework, and pass "
                 "arguments and results across as plain data, so nothing it patches reaches the grader.",
    W.READABLE: "Keep the test files out of the solution's sandbox (not mounted, not readable where it runs) and "
                "hand it only the inputs of the call it is answering.",
    W.WRITABLE: "Take the tests from the grader's own read-only copy at grading time; never run test files from "
                "the workspace the agent could edit.",
    W.OUTPUT: "Never parse printed output for a verdict; read structured per-test results from a channel the "
              "solution's process cannot write to.",
    W.VISIBLE: "Grade on held-back tests the model never saw (and perturbed variants of the visible ones), not only "
               "on the examples in the prompt.",
    W.FRESH_INTERPRETER: "Start the grader's interpreter in isolated mode (`python -I`, or `-P` on 3.11+) from a "
                         "directory outside the workspace, so a submitted module cannot shadow what it imports.",
    W.PYTHONPATH: "Keep the workspace off PYTHONPATH and start Python with `-I` (or `-E -s`), so a submitted "
                  "sitecustomize.py is never imported at start-up.",
    W.SITE_DIR: "Never make the workspace a site directory (no `site.addsitedir` on it, no .pth files read from it); "
                "install what the tests need into a read-only environment instead.",
    W.UNITTEST: "Run unittest in a process the solution is not imported into, or keep references to TestCase and "
                "TestResult taken before the solution loads and fail the run when they were replaced.",
    W.OPERATOR_EQ: "Bind the comparison function once, before the solution is loaded (or compare in another "
                   "process), instead of looking up `operator.eq` at call time.",
    W.EMPTY_SUITE: "Count a run in which no test was collected or run as a failure: require the number of tests "
                   "reported to equal the number the grader expects.",
    W.SCORE: "Read the score from a structured result the grader itself writes, not from the first output line "
             "that matches a pattern such as 'score: 1.0'.",
    W.UNITTEST_SUMMARY: "Do not trust 'Ran N tests ... OK' in the output; take the runner's result object or a JUnit "
                        "XML file written where the solution cannot reach, and check N against the expected count.",
    W.TAP_STREAM: "Do not read TAP from the solution's output; have the harness write TAP to a file or descriptor "
                  "the solution's process cannot write, and check the plan against the expected count.",
    W.OWN_OUTPUT: "Decide from values the grader checks itself, not from what the solution's process prints: a "
                  "passing run's output can be replayed word for word.",
    W.TIMING: "Time the solution from outside its process (a monotonic clock in the grader, or the kernel's CPU "
              "accounting for the child), never with clocks the solution can patch.",
    W.ISINSTANCE_GUARD: "An isinstance check is not enough, since a subclass keeps its own `__eq__`: require the exact "
                        "builtin type (`type(x) is list`, recursively) or a plain-data copy before comparing.",
    W.LIE_CHECK: "Do not let a returned object's own comparison decide after a sentinel test, which it can tell "
                 "apart from the real one; compare plain-data copies only.",
    W.ORDERING: "Check tolerances and orderings on plain-data copies (a real float, a list of builtins), never "
                "with the result's own arithmetic or comparison methods.",
    W.SERVED_COMPARE: "Compare in the grader's own process on plain data received over the wire; never ask a helper "
                      "that runs beside the solution to do the comparison.",
    W.SHARED_NAMESPACE: "Import the solution as its own module and call only its entry point; never run the asserts "
                        "in the solution's namespace or after `from solution import *`.",
    W.ITERATOR_DRIVEN: "Drive the checks with an explicit counted loop that treats any exception from the solution, "
                       "StopIteration included, as a failure, and check afterwards that every case ran.",
    W.ORDERED_CALLS: "Call the solution in a fresh process per test, or in a shuffled order with held-back cases "
                     "mixed in, so counting its calls tells it nothing.",
    W.SHARED_KERNEL: "Give each run its own IPC, user and keyring namespaces (or a seccomp filter on keyctl and "
                     "mq_open), so no kernel object outlives the run that made it.",
    W.UNBOUNDED_WALK: "Bound what the grader walks and renders (size and depth limits, a truncated repr in failure "
                      "messages) and score a grading crash or timeout as a failure, never drop it.",
}

CONTROL_ADVICE: dict[str, str] = {
    "wrong": "The grader passes a wrong but honest solution: it does not check results at all on some problem. Fix "
             "the tests or the comparison first; until then no technique verdict means anything.",
    "empty": "The grader passes an empty submission: treat a missing solution, a failed import and a run in which "
             "no test ran as failures.",
}
"""What to do when a control that must fail passed."""


def _switches() -> frozenset[str]:
    from foulplay.grading._harness import SWITCHES

    return frozenset(SWITCHES)


def _build() -> dict[Weakness, Advice]:
    switches = _switches()
    return {w: Advice(w, _HOW[w], w.value if w.value in switches else None) for w in Weakness if w in _HOW}


ADVICE: dict[Weakness, Advice] = _build()
"""One piece of advice per weakness (a test checks that none is missing)."""


def _parse_needs(text: str) -> list[list[str]]:
    """``"a+b or c"`` (``Technique.needs_text``) as ``[["a", "b"], ["c"]]``."""
    return [[w.strip() for w in option.split("+") if w.strip()] for option in text.split(" or ") if option.strip()]


def _needs(row: dict[str, Any]) -> list[list[str]]:
    tech = registry().get(str(row.get("technique", "")))
    if tech is not None:
        return [sorted(w.value for w in option) for option in tech.needs]
    return _parse_needs(str(row.get("needs") or ""))


def _fix(name: str) -> dict[str, Any]:
    try:
        advice = ADVICE[Weakness(name)]
    except (ValueError, KeyError):
        return {"weakness": name, "how": f"'{name}' is not a weakness this foulplay knows; see the technique's page.",
                "switch": None}
    return {"weakness": name, "how": advice.text(), "switch": advice.switch}


def _technique_entry(row: dict[str, Any]) -> dict[str, Any]:
    needs = _needs(row)
    order = {w.value: i for i, w in enumerate(Weakness)}
    names = sorted({w for option in needs for w in option}, key=lambda w: (order.get(w, len(order)), w))
    return {"technique": str(row.get("technique", "?")), "family": str(row.get("family", "?")), "needs": needs,
            "fixes": [_fix(w) for w in names]}


def _control_entry(row: dict[str, Any]) -> dict[str, Any]:
    name = str(row.get("control", "?"))
    how = CONTROL_ADVICE.get(name, "A control that must fail passed: fix the grader before trusting any verdict.")
    fixes = [{"weakness": f"{name}-control", "how": how, "switch": None}]
    if name == "empty":
        fixes.append(_fix(Weakness.EMPTY_SUITE.value))
    return {"technique": f"control:{name}", "family": "control", "needs": [], "fixes": fixes}


def _control_fooled(row: dict[str, Any]) -> bool:
    return row.get("expected_pass") is False and str(row.get("status")) == "FAILED"


def advice_for(probe: dict[str, Any]) -> list[dict[str, Any]]:
    """For a probe report (``ProbeReport.to_json_dict()``): one entry per control that must fail and passed, then
    one per technique that FOOLED the grader, each ``{"technique", "family", "needs", "fixes": [{"weakness",
    "how", "switch"}]}``. ``needs`` lists the technique's alternative weakness sets; closing one weakness of
    each set stops it."""
    out = [_control_entry(c) for c in probe.get("controls") or [] if isinstance(c, dict) and _control_fooled(c)]
    out += [_technique_entry(t) for t in probe.get("techniques") or []
            if isinstance(t, dict) and t.get("verdict") == "FOOLED"]
    return out


def advice_for_weakness(weakness: Weakness | str) -> Advice:
    """The advice for one weakness (by value or member)."""
    return ADVICE[Weakness(weakness)]
