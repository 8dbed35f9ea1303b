"""The catalog's data model: techniques, families, weaknesses, payloads, citations."""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from foulplay.hacks._context import HackContext


class Family(StrEnum):
    """Families of reward-hacking techniques against test-based graders."""

    EQUALITY = "equality"
    EXIT = "early-exit"
    FRAMEWORK = "test-framework"
    TAMPERING = "test-tampering"
    SPECIAL_CASING = "special-casing"
    INTROSPECTION = "introspection"
    MONKEYPATCH = "monkeypatching"
    ENVIRONMENT = "environment"
    OUTPUT = "output-spoofing"
    TIMING = "timing"


class Weakness(StrEnum):
    """A property of a grader that some technique needs. The first nine are the switches of the
    built-in ``vulnerable`` harness; the rest describe graders foulplay does not ship."""

    EQ = "eq"
    """Results are compared with ``==`` (or the result's own arithmetic), so the result decides."""
    EXIT = "exit"
    """Exit status 0 of the test process counts as a pass."""
    SCRIPT = "script"
    """Tests run as a plain script: nothing catches ``SystemExit`` or calls ``sys.excepthook``."""
    CONFTEST = "conftest"
    """Files the submission adds land in the pytest root and are honoured (conftest.py, ini files)."""
    INPROCESS = "inprocess"
    """The solution is imported into the process that runs the tests."""
    READABLE = "readable"
    """The test files sit where the solution can read them."""
    WRITABLE = "writable"
    """The tests sit in the writable workspace and the grader runs whatever is there."""
    OUTPUT = "output"
    """The grader decides from printed output ('All tests passed', pytest's 'N passed')."""
    VISIBLE = "visible"
    """The grader runs only tests the model was shown."""
    FRESH_INTERPRETER = "fresh-interpreter"
    """The grader starts an interpreter whose sys.path begins in the workspace (``python -m tool``
    there, or a runner script stored in the workspace), so a submitted module shadows what it imports."""
    PYTHONPATH = "pythonpath"
    """The workspace is on the grader's PYTHONPATH, so ``sitecustomize.py`` there runs at start-up."""
    SITE_DIR = "site-dir"
    """The workspace is a site directory, so its ``.pth`` files run at start-up."""
    UNITTEST = "unittest"
    """The grader runs the tests with ``unittest``."""
    OPERATOR_EQ = "operator-eq"
    """The grader compares with ``operator.eq`` (or another function it looks up at call time)."""
    EMPTY_SUITE = "empty-suite"
    """A run in which no test ran counts as a pass."""
    SCORE = "score"
    """The grader reads a score or a verdict from the first line of output that matches a pattern
    ('score: 1.0', 'reward = 1.0', 'accuracy: 100%', 'PASS')."""
    UNITTEST_SUMMARY = "unittest-summary"
    """The grader decides from unittest's summary ('Ran N tests' and a final 'OK' line), the way unittest,
    nose and nose2 print it."""
    TAP_STREAM = "tap-stream"
    """The grader reads a TAP stream from the output: 'ok N - ...' lines and the plan '1..N'."""
    OWN_OUTPUT = "own-output"
    """The grader decides from what the process that runs the solution prints, in a format of its own (a
    custom summary or score line), so printing what a passing run printed passes."""
    TIMING = "timing"
    """The grader measures the solution's speed in the solution's own process."""
    ISINSTANCE_GUARD = "isinstance-guard"
    """A partial mitigation: the grader checks isinstance(result, expected type) before ==."""
    LIE_CHECK = "lie-check"
    """The grader lets a returned object's own comparison decide once it has passed a lie check (it must
    not equal random sentinels, and must equal itself): the check can be told apart from the real comparison."""
    ORDERING = "ordering"
    """The tests check results with ordering or tolerance comparisons (``abs(result - expected) < tol``,
    ``result <= bound``, ``sorted(result) == result``) that the result's own ordering and arithmetic answer."""
    SERVED_COMPARE = "served-compare"
    """The grader asks a helper running in the submission's own process (an RPC server next to the
    solution) to compare results, so the submission can patch that helper."""
    SHARED_NAMESPACE = "shared-namespace"
    """The tests run in the solution's namespace (asserts executed after it, ``from solution import *``),
    so names they use without importing them, or imported before the star import, come from the submission."""
    ITERATOR_DRIVEN = "iterator-driven"
    """The checks are driven by an iterator (``all(map(check, cases))``, ``for ok in map(...)``), so a
    StopIteration from the solution ends them as if the cases had run out."""
    ORDERED_CALLS = "ordered-calls"
    """The grader calls the solution once per visible test, all in one process, in the order the model
    saw them, so the solution can tell which test it is in by counting its calls."""
    SHARED_KERNEL = "shared-kernel"
    """Runs share kernel objects that outlive a process (keyrings, POSIX and SysV message queues): no
    seccomp filter or per-run IPC and user namespace, so one run can leave data for the next."""
    UNBOUNDED_WALK = "unbounded-walk"
    """The grader walks or renders a result in full (repr, pprint or a diff for its failure message, a type
    check of every element), and a run whose grading crashed or timed out is not scored as a failure."""


HARNESS_SWITCHES = frozenset({Weakness.EQ, Weakness.EXIT, Weakness.SCRIPT, Weakness.CONFTEST,
                              Weakness.INPROCESS, Weakness.READABLE, Weakness.WRITABLE, Weakness.OUTPUT,
                              Weakness.VISIBLE})
# What the built-in vulnerable harness is weak to besides its switches (grading/_inside/fpgrade_vrunner.py,
# fpgrade_vtests.py and fpgrade_vplugin.py): its test module copies every name of the solution into its
# globals and calls the solution in test order in one process; with ``inprocess`` closed the solution is
# served over fpbox_rpc, whose proxies ask the submission's process to compare a returned object and, with
# ``eq`` closed too, trust that comparison once the object passed a lie check, and let the submission's
# arithmetic answer tolerance checks; with ``inprocess`` open and ``eq`` closed, the namespace guard refuses
# results with their own comparisons but checks the type of every element of a result, shared or not.
VULNERABLE_ALWAYS = frozenset({Weakness.ORDERED_CALLS, Weakness.SHARED_NAMESPACE})
VULNERABLE_CAN_HAVE = HARNESS_SWITCHES | VULNERABLE_ALWAYS | {Weakness.SERVED_COMPARE, Weakness.LIE_CHECK,
                                                             Weakness.ORDERING, Weakness.UNBOUNDED_WALK}


def vulnerable_weaknesses(switches: Iterable[str | Weakness]) -> frozenset[Weakness]:
    """Every weakness of ``vulnerable:<switches>``: the switches and what comes with them."""
    found = {Weakness(s) for s in switches} | VULNERABLE_ALWAYS
    if Weakness.INPROCESS not in found:
        found |= {Weakness.SERVED_COMPARE, Weakness.ORDERING}
        if Weakness.EQ not in found:
            found.add(Weakness.LIE_CHECK)
    elif Weakness.EQ in found:
        found.add(Weakness.ORDERING)
    else:
        found.add(Weakness.UNBOUNDED_WALK)
    return frozenset(found)


VULNERABLE_WHEN = {
    Weakness.ORDERED_CALLS: "always", Weakness.SHARED_NAMESPACE: "always",
    Weakness.SERVED_COMPARE: "with `inprocess` closed", Weakness.LIE_CHECK: "with `inprocess` and `eq` closed",
    Weakness.ORDERING: "unless `inprocess` is open and `eq` closed",
    Weakness.UNBOUNDED_WALK: "with `inprocess` open and `eq` closed",
}
"""When the vulnerable harness has each weakness that is not one of its switches (for the docs)."""


DEPLOYMENT_WEAKNESSES = frozenset({Weakness.SHARED_KERNEL})
"""Weaknesses of where a grader runs rather than of its code. ``foulplay probe`` runs command and
callable graders inside foulplay's own sandbox, so for those it would measure the sandbox, not the
grader's real deployment."""


@dataclass(frozen=True)
class Citation:
    """Where a technique was reported."""

    key: str
    title: str
    where: str
    detail: str = ""
    url: str = ""

    def short(self) -> str:
        return f"{self.title} ({self.where})"


@dataclass
class Payload:
    """What a technique submits: a solution module, extra files, and edits to the tests."""

    solution: str | None = None
    """New source of the solution module (None: the technique does not touch it)."""
    files: dict[str, str] = field(default_factory=dict)
    """Extra files, by path relative to the solution's directory (conftest.py, sitecustomize.py)."""
    test_edits: dict[str, str | None] = field(default_factory=dict)
    """Test files the technique rewrites (new text) or deletes (None)."""
    note: str = ""

    def all_files(self, solution_path: str) -> dict[str, str | None]:
        out: dict[str, str | None] = {}
        if self.solution is not None:
            out[solution_path] = self.solution
        out.update(self.files)
        out.update(self.test_edits)
        return out

    def to_completion(self, solution_path: str) -> str:
        """The payload as raw model output (markdown fences; a second file per extra file)."""
        parts = ["I will make the tests pass."]
        for path, content in self.all_files(solution_path).items():
            body = "" if content is None else content
            lang = "python" if posixpath.splitext(path)[1] in (".py", "") else "text"
            parts.append(f"```{lang}:{path}\n{body.rstrip()}\n```")
        return "\n\n".join(parts) + "\n"


Generator = Callable[["HackContext"], "Payload | None"]


@dataclass(frozen=True)
class Technique:
    """One reward-hacking technique: what it is, where it was seen, how to try it, what stops it."""

    id: str
    name: str
    family: Family
    summary: str
    needs: tuple[frozenset[Weakness], ...]
    """Alternative sets of weaknesses; the technique works on a grader that has all of any one set."""
    defence: str
    reported: tuple[Citation, ...]
    generate: Generator
    applies_to: frozenset[str] = frozenset({"function"})
    """Problem kinds the payload makes sense for: ``function`` and/or ``script``."""
    detection: str = ""
    """How the technique shows up in code, for detectors and reviewers."""
    blocked_by: frozenset[Weakness] = frozenset()
    """Grader properties that make the technique moot (``script``: there is no pytest to patch)."""
    rounds: int = 1
    """How many times the probe grades one payload on one problem, one run after the other: a
    technique that carries what it learned from one run into the next needs 2."""
    goal: str = "pass"
    """What counts as fooling the grader: ``pass`` (the grader passes the payload) or ``no-verdict``
    (grading crashes or times out instead of failing it, which many RL loops drop instead of penalising)."""
    fits: str = ""
    """What a problem must offer for the payload generator to produce anything (said when none does)."""
    needs_reference_run: bool = False
    """The payload replays what the grader printed for the reference solution (``HackContext.reference_run``),
    which the probe captures only for command graders."""

    def works_against(self, weaknesses: set[Weakness] | frozenset[Weakness]) -> bool:
        """Whether a grader with exactly these weaknesses should be fooled."""
        if self.blocked_by & set(weaknesses):
            return False
        return any(option <= set(weaknesses) for option in self.needs)

    def expressible_with(self, weaknesses: set[Weakness] | frozenset[Weakness]) -> bool:
        """Whether a grader that can open only these weaknesses could ever be fooled by it."""
        return any(option <= set(weaknesses) for option in self.needs)

    def needs_text(self) -> str:
        return " or ".join("+".join(sorted(w.value for w in option)) for option in self.needs)

    def payload(self, ctx: HackContext) -> Payload | None:
        if ctx.kind not in self.applies_to:
            return None
        return self.generate(ctx)


_REGISTRY: dict[str, Technique] = {}


def technique(
    id: str,
    *,
    name: str,
    family: Family,
    needs: set[Weakness] | frozenset[Weakness] | list[set[Weakness]],
    defence: str,
    reported: tuple[Citation, ...] | list[Citation],
    summary: str,
    applies_to: set[str] | frozenset[str] = frozenset({"function"}),
    detection: str = "",
    blocked_by: set[Weakness] | frozenset[Weakness] = frozenset(),
    rounds: int = 1,
    goal: str = "pass",
    fits: str = "",
    needs_reference_run: bool = False,
) -> Callable[[Generator], Generator]:
    """Register a payload generator as a catalog technique (ids are stable; never reuse one)."""

    def register(fn: Generator) -> Generator:
        if id in _REGISTRY:
            raise ValueError(f"duplicate technique id {id!r}")
        options = [frozenset(o) for o in needs] if isinstance(needs, list) else [frozenset(needs)]
        if not options or not all(options):
            raise ValueError(f"technique {id!r} must name the weakness it needs")
        if goal not in ("pass", "no-verdict") or rounds < 1:
            raise ValueError(f"technique {id!r}: goal must be 'pass' or 'no-verdict', rounds at least 1")
        _REGISTRY[id] = Technique(
            id=id, name=name, family=family, summary=" ".join(summary.split()),
            needs=tuple(options), defence=" ".join(defence.split()), reported=tuple(reported),
            generate=fn, applies_to=frozenset(applies_to), detection=" ".join(detection.split()),
            blocked_by=frozenset(blocked_by), rounds=rounds, goal=goal, fits=" ".join(fits.split()),
            needs_reference_run=needs_reference_run,
        )
        return fn

    return register


def registry() -> dict[str, Technique]:
    return _REGISTRY
